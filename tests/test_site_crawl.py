"""End to end: ``scrapy crawlall`` / ``scrapy crawl ID`` in a subprocess against the fixture web site.

The fixture site (:mod:`tests.sitefixture`) runs on 127.0.0.1, port 0, in a thread of the test
process; the site configs point at it from a temporary ``SITES_DIR``.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from crawler.db.crawl_state import start_run
from crawler.exitcodes import ExitCode
from tests.conftest import PROJECT_ROOT, ScrapyRun, query_rows, run_scrapy
from tests.sitefixture import (
    DATAPROXY,
    DEAD_LINK,
    FLAKY,
    FORBIDDEN_LINK,
    HANWEB_COLUMN,
    HANWEB_COLUMN_PAGE,
    HANWEB_EMBEDDED,
    HANWEB_UNIT,
    HANWEB_WEBID,
    HANWEB_WEBNAME,
    REDIRECTED,
    SECTIONS,
    FixtureWeb,
    article_path,
    article_title,
    site_configs,
)

# Fast, bounded crawls: no politeness delay against our own loopback server.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=10",
        "-s", "CLOSESPIDER_TIMEOUT=60", "-s", "RUN_SUMMARY_ENABLED=0"]  # fmt: skip


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    server = FixtureWeb().start()
    yield server
    server.stop()


def scrapy(args: list[str], database_url: str, sites: Path, tmp_path: Path, timeout: float = 90) -> ScrapyRun:
    return run_scrapy(
        [*args, "-s", f"SITES_DIR={sites}", *FAST], database_url=database_url, spool_dir=tmp_path / "spool",
        timeout=timeout,
    )  # fmt: skip


def table_rows(database_url: str, table: str) -> int:
    """Rows in ``table``; 0 when the table does not exist."""
    engine = create_engine(database_url)
    try:
        if table not in inspect(engine).get_table_names():
            return 0
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def stored_paths(database_url: str, site: str, base: str) -> set[str]:
    rows = query_rows(database_url, "SELECT url FROM articles WHERE site = :site", site=site)
    return {row["url"].removeprefix(base) for row in rows}


def expected_paths(web: FixtureWeb, section: str) -> set[str]:
    paths = set(web.all_article_paths(section))
    if section == "gov":  # the redirected article is stored under its new URL
        paths = (paths - {article_path("gov", REDIRECTED)}) | {f"/gov/moved/art_1_{REDIRECTED}.html"}
    if section == "repost":  # a feed only lists its latest items
        paths = {article_path("repost", n) for n in web.numbers("repost")[:5]}
    return paths


def test_first_crawl_stores_all_then_only_new_articles_are_fetched(
    web: FixtureWeb, database_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    first = scrapy(["crawlall", "--all"], database_url, sites, tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    for section in SECTIONS:
        assert stored_paths(database_url, f"fx_{section}", web.base) == expected_paths(web, section), section
    requested = web.requests()
    assert FORBIDDEN_LINK not in requested  # robots.txt: Disallow: /gov/private/
    assert requested.count(DEAD_LINK) == 1
    assert requested.count(article_path("gov", FLAKY)) == 2  # 500, then retried to 200
    assert {host for *_, host in web.log} == {f"127.0.0.1:{web.port}"}  # the localhost link is offsite
    retried = web.times[article_path("news", 1)]
    assert len(retried) == 2
    assert retried[1] - retried[0] >= 0.9  # Retry-After: 1 honoured
    # GBK bytes, half of them served with a lying charset=utf-8 header, decode right.
    titles = {row["url"].rsplit("_", 1)[-1]: row["title"] for row in query_rows(
        database_url, "SELECT url, title FROM articles WHERE site = 'fx_gov'")}  # fmt: skip
    assert titles["1.html"] == article_title("gov", 1)
    assert titles["12.html"] == article_title("gov", 12)
    runs = query_rows(database_url, "SELECT site, status, new_articles FROM crawl_runs ORDER BY site")
    assert [(r["site"], r["status"], r["new_articles"]) for r in runs] == [
        ("fx_farm", "ok", 6), ("fx_gov", "ok", 12), ("fx_news", "ok", 8), ("fx_repost", "ok", 5),
    ]  # fmt: skip

    published = {section: web.publish(section, 3) for section in SECTIONS}
    web.clear_log()
    second = scrapy(["crawlall", "--all"], database_url, sites, tmp_path)
    assert second.returncode == 0, second.stderr[-4000:]
    for section in SECTIONS:
        assert sorted(web.requests(section, "article")) == sorted(published[section]), section
        assert len(web.requests(section, "list")) <= 2, (section, web.requests(section, "list"))
        assert stored_paths(database_url, f"fx_{section}", web.base) >= set(published[section])
    counts = query_rows(database_url, "SELECT site, COUNT(*) AS n FROM articles GROUP BY site ORDER BY site")
    assert [(r["site"], r["n"]) for r in counts] == [("fx_farm", 9), ("fx_gov", 15), ("fx_news", 11), ("fx_repost", 8)]
    latest = query_rows(database_url, "SELECT site, new_articles, status FROM crawl_runs WHERE id > 4 ORDER BY site")
    assert {(r["site"], r["new_articles"], r["status"]) for r in latest} == {(f"fx_{s}", 3, "ok") for s in SECTIONS}

    # Nothing changed on three sites: conditional GETs answer 304, no article is downloaded.
    # The news site was redesigned: new articles under a URL scheme the config does not match.
    web.news_layout = "v2"
    web.publish("news", 2)
    web.clear_log()
    third = scrapy(["crawlall", "--all"], database_url, sites, tmp_path)
    assert third.returncode == 0, third.stderr[-4000:]
    assert web.requests(kind="article") == []
    for section in SECTIONS:
        assert len(web.requests(section, "list")) == 1, section
    not_modified = query_rows(database_url, "SELECT site FROM crawl_runs WHERE id > 8 AND list_pages_changed = 0")
    assert sorted(r["site"] for r in not_modified) == ["fx_farm", "fx_gov", "fx_repost"]
    [run] = query_rows(database_url, "SELECT warnings FROM crawl_runs WHERE site = 'fx_news' ORDER BY id DESC LIMIT 1")
    warnings = run["warnings"] if isinstance(run["warnings"], list) else json.loads(run["warnings"])
    assert any("changed but no link matched" in w for w in warnings), warnings


def dataproxy_windows(web: FixtureWeb) -> list[tuple[int, int]]:
    """(startrecord, endrecord) of every dataproxy.jsp POST the server saw, in order."""
    return [(int(query["startrecord"]), int(query["endrecord"])) for query, _, _ in web.posts]


def test_hanweb_column_pages_through_dataproxy_then_fetches_only_new_articles(
    web: FixtureWeb, database_url: str, tmp_path: Path
) -> None:
    # 30 records; the column page embeds 6, each dataproxy POST asks 6; max_pages 4 = the page + 3 POSTs.
    sites = site_configs(tmp_path / "sites", web.base, include_hanweb=True, hanweb_pages=4)
    first = scrapy(["crawl", "fx_hanweb"], database_url, sites, tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    within_depth = {article_path("hanweb", n) for n in web.numbers("hanweb")[: 4 * HANWEB_EMBEDDED]}
    assert stored_paths(database_url, "fx_hanweb", web.base) == within_depth  # records 25-30 lie deeper
    assert dataproxy_windows(web) == [(7, 12), (13, 18), (19, 24)]
    assert {query["perpage"] for query, _, _ in web.posts} == {"2"}
    # The ids come from the column page (jpage script, <nextgroup> link), the rest from _base_hanweb.
    expected_form = {
        "col": "1", "appid": "1", "webid": HANWEB_WEBID, "path": "/", "columnid": HANWEB_COLUMN,
        "sourceContentType": "1", "unitid": HANWEB_UNIT, "webname": HANWEB_WEBNAME, "permissiontype": "0",
    }  # fmt: skip
    assert [form for _, form, _ in web.posts] == [expected_form] * 3
    pages = query_rows(database_url, "SELECT url, etag FROM list_pages WHERE site = 'fx_hanweb' ORDER BY url")
    assert len(pages) == 4  # one row per dataproxy window of this column, keyed by URL and form
    proxied = [row for row in pages if DATAPROXY in row["url"]]
    assert all(f"columnid={HANWEB_COLUMN}" in row["url"] and row["etag"] is None for row in proxied)
    [run] = query_rows(database_url, "SELECT status, new_articles, list_pages, errors FROM crawl_runs")
    assert (run["status"], run["new_articles"], run["list_pages"], run["errors"]) == ("ok", 24, 4, 0)

    published = web.publish("hanweb", 3)
    web.clear_log()
    second = scrapy(["crawl", "fx_hanweb"], database_url, sites, tmp_path)
    assert second.returncode == 0, second.stderr[-4000:]
    assert sorted(web.requests("hanweb", "article")) == sorted(published)
    # The column page gave the new links; the first dataproxy window held nothing unknown: stop.
    assert web.requests("hanweb", "list") == [HANWEB_COLUMN_PAGE, DATAPROXY]
    assert dataproxy_windows(web) == [(7, 12)]
    [(_, _, headers)] = web.posts
    assert not {name.lower() for name in headers} & {"if-none-match", "if-modified-since"}  # POSTs: never conditional
    assert stored_paths(database_url, "fx_hanweb", web.base) == within_depth | set(published)
    [run] = query_rows(database_url, "SELECT status, new_articles FROM crawl_runs ORDER BY id DESC LIMIT 1")
    assert (run["status"], run["new_articles"]) == ("ok", 3)

    web.clear_log()  # nothing new: the column page answers 304 and no POST is made
    third = scrapy(["crawl", "fx_hanweb"], database_url, sites, tmp_path)
    assert third.returncode == 0, third.stderr[-4000:]
    assert web.requests("hanweb") == [HANWEB_COLUMN_PAGE]
    assert web.posts == []


def test_malformed_dataproxy_answer_is_a_logged_counted_skip(web: FixtureWeb, sqlite_url: str, tmp_path: Path) -> None:
    web.hanweb_proxy = "malformed"  # a truncated <datastore>
    sites = site_configs(tmp_path / "sites", web.base, include_hanweb=True)
    run = scrapy(["crawl", "fx_hanweb"], sqlite_url, sites, tmp_path)
    assert run.returncode == 0, run.stderr[-4000:]
    embedded = {article_path("hanweb", n) for n in web.numbers("hanweb")[:HANWEB_EMBEDDED]}
    assert stored_paths(sqlite_url, "fx_hanweb", web.base) == embedded
    assert dataproxy_windows(web) == [(7, 12)]  # paging of the column stops there
    assert "has no <datastore> (skipped)" in run.stderr
    assert "'site/list_errors/malformed_dataproxy': 1" in run.stderr
    [row] = query_rows(sqlite_url, "SELECT status, new_articles, errors FROM crawl_runs")
    assert (row["status"], row["new_articles"], row["errors"]) == ("ok", HANWEB_EMBEDDED, 1)


def articles_so_far(database_url: str) -> int:
    """Articles stored by a running crawl; 0 while it has not created the database yet."""
    try:
        return int(query_rows(database_url, "SELECT COUNT(*) AS n FROM articles")[0]["n"])
    except Exception:  # no file or no table yet
        return 0


def wait_for(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_crawl_killed_half_way_and_restarted_stores_every_article_once(
    web: FixtureWeb, sqlite_url: str, tmp_path: Path
) -> None:
    web.counts["gov"] = 40
    web.article_delay = 0.15
    sites = site_configs(tmp_path / "sites", web.base)
    env = dict(os.environ, DATABASE_URL=sqlite_url, GOVNEWS_SPOOL_DIR=str(tmp_path / "spool"),
               PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip
    args = [sys.executable, "-m", "scrapy", "crawl", "fx_gov", "-s", f"SITES_DIR={sites}", *FAST,
            "-s", "STORAGE_BATCH_SIZE=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]  # fmt: skip
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        wait_for(lambda: articles_so_far(sqlite_url) >= 12, timeout=60)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    before = {row["url"] for row in query_rows(sqlite_url, "SELECT url FROM articles")}
    assert 12 <= len(before) < 40
    web.clear_log()
    web.article_delay = 0
    restart = scrapy(["crawl", "fx_gov"], sqlite_url, sites, tmp_path)
    assert restart.returncode == 0, restart.stderr[-4000:]
    rows = query_rows(sqlite_url, "SELECT url FROM articles")
    assert len(rows) == len({row["url"] for row in rows})
    assert {row["url"].removeprefix(web.base) for row in rows} == expected_paths(web, "gov")
    refetched = {web.base + path for path in web.requests("gov", "article")} & before
    assert refetched == set()  # stored articles are known through the articles table
    statuses = [r["status"] for r in query_rows(sqlite_url, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["killed", "ok"]
    known = query_rows(sqlite_url, "SELECT COUNT(*) AS n FROM known_urls WHERE site = 'fx_gov' AND stored")
    assert known[0]["n"] == 40 - len(before)  # this run's stored links; the rest are known via articles


def test_jobdir_pause_and_resume(web: FixtureWeb, sqlite_url: str, tmp_path: Path) -> None:
    web.counts["gov"] = 40
    web.article_delay = 0.15
    sites = site_configs(tmp_path / "sites", web.base)
    job = ["-s", f"JOBDIR={tmp_path / 'job'}", "-s", "STORAGE_BATCH_SIZE=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    env = dict(os.environ, DATABASE_URL=sqlite_url, GOVNEWS_SPOOL_DIR=str(tmp_path / "spool"),
               PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip
    args = [sys.executable, "-m", "scrapy", "crawl", "fx_gov", "-s", f"SITES_DIR={sites}", *FAST, *job]
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Downloaded, not stored: the content workers may still be starting while pages arrive.
        wait_for(lambda: len(web.requests("gov", "article")) >= 8, timeout=60)
    finally:
        proc.send_signal(signal.SIGINT)  # pause: Scrapy closes gracefully and keeps the queue in JOBDIR
        proc.wait(timeout=60)
    paused = {row["url"] for row in query_rows(sqlite_url, "SELECT url FROM articles")}
    assert 8 <= len(paused) < 40
    web.clear_log()
    web.article_delay = 0
    resumed = scrapy(["crawl", "fx_gov", *job], sqlite_url, sites, tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-4000:]
    rows = query_rows(sqlite_url, "SELECT url FROM articles")
    assert len(rows) == len({row["url"] for row in rows})
    assert {row["url"].removeprefix(web.base) for row in rows} == expected_paths(web, "gov")
    assert {web.base + path for path in web.requests("gov", "article")} & paused == set()
    statuses = [r["status"] for r in query_rows(sqlite_url, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["interrupted", "ok"]


def test_dry_run_stores_and_marks_nothing(web: FixtureWeb, sqlite_url: str, tmp_path: Path) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    out = tmp_path / "dry.jsonl"
    dry = scrapy(["crawl", "fx_news", "-a", "dry_run=1", "-O", str(out)], sqlite_url, sites, tmp_path)
    assert dry.returncode == 0, dry.stderr[-4000:]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 8  # the articles went to the feed only
    for table in ("articles", "crawl_runs", "known_urls", "list_pages", "clusters", "minhash_signatures"):
        assert table_rows(sqlite_url, table) == 0, table
    web.clear_log()
    real = scrapy(["crawl", "site", "-a", "site=fx_news"], sqlite_url, sites, tmp_path)
    assert real.returncode == 0, real.stderr[-4000:]
    assert len(web.requests("news", "article")) == 8  # nothing was marked seen by the dry run


@pytest.mark.parametrize(("waf_status", "reason"), [(200, "challenge_wzws"), (412, "status_412")])
def test_blocked_site_is_recorded_as_blocked(
    web: FixtureWeb, sqlite_url: str, tmp_path: Path, waf_status: int, reason: str
) -> None:
    web.waf_status = waf_status
    sites = site_configs(tmp_path / "sites", web.base, include_waf=True)
    run = scrapy(["crawl", "fx_waf", "-s", "LOG_LEVEL=DEBUG"], sqlite_url, sites, tmp_path)
    assert run.returncode == 0, run.stderr[-4000:]
    assert f"'blocked/reason/{reason}': 1" in run.stderr
    [row] = query_rows(sqlite_url, "SELECT status, new_articles, blocked_responses, warnings FROM crawl_runs")
    assert (row["status"], row["new_articles"], row["blocked_responses"]) == ("blocked", 0, 1)
    assert web.requests("waf", "list") == ["/waf/list.html"]  # no retry around the block
    # The due check backs the site off: not due again right away, although its cron fires every 30 min.
    again = scrapy(["crawlall", "--site", "fx_waf"], sqlite_url, sites, tmp_path)
    assert "no site is due" in again.stdout


def test_list_and_crawlstate_show_the_sites(web: FixtureWeb, sqlite_url: str, tmp_path: Path) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    listed = scrapy(["list"], sqlite_url, sites, tmp_path)
    assert listed.stdout.split() == sorted(["fx_farm", "fx_gov", "fx_news", "fx_repost", "replay", "site"])
    shipped = run_scrapy(["list"], database_url=sqlite_url)
    assert {"kjt_zj", "kjj_jiaxing", "kjj_quzhou", "zjol_tech", "people_scitech", "sciencenet_news"} <= set(
        shipped.stdout.split()
    )
    crawl = scrapy(["crawl", "fx_farm"], sqlite_url, sites, tmp_path)
    assert crawl.returncode == 0, crawl.stderr[-4000:]
    shown = scrapy(["crawlstate", "--site", "fx_farm"], sqlite_url, sites, tmp_path)
    assert "fx_farm: last crawl" in shown.stdout
    assert "known URLs 6 (stored 6)" in shown.stdout
    assert "new 6" in shown.stdout
    reset = scrapy(["crawlstate", "--site", "fx_farm", "--reset"], sqlite_url, sites, tmp_path)
    assert "forgot 6 known URLs and 2 list pages" in reset.stdout
    web.clear_log()
    again = scrapy(["crawl", "fx_farm"], sqlite_url, sites, tmp_path)
    assert again.returncode == 0, again.stderr[-4000:]
    assert len(web.requests("farm", "article")) == 6  # reset: everything downloaded again
    assert query_rows(sqlite_url, "SELECT COUNT(*) AS n FROM articles")[0]["n"] == 6  # and stored once


def test_crawlall_with_one_crawl_at_a_time_still_crawls_every_site(
    web: FixtureWeb, sqlite_url: str, tmp_path: Path
) -> None:
    """SCHEDULE_MAX_PARALLEL bounds the crawls alive at once; the rest start as earlier ones end."""
    sites = site_configs(tmp_path / "sites", web.base)
    run = scrapy(["crawlall", "--all", "-s", "SCHEDULE_MAX_PARALLEL=1"], sqlite_url, sites, tmp_path, timeout=240)
    assert run.returncode == 0, run.stderr[-4000:]
    runs = query_rows(sqlite_url, "SELECT site, status, started_at, finished_at FROM crawl_runs ORDER BY started_at")
    assert sorted(r["site"] for r in runs) == sorted(path.stem for path in sites.glob("fx_*.toml"))
    assert all(r["status"] == "ok" for r in runs)
    for earlier, later in itertools.pairwise(runs):  # one at a time: each starts once the one before ended
        assert later["started_at"] >= earlier["finished_at"]


@pytest.mark.parametrize("in_process", ["1", "0"], ids=["in-process", "subprocesses"])
def test_schedule_once_starts_the_due_crawls(web: FixtureWeb, sqlite_url: str, tmp_path: Path, in_process: str) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    farm = sites / "fx_farm.toml"  # once a year: due now (never crawled), then not again
    farm.write_text(farm.read_text(encoding="utf-8").replace("*/30 * * * *", "0 0 1 1 *"), encoding="utf-8")
    mode = ["-s", f"SCHEDULE_IN_PROCESS={in_process}"]
    # Subprocesses each start their own worker pool: slow on 2 shared cores.
    run = scrapy(["schedule", "--once", "--site", "fx_farm", "--site", "fx_repost", *mode], sqlite_url, sites, tmp_path,
                 timeout=240)  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    runs = query_rows(sqlite_url, "SELECT site, status FROM crawl_runs ORDER BY site")
    assert [(r["site"], r["status"]) for r in runs] == [("fx_farm", "ok"), ("fx_repost", "ok")]
    assert table_rows(sqlite_url, "articles") == 6 + 5
    assert "started fx_farm, fx_repost" in run.stdout
    again = scrapy(["schedule", "--once", "--site", "fx_farm", *mode], sqlite_url, sites, tmp_path)
    assert again.stdout.strip() == "started nothing: no site is due"


def test_a_site_being_crawled_by_a_live_process_is_not_crawled_twice(
    web: FixtureWeb, sqlite_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    first = scrapy(["crawl", "fx_farm"], sqlite_url, sites, tmp_path)
    assert first.returncode == ExitCode.OK, first.stderr[-4000:]
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:  # this test process plays the other, live crawl
        start_run(connection, "fx_farm", "测试 农场", datetime.now(UTC), os.getpid())
    engine.dispose()
    web.clear_log()
    second = scrapy(["crawl", "fx_farm"], sqlite_url, sites, tmp_path)
    assert second.returncode == ExitCode.BUSY, second.stderr[-4000:]
    assert f"fx_farm is being crawled by process {os.getpid()}: not starting a second crawl" in second.stderr
    assert web.requests() == []
