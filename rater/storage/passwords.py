"""Where a server login's password is kept on the user's computer: the desktop keyring (the
`keyring` library: Secret Service, KWallet, macOS Keychain, Windows Credential Locker), or,
when the computer has none, a libpq password file that only its owner can read (0600).

Never in a URL, the settings or a log: a study URL names the login without its password, and
a connection asks for the password only when the server wants one (`supply_on_demand`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event

from rater.core.server_access import pgpass_line, pgpass_prefix

SERVICE = "rater"  # the keyring's service name for every Rater login
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class Login:
    """One login of one server's database."""

    user: str
    host: str
    port: int
    database: str

    @classmethod
    def of(cls, user: str | None, host: str | None, port, database: str | None) -> Login:
        """A Unix socket counts as host "localhost", as libpq's password file has it."""
        on_socket = not host or host.startswith("/")
        return cls(user or "", "localhost" if on_socket else host, int(port or DEFAULT_PORT),
                   database or "")

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def pgpass_path() -> Path:
    """Rater's own password file (not ~/.pgpass, which other programs share)."""
    from platformdirs import user_data_path

    return user_data_path("rater", appauthor=False) / "pgpass"


def store_password(login: Login, password: str) -> str:
    """Keep the password in the keyring, else in the 0600 password file; say which."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, login.account, password)
        _KNOWN.pop(login, None)
        return f"the system keyring ({type(keyring.get_keyring()).__name__})"
    except KeyringError:
        _write_pgpass(login, password)
        return f"the password file {pgpass_path()} (readable only by you)"


def _write_pgpass(login: Login, password: str) -> None:
    path = pgpass_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = pgpass_prefix(login.host, login.port, login.database, login.user)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    lines = [line for line in lines if not line.startswith(prefix)]
    lines.append(pgpass_line(login.host, login.port, login.database, login.user, password))
    partial = path.with_name(path.name + ".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.chmod(partial, 0o600)  # an older file of this name may have been made less private
    os.replace(partial, path)


def keyring_password(login: Login) -> str | None:
    """The login's password from the keyring; None without one (or without a keyring)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, login.account)
    except KeyringError:
        return None


# Passwords found in the keyring this process, so a new pooled connection asks only once.
_KNOWN: dict[Login, str] = {}
NO_PASSWORD = "no password supplied"


def supply_on_demand(engine: Engine) -> None:
    """Connect as the URL says; when the server asks for a password the URL does not have,
    libpq looks in Rater's password file, and if it is not there either, the keyring is asked
    and the connection tried once more. Logins that need no password (trust, peer,
    certificates) never touch the keyring."""
    passfile = pgpass_path()

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        if "password" in cparams:
            return None  # SQLAlchemy connects as given
        if passfile.exists():
            cparams.setdefault("passfile", str(passfile))
        login = Login.of(cparams.get("user"), cparams.get("host"), cparams.get("port"),
                         cparams.get("dbname"))
        if login in _KNOWN:
            return dialect.connect(*cargs, **cparams, password=_KNOWN[login])
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as exc:
            password = keyring_password(login) if NO_PASSWORD in str(exc) else None
            if password is None:
                raise
            _KNOWN[login] = password
            return dialect.connect(*cargs, **cparams, password=password)
