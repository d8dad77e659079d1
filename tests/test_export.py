"""Exports: typed columns through pyarrow and the csv module, local days, whole files only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select

from crawler.db import export
from crawler.db.articles import upsert_articles
from crawler.db.engine import make_engine
from crawler.db.export import ExportError, ExportFilter, write_export
from crawler.db.schema import ensure_schema
from crawler.items import Annex, Person
from crawler.timezones import LocalTime
from tests.conftest import run_scrapy
from tests.test_db import T0, article
from tests.test_query_schema import GOV_EXTRA

EARLY_MORNING = "2024-05-10T06:58:00+08:00"  # 2024-05-09 22:58 UTC
DATE_ONLY = "2024-05-11T00:00:00+08:00"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    ensure_schema(engine)
    annex = Annex(authors=[Person("王卫东", "reporter", "记者")], cited_doc_numbers=["浙科发〔2023〕12号"])
    with engine.begin() as connection:
        upsert_articles(
            connection,
            [
                article("http://kjj.jiaxing.gov.cn/1", published=EARLY_MORNING, published_precision="minute",
                        site="kjj_jiaxing", extra=GOV_EXTRA, doc_number="嘉科函〔2022〕55号"),
                article("http://news.cn/2", body="新闻", published=DATE_ONLY, published_precision="day", site="xinhua",
                        extra=annex),
                article("http://news.cn/3", body="无日期", site="xinhua"),
            ],
            now=T0,
        )  # fmt: skip
    yield engine
    engine.dispose()


def exported(engine: Engine, name: str, fmt: export.Format, where: ExportFilter | None = None) -> str:
    out = io.StringIO()
    with engine.connect() as connection:
        write_export(connection, name, out, fmt, where or ExportFilter())
    return out.getvalue()


def test_since_selects_the_local_day(engine: Engine) -> None:
    """06:58 in Beijing on the 10th is the 9th in UTC: --since 2024-05-10 must export it."""
    rows = [
        json.loads(line)
        for line in exported(engine, "articles", "jsonl", ExportFilter(since=date(2024, 5, 10))).splitlines()
    ]
    assert sorted(row["url"] for row in rows) == ["http://kjj.jiaxing.gov.cn/1", "http://news.cn/2"]
    until = ExportFilter(until=date(2024, 5, 10))
    assert exported(engine, "articles", "jsonl", until) == ""


def test_days_of_a_time_column_are_in_each_site_zone(engine: Engine) -> None:
    """The jiaxing article (06:58 on the 10th in Beijing) falls on the 9th for a site in UTC."""
    utc_jiaxing = LocalTime(ZoneInfo("Asia/Shanghai"), {"kjj_jiaxing": ZoneInfo("UTC")})
    with engine.connect() as connection:
        table = export.reflect(connection, "articles")
        for local_time, urls in [(LocalTime.default(), ["http://kjj.jiaxing.gov.cn/1", "http://news.cn/2"]),
                                 (utc_jiaxing, ["http://news.cn/2"])]:  # fmt: skip
            since = export._day_range(table.c.published, date(2024, 5, 10), None, local_time)
            found = connection.execute(select(table.c.url).where(since).order_by(table.c.url)).scalars().all()
            assert found == urls


def test_jsonl_and_csv_write_times_as_utc_and_date_only_values_as_dates(engine: Engine) -> None:
    rows = {row["url"]: row for row in map(json.loads, exported(engine, "articles", "jsonl").splitlines())}
    assert rows["http://kjj.jiaxing.gov.cn/1"]["published"] == "2024-05-09T22:58:00+00:00"
    assert rows["http://kjj.jiaxing.gov.cn/1"]["published_day"] == "2024-05-10"
    assert rows["http://news.cn/2"]["published"] == "2024-05-11"
    assert rows["http://news.cn/3"]["published"] is None
    table = list(csv.DictReader(io.StringIO(exported(engine, "articles", "csv"))))
    by_url = {row["url"]: row for row in table}
    timed = by_url["http://kjj.jiaxing.gov.cn/1"]
    assert datetime.fromisoformat(timed["published"]) == datetime(2024, 5, 9, 22, 58, tzinfo=UTC)
    assert date.fromisoformat(timed["published_day"]) == date(2024, 5, 10)
    assert date.fromisoformat(by_url["http://news.cn/2"]["published"]) == date(2024, 5, 11)
    assert json.loads(timed["extra"])["gov_meta"]["issuer"] == "嘉兴市科学技术局"
    assert datetime.fromisoformat(timed["fetched_at"]).tzinfo is not None


def test_parquet_columns_are_typed(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "articles.parquet"
    with engine.connect() as connection:
        assert write_export(connection, "articles", path, "parquet", ExportFilter()) == 3
    table = pq.read_table(path)
    schema = table.schema
    assert schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert schema.field("published_day").type == pa.date32()
    assert pa.types.is_struct(schema.field("extra").type)
    rows = {row["url"]: row for row in table.to_pylist()}
    timed, dated = rows["http://kjj.jiaxing.gov.cn/1"], rows["http://news.cn/2"]
    assert timed["published"] == datetime(2024, 5, 9, 22, 58, tzinfo=UTC)
    assert timed["extra"]["gov_meta"]["issuer"] == "嘉兴市科学技术局"
    assert timed["extra"]["amounts"] == [{"text": "1.5亿元", "yuan": 150000000.0}]
    assert (dated["published"], dated["published_day"]) == (None, date(2024, 5, 11))
    assert dated["extra"]["authors"] == [{"name": "王卫东", "role": "reporter", "label": "记者"}]
    gov = pq.read_table(_export_file(engine, tmp_path, "gov_documents"))
    assert gov.schema.field("missing_fields").type == pa.list_(pa.string())
    assert gov.schema.field("written_date").type == pa.date32()


@pytest.mark.parametrize("name", ["daily_counts", "reposts", "site_counts", "articles_unique", "crawl_runs"])
def test_every_view_exports_to_parquet(engine: Engine, tmp_path: Path, name: str) -> None:
    table = pq.read_table(_export_file(engine, tmp_path, name))
    if name == "daily_counts":
        assert table.schema.field("articles").type == pa.int64()
        assert table.schema.field("day").type == pa.date32()
        assert sorted(table.column("articles").to_pylist()) == [1, 1, 1]


def _export_file(engine: Engine, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.parquet"
    with engine.connect() as connection:
        write_export(connection, name, path, "parquet", ExportFilter())
    return path


def test_a_failed_export_leaves_no_file(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(value: Any, arrow_type: Any) -> Any:
        raise pa.ArrowTypeError("broken on purpose")

    monkeypatch.setattr(export, "_parquet_value", broken)
    out = tmp_path / "out"
    out.mkdir()
    kept = out / "kept.parquet"
    kept.write_bytes(b"earlier export")
    with engine.connect() as connection:
        for path in (out / "new.parquet", kept):
            with pytest.raises(pa.ArrowTypeError):
                write_export(connection, "articles", path, "parquet", ExportFilter())
    assert sorted(p.name for p in out.iterdir()) == ["kept.parquet"]
    assert kept.read_bytes() == b"earlier export"


def test_an_empty_day_range_is_refused(engine: Engine) -> None:
    with pytest.raises(ExportError, match="not before"):
        exported(engine, "articles", "jsonl", ExportFilter(since=date(2024, 5, 2), until=date(2024, 5, 1)))


def test_scrapy_export_daily_counts_to_parquet(engine: Engine, database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the command is the same on both databases; the SQLite crash is the one reported")
    path = tmp_path / "x.parquet"
    done = run_scrapy(["export", "daily_counts", "-o", str(path)], database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert pq.read_table(path).num_rows == 3
