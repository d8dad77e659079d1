"""The database channel: one Database per crawler, fetched like the ExitStatus, its schema
checked once, and commands' open_database."""

from __future__ import annotations

import pytest
from scrapy import Spider, signals
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crawler.db.database import Database, database_of, open_database
from crawler.db.schema import SchemaState
from tests.conftest import project_crawler

UNREACHABLE = "postgresql+psycopg://govnews:govnews@127.0.0.1:1/nowhere"


def test_components_find_the_crawlers_database(sqlite_url: str) -> None:
    crawler = project_crawler(Spider, {"DATABASE_URL": sqlite_url})
    database = database_of(crawler)
    assert database_of(crawler) is database  # one per crawler
    assert database.ensure_schema() is SchemaState.NEW
    assert database.ensure_schema() is SchemaState.NEW  # checked once: the outcome is shared
    assert database.schema_state() is SchemaState.NEW


def test_without_the_extension_the_database_stages_fail_loudly() -> None:
    crawler = project_crawler(Spider, {"EXTENSIONS": {"crawler.db.database.Database": None}})
    with pytest.raises(RuntimeError, match="Database extension is not enabled"):
        database_of(crawler)


def test_every_component_gets_the_same_error_of_an_unreachable_database() -> None:
    database = database_of(project_crawler(Spider, {"DATABASE_URL": UNREACHABLE}))
    with pytest.raises(OperationalError) as first:
        database.ensure_schema()
    with pytest.raises(OperationalError) as second:
        database.ensure_schema()
    assert second.value is first.value  # not tried again: the components agree


def test_the_engine_is_disposed_of_when_the_engine_stops(sqlite_url: str) -> None:
    crawler = project_crawler(Spider, {"DATABASE_URL": sqlite_url})
    database = database_of(crawler)
    with database.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert database.engine.pool.checkedin() == 1
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert database.engine.pool.checkedin() == 0


def test_open_database_is_the_same_construction_for_commands(sqlite_url: str) -> None:
    crawler = project_crawler(Spider, {"DATABASE_URL": sqlite_url, "SQLITE_BUSY_TIMEOUT": 2.5})
    with open_database(crawler.settings) as database:
        assert isinstance(database, Database)
        assert database.engine.url == database_of(crawler).engine.url
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 2500
        assert database.engine.pool.checkedin() == 1
    assert database.engine.pool.checkedin() == 0
