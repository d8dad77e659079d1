"""``scrapy report`` and ``scrapy alerts`` end to end, on SQLite and Postgres, and in a browser.

The database is built once per backend through the real code paths (:mod:`tests.reportfixture`:
a replay of ten days of generated pages and three ``crawlall`` rounds against the loopback
fixture site). The figures of the JSON report are checked against SQL written here
independently; the HTML page is opened in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by selenium), which must decode every plot and log no error. The
screenshot goes to the test's temporary directory, and to ``docs/report.png`` with
``--update-golden``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from crawler.db.models import ArticleRow
from crawler.report.figures import AlertThresholds, Period, firing_alerts
from crawler.report.plots import day_labels
from crawler.report.queries import ArticleFacts
from tests.conftest import PROJECT_ROOT, ScrapyRun, query_rows, run_scrapy, temporary_postgres_database
from tests.reportfixture import GOV_PER_DAY, GOV_SITES, NEWS, NEWS_PER_DAY, Webhook, build_report_database

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
EXPECTED_ALERTS = {
    ("fx_dead", "failed_runs", ""),
    ("fx_waf", "blocked", ""),
    (NEWS, "fill_drop", "source_name"),
    (NEWS, "fill_drop", "author"),
}


@dataclass
class ReportDatabase:
    url: str
    end: datetime
    workdir: Path


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def report_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_skip_reason: str | None
) -> Iterator[ReportDatabase]:
    workdir = tmp_path_factory.mktemp(f"report-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'govnews.db'}"
        yield ReportDatabase(url, build_report_database(url, workdir), workdir)
        return
    if postgres_skip_reason:
        pytest.skip(postgres_skip_reason)
    with temporary_postgres_database() as url:
        yield ReportDatabase(url, build_report_database(url, workdir), workdir)


def report(db: ReportDatabase, *args: str) -> ScrapyRun:
    return run_scrapy(["report", *args], database_url=db.url)


# --- pure parts ------------------------------------------------------------------------------


def test_period_days_are_calendar_days_of_the_report_zone() -> None:
    period = Period(datetime(2026, 3, 1, 15, tzinfo=UTC), datetime(2026, 3, 3, 15, 30, tzinfo=UTC), "Asia/Shanghai")
    # 23:00 Beijing on the 1st to 23:30 Beijing on the 3rd
    assert period.days == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert period.day(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)) == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("count", "most", "shown"),
    [(3, 10, ["03-01", "03-02", "03-03"]), (7, 3, ["03-01", "", "", "03-04", "", "", "03-07"])],
)
def test_day_labels_thin_out_and_keep_the_newest_day(count: int, most: int, shown: list[str]) -> None:
    assert day_labels([date(2026, 3, 1) + timedelta(days=n) for n in range(count)], most) == shown


def test_fill_rules_compare_the_recent_window_with_the_site_own_baseline() -> None:
    until = datetime(2026, 3, 31, tzinfo=UTC)

    def facts(days_ago: float, filled: set[str]) -> ArticleFacts:
        return ArticleFacts("s", until - timedelta(days=days_ago), None, frozenset(filled), 500)

    thresholds = AlertThresholds(recent_days=2, baseline_days=10)
    baseline = [facts(3 + n / 10, {"title", "author"}) for n in range(30)]
    too_old = [facts(13 + n / 10, {"title"}) for n in range(30)]  # before the baseline window: not read
    recent = [facts(n / 10, {"title"}) for n in range(10)]
    alerts = firing_alerts({}, [*too_old, *baseline, *recent], until, thresholds)
    assert [(a.rule, a.field) for a in alerts] == [("fill_drop", "author")]
    assert alerts[0].details["baseline"]["total"] == 30


# --- the commands on a built database --------------------------------------------------------


def test_report_json_figures_match_the_database(report_db: ReportDatabase) -> None:
    run = report(report_db, "--format", "json")
    assert run.returncode == 4, run.stderr[-3000:]  # alerts open
    document = json.loads(run.stdout)
    since = datetime.fromisoformat(document["period"]["since"])
    until = datetime.fromisoformat(document["period"]["until"])
    assert until - since == timedelta(days=7)
    sites = {site["site"]: site for site in document["sites"]}
    engine = create_engine(report_db.url)
    with engine.connect() as connection:
        per_site = connection.execute(
            select(ArticleRow.site, func.count().label("n"))
            .where(ArticleRow.first_seen_at >= since, ArticleRow.first_seen_at < until)
            .group_by(ArticleRow.site)
        ).all()
    engine.dispose()
    assert {row.site: row.n for row in per_site} == {
        site: figures["new_articles"] for site, figures in sites.items() if figures["new_articles"]
    }
    assert sum(sites[NEWS]["new_per_day"]) == sites[NEWS]["new_articles"]
    assert max(sites[NEWS]["new_per_day"]) == NEWS_PER_DAY
    assert sites[NEWS]["fill"]["title"] == 1.0
    assert sites[NEWS]["fill"]["source_name"] == pytest.approx(5 / 7)  # 7 days, the last 2 without 来源
    assert sites["fx_waf"]["last_crawl"]["status"] == "blocked"
    assert sites["fx_dead"]["last_crawl"]["failed"] is True
    assert sites["fx_gov"]["runs"] == 3
    assert sites["fx_farm"]["not_modified_share"] > 0  # its sitemap answered 304 after the first round
    runs = query_rows(report_db.url, "SELECT COUNT(*) AS n FROM crawl_runs")
    assert document["totals"]["runs"] == runs[0]["n"] == 18
    assert sum(sum(day) for day in document["runs_per_day"].values()) == 18
    gov = document["gov"]
    assert {i["issuer"]: i["doc_numbers"] for i in gov["new_by_issuer"]} == {
        org: GOV_PER_DAY * 7 for org, _code, _number in GOV_SITES.values()
    }
    assert gov["problems_total"] == len(gov["problems"]) > 0
    assert all(p["invalid"] or p["missing"] for p in gov["problems"])
    copies = query_rows(report_db.url, "SELECT duplicate_of, COUNT(*) AS n FROM articles GROUP BY duplicate_of")
    by_original = {row["duplicate_of"]: row["n"] for row in copies}
    assert document["reposts"]["stories"]
    for story in document["reposts"]["stories"]:
        assert story["copies"] == by_original[story["original_url"]]
    assert {(a["site"], a["rule"], a["field"]) for a in document["alerts"]} == EXPECTED_ALERTS


def test_alerts_are_recorded_once_and_sent_to_the_webhook(report_db: ReportDatabase) -> None:
    hook = Webhook().start()
    try:
        run = run_scrapy(
            ["alerts", "--format", "json", "-s", f"ALERT_WEBHOOK_URL={hook.url}"], database_url=report_db.url
        )
    finally:
        hook.stop()
    assert run.returncode == 4, run.stderr[-3000:]
    listed = json.loads(run.stdout)
    assert {(a["site"], a["rule"], a["field"]) for a in listed["open"]} == EXPECTED_ALERTS
    rows = query_rows(report_db.url, "SELECT site, rule, field, notified_at FROM alerts WHERE resolved_at IS NULL")
    assert {(r["site"], r["rule"], r["field"]) for r in rows} == EXPECTED_ALERTS  # one open row each
    (sent,) = hook.received
    assert {(a["site"], a["rule"], a["field"]) for a in sent["alerts"]} == EXPECTED_ALERTS
    assert all(r["notified_at"] is not None for r in rows)


def test_a_report_of_a_past_period_shows_its_alerts_without_recording_them(report_db: ReportDatabase) -> None:
    before = query_rows(report_db.url, "SELECT id, last_seen_at FROM alerts ORDER BY id")
    # Half a day back: two crawl rounds done (fx_dead failed twice: not yet an alert), and the
    # news portal's recent window holds one day with its byline and one without.
    until = (report_db.end - timedelta(hours=12)).isoformat()
    run = report(report_db, "--format", "json", "--until", until)
    assert run.returncode == 4, run.stderr[-3000:]
    document = json.loads(run.stdout)
    assert {(a["site"], a["rule"], a["field"]) for a in document["alerts"]} == {
        ("fx_waf", "blocked", ""),
        (NEWS, "fill_drop", "source_name"),
        (NEWS, "fill_drop", "author"),
    }
    assert all(a["opened_at"] is None and not a["new"] for a in document["alerts"])
    assert query_rows(report_db.url, "SELECT id, last_seen_at FROM alerts ORDER BY id") == before


def test_report_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    run = run_scrapy(["report"], database_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert run.returncode == 1
    assert "no database at" in run.stderr
    assert not (tmp_path / "none.db").exists()


# --- in a real browser ----------------------------------------------------------------------


def chromium_skip_reason() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return f"no {CHROMIUM} / {CHROMEDRIVER}: apt-get install chromium chromium-driver (.ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="govnews-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # No network here: without these flags Chromium waits on its own background requests.
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1300,1000", f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_report_renders_in_chromium(report_db: ReportDatabase, browser: Any, tmp_path: Path) -> None:
    if not report_db.url.startswith("sqlite"):
        pytest.skip("the page does not depend on the database: its figures are checked on Postgres above")
    page = tmp_path / "report.html"
    run = report(report_db, "-o", str(page))
    assert run.returncode == 4, run.stderr[-3000:]
    browser.get(page.as_uri())
    images = browser.execute_script(
        "return Array.from(document.images).map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0,"
        " shown: i.getBoundingClientRect().width}))"
    )
    sites = browser.execute_script("return document.querySelectorAll('#site-table tr').length - 1")
    assert len(images) == 2 + sites + 1  # two overview plots, a sparkline per site, one fill trend
    assert all(image["ok"] and image["shown"] > 0 for image in images), images
    alerts = browser.execute_script("return Array.from(document.querySelectorAll('#alerts li')).map(e => e.innerText)")
    assert len(alerts) == len(EXPECTED_ALERTS)
    assert any("来源 filled on 0%" in line for line in alerts)
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1300, height)
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("GOVNEWS_UPDATE_GOLDEN"):
        shutil.copy(shot, PROJECT_ROOT / "docs" / "report.png")
