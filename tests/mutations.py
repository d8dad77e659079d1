"""The kinds of mutation of ``tests/metamorphic.py``: changes real sites make to article pages.

Each kind names where it was seen or what the issue reported; body kinds keep ``title`` and
``body``. Field kinds (a clock widget, a related list with dates above or below the article,
a stale JSON-LD block, the date as ``<time datetime>``, a ``ContentSource`` meta naming the
site, a weekday or the site's name after the date, a layout div named ``author``) keep the
fields they threaten too: ``published``, ``source_name`` and ``author``, which are right on
every dev page, so they must stay right.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from tests.metamorphic import (
    Apply,
    Change,
    Mutated,
    Mutation,
    Page,
    insert,
    serialized,
    squashed,
    tree_mutation,
)

_MARK = "GOVNEWS-MUTATION-POINT"

# --- Container choice ------------------------------------------------------------------------

_INCLUDED_FRAGMENTS = (
    "</body></html>",
    "</html>",
    "</body>",
    "<html><head><title>公共头部</title><meta charset='utf-8'></head><body></body></html>",
)


def _stray_end_tags(page: Page, rng: random.Random) -> Mutated | None:
    """An included fragment's own ``</body></html>`` (or a whole empty document) before the
    article or right after ``<body>``: libxml2 drops or displaces everything after it, browsers
    do not. The fragments add nothing visible, so nothing may change."""
    root, wrapper = page.baseline_with_wrapper()
    body = root.find("body")
    if wrapper is None or body is None:
        return None
    fragment = rng.choice(_INCLUDED_FRAGMENTS)
    target = rng.choice((wrapper, body[0] if len(body) else wrapper))
    target.addprevious(etree.Comment(_MARK))
    return Mutated(serialized(root).replace(f"<!--{_MARK}-->", fragment), ("公共头部",))


_MISLEADING_NAMES = ("share-content", "comment-body", "related-article", "article share", "post_comment_wrap")


def _renamed_wrapper(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...]:
    """The article wrapper's class (and id) renamed to a boilerplate word used for something else."""
    wrapper.set("class", rng.choice(_MISLEADING_NAMES))
    if wrapper.get("id") is not None:
        wrapper.set("id", rng.choice(("shareArea", "commentMain", "relatedBox")))
    return ()


_RULES = (
    "遵守中华人民共和国有关法律、法规，尊重网上道德，承担一切因您的行为而直接或间接引起的法律责任。",
    "本站拥有管理笔名和留言的一切权利，有权删除违反法律法规或含有人身攻击内容的留言。",
    "您在本站发表的作品，本站有权在网站内转载或引用，不代表本站同意其观点或证实其描述。",
    "参与本留言即表明您已经阅读并接受上述条款，如有异议请勿发表评论，谢谢您的理解与支持。",
    "请自觉维护网络秩序，文明上网，理性发言，不得发布谣言、广告以及与主题无关的内容。",
)
_COMMENTS = (
    "写得很好，学习了，希望以后多多报道这类新闻。",
    "支持！这样的政策真正惠及老百姓，点赞。",
    "请问具体什么时候开始实施？在哪里可以办理？",
    "我们小区也有这个问题，希望有关部门尽快解决。",
    "说得有道理，但执行起来恐怕没有那么容易吧。",
)
_DISCLAIMER = "网友评论仅供其表达个人看法，并不表明本站同意其观点或证实其描述"
_STAMPS = ("2023-06-03 10:20", "2023-06-03 11:05:32", "06-04 08:15", "3小时前", "2023-06-05 21:47")


def _rules_list(rng: random.Random, count: int) -> str:
    return "".join(f"<li>{n}. {rng.choice(_RULES)}</li>" for n in range(1, count + 1))


def _comment_items(rng: random.Random, count: int, named: bool) -> str:
    item, user, time = ("comment-item", "user", "time") if named else ("c-i", "u", "t")
    return "".join(
        f"<div class='{item}'><span class='{user}'>网友{rng.choice('甲乙丙丁戊己')}{n}</span>"
        f"<span class='{time}'>{rng.choice(_STAMPS)}</span><p>{rng.choice(_COMMENTS)}</p>"
        f"<span>回复</span> <span>赞({rng.randint(0, 99)})</span></div>"
        for n in range(count)
    )


