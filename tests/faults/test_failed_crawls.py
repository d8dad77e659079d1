"""Failures that used to look like success: a crawl that fetched nothing, and a crawl stopped
with Ctrl-C. Both say so in their exit status and in ``crawl_runs``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import settings as project_settings
from crawler.exitcodes import ExitCode
from tests.conftest import PROJECT_ROOT, query_rows, run_scrapy
from tests.faults.harness import SilentServer, write_site
from tests.loopback import loopback_settings


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer().start()
    yield server
    server.stop()


def test_default_timeout_is_one_a_person_would_wait() -> None:
    assert project_settings.DOWNLOAD_TIMEOUT == 30


def test_a_crawl_whose_every_request_timed_out_failed_and_its_retries_are_in_the_log(
    silent: SilentServer, database_url: str, tmp_path: Path
) -> None:
    sites = tmp_path / "sites"
    write_site(sites, "silent_site")
    started = time.monotonic()
    run = run_scrapy(
        ["crawl", "silent_site", "-s", f"SITES_DIR={sites}", *loopback_settings(silent.port),
         "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=1", "-s", "ROBOTSTXT_OBEY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
        database_url=database_url, spool_dir=tmp_path / "spool", timeout=120,
    )  # fmt: skip
    assert time.monotonic() - started < 60
    assert run.returncode == ExitCode.FAILED, run.stderr[-3000:]
    assert "INFO: retrying http://hang.example.cn/list/index.html (retry 1 of 1)" in run.stderr
    assert "none of its entry points could be fetched" in run.stderr
    [row] = query_rows(database_url, "SELECT status, errors FROM crawl_runs WHERE site = 'silent_site'")
    assert row == {"status": "failed", "errors": 1}


def test_ctrl_c_gives_the_interrupted_exit_status_and_run_row(
    silent: SilentServer, sqlite_url: str, tmp_path: Path
) -> None:
    sites = tmp_path / "sites"
    write_site(sites, "silent_site")
    env = dict(os.environ, DATABASE_URL=sqlite_url, GOVNEWS_SPOOL_DIR=str(tmp_path / "spool"),
               PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "silent_site", "-s", f"SITES_DIR={sites}",
         *loopback_settings(silent.port), "-s", "DOWNLOAD_TIMEOUT=5", "-s", "ROBOTSTXT_OBEY=0"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    log = []
    for line in process.stdout:  # until the list page request is on its way
        log.append(line)
        if "Spider opened" in line:
            break
    deadline = time.monotonic() + 30
    while not silent.held and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, "".join(log) + rest[-3000:]
    assert "INTERRUPTED" in rest
    [row] = query_rows(sqlite_url, "SELECT status FROM crawl_runs WHERE site = 'silent_site'")
    assert row == {"status": "interrupted"}
