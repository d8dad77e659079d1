"""``clean_article``: every text-cleaning rule, in order, on one article's title and body.

Order matters and is fixed: normalize (so later patterns see one form of space and digit) ->
pinyin (pypinyin knows Traditional characters, so before conversion) -> Simplified (so the
vocabulary is written once, in Simplified) -> swaps -> boilerplate -> repeated passages ->
title and subtitle. The spun score is taken last, on the cleaned body. Cleaning its own
output changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pipelines.text import boilerplate, repeats, titles
from pipelines.text.normalize import join_paragraphs, normalize_line, split_lines
from pipelines.text.pinyin import strip_pinyin
from pipelines.text.removal import Removal
from pipelines.text.script import Script, detect_script, to_simplified
from pipelines.text.spun import SPUN_THRESHOLD, spun_score
from pipelines.text.swaps import fix_swaps


@dataclass(frozen=True)
class CleanResult:
    title: str | None
    subtitle: str | None
    body: str
    script: Script
    section: str | None
    related: tuple[str, ...]
    spun_score: float
    is_spun: bool
    removed: tuple[Removal, ...]
    swaps: int
    title_promoted: bool = False
    """The title is a copy of the body's first line (the page had no usable title)."""

    @property
    def bylines(self) -> tuple[str, ...]:
        """Byline lines taken out of the body (来源/作者/时间 lines, reporter lines), in order:
        not text, but what enrichment reads 来源, authors and the time from."""
        return tuple(removal.text for removal in self.removed if removal.rule == "boilerplate_byline")

    def counts(self) -> dict[str, int]:
        """How many removals each rule made (and swaps restored), for provenance."""
        counts = Counter(removal.rule for removal in self.removed)
        if self.swaps:
            counts["swap"] = self.swaps
        return dict(sorted(counts.items()))


def _optional_line(text: str | None) -> str | None:
    return normalize_line(text) or None if text else None


def _strip_pinyin_all(
    title: str | None, subtitle: str | None, lines: list[str]
) -> tuple[str | None, str | None, list[str], list[Removal]]:
    removed: list[Removal] = []

    def strip(text: str) -> str:
        text, annotations = strip_pinyin(text)
        removed.extend(Removal("pinyin", annotation) for annotation in annotations)
        return text

    return (
        strip(title) if title else title,
        strip(subtitle) if subtitle else subtitle,
        [strip(line) for line in lines],
        removed,
    )


def _title_boilerplate(title: str | None) -> tuple[str | None, str | None, tuple[Removal, ...]]:
    """A title that is really a breadcrumb or a boilerplate line (seeds/003): ``None`` instead,
    with the section the breadcrumb names."""
    if not title:
        return title, None, ()
    crumbs = boilerplate.breadcrumb(title)
    if crumbs is not None:
        return None, boilerplate.section_of(crumbs), (Removal("boilerplate_breadcrumb", title),)
    kind = boilerplate.line_kind(title) or boilerplate.marker_kind(title)
    if kind:
        return None, None, (Removal(f"boilerplate_{kind}", title),)
    return title, None, ()


def clean_article(
    title: str | None,
    body: str,
    subtitle: str | None = None,
    *,
    original: str | None = None,
    spun_threshold: float = SPUN_THRESHOLD,
) -> CleanResult:
    """Clean one article. ``original`` is the untouched extracted text when ``body`` may
    already be cleaned; the script is detected on it."""
    title, subtitle = _optional_line(title), _optional_line(subtitle)
    script = detect_script("\n".join((title or "", subtitle or "", original if original is not None else body)))
    title, subtitle, lines, removed = _strip_pinyin_all(title, subtitle, split_lines(body or ""))

    text = "\n".join((title or "", subtitle or "", *lines))
    if script != "simplified":
        text = to_simplified(text)
    text, swapped = fix_swaps(text)
    title, subtitle, *lines = text.split("\n")
    title, subtitle = title or None, subtitle or None

    title, section, found = _title_boilerplate(title)
    removed.extend(found)
    stripped = boilerplate.strip_boilerplate(lines)
    removed.extend(stripped.removed)
    section = section or stripped.section

    printed = stripped.lines
    lines, found = repeats.drop_repeated_passage(stripped.lines, title)
    removed.extend(found)
    promoted = title is None
    if title is None:
        # A copy of a body line, which stays: cleaned like that line, nothing more.
        title = titles.promoted_title(lines)
    headings: list[str | None] = [title, subtitle]
    if title and not promoted:
        title, found = titles.strip_title_spam(title)
        removed.extend(found)
        title, found = titles.strip_site_suffix(title)
        removed.extend(found)
        from_header = titles.title_from_document_header(title, lines)
        if from_header:
            removed.append(Removal("title_header", title))
            title, lines = from_header
        headings.append(title)

    # A title line printed once at the top is the document's own (real text); a subtitle
    # line there is always the heading again.
    def repeated(candidates: list[str | None], sub: str | None) -> list[str | None]:
        return [h for h in candidates if h is sub or repeats.printed_twice(printed, h)]

    lines, found = repeats.drop_leading_repeats(lines, repeated(headings, subtitle))
    removed.extend(found)
    if subtitle is None:
        subtitle, lines = titles.split_subtitle(lines, title)
        lines, found = repeats.drop_leading_repeats(lines, repeated([title, subtitle], subtitle))
        removed.extend(found)

    cleaned = join_paragraphs(lines)
    score = spun_score(cleaned)
    return CleanResult(
        title=title or None,
        subtitle=subtitle or None,
        body=cleaned,
        script=script,
        section=section,
        related=stripped.related,
        spun_score=score,
        is_spun=score >= spun_threshold,
        removed=tuple(removed),
        swaps=swapped,
        title_promoted=promoted and bool(title),
    )
