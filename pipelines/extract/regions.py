"""Where bylines sit: the short text blocks after the heading, inside the body, and after it.

The page is read once into paragraphs; the heading's paragraph and the body container's first
paragraph cut it into a header region (dates, 来源, authors), the body itself (datelines,
closing bylines, editor lines) and a tail (责任编辑, 本文来源 lines below the text). Also the
two machine-readable sources of metadata: ``<meta>`` tags and JSON-LD.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

from pipelines.extract.dom import Block, text_blocks

_HEADER_BLOCKS = 15
_TAIL_BLOCKS = 8


@dataclass(frozen=True)
class Regions:
    """Short text blocks around the article: after the heading, inside the body, after it."""

    header: list[str]
    body: list[str]
    tail: list[str]

    def all(self) -> list[tuple[str, str]]:
        return (
            [("header", t) for t in self.header] + [("body", t) for t in self.body] + [("tail", t) for t in self.tail]
        )


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_regions(root: lxml_html.HtmlElement, title: str | None, container: lxml_html.HtmlElement | None) -> Regions:
    body_element = root.find("body")
    blocks: list[Block] = text_blocks(body_element if body_element is not None else root)
    texts = [b.text for b in blocks]
    container_texts = [b.text for b in text_blocks(container)] if container is not None else []
    keys = [_key(t) for t in texts]
    title_key = _key(title or "")
    start = next((i for i, k in enumerate(keys) if title_key and k == title_key), None)
    first = _key(container_texts[0]) if container_texts else None
    body_start = next((i for i, k in enumerate(keys) if first and k == first and (start is None or i > start)), None)
    if start is None:
        start = max((body_start or 0) - _HEADER_BLOCKS, -1)
    header_end = body_start if body_start is not None else start + 1 + _HEADER_BLOCKS
    header = texts[start + 1 : min(header_end, start + 1 + _HEADER_BLOCKS)]
    body_end = (body_start or 0) + len(container_texts)
    tail = texts[body_end : body_end + _TAIL_BLOCKS] if body_start is not None else []
    return Regions(header=header, body=container_texts, tail=tail)


def meta_content(root: lxml_html.HtmlElement, names: tuple[str, ...]) -> tuple[str, str] | None:
    wanted = set(names)
    for meta in root.iter("meta"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = (meta.get("content") or "").strip()
        if name in wanted and content:
            return content, name
    return None


def json_ld_values(root: lxml_html.HtmlElement, key: str) -> list[str]:
    values: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(key), str):
                values.append(node[key])
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            visit(json.loads(script.text or ""))
        except ValueError:
            continue
    return values
