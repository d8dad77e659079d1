"""Score our extraction and the baselines on the dev corpus, side by side, in one run.

Runs ``../shared/bench/score.py`` with ``--govnews .`` (the full replay pipeline through
``scrapy crawl replay``) and every importable baseline among trafilatura, readability-lxml,
GNE and newspaper4k; a baseline that is not importable is skipped with a note. Prints the
per-field table and pages/s (note: ours includes the Scrapy process start and every pipeline
stage, the baselines only their extraction call).

Then a table of provenance: for each field, which rule (``extra.provenance[field].rule``)
produced each right value, each wrong one, each value where the truth has none (false) and
each miss, on the corpus run in this process through extraction, cleaning and enrichment, and
judged as ``score.py`` judges it. A wrong value names the rule to look at.

Then, since process start dominates a 23-page run, a further table times steady-state
throughput in this one process, like for like from the raw bytes: our page decoding plus the
extraction stage, and plus the cleaning and enrichment stages (the pipeline classes themselves,
built from a crawler; dedup and storage need a database and are left out), against each
baseline's call as ``score.py`` makes it. Each row runs the whole corpus repeatedly for at least
``--seconds``; the ratio column is pages/s over trafilatura's.

(``score.py`` compares strings after OpenCC Traditional->Simplified on both sides, so the
Traditional-script pages, which the cleaning stage converts, score as they read.)

Usage: python benchmarks/extraction.py [--corpus DIR] [--per-page] [--json OUT] [--seconds S] [--rules-only]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))
FETCHED_AT = "2026-01-01T00:00:00+08:00"
#: Fields whose rule is counted, with the ``score.py`` row keys that judge them.
RULE_FIELDS = {
    "published": ("published", "published_min"),
    "source_name": ("source_name",),
    "author": ("author",),
    "doc_number": ("doc_number",),
    "title": ("title",),
}
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
    parser.add_argument("--seconds", type=float, default=5.0, help="per row of the steady-state table; 0 skips it")
    parser.add_argument("--rules-only", action="store_true", help="only the table of rules per field")
    args = parser.parse_args()
    if not args.corpus.is_dir() or not args.score.is_file():
        print(f"corpus {args.corpus} or scorer {args.score} not found", file=sys.stderr)
        return 2
    if args.rules_only:
        print_rule_counts(args.corpus, args.score)
        return 0
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
    code = subprocess.run(command, cwd=PROJECT, check=False).returncode
    if code == 0:
        print_rule_counts(args.corpus, args.score)
    if code == 0 and args.seconds > 0:
        print_steady_state(args.corpus, args.score, present, args.seconds)
    return code


def pages_per_second(run: Callable[[bytes, str], Any], pages: list[tuple[bytes, str]], seconds: float) -> float:
    """Pages/s of ``run`` over every page, repeated until ``seconds`` have passed (one warm-up round)."""
    for raw, url in pages:
        run(raw, url)
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or done == 0:
        for raw, url in pages:
            run(raw, url)
        done += len(pages)
    return done / elapsed


def our_runners() -> dict[str, Callable[[bytes, str], Any]]:
    """Our extraction stage alone, and extraction plus cleaning and enrichment, from raw bytes."""
    from scrapy.http import HtmlResponse
    from scrapy.utils.misc import build_from_crawler

    from crawler.pages import page_from_response
    from pipelines.cleaning import CleaningPipeline
    from pipelines.enrichment import EnrichmentPipeline
    from pipelines.extraction import ExtractionPipeline
    from tests.conftest import project_crawler

    crawler = project_crawler()
    crawler.stats.open_spider()  # type: ignore[union-attr]
    stages = [build_from_crawler(cls, crawler) for cls in (ExtractionPipeline, CleaningPipeline, EnrichmentPipeline)]
    fetched_at = datetime.fromisoformat(FETCHED_AT)

    def page_of(raw: bytes, url: str) -> Any:
        return page_from_response(HtmlResponse(url=url, body=raw), kind="html", fetched_at=fetched_at)

    def through(count: int) -> Callable[[bytes, str], Any]:
        def run(raw: bytes, url: str) -> Any:
            item = page_of(raw, url)
            for stage in stages[:count]:
                item = stage.process_item(item)
            return item

        return run

    return {"govnews extraction": through(1), "govnews extraction+cleaning+enrichment": through(3)}


def baseline_runner(name: str, decode: Callable[[bytes], str]) -> Callable[[bytes, str], Any]:
    """The call ``score.py`` times for baseline ``name``; ``decode`` is its ``decode_guess``,
    for the baselines it hands text (decoding included in the time, as there)."""
    if name == "trafilatura":
        import trafilatura

        return lambda raw, url: trafilatura.bare_extraction(raw, with_metadata=True)
    if name == "readability":
        from lxml import html as lxml_html
        from readability import Document

        def readability(raw: bytes, url: str) -> Any:
            doc = Document(decode(raw))
            return doc.short_title(), list(lxml_html.fromstring(doc.summary()).itertext())

        return readability
    if name == "gne":
        from gne import GeneralNewsExtractor

        extractor = GeneralNewsExtractor()
        return lambda raw, url: extractor.extract(decode(raw))
    raise ValueError(f"no in-process runner for baseline {name!r}")


def rule_outcomes(rows: list[dict[str, Any]], articles: dict[str, Any]) -> dict[tuple[str, str], Counter[str]]:
    """``(field, rule) -> {outcome: pages}`` from ``score.py``'s per-page rows: ``right``,
    ``wrong`` (a value unlike the truth's; for published a right day with a wrong minute
    counts as ``wrong minute``), ``false`` (a value where the truth has none), ``missed``."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in rows:
        article = articles[row["id"]]
        for field, (key, *finer) in RULE_FIELDS.items():
            provenance = article.extra.provenance.get(field)
            rule = provenance.rule if provenance is not None else "none"
            rule = rule.split(": ", 1)[0] if field == "title" else rule
            value = getattr(article, field)
            if f"{key}_false" in row:
                outcome = "false" if row[f"{key}_false"] else "none (right)"
            elif key not in row:
                continue
            elif not value:
                outcome = "missed"
            elif not row[key]:
                outcome = "wrong"
            else:
                outcome = "wrong minute" if finer and row.get(finer[0]) is False else "right"
            counts[(field, rule)][outcome] += 1
    return counts


