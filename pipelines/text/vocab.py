"""Loading of the vocabulary files in ``pipelines/text/vocab/``.

Each loader parses its file once (``functools.cache``) into immutable tuples and frozen
dataclasses, so the tables can be shared safely by every pipeline instance.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

_PACKAGE = "pipelines.text"


def _read_text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath("vocab", name).read_text(encoding="utf-8")


def _read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(_read_text(name))


def _read_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a TSV file with a header line; ``#`` lines are comments."""
    lines = [line for line in _read_text(name).splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells, strict=True)))
    return tuple(rows)


def _words(cell: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in cell.split(",") if word.strip())


@dataclass(frozen=True)
class Swap:
    swapped: str
    correct: str
    keep_in: tuple[str, ...]
    seen: str


@functools.cache
def swaps() -> tuple[Swap, ...]:
    return tuple(
        Swap(row["swapped"], row["correct"], _words(row["keep_in"]), row["seen"]) for row in _read_tsv("swaps.tsv")
    )


@dataclass(frozen=True)
class SpunPhrase:
    spun: str
    original: str
    weight: float
    keep_in: tuple[str, ...]
    seen: str


@functools.cache
def spun_phrases() -> tuple[SpunPhrase, ...]:
    return tuple(
        SpunPhrase(row["spun"], row["original"], float(row["weight"]), _words(row["keep_in"]), row["seen"])
        for row in _read_tsv("spun.tsv")
    )


@dataclass(frozen=True)
class Marker:
    phrase: str
    kind: str


@dataclass(frozen=True)
class LineRule:
    pattern: re.Pattern[str]
    kind: str


@dataclass(frozen=True)
class BoilerplateVocab:
    markers: tuple[Marker, ...]
    lines: tuple[LineRule, ...]
    fragments: tuple[LineRule, ...]
    contact_strong: tuple[re.Pattern[str], ...]
    contact_weak: tuple[re.Pattern[str], ...]
    breadcrumb_label: re.Pattern[str]
    breadcrumb_unlabelled: re.Pattern[str]
    breadcrumb_separators: re.Pattern[str]
    breadcrumb_generic: frozenset[str]


@functools.cache
def boilerplate() -> BoilerplateVocab:
    data = _read_toml("boilerplate.toml")
    crumbs = data["breadcrumb"]
    return BoilerplateVocab(
        markers=tuple(Marker(entry["phrase"], entry["kind"]) for entry in data["marker"]),
        lines=tuple(LineRule(re.compile(entry["pattern"]), entry["kind"]) for entry in data["line"]),
        fragments=tuple(LineRule(re.compile(entry["pattern"]), entry["kind"]) for entry in data["fragment"]),
        contact_strong=tuple(re.compile(entry["pattern"]) for entry in data["contact"]["strong"]),
        contact_weak=tuple(re.compile(entry["pattern"]) for entry in data["contact"]["weak"]),
        breadcrumb_label=re.compile(crumbs["label"]),
        breadcrumb_unlabelled=re.compile(crumbs["unlabelled"]),
        breadcrumb_separators=re.compile(crumbs["separators"]),
        breadcrumb_generic=frozenset(crumbs["generic"]),
    )


@dataclass(frozen=True)
class TitleVocab:
    spam: tuple[re.Pattern[str], ...]
    suffix_separators: tuple[str, ...]
    site_words: tuple[str, ...]
    document_header: re.Pattern[str]
    doc_number: re.Pattern[str]
    salutation: re.Pattern[str]


@functools.cache
def titles() -> TitleVocab:
    data = _read_toml("titles.toml")
    header = data["document_header"]
    return TitleVocab(
        spam=tuple(re.compile(entry["pattern"]) for entry in data["spam"]),
        suffix_separators=tuple(data["site_suffix"]["separators"]),
        site_words=tuple(data["site_suffix"]["site_words"]),
        document_header=re.compile(header["header"]),
        doc_number=re.compile(header["doc_number"]),
        salutation=re.compile(header["salutation"]),
    )
