"""Extraction stage: turns a :class:`~crawler.items.Page` into an :class:`~crawler.items.Article`.

Seed text pages: the first non-empty line is the title, the remaining lines are the body,
verbatim. HTML pages: the title from ``<h1>`` or ``<title>``, the body from the text of the
page's paragraphs. This is the foundation's basic extractor; issue 4 deepens it.

Settings: none.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import Article, Page


def split_seed_text(text: str) -> tuple[str | None, str]:
    """Title and body of the seed text format: first non-empty line, then the rest verbatim."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            return line.strip(), "\n".join(lines[index + 1 :]).strip("\n")
    return None, ""


def basic_html_fields(html: str) -> tuple[str | None, str]:
    """Title and body text of an HTML page, without any boilerplate detection."""
    selector = Selector(text=html)
    title = selector.css("h1 ::text").get() or selector.css("title::text").get()
    paragraphs = [
        " ".join(text.split())
        for text in (
            "".join(p.css("::text").getall())
            for p in selector.xpath("//body//p | //body//div[not(.//p) and not(.//div)]")
        )
    ]
    return (title.strip() if title else None), "\n".join(p for p in paragraphs if p)


def extract_article(page: Page) -> Article:
    if page.kind == "text":
        title, body = split_seed_text(page.text)
    else:
        title, body = basic_html_fields(page.text)
    return Article(
        url=page.url,
        canonical_url=page.url,
        site=page.site or "local",
        fetched_at=page.fetched_at,
        title=title,
        body=body,
        body_original=body,
        replay_path=page.replay_path,
    )


class ExtractionPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        self.stats.inc_value(f"extraction/{item.kind}_pages")
        return extract_article(item)
