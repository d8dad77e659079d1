"""Streaming exports of any table or view to JSON lines, CSV or Parquet.

Rows are read with a server-side cursor (``stream_results``) in batches of ``BATCH_ROWS`` and
written batch by batch, so memory stays bounded whatever the table size. Tables and views are
reflected from the database, so every view the migrations create can be exported, and only
names that exist there are accepted (no SQL is built from user text).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Connection, MetaData, Select, Table, inspect, select, types

Format = Literal["jsonl", "csv", "parquet"]
BATCH_ROWS = 2000
# Columns filtered by --since / --until, in order of preference.
TIME_COLUMNS = ("published", "day", "started_at", "fetched_at", "published_date")


class ExportError(ValueError):
    pass


@dataclass(frozen=True)
class ExportFilter:
    site: str | None = None
    since: date | None = None
    until: date | None = None
    """Exclusive upper bound."""


def exportable_names(connection: Connection) -> list[str]:
    inspector = inspect(connection)
    hidden = ("alembic_version", "articles_fts")
    names = inspector.get_table_names() + inspector.get_view_names()
    return sorted(name for name in names if not name.startswith(hidden))


def reflect(connection: Connection, name: str) -> Table:
    names = exportable_names(connection)
    if name not in names:
        raise ExportError(f"no table or view {name!r}; choose one of: {', '.join(names)}")
    return Table(name, MetaData(), autoload_with=connection)


def filtered_query(table: Table, where: ExportFilter) -> Select[Any]:
    query = select(table)
    if where.site is not None:
        if "site" not in table.c:
            raise ExportError(f"{table.name} has no site column to filter on")
        query = query.where(table.c.site == where.site)
    if where.since or where.until:
        column = next((table.c[name] for name in TIME_COLUMNS if name in table.c), None)
        if column is None:
            raise ExportError(f"{table.name} has no time column ({', '.join(TIME_COLUMNS)}) to filter on")
        if where.since:
            query = query.where(column >= where.since)
        if where.until:
            query = query.where(column < where.until)
    key = next((table.c[name] for name in ("id", "article_id") if name in table.c), None)
    return query.order_by(key) if key is not None else query


def row_batches(connection: Connection, query: Select[Any]) -> Iterator[list[dict[str, Any]]]:
    result = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(query)
    for partition in result.mappings().partitions(BATCH_ROWS):
        yield [dict(row) for row in partition]


def _plain(value: Any) -> Any:
    """A JSON-ready value: times as ISO 8601 (naive ones are UTC, as stored), bytes as hex."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _flat(value: Any) -> Any:
    """A CSV/Parquet cell: JSON objects and lists as JSON text."""
    value = _plain(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _arrow_type(column_type: types.TypeEngine[Any]) -> Any:
    import pyarrow as pa

    if isinstance(column_type, types.Integer):
        return pa.int64()
    if isinstance(column_type, types.Float | types.Numeric):
        return pa.float64()
    if isinstance(column_type, types.Boolean):
        return pa.bool_()
    if isinstance(column_type, types.LargeBinary):
        return pa.binary()
    return pa.string()  # text, JSON (as text), times (as ISO 8601 text), and untyped view columns


def write_export(connection: Connection, name: str, out: Path | IO[str], fmt: Format, where: ExportFilter) -> int:
    """Writes table or view ``name`` to ``out``; returns the number of rows."""
    table = reflect(connection, name)
    batches = row_batches(connection, filtered_query(table, where))
    columns = [column.name for column in table.columns]
    if fmt == "parquet":
        if not isinstance(out, Path):
            raise ExportError("Parquet needs an output file (-o FILE)")
        return _write_parquet(table, batches, out)
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8", newline="") as handle:
            return _write_text(handle, batches, columns, fmt)
    return _write_text(out, batches, columns, fmt)


def _write_text(handle: IO[str], batches: Iterator[list[dict[str, Any]]], columns: Sequence[str], fmt: Format) -> int:
    count = 0
    writer = csv.DictWriter(handle, fieldnames=list(columns)) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    for batch in batches:
        for row in batch:
            if writer is not None:
                writer.writerow({key: _flat(value) for key, value in row.items()})
            else:
                handle.write(json.dumps({key: _plain(value) for key, value in row.items()}, ensure_ascii=False))
                handle.write("\n")
        count += len(batch)
    return count


def _write_parquet(table: Table, batches: Iterator[list[dict[str, Any]]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(column.name, _arrow_type(column.type)) for column in table.columns])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            data = {
                column.name: [
                    value if isinstance(value, int | float | bool | bytes) or value is None else _flat(value)
                    for value in (row[column.name] for row in batch)
                ]
                for column in table.columns
            }
            writer.write_table(pa.Table.from_pydict(data, schema=schema))
            count += len(batch)
    return count
