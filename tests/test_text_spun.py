from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.text.clean import clean_article
from pipelines.text.spun import SPUN_THRESHOLD, spun_evidence, spun_score
from pipelines.vocab import load_vocabulary

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
GENUINE_MAX = 0.1
SPUN_MIN = 0.9


def seed_body(prefix: str) -> str:
    """The cleaned body of a seed; the seed format's title is its first non-empty line."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
    return clean_article(title, body).body


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_genuine_seeds_score_low(prefix: str) -> None:
    assert spun_score(seed_body(prefix)) <= GENUINE_MAX


def test_spun_seed_scores_high() -> None:
    assert spun_score(seed_body("004")) >= SPUN_MIN


def test_each_paragraph_of_the_spun_seed_is_flagged_on_its_own() -> None:
    paragraphs = [p for p in seed_body("004").split("\n") if len(p) >= 60]
    flagged = [p for p in paragraphs if spun_score(p) >= SPUN_THRESHOLD]
    assert len(flagged) >= 0.8 * len(paragraphs)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_every_corpus_truth_body_scores_low() -> None:
    scores = {}
    for truth in sorted(CORPUS.glob("*/truth.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        if data.get("body"):
            scores[truth.parent.name] = clean_article(data["title"], data["body"]).spun_score
    assert scores
    assert max(scores.values()) <= GENUINE_MAX, scores


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0.0),
        ("没有任何替换的普通句子。", 0.0),
        ("标新立异的设计。", 0.0),  # 立异 inside 标新立异 is genuine
    ],
)
def test_spun_score_edge_cases(text: str, expected: float) -> None:
    assert spun_score(text) == expected


def test_one_listed_phrase_in_genuine_text_stays_low() -> None:
    text = "我们坚持创新驱动发展战略，推动科技创新。" * 10 + "咱们一起努力。"
    assert spun_score(text) <= GENUINE_MAX


def test_originals_count_against_the_score() -> None:
    spun = "坚持立异驱动展开战略，高质量展开，科技效果搬运转化。"
    assert spun_evidence(spun + "创新发展" * 20).score < spun_evidence(spun).score


def test_every_phrase_names_where_it_was_seen() -> None:
    for phrase in load_vocabulary().text.spun:
        assert phrase.seen.strip(), phrase
        assert 0 < phrase.weight <= 1
        assert phrase.spun != phrase.original
