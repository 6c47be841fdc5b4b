"""Applying a rater's queued writes to a shared study exactly once (decision 1702).

A write is applied in one transaction with the record of its idempotency key: the key is
inserted first (ON CONFLICT DO NOTHING); when it was already there the write was applied
before (only its acknowledgement was lost) and is skipped. Row-level security lets a rater
record keys only in their own name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from rater.core.errors import Problem, RaterError
from rater.storage import engine as engines
from rater.storage import ratings
from rater.storage.repository import StudyStore
from rater.storage.server_roles import APPLIED_TABLE

CONNECT_TIMEOUT_S = 3  # an outage is noticed within seconds, not after the TCP default
# A write's transaction idle this long is ended by the server. When the network dies mid-write
# the server may never hear of it (a half-open connection): without this, the open transaction
# would hold the write's key, and the write sent again would wait for it for hours.
IDLE_IN_WRITE_S = 5
# SQLSTATE classes worth trying again: connection exception, operator intervention (server
# shutting down), insufficient resources (too many connections), transaction rollback (deadlock).
RETRY_CLASSES = ("08", "57", "53", "40")
RETRY_STATES = ("25P03",)  # the server ended a transaction left idle (IDLE_IN_WRITE_S)

ACTIONS: dict[str, Callable[..., object]] = {
    "set_score": ratings.set_score,
    "clear_score": ratings.clear_score,
    "submit_rating": ratings.submit,
    "amend_rating": ratings.amend,
    "add_note": ratings.add_note,
    "delete_note": ratings.delete_note,
    "record_guess": ratings.record_guess,
    "save_listening": ratings.add_listening,
    "save_place": ratings.save_place,
}


class Unreachable(Exception):
    """The server could not be reached (or the connection broke): try again later."""


class _OneTransaction(StudyStore):
    """A study store whose every `transaction()` runs inside one outer transaction on
    `connection`: the storage functions' own commits do not end it, their errors undo it."""

    def __init__(self, connection: Connection):
        super().__init__(connection.engine)
        self._connection = connection

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with Session(bind=self._connection, join_transaction_mode="rollback_only",
                     expire_on_commit=False) as session, session.begin():
            yield session


def open_server(url: str) -> Engine:
    """An engine for sending writes: a short connect timeout, and no test round trip before
    each write (a broken connection fails the write, which the sender sends again)."""
    parsed = make_url(url)
    if "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    options = f"{parsed.query.get('options', '')} -c idle_in_transaction_session_timeout="
    parsed = parsed.update_query_dict({"options": f"{options}{IDLE_IN_WRITE_S}s".strip()})
    return engines.make_engine(parsed.render_as_string(hide_password=False), pre_ping=False)


def _record_key(connection: Connection, rater: str, key: str, action: str) -> bool:
    return connection.execute(text(
        f"INSERT INTO {APPLIED_TABLE} (write_key, rater_code, action) VALUES (:k, :r, :a) "
        "ON CONFLICT (write_key) DO NOTHING RETURNING 1"),
        {"k": key, "r": rater, "a": action}).scalar() is not None


def apply(engine: Engine, rater: str, key: str, action: str, args: dict) -> bool:
    """Apply one write unless its key was applied before; True when applied now. Raises
    Unreachable (try again) or RaterError (refused: sending again will not help)."""
    if action not in ACTIONS:
        raise RaterError(Problem(f"unknown write '{action}'", key,
                                 "update Rater; this write was made by a newer version"))
    try:
        with engine.begin() as connection:
            if not _record_key(connection, rater, key, action):
                return False
            ACTIONS[action](_OneTransaction(connection), rater, **args)
            return True
    except DBAPIError as exc:
        if _worth_retrying(exc):
            raise Unreachable(_first_line(exc)) from None
        raise RaterError(Problem(f"the server refused the write: {_first_line(exc)}", key,
                                 "tell the researcher; the write is kept aside")) from None


def _worth_retrying(exc: DBAPIError) -> bool:
    """A broken or refused connection (no SQLSTATE: the server never answered), not a rule."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return (isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated
            or sqlstate is None or sqlstate[:2] in RETRY_CLASSES or sqlstate in RETRY_STATES)


def is_applied(engine: Engine, key: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT 1 FROM {APPLIED_TABLE} WHERE write_key = :k"),
                                  {"k": key}).scalar() is not None


def ping(engine: Engine) -> None:
    """Is the server there? Raises Unreachable when not."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise Unreachable(_first_line(exc)) from None


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
