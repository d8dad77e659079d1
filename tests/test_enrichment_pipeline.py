from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import opencc
import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import (
    Amount,
    Annex,
    Article,
    DocNumberParts,
    InvalidValue,
    Page,
    Percentage,
    Person,
    Provenance,
    Quality,
)
from pipelines.enrichment import EnrichmentPipeline
from tests.conftest import project_crawler

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
FETCHED_AT = "2025-06-01T12:00:00+08:00"
# Cleaning removes pinyin annotations such as 推进(tuījìn) and converts to Simplified; the
# seeds are fed here as cleaning would hand them over.
_PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹ]+\)")


def cleaned_seed(number: str) -> Article:
    raw = next((ROOT / "seeds").glob(f"{number}_*.txt")).read_text(encoding="utf-8")
    text = opencc.OpenCC("t2s").convert(_PINYIN.sub("", raw))
    lines = text.split("\n")
    first = next(index for index, line in enumerate(lines) if line.strip())
    body = "\n".join(lines[first + 1 :]).strip("\n")
    return Article(
        url=f"file:///seeds/{number}.txt",
        canonical_url=f"file:///seeds/{number}.txt",
        site="local",
        fetched_at=FETCHED_AT,
        title=lines[first].strip(),
        body=body,
        body_original=body,
    )


def make_crawler(**settings: Any) -> Crawler:
    return project_crawler(settings=settings)


@pytest.fixture(scope="module")
def crawler() -> Crawler:
    return make_crawler()


@pytest.fixture(scope="module")
def pipeline(crawler: Crawler) -> EnrichmentPipeline:
    return EnrichmentPipeline.from_crawler(crawler)


@pytest.fixture(scope="module")
def seed_002(pipeline: EnrichmentPipeline) -> Article:
    article: Article = pipeline.process_item(cleaned_seed("002"))
    return article


def test_seed_002_doc_number(seed_002: Article) -> None:
    assert seed_002.doc_number == "嘉科函〔2022〕55号"
    assert seed_002.extra.doc_number_parts == DocNumberParts("嘉科函", 2022, 55)
    assert seed_002.extra.doc_number_raw == "嘉科函（2022）55号"
    assert seed_002.extra.provenance["doc_number"] == Provenance("enrichment", "doc_number_masthead_line")


def test_seed_002_cited_doc_numbers(seed_002: Article) -> None:
    assert seed_002.extra.cited_doc_numbers == ["浙政办发〔2021〕12号", "浙科党〔2022〕1号"]


def test_seed_002_issuer(seed_002: Article) -> None:
    assert seed_002.issuer == "嘉兴市科学技术局"
    assert seed_002.extra.provenance["issuer"] == Provenance("enrichment", "issuer_masthead")


def test_seed_002_recipient(seed_002: Article) -> None:
    assert seed_002.extra.recipient == "徐剑虹委员"
    assert seed_002.extra.provenance["recipient"] == Provenance("enrichment", "recipient_salutation_line")


def test_seed_002_amounts(seed_002: Article) -> None:
    assert Amount("5亿元", 500000000) in seed_002.extra.amounts


