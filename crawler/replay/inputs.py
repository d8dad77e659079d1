"""What a replay path holds: the files and cache entries to replay, and those to skip.

:func:`replay_inputs` walks a file or directory (recursively, in sorted order) and classifies
each entry by name; reading the bytes happens later, through Scrapy's ``file://`` download
handler, so an unreadable file fails there with its real error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class InputKind(Enum):
    TEXT = "text"  # the seed text format
    HTML = "html"
    WARC = "warc"
    HTTPCACHE = "httpcache"  # one entry of Scrapy's FilesystemCacheStorage
    SKIP = "skip"


SUFFIX_KINDS = {
    ".txt": InputKind.TEXT,
    ".html": InputKind.HTML,
    ".htm": InputKind.HTML,
    ".shtml": InputKind.HTML,
    ".warc": InputKind.WARC,
    ".warc.gz": InputKind.WARC,
}
# Files Scrapy's FilesystemCacheStorage writes into each entry directory.
HTTPCACHE_ENTRY_FILES = ("meta", "response_body", "response_headers")


@dataclass(frozen=True)
class ReplayInput:
    path: Path
    """Path to read: the file, or the directory of an HTTP cache entry."""
    shown: str
    """The path as given on the command line joined with the relative part, for items and logs."""
    kind: InputKind
    reason: str | None = None
    """Why the input is skipped, for ``InputKind.SKIP``."""


def kind_of(path: Path) -> InputKind | None:
    name = path.name.lower()
    for suffix, kind in sorted(SUFFIX_KINDS.items(), key=lambda pair: -len(pair[0])):
        if name.endswith(suffix):
            return kind
    return None


def is_httpcache_entry(directory: Path) -> bool:
    return all((directory / name).is_file() for name in HTTPCACHE_ENTRY_FILES)


def replay_inputs(root: Path, shown_root: str) -> Iterator[ReplayInput]:
    """Every input under ``root``; ``shown_root`` is how the user wrote ``root``."""
    if root.is_dir():
        yield from _walk(root, shown_root)
    else:
        yield _classify_file(root, shown_root)


def _walk(directory: Path, shown: str) -> Iterator[ReplayInput]:
    if is_httpcache_entry(directory):
        yield ReplayInput(directory, shown, InputKind.HTTPCACHE)
        return
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as error:
        yield ReplayInput(directory, shown, InputKind.SKIP, f"unreadable directory: {error.strerror}")
        return
    for entry in entries:
        path = Path(entry.path)
        child_shown = os.path.join(shown, entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path, child_shown)
        else:
            yield _classify_file(path, child_shown)


def _classify_file(path: Path, shown: str) -> ReplayInput:
    kind = kind_of(path)
    if kind is None:
        suffix = "".join(path.suffixes) or "no suffix"
        return ReplayInput(path, shown, InputKind.SKIP, f"unknown file type ({suffix})")
    return ReplayInput(path, shown, kind)
