from __future__ import annotations

import pytest

from pipelines.text.boilerplate import breadcrumb, section_of, strip_boilerplate
from pipelines.vocab import vocab_dir
from pipelines.vocab.tables import read_table


def kept(lines: list[str]) -> list[str]:
    return [line for line in strip_boilerplate(lines).lines if line]


ARTICLE = "建设省技术创新中心,是浙江补齐科技创新短板的战略举措。"


@pytest.mark.parametrize(
    "noise",
    [
        ["分享让更多人看到"],  # seeds/000
        ["分享给朋友:"],  # seeds/003
        ["推荐阅读", "相关新闻", "- 湖州市获评创新型领军企业数居浙江省前列", "- 嘉兴创新指数位列浙江第一方阵"],
        ["热门排行", "- 1杭州钱塘:关键时刻 社区书记像姐姐一样…", "- 10春节假期结束后,安全返回杭州有新要求"],
        ["相关推荐", "评论列表", "暂无评论,快抢沙发吧~", "你 发表评论:", "欢迎"],  # seeds/001
        ["发表评论"],  # seeds/004
        ["版权声明:本文由靖江厂房网发布,如需转载请注明出处。部份内容收集于网络,如有不妥之处请联系我们删除"],
        ["葛毅明微信号", "产业招商/厂房土地租售:400 0123 021", "或微信/手机:13391219793"],  # seeds/003
        ["请说明您的需求、用途、税收、公司、联系人、手机号,以便快速帮您对接资源。"],
        ["长按/扫一扫加葛毅明的微信号"],
        ["当前位置:首页 > 靖江产业信息 > 正文内容"],
        ["admin9个月前 (09-24)靖江产业信息9"],  # byline debris
        # Issue 14: noise that real pages left in the body.
        ["【字号：大 中 小】【打印】【关闭】"],  # widget rows
        ["字体：大 中 小 | 打印本页 | 关闭窗口"],
        ["【我要纠错】 【打印本页】 【关闭窗口】"],
        ["【E-mail推荐】【打印】【收藏】【关闭】"],
        ["我要评论", "请登录后发表评论", "登录 | 注册"],  # comment prompts, login lines
        ["已有0人参与，点击查看", "网友评论仅供其表达个人看法，并不表明本站同意其观点或证实其描述"],
        ["新闻热线：0591-88888888", "下载客户端，看更多精彩新闻"],  # hotline, promo
        ["澎湃新闻报料：4009-20-4009 澎湃新闻，未经授权不得转载"],  # news-thepaper-001
        ["版权声明 本网站所有内容均为原创，未经授权禁止转载。"],  # no colon
        ["本网站所有内容，未经书面授权，不得转载、摘编或以其他方式使用。"],
        ["新华社记者 王卫东 摄", "（记者 李晓明 摄）", "图片来源：视觉中国", "（资料图片）"],  # photo credits
        ["记者 王卫东 李晓明 摄"],
        ["(记者 梁建伟 曾福泉 见习记者 何冬健 李娇俨)"],  # reporter and source lines
        ["来源: 安徽新闻联播"],  # seeds/001 line 20
        ["中青报·中青网记者魏其蒙来源:中国青年报"],  # news-youth-001, last line
        ["昨天 18:20 作者：钱七"],
        ["上一篇：关于开展2023年度统计执法检查的通知", "下一篇：没有了"],  # previous/next links
        ["关注“平潭发布”微信公众号，获取更多资讯", "扫码关注我们"],  # follow promos
        ["(本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP)"],
        ["本文来源：中国平潭", "文章来源：人民日报"],
        [
            "相关文章",
            "《浙江海外高层次人才创新园介绍",
            "《浙江海外高层次人才创新园介绍",
            "浙江海外高层次人才创新园、天津滨海科技城被中组部列为...",
            "吴兴科创园 园区在线",
        ],
    ],
)
def test_noise_is_removed_and_the_article_kept(noise: list[str]) -> None:
    assert kept([ARTICLE, "", *noise]) == [ARTICLE]
    assert kept([*noise, "", ARTICLE]) == [ARTICLE]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("时间：2023年6月3日 浏览:182 分类:网络", "时间：2023年6月3日"),
        ("浏览量：1,024", None),  # thousands separators
        ("所属栏目：科技动态 阅读数：35次", "所属栏目：科技动态"),  # only the counter goes
        ("浏览:182", None),  # nothing left: the line goes
    ],
)
def test_counters_are_cut_from_metadata_lines(line: str, expected: str | None) -> None:
    assert kept([line]) == ([expected] if expected else [])


