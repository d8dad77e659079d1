"""Cleaning stage: turns the raw extracted text of an :class:`~crawler.items.Article` into the
text a reader would call clean.

The rules live in :mod:`pipelines.text` (pure functions, one module per rule) and are run by
:func:`pipelines.text.clean.clean_article`; this component applies the result to the item and
counts every decision in the crawler stats (``cleaning/<event>``).

Sets ``title``, ``subtitle``, ``body`` (Simplified, paragraphs joined by ``\\n``) and ``script``;
leaves ``body_original`` untouched; sets in ``extra`` (the article's
:class:`~crawler.items.Annex`): ``title_original`` (when the title changed), ``section``,
``related`` and ``bylines`` (the byline lines taken out of the body, for enrichment) when found,
``spun_score``, ``is_spun`` and ``cleaning`` (removals per rule). An article left with neither
title nor body is dropped (``cleaning/dropped/no_title_no_body``).

Settings:

* ``CLEANING_ENABLED`` (default ``True``): ``False`` switches the component off.
* ``CLEANING_SPUN_THRESHOLD`` (default ``0.5``): ``spun_score`` at or above which an article is
  flagged ``is_spun``.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from pipelines.text.clean import CleanResult, clean_article
from pipelines.text.spun import SPUN_THRESHOLD


def apply_cleaning(article: Article, result: CleanResult) -> Article:
    """Write ``result`` into ``article`` (in place) and return it.

    A second pass over an already cleaned article changes nothing: the title it sees is the
    cleaned one, so ``title_original`` keeps the first raw title; an empty removal count does
    not overwrite the provenance of the first pass.
    """
    extra = article.extra
    if result.title != article.title and extra.title_original is None and article.title:
        extra.title_original = article.title
    article.title = result.title
    article.subtitle = result.subtitle
    article.body = result.body
    article.script = result.script
    if result.section:
        extra.section = result.section
    if result.related:
        extra.related = list(result.related)
    if result.bylines:
        extra.bylines = list(result.bylines)
    extra.spun_score = result.spun_score
    extra.is_spun = result.is_spun
    counts = result.counts()
    if counts:
        extra.cleaning = counts
    return article


class CleaningPipeline:
    """Cleans every :class:`Article`; passes any other item through."""

    def __init__(self, stats: StatsCollector, spun_threshold: float = SPUN_THRESHOLD) -> None:
        self.stats = stats
        self.spun_threshold = spun_threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        if not crawler.settings.getbool("CLEANING_ENABLED"):
            raise NotConfigured("CLEANING_ENABLED is off")
        threshold = crawler.settings.getfloat("CLEANING_SPUN_THRESHOLD")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"CLEANING_SPUN_THRESHOLD must be within 0..1, got {threshold!r}")
        assert crawler.stats is not None
        return cls(crawler.stats, threshold)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        raw_title = item.title
        result = clean_article(
            item.title,
            item.body or "",
            item.subtitle,
            original=item.body_original or None,
            spun_threshold=self.spun_threshold,
        )
        apply_cleaning(item, result)
        self._count(result, title_changed=result.title != raw_title)
        if not item.title and not item.body:  # nothing but boilerplate: no article
            self.stats.inc_value("cleaning/dropped/no_title_no_body")
            raise DropItem("no title and no body left after cleaning: not an article", log_level="INFO")
        return item

    def _count(self, result: CleanResult, *, title_changed: bool) -> None:
        inc = self.stats.inc_value
        inc("cleaning/items")
        inc(f"cleaning/script_{result.script}")
        for rule, count in result.counts().items():
            if rule == "swap":
                inc("cleaning/swaps_fixed", count)
                continue
            inc(f"cleaning/{rule}_removed", count)
            if rule.startswith("boilerplate_"):
                inc("cleaning/boilerplate_removed", count)
        if title_changed:
            inc("cleaning/title_changed")
        if result.subtitle:
            inc("cleaning/subtitle_found")
        if result.section:
            inc("cleaning/section_found")
        if result.related:
            inc("cleaning/related_found")
        if result.is_spun:
            inc("cleaning/spun")
        if not result.body:
            inc("cleaning/empty_body")
