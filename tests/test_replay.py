"""End to end: ``scrapy crawl replay`` in a subprocess, into SQLite and (when reachable) Postgres."""

from __future__ import annotations

import io
import json
import os
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.db.models import parse_timestamp
from tests.conftest import SEEDS_DIR, query_rows, run_scrapy

# Titles a reader gives the five seed articles (compared after NFKC, so ASCII and
# full-width punctuation count the same).
SEED_TITLES = {
    "000_a0ba12cacfcce0ec.txt": "衢州战略性科创平台建设获重大突破",
    "001_9e98b53a989fac06.txt": "跨区域 跨部门!安徽携手沪苏浙,共建创新生态圈",
    "002_2e9807f7ea131afb.txt": "对市政协九届一次会议第344号提案的答复",
    "003_0bffef9614793722.txt": "浙江着力建设三大科创高地:广协同集中力量攻坚克难",
    "004_61ff8183bde752c7.txt": "江苏省中关村高新区:建高端创新平台 促“双链”融合发展",
}

UTF8_TEXT = "浙江省科技厅发布关于技术创新中心建设的通知,全省将新建十家省级技术创新中心。"
GBK_TEXT = "嘉兴市科学技术局召开全市科技工作会议,部署年度科技创新重点任务。"
BIG5_TEXT = "臺灣科技產業持續發展,半導體產值再創新高,帶動相關產業鏈升級。"
WARC_TEXT = "衢州市科技局组织开展科技特派员服务活动,助力乡村产业发展。"
CACHE_TEXT = "宁波市加快建设国家自主创新示范区,打造科技创新策源地。"


def html_page(title: str, paragraph: str, charset: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title} - Example News</title></head>'
        f'<body><h1>{title}</h1><div class="content"><p>{paragraph}</p><p>{paragraph[:12]}第二段。</p></div>'
        "</body></html>"
    )


def rows(database_url: str, sql: str = "SELECT * FROM articles ORDER BY id") -> list[dict[str, Any]]:
    return query_rows(database_url, sql)


def original_text(row: dict[str, Any]) -> str:
    """The text before cleaning: ``body_original`` is NULL where it equals ``body`` (0011_i20_body_original)."""
    return str(row["body_original"] if row["body_original"] is not None else row["body"])


def nfkc(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "")


def replay(path: Path, database_url: str, *extra: str, spool_dir: Path | None = None) -> Any:
    run = run_scrapy(["crawl", "replay", "-a", f"path={path}", *extra], database_url=database_url, spool_dir=spool_dir)
    return run


def test_seeds_replay_to_five_articles_with_their_titles(database_url: str, tmp_path: Path) -> None:
    run = replay(SEEDS_DIR, database_url, spool_dir=tmp_path / "spool")
    assert run.returncode == 0, run.stderr[-3000:]
    stored = rows(database_url)
    titles = {Path(row["replay_path"]).name: nfkc(row["title"]) for row in stored}
    assert titles == {name: nfkc(title) for name, title in SEED_TITLES.items()}
    assert all(row["body"] and original_text(row) for row in stored)
    assert "articles stored" in run.stdout
    assert "5 (new 5" in run.stdout


def test_replaying_twice_changes_nothing(database_url: str, tmp_path: Path) -> None:
    first = replay(SEEDS_DIR, database_url, spool_dir=tmp_path / "spool")
    assert first.returncode == 0, first.stderr[-3000:]
    before = rows(database_url)
    second = replay(SEEDS_DIR, database_url, spool_dir=tmp_path / "spool")
    assert second.returncode == 0, second.stderr[-3000:]
    assert rows(database_url) == before
    assert "5 (new 0, updated 0, unchanged 5)" in second.stdout


def write_html_fixtures(directory: Path) -> None:
    directory.mkdir(parents=True)
    (directory / "utf8.html").write_bytes(html_page("浙江科技新闻", UTF8_TEXT, "utf-8").encode("utf-8"))
    (directory / "gbk.htm").write_bytes(html_page("嘉兴科技新闻", GBK_TEXT, "gbk").encode("gbk"))
    (directory / "big5.html").write_bytes(html_page("臺灣科技新聞", BIG5_TEXT, "big5").encode("big5"))
    # UTF-8 bytes that declare gb2312, as some pages in the dev corpus do.
    (directory / "lying.html").write_bytes(html_page("浙江科技新闻二", UTF8_TEXT[::-1], "gb2312").encode("utf-8"))


