"""The pure near-duplicate functions: shingles, MinHash signatures, band keys, canonical choice."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.similarity.banding import band_keys
from pipelines.similarity.canonical import Member, choose_canonical
from pipelines.similarity.minhash import (
    Scheme,
    estimated_containment,
    estimated_jaccard,
    fingerprint,
    shingle_hashes,
    signature_bytes,
    signature_from_bytes,
)
from pipelines.similarity.outlets import load_outlets
from pipelines.similarity.shingles import is_sentence_line, shingle_text, shingles

SCHEME = Scheme(shingle_size=4, num_perm=128, bands=32, seed=1)
TEXT = (
    "浙江省高端化学品技术创新中心落户衢州。近日，记者从衢州市科技局获悉，经过三年多不懈的努力，"
    "衢州战略性科创平台取得重大突破。建设省技术创新中心，是浙江补齐科技创新短板的战略举措。"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("浙江，科技。", "浙江科技"),
        ("ＧＤＰ增长５％。", "gdp增长5"),  # NFKC folds full-width letters and digits
        ("第一段。\n第二段。", "第一段第二段"),
        ("", ""),
        # Page furniture (no sentence punctuation) goes when the sentences hold most of the text.
        ("来源：新华网  作者：本站\n" + TEXT + "\n责任编辑：王晓明", shingle_text(TEXT)),
        # A body without sentences (a field list) is taken whole.
        ("项目名称：公路养护\n采购单位：芷江县公路中心", "项目名称公路养护采购单位芷江县公路中心"),
    ],
)
def test_shingle_text(body: str, expected: str) -> None:
    assert shingle_text(body) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("全县固定资产投资完成246.79亿元。", True),
        ("他说:“好!”", True),
        ("来源：省发改委 作者：本站编辑 发布时间：2023-06-02 16:00", False),
        ("【字体：大 中 小】【打印本页】【关闭窗口】", False),
        # The cut-off last line of a truncated copy: a comma and enough text.
        ("经过三年多不懈的努力,衢州战略性科创平台取得重大突破,建设省技术创新中", True),
        ("首页,新闻", False),
    ],
)
def test_is_sentence_line(line: str, expected: bool) -> None:
    assert is_sentence_line(line) is expected


def test_shingles_of_short_and_empty_text() -> None:
    assert shingles("浙江。", 4) == {"浙江"}
    assert shingles("", 4) == set()
    assert shingles("浙江科技厅。", 4) == {"浙江科技", "江科技厅"}
    with pytest.raises(ValueError, match="at least 1"):
        shingles("浙江", 0)


def test_identical_bodies_have_identical_signatures_and_keys() -> None:
    first, second = fingerprint(TEXT, SCHEME), fingerprint("\n" + TEXT.replace("，", ","), SCHEME)
    assert estimated_jaccard(first.signature, second.signature) == 1.0
    assert band_keys(first.signature, SCHEME) == band_keys(second.signature, SCHEME)


def test_estimate_tracks_the_exact_jaccard() -> None:
    other = (
        TEXT[: len(TEXT) // 2] + "宁波市加快建设国家自主创新示范区，打造科技创新策源地。杭州城西科创大走廊持续发力。"
    )
    a, b = shingles(TEXT, 4), shingles(other, 4)
    exact = len(a & b) / len(a | b)
    estimate = estimated_jaccard(fingerprint(TEXT, SCHEME).signature, fingerprint(other, SCHEME).signature)
    # Standard error of a 128-value estimate is at most 0.045; allow three of them.
    assert abs(estimate - exact) < 0.135


@given(st.text(alphabet="浙江省科技厅创新中心衢州abc0123", max_size=300), st.integers(min_value=1, max_value=6))
def test_shingle_hashes_count_the_shingle_set(text: str, size: int) -> None:
    """One hash per distinct shingle, the whole text as one when it is shorter than a shingle."""
    assert len(shingle_hashes(text, size)) == len(shingles(text, size) if size <= len(text) else {text} - {""})
    assert fingerprint(text, Scheme(shingle_size=size)).shingle_count == len(shingles(text, size))


def test_long_body_is_permuted_in_chunks_with_the_same_result() -> None:
    """A body of more shingles than one chunk: its signature is the minimum over all its
    shingles, so at most the minimum of its two halves' (which miss the shingles across the cut)."""
    rng = random.Random(1)
    body = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(12_000)) + "。"
    whole = fingerprint(body, SCHEME)
    assert whole.shingle_count > 4096
    first, second = fingerprint(body[:6000] + "。", SCHEME), fingerprint(body[6000:], SCHEME)
    assert np.all(whole.signature <= np.minimum(first.signature, second.signature))
    assert np.count_nonzero(whole.signature == np.minimum(first.signature, second.signature)) >= 120


