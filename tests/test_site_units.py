"""The site crawl's pure helpers: link finding, pagination URLs, feeds, Retry-After, blocks, run records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.responsetypes import responsetypes

from crawler.crawlstate.runs import RunFacts, layout_warnings, run_status
from crawler.downloadermiddlewares.blocking import block_reason, load_markers, small_text
from crawler.downloadermiddlewares.retryafter import retry_after_seconds
from crawler.spiders.site import feed_links, links_in, numbered_page_url, on_domains

BASE = "http://kjj.example.gov.cn/col/col1/index.html"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<a href="/art/2026/1/2/art_1_2.html">x</a>', ["http://kjj.example.gov.cn/art/2026/1/2/art_1_2.html"]),
        ("<a href='../col2/index.html#top'>x</a>", ["http://kjj.example.gov.cn/col/col2/index.html"]),
        ('<a href="?a=1&amp;b=2">x</a>', ["http://kjj.example.gov.cn/col/col1/index.html?a=1&b=2"]),
        ('<a href="javascript:void(0)">x</a><a href="mailto:a@b.cn">m</a><a href="#">t</a>', []),
        # Hanweb column pages keep their list in a CDATA block inside <script type="text/xml">.
        ('<script type="text/xml"><datastore><record><![CDATA[<li><a href="/art/2026/1/3/art_1_3.html">t</a></li>]]>'
         "</record></datastore></script>", ["http://kjj.example.gov.cn/art/2026/1/3/art_1_3.html"]),
        ('<a href="/a.html">1</a><a href="/a.html#x">2</a>', ["http://kjj.example.gov.cn/a.html"]),
    ],
)  # fmt: skip
def test_links_in(markup: str, expected: list[str]) -> None:
    assert links_in(markup, BASE) == expected


@pytest.mark.parametrize(
    ("template", "n", "expected"),
    [
        ("index_{n}.html", 1, "http://kjj.example.gov.cn/col/col1/index_1.html"),
        ("index_{n}.shtml", 3, "http://kjj.example.gov.cn/col/col1/index_3.shtml"),
        ("index.html?uid=1&pageNum={n}", 2, "http://kjj.example.gov.cn/col/col1/index.html?uid=1&pageNum=2"),
    ],
)
def test_numbered_page_url(template: str, n: int, expected: str) -> None:
    assert numbered_page_url(BASE, template, n) == expected


def test_feed_links_rss_and_atom() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel>'
        b"<item><link> http://a.cn/1.html </link></item></channel></rss>"
    )
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b'<link rel="alternate" href="http://a.cn/2.html"/><link rel="enclosure" href="http://a.cn/2.mp3"/></entry></feed>'
    )
    assert feed_links(rss) == ["http://a.cn/1.html"]
    assert feed_links(atom) == ["http://a.cn/2.html"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/a.html", True),
        ("http://sub.kjt.zj.gov.cn/a.html", True),
        ("http://localhost:8080/a.html", False),
        ("http://evilkjt.zj.gov.cn/a.html", False),
    ],
)
def test_on_domains(url: str, expected: bool) -> None:
    assert on_domains(url, ("127.0.0.1", "kjt.zj.gov.cn")) is expected


NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(b"120", 120.0), ("7", 7.0), (b"Mon, 02 Mar 2026 12:00:30 GMT", 30.0), (b"Mon, 02 Mar 2026 11:00:00 GMT", 0.0),
     (b"soon", None), (None, None), (b"", None)],
)  # fmt: skip
def test_retry_after_seconds(value: bytes | str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, NOW) == expected


MARKERS = load_markers()
STATUSES = frozenset({403, 412})


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (403, b"Forbidden", {}, "status_403"),
        (412, b"", {}, "status_412"),
        (200, b'<script>document.cookie="wzws_cid=abc"</script>', {}, "challenge_wzws"),
        (503, b"<html>Just a moment...<script>window._cf_chl_opt={}</script>", {}, "challenge_cloudflare"),
        (200, "<p>当前访问疑似黑客攻击，已被创宇盾拦截</p>".encode(), {}, "challenge_chuangyudun"),
        # A GBK captcha page is found through Scrapy's decoding, not by raw bytes.
        (
            200,
            "<form>请输入验证码</form>".encode("gbk"),
            {"Content-Type": "text/html; charset=gbk"},
            "challenge_captcha",
        ),
        (404, b"not found", {}, None),
        (500, b"error", {}, None),
        (200, "<p>请输入验证码</p>".encode() + b"x" * 40000, {}, None),  # a long article quoting it
        (200, b"\x89PNG\r\n\x1a\n", {"Content-Type": "image/png"}, None),
    ],
)
def test_block_reason(status: int, body: bytes, headers: dict[str, str], expected: str | None) -> None:
    response = responsetypes.from_args(headers=headers, url="http://a.cn/x", body=body)(
        "http://a.cn/x", status=status, body=body, headers=headers
    )
    assert block_reason(status, small_text(response), MARKERS, STATUSES) == expected


@pytest.mark.parametrize(
    ("reason", "blocked", "errors", "expected"),
    [("finished", 0, 0, "ok"), ("blocked", 3, 0, "blocked"), ("shutdown", 0, 0, "interrupted"),
     ("finished", 0, 2, "failed"), ("closespider_timeout", 0, 0, "failed")],
)  # fmt: skip
def test_run_status(reason: str, blocked: int, errors: int, expected: str) -> None:
    assert run_status(reason, blocked, errors) == expected


QUIET_CHANGED = RunFacts(new_articles=0, list_pages_changed=1, article_pages=0, extraction_failures=0)
HEALTHY = RunFacts(new_articles=5, list_pages_changed=1, article_pages=5, extraction_failures=0)


def test_no_warning_for_a_healthy_run() -> None:
    assert layout_warnings(HEALTHY, [HEALTHY, HEALTHY], []) == []


def test_linkless_changed_list_page_warns() -> None:
    [warning] = layout_warnings(HEALTHY, [], ["http://a.cn/list.html"])
    assert "http://a.cn/list.html changed but no link matched" in warning


def test_three_quiet_runs_with_changed_lists_warn_but_two_do_not() -> None:
    assert layout_warnings(QUIET_CHANGED, [QUIET_CHANGED, HEALTHY], []) == []
    [warning] = layout_warnings(QUIET_CHANGED, [QUIET_CHANGED, QUIET_CHANGED, HEALTHY], [])
    assert "3 crawls in a row found no new article" in warning
    unchanged = RunFacts(0, 0, 0, 0)
    assert layout_warnings(unchanged, [unchanged, unchanged], []) == []  # a quiet site is fine


def test_extraction_failure_jump_warns() -> None:
    failing = RunFacts(new_articles=6, list_pages_changed=1, article_pages=6, extraction_failures=4)
    [warning] = layout_warnings(failing, [HEALTHY, HEALTHY], [])
    assert "extraction failed on 67% of article pages (earlier runs 0%)" in warning
    always_bad = RunFacts(6, 1, 6, 4)
    assert layout_warnings(failing, [always_bad], []) == []  # no jump: it was always like this
