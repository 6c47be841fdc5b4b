"""Fuzz suites: hostile packs, CSVs and codebooks. Each answer is a clear error or a success;
never a traceback, and an error leaves the study byte-for-byte as it was.

`./run test` runs a bounded number of examples per test (the "ci" profile); `./run bench` runs
the long mode (RATER_FUZZ=long: 10,000 examples in all across the suite's tests).
"""

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("RATER_FUZZ") == "long"

settings.register_profile(
    "fuzz-ci", max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile(
    "fuzz-long", max_examples=int(os.environ.get("RATER_FUZZ_EXAMPLES", "2000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FUZZ = settings.get_profile("fuzz-long" if LONG else "fuzz-ci")
