"""Vocabulary of the extractors, loaded from the data files beside this module.

Keeping labels and class/id tokens as data (with a comment naming where each entry was seen)
lets them grow without touching the algorithms. :func:`load_vocabulary` reads them once per
caller; the pipeline builds one :class:`Vocabulary` in ``from_crawler`` and passes it down.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

VOCAB_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Vocabulary:
    boilerplate_tags: frozenset[str]
    boilerplate_tokens: frozenset[str]
    weak_boilerplate_tokens: frozenset[str]
    boilerplate_substrings: tuple[str, ...]
    keep_classes: frozenset[str]
    boilerplate_lines: tuple[re.Pattern[str], ...]
    boilerplate_links: tuple[re.Pattern[str], ...]
    container_names: tuple[str, ...]
    container_itemprops: tuple[str, ...]
    title_tokens: frozenset[str]
    subtitle_tokens: frozenset[str]
    source_labels: tuple[str, ...]
    author_labels: tuple[tuple[str, str], ...]
    editor_labels: tuple[str, ...]
    not_names: frozenset[str]
    titles_before_name: tuple[str, ...]
    published_labels: tuple[str, ...]
    not_published_labels: tuple[str, ...]
    label_separators: str
    govmeta_labels: MappingProxyType[str, str]
    govmeta_expected: tuple[str, ...]
    cms: MappingProxyType[str, MappingProxyType[str, tuple[str, ...]]]


def _read(name: str) -> dict[str, Any]:
    with (VOCAB_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_vocabulary() -> Vocabulary:
    """The vocabulary from the TOML files (read once; the result is immutable)."""
    boilerplate = _read("boilerplate.toml")
    containers = _read("containers.toml")
    labels = _read("labels.toml")
    govmeta = _read("govmeta.toml")
    cms = _read("cms.toml")
    return Vocabulary(
        boilerplate_tags=frozenset(boilerplate["tags"]),
        boilerplate_tokens=frozenset(t.lower() for t in boilerplate["tokens"]),
        weak_boilerplate_tokens=frozenset(t.lower() for t in boilerplate["weak_tokens"]),
        boilerplate_substrings=tuple(boilerplate["substrings"]),
        keep_classes=frozenset(c.lower() for c in boilerplate["keep_classes"]),
        boilerplate_lines=tuple(re.compile(p) for p in boilerplate["line_patterns"]),
        boilerplate_links=tuple(re.compile(p) for p in boilerplate["link_patterns"]),
        container_names=tuple(c.lower() for c in containers["classes_or_ids"]),
        container_itemprops=tuple(containers["itemprops"]),
        title_tokens=frozenset(containers["title_tokens"]),
        subtitle_tokens=frozenset(containers["subtitle_tokens"]),
        source_labels=tuple(labels["source"]),
        author_labels=tuple((label, role) for label, role in labels["author"]),
        editor_labels=tuple(labels["editor"]),
        not_names=frozenset(labels["not_names"]),
        titles_before_name=tuple(sorted(labels["titles_before_name"], key=len, reverse=True)),
        published_labels=tuple(labels["published"]),
        not_published_labels=tuple(labels["not_published"]),
        label_separators=labels["separators"],
        govmeta_labels=MappingProxyType(dict(govmeta["labels"])),
        govmeta_expected=tuple(govmeta["expected"]["keys"]),
        cms=MappingProxyType(
            {
                family: MappingProxyType({key: tuple(values) for key, values in spec.items()})
                for family, spec in cms.items()
            }
        ),
    )
