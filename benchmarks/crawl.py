"""Full crawl of a 5,000-article fixture site over loopback: our site spider vs a bare Scrapy spider.

Serves a generated gov-style site on 127.0.0.1 (numbered list pages of 50 links, GBK article
pages of ~3 KB) from a thread of this process, then crawls it twice in the same run, each in
its own process with the same concurrency and no politeness delay:

* ``site``: ``scrapy crawl bench`` with every pipeline (extraction, cleaning, enrichment,
  dedup, storage into a fresh SQLite file) and the crawl state;
* ``bare``: a bare ``scrapy.Spider`` following the same list and article links, no pipelines.

Pages/s counts the requests the server answered between a crawl's first and last request
(process start excluded); peak memory is the child's max RSS (``wait4``). The ratio column is
site / bare.

Usage: python benchmarks/crawl.py [--articles 5000] [--concurrency 16] [--site-setting NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
PER_PAGE = 50

BARE_SPIDER = """
import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, pages: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.pages = int(pages)

    def parse(self, response, page=0):
        for href in response.css("ul.list a::attr(href)").getall():
            yield response.follow(href, self.parse_article)
        if page + 1 < self.pages:
            yield response.follow(f"index_{page + 1}.html", self.parse, cb_kwargs={"page": page + 1})

    def parse_article(self, response):
        self.crawler.stats.inc_value("bare/articles")
"""


def article_html(n: int) -> bytes:
    title = f"关于公布第{n}批省级科技计划项目的通知"
    paragraphs = "".join(
        f"<p>{title}。第{k}段：为深入实施创新驱动发展战略，加快推进科技创新体系建设，围绕重点产业开展关键核心技术攻关，"
        f"推动科技成果转化和产业化，经专家评审和公示，现将第{n}批项目予以公布，项目资金{n * 3 + k}万元。</p>"
        for k in range(1, 9)
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="gbk"><title>{title}</title></head><body>'
        f'<div class="nav">首页 > 通知公告</div><h1>{title}</h1>'
        f'<div class="info">发布时间：2026-01-{n % 28 + 1:02d} 10:00 来源：浙江省科学技术厅 '
        f"文号：浙科发〔2026〕{n}号</div>"
        f'<div class="content">{paragraphs}</div><div class="footer">版权所有 浙江省科学技术厅</div></body></html>'
    ).encode("gbk")


class BenchSite:
    def __init__(self, articles: int) -> None:
        self.articles = articles
        self.pages = (articles + PER_PAGE - 1) // PER_PAGE
        self.lock = threading.Lock()
        self.times: list[float] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                status, body = site.answer(self.path)
                with site.lock:
                    site.times.append(time.monotonic())
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=gbk" if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str) -> tuple[int, bytes]:
        if path == "/robots.txt":
            return 200, b"User-agent: *\nDisallow: /private/\n"
        if path == "/col/index.html" or path.startswith("/col/index_"):
            page = 0 if path == "/col/index.html" else int(path.removeprefix("/col/index_").removesuffix(".html"))
            first = self.articles - page * PER_PAGE
            numbers = range(first, max(0, first - PER_PAGE), -1)
            if page >= self.pages:
                return 404, b"not found"
            items = "".join(f'<li><a href="/art/2026/1/{n % 28 + 1}/art_1_{n}.html">第{n}批</a></li>' for n in numbers)
            return (
                200,
                f'<html><head><meta charset="gbk"></head><body><ul class="list">{items}</ul></body></html>'.encode(
                    "gbk"
                ),
            )
        if path.startswith("/art/"):
            return 200, article_html(int(path.rsplit("_", 1)[1].removesuffix(".html")))
        return 404, b"not found"

    def take_window(self) -> tuple[int, float]:
        """Requests answered since the last call, and the seconds between the first and the last."""
        with self.lock:
            times, self.times = self.times, []
        return len(times), (times[-1] - times[0]) if len(times) > 1 else 0.0

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_child(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, int]:
    """Runs a crawl; returns its exit status, wall seconds and peak RSS in KiB."""
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(stderr.decode("utf-8", "replace")[-3000:])
    return proc.returncode, time.monotonic() - started, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--site-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="extra -s for the site crawl only, e.g. to time it without some pipeline")  # fmt: skip
    args = parser.parse_args()
    site = BenchSite(args.articles)
    common = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"CONCURRENT_REQUESTS={args.concurrency}",
              "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}", "-s", "LOG_LEVEL=WARNING",
              "-s", "TELNETCONSOLE_ENABLED=0"]  # fmt: skip
    results: dict[str, tuple[int, float, float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="govnews-bench-") as scratch:
        root = Path(scratch)
        sites = root / "sites"
        sites.mkdir()
        (sites / "bench.toml").write_text(
            f'name = "bench"\nkind = "gov"\nallowed_domains = ["127.0.0.1"]\n'
            f'list_pages = ["{site.base}/col/index.html"]\n'
            "article_links = ['/art/\\d{4}/\\d{1,2}/\\d{1,2}/art_\\d+_\\d+\\.html$']\n"
            f'[pagination]\nkind = "numbered"\nnumbered = "index_{{n}}.html"\nmax_pages = {site.pages}\n'
            "[politeness]\ndownload_delay = 0\nconcurrency = 16\n",
            encoding="utf-8",
        )
        (root / "bare.py").write_text(BARE_SPIDER, encoding="utf-8")
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{root / 'bench.db'}", GOVNEWS_SPOOL_DIR=str(root / "spool"))
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        runs = {
            "bare": ([sys.executable, "-m", "scrapy", "runspider", str(root / "bare.py"), "-a",
                      f"start={site.base}/col/index.html", "-a", f"pages={site.pages}", *common], root),
            "site": ([sys.executable, "-m", "scrapy", "crawl", "bench", "-s", f"SITES_DIR={sites}",
                      "-s", "RUN_SUMMARY_ENABLED=0", *common,
                      *[arg for setting in args.site_setting for arg in ("-s", setting)]], PROJECT),
        }  # fmt: skip
        for name, (command, cwd) in runs.items():
            code, wall, peak = run_child(command, cwd, env)
            requests, window = site.take_window()
            if code != 0:
                print(f"{name} crawl failed with exit code {code}", file=sys.stderr)
                return 1
            results[name] = (requests, window, wall, peak)
    site.stop()
    bare_rate = results["bare"][0] / results["bare"][1]
    print(f"{args.articles} articles, {site.pages} list pages, concurrency {args.concurrency}, loopback")
    print(f"{'crawl':<6} {'requests':>9} {'crawl s':>9} {'wall s':>8} {'pages/s':>9} {'peak MiB':>9} {'ratio':>6}")
    for name, (requests, window, wall, peak) in results.items():
        rate = requests / window
        ratio = rate / bare_rate
        print(f"{name:<6} {requests:>9} {window:>9.1f} {wall:>8.1f} {rate:>9.1f} {peak / 1024:>9.0f} {ratio:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