def test_html_in_any_charset_replays_to_the_right_text(database_url: str, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    write_html_fixtures(pages)
    run = replay(pages, database_url, spool_dir=tmp_path / "spool")
    assert run.returncode == 0, run.stderr[-3000:]
    by_file = {Path(row["replay_path"]).name: row for row in rows(database_url)}
    assert UTF8_TEXT in original_text(by_file["utf8.html"])
    assert GBK_TEXT in original_text(by_file["gbk.htm"])
    assert BIG5_TEXT in original_text(by_file["big5.html"])
    assert UTF8_TEXT[::-1] in original_text(by_file["lying.html"])
    assert by_file["big5.html"]["script"] == "traditional"


def write_warc(
    path: Path, records: list[tuple[str, bytes, str]], *, gzipped: bool = True, date: str = "2022-05-20T02:30:00Z"
) -> None:
    """A WARC with one HTTP response record per (url, body, content type)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)
        for url, body, content_type in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)
            record.raw_stream.close()  # warcio buffers the payload in a temporary file


def test_warc_records_replay_with_their_urls_and_fetch_dates(database_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "in" / "crawl.warc.gz"
    archive.parent.mkdir()
    write_warc(
        archive,
        [
            ("http://kjj.jiaxing.gov.cn/art/2022/5/20/art_1.html",
             html_page("嘉兴科技", GBK_TEXT, "gbk").encode("gbk"), "text/html; charset=gbk"),
            ("http://kjj.qz.gov.cn/art/2022/5/20/art_2.html",
             html_page("衢州科技", WARC_TEXT, "utf-8").encode("utf-8"), "text/html"),
            ("http://kjj.qz.gov.cn/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png"),
        ],
    )  # fmt: skip
    run = replay(archive, database_url, spool_dir=tmp_path / "spool")
    assert run.returncode == 0, run.stderr[-3000:]
    by_url = {row["url"]: row for row in rows(database_url)}
    assert set(by_url) == {
        "http://kjj.jiaxing.gov.cn/art/2022/5/20/art_1.html",
        "http://kjj.qz.gov.cn/art/2022/5/20/art_2.html",
    }
    jiaxing = by_url["http://kjj.jiaxing.gov.cn/art/2022/5/20/art_1.html"]
    assert GBK_TEXT in original_text(jiaxing)
    assert jiaxing["site"] == "kjj.jiaxing.gov.cn"
    assert parse_timestamp(jiaxing["fetched_at"]) == datetime(2022, 5, 20, 2, 30, tzinfo=UTC)
    assert "binary content" in run.stdout  # the PNG record is a listed skip


def write_httpcache_entry(cache_dir: Path, url: str, body: bytes, content_type: bytes) -> None:
    """Stores one response with Scrapy's own FilesystemCacheStorage."""
    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(cache_dir), "HTTPCACHE_GZIP": True})
    spider = Spider.from_crawler(crawler, name="live")
    storage = FilesystemCacheStorage(crawler.settings)
    storage.open_spider(spider)
    request = Request(url)
    response = HtmlResponse(url, body=body, headers={b"Content-Type": content_type})
    storage.store_response(spider, request, response)


def test_scrapy_http_cache_directory_replays(database_url: str, tmp_path: Path) -> None:
    cache = tmp_path / "httpcache"
    write_httpcache_entry(
        cache, "http://kjt.zj.gov.cn/art/2022/5/20/art_9.html",
        html_page("宁波科技", CACHE_TEXT, "gbk").encode("gbk"), b"text/html; charset=GBK",
    )  # fmt: skip
    run = replay(cache, database_url, spool_dir=tmp_path / "spool")
    assert run.returncode == 0, run.stderr[-3000:]
    stored = rows(database_url)
    assert [row["url"] for row in stored] == ["http://kjt.zj.gov.cn/art/2022/5/20/art_9.html"]
    assert CACHE_TEXT in original_text(stored[0])


def test_bad_inputs_are_counted_skips_and_the_rest_lands(database_url: str, tmp_path: Path) -> None:
    inputs = tmp_path / "mixed"
    write_html_fixtures(inputs)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (inputs / "notes.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(tmp_path / "does-not-exist.html", inputs / "gone.html")
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, [(f"http://news.example.cn/{n}.html",
                        html_page(f"新闻{n}", f"{WARC_TEXT}第{n}篇。", "utf-8").encode("utf-8"), "text/html")
                       for n in range(3)])  # fmt: skip
    data = whole.read_bytes()
    (inputs / "truncated.warc.gz").write_bytes(data[: len(data) // 2 + 7])  # inside the second record
    run = replay(inputs, database_url, spool_dir=tmp_path / "spool")
    assert run.returncode == 0, run.stderr[-3000:]
    urls = {row["url"] for row in rows(database_url)}
    assert len([u for u in urls if u.startswith("file:")]) == 4  # the four good HTML pages
    assert "http://news.example.cn/0.html" in urls  # the record before the damage
    for name, reason in [
        ("empty.txt", "empty file"),
        ("image.html", "binary content"),
        ("notes.pdf", "unknown file type"),
        ("gone.html", "unreadable"),
        ("truncated.warc.gz", "truncated or corrupt WARC"),
    ]:
        assert any(name in line and reason in line for line in run.stdout.splitlines()), (name, run.stdout)
    assert "skipped inputs              | 5" in run.stdout


def test_missing_path_is_a_clear_error(sqlite_url: str, tmp_path: Path) -> None:
    run = replay(tmp_path / "nowhere", sqlite_url, spool_dir=tmp_path / "spool")
    assert run.returncode == 1
    assert "replay path does not exist" in run.stderr


def test_feed_export_writes_one_line_per_stored_item(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run = replay(SEEDS_DIR, sqlite_url, "-O", str(out), spool_dir=tmp_path / "spool")
    assert run.returncode == 0, run.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 5
    expected = {"url", "canonical_url", "title", "body", "body_original", "script", "content_hash", "extra"}
    assert expected <= set(items[0])
