"""Fixture pages for the documented queries: gov notices with metadata tables, reposts, a
reporter's story, and the Jiaxing bureau's site to crawl.

Most pages are written as one WARC (real URLs, hosts as sites, a pinned fetch date), replayed
together with ``seeds/``. Two news portals repost seed 000 (Simplified, another page frame,
naming the original outlet as 来源), so the archive holds one story with copies on two more
sites. The Jiaxing bureau's later notices are crawled instead, with the shipped site config
``kjj_jiaxing``: :class:`OutletProxy` serves its column pages and notices on 127.0.0.1 as an
HTTP proxy, so the crawl requests the real URLs (host ``kjj.jiaxing.gov.cn``, site id
``kjj_jiaxing``) and nothing leaves the machine. One outlet then has a replayed page (site =
host) and crawled ones, as it does in a real archive.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opencc import OpenCC

from tests.conftest import SEEDS_DIR
from tests.test_replay import write_warc

JIAXING = "kjj.jiaxing.gov.cn"
JIAXING_SITE = "kjj_jiaxing"
JIAXING_COLUMN = "1522462"  # 政府信息公开 · 通知公告, a list page of the shipped config
QUZHOU = "kjj.qz.gov.cn"
FETCHED = "2022-08-01"
REPORTER = "王卫东"
CITED = "浙科发〔2022〕12号"

# (site, page name, title, 文号, 成文日期, 发布日期 as printed, body, has a PDF). Jiaxing's
# notices named art_* are crawled, the others replayed. The one of 2022-08-01 07:30 Beijing
# time is 2022-07-31 23:30 UTC: a day filter in UTC would count it in July.
NOTICES = [
    (JIAXING, f"art_{JIAXING_COLUMN}_1", "关于下达2022年嘉兴市科技计划项目经费的通知", "嘉科〔2022〕31号",
     "2022-07-01", "2022-07-05",
     "经研究，决定下达2022年嘉兴市科技计划项目经费，共安排资金500万元，用于支持嘉兴市技术创新中心建设。"
     "各县（市、区）科技局要加强项目管理，确保资金使用效益。", True),
    (JIAXING, f"art_{JIAXING_COLUMN}_2", "嘉兴市科学技术局关于公布第二批市级技术创新中心名单的通知", "嘉科〔2022〕35号",
     "2022-07-10", "2022-07-12",
     "根据《嘉兴市技术创新中心建设管理办法》，经评审，"
     "认定嘉兴市柔性电子技术创新中心等5家单位为第二批市级技术创新中心。"
     "市财政给予每家200万元补助。", False),
    (JIAXING, "t20220620_3", "嘉兴市科学技术局关于开展科技特派员工作的通知", "嘉科〔2022〕28号",
     "2022-06-18", "2022-06-20",
     "为深入推进科技特派员制度，现就开展2022年科技特派员工作通知如下。嘉兴市将选派科技特派员100名。", False),
    (JIAXING, f"art_{JIAXING_COLUMN}_5", "嘉兴市科学技术局关于开展科技成果转化对接活动的通知", "嘉科〔2022〕40号",
     "2022-07-29", "2022-08-01 07:30",
     f"根据《浙江省科学技术厅关于加快科技成果转化的若干意见》（{CITED}）精神，"
     "经研究，决定于八月开展科技成果转化对接活动。请各单位认真组织。", False),
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
<div class="info">{published} 来源：{source}</div>
<div class="article-content">{paragraphs}</div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/1.html">另一条新闻</a></li></ul></div>
</body></html>"""

REPOSTERS = [("zj.zjol.com.cn", "衢州日报"), ("www.chinahightech.com", "浙江在线")]
# A reporter's story on a city portal: a byline, a two-character topic word (疫情) and a cited 文号.
STORY = (
    "www.cnjxol.com", "嘉兴推进疫情防控与科技创新两手抓", "嘉兴日报",
    [f"本报记者 {REPORTER}", "近日，嘉兴市科技局召开专题会议，部署疫情防控期间科技企业复工复产工作。",
     f"会议要求，各地要认真落实《浙江省科学技术厅关于加快科技成果转化的若干意见》（{CITED}），"
     "支持企业开展技术攻关。", "会议强调，要统筹做好疫情防控和科技创新工作，确保各项任务落到实处。"],
)  # fmt: skip


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


def notice_url(site: str, name: str, published: str) -> str:
    year, month, day = (int(part) for part in published[:10].split("-"))
    return f"http://{site}/art/{year}/{month}/{day}/{name}.html"


def notice_pages() -> dict[str, tuple[bytes, bool]]:
    """URL -> (page, crawled) of every notice."""
    return {
        notice_url(site, name, published): (
            gov_page(site, n, title, doc, written, published, body, pdf),
            name.startswith("art_"),
        )
        for n, (site, name, title, doc, written, published, body, pdf) in enumerate(NOTICES, start=1)
    }


def write_query_fixtures(directory: Path) -> Path:
    """Writes the fixture WARC (every page but the crawled notices) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    records = [
        (url, page, "text/html; charset=utf-8") for url, (page, crawled) in notice_pages().items() if not crawled
    ]
    title, paragraphs = seed_000_simplified()
    for site, source in REPOSTERS:
        html = NEWS_PAGE.format(
            title=title, site=site, source=source, published="2022-07-20 10:30",
            paragraphs="".join(f"<p>{p}</p>" for p in paragraphs),
        )  # fmt: skip
        records.append((f"http://{site}/kj/202207/t20220720_1.html", html.encode("utf-8"), "text/html"))
    site, story_title, source, story_paragraphs = STORY
    html = NEWS_PAGE.format(
        title=story_title, site=site, source=source, published="2022-07-21 09:15",
        paragraphs="".join(f"<p>{p}</p>" for p in story_paragraphs),
    )  # fmt: skip
    records.append((f"http://{site}/kj/202207/t20220721_2.html", html.encode("utf-8"), "text/html"))
    path = directory / "query-fixtures.warc.gz"
    write_warc(path, records, date=f"{FETCHED}T00:00:00Z")
    return path


def column_page(links: list[tuple[str, str]]) -> bytes:
    """A Hanweb column page listing ``links`` (url, title) in plain markup."""
    items = "".join(f'<li><a href="{url}">{title}</a></li>' for url, title in links)
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
        f'<div class="nav"><a href="/">首页</a></div><ul class="list">{items}</ul></body></html>'
    )
    return html.encode("utf-8")


@dataclass
class OutletProxy:
    """An HTTP proxy on 127.0.0.1 that answers for the Jiaxing bureau's URLs from fixtures.

    Set as ``http_proxy`` of a crawl, it receives every request (absolute URLs); it answers the
    column pages and crawled notices, ``404`` for anything else, and never connects anywhere.
    """

    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def pages(self) -> dict[str, bytes]:
        crawled = {url: page for url, (page, is_crawled) in notice_pages().items() if is_crawled}
        titles = {notice_url(site, name, published): title for site, name, title, _, _, published, *_ in NOTICES}
        column = f"http://{JIAXING}/col/col{JIAXING_COLUMN}/index.html"
        return {column: column_page([(url, titles[url]) for url in crawled]), **crawled}

    def start(self) -> OutletProxy:
        pages, log = self.pages(), self.requests

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                log.append(self.path)
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
