"""Bulk load rate and query times of the database on a generated archive.

Run from the repository root::

    python benchmarks/sql.py [--articles 100000] [--postgres postgresql+psycopg://user:pw@host/db] [--json FILE]

N articles are generated deterministically (seeded random, lazily, one batch at a time): about
20 sites, Chinese bodies of a few hundred characters built from a vocabulary of sentences
(some naming a 技术创新中心), publication times spread over 2021-2022, ~10% government
documents (``gov_meta``, 文号 and its parts), entities, amounts, attachments, and ~15% copies
of earlier articles (``duplicate_of`` and the original's ``cluster_id``).

Load, on SQLite (a temporary file) and, with ``--postgres ADMIN_URL``, on a temporary Postgres
database (created and dropped by this script):

* ``pipeline``: every article through ``StoragePipeline`` (``process_item`` awaited on an event
  loop, a batch of ``STORAGE_BATCH_SIZE`` arriving together, then ``close_spider``), i.e. as in
  a crawl: the links the stage decides (exact originals, the near-duplicate assignment with
  its signatures, bands and clusters), the upsert plus the derived tables (attachments,
  entities, article_entities, amounts, gov_metadata) and, on SQLite, the FTS5 triggers. The
  generated links (``duplicate_of``, ``cluster_id``) are the stage's to decide, as a crawl's.
* ``raw``: the same article rows (``articles`` columns only) inserted with one ``executemany``
  per batch of the same size into another fresh database with the same schema (so the raw
  insert pays the same indexes, FTS5 triggers and trigram indexes, but no derived tables).

Only the database work is timed; generating the articles (and the raw rows) is not. After the
load, two years of daily ``crawl_runs`` per site are inserted with plain SQL, and the planner
statistics are refreshed (``ANALYZE``).

Queries: the SQL blocks of ``docs/queries.md`` (parsed like ``tests/test_queries.py``) and
``crawler.db.search.search(connection, "技术创新中心")``, each run once to warm up then 5 times,
all rows fetched; the median in ms is reported with the indexes the plan uses (``EXPLAIN QUERY
PLAN`` / ``EXPLAIN``); the whole plan is printed for queries over 100 ms.

Search: ``search(connection, term)`` (the newest 20 hits, as ``scrapy search`` asks) for words
of 1, 2, 3 and 6 characters, common and rare (``SEARCH_TERMS``; the generator puts the rare
ones in a few articles), against the unindexed ``LIKE`` scan the CLI fell back to before
(``LIKE_BASELINE``), timed the same way in the same run, with their ratio and a check of the
50 ms target.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scrapy import Spider  # noqa: E402
from sqlalchemy import Connection, Engine, create_engine, make_url, text  # noqa: E402

from crawler.db.articles import article_row  # noqa: E402
from crawler.db.engine import make_engine  # noqa: E402
from crawler.db.models import ArticleRow  # noqa: E402
from crawler.db.schema import ensure_schema  # noqa: E402
from crawler.db.search import search  # noqa: E402
from crawler.items import Article, annex_from_json  # noqa: E402
from pipelines.storage import StoragePipeline  # noqa: E402
from tests.conftest import project_crawler  # noqa: E402

QUERIES_DOC = ROOT / "docs" / "queries.md"
SEED = 20221
BATCH_SIZE = 200  # STORAGE_BATCH_SIZE of crawler/settings.py
RUNS = 5
FAST_MS = 100.0
SEARCH_TERM = "技术创新中心"
BEIJING = timezone(timedelta(hours=8))
START = datetime(2021, 1, 1, tzinfo=BEIJING)
SPAN_SECONDS = 2 * 365 * 24 * 3600
COPY_SHARE = 0.15
GOV_SHARE = 0.10
RECENT_ORIGINALS = 5000  # copies pick their original among the last ones: bounded memory

# Vocabulary: site id -> (city, bureau), as on the Zhejiang bureau sites the crawler targets.
SITES = {
    "kjj.jiaxing.gov.cn": ("嘉兴市", "嘉兴市科学技术局"),
    "kjj.qz.gov.cn": ("衢州市", "衢州市科学技术局"),
    "kjj.hangzhou.gov.cn": ("杭州市", "杭州市科学技术局"),
    "kjj.ningbo.gov.cn": ("宁波市", "宁波市科学技术局"),
    "kjj.wenzhou.gov.cn": ("温州市", "温州市科学技术局"),
    "kjj.huzhou.gov.cn": ("湖州市", "湖州市科学技术局"),
    "kjj.sx.gov.cn": ("绍兴市", "绍兴市科学技术局"),
    "kjj.jinhua.gov.cn": ("金华市", "金华市科学技术局"),
    "kjj.zhoushan.gov.cn": ("舟山市", "舟山市科学技术局"),
    "kjj.zjtz.gov.cn": ("台州市", "台州市科学技术局"),
    "kjj.lishui.gov.cn": ("丽水市", "丽水市科学技术局"),
    "kjt.zj.gov.cn": ("杭州市", "浙江省科学技术厅"),
    "www.zj.gov.cn": ("杭州市", "浙江省人民政府办公厅"),
    "fzggw.zj.gov.cn": ("杭州市", "浙江省发展和改革委员会"),
    "jxt.zj.gov.cn": ("杭州市", "浙江省经济和信息化厅"),
    "zj.zjol.com.cn": ("杭州市", "浙江在线"),
    "www.chinahightech.com": ("北京市", "中国高新网"),
    "www.qz828.com": ("衢州市", "衢州新闻网"),
    "www.cnjxol.com": ("嘉兴市", "嘉兴在线"),
    "news.hangzhou.com.cn": ("杭州市", "杭州网"),
}
DOC_CODES = {"嘉兴市科学技术局": "嘉科", "衢州市科学技术局": "衢市科", "浙江省科学技术厅": "浙科发"}
OUTLETS = [
    "新华社",
    "浙江日报",
    "衢州日报",
    "嘉兴日报",
    "浙江在线",
    "中国高新网",
    "科技日报",
    "杭州日报",
    "安徽新闻联播",
]
CENTERS = [
    "浙江省高端化学品技术创新中心",
    "浙江省智能感知技术创新中心",
    "浙江省绿色石化技术创新中心",
    "嘉兴市柔性电子技术创新中心",
    "衢州市氟硅新材料技术创新中心",
]
ORGANIZATIONS = [
    "之江实验室",
    "浙江大学",
    "西湖大学",
    "中国科学院",
    "巨化集团",
    "嘉兴学院",
    "浙江清华长三角研究院",
    "浙江工业大学",
    "杭州电子科技大学",
    "衢州学院",
    "中电海康集团",
    "正泰集团",
    "万向集团",
    "吉利控股集团",
    "浙江省科学技术厅",
    "浙江省发展和改革委员会",
    "宁波材料技术与工程研究所",
    "浙江省农业科学院",
]
DISTRICTS = ["南湖区", "秀洲区", "柯城区", "衢江区", "余杭区", "西湖区", "鄞州区", "海宁市", "桐乡市", "江山市"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "世强明华建国晓东海燕志伟丽娟永刚红梅文杰国平秀英卫东金龙春生"
ROLES = ["主任", "局长", "副局长", "院长", "董事长", "首席科学家", "总工程师", "副市长", "处长"]
SENTENCES = [
    "近日，{org}与{city}签署战略合作协议，共建{center}。",
    "{center}建设方案通过专家论证，将聚焦关键核心技术攻关。",
    "{city}科技局组织召开{year}年度科技计划项目推进会，部署下一阶段重点工作。",
    "会议指出，要深入实施创新驱动发展战略，加快打造高能级科创平台。",
    "{person}{role}表示，{org}将持续加大研发投入，推动成果转化落地。",
    "今年以来，{city}新增国家高新技术企业{n}家，同比增长{pct}%。",
    "项目总投资{amount}，建成后预计年产值超过{amount2}。",
    "{district}围绕数字经济和先进制造业，着力培育创新型产业集群。",
    "根据《{city}科技创新“十四五”规划》，到2025年研发投入强度达到{pct}%。",
    "经专家评审和社会公示，确定{n}家单位为{year}年度市级重点实验室。",
    "{org}牵头承担的省重点研发计划项目顺利通过验收。",
    "活动现场，{n}个产学研合作项目集中签约，签约金额{amount}。",
    "下一步，{city}将进一步优化创新生态，强化企业科技创新主体地位。",
    "据悉，{center}已集聚研发人员{n}余名，申请发明专利{n2}项。",
    "各县（市、区）科技部门要高度重视，认真做好项目申报和组织推荐工作。",
    "对认定的市级研发中心给予{amount}资助，所需资金由市县两级财政按比例承担。",
    "本通知自发布之日起施行，由{issuer}负责解释。",
    "为加快推进科技成果转移转化，现将有关事项通知如下。",
    "{district}科创走廊建设取得阶段性成效，引进高层次人才团队{n}个。",
    "与会代表围绕技术攻关、人才培养和成果转化等方面进行了深入交流。",
]
TOPIC_SENTENCES = {0, 1, 13}  # the sentences naming a 技术创新中心
# Sentences added to a share of the originals, so search terms range from common to rare.
OCCASIONAL_SENTENCES = [
    (0.03, "疫情防控常态化以来，{city}科技型企业复工复产有序推进。"),
    (0.02, "{city}统计局数据显示，1-10月全市GDP同比增长{pct}%。"),
    (0.005, "{district}养老服务中心引入智慧健康监测设备。"),
    (0.001, "{org}研发的创新药品获批上市。"),
]
# Words of 1, 2, 3 and 6 characters, from common (in most articles) to absent (鳄鱼).
SEARCH_TERMS = [
    "的",
    "药",
    "科技",
    "疫情",
    "统计",
    "养老",
    "鳄鱼",
    "GDP",
    "gdp",
    "科技局",
    "十四五",
    "技术创新中心",
    "鳄鱼保护区",
]
SEARCH_FAST_MS = 50.0
LIKE_BASELINE = (
    "SELECT articles.id FROM articles WHERE (articles.body LIKE :pattern OR articles.title LIKE :pattern) "
    "ORDER BY articles.published DESC NULLS LAST, articles.id DESC LIMIT 20"
)
"""The fallback ``scrapy search`` used before: an unindexed scan (``ILIKE`` on Postgres)."""
TOPIC_SHARE = 0.05  # articles about a 技术创新中心 (body and, for some, title)
ATTACHMENT_TYPES = ["pdf", "pdf", "docx", "doc", "xlsx", "wps"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _amount(rng: random.Random) -> tuple[str, int]:
    if rng.random() < 0.5:
        wan = rng.randint(10, 5000)
        return f"{wan}万元", wan * 10_000
    yi = rng.randint(1, 300) / 10
    return f"{yi:g}亿元", int(yi * 100_000_000)


@dataclass
class _Original:
    url: str
    cluster_id: int
    title: str
    body: str
    content_hash: str
    published: datetime


@dataclass
class ArchiveGenerator:
    """Yields the same articles for the same seed; holds only the last originals for copies."""

    seed: int = SEED
    recent: list[_Original] = field(default_factory=list)
    clusters: int = 0

    def articles(self, count: int) -> Iterator[Article]:
        rng = random.Random(self.seed)
        self.recent, self.clusters = [], 0
        # Increasing times with jitter: a crawl archive arrives roughly in publication order.
        step = SPAN_SECONDS / max(count, 1)
        for n in range(count):
            published = START + timedelta(seconds=n * step + rng.uniform(0, step))
            if self.recent and rng.random() < COPY_SHARE:
                yield self._copy(rng, n, published)
            else:
                yield self._original(rng, n, published)

    def _original(self, rng: random.Random, n: int, published: datetime) -> Article:
        site = rng.choice(list(SITES))
        city, bureau = SITES[site]
        is_gov = site.endswith("gov.cn") and rng.random() < GOV_SHARE * 1.6
        org, person, role = rng.choice(ORGANIZATIONS), _person(rng), rng.choice(ROLES)
        center, district = rng.choice(CENTERS), rng.choice(DISTRICTS)
        amounts = [_amount(rng) for _ in range(rng.randint(0, 3))]
        picks = rng.sample(range(len(SENTENCES)), rng.randint(7, 12))
        on_topic = rng.random() < TOPIC_SHARE
        if not on_topic:
            picks = [pick for pick in picks if pick not in TOPIC_SENTENCES] or [2]
        money = [text for text, _ in amounts] or ["500万元"]
        values = {
            "org": org,
            "city": city,
            "center": center,
            "year": published.year,
            "person": person,
            "role": role,
            "n": rng.randint(3, 300),
            "n2": rng.randint(10, 900),
            "pct": rng.randint(2, 40),
            "district": district,
            "amount": money[0],
            "amount2": money[-1],
            "issuer": bureau,
        }
        paragraphs = [
            "".join(SENTENCES[pick].format(**values) for pick in picks[i : i + 3]) for i in range(0, len(picks), 3)
        ]
        paragraphs += [sentence.format(**values) for share, sentence in OCCASIONAL_SENTENCES if rng.random() < share]
        body = "\n".join(paragraphs)
        title = self._title(rng, city, bureau, center if on_topic else "科技企业孵化器", published, is_gov)
        url = f"http://{site}/art/{published:%Y/%m/%d}/art_{n}.html"
        content_hash = hashlib.sha256(body.replace("\n", "").encode()).hexdigest()
        self.clusters += 1
        extra: dict[str, Any] = {
            "entities": {
                "organizations": [{"name": org, "count": rng.randint(1, 4)}]
                + ([{"name": center, "count": 2}] if center in body else []),
                "places": [
                    {"name": city, "level": "city", "count": rng.randint(1, 5)},
                    {"name": district, "level": "district", "count": 1},
                ],
                "people": [{"name": person, "role": f"{org}{role}", "count": 1}] if person in body else [],
            },
            "amounts": [{"text": text, "yuan": yuan} for text, yuan in amounts],
        }
        fields: dict[str, Any] = {}
        if is_gov:
            fields = self._gov_fields(rng, bureau, published, extra)
        if is_gov or rng.random() < 0.03:
            extra["attachments"] = [
                {
                    "url": f"http://{site}/art/{published:%Y/%m/%d}/fj_{n}_{k}.{kind}",
                    "text": f"附件{k + 1}",
                    "type": kind,
                }
                for k, kind in enumerate(rng.sample(ATTACHMENT_TYPES, rng.randint(1, 2)))
            ]
        script = rng.choices(["simplified", "traditional", "mixed"], weights=[985, 10, 5])[0]
        article = Article(
            url=url,
            canonical_url=url,
            site=site,
            fetched_at=(published + timedelta(hours=rng.uniform(1, 48))).isoformat(),
            title=title,
            published=published.isoformat(),
            published_raw=f"{published:%Y-%m-%d %H:%M}",
            source_name=rng.choice([bureau, *OUTLETS]) if rng.random() < 0.6 else None,
            author=_person(rng) if rng.random() < 0.4 else None,
            editor=_person(rng) if rng.random() < 0.3 else None,
            body=body,
            body_original=body,
            script=script,
            content_hash=content_hash,
            cluster_id=self.clusters,
            extra=annex_from_json(extra),
            **fields,
        )
        self.recent.append(_Original(url, self.clusters, title, body, content_hash, published))
        if len(self.recent) > RECENT_ORIGINALS:
            del self.recent[: RECENT_ORIGINALS // 2]
        return article

    def _copy(self, rng: random.Random, n: int, published: datetime) -> Article:
        """A repost on another site: word for word (same hash) or lightly edited (near duplicate)."""
        original = rng.choice(self.recent)
        site = rng.choice(list(SITES))
        exact = rng.random() < 0.5
        body = original.body if exact else original.body + "\n（责任编辑：" + _person(rng) + "）"
        url = f"http://{site}/art/{published:%Y/%m/%d}/art_{n}.html"
        return Article(
            url=url,
            canonical_url=url,
            site=site,
            fetched_at=(published + timedelta(hours=2)).isoformat(),
            title=original.title,
            published=max(published, original.published).isoformat(),
            source_name=rng.choice(OUTLETS),
            body=body,
            body_original=body,
            content_hash=original.content_hash if exact else hashlib.sha256(body.encode()).hexdigest(),
            duplicate_of=original.url,
            cluster_id=original.cluster_id,
        )

    @staticmethod
    def _title(rng: random.Random, city: str, bureau: str, center: str, published: datetime, is_gov: bool) -> str:
        if is_gov:
            kind = center[-6:] if center.endswith("中心") else center
            return rng.choice(
                [
                    f"关于下达{published.year}年{city}科技计划项目经费的通知",
                    f"{bureau}关于公布第{rng.randint(1, 5)}批市级{kind}名单的通知",
                    f"关于组织申报{published.year}年度{city}重点研发计划项目的通知",
                    f"{bureau}关于印发科技创新政策实施细则的通知",
                ]
            )
        return (
            rng.choice(
                [
                    f"{city}科创平台建设获重大突破",
                    f"{center}揭牌成立",
                    f"{city}召开科技创新大会",
                    f"{city}高新技术产业增加值持续增长",
                    f"{center}建设进展顺利",
                    f"{city}举办产学研合作对接会",
                ]
            )
            + f"（{rng.randint(1, 999)}）"
        )

    @staticmethod
    def _gov_fields(rng: random.Random, bureau: str, published: datetime, extra: dict[str, Any]) -> dict[str, Any]:
        code = DOC_CODES.get(bureau, bureau[:2] + "科")
        serial = rng.randint(1, 120)
        doc_number = f"{code}〔{published.year}〕{serial}号"
        written = published - timedelta(days=rng.randint(0, 10))
        extra["gov_meta"] = {
            "index_number": f"11330400002578{rng.randint(1000, 9999)}/{published.year}-{rng.randint(10000, 99999)}",
            "issuer": bureau,
            "topic": rng.choice(["科技", "综合政务", "财政"]),
            "written_date": f"{written:%Y年%-m月%-d日}",
            "published_date": f"{published:%Y-%m-%d}",
            "validity": rng.choice(["有效", "有效", "失效"]),
        }
        extra["doc_number_parts"] = {"code": code, "year": published.year, "serial": serial}
        if rng.random() < 0.05:
            extra.setdefault("quality", {})["missing"] = ["effective_date"]
        if rng.random() < 0.02:
            index_number = extra["gov_meta"]["index_number"]
            invalid = {"field": "index_number", "value": index_number, "reason": "not_an_index_number"}
            extra.setdefault("quality", {})["invalid"] = [invalid]
        return {"doc_number": doc_number, "issuer": bureau}


def batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def progress(label: str, done: int, total: int, seconds: float) -> None:
    if done % 10_000 < BATCH_SIZE or done == total:
        print(f"  {label}: {done}/{total} articles, {done / max(seconds, 1e-9):.0f}/s", file=sys.stderr, flush=True)


def load_through_pipeline(url: str, count: int, spool_dir: Path) -> float:
    """Seconds the storage pipeline spent on ``count`` generated articles (generation not counted)."""
    settings = {"DATABASE_URL": url, "SPOOL_DIR": str(spool_dir), "STORAGE_BATCH_SIZE": BATCH_SIZE}
    pipeline = StoragePipeline.from_crawler(project_crawler(Spider, settings))
    pipeline.open_spider()
    if pipeline.schema_error:
        raise RuntimeError(pipeline.schema_error)

    async def load() -> float:
        # process_item returns once its batch committed: a batch of items arriving together
        # is one transaction, as in a crawl.
        spent, done = 0.0, 0
        for batch in batches(ArchiveGenerator().articles(count), BATCH_SIZE):
            started = time.perf_counter()
            await asyncio.gather(*(pipeline.process_item(article) for article in batch))
            spent += time.perf_counter() - started
            done += len(batch)
            progress("pipeline", done, count, spent)
        started = time.perf_counter()
        pipeline.close_spider()
        return spent + time.perf_counter() - started

    spent = asyncio.run(load())
    if pipeline.stats.get_value("storage/spooled"):
        raise RuntimeError("the pipeline spooled articles: the load failed")
    return spent


def load_raw(url: str, count: int) -> float:
    """Seconds one ``executemany`` per batch took to insert the same ``articles`` rows."""
    engine = make_engine(url)
    ensure_schema(engine)
    now = datetime.now(UTC)
    insert = ArticleRow.__table__.insert()
    spent, done = 0.0, 0
    try:
        for batch in batches(ArchiveGenerator().articles(count), BATCH_SIZE):
            rows = [article_row(article, now) for article in batch]
            started = time.perf_counter()
            with engine.begin() as connection:
                connection.execute(insert, rows)
            spent += time.perf_counter() - started
            done += len(batch)
            progress("raw", done, count, spent)
    finally:
        engine.dispose()
    return spent


def add_runs(engine: Engine) -> None:
    """Daily crawl runs per site, fresh statistics (the clusters are the storage stage's)."""
    with engine.begin() as connection:
        runs = [
            {
                "site": site,
                "started_at": START.astimezone(UTC) + timedelta(days=day, hours=1),
                "finished_at": START.astimezone(UTC) + timedelta(days=day, hours=1, minutes=12),
                "status": "ok" if (day + index) % 29 else "failed",
                "new": (day * 7 + index) % 40,
            }
            for index, site in enumerate(SITES)
            for day in range(730)
        ]
        connection.execute(
            text(
                "INSERT INTO crawl_runs (site, started_at, finished_at, status, requests, list_pages, "
                "list_pages_changed, article_pages, new_articles, updated, duplicates, extraction_failures, "
                "errors, blocked_responses, warnings) VALUES (:site, :started_at, :finished_at, :status, 100, 5, 1, "
                ":new, :new, 0, 1, 0, 0, 0, '[]')"
            ),
            [{**run, **_run_times(engine, run)} for run in runs],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def _run_times(engine: Engine, run: dict[str, Any]) -> dict[str, Any]:
    """Times as the ``UTCDateTime`` columns store them (naive UTC text on SQLite)."""
    if engine.dialect.name != "sqlite":
        return {}
    return {key: run[key].replace(tzinfo=None).isoformat(sep=" ") for key in ("started_at", "finished_at")}


def documented_queries() -> dict[str, str]:
    """``-- id: name`` -> SQL of each fenced sql block in docs/queries.md (as tests/test_queries.py)."""
    blocks = re.findall(r"```sql\n-- id: (\w+)\n(.*?)```", QUERIES_DOC.read_text(encoding="utf-8"), re.DOTALL)
    return dict(blocks)


def median_ms(run: Callable[[], object]) -> tuple[float, int]:
    """Median wall time of ``RUNS`` runs after one warm-up, and the result size."""
    result = run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(result) if isinstance(result, Sequence) else 0


def plan(connection: Connection, sql: str) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if connection.dialect.name == "sqlite" else "EXPLAIN "
    rows = connection.execute(text(prefix + sql)).all()
    return [str(row[-1]) for row in rows]


_SQLITE_INDEX = re.compile(r"USING (?:COVERING )?INDEX (\w+)")
_POSTGRES_INDEX = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)")
_FULL_SCAN = re.compile(r"^(?:SCAN (\w+)$|(?:Parallel )?Seq Scan on (\w+))")


def _plan_step(line: str) -> list[str]:
    """What one plan line reads through: an index, a primary key, FTS5, or a full scan."""
    step = line.strip().lstrip("-> ").strip()
    words = step.split()
    if " VIRTUAL TABLE " in step:
        return [f"{words[1]} (FTS5)"]
    if "AUTOMATIC" in step:
        return [f"automatic index on {words[1]}"]
    if "PRIMARY KEY" in step:
        return [f"pk:{words[1]}"]
    found = _SQLITE_INDEX.findall(step) + _POSTGRES_INDEX.findall(step)
    scan = _FULL_SCAN.match(step)
    if scan:
        found.append(f"scan:{scan.group(1) or scan.group(2)}")
    return found


def indexes_used(lines: Sequence[str]) -> list[str]:
    """Index names (and full scans) a plan mentions, in order, each once."""
    return list(dict.fromkeys(name for line in lines for name in _plan_step(line)))


@dataclass
class QueryTime:
    name: str
    ms: float
    rows: int
    indexes: list[str]
    plan: list[str]


@dataclass
class SearchTime:
    term: str
    hits: int
    ms: float
    like_ms: float


def time_searches(url: str) -> list[SearchTime]:
    """``search`` and the ``LIKE`` scan baseline for each of ``SEARCH_TERMS``."""
    engine = make_engine(url)
    results = []
    try:
        with engine.connect() as connection:
            like = LIKE_BASELINE if connection.dialect.name == "sqlite" else LIKE_BASELINE.replace(" LIKE ", " ILIKE ")
            for term in SEARCH_TERMS:
                ms, _ = median_ms(lambda term=term: search(connection, term))  # type: ignore[misc]
                pattern = {"pattern": f"%{term}%"}
                like_ms, _ = median_ms(lambda pattern=pattern: connection.execute(text(like), pattern).all())  # type: ignore[misc]
                hits = connection.execute(
                    text("SELECT COUNT(*) FROM articles WHERE body LIKE :pattern OR title LIKE :pattern")
                    if connection.dialect.name == "sqlite"
                    else text("SELECT COUNT(*) FROM articles WHERE body ILIKE :pattern OR title ILIKE :pattern"),
                    pattern,
                ).scalar_one()
                results.append(SearchTime(term, int(hits), ms, like_ms))
    finally:
        engine.dispose()
    return results


def search_table(results: Sequence[DatabaseResult]) -> str:
    headers = ["term", "chars", "hits"]
    for result in results:
        headers += [f"{result.database} ms", f"{result.database} LIKE ms", f"{result.database} LIKE/search"]
    headers.append(f"under {SEARCH_FAST_MS:.0f} ms?")
    rows = []
    for index, term in enumerate(SEARCH_TERMS):
        times = [result.searches[index] for result in results]
        row: list[object] = [term, len(term), times[0].hits]
        for timed in times:
            row += [f"{timed.ms:.1f}", f"{timed.like_ms:.1f}", f"{timed.like_ms / max(timed.ms, 1e-6):.0f}x"]
        row.append("yes" if all(timed.ms < SEARCH_FAST_MS for timed in times) else "NO")
        rows.append(row)
    return table(headers, rows)


def time_queries(url: str) -> list[QueryTime]:
    engine = create_engine(url) if make_url(url).get_backend_name() != "sqlite" else make_engine(url)
    results = []
    try:
        with engine.connect() as connection:
            for name, sql in documented_queries().items():
                ms, rows = median_ms(lambda sql=sql: connection.execute(text(sql)).all())  # type: ignore[misc]
                lines = plan(connection, sql)
                results.append(QueryTime(name, ms, rows, indexes_used(lines), lines))
            ms, rows = median_ms(lambda: search(connection, SEARCH_TERM))
            sql = _search_sql(connection.dialect.name)
            lines = plan(connection, sql)
            results.append(QueryTime(f"search({SEARCH_TERM})", ms, rows, indexes_used(lines), lines))
    finally:
        engine.dispose()
    return results


def _search_sql(dialect: str) -> str:
    """The statement ``crawler.db.search.search`` runs (its documented form), for EXPLAIN."""
    if dialect == "sqlite":
        return (
            "SELECT articles.id FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH '\"{SEARCH_TERM}\"' ORDER BY articles.published DESC NULLS LAST, "
            "articles.id DESC LIMIT 20"
        )
    return (
        f"SELECT articles.id FROM articles WHERE (articles.body LIKE '%{SEARCH_TERM}%' OR articles.title LIKE "
        f"'%{SEARCH_TERM}%') ORDER BY articles.published DESC NULLS LAST, articles.id DESC LIMIT 20"
    )


@dataclass
class DatabaseResult:
    database: str
    articles: int
    pipeline_seconds: float
    raw_seconds: float
    queries: list[QueryTime]
    searches: list[SearchTime] = field(default_factory=list)

    @property
    def pipeline_rate(self) -> float:
        return self.articles / self.pipeline_seconds

    @property
    def raw_rate(self) -> float:
        return self.articles / self.raw_seconds


def benchmark(database: str, pipeline_url: str, raw_url: str, count: int, spool_dir: Path) -> DatabaseResult:
    print(f"{database}: loading {count} articles", file=sys.stderr, flush=True)
    # Each load starts with the dirty pages of the one before written out (os.sync), so the
    # disk flushing the previous stage's files is charged to neither side of the ratio.
    os.sync()
    pipeline_seconds = load_through_pipeline(pipeline_url, count, spool_dir)
    os.sync()
    raw_seconds = load_raw(raw_url, count)
    engine = make_engine(pipeline_url)
    try:
        add_runs(engine)
    finally:
        engine.dispose()
    print(f"{database}: timing queries", file=sys.stderr, flush=True)
    queries = time_queries(pipeline_url)
    return DatabaseResult(database, count, pipeline_seconds, raw_seconds, queries, time_searches(pipeline_url))


class PostgresDatabases:
    """Temporary databases on the server of an admin URL, dropped on exit."""

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url)
        self.engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self) -> str:
        name = f"govnews_bench_{uuid.uuid4().hex[:10]}"
        with self.engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.admin.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.engine.connect() as connection:
            for name in self.names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)) for row in cells]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _width(cell: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in cell)


