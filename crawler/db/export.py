"""Streaming exports of any table or view to JSON lines, CSV or Parquet.

Rows are read with a server-side cursor (``stream_results``) in batches of ``BATCH_ROWS`` and
written batch by batch, so memory stays bounded whatever the table size. Tables and views are
reflected from the database, so every view the migrations create can be exported, and only
names that exist there are accepted (no SQL is built from user text).

Values keep their types: times are UTC timestamps (Parquet ``timestamp[us, UTC]``, ISO 8601
with ``+00:00`` in text), dates are dates, JSON of a fixed shape is a Parquet struct or list
(:mod:`crawler.db.arrow_types`). A date-only publication time (``published_precision = 'day'``)
is written as its date in JSON lines and CSV, and as an empty ``published`` beside its
``published_day`` in Parquet, so it is never read as a midnight.

``--since`` / ``--until`` select local calendar days (:mod:`crawler.timezones`): on a day
column (``published_day``, ``day``) as they are, on a time column from the start of the day in
each row's site zone. A file is written under a temporary name and renamed when complete:
a failed export leaves no file behind, and never a partial one.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import uuid
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Column, Connection, MetaData, Select, Table, and_, func, inspect, or_, select, types

from crawler.db.arrow_types import column_type, value_type
from crawler.timezones import DAY_PRECISION, LocalTime, day_start

Format = Literal["jsonl", "csv", "parquet"]
BATCH_ROWS = 2000
# Columns filtered by --since / --until, in order of preference: local days first.
TIME_COLUMNS = ("published_day", "day", "published", "started_at", "opened_at", "first_seen_at", "fetched_at",
                "created_at", "published_date")  # fmt: skip


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
    hidden = ("alembic_version", "articles_fts", "articles_grams")
    names = inspector.get_table_names() + inspector.get_view_names()
    return sorted(name for name in names if not name.startswith(hidden))


def reflect(connection: Connection, name: str) -> Table:
    names = exportable_names(connection)
    if name not in names:
        raise ExportError(f"no table or view {name!r}; choose one of: {', '.join(names)}")
    return Table(name, MetaData(), autoload_with=connection)


def _day_range(column: Column[Any], since: date | None, until: date | None, local_time: LocalTime) -> Any:
    """Rows whose ``column`` falls on the days [since, until) of their site's local time."""

    def within(zone: Any) -> Any:
        bounds = []
        if since:
            bounds.append(column >= day_start(since, zone))
        if until:
            bounds.append(column < day_start(until, zone))
        return and_(*bounds)

    site = column.table.c.get("site")
    if site is None or not local_time.zones:
        return within(local_time.fallback)
    by_zone: dict[str, list[str]] = {}
    for key, zone in local_time.zones.items():
        by_zone.setdefault(zone.key, []).append(key)
    keys = [key for group in by_zone.values() for key in group]
    return or_(
        *(and_(site.in_(group), within(local_time.zones[group[0]])) for group in by_zone.values()),
        and_(site.not_in(keys), within(local_time.fallback)),
    )


def exported_columns(table: Table) -> list[Any]:
    """The columns of ``table`` as exported: ``body_original``, NULL in the database where it
    equals ``body`` (migration ``0011_i20_body_original``), is exported as the text it stands for."""
    if "body_original" not in table.c or "body" not in table.c:
        return list(table.c)
    return [
        func.coalesce(column, table.c.body).label(column.name) if column.name == "body_original" else column
        for column in table.c
    ]


def filtered_query(table: Table, where: ExportFilter, local_time: LocalTime | None = None) -> Select[Any]:
    query = select(*exported_columns(table))
    if where.site is not None:
        if "site" not in table.c:
            raise ExportError(f"{table.name} has no site column to filter on")
        query = query.where(table.c.site == where.site)
    if where.since and where.until and where.since >= where.until:
        raise ExportError(f"--since {where.since} is not before --until {where.until}: no day is selected")
    if where.since or where.until:
        column = next((table.c[name] for name in TIME_COLUMNS if name in table.c), None)
        if column is None:
            raise ExportError(f"{table.name} has no time column ({', '.join(TIME_COLUMNS)}) to filter on")
        if isinstance(column.type, types.DateTime):
            query = query.where(_day_range(column, where.since, where.until, local_time or LocalTime.default()))
        else:
            if where.since:
                query = query.where(column >= where.since)
            if where.until:
                query = query.where(column < where.until)
    key = next((table.c[name] for name in ("id", "article_id") if name in table.c), None)
    return query.order_by(key) if key is not None else query


