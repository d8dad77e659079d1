"""Exact dedup stage: canonical URL and body hash, and repeats within the run dropped.

* ``canonical_url`` is canonicalized with w3lib (sorted query, no fragment) and stripped of
  tracking parameters, so ``?utm_source=wx`` copies of one page share one row.
* ``content_hash`` is the SHA-256 of the cleaned body (NFKC, whitespace removed).
* A second copy of a URL with the same body in the same run is dropped
  (``dedup/duplicate_url``); a URL whose body changed within the run goes on
  (``dedup/changed_in_run``).

Which stored article an article copies (``duplicate_of``, ``cluster_id``) is decided by the
storage stage, in the transaction that stores it (:mod:`pipelines.storage`): this stage needs
no database.

Settings: ``DEDUP_TRACKING_PARAMETERS`` (extra query parameter names to drop).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from w3lib.url import canonicalize_url, url_query_cleaner

from crawler.items import Article

# Query parameters that identify the click, not the page (seen on WeChat shares, Alibaba
# spm tracking, app share links of news portals).
TRACKING_PARAMETERS = frozenset(
    {
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
        "spm", "from", "isappinstalled", "scene", "share_token", "sharer_shareid", "wfr",
        "clicktime", "enterid", "share_from", "tt_from", "_wv", "fbclid", "gclid",
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")


def canonical_url(url: str, tracking: Iterable[str] = TRACKING_PARAMETERS) -> str:
    """``url`` canonicalized, without fragment and tracking parameters."""
    drop = set(tracking)
    names = {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    tracked = [name for name in names if name in drop or name.startswith("utm_")]
    if tracked:
        url = url_query_cleaner(url, tracked, remove=True)
    return canonicalize_url(url, keep_fragments=False)


def content_hash(body: str) -> str | None:
    """SHA-256 of the body with NFKC applied and all whitespace removed; ``None`` if empty."""
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", body))
    if not text:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ExactDedupPipeline:
    def __init__(self, stats: StatsCollector, tracking: frozenset[str]) -> None:
        self.stats = stats
        self.tracking = tracking
        self.hash_by_url: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExactDedupPipeline:
        assert crawler.stats is not None
        tracking = TRACKING_PARAMETERS | frozenset(crawler.settings.getlist("DEDUP_TRACKING_PARAMETERS"))
        return cls(crawler.stats, tracking)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        item.canonical_url = canonical_url(item.canonical_url or item.url, self.tracking)
        item.content_hash = content_hash(item.body)
        if item.canonical_url in self.hash_by_url:
            if self.hash_by_url[item.canonical_url] == item.content_hash:
                self.stats.inc_value("dedup/duplicate_url")
                raise DropItem(f"duplicate of {item.canonical_url} already seen in this run", log_level="DEBUG")
            self.stats.inc_value("dedup/changed_in_run")
        self.hash_by_url[item.canonical_url] = item.content_hash
        if item.content_hash is None:
            self.stats.inc_value("dedup/empty_body")
        return item
