"""A gov-style site served on 127.0.0.1 (port 0): numbered list pages of ``PER_PAGE`` links to
article pages, for the crawl benchmarks (``benchmarks/crawl.py``, ``benchmarks/fleet.py``).

The article pages are real: variants of the dev-corpus pages (:mod:`tests.generators.corpuspages`,
88 KB on average, served without a charset in the header so the page's own ``<meta>`` decides,
as for a replayed file) when a list of corpus pages is given. Without one they are generated GBK
pages of about 2 KB, which cost far less to parse than real pages: figures from them do not
describe real crawls.

Articles are distinct texts (words drawn from jieba's dictionary around one templated sentence
with the figures), so that they are not near duplicates of one another; ``one_template`` makes
them one notice with other numbers, the near-duplicate assignment's worst case: every article joins
one cluster of all. :func:`site_config` is the site config that crawls it.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jieba

from tests.generators.corpuspages import CorpusPage, variant

PER_PAGE = 50


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
    def __init__(
        self,
        articles: int,
        one_template: bool = False,
        corpus: list[CorpusPage] | None = None,
        first_variant: int = 0,
        *,
        host: str = "127.0.0.1",
        latency: float = 0.0,
    ) -> None:
        """``host``: the loopback address to serve on (127.0.0.N: a site of its own for Scrapy's
        per-domain politeness); ``latency``: seconds every answer waits, as a distant server's would."""
        self.articles = articles
        self.first_variant = first_variant
        """Corpus variant of article 0 (sites of one benchmark take distinct variants)."""
        self.one_template = one_template
        self.latency = latency
        self.corpus = corpus
        # Made before either crawl, so that both get the same bytes at the same cost (corpus
        # variants are slices of bytes in memory, cut per request).
        self.bodies = {} if corpus else {n: article_html(n, one_template) for n in range(1, articles + 1)}
        self.pages = (articles + PER_PAGE - 1) // PER_PAGE
        self.lock = threading.Lock()
        self.times: list[float] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                if site.latency:
                    time.sleep(site.latency)
                status, body = site.answer(self.path)
                with site.lock:
                    site.times.append(time.monotonic())
                self.send_response(status)
                self.send_header("Content-Type", site.content_type(self.path) if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.host = host
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

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
        if self.corpus:
            return variant(self.corpus, self.first_variant + n)
        return self.bodies[n] if 0 < n <= self.articles else article_html(n, self.one_template)

    def content_type(self, path: str) -> str:
        if self.corpus and path.startswith("/art/"):
            return "text/html"
        return "text/html; charset=gbk"

    def take_requests(self) -> list[float]:
        """When each request since the last call was answered (``time.monotonic``)."""
        with self.lock:
            times, self.times = self.times, []
        return times

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def site_config(
    base: str,
    pages: int,
    name: str = "bench",
    schedule: str | None = None,
    *,
    download_delay: float = 0,
    concurrency: int = 16,
) -> str:
    """The site config (TOML) of a :class:`BenchSite` at ``base`` with ``pages`` list pages."""
    host = base.split("//", 1)[1].rsplit(":", 1)[0]
    return (
        f'name = "{name}"\nkind = "gov"\nallowed_domains = ["{host}"]\n'
        + (f'schedule = "{schedule}"\n' if schedule else "")
        + f'list_pages = ["{base}/col/index.html"]\n'
        "article_links = ['/art/\\d{4}/\\d{1,2}/\\d{1,2}/art_\\d+_\\d+\\.html$']\n"
        f'[pagination]\nkind = "numbered"\nmax_pages = {pages}\n'
        f"[politeness]\ndownload_delay = {download_delay}\nconcurrency = {concurrency}\n"
    )
