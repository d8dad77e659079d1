"""Search: any substring, the answers of LIKE, on SQLite and Postgres, through both plans.

An archive of generated articles holds rare words (in a few articles) and common ones (in most),
so a search fetches the candidates of some terms by key and reads the rows newest first for the
others (``CANDIDATES_PER_HIT``); each answer is compared with the articles a case-blind
substring test finds, in the documented order.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from crawler.commands.search import hit_lines
from crawler.db.articles import upsert_articles
from crawler.db.engine import make_engine
from crawler.db.schema import ensure_schema
from crawler.db.search import CANDIDATES_PER_HIT, SearchError, plan_for, search, snippet
from crawler.items import Article
from crawler.timezones import LocalTime
from pipelines.text.query import query_form
from tests.conftest import run_scrapy
from tests.test_db import T0, article

SENTENCES = [
    "市科技局召开创新工作推进会。",
    "全市规模以上工业增加值增长百分之五。",
    "统计局发布1-10月国民经济运行情况，GDP同比增长5.2%。",
    "新冠疫情防控进入新阶段。",
    "养老服务体系建设稳步推进。",
    "药品集中带量采购惠及群众。",
    "浙江省高端化学品技术创新中心揭牌成立。",
    "The gdp grew by 5 percent; AI and 5G lead.",
    "会议要求做好“十四五”规划收官工作。",
]
# Terms and the share of articles that name them: from every article down to one.
TERMS = ["药", "创新", "统计", "疫情", "养老", "技术创新中心", "GDP", "gdp", "Ai", "1-10月", "5.2%", "“十四五”", "%"]
ARTICLES = 240


def generated() -> list[Article]:
    rng = random.Random(16)
    articles = []
    for n in range(ARTICLES):
        common = [sentence for sentence in SENTENCES if "药" not in sentence]
        picks = rng.sample(common, 1 + n % 4) if n % 5 else [SENTENCES[0], SENTENCES[8]]
        if n % 40 == 7:
            picks.append(SENTENCES[5])  # 药: in 6 articles only
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 300))
        published = None if n % 23 == 0 else moment.isoformat()
        precision = None if published is None else ("day" if n % 7 == 0 else "minute")
        if precision == "day":
            published = f"{moment.date().isoformat()}T00:00:00+08:00"
        title = f"第{n}号通知：{rng.choice(['创新', '发展', '统计', 'GDP'])}"
        articles.append(
            article(
                f"http://s{n % 3}.gov.cn/art/{n}.html",
                body="\n".join(picks),
                title=title,
                site=f"s{n % 3}",
                published=published,
                published_precision=precision,
                content_hash=hashlib.sha256(f"{n}".encode()).hexdigest(),
            )
        )
    return articles


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.db'}"
        yield from _filled(url)
        return
    from tests.conftest import _postgres_skip_reason, temporary_postgres_database

    reason = _postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    with temporary_postgres_database("govnews_s") as url:
        yield from _filled(url)


def _filled(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    ensure_schema(engine)
    with engine.begin() as connection:
        upsert_articles(connection, generated(), now=T0)
    yield engine
    engine.dispose()


def expected_urls(engine: Engine, term: str, site: str | None = None) -> list[str]:
    """The documented answer, computed in Python: title or body contains the term, ASCII case
    ignored, newest first with undated last, then by id."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, url, site, title, body, published FROM articles")).all()
    needle = term.lower()
    found = [
        row
        for row in rows
        if (needle in (row.title or "").lower() or needle in (row.body or "").lower())
        and (site is None or row.site == site)
    ]
    found.sort(key=lambda row: (row.published is not None, str(row.published or ""), row.id), reverse=True)
    return [row.url for row in found]


@pytest.mark.parametrize("term", TERMS)
@pytest.mark.parametrize("limit", [1, 5, 1000])
def test_search_gives_the_like_answer(archive: Engine, term: str, limit: int) -> None:
    expected = expected_urls(archive, term)
    with archive.connect() as connection:
        hits = search(connection, term, limit=limit)
    assert [hit.url for hit in hits] == expected[:limit]


def test_both_plans_are_exercised(archive: Engine) -> None:
    """Rare terms go by key, common ones in time order: the archive must hold both kinds."""
    counts = {term: len(expected_urls(archive, term)) for term in TERMS}
    assert counts["药"] < CANDIDATES_PER_HIT * 1 <= counts["创新"]
    assert min(counts.values()) > 0


INDEXED_TERMS = [
    ("药", "articles_grams"),
    ("创新", "articles_grams"),
    ("AI", "articles_grams"),
    ("技术创新中心", "articles_fts"),
    ("gdp", "articles_fts"),
    ('"1-10月"', "articles_fts"),
]


