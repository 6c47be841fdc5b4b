"""User actions of a shared PostgreSQL study (issue 17): set it up, invite people, log in.

The researcher's database administrator runs `setup` and the `add_*` actions as the database's
owner; each person then logs in once on their own computer (`log_in`), which replaces the
invitation's password with one only that computer knows.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from rater.core.server_access import invitation
from rater.services.study import init_study
from rater.storage import server_store
from rater.storage.engine import describe, study_url
from rater.storage.passwords import store_password

PASSWORD_BYTES = 24  # token_urlsafe: 32 characters of A-Z a-z 0-9 - _


def setup(study: str, codebook_path: Path | None = None) -> dict:
    """Make the database a shared study: the schema (a new study when the database is empty),
    the group roles and row-level security. Safe to run again (e.g. after an upgrade)."""
    url = study_url(study)
    created = server_store.is_empty(url)
    if created:
        init_study(url, codebook_path)
    roles = server_store.set_up(url)
    return {"study": describe(url), "created": created, "roles": roles}


def add_rater(study: str, rater: str) -> dict:
    """The rater's login (made, or given a new password) and their one-time invitation."""
    return _invite(study, "rater", rater)


def add_researcher(study: str, name: str) -> dict:
    return _invite(study, "researcher", name)


def add_trainer(study: str, name: str) -> dict:
    return _invite(study, "trainer", name)


def _invite(study: str, kind: str, name: str) -> dict:
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    role, url = server_store.add_login(study_url(study), kind, name, password)
    return {"login": role, "url": url, "password": password,
            "invitation": invitation(f"{kind} {name}", url, password)}


def log_in(study: str, password: str) -> str:
    """First login with an invitation's password: the password is replaced by a new random one,
    kept in the keyring (or a 0600 password file); returns where it is kept."""
    url = study_url(study)
    login = server_store.login_of(url)
    return server_store.replace_password(url, password, secrets.token_urlsafe(PASSWORD_BYTES),
                                         lambda new: store_password(login, new))
