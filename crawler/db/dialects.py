"""The one place that chooses SQL by database dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(connection: Connection) -> Any:
    """The dialect's ``INSERT`` construct, which carries ``on_conflict_do_update/nothing``."""
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"unsupported database dialect {name!r}: use SQLite or PostgreSQL")
