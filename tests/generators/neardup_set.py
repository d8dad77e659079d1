"""The near-duplicate evaluation set: originals, their variants, and how a detector is scored on it.

Originals are the five seeds (cleaned by the cleaning stage, as a crawl stores them) and the
truth bodies of ``../shared/corpus/dev/*/truth.json`` (skipped when absent). For each original,
one variant of each kind is made from raw text and then put through the cleaning stage
(:func:`pipelines.text.clean.clean_article`), so the detector sees what a crawl would give it:

* ``frame``: another page frame, breadcrumb, 来源/作者 header, print/close links, related
  articles, copyright and ICP footer;
* ``traditional``: the whole text converted with OpenCC ``s2t``;
* ``pinyin``: tone-marked pinyin after about 10% of the words, like ``seeds/000``;
* ``truncated``: the first 70% of the body (30% cut);
* ``retitled``: another title and an editor's note line before the body;
* ``spun``: light synonym spinning (伪原创), each listed word replaced with probability 0.5.

Every pair of originals is a distractor pair (different articles), among them the three
Zhejiang technology-innovation-centre seeds (000, 002, 003), two statistics bulletins built on
one template (万载 2015, 宜春 2022), two Xinhua reports and two space articles.

The true pairs are every two documents of one story (original and variants); the found pairs
are every two documents the detector puts in one cluster (:func:`cluster_found`, the database
code the pipeline runs, on a temporary SQLite file) or whose estimated Jaccard reaches the
threshold (:func:`pairwise_found`). Used by the quality gate (``tests/test_similarity_eval.py``)
and by ``benchmarks/dedup_eval.py`` and ``benchmarks/dedup.py``.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jieba
from pypinyin import Style, lazy_pinyin

from pipelines.similarity.minhash import Scheme, estimated_jaccard, fingerprint
from pipelines.text.clean import clean_article
from pipelines.text.script import converter, to_simplified

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = ROOT / "seeds"
CORPUS_DIR = ROOT.parent / "shared" / "corpus" / "dev"
VARIANT_KINDS = ("frame", "traditional", "pinyin", "truncated", "retitled", "spun")

# Synonym swaps of the kind spinning tools make (the first entries are the ones seen in
# seeds/004, see pipelines/vocab/spun.tsv; the rest are common 伪原创 tool swaps).
SPIN_SYNONYMS = (
    ("创新", "立异"), ("发展", "展开"), ("技术", "技能"), ("研究", "研讨"), ("关键", "要害"),
    ("示范", "演示"), ("突破", "打破"), ("产业", "工业"), ("激发", "激起"), ("超过", "超越"),
    ("投资", "出资"), ("实践", "饯别"), ("融合", "交融"), ("目前", "现在"), ("通过", "经过"),
    ("已经", "现已"), ("表示", "表明"), ("主要", "首要"), ("同时", "一起"), ("提高", "进步"),
    ("增长", "添加"), ("进行", "开展"), ("问题", "疑问"), ("工作", "作业"),
    ("企业", "公司"), ("活动", "举动"), ("建设", "制作"), ("服务", "效劳"), ("提供", "供给"),
    ("推动", "促进"), ("随着", "跟着"), ("认为", "以为"), ("部分", "有些"),
    ("情况", "状况"), ("成为", "变成"), ("能力", "才能"), ("需要", "需求"),
)  # fmt: skip
FRAME_HEAD = (
    "首页 > 新闻中心 > 转载",
    "来源：{source}  作者：本站编辑  发布时间：2023-06-02 16:00  浏览次数：1024",
    "【字体：大 中 小】【打印本页】【关闭窗口】",
)
FRAME_FOOT = (
    "责任编辑：王晓明",
    "分享到：微信 微博 QQ空间",
    "相关阅读",
    "{related}",
    "版权所有：某市人民政府办公室 主办 网站标识码3300000001 浙ICP备05002411号",
    "扫一扫在手机打开当前页",
)


@dataclass(frozen=True)
class Document:
    story: str
    """Id of the original this document is (a copy of)."""
    kind: str
    """``original`` or a variant kind."""
    title: str | None
    body: str
    source_name: str | None = None

    @property
    def key(self) -> str:
        return f"{self.story}/{self.kind}"


@dataclass(frozen=True)
class Original:
    story: str
    title: str | None
    body: str
    source_name: str | None


def seed_originals(seeds_dir: Path = SEEDS_DIR) -> list[Original]:
    """The seeds as the cleaning stage leaves them (first line title, the rest body)."""
    originals = []
    for path in sorted(seeds_dir.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        cleaned = clean_article(title, body)
        originals.append(Original(f"seed-{path.name[:3]}", cleaned.title, cleaned.body, None))
    return originals


def corpus_originals(corpus_dir: Path = CORPUS_DIR) -> list[Original]:
    """The truth bodies of the dev corpus, in Simplified script; empty when it is absent."""
    originals = []
    for path in sorted(corpus_dir.glob("*/truth.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        body, title = to_simplified(truth["body"]), truth.get("title")
        originals.append(Original(truth["id"], to_simplified(title) if title else None, body, truth.get("source_name")))
    return originals


def _words_with_pinyin(text: str, rng: random.Random, share: float) -> str:
    out = []
    for word in jieba.lcut(text, HMM=False):
        out.append(word)
        if re.fullmatch(r"[\u4e00-\u9fff]{1,4}", word) and rng.random() < share:
            out.append("(" + "".join(lazy_pinyin(word, style=Style.TONE)) + ")")
    return "".join(out)


def spin(text: str, rng: random.Random, probability: float = 0.5) -> str:
    """``text`` with each listed word replaced by its spun synonym with ``probability``."""
    table = dict(SPIN_SYNONYMS)
    pattern = re.compile("|".join(re.escape(word) for word in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m[0]] if rng.random() < probability else m[0], text)


def raw_variant(original: Original, kind: str, rng: random.Random, related: Sequence[str]) -> tuple[str | None, str]:
    """The raw (title, body) of one variant, before the cleaning stage."""
    title, body = original.title, original.body
    if kind == "frame":
        source = original.source_name or "新华网"
        head = [line.format(source=source) for line in FRAME_HEAD]
        foot = [line.format(related="\n".join(related)) for line in FRAME_FOOT]
        return title, "\n".join([*head, body, *foot])
    if kind == "traditional":
        s2t = converter("s2t")
        return (str(s2t.convert(title)) if title else None), str(s2t.convert(body))
    if kind == "pinyin":
        return title, _words_with_pinyin(body, rng, 0.1)
    if kind == "truncated":
        return title, body[: int(len(body) * 0.7)]
    if kind == "retitled":
        new_title = f"转载｜{title[len(title) // 2 :]}引发关注" if title else "转载"
        return new_title, "（本文转自网络，版权归原作者所有）\n" + body
    if kind == "spun":
        return title, spin(body, rng)
    raise ValueError(f"unknown variant kind {kind!r}")


def variant(original: Original, kind: str, rng: random.Random, related: Sequence[str] = ()) -> Document:
    """One variant as the cleaning stage leaves it."""
    title, body = raw_variant(original, kind, rng, related)
    cleaned = clean_article(title, body)
    source = original.source_name if kind != "frame" else (original.source_name or "新华网")
    return Document(original.story, kind, cleaned.title, cleaned.body, source)


def evaluation_set(originals: Sequence[Original], seed: int = 6) -> list[Document]:
    """Every original and one variant of each kind, generated reproducibly from ``seed``."""
    rng = random.Random(seed)
    titles = [o.title for o in originals if o.title]
    documents = []
    for original in originals:
        documents.append(Document(original.story, "original", original.title, original.body, original.source_name))
        related = [t for t in rng.sample(titles, min(3, len(titles))) if t != original.title]
        documents.extend(variant(original, kind, rng, related) for kind in VARIANT_KINDS)
    return documents


def true_pairs(documents: Sequence[Document]) -> set[frozenset[str]]:
    return {frozenset((a.key, b.key)) for a, b in itertools.combinations(documents, 2) if a.story == b.story}


def pairs_of_clusters(clusters: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for members in clusters for pair in itertools.combinations(sorted(members), 2)}


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    true_positives: int
    found: int
    expected: int
    missed: tuple[tuple[str, str], ...]
    wrong: tuple[tuple[str, str], ...]


def score(found: set[frozenset[str]], expected: set[frozenset[str]]) -> Score:
    hits = found & expected
    return Score(
        precision=len(hits) / len(found) if found else 1.0,
        recall=len(hits) / len(expected) if expected else 1.0,
        true_positives=len(hits),
        found=len(found),
        expected=len(expected),
        missed=tuple(sorted(tuple(sorted(p)) for p in expected - found)),  # type: ignore[misc]
        wrong=tuple(sorted(tuple(sorted(p)) for p in found - expected)),  # type: ignore[misc]
    )


def pairwise_found(documents: Sequence[Document], scheme: Scheme, threshold: float) -> set[frozenset[str]]:
    prints = {d.key: fingerprint(d.body, scheme).signature for d in documents}
    return {
        frozenset((a.key, b.key))
        for a, b in itertools.combinations(documents, 2)
        if estimated_jaccard(prints[a.key], prints[b.key]) >= threshold
    }


def cluster_found(
    documents: Sequence[Document], scheme: Scheme, threshold: float, *, order_seed: int = 0
) -> set[frozenset[str]]:
    """Runs the database clustering the pipeline uses (temporary SQLite), in a shuffled order."""
    from crawler.db.engine import make_engine
    from crawler.db.schema import upgrade
    from pipelines.neardup_index import Candidate, NearDuplicateIndex

    shuffled = list(documents)
    random.Random(order_seed).shuffle(shuffled)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/eval.db")
        upgrade(engine)
        index = NearDuplicateIndex(scheme, threshold)
        cluster_of: dict[str, int] = {}
        for number, document in enumerate(shuffled):
            candidate = Candidate(
                canonical_url=f"http://eval.test/{document.key}",
                url=f"http://eval.test/{document.key}",
                site="eval.test",
                body=document.body,
                content_hash=None,
                source_name=document.source_name,
                published=None,
                fetched_at=f"2026-01-01T00:{number // 60:02d}:{number % 60:02d}+00:00",
            )
            with engine.begin() as connection:
                cluster_of[document.key] = index.assign(connection, candidate).cluster_id
        engine.dispose()
    members: dict[int, list[str]] = defaultdict(list)
    for key, cluster in cluster_of.items():
        members[cluster].append(key)
    return pairs_of_clusters(members.values())
