"""`rater study verify` on a shared study: do the server's grants and policies still say what
Rater set up (decision 1701)? An administrator's stray GRANT, or row-level security switched
off, would open a rater's login to the key; this finds it. Only widening is a problem here:
a narrower grant makes the app fail loudly on its own.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from rater.core.server_access import GROUPS, group_role
from rater.storage.server_roles import (
    ALL,
    LOGIN_TABLE,
    RATERS,
    TRAINERS,
    Access,
    researchers_access,
    study_tables,
)

FIX = "run 'rater server setup URL' again as the owner (it puts the grants back)"
COLUMNS = text("""SELECT c.relname, a.attname,
       has_column_privilege(:role, c.oid, a.attnum, 'SELECT') AS readable
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(:tables)
  AND a.attnum > 0 AND NOT a.attisdropped""")
WRITES = text("""SELECT c.relname,
       has_any_column_privilege(:role, c.oid, 'INSERT') AS "INSERT",
       has_any_column_privilege(:role, c.oid, 'UPDATE') AS "UPDATE",
       has_table_privilege(:role, c.oid, 'DELETE') AS "DELETE",
       has_table_privilege(:role, c.oid, 'TRUNCATE') AS "TRUNCATE"
FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(:tables)""")
NO_ROW_SECURITY = text("""SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
  AND relname = ANY(:tables) AND NOT relrowsecurity ORDER BY relname""")


def is_shared(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.scalar(
        text(f"SELECT to_regclass('{LOGIN_TABLE}')")) is not None


def access_problems(connection: Connection) -> list[str]:
    """What a group may do beyond its plan, and tables without row-level security."""
    if not is_shared(connection):
        return []
    database = connection.scalar(text("SELECT current_database()"))
    tables = study_tables()
    plans = {"researchers": researchers_access(tables), "trainers": TRAINERS, "raters": RATERS}
    problems = [f"row-level security is off on {table} (fix: {FIX})"
                for table in connection.scalars(NO_ROW_SECURITY, {"tables": tables})]
    for group in GROUPS:
        role = group_role(database, group)
        problems += _reads(connection, role, tables, plans[group])
        problems += _writes(connection, role, tables, plans[group])
    return problems


def _reads(connection: Connection, role: str, tables: list[str],
           plan: dict[str, Access]) -> list[str]:
    extra: dict[str, list[str]] = {}
    for table, column, readable in connection.execute(COLUMNS, {"role": role,
                                                                 "tables": tables}):
        access = plan.get(table)
        allowed = access is not None and (access.select == ALL or column in access.select)
        if readable and not allowed:
            extra.setdefault(table, []).append(column)
    return [f"{role} may read {table} ({', '.join(sorted(columns))}), which Rater never "
            f"grants it (fix: {FIX})" for table, columns in sorted(extra.items())]


def _writes(connection: Connection, role: str, tables: list[str],
            plan: dict[str, Access]) -> list[str]:
    problems = []
    for row in connection.execute(WRITES, {"role": role, "tables": tables}).mappings():
        table, access = row["relname"], plan.get(row["relname"])
        allowed = set(access.write) if access is not None else set()
        for write in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            if row[write] and write not in allowed:
                problems.append(f"{role} may {write} {table}, which Rater never grants it "
                                f"(fix: {FIX})")
    return problems
