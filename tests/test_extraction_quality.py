"""Quality gate: extraction scores on the real dev corpus may not fall below pinned floors.

Two gates, both scored by ``../shared/bench/score.py`` on ``../shared/corpus/dev`` and skipped
when the corpus or scorer is absent:

- the extraction stage alone, in process: each page goes through the spider's
  ``page_from_response`` and :func:`pipelines.extraction.extract_article`; this isolates
  extraction from later stages;
- the full replay path (``score.py --govnews``: ``scrapy crawl replay`` with every pipeline),
  which is what the issue's targets are measured on.

Floors sit slightly below what was measured when they were pinned (see docs/extraction.md);
raise them when extraction improves, never lower them silently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.pages import page_from_response
from pipelines.extraction import extract_article
from tests.conftest import load_scorer

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
CORPUS = SHARED / "corpus" / "dev"
SCORE = SHARED / "bench" / "score.py"

#: Extraction alone, in process: metric -> floor (measured 2026-11-23 on 23 pages: title,
#: published, published_min, source_name, author 1.000; body_f1 0.989; must_contain 1.000;
#: must_not 1.000. Issue 14, 43 pages: body_f1 0.993, must_contain 1.000, must_not 1.000).
STAGE_FLOORS = {
    "title": 0.97,
    "published": 0.97,
    "published_min": 0.97,
    "source_name": 0.97,
    "author": 0.95,
    "must_contain": 0.99,
    "must_not": 0.99,
    "body_f1": 0.985,
}
#: Full replay path: metric -> floor. score.py now compares after OpenCC t2s on both sides, so
#: the two Traditional-script pages no longer cost title and body points (measured 2026-11-23:
#: title 0.913, must_contain 0.913, body_f1 0.947, the rest 1.000; issue 14, 43 pages: title
#: 1.000, must_contain 1.000, must_not 1.000, body_f1 0.993).
FLOORS = {
    "found": 1.0,
    "title": 0.90,
    "published": 0.97,
    "published_min": 0.97,
    "source_name": 0.97,
    "author": 0.95,
    "must_contain": 0.99,
    "must_not": 0.99,
    "body_f1": 0.985,
}
#: metric -> ceiling for false values (predicted where the truth has none).
CEILINGS = {"source_name_false": 0.0, "author_false": 0.0, "doc_number_false": 0.0}


def scorer() -> ModuleType:
    if not CORPUS.is_dir() or not SCORE.is_file():
        pytest.skip(f"dev corpus or scorer not present ({CORPUS}, {SCORE})")
    return load_scorer(SCORE)


@pytest.fixture(scope="module")
def stage_summary() -> dict[str, dict[str, float]]:
    score = scorer()
    cases = score.load_cases(CORPUS, CORPUS)
    predictions: dict[str, dict[str, Any]] = {}
    for case in cases:
        truth = case["truth"]
        url = truth.get("url") or f"file:///corpus/{truth['id']}.html"
        response = HtmlResponse(url=url, body=case["page"].read_bytes())
        page = page_from_response(response, kind="html", fetched_at=datetime.fromisoformat("2026-01-01T00:00:00+08:00"))
        article, _ = extract_article(page)
        predictions[truth["id"]] = vars(article)
    summary, _ = score.score(cases, predictions)
    return dict(summary)


@pytest.mark.parametrize(("metric", "floor"), sorted(STAGE_FLOORS.items()))
def test_stage_metric_at_or_above_floor(stage_summary: dict[str, dict[str, float]], metric: str, floor: float) -> None:
    assert stage_summary[metric]["mean"] >= floor


@pytest.mark.parametrize(("metric", "ceiling"), sorted(CEILINGS.items()))
def test_stage_false_values_at_or_below_ceiling(
    stage_summary: dict[str, dict[str, float]], metric: str, ceiling: float
) -> None:
    if metric not in stage_summary:
        pytest.skip(f"no page without a truth value for {metric}")
    assert stage_summary[metric]["mean"] <= ceiling


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    if not CORPUS.is_dir() or not SCORE.is_file():
        pytest.skip(f"dev corpus or scorer not present ({CORPUS}, {SCORE})")
    out = tmp_path_factory.mktemp("quality") / "score.json"
    proc = subprocess.run(
        [sys.executable, str(SCORE), "--corpus", str(CORPUS), "--govnews", str(PROJECT), "--json", str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    return dict(next(iter(results.values()))["summary"])


@pytest.mark.parametrize(("metric", "floor"), sorted(FLOORS.items()))
def test_metric_at_or_above_floor(summary: dict[str, dict[str, float]], metric: str, floor: float) -> None:
    assert summary[metric]["mean"] >= floor


@pytest.mark.parametrize(("metric", "ceiling"), sorted(CEILINGS.items()))
def test_false_values_at_or_below_ceiling(summary: dict[str, dict[str, float]], metric: str, ceiling: float) -> None:
    if metric not in summary:
        pytest.skip(f"no page without a truth value for {metric}")
    assert summary[metric]["mean"] <= ceiling
