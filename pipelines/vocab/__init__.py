"""The vocabulary of every stage: word lists kept as data, in one folder, one format, one loader.

The tables (``*.tsv`` beside this module, format in :mod:`pipelines.vocab.tables`) are read
once per process by :func:`load_vocabulary` into one immutable :class:`Vocabulary`, in four
groups by what the words describe:

* :class:`PageVocabulary`: HTML structure (boilerplate class/id words, body containers, CMS
  markers), read by the extraction stage;
* :class:`TextVocabulary`: boilerplate lines, breadcrumbs, title suffixes, planted character
  swaps and spun phrases, read by the cleaning stage;
* :class:`FieldVocabulary`: byline labels with the one role vocabulary, name rules, 文号
  brackets, disclosure-table labels, issuer and addressee words, read by the shared field
  parsers (:mod:`pipelines.fields`) for extraction and enrichment alike;
* :class:`MentionVocabulary`: places, job titles and amount words of the enrichment stage.

Pipelines get the vocabulary in ``from_crawler`` and pass it down; the cleaning rules, which
are plain functions without a component, call :func:`load_vocabulary` (cached) themselves.
The groups compare and hash by identity (``eq=False``), so parsers can remember the patterns
they build from one (``functools.cache``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import cast, get_args

from crawler.items import Role
from pipelines.vocab.tables import VocabularyError, read_table, vocab_dir

__all__ = [
    "FieldVocabulary",
    "LineRule",
    "Marker",
    "MentionVocabulary",
    "PageVocabulary",
    "SpunPhrase",
    "Swap",
    "TextVocabulary",
    "Vocabulary",
    "VocabularyError",
    "load_vocabulary",
    "vocab_dir",
]


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    # Alternations try entries in order, so longer entries must come first (副局长 before 局长).
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


def _words(cell: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in cell.split(",") if word.strip())


@dataclass(frozen=True, eq=False)
class PageVocabulary:
    """Words of the HTML around an article (``page_*.tsv``, ``cms.tsv``)."""

    boilerplate_tags: frozenset[str]
    boilerplate_tokens: frozenset[str]
    weak_boilerplate_tokens: frozenset[str]
    boilerplate_substrings: tuple[str, ...]
    keep_classes: frozenset[str]
    boilerplate_lines: tuple[re.Pattern[str], ...]
    boilerplate_links: tuple[re.Pattern[str], ...]
    container_names: tuple[str, ...]
    container_itemprops: tuple[str, ...]
    title_tokens: frozenset[str]
    subtitle_tokens: frozenset[str]
    source_tokens: tuple[str, ...]
    """Class/id words of an element holding the 来源 (``a_source``, ``laiyuan``)."""
    author_tokens: tuple[str, ...]
    """Class/id words of an element holding the author's name (``author_baidu``, ``zuozhe``)."""
    cms: Mapping[str, Mapping[str, tuple[str, ...]]]
    """CMS family -> ``marker`` / ``body`` / ``url`` -> values."""


@dataclass(frozen=True)
class Swap:
    swapped: str
    correct: str
    keep_in: tuple[str, ...]
    seen: str


@dataclass(frozen=True)
class SpunPhrase:
    spun: str
    original: str
    weight: float
    keep_in: tuple[str, ...]
    seen: str


@dataclass(frozen=True)
class Marker:
    phrase: str
    kind: str


@dataclass(frozen=True)
class LineRule:
    pattern: re.Pattern[str]
    kind: str


@dataclass(frozen=True, eq=False)
class TextVocabulary:
    """Words of the cleaning rules (``text_*.tsv``, ``title_*.tsv``, ``swaps.tsv``, ``spun.tsv``)."""

    markers: tuple[Marker, ...]
    lines: tuple[LineRule, ...]
    fragments: tuple[LineRule, ...]
    contact_strong: tuple[re.Pattern[str], ...]
    contact_weak: tuple[re.Pattern[str], ...]
    breadcrumb_label: re.Pattern[str]
    breadcrumb_unlabelled: re.Pattern[str]
    breadcrumb_separators: re.Pattern[str]
    breadcrumb_generic: frozenset[str]
    title_spam: tuple[re.Pattern[str], ...]
    suffix_separators: tuple[str, ...]
    site_words: tuple[str, ...]
    document_header: re.Pattern[str]
    salutation: re.Pattern[str]
    swaps: tuple[Swap, ...]
    spun: tuple[SpunPhrase, ...]


