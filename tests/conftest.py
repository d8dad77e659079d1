"""Shared fixtures: the project root, scrapy runs in a subprocess, and databases.

``database_url`` is parametrized over a temporary SQLite file and, when
``GOVNEWS_TEST_DATABASE_URL`` names a reachable PostgreSQL server, a fresh Postgres database
created for the test and dropped after it. Without a server the Postgres cases skip with the
reason.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import URL

from crawler import settings as project_settings
from tests.redisserver import RedisServer, redis_or_skip

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus" / "dev"
POSTGRES_ENV = "GOVNEWS_TEST_DATABASE_URL"


def load_scorer(score: Path) -> ModuleType:
    """The corpus scorer (``../shared/bench/score.py``) as a module, for its ``decode_guess`` and scoring."""
    spec = importlib.util.spec_from_file_location("score", score)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden expected files from the current output, for human review before commit",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--update-golden"):
        os.environ["GOVNEWS_UPDATE_GOLDEN"] = "1"


_BUILT: list[Crawler] = []  # crawlers of the running test, for _dispose_databases


def project_crawler(spidercls: type[Spider] | None = None, settings: dict[str, Any] | None = None) -> Crawler:
    """Scrapy's unconfigured test crawler on the project's settings (``crawler/settings.py``, where
    every setting's default is declared) with ``settings`` over them, as ``scrapy crawl -s`` would.

    Its extensions are the project's, so components find the crawler's
    :class:`~crawler.extensions.exitstatus.ExitStatus` and :class:`~crawler.db.database.Database`
    as in a real run; the database's engine is disposed of after the test, as the engine's stop
    would (``_dispose_databases``)."""
    declared = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    crawler = get_crawler(spidercls, {**declared, **(settings or {})})
    _BUILT.append(crawler)
    return crawler


@pytest.fixture(autouse=True)
def _dispose_databases() -> Iterator[None]:
    from crawler.db.database import Database

    yield
    while _BUILT:
        database = _BUILT.pop().get_extension(Database)
        if database is not None:
            database.close()


@pytest.fixture(scope="session")
def seeds() -> dict[str, Any]:
    """The seed originals of the dedup evaluation set (``tests/generators/neardup_set.py``), by story."""
    from tests.generators.neardup_set import seed_originals

    return {original.story: original for original in seed_originals()}


@dataclass
class ScrapyRun:
    returncode: int
    stdout: str
    stderr: str


def run_scrapy(
    args: list[str],
    *,
    database_url: str,
    spool_dir: Path | None = None,
    timeout: float = 240,
    env: dict[str, str] | None = None,
) -> ScrapyRun:
    """Runs ``scrapy ARGS`` from the project root in a subprocess, against ``database_url``,
    with ``env`` added to the environment."""
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONWARNINGS="ignore::DeprecationWarning", **(env or {}))
    if spool_dir is not None:
        env["GOVNEWS_SPOOL_DIR"] = str(spool_dir)
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return ScrapyRun(proc.returncode, proc.stdout, proc.stderr)


def _postgres_admin_url() -> URL | None:
    raw = os.environ.get(POSTGRES_ENV)
    return make_url(raw) if raw else None


def _postgres_skip_reason() -> str | None:
    admin = _postgres_admin_url()
    if admin is None:
        return f"no PostgreSQL server: set {POSTGRES_ENV} (.ci/run starts one)"
    try:
        engine = create_engine(admin)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means: skip, saying why
        return f"PostgreSQL at {admin.render_as_string(hide_password=True)} unreachable: {error.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def postgres_skip_reason() -> str | None:
    return _postgres_skip_reason()


@contextmanager
def temporary_postgres_database(prefix: str = "govnews_t") -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards; yields its URL."""
    admin = _postgres_admin_url()
    assert admin is not None, f"{POSTGRES_ENV} is not set"
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def postgres_url(postgres_skip_reason: str | None) -> Iterator[str]:
    """A fresh, empty Postgres database for one test."""
    if postgres_skip_reason:
        pytest.skip(postgres_skip_reason)
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'govnews.db'}"


@pytest.fixture
def storage(tmp_path: Path) -> Callable[..., Any]:
    """``storage(database_url, **settings)``: an opened storage stage that writes each batch
    of the items arriving in one turn of the event loop, retries without delay, and spools to
    ``tmp_path / "spool"``."""
    from pipelines.storage import StoragePipeline

    def build(database_url: str, **settings: Any) -> StoragePipeline:
        values = {
            "DATABASE_URL": database_url, "SQLITE_BUSY_TIMEOUT": 5.0, "SPOOL_DIR": str(tmp_path / "spool"),
            "STORAGE_BATCH_WAIT": 0, "STORAGE_RETRY_DELAY": 0, **settings,
        }  # fmt: skip
        component = StoragePipeline.from_crawler(project_crawler(settings=values))
        component.open_spider()
        return component

    return build


def run_together(stages: Sequence[Any], *items: Any) -> list[Any]:
    """``items`` through each stage's ``process_item`` in turn, on one event loop, arriving
    together: per item, what the last stage returned or the exception it failed with."""

    async def one(item: Any) -> Any:
        for stage in stages:
            item = stage.process_item(item)
            if inspect.isawaitable(item):
                item = await item
        return item

    async def together() -> list[Any]:
        return await asyncio.gather(*(one(item) for item in items), return_exceptions=True)

    return asyncio.run(together())


def query_rows(database_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Every row of ``sql`` (with bound ``params``) as a dict, on its own short-lived engine."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url`` with the schema migrated to head."""
    from crawler.db.engine import make_engine
    from crawler.db.schema import ensure_schema

    engine = make_engine(database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A ``redis-server`` of the test's own (:mod:`tests.redisserver`); skips where there is none."""
    redis_or_skip()
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
