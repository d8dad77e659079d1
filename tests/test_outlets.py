"""Outlets (``pipelines/similarity/outlets.py``), the 原文链接 URL a repost prints, and the
canonical choice on reposts of real dev corpus pages (read by path, skipped when absent)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.db.neardup import Member
from pipelines.fields.bylines import cited_url
from pipelines.similarity.canonical import choose_canonical
from pipelines.similarity.outlets import Outlet, host_suffixes, load_outlets, printed_host, with_sites
from pipelines.vocab.tables import VocabularyError
from tests.conftest import PROJECT_ROOT

OUTLETS = load_outlets()
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "dev"
BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("人民网", "人民网"),
        ("人民網", "人民网"),  # Traditional script
        ("人民网－人民日报", "人民网"),  # decorated
        ("people.com.cn", "人民网"),  # a host
        ("http://finance.people.com.cn/n1/x.html", "人民网"),  # a URL
        ("中国新闻网 记者 张三", "中国新闻网"),
        ("中新社", "中国新闻网"),  # an alias
        ("发布于北京", None),  # an IP-location label
        ("星期五", None),
        ("某某自媒体", None),
    ],
)
def test_a_source_value_names_an_outlet(value: str, expected: str | None) -> None:
    assert OUTLETS.named(value) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("finance.people.com.cn", "人民网"),
        ("paper.people.com.cn", "人民日报"),  # the nearest listed domain wins
        ("www.gov.cn", "中国政府网"),
        ("www.some-county.gov.cn", None),  # gov.cn stands for itself, not for every .gov.cn
        ("www.news.cn", "新华网"),
    ],
)
def test_a_host_belongs_to_an_outlet(host: str, expected: str | None) -> None:
    assert OUTLETS.of_host(host) == expected


def test_host_suffixes_stop_at_the_registrant() -> None:
    assert host_suffixes("finance.people.com.cn") == {"finance.people.com.cn", "people.com.cn"}
    assert host_suffixes("www.pingtan.gov.cn") == {"pingtan.gov.cn"}
    assert printed_host("www.pingtan.gov.cn") == "www.pingtan.gov.cn"
    assert printed_host("人民网") is None


def test_a_configured_site_joins_the_outlet_of_its_host_or_is_one() -> None:
    shipped = [Outlet("人民网", "central", (), ("people.com.cn",))]
    sites = [
        Outlet("人民网 科技", "local", (), ("scitech.people.com.cn",)),
        Outlet("甲市", "government", (), ("jia.cn",)),
    ]
    merged = {outlet.name: outlet for outlet in with_sites(shipped, sites)}
    assert "人民网 科技" in merged["人民网"].aliases
    assert merged["甲市"].hosts == ("jia.cn",)


def test_a_users_table_wins_and_kinds_are_checked(tmp_path: Path) -> None:
    table = tmp_path / "outlets.tsv"
    table.write_text("name\taliases\thosts\tkind\tseen\n本地报\t本地日报\tlocal.test\tlocal\ttest\n", encoding="utf-8")
    assert load_outlets(table).named("本地日报") == "本地报"
    table.write_text("name\taliases\thosts\tkind\tseen\n本地报\t\tlocal.test\tblog\ttest\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="kind"):
        load_outlets(table)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml", "https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml"),
        ("见 http://a.cn/b.html。", "http://a.cn/b.html"),
        ("www.pingtan.gov.cn", None),  # a host is a name, not a URL
        ("http://localhost/x", None),
    ],
)  # fmt: skip
def test_cited_url(value: str, expected: str | None) -> None:
    assert cited_url(value) == expected


# Mutation tests: reposts of every dev corpus page with a URL, made the ways a reposting site
# makes them; the rules must hold on each page, not on one hand-picked case.
def corpus_pages() -> list[dict[str, str]]:
    if not CORPUS.is_dir():
        return []
    pages = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*/truth.json"))]
    return [page for page in pages if page.get("url") and page.get("published")]


def original_member(page: dict[str, str]) -> Member:
    published = datetime.fromisoformat(page["published"][:16]).replace(tzinfo=UTC) - timedelta(hours=8)
    precision = "day" if len(page["published"]) == 10 else "minute"
    host = page["url"].split("/")[2]
    return Member(
        page["url"], page["url"], host, None, page.get("source_name"), published, published + timedelta(hours=1),
        precision,
    )  # fmt: skip


def reposts(original: Member, rng: random.Random) -> list[Member]:
    """A date-only copy of the same day, a copy citing the origin's URL, one citing its host,
    a forum copy citing the first copy by URL, and an undated copy fetched later."""
    assert original.published is not None
    later = original.fetched_at + timedelta(hours=rng.randint(2, 48))
    day = original.published.astimezone(BEIJING).replace(hour=0, minute=0, second=0)
    host = original.url.split("/")[2]
    return [
        Member("http://copy1.test/1", "http://copy1.test/1", "copy1.test", None, None, day, later, "day"),
        Member("http://copy2.test/2", "http://copy2.test/2", "copy2.test", None, None, original.published, later,
               "minute", original.url),
        Member("http://copy3.test/3", "http://copy3.test/3", "copy3.test", None, host, original.published, later),
        Member("http://bbs.test/4", "http://bbs.test/4", "bbs.test", None, "copy1.test",
               original.published + timedelta(minutes=rng.randint(0, 30)), later + timedelta(hours=1), "minute",
               "http://copy1.test/1"),
        Member("http://copy5.test/5", "http://copy5.test/5", "copy5.test", None, None, None, later),
    ]  # fmt: skip


@pytest.mark.skipif(not corpus_pages(), reason=f"dev corpus absent: {CORPUS}")
@pytest.mark.parametrize("page", corpus_pages(), ids=lambda page: page["id"])
def test_the_corpus_page_is_the_original_of_its_reposts(page: dict[str, str]) -> None:
    original = original_member(page)
    copies = reposts(original, random.Random(page["id"]))
    for members in ([original, *copies], [*copies, original], [original, *copies[::-1]]):
        assert choose_canonical(members, OUTLETS).member.canonical_url == original.canonical_url


@pytest.mark.skipif(not corpus_pages(), reason=f"dev corpus absent: {CORPUS}")
@pytest.mark.parametrize("page", corpus_pages()[:8], ids=lambda page: page["id"])
def test_an_undated_corpus_original_fetched_first_stays_the_original(page: dict[str, str]) -> None:
    dated = original_member(page)
    undated = Member(dated.canonical_url, dated.url, dated.site, None, None, None, dated.fetched_at)
    copies = [copy for copy in reposts(dated, random.Random(page["id"])) if copy.source_url is None]
    assert choose_canonical([undated, *copies], OUTLETS).member.canonical_url == dated.canonical_url
