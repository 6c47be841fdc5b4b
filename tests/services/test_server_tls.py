"""A real TLS connection to the shared server (issue 17, decision 1701): the test server has a
certificate for `localhost` signed by an authority of the run's own (scripts/with-test-services
exports its certificate as RATER_TEST_PG_CA). The app connects with sslmode=verify-full, as a
rater at another site must, and refuses a server it cannot verify with a clear error."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from rater.core.errors import RaterError
from rater.storage.engine import make_engine, open_study_database


@pytest.fixture
def ca() -> Path:
    if not os.environ.get("RATER_TEST_PG_CA"):
        pytest.fail("RATER_TEST_PG_CA is not set: run the tests through scripts/with-test-services")
    return Path(os.environ["RATER_TEST_PG_CA"])


def _url(admin_url: str, host: str, root: Path) -> str:
    return make_url(admin_url).set(host=host, query={"sslmode": "verify-full",
                                                     "sslrootcert": str(root)}).render_as_string(
        hide_password=False)


def _ssl_in_use(url: str) -> tuple[bool, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(text(
                "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).one())
    finally:
        engine.dispose()


def test_verify_full_connects_encrypted_to_the_named_host(pg_admin_url, ca):
    ssl, version = _ssl_in_use(_url(pg_admin_url, "localhost", ca))
    assert ssl and version.startswith("TLS")


def _refusal(url: str) -> RaterError:
    """Opening a study there, as the app does: a RaterError, not a traceback."""
    with pytest.raises(RaterError) as caught:
        open_study_database(url)
    return caught.value


def test_a_certificate_for_another_name_is_refused(pg_admin_url, ca):
    """The certificate names `localhost`; reached by its address, the name does not match."""
    error = _refusal(_url(pg_admin_url, "127.0.0.1", ca))
    assert "does not match host name" in str(error)
    assert "sslrootcert=FILE" in error.problems[0].fix


def test_a_server_signed_by_an_unknown_authority_is_refused(pg_admin_url, ca, tmp_path):
    other = tmp_path / "other-ca.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=Someone else", "-keyout", tmp_path / "k", "-out", other],
                   check=True, capture_output=True)
    error = _refusal(_url(pg_admin_url, "localhost", other))
    assert "certificate verify failed" in str(error)
    assert "sslrootcert=FILE" in error.problems[0].fix
