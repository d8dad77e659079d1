"""What a replay path holds: the files and cache entries to replay, and those to skip.

:func:`replay_inputs` walks a file or directory (recursively, in sorted order) and classifies
each entry by name; reading the bytes happens later, through Scrapy's ``file://`` download
handler, so an unreadable file fails there with its real error. Only regular files are read (a
FIFO named ``.html`` would block the read forever), none larger than ``max_bytes``; symlinks to
directories are followed, except back into a directory being walked (a loop); a directory that
cannot be listed is skipped with its reason, and the walk goes on.
"""

from __future__ import annotations

import os
import stat
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


def replay_inputs(root: Path, shown_root: str, max_bytes: int = 0) -> Iterator[ReplayInput]:
    """Every input under ``root``; ``shown_root`` is how the user wrote ``root``; files larger
    than ``max_bytes`` (0: no limit) are skipped."""
    if root.is_dir():
        yield from _walk(root, shown_root, max_bytes, frozenset())
    else:
        yield _classify_file(root, shown_root, max_bytes)


def _walk(directory: Path, shown: str, max_bytes: int, ancestors: frozenset[tuple[int, int]]) -> Iterator[ReplayInput]:
    try:
        info = directory.stat()
    except OSError as error:
        yield ReplayInput(directory, shown, InputKind.SKIP, f"unreadable directory: {error.strerror}")
        return
    identity = (info.st_dev, info.st_ino)
    if identity in ancestors:
        yield ReplayInput(directory, shown, InputKind.SKIP, "symlink loop: a directory that contains it")
        return
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
        if _is_dir(entry):
            yield from _walk(path, child_shown, max_bytes, ancestors | {identity})
        else:
            yield _classify_file(path, child_shown, max_bytes)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a directory or a symlink to one (a dangling link is not)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


_FILE_TYPES = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _classify_file(path: Path, shown: str, max_bytes: int = 0) -> ReplayInput:
    kind = kind_of(path)
    if kind is None:
        suffix = "".join(path.suffixes) or "no suffix"
        return ReplayInput(path, shown, InputKind.SKIP, f"unknown file type ({suffix})")
    try:
        info = path.stat()
    except OSError:  # a dangling link, a file gone: the read names the error
        return ReplayInput(path, shown, kind)
    if not stat.S_ISREG(info.st_mode):
        what = _FILE_TYPES.get(stat.S_IFMT(info.st_mode), "not a file")
        return ReplayInput(path, shown, InputKind.SKIP, f"not a regular file ({what})")
    if max_bytes and info.st_size > max_bytes:
        return ReplayInput(path, shown, InputKind.SKIP, f"too large ({info.st_size} bytes, limit {max_bytes})")
    return ReplayInput(path, shown, kind)
