"""The crawl state queries (``crawler.db.crawl_state``) on SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from crawler.db.articles import upsert_articles
from crawler.db.crawl_state import (
    KnownOutcome,
    ListPageState,
    finish_run,
    known_urls,
    last_run_complete,
    list_pages,
    mark_known,
    recent_runs,
    reset_site,
    save_list_pages,
    start_run,
)
from crawler.items import Article

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def store(engine: Engine, url: str, now: datetime) -> None:
    article = Article(url=url, canonical_url=url, site="s", fetched_at=now.isoformat(), title="t", body="b")
    with engine.begin() as connection:
        upsert_articles(connection, [article], now=now)


def test_known_from_known_urls_and_from_stored_articles(engine: Engine) -> None:
    with engine.begin() as connection:
        mark_known(connection, "s", [KnownOutcome("http://a.cn/404.html", False, "http_404")], T0)
    store(engine, "http://a.cn/stored.html", T0)
    links = {u: u for u in ("http://a.cn/404.html", "http://a.cn/stored.html", "http://a.cn/new.html")}
    with engine.connect() as connection:
        assert known_urls(connection, "s", links) == {"http://a.cn/404.html", "http://a.cn/stored.html"}
        assert known_urls(connection, "other", links) == {"http://a.cn/stored.html"}  # articles are global


def test_recheck_makes_recent_articles_unknown(engine: Engine) -> None:
    store(engine, "http://a.cn/old.html", T0)
    store(engine, "http://a.cn/recent.html", T0 + timedelta(days=5))
    with engine.begin() as connection:
        mark_known(connection, "s", [KnownOutcome("http://a.cn/recent.html", True, "stored")], T0 + timedelta(days=5))
    links = {u: u for u in ("http://a.cn/old.html", "http://a.cn/recent.html")}
    with engine.connect() as connection:
        recheck = known_urls(connection, "s", links, recheck_after=T0 + timedelta(days=4))
    assert recheck == {"http://a.cn/old.html"}


def test_reset_forgets_known_urls_and_older_articles(engine: Engine) -> None:
    store(engine, "http://a.cn/1.html", T0)
    with engine.begin() as connection:
        mark_known(connection, "s", [KnownOutcome("http://a.cn/1.html", True, "stored")], T0)
        save_list_pages(connection, "s", [ListPageState("http://a.cn/list.html", '"e1"', None, "h1", 1)], T0)
        assert reset_site(connection, "s", T0 + timedelta(hours=1)) == (1, 1)
    with engine.connect() as connection:
        assert known_urls(connection, "s", {"http://a.cn/1.html": "http://a.cn/1.html"}) == set()
        assert list_pages(connection, "s") == {}
    store(engine, "http://a.cn/2.html", T0 + timedelta(hours=2))
    with engine.connect() as connection:
        assert known_urls(connection, "s", {"http://a.cn/2.html": "http://a.cn/2.html"}) == {"http://a.cn/2.html"}


def test_mark_known_keeps_first_seen(engine: Engine) -> None:
    with engine.begin() as connection:
        mark_known(connection, "s", [KnownOutcome("http://a.cn/1.html", False, "dropped")], T0)
        mark_known(connection, "s", [KnownOutcome("http://a.cn/1.html", True, "stored")], T0 + timedelta(days=1))
    links = {"http://a.cn/1.html": "http://a.cn/1.html"}
    with engine.connect() as connection:
        # first_seen_at stayed T0: known only when rechecking articles first seen after T0
        assert known_urls(connection, "s", links, recheck_after=T0 + timedelta(hours=1)) == set(links)
        assert known_urls(connection, "s", links, recheck_after=T0) == set()
        assert known_urls(connection, "s", links) == set(links)


def test_list_page_validators_and_change_time(engine: Engine) -> None:
    url = "http://a.cn/list.html"
    with engine.begin() as connection:
        save_list_pages(connection, "s", [ListPageState(url, '"e1"', "Mon, 02 Mar 2026 00:00:00 GMT", "h1", 5)], T0)
        save_list_pages(connection, "s", [ListPageState(url, '"e1"', None, "h1", 5)], T0 + timedelta(hours=1))
    with engine.connect() as connection:
        [(stored_url, state)] = list_pages(connection, "s").items()
    assert (stored_url, state.etag, state.last_modified, state.body_hash) == (url, '"e1"', None, "h1")


def test_run_rows_and_completeness(engine: Engine) -> None:
    with engine.begin() as connection:
        assert not last_run_complete(connection, "s")  # never crawled: catch up
        first = start_run(connection, "s", "站", T0, pid=1)
        finish_run(connection, first, "s", {"status": "ok", "new_articles": 3, "warnings": ["w"]}, T0)
        assert last_run_complete(connection, "s")
        second = start_run(connection, "s", "站", T0 + timedelta(hours=1), pid=1)
        assert last_run_complete(connection, "s", excluding=second)
        assert not last_run_complete(connection, "s")  # the running one did not complete (yet)
        runs = recent_runs(connection, "s")
    assert [(r.id, r.status) for r in runs] == [(second, "running"), (first, "ok")]
    assert runs[1].warnings == ["w"]
    assert runs[1].new_articles == 3
