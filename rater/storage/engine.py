"""Opening a study: a `.rater` SQLite file or a PostgreSQL database given by URL.

SQLite files run in WAL mode with foreign keys on and `synchronous=FULL`, so every committed
transaction survives a crash of the process or of the machine. When another program holds a
SQLite study's write lock, a change waits for it (up to BUSY_TIMEOUT_S), says so in the log after
BUSY_NOTICE_S, and then fails with a clear error.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from rater.core.errors import Problem, RaterError
from rater.core.server_access import check_transport
from rater.storage.passwords import NO_PASSWORD, supply_on_demand

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's id. Kept here so opening a current study never loads Alembic.
SCHEMA_REVISION = "0001_initial"
NOT_A_STUDY_FIX = "choose a .rater file made by Rater (a study or a workshop)"
BUSY_NOTICE_S = 2.0  # a change that waits this long for another program's lock says so
BUSY_TIMEOUT_S = 30.0  # ... and gives up after this long
CONNECT_TIMEOUT_S = 10  # a PostgreSQL server that does not answer within this is unreachable
log = logging.getLogger("rater.storage")


def study_url(study: str | Path) -> str:
    """Turn what a user typed (a path or a SQLAlchemy URL) into a SQLAlchemy URL."""
    text_ = str(study)
    if "://" in text_:
        try:
            make_url(text_)
        except ArgumentError as exc:
            raise RaterError(
                Problem(f"not a valid database URL ({exc})", text_,
                        "use postgresql+psycopg://user@host:port/db or a path to a .rater file")
            ) from None
        return text_
    return f"sqlite:///{Path(text_).expanduser().resolve()}"


def describe(url: str) -> str:
    """A study's location for messages, without a password."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


class _Waits:
    """Changes running on SQLite studies, and one thread that says when one of them has been
    waiting (for another program's lock) longer than BUSY_NOTICE_S. Cheap for the statements:
    two dictionary operations each; the thread starts with the first change."""

    def __init__(self):
        self.running: dict[int, tuple[float, str]] = {}
        self._thread: threading.Thread | None = None

    def started(self, _conn, cursor, statement: str, _params, context, _many) -> None:
        if statement.startswith("SELECT"):
            return  # in WAL mode reading never waits for a lock
        self.running[id(cursor)] = (time.monotonic(), context.engine.url.database or "")
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="rater-sqlite-waits",
                                            daemon=True)
            self._thread.start()

    def ended(self, _conn, cursor, *_args) -> None:
        self.running.pop(id(cursor), None)

    def failed(self, context) -> None:
        cursor = getattr(context, "cursor", None) or getattr(
            getattr(context, "execution_context", None), "cursor", None)
        if cursor is not None:
            self.running.pop(id(cursor), None)
        if "database is locked" in str(context.original_exception):
            engine = getattr(context, "engine", None)
            raise RaterError(Problem(
                f"another program kept the study locked for {BUSY_TIMEOUT_S:.0f} s (it is "
                "changing it, or holds it open in a transaction)",
                str(engine.url.database) if engine is not None else "",
                "close the other program or let it finish, then try again; nothing was changed"))

    def _watch(self) -> None:
        told: set[tuple[int, float]] = set()
        while True:
            time.sleep(BUSY_NOTICE_S / 4)
            now = time.monotonic()
            for key, (since, where) in list(self.running.items()):
                if now - since >= BUSY_NOTICE_S and (key, since) not in told:
                    told.add((key, since))
                    log.warning("%s: waiting for another program that is using the study "
                                "(up to %.0f s)…", where, BUSY_TIMEOUT_S)
            told &= {(k, s) for k, (s, _) in list(self.running.items())}


_WAITS = _Waits()