def test_signature_round_trips_through_bytes() -> None:
    signature = fingerprint(TEXT, SCHEME).signature
    data = signature_bytes(signature)
    assert len(data) == 4 * SCHEME.num_perm
    assert np.array_equal(signature_from_bytes(data), signature)


def test_band_keys_are_signed_64_bit_and_depend_on_band_and_scheme() -> None:
    signature = fingerprint(TEXT, SCHEME).signature
    keys = band_keys(signature, SCHEME)
    assert len(keys) == SCHEME.bands
    assert all(-(2**63) <= key < 2**63 for key in keys)
    # A signature whose values repeat per band still gets a different key for every band.
    flat = np.tile(signature[: SCHEME.rows], SCHEME.bands)
    assert len(set(band_keys(flat, SCHEME))) == SCHEME.bands
    other = Scheme(shingle_size=3, num_perm=128, bands=32, seed=1)
    assert set(band_keys(signature, other)).isdisjoint(keys)


def test_one_changed_band_changes_one_key() -> None:
    signature = fingerprint(TEXT, SCHEME).signature.copy()
    before = band_keys(signature, SCHEME)
    signature[0] += 1
    after = band_keys(signature, SCHEME)
    assert [b != a for a, b in zip(before, after, strict=True)] == [True] + [False] * (SCHEME.bands - 1)


@pytest.mark.parametrize(
    ("similarity", "low", "high"),
    [(0.2, 0.0, 0.06), (0.5, 0.85, 0.9), (0.66, 0.99, 1.0), (0.8, 0.999, 1.0)],
)
def test_candidate_probability_of_the_default_banding(similarity: float, low: float, high: float) -> None:
    assert low <= SCHEME.candidate_probability(similarity) <= high


def test_scheme_validation_and_name() -> None:
    assert SCHEME.name == "k4-p128-b32-s1-poly64"
    assert SCHEME.rows == 4
    with pytest.raises(ValueError, match="multiple of bands"):
        Scheme(num_perm=128, bands=30)


@pytest.mark.parametrize(
    ("jaccard", "sizes", "expected"),
    [(1.0, (100, 100), 1.0), (0.5, (100, 50), 1.0), (0.0, (100, 100), 0.0), (0.5, (0, 10), 0.0)],
)
def test_estimated_containment(jaccard: float, sizes: tuple[int, int], expected: float) -> None:
    assert estimated_containment(jaccard, *sizes) == pytest.approx(expected)


T0 = datetime(2023, 6, 1, tzinfo=UTC)
T1 = datetime(2023, 6, 2, tzinfo=UTC)
T2 = datetime(2023, 6, 3, tzinfo=UTC)
# 2024-05-10 in Beijing: a date-only value is stored at midnight (16:00 UTC the day before).
DAY = datetime(2024, 5, 9, 16, 0, tzinfo=UTC)
MORNING = datetime(2024, 5, 10, 1, 30, tzinfo=UTC)  # 09:30 Beijing
EVENING = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)  # 20:00 Beijing
OUTLETS = load_outlets()