def test_seed_003_authors(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(cleaned_seed("003"))
    assert article.author == "梁建伟、曾福泉、何冬健、李娇俨"
    assert article.extra.authors[0] == Person("梁建伟", "reporter", "记者")
    assert article.extra.authors[2] == Person("何冬健", "trainee_reporter", "见习记者")
    assert article.extra.provenance["author"] == Provenance("enrichment", "author_reporter_parenthesis")


def test_seed_003_people(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(cleaned_seed("003"))
    assert article.extra.entities is not None
    people = {person.name: person.role for person in article.extra.entities.people}
    assert people["朱世强"] == "之江实验室主任、浙江大学党委副书记"


def test_seed_001_source_name(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(cleaned_seed("001"))
    assert article.source_name == "安徽新闻联播"
    assert article.extra.provenance["source_name"] == Provenance("enrichment", "source_name_byline_label")
    assert article.doc_number is None
    assert article.extra.recipient is None


def test_seed_004_published(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(cleaned_seed("004"))
    assert (article.published, article.published_raw) == ("2023-06-03T00:00:00+08:00", "2023-06-03")
    assert article.extra.provenance["published"] == Provenance("enrichment", "published_byline_label")


def test_seed_000_simplified_figures(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(cleaned_seed("000"))
    assert Amount("1亿元", 100000000) in article.extra.amounts
    assert Percentage("90%", 90.0) in article.extra.percentages
    assert article.extra.entities is not None
    organizations = [entry.name for entry in article.extra.entities.organizations]
    assert "浙江省高端化学品技术创新中心" in organizations
    assert article.doc_number is None
    assert article.author is None


def _article(**fields: Any) -> Article:
    base: dict[str, Any] = {
        "url": "https://example.gov.cn/a.html",
        "canonical_url": "https://example.gov.cn/a.html",
        "site": "example",
        "fetched_at": FETCHED_AT,
    }
    return Article(**{**base, **fields})


def test_doc_number_the_page_gave_is_kept(pipeline: EnrichmentPipeline) -> None:
    # Extraction stores the normalized 文号 and its provenance; enrichment leaves both alone.
    given = Provenance("extraction", "meta")
    article = _article(doc_number="浙政办发〔2021〕12号", extra=Annex(provenance={"doc_number": given}))
    pipeline.process_item(article)
    assert article.doc_number == "浙政办发〔2021〕12号"
    assert article.extra.provenance["doc_number"] == given


def test_invalid_doc_number_listed_once(pipeline: EnrichmentPipeline) -> None:
    # Extraction dropped the page's 文号 as invalid; the same number in the text is not read again.
    extra = Annex(quality=Quality(invalid=[InvalidValue("doc_number", "国发〔2099〕1号", "future_year")]))
    article: Article = pipeline.process_item(_article(title="某某局文件", body="国发〔2099〕1号\n正文。", extra=extra))
    assert article.extra.quality.invalid_fields() == ["doc_number"]
    assert article.doc_number is None


def test_invalid_doc_number_in_text(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(_article(title="某某局文件", body="某发〔2030〕3号\n正文。"))
    assert article.doc_number is None
    assert article.extra.quality.invalid == [InvalidValue("doc_number", "某发〔2030〕3号", "future_year")]


def test_existing_fields_are_kept(pipeline: EnrichmentPipeline) -> None:
    article = _article(
        title="嘉兴市科学技术局文件",
        body="嘉科函（2022）55号\n来源: 安徽新闻联播\n正文。(记者 梁建伟)",
        issuer="发布机构",
        source_name="新华社",
        author="张三",
    )
    pipeline.process_item(article)
    assert (article.issuer, article.source_name, article.author) == ("发布机构", "新华社", "张三")
    assert article.doc_number == "嘉科函〔2022〕55号"


def test_signature_issuer_needs_a_doc_number(pipeline: EnrichmentPipeline) -> None:
    official: Article = pipeline.process_item(_article(doc_number="浙科发〔2022〕3号", body="正文。\n浙江省科学技术厅"))
    news: Article = pipeline.process_item(_article(body="正文。\n浙江省科学技术厅"))
    assert official.issuer == "浙江省科学技术厅"
    assert official.extra.provenance["issuer"] == Provenance("enrichment", "issuer_signature_line")
    assert news.issuer is None


def test_future_byline_date_is_not_published(pipeline: EnrichmentPipeline) -> None:
    article: Article = pipeline.process_item(_article(title="标题", body="时间:2026-01-01\n正文。"))
    assert article.published is None


@pytest.mark.parametrize(
    "fields",
    [
        {"body": ""},
        {"body": "", "title": None},
        {"body": "正文。", "fetched_at": "not a time"},
        {"body": "\n\n   \n"},
        {"body": "正文", "extra": None},
        {"body": None},
        {"body": "时间:2023-06-03", "fetched_at": None},
    ],
)
def test_odd_input_does_not_raise(pipeline: EnrichmentPipeline, fields: dict[str, Any]) -> None:
    article: Article = pipeline.process_item(_article(**fields))
    assert isinstance(article.extra, Annex)
    assert article.doc_number is None


def test_other_items_pass_untouched(pipeline: EnrichmentPipeline) -> None:
    page = Page(url="https://example.com", text="嘉科函（2022）55号", kind="text", fetched_at=FETCHED_AT)
    assert pipeline.process_item(page) is page
    assert pipeline.process_item({"doc_number": "x"}) == {"doc_number": "x"}


def test_stats_counters() -> None:
    crawler = make_crawler()
    pipeline = EnrichmentPipeline.from_crawler(crawler)
    pipeline.process_item(cleaned_seed("002"))
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    for key in ("articles", "doc_number", "cited_doc_numbers", "issuer", "recipient", "amounts", "entities"):
        assert stats.get(f"enrichment/{key}") == 1, key


def test_disabled_by_setting() -> None:
    with pytest.raises(NotConfigured):
        EnrichmentPipeline.from_crawler(make_crawler(ENRICHMENT_ENABLED=False))


def test_entities_can_be_switched_off() -> None:
    pipeline = EnrichmentPipeline.from_crawler(make_crawler(ENRICHMENT_ENTITIES=False))
    article: Article = pipeline.process_item(cleaned_seed("000"))
    assert article.extra.entities is None
    assert article.extra.amounts


def _corpus_truths() -> list[Path]:
    return sorted(CORPUS.glob("*/truth.json")) if CORPUS.is_dir() else []


def _corpus_article(truth: dict[str, Any]) -> Article:
    return _article(title=truth["title"], body=truth["body"] or "", fetched_at="2026-01-01T00:00:00+08:00")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent")
@pytest.mark.parametrize("truth_path", _corpus_truths(), ids=lambda path: path.parent.name)
def test_corpus_no_false_gov_fields(pipeline: EnrichmentPipeline, truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    article: Article = pipeline.process_item(_corpus_article(truth))
    if truth["doc_number"] is None:
        assert article.doc_number is None
    assert article.extra.recipient is None
    assert article.issuer is None


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent")
@pytest.mark.parametrize("truth_path", _corpus_truths(), ids=lambda path: path.parent.name)
def test_corpus_authors_are_never_wrong(pipeline: EnrichmentPipeline, truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    article: Article = pipeline.process_item(_corpus_article(truth))
    if article.author is not None:
        assert truth["author"] is not None
        assert set(article.author.split("、")) <= set(re.split(r"[\s、，,]+", truth["author"]))


def test_bylines_of_an_untyped_annex_are_ignored(pipeline: EnrichmentPipeline) -> None:
    # An extra that is not an Annex (the old dict form) is replaced, never read half.
    article: Article = pipeline.process_item(_article(body="正文。", extra={"bylines": "来源: 新华社"}))
    assert isinstance(article.extra, Annex)
    assert article.source_name is None


def test_bylines_cleaning_took_out_are_read(pipeline: EnrichmentPipeline) -> None:
    article = _article(
        body="正文第一段。\n正文第二段。", extra=Annex(bylines=["时间:2023-06-03", "来源: 安徽新闻联播"])
    )
    pipeline.process_item(article)
    assert (article.source_name, article.published) == ("安徽新闻联播", "2023-06-03T00:00:00+08:00")


@pytest.mark.parametrize(
    ("number", "field", "value"),
    [("001", "source_name", "安徽新闻联播"), ("004", "published", "2023-06-03T00:00:00+08:00")],
)
def test_seed_bylines_survive_cleaning(pipeline: EnrichmentPipeline, number: str, field: str, value: str) -> None:
    # Cleaning takes the 来源 / 时间 lines of seeds 001 and 004 out of the body (issue 14).
    from pipelines.cleaning import CleaningPipeline

    cleaned = CleaningPipeline.from_crawler(make_crawler()).process_item(cleaned_seed(number))
    assert cleaned.extra.bylines
    assert not any(line in cleaned.body for line in cleaned.extra.bylines)
    article: Article = pipeline.process_item(cleaned)
    assert getattr(article, field) == value


@pytest.mark.parametrize(
    ("body", "source_name", "source_url", "rule"),
    [
        # An aggregator prints the origin's URL under the text.
        ("正文第一段。\n原文链接：https://news.sina.com.cn/c/1.shtml", None, "https://news.sina.com.cn/c/1.shtml",
         "source_url_source_url_label"),
        # 转自 with a URL where a name would be: the URL, and no name.
        ("转自：http://www.a.cn/2.html\n正文。", None, "http://www.a.cn/2.html", "source_url_source_name_label"),
        # 转自 with a host: a name (an outlet's host), no URL.
        ("转自：www.pingtan.gov.cn\n正文。", "www.pingtan.gov.cn", None, None),
    ],
)  # fmt: skip
def test_source_url(
    pipeline: EnrichmentPipeline, body: str, source_name: str | None, source_url: str | None, rule: str | None
) -> None:
    article: Article = pipeline.process_item(_article(body=body))
    assert (article.source_name, article.source_url) == (source_name, source_url)
    if rule is not None:
        assert article.extra.provenance["source_url"] == Provenance("enrichment", rule)
