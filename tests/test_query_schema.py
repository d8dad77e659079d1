"""Derived tables, full-text search and exports, on SQLite and Postgres."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, text

from crawler.db.articles import upsert_articles
from crawler.db.children import parse_date
from crawler.db.engine import make_engine
from crawler.db.export import ExportError, ExportFilter, write_export
from crawler.db.schema import ensure_schema
from crawler.db.search import search
from crawler.items import (
    Amount,
    Annex,
    Attachment,
    DocNumberParts,
    Entities,
    GovMeta,
    MentionedPerson,
    Organization,
    Place,
)
from tests.test_db import T0, T1, article

GOV_EXTRA = Annex(
    gov_meta=GovMeta(index_number="11330400002578XXXX/2022-12345", issuer="嘉兴市科学技术局",
                     written_date="2022年7月15日", published_date="2022-07-18", validity="有效"),
    doc_number_parts=DocNumberParts("嘉科函", 2022, 55),
    attachments=[Attachment(text="附件1.pdf", url="http://kjj.jiaxing.gov.cn/a.pdf", type="pdf")],
    entities=Entities(organizations=[Organization("嘉兴市科学技术局", 2)],
                      places=[Place("嘉兴", 3, "city")],
                      people=[MentionedPerson("徐剑虹", "委员", 1)]),
    amounts=[Amount("1.5亿元", 150000000)],
)  # fmt: skip
BODY = "嘉兴市积极构建技术创新中心体系,加快打造创新策源地。"


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = make_engine(database_url)
    ensure_schema(engine)
    with engine.begin() as connection:
        upsert_articles(
            connection,
            [
                article("http://kjj.jiaxing.gov.cn/1", body=BODY, doc_number="嘉科函〔2022〕55号",
                        published="2022-07-18T09:00:00+08:00", site="jiaxing", extra=GOV_EXTRA),
                article("http://news.cn/2", body="新闻正文没有那个词。", published="2022-07-19T23:30:00+08:00",
                        site="xinhua"),
            ],
            now=T0,
        )  # fmt: skip
    yield engine  # type: ignore[misc]
    engine.dispose()


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def test_children_are_written_with_the_article(engine: Engine) -> None:
    assert scalar(engine, "SELECT url FROM attachments") == "http://kjj.jiaxing.gov.cn/a.pdf"
    assert scalar(engine, "SELECT yuan FROM amounts") == 150000000
    assert scalar(engine, "SELECT COUNT(*) FROM article_entities") == 3
    assert scalar(engine, "SELECT role FROM article_entities JOIN entities ON entities.id = entity_id "
                          "WHERE kind = 'person'") == "委员"  # fmt: skip
    assert scalar(engine, "SELECT doc_serial FROM gov_documents") == 55
    assert str(scalar(engine, "SELECT written_date FROM gov_documents")) == "2022-07-15"


def test_a_changed_article_replaces_its_children(engine: Engine) -> None:
    changed = dataclasses.replace(GOV_EXTRA, attachments=[], amounts=[Amount("2亿元", 200000000)])
    with engine.begin() as connection:
        upsert_articles(
            connection,
            [article("http://kjj.jiaxing.gov.cn/1", body=BODY + "补充。", doc_number="嘉科函〔2022〕55号",
                     site="jiaxing", extra=changed)],
            now=T1,
        )  # fmt: skip
    assert scalar(engine, "SELECT COUNT(*) FROM attachments") == 0
    assert scalar(engine, "SELECT yuan FROM amounts") == 200000000
    assert scalar(engine, "SELECT COUNT(*) FROM entities") == 3  # entities are shared, not duplicated


def test_daily_counts_use_the_beijing_day(engine: Engine) -> None:
    # 2022-07-19 23:30 in Beijing is 15:30 UTC the same day; the view must say the 19th.
    assert str(scalar(engine, "SELECT day FROM daily_counts WHERE site = 'xinhua'")) == "2022-07-19"


@pytest.mark.parametrize(("query", "found"), [("技术创新中心", True), ("创新", True), ("区块链", False)])
def test_search_finds_substrings_of_running_text(engine: Engine, query: str, found: bool) -> None:
    with engine.connect() as connection:
        hits = search(connection, query)
    assert [hit.url for hit in hits] == (["http://kjj.jiaxing.gov.cn/1"] if found else [])


def test_search_index_follows_updates(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://news.cn/2", body="区块链技术进展。", site="xinhua")], now=T1)
    with engine.connect() as connection:
        assert [hit.url for hit in search(connection, "区块链")] == ["http://news.cn/2"]
        assert search(connection, "新闻正文") == []


def test_export_jsonl_csv_and_parquet_with_filters(engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as connection:
        out = io.StringIO()
        assert write_export(connection, "articles", out, "jsonl", ExportFilter(site="jiaxing")) == 1
        row = json.loads(out.getvalue())
        assert row["extra"]["gov_meta"]["issuer"] == "嘉兴市科学技术局"
        assert row["published"].startswith("2022-07-18T01:00:00")

        out = io.StringIO()
        write_export(connection, "gov_documents", out, "csv", ExportFilter())
        assert next(csv.DictReader(io.StringIO(out.getvalue())))["doc_code"] == "嘉科函"

        path = tmp_path / "a.parquet"
        window = ExportFilter(since=date(2022, 7, 19), until=date(2022, 8, 1))
        assert write_export(connection, "articles", path, "parquet", window) == 1
        assert pq.read_table(path).column("site").to_pylist() == ["xinhua"]


def test_export_rejects_unknown_names(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(ExportError, match="no table or view"):
        write_export(connection, "articles; DROP TABLE articles", io.StringIO(), "jsonl", ExportFilter())


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2022-07-20", date(2022, 7, 20)), ("2022年7月5日", date(2022, 7, 5)), ("2022/13/40", None), (None, None)],
)
def test_parse_date(value: str | None, expected: date | None) -> None:
    assert parse_date(value) == expected