@pytest.mark.parametrize(
    "line",
    [
        "时间:2023-06-03 浏览:182 分类:网络",  # seeds/004 line 3, left at the top (issue 14)
        "时间:2023-06-03 浏览:182 作者:王平",
        "发布时间：2021-05-06 阅读数：35次",
        "发布日期：2023年6月3日 10:30",
    ],
)
def test_time_lines_are_bylines(line: str) -> None:
    result = strip_boilerplate([line, ARTICLE])
    assert [kept for kept in result.lines if kept] == [ARTICLE]
    assert {removal.rule for removal in result.removed} == {"boilerplate_byline"}


@pytest.mark.parametrize(
    "genuine",
    [
        # Phone numbers in an article's own text stay (procurement notices, hotlines).
        "联系人：王先生 联系电话：13391219793",
        "咨询热线：400-0123-021。",
        "垃圾分类:从我做起。",  # 分类 inside a word is no counter
        "记者采访过程中听到最多的是这句话。",
        "相关新闻报道显示，该项目已经启动。",  # a marker phrase inside a sentence
        # A reporter parenthesis inside a paragraph is text; a line of it alone is a byline.
        "本报讯（记者 梁建伟 曾福泉）昨天上午，全省科技创新大会在杭州召开。",
        "数据来源：国家统计局",
        "资料来源：",
        "3月18日，平潭边检站移民管理警察服务保障旅客通关。蔡少航摄",  # caption with credit: content
        "他们正在现场拍摄。",
        "上一篇文章中我们提到的问题还需要继续研究。",
        "市民可关注“平潭发布”微信公众号查询办理进度。",
        "大",
        "一、关于《办法》制定的背景",
        "时间：2023年6月5日上午9:00，地点：区行政服务中心。",
    ],
)
def test_article_lines_are_kept(genuine: str) -> None:
    assert kept([genuine]) == [genuine]


def test_a_block_ends_where_the_article_resumes() -> None:
    lines = ["相关新闻", "- 湖州创成五个省级可持续发展创新示范区", ARTICLE, "短句也是正文。"]
    assert kept(lines) == [ARTICLE, "短句也是正文。"]


def test_related_titles_and_section_are_kept_as_fields() -> None:
    result = strip_boilerplate(
        [
            "当前位置:首页 > 靖江产业信息 > 正文内容",
            ARTICLE,
            "推荐阅读",
            "- 湖州市获评创新型领军企业数居浙江省前列",
            "- 湖州市获评创新型领军企业数居浙江省前列",
            "- 《浙江海外高层次人才创新园介绍",
            "浙江海外高层次人才创新园、天津滨海科技城被中组部列为...",
            "热门排行",
            "- 1杭州钱塘:关键时刻 社区书记像姐姐一样…",
        ]
    )
    assert result.section == "靖江产业信息"
    assert result.related == ("湖州市获评创新型领军企业数居浙江省前列", "浙江海外高层次人才创新园介绍")
    assert [line for line in result.lines if line] == [ARTICLE]
    assert {removal.rule for removal in result.removed} == {
        "boilerplate_breadcrumb",
        "boilerplate_related",
        "boilerplate_ranking",
    }


@pytest.mark.parametrize(
    ("line", "crumbs", "section"),
    [
        ("当前位置:首页 > 靖江产业信息 > 正文内容", ("首页", "靖江产业信息", "正文内容"), "靖江产业信息"),
        ("您的位置：首页 > 新闻中心 > 科技动态", ("首页", "新闻中心", "科技动态"), "科技动态"),
        ("现在位置： 首页 >> 东区新闻 >> 正文", ("首页", "东区新闻", "正文"), "东区新闻"),
        ("首页 > 正文", ("首页", "正文"), None),
    ],
)
def test_breadcrumb(line: str, crumbs: tuple[str, ...], section: str | None) -> None:
    assert breadcrumb(line) == crumbs
    assert section_of(crumbs) == section


@pytest.mark.parametrize("line", ["首页", "位置很好。", "当前的位置非常重要，需要关注。"])
def test_not_a_breadcrumb(line: str) -> None:
    assert breadcrumb(line) is None


def test_every_vocabulary_entry_names_where_it_was_seen() -> None:
    tables = ("text_markers.tsv", "text_lines.tsv", "text_contacts.tsv", "text_breadcrumbs.tsv")
    entries = [entry for table in tables for entry in read_table(vocab_dir() / table)]
    assert entries
    for entry in entries:
        assert entry["seen"].strip(), entry
