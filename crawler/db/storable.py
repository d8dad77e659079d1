"""What a database cannot store, taken out of an article before it is written.

PostgreSQL refuses a NUL character in ``text`` and ``jsonb`` values (psycopg raises before the
statement is sent) and no UTF-8 database takes a lone surrogate (``\\ud800``, from a broken
``\\u`` escape or ``surrogateescape`` decoding); SQLite takes both. One rule for both databases,
applied by the storage stage to every article before its write, so an article reads back the
same from either and one character never fails a batch: both are removed, and counted.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
T = TypeVar("T")


def storable_text(value: str) -> tuple[str, int]:
    """``value`` without NUL and lone surrogates, and how many were removed."""
    return _UNSTORABLE.subn("", value)


def storable(value: T) -> tuple[T, int]:
    """``value`` (an article, or any of its parts: dataclasses, lists, tuples, dicts, strings)
    with every string made storable, and the characters removed. Dataclasses are changed in
    place (an item is the same object before and after the storage stage, for the signals and
    the spiders that follow it); lists, tuples and dicts with a change are new ones."""
    if isinstance(value, str):
        cleaned, removed = storable_text(value)
        return (cleaned if removed else value), removed  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        parts = [storable(part) for part in value]
        removed = sum(count for _, count in parts)
        return (type(value)(part for part, _ in parts) if removed else value), removed
    if isinstance(value, dict):
        entries = [(storable(key), storable(item)) for key, item in value.items()]
        removed = sum(k[1] + v[1] for k, v in entries)
        return ({k[0]: v[0] for k, v in entries} if removed else value), removed  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        removed = 0
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            cleaned, count = storable(getattr(value, field.name))
            if count:
                changes[field.name] = cleaned
                removed += count
        if changes and value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return dataclasses.replace(value, **changes), removed
        for name, cleaned in changes.items():  # in place: the item stays the object the crawl tracks
            setattr(value, name, cleaned)
        return value, removed
    return value, 0
