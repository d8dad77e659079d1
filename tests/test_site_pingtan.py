"""A real government column crawled end to end: the shipped ``pingtan_gzjzqk`` config against
the saved copy of www.pingtan.gov.cn's 工作进展情况 column in ``../shared/sites/pingtan-gzjzqk``.

The saved column page links 72 items of the column (and a few of other columns); 16 of them
are saved. Every saved file is served on 127.0.0.1 under its real URL (``urls.tsv``), every
other URL answers 404, and the real host is mapped to the loopback server by
:mod:`tests.loopback` (no network). Skips when ``../shared`` is absent; the pages are read by
path, never copied into the project.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.siteconfig import SHIPPED_SITES_DIR, find_site
from crawler.spiders.site import links_in
from tests.conftest import PROJECT_ROOT, query_rows, run_scrapy
from tests.loopback import FAST_CRAWL, PageServer, ServedPage, loopback_settings, page_key

SAVED = PROJECT_ROOT.parent / "shared" / "sites" / "pingtan-gzjzqk"
SITE = "pingtan_gzjzqk"
BEIJING = timezone(timedelta(hours=8))

pytestmark = pytest.mark.skipif(not SAVED.is_dir(), reason=f"the saved column is absent: {SAVED}")


def saved_pages() -> dict[str, tuple[str, Path]]:
    """URL -> (kind, file) of every saved page, from ``urls.tsv``."""
    with (SAVED / "urls.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["url"]: (row["kind"], SAVED / row["file"]) for row in csv.DictReader(handle, delimiter="\t")}


def meta(path: Path, name: str) -> str:
    value = Selector(text=path.read_text(encoding="utf-8")).xpath(f"//meta[@name='{name}']/@content").get()
    assert value, f"{path.name} has no <meta name={name}>"
    return value


def listed_in_column() -> list[str]:
    """The column's item links on the saved list page, as the config matches them."""
    site = find_site(SHIPPED_SITES_DIR, SITE)
    [(url, path)] = [(url, path) for url, (kind, path) in saved_pages().items() if kind == "list"]
    response = HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")
    area = "\n".join(response.css(site.link_area).getall())
    return [link for link in links_in(area, url) if site.is_article(link)]


def as_instant(value: Any) -> datetime:
    """A stored timestamp (UTC; a string on SQLite, a datetime on Postgres) as an aware datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[PageServer]:
    pages = {
        page_key(url): ServedPage(200, {"Content-Type": "text/html"}, path.read_bytes())
        for url, (_, path) in saved_pages().items()
    }
    started = PageServer(pages).start()
    yield started
    started.stop()


def crawl(server: PageServer, database_url: str, tmp_path: Path) -> Any:
    return run_scrapy(
        ["crawl", SITE, *loopback_settings(server.port), *FAST_CRAWL, "-s", "LOG_LEVEL=INFO"],
        database_url=database_url, spool_dir=tmp_path / "spool", timeout=180,
    )  # fmt: skip


def test_the_saved_column_is_crawled_once_with_titles_and_dates(
    server: PageServer, database_url: str, tmp_path: Path
) -> None:
    articles = {url: path for url, (kind, path) in saved_pages().items() if kind == "article"}
    listed = listed_in_column()
    assert len(articles) == 16  # as the saved copy's README says
    assert len(listed) == 72
    assert set(articles) <= set(listed)

    first = crawl(server, database_url, tmp_path)
    assert first.returncode == 0, first.stderr[-4000:]
    rows = query_rows(database_url, "SELECT url, title, published FROM articles WHERE site = :site", site=SITE)
    stored = {row["url"]: row for row in rows}
    assert set(stored) == set(articles)
    for url, path in articles.items():
        assert stored[url]["title"] == meta(path, "ArticleTitle"), url
        printed = datetime.strptime(meta(path, "PubDate"), "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
        assert as_instant(stored[url]["published"]) == printed, url
    # The 56 listed items that are not saved answer 404: counted, and the crawl goes on.
    missing = len(listed) - len(articles)
    assert f"'site/article_errors/http_404': {missing}" in first.stderr
    assert re.search(r"'site/article_requests': 72\b", first.stderr)
    [run] = query_rows(database_url, "SELECT status, new_articles FROM crawl_runs WHERE site = :site", site=SITE)
    assert (run["status"], run["new_articles"]) == ("ok", 16)

    server.requests.clear()
    second = crawl(server, database_url, tmp_path)
    assert second.returncode == 0, second.stderr[-4000:]
    fetched = [path for _, path in server.requests if path != "/robots.txt"]
    assert fetched == ["/zwgk/ghxx/gzjzqk/"]  # the column page only: no article downloaded again
    assert query_rows(database_url, "SELECT COUNT(*) AS n FROM articles")[0]["n"] == 16
