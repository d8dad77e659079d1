"""Metamorphic robustness harness: real pages changed the way real sites change their markup.

A :class:`Mutation` takes a page and returns it with one change a site was seen to make (a
stray ``</html>`` from an included fragment, an article wrapper named ``share-…``, a comment
box with a rules list, a photo credit, a font-size widget …) plus the noise strings it brought
in. The relation under test: the fields a mutation names in ``keeps`` come out exactly as they
do for the unchanged page, and none of the noise reaches the body. Nothing here knows the
truth beyond where the article sits (its ``must_contain`` strings, or a fixture's expected
body), so a mutation tests a method, not a page.

Every mutation works on the page as lxml serializes it (``Page.baseline``), so the change is
the only difference between the two inputs. The kinds of mutation are in
``tests/mutations.py``.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from scrapy.http import HtmlResponse

from crawler.pages import page_from_response
from pipelines.extract.article import extract_fields
from pipelines.text.clean import clean_article

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "dev"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "extract"
FETCHED_AT = "2026-01-01T00:00:00+08:00"

_SPACE = re.compile(r"\s+")


def squashed(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class Page:
    """A real page, decoded as the spider decodes it, with strings that locate its article."""

    id: str
    url: str
    text: str = field(repr=False)
    anchors: tuple[str, ...] = ()
    fetched_at: str = FETCHED_AT
    _outputs: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def tree(self) -> lxml_html.HtmlElement:
        """A fresh parse (comments and scripts kept) to mutate."""
        text = re.sub(r"^\s*<\?xml[^>]*>", "", self.text, count=1)
        return lxml_html.document_fromstring(text)

    @cached_property
    def baseline(self) -> str:
        return serialized(self.tree())

    @cached_property
    def wrapper_path(self) -> str | None:
        """XPath of the article wrapper in :attr:`baseline` (found once; mutations reparse)."""
        root = lxml_html.document_fromstring(self.baseline)
        wrapper = article_wrapper(root, self.anchors)
        return None if wrapper is None else root.getroottree().getpath(wrapper)

    def baseline_with_wrapper(self) -> tuple[lxml_html.HtmlElement, lxml_html.HtmlElement | None]:
        """A fresh parse of :attr:`baseline` and its article wrapper."""
        root = lxml_html.document_fromstring(self.baseline)
        found = root.xpath(self.wrapper_path) if self.wrapper_path else []
        return root, found[0] if found else None

    def output(self, html: str) -> dict[str, Any]:
        """Fields of ``html`` as the content pipeline leaves them (extraction, then cleaning)."""
        if html not in self._outputs:
            self._outputs[html] = fields_of(html, self.url, self.fetched_at)
        return self._outputs[html]


def serialized(root: lxml_html.HtmlElement) -> str:
    return lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def fields_of(html: str, url: str, fetched_at: str) -> dict[str, Any]:
    extracted = extract_fields(html, url, fetched_at)
    cleaned = clean_article(extracted.title, extracted.body, extracted.subtitle)
    return {
        "title": cleaned.title,
        "body": cleaned.body.split("\n"),
        "published": extracted.published,
        "published_raw": extracted.published_raw,
        "source_name": extracted.source_name,
        "author": extracted.author,
        "doc_number": extracted.doc_number,
    }


def _decoded(raw: bytes, url: str) -> str:
    response = HtmlResponse(url=url, body=raw)
    return page_from_response(response, kind="html", fetched_at=datetime.fromisoformat(FETCHED_AT)).text


def corpus_pages() -> list[Page]:
    """Every dev corpus page (none when ``../shared`` is absent)."""
    pages = []
    for truth_file in sorted(CORPUS.glob("*/truth.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        url = truth.get("url") or f"https://corpus.example.cn/{truth['id']}.html"
        raw = (truth_file.parent / "page.html").read_bytes()
        pages.append(Page(truth["id"], url, _decoded(raw, url), tuple(truth["must_contain"])))
    return pages


def fixture_pages() -> list[Page]:
    """The golden extraction fixtures, located by their expected body's first and last lines."""
    pages = []
    for case in sorted(path for path in FIXTURES.iterdir() if (path / "expected.json").is_file()):
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
        lines = [line for line in expected["body"].split("\n") if line]
        if not lines:
            continue
        anchors = tuple(line[:12] for line in (lines[0], lines[-1]))
        raw = (case / "page.html").read_bytes()
        pages.append(Page(f"fixture-{case.name}", meta["url"], _decoded(raw, meta["url"]), anchors, meta["fetched_at"]))
    return pages


