"""Extraction stage: turns a :class:`~crawler.items.Page` into an :class:`~crawler.items.Article`.

Seed text pages: the first non-empty line is the title, the remaining lines are the body,
verbatim. HTML pages: every field from one parse by :func:`pipelines.extract.article.extract_fields`
(body, title, subtitle, published, 来源, authors, 责任编辑, 文号, issuer, the gov disclosure
table, attachments, CMS family), each with its provenance in ``extra.provenance``, into an
:class:`~crawler.items.Article` and its typed :class:`~crawler.items.Annex`. ``doc_number`` is
the normalized 文号, ``extra.doc_number_raw`` the number as printed.

Settings: ``EXTRACTION_OVERRIDES`` (optional): ``{site id: {field: CSS or XPath selector}}``,
applied to pages whose ``site`` matches. Per-site configs will feed this mapping.
Stats: ``extraction/{html,text}_pages``, ``extraction/field/<field>`` per field found,
``extraction/empty_body``, ``extraction/encoding_repaired``, ``extraction/cms/<family>``,
``extraction/with_attachments``, ``extraction/invalid/<reason>`` per quality note of an invalid
value (``future_year`` of a 文号, ``unreadable_date`` of a table date …),
``extraction/dropped/no_title_no_body``: a page with neither (a BOM-only or comment-only file,
an empty template) is no article and is dropped (``DropItem``, logged at INFO);
``extraction/too_deep``: markup nested deeper than libxml2 reads (256 elements), logged, and
dropped (``extraction/dropped/too_deep``) when no body could be read above that depth.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import Annex, Article, Page
from pipelines.extract.article import Extracted, extract_fields
from pipelines.vocab import Vocabulary, load_vocabulary

_COUNTED_FIELDS = ("title", "subtitle", "published", "source_name", "author", "editor", "doc_number", "issuer")

logger = logging.getLogger(__name__)


def split_seed_text(text: str) -> tuple[str | None, str]:
    """Title and body of the seed text format: first non-empty line, then the rest verbatim."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            return line.strip(), "\n".join(lines[index + 1 :]).strip("\n")
    return None, ""


def article_from_fields(page: Page, fields: Extracted) -> Article:
    """The article for ``page`` carrying the extracted ``fields``."""
    extra = Annex(
        authors=fields.authors,
        doc_number_raw=fields.doc_number_raw,
        doc_number_parts=fields.doc_number_parts,
        gov_meta=fields.gov_meta,
        attachments=fields.attachments,
        cms=fields.cms,
        quality=fields.quality,
        provenance=fields.provenance,
    )
    return Article(
        url=page.url,
        canonical_url=fields.canonical_url or page.url,
        site=page.site or "local",
        fetched_at=page.fetched_at,
        title=fields.title,
        subtitle=fields.subtitle,
        published=fields.published,
        published_raw=fields.published_raw,
        published_precision=fields.published_precision,
        published_offset=fields.published_offset,
        source_name=fields.source_name,
        author=fields.author,
        editor=fields.editor,
        doc_number=fields.doc_number,
        issuer=fields.issuer,
        body=fields.body,
        body_original=fields.body,
        replay_path=page.replay_path,
        extra=extra,
    )


def extract_article(
    page: Page, overrides: Mapping[str, str] | None = None, vocab: Vocabulary | None = None
) -> tuple[Article, Extracted | None]:
    """The article of a page, and for HTML pages the extracted fields it was built from."""
    if page.kind == "text":
        title, body = split_seed_text(page.text)
        article = Article(
            url=page.url,
            canonical_url=page.url,
            site=page.site or "local",
            fetched_at=page.fetched_at,
            title=title,
            body=body,
            body_original=body,
            replay_path=page.replay_path,
        )
        return article, None
    fields = extract_fields(page.text, page.url, page.fetched_at, page.encoding, overrides, vocab)
    return article_from_fields(page, fields), fields


class ExtractionPipeline:
    def __init__(self, stats: StatsCollector, overrides: Mapping[str, Mapping[str, str]], vocab: Vocabulary) -> None:
        self.stats = stats
        self.overrides = overrides
        self.vocab = vocab

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        assert crawler.stats is not None
        overrides = crawler.settings.getdict("EXTRACTION_OVERRIDES")
        return cls(crawler.stats, overrides, load_vocabulary())

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        self.stats.inc_value(f"extraction/{item.kind}_pages")
        article, fields = extract_article(item, self.overrides.get(item.site or ""), self.vocab)
        if fields is not None:
            self._count(article, fields)
        if fields is not None and fields.too_deep:
            self.stats.inc_value("extraction/too_deep")
            if not article.body:
                self.stats.inc_value("extraction/dropped/too_deep")
                raise DropItem("markup nested deeper than 256 elements: no body could be read", log_level="WARNING")
            logger.warning("%s: markup nested deeper than 256 elements, text past that depth is missing", item.url)
        if not article.title and not article.body:
            self.stats.inc_value("extraction/dropped/no_title_no_body")
            raise DropItem("no title and no body: not an article", log_level="INFO")
        return article

    def _count(self, article: Article, fields: Extracted) -> None:
        for name in _COUNTED_FIELDS:
            if getattr(article, name):
                self.stats.inc_value(f"extraction/field/{name}")
        if not article.body:
            self.stats.inc_value("extraction/empty_body")
        if fields.repaired_encoding:
            self.stats.inc_value("extraction/encoding_repaired")
        if fields.cms:
            self.stats.inc_value(f"extraction/cms/{fields.cms}")
        if fields.attachments:
            self.stats.inc_value("extraction/with_attachments")
        for invalid in fields.quality.invalid:
            self.stats.inc_value(f"extraction/invalid/{invalid.reason}")
