"""A database with ten days of history for the report, built through the real code paths.

* Generated pages of four sites, one WARC per day (its ``WARC-Date`` is the fetch time),
  replayed in one ``scrapy crawl replay``: two government sites with disclosure tables (some
  with an invalid 索引号 or a missing 成文日期), a news portal whose last two days lost the
  byline line (a redesign: 来源 and 作者 stop being found), and two sites that repost the news
  portal's stories under their own frame.
* Three ``scrapy crawlall --all`` runs against the loopback fixture site
  (:mod:`tests.sitefixture`) with its WAF section (blocked) and a site whose server is gone
  (connection refused: three failed runs in a row).

Two things a replay cannot give are set afterwards, and only those: storage stamps
``first_seen_at`` with the wall clock, so each replayed article gets its archive's fetch time
instead (as if each day's pages had been crawled that day); and the three crawls, made a few
seconds apart, are spread over the last three days as a schedule would have run them.
"""

from __future__ import annotations

import json
import random
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, update

from crawler.db.crawl_models import CrawlRunRow
from crawler.db.models import ArticleRow
from crawler.exitcodes import ExitCode
from tests.conftest import run_scrapy
from tests.sitefixture import FixtureWeb, site_configs
from tests.test_replay import write_warc
from tests.test_site_crawl import FAST

DAYS = 10
REDESIGN_DAYS = 2  # the news portal's last days without the byline line
BEIJING = ZoneInfo("Asia/Shanghai")
GOV_SITES = {
    "kjt.example.gov.cn": ("浙江省科学技术厅", "浙科发", "113300000025767XXX"),
    "kjj.example.gov.cn": ("嘉兴市科学技术局", "嘉科", "11330400002578XXXX"),
}
NEWS = "news.example.com.cn"
REPOSTERS = {"repost.example.net": 2, "farm.example.org": 1}  # stories copied per day
NEWS_PER_DAY, GOV_PER_DAY = 5, 2
# The content stages in the crawl process: the same code, without starting a worker per run.
IN_PROCESS = ["-s", "CONTENT_WORKERS=0"]

FRAGMENTS = [
    "省科技厅召开专题会议部署年度重点工作",
    "围绕集成电路和生物医药开展关键核心技术攻关",
    "全年新增国家高新技术企业一千余家",
    "科技成果转化平台建设取得明显成效",
    "推动创新链产业链资金链人才链深度融合",
    "首批省级技术创新中心通过验收",
    "企业研发投入强度持续提升",
    "组织实施一批重大科技专项",
    "加快建设高水平实验室体系",
    "完善科技人才评价机制",
    "支持科技型中小企业融资",
    "科技特派员深入乡村开展服务",
    "数字经济核心产业增加值稳步增长",
    "新型研发机构数量持续增加",
    "知识产权质押融资规模扩大",
    "重点产业链协同创新项目立项",
    "高校院所与企业共建联合实验室",
    "绿色低碳技术示范应用加快推进",
    "人工智能创新发展试验区建设提速",
    "科技金融服务体系不断完善",
    "国际科技合作项目签约落地",
    "基础研究投入比重进一步提高",
    "科技创新券使用范围扩大",
    "孵化器和众创空间提质增效",
    "关键零部件国产化替代取得突破",
    "重大科研基础设施开放共享",
    "青年科技人才专项启动申报",
    "产学研合作成果在展会集中亮相",
    "区域创新体系建设评估结果发布",
    "专家组对项目进行现场考察",
    "相关负责人表示将进一步优化服务",
    "海洋科技创新平台正式揭牌",
    "农业科技园区示范带动作用明显",
    "新材料产业集群加快形成",
    "科技馆公益活动吸引大量市民参与",
    "创新型县市建设扎实推进",
    "技术合同成交额同比增长明显",
    "实验室安全检查工作全面开展",
    "科研诚信建设工作会议召开",
    "软件和信息服务业保持较快增长",
]

