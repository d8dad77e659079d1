"""Score our extraction and the baselines on the dev corpus, side by side, in one run.

Runs ``../shared/bench/score.py`` with ``--govnews .`` (the full replay pipeline through
``scrapy crawl replay``) and every importable baseline among trafilatura, readability-lxml,
GNE and newspaper4k; a baseline that is not importable is skipped with a note. Prints the
per-field table and pages/s (note: ours includes the Scrapy process start and every pipeline
stage, the baselines only their extraction call).

Usage: python benchmarks/extraction.py [--corpus DIR] [--per-page] [--json OUT]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
BASELINES = {"trafilatura": "trafilatura", "readability": "readability", "gne": "gne", "newspaper4k": "newspaper"}


def importable_baselines() -> tuple[list[str], list[str]]:
    """Baselines that can run here, and the ones that cannot."""
    present, missing = [], []
    for name, module in BASELINES.items():
        (present if importlib.util.find_spec(module) is not None else missing).append(name)
    return present, missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev")
    parser.add_argument("--score", type=Path, default=SHARED / "bench" / "score.py")
    parser.add_argument("--per-page", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.corpus.is_dir() or not args.score.is_file():
        print(f"corpus {args.corpus} or scorer {args.score} not found", file=sys.stderr)
        return 2
    present, missing = importable_baselines()
    for name in missing:
        print(
            f"skipping baseline {name}: module {BASELINES[name]!r} is not importable "
            f"(pip install {'readability-lxml' if name == 'readability' else name})"
        )
    command = [sys.executable, str(args.score), "--corpus", str(args.corpus), "--govnews", str(PROJECT)]
    for name in present:
        command += ["--baseline", name]
    if args.per_page:
        command.append("--per-page")
    if args.json:
        command += ["--json", str(args.json)]
    return subprocess.run(command, cwd=PROJECT, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
