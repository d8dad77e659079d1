"""The near-duplicate index against a real database (SQLite and Postgres); the storage stage
that runs it is tested in ``tests/test_storage.py``."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from crawler.db.articles import sync_articles, upsert_articles
from crawler.db.dedup_models import BandRow, ClusterRow, SignatureRow
from crawler.db.engine import make_engine
from crawler.db.neardup import cluster_members
from crawler.items import Article
from pipelines.dedup import content_hash
from pipelines.neardup_index import DEFAULT_SCHEME, DEFAULT_THRESHOLD, Candidate, NearDuplicateIndex
from pipelines.similarity.canonical import choose_canonical
from pipelines.text.clean import clean_article
from tests.generators.neardup_set import Original, raw_variant

INDEX = NearDuplicateIndex(DEFAULT_SCHEME, DEFAULT_THRESHOLD)


def article(url: str, body: str, **fields: Any) -> Article:
    values: dict[str, Any] = {
        "url": url, "canonical_url": url, "site": "test", "fetched_at": "2026-01-01T08:00:00+08:00",
        "title": "标题", "body": body, "body_original": body, "content_hash": content_hash(body),
    }  # fmt: skip
    values.update(fields)
    return Article(**values)


def copy_of(original: Original, kind: str) -> str:
    title, body = raw_variant(original, kind, random.Random(3), ["相关文章一", "相关文章二"])
    return clean_article(title, body).body


def assign(engine: Engine, item: Article) -> Any:
    with engine.begin() as connection:
        return INDEX.assign(connection, Candidate.of(item))


def test_copy_joins_the_cluster_of_its_original_across_connections(engine: Engine, seeds: dict[str, Original]) -> None:
    original = seeds["seed-000"]
    first = assign(engine, article("http://a.cn/1", original.body))
    assert first.status == "new"
    # A fresh engine: nothing but the database connects the two documents.
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))
    with other.begin() as connection:
        second = INDEX.assign(connection, Candidate.of(article("http://b.cn/1", copy_of(original, "spun"))))
    other.dispose()
    assert second.status == "joined"
    assert second.cluster_id == first.cluster_id
    assert second.canonical_url == "http://a.cn/1"
    assert second.similarity is not None
    assert second.similarity >= DEFAULT_THRESHOLD


def test_concurrent_assignments_see_each_other(engine: Engine, seeds: dict[str, Original]) -> None:
    """Two crawls (the scheduler runs two at once) assign an original and its copy at the same
    time: the second waits for the first's transaction and joins its cluster, instead of reading
    the index before the first committed and starting a cluster of its own."""
    original = seeds["seed-000"]
    url = engine.url.render_as_string(hide_password=False)
    other = make_engine(url, sqlite_busy_timeout=10.0)
    outcome: dict[str, Any] = {}

    def second_crawl() -> None:
        with other.begin() as connection:
            outcome["copy"] = INDEX.assign(
                connection, Candidate.of(article("http://b.cn/1", copy_of(original, "spun")))
            )

    with engine.connect() as connection:
        transaction = connection.begin()
        first = INDEX.assign(connection, Candidate.of(article("http://a.cn/1", original.body)))
        racing = threading.Thread(target=second_crawl)
        racing.start()
        racing.join(timeout=0.5)
        assert racing.is_alive(), "the second assignment did not wait for the first"
        transaction.commit()
    racing.join(timeout=10)
    other.dispose()
    assert outcome["copy"].status == "joined"
    assert outcome["copy"].cluster_id == first.cluster_id


def test_same_topic_articles_get_clusters_of_their_own(engine: Engine, seeds: dict[str, Original]) -> None:
    clusters = {
        assign(engine, article(f"http://a.cn/{s}", seeds[s].body)).cluster_id
        for s in ("seed-000", "seed-002", "seed-003")
    }
    assert len(clusters) == 3


def test_same_body_again_is_known_and_changes_nothing(engine: Engine, seeds: dict[str, Original]) -> None:
    item = article("http://a.cn/1", seeds["seed-001"].body)
    first = assign(engine, item)
    again = assign(engine, item)
    assert (again.status, again.cluster_id, again.canonical_url) == ("known", first.cluster_id, "http://a.cn/1")
    with engine.connect() as connection:
        assert len(connection.execute(select(SignatureRow.id)).all()) == 1
        assert len(connection.execute(select(BandRow.key)).all()) == DEFAULT_SCHEME.bands


def test_changed_body_moves_the_article_to_another_cluster(engine: Engine, seeds: dict[str, Original]) -> None:
    assign(engine, article("http://a.cn/1", seeds["seed-001"].body))
    copy = assign(engine, article("http://b.cn/1", copy_of(seeds["seed-001"], "frame")))
    moved = assign(engine, article("http://b.cn/1", seeds["seed-004"].body))
    assert moved.status == "new"
    assert moved.cluster_id != copy.cluster_id
    with engine.connect() as connection:
        assert connection.execute(select(SignatureRow.canonical_url)).scalars().all().count("http://b.cn/1") == 1


def test_earlier_published_copy_becomes_canonical_and_stored_rows_follow(
    engine: Engine, seeds: dict[str, Original]
) -> None:
    original = seeds["seed-003"]
    later = article("http://later.cn/1", original.body, published="2021-05-02T10:00:00+08:00")
    later.cluster_id = assign(engine, later).cluster_id
    with engine.begin() as connection:
        upsert_articles(connection, [later])
    earlier = article("http://earlier.cn/1", copy_of(original, "truncated"), published="2021-05-01T10:00:00+08:00")
    result = assign(engine, earlier)
    assert result.canonical_url == "http://earlier.cn/1"
    assert result.changed_clusters == {later.cluster_id}
    with engine.begin() as connection:
        assert sync_articles(connection, result.changed_clusters) == 1
        row = connection.execute(text("SELECT cluster_id, duplicate_of FROM articles")).one()
        assert tuple(row) == (later.cluster_id, "http://earlier.cn/1")
        assert connection.execute(select(ClusterRow.canonical_url)).scalar_one() == "http://earlier.cn/1"


def test_copy_naming_a_stored_site_as_source_makes_it_canonical(engine: Engine, seeds: dict[str, Original]) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO sites (id, name) VALUES ('xinhua', '新华网')"))
    body = seeds["seed-001"].body
    assign(engine, article("http://repost.cn/1", body, published="2021-01-01T00:00:00+08:00", source_name="新华网"))
    result = assign(engine, article("http://www.news.cn/1", copy_of(seeds["seed-001"], "frame"), site="xinhua"))
    assert result.canonical_url == "http://www.news.cn/1"


def test_copy_citing_a_self_citing_original_makes_it_canonical(engine: Engine, seeds: dict[str, Original]) -> None:
    """Issue 15 changed this case: a member another one names is a source, not the origin by
    that alone; what makes a member a copy is its own citation of another member."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO sites (id, name) VALUES ('jia', '甲网')"))
    body = seeds["seed-001"].body
    # An original citing itself (来源：甲网 on 甲网) is not a copy of itself.
    assign(
        engine, article("http://jia.cn/1", body, site="jia", source_name="甲网", published="2021-01-05T10:00:00+08:00")
    )
    # A copy that names 甲网 is its copy, whatever date it prints.
    first = assign(
        engine, article("http://early.cn/1", body, source_name="甲网", published="2021-01-01T10:00:00+08:00")
    )
    assert first.canonical_url == "http://jia.cn/1"
    # An earlier member citing nobody is the original, however many copies name 甲网.
    second = assign(engine, article("http://earlier.cn/1", body, published="2020-12-31T10:00:00+08:00"))
    assert second.canonical_url == "http://earlier.cn/1"
    assert second.changed_clusters == {first.cluster_id}
    third = assign(engine, article("http://copy.cn/1", body, source_name="甲网"))
    assert third.canonical_url == "http://earlier.cn/1"


