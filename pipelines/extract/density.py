"""Which element holds the article: a text-density score over the whole tree.

In the spirit of readability and GNE but computed in one pass over the shared parse (both
libraries re-parse and rewrite the tree, which costs 15-40x the parse; see
docs/extraction.md). A paragraph's text, outside links and weighted by its punctuation, scores
for its ancestors; boilerplate names (``pipelines/vocab/page_boilerplate.tsv``) and entry streams
(:mod:`pipelines.extract.shapes`) scale it down rather than vetoing it, and container names
(``pipelines/vocab/page_containers.tsv``) scale it up, because names like ``content`` also label sidebars and
names like ``share`` or ``font`` also wrap articles. The best element is stepped down to the
child that carries its text, and continued by the siblings that carry on the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import html as lxml_html

from pipelines.extract.dom import boilerplate_name, normalized_space, prose_chars
from pipelines.vocab import PageVocabulary

# fmt: off
#: Elements whose own text makes a paragraph candidate for scoring.
PARAGRAPH_TAGS = frozenset((
    "p", "div", "td", "section", "article", "li", "pre", "blockquote", "font", "span", "center", "dd",
    "h2", "h3", "h4", "h5", "h6", "figcaption",
))
_NESTED_BLOCKS = frozenset(
    ("p", "div", "td", "table", "section", "article", "ul", "ol", "li", "blockquote", "dl", "center")
)
# fmt: on
#: Score factor of a paragraph without a comma or full stop (a label, a name, a field).
_NO_SENTENCE = 0.5
_PARAGRAPH_BLOCKS = frozenset(("p", "div", "section", "blockquote"))
_SENTENCE = re.compile(r"[。！？；]")
_INLINE = frozenset(("span", "font"))
#: Parents whose own paragraph text already holds a <span>/<font> child's text.
_INLINE_PARENTS = frozenset((*PARAGRAPH_TAGS, "a", "b", "strong", "em", "i", "u", "h1"))
#: Sentence punctuation. Colons are left out: ``label：value`` lines (disclosure boxes, info
#: bars) carry one each and no sentence.
_PUNCT = re.compile(r"[，。；！？、“”,.;!?]")
_MIN_PARAGRAPH_CHARS = 10
_NAMED_BONUS = 1.3
#: A paragraph's score reaches three grouping levels up (1, 1/2, 1/4) through at most this
#: many ancestors.
_MIN_LEVEL, _MAX_HOPS = 0.25, 10
#: Share of a container's text score one child must carry for the child to be taken instead.
_STEP_DOWN = 0.9
#: Share of the container's score a sibling needs to be read as part of the article.
_SIBLING_SHARE = 0.2
_SENTENCE_ENDS = ("。", "！", "？", "…", "。”", "！”", "？”")
#: Score factor of text below an element whose name says boilerplate, per named ancestor.
_NAME_WEIGHTS = {"strong": 0.5, "weak": 0.7}
#: Score factor of text in an entry stream (comment thread, news list): found by structure, so
#: firmer than a name.
_STREAM_WEIGHT = 0.25


def _compact_len(text: str) -> int:
    return len(text) - text.count(" ")


def _own_paragraph_score(element: lxml_html.HtmlElement) -> float:
    """Score of the text an element holds itself (not inside nested blocks), 0 for link lists."""
    parts: list[str] = [element.text or ""]
    link_len = 0
    for child in element:
        tag = child.tag
        if tag in _NESTED_BLOCKS or not isinstance(tag, str):
            if child.tail:
                parts.append(child.tail)
            continue
        text = child.text_content()
        if text:
            parts.append(text)
            if tag == "a":
                link_len += _compact_len(normalized_space(text))
            elif len(child):  # only an element with children can hold a link
                link_len += sum(_compact_len(normalized_space(a.text_content())) for a in child.iter("a"))
        if child.tail:
            parts.append(child.tail)
    text = "".join(parts)
    if len(text) < _MIN_PARAGRAPH_CHARS:  # whitespace only shortens it
        return 0.0
    text = normalized_space(text)
    length = _compact_len(text)
    if length < _MIN_PARAGRAPH_CHARS or link_len / length > 0.5:
        return 0.0
    punctuation = len(_PUNCT.findall(text))
    # Text without a comma or full stop is a label, a name or a ``label：value`` field (a
    # disclosure box), not a sentence; as in readability, punctuation is what marks prose.
    return (length - link_len) * (1.0 if punctuation else _NO_SENTENCE) + 3 * punctuation


def _named_container(element: lxml_html.HtmlElement, vocab: PageVocabulary) -> bool:
    if element.get("itemprop") in vocab.container_itemprops:
        return True
    words = {f"{element.get('class', '')}".strip().lower(), f"{element.get('id', '')}".strip().lower()}
    words |= {w.lower() for w in f"{element.get('class', '')}".split()}
    return not words.isdisjoint(vocab.container_names)


@dataclass(frozen=True)
class ContainerScores:
    """Candidate containers with two scores: ``weighted`` (names and shapes counted) picks the
    container; ``text`` (paragraph text alone) decides how far to step down inside it."""

    weighted: dict[lxml_html.HtmlElement, float]
    text: dict[lxml_html.HtmlElement, float]


def container_scores(
    root: lxml_html.HtmlElement, vocab: PageVocabulary, streams: frozenset[lxml_html.HtmlElement] = frozenset()
) -> ContainerScores:
    """Each candidate container's score: its paragraphs' scores, halved per level up.

    The whole document is walked, not only ``<body>``: whatever the parser did with a broken
    page, the article is still somewhere in the tree. A boilerplate name (share, comment,
    related …) scales down the score of every paragraph below it rather than vetoing the
    subtree, so a list of rules inside a comment box stays small whatever its markup, and an
    article wrapper with a misleading name still wins on its text. Entry ``streams`` (comment
    threads and lists recognized by their time stamps, :mod:`pipelines.extract.shapes`), when
    given, weigh a quarter; text inside links counts for nothing.
    """
    weighted: dict[lxml_html.HtmlElement, float] = {}
    text: dict[lxml_html.HtmlElement, float] = {}
    weights: dict[lxml_html.HtmlElement, float] = {}
    in_link: set[lxml_html.HtmlElement] = set()
    kinds: dict[tuple[str, str | None, str | None], str | None] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        if element.tag == "a" or parent in in_link:
            in_link.add(element)
            continue
        weight = weights.get(parent, 1.0)
        classes, ident = element.get("class"), element.get("id")
        if classes or ident or element.tag in vocab.boilerplate_tags:
            # Templates repeat a few class names hundreds of times: judge each name once.
            name = (element.tag, classes, ident)
            if name not in kinds:
                kinds[name] = boilerplate_name(element, vocab)
            kind = kinds[name]
            if kind is not None:
                weight *= _NAME_WEIGHTS[kind]
        if streams and element in streams:
            weight *= _STREAM_WEIGHT
        if weight != 1.0:
            weights[element] = weight
        if element.tag not in PARAGRAPH_TAGS or (
            element.tag in _INLINE and parent is not None and parent.tag in _INLINE_PARENTS
        ):
            continue  # a span inside a paragraph is counted with the paragraph's own text
        score = _own_paragraph_score(element)
        if not score:
            continue
        # A leaf block that holds br-separated lines is a container in its own right. The score
        # halves at every ancestor that groups several elements; a wrapper around a single
        # element (Word exports wrap each paragraph in two or three divs) passes it on whole.
        level = 1.0
        target = element if element.tag != "p" else parent
        for _ in range(_MAX_HOPS):
            if target is None or target.tag in ("html", "body") or level < _MIN_LEVEL:
                break
            weighted[target] = weighted.get(target, 0.0) + score * weight * level
            text[target] = text.get(target, 0.0) + score * level
            if target is not element and (len(target) > 1 or (target.text or "").strip()):
                level /= 2
            target = target.getparent()
    for element in weighted:
        if _named_container(element, vocab):
            weighted[element] *= _NAMED_BONUS
    return ContainerScores(weighted, text)


def best_container(
    root: lxml_html.HtmlElement, vocab: PageVocabulary, streams: frozenset[lxml_html.HtmlElement] = frozenset()
) -> lxml_html.HtmlElement | None:
    """The element most likely to hold the article text."""
    return stepped_down(container_scores(root, vocab, streams))


def stepped_down(scores: ContainerScores) -> lxml_html.HtmlElement | None:
    """The best-scoring element, stepped down to the child that carries its text.

    While one child carries nearly all of the text, the wrapper only adds headings, bylines and
    widgets around it. Text, not names, decides, so a child whose name cost it score (an
    article wrapper named share-content) is still found; a single paragraph is never entered.
    """
    if not scores.weighted:
        return None
    best = max(scores.weighted, key=scores.weighted.__getitem__)
    text = scores.text
    while True:
        top = max((c for c in best if c in text), key=text.__getitem__, default=None)
        if (
            top is None
            or text[top] < _STEP_DOWN * text[best]
            or _paragraph_children(best) > 2
            or _one_paragraph(top)  # a <div> written as a paragraph is no container
        ):
            return best
        best = top


def continued(
    container: lxml_html.HtmlElement,
    scores: ContainerScores,
    vocab: PageVocabulary,
    streams: frozenset[lxml_html.HtmlElement] = frozenset(),
) -> tuple[lxml_html.HtmlElement, ...]:
    """The container and the siblings that continue the article beside it, in page order.

    An article split into sections (or pages) side by side has each part score on its own; as
    in readability, a neighbour of the same tag scoring at least a fifth of the container is
    read with it, or one that is plain sentences (a last short section: 抄送：…。); a neighbour
    named as boilerplate, an entry stream or any other text ends the article on that side.
    """
    weighted = scores.weighted
    floor = _SIBLING_SHARE * weighted.get(container, 0.0)

    def continues(sibling: lxml_html.HtmlElement) -> bool:
        if sibling in streams or boilerplate_name(sibling, vocab):
            return False
        return (sibling.tag == container.tag and weighted[sibling] >= floor) or _closing_prose(sibling)

    def continuation(siblings: Iterator[lxml_html.HtmlElement]) -> list[lxml_html.HtmlElement]:
        found = []
        for sibling in siblings:
            if sibling not in weighted:
                continue  # nothing to read: an image, an empty ad slot
            if not continues(sibling):
                break
            found.append(sibling)
        return found

    before = continuation(container.itersiblings(preceding=True))
    after = continuation(container.itersiblings())
    return (*reversed(before), container, *after)


def neighbourhood(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The element's parent (where its continuing siblings are), or the element itself."""
    parent = element.getparent()
    return parent if parent is not None else element


