"""The one place that chooses SQL by database dialect."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import JSON, Connection, Insert, Text, bindparam, cast, column, func, select
from sqlalchemy.dialects import postgresql, sqlite

InsertT = TypeVar("InsertT", bound=Insert)


def insert_for(connection: Connection) -> Any:
    """The dialect's ``INSERT`` construct, which carries ``on_conflict_do_update/nothing``."""
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"unsupported database dialect {name!r}: use SQLite or PostgreSQL")


def insert_many(connection: Connection, insert: InsertT, rows: Sequence[Mapping[str, Any]]) -> tuple[InsertT, Any]:
    """``insert`` of ``rows`` (dicts with the same keys) and its parameters, for one ``execute``.

    On Postgres one ``INSERT ... SELECT ... FROM json_to_recordset(:batch)``, the rows sent as
    one JSON document: a short statement whatever the number of rows, which psycopg parses once
    and the server prepares once, and which fires the statement triggers of migration 0005 once
    per batch instead of once per row. The alternatives measured slower (benchmarks/sql.py): an
    ``executemany`` is one statement (and trigger run) per row; a multi-row ``VALUES`` is a long
    statement psycopg parses again on every call; ``unnest`` of one array per column spends its
    time in psycopg's array quoting. Elsewhere the ``executemany`` form. ``on_conflict_*`` and
    ``returning`` may be added to the returned statement.
    """
    dialect = connection.dialect
    if dialect.name != "postgresql" or not rows:
        return insert, list(rows)
    names = list(rows[0])
    columns = [insert.table.c[name] for name in names]
    # The column types' own bind conversions (timestamps to UTC); JSON values stay nested.
    impls = [col.type.dialect_impl(dialect) for col in columns]
    processors = [None if isinstance(impl, JSON) else impl.bind_processor(dialect) for impl in impls]
    batch = [
        {
            name: row[name] if process is None else process(row[name])
            for name, process in zip(names, processors, strict=True)
        }
        for row in rows
    ]
    source = (
        func.json_to_recordset(cast(bindparam("batch", type_=Text()), postgresql.JSON()))
        .table_valued(*(column(col.name, col.type) for col in columns))
        .render_derived(name="batch", with_types=True)
    )
    statement = insert.from_select(names, select(*(source.c[name] for name in names)))
    return statement, {"batch": json.dumps(batch, ensure_ascii=False, default=_json_scalar)}


def _json_scalar(value: object) -> str:
    """Dates and times as ISO 8601, which Postgres reads into ``date`` / ``timestamptz``."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def database_size(connection: Connection) -> int | None:
    """Bytes the database takes: ``pg_database_size`` on Postgres, pages × page size on SQLite
    (the ``-wal`` file, folded in at the next checkpoint, not counted); ``None`` elsewhere."""
    name = connection.dialect.name
    if name == "postgresql":
        return int(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())
    if name == "sqlite":
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
        return int(pages) * int(page_size)
    return None
