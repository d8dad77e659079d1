"""Engines built from ``DATABASE_URL``, with the SQLite settings the pipelines rely on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from crawler.db.grams import gram_text

logger = logging.getLogger(__name__)
T = TypeVar("T")


def with_retries(
    write: Callable[[], T],
    attempts: int,
    delay: float,
    what: str,
    transient: type[SQLAlchemyError] = SQLAlchemyError,
) -> T:
    """Runs ``write`` (one transaction) up to ``attempts`` times while it raises a
    ``transient`` error (a locked SQLite file, a dropped connection), sleeping ``delay`` × the
    attempt number between tries and logging ``"<what> failed (attempt n/N)"``; raises the last
    error, or at once an error that is not ``transient``."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except transient as error:
            if attempt == attempts:
                raise
            logger.warning("%s failed (attempt %d/%d): %s", what, attempt, attempts, error)
            time.sleep(delay * attempt)
    raise AssertionError("unreachable")


# The databases govnews runs on, and the URL forms it expects (shown when a URL is wrong).
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_FORMS = "sqlite:///path/to/govnews.db or postgresql+psycopg://user:password@host:5432/dbname"


class DatabaseUrlError(ValueError):
    """A ``DATABASE_URL`` that names no database govnews can use; the message says what is expected."""


def database_url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a ``DATABASE_URL`` (not a URL, a database govnews does not
    run on, a driver that is not installed), with the forms expected; ``None`` when it is usable.
    Checked before anything connects, so a typo is one clear line, not a SQLAlchemy traceback."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"DATABASE_URL {url!r} is not a database URL; expected {URL_FORMS}"
    shown = display_url(parsed)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        hint = " (write postgresql+psycopg://, not postgres://)" if backend == "postgres" else ""
        return f"DATABASE_URL {shown}: {backend!r} is not a supported database{hint}; expected {URL_FORMS}"
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as error:
        return f"DATABASE_URL {shown}: no driver for {parsed.drivername!r} ({error}); expected {URL_FORMS}"
    return None


def sqlite_file(url: URL) -> Path | None:
    """The database file of an SQLite URL, ``None`` for other databases or ``:memory:``."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def display_url(url: str | URL) -> str:
    """The URL with its password masked, for logs and summaries."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, *, sqlite_busy_timeout: float = 15.0) -> Engine:
    """An engine for ``url``; for SQLite, creates the file's directory and enables WAL.

    WAL lets the crawl state read while the storage stage writes, and lets people query the
    database during a crawl. Every SQLite connection gets the ``article_grams`` function the
    search index triggers call (:mod:`crawler.db.grams`).
    """
    problem = database_url_problem(url)
    if problem is not None:
        raise DatabaseUrlError(problem)
    parsed = make_url(url)
    path = sqlite_file(parsed)
    connect_args: dict[str, Any] = {}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = sqlite_busy_timeout
    engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=path is None)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function("article_grams", 2, gram_text, deterministic=True)
