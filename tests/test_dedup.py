"""Exact dedup: canonical URLs, body hashes, and repeats within a run (which stored article a
copy names is the storage stage's decision: ``tests/test_copies.py``)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem

from pipelines.dedup import ExactDedupPipeline, canonical_url, content_hash
from tests.conftest import project_crawler
from tests.test_db import article


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://kjt.zj.gov.cn/art/2022/5/20/art_1.html", "http://kjt.zj.gov.cn/art/2022/5/20/art_1.html"),
        ("http://a.cn/x?utm_source=wx&id=3", "http://a.cn/x?id=3"),
        ("http://a.cn/x?id=3&spm=a.b.c&from=timeline", "http://a.cn/x?id=3"),
        ("http://a.cn/x?b=2&a=1#comments", "http://a.cn/x?a=1&b=2"),
        ("http://A.cn/x?utm_campaign=z", "http://a.cn/x"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_content_hash_ignores_whitespace_and_width() -> None:
    assert content_hash("第一段\n第二段 ２０２２") == content_hash("第一段第二段2022")
    assert content_hash("第一段") != content_hash("第二段")
    assert content_hash(" \n ") is None


def dedup() -> ExactDedupPipeline:
    return ExactDedupPipeline.from_crawler(project_crawler())  # the stage uses no database


def test_same_url_twice_in_a_run_is_dropped() -> None:
    stage = dedup()
    stage.process_item(article("http://a.cn/1?utm_source=x"))
    with pytest.raises(DropItem):
        stage.process_item(article("http://a.cn/1"))
    assert stage.stats.get_value("dedup/duplicate_url") == 1


def test_same_url_with_a_changed_body_goes_on() -> None:
    stage = dedup()
    stage.process_item(article("http://a.cn/1"))
    changed = stage.process_item(article("http://a.cn/1", body="改过的正文"))
    assert changed.content_hash == content_hash("改过的正文")
    assert stage.stats.get_value("dedup/changed_in_run") == 1