def test_canonical_chosen_as_copies_join_equals_ranking_every_member(
    engine: Engine, seeds: dict[str, Original]
) -> None:
    """Joining ranks only the newcomer and the current canonical article unless its 来源 may
    name a member nobody named before; the result must equal ranking the whole cluster."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO sites (id, name) VALUES ('a', '甲网'), ('b', '乙网'), ('c', '丙网')"))
    body = seeds["seed-001"].body
    names = {"a": "甲网", "b": "乙网", "c": "丙网"}
    chooser = random.Random(7)
    for n in range(30):
        site = chooser.choice(["a", "b", "c", "test"])
        fields = {
            "site": site,
            # Originals that cite themselves (甲网 on site a) are named only once a copy cites them.
            "source_name": chooser.choice([None, "甲网", "乙网", "丙网", "新华社", names.get(site)]),
            "published": chooser.choice([None, f"2021-01-{chooser.randint(1, 9):02d}T10:00:00+08:00"]),
        }
        result = assign(engine, article(f"http://{site}.cn/{n}", body, **fields))
        with engine.connect() as connection:
            members = cluster_members(connection, result.cluster_id)
        assert len(members) == n + 1
        assert result.canonical_url == choose_canonical(members).member.canonical_url, n


def test_copies_beyond_the_postings_cap_still_join_their_cluster(engine: Engine, seeds: dict[str, Original]) -> None:
    capped = NearDuplicateIndex(DEFAULT_SCHEME, DEFAULT_THRESHOLD, max_postings=2)
    original = seeds["seed-003"]
    results = []
    for n in range(6):
        with engine.begin() as connection:
            results.append(capped.assign(connection, Candidate.of(article(f"http://c{n}.cn/1", original.body))))
    assert [result.status for result in results] == ["new"] + ["joined"] * 5
    assert {result.cluster_id for result in results} == {results[0].cluster_id}
    # A different story sharing no band keys still starts a cluster of its own.
    with engine.begin() as connection:
        other = capped.assign(connection, Candidate.of(article("http://d.cn/1", seeds["seed-001"].body)))
    assert other.status == "new"


def test_short_bodies_get_a_cluster_but_no_band_keys(engine: Engine) -> None:
    first = assign(engine, article("http://a.cn/1", "详见附件。"))
    second = assign(engine, article("http://b.cn/1", "详见附件。"))
    assert (first.status, second.status) == ("short", "short")
    assert first.cluster_id != second.cluster_id
    with engine.connect() as connection:
        assert connection.execute(select(BandRow.key)).all() == []


def test_articles_unique_gives_one_row_per_story(engine: Engine, seeds: dict[str, Original]) -> None:
    items = [
        article("http://a.cn/1", seeds["seed-000"].body, published="2021-01-01T00:00:00+08:00"),
        article("http://b.cn/1", copy_of(seeds["seed-000"], "traditional")),
        article("http://c.cn/1", copy_of(seeds["seed-000"], "pinyin")),
        article("http://d.cn/1", seeds["seed-002"].body),
        article("http://e.cn/1", "", content_hash=None),
    ]
    for item in items:
        result = assign(engine, item)
        item.cluster_id, item.duplicate_of = result.cluster_id, result.duplicate_of(item.canonical_url)
    with engine.begin() as connection:
        upsert_articles(connection, items)
        unique = connection.execute(text("SELECT canonical_url FROM articles_unique ORDER BY canonical_url")).scalars()
        assert list(unique) == ["http://a.cn/1", "http://d.cn/1", "http://e.cn/1"]


def test_threshold_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateIndex(DEFAULT_SCHEME, 1.5)


@pytest.mark.parametrize(("printed", "joins"), [("http://a.cn/1", True), (None, False), ("http://other.cn/1", False)])
def test_a_copy_printing_its_origin_url_joins_it_below_the_threshold(
    engine: Engine, seeds: dict[str, Original], printed: str | None, joins: bool
) -> None:
    """Issue 15: 原文链接 is the strongest evidence. An excerpt of an original inside a long
    preface is far below the Jaccard threshold, but most of its text is the original's."""
    original = seeds["seed-000"].body
    first = assign(engine, article("http://a.cn/1", original))
    excerpt = original[: int(len(original) * 0.7)]
    preface = seeds["seed-001"].body
    copy = assign(engine, article("http://b.cn/1", f"{preface}\n{excerpt}", source_url=printed))
    assert copy.similarity is None or copy.similarity < DEFAULT_THRESHOLD  # no join by similarity alone
    assert (copy.cluster_id == first.cluster_id) is joins
    if joins:
        assert copy.canonical_url == "http://a.cn/1"
