"""Site configs: the shipped ones load, bad ones fail naming the file and the key."""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import pytest

from crawler.siteconfig import (
    SHIPPED_SITES_DIR,
    Dataproxy,
    Pagination,
    Politeness,
    SiteConfig,
    SiteConfigError,
    _read,
    find_site,
    load_site,
    load_sites,
)

SHIPPED = {"kjt_zj", "kjj_jiaxing", "kjj_quzhou", "zjol_tech", "people_scitech", "sciencenet_news", "pingtan_gzjzqk"}

MINIMAL = """
name = "测试站"
kind = "gov"
allowed_domains = ["kjj.example.gov.cn"]
list_pages = ["http://kjj.example.gov.cn/col/col1/index.html"]
article_links = ['/art/\\d{4}/\\d{1,2}/\\d{1,2}/art_\\d+_\\d+\\.html$']
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_configs_load_with_their_kinds() -> None:
    sites = load_sites(SHIPPED_SITES_DIR)
    assert set(sites) == SHIPPED
    assert {site.kind for site in sites.values()} == {"gov", "news", "repost"}
    assert all(site.allowed_domains and site.article_links for site in sites.values())


@pytest.mark.parametrize(
    ("site", "url", "is_article"),
    [
        ("kjt_zj", "https://kjt.zj.gov.cn/art/2022/5/20/art_1229080140_59847436.html", True),
        ("kjt_zj", "https://kjt.zj.gov.cn/col/col1229080140/index.html", False),
        ("kjj_jiaxing", "http://kjj.jiaxing.gov.cn/art/2023/1/9/art_1522453_59012345.html", True),
        ("zjol_tech", "https://tech.zjol.com.cn/ycxw/202205/t20220520_24234567.shtml", True),
        ("zjol_tech", "https://tech.zjol.com.cn/ycxw/index_1.shtml", False),
        ("people_scitech", "http://scitech.people.com.cn/n1/2022/0520/c1007-32426543.html", True),
        ("people_scitech", "http://scitech.people.com.cn/GB/1057/index2.html", False),
        ("sciencenet_news", "https://news.sciencenet.cn/htmlnews/2022/5/479123.shtm", True),
        ("pingtan_gzjzqk", "https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/202312/t20231221_83648.htm", True),
        # Items of other columns that the column page links are not this site's.
        ("pingtan_gzjzqk", "https://www.pingtan.gov.cn/zwgk/zdlyxxgk/ssjygk/sjccjg/202511/t20251111_103189.htm", False),
        ("pingtan_gzjzqk", "https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/", False),
    ],
)
def test_shipped_article_patterns(site: str, url: str, is_article: bool) -> None:
    assert find_site(SHIPPED_SITES_DIR, site).is_article(url) is is_article


def test_extends_merges_tables_and_the_site_wins(tmp_path: Path) -> None:
    write(
        tmp_path,
        "_base_cms",
        'kind = "news"\nschedule = "0 8 * * *"\n[politeness]\ndownload_delay = 5\nconcurrency = 2\n',
    )
    path = write(tmp_path, "child", 'extends = "_base_cms"\n' + MINIMAL + "[politeness]\ndownload_delay = 1.5\n")
    site = load_site(path)
    assert (site.id, site.kind, site.schedule) == ("child", "gov", "0 8 * * *")
    assert (site.politeness.download_delay, site.politeness.concurrency) == (1.5, 2)
    assert set(load_sites(tmp_path)) == {"child"}  # base configs are not sites


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "red"\n', "colour: unknown key"),
        ('[pagination]\nkind = "numbered"\npages = 3\n', "pagination.pages: unknown key"),
        ("[politeness]\ndelay = 3\n", "politeness.delay: unknown key"),
        ("deny_links = ['(unclosed']\n", "deny_links[0]: bad regular expression '(unclosed'"),
        ('schedule = "every hour"\n', "schedule: not a 5-field cron expression"),
        ('[pagination]\nkind = "next"\n', "pagination.next_link: required when kind = 'next'"),
        ('[pagination]\nkind = "numbered"\nnumbered = "index.html"\n', "pagination.numbered: needs a {n} placeholder"),
        ('[pagination]\nkind = "sideways"\n', "pagination.kind: expected one of none, next, numbered"),
        ("[politeness]\ndownload_delay = -1\n", "politeness.download_delay: must not be negative"),
        ("recheck_days = true\n", "recheck_days: expected int"),
        ("[extraction]\ntitle = 3\n", "extraction: expected a table of field = selector strings"),
        (
            '[pagination]\nkind = "hanweb_dataproxy"\n',
            "pagination.dataproxy.fields: required when kind = 'hanweb_dataproxy'",
        ),
        ("[pagination]\ndataproxy = 3\n", "pagination.dataproxy: expected a table"),
        ("[pagination.dataproxy]\nspeed = 1\n", "pagination.dataproxy.speed: unknown key"),
        ("[pagination.dataproxy]\nrecords = 0\n", "pagination.dataproxy.records: must be at least 1"),
        ('[pagination.dataproxy]\nurl = " "\n', "pagination.dataproxy.url: must not be empty"),
        ("[pagination.dataproxy.form]\ncol = true\n", "pagination.dataproxy.form.col: expected a string or an integer"),
        (
            "[pagination.dataproxy.fields]\nunitid = '(\\d+'\n",
            "pagination.dataproxy.fields.unitid: bad regular expression",
        ),
        (
            "[pagination.dataproxy.fields]\nunitid = 'unitid=\\d+'\n",
            "pagination.dataproxy.fields.unitid: needs a group",
        ),
    ],
)
def test_bad_configs_name_file_and_key(tmp_path: Path, extra: str, message: str) -> None:
    # Top-level keys must precede tables in TOML, so table snippets go last and plain keys first.
    text = extra + MINIMAL if not extra.startswith("[") else MINIMAL + extra
    path = write(tmp_path, "bad_site", text)
    with pytest.raises(SiteConfigError) as caught:
        load_site(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_shipped_hanweb_sites_page_through_dataproxy() -> None:
    for site_id in ("kjt_zj", "kjj_jiaxing", "kjj_quzhou"):
        pagination = find_site(SHIPPED_SITES_DIR, site_id).pagination
        assert pagination.kind == "hanweb_dataproxy", site_id
        assert {"webid", "columnid", "unitid"} <= set(pagination.dataproxy.fields), site_id
        assert pagination.dataproxy.form["permissiontype"] == "0"


def test_a_site_adjusts_the_hanweb_base_key_by_key(tmp_path: Path) -> None:
    base = (SHIPPED_SITES_DIR / "_base_hanweb.toml").read_text(encoding="utf-8")
    write(tmp_path, "_base_hanweb", base)
    path = write(
        tmp_path,
        "hw",
        'extends = "_base_hanweb"\n' + MINIMAL + "[pagination.dataproxy]\nurl = '/module/web/jpage/dataproxy.jsp'\n"
        "[pagination.dataproxy.form]\ncol = 2\n[pagination.dataproxy.fields]\nwebname = ''\n",
    )
    dataproxy = load_site(path).pagination.dataproxy
    assert dataproxy.url == "/module/web/jpage/dataproxy.jsp"
    assert (dataproxy.form["col"], dataproxy.form["appid"]) == ("2", "1")  # integers become strings
    assert set(dataproxy.fields) == {"webid", "columnid", "unitid"}  # an empty pattern drops the field


def test_bad_pattern_in_a_base_names_the_site_file(tmp_path: Path) -> None:
    write(tmp_path, "_base_bad", "article_links = ['[z-a]']\n")
    path = write(tmp_path, "site_a", 'extends = "_base_bad"\n' + MINIMAL.replace("article_links", "# article_links"))
    with pytest.raises(SiteConfigError, match=r"site_a\.toml: article_links\[0\]: bad regular expression"):
        load_site(path)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a": 'extends = "_missing"\n'}, "extends: no base config _missing.toml"),
        ({"a": 'extends = "_b"\n', "_b": 'extends = "_c"\n', "_c": 'extends = "_b"\n'}, "inheritance loop"),
        ({"a": "name = \n"}, "not valid TOML"),
        ({"a": 'name = "x"\nallowed_domains = ["a.cn"]\narticle_links = ["x"]\n'}, "at least one entry point"),
    ],
)
def test_broken_files(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    with pytest.raises(SiteConfigError, match=message):
        load_site(tmp_path / "a.toml")


def test_unknown_site_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "one", MINIMAL)
    with pytest.raises(SiteConfigError, match=r"no site 'two' .*\(sites: one\)"):
        find_site(tmp_path, "two")


def _inherited(path: Path) -> dict[str, Any]:
    """The merged table ``path`` extends (empty without ``extends``)."""
    parent = tomllib.loads(path.read_text(encoding="utf-8")).get("extends")
    return _read(path.with_name(f"{parent}.toml")) if parent else {}


_DEFAULTS: dict[str, type[Any]] = {
    "": SiteConfig,
    "pagination.": Pagination,
    "pagination.dataproxy.": Dataproxy,
    "politeness.": Politeness,
}


def _leaves(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    leaves: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and f"{prefix}{key}." in _DEFAULTS:
            leaves.update(_leaves(value, f"{prefix}{key}."))
        else:
            leaves[f"{prefix}{key}"] = value
    return leaves


def _default_of(dotted: str) -> Any:
    prefix, _, name = dotted.rpartition(".")
    cls = _DEFAULTS[f"{prefix}." if prefix else ""]
    found = [f.default for f in fields(cls) if f.name == name and f.default is not MISSING]
    return found[0] if found else MISSING


@pytest.mark.parametrize("path", sorted(SHIPPED_SITES_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_configs_write_each_default_once(path: Path) -> None:
    """A key set to the value it has anyway (siteconfig's default, or the base config's value)
    is a second copy of that default that would drift; leave it out."""
    own = _leaves(tomllib.loads(path.read_text(encoding="utf-8")))
    inherited = _leaves(_inherited(path))
    repeated = [key for key, value in own.items() if key != "extends" and value == inherited.get(key, _default_of(key))]
    assert repeated == [], f"{path.name} repeats the values it inherits: {repeated}"
