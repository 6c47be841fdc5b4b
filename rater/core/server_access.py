"""Rules of a shared PostgreSQL study that need no database: the role names, when a connection
must use TLS, the one-time invitation a new rater receives, and lines of a pgpass file.

Roles are cluster-wide, so every name starts with the study database's name: two studies on
one server never share a role (docs/decisions/1701-shared-server-roles.md).
"""

from __future__ import annotations

import ipaddress
import re

from rater.core.errors import Problem, RaterError

GROUPS = ("researchers", "trainers", "raters")
MAX_ROLE_LENGTH = 63  # PostgreSQL's NAMEDATALEN - 1
LOOPBACK_NAMES = ("localhost",)


def group_role(database: str, group: str) -> str:
    """The group role of one kind of user of one study, e.g. ``study1_raters``."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    return _checked(f"{database}_{group}", database)


def login_role(database: str, kind: str, name: str) -> str:
    """The login role of one user of one study, e.g. ``study1_rater_r1``.

    Lower case, with anything but letters, digits and underscores made an underscore, so the
    name needs no quoting in a connection URL. ``_rater_`` (``_researcher_``, ``_trainer_``)
    keeps it apart from the group names (``_raters``, ``_researchers``, ``_trainers``)."""
    if f"{kind}s" not in GROUPS:
        raise ValueError(f"unknown kind of user {kind!r}")
    slug = re.sub(r"[^a-z0-9_]", "_", name.strip().lower())
    if not slug.strip("_"):
        raise RaterError(Problem(f"'{name}' has no letter or digit", f"--{kind}",
                                 "give an id such as R1"))
    return _checked(f"{database}_{kind}_{slug}", database)


def _checked(name: str, database: str) -> str:
    if len(name.encode()) > MAX_ROLE_LENGTH:
        raise RaterError(Problem(
            f"the role name '{name}' is longer than PostgreSQL's {MAX_ROLE_LENGTH} bytes",
            database, "use a shorter database name or rater id"))
    return name


def is_loopback(host: str | None) -> bool:
    """Does a connection to this host stay on this machine (loopback or a Unix socket)?"""
    if not host or host.startswith(("/", "@")):  # no host: libpq's default Unix socket
        return True
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(host: str | None, sslmode: str | None, where: str) -> None:
    """Refuse a connection to another machine that would not verify the server's certificate.

    Only ``sslmode=verify-full`` both encrypts and checks that the certificate is the named
    host's, signed by a trusted authority; ``require`` lets anyone in the middle answer."""
    if is_loopback(host) or sslmode == "verify-full":
        return
    said = f"sslmode={sslmode}" if sslmode else "no sslmode"
    raise RaterError(Problem(
        f"a connection to {host} must be encrypted and check the server's certificate "
        f"({said} given)", where,
        "add ?sslmode=verify-full to the URL (and sslrootcert=FILE if the server's certificate "
        "authority is not in ~/.postgresql/root.crt); ask the server's administrator for it"))


def invitation(who: str, url: str, password: str) -> str:
    """What the researcher hands a new rater: the URL (no password in it) and the password,
    which is shown this once and replaced when the rater first logs in."""
    return (f"Invitation for {who}\n"
            f"  study:    {url}\n"
            f"  password: {password}\n"
            "Give them both; the password is shown only now. On their own computer they run:"
            f"\n  rater server login {url}\n"
            "and type the password; Rater then replaces it with one only that computer "
            "knows, kept in the system keyring (or a private pgpass file).\n")


def _pgpass_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def pgpass_prefix(host: str, port: int | str, database: str, user: str) -> str:
    """The start of a libpq password file's line for one login: ``host:port:database:user:``
    (escaped), which tells its line apart from every other login's."""
    return "".join(_pgpass_escape(str(v)) + ":" for v in (host, port, database, user))


def pgpass_line(host: str, port: int | str, database: str, user: str, password: str) -> str:
    """One line of a libpq password file: host:port:database:user:password, escaped."""
    return pgpass_prefix(host, port, database, user) + _pgpass_escape(password)
