"""The extraction pipeline's contract, per-field overrides, CMS recognition and attachments."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import Article, Attachment, InvalidValue, Page, Provenance
from pipelines.extract.article import extract_fields
from pipelines.extract.attachments import attachment_links
from pipelines.extract.cms import cms_family
from pipelines.extract.dom import parsed_document
from pipelines.extraction import ExtractionPipeline
from pipelines.vocab import load_vocabulary

VOCAB = load_vocabulary().page
SENTENCE = "这是一段足够长的正文内容，用来让评分算法识别出文章主体，并且包含多个句子。"
PAGE = f"""<html><head><title>城市更新项目启动_示例网</title></head><body>
<h1>城市更新项目启动</h1><div class="info"><span>2022-05-20 10:30</span> 来源：示例日报</div>
<div class="content"><p>{SENTENCE}</p><p>{SENTENCE}</p></div>
<div class="side"><p class="real-source">稿源：真实来源报</p><p id="pub">发布于 2021-01-02</p></div>
</body></html>"""


def pipeline(settings: dict[str, object] | None = None) -> ExtractionPipeline:
    return ExtractionPipeline.from_crawler(get_crawler(settings_dict=settings or {}))


def html_page(site: str | None = None) -> Page:
    return Page(
        url="https://example.cn/a/1.html", text=PAGE, kind="html", fetched_at="2022-06-01T00:00:00+08:00", site=site
    )


def test_non_page_items_pass_through() -> None:
    item = {"url": "https://example.cn"}
    assert pipeline().process_item(item) is item


def test_seed_text_page() -> None:
    page = Page(
        url="file:///seeds/1.txt",
        text="\n  标题行  \n第一段\n\n第二段\n",
        kind="text",
        fetched_at="2022-06-01T00:00:00+08:00",
    )
    article = pipeline().process_item(page)
    assert isinstance(article, Article)
    assert (article.title, article.body, article.body_original) == ("标题行", "第一段\n\n第二段", "第一段\n\n第二段")


def test_html_page_fields_and_stats() -> None:
    extraction = pipeline()
    article = extraction.process_item(html_page())
    assert (article.title, article.published, article.source_name) == (
        "城市更新项目启动",
        "2022-05-20T10:30:00+08:00",
        "示例日报",
    )
    assert article.body == article.body_original == f"{SENTENCE}\n{SENTENCE}"
    assert article.extra.provenance["published"] == Provenance("extraction", "header date")
    assert extraction.stats.get_value("extraction/html_pages") == 1
    assert extraction.stats.get_value("extraction/field/source_name") == 1


def test_overrides_from_settings_apply_to_their_site() -> None:
    settings = {"EXTRACTION_OVERRIDES": {"demo": {"source_name": "p.real-source", "published": "//p[@id='pub']"}}}
    extraction = pipeline(settings)
    overridden = extraction.process_item(html_page(site="demo"))
    other = extraction.process_item(html_page(site="other"))
    assert (overridden.source_name, overridden.published) == ("真实来源报", "2021-01-02T00:00:00+08:00")
    assert overridden.extra.provenance["source_name"] == Provenance("extraction", "override p.real-source")
    assert other.source_name == "示例日报"


def gov_page(doc_number: str, index_number: str = "11330400002578XXXX/2022-12345") -> str:
    return f"""<html><head><title>关于印发方案的通知</title></head><body><h1>关于印发方案的通知</h1>
<table><tr><td>索引号：{index_number}</td><td>发布机构：示例市科学技术局</td></tr>
<tr><td>发文字号：{doc_number}</td><td>发布日期：2022-07-18</td></tr></table>
<div class="content"><p>{SENTENCE}</p><p>{SENTENCE}</p></div></body></html>"""


# extraction reads the 文号 with the one reader: normalized, the printed form beside it (these
# were enrichment's expectations when extraction passed the raw number on).
@pytest.mark.parametrize(
    ("raw", "expected"),
    [("浙政办发[2021]12号", "浙政办发〔2021〕12号"), ("嘉科函（2022）55号", "嘉科函〔2022〕55号")],
)
def test_doc_number_is_normalized_with_the_raw_beside_it(raw: str, expected: str) -> None:
    fields = extract_fields(gov_page(raw), "https://example.gov.cn/a.html", "2024-06-01T00:00:00+08:00")
    assert (fields.doc_number, fields.doc_number_raw) == (expected, raw)
    assert fields.provenance["doc_number"] == Provenance("extraction", "gov_meta 发文字号")


@pytest.mark.parametrize(
    ("raw", "reason"), [("浙政办发〔2031〕12号", "future_year"), ("浙政办发〔2021〕0号", "serial_zero")]
)
def test_invalid_doc_number_is_recorded(raw: str, reason: str) -> None:
    page = gov_page(raw, index_number="第123号")
    fields = extract_fields(page, "https://example.gov.cn/a.html", "2024-06-01T00:00:00+08:00")
    assert fields.doc_number is None
    assert fields.quality.invalid_fields() == ["index_number", "doc_number"]
    assert fields.quality.invalid[1] == InvalidValue("doc_number", raw, reason)


def test_override_matching_nothing_falls_back() -> None:
    fields = extract_fields(PAGE, "https://example.cn/a/1.html", overrides={"title": "h5.missing"})
    assert fields.title == "城市更新项目启动"


def test_override_matching_nothing_is_recorded() -> None:
    fields = extract_fields(PAGE, "https://example.cn/a/1.html", overrides={"source_name": "h5.missing"})
    assert fields.provenance["source_name"].rule.startswith("override 'h5.missing' matched nothing")


@pytest.mark.parametrize(
    ("html", "url", "family"),
    [
        ("<div class='TRS_Editor'>x</div>", "https://a.gov.cn/1.html", "trs"),
        ("<!-- Produced By 大汉网络 大汉版通发布系统 -->", "https://a.gov.cn/1.html", "hanweb"),
        ("<p>x</p>", "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", "hanweb"),
        ("<p>x</p>", "http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html", "trs"),
        ("<p>x</p>", "https://news.example.cn/a/1.html", None),
    ],
)
def test_cms_family(html: str, url: str, family: str | None) -> None:
    assert cms_family(html, url, VOCAB) == family


def test_attachment_links() -> None:
    root = parsed_document("""<html><body><a href="./P0201.pdf">预算说明.pdf</a>
    <a href="/f/表.xls">预算表</a><a href="./P0201.pdf">重复</a><a href="/news/2.html">新闻</a>
    <a href="https://cdn.x.cn/a.ZIP" title="压缩包"></a><a href="javascript:void(0)">x</a></body></html>""")
    assert attachment_links(root, "https://czj.x.gov.cn/zwgk/202303/t1.html") == [
        Attachment(text="预算说明.pdf", url="https://czj.x.gov.cn/zwgk/202303/P0201.pdf", type="pdf"),
        Attachment(text="预算表", url="https://czj.x.gov.cn/f/表.xls", type="xls"),
        Attachment(text="压缩包", url="https://cdn.x.cn/a.ZIP", type="zip"),
    ]


@pytest.mark.parametrize(
    ("link", "canonical"),
    [
        ("https://news.example.cn/a/1.html", "https://news.example.cn/a/1.html"),
        ("https://other.com/a/1.html", "https://example.cn/a/1.html?x=1"),
    ],
)
def test_canonical_only_same_site(link: str, canonical: str) -> None:
    html = f"<html><head><link rel='canonical' href='{link}'></head><body><p>{SENTENCE}</p></body></html>"
    assert extract_fields(html, "https://example.cn/a/1.html?x=1").canonical_url == canonical
