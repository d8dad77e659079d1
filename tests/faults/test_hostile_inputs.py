"""Replay inputs that used to hang, abort or exhaust a run: each is a logged, counted skip, and
every other input is stored. Nothing a page holds is ever written to the log whole."""

from __future__ import annotations

import os
from pathlib import Path

from crawler.exitcodes import ExitCode
from tests.conftest import run_scrapy
from tests.faults.harness import article_text, longest_log_line, run_faulty, stored_count, write_articles
from tests.test_replay import write_warc

# No log line of a run may be longer than this: a page body never goes into the log.
LONGEST_LOG_LINE = 2000


def summary_line(stdout: str, label: str) -> str:
    return next(line for line in stdout.splitlines() if line.strip().startswith(label))


def test_a_fifo_an_unreadable_directory_and_a_symlink_loop_are_skipped_and_a_linked_directory_is_read(
    database_url: str, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    write_articles(inputs / "plain", 3)
    write_articles(tmp_path / "elsewhere", 2, start=100)
    os.symlink(tmp_path / "elsewhere", inputs / "linked")  # a symlink to a directory: followed
    os.symlink(inputs, inputs / "plain" / "loop")  # back to an ancestor: a loop
    os.mkfifo(inputs / "pipe.html")  # reading it would block forever
    write_articles(inputs / "locked", 2, start=200)
    run = run_faulty(
        ["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0"],
        database_url=database_url, spool_dir=tmp_path / "spool", timeout=120,
        env={"GOVNEWS_FAULT_UNREADABLE": str(inputs / "locked")},
    )  # fmt: skip
    assert run.returncode == ExitCode.OK, run.stderr[-3000:]
    assert stored_count(database_url) == 5  # plain 3 + linked 2
    for name, reason in [
        ("pipe.html", "not a regular file (a FIFO)"),
        ("locked", "unreadable directory: Permission denied"),
        ("loop", "symlink loop"),
    ]:
        assert any(name in line and reason in line for line in run.stdout.splitlines()), (name, run.stdout)
    assert summary_line(run.stdout, "skipped inputs").endswith("| 3")
    assert summary_line(run.stdout, "files read").endswith("| 5")


def test_size_limits_skip_a_warc_bomb_a_huge_file_and_an_overlong_page_and_the_log_holds_no_body(
    database_url: str, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    write_articles(inputs, 2)
    paragraph = "<p>" + "科技创新" * 50 + "</p>"
    bomb = ("<html><body><div>" + paragraph * 60_000 + "</div></body></html>").encode()  # ~36 MB of HTML
    good = "<html><head><title>好的记录</title></head><body><div class='content'><p>" + article_text(7) + "</p></div>"
    html = "text/html; charset=utf-8"
    write_warc(inputs / "bomb.warc.gz", [("http://bomb.example.cn/1.html", bomb, html),
                                         ("http://bomb.example.cn/2.html", good.encode(), html)])  # fmt: skip
    assert (inputs / "bomb.warc.gz").stat().st_size < 2 * 1024 * 1024
    (inputs / "huge.txt").write_bytes(b"\xe6\x96\x87" * (2 * 1024 * 1024))  # 6 MiB of "文"
    (inputs / "long.txt").write_text("标题\n" + "很长的正文。" * 40_000, encoding="utf-8")  # 240,000 characters
    run = run_scrapy(
        ["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0",
         "-s", f"DOWNLOAD_MAXSIZE={5 * 1024 * 1024}", "-s", "PAGE_MAX_CHARS=200000"],
        database_url=database_url, spool_dir=tmp_path / "spool", timeout=180,
    )  # fmt: skip
    assert run.returncode == ExitCode.OK, run.stderr[-3000:]
    assert stored_count(database_url) == 3  # the two .txt and the WARC's good record
    lines = run.stdout.splitlines()
    assert any("bomb.warc.gz" in line and "decompresses to more than 5242880 bytes" in line for line in lines)
    assert any("huge.txt" in line and "too large (6291456 bytes" in line for line in lines)
    assert any("long.txt" in line and "too long (240003 characters" in line for line in lines)
    assert summary_line(run.stdout, "too_large").endswith("| 2")
    assert summary_line(run.stdout, "too_long").endswith("| 1")
    assert longest_log_line(run) < LONGEST_LOG_LINE
