"""Distinct variants of the real dev-corpus pages, for the benchmarks that claim real-page figures.

The dev corpus (``../shared/corpus/dev``, never copied into the project) holds a few dozen
real article pages, 88 KB of HTML on average. A benchmark needs thousands of pages that are
not byte-for-byte copies (the exact-duplicate stage would turn every repeat into a cheap
lookup), so :func:`variant` writes a number into the article text of one corpus page, right
after a phrase the truth file says belongs to the body (``must_contain``). Each
variant is a real page of its site with one more token in its body: the same markup, scripts,
navigation and size, a different body hash, and a near duplicate of the other variants of the
same page (the near-duplicate stage clusters them, as it would reposts).

The bytes stay in the page's own encoding: the page is decoded with the encoding its truth file
names (``surrogateescape``, so bytes outside it round-trip unchanged) and the marker is ASCII,
which every encoding in the corpus (UTF-8, GBK, GB2312, Big5) writes the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CORPUS_DIR = PROJECT.parent / "shared" / "corpus" / "dev"


class CorpusMissingError(RuntimeError):
    """The dev corpus is not where a real-page benchmark expects it."""


@dataclass(frozen=True)
class CorpusPage:
    id: str
    raw: bytes
    encoding: str
    anchor: int
    """Byte offset, in ``raw``, where a variant's marker goes: after a ``must_contain`` phrase of
    the truth file (:func:`_anchor`)."""


def _anchor(raw: bytes, encoding: str, phrases: list[str]) -> int:
    """After the first of ``phrases`` found verbatim, else after its first 6 characters (markup or
    entities may split a phrase later on), else before the first ``</p>``."""
    text = raw.decode(encoding, errors="surrogateescape")
    for phrase in [*phrases, *(phrase[:6] for phrase in phrases if len(phrase) > 6)]:
        at = text.find(phrase)
        if at >= 0:
            return len(text[: at + len(phrase)].encode(encoding, errors="surrogateescape"))
    return max(raw.lower().find(b"</p>"), 0)


def corpus_pages(corpus: Path = CORPUS_DIR) -> list[CorpusPage]:
    """Every page of ``corpus`` with its anchor; raises :class:`CorpusMissingError` when there is none."""
    pages = []
    for truth_path in sorted(corpus.glob("*/truth.json")):
        page = truth_path.with_name("page.html")
        if not page.is_file():
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        raw = page.read_bytes()
        encoding = truth.get("encoding") or "utf-8"
        try:
            anchor = _anchor(raw, encoding, list(truth.get("must_contain") or []))
        except LookupError:  # an encoding Python does not know: the first paragraph's end
            anchor = max(raw.lower().find(b"</p>"), 0)
        pages.append(CorpusPage(truth["id"], raw, encoding, anchor))
    if not pages:
        raise CorpusMissingError(
            f"no corpus pages in {corpus} (expected <id>/page.html + <id>/truth.json): this benchmark "
            "measures real pages and will not run on fewer; check out ../shared or pass --corpus"
        )
    return pages


def variant(pages: list[CorpusPage], number: int) -> bytes:
    """Variant ``number`` (from 0): page ``number % len(pages)`` with `` No.<number>`` in its body."""
    page = pages[number % len(pages)]
    return page.raw[: page.anchor] + f" No.{number}".encode("ascii") + page.raw[page.anchor :]
