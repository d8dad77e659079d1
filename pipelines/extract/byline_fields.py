"""Choosing 来源, authors and 责任编辑 among a page's byline regions.

The parsing of one line is the shared :mod:`pipelines.fields.bylines`; this module decides
which lines to read, in which order, and what to fall back on (``<meta name="source">``, the
disclosure table's 信息来源/发布机构, an element named ``author``, a photo credit).
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from crawler.items import Person
from pipelines.extract.dom import attribute_tokens, is_boilerplate, normalized_space
from pipelines.extract.regions import Regions, meta_content
from pipelines.fields.bylines import (
    labelled_value,
    name_and_outlet,
    names_in,
    parenthesized_people,
    people_in,
    photo_credit,
)
from pipelines.fields.dates import absolute_date
from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary, Vocabulary

_SOURCE_META = ("source", "ContentSource", "og:article:source", "article:source")
_SHORT_LINE = 80


def _labelled(regions: Regions, labels: tuple[str, ...], vocab: FieldVocabulary) -> tuple[str | None, str]:
    for region, line in regions.all():
        if len(line) > _SHORT_LINE and region != "body":
            continue
        value = labelled_value(line, labels, vocab)
        if value:
            return value, f"{region} label"
    return None, "none"


def source_name_of(
    root: lxml_html.HtmlElement, regions: Regions, vocab: Vocabulary, gov_meta: dict[str, str]
) -> tuple[str | None, str]:
    value, how = _labelled(regions, vocab.fields.source_labels, vocab.fields)
    if value:
        return value, how
    for line in regions.header:
        pair = name_and_outlet(line)
        if pair:
            return pair[1], "header name/outlet"
        found = absolute_date(line)
        if found and len(line) <= _SHORT_LINE:
            # "2019年10月23日 09:05 环球网": the outlet printed right after the time.
            after = line[line.find(found.raw) + len(found.raw) :] if found.raw in line else ""
            match = re.match(r"\s*(?P<name>[\u3400-\u9fff·]{2,12})(?:\s|$)", after)
            if match and not labelled_value(
                after, (*vocab.fields.editor_labels, *vocab.fields.published_labels), vocab.fields
            ):
                return match["name"], "header after date"
    element = _named_element_text(root, vocab, "source")
    if element:
        return element
    meta = meta_content(root, _SOURCE_META)
    if meta:
        cleaned = re.sub(rf"^(?:{alternation(vocab.fields.source_labels)})\s*[：:]\s*", "", meta[0]).strip()
        if cleaned and len(cleaned) <= 30:
            return cleaned, f"meta {meta[1]}"
    for key in ("source", "issuer"):
        if gov_meta.get(key):
            return gov_meta[key], f"gov_meta {key}"
    return None, "none"


def authors_of(root: lxml_html.HtmlElement, regions: Regions, vocab: Vocabulary) -> tuple[list[Person], str]:
    for line in regions.header:
        if len(line) <= _SHORT_LINE:
            people = people_in(line, vocab.fields)
            if people:
                return people, "header byline"
        pair = name_and_outlet(line)
        if pair:
            return [Person(pair[0], "author")], "header name/outlet"
    body = regions.body
    for line in body[:2]:
        # In running text a role must open a parenthesis: 记者了解到 … is no byline.
        people = parenthesized_people(line, vocab.fields)
        if people:
            return people, "dateline parenthesis"
    short_ends = [t for t in body[:8] + body[-4:] + regions.tail if len(t) <= 40]
    for line in short_ends:
        people = people_in(line, vocab.fields, anywhere=True)
        if people:
            return people, "body byline line"
    for line in body[-3:]:
        people = people_in(line[-60:], vocab.fields)
        if people:
            return people, "closing byline"
    people, how = _author_element(root, vocab)
    if people:
        return people, how
    # Meta author tags are left out: Chinese CMSs fill them with editors or account ids.
    for line in regions.header + body[:3]:
        credit = photo_credit(line, vocab.fields)
        if credit:
            return [credit], "photo credit"
    return [], "none"


def _author_element(root: lxml_html.HtmlElement, vocab: Vocabulary) -> tuple[list[Person], str]:
    """Names in an element called ``author`` (``<span id="author_baidu">王帆</span>``)."""
    body_element = root.find("body")
    editor_or_place = re.compile(alternation(vocab.fields.editor_labels, longest_first=False) + r"|[电電縣县市]$|\d")
    for element in (body_element if body_element is not None else root).iter("span", "div", "p", "em", "a"):
        if "author" not in attribute_tokens(element) and "author_baidu" not in (element.get("id") or "").lower():
            continue
        if any(is_boilerplate(a, vocab.page) for a in element.iterancestors()):
            continue
        text = normalized_space(element.text_content())
        if not 2 <= len(text) <= 30 or editor_or_place.search(text):
            continue
        names = names_in(re.sub(r"^.*?[：:︱|]", "", text), vocab.fields)
        if names:
            return [Person(n, "author") for n in names], f"element {element.get('class') or element.get('id')}"
    return [], "none"


def editor_of(regions: Regions, vocab: FieldVocabulary) -> tuple[str | None, str]:
    responsible = tuple(label for label in vocab.editor_labels if label not in ("编辑", "編輯"))
    for labels in (responsible, vocab.editor_labels):
        value, how = _labelled(regions, labels, vocab)
        if value:
            return value, how
    return None, "none"


def _named_element_text(root: lxml_html.HtmlElement, vocab: Vocabulary, name: str) -> tuple[str, str] | None:
    """The short unlabelled text of an element whose class or id word is ``name`` (qq ``a_source``)."""
    body_element = root.find("body")
    for element in (body_element if body_element is not None else root).iter("span", "div", "p", "em", "a"):
        if name not in attribute_tokens(element):
            continue
        if any(is_boilerplate(a, vocab.page) for a in element.iterancestors()):
            continue
        text = re.sub(r"^.{0,6}?[：:]\s*", "", normalized_space(element.text_content()))
        if 2 <= len(text) <= 20 and re.fullmatch(r"[\u3400-\u9fff·－\-A-Za-z0-9]+", text):
            return text, f"element {element.get('class') or element.get('id')}"
    return None
