"""Every query of docs/queries.md, run on SQLite and Postgres against a replayed and crawled archive.

The archive is built once per database, the same way: ``seeds/`` and the fixture WARC of
``tests/queryfixtures.py`` replayed, the Jiaxing bureau crawled with its shipped config through
the fixture proxy (``OutletProxy``), and the fixture news site crawled, all served on
127.0.0.1, one request at a time so both databases get the same ids. Each query has its own
check, so a failure names the question, and the two databases' answers are compared row by
row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    PROJECT_ROOT,
    SEEDS_DIR,
    _postgres_skip_reason,
    query_rows,
    run_scrapy,
    temporary_postgres_database,
)
from tests.queryfixtures import CITED, JIAXING, JIAXING_SITE, QUZHOU, REPORTER, OutletProxy, write_query_fixtures
from tests.sitefixture import FixtureWeb, site_configs

QUERIES_DOC = PROJECT_ROOT / "docs" / "queries.md"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CLOSESPIDER_TIMEOUT=60"]
# One request and one item at a time: the same ids on both databases.
IN_ORDER = ["-s", "CONCURRENT_REQUESTS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "CONTENT_WORKERS=0"]
REPOST_TITLE = "衢州战略性科创平台建设获重大突破"

Rows = list[dict[str, Any]]


def documented_queries() -> dict[str, str]:
    """``-- id: name`` -> SQL of each fenced sql block in docs/queries.md."""
    blocks = re.findall(r"```sql\n-- id: (\w+)\n(.*?)```", QUERIES_DOC.read_text(encoding="utf-8"), re.DOTALL)
    return dict(blocks)


QUERIES = documented_queries()


def readme_queries() -> list[str]:
    """The statements of the README's sql blocks."""
    blocks = re.findall(r"```sql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    statements = (part.strip() for block in blocks for part in block.split(";"))
    return [
        statement for statement in statements if statement.strip("\n").lstrip().upper().startswith(("SELECT", "--"))
    ]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, FixtureWeb]]:
    """The replayed files and the fixture web site, the same for both databases (so file and
    fixture URLs match)."""
    inputs = tmp_path_factory.mktemp("query-inputs")
    for seed in SEEDS_DIR.glob("*.txt"):
        (inputs / seed.name).write_bytes(seed.read_bytes())
    write_query_fixtures(inputs)
    web = FixtureWeb().start()
    yield inputs, web
    web.stop()


def build_archive(database_url: str, workdir: Path, sources: tuple[Path, FixtureWeb]) -> None:
    inputs, web = sources
    spool = workdir / "spool"
    replay = run_scrapy(["crawl", "replay", "-a", f"path={inputs}", *IN_ORDER], database_url=database_url,
                        spool_dir=spool)  # fmt: skip
    assert replay.returncode == 0, replay.stderr[-3000:]
    proxy = OutletProxy().start()
    try:
        crawl = run_scrapy(["crawl", JIAXING_SITE, *FAST, *IN_ORDER], database_url=database_url, spool_dir=spool,
                           env={"http_proxy": proxy.url, "no_proxy": ""})  # fmt: skip
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        assert any(url.endswith("_5.html") for url in proxy.requests), proxy.requests  # it crawled, by the proxy
    finally:
        proxy.stop()
    sites = site_configs(workdir / "sites", web.base)
    crawl = run_scrapy(["crawl", "fx_news", "-s", f"SITES_DIR={sites}", *FAST, *IN_ORDER],
                       database_url=database_url, spool_dir=spool)  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]


@pytest.fixture(scope="module")
def sqlite_archive(tmp_path_factory: pytest.TempPathFactory, sources: tuple[Path, FixtureWeb]) -> str:
    workdir = tmp_path_factory.mktemp("queries-sqlite")
    url = f"sqlite:///{workdir / 'archive.db'}"
    build_archive(url, workdir, sources)
    return url


@pytest.fixture(scope="module")
def postgres_archive(tmp_path_factory: pytest.TempPathFactory, sources: tuple[Path, FixtureWeb]) -> Iterator[str]:
    reason = _postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("queries-postgres")
    with temporary_postgres_database("govnews_q") as url:
        build_archive(url, workdir, sources)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_archive"))


def run_query(database_url: str, name: str) -> Rows:
    return query_rows(database_url, QUERIES[name])


def day(value: Any) -> str:
    return str(value)[:10]


