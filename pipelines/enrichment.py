"""Enrichment stage: fields found in an article's cleaned text, and 文号 normalized.

Runs after cleaning and before dedup. For every :class:`~crawler.items.Article` it

* normalizes the 文号 extraction captured (``〔YYYY〕`` brackets, split into code, year and serial,
  invalid ones moved to ``extra["invalid_fields"]``), or finds the document's own number in the
  text; numbers the text cites go to ``extra["cited_doc_numbers"]``;
* fills ``issuer``, ``author``, ``source_name``, ``published``/``published_raw`` and ``editor``
  from the text (and the byline lines cleaning took out of it, ``extra["bylines"]``) when
  extraction left them ``None`` (it never overwrites a value);
* adds ``extra["recipient"]`` for letters, ``extra["entities"]``, ``extra["amounts"]`` and
  ``extra["percentages"]``;
* records ``extra["provenance"][field] = "enrichment:<rule>"`` for every field it sets.

The rules are pure functions in :mod:`pipelines.enrich`; the reference for every date is the
article's ``fetched_at``. Other items pass through untouched.

Settings:

* ``ENRICHMENT_ENABLED`` (default ``True``): ``False`` switches the stage off (``NotConfigured``).
* ``ENRICHMENT_ENTITIES`` (default ``True``): ``False`` skips entity tagging (jieba), the
  slowest rule.
* ``ENRICHMENT_VOCAB_DIR`` (default: the package's ``pipelines/enrich/vocab``): folder of the
  vocabulary TSV files, for trying out vocabulary changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from pipelines.enrich import amounts, bylines, docnumber, entities, issuer, recipient
from pipelines.enrich.dates import parse_byline_date, parse_fetched_at
from pipelines.enrich.docnumber import DocNumber
from pipelines.enrich.text import lines_of
from pipelines.enrich.vocabulary import Vocabulary, load_vocabulary

PROVENANCE_PREFIX = "enrichment:"
LATEST_YEAR = 2099
"""Reference year when ``fetched_at`` is unreadable: only the future-year check is lost."""


def _set_provenance(extra: dict[str, Any], field: str, rule: str) -> None:
    provenance = extra.get("provenance")
    if not isinstance(provenance, dict):
        provenance = extra["provenance"] = {}
    provenance[field] = PROVENANCE_PREFIX + rule


def _record_invalid(extra: dict[str, Any], number: DocNumber) -> None:
    # Extraction writes ``invalid_fields`` as a list of field names; the list keeps that type
    # and the value with its reason goes beside it, in ``invalid_reasons``.
    invalid = extra.get("invalid_fields")
    if not isinstance(invalid, list):
        invalid = extra["invalid_fields"] = []
    if "doc_number" not in invalid:
        invalid.append("doc_number")
    reasons = extra.get("invalid_reasons")
    if not isinstance(reasons, dict):
        reasons = extra["invalid_reasons"] = {}
    reasons["doc_number"] = {"value": number.raw, "reason": number.invalid_reason}


def _apply_doc_number(article: Article, extra: dict[str, Any], year: int, vocab: Vocabulary) -> list[str]:
    events: list[str] = []
    head = [article.title or "", *lines_of(article.body)]
    labels = [label for label, field in vocab.labels.items() if field == "doc_number"]
    in_text = docnumber.doc_numbers_in_text("\n".join(head), reference_year=year, labels=labels)
    number: DocNumber | None = None
    rule: str | None = None
    if article.doc_number:
        number = docnumber.parse_doc_number(article.doc_number, reference_year=year)
        if number is None:
            article.doc_number = docnumber.normalize_doc_number(article.doc_number)
            events.append("doc_number_unparsed")
    elif in_text.own is not None:
        number, rule = in_text.own, in_text.rule
    if number is not None:
        if number.invalid_reason:
            _record_invalid(extra, number)
            article.doc_number = None
            events.append(f"doc_number_invalid/{number.invalid_reason}")
        else:
            article.doc_number = number.normalized
            extra["doc_number_parts"] = number.parts
            events.append("doc_number" if rule else "doc_number_normalized")
            if rule:
                _set_provenance(extra, "doc_number", f"doc_number_{rule}")
    own = article.doc_number or (in_text.own.normalized if in_text.own else None)
    cited = [item for item in in_text.cited if item != own]
    if cited:
        extra["cited_doc_numbers"] = cited
        _set_provenance(extra, "cited_doc_numbers", "doc_number_citation")
        events.append("cited_doc_numbers")
    return events


def _apply_issuer_and_recipient(article: Article, extra: dict[str, Any], vocab: Vocabulary) -> list[str]:
    events: list[str] = []
    lines = lines_of(article.body)
    head = [article.title or "", *lines]
    if article.issuer is None:
        found = issuer.issuer_from_masthead(head, vocab)
        # A signature line only names the issuer of a document already known to be official.
        if found is None and article.doc_number:
            found = issuer.issuer_from_signature(lines, vocab)
        if found is not None:
            article.issuer = found.value
            _set_provenance(extra, "issuer", f"issuer_{found.rule}")
            events.append("issuer")
    addressee = recipient.find_recipient(head, vocab)
    if addressee is not None:
        extra["recipient"] = addressee.value
        _set_provenance(extra, "recipient", f"recipient_{addressee.rule}")
        events.append("recipient")
    return events


def _byline_text(article: Article, extra: dict[str, Any]) -> str:
    """The body with the byline lines cleaning took out of it (``extra["bylines"]``) on top."""
    removed = extra.get("bylines")
    lines = [line for line in removed if isinstance(line, str)] if isinstance(removed, list) else []
    return "\n".join([*lines, article.body or ""])


def _apply_bylines(article: Article, extra: dict[str, Any], vocab: Vocabulary) -> list[str]:
    events: list[str] = []
    text = _byline_text(article, extra)
    labeled = bylines.labeled_values(text, vocab)
    if article.author is None:
        found = bylines.find_authors(text, vocab)
        if found is None and "author" in labeled:
            people = bylines.authors_from_label(labeled["author"][0], vocab)
            found = (people, "byline_label") if people else None
        if found is not None:
            people, rule = found
            article.author = "、".join(person.name for person in people)
            extra["authors"] = [person.as_dict() for person in people]
            _set_provenance(extra, "author", f"author_{rule}")
            events.append("author")
    for field in ("source_name", "editor"):
        if getattr(article, field) is None and field in labeled:
            value = bylines.byline_value(labeled[field][0])
            if value is not None:
                setattr(article, field, value)
                _set_provenance(extra, field, f"{field}_byline_label")
                events.append(field)
    reference = parse_fetched_at(article.fetched_at)
    published = labeled.get("published")
    # A time label further down is a date inside the text (成交日期, a quoted notice), not the byline.
    if article.published is None and reference is not None and published and published[1] < bylines.HEAD_LINES:
        parsed = parse_byline_date(published[0], reference=reference)
        if parsed is not None:
            article.published, article.published_raw = parsed
            _set_provenance(extra, "published", "published_byline_label")
            _set_provenance(extra, "published_raw", "published_byline_label")
            events.append("published")
    return events


def _apply_figures(
    article: Article, extra: dict[str, Any], vocab: Vocabulary, tokenizer: entities.LazyPosTagger | None
) -> list[str]:
    events: list[str] = []
    if tokenizer is not None and article.body:
        found = entities.find_entities(article.body, vocab, tokenizer)
        if any(found.values()):
            extra["entities"] = found
            _set_provenance(extra, "entities", "entities_jieba_pos")
            events.append("entities")
    money = amounts.find_amounts(article.body, vocab)
    if money:
        extra["amounts"] = [figure.as_amount() for figure in money]
        _set_provenance(extra, "amounts", "amounts_yuan")
        events.append("amounts")
    percentages = amounts.find_percentages(article.body)
    if percentages:
        extra["percentages"] = [figure.as_percentage() for figure in percentages]
        _set_provenance(extra, "percentages", "percentages")
        events.append("percentages")
    return events


def enrich_article(article: Article, vocab: Vocabulary, tokenizer: entities.LazyPosTagger | None = None) -> list[str]:
    """Fill ``article`` in place from its text; return the events to count (``doc_number`` …)."""
    if not isinstance(article.extra, dict):
        article.extra = {}
    if not isinstance(article.body, str):
        article.body = ""
    extra = article.extra
    reference = parse_fetched_at(article.fetched_at)
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
        if not settings.getbool("ENRICHMENT_ENABLED", True):
            raise NotConfigured("ENRICHMENT_ENABLED is False")
        vocab_dir = settings.get("ENRICHMENT_VOCAB_DIR")
        vocab = load_vocabulary(Path(vocab_dir) if vocab_dir else None)
        tokenizer = entities.default_tagger() if settings.getbool("ENRICHMENT_ENTITIES", True) else None
        assert crawler.stats is not None
        return cls(crawler.stats, vocab, tokenizer)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        self.stats.inc_value("enrichment/articles")
        for event in enrich_article(item, self.vocab, self.tokenizer):
            self.stats.inc_value(f"enrichment/{event}")
        return item
