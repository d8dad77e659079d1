"""Title (the heading, not the <title> tag with its site suffix) and subtitle."""

from __future__ import annotations

import pytest

from pipelines.extract.dom import parsed_document
from pipelines.extract.title import article_subtitle, article_title
from pipelines.vocab import load_vocabulary

VOCAB = load_vocabulary().page


@pytest.mark.parametrize(
    ("html", "title", "how"),
    [
        (
            "<html><head><title>外国专家：合作共赢_中国日报网</title></head><body><h1>外国专家：合作共赢</h1></body></html>",
            "外国专家：合作共赢",
            "heading = <title> prefix: h1",
        ),
        (
            "<html><head><title>天宫一号新闻发布会_中国载人航天官方网站</title></head><body><h1>友情链接</h1>"
            "<div class='title'>天宫一号新闻发布会</div></body></html>",
            "天宫一号新闻发布会",
            "heading = <title> prefix: div",
        ),
        (
            "<html><head><title>示例网</title></head><body><h1>城市更新项目启动</h1></body></html>",
            "城市更新项目启动",
            "first h1",
        ),
        (
            "<html><head><title>全县投资结构趋稳_示例县发改局</title></head><body><p>正文</p></body></html>",
            "全县投资结构趋稳",
            "<title> without site name",
        ),
        (
            "<html><head><meta property='og:title' content='晚高峰客流创新高'><title>快讯</title></head>"
            "<body><p>正文</p></body></html>",
            "晚高峰客流创新高",
            "meta og:title",
        ),
    ],
)
def test_title(html: str, title: str, how: str) -> None:
    found, _ = article_title(parsed_document(html), VOCAB)
    assert (found.text, found.how) == (title, how)


def test_override_selector_element_wins() -> None:
    root = parsed_document("<html><body><h1>站点名称</h1><div id='t'>真正的标题</div></body></html>")
    found, _ = article_title(root, VOCAB, root.get_element_by_id("t"))
    assert (found.text, found.how) == ("真正的标题", "override")


def test_subtitle_beside_title() -> None:
    root = parsed_document(
        "<html><head><title>城市更新项目启动_网</title></head><body><div>"
        "<h2 class='yinti'>聚焦老城区改造</h2><h1>城市更新项目启动</h1></div></body></html>"
    )
    title, element = article_title(root, VOCAB)
    assert article_subtitle(root, VOCAB, element, title.text)[0] == "聚焦老城区改造"


def test_no_subtitle_from_byline() -> None:
    root = parsed_document(
        "<html><head><title>城市更新项目启动_网</title></head><body><div>"
        "<h1>城市更新项目启动</h1><h3>2022-05-20 来源：示例日报</h3></div></body></html>"
    )
    title, element = article_title(root, VOCAB)
    assert article_subtitle(root, VOCAB, element, title.text)[0] is None