def _comment_box(named: bool) -> Change:
    """A comment area after the article. ``named``: class names say comment, and it opens with
    a rules list as long as a short article (the list must stay small whatever its markup);
    otherwise only its shape says so: entries with a user name and a time each, under a
    heading and a one-line disclaimer."""

    def change(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...] | None:
        # Unnamed, the thread is shorter than the article: a longer one is the page's main text.
        most = 10 if named else max(3, min(10, article_chars // 80))
        items = _comment_items(rng, rng.randint(3, most), named)
        if named:
            rules = max(4, min(24, article_chars // 45))  # about as long as the article
            markup = (
                f"<div class='comment-box'><div class='comment-rules'><h3>网友评论</h3>"
                f"<ul>{_rules_list(rng, rules)}</ul></div><div>{items}</div></div>"
            )
            noise: tuple[str, ...] = (_RULES[0][:12], _RULES[1][:12], _RULES[4][:12])
        else:
            markup = f"<div class='box2'><h3>网友评论</h3><p>{_DISCLAIMER}</p><div>{items}</div></div>"
            noise = (_DISCLAIMER[:12],)
        if not insert(wrapper, rng.choice(("after", "bottom")), markup):
            return None
        return (*noise, *(comment[:10] for comment in _COMMENTS))

    return change


def _nested_paragraphs(
    wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random
) -> tuple[str, ...] | None:
    """Every block of the article wrapped in two or three bare divs, as Word exports and some
    editors write paragraphs."""
    depth = rng.choice((2, 3))
    children = [c for c in wrapper if isinstance(c.tag, str)]
    if not children:
        return None
    for child in children:
        outer = inner = lxml_html.Element("div")
        for _ in range(depth - 1):
            inner = etree.SubElement(inner, "div")
        child.addprevious(outer)
        inner.append(child)  # moves the child with its tail
    return ()


def _div_paragraphs(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...] | None:
    """Paragraphs written as ``<div>``, or as ``<section><section><span>`` (WeChat-style
    editors), instead of ``<p>``."""
    paragraphs = list(wrapper.iter("p"))
    if not paragraphs:
        return None
    sections = rng.random() < 0.5
    for paragraph in paragraphs:
        paragraph.tag = "section" if sections else "div"
        if sections:
            span = lxml_html.Element("span")
            span.text, paragraph.text = paragraph.text, None
            for child in list(paragraph):
                span.append(child)
            etree.SubElement(paragraph, "section").append(span)
    return ()


def _extra_layers(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...]:
    """The article's content moved two to four layers deeper (a template's inner wrappers)."""
    outer = inner = lxml_html.Element("div", {"class": "inner"})
    for _ in range(rng.choice((1, 2, 3))):
        inner = etree.SubElement(inner, "div", {"class": rng.choice(("wrap", "box", "mod"))})
    inner.text, wrapper.text = wrapper.text, None
    for child in list(wrapper):
        inner.append(child)
    wrapper.append(outer)
    return ()


def _table_layout(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...]:
    """The article's content laid out in a one-cell table, as old gov templates do."""
    table = lxml_html.fragment_fromstring("<table width='100%'><tbody><tr><td></td></tr></tbody></table>")
    cell = table.find(".//td")
    cell.text, wrapper.text = wrapper.text, None
    for child in list(wrapper):
        cell.append(child)
    wrapper.append(table)
    return ()


# --- Noise inside the container --------------------------------------------------------------

_CREDITS = (
    "<p style='text-align:center'><img src='/pic/20230603/1.jpg'></p>"
    "<p style='text-align:center'>新华社记者 王卫东 摄</p>",
    "<figure><img src='/pic/2.jpg'><figcaption>（记者 李晓明 摄）</figcaption></figure>",
    "<p><img src='/pic/3.jpg'></p><p>图片来源：视觉中国</p>",
    "<div class='pic'><img src='/pic/4.jpg'><p>本报记者 赵一鸣 摄</p></div>",
    "<p align='center'><img src='/pic/5.jpg'><br>资料图片</p>",
)


def _caption_credit(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...] | None:
    """A photo with a credit line (or a credit caption) inside the article."""
    markup = rng.choice(_CREDITS)
    if not insert(wrapper, rng.choice(("after-first", "bottom")), markup):
        return None
    return tuple(
        squashed(t) for t in lxml_html.fragment_fromstring(markup, create_parent="div").itertext() if t.strip()
    )


_WIDGETS = (
    "<div>【字号：<a href='javascript:;'>大</a> <a href='javascript:;'>中</a> <a href='javascript:;'>小</a>】"
    "【<a href='javascript:;'>打印</a>】【<a href='javascript:;'>关闭</a>】</div>",
    "<p>字体：大 中 小 | 打印本页 | 关闭窗口</p>",
    "<div><span>分享到：</span><a href='#'>微信</a> <a href='#'>微博</a> <a href='#'>QQ空间</a></div>",
    "<p>【我要纠错】 【打印本页】 【关闭窗口】</p>",
    "<p>【E-mail推荐】【打印】【收藏】【关闭】</p>",
    "<div>扫一扫在手机打开当前页</div>",
)


def _widget_row(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...] | None:
    """A row of buttons (font size, print, close, share) inside the article, top or bottom."""
    markup = rng.choice(_WIDGETS)
    if not insert(wrapper, rng.choice(("top", "bottom")), markup):
        return None
    return tuple(w for w in ("字号", "打印", "关闭", "分享到", "纠错", "收藏", "扫一扫") if w in markup)


_TAIL_LINES = (
    "<p>我要评论</p>",
    "<p>请登录后发表评论</p>",
    "<p>登录 | 注册</p>",
    "<p>新闻热线：0591-88888888</p>",
    "<p>版权声明 本网站所有内容均为原创，未经授权禁止转载。</p>",
    "<p>下载客户端，看更多精彩新闻</p>",
    "<p>已有0人参与，点击查看</p>",
    "<div>上一篇：关于开展2023年度统计执法检查的通知</div><div>下一篇：没有了</div>",
    "<p>关注“平潭发布”微信公众号，获取更多资讯</p>",
    "<p>(本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP)</p>",
)


def _tail_lines(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...] | None:
    """Comment prompts, login, hotline, promo and copyright lines at the article's end."""
    chosen = rng.sample(_TAIL_LINES, 2)
    if not insert(wrapper, "bottom", "".join(chosen)):
        return None
    return tuple(
        squashed(lxml_html.fragment_fromstring(line, create_parent="div").text_content())[:8] for line in chosen
    )


_BYLINES_TOP = ("<p>时间：2023-06-03</p>", "<p>（记者 王卫东）</p>", "<p>记者 王卫东 李晓明 摄</p>")
_BYLINES_END = ("<p>来源：新华社</p>", "<p>（记者 王卫东）</p>", "<p>来源: 安徽新闻联播</p>")


def _byline_lines(wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random) -> tuple[str, ...] | None:
    """A reporter or time line at the article's top, or a reporter or 来源 line at its end."""
    top = rng.random() < 0.5
    markup = rng.choice(_BYLINES_TOP if top else _BYLINES_END)
    if not insert(wrapper, "top" if top else "bottom", markup):
        return None
    return (squashed(lxml_html.fragment_fromstring(markup).text_content()),)


# --- Field mutations: published, 来源 and author must not move -------------------------------

FIELDS = ("title", "body", "published", "source_name", "author")


def _clock_widget(page: Page, rng: random.Random) -> Mutated | None:
    """A clock or today's-date widget in the page header."""
    root = lxml_html.document_fromstring(page.baseline)
    body = root.find("body")
    if body is None:
        return None
    clock = rng.choice(
        ("今天是：2026年1月1日 星期四", "2026年01月01日 10:20:33 星期四", "<span>2026-01-01</span> 农历冬月十三")
    )
    body.insert(0, lxml_html.fragment_fromstring(f"<div id='clock'>{clock}</div>"))
    return Mutated(serialized(root), ("星期四", "农历"))


def _related_with_dates(
    wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random
) -> tuple[str, ...] | None:
    """A related-articles list with a date per item, right after the article or between the
    heading's dateline and the article (where templates put 相关文章 and 上一篇 boxes)."""
    items = "".join(
        f"<li><a href='/art/2021/3/{n}/art_{n}.html'>关于开展第{n}批示范项目申报工作的通知</a>"
        f"<span>2021-03-{n:02d}</span></li>"
        for n in range(1, rng.randint(4, 9))
    )
    # Before the article only where nothing of it comes first (the wrapper may be one part of it).
    first = not any(squashed(s.text_content()) for s in wrapper.itersiblings(preceding=True) if isinstance(s.tag, str))
    where = rng.choice(("before", "after")) if first else "after"
    if not insert(wrapper, where, f"<div><h3>相关文章</h3><ul>{items}</ul></div>"):
        return None
    return ("示范项目申报工作", "相关文章")


def _json_ld(page: Page, rng: random.Random) -> Mutated | None:
    """A JSON-LD block whose date and headline disagree with the page (a template left stale)."""
    root = lxml_html.document_fromstring(page.baseline)
    head = root.find("head")
    if head is None:
        return None
    data = {"@type": "NewsArticle", "headline": "模板默认标题", "datePublished": "2019-01-01T08:00:00+08:00"}
    script = etree.SubElement(head, "script", type="application/ld+json")
    script.text = json.dumps(data, ensure_ascii=False)
    return Mutated(serialized(root), ("模板默认标题",))


def _site_name(root: lxml_html.HtmlElement) -> str | None:
    """The name the page gives its site: a ``SiteName``/``og:site_name`` meta, else the last part
    of the ``<title>``."""
    for meta in root.iter("meta"):
        if (meta.get("name") or meta.get("property") or "") in ("SiteName", "og:site_name") and meta.get("content"):
            return str(meta.get("content")).strip()
    title = root.find(".//title")
    parts = re.split(r"\s*[_|｜]\s*|\s+-\s+", title.text_content().strip()) if title is not None else []
    return parts[-1] if len(parts) > 1 and parts[-1] else None


def _source_meta_of_site(page: Page, rng: random.Random) -> Mutated | None:
    """``<meta name="ContentSource">`` (or ``source``) filled with the site's own name, as TRS
    templates do when an editor leaves 来源 empty; the site's name is no 来源."""
    root = lxml_html.document_fromstring(page.baseline)
    head = root.find("head")
    name = _site_name(root)
    if head is None or not name:
        return None
    for meta in list(head.iter("meta")):
        if meta.get("name") in ("ContentSource", "source"):
            meta.drop_tree()
    if not any(meta.get("name") == "SiteName" for meta in head.iter("meta")):
        etree.SubElement(head, "meta", name="SiteName", content=name)
    etree.SubElement(head, "meta", name=rng.choice(("ContentSource", "source")), content=name)
    return Mutated(serialized(root))


def _date_text(root: lxml_html.HtmlElement, raw: str | None) -> lxml_html.HtmlElement | None:
    """The element whose own text (or whose tail) prints the publication date as extracted."""
    if not raw:
        return None
    body = root.find("body")
    for element in body.iter() if body is not None else ():
        printed = isinstance(element.tag, str) and element.tag not in ("script", "style", "title")
        if printed and (raw in (element.text or "") or raw in (element.tail or "")):
            return element
    return None


def _after_the_date(words: tuple[str, ...]) -> Apply:
    """A word printed right after the visible publication date: a weekday (``2019年4月1日
    星期一``), or the farm's own name (``2023-06-03 10:20 某某网``)."""

    def apply(page: Page, rng: random.Random) -> Mutated | None:
        root = lxml_html.document_fromstring(page.baseline)
        raw = page.output(page.baseline)["published_raw"]
        element = _date_text(root, raw)
        word = rng.choice(words) if words else _site_name(root)
        if element is None or not word:
            return None
        if raw in (element.text or ""):
            element.text = (element.text or "").replace(raw, f"{raw} {word} ", 1)
        else:
            element.tail = (element.tail or "").replace(raw, f"{raw} {word} ", 1)
        return Mutated(serialized(root))

    return apply


def _time_element(page: Page, rng: random.Random) -> Mutated | None:
    """The visible date printed as ``<time datetime="…">6月3日</time>``: the year and time only
    in the attribute, as HTML5 templates print it. Only a date outside the article: a dateline
    inside the text is the body's to recognize."""
    root, wrapper = page.baseline_with_wrapper()
    output = page.output(page.baseline)
    raw, published = output["published_raw"], output["published"]
    element = _date_text(root, raw)
    if element is None or not published or (wrapper is not None and wrapper in (element, *element.iterancestors())):
        return None
    moment = datetime.fromisoformat(published)
    shown = f"{moment.month}月{moment.day}日"
    markup = f"<time datetime='{published if ':' in raw else published[:10]}'>{shown}</time>"
    parent, in_text = (element, True) if raw in (element.text or "") else (element.getparent(), False)
    if parent is None:
        return None
    before, _, after = (element.text if in_text else element.tail or "").partition(raw)
    time = lxml_html.fragment_fromstring(markup)
    time.tail = after
    if in_text:
        element.text = before
        element.insert(0, time)
    else:
        element.tail = before
        element.addnext(time)
    return Mutated(serialized(root))


def _author_layout_div(
    wrapper: lxml_html.HtmlElement, article_chars: int, rng: random.Random
) -> tuple[str, ...] | None:
    """A sidebar block named ``author`` that is layout, holding a heading and a list of links."""
    markup = rng.choice(
        (
            "<div class='author'>相关文章</div>",
            "<div class='author-box'><div class='author'>推荐阅读</div>"
            "<ul><li><a href='/a/1.html'>更多精彩内容</a></li></ul></div>",
            "<div class='author'><h4>相关文章</h4></div>",
        )
    )
    if not insert(wrapper, "after", markup):
        return None
    return ("推荐阅读", "更多精彩内容")


MUTATIONS = (
    Mutation("stray_end_tags", _stray_end_tags),
    Mutation("renamed_wrapper", tree_mutation(_renamed_wrapper)),
    Mutation("nested_paragraphs", tree_mutation(_nested_paragraphs)),
    Mutation("div_paragraphs", tree_mutation(_div_paragraphs)),
    Mutation("extra_layers", tree_mutation(_extra_layers)),
    Mutation("table_layout", tree_mutation(_table_layout)),
    Mutation("comment_box_named", tree_mutation(_comment_box(named=True))),
    Mutation("comment_box_by_shape", tree_mutation(_comment_box(named=False))),
    Mutation("caption_credit", tree_mutation(_caption_credit)),
    Mutation("widget_row", tree_mutation(_widget_row)),
    Mutation("tail_lines", tree_mutation(_tail_lines)),
    Mutation("byline_lines", tree_mutation(_byline_lines), keeps=("body",)),
    Mutation("clock_widget", _clock_widget, keeps=FIELDS),
    Mutation("related_with_dates", tree_mutation(_related_with_dates), keeps=FIELDS),
    Mutation("json_ld", _json_ld, keeps=FIELDS),
    Mutation("source_meta_of_site", _source_meta_of_site, keeps=FIELDS),
    Mutation("weekday_after_date", _after_the_date(("星期五", "星期一", "周三")), keeps=FIELDS),
    Mutation("site_name_after_date", _after_the_date(()), keeps=FIELDS),
    Mutation("time_element", _time_element, keeps=FIELDS),
    Mutation("author_layout_div", tree_mutation(_author_layout_div), keeps=FIELDS),
)
BY_NAME = {mutation.name: mutation for mutation in MUTATIONS}
