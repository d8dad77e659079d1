"""Every query of docs/queries.md, run on SQLite and Postgres against a replayed and crawled archive.

The archive is built once per database: ``seeds/`` and the fixture WARC of
``tests/queryfixtures.py`` replayed, plus one crawl of the fixture news site served on
127.0.0.1 (for ``crawl_runs``). Each query has its own test, so a failure names the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
from tests.queryfixtures import JIAXING, QUZHOU, write_query_fixtures
from tests.sitefixture import FixtureWeb, site_configs

QUERIES_DOC = PROJECT_ROOT / "docs" / "queries.md"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CLOSESPIDER_TIMEOUT=60"]
REPOST_TITLE = "衢州战略性科创平台建设获重大突破"

Rows = list[dict[str, Any]]


def documented_queries() -> dict[str, str]:
    """``-- id: name`` -> SQL of each fenced sql block in docs/queries.md."""
    blocks = re.findall(r"```sql\n-- id: (\w+)\n(.*?)```", QUERIES_DOC.read_text(encoding="utf-8"), re.DOTALL)
    return dict(blocks)


QUERIES = documented_queries()


def build_archive(database_url: str, workdir: Path) -> None:
    inputs = workdir / "inputs"
    inputs.mkdir(parents=True)
    for seed in SEEDS_DIR.glob("*.txt"):
        (inputs / seed.name).write_bytes(seed.read_bytes())
    write_query_fixtures(inputs)
    replay = run_scrapy(["crawl", "replay", "-a", f"path={inputs}"], database_url=database_url,
                        spool_dir=workdir / "spool")  # fmt: skip
    assert replay.returncode == 0, replay.stderr[-3000:]
    web = FixtureWeb().start()
    try:
        sites = site_configs(workdir / "sites", web.base)
        crawl = run_scrapy(["crawl", "fx_news", "-s", f"SITES_DIR={sites}", *FAST], database_url=database_url,
                           spool_dir=workdir / "spool")  # fmt: skip
        assert crawl.returncode == 0, crawl.stderr[-3000:]
    finally:
        web.stop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp(f"queries-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'archive.db'}"
        build_archive(url, workdir)
        yield url
        return
    reason = _postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    with temporary_postgres_database("govnews_q") as url:
        build_archive(url, workdir)
        yield url


def run_query(database_url: str, name: str) -> Rows:
    return query_rows(database_url, QUERIES[name])


def day(value: Any) -> str:
    return str(value)[:10]


def check_jiaxing_notices_in_month(rows: Rows) -> None:
    assert [row["title"] for row in rows] == [
        "关于下达2022年嘉兴市科技计划项目经费的通知",
        "嘉兴市科学技术局关于公布第二批市级技术创新中心名单的通知",
    ]
    assert [row["doc_number"] for row in rows] == ["嘉科〔2022〕31号", "嘉科〔2022〕35号"]


def check_reposted_stories_about_topic(rows: Rows) -> None:
    assert [(row["original_title"], row["reposting_sites"]) for row in rows] == [(REPOST_TITLE, 2)]


def check_amounts_per_city(rows: Rows) -> None:
    per_city = {row["city"]: int(row["yuan"]) for row in rows}
    assert per_city["衢州市"] >= 100_000_000  # the Quzhou notice's 1亿元
    assert per_city["嘉兴市"] >= 5_000_000 + 2_000_000  # the Jiaxing notices' 500万元 and 200万元


def check_last_run_per_site(rows: Rows) -> None:
    assert [(row["site"], row["status"]) for row in rows] == [("fx_news", "ok")]
    assert rows[0]["new_articles"] > 0


def check_daily_counts_per_site(rows: Rows) -> None:
    assert [(day(row["day"]), row["articles"]) for row in rows] == [
        ("2022-06-20", 1),
        ("2022-07-05", 1),
        ("2022-07-12", 1),
    ]


def check_gov_documents_by_issuer(rows: Rows) -> None:
    assert [(row["issuer"], row["doc_number"]) for row in rows] == [
        ("嘉兴市科学技术局", "嘉科〔2022〕28号"),
        ("嘉兴市科学技术局", "嘉科〔2022〕31号"),
        ("嘉兴市科学技术局", "嘉科〔2022〕35号"),
        ("嘉兴市科学技术局", "嘉科函〔2022〕55号"),
        ("衢州市科学技术局", "衢市科〔2022〕12号"),
    ]


def check_gov_documents_with_problems(rows: Rows) -> None:
    # The fixture notices carry complete, consistent tables; only the seed reply letter,
    # which has no disclosure table, can lack fields.
    assert all(row["title"] == "对市政协九届一次会议第344号提案的答复" for row in rows)


def check_stories_against_rows(rows: Rows) -> None:
    per_site = {row["site"]: (row["rows_stored"], row["stories"]) for row in rows}
    # Seed 000 and one repost are copies of the story whose original the other repost holds.
    assert {site: counts for site, counts in per_site.items() if site != "fx_news"} == {
        "local": (5, 4),
        "zj.zjol.com.cn": (1, 0),
        "www.chinahightech.com": (1, 1),
        JIAXING: (3, 3),
        QUZHOU: (1, 1),
    }


def check_reposts_with_originals(rows: Rows) -> None:
    rows = [row for row in rows if row["original_site"] != "fx_news"]  # the fixture site's own templated copies
    assert {row["original_title"] for row in rows} == {REPOST_TITLE}
    sites = {row["copy_site"] for row in rows} | {row["original_site"] for row in rows}
    assert sites == {"local", "zj.zjol.com.cn", "www.chinahightech.com"}


def check_top_organizations(rows: Rows) -> None:
    names = [row["name"] for row in rows]
    assert len(names) == 10
    assert names[0] == "浙江省高端化学品技术创新中心"  # seed 000, its two reposts and the Quzhou notice


def check_people_with_roles(rows: Rows) -> None:
    roles = {(row["name"], row["role"]) for row in rows}
    assert any(name == "朱世强" and "之江实验室主任" in role for name, role in roles)


def check_pdf_attachments(rows: Rows) -> None:
    assert [(row["site"], row["url"]) for row in rows] == [(JIAXING, "http://kjj.jiaxing.gov.cn/art/2022/7/5/fj_1.pdf")]


def check_sources_named(rows: Rows) -> None:
    counts = {row["source_name"]: row["articles"] for row in rows}
    assert counts["嘉兴市科学技术局"] == 3
    assert counts["衢州市科学技术局"] == 1
    assert counts["安徽新闻联播"] == 1
    assert counts["衢州日报"] == 1


def check_traditional_script_articles(rows: Rows) -> None:
    assert [(row["site"], row["title"], row["script"]) for row in rows] == [("local", REPOST_TITLE, "traditional")]


def check_exact_copies(rows: Rows) -> None:
    rows = [row for row in rows if row["copy_site"] != "fx_news"]
    assert sorted(row["copy_site"] for row in rows) == ["local", "zj.zjol.com.cn"]
    assert {row["original_title"] for row in rows} == {REPOST_TITLE}


CHECKS: dict[str, Callable[[Rows], None]] = {
    name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")
}


def test_every_documented_query_has_a_check() -> None:
    assert len(QUERIES) >= 12
    assert set(QUERIES) == set(CHECKS)
    assert QUZHOU  # the Quzhou bureau's notice is part of the archive


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_documented_query(archive: str, name: str) -> None:
    CHECKS[name](run_query(archive, name))
