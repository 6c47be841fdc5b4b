"""The rules of a shared server that need no database: role names, TLS, pgpass lines."""

from __future__ import annotations

import pytest

from rater.core.errors import RaterError
from rater.core.server_access import (
    check_transport,
    group_role,
    invitation,
    is_loopback,
    login_role,
    pgpass_line,
    pgpass_prefix,
)


def test_role_names_start_with_the_database_and_never_meet_a_group_name():
    assert group_role("study1", "raters") == "study1_raters"
    assert login_role("study1", "rater", "R1") == "study1_rater_r1"
    assert login_role("study1", "rater", "Anna K.") == "study1_rater_anna_k_"
    assert login_role("study1", "researcher", "s") == "study1_researcher_s"
    groups = {group_role("s", g) for g in ("researchers", "trainers", "raters")}
    assert not groups & {login_role("s", "rater", n) for n in ("s", "S", "rs")}


def test_role_names_refuse_what_postgresql_could_not_hold():
    with pytest.raises(RaterError, match="no letter or digit"):
        login_role("study1", "rater", "--")
    with pytest.raises(RaterError, match="longer than PostgreSQL's 63 bytes"):
        login_role("s" * 50, "rater", "R" * 10)


@pytest.mark.parametrize("host", [None, "", "/var/run/postgresql", "localhost", "LOCALHOST",
                                  "127.0.0.1", "127.3.2.1", "::1", "[::1]"])
def test_loopback_and_unix_sockets_need_no_tls(host):
    assert is_loopback(host)
    check_transport(host, None, "URL")


@pytest.mark.parametrize("host", ["db.example.org", "10.0.0.5", "192.168.1.2", "::2",
                                  "localhost.example.org", "127.0.0.1.example.org"])
@pytest.mark.parametrize("sslmode", [None, "disable", "prefer", "require", "verify-ca"])
def test_another_host_needs_verify_full(host, sslmode):
    assert not is_loopback(host)
    with pytest.raises(RaterError) as caught:
        check_transport(host, sslmode, "postgresql+psycopg://r@h/db")
    problem = caught.value.problems[0]
    assert host in problem.what and "certificate" in problem.what
    assert problem.where == "postgresql+psycopg://r@h/db"
    assert "sslmode=verify-full" in problem.fix
    check_transport(host, "verify-full", "URL")  # the fix works


def test_pgpass_lines_escape_colons_and_backslashes():
    line = pgpass_line("h", 5432, "d:b", "u\\x", "p:w\\")
    assert line == "h:5432:d\\:b:u\\\\x:p\\:w\\\\"
    assert line.startswith(pgpass_prefix("h", 5432, "d:b", "u\\x"))
    assert not pgpass_line("h", 5432, "d", "u2", "x").startswith(pgpass_prefix("h", 5432, "d",
                                                                               "u"))


def test_an_invitation_has_the_url_and_password_and_how_to_log_in():
    text = invitation("rater R1", "postgresql+psycopg://s_rater_r1@db.example.org/s", "pw123")
    assert "rater R1" in text and "password: pw123" in text
    assert "rater server login postgresql+psycopg://s_rater_r1@db.example.org/s" in text
