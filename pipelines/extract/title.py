"""The article heading (not the ``<title>`` tag with its site suffix) and the subtitle.

Candidates are headings (``h1``-``h3``), elements named ``title`` by class or id, and the
``og:title``/``ArticleTitle`` meta tags. The document ``<title>`` usually repeats the heading
followed by ``_栏目_网站``: the candidate that the ``<title>`` starts with, or contains, wins
(GNE's rule); failing that the first ``h1``, then the ``<title>`` cut at its first separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from pipelines.extract.dom import attribute_tokens, normalized_space
from pipelines.vocab import PageVocabulary

_SITE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|--|—|-\s|\s-)\s*")
_META_TITLES = ("og:title", "ArticleTitle", "articletitle", "twitter:title", "title")
_MIN_LEN, _MAX_LEN = 4, 120
_CANDIDATES = etree.XPath(".//h1 | .//h2 | .//h3 | .//*[@class or @id]")


@dataclass(frozen=True)
class Title:
    text: str | None
    how: str


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _document_title(root: lxml_html.HtmlElement) -> str:
    element = root.find(".//title")
    return normalized_space(element.text_content()) if element is not None else ""


def _meta_title(root: lxml_html.HtmlElement) -> tuple[str, str] | None:
    for meta in root.iter("meta"):
        name = meta.get("property") or meta.get("name") or ""
        if name in _META_TITLES and name != "title" and (meta.get("content") or "").strip():
            return normalized_space(meta.get("content", "")), f"meta {name}"
    return None


def heading_candidates(root: lxml_html.HtmlElement, vocab: PageVocabulary) -> list[tuple[lxml_html.HtmlElement, str]]:
    """Headings and title-named elements with their text, in document order."""
    body = root.find("body")
    found: list[tuple[lxml_html.HtmlElement, str]] = []
    scope = body if body is not None else root
    for element in _CANDIDATES(scope):
        if element.tag in ("h1", "h2", "h3") or attribute_tokens(element) & vocab.title_tokens:
            text = normalized_space(element.text_content())
            if _MIN_LEN <= len(text) <= _MAX_LEN:
                found.append((element, text))
    return found


def article_title(
    root: lxml_html.HtmlElement, vocab: PageVocabulary, override: lxml_html.HtmlElement | None = None
) -> tuple[Title, lxml_html.HtmlElement | None]:
    """The heading and the element it was read from."""
    if override is not None:
        return Title(normalized_space(override.text_content()) or None, "override"), override
    document_title = _key(_document_title(root))
    candidates = heading_candidates(root, vocab)
    if document_title:
        # The longest candidate the <title> starts with, else the longest it contains.
        for test, how in (
            (document_title.startswith, "heading = <title> prefix"),
            (document_title.__contains__, "heading in <title>"),
        ):
            matching = [(e, t) for e, t in candidates if test(_key(t))]
            if matching:
                element, text = max(matching, key=lambda pair: (len(_key(pair[1])), pair[0].tag == "h1"))
                return Title(text, f"{how}: {element.tag}"), element
    meta = _meta_title(root)
    h1 = next(((e, t) for e, t in candidates if e.tag == "h1"), None)
    if meta and any(_key(t) == _key(meta[0]) for _, t in candidates):
        element = next(e for e, t in candidates if _key(t) == _key(meta[0]))
        return Title(meta[0], f"{meta[1]} = heading"), element
    if h1:
        return Title(h1[1], "first h1"), h1[0]
    if meta:
        return Title(meta[0], meta[1]), None
    title = _document_title(root)
    if title:
        parts = [p for p in _SITE_SEPARATORS.split(title) if p]
        return Title(max(parts, key=len) if parts else title, "<title> without site name"), None
    return Title(None, "none"), None


def article_subtitle(
    root: lxml_html.HtmlElement, vocab: PageVocabulary, title_element: lxml_html.HtmlElement | None, title: str | None
) -> tuple[str | None, str]:
    """引题/副题: a short heading right before/after the title, or an element named subtitle near it."""
    if title_element is not None:
        for sibling in (title_element.getprevious(), title_element.getnext()):
            if sibling is None or not isinstance(sibling.tag, str):
                continue
            text = normalized_space(sibling.text_content())
            named = bool(attribute_tokens(sibling) & vocab.subtitle_tokens)
            heading = sibling.tag in ("h2", "h3", "h4") and title_element.tag == "h1"
            if (
                text
                and text != title
                and _MIN_LEN <= len(text) <= 80
                and (named or heading)
                and not re.search(r"\d{4}[-年/]|来源|來源|作者|记者|编辑", text)
            ):
                return text, f"{sibling.tag} beside title"
    # Elsewhere on the page the same class words name sub-navigation, so only the heading's
    # neighbourhood (its grandparent) is searched.
    parent = title_element.getparent() if title_element is not None else None
    scope = parent.getparent() if parent is not None and parent.getparent() is not None else parent
    if scope is None:
        return None, "none"
    for element in scope.iter():
        if isinstance(element.tag, str) and attribute_tokens(element) & vocab.subtitle_tokens:
            text = normalized_space(element.text_content())
            if text and text != title and _MIN_LEN <= len(text) <= 80:
                return text, f"class {element.get('class') or element.get('id')}"
    return None, "none"
