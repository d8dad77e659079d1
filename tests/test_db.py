"""The database layer: upserts, duplicate lookups, migrations and the spool, on SQLite and Postgres."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from crawler.db.articles import exact_originals, find_original, upsert_articles
from crawler.db.engine import display_url, make_engine
from crawler.db.models import ArticleRow, Base
from crawler.db.schema import (
    SchemaOutdatedError,
    SchemaState,
    downgrade,
    ensure_schema,
    include_object,
    schema_state,
    upgrade,
)
from crawler.db.search import search
from crawler.db.spool import SpoolFormatError, read_batch, spool_files, spooled_count, write_batch
from crawler.items import Article, annex_from_json
from tests.test_items import full_annex

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)


def article(url: str, body: str = "正文", **fields: object) -> Article:
    values: dict[str, object] = {
        "url": url, "canonical_url": url, "site": "test", "fetched_at": "2026-01-01T08:00:00+08:00",
        "title": "标题", "body": body, "body_original": body, "content_hash": f"hash-{body}",
    }  # fmt: skip
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def stored(engine: Engine) -> dict[str, ArticleRow]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return {row.canonical_url: row for row in session.scalars(select(ArticleRow))}


def test_upsert_inserts_then_leaves_unchanged_rows_alone(engine: Engine) -> None:
    with engine.begin() as connection:
        counts = upsert_articles(connection, [article("http://a.cn/1"), article("http://a.cn/2")], now=T0)
    assert (counts.inserted, counts.updated, counts.unchanged) == (2, 0, 0)
    refetched = article("http://a.cn/1", fetched_at="2026-01-05T08:00:00+08:00")
    with engine.begin() as connection:
        counts = upsert_articles(connection, [refetched], now=T1)
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 1)
    row = stored(engine)["http://a.cn/1"]
    assert row.updated_at == T0
    assert row.revision == 1


def test_changed_page_updates_its_row_and_keeps_first_seen(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://a.cn/1", published="2022-05-20T10:30:00+08:00")], now=T0)
    with engine.begin() as connection:
        counts = upsert_articles(connection, [article("http://a.cn/1", body="改过的正文")], now=T1)
    assert counts.updated == 1
    row = stored(engine)["http://a.cn/1"]
    assert (row.body, row.first_seen_at, row.updated_at, row.revision) == ("改过的正文", T0, T1, 2)


def test_times_round_trip_as_aware_utc(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://a.cn/1", published="2022-05-20T10:30:00+08:00")], now=T0)
    row = stored(engine)["http://a.cn/1"]
    assert row.published == datetime(2022, 5, 20, 2, 30, tzinfo=UTC)
    assert row.fetched_at == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def test_published_precision_and_printed_offset_are_stored(engine: Engine) -> None:
    day_only = article("http://a.cn/1", published="2022-05-20T00:00:00+08:00", published_precision="day")
    timed = article(
        "http://a.cn/2", published="2022-05-20T10:30:00+08:00", published_precision="minute", published_offset="+08:00"
    )
    with engine.begin() as connection:
        upsert_articles(connection, [day_only, timed], now=T0)
    rows = stored(engine)
    assert (rows["http://a.cn/1"].published_precision, rows["http://a.cn/1"].published_offset) == ("day", None)
    assert (rows["http://a.cn/2"].published_precision, rows["http://a.cn/2"].published_offset) == ("minute", "+08:00")


def test_extra_json_round_trips(engine: Engine) -> None:
    extra = full_annex()
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://a.cn/1", extra=extra)], now=T0)
    row = stored(engine)["http://a.cn/1"].extra
    assert row == dataclasses.asdict(extra)
    assert annex_from_json(row) == extra


def test_find_original_returns_the_earliest_original(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://a.cn/1")], now=T0)
        upsert_articles(connection, [article("http://b.cn/1", duplicate_of="http://a.cn/1")], now=T1)
        assert find_original(connection, "hash-正文", "http://c.cn/1") == "http://a.cn/1"
        assert find_original(connection, "hash-正文", "http://a.cn/1") is None
        assert find_original(connection, "hash-其他", "http://c.cn/1") is None


def test_exact_originals_link_copies_within_a_batch_and_to_the_database(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://a.cn/1")], now=T0)
    batch = [article("http://b.cn/1"), article("http://c.cn/1", body="新文章"), article("http://d.cn/1", body="新文章")]
    with engine.begin() as connection:
        assert exact_originals(connection, batch) == ["http://a.cn/1", None, "http://c.cn/1"]


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_empty_and_upgrade_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert "articles" not in inspect(engine).get_table_names()
    assert schema_state(engine) is SchemaState.NEW
    upgrade(engine)
    assert schema_state(engine) is SchemaState.CURRENT


def test_ensure_schema_refuses_an_unknown_revision(engine: Engine) -> None:
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(SchemaOutdatedError, match="unknown revision"):
        ensure_schema(engine)


def test_display_url_hides_the_password() -> None:
    assert display_url("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"


def test_spool_round_trip(tmp_path: Path) -> None:
    # Every typed part of the annex comes back as the same types (the spool is the last copy).
    batch = [article("http://a.cn/1", extra=full_annex()), article("http://a.cn/2")]
    path = write_batch(tmp_path, batch)
    assert spool_files(tmp_path) == [path]
    assert list(read_batch(path)) == batch
    assert not list(tmp_path.glob("*.tmp"))


def test_spooled_count_counts_the_articles_of_every_file(tmp_path: Path) -> None:
    first = write_batch(tmp_path, [article("http://a.cn/1"), article("http://a.cn/2")])
    second = write_batch(tmp_path, [article("http://a.cn/3")])
    with second.open("a", encoding="utf-8") as handle:
        handle.write("\n")  # blank lines hold no article (read_batch skips them too)
    assert spooled_count([first, second]) == 3
    assert spooled_count([]) == 0


def test_spool_line_with_an_unknown_annex_key_is_malformed(tmp_path: Path) -> None:
    path = write_batch(tmp_path, [article("http://a.cn/1")])
    line = dataclasses.asdict(article("http://a.cn/2"))
    line["extra"]["colour"] = "red"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
    with pytest.raises(SpoolFormatError, match=rf"{path.name}:2"):
        list(read_batch(path))


def test_malformed_spool_line_names_file_and_line(tmp_path: Path) -> None:
    path = write_batch(tmp_path, [article("http://a.cn/1")])
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"url": "x", "colour": "red"}) + "\n")
    with pytest.raises(SpoolFormatError, match=rf"{path.name}:2"):
        list(read_batch(path))


def test_upgrade_from_the_first_schema_keeps_every_row(database_url: str) -> None:
    """A database migrated and filled at revision 0001 keeps its articles through to head and back."""
    from sqlalchemy import text

    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as connection:
            for n in range(3):
                connection.execute(
                    text(
                        "INSERT INTO articles (canonical_url, url, site, title, body, body_original, script,"
                        " fetched_at, published, published_raw, extra, first_seen_at, updated_at, revision,"
                        " revision_hash)"
                        " VALUES (:u, :u, 'old', :t, :b, :b, 'simplified', :f, :f, :raw, '{}', :f, :f, 1, 'x')"
                    ),
                    {
                        "u": f"http://old.cn/{n}",
                        "t": f"旧标题{n}",
                        "b": f"技术创新中心旧正文{n}",
                        "f": "2022-01-01 00:00:00",
                        "raw": ("2022年1月1日", "2022-01-01 08:00", "2022-01-01 08:00:05")[n],
                    },
                )
        upgrade(engine)
        assert schema_state(engine) is SchemaState.CURRENT
        with engine.connect() as connection:
            titles = connection.execute(text("SELECT title FROM articles ORDER BY canonical_url")).scalars().all()
            assert titles == ["旧标题0", "旧标题1", "旧标题2"]
            precisions = connection.execute(
                text("SELECT published_precision FROM articles ORDER BY canonical_url")
            ).scalars()
            assert list(precisions) == ["day", "minute", "second"]  # read from published_raw by 0008
            assert connection.execute(text("SELECT COUNT(*) FROM articles_unique")).scalar() == 3
            assert len(search(connection, "技术创新中心")) == 3  # the search index covers old rows
        downgrade(engine, "0001")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM articles")).scalar() == 3
    finally:
        engine.dispose()


def test_new_copy_links_of_an_unchanged_article_are_stored_without_a_new_revision(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://b.cn/1")], now=T0)
    with engine.begin() as connection:
        counts = upsert_articles(connection, [article("http://b.cn/1", duplicate_of="http://a.cn/1", cluster_id=7)])
    assert counts.unchanged == 1
    row = stored(engine)["http://b.cn/1"]
    assert (row.duplicate_of, row.cluster_id, row.revision, row.updated_at) == ("http://a.cn/1", 7, 1, T0)
    with engine.begin() as connection:
        upsert_articles(connection, [article("http://b.cn/1")], now=T1)  # an item without links clears none
    assert stored(engine)["http://b.cn/1"].cluster_id == 7


def test_body_original_is_stored_only_where_it_differs_from_the_body(engine: Engine) -> None:
    from sqlalchemy import text

    with engine.begin() as connection:
        upsert_articles(
            connection,
            [
                article("http://a.cn/1", body="正文"),
                article("http://a.cn/2", body="正文二", body_original="正文二（原）"),
            ],
            now=T0,
        )
    rows = stored(engine)
    assert (rows["http://a.cn/1"].body_original, rows["http://a.cn/2"].body_original) == (None, "正文二（原）")
    with engine.connect() as connection:
        shown = connection.execute(text("SELECT url, body_original FROM articles_unique ORDER BY url")).all()
    assert [tuple(row) for row in shown] == [("http://a.cn/1", "正文"), ("http://a.cn/2", "正文二（原）")]


def test_migration_0011_nulls_equal_copies_and_its_downgrade_restores_them(database_url: str) -> None:
    from sqlalchemy import text

    engine = make_engine(database_url)
    try:
        upgrade(engine, "0010_i15_stories")
        with engine.begin() as connection:
            upsert_articles(
                connection, [article("http://a.cn/1", body="正文", body_original="x"),
                             article("http://a.cn/2", body="正文二", body_original="原文")], now=T0,
            )  # fmt: skip
            # Before 0011_i20_body_original the copy was stored whatever it held.
            connection.execute(text("UPDATE articles SET body_original = body WHERE url = 'http://a.cn/1'"))
        upgrade(engine)
        with engine.connect() as connection:
            raw = connection.execute(text("SELECT url, body_original FROM articles ORDER BY url")).all()
            assert [tuple(row) for row in raw] == [("http://a.cn/1", None), ("http://a.cn/2", "原文")]
            assert search(connection, "正文二")  # the search triggers survived the column change
        with engine.begin() as connection:  # NULL is accepted after the upgrade
            upsert_articles(connection, [article("http://a.cn/3", body="正文三")], now=T1)
        downgrade(engine, "0010_i15_stories")
        with engine.connect() as connection:
            raw = connection.execute(text("SELECT url, body_original FROM articles ORDER BY url")).all()
            assert [tuple(row) for row in raw] == [
                ("http://a.cn/1", "正文"),
                ("http://a.cn/2", "原文"),
                ("http://a.cn/3", "正文三"),
            ]
        with engine.begin() as connection, pytest.raises(Exception, match=r"(?i)not null|null value"):
            connection.execute(text("UPDATE articles SET body_original = NULL"))
    finally:
        engine.dispose()
