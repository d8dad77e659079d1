"""Golden pages written for each extraction rule: raw bytes + URL + fetch time -> expected fields.

Each folder under ``tests/fixtures/extract/`` holds ``page.html`` (raw bytes), ``meta.json``
(url, fetched_at, optional headers) and ``expected.json`` (sorted keys, ensure_ascii=False).
Pages go through the spider's own ``page_from_response`` (so a lying meta charset is handled
the way a crawl handles it) and then the extraction pipeline. One test per field, so a failure
names the field. ``GOVNEWS_UPDATE_GOLDEN=1 pytest tests/test_extract_golden.py`` rewrites the
expected files for human review.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.pages import page_from_response
from pipelines.extraction import extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "page.html").exists())
FIELDS = (
    "title",
    "subtitle",
    "published",
    "published_raw",
    "source_name",
    "author",
    "editor",
    "doc_number",
    "issuer",
    "canonical_url",
    "body",
)
EXTRA_FIELDS = (
    "authors",
    "doc_number_raw",
    "doc_number_parts",
    "gov_meta",
    "quality",
    "attachments",
    "cms",
    "provenance",
)


def extracted(case: str) -> dict[str, Any]:
    folder = FIXTURES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    response = HtmlResponse(
        url=meta["url"], body=(folder / "page.html").read_bytes(), headers=meta.get("headers") or {}
    )
    page = page_from_response(response, kind="html", fetched_at=datetime.fromisoformat(meta["fetched_at"]))
    article, _ = extract_article(page)
    values = {name: getattr(article, name) for name in FIELDS}
    extra = dataclasses.asdict(article.extra)
    values.update({name: extra[name] for name in EXTRA_FIELDS})
    return values


def expected(case: str) -> dict[str, Any]:
    path = FIXTURES / case / "expected.json"
    if os.environ.get("GOVNEWS_UPDATE_GOLDEN") == "1":
        path.write_text(
            json.dumps(extracted(case), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("field", FIELDS + EXTRA_FIELDS)
@pytest.mark.parametrize("case", CASES)
def test_golden_field(case: str, field: str) -> None:
    assert extracted(case)[field] == expected(case)[field]
