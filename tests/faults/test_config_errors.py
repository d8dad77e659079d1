"""Configuration mistakes are one clear line, never a traceback: a broken site TOML leaves the
other sites working, a DATABASE_URL typo says which form is expected, an unknown site id is
named as unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.exitcodes import ExitCode
from tests.conftest import SEEDS_DIR, query_rows, run_scrapy
from tests.faults.harness import write_site
from tests.loopback import FAST_CRAWL, PageServer, ServedPage, loopback_settings

USAGE_ERROR = 2  # Scrapy's exit status for a UsageError


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    directory = tmp_path / "sites"
    write_site(directory, "good_a", "a.example.cn")
    write_site(directory, "good_b", "b.example.cn")
    (directory / "broken.toml").write_text('name = ["unclosed\n', encoding="utf-8")
    return directory


def test_scrapy_list_reports_the_broken_site_and_lists_the_others(sites: Path, sqlite_url: str) -> None:
    run = run_scrapy(["list", "-s", f"SITES_DIR={sites}"], database_url=sqlite_url)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["good_a", "good_b", "replay", "site"]
    assert "broken.toml: not valid TOML" in run.stderr
    assert "Traceback" not in run.stderr


def test_crawlstate_reports_the_broken_site_shows_the_others_and_names_unknown_ones(
    sites: Path, sqlite_url: str, tmp_path: Path
) -> None:
    assert run_scrapy(["migrate"], database_url=sqlite_url).returncode == 0
    run = run_scrapy(["crawlstate", "-s", f"SITES_DIR={sites}"], database_url=sqlite_url)
    assert run.returncode == ExitCode.FAILED
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == ["good_a", "good_b"]
    assert "broken.toml: not valid TOML" in run.stderr
    unknown = run_scrapy(["crawlstate", "--site", "nosuch", "-s", f"SITES_DIR={sites}"], database_url=sqlite_url)
    assert unknown.returncode == USAGE_ERROR
    assert "unknown site 'nosuch'" in unknown.stderr
    assert "sites: good_a, good_b" in unknown.stderr
    broken = run_scrapy(["crawlstate", "--site", "broken", "-s", f"SITES_DIR={sites}"], database_url=sqlite_url)
    assert "unknown site 'broken' (its config is broken:" in broken.stderr
    assert all("Traceback" not in r.stderr for r in (run, unknown, broken))


@pytest.mark.parametrize(
    "url", ["postgres://govnews:secret@127.0.0.1/govnews", "not-a-url", "mysql://govnews:secret@127.0.0.1/govnews"]
)
@pytest.mark.parametrize(
    "command",
    [["crawl", "replay", "-a", f"path={SEEDS_DIR}"], ["crawlstate"], ["loadspool"], ["migrate"], ["search", "科技"]],
)
def test_a_database_url_typo_is_one_clear_line(url: str, command: list[str], tmp_path: Path) -> None:
    run = run_scrapy(command, database_url=url, spool_dir=tmp_path / "spool", timeout=60)
    assert run.returncode == USAGE_ERROR, run.stderr[-2000:]
    assert "expected sqlite:///path/to/govnews.db or postgresql+psycopg://" in run.stderr
    assert "Traceback" not in run.stderr
    assert "secret" not in run.stderr  # the password is masked


@pytest.mark.parametrize(
    ("args", "message"),
    [([""], "empty"), (["科" * 5000], "give at most"), (["科技", "--limit", "0"], "out of range"),
     (["科技", "--limit", "100000000"], "out of range")],
)  # fmt: skip
def test_a_search_query_or_limit_out_of_range_is_one_clear_line(args: list[str], message: str, sqlite_url: str) -> None:
    assert run_scrapy(["migrate"], database_url=sqlite_url).returncode == 0
    run = run_scrapy(["search", *args], database_url=sqlite_url, timeout=60)
    assert run.returncode == USAGE_ERROR, run.stderr[-2000:]
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_crawlall_reports_the_broken_site_and_crawls_the_others(sites: Path, sqlite_url: str, tmp_path: Path) -> None:
    (sites / "good_b.toml").unlink()
    listing = ServedPage(
        200, {"Content-Type": "text/html; charset=utf-8"}, "<html><body>今日无新文章</body></html>".encode()
    )
    server = PageServer({("a.example.cn", "/list/index.html"): listing}).start()
    try:
        run = run_scrapy(
            ["crawlall", "--all", "-s", f"SITES_DIR={sites}", *loopback_settings(server.port), *FAST_CRAWL],
            database_url=sqlite_url, spool_dir=tmp_path / "spool", timeout=120,
        )  # fmt: skip
    finally:
        server.stop()
    assert run.returncode == ExitCode.FAILED, run.stderr[-3000:]
    assert "crawling 1 sites: good_a" in run.stdout
    assert "broken.toml: not valid TOML" in run.stderr
    assert "Traceback" not in run.stderr
    assert query_rows(sqlite_url, "SELECT site, status FROM crawl_runs") == [{"site": "good_a", "status": "ok"}]
