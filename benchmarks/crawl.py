"""Full crawl of a 5,000-article fixture site over loopback: our site spider vs what a user would
otherwise build, and vs a bare Scrapy spider.

Serves a gov-style site on 127.0.0.1 (numbered list pages of 50 links to real article pages:
distinct variants of the dev-corpus pages, 88 KB of HTML on average, see
:mod:`tests.generators.corpuspages`) from a thread of this process, then crawls it three times in the same run, each in
its own process with the same concurrency, the same ``CONCURRENT_ITEMS`` (the project's) and no
politeness delay:

* ``site``: ``scrapy crawl bench`` with every pipeline (extraction, cleaning, enrichment,
  dedup, storage into a fresh SQLite file) and the crawl state;
* ``user``: what a user would otherwise build: a Scrapy spider following the same links, with
  trafilatura's ``bare_extraction`` in a pipeline and a plain SQLAlchemy insert per article;
* ``bare``: a bare ``scrapy.Spider`` following the same list and article links, no pipelines.

Pages/s counts the requests the server answered, over the time from a crawl's first request
to the exit of its process: process start is excluded, and the items still in the pipelines
after the last download are included (``drain s``: with content workers, downloads run ahead of
processing, so the time between the first and the last request alone would flatter the site
crawl; the shutdown of each crawl counts for both). Peak memory is the largest sum of resident memory of the crawl
process and its content workers, sampled every 50 ms; CPU seconds are the crawl process's and
its workers'. The bare crawl runs before and after the others; the ``÷bare`` column is pages/s
over the mean of the two bare rates, ``÷user`` over the user baseline's (target: >= 2).

The benchmark refuses to run (exit code 2) when the corpus is missing. ``--synthetic`` serves
generated GBK pages of about 2 KB instead (:mod:`tests.generators.crawlsite`: distinct texts,
or with ``--one-template`` one notice with other numbers, the near-duplicate assignment's worst
case); they cost about 2.6 times less CPU per page than real pages, and the output says so.

Usage: python benchmarks/crawl.py [--articles 5000] [--concurrency 16] [--corpus DIR]
       [--synthetic [--one-template]] [--site-setting NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks.processes import ChildRun, run_child  # noqa: E402
from tests.generators.corpuspages import CORPUS_DIR, CorpusMissingError, corpus_pages  # noqa: E402
from tests.generators.crawlsite import BenchSite, site_config  # noqa: E402

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


USER_SPIDER = """
import scrapy
import trafilatura
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert

metadata = MetaData()
articles = Table("articles", metadata, Column("id", Integer, primary_key=True), Column("url", String, unique=True),
                 Column("title", Text), Column("published", String), Column("body", Text))


class UserSpider(scrapy.Spider):
    name = "user"
    custom_settings = {"ITEM_PIPELINES": {"userbaseline.ExtractPipeline": 100, "userbaseline.StorePipeline": 200}}

    def __init__(self, start: str, pages: str, database: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.pages = int(pages)
        self.database = database

    def parse(self, response, page=0):
        for href in response.css("ul.list a::attr(href)").getall():
            yield response.follow(href, self.parse_article)
        if page + 1 < self.pages:
            yield response.follow(f"index_{page + 1}.html", self.parse, cb_kwargs={"page": page + 1})

    def parse_article(self, response):
        yield {"url": response.url, "html": response.text}


class ExtractPipeline:
    def process_item(self, item):
        document = trafilatura.bare_extraction(item["html"], url=item["url"], with_metadata=True)
        return {"url": item["url"], "title": document.title if document else None,
                "published": document.date if document else None, "body": document.text if document else None}


class StorePipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self):
        self.engine = create_engine(self.crawler.spider.database)
        metadata.create_all(self.engine)

    def process_item(self, item):
        with self.engine.begin() as connection:
            connection.execute(insert(articles).values(**item))
        return item

    def close_spider(self):
        self.engine.dispose()
