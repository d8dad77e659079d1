"""Government disclosure metadata (政府信息公开 table) into stable English keys.

Portals print the table in two layouts: label and value in one cell (``<td>索引号：0147…</td>``,
also ``<li>``/``<span>``), or the label in one cell and the value in the next (``<th>索引号</th>
<td>0147…</td>``, ``<dt>``/``<dd>``, ``<label>`` + ``<div>``). Both are read by one scan of short
elements whose text starts with a known label. Labels map to keys through
``pipelines/vocab/govmeta_labels.tsv``, whose keys are the fields of
:class:`crawler.items.GovMeta`. The expected keys a table lacks and the values that fail their
check (索引号 form, a 文号 cell that holds none, 成文日期 <= 发布日期 <= fetch time) become the
article's quality notes.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from lxml import html as lxml_html

from crawler.items import GovMeta, InvalidValue
from pipelines.extract.dom import normalized_space
from pipelines.fields.dates import absolute_date
from pipelines.fields.docnumber import LATEST_YEAR, PLACEHOLDERS, find_doc_number
from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary

_CELL_TAGS = ("td", "th", "li", "span", "div", "p", "dt", "dd", "label", "font", "b", "strong", "em")
_SEPARATOR = re.compile(r"^\s*[：:]\s*")
#: 索引号: organisation code (9 or 18 characters), year, serial (0147… /2023-0040295).
_INDEX_NUMBER = re.compile(r"^[0-9A-Z]{8,9}-?[0-9A-Z]?(?:[0-9A-Z]{8})?\s*[/／-]\s*(?:19|20)\d{2}\s*[-/／]\s*\d+$")
#: Whitespace :func:`~pipelines.extract.dom.normalized_space` collapses, to strip one text.
_BLANK = " \t\r\n\f\v\xa0\u3000\u2002\u2003\u2009\u200b\ufeff"
#: Minimum number of distinct keys before a set of labelled cells counts as a disclosure table.
_MIN_TABLE_KEYS = 2
#: Keys an article's info bar prints too (发布日期：… 浏览次数：… 信息来源：…): a bar of these
#: alone is a dateline, not a disclosure table.
_DATELINE_KEYS = frozenset(("published_date", "source"))


@dataclass
class DisclosureTable:
    """The labelled cells of a page's disclosure table, before they become a :class:`GovMeta`."""

    fields: dict[str, str] = field(default_factory=dict)
    """:class:`GovMeta` key -> value as printed."""
    labels: dict[str, str] = field(default_factory=dict)
    """:class:`GovMeta` key -> the label printed (``发文字号``), for provenance."""
    missing: list[str] = field(default_factory=list)
    layout: str | None = None

    def gov_meta(self) -> GovMeta | None:
        return GovMeta(**self.fields) if self.fields else None


@cache
def _label_regex(vocab: FieldVocabulary) -> re.Pattern[str]:
    # Labels are printed with padding spaces (索 引 号) on some portals.
    alternatives = alternation(vocab.govmeta_labels, spaced=True)
    return re.compile(rf"^\s*[【\[]?(?P<label>{alternatives})\s*[】\]]?\s*(?P<sep>[：:]?)")


@cache
def _label_starts(vocab: FieldVocabulary) -> frozenset[str]:
    """The characters a cell that opens with a label can start with: a label's first, a bracket."""
    return frozenset(label[0] for label in vocab.govmeta_labels) | {"【", "["}


@cache
def _next_label(vocab: FieldVocabulary) -> re.Pattern[str]:
    """A label with its colon after a space: where a value printed in a row of cells ends
    (``014717475N/2023-0040295 发布机构： 宜春市统计局``, ``2024-05-10 浏览次数： 信息来源：…``)."""
    labels = alternation((*vocab.govmeta_labels, *vocab.labels), spaced=True)
    return re.compile(rf"\s[【\[]?(?P<label>{labels})\s*[】\]]?\s*[：:]")


def _row_values(text: str, match: re.Match[str], vocab: FieldVocabulary) -> list[tuple[str, str]]:
    """``(label, value)`` of a cell that holds a row of ``label：value`` pairs, the first one
    matched by ``match``; each value ends where the next label starts, and the values of labels
    that are not the table's (浏览次数) are passed over."""
    pairs: list[tuple[str, str]] = []
    label: str | None = re.sub(r"\s+", "", match["label"])
    start = match.end()
    for following in _next_label(vocab).finditer(text, start):
        if label is not None:
            pairs.append((label, text[start : following.start()].strip()))
        printed = re.sub(r"\s+", "", following["label"])
        label, start = (printed if printed in vocab.govmeta_labels else None), following.end()
    if label is not None:
        pairs.append((label, text[start:].strip()))
    return pairs


