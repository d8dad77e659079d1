"""Exact dedup stage: canonical URL and body hash.

* ``canonical_url`` is canonicalized with w3lib (sorted query, no fragment) and stripped of
  tracking parameters, so ``?utm_source=wx`` copies of one page share one row.
* ``content_hash`` is the SHA-256 of the cleaned body (NFKC, whitespace removed).
* A second copy of a URL in the same run is dropped (``dedup/duplicate_url``); the same body
  under another URL is kept with ``duplicate_of`` set to the first copy's canonical URL
  (``dedup/exact_duplicate``), looked up in this run and in the database.

Settings: ``DEDUP_TRACKING_PARAMETERS`` (extra
query parameter names to drop).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from w3lib.url import canonicalize_url, url_query_cleaner

from crawler.db.articles import find_original
from crawler.db.database import database_of
from crawler.items import Article

logger = logging.getLogger(__name__)

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
    def __init__(self, engine: Engine, stats: StatsCollector, tracking: frozenset[str]) -> None:
        self.engine = engine
        self.stats = stats
        self.tracking = tracking
        self.hash_by_url: dict[str, str | None] = {}
        self.first_url_by_hash: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExactDedupPipeline:
        settings = crawler.settings
        assert crawler.stats is not None
        tracking = TRACKING_PARAMETERS | frozenset(settings.getlist("DEDUP_TRACKING_PARAMETERS"))
        return cls(database_of(crawler).engine, crawler.stats, tracking)

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
        item.duplicate_of = self._original_of(item)
        if item.duplicate_of is not None:
            self.stats.inc_value("dedup/exact_duplicate")
        return item

    def _original_of(self, item: Article) -> str | None:
        assert item.content_hash is not None
        first = self.first_url_by_hash.setdefault(item.content_hash, item.canonical_url)
        if first != item.canonical_url:
            return first
        try:
            with self.engine.connect() as connection:
                original = find_original(connection, item.content_hash, item.canonical_url)
        except SQLAlchemyError as error:
            # The storage stage spools this item; the spool loader repeats the lookup.
            self.stats.inc_value("dedup/lookup_failed")
            logger.warning("dedup lookup failed for %s: %s", item.canonical_url, error.__class__.__name__)
            return None
        if original is not None:
            self.first_url_by_hash[item.content_hash] = original
        return original