GOV_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{org}</title></head><body>
<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 通知公告</div>
<table class="gov-meta">
<tr><th>索引号</th><td>{index}</td><th>公开方式</th><td>主动公开</td></tr>
<tr><th>发布机构</th><td>{org}</td>{written}</tr>
<tr><th>文号</th><td>{doc}</td><th>发布日期</th><td>{published}</td></tr>
<tr><th>有效性</th><td>有效</td><th>主题分类</th><td>科技</td></tr>
</table>
<h1>{title}</h1>
<div class="TRS_Editor"><p>各有关单位：</p>{paragraphs}<p>特此通知。</p></div>
<div class="footer">主办单位：{org} 版权所有</div>
</body></html>"""

NEWS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{site}</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/kj/">科技</a></div>
<h1>{title}</h1>
{byline}
<div class="article-content">{paragraphs}</div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/1.html">另一条新闻</a></li></ul></div>
</body></html>"""


@dataclass(frozen=True)
class Page:
    url: str
    html: str


def story(rng: random.Random, subject: str) -> tuple[str, list[str]]:
    """A title and six paragraphs of shuffled fragments: stories differ, copies match."""
    picked = rng.sample(FRAGMENTS, 12)
    paragraphs = [f"{subject}{picked[2 * n]}，{picked[2 * n + 1]}。" for n in range(6)]
    return f"{subject}{picked[0]}", paragraphs