def print_rule_counts(corpus: Path, score: Path) -> None:
    """The rules behind each field's right and wrong values on the corpus (full stage chain)."""
    from tests.conftest import load_scorer

    scorer = load_scorer(score)
    cases = scorer.load_cases(corpus, corpus)
    run = our_runners()["govnews extraction+cleaning+enrichment"]
    articles = {}
    for case in cases:
        truth = case["truth"]
        articles[truth["id"]] = run(case["page"].read_bytes(), truth.get("url") or f"file:///corpus/{truth['id']}.html")
    _, rows = scorer.score(cases, {key: vars(article) for key, article in articles.items()})
    counts = rule_outcomes(rows, articles)
    outcomes = ("right", "wrong", "wrong minute", "false", "missed", "none (right)")
    print(f"\nRules per field, {len(cases)} pages (extraction+cleaning+enrichment in this process)")
    print("| field | rule | " + " | ".join(outcomes) + " |")
    print("|---|---|" + "---|" * len(outcomes))
    for (field, rule), outcome in sorted(counts.items(), key=lambda item: (item[0][0], -item[1]["right"])):
        print(f"| {field} | {rule} | " + " | ".join(str(outcome[name] or "") for name in outcomes) + " |")


def print_steady_state(corpus: Path, score: Path, baselines: list[str], seconds: float) -> None:
    pages = [
        ((case / "page.html").read_bytes(), f"file:///corpus/{case.name}.html")
        for case in sorted(corpus.iterdir())
        if (case / "page.html").is_file()
    ]
    from tests.conftest import load_scorer

    decode = load_scorer(score).decode_guess
    rows = {name: pages_per_second(run, pages, seconds) for name, run in our_runners().items()}
    for name in baselines:
        try:
            rows[name] = pages_per_second(baseline_runner(name, decode), pages, seconds)
        except ValueError as error:
            print(f"skipping {name} in the steady-state table: {error}")
    reference = rows.get("trafilatura")
    print(f"\nSteady state in one process, {len(pages)} pages, at least {seconds:g} s per row")
    print(f"{'extractor':<42} {'pages/s':>9} {'vs trafilatura':>15}")
    for name, rate in rows.items():
        ratio = f"{rate / reference:.2f}" if reference else "-"
        print(f"{name:<42} {rate:>9.1f} {ratio:>15}")


if __name__ == "__main__":
    raise SystemExit(main())
