"""Fixture pages for the documented queries: gov notices with metadata tables and reposts.

Written as one WARC (real URLs, hosts as sites, a pinned fetch date), replayed together with
``seeds/``. Two news portals repost seed 000 (Simplified, another page frame, naming the
original outlet as 来源), so the archive holds one story with copies on two more sites.
"""

from __future__ import annotations

from pathlib import Path

from opencc import OpenCC

from tests.conftest import SEEDS_DIR
from tests.test_replay import write_warc

JIAXING = "kjj.jiaxing.gov.cn"
QUZHOU = "kjj.qz.gov.cn"
FETCHED = "2022-08-01"

NOTICES = [
    (JIAXING, "t20220705_1", "关于下达2022年嘉兴市科技计划项目经费的通知", "嘉科〔2022〕31号",
     "2022-07-01", "2022-07-05",
     "经研究，决定下达2022年嘉兴市科技计划项目经费，共安排资金500万元，用于支持嘉兴市技术创新中心建设。"
     "各县（市、区）科技局要加强项目管理，确保资金使用效益。", True),
    (JIAXING, "t20220712_2", "嘉兴市科学技术局关于公布第二批市级技术创新中心名单的通知", "嘉科〔2022〕35号",
     "2022-07-10", "2022-07-12",
     "根据《嘉兴市技术创新中心建设管理办法》，经评审，"
     "认定嘉兴市柔性电子技术创新中心等5家单位为第二批市级技术创新中心。"
     "市财政给予每家200万元补助。", False),
    (JIAXING, "t20220620_3", "嘉兴市科学技术局关于开展科技特派员工作的通知", "嘉科〔2022〕28号",
     "2022-06-18", "2022-06-20",
     "为深入推进科技特派员制度，现就开展2022年科技特派员工作通知如下。嘉兴市将选派科技特派员100名。", False),
    (QUZHOU, "t20220715_4", "衢州市科学技术局关于下达高端化学品技术创新中心建设资金的通知", "衢市科〔2022〕12号",
     "2022-07-14", "2022-07-15",
     "为支持浙江省高端化学品技术创新中心建设，衢州市安排建设资金1亿元。"
     "衢州市科技局将会同有关部门做好资金监管。", False),
]  # fmt: skip

GOV_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{org}</title></head><body>
<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 通知公告</div>
<table class="gov-meta">
<tr><th>索引号</th><td>{index}</td><th>公开方式</th><td>主动公开</td></tr>
<tr><th>发布机构</th><td>{org}</td><th>成文日期</th><td>{written}</td></tr>
<tr><th>文号</th><td>{doc}</td><th>发布日期</th><td>{published}</td></tr>
<tr><th>有效性</th><td>有效</td><th>主题分类</th><td>科技</td></tr>
</table>
<h1>{title}</h1>
<div class="TRS_Editor"><p>各有关单位：</p><p>{body}</p><p>特此通知。</p>{attachment}</div>
<div class="footer">主办单位：{org} 版权所有</div>
</body></html>"""

NEWS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{site}</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/kj/">科技</a></div>
<h1>{title}</h1>
<div class="info">2022-07-20 10:30 来源：{source}</div>
<div class="article-content">{paragraphs}</div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/1.html">另一条新闻</a></li></ul></div>
</body></html>"""

REPOSTERS = [("zj.zjol.com.cn", "衢州日报"), ("www.chinahightech.com", "浙江在线")]


def gov_page(site: str, index: int, title: str, doc: str, written: str, published: str, body: str, pdf: bool) -> bytes:
    org = "嘉兴市科学技术局" if site == JIAXING else "衢州市科学技术局"
    attachment = f'<p><a href="/art/2022/7/5/fj_{index}.pdf">附件：项目经费安排表.pdf</a></p>' if pdf else ""
    html = GOV_PAGE.format(
        title=title, org=org, index=f"11330400002578XXXX/2022-{index:05d}", doc=doc, written=written,
        published=published, body=body, attachment=attachment,
    )  # fmt: skip
    return html.encode("utf-8")


def seed_000_simplified() -> tuple[str, list[str]]:
    """Title and paragraphs of seed 000 in Simplified script, without pinyin annotations."""
    import re

    lines = [line.strip() for line in (SEEDS_DIR / "000_a0ba12cacfcce0ec.txt").read_text("utf-8").splitlines()]
    lines = [OpenCC("t2s").convert(re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)", "", line)) for line in lines if line]
    return lines[0], lines[2:8]


def write_query_fixtures(directory: Path) -> Path:
    """Writes the fixture WARC into ``directory`` and returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    records = [
        (
            f"http://{site}/art/2022/{int(name[5:7])}/{int(name[7:9])}/{name}.html",
            gov_page(site, n, *rest),
            "text/html; charset=utf-8",
        )
        for n, (site, name, *rest) in enumerate(NOTICES, start=1)
    ]
    title, paragraphs = seed_000_simplified()
    for site, source in REPOSTERS:
        html = NEWS_PAGE.format(
            title=title, site=site, source=source, paragraphs="".join(f"<p>{p}</p>" for p in paragraphs)
        )
        records.append((f"http://{site}/kj/202207/t20220720_1.html", html.encode("utf-8"), "text/html"))
    path = directory / "query-fixtures.warc.gz"
    write_warc(path, records, date=f"{FETCHED}T00:00:00Z")
    return path
