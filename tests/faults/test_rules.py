"""The pure rules behind the fault handling, table-driven: what a database cannot store, which
URLs are databases, what is binary, when a crawl reached nothing, how the log names an item."""

from __future__ import annotations

import pytest

from crawler.crawlstate.runs import run_status, unreachable
from crawler.db.engine import database_url_problem
from crawler.db.storable import storable, storable_text
from crawler.logformatter import item_label
from crawler.pages import is_binary
from tests.test_db import article


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [("正文", "正文", 0), ("正\x00文", "正文", 1), ("\x00\x00", "", 2), ("a\ud800b", "ab", 1), ("\u200b", "\u200b", 0)],
)
def test_storable_text(text: str, expected: str, removed: int) -> None:
    assert storable_text(text) == (expected, removed)


def test_storable_cleans_an_article_in_place_down_to_its_annex() -> None:
    item = article("http://a.cn/1", body="正\x00文", title="标题")
    item.extra.section = "栏\x00目"
    cleaned, removed = storable(item)
    assert cleaned is item
    # body, body_original and content_hash ("hash-" + body) carry one NUL each, the annex one
    texts = (item.body, item.body_original, item.content_hash, item.extra.section)
    assert texts == ("正文", "正文", "hash-正文", "栏目")
    assert removed == 4


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("sqlite:///data/govnews.db", None),
        ("postgresql+psycopg://u:p@127.0.0.1:5432/db", None),
        ("postgres://u:secret@127.0.0.1/db", "write postgresql+psycopg://, not postgres://"),
        ("not-a-url", "is not a database URL"),
        ("mysql://u:secret@127.0.0.1/db", "'mysql' is not a supported database"),
    ],
)
def test_database_url_problem(url: str, problem: str | None) -> None:
    found = database_url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
        assert "secret" not in found


@pytest.mark.parametrize(
    ("body", "binary"),
    [
        ("政府信息公开\n\t正文。".encode("gb18030") * 300, False),
        ("正文".encode("utf-16"), False),  # a BOM: text with NULs
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),
        (bytes(range(1, 256)) * 40, True),  # no NUL, 10 % control bytes
        (b"<p>text</p>\x1b[0m" * 100, False),  # an escape sequence is text
    ],
)
def test_is_binary(body: bytes, binary: bool) -> None:
    assert is_binary(body) is binary


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({"site/list_errors": 2}, True),
        ({"site/list_errors": 2, "site/list_pages": 1}, False),
        ({}, False),  # nothing tried (a busy site) is not a failure to reach
    ],
)
def test_unreachable(stats: dict[str, int], expected: bool) -> None:
    assert unreachable(stats) is expected
    assert run_status("finished", 0, 0, unreachable(stats)) == ("failed" if expected else "ok")


def test_item_label_names_the_item_without_its_body() -> None:
    assert item_label(article("http://a.cn/1", body="很长的正文" * 1000)) == "Article <http://a.cn/1>"
    assert item_label({"body": "x"}) == "dict"
