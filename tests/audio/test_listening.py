from rater.core.listening import ListeningRecord


def test_contiguous_pieces_merge_and_union_is_reported():
    r = ListeningRecord()
    for i in range(100):  # block-by-block reports, as the player sends them
        r.add(i * 0.1, (i + 1) * 0.1, 1.0)
    r.add(5.0, 8.0, 1.5)  # replay part of it faster
    r.add(20.0, 25.0, 1.0)
    assert len(r.segments) == 3
    assert r.heard() == [(0.0, 10.0), (20.0, 25.0)]
    assert r.heard_seconds() == 15.0
    assert r.heard_fraction(30.0) == 0.5
    assert r.seconds_by_speed() == {1.0: 15.0, 1.5: 3.0}
    assert abs(r.listening_time_s() - (15.0 + 2.0)) < 1e-9


def test_round_trip_and_edge_cases():
    r = ListeningRecord()
    r.add(3.0, 3.0)  # empty: ignored
    r.add(1.0, 2.0, 0.75)
    again = ListeningRecord.from_dict(r.to_dict())
    assert again.segments == r.segments
    assert r.heard_fraction(0) == 0.0
    assert r.heard_fraction(1.5) == 0.5 / 1.5
