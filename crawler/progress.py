"""Progress of long runs: a tqdm bar on a terminal, a periodic one-line log otherwise.

Used through :class:`crawler.extensions.progress.CrawlProgress` by ``scrapy crawl`` (replay
and site crawls) and by the crawls of ``scrapy recluster`` and ``scrapy loadspool``
(:mod:`crawler.maintenance`). :func:`progress_mode` decides from the settings:

* ``PROGRESS = "auto"`` (default): nothing when the log level is above INFO (``-L WARNING``);
  a bar when stderr is a terminal; else one line every ``PROGRESS_INTERVAL`` seconds (60, as
  Scrapy's own LogStats), so short runs, tests and cron jobs print none unless asked.
* ``"bar"``, ``"log"``, ``"off"``: that, whatever the terminal and level.

A line reads ``clustering: 1200/5000 (24%), 310/s, ETA 0:00:12; joined 40`` (no total: no
percentage and no ETA).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Literal, TextIO

from scrapy.settings import BaseSettings

Mode = Literal["bar", "log", "off"]
MODES = ("auto", "bar", "log", "off")


def progress_mode(settings: BaseSettings, stream: TextIO = sys.stderr) -> Mode:
    wanted = str(settings["PROGRESS"]).lower()
    if wanted not in MODES:
        raise ValueError(f"PROGRESS must be one of {', '.join(MODES)}, not {wanted!r}")
    if wanted != "auto":
        return wanted  # type: ignore[return-value]
    level = logging.getLevelName(str(settings["LOG_LEVEL"]).upper())
    if isinstance(level, int) and level > logging.INFO:
        return "off"
    return "bar" if stream.isatty() else "log"


def progress_line(label: str, done: int, total: int | None, elapsed: float, counts: Mapping[str, int]) -> str:
    """``label: done/total (pct), rate/s, ETA h:mm:ss; name value, ...``."""
    rate = done / elapsed if elapsed > 0 else 0.0
    if total:
        line = f"{label}: {done}/{total} ({done / total:.0%}), {rate:.0f}/s"
        if rate > 0 and done < total:
            line += f", ETA {timedelta(seconds=round((total - done) / rate))}"
    else:
        line = f"{label}: {done}, {rate:.0f}/s"
    if counts:
        line += "; " + ", ".join(f"{name} {value}" for name, value in counts.items())
    return line


class Progress:
    """One progress display; :meth:`update` sets the absolute count, :meth:`advance` adds to it."""

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        mode: Mode,
        interval: float = 60.0,
        emit: Callable[[str], None] | None = None,
        unit: str = "it",
        stream: TextIO = sys.stderr,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.mode, self.interval = label, total, mode, interval
        self.emit = emit or (lambda line: print(line, file=stream, flush=True))
        self.clock = clock
        self.started = self.last_emitted = clock()
        self.done = 0
        self.bar: Any = None
        if mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit=unit, file=stream, dynamic_ncols=True)

    def update(self, done: int, counts: Mapping[str, int] | None = None) -> None:
        self.done = done
        if self.bar is not None:
            self.bar.n = done
            if counts:
                self.bar.set_postfix(counts, refresh=False)
            self.bar.refresh()
        elif self.mode == "log":
            now = self.clock()
            if now - self.last_emitted >= self.interval:
                self.last_emitted = now
                self.emit(progress_line(self.label, done, self.total, now - self.started, counts or {}))

    def advance(self, count: int, counts: Mapping[str, int] | None = None) -> None:
        self.update(self.done + count, counts)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