def led_by_streams(container: lxml_html.HtmlElement, streams: frozenset[lxml_html.HtmlElement]) -> bool:
    """Whether entry streams make up the container: it is one, lies in one, or one holds half
    of its text."""
    if not streams:
        return False
    if container in streams or any(ancestor in streams for ancestor in container.iterancestors()):
        return True
    inside = [stream for stream in streams if container in stream.iterancestors()]
    return bool(inside) and 2 * sum(prose_chars(stream) for stream in inside) >= prose_chars(container)


def _closing_prose(element: lxml_html.HtmlElement) -> bool:
    """Whether a small block is plain sentences: no links, and it ends a sentence."""
    if next(element.iter("a"), None) is not None:
        return False
    return normalized_space(element.text_content()).endswith(_SENTENCE_ENDS)


def _unwrapped(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The element inside a chain of wrappers around a single element (Word exports)."""
    while len(element) == 1 and element.tag != "p" and not (element.text or "").strip():
        element = element[0]
    return element


def _one_paragraph(element: lxml_html.HtmlElement) -> bool:
    """Whether an element is a single paragraph: one line of inline text, no nested blocks."""
    return not any(
        isinstance(d.tag, str) and (d.tag in _NESTED_BLOCKS or d.tag == "br")
        for d in _unwrapped(element).iterdescendants()
    )


def _paragraph_children(element: lxml_html.HtmlElement) -> int:
    """Children that are paragraphs: a ``<p>``, or a block of inline sentences (editors write
    paragraphs as ``<div>`` or ``<section>`` too; a date or 来源 bar is no paragraph), also
    when wrapped in single-element divs (Word exports)."""
    count = 0
    for child in map(_unwrapped, element):
        if child.tag not in _PARAGRAPH_BLOCKS:
            continue
        text = normalized_space(child.text_content())
        if _compact_len(text) < _MIN_PARAGRAPH_CHARS:
            continue
        if child.tag == "p" or (
            _SENTENCE.search(text)
            and not any(isinstance(d.tag, str) and d.tag in _NESTED_BLOCKS for d in child.iterdescendants())
        ):
            count += 1
    return count