def member(url: str, *, site: str = "local", **fields: object) -> Member:
    values: dict[str, object] = {
        "canonical_url": url, "url": url, "site": site, "site_name": None, "source_name": None,
        "published": None, "fetched_at": T2,
    }  # fmt: skip
    values.update(fields)
    return Member(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("members", "expected", "rule"),
    [
        # A copy names the other's site (stored name) as 来源: that one is the original,
        # although the copy was published earlier.
        (
            [
                member("http://www.news.cn/a", site="xinhua", site_name="新华网", published=T1),
                member("http://sina.com.cn/b", source_name="新华网", published=T0),
            ],
            "http://www.news.cn/a",
            "source_name",
        ),
        # The 来源 may name the host, or a parent domain of it.
        (
            [
                member("http://www.gov.cn/a", published=T1),
                member("http://qq.com/b", source_name="gov.cn", published=T0),
            ],
            "http://www.gov.cn/a",
            "source_name",
        ),
        # ... or an alias of the outlet, in either script, decorated: the outlets table.
        (
            [
                member("http://finance.people.com.cn/n1/1.htm", published=T1),
                member("http://hk.example.hk/1", source_name="人民網－人民日報", published=T0),
            ],
            "http://finance.people.com.cn/n1/1.htm",
            "source_name",
        ),
        # A 原文链接 URL names the member itself.
        (
            [member("http://a.cn/1", published=T1), member("http://b.cn/1", source_url="http://a.cn/1", published=T0)],
            "http://a.cn/1",
            "source_url",
        ),
        # A chain: C cites B by URL, B cites A by name: A, the end of the chain.
        (
            [
                member("http://bbs.c.cn/3", source_url="http://b.cn/2", published=T0),
                member("http://b.cn/2", source_name="a.cn", published=T0),
                member("http://www.a.cn/1", published=T1),
            ],
            "http://www.a.cn/1",
            "source_name",
        ),
        # A repost of a repost names the first repost; the original, published earlier, wins
        # over the repost it names: a citation makes a source, not the origin.
        (
            [
                member("http://bbs.c.cn/3", source_url="http://b.cn/2", published=T2),
                member("http://b.cn/2", published=T1),
                member("http://a.cn/1", published=T0),
            ],
            "http://a.cn/1",
            "published",
        ),
        # A 来源 naming the member's own outlet, or nothing known, cites nobody.
        (
            [
                member("http://www.news.cn/a", source_name="新华网", published=T1),
                member("http://b.cn/1", source_name="发布于北京", published=T0),
            ],
            "http://b.cn/1",
            "published",
        ),
        # No copy names another: earliest published.
        ([member("http://a.cn/1", published=T1), member("http://b.cn/1", published=T0)], "http://b.cn/1", "published"),
        # A date-only copy of the same day is not earlier than a timed original: by day they
        # are equal, and the original was fetched first.
        (
            [
                member("http://copy.cn/1", published=DAY, published_precision="day", fetched_at=T2),
                member("http://orig.cn/1", published=MORNING, published_precision="minute", fetched_at=T1),
            ],
            "http://orig.cn/1",
            "fetched",
        ),
        # A date-only value of the day before is earlier than any time of this day.
        (
            [
                member("http://a.cn/1", published=DAY - timedelta(days=1), published_precision="day"),
                member("http://b.cn/1", published=MORNING, published_precision="minute", fetched_at=T0),
            ],
            "http://a.cn/1",
            "published",
        ),
        # Two times of one day at minute precision compare by the minute.
        (
            [
                member("http://a.cn/1", published=EVENING, published_precision="minute", fetched_at=T0),
                member("http://b.cn/1", published=MORNING, published_precision="minute"),
            ],
            "http://b.cn/1",
            "published",
        ),
        # An undated original fetched first is not beaten by a dated copy: fetch times decide
        # when either has no publication time (issue 15; before, any dated copy won).
        (
            [member("http://a.cn/1", fetched_at=T0), member("http://b.cn/1", published=T0, fetched_at=T1)],
            "http://a.cn/1",
            "fetched",
        ),
        # Nothing published: earliest fetched.
        ([member("http://a.cn/1", fetched_at=T1), member("http://b.cn/1", fetched_at=T0)], "http://b.cn/1", "fetched"),
        # All equal: the URL decides, so the answer does not depend on row order.
        ([member("http://b.cn/1"), member("http://a.cn/1")], "http://a.cn/1", "url"),
        # A cluster of one.
        ([member("http://a.cn/1")], "http://a.cn/1", "only"),
    ],
)
def test_choose_canonical(members: list[Member], expected: str, rule: str) -> None:
    for order in (members, members[::-1]):
        choice = choose_canonical(order, OUTLETS)
        assert (choice.member.canonical_url, choice.rule) == (expected, rule)


def test_choose_canonical_needs_members() -> None:
    with pytest.raises(ValueError, match="at least one"):
        choose_canonical([])
