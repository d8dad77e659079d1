from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import Article, Page
from pipelines.cleaning import CleaningPipeline
from tests.conftest import project_crawler

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def make_pipeline(settings: dict[str, Any] | None = None) -> tuple[CleaningPipeline, Any]:
    crawler = project_crawler(settings=settings)
    return CleaningPipeline.from_crawler(crawler), crawler.stats


def seed_article(prefix: str) -> Article:
    """An article as the extraction stage hands seed text over: first line title, rest body."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
    return Article(
        url=path.as_uri(),
        canonical_url=path.as_uri(),
        site="local",
        fetched_at="2024-05-01T00:00:00+00:00",
        title=title,
        body=body,
        body_original=body,
        replay_path=str(path),
    )


def test_disabled_by_setting() -> None:
    with pytest.raises(NotConfigured):
        make_pipeline({"CLEANING_ENABLED": False})


def test_threshold_out_of_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="CLEANING_SPUN_THRESHOLD"):
        make_pipeline({"CLEANING_SPUN_THRESHOLD": 2})


def test_other_items_pass_through() -> None:
    pipeline, stats = make_pipeline()
    page = Page(url="file:///x", text="x", kind="text", fetched_at="2024-05-01T00:00:00+00:00")
    assert pipeline.process_item(page) is page
    assert stats.get_value("cleaning/items") is None


def test_traditional_seed_with_pinyin_and_related_links() -> None:
    pipeline, stats = make_pipeline()
    article = seed_article("000")
    raw = article.body
    assert pipeline.process_item(article) is article
    assert article.title == "衢州战略性科创平台建设获重大突破"
    assert article.subtitle == "浙江省高端化学品技术创新中心落户衢州"
    assert article.script == "traditional"
    assert article.body_original == raw
    assert article.body.startswith("浙江省高端化学品技术创新中心落户衢州。近日,记者从衢州市科技局获悉")
    assert "(zhàn)" not in article.body
    assert article.extra.title_original == "衢州戰(zhàn)略性科創(chuàng)平臺(tái)建設(shè)獲重大突破"
    assert article.extra.related[0] == "湖州市获评创新型领军企业数居浙江省前列"
    assert article.extra.spun_score == 0.0
    assert article.extra.is_spun is False
    assert article.extra.cleaning["pinyin"] == 233
    assert stats.get_value("cleaning/pinyin_removed") == 233
    assert stats.get_value("cleaning/script_traditional") == 1
    assert stats.get_value("cleaning/boilerplate_removed") == 24
    assert stats.get_value("cleaning/related_found") == 1
    assert stats.get_value("cleaning/subtitle_found") == 1


def test_breadcrumb_title_gives_section_and_the_real_title() -> None:
    pipeline, stats = make_pipeline()
    article = pipeline.process_item(seed_article("003"))
    assert article.title == "浙江着力建设三大科创高地:广协同集中力量攻坚克难"
    assert article.extra.section == "靖江产业信息"
    assert article.extra.title_original == "当前位置:首页 > 靖江产业信息 > 正文内容"
    assert "蕞" not in article.body
    assert stats.get_value("cleaning/swaps_fixed") == 4
    assert stats.get_value("cleaning/boilerplate_contact_removed") == 5


def test_spun_seed_is_flagged_and_not_rewritten() -> None:
    pipeline, stats = make_pipeline()
    article = pipeline.process_item(seed_article("004"))
    assert article.title == "江苏省中关村高新区:建高端创新平台 促“双链”融合发展"
    assert article.extra.is_spun is True
    assert article.extra.spun_score >= 0.9
    assert "立异驱动展开战略" in article.body
    assert stats.get_value("cleaning/spun") == 1
    assert stats.get_value("cleaning/title_spam_removed") == 1


def test_threshold_setting_decides_is_spun() -> None:
    pipeline, _ = make_pipeline({"CLEANING_SPUN_THRESHOLD": 1.0})
    article = pipeline.process_item(seed_article("004"))
    assert article.extra.is_spun is (article.extra.spun_score >= 1.0)


def test_repeated_article_is_kept_once() -> None:
    pipeline, stats = make_pipeline()
    article = pipeline.process_item(seed_article("001"))
    assert article.subtitle == "【推进长三角一体化发展】安徽:携手沪苏浙 共建“创新生态圈”"
    assert article.body.count("习近平总书记强调") == 1
    # The 来源 line is a byline, not text: it leaves the body for extra.bylines (issue 14).
    assert "来源: 安徽新闻联播" not in article.body
    assert article.extra.bylines == ["来源: 安徽新闻联播", "来源: 安徽新闻联播"]
    assert stats.get_value("cleaning/repeat_passage_removed") == 1
    assert article.extra.title_original is None


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_a_second_pass_changes_nothing(prefix: str) -> None:
    pipeline, _ = make_pipeline()
    article = pipeline.process_item(seed_article(prefix))
    before = (article.title, article.subtitle, article.body, article.script, copy.deepcopy(article.extra))
    pipeline.process_item(article)
    assert (article.title, article.subtitle, article.body, article.script, article.extra) == before


@pytest.mark.parametrize(
    ("title", "body", "dropped"),
    [(None, "", True), ("", "", True), (None, "\n\n", True), ("标题", "", False), ("当前位置:首页 > 新闻", "", True)],
)
def test_odd_articles(title: str | None, body: str, dropped: bool) -> None:
    # Issue 17: an article left with neither title nor body (a breadcrumb is no title) is no
    # article: dropped, counted.
    pipeline, stats = make_pipeline()
    article = Article(url="u", canonical_url="u", site="s", fetched_at="t", title=title, body=body, body_original=body)
    if dropped:
        with pytest.raises(DropItem, match="no title and no body"):
            pipeline.process_item(article)
    else:
        pipeline.process_item(article)
    assert stats.get_value("cleaning/dropped/no_title_no_body") == (1 if dropped else None)
    assert article.body == ""
    assert article.title is None or article.title
    assert stats.get_value("cleaning/empty_body") == 1
    assert article.extra.spun_score == 0.0
