"""Full crawl of a 5,000-article fixture site over loopback: our site spider vs a bare Scrapy spider.

Serves a generated gov-style site on 127.0.0.1 (numbered list pages of 50 links, GBK article
pages of ~2 KB) from a thread of this process, then crawls it twice in the same run, each in
its own process with the same concurrency, the same ``CONCURRENT_ITEMS`` (the project's) and no
politeness delay:

* ``site``: ``scrapy crawl bench`` with every pipeline (extraction, cleaning, enrichment,
  dedup, storage into a fresh SQLite file) and the crawl state;
* ``bare``: a bare ``scrapy.Spider`` following the same list and article links, no pipelines.

Pages/s counts the requests the server answered, over the time from a crawl's first request
to the exit of its process: process start is excluded, and the items still in the pipelines
after the last download are included (``drain s``: with content workers, downloads run ahead of
processing, so the time between the first and the last request alone would flatter the site
crawl; the shutdown of each crawl counts for both). Peak memory is the largest sum of resident memory of the crawl
process and its content workers, sampled every 50 ms; CPU seconds are the crawl process's and
its workers'. The bare crawl runs before and after the site crawl; the ratio column is pages/s
over the mean of the two bare rates.

Articles are distinct texts (words drawn from jieba's dictionary around one templated sentence
with the figures), so that they are not near duplicates of one another; ``--one-template``
makes them one notice with other numbers, the near-duplicate assignment's worst case: every
article joins one cluster of all.

Usage: python benchmarks/crawl.py [--articles 5000] [--concurrency 16] [--one-template]
       [--site-setting NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jieba

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


TEMPLATE_SENTENCE = (
    "为深入实施创新驱动发展战略，加快推进科技创新体系建设，围绕重点产业开展关键核心技术攻关，"
    "推动科技成果转化和产业化，经专家评审和公示，现将第{n}批项目予以公布，项目资金{amount}万元。"
)


@functools.cache
def vocabulary() -> tuple[list[str], list[float]]:
    """The 20,000 most frequent words of jieba's dictionary, weighted by the root of their frequency."""
    rows = [line.split() for line in (Path(jieba.__file__).parent / "dict.txt").read_text("utf-8").splitlines()]
    rows = sorted((row for row in rows if len(row) == 3), key=lambda row: -int(row[1]))[:20_000]
    return [row[0] for row in rows], [int(row[1]) ** 0.5 for row in rows]


def paragraph(rng: random.Random, n: int, k: int) -> str:
    """About 110 characters of text drawn from real words, so that no two articles are near
    duplicates, with one sentence of the notice's template (figures included)."""
    words, weights = vocabulary()
    sentences = []
    for _ in range(rng.randint(3, 5)):
        picked = rng.choices(words, weights, k=rng.randint(6, 12))
        sentences.append("".join(picked) + rng.choice("，。；"))
    sentences.insert(rng.randrange(len(sentences) + 1), f"项目资金{n * 3 + k}万元，")
    return "".join(sentences)


def article_html(n: int, one_template: bool = False) -> bytes:
    title = f"关于公布第{n}批省级科技计划项目的通知"
    if one_template:
        texts = [TEMPLATE_SENTENCE.format(n=n, amount=n * 3 + k) for k in range(1, 9)]
    else:
        rng = random.Random(n)
        texts = [paragraph(rng, n, k) for k in range(1, 9)]
    paragraphs = "".join(f"<p>{title}。第{k}段：{text}</p>" for k, text in enumerate(texts, 1))
    return (
        f'<!DOCTYPE html><html><head><meta charset="gbk"><title>{title}</title></head><body>'
        f'<div class="nav">首页 > 通知公告</div><h1>{title}</h1>'
        f'<div class="info">发布时间：2026-01-{n % 28 + 1:02d} 10:00 来源：浙江省科学技术厅 '
        f"文号：浙科发〔2026〕{n}号</div>"
        f'<div class="content">{paragraphs}</div><div class="footer">版权所有 浙江省科学技术厅</div></body></html>'
    ).encode("gbk", "replace")


class BenchSite:
    def __init__(self, articles: int, one_template: bool = False) -> None:
        self.articles = articles
        self.one_template = one_template
        # Made before either crawl, so that both get the same bytes at the same cost.
        self.bodies = {n: article_html(n, one_template) for n in range(1, articles + 1)}
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
            return 200, self.article(int(path.rsplit("_", 1)[1].removesuffix(".html")))
        return 404, b"not found"

    def article(self, n: int) -> bytes:
        return self.bodies[n] if 0 < n <= self.articles else article_html(n, self.one_template)

    def take_requests(self) -> list[float]:
        """When each request since the last call was answered (``time.monotonic``)."""
        with self.lock:
            times, self.times = self.times, []
        return times

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from ``/proc/<pid>/task/<tid>/children``."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += [int(child) for child in children.read_text().split()]
            except OSError:
                continue
    return tree


