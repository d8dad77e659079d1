"""Every shipped site config crawled on its fixture case: a list page and two article pages.

Each site in ``crawler/sites/`` (bases ``_*.toml`` aside) has a folder ``tests/sites/<site id>/``
with ``case.json`` (the fetch time and each page's URL, file, status and headers) and
``expected.json`` (the items the crawl yields, sorted by URL; sorted keys, ``ensure_ascii=False``).
Pages are raw bytes written in the shape of the site's CMS, or real saved pages read by path
from ``../shared/`` (``case.json``'s ``root``; the case skips when it is absent, and the
pages are never copied into the project). A site without a case fails.

The real site spider (``scrapy crawl <site id>``, unchanged config) crawls the case in a
subprocess; every request goes to the pages served on 127.0.0.1 (:mod:`tests.loopback`), and
the items are compared field by field, failing on a missing or an extra field too. For saved
real pages the expected file holds the SHA-256 of ``body`` and ``body_original``, not the text,
so that no page's text is copied into the project.
``GOVNEWS_UPDATE_GOLDEN=1`` (``pytest --update-golden``) rewrites ``expected.json`` for review.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.siteconfig import SHIPPED_SITES_DIR, SiteConfig, find_site, site_paths
from tests.conftest import PROJECT_ROOT, run_scrapy
from tests.loopback import FAST_CRAWL, PageServer, ServedPage, loopback_settings, page_key

CASES_DIR = PROJECT_ROOT / "tests" / "sites"
# Text fields of saved real pages compared by digest (their text stays out of the project).
DIGESTED_FIELDS = ("body", "body_original")
SITE_IDS = [path.stem for path in site_paths(SHIPPED_SITES_DIR)]


@dataclass(frozen=True)
class CasePage:
    url: str
    path: Path
    status: int
    headers: dict[str, str]


@dataclass(frozen=True)
class SiteCase:
    folder: Path
    fetched_at: str
    root: Path
    """Where the page files are: the case folder, or a saved site under ``../shared/``."""
    pages: tuple[CasePage, ...]


def load_case(folder: Path) -> SiteCase:
    raw = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    root = PROJECT_ROOT / raw["root"] if "root" in raw else folder
    pages = tuple(
        CasePage(page["url"], root / page["file"], int(page.get("status", 200)), dict(page["headers"]))
        for page in raw["pages"]
    )
    return SiteCase(folder, raw["fetched_at"], root, pages)


def entry_points(site: SiteConfig) -> set[str]:
    return {*site.list_pages, *site.feeds, *site.sitemaps}


def served(case: SiteCase) -> dict[tuple[str, str], ServedPage]:
    return {page_key(page.url): ServedPage(page.status, page.headers, page.path.read_bytes()) for page in case.pages}


@pytest.fixture
def server_of() -> Iterator[Any]:
    started: list[PageServer] = []

    def start(case: SiteCase) -> PageServer:
        started.append(PageServer(served(case)).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


def crawled_items(site_id: str, case: SiteCase, server: PageServer, tmp_path: Path) -> list[dict[str, Any]]:
    """The items of a crawl of ``site_id`` on the case's pages, sorted by URL."""
    out = tmp_path / "items.jsonl"
    run = run_scrapy(
        ["crawl", site_id, "-a", f"fetched_at={case.fetched_at}", "-O", str(out), *loopback_settings(server.port),
         *FAST_CRAWL],
        database_url=f"sqlite:///{tmp_path / 'govnews.db'}", spool_dir=tmp_path / "spool", timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    if case.root != case.folder:
        items = [{**item, **{name: digest(item[name]) for name in DIGESTED_FIELDS if name in item}} for item in items]
    return sorted(items, key=lambda item: str(item["url"]))


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def expected_items(case: SiteCase, actual: list[dict[str, Any]]) -> list[dict[str, Any]]:
    path = case.folder / "expected.json"
    if os.environ.get("GOVNEWS_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return items


def differences(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[str]:
    """Every field that differs, is missing or is extra, named ``<url> <field>``."""
    found = {str(item["url"]): item for item in actual}
    wanted = {str(item["url"]): item for item in expected}
    diffs = [f"{url}: not crawled" for url in wanted.keys() - found.keys()]
    diffs += [f"{url}: crawled but not expected" for url in found.keys() - wanted.keys()]
    for url in sorted(found.keys() & wanted.keys()):
        item, want = found[url], wanted[url]
        diffs += [f"{url} {name}: extra field" for name in sorted(item.keys() - want.keys())]
        diffs += [f"{url} {name}: missing field" for name in sorted(want.keys() - item.keys())]
        diffs += [
            f"{url} {name}: {item[name]!r} != expected {want[name]!r}"
            for name in sorted(item.keys() & want.keys())
            if item[name] != want[name]
        ]
    return diffs


@pytest.mark.parametrize(
    ("actual", "expected", "found"),
    [
        ([{"url": "a", "title": "t"}], [{"url": "a", "title": "t"}], []),
        ([{"url": "a", "title": "t", "x": 1}], [{"url": "a", "title": "t"}], ["a x: extra field"]),
        ([{"url": "a"}], [{"url": "a", "title": "t"}], ["a title: missing field"]),
        ([{"url": "a", "title": "u"}], [{"url": "a", "title": "t"}], ["a title: 'u' != expected 't'"]),
        ([], [{"url": "a"}], ["a: not crawled"]),
        ([{"url": "b"}], [], ["b: crawled but not expected"]),
    ],
)
def test_differences_name_each_field(
    actual: list[dict[str, Any]], expected: list[dict[str, Any]], found: list[str]
) -> None:
    assert differences(actual, expected) == found


def test_every_shipped_site_is_tested() -> None:
    assert SITE_IDS, "no site configs found"
    missing = [site_id for site_id in SITE_IDS if not (CASES_DIR / site_id / "case.json").is_file()]
    assert missing == [], f"sites without a fixture case in tests/sites/: {missing}"


@pytest.mark.parametrize("site_id", SITE_IDS)
def test_site_crawls_its_case(site_id: str, server_of: Any, tmp_path: Path) -> None:
    folder = CASES_DIR / site_id
    assert (folder / "case.json").is_file(), f"{site_id} has no fixture case: add tests/sites/{site_id}/case.json"
    case = load_case(folder)
    if not case.root.is_dir():
        pytest.skip(f"saved pages of the case are absent: {case.root}")
    site = find_site(SHIPPED_SITES_DIR, site_id)
    lists = [page.url for page in case.pages if page.url in entry_points(site)]
    articles = [page.url for page in case.pages if site.is_article(page.url)]
    assert lists, f"the case of {site_id} serves none of its entry points"
    assert len(articles) == 2, f"the case of {site_id} has {len(articles)} article pages, not 2"

    server = server_of(case)
    actual = crawled_items(site_id, case, server, tmp_path)
    assert sorted(item["url"] for item in actual) == sorted(articles)
    assert differences(actual, expected_items(case, actual)) == []
