"""Arrow types of exported columns: timestamps as UTC timestamps, dates as dates, JSON of a fixed
shape as structs and lists.

The shape of a JSON column is the type it is written from: ``articles.extra`` is the
:class:`~crawler.items.Annex` dataclass, so its Arrow type is derived from the dataclass' type
hints (nested dataclasses become structs, ``list[X]`` lists, ``dict[str, X]`` maps). JSON
columns without a fixed shape (``alerts.details``) stay JSON text. Columns a view computes
have no declared type; their type is read off the first batch of values.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any, Literal, get_args, get_origin

import pyarrow as pa
from sqlalchemy import types as sqltypes

from crawler.items import Annex

TIMESTAMP = pa.timestamp("us", tz="UTC")


def from_hint(hint: Any) -> pa.DataType:
    """The Arrow type of a Python type hint of the item dataclasses."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (types.UnionType, typing.Union):
        present = [arg for arg in args if arg is not type(None)]
        if set(present) == {int, float}:
            return pa.float64()
        return from_hint(present[0]) if len(present) == 1 else pa.string()
    if origin is Literal or hint is str:
        return pa.string()
    if origin is list:
        return pa.list_(from_hint(args[0]))
    if origin is dict:
        return pa.map_(pa.string(), from_hint(args[1]))
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return pa.struct([(field.name, from_hint(hints[field.name])) for field in dataclasses.fields(hint)])
    simple = {bool: pa.bool_(), int: pa.int64(), float: pa.float64()}
    if hint in simple:
        return simple[hint]
    raise TypeError(f"no Arrow type for {hint!r}")


# JSON columns whose shape is fixed, by column name (the same in tables and views).
JSON_SHAPES: dict[str, pa.DataType] = {
    "extra": from_hint(Annex),
    "missing_fields": pa.list_(pa.string()),
    "invalid_fields": pa.list_(pa.string()),
    "warnings": pa.list_(pa.string()),
}


def column_type(name: str, column_type: sqltypes.TypeEngine[Any]) -> pa.DataType | None:
    """The Arrow type of a database column; ``None`` when it must be read off the values."""
    if isinstance(column_type, sqltypes.JSON):
        return JSON_SHAPES.get(name, pa.string())
    if isinstance(column_type, sqltypes.DateTime):
        return TIMESTAMP
    if isinstance(column_type, sqltypes.Date):
        return pa.date32()
    if isinstance(column_type, sqltypes.Boolean):
        return pa.bool_()
    if isinstance(column_type, sqltypes.Integer):
        return pa.int64()
    if isinstance(column_type, sqltypes.Float | sqltypes.Numeric):
        return pa.float64()
    if isinstance(column_type, sqltypes.LargeBinary):
        return pa.binary()
    if isinstance(column_type, sqltypes.String):
        return pa.string()
    return None


def value_type(values: list[Any]) -> pa.DataType:
    """The Arrow type of an untyped column from its first non-null value (text when none)."""
    sample = next((value for value in values if value is not None), None)
    if isinstance(sample, bool):
        return pa.bool_()
    if isinstance(sample, int):
        return pa.int64()
    if isinstance(sample, float):
        return pa.float64()
    if isinstance(sample, datetime):
        return TIMESTAMP
    if isinstance(sample, date):
        return pa.date32()
    return pa.string()
