"""An error in a content worker process reaches the crawl's log with its real type and message,
counted, and the run goes on; the log names the item, never prints it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_scrapy
from tests.faults.harness import longest_log_line, stored_count, write_articles


def test_an_unpicklable_worker_error_arrives_with_its_real_type_and_no_body_is_logged(
    sqlite_url: str, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    write_articles(inputs, 3)
    stages = json.dumps({"tests.faults.stages.BrokenXPathStage": 100})
    run = run_scrapy(
        ["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=1", "-s", f"CONTENT_PIPELINES={stages}"],
        database_url=sqlite_url, spool_dir=tmp_path / "spool", timeout=180,
    )  # fmt: skip
    assert "cannot pickle" not in run.stderr
    assert "lxml.etree.XPathSyntaxError: Invalid expression" in run.stderr, run.stderr[-3000:]
    assert run.stderr.count("ERROR: Error processing Page <file://") == 3  # each item named by its URL
    assert "第0号测试文章" not in run.stderr  # and not printed
    assert stored_count(sqlite_url) == 0
    assert longest_log_line(run) < 2000
