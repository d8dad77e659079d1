"""Applying and checking the Alembic migrations from code (no ``alembic.ini`` needed)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Search structures created by raw SQL in migrations 0004 and 0009 that the models cannot
# express: the SQLite FTS5 tables (and their shadow tables) and the Postgres GIN indexes.
_SEARCH_OBJECTS = (
    "articles_fts",
    "ix_articles_title_trgm",
    "ix_articles_body_trgm",
    "articles_grams",
    "ix_articles_grams",
)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic filter: compare everything but the raw-SQL search structures."""
    return not (name or "").startswith(_SEARCH_OBJECTS)


class SchemaState(Enum):
    NEW = "new"  # no tables of ours yet
    CURRENT = "current"  # at the head revision
    BEHIND = "behind"  # migrated, but older than the code
    UNKNOWN = "unknown"  # a revision this code does not know (newer code migrated it)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migration history is empty"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    revision = current_revision(engine)
    if revision is None:
        return SchemaState.NEW
    if revision == head_revision():
        return SchemaState.CURRENT
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    return SchemaState.BEHIND if revision in known else SchemaState.UNKNOWN


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


class SchemaOutdatedError(RuntimeError):
    pass


def ensure_schema(engine: Engine) -> SchemaState:
    """Create the schema in a new database; refuse to touch an outdated or unknown one.

    Migrating an existing database is a deliberate step (``scrapy migrate``), so a crawl
    started with new code never rewrites a production schema behind the operator's back.
    """
    state = schema_state(engine)
    if state is SchemaState.NEW:
        try:
            upgrade(engine)
        except SQLAlchemyError:
            # Two processes started on one new database: the other one created the schema.
            if schema_state(engine) is not SchemaState.CURRENT:
                raise
    elif state is SchemaState.BEHIND:
        raise SchemaOutdatedError(
            f"database at revision {current_revision(engine)}, code expects {head_revision()}: "
            "run `scrapy migrate` first"
        )
    elif state is SchemaState.UNKNOWN:
        raise SchemaOutdatedError(f"database at unknown revision {current_revision(engine)} (migrated by newer code?)")
    return state