"""


def project_setting(name: str) -> object:
    """A value of the project's settings: the bare crawl gets the same Scrapy tuning as ours."""
    from crawler import settings

    return getattr(settings, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="the real pages served (default: %(default)s)")
    parser.add_argument("--synthetic", action="store_true", help="generated 2 KB pages instead of real ones")
    parser.add_argument("--one-template", action="store_true",
                        help="with --synthetic: one notice, other numbers: all in one near-dup cluster")  # fmt: skip
    parser.add_argument("--site-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="extra -s for the site crawl only, e.g. to time it without some pipeline")  # fmt: skip
    args = parser.parse_args()
    if args.one_template and not args.synthetic:
        parser.error("--one-template needs --synthetic")
    try:
        corpus = None if args.synthetic else corpus_pages(args.corpus)
    except CorpusMissingError as error:
        print(f"crawl benchmark refused: {error}", file=sys.stderr)
        return 2
    site = BenchSite(args.articles, args.one_template, corpus)
    common = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"CONCURRENT_REQUESTS={args.concurrency}",
              "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}", "-s", "LOG_LEVEL=WARNING",
              "-s", "TELNETCONSOLE_ENABLED=0", "-s", f"CONCURRENT_ITEMS={project_setting('CONCURRENT_ITEMS')}",
              ]  # fmt: skip
    results: dict[str, tuple[list[float], ChildRun]] = {}
    with tempfile.TemporaryDirectory(prefix="govnews-bench-") as scratch:
        root = Path(scratch)
        sites = root / "sites"
        sites.mkdir()
        (sites / "bench.toml").write_text(site_config(site.base, site.pages), encoding="utf-8")
        (root / "bare.py").write_text(BARE_SPIDER, encoding="utf-8")
        (root / "userbaseline.py").write_text(USER_SPIDER, encoding="utf-8")
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{root / 'bench.db'}", GOVNEWS_SPOOL_DIR=str(root / "spool"))
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        bare = ([sys.executable, "-m", "scrapy", "runspider", str(root / "bare.py"), "-a",
                 f"start={site.base}/col/index.html", "-a", f"pages={site.pages}", *common], root)  # fmt: skip
        # The bare crawl runs before and after ours: the ratio is against the mean of both, so
        # that a machine that got busier or quieter during the run moves both sides.
        user = ([sys.executable, "-m", "scrapy", "runspider", str(root / "userbaseline.py"), "-a",
                 f"start={site.base}/col/index.html", "-a", f"pages={site.pages}",
                 "-a", f"database=sqlite:///{root / 'user.db'}", *common], root)  # fmt: skip
        runs = {
            "bare": bare,
            "user": user,
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
    if corpus:
        kind = f"variants of {len(corpus)} real corpus pages"
    else:
        kind = "SYNTHETIC 2 KB pages, " + ("one template" if args.one_template else "distinct texts")
        print("NOTE: synthetic pages cost about 2.6x less CPU than real ones; these are not real-page figures")
    print(f"{args.articles} articles ({kind}), {site.pages} list pages, concurrency {args.concurrency}, loopback")
    print(
        f"÷bare: pages/s over the mean of the two bare crawls ({baseline:.1f}); ÷user: over the user "
        f"baseline (Scrapy + trafilatura + SQLAlchemy insert, {rates['user']:.1f}); target for site: ÷user >= 2"
    )
    print(f"{'crawl':<6} {'requests':>9} {'crawl s':>8} {'drain s':>8} {'wall s':>7} {'CPU s crawl+workers':>20} "
          f"{'pages/s':>8} {'peak MiB':>9} {'÷bare':>6} {'÷user':>6}")  # fmt: skip
    for name, (times, run) in results.items():
        cpu = f"{run.crawl_cpu:.1f} + {run.worker_cpu:.1f}"
        crawl, drain, rate = run.ended - times[0], run.ended - times[-1], rates[name]
        print(f"{name:<6} {len(times):>9} {crawl:>8.1f} {drain:>8.1f} {run.wall:>7.1f} {cpu:>20} {rate:>8.1f} "
              f"{run.peak_rss / 2**20:>9.0f} {rate / baseline:>6.2f} {rate / rates['user']:>6.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
