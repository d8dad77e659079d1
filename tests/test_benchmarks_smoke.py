"""Every benchmark runs at a tiny size, and refuses to run without its corpus.

Not a timing test: the figures are not looked at, only that each benchmark still runs green
from a clone (a benchmark that crashed at HEAD went unnoticed for weeks) and prints its table,
and that one reading the dev corpus exits non-zero with a message when the corpus is missing
instead of measuring something smaller.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "dev"
SCORER = PROJECT_ROOT.parent / "shared" / "bench" / "score.py"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="dev corpus (../shared/corpus/dev) absent")


def run_benchmark(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "benchmarks" / script), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# (script, tiny arguments, a line start the table prints)
SMOKE_RUNS = [
    ("cleaning.py", ["--seconds", "0.01"], "corpus truth bodies"),
    ("dedup.py", ["--sizes", "50", "--repeat", "1"], "       50 |"),
    ("dedup_eval.py", [], "precision"),
    ("crawl.py", ["--articles", "20"], "site "),
    ("replay.py", ["--pages", "10", "--workers", "1"], "replay, CONTENT_WORKERS=1"),
    (
        "fleet.py",
        ["--sites", "2", "--articles", "1", "--cycles", "1", "--baseline-sites", "1", "--delay", "0"],
        "process per site",
    ),
]


@needs_corpus
@pytest.mark.parametrize(("script", "args", "expected"), SMOKE_RUNS, ids=[run[0] for run in SMOKE_RUNS])
def test_benchmark_runs_at_tiny_size(script: str, args: list[str], expected: str) -> None:
    result = run_benchmark(script, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert any(line.lstrip().startswith(expected.strip()) or expected in line for line in result.stdout.splitlines()), (
        result.stdout[-3000:]
    )


@needs_corpus
@pytest.mark.skipif(not SCORER.is_file(), reason="scorer (../shared/bench/score.py) absent")
def test_extraction_benchmark_runs() -> None:
    result = run_benchmark("extraction.py", "--seconds", "0.01")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "govnews extraction+cleaning+enrichment" in result.stdout


def test_sql_benchmark_runs_at_tiny_size() -> None:
    result = run_benchmark("sql.py", "--articles", "200")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Plans of queries over 100 ms" in result.stdout


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("cleaning.py", []),
        ("dedup.py", ["--sizes", "50"]),
        ("dedup_eval.py", []),
        ("crawl.py", ["--articles", "20"]),
        ("replay.py", ["--pages", "10"]),
        ("extraction.py", []),
        ("fleet.py", ["--sites", "2"]),
    ],
)
def test_benchmark_refuses_without_corpus(tmp_path: Path, script: str, args: list[str]) -> None:
    result = run_benchmark(script, *args, "--corpus", str(tmp_path / "missing"), timeout=120)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert str(tmp_path / "missing") in result.stderr