def test_like_count_equals_the_indexed_count(archive: Engine) -> None:
    """The SQL functions of docs/schema.md find what LIKE finds, on both databases."""
    with archive.connect() as connection:
        for term, function in INDEXED_TERMS:
            indexed = connection.execute(text(f"SELECT COUNT(*) FROM {function}(:term)"), {"term": term}).scalar()
            assert indexed == len(expected_urls(archive, term.strip('"'))), (function, term)


@pytest.mark.parametrize(
    ("term", "index"),
    [("药", "articles_grams"), ("创新", "articles_grams"), ("5%", "articles_grams"), ("技术创新中心", "articles_fts"),
     ("1-10月", "articles_fts"), ("%", "scan"), ("——", "scan")],
)  # fmt: skip
def test_each_length_has_its_index(term: str, index: str) -> None:
    assert plan_for(term, "sqlite").index == index
    expected = {"1-10月": "articles_fts", "5%": "articles_grams"}.get(term, index)
    assert plan_for(term, "postgresql").index == expected


def test_site_filter(archive: Engine) -> None:
    with archive.connect() as connection:
        hits = search(connection, "创新", site="s1", limit=1000)
    assert [hit.url for hit in hits] == expected_urls(archive, "创新", site="s1")


def test_a_traditional_query_finds_the_simplified_text(archive: Engine) -> None:
    assert query_form("統計") == "统计"
    with archive.connect() as connection:
        hits = search(connection, query_form("統計"), limit=1000)
    assert [hit.url for hit in hits] == expected_urls(archive, "统计")


def test_the_index_follows_updates(archive: Engine) -> None:
    with archive.begin() as connection:
        upsert_articles(connection, [article("http://s9.gov.cn/new.html", body="鳄鱼保护区。", title="新",
                                             content_hash="x" * 64)], now=T0)  # fmt: skip
    with archive.connect() as connection:
        assert [hit.url for hit in search(connection, "鳄")] == ["http://s9.gov.cn/new.html"]
    with archive.begin() as connection:
        upsert_articles(connection, [article("http://s9.gov.cn/new.html", body="湿地保护区。", title="新",
                                             content_hash="y" * 64)], now=T0)  # fmt: skip
        assert [hit.url for hit in search(connection, "鳄")] == []
        connection.execute(text("DELETE FROM articles WHERE url = 'http://s9.gov.cn/new.html'"))
        assert search(connection, "湿地") == []


@pytest.mark.parametrize(("query", "limit"), [("", 20), ("   ", 20), ("字" * 101, 20), ("药", 0), ("药", 1001)])
def test_bad_queries_and_limits_are_refused(archive: Engine, query: str, limit: int) -> None:
    with archive.connect() as connection, pytest.raises(SearchError):
        search(connection, query, limit=limit)


def test_hits_carry_snippet_story_and_local_time(archive: Engine) -> None:
    with archive.connect() as connection:
        hit = search(connection, "药", limit=1)[0]
    assert "药" in hit.snippet
    assert hit.story_articles == 1
    line = hit_lines(hit, LocalTime.default())
    assert hit.url in line
    assert "药品集中带量采购" in line


def test_snippet_is_around_the_hit() -> None:
    body = "甲" * 100 + "GDP增长" + "乙" * 100
    assert snippet(body, "gdp").startswith("…甲")
    assert "GDP增长" in snippet(body, "gdp")


@pytest.mark.parametrize(
    ("published", "precision", "shown"),
    [
        # 06:58 in Beijing is 22:58 UTC the day before: people see the Beijing day.
        (datetime(2024, 5, 11, 22, 58, tzinfo=UTC), "minute", "2024-05-12 06:58"),
        (datetime(2024, 5, 9, 16, 0, tzinfo=UTC), "day", "2024-05-10"),
        (datetime(2024, 5, 9, 16, 0, 5, tzinfo=UTC), "second", "2024-05-10 00:00:05"),
    ],
)
def test_times_are_shown_in_the_site_zone(published: datetime, precision: str, shown: str) -> None:
    assert LocalTime.default().shown(published, precision, "any") == shown


def test_scrapy_search_command(tmp_path: object, sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with engine.begin() as connection:
        upsert_articles(
            connection,
            [article("http://a.gov.cn/1.html", body="1-10月统计数据发布。", title="统计公报",
                     published="2024-05-12T06:58:00+08:00", published_precision="minute")],
            now=T0,
        )  # fmt: skip
    engine.dispose()
    found = run_scrapy(["search", "統計"], database_url=sqlite_url)
    assert found.returncode == 0, found.stderr
    assert "2024-05-12 06:58" in found.stdout
    assert "1 hits" in found.stdout
    quoted = run_scrapy(["search", "1-10月"], database_url=sqlite_url)
    assert quoted.returncode == 0, quoted.stderr
    assert "1 hits" in quoted.stdout
    for bad in (["search", " "], ["search", "药", "--limit", "0"], ["search", "字" * 200]):
        refused = run_scrapy(bad, database_url=sqlite_url)
        assert refused.returncode == 2
        assert "Traceback" not in refused.stderr
