"""The article body: find the element that holds the text, then read it paragraph by paragraph.

Container choice, in order: a site override selector; the body container of a recognized CMS
(TRS ``TRS_Editor``, Hanweb ``#zoom``); otherwise the text-density score of
:mod:`pipelines.extract.density`, with the siblings that continue the container.

Reading keeps paragraphs and image captions, and leaves out boilerplate subtrees (share bars,
related lists, editor lines …) and entry streams (comment threads), link-only paragraphs, the
title as a heading, and byline lines (来源/时间/责任编辑), which belong to their own fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from pipelines.extract.density import container_scores, continued, led_by_streams, neighbourhood, stepped_down
from pipelines.extract.dom import Block, attribute_tokens, normalized_space, text_blocks
from pipelines.extract.shapes import entry_streams
from pipelines.vocab import PageVocabulary

#: A short paragraph opening with a full date and time is a dateline (udn "2018-02-28 14:31中央社 …").
_DATELINE = re.compile(r"^\s*(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?\s*\d{1,2}[:：]\d{2}")
_DATELINE_MAX_CHARS = 40


@dataclass(frozen=True)
class BodyResult:
    paragraphs: list[str]
    container: lxml_html.HtmlElement | None
    how: str


def cms_container(root: lxml_html.HtmlElement, names: tuple[str, ...]) -> lxml_html.HtmlElement | None:
    """The first element whose class or id is one of ``names`` and that holds real text."""
    wanted = {n.lower() for n in names}
    for element in root.iter("div", "td", "section", "article"):
        tokens = {element.get("id", "").lower()} | {c.lower() for c in element.get("class", "").split()}
        if tokens & wanted and len(normalized_space(element.text_content()).replace(" ", "")) >= 20:
            return element
    return None


def kept_paragraphs(
    blocks: list[Block], title: str | None, byline_line: re.Pattern[str], vocab: PageVocabulary
) -> list[str]:
    """Paragraph texts without link-only lines, the title heading and byline lines."""
    kept: list[str] = []
    title_key = (title or "").replace(" ", "")
    heading_last = False  # whether the last kept paragraph is a heading
    for block in blocks:
        text = block.text
        compact = text.replace(" ", "")
        if block.link_density > 0.6 and len(compact) < 60:
            if heading_last:
                kept.pop()  # a heading over nothing but links heads a link list (相关文章), not text
                heading_last = False
            continue
        # A heading element repeating the title is the page's heading inside the container; a
        # paragraph repeating it is the document's own title line (a notice prints it after its
        # 文号 and issuer), which is text.
        if title_key and compact == title_key and block.heading:
            continue
        if len(compact) <= 100 and byline_line.search(text):
            continue
        if any(pattern.search(text) for pattern in vocab.boilerplate_lines):
            continue
        if len(compact) <= _DATELINE_MAX_CHARS and _DATELINE.match(text):
            continue
        kept.append(text)
        heading_last = block.heading
    return kept


def article_body(
    root: lxml_html.HtmlElement,
    vocab: PageVocabulary,
    title: str | None,
    byline_line: re.Pattern[str],
    cms_names: tuple[str, ...] = (),
    override: lxml_html.HtmlElement | None = None,
) -> BodyResult:
    """Body paragraphs, the element they were read from, and the rule that chose it."""
    if override is not None:
        container, how = override, "override"
    else:
        container = cms_container(root, cms_names) if cms_names else None
        how = "cms container" if container is not None else "density score"
    if container is not None:
        streams = entry_streams(container)
        elements: tuple[lxml_html.HtmlElement, ...] = (container,)
    else:
        scores = container_scores(root, vocab)
        container = stepped_down(scores)
        if container is None:
            return BodyResult([], None, "none")
        streams = entry_streams(neighbourhood(container))
        if led_by_streams(container, streams):
            # A comment thread or news list outscored the article: weigh every stream of the
            # page down and choose again. Rare, so the streams are looked for near the container
            # first (the whole-page search costs a fifth of the body extraction).
            streams = entry_streams(root)
            scores = container_scores(root, vocab, streams)
            chosen = stepped_down(scores)
            container = chosen if chosen is not None else container
        elements = continued(container, scores, vocab, streams)
    blocks = [block for element in elements for block in text_blocks(element, vocab, streams)]
    paragraphs = kept_paragraphs(blocks, title, byline_line, vocab)
    tokens = attribute_tokens(container)
    label = f"{container.tag}{'.' + '.'.join(sorted(tokens)) if tokens else ''}"
    return BodyResult(paragraphs, container, f"{how}: {label}")