def html_paragraphs(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def news_page(title: str, site: str, byline: str, paragraphs: list[str]) -> str:
    return NEWS_PAGE.format(title=title, site=site, byline=byline, paragraphs=html_paragraphs(paragraphs))


def day_pages(day: int, fetched: datetime, rng: random.Random) -> list[Page]:
    """The pages of one day: gov notices, news stories and their reposts."""
    local = fetched.astimezone(BEIJING)
    stamp = local.strftime("%Y%m%d")
    pages = []
    for site, (org, code, org_number) in GOV_SITES.items():
        for n in range(GOV_PER_DAY):
            serial = day * GOV_PER_DAY + n + 1
            title, paragraphs = story(rng, f"{org}关于第{serial}批项目的通知：")
            published = local - timedelta(hours=rng.randint(2, 20))
            written = published - timedelta(days=2)
            invalid_index = serial % 7 == 3  # a 索引号 without year and serial
            index = "ABC-2026" if invalid_index else f"{org_number}/{local.year}-{serial:05d}"
            written_cell = "" if serial % 5 == 0 else f"<th>成文日期</th><td>{written:%Y-%m-%d}</td>"
            html = GOV_PAGE.format(
                title=title,
                org=org,
                index=index,
                written=written_cell,
                doc=f"{code}〔{local.year}〕{serial}号",
                published=f"{published:%Y-%m-%d}",
                paragraphs=html_paragraphs(paragraphs),
            )
            pages.append(Page(f"http://{site}/art/{local:%Y/%m/%d}/art_{serial}.html", html))
    news = []
    for n in range(NEWS_PER_DAY):
        title, paragraphs = story(rng, "")
        published = local - timedelta(hours=rng.randint(1, 30))
        byline = (
            f'<div class="info">{published:%Y-%m-%d %H:%M} 来源：科技日报 作者：记者 {rng.choice("张王李赵陈")}明</div>'
            if day < DAYS - REDESIGN_DAYS
            else '<div class="share-bar"></div>'
        )
        url = f"http://{NEWS}/kj/{stamp[:6]}/t{stamp}_{n + 1}.html"
        news.append((title, paragraphs))
        pages.append(
            Page(url, NEWS_PAGE.format(title=title, site=NEWS, byline=byline, paragraphs=html_paragraphs(paragraphs)))
        )
    for site, copies in REPOSTERS.items():
        for n, (title, paragraphs) in enumerate(news[:copies]):
            byline = f'<div class="info">{local:%Y-%m-%d %H:%M} 来源：{NEWS}</div>'
            url = f"http://{site}/a/{stamp}/{n + 1}.html"
            pages.append(
                Page(
                    url, NEWS_PAGE.format(title=title, site=site, byline=byline, paragraphs=html_paragraphs(paragraphs))
                )
            )
    return pages


def write_archives(directory: Path, end: datetime) -> list[datetime]:
    """One WARC per day ending two hours before ``end``; returns the fetch times."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(19)
    times = []
    for day in range(DAYS):
        fetched = end - timedelta(days=DAYS - 1 - day, hours=2)
        records = [
            (page.url, page.html.encode("utf-8"), "text/html; charset=utf-8") for page in day_pages(day, fetched, rng)
        ]
        write_warc(directory / f"day-{day:02d}.warc.gz", records, date=fetched.strftime("%Y-%m-%dT%H:%M:%SZ"))
        times.append(fetched)
    return times


def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def crawl_sites(database_url: str, workdir: Path, runs: int = 3) -> list[datetime]:
    """``runs`` rounds of crawls of every fixture site, a dead one and a blocked one, with a few
    articles published between rounds; returns when each round started."""
    web = FixtureWeb().start()
    rounds = []
    try:
        sites = site_configs(workdir / "sites", web.base, include_waf=True)
        dead = f"http://127.0.0.1:{closed_port()}"
        (sites / "fx_dead.toml").write_text(
            f'name = "测试 停机"\nkind = "news"\nallowed_domains = ["127.0.0.1"]\nschedule = "*/30 * * * *"\n'
            f"list_pages = [\"{dead}/news/list.html\"]\narticle_links = ['/news/\\d+\\.html$']\n"
            "[politeness]\ndownload_delay = 0\n",
            encoding="utf-8",
        )
        for run in range(runs):
            if run:
                for section in ("gov", "news", "repost"):
                    web.publish(section, 2)
            rounds.append(datetime.now(UTC))
            result = run_scrapy(
                ["crawlall", "--all", "-s", f"SITES_DIR={sites}", "-s", "RETRY_TIMES=0", *IN_PROCESS, *FAST],
                database_url=database_url,
                spool_dir=workdir / "spool",
            )
            # Issue 17: fx_dead reaches none of its entry points, which is a failed crawl: exit 1.
            assert result.returncode == ExitCode.FAILED, result.stderr[-3000:]
            assert "fx_dead: none of its entry points could be fetched" in result.stderr
    finally:
        web.stop()
    return rounds


def build_report_database(database_url: str, workdir: Path, end: datetime | None = None) -> datetime:
    """Fills ``database_url`` (empty) with the fixture history ending at ``end`` (default now); returns ``end``."""
    end = end or datetime.now(UTC)
    archives = workdir / "archives"
    write_archives(archives, end)
    replay = run_scrapy(
        ["crawl", "replay", "-a", f"path={archives}", "-s", "RUN_SUMMARY_ENABLED=0", *IN_PROCESS],
        database_url=database_url,
    )
    assert replay.returncode == 0, replay.stderr[-3000:]
    rounds = crawl_sites(database_url, workdir)
    runs = CrawlRunRow.__table__
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(ArticleRow)
                .where(ArticleRow.replay_path.is_not(None))
                .values(first_seen_at=ArticleRow.fetched_at)
            )
            for row in connection.execute(select(runs.c.id, runs.c.started_at, runs.c.finished_at)).all():
                later = sum(start <= row.started_at for start in rounds[1:])
                age = timedelta(days=len(rounds) - 1 - later)
                finished = row.finished_at - age if row.finished_at else None
                connection.execute(
                    update(runs)
                    .where(runs.c.id == row.id)
                    .values(started_at=row.started_at - age, finished_at=finished)
                )
    finally:
        engine.dispose()
    return end


@dataclass
class Webhook:
    """A loopback HTTP server that records the JSON documents POSTed to it, answering ``status``."""

    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Webhook:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.received.append(json.loads(body.decode("utf-8")))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
