"""Opening a shared PostgreSQL study to set up its roles, add logins, or log in once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from rater.core.errors import Problem, RaterError
from rater.storage import engine as engines
from rater.storage import server_roles
from rater.storage.passwords import Login


def require_postgres(url: str) -> None:
    if not make_url(url).drivername.startswith("postgresql"):
        raise RaterError(Problem("a shared study lives on a PostgreSQL server, not in a file",
                                 engines.describe(url),
                                 "give a URL such as postgresql+psycopg://admin@host:5432/study"))


def is_empty(url: str) -> bool:
    """Does the database hold no tables yet (a new study can be made in it)?"""
    require_postgres(url)
    engine = engines.make_engine(url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    except OperationalError as exc:
        raise engines.unreachable(url, exc) from None
    finally:
        engine.dispose()


@contextmanager
def _owner_transaction(url: str) -> Iterator[Connection]:
    """The study opened (and upgraded) by its owner, in one transaction (a login without the
    privileges gets the engine's plain "your login may not do this")."""
    engine = engines.open_study_database(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def set_up(url: str) -> dict[str, str]:
    """Groups, grants and row-level security for the study at `url` (group -> role)."""
    require_postgres(url)
    with _owner_transaction(url) as connection:
        return server_roles.apply_roles(connection)


def add_login(url: str, kind: str, name: str, password: str) -> tuple[str, str]:
    """Create (or re-issue) a login; returns its role and the URL it connects with (no
    password in it)."""
    require_postgres(url)
    with _owner_transaction(url) as connection:
        role = server_roles.save_login(connection, kind, name, password)
    return role, make_url(url).set(username=role, password=None).render_as_string(
        hide_password=False)


def login_of(url: str) -> Login:
    parsed = make_url(url)
    return Login.of(parsed.username, parsed.host or parsed.query.get("host"), parsed.port,
                    parsed.database)


def replace_password(url: str, password: str, new_password: str,
                     keep: Callable[[str], str]) -> str:
    """Log in with `password`, make `new_password` the login's password, and keep it with
    `keep` (which says where). The change commits only after the new password is kept, so a
    failure leaves the old one valid."""
    require_postgres(url)
    if make_url(url).password is not None:
        raise RaterError(Problem("the URL holds a password", engines.describe(url),
                                 "leave the password out of the URL: Rater asks for it"))
    engine = engines.make_engine(make_url(url).set(password=password).render_as_string(
        hide_password=False))
    try:
        with engine.begin() as connection:
            server_roles.change_own_password(connection, new_password)
            return keep(new_password)
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0]
        raise RaterError(Problem(f"the server did not accept the login: {first}",
                                 engines.describe(url),
                                 "check the URL and the password of your invitation; ask the "
                                 "researcher for a new invitation if it was already used")
                         ) from None
    finally:
        engine.dispose()
