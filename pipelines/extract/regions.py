"""Where bylines sit: the short text blocks after the heading, inside the body, and after it.

The page is read once into paragraphs; the heading's paragraph and the body container's first
paragraph cut it into a header region (dates, 来源, authors), the body itself (datelines,
closing bylines, editor lines) and a tail (责任编辑, 本文来源 lines below the text). A heading
typeset over two lines (``国家自然科学基金委员会 财政部`` / ``关于…的通知``) is found as the run of
paragraphs that spells it. Also the machine-readable sources of metadata: ``<meta>`` tags,
JSON-LD (read from the scripts before they were dropped), and the names the site gives itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

from pipelines.extract.dom import Block, normalized_space, text_blocks

_HEADER_BLOCKS = 15
_TAIL_BLOCKS = 8
#: A heading is typeset over at most this many paragraphs.
_TITLE_PARTS = 3


@dataclass(frozen=True)
class Regions:
    """Short text blocks around the article: after the heading, inside the body, after it."""

    header: list[str]
    body: list[str]
    tail: list[str]
    header_blocks: tuple[Block, ...] = ()
    """The header's paragraphs with their elements (for dates: list entries, ``<time>``)."""
    anchored: bool = True
    """Whether the header starts at the located heading; otherwise it is the paragraphs right
    before the body, read nearest to the body first."""

    def all(self) -> list[tuple[str, str]]:
        return (
            [("header", t) for t in self.header] + [("body", t) for t in self.body] + [("tail", t) for t in self.tail]
        )


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _title_span(keys: list[str], title_key: str, before: int | None) -> tuple[int, int] | None:
    """``(first, last)`` paragraph index of the heading: a paragraph equal to the title, or a run
    of up to three that spells it; the one nearest before the body wins."""
    if not title_key:
        return None
    found: tuple[int, int] | None = None
    end = before if before is not None else len(keys)
    for start in range(end):
        key = keys[start]
        if not key or not title_key.startswith(key):
            continue
        joined, last = key, start
        while len(joined) < len(title_key) and last + 1 < end and last - start + 1 < _TITLE_PARTS:
            last += 1
            joined += keys[last]
        if joined == title_key:
            found = (start, last)
            if before is None:
                return found
    return found


def page_regions(root: lxml_html.HtmlElement, title: str | None, container: lxml_html.HtmlElement | None) -> Regions:
    body_element = root.find("body")
    blocks: list[Block] = text_blocks(body_element if body_element is not None else root, link_breaks=True)
    texts = [b.text for b in blocks]
    container_texts = [b.text for b in text_blocks(container, link_breaks=True)] if container is not None else []
    keys = [_key(t) for t in texts]
    first = _key(container_texts[0]) if container_texts else None
    title_key = _key(title or "")
    span = _title_span(keys, title_key, None)
    after_title = span[1] if span is not None else -1
    body_start = next((i for i, k in enumerate(keys) if first and k == first and i > after_title), None)
    if span is not None and body_start is not None:
        span = _title_span(keys, title_key, body_start) or span  # the heading nearest the body
    anchored = span is not None
    start = span[1] if span is not None else max((body_start or 0) - _HEADER_BLOCKS, -1)
    header_end = body_start if body_start is not None else start + 1 + _HEADER_BLOCKS
    header_blocks = blocks[start + 1 : min(header_end, start + 1 + _HEADER_BLOCKS)]
    body_end = (body_start or 0) + len(container_texts)
    tail = texts[body_end : body_end + _TAIL_BLOCKS] if body_start is not None else []
    return Regions(
        header=[b.text for b in header_blocks],
        body=container_texts,
        tail=tail,
        header_blocks=tuple(header_blocks),
        anchored=anchored,
    )


def _meta_name(meta: lxml_html.HtmlElement) -> str:
    return meta.get("property") or meta.get("name") or meta.get("itemprop") or ""


def meta_content(root: lxml_html.HtmlElement, names: tuple[str, ...]) -> tuple[str, str] | None:
    wanted = set(names)
    for meta in root.iter("meta"):
        name = _meta_name(meta)
        content = (meta.get("content") or "").strip()
        if name in wanted and content:
            return content, name
    return None


def meta_contents(root: lxml_html.HtmlElement, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every non-empty ``(content, name)`` of the ``<meta>`` tags named in ``names``, in page order."""
    wanted = set(names)
    found = []
    for meta in root.iter("meta"):
        name = _meta_name(meta)
        content = (meta.get("content") or "").strip()
        if name in wanted and content:
            found.append((content, name))
    return found


def json_ld_objects(texts: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks (nested ones and ``@graph`` members too);
    a block that is no JSON is skipped."""

    def visit(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            yield node
            for child in node.values():
                yield from visit(child)
        elif isinstance(node, list):
            for child in node:
                yield from visit(child)

    for text in texts:
        try:
            yield from visit(json.loads(text))
        except ValueError:
            continue


_SITE_META = ("SiteName", "sitename", "og:site_name", "application-name", "apple-mobile-web-app-title")
#: Separators between a ``<title>``'s heading and the site's name (``标题_栏目_网站``).
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|--|—+|-\s|\s-)\s*")


def site_names(root: lxml_html.HtmlElement, title: str | None) -> frozenset[str]:
    """The names the site gives itself: ``SiteName``/``og:site_name`` meta tags and the parts of
    the ``<title>`` after the heading (``…_新闻中心_中国宜春`` -> 新闻中心, 中国宜春)."""
    names = {_key(content) for content, _ in meta_contents(root, _SITE_META)}
    element = root.find(".//title")
    document_title = normalized_space(element.text_content()) if element is not None else ""
    parts = [_key(part) for part in _TITLE_SEPARATORS.split(document_title) if part.strip()]
    title_key = _key(title or "")
    heading = next((i for i, part in enumerate(parts) if title_key and (part in title_key or title_key in part)), None)
    if len(parts) > 1:
        # What follows the heading is the column and the site; before it may be the article's own kicker (棱镜|…).
        names.update(parts[heading + 1 :] if heading is not None else parts[-1:])
    return frozenset(name for name in names if name)
