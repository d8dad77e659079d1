"""Choosing 来源, authors and 责任编辑 among a page's byline regions.

The parsing of one line is the shared :mod:`pipelines.fields.bylines`; this module decides
which lines to read, in which order, and what to fall back on (an outlet written in the author
slot, an element named ``source``, the disclosure table's 信息来源/发布机构, ``<meta name=
"source">``, an element named ``author``, a photo credit).

A 来源 printed with its label is the page's word. One read without a label (the word after the
header's date, an element named ``source``, a ``<meta>``) must be an outlet: not the name the
site gives itself (``SiteName``, ``og:site_name``, the ``<title>``'s suffix), not a weekday, a
date or another label. Visible values come before invisible ones.
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree
from lxml import html as lxml_html

from crawler.items import Person
from pipelines.extract.dom import Block, attribute_tokens, is_boilerplate, normalized_space
from pipelines.extract.regions import Regions, meta_content
from pipelines.fields.bylines import (
    byline_value,
    closing_people,
    dateline_people,
    is_outlet,
    is_person_name,
    labelled_value,
    labelled_values,
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
#: Elements that may be named by a class or id word, in page order (selected in C;
#: :func:`attribute_tokens` decides): scanning every element in Python cost 5% of extraction.
_LOWER = "translate(concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"


@cache
def _named_xpath(names: tuple[str, ...]) -> etree.XPath:
    wanted = " or ".join(f"contains({_LOWER}, '{name}')" for name in names)
    return etree.XPath(
        "(//body | /*[not(body)])//*[self::span or self::div or self::p or self::em or self::a]"
        f"[@class or @id][{wanted}]"
    )


_WEEKDAY = re.compile(r"^(?:星期|週|周|禮拜|礼拜)[一二三四五六日天]$")
_AFTER_DATE = re.compile(r"\s*《?(?P<name>[\u3400-\u9fff·]{2,12})》?(?:\s|$)")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _labelled(regions: Regions, labels: tuple[str, ...], vocab: FieldVocabulary) -> tuple[str | None, str]:
    for region, line in regions.all():
        if len(line) > _SHORT_LINE and region != "body":
            continue
        value = labelled_value(line, labels, vocab)
        if value and not _is_date_or_weekday(value):
            return value, f"{region} label"
    return None, "none"


def _is_date_or_weekday(value: str) -> bool:
    """A weekday, a date or a number is never an outlet (``2017年11月21日 星期二``)."""
    return bool(_WEEKDAY.match(value) or absolute_date(value) or not re.search(r"[^\d\s\W]", value))


def is_unlabelled_outlet(value: str, site_names: frozenset[str], vocab: FieldVocabulary) -> bool:
    """Whether a 来源 read without a label can be one: not the site's own name, a weekday or a
    date, a place (a dateline's city: ``2023年6月3日 北京``) or a person (``… 09:10 石佳``)."""
    if not value or _is_date_or_weekday(value) or _key(value) in site_names or value in vocab.places:
        return False
    return is_outlet(value, vocab) or not is_person_name(value, vocab, labelled=False)


def _outlet_in_author_slot(regions: Regions, vocab: FieldVocabulary) -> str | None:
    """A wire agency or outlet printed where the author goes (``作者：新华社``): the 来源."""
    for line in regions.header:
        if len(line) > _SHORT_LINE:
            continue
        for found in labelled_values(line, vocab):
            value = byline_value(found.value) if found.field == "author" else None
            if value and is_outlet(value, vocab):
                return value
    return None


def _printed_date(block: Block) -> str | None:
    """The date a header paragraph prints, as printed: a date form, or a ``<time datetime>``'s text."""
    found = absolute_date(block.text)
    if found is not None and found.raw in block.text:
        return found.raw
    element = block.element
    for time in element.iter("time") if element is not None else ():
        text = normalized_space(time.text_content())
        if time.get("datetime") and text and text in block.text:
            return text
    return None


def _after_date(block: Block, vocab: FieldVocabulary, site_names: frozenset[str]) -> str | None:
    """The outlet printed right after a header's date (``2019年10月23日 09:05 环球网``); a weekday
    and the site's own name between them are passed over (``… 星期五 新浪网 新浪娱乐``)."""
    line = block.text
    printed = _printed_date(block) if len(line) <= _SHORT_LINE else None
    if printed is None:
        return None
    after = line[line.find(printed) + len(printed) :]
    labels = (*vocab.editor_labels, *vocab.published_labels, *vocab.author_labels)
    while (match := _AFTER_DATE.match(after)) is not None:
        name = match["name"]
        if labelled_value(after, labels, vocab) or name in vocab.labels:
            return None
        if is_unlabelled_outlet(name, site_names, vocab):
            return name
        after = after[match.end() :]
    return None


def source_name_of(
    root: lxml_html.HtmlElement,
    regions: Regions,
    vocab: Vocabulary,
    gov_meta: dict[str, str],
    site_names: frozenset[str] = frozenset(),
) -> tuple[str | None, str]:
    value, how = _labelled(regions, vocab.fields.source_labels, vocab.fields)
    if value:
        return value, how
    for line in regions.header:
        pair = name_and_outlet(line)
        if pair:
            return pair[1], "header name/outlet"
    outlet = _outlet_in_author_slot(regions, vocab.fields)
    if outlet:
        return outlet, "header outlet in author slot"
    for block in regions.header_blocks:
        after = _after_date(block, vocab.fields, site_names)
        if after:
            return after, "header after date"
    element = _named_element_text(root, vocab, vocab.page.source_tokens)
    if element and is_unlabelled_outlet(element[0], site_names, vocab.fields):
        return element
    # The disclosure table is printed on the page; <meta> tags are not.
    for key in ("source", "issuer"):
        if gov_meta.get(key):
            return gov_meta[key], f"gov_meta {key}"
    meta = meta_content(root, _SOURCE_META)
    if meta:
        cleaned = re.sub(rf"^(?:{alternation(vocab.fields.source_labels)})\s*[：:]\s*", "", meta[0]).strip()
        if cleaned and len(cleaned) <= 30 and is_unlabelled_outlet(cleaned, site_names, vocab.fields):
            return cleaned, f"meta {meta[1]}"
    return None, "none"


def authors_of(root: lxml_html.HtmlElement, regions: Regions, vocab: Vocabulary) -> tuple[list[Person], str]:
    for line in regions.header:
        if len(line) <= _SHORT_LINE:
            people = people_in(line, vocab.fields)
            if people:
                return people, "header byline"
        pair = name_and_outlet(line)
        if pair and is_person_name(pair[0], vocab.fields, labelled=False):
            return [Person(pair[0], "author")], "header name/outlet"
    body = regions.body
    for line in body[:2]:
        # In running text a role must open a parenthesis: 记者了解到 … is no byline.
        people = parenthesized_people(line, vocab.fields)
        if people:
            return people, "dateline parenthesis"
        people = dateline_people(line, vocab.fields)
        if people:
            return people, "dateline names"
    short_ends = [t for t in body[:8] + body[-4:] + regions.tail if len(t) <= 40]
    for line in short_ends:
        people = people_in(line, vocab.fields, anywhere=True)
        if people:
            return people, "body byline line"
    for line in body[-3:]:
        people = people_in(line[-60:], vocab.fields)
        if people:
            return people, "closing byline"
    for line in body[-2:]:
        people = closing_people(line, vocab.fields)
        if people:
            return people, "closing names"
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
    """Names in an element called ``author`` (``<span id="author_baidu">王帆</span>``); a layout
    block of that name (a heading 相关文章 over a list) names nobody."""
    editor_or_place = re.compile(alternation(vocab.fields.editor_labels, longest_first=False) + r"|[电電縣县市]$|\d")
    for element in _named_elements(root, vocab.page.author_tokens):
        if any(is_boilerplate(a, vocab.page) for a in element.iterancestors()):
            continue
        text = normalized_space(element.text_content())
        if not 2 <= len(text) <= 30 or editor_or_place.search(text):
            continue
        labelled = re.match(r"^.*?[：:︱|]", text) is not None
        names = names_in(re.sub(r"^.*?[：:︱|]", "", text), vocab.fields)
        if names and all(is_person_name(name, vocab.fields, labelled=labelled) for name in names):
            return [Person(n, "author") for n in names], f"element {element.get('class') or element.get('id')}"
    return [], "none"


def editor_of(regions: Regions, vocab: FieldVocabulary) -> tuple[str | None, str]:
    responsible = tuple(label for label in vocab.editor_labels if label not in ("编辑", "編輯"))
    for labels in (responsible, vocab.editor_labels):
        value, how = _labelled(regions, labels, vocab)
        if value:
            return value, how
    return None, "none"


def _named_elements(root: lxml_html.HtmlElement, names: tuple[str, ...]) -> list[lxml_html.HtmlElement]:
    """Elements with one of ``names`` among their class/id words, in page order."""
    if not names:
        return []
    return [element for element in _named_xpath(names)(root) if attribute_tokens(element).intersection(names)]


def _named_element_text(
    root: lxml_html.HtmlElement, vocab: Vocabulary, names: tuple[str, ...]
) -> tuple[str, str] | None:
    """The short unlabelled text of an element whose class or id word is one of ``names`` (qq ``a_source``)."""
    for element in _named_elements(root, names):
        if any(is_boilerplate(a, vocab.page) for a in element.iterancestors()):
            continue
        text = re.sub(r"^.{0,6}?[：:]\s*", "", normalized_space(element.text_content()))
        if 2 <= len(text) <= 20 and re.fullmatch(r"[\u3400-\u9fff·－\-A-Za-z0-9]+", text):
            return text, f"element {element.get('class') or element.get('id')}"
    return None