def cell_text(element: lxml_html.HtmlElement) -> str:
    """A cell's text; a ``<time datetime>`` in it reads as its machine-readable date (the text
    may lack the year: ``<time datetime="2023-04-18">4月18日</time>``)."""
    if element.find(".//time[@datetime]") is None:
        return normalized_space(element.text_content())
    copy = deepcopy(element)
    for time in copy.iter("time"):
        value, tail = time.get("datetime"), time.tail
        if value:
            time.clear()
            time.text, time.tail = value, tail
    return normalized_space(copy.text_content())


def _next_value(element: lxml_html.HtmlElement) -> str:
    sibling = element.getnext()
    while sibling is not None and not normalized_space(sibling.text_content()):
        sibling = sibling.getnext()
    if sibling is None:
        parent = element.getparent()
        if parent is not None and parent.tag in ("font", "b", "strong", "label", "span"):
            return _next_value(parent)
        return ""
    return cell_text(sibling)


def disclosure_metadata(root: lxml_html.HtmlElement, vocab: FieldVocabulary) -> DisclosureTable:
    """The labelled disclosure fields of a page (empty when it has no such table)."""
    label_regex = _label_regex(vocab)
    starts = _label_starts(vocab)
    meta = DisclosureTable()
    layouts: set[str] = set()
    body = root.find("body")
    times = root.find(".//time[@datetime]") is not None
    for element in (body if body is not None else root).iter(*_CELL_TAGS):
        # A cell whose own first text does not open with a label's first character is none:
        # ruled out before its whole text is built (most cells, a tenth of extraction's time).
        own = (element.text or "").lstrip(_BLANK)
        if own and own[0] not in starts:
            continue
        text = cell_text(element) if times else normalized_space(element.text_content())
        if not text or len(text) > 120:
            continue
        match = label_regex.match(text)
        if not match:
            continue
        label = re.sub(r"\s+", "", match["label"])
        if vocab.govmeta_labels[label] in meta.fields:
            continue
        pairs = _row_values(text, match, vocab)
        layout = "same cell"
        if not pairs[0][1]:
            # The label cell holds the label alone: the value is the next cell.
            if len(text) - len(match.group(0)) > 0:
                continue
            value = _next_value(element)
            pairs, layout = [(label, "" if label_regex.match(value) else value)], "adjacent cells"
        elif not match["sep"]:
            continue  # 文号是 … in running text is not a label
        for printed, value in pairs:
            key = vocab.govmeta_labels[printed]
            if value and key not in meta.fields:
                meta.fields[key] = value
                meta.labels[key] = printed
                layouts.add(layout)
    if len(meta.fields) < _MIN_TABLE_KEYS or set(meta.fields) <= _DATELINE_KEYS:
        return DisclosureTable()
    meta.layout = " + ".join(sorted(layouts))
    meta.missing = [key for key in vocab.govmeta_expected if key not in meta.fields]
    return meta


def invalid_fields(meta: DisclosureTable, fetched: datetime | None, vocab: FieldVocabulary) -> list[InvalidValue]:
    """The values of ``meta`` that fail their checks, with the reason."""
    invalid: list[InvalidValue] = []
    cells = meta.fields
    index_number = cells.get("index_number")
    if index_number and not _INDEX_NUMBER.match(index_number.replace(" ", "")):
        invalid.append(InvalidValue("index_number", index_number, "not_an_index_number"))
    cell = cells.get("doc_number")
    if cell and cell not in PLACEHOLDERS and find_doc_number(cell, vocab, reference_year=LATEST_YEAR) is None:
        invalid.append(InvalidValue("doc_number", cell, "not_a_doc_number"))
    dates: dict[str, datetime] = {}
    for key in ("written_date", "issued_date", "published_date", "effective_date", "repealed_date"):
        raw = cells.get(key)
        if not raw:
            continue
        parsed = absolute_date(raw)
        if parsed is None:
            invalid.append(InvalidValue(key, raw, "unreadable_date"))
        else:
            dates[key] = parsed.value
    published_key = "published_date" if "published_date" in dates else "issued_date"
    published = dates.get(published_key)
    written = dates.get("written_date")
    if written and published and written.date() > published.date():
        invalid.append(InvalidValue("written_date", cells["written_date"], "written_after_published"))
    if published and fetched and published > fetched:
        invalid.append(InvalidValue(published_key, cells[published_key], "published_after_fetch"))
    return invalid
