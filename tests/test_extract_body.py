"""Body extraction: the article text only, paragraphs in order, DOM-level boilerplate left out."""

from __future__ import annotations

import pytest

from pipelines.extract.body import article_body
from pipelines.extract.dom import parsed_document, repaired_text
from pipelines.fields.bylines import byline_line_pattern
from pipelines.vocab import load_vocabulary

VOCAB = load_vocabulary()
SENTENCE = "这是一段足够长的正文内容，用来让评分算法识别出文章主体，并且包含多个句子。"


def body_of(html: str, title: str | None = None) -> list[str]:
    result = article_body(parsed_document(html), VOCAB.page, title, byline_line_pattern(VOCAB.fields))
    return result.paragraphs


def page(inner: str) -> str:
    return f"<html><body><div class='nav'><a href='/'>首页</a><a href='/a'>新闻</a></div>{inner}</body></html>"


@pytest.mark.parametrize(
    ("inner", "paragraphs"),
    [
        # Share bar and related list inside the article container.
        (
            f"<div class='article'><p>{SENTENCE}一</p><div class='share'>分享到：微信</div><p>{SENTENCE}二</p>"
            "<div class='related'><a href='/x'>相关新闻标题</a></div></div>",
            [f"{SENTENCE}一", f"{SENTENCE}二"],
        ),
        # Editor line and source line go to fields, not the body.
        (
            f"<div class='content'><p>{SENTENCE}</p><p>【责任编辑：严玉洁】</p><p>本文来源：证券市场红周刊</p></div>",
            [SENTENCE],
        ),
        # br-separated text in one cell (old gov layouts).
        (
            f"<table><tr><td>{SENTENCE}甲<br>{SENTENCE}乙<br><br>{SENTENCE}丙</td></tr></table>",
            [f"{SENTENCE}甲", f"{SENTENCE}乙", f"{SENTENCE}丙"],
        ),
        # Image captions stay as their own paragraph.
        (
            f"<div class='text'><p>{SENTENCE}</p><p><img src='a.jpg'></p>"
            f"<p>项目现场。王五 摄</p><p>{SENTENCE}</p></div>",
            [SENTENCE, "项目现场。王五 摄", SENTENCE],
        ),
        # A title repeated inside the container is left out.
        (
            f"<div class='content'><h2>城市更新项目启动</h2><p>{SENTENCE}</p><p>{SENTENCE}</p></div>",
            [SENTENCE, SENTENCE],
        ),
        # Comments below the article are boilerplate even when they read like prose.
        (
            f"<article><div class='text'><p>{SENTENCE}</p></div><div class='comment-list'><p>{SENTENCE}评论</p>"
            "</div></article>",
            [SENTENCE],
        ),
        # A 'more' link at the end of the last paragraph is furniture.
        (f"<div class='content'><p>{SENTENCE}<a href='/'>返回搜狐，查看更多</a></p></div>", [SENTENCE]),
    ],
)
def test_body_paragraphs(inner: str, paragraphs: list[str]) -> None:
    assert body_of(page(inner), "城市更新项目启动") == paragraphs


def test_weak_token_container_with_prose_is_kept() -> None:
    # sohu wraps its body in <article class="article mp-editor">: a name that marks editor
    # lines elsewhere, but this block holds the article.
    paragraphs = "".join(f"<p>{SENTENCE}</p>" for _ in range(8))
    html = page(f"<div class='left main'><article class='article mp-editor'>{paragraphs}</article></div>")
    assert body_of(html) == [SENTENCE] * 8


def test_trs_editor_container_is_not_boilerplate() -> None:
    html = page(f"<div class='TRS_Editor'><p>{SENTENCE}</p></div>")
    assert body_of(html) == [SENTENCE]


ARTICLE_PARAS = [f"<p>{SENTENCE}{n}</p>" for n in "甲乙丙丁戊"]
ARTICLE = "".join(ARTICLE_PARAS)
THREAD = "".join(
    f"<div><span>网友{n}</span><span>2023-06-0{n} 10:2{n}</span><p>说得很好，支持一下，希望多多报道。</p></div>"
    for n in range(1, 6)
)
RULES = "".join(f"<li>{n}. 请遵守国家法律法规，文明上网，理性发言，不得发布违法违规内容。</li>" for n in range(1, 7))