def rss_and_cpu(pid: int) -> tuple[int, float] | None:
    """Resident bytes and CPU seconds (user + system) of one process, ``None`` once it is gone."""
    try:
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None
    return rss_pages * PAGE_SIZE, (int(fields[11]) + int(fields[12])) / TICKS


class TreeSampler(threading.Thread):
    """Samples a crawl's process tree (the crawl and its content workers) every 50 ms: the peak
    of the summed resident memory, and each process's last seen CPU time. ``ru_maxrss`` from
    ``wait4`` would report only the largest single process, and a forked child's copy of this
    process before it execs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0
        self.cpu: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            total = 0
            for pid in process_tree(self.pid):
                sample = rss_and_cpu(pid)
                if sample is not None:
                    total += sample[0]
                    self.cpu[pid] = sample[1]
            self.peak_rss = max(self.peak_rss, total)


@dataclass
class ChildRun:
    code: int
    wall: float
    ended: float
    """``time.monotonic()`` when the crawl process had exited."""
    peak_rss: int
    crawl_cpu: float
    """CPU seconds of the crawl process itself (from ``wait4``)."""
    worker_cpu: float
    """CPU seconds of its child processes, as last sampled."""


def run_child(command: list[str], cwd: Path, env: dict[str, str]) -> ChildRun:
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    ended = time.monotonic()
    sampler.done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(stderr.decode("utf-8", "replace")[-3000:])
    workers = sum(cpu for pid, cpu in sampler.cpu.items() if pid != proc.pid)
    # wait4 counts the children the crawl reaped (its workers) in its own usage.
    crawl = usage.ru_utime + usage.ru_stime - workers
    return ChildRun(proc.returncode, ended - started, ended, sampler.peak_rss, crawl, workers)


def project_setting(name: str) -> object:
    """A value of the project's settings: the bare crawl gets the same Scrapy tuning as ours."""
    sys.path.insert(0, str(PROJECT))
    from crawler import settings

    return getattr(settings, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--one-template", action="store_true",
                        help="one notice with other numbers: all articles in one near-duplicate cluster")  # fmt: skip
    parser.add_argument("--site-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="extra -s for the site crawl only, e.g. to time it without some pipeline")  # fmt: skip
    args = parser.parse_args()
    site = BenchSite(args.articles, args.one_template)
    common = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"CONCURRENT_REQUESTS={args.concurrency}",
              "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}", "-s", "LOG_LEVEL=WARNING",
              "-s", "TELNETCONSOLE_ENABLED=0", "-s", f"CONCURRENT_ITEMS={project_setting('CONCURRENT_ITEMS')}",
              ]  # fmt: skip
    results: dict[str, tuple[list[float], ChildRun]] = {}
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
        bare = ([sys.executable, "-m", "scrapy", "runspider", str(root / "bare.py"), "-a",
                 f"start={site.base}/col/index.html", "-a", f"pages={site.pages}", *common], root)  # fmt: skip
        # The bare crawl runs before and after ours: the ratio is against the mean of both, so
        # that a machine that got busier or quieter during the run moves both sides.
        runs = {
            "bare": bare,
            "site": ([sys.executable, "-m", "scrapy", "crawl", "bench", "-s", f"SITES_DIR={sites}",
                      "-s", "RUN_SUMMARY_ENABLED=0", *common,
                      *[arg for setting in args.site_setting for arg in ("-s", setting)]], PROJECT),
            "bare 2": bare,
        }  # fmt: skip
        for name, (command, cwd) in runs.items():
            run = run_child(command, cwd, env)
            if run.code != 0:
                print(f"{name} crawl failed with exit code {run.code}", file=sys.stderr)
                return 1
            results[name] = (site.take_requests(), run)
    site.stop()
    rates = {name: len(times) / (run.ended - times[0]) for name, (times, run) in results.items()}
    baseline = (rates["bare"] + rates["bare 2"]) / 2
    kind = "one template" if args.one_template else "distinct texts"
    print(f"{args.articles} articles ({kind}), {site.pages} list pages, concurrency {args.concurrency}, loopback")
    print(f"ratio: pages/s over the mean of the two bare crawls, {baseline:.1f}")
    print(f"{'crawl':<6} {'requests':>9} {'crawl s':>8} {'drain s':>8} {'wall s':>7} {'CPU s crawl+workers':>20} "
          f"{'pages/s':>8} {'peak MiB':>9} {'ratio':>6}")  # fmt: skip
    for name, (times, run) in results.items():
        cpu = f"{run.crawl_cpu:.1f} + {run.worker_cpu:.1f}"
        crawl, drain, ratio = run.ended - times[0], run.ended - times[-1], rates[name] / baseline
        print(f"{name:<6} {len(times):>9} {crawl:>8.1f} {drain:>8.1f} {run.wall:>7.1f} {cpu:>20} {rates[name]:>8.1f} "
              f"{run.peak_rss / 2**20:>9.0f} {ratio:>6.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
