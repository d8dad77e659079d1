"""Pages that are no articles are dropped or skipped with a counted reason, never stored as an
empty or garbage article: a BOM-only or comment-only file, random bytes without a NUL, and a
page nested deeper than the HTML parser reads."""

from __future__ import annotations

import random
from pathlib import Path

from tests.conftest import query_rows, run_scrapy
from tests.faults.harness import article_text, write_articles


def page(title: str, inner: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f"{inner}</body></html>")  # fmt: skip


def test_empty_binary_and_too_deep_pages_are_counted_not_stored(database_url: str, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    write_articles(inputs, 2)
    (inputs / "bom_only.txt").write_bytes(b"\xef\xbb\xbf\n")
    (inputs / "comment_only.html").write_text("<!-- 此处无内容 -->\n", encoding="utf-8")
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(15_000))  # no NUL anywhere
    (inputs / "noise.html").write_bytes(noise)
    depth = 50_000
    body = "".join(f"<p>{line}</p>" for line in article_text(11).splitlines()[1:])
    (inputs / "deep.html").write_text(page("深层嵌套", "<div>" * depth + body + "</div>" * depth), encoding="utf-8")
    shallow_body = "".join(f"<p>{line}</p>" for line in article_text(12).splitlines()[1:])
    (inputs / "deep_tail.html").write_text(
        page("正文在前", f'<div class="content">{shallow_body}</div>' + "<div>" * depth + "尾部" + "</div>" * depth),
        encoding="utf-8",
    )
    run = run_scrapy(["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0"],
                     database_url=database_url, spool_dir=tmp_path / "spool", timeout=180)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    stored = {Path(row["replay_path"]).name for row in query_rows(database_url, "SELECT replay_path FROM articles")}
    assert stored == {"00000.txt", "00001.txt", "deep_tail.html"}
    assert any("noise.html" in line and "binary content" in line for line in run.stdout.splitlines())
    stats = run.stderr.replace("\n", " ")
    assert "'extraction/dropped/no_title_no_body': 2" in stats
    assert "'extraction/dropped/too_deep': 1" in stats
    assert "'extraction/too_deep': 2" in stats
    assert "deep_tail.html: markup nested deeper than 256 elements" in run.stderr
    assert "items dropped               | 3" in run.stdout