@pytest.mark.parametrize(
    "html",
    [
        # Paragraphs written as <div> or <section> (inline text only): none of them is a container.
        page("<div class='text'>" + "".join(f"<div>{SENTENCE}{n}</div>" for n in "甲乙丙丁戊") + "</div>"),
        page(
            "<div class='text'>"
            + "".join(f"<section><section><span>{SENTENCE}{n}</span></section></section>" for n in "甲乙丙丁戊")
            + "</div>"
        ),
        # Every paragraph wrapped in bare divs (Word exports): the score passes through them.
        page(
            "<div class='text'>"
            + "".join(f"<div><div><p>{SENTENCE}{n}</p></div></div>" for n in "甲乙丙丁戊")
            + "</div>"
        ),
        # The article in sections side by side: each scores alone, the neighbours are read too.
        page(
            f"<div class='main'><h1>标题</h1><div class='sec'>{''.join(ARTICLE_PARAS[:3])}</div>"
            f"<div class='sec'>{''.join(ARTICLE_PARAS[3:])}</div><div class='share'>分享到：微信</div></div>"
        ),
        page(
            f"<div class='main'><div class='sec'>{''.join(ARTICLE_PARAS[:4])}</div>"
            f"<div class='sec'>{ARTICLE_PARAS[4]}</div></div>"
        ),
        # An included fragment's own end tags before the article: browsers keep going.
        f"<html><body><div class='nav'><a href='/'>首页</a></div></body></html><div class='text'>{ARTICLE}</div>",
        f"<html><body><div class='top'>网站头部</div></html></body><div id='main'>{ARTICLE}</div></body></html>",
        # The article wrapper named with a boilerplate word used for something else.
        page(f"<div class='share-content'>{ARTICLE}</div>"),
        page(f"<div class='article_content font_family_cn'>{ARTICLE}</div>"),
        # A comment box whose rules list is a <ul> (boilerplate names reach through any markup).
        page(f"<div class='text'>{ARTICLE}</div><div class='comment-box'><ul>{RULES}</ul></div>"),
        page(f"<div class='comment-box'><div><ul>{RULES}</ul></div></div><div class='text'>{ARTICLE}</div>"),
        # A comment thread in neutral markup, inside the article container and after it (its
        # 网友评论 heading is a cleaning marker).
        page(f"<div class='text'>{ARTICLE}<div class='box2'><div>{THREAD}</div></div></div>"),
        page(f"<div class='main'><div class='text'>{ARTICLE}</div><div class='b'>{THREAD}</div></div>"),
    ],
    ids=[
        "div-paragraphs",
        "section-paragraphs",
        "word-export",
        "sections",
        "sections-short-last",
        "after-html-end",
        "after-body-end",
        "share-wrapper",
        "font-wrapper",
        "rules-after",
        "rules-before",
        "thread-inside",
        "thread-after",
    ],
)
def test_article_found_whatever_the_markup_around_it(html: str) -> None:
    assert body_of(html) == [f"{SENTENCE}{n}" for n in "甲乙丙丁戊"]


@pytest.mark.parametrize("heading", ["<h1>关于调整名单的通知</h1>", "<h3>关于调整名单的通知</h3>"])
def test_title_heading_in_the_container_is_left_out(heading: str) -> None:
    html = page(f"<div class='text'>{heading}{ARTICLE}</div>")
    assert body_of(html, "关于调整名单的通知")[0] == f"{SENTENCE}甲"


@pytest.mark.parametrize(
    "notice",
    [
        f"<p>岚综管综〔2015〕187号</p><p>关于调整名单的通知</p>{ARTICLE}",  # pt-2459, pt-57240
        f"<p align='center'><b>关于调整名单的通知</b></p>{ARTICLE}",  # pt-800
    ],
)
def test_title_line_of_a_document_is_text(notice: str) -> None:
    # A notice prints its own title as a paragraph of the document, and the truth keeps it.
    assert "关于调整名单的通知" in body_of(page(f"<div class='text'>{notice}</div>"), "关于调整名单的通知")


def test_no_text_gives_empty_body() -> None:
    assert body_of("<html><body><div class='nav'><a href='/'>首页</a></div></body></html>") == []


def test_mojibake_from_lying_charset_is_repaired() -> None:
    original = "春季植树活动在郊野公园举行，数百名志愿者参加。" * 3
    mojibake = original.encode("utf-8").decode("gb18030", errors="replace")
    repaired = repaired_text(mojibake, "gb18030")
    assert repaired is not None
    # Lossy by nature: a character whose last byte the GB18030 decoder replaced stays lost.
    assert repaired.count("\ufffd") <= len(original) // 10
    assert "春季植树活动在郊野公园举行" in repaired


def test_genuine_gbk_text_is_left_alone() -> None:
    text = "春季植树活动在郊野公园举行，数百名志愿者参加。"
    assert repaired_text(text, "gb18030") is None
    assert repaired_text(text, "utf-8") is None


def test_a_notice_in_div_paragraphs_keeps_its_short_lines() -> None:
    # pt-49222 with <p> written as <div>: one long paragraph must not become the container.
    notice = f"<div>各有关单位：</div><div>{SENTENCE * 12}</div><div>某某局</div><div>2023年8月18日</div>"
    assert body_of(page(f"<div class='text'>{notice}</div>")) == [
        "各有关单位：",
        SENTENCE * 12,
        "某某局",
        "2023年8月18日",
    ]


def test_a_thread_longer_than_the_article_is_not_the_body() -> None:
    # An unnamed comment thread with three times the article's text: found by its time stamps, it
    # is weighed down and the page scored again.
    thread = "".join(
        f"<div><span>网友{n}</span><span>2023-06-03 10:{n:02d}</span><p>{SENTENCE}</p></div>" for n in range(16)
    )
    html = page(f"<div class='main'><div class='text'>{ARTICLE}</div><div class='b'>{thread}</div></div>")
    assert body_of(html) == [f"{SENTENCE}{n}" for n in "甲乙丙丁戊"]