def row_batches(connection: Connection, query: Select[Any]) -> Generator[list[dict[str, Any]]]:
    result = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(query)
    try:
        for partition in result.mappings().partitions(BATCH_ROWS):
            yield [_dated(dict(row)) for row in partition]
    finally:
        result.close()  # the server-side cursor, also when the writer failed half-way


def _dated(row: dict[str, Any]) -> dict[str, Any]:
    """A date-only ``published`` as the date the page printed (``published_day``)."""
    if row.get("published_precision") == DAY_PRECISION and row.get("published") is not None:
        day = row.get("published_day")
        row["published"] = day if isinstance(day, date) else date.fromisoformat(str(day)) if day else None
    return row


def _plain(value: Any) -> Any:
    """A JSON-ready value: times as ISO 8601 in UTC (naive ones are UTC, as stored), bytes as hex."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _flat(value: Any) -> Any:
    """A CSV cell: JSON objects and lists as JSON text."""
    value = _plain(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def write_export(
    connection: Connection,
    name: str,
    out: Path | IO[str],
    fmt: Format,
    where: ExportFilter,
    local_time: LocalTime | None = None,
) -> int:
    """Writes table or view ``name`` to ``out``; returns the number of rows. A file appears
    only complete: it is written under a temporary name and renamed at the end."""
    table = reflect(connection, name)
    if fmt == "parquet" and not isinstance(out, Path):
        raise ExportError("Parquet needs an output file (-o FILE)")
    with contextlib.closing(row_batches(connection, filtered_query(table, where, local_time))) as batches:
        return _write(table, batches, out, fmt)


def _write(table: Table, batches: Iterator[list[dict[str, Any]]], out: Path | IO[str], fmt: Format) -> int:
    if not isinstance(out, Path):
        return _write_text(out, batches, [column.name for column in table.columns], fmt)
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        if fmt == "parquet":
            count = _write_parquet(table, batches, partial)
        else:
            with partial.open("w", encoding="utf-8", newline="") as handle:
                count = _write_text(handle, batches, [column.name for column in table.columns], fmt)
        os.replace(partial, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return count


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


def _parquet_value(value: Any, arrow_type: Any) -> Any:
    """A value as Arrow takes it for ``arrow_type``: JSON text where the type is text."""
    import pyarrow as pa

    if value is None:
        return None
    if arrow_type == pa.string() and not isinstance(value, str):
        plain = _plain(value)
        return json.dumps(plain, ensure_ascii=False, sort_keys=True) if isinstance(plain, dict | list) else str(plain)
    if arrow_type == pa.date32() and isinstance(value, datetime):
        return value.date()
    if arrow_type == pa.date32() and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(arrow_type, pa.TimestampType) and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(arrow_type, pa.TimestampType) and type(value) is date:
        return None  # a date-only publication time: its day is in published_day
    return value


def _write_parquet(table: Table, batches: Iterator[list[dict[str, Any]]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    declared = {column.name: column_type(column.name, column.type) for column in table.columns}
    writer: Any = None
    schema: Any = None
    count = 0
    try:
        for batch in batches:
            if schema is None:
                schema = pa.schema(
                    [(name, arrow or value_type([row[name] for row in batch])) for name, arrow in declared.items()]
                )
                writer = pq.ParquetWriter(path, schema)
            data = {field.name: [_parquet_value(row[field.name], field.type) for row in batch] for field in schema}
            writer.write_table(pa.Table.from_pydict(data, schema=schema))
            count += len(batch)
        if schema is None:  # no rows: the declared types, text where a view leaves one open
            schema = pa.schema([(name, arrow or pa.string()) for name, arrow in declared.items()])
            writer = pq.ParquetWriter(path, schema)
    finally:
        if writer is not None:
            writer.close()
    return count
