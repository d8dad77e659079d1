"""Throughput of the cleaning stage alone, on one core.

Run from the repository root::

    python benchmarks/cleaning.py [--seconds 2] [--corpus ../shared/corpus/dev]

Two workloads: the seed texts (``seeds/*.txt``, title = first line) and the annotated truth
bodies of the corpus (the benchmark refuses to run without it). Each is timed with two cleaners in the same run:

* ``baseline``: what any cleaner does at least, OpenCC ``t2s`` plus a regex whitespace
  normalization, and nothing else;
* ``clean_article``: the full stage (pinyin, script, swaps, boilerplate, repeats, titles,
  spun score).

The ratio column says how many times slower the full stage is than the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402

from pipelines.text.clean import clean_article  # noqa: E402

Document = tuple[str | None, str]
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity)"


def seed_documents() -> list[Document]:
    documents: list[Document] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        documents.append((title, body))
    return documents


def corpus_documents(corpus: Path) -> list[Document]:
    documents: list[Document] = []
    for truth in sorted(corpus.glob("*/truth.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        if data.get("body"):
            documents.append((data["title"], data["body"]))
    return documents


def baseline(converter: opencc.OpenCC) -> Callable[[Document], object]:
    def clean(document: Document) -> object:
        title, body = document
        text = converter.convert(f"{title or ''}\n{body}")
        return _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()

    return clean


def full(document: Document) -> object:
    return clean_article(*document)


def documents_per_second(clean: Callable[[Document], object], documents: list[Document], seconds: float) -> float:
    """Best of three timed rounds, each cleaning the documents repeatedly for ``seconds``."""
    for document in documents:  # warm up: vocabulary, OpenCC dictionaries, caches
        clean(document)
    best = 0.0
    for _ in range(3):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for document in documents:
                clean(document)
            done += len(documents)
        best = max(best, done / elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one timed round")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    args = parser.parse_args()
    corpus = corpus_documents(args.corpus)
    if not corpus:
        print(f"cleaning benchmark refused: no truth bodies in {args.corpus}", file=sys.stderr)
        return 2

    print(f"python {sys.version.split()[0]}, {pin_to_one_core()}")
    workloads = {"seeds": seed_documents(), "corpus truth bodies": corpus}
    naive = baseline(opencc.OpenCC("t2s"))
    header = f"{'workload':<22}{'docs':>6}{'chars/doc':>11}{'baseline docs/s':>17}{'clean docs/s':>14}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, documents in workloads.items():
        chars = sum(len(body) for _, body in documents) // len(documents)
        base = documents_per_second(naive, documents, args.seconds)
        cleaned = documents_per_second(full, documents, args.seconds)
        print(f"{name:<22}{len(documents):>6}{chars:>11}{base:>17.0f}{cleaned:>14.0f}{base / cleaned:>7.1f}x")
    print("ratio = baseline docs/s / clean_article docs/s (how many times the full stage costs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
