"""Enrichment stage: fields found in an article's cleaned text, for what the page regions could
not give.

Runs after cleaning and before dedup. For every :class:`~crawler.items.Article` it

* finds the document's own 文号 in the text when the page gave none (read by
  :mod:`pipelines.fields.docnumber`, as extraction reads it: normalized, with the raw number and
  its parts beside it in ``extra``, an invalid one noted in ``extra.quality``); numbers the text
  cites go to ``extra.cited_doc_numbers``;
* fills ``issuer``, ``author`` (with ``extra.authors``), ``source_name``, ``source_url``,
  ``published``/``published_raw`` and ``editor`` from the text (and from the byline lines
  cleaning took out of it, ``extra.bylines``) when extraction left them ``None`` (it never
  overwrites a value), with the parsers extraction uses;
* sets ``extra.recipient`` for letters, ``extra.entities``, ``extra.amounts`` and
  ``extra.percentages``;
* records ``extra.provenance[field] = Provenance("enrichment", rule)`` for every field it sets.

The rules are pure functions in :mod:`pipelines.fields` and :mod:`pipelines.enrich`; the
reference for every date is the article's ``fetched_at``. Other items pass through untouched.

Settings:

* ``ENRICHMENT_ENABLED`` (default ``True``): ``False`` switches the stage off (``NotConfigured``).
* ``ENRICHMENT_ENTITIES`` (default ``True``): ``False`` skips entity tagging (jieba), the
  slowest rule.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.items import Annex, Article, InvalidValue, Provenance
from pipelines.enrich import amounts, bylines, entities, recipient
from pipelines.fields import docnumber, issuer
from pipelines.fields.bylines import byline_value, cited_url, labelled_people
from pipelines.fields.dates import absolute_date, fetch_time, is_plausible
from pipelines.fields.docnumber import LATEST_YEAR
from pipelines.fields.text import lines_of
from pipelines.vocab import Vocabulary, load_vocabulary


def _set_provenance(extra: Annex, field: str, rule: str) -> None:
    extra.provenance[field] = Provenance("enrichment", rule)


def _apply_doc_number(article: Article, extra: Annex, year: int, vocab: Vocabulary) -> list[str]:
    events: list[str] = []
    head = [article.title or "", *lines_of(article.body)]
    in_text = docnumber.doc_numbers_in_text("\n".join(head), vocab.fields, reference_year=year)
    # A 文号 the page gave, valid or dropped as invalid by extraction, is not looked for again.
    given = article.doc_number is not None or "doc_number" in extra.quality.invalid_fields()
    number = in_text.own
    if number is not None and not given:
        if number.invalid_reason:
            extra.quality.add_invalid(InvalidValue("doc_number", number.raw, number.invalid_reason))
            events.append(f"doc_number_invalid/{number.invalid_reason}")
        else:
            article.doc_number = number.normalized
            extra.doc_number_raw = number.raw
            extra.doc_number_parts = number.parts
            events.append("doc_number")
            _set_provenance(extra, "doc_number", f"doc_number_{in_text.rule}")
    own = article.doc_number or (in_text.own.normalized if in_text.own else None)
    cited = [item for item in in_text.cited if item != own]
    if cited:
        extra.cited_doc_numbers = cited
        _set_provenance(extra, "cited_doc_numbers", "doc_number_citation")
        events.append("cited_doc_numbers")
    return events


def _apply_issuer_and_recipient(article: Article, extra: Annex, vocab: Vocabulary) -> list[str]:
    events: list[str] = []
    lines = lines_of(article.body)
    head = [article.title or "", *lines]
    if article.issuer is None:
        found = issuer.issuer_from_masthead(head, vocab.fields)
        # A signature line only names the issuer of a document already known to be official.
        if found is None and article.doc_number:
            found = issuer.issuer_from_signature(lines, vocab.fields)
        if found is not None:
            article.issuer = found.value
            _set_provenance(extra, "issuer", f"issuer_{found.rule}")
            events.append("issuer")
    addressee = recipient.find_recipient(head, vocab.fields)
    if addressee is not None:
        extra.recipient = addressee.value
        _set_provenance(extra, "recipient", f"recipient_{addressee.rule}")
        events.append("recipient")
    return events


def _byline_text(article: Article, extra: Annex) -> str:
    """The body with the byline lines cleaning took out of it (``extra.bylines``) on top: a
    来源 or 时间 line is not text, but it is where those fields are printed."""
    return "\n".join([*extra.bylines, article.body])


def _apply_bylines(article: Article, extra: Annex, vocab: Vocabulary) -> list[str]:
    events: list[str] = []
    text = _byline_text(article, extra)
    labeled = bylines.labeled_values(text, vocab.fields)
    if article.author is None:
        found = bylines.find_authors(text, vocab.fields)
        if found is None and "author" in labeled:
            line = labeled["author"]
            people = labelled_people(line.label, line.value, vocab.fields)
            found = (people, "byline_label") if people else None
        if found is not None:
            people, rule = found
            article.author = "、".join(person.name for person in people)
            extra.authors = people
            _set_provenance(extra, "author", f"author_{rule}")
            events.append("author")
    for field in ("source_name", "editor"):
        if getattr(article, field) is None and field in labeled:
            value = byline_value(labeled[field].value)
            if value is not None:
                setattr(article, field, value)
                _set_provenance(extra, field, f"{field}_byline_label")
                events.append(field)
    # A URL printed as the origin (原文链接, or 转自 with a URL where a name would be).
    for field in ("source_url", "source_name"):
        if article.source_url is None and field in labeled and (url := cited_url(labeled[field].value)):
            article.source_url = url
            _set_provenance(extra, "source_url", f"source_url_{field}_label")
            events.append("source_url")
    reference = fetch_time(article.fetched_at)
    published = labeled.get("published")
    # A time label further down is a date inside the text (成交日期, a quoted notice), not the byline.
    if article.published is None and reference is not None and published and published.line < bylines.HEAD_LINES:
        # Relative forms (3小时前) are left to extraction, which reads them where pages print them.
        parsed = absolute_date(published.value)
        if parsed is not None and is_plausible(parsed.value, reference, timed=parsed.has_time):
            article.published, article.published_raw = parsed.iso(), parsed.raw
            article.published_precision, article.published_offset = parsed.precision, parsed.offset
            _set_provenance(extra, "published", "published_byline_label")
            _set_provenance(extra, "published_raw", "published_byline_label")
            events.append("published")
    return events


def _apply_figures(
    article: Article, extra: Annex, vocab: Vocabulary, tokenizer: entities.LazyPosTagger | None
) -> list[str]:
    events: list[str] = []
    if tokenizer is not None and article.body:
        found = entities.find_entities(article.body, vocab, tokenizer)
        if found.organizations or found.places or found.people:
            extra.entities = found
            _set_provenance(extra, "entities", "entities_jieba_pos")
            events.append("entities")
    money = amounts.find_amounts(article.body, vocab.mentions)
    if money:
        extra.amounts = [figure.as_amount() for figure in money]
        _set_provenance(extra, "amounts", "amounts_yuan")
        events.append("amounts")
    percentages = amounts.find_percentages(article.body)
    if percentages:
        extra.percentages = [figure.as_percentage() for figure in percentages]
        _set_provenance(extra, "percentages", "percentages")
        events.append("percentages")
    return events


def enrich_article(article: Article, vocab: Vocabulary, tokenizer: entities.LazyPosTagger | None = None) -> list[str]:
    """Fill ``article`` in place from its text; return the events to count (``doc_number`` …)."""
    if not isinstance(article.extra, Annex):
        article.extra = Annex()
    if not isinstance(article.body, str):
        article.body = ""
    extra = article.extra
    reference = fetch_time(article.fetched_at)
    year = reference.year if reference is not None else LATEST_YEAR
    events = [] if reference is not None else ["no_reference_time"]
    events += _apply_doc_number(article, extra, year, vocab)
    events += _apply_issuer_and_recipient(article, extra, vocab)
    events += _apply_bylines(article, extra, vocab)
    events += _apply_figures(article, extra, vocab, tokenizer)
    return events


class EnrichmentPipeline:
    """Item pipeline around :func:`enrich_article`; counts ``enrichment/<event>`` stats."""

    def __init__(self, stats: StatsCollector, vocab: Vocabulary, tokenizer: entities.LazyPosTagger | None) -> None:
        self.stats = stats
        self.vocab = vocab
        self.tokenizer = tokenizer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichmentPipeline:
        settings = crawler.settings
        if not settings.getbool("ENRICHMENT_ENABLED"):
            raise NotConfigured("ENRICHMENT_ENABLED is False")
        vocab = load_vocabulary()
        tokenizer = entities.default_tagger() if settings.getbool("ENRICHMENT_ENTITIES") else None
        assert crawler.stats is not None
        return cls(crawler.stats, vocab, tokenizer)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        self.stats.inc_value("enrichment/articles")
        for event in enrich_article(item, self.vocab, self.tokenizer):
            self.stats.inc_value(f"enrichment/{event}")
        return item
