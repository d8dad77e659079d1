"""Exact dedup: canonical URLs, body hashes, and the stage's decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import DropItem

from crawler.db.engine import make_engine
from crawler.db.schema import ensure_schema
from pipelines.dedup import ExactDedupPipeline, canonical_url, content_hash
from pipelines.storage import StoragePipeline
from tests.conftest import CrawlerFactory
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


def dedup_and_storage(make_crawler: CrawlerFactory, tmp_path: Path) -> tuple[ExactDedupPipeline, StoragePipeline]:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    engine.dispose()
    crawler = make_crawler({"DATABASE_URL": url, "SPOOL_DIR": str(tmp_path / "spool")})
    return ExactDedupPipeline.from_crawler(crawler), StoragePipeline.from_crawler(crawler)


def test_same_url_twice_in_a_run_is_dropped(make_crawler: CrawlerFactory, tmp_path: Path) -> None:
    dedup, _ = dedup_and_storage(make_crawler, tmp_path)
    dedup.process_item(article("http://a.cn/1?utm_source=x"))
    with pytest.raises(DropItem):
        dedup.process_item(article("http://a.cn/1"))
    assert dedup.stats.get_value("dedup/duplicate_url") == 1


def test_same_body_under_another_url_points_at_the_first(make_crawler: CrawlerFactory, tmp_path: Path) -> None:
    dedup, _ = dedup_and_storage(make_crawler, tmp_path)
    first = dedup.process_item(article("http://a.cn/1"))
    copy = dedup.process_item(article("http://b.cn/7"))
    assert first.duplicate_of is None
    assert copy.duplicate_of == "http://a.cn/1"


def test_duplicate_of_a_stored_article_from_an_earlier_run(make_crawler: CrawlerFactory, tmp_path: Path) -> None:
    dedup, storage = dedup_and_storage(make_crawler, tmp_path)
    storage.open_spider()
    storage.process_item(dedup.process_item(article("http://a.cn/1")))
    storage.close_spider()
    later_dedup, _ = dedup_and_storage(make_crawler, tmp_path)
    copy = later_dedup.process_item(article("http://b.cn/7"))
    assert copy.duplicate_of == "http://a.cn/1"
    again = later_dedup.process_item(article("http://a.cn/1"))
    assert again.duplicate_of is None  # the original stays the original on a re-run