def load_table(results: Sequence[DatabaseResult]) -> str:
    rows = [
        (
            result.database,
            result.articles,
            f"{result.pipeline_rate:.0f}",
            f"{result.raw_rate:.0f}",
            f"{result.pipeline_rate / result.raw_rate:.2f}",
            "yes" if result.pipeline_rate >= 0.5 * result.raw_rate else "NO",
        )
        for result in results
    ]
    headers = ("database", "articles", "pipeline art/s", "raw executemany art/s", "pipeline/raw", ">= 0.5?")
    note = (
        "pipeline = StoragePipeline (upsert + attachments, entities, article_entities, amounts, gov_metadata; "
        "FTS5 triggers on SQLite, pg_trgm GIN on Postgres)\n"
        "raw = INSERT of the same articles rows only, one executemany per batch of "
        f"{BATCH_SIZE}, same schema (same indexes/FTS triggers), no derived tables"
    )
    return table(headers, rows) + "\n" + note


def query_table(results: Sequence[DatabaseResult]) -> str:
    by_db = {result.database: {query.name: query for query in result.queries} for result in results}
    names = [query.name for query in results[0].queries]
    headers = ["query", *(f"{db} ms" for db in by_db), *(f"{db} rows" for db in by_db), "under 100 ms?"]
    rows = []
    for name in names:
        times = [by_db[db][name].ms for db in by_db]
        fast = "yes" if all(ms < FAST_MS for ms in times) else "NO"
        rows.append([name, *(f"{ms:.1f}" for ms in times), *(by_db[db][name].rows for db in by_db), fast])
    return table(headers, rows)