@dataclass(frozen=True, eq=False)
class FieldVocabulary:
    """Words of the field parsers shared by extraction and enrichment (``labels.tsv`` …)."""

    labels: Mapping[str, str]
    """Label printed before a value (``来源``) -> the field it fills (``labels.tsv``)."""
    roles: Mapping[str, Role]
    """Author label (``本报记者``) -> role (``reporter``): the one role vocabulary."""
    source_labels: tuple[str, ...]
    author_labels: tuple[str, ...]
    editor_labels: tuple[str, ...]
    published_labels: tuple[str, ...]
    not_published_labels: tuple[str, ...]
    """Labels of values that are never the publication time (``成文日期``, ``更新时间``)."""
    date_widget_before: tuple[str, ...]
    """Words leading a widget's date (``今天是``), longest first (``date_widgets.tsv``)."""
    date_widget_after: tuple[str, ...]
    """Words following a widget's date (``农历``), longest first."""
    doc_number_labels: tuple[str, ...]
    not_names: tuple[str, ...]
    """Words beside names in bylines that are no name (``整合``, ``新华社``), longest first."""
    name_titles: tuple[str, ...]
    """Titles printed right before a byline name (``研究员``), longest first."""
    not_name_chars: frozenset[str]
    """Function characters that rule a token of running text out as a name (了 in 记者了解到)."""
    doc_number_brackets: tuple[tuple[str, str], ...]
    """Open and close brackets printed around a 文号's year."""
    govmeta_labels: Mapping[str, str]
    """Disclosure-table label (``发布机构``) -> :class:`~crawler.items.GovMeta` field."""
    govmeta_expected: tuple[str, ...]
    """GovMeta fields a disclosure table is expected to carry."""
    document_headers: tuple[str, ...]
    """Words that end a gov document's masthead line (``文件``), longest first."""
    org_suffixes: tuple[str, ...]
    """Endings of organization names (``研究院``, ``局``), longest first."""
    not_org_chars: frozenset[str]
    """Function characters that rule a line out as an organization name (的 in 我们的局)."""
    letter_markers: tuple[str, ...]
    """Words that mark a reply or letter (``答复``), longest first."""
    salutation_suffixes: tuple[str, ...]
    """Endings of a letter's addressee (``委员``), longest first."""
    surnames: frozenset[str]
    """Common surnames, single and compound (``surnames.tsv``): a name read without a role label
    must start with one."""
    outlet_suffixes: tuple[str, ...]
    """Endings of news outlet names (``社``, ``网``, ``日报``), longest first."""
    places: frozenset[str]
    """Administrative division names, full and short (``places.tsv``): never a person."""
    reporter_qualifiers: frozenset[str]
    """Desks and media printed glued before a reporter label (``融媒体`` in 融媒体记者)."""


