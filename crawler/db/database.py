"""One database per crawler: the engine, the schema check, and their end.

Scrapy shares one stats collector per crawler; :class:`Database` does the same for the
database, as :class:`~crawler.extensions.exitstatus.ExitStatus` does for the exit code. It is
an extension (``EXTENSIONS``), so it exists before the item pipelines and the
engine are built, and every component that needs the database fetches it in its
``from_crawler`` with :func:`database_of` (the site spider's crawl state, built before the
extensions, fetches it when the spider starts). It owns the crawler's one engine, built from
the settings with the SQLite busy timeout always applied; creates the schema of a new database
at most once per crawler (:meth:`Database.ensure_schema`, whose outcome every caller shares);
and disposes of the engine when the engine stops, after every ``spider_closed`` handler ran.

Commands (no crawler) use :func:`open_database`, the same construction for a ``with`` block.

Settings: ``DATABASE_URL``, ``SQLITE_BUSY_TIMEOUT``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from sqlalchemy import Engine

from crawler.db.engine import display_url, make_engine
from crawler.db.schema import SchemaState, ensure_schema, schema_state


class Database:
    """The engine of one crawler (or one command) and what it knows about the schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._schema: SchemaState | Exception | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Database:
        return cls(make_engine(settings["DATABASE_URL"], sqlite_busy_timeout=settings.getfloat("SQLITE_BUSY_TIMEOUT")))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Database:
        database = cls.from_settings(crawler.settings)
        crawler.signals.connect(database.close, signal=signals.engine_stopped)
        return database

    @property
    def display_url(self) -> str:
        """The URL with its password masked, for logs and summaries."""
        return display_url(self.engine.url)

    def ensure_schema(self) -> SchemaState:
        """The schema state after creating the schema of a new database; raises
        :class:`~crawler.db.schema.SchemaOutdatedError` for an outdated or unknown one, or the
        error of an unreachable database. Checked once: later calls return (or raise) the same,
        so the components of one crawl never disagree about whether the database is usable."""
        if self._schema is None:
            try:
                self._schema = ensure_schema(self.engine)
            except Exception as error:
                self._schema = error
        if isinstance(self._schema, Exception):
            raise self._schema
        return self._schema

    def schema_state(self) -> SchemaState:
        """The schema state, read without creating anything (dry runs, read-only commands)."""
        if isinstance(self._schema, SchemaState):
            return self._schema
        return schema_state(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def database_of(crawler: Crawler) -> Database:
    """The crawler's :class:`Database`; an error naming the setting when it is not enabled."""
    database = crawler.get_extension(Database)
    if database is None:
        raise RuntimeError("the Database extension is not enabled (EXTENSIONS): the database stages need it")
    return database


@contextmanager
def open_database(settings: BaseSettings) -> Iterator[Database]:
    """A :class:`Database` for a command, disposed of when the block ends."""
    database = Database.from_settings(settings)
    try:
        yield database
    finally:
        database.close()
