"""Page furniture recognized by its shape rather than its name.

Class and id words (``pipelines/vocab/page_boilerplate.tsv``) name most share bars and comment boxes, but not
all: a comment list in ``<div class="box2">`` or a news list in ``<dl class="listing">`` says
what it is only through its structure. An *entry stream* is such a list: an element with at
least three child items of one tag that each carry a machine-printed time stamp (``2023-06-03 10:20``,
``06-04 08:15``, ``3小时前``), the way comment threads, message boards and "latest news" lists
print every entry, each in an element of its own. Paragraphs and tables (a notice's schedule)
are never entries, and a time inside a sentence is not a stamp.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from lxml import html as lxml_html

#: A time stamp as comment and list templates print it: a numeric date with a clock time, or
#: a relative time.
TIME_STAMP = re.compile(
    r"(?:(?:19|20)\d{2}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}"
    r"|\d{1,3}\s*(?:秒|分钟|小时|天)前"
)
_MIN_ITEMS = 3
#: Entries are short; a longer block with a time in it is a paragraph that quotes one.
_MAX_ITEM_CHARS = 300
_MAX_STAMP_CHARS = 30
#: Compiled once: the cheap ``contains`` tests first, then the length of the few left.
_CANDIDATES = etree.XPath(
    f".//text()[contains(., ':') or contains(., '前')][string-length(normalize-space(.)) <= {_MAX_STAMP_CHARS}]"
)
#: Paragraphs and table rows are article material (a notice's schedule), never entries.
_NOT_ITEMS = frozenset(("p", "tr", "td", "th", "tbody", "table", "html", "body"))


def entry_streams(root: lxml_html.HtmlElement) -> frozenset[lxml_html.HtmlElement]:
    """Elements whose children are entries with a time stamp each (comment threads, lists)."""
    # The stamp stands alone (its own span, or the tail after a headline link), as templates
    # print it; a time inside a sentence is a schedule or a quote. XPath picks the few short
    # candidate text nodes in C; the pattern runs only on those.
    candidates = _CANDIDATES(root)
    items: dict[lxml_html.HtmlElement, set[lxml_html.HtmlElement]] = {}
    for text in candidates:
        if not TIME_STAMP.search(text):
            continue
        child = text.getparent()
        if child is not None and text.is_tail:
            child = child.getparent()
        while child is not None:
            parent = child.getparent()
            if parent is None or parent.tag in ("html", "body"):
                break
            items.setdefault(parent, set()).add(child)
            child = parent
    streams = set()
    for parent, stamped in items.items():
        entries = [
            item
            for item in stamped
            if isinstance(item.tag, str)
            and item.tag not in _NOT_ITEMS
            and len(item.text_content().strip()) <= _MAX_ITEM_CHARS
        ]
        tags = Counter(entry.tag for entry in entries)
        if tags and tags.most_common(1)[0][1] >= _MIN_ITEMS:
            streams.add(parent)
    return frozenset(streams)