def index_table(results: Sequence[DatabaseResult]) -> str:
    rows = [
        [query.name, result.database, ", ".join(query.indexes) or "-"] for result in results for query in result.queries
    ]
    return table(("query", "database", "indexes / scans in the plan"), rows)


def slow_plans(results: Sequence[DatabaseResult]) -> str:
    parts = []
    for result in results:
        for query in result.queries:
            if query.ms >= FAST_MS:
                parts.append(f"--- {query.name} on {result.database}: {query.ms:.0f} ms\n" + "\n".join(query.plan))
    return "\n".join(parts) or "(none)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--postgres", help="admin URL of a Postgres server that may create databases")
    parser.add_argument("--json", type=Path, help="also save the results to this file")
    args = parser.parse_args()

    results: list[DatabaseResult] = []
    with tempfile.TemporaryDirectory(prefix="govnews-sql-bench-") as workdir:
        work = Path(workdir)
        results.append(
            benchmark(
                "sqlite",
                f"sqlite:///{work / 'pipeline.db'}",
                f"sqlite:///{work / 'raw.db'}",
                args.articles,
                work / "spool",
            )
        )
        if args.postgres:
            databases = PostgresDatabases(args.postgres)
            try:
                pipeline_url, raw_url = databases.create(), databases.create()
                results.append(benchmark("postgres", pipeline_url, raw_url, args.articles, work / "spool"))
            finally:
                databases.drop_all()

    print("\n== Bulk load ==")
    print(load_table(results))
    print(f"\n== Queries (median of {RUNS} after one warm-up, all rows fetched) ==")
    print(query_table(results))
    print(f"\n== Search, newest 20 hits (median of {RUNS} after one warm-up) against the LIKE scan ==")
    print(search_table(results))
    print("\n== Indexes in each plan ==")
    print(index_table(results))
    print(f"\n== Plans of queries over {FAST_MS:.0f} ms ==")
    print(slow_plans(results))
    if args.json:
        payload = [
            {**asdict(result), "pipeline_rate": result.pipeline_rate, "raw_rate": result.raw_rate} for result in results
        ]
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