def make_engine(url: str, pre_ping: bool = True) -> Engine:
    """An engine for a study's URL. `pre_ping=False` skips the round trip that tests a pooled
    connection before each use: for a caller that retries a failed write anyway."""
    if make_url(url).drivername.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _WAITS.started)
        event.listen(engine, "after_cursor_execute", _WAITS.ended)
        event.listen(engine, "handle_error", _WAITS.failed)
        return engine
    parsed = make_url(url)
    check_transport(parsed.host or parsed.query.get("host"), parsed.query.get("sslmode"),
                    describe(url))
    # libpq waits for the operating system's TCP timeout (minutes) on a server that does not
    # answer; a window waiting on a connection should learn within seconds (a URL may say).
    timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_S}
    engine = create_engine(url, pool_pre_ping=pre_ping, connect_args=timeout)
    supply_on_demand(engine)
    event.listen(engine, "handle_error", _not_allowed)
    return engine


def _not_allowed(context) -> None:
    """A shared study's login asked for what its role may not read or change: say so plainly
    (the database, not the app, is what keeps a rater to their own work)."""
    original = context.original_exception
    if getattr(original, "sqlstate", None) == "42501":  # insufficient privilege
        first_line = str(original).strip().splitlines()[0]
        raise RaterError(Problem(
            f"your login may not do this ({first_line})", describe(str(context.engine.url)),
            "each login reaches only what its role allows (a rater: their own work); setting "
            "up a shared study and inviting people needs the database's owner, with CREATEROLE"))


def _alembic_config(connection):
    from alembic.config import Config  # imported here: only creating or upgrading needs it

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration, read from the migration scripts (tests check SCHEMA_REVISION)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration (a no-op when it is current)."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_study_database(url: str) -> Engine:
    """Create the schema in a new, empty database. Refuses a database that already has tables."""
    if make_url(url).drivername.startswith("sqlite"):
        path = Path(make_url(url).database)
        if path.exists() and path.stat().st_size > 0:
            raise RaterError(Problem("a file already exists here", str(path),
                                     "choose a new file name, or open the existing study"))
        if not path.parent.is_dir():
            raise RaterError(Problem("the folder does not exist", str(path.parent),
                                     "create the folder first"))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if inspect(connection).get_table_names():
                raise RaterError(Problem("this database already holds tables", describe(url),
                                         "use an empty database for a new study"))
    except OperationalError as exc:
        raise unreachable(url, exc) from None
    migrate(engine)
    return engine


def open_study_database(url: str) -> Engine:
    """Open an existing study, upgrading its schema if it was made by an older Rater."""
    if make_url(url).drivername.startswith("sqlite"):
        path = Path(make_url(url).database)
        if not path.is_file():
            raise RaterError(Problem("no study file here", str(path),
                                     "check the path, or create one with 'rater study init'"))
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise unreachable(url, exc) from None
    except Exception as exc:  # e.g. a file that is not SQLite at all
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise RaterError(Problem(f"not a Rater study or workshop ({detail})", describe(url),
                                 NOT_A_STUDY_FIX)) from None
    if revision is None:
        raise RaterError(Problem("not a Rater study or workshop (a database Rater did not make)",
                                 describe(url), NOT_A_STUDY_FIX))
    if revision != SCHEMA_REVISION:
        migrate(engine)
    return engine


def unreachable(url: str, exc: Exception) -> RaterError:
    first_line = str(exc.orig if hasattr(exc, "orig") else exc).strip().splitlines()[0]
    fix = "check the path or URL, and that the server is running"
    if NO_PASSWORD in first_line or "password authentication failed" in first_line:
        fix = ("log in once with 'rater server login URL' and the password of your invitation "
               "(it is kept in the keyring, never in the URL)")
    elif "certificate" in first_line or "SSL" in first_line:
        fix = ("the server's certificate could not be checked for this host name: use the host "
               "name the certificate was made for, and give the file of the authority that "
               "signed it as sslrootcert=FILE in the URL (ask the server's administrator)")
    return RaterError(Problem(f"cannot open the database: {first_line}", describe(url), fix))