def article_wrapper(root: lxml_html.HtmlElement, anchors: tuple[str, ...]) -> lxml_html.HtmlElement | None:
    """The deepest element holding every anchor: the article's own wrapper."""
    keys = [squashed(anchor) for anchor in anchors]
    found = None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "head", "script", "style"):
            continue
        text = squashed(element.text_content())
        if all(key in text for key in keys):
            found = element  # document order: later matches are descendants of earlier ones
    return found if found is not None and found.tag != "body" else None


def _first_text_child(wrapper: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    return next((c for c in wrapper if isinstance(c.tag, str) and squashed(c.text_content())), None)


def _fragment(markup: str) -> list[lxml_html.HtmlElement]:
    return list(lxml_html.fragments_fromstring(markup))


def insert(wrapper: lxml_html.HtmlElement, where: str, markup: str) -> bool:
    """Puts ``markup`` into the article wrapper (``top``, ``after-first``, ``bottom``) or next to
    it (``before``, ``after``). False when the page offers no such place."""
    elements = _fragment(markup)
    if where in ("before", "after"):
        parent = wrapper.getparent()
        if parent is None:
            return False
        index = parent.index(wrapper) + (1 if where == "after" else 0)
        for offset, element in enumerate(elements):
            parent.insert(index + offset, element)
        return True
    if where == "after-first":
        first = _first_text_child(wrapper)
        if first is None:
            return False
        index = wrapper.index(first) + 1
    else:
        index = 0 if where == "top" else len(wrapper)
    if where == "top" and wrapper.text and wrapper.text.strip():
        return False  # text before the first child: a top insert would split a paragraph
    for offset, element in enumerate(elements):
        wrapper.insert(index + offset, element)
    return True


@dataclass(frozen=True)
class Mutated:
    html: str
    noise: tuple[str, ...] = ()


Apply = Callable[[Page, random.Random], Mutated | None]


@dataclass(frozen=True)
class Mutation:
    """One kind of change. ``apply`` returns ``None`` when the page has no place for it."""

    name: str
    apply: Apply
    keeps: tuple[str, ...] = ("title", "body")


Change = Callable[[lxml_html.HtmlElement, int, random.Random], tuple[str, ...] | None]


def tree_mutation(change: Change) -> Apply:
    """A mutation of the article wrapper's neighbourhood. ``change`` gets the wrapper, the
    length of the page's article (its body as extracted unchanged) and the random source, and
    returns the noise it added."""

    def apply(page: Page, rng: random.Random) -> Mutated | None:
        root, wrapper = page.baseline_with_wrapper()
        if wrapper is None:
            return None
        article_chars = len(squashed("".join(page.output(page.baseline)["body"])))
        noise = change(wrapper, article_chars, rng)
        return None if noise is None else Mutated(serialized(root), noise)

    return apply


def differences(page: Page, mutated: Mutated, keeps: tuple[str, ...]) -> list[str]:
    """What the mutation changed that it must not have: kept fields and noise in the body."""
    before, after = page.output(page.baseline), page.output(mutated.html)
    problems = [f"{name}: {before[name]!r} -> {after[name]!r}" for name in keeps if before[name] != after[name]]
    body, old_body = squashed("".join(after["body"])), squashed("".join(before["body"]))
    problems += [
        f"noise in body: {noise!r}"
        for noise in mutated.noise
        if squashed(noise) in body and squashed(noise) not in old_body
    ]
    return problems
