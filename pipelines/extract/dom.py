"""The one parse of a page, and the DOM helpers every field extractor shares.

A page is parsed once with lxml (comments dropped, so CMS markers such as
``<!--<$[信息来源]>begin-->`` do not split a value in two); every extractor works on that tree.
Elements that never carry article text (scripts, styles, forms, hidden elements) are removed
up front; boilerplate blocks (navigation, share bars, related lists, comments, footers) are
recognized by class/id tokens from ``pipelines/vocab/page_boilerplate.tsv`` and skipped when text is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# fmt: on
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-]+")
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009]+")
# Zero-width space and BOM separate nothing: dropped, not made a space, as the cleaning stage
# drops them from a .txt page (pipelines/text/normalize.py), so both inputs give one text.
_ZERO_WIDTH = re.compile("[\u200b\ufeff]")

# A <title> inside the body (an included fragment's own head) is invisible in browsers.
#: The ``style`` and ``hidden`` attributes of the page, for hidden elements: selecting the
#: attributes costs half of selecting the elements by a condition on them.
_STYLES = etree.XPath("//@style | //@hidden")
_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)


#: ``</body>`` and ``</html>`` end tags. Browsers treat content after them as part of the body
#: (HTML5 "after body" insertion mode); libxml2 drops everything after ``</html>`` and puts what
#: follows ``</body>`` outside the body, so a fragment included with its own end tags (a shared
#: header, an ad snippet) would cut the article off the page.
_DOCUMENT_END_TAGS = re.compile(r"</\s*(?:body|html)\s*>", re.I)


@dataclass(frozen=True)
class Document:
    """The page's visible tree, and the machine-readable data its dropped scripts carried."""

    root: lxml_html.HtmlElement
    json_ld: tuple[str, ...] = ()
    """The text of every ``<script type="application/ld+json">``, read before scripts go."""
    too_deep: bool = False
    """The markup nests deeper than libxml2 reads (256 elements): what lies deeper is not in
    ``root``. Even its ``huge_tree`` option gives up soon after, so the caller can only say so."""


def parsed_page(html: str) -> Document:
    """The page's element tree, without scripts, styles, forms and hidden elements, and the
    JSON-LD blocks read from the scripts before they were dropped.

    The tree is the one a browser shows: ``</body>`` and ``</html>`` end tags are dropped before
    parsing (both are optional in HTML), so stray ones in the middle of a page keep what follows
    them in the body.
    """
    # lxml refuses str input that carries an XML encoding declaration.
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html, count=1)
    html = _DOCUMENT_END_TAGS.sub("", html)
    try:
        root = lxml_html.document_fromstring(html or "<html></html>", parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = lxml_html.document_fromstring("<html></html>", parser=_PARSER)
    too_deep = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _PARSER.error_log)
    json_ld = tuple(
        script.text
        for script in root.iter("script")
        if script.get("type", "").strip().lower() == "application/ld+json" and script.text and script.text.strip()
    )
    # iter() filters by tag in C: a third of the time of the same selection by XPath.
    body = root.find("body")
    dropped = [*root.iter(*DROPPED_TAGS), *(body.iter("title") if body is not None else ())]
    for element in dropped:
        element.drop_tree()
    hidden = {value.getparent() for value in _STYLES(root) if value.attrname == "hidden" or _HIDDEN_STYLE.search(value)}
    for element in hidden:
        element.drop_tree()
    return Document(root, json_ld, too_deep)


def parsed_document(html: str) -> lxml_html.HtmlElement:
    """The page's visible element tree (:func:`parsed_page` without the script data)."""
    return parsed_page(html).root


def normalized_space(text: str) -> str:
    """``text`` with whitespace runs (including ideographic and no-break spaces) as one space."""
    return _SPACE.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


def attribute_tokens(element: lxml_html.HtmlElement) -> set[str]:
    """Lower-case words of an element's class and id (``post_btmshare`` -> post, btmshare)."""
    value = f"{element.get('class', '')} {element.get('id', '')}"
    lower = value.lower()
    if lower == value:  # no camelCase to split: the plain split is twice as fast
        return {token for token in _SEPARATORS.split(lower) if token}
    return {token.lower() for token in _TOKEN_SPLIT.split(value) if token}


def attribute_words(element: lxml_html.HtmlElement) -> str:
    """An element's class and id joined, lower-cased, for substring tests."""
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def boilerplate_name(element: lxml_html.HtmlElement, vocab: PageVocabulary) -> str | None:
    """``strong`` when an element's tag, class or id names navigation, share bars, comments …;
    ``weak`` for words that also name article wrappers (header, editor, right); else ``None``.

    A name is only a hint: sites reuse these words for other things (``font_family_cn`` wraps
    a gov article, ``comment`` can name an article's own commentary), so callers weigh it
    against how much of the text the element holds.
    """
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in vocab.boilerplate_tags:
        return "strong"
    if tag in ("html", "body"):
        return None
    classes, ident = element.get("class"), element.get("id")
    if not classes and not ident:
        return None
    if (classes or "").strip().lower() in vocab.keep_classes:
        return None
    tokens = attribute_tokens(element)
    if tokens & vocab.boilerplate_tokens:
        return "strong"
    words = attribute_words(element)
    if any(part in words for part in vocab.boilerplate_substrings):
        return "strong"
    return "weak" if tokens & vocab.weak_boilerplate_tokens else None


