"""Alembic environment: one migration history for SQLite and Postgres.

Run through ``scrapy migrate`` (or :func:`crawler.db.schema.upgrade`), which passes an open
connection in ``config.attributes["connection"]``. SQLite gets batch mode so ALTERs work.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import crawler.db  # noqa: F401  (imports every model module, so all tables are on Base.metadata)
from crawler.db.models import Base
from crawler.db.schema import include_object

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `scrapy migrate`, which provides the connection")
run_migrations(connection)