def canonical(value: Any) -> Any:
    """A value as both databases can be compared on: times as UTC ISO text (SQLite returns
    them as text, Postgres as datetimes), dates as ISO text, whole decimals as integers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ") if value.tzinfo else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?", value):
        return datetime.fromisoformat(value).isoformat(sep=" ")
    return value


def like_count(database_url: str, word: str) -> int:
    """Articles whose title or body contains ``word``, Latin case ignored, by a scan."""
    sql = "SELECT COUNT(*) AS n FROM articles WHERE lower(title) LIKE :p OR lower(body) LIKE :p"
    return int(query_rows(database_url, sql, p=f"%{word.lower()}%")[0]["n"])


def check_jiaxing_notices_in_month(rows: Rows) -> None:
    # Crawled pages; the notice of 2022-08-01 07:30 (2022-07-31 in UTC) is not July's.
    assert [row["title"] for row in rows] == [
        "关于下达2022年嘉兴市科技计划项目经费的通知",
        "嘉兴市科学技术局关于公布第二批市级技术创新中心名单的通知",
    ]
    assert [row["doc_number"] for row in rows] == ["嘉科〔2022〕31号", "嘉科〔2022〕35号"]
    assert [day(row["published_day"]) for row in rows] == ["2022-07-05", "2022-07-12"]


def check_reposted_stories_about_topic(rows: Rows) -> None:
    assert [(row["original_title"], row["reposting_sites"]) for row in rows] == [(REPOST_TITLE, 2)]


def check_last_run_per_site(rows: Rows) -> None:
    assert [(row["site"], row["status"]) for row in rows] == [("fx_news", "ok"), (JIAXING_SITE, "ok")]
    assert all(row["new_articles"] > 0 for row in rows)


def check_daily_counts_per_site(rows: Rows) -> None:
    # One replayed notice (site = host) and three crawled ones (site kjj_jiaxing): one outlet.
    assert [(day(row["day"]), int(row["articles"])) for row in rows] == [
        ("2022-06-20", 1),
        ("2022-07-05", 1),
        ("2022-07-12", 1),
        ("2022-08-01", 1),
    ]


def check_gov_documents_by_issuer(rows: Rows) -> None:
    assert [(row["issuer"], row["doc_number"]) for row in rows] == [
        ("嘉兴市科学技术局", "嘉科〔2022〕28号"),
        ("嘉兴市科学技术局", "嘉科〔2022〕31号"),
        ("嘉兴市科学技术局", "嘉科〔2022〕35号"),
        ("嘉兴市科学技术局", "嘉科〔2022〕40号"),
        ("嘉兴市科学技术局", "嘉科函〔2022〕55号"),
        ("衢州市科学技术局", "衢市科〔2022〕12号"),
    ]


def check_gov_documents_with_problems(rows: Rows) -> None:
    # The fixture notices carry complete, consistent tables; only the seed reply letter,
    # which has no disclosure table, can lack fields.
    assert all(row["title"] == "对市政协九届一次会议第344号提案的答复" for row in rows)


def check_stories_against_rows(rows: Rows) -> None:
    per_site = {row["site"]: (row["rows_stored"], row["stories"]) for row in rows}
    # Seed 000 and one repost are copies of the story whose original the other repost holds:
    # since issue 15 the one on zj.zjol.com.cn (浙江在线), which the other names as its 来源.
    assert {site: counts for site, counts in per_site.items() if site != "fx_news"} == {
        "local": (5, 4),
        "zj.zjol.com.cn": (1, 1),
        "www.chinahightech.com": (1, 0),
        "www.cnjxol.com": (1, 1),
        JIAXING: (1, 1),
        JIAXING_SITE: (3, 3),
        QUZHOU: (1, 1),
    }


def check_reposts_with_originals(rows: Rows) -> None:
    rows = [row for row in rows if row["original_site"] != "fx_news"]  # the fixture site's own templated copies
    assert {row["original_title"] for row in rows} == {REPOST_TITLE}
    sites = {row["copy_site"] for row in rows} | {row["original_site"] for row in rows}
    assert sites == {"local", "zj.zjol.com.cn", "www.chinahightech.com"}


def check_top_organizations(rows: Rows) -> None:
    stories = {row["name"]: row["stories"] for row in rows}
    assert len(stories) == 10
    # Seed 000's story (its two reposts are no stories of their own) and the Quzhou notice.
    assert stories["浙江省高端化学品技术创新中心"] == 2
    assert [row["stories"] for row in rows] == sorted(stories.values(), reverse=True)


def check_people_with_roles(rows: Rows) -> None:
    roles = {(row["name"], row["role"]) for row in rows}
    assert any(name == "朱世强" and "之江实验室主任" in role for name, role in roles)


def check_pdf_attachments(rows: Rows) -> None:
    assert [(row["site"], row["url"]) for row in rows] == [
        (JIAXING_SITE, "http://kjj.jiaxing.gov.cn/art/2022/7/5/fj_1.pdf")
    ]


def check_sources_named(rows: Rows) -> None:
    counts = {row["source_name"]: row["articles"] for row in rows}
    assert counts["嘉兴市科学技术局"] == 4
    assert counts["衢州市科学技术局"] == 1
    assert counts["安徽新闻联播"] == 1
    assert counts["衢州日报"] == 1


def check_traditional_script_articles(rows: Rows) -> None:
    assert [(row["site"], row["title"], row["script"]) for row in rows] == [("local", REPOST_TITLE, "traditional")]


def check_exact_copies(rows: Rows) -> None:
    rows = [row for row in rows if row["copy_site"] != "fx_news"]
    # Since issue 15 the repost on www.chinahightech.com, whose 来源 names 浙江在线, is a copy of
    # the one on zj.zjol.com.cn, a host of that outlet (pipelines/vocab/outlets.tsv): the latter
    # is the original (before, the URL tie-break chose the former).
    assert sorted(row["copy_site"] for row in rows) == ["local", "www.chinahightech.com"]
    assert {row["original_title"] for row in rows} == {REPOST_TITLE}


def check_articles_naming_a_short_word(rows: Rows) -> None:
    assert "http://www.cnjxol.com/kj/202207/t20220721_2.html" in [row["url"] for row in rows]


def check_documents_citing_a_doc_number(rows: Rows) -> None:
    # The reporter's story and the crawled notice of 2022-08-01 cite it.
    assert [(row["site"], row["title"]) for row in rows] == [
        ("www.cnjxol.com", "嘉兴推进疫情防控与科技创新两手抓"),
        (JIAXING_SITE, "嘉兴市科学技术局关于开展科技成果转化对接活动的通知"),
    ]


def check_articles_by_reporter(rows: Rows) -> None:
    assert [(row["title"], row["role"]) for row in rows] == [("嘉兴推进疫情防控与科技创新两手抓", "reporter")]


CHECKS: dict[str, Callable[[Rows], None]] = {
    name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")
}


def test_every_documented_query_has_a_check() -> None:
    assert len(QUERIES) >= 12
    assert set(QUERIES) == set(CHECKS)
    assert QUZHOU  # the Quzhou bureau's notice is part of the archive
    assert CITED in QUERIES["documents_citing_a_doc_number"]
    assert REPORTER in QUERIES["articles_by_reporter"]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_documented_query(archive: str, name: str) -> None:
    CHECKS[name](run_query(archive, name))


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_both_databases_give_the_same_rows(sqlite_archive: str, postgres_archive: str, name: str) -> None:
    """Equal rows in equal order. Left out: the wall-clock times of the two builds (``*_at``)
    and the keys each database assigns (``id``, ``*_id``: a Postgres sequence also advances on
    an upsert that updates), whose order still decides the rows' order."""
    on_sqlite = [comparable(row) for row in run_query(sqlite_archive, name)]
    on_postgres = [comparable(row) for row in run_query(postgres_archive, name)]
    assert on_sqlite == on_postgres


@pytest.mark.postgres
@pytest.mark.parametrize("number", range(len(readme_queries())))
def test_the_readme_queries_give_the_same_rows(sqlite_archive: str, postgres_archive: str, number: int) -> None:
    sql = readme_queries()[number]
    on_sqlite = [comparable(row) for row in query_rows(sqlite_archive, sql)]
    assert on_sqlite, sql
    assert on_sqlite == [comparable(row) for row in query_rows(postgres_archive, sql)]


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    assigned = ("_at", "_id")
    return {key: canonical(value) for key, value in row.items() if key != "id" and not key.endswith(assigned)}


@pytest.mark.parametrize("word", ["疫情", "创新", "药", "技术创新中心", "gdp"])
def test_the_search_functions_give_the_like_count(archive: str, word: str) -> None:
    function = "articles_fts" if len(word) >= 3 else "articles_grams"
    found = query_rows(archive, f"SELECT COUNT(*) AS n FROM {function}(:word)", word=word)[0]["n"]
    assert found == like_count(archive, word)
