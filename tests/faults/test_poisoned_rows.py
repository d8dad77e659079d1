"""One bad row never takes its batch, or a spool file, or the spool files after it, with it.

A NUL character (Postgres refuses it in text and JSON) is taken out before any write, on both
databases; a row the database still refuses is quarantined alone with its reason; ``loadspool``
quarantines an unreadable file and loads every other one."""

from __future__ import annotations

from pathlib import Path

from crawler.db.spool import quarantined_files, spool_files, write_batch
from crawler.exitcodes import ExitCode
from tests.conftest import query_rows, run_scrapy
from tests.faults.harness import article_text, stored_count, write_articles
from tests.test_db import article


def test_a_nul_in_one_replayed_body_is_stripped_and_the_batch_is_stored(database_url: str, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    write_articles(inputs, 29)
    long_body = article_text(1000, paragraphs=40)  # the NUL past the binary sniff of the first 8 KiB
    poisoned = long_body[: len(long_body) - 100] + "\x00" + long_body[len(long_body) - 100 :]
    (inputs / "poisoned.txt").write_text(poisoned, encoding="utf-8")
    run = run_scrapy(
        ["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0"],
        database_url=database_url, spool_dir=tmp_path / "spool",
    )  # fmt: skip
    assert run.returncode == ExitCode.OK, run.stderr[-3000:]
    assert "30 (new 30" in run.stdout
    assert stored_count(database_url) == 30
    bodies = [row["body"] for row in query_rows(database_url, "SELECT body FROM articles")]
    assert not any("\x00" in body for body in bodies)
    assert spool_files(tmp_path / "spool") == []


def test_loadspool_strips_nul_quarantines_the_refused_row_and_the_unreadable_file_and_loads_the_rest(
    database_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    with_nul = article("http://a.cn/nul", body="正文\x00含有空字符", source_name="来源\x00", title="标\x00题")
    write_batch(spool, [article("http://a.cn/1", body="正文一"), with_nul])
    refused = article("http://a.cn/refused", body="正文二", site=None)  # NOT NULL: refused alone
    write_batch(spool, [article("http://a.cn/2", body="正文三"), refused, article("http://a.cn/3", body="正文四")])
    unreadable = write_batch(spool, [article("http://a.cn/4", body="正文五")])
    with unreadable.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    write_batch(spool, [article("http://a.cn/5", body="正文六")])

    run = run_scrapy(["loadspool"], database_url=database_url, spool_dir=spool)
    assert run.returncode == ExitCode.FAILED, run.stderr[-3000:]
    urls = {row["canonical_url"] for row in query_rows(database_url, "SELECT canonical_url FROM articles")}
    assert urls == {"http://a.cn/1", "http://a.cn/nul", "http://a.cn/2", "http://a.cn/3", "http://a.cn/5"}
    [stripped] = query_rows(database_url, "SELECT body, title, source_name FROM articles WHERE canonical_url = :u",
                            u="http://a.cn/nul")  # fmt: skip
    assert stripped == {"body": "正文含有空字符", "title": "标题", "source_name": "来源"}
    assert spool_files(spool) == []
    quarantined = quarantined_files(spool)
    assert len(quarantined) == 2
    reasons = "".join(path.with_name(path.name + ".reason").read_text() for path in quarantined)
    assert "http://a.cn/refused" in reasons
    assert f"{unreadable.name}:2" in reasons
    assert "quarantined 2" in run.stdout

    again = run_scrapy(["loadspool"], database_url=database_url, spool_dir=spool)
    assert again.returncode == ExitCode.OK
    assert "nothing to load" in again.stdout
    assert stored_count(database_url) == 5
