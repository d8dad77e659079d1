"""Progress of long runs (:mod:`crawler.progress`, :mod:`crawler.extensions.progress`)."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.db.spool import write_batch
from crawler.extensions.progress import log_above_the_bar, logs_info, progress_counts
from crawler.progress import Progress, progress_line, progress_mode
from tests.conftest import SEEDS_DIR, run_scrapy
from tests.test_db import article


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("setting", "level", "tty", "mode"),
    [
        ("auto", "INFO", True, "bar"),
        ("auto", "INFO", False, "log"),
        ("auto", "DEBUG", False, "log"),
        ("auto", "WARNING", True, "off"),  # -L WARNING: quiet
        ("log", "WARNING", False, "log"),  # asked for
        ("off", "INFO", True, "off"),
        ("bar", "INFO", False, "bar"),
    ],
)
def test_progress_mode(setting: str, level: str, tty: bool, mode: str) -> None:
    settings = Settings({"PROGRESS": setting, "LOG_LEVEL": level})
    assert progress_mode(settings, Terminal() if tty else io.StringIO()) == mode


def test_progress_mode_refuses_an_unknown_value() -> None:
    with pytest.raises(ValueError, match="PROGRESS must be one of"):
        progress_mode(Settings({"PROGRESS": "loud"}))


@pytest.mark.parametrize(
    ("done", "total", "elapsed", "counts", "line"),
    [
        (1200, 5000, 4.0, {}, "clustering: 1200/5000 (24%), 300/s, ETA 0:00:13"),
        (5000, 5000, 10.0, {}, "clustering: 5000/5000 (100%), 500/s"),
        (0, 5000, 0.0, {}, "clustering: 0/5000 (0%), 0/s"),
        (40, None, 20.0, {"list pages": 3, "new": 12}, "clustering: 40, 2/s; list pages 3, new 12"),
    ],
)
def test_progress_line(done: int, total: int | None, elapsed: float, counts: dict[str, int], line: str) -> None:
    assert progress_line("clustering", done, total, elapsed, counts) == line


def test_log_lines_come_once_per_interval() -> None:
    now = [0.0]
    lines: list[str] = []
    progress = Progress("replay", 10, mode="log", interval=60, emit=lines.append, clock=lambda: now[0])
    for step in range(1, 11):
        now[0] = step * 25.0
        progress.advance(1)
    # one item every 25 s: a line at 75 s, 150 s and 225 s, each 60 s or more after the last
    assert lines == ["replay: 3/10 (30%), 0/s, ETA 0:02:55", "replay: 6/10 (60%), 0/s, ETA 0:01:40",
                     "replay: 9/10 (90%), 0/s, ETA 0:00:25"]  # fmt: skip


def test_a_bar_shows_counts_and_the_total() -> None:
    stream = Terminal()
    progress = Progress("replay", 10, mode="bar", stream=stream)
    progress.update(4, {"new": 3})
    progress.close()
    assert "replay:  40%" in stream.getvalue()
    assert "4/10" in stream.getvalue()
    assert "new=3" in stream.getvalue()


def test_progress_counts_of_a_site_crawl_and_of_a_replay() -> None:
    crawl = {"downloader/response_count": 30, "site/list_pages": 4, "storage/inserted": 20, "storage/unchanged": 2}
    assert progress_counts(crawl) == (30, {"list pages": 4, "stored": 22, "new": 20})
    replay = {"downloader/response_count": 5, "downloader/exception_count": 1, "replay/skipped": 2}
    assert progress_counts(replay) == (6, {"stored": 0, "new": 0, "skipped": 2})


@pytest.mark.parametrize(
    ("enabled", "level", "shown"),
    [(True, "INFO", True), (True, "DEBUG", True), (True, "WARNING", False), (False, "INFO", False)],
)
def test_progress_lines_go_to_the_log_only_when_it_shows_info(enabled: bool, level: str, shown: bool) -> None:
    assert logs_info(Settings({"LOG_ENABLED": enabled, "LOG_LEVEL": level})) is shown


def test_log_lines_above_the_bar_keep_the_level_of_the_console_handler() -> None:
    root = logging.getLogger()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)  # Scrapy filters LOG_LEVEL in its console handler
    root.addHandler(console)
    before = set(root.handlers)
    try:
        with log_above_the_bar():
            assert console not in root.handlers  # replaced by tqdm's, which writes above the bar
            added = [handler for handler in root.handlers if handler not in before]
            assert len(added) == 1
            assert added[0].level == logging.WARNING
        assert console in root.handlers
    finally:
        root.removeHandler(console)


def test_loadspool_progress_is_shown_when_asked_and_silent_otherwise(sqlite_url: str, tmp_path: Path) -> None:
    """A maintenance spider downloads nothing: the articles that left the pipelines count, against
    the spooled articles; loadspool logs warnings only, so the lines go to stderr directly."""
    for spool in (tmp_path / "asked", tmp_path / "default"):
        write_batch(spool, [article("http://a.cn/1", body="正文1"), article("http://a.cn/2", body="正文2")])
        write_batch(spool, [article("http://a.cn/3", body="正文3")])
    asked = run_scrapy(
        ["loadspool", str(tmp_path / "asked"), "-s", "PROGRESS=log", "-s", "PROGRESS_INTERVAL=0"],
        database_url=sqlite_url,
    )
    assert asked.returncode == 0, asked.stderr[-3000:]
    assert "loading: 3/3 (100%)" in asked.stderr
    assert "stored 3, new 3" in asked.stderr
    default = run_scrapy(["loadspool", str(tmp_path / "default")], database_url=f"{sqlite_url}-2")
    assert default.returncode == 0, default.stderr[-3000:]
    assert "loading:" not in default.stderr  # not a terminal, shorter than PROGRESS_INTERVAL


def test_replay_progress_is_logged_when_asked_and_silent_otherwise(sqlite_url: str, tmp_path: Path) -> None:
    asked = run_scrapy(
        ["crawl", "replay", "-a", f"path={SEEDS_DIR}", "-s", "PROGRESS=log", "-s", "PROGRESS_INTERVAL=0",
         "-s", "CONTENT_WORKERS=0"],
        database_url=sqlite_url,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr[-3000:]
    assert "replay: 5/5 (100%)" in asked.stderr
    assert "new 5" in asked.stderr
    default = run_scrapy(
        ["crawl", "replay", "-a", f"path={SEEDS_DIR}", "-s", "CONTENT_WORKERS=0"], database_url=f"{sqlite_url}-2"
    )
    assert default.returncode == 0, default.stderr[-3000:]
    assert "replay:" not in default.stderr  # not a terminal, shorter than PROGRESS_INTERVAL
    quiet = run_scrapy(
        ["crawl", "replay", "-a", f"path={SEEDS_DIR}", "-L", "WARNING", "-s", "PROGRESS_INTERVAL=0",
         "-s", "CONTENT_WORKERS=0"],
        database_url=f"{sqlite_url}-3",
    )  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "replay:" not in quiet.stderr