@dataclass(frozen=True, eq=False)
class MentionVocabulary:
    """Words of the enrichment rules that find mentions in text (places, people, amounts)."""

    person_titles: tuple[str, ...]
    """Job titles printed before a person's name (``副局长``), longest first."""
    places: Mapping[str, str]
    """Administrative division names to county level, full and short -> level."""
    place_official_names: Mapping[str, str]
    """The same names -> the division's official name (``嘉兴`` -> ``嘉兴市``)."""
    place_suffixes: Mapping[str, str]
    """Endings of place names (``县``) -> level, longest first."""
    place_stopwords: frozenset[str]
    """Words jieba tags as places that are not places."""
    amount_qualifiers: tuple[str, ...]
    """Words before an amount that make it a bound (``超过``), longest first."""
    foreign_currency: tuple[str, ...]
    """Words before ``元`` that make it a foreign currency (``新台币``), longest first."""
    place_levels: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Memo of :func:`pipelines.enrich.entities.place_level` (the suffix rules ran for every
    distinct word of every article: 0.8 ms per article on the crawl benchmark's pages)."""


@dataclass(frozen=True, eq=False)
class Vocabulary:
    page: PageVocabulary
    text: TextVocabulary
    fields: FieldVocabulary
    mentions: MentionVocabulary


class _Tables:
    """Reads the tables of one folder, each once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.read: dict[str, list[dict[str, str]]] = {}

    def rows(self, name: str) -> list[dict[str, str]]:
        if name not in self.read:
            self.read[name] = read_table(self.directory / name)
        return self.read[name]

    def column(self, name: str, column: str, **where: str) -> list[str]:
        return [row[column] for row in self.rows(name) if all(row[key] == value for key, value in where.items())]

    def mapping(self, name: str, key: str, value: str) -> dict[str, str]:
        return {row[key]: row[value] for row in self.rows(name)}

    def pattern(self, name: str, part: str) -> re.Pattern[str]:
        (found,) = self.column(name, "pattern", part=part)
        return re.compile(found)


def _page(tables: _Tables) -> PageVocabulary:
    def boilerplate(kind: str) -> list[str]:
        return tables.column("page_boilerplate.tsv", "word", kind=kind)

    def containers(kind: str) -> list[str]:
        return tables.column("page_containers.tsv", "word", kind=kind)

    def furniture(kind: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in tables.column("page_furniture.tsv", "pattern", kind=kind))

    cms: dict[str, dict[str, list[str]]] = {}
    for row in tables.rows("cms.tsv"):
        cms.setdefault(row["family"], {}).setdefault(row["kind"], []).append(row["value"])
    return PageVocabulary(
        boilerplate_tags=frozenset(boilerplate("tag")),
        boilerplate_tokens=frozenset(t.lower() for t in boilerplate("token")),
        weak_boilerplate_tokens=frozenset(t.lower() for t in boilerplate("weak_token")),
        boilerplate_substrings=tuple(boilerplate("substring")),
        keep_classes=frozenset(c.lower() for c in boilerplate("keep_class")),
        boilerplate_lines=furniture("paragraph"),
        boilerplate_links=furniture("link"),
        container_names=tuple(c.lower() for c in containers("body")),
        container_itemprops=tuple(containers("body_itemprop")),
        title_tokens=frozenset(containers("title")),
        subtitle_tokens=frozenset(containers("subtitle")),
        source_tokens=tuple(containers("source")),
        author_tokens=tuple(containers("author")),
        cms=MappingProxyType(
            {
                family: MappingProxyType({kind: tuple(values) for kind, values in parts.items()})
                for family, parts in cms.items()
            }
        ),
    )


def _text(tables: _Tables) -> TextVocabulary:
    def rules(rule: str) -> tuple[LineRule, ...]:
        return tuple(
            LineRule(re.compile(row["pattern"]), row["kind"])
            for row in tables.rows("text_lines.tsv")
            if row["rule"] == rule
        )

    def contacts(strength: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in tables.column("text_contacts.tsv", "pattern", strength=strength))

    return TextVocabulary(
        markers=tuple(Marker(row["phrase"], row["kind"]) for row in tables.rows("text_markers.tsv")),
        lines=rules("line"),
        fragments=rules("fragment"),
        contact_strong=contacts("strong"),
        contact_weak=contacts("weak"),
        breadcrumb_label=tables.pattern("text_breadcrumbs.tsv", "label"),
        breadcrumb_unlabelled=tables.pattern("text_breadcrumbs.tsv", "unlabelled"),
        breadcrumb_separators=tables.pattern("text_breadcrumbs.tsv", "separators"),
        breadcrumb_generic=frozenset(tables.column("text_breadcrumb_generic.tsv", "crumb")),
        title_spam=tuple(re.compile(p) for p in tables.column("title_spam.tsv", "pattern")),
        suffix_separators=tuple(tables.column("title_suffixes.tsv", "value", kind="separator")),
        site_words=tuple(tables.column("title_suffixes.tsv", "value", kind="site_word")),
        document_header=tables.pattern("title_document_header.tsv", "header"),
        salutation=tables.pattern("title_document_header.tsv", "salutation"),
        swaps=tuple(
            Swap(row["swapped"], row["correct"], _words(row["keep_in"]), row["seen"])
            for row in tables.rows("swaps.tsv")
        ),
        spun=tuple(
            SpunPhrase(row["spun"], row["original"], float(row["weight"]), _words(row["keep_in"]), row["seen"])
            for row in tables.rows("spun.tsv")
        ),
    )


def _fields(tables: _Tables) -> FieldVocabulary:
    labels = tables.rows("labels.tsv")

    def labels_of(field_name: str) -> tuple[str, ...]:
        return tuple(row["label"] for row in labels if row["field"] == field_name)

    roles = {row["label"]: row["role"] for row in labels if row["field"] == "author"}
    unknown = sorted(set(roles.values()) - set(get_args(Role)))
    if unknown:
        raise VocabularyError(f"labels.tsv: roles {unknown} are not in crawler.items.Role")
    return FieldVocabulary(
        labels=MappingProxyType({row["label"]: row["field"] for row in labels}),
        roles=MappingProxyType({label: cast(Role, role) for label, role in roles.items()}),
        source_labels=labels_of("source_name"),
        author_labels=labels_of("author"),
        editor_labels=labels_of("editor"),
        published_labels=labels_of("published"),
        not_published_labels=labels_of("not_published"),
        date_widget_before=_longest_first(tables.column("date_widgets.tsv", "word", position="before")),
        date_widget_after=_longest_first(tables.column("date_widgets.tsv", "word", position="after")),
        doc_number_labels=labels_of("doc_number"),
        not_names=_longest_first(tables.column("byline_not_names.tsv", "word")),
        name_titles=_longest_first(tables.column("byline_name_titles.tsv", "title")),
        not_name_chars=frozenset(tables.column("not_name_chars.tsv", "char")),
        doc_number_brackets=tuple((row["open"], row["close"]) for row in tables.rows("doc_number_brackets.tsv")),
        govmeta_labels=MappingProxyType(tables.mapping("govmeta_labels.tsv", "label", "key")),
        govmeta_expected=tuple(tables.column("govmeta_expected.tsv", "key")),
        document_headers=_longest_first(tables.column("document_headers.tsv", "word")),
        org_suffixes=_longest_first(tables.column("org_suffixes.tsv", "suffix")),
        not_org_chars=frozenset(tables.column("not_org_chars.tsv", "char")),
        letter_markers=_longest_first(tables.column("letter_markers.tsv", "marker")),
        salutation_suffixes=_longest_first(tables.column("salutation_suffixes.tsv", "suffix")),
        surnames=frozenset(tables.column("surnames.tsv", "surname")),
        outlet_suffixes=_longest_first(tables.column("outlet_suffixes.tsv", "suffix")),
        places=frozenset(tables.column("places.tsv", "name")),
        reporter_qualifiers=frozenset(tables.column("reporter_qualifiers.tsv", "word")),
    )


def _mentions(tables: _Tables) -> MentionVocabulary:
    places = tables.rows("places.tsv")
    suffixes = tables.mapping("place_suffixes.tsv", "suffix", "level")
    return MentionVocabulary(
        person_titles=_longest_first(tables.column("person_titles.tsv", "title")),
        places=MappingProxyType({row["name"]: row["level"] for row in places}),
        place_official_names=MappingProxyType({row["name"]: row["official"] for row in places}),
        place_suffixes=MappingProxyType({key: suffixes[key] for key in _longest_first(suffixes)}),
        place_stopwords=frozenset(tables.column("place_stopwords.tsv", "word")),
        amount_qualifiers=_longest_first(tables.column("amount_qualifiers.tsv", "word")),
        foreign_currency=_longest_first(tables.column("foreign_currency.tsv", "word")),
    )


@functools.cache
def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """The vocabulary in ``directory`` (default: :func:`vocab_dir`), read once per process.

    The result is immutable but for the place-level memo, which only ever caches what the
    tables say, so sharing it between pipeline instances is safe.
    """
    tables = _Tables(directory or vocab_dir())
    return Vocabulary(page=_page(tables), text=_text(tables), fields=_fields(tables), mentions=_mentions(tables))
