"""James' and Bang's blinding indices."""

import numpy as np
import pytest

from rater.core.errors import RaterError
from rater.core.reliability.blinding import (
    bang_index,
    blinding_indices,
    guess_table,
    james_index,
)

# Houweling et al. (2014), Clinical Trials 11:547-552, Table 2, investigators' guesses (rows:
# guessed treatment, guessed placebo, don't know; columns: actual treatment, placebo); the
# example of R package BI's documentation (man/BI.Rd).
HOUWELING = np.array([[48, 22], [4, 30], [330, 319]])


def test_houweling_2014_investigators():
    # BI(x) as reproduced by BlindingIndex.jl's README (a port of R BI): James 0.896
    # (SE 0.011, CI 0.875 to 0.918); Bang treatment 0.115 (SE 0.018, CI 0.08 to 0.15),
    # placebo 0.022 (SE 0.019, CI -0.016 to 0.06).
    james = james_index(HOUWELING)
    assert (james.value, james.details["se"]) == pytest.approx((0.896, 0.011), abs=5e-4)
    assert (james.ci_low, james.ci_high) == pytest.approx((0.875, 0.918), abs=5e-4)
    treatment, placebo = bang_index(HOUWELING, 0, "T"), bang_index(HOUWELING, 1, "P")
    assert (treatment.value, treatment.details["se"]) == pytest.approx((0.115, 0.018), abs=5e-4)
    assert (treatment.ci_low, treatment.ci_high) == pytest.approx((0.08, 0.15), abs=5e-3)
    assert (placebo.value, placebo.details["se"]) == pytest.approx((0.022, 0.019), abs=5e-4)
    assert (placebo.ci_low, placebo.ci_high) == pytest.approx((-0.016, 0.06), abs=5e-3)


def test_bang_index_is_correct_minus_incorrect_over_all_answers():
    # Bang et al. (2004) definition, CRISP data of their Table 7 (BI.Rd example).
    crisp = np.array([[82, 27], [25, 29], [170, 83]])
    assert bang_index(crisp, 0, "T").value == pytest.approx((82 - 25) / 277)
    assert bang_index(crisp, 1, "P").value == pytest.approx((29 - 27) / 139)


def test_only_dont_know_answers():
    x = np.array([[0, 0], [0, 0], [5, 7]])
    assert james_index(x).value == 1.0  # James (1996) p. 1425: fixed at 1
    assert bang_index(x, 0, "A").value is None


def test_guess_table_from_records():
    guesses = [{"guess": "LA1", "actual": "LA1"}, {"guess": "LA2", "actual": "LA1"},
               {"guess": None, "actual": "LA2"}, {"guess": "dont_know", "actual": "LA2"},
               {"guess": "LA2", "actual": "LA2"}]
    counts, arms = guess_table(guesses)
    assert arms == ("LA1", "LA2")
    assert counts.tolist() == [[1, 0], [1, 1], [0, 2]]
    out = blinding_indices(counts, arms)
    assert out["counts"]["guessed don't know"] == [0, 2]
    assert set(out["bang"]) == {"LA1", "LA2"}


def test_bad_guesses_are_reported():
    with pytest.raises(RaterError, match="neither group"):
        guess_table([{"guess": "LA3", "actual": "LA1"}, {"guess": "LA1", "actual": "LA2"}])
    with pytest.raises(RaterError, match="exactly two actual groups"):
        guess_table([{"guess": "LA1", "actual": "LA1"}])
