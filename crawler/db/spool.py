"""The spool: batches of articles that could not be written to the database.

Each batch is one JSON-lines file (one ``Article`` per line, all fields, its typed annex as
nested objects that :func:`crawler.items.article_from_json` reads back to the same types),
written to a temporary name and renamed, so a crash never leaves a half-written batch under a
name the loader would pick up; a write that fails (the disk is full) removes its temporary file
and raises :class:`SpoolWriteError`. :func:`spool_problem` says, before a run writes anything,
whether the spool could take a batch at all (writable, and with free space left).
``scrapy loadspool`` loads the files in name (= time) order and deletes each one only after its
transaction committed.

Articles the database refuses one by one (a constraint, a value its driver rejects), and spool
files that cannot be read, are quarantined: moved (or written) to ``quarantine/`` inside the
spool directory, each with a ``.reason`` file beside it saying why, where ``loadspool`` does not
look. Once the cause is fixed, a quarantined file moved back into the spool directory loads
as any other.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from crawler.items import Article, article_from_json

SPOOL_SUFFIX = ".jsonl"
QUARANTINE = "quarantine"
REASON_SUFFIX = ".reason"


class SpoolFormatError(ValueError):
    pass


class SpoolWriteError(OSError):
    """A batch the spool could not take (no space, no permission): its articles are in neither
    the database nor the spool."""


def write_batch(spool_dir: Path, articles: Sequence[Article], prefix: str = "spool") -> Path:
    """Writes ``articles`` to a new spool file and returns its path; raises
    :class:`SpoolWriteError` (leaving no temporary file behind) when the file cannot be written."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = spool_dir / f"{prefix}-{stamp}-{os.getpid()}{SPOOL_SUFFIX}"
    temporary = final.with_suffix(".tmp")
    try:
        spool_dir.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as handle:
            for article in articles:
                handle.write(json.dumps(dataclasses.asdict(article), ensure_ascii=False, sort_keys=True))
                handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(final)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise SpoolWriteError(error.errno, f"cannot write a spool file in {spool_dir}: {error.strerror}") from error
    return final


def spool_problem(spool_dir: Path, min_free_bytes: int) -> str | None:
    """Why ``spool_dir`` could not take a batch (not creatable, not writable, less than
    ``min_free_bytes`` free), or ``None`` when it can: checked when a run starts, so a full disk
    is found before the database fails, not after."""
    try:
        spool_dir.mkdir(parents=True, exist_ok=True)
        probe = spool_dir / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        free = shutil.disk_usage(spool_dir).free
    except OSError as error:
        return f"spool directory {spool_dir} is not writable: {error.strerror or error}"
    if free < min_free_bytes:
        return f"spool directory {spool_dir} has {free} bytes free, less than SPOOL_MIN_FREE_BYTES ({min_free_bytes})"
    return None


def quarantine_articles(spool_dir: Path, articles: Sequence[Article], reason: str) -> Path:
    """Writes ``articles`` (refused by the database for ``reason``) to a new file in the
    quarantine, with the reason beside it; returns the file's path."""
    path = write_batch(spool_dir / QUARANTINE, articles, prefix="refused")
    _write_reason(path, reason)
    return path


def quarantine_file(path: Path, reason: str) -> Path:
    """Moves the spool file ``path`` (unreadable for ``reason``) to the quarantine; its new path."""
    target = path.parent / QUARANTINE / path.name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        _write_reason(target, reason)
    except OSError as error:
        raise SpoolWriteError(error.errno, f"cannot quarantine {path}: {error.strerror}") from error
    return target


def _write_reason(path: Path, reason: str) -> None:
    path.with_name(path.name + REASON_SUFFIX).write_text(reason.rstrip() + "\n", encoding="utf-8")


def quarantined_files(spool_dir: Path) -> list[Path]:
    """The files in the quarantine of ``spool_dir``, oldest name first."""
    return sorted((spool_dir / QUARANTINE).glob(f"*{SPOOL_SUFFIX}"))


def spool_files(spool_dir: Path) -> list[Path]:
    if not spool_dir.is_dir():
        return []
    return sorted(spool_dir.glob(f"spool-*{SPOOL_SUFFIX}"))


def spooled_count(paths: Iterable[Path]) -> int:
    """The articles the spool files hold (their non-blank lines), without parsing them: the
    total of a load's progress display."""
    count = 0
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            count += sum(1 for line in handle if line.strip())
    return count


def read_batch(path: Path) -> Iterator[Article]:
    """The articles of one spool file; a malformed line raises naming the file and line."""
    names = {f.name for f in dataclasses.fields(Article)}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                unknown = set(data) - names
                if unknown:
                    raise SpoolFormatError(f"unknown fields {sorted(unknown)}")
                yield article_from_json(data)
            except (ValueError, TypeError) as error:
                raise SpoolFormatError(f"{path}:{number}: not a spooled article: {error}") from error
