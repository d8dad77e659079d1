"""Invisible characters are normalized the same way for every input: a zero-width space or a
BOM inside the text vanishes from a .txt and from an HTML page alike (it is not a space), and a
zero-width joiner inside an emoji sequence keeps the sequence whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.text.normalize import normalize_line
from tests.conftest import query_rows, run_scrapy
from tests.faults.harness import article_text

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji: man ZWJ woman ZWJ girl
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("科技\u200b创新", "科技创新"),
        ("\ufeff标题", "标题"),
        ("科技\ufeff创新", "科技创新"),
        ("中\u200d文", "中文"),  # a joiner between two Han characters joins nothing
        (f"全家福{FAMILY}合影", f"全家福{FAMILY}合影"),
        (f"旗帜{RAINBOW_FLAG}", f"旗帜{RAINBOW_FLAG}"),
        ("\u200d开头", "开头"),
    ],
)
def test_invisible_characters(line: str, expected: str) -> None:
    assert normalize_line(line) == expected


def test_a_txt_and_an_html_page_with_the_same_invisible_characters_store_the_same_body(
    sqlite_url: str, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    title, *paragraphs = article_text(3).splitlines()
    marked = [paragraphs[0][:10] + "\u200b" + paragraphs[0][10:] + FAMILY, "\ufeff" + paragraphs[1], *paragraphs[2:]]
    (inputs / "page.txt").write_text("\n".join([title, *marked]) + "\n", encoding="utf-8")
    html = (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<div class="content">{"".join(f"<p>{p}</p>" for p in marked)}</div></body></html>')  # fmt: skip
    (inputs / "page.html").write_text(html, encoding="utf-8")
    run = run_scrapy(["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0"],
                     database_url=sqlite_url, spool_dir=tmp_path / "spool")  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    bodies = {Path(row["replay_path"]).name: row["body"] for row in query_rows(
        sqlite_url, "SELECT replay_path, body FROM articles")}  # fmt: skip
    assert set(bodies) == {"page.txt", "page.html"}
    assert bodies["page.txt"] == bodies["page.html"]
    assert FAMILY in bodies["page.txt"]
    assert "\u200b" not in bodies["page.txt"]
    assert "\ufeff" not in bodies["page.txt"]