def is_boilerplate(element: lxml_html.HtmlElement, vocab: PageVocabulary) -> bool:
    """Whether an element's name marks it as page furniture and it holds no running text."""
    kind = boilerplate_name(element, vocab)
    return kind == "strong" or (kind == "weak" and not holds_prose(element))


#: Share of a container's text that makes a named child the article rather than furniture in it.
_MOST = 2 / 3
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


def prose_chars(element: lxml_html.HtmlElement) -> int:
    """Characters of visible text outside links (whitespace not counted)."""
    text = len(_SPACE.sub("", element.text_content()))
    return text - sum(len(_SPACE.sub("", a.text_content())) for a in element.iter("a"))


@dataclass(frozen=True)
class Block:
    """One paragraph of visible text, how much of it is link text, whether it is a heading
    (``h1``-``h6``), and the block element that holds it (for field readers that must know
    where a value sits: inside a list entry, beside a ``<time>`` element)."""

    text: str
    link_chars: int
    heading: bool = False
    element: lxml_html.HtmlElement | None = field(default=None, compare=False, repr=False)

    @property
    def link_density(self) -> float:
        length = len(self.text.replace(" ", ""))
        return self.link_chars / length if length else 1.0


def _is_furniture_link(element: lxml_html.HtmlElement, vocab: PageVocabulary) -> bool:
    if element.tag != "a":
        return False
    text = normalized_space(element.text_content())
    return any(pattern.search(text) for pattern in vocab.boilerplate_links)


def text_blocks(
    element: lxml_html.HtmlElement,
    vocab: PageVocabulary | None = None,
    streams: frozenset[lxml_html.HtmlElement] = frozenset(),
    *,
    link_breaks: bool = False,
) -> list[Block]:
    """Visible text of ``element`` split into paragraphs at block elements and ``<br>``.

    ``link_breaks``: a link's text is set apart by spaces, so a value stops where the next
    link starts (``来源：<a>新华网</a><a>打印</a>`` reads ``来源： 新华网 打印``), as the byline
    regions need; the body keeps its text as printed.

    Entry ``streams`` (comment threads and lists, :mod:`pipelines.extract.shapes`) are left
    out. When ``vocab`` is given, so are subtrees named as boilerplate, except one that holds
    two thirds of ``element``'s text outside links: that is the article under a misleading
    name, not a share bar inside it. Hand-written rather than ``itertext()`` because
    paragraphs must break at block boundaries and link text is counted per paragraph in the
    same walk.
    """
    blocks: list[Block] = []
    current: list[str] = []
    link_chars = [0]
    total_prose: list[int] = []  # computed on first need: most containers hold no named block

    def skipped(child: lxml_html.HtmlElement) -> bool:
        if child in streams:
            return True
        if vocab is None:
            return False
        if _is_furniture_link(child, vocab):
            return True
        if not is_boilerplate(child, vocab):
            return False
        if not total_prose:
            total_prose.append(prose_chars(element))
        return prose_chars(child) < _MOST * total_prose[0] or not total_prose[0]

    headings = [0]  # depth of h1-h6 elements around the text being read
    holders = [element]  # the block elements around the text being read, innermost last
    plain = vocab is None and not streams  # nothing to skip: the common case of the regions

    def flush() -> None:
        if not current:
            return
        text = normalized_space("".join(current))
        if text:
            link = min(link_chars[0], len(text.replace(" ", "")))
            blocks.append(Block(text, link, headings[0] > 0, holders[-1]))
        current.clear()
        link_chars[0] = 0

    def walk(node: lxml_html.HtmlElement, in_link: bool) -> None:
        for child in node:
            tag = child.tag
            if isinstance(tag, str) and (plain or not skipped(child)):
                block = tag in BLOCK_TAGS
                if block:
                    flush()
                    holders.append(child)
                heading = tag in HEADING_TAGS
                headings[0] += heading
                link = in_link or tag == "a"
                if link_breaks and tag == "a":
                    current.append(" ")
                text = child.text
                if text:
                    current.append(text)
                    if link:
                        link_chars[0] += len(normalized_space(text).replace(" ", ""))
                if len(child):
                    walk(child, link)
                if link_breaks and tag == "a":
                    current.append(" ")
                if block:
                    flush()
                    holders.pop()
                headings[0] -= heading
            tail = child.tail
            if tail:
                current.append(tail)
                if in_link:
                    link_chars[0] += len(normalized_space(tail).replace(" ", ""))

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
