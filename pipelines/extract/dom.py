"""The one parse of a page, and the DOM helpers every field extractor shares.

A page is parsed once with lxml (comments dropped, so CMS markers such as
``<!--<$[信息来源]>begin-->`` do not split a value in two); every extractor works on that tree.
Elements that never carry article text (scripts, styles, forms, hidden elements) are removed
up front; boilerplate blocks (navigation, share bars, related lists, comments, footers) are
recognized by class/id tokens from ``pipelines/vocab/page_boilerplate.tsv`` and skipped when text is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from pipelines.vocab import PageVocabulary

# fmt: off
#: Elements removed before anything reads the tree: they never hold visible article text.
DROPPED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "select", "textarea",
    "button", "input", "svg", "canvas", "video", "audio", "map",
)
#: Elements after which a new paragraph starts when text is read.
BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "br", "caption",
))
# fmt: on
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")

_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)


def parsed_document(html: str) -> lxml_html.HtmlElement:
    """The page's element tree, without scripts, styles, forms and hidden elements."""
    # lxml refuses str input that carries an XML encoding declaration.
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html, count=1)
    try:
        root = lxml_html.document_fromstring(html or "<html></html>", parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = lxml_html.document_fromstring("<html></html>", parser=_PARSER)
    for element in root.xpath("//" + " | //".join(DROPPED_TAGS)):
        element.drop_tree()
    for element in root.xpath("//*[@hidden or contains(@style, 'none') or contains(@style, 'hidden')]"):
        if element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style", "")):
            element.drop_tree()
    return root


def normalized_space(text: str) -> str:
    """``text`` with whitespace runs (including ideographic and no-break spaces) as one space."""
    return _SPACE.sub(" ", text).strip()


def attribute_tokens(element: lxml_html.HtmlElement) -> set[str]:
    """Lower-case words of an element's class and id (``post_btmshare`` -> post, btmshare)."""
    value = f"{element.get('class', '')} {element.get('id', '')}"
    return {token.lower() for token in _TOKEN_SPLIT.split(value) if token}


def attribute_words(element: lxml_html.HtmlElement) -> str:
    """An element's class and id joined, lower-cased, for substring tests."""
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def is_boilerplate(element: lxml_html.HtmlElement, vocab: PageVocabulary) -> bool:
    """Whether an element's tag, class or id marks it as navigation, share bar, comments …"""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in vocab.boilerplate_tags:
        return True
    if tag in ("html", "body"):
        return False
    if (element.get("class") or "").strip().lower() in vocab.keep_classes:
        return False
    tokens = attribute_tokens(element)
    if tokens & vocab.boilerplate_tokens:
        return True
    words = attribute_words(element)
    if any(part in words for part in vocab.boilerplate_substrings):
        return True
    return bool(tokens & vocab.weak_boilerplate_tokens) and not holds_prose(element)


#: A block with this many characters of sentence text is article material, whatever its name.
_PROSE_CHARS = 200
_SENTENCE_END = re.compile(r"[。！？；]")


def holds_prose(element: lxml_html.HtmlElement) -> bool:
    """Whether an element holds running text (several sentences outside links)."""
    text = element.text_content()
    if len(text) < _PROSE_CHARS:
        return False
    link_len = sum(len(a.text_content()) for a in element.iter("a"))
    return len(text) - link_len >= _PROSE_CHARS and len(_SENTENCE_END.findall(text)) >= 3


@dataclass(frozen=True)
class Block:
    """One paragraph of visible text and how much of it is link text."""

    text: str
    link_chars: int

    @property
    def link_density(self) -> float:
        length = len(self.text.replace(" ", ""))
        return self.link_chars / length if length else 1.0


def _is_furniture_link(element: lxml_html.HtmlElement, vocab: PageVocabulary) -> bool:
    if element.tag != "a":
        return False
    text = normalized_space(element.text_content())
    return any(pattern.search(text) for pattern in vocab.boilerplate_links)


def text_blocks(element: lxml_html.HtmlElement, vocab: PageVocabulary | None = None) -> list[Block]:
    """Visible text of ``element`` split into paragraphs at block elements and ``<br>``.

    Boilerplate subtrees (when ``vocab`` is given) are left out. Hand-written rather than
    ``itertext()`` because paragraphs must break at block boundaries and link text is counted
    per paragraph in the same walk.
    """
    blocks: list[Block] = []
    current: list[str] = []
    link_chars = [0]

    def flush() -> None:
        text = normalized_space("".join(current))
        if text:
            blocks.append(Block(text, min(link_chars[0], len(text.replace(" ", "")))))
        current.clear()
        link_chars[0] = 0

    def walk(node: lxml_html.HtmlElement, in_link: bool) -> None:
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag and not (vocab is not None and (is_boilerplate(child, vocab) or _is_furniture_link(child, vocab))):
                block = tag in BLOCK_TAGS
                if block:
                    flush()
                link = in_link or tag == "a"
                if child.text:
                    current.append(child.text)
                    if link:
                        link_chars[0] += len(normalized_space(child.text).replace(" ", ""))
                walk(child, link)
                if block:
                    flush()
            if child.tail:
                current.append(child.tail)
                if in_link:
                    link_chars[0] += len(normalized_space(child.tail).replace(" ", ""))

    if element.text:
        current.append(element.text)
    walk(element, element.tag == "a")
    flush()
    return blocks


_GB_ENCODINGS = frozenset({"gb18030", "gbk", "gb2312", "cp936", "hz"})
#: Share of non-ASCII characters lost as U+FFFD above which re-read UTF-8 is not a repair.
_MAX_REPAIR_ERRORS = 0.25


def repaired_text(text: str, encoding: str | None) -> str | None:
    """UTF-8 text recovered from a page decoded as GB18030 because its meta charset lied, or None.

    Pages that declare ``charset=gb2312`` but carry UTF-8 bytes reach us as mojibake when the
    decoder trusted the declaration. GB18030 round-trips every byte pair it decoded, so encoding
    the text back yields the original bytes except where the decoder substituted U+FFFD (one
    lost byte each); those characters come back as a single U+FFFD. Genuine GBK text re-read
    as UTF-8 is mostly invalid, which is what tells the two apart.
    """
    if not encoding or encoding.lower().replace("_", "") not in _GB_ENCODINGS:
        return None
    try:
        raw = b"\xff".join(part.encode("gb18030") for part in text.split("\ufffd"))
    except UnicodeEncodeError:
        return None
    recovered = raw.decode("utf-8", errors="replace")
    errors = recovered.count("\ufffd")
    non_ascii = sum(1 for char in recovered if ord(char) > 127)
    if not non_ascii or errors > _MAX_REPAIR_ERRORS * non_ascii:
        return None
    return re.sub("\ufffd+", "\ufffd", recovered)
