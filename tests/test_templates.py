"""Per-host template lines (``pipelines/similarity/templates.py``): counted across a host's
pages, left out of signatures, kept in the body; on SQLite and Postgres."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from crawler.items import Article
from pipelines.dedup import content_hash
from pipelines.neardup_index import DEFAULT_SCHEME, DEFAULT_THRESHOLD, Candidate, NearDuplicateIndex
from pipelines.similarity.templates import batch_counts, line_hash, line_hashes, line_key, without_template
from tests.generators.neardup_set import Original

# A farm's in-article frame: long enough to outweigh a short story in the signature.
TEMPLATE = (
    "免责声明：本站所载文章、数据仅供参考，使用前请核实，风险自负。本站部分内容转载自互联网，转载目的在于传递更多信息。",
    "相关阅读：近日，多地相继出台政策措施，推动经济社会持续健康发展，各地区各部门认真贯彻落实决策部署，取得了积极成效。",
    "版权声明本文内容由互联网用户自发贡献，该文观点仅代表作者本人，本站仅提供信息存储空间服务，不拥有所有权，不承担相关法律责任。",
)


def framed(story: str) -> str:
    return "\n".join([story, TEMPLATE[1], TEMPLATE[0], TEMPLATE[2]])


def farm_article(n: int, body: str, host: str = "www.farm.test") -> Article:
    url = f"http://{host}/a/{n}.html"
    values: dict[str, Any] = {
        "url": url, "canonical_url": url, "site": host, "fetched_at": f"2026-01-01T08:{n:02d}:00+08:00",
        "title": "标题", "body": body, "body_original": body, "content_hash": content_hash(body),
    }  # fmt: skip
    return Article(**values)


@pytest.mark.parametrize(
    ("body", "template", "expected", "removed"),
    [
        ("甲\n" + TEMPLATE[0], {line_hash(line_key(TEMPLATE[0]))}, "甲", 1),
        # Compared without width or spaces: the same line printed with other spacing.
        ("甲\n " + TEMPLATE[0].replace("，", ", "), {line_hash(line_key(TEMPLATE[0].replace("，", ",")))}, "甲", 1),
        ("甲\n" + TEMPLATE[0], set(), "甲\n" + TEMPLATE[0], 0),
    ],
)
def test_without_template(body: str, template: set[int], expected: str, removed: int) -> None:
    assert without_template(body, template) == (expected, removed)


def test_short_lines_are_never_counted_and_exact_copies_count_once() -> None:
    assert line_hashes("责任编辑：张三\n分享到") == frozenset()
    body = framed("一个短故事，讲了一件事情，并且足够长可以被计数的一行文字。")
    counts = batch_counts([("a.test", "h1", body), ("a.test", "h1", body), ("b.test", "h2", body)])
    assert set(counts["a.test"].values()) == {1}
    assert set(counts["b.test"].values()) == {1}


def stories(seeds: dict[str, Original]) -> list[str]:
    """Five different short stories: the first sentences of the seeds."""
    return [original.body.split("。")[0] + "。" for original in seeds.values()][:5]


@pytest.mark.parametrize(("template_pages", "merged"), [(3, False), (0, True)])
def test_a_farm_template_does_not_merge_different_short_stories(
    engine: Engine, seeds: dict[str, Original], template_pages: int, merged: bool
) -> None:
    """Without the template rule (0) the farm's frame makes the short stories one story;
    with it they stay apart, and the stored body keeps the frame."""
    index = NearDuplicateIndex(DEFAULT_SCHEME, DEFAULT_THRESHOLD, template_pages=template_pages)
    items = [farm_article(n, framed(story)) for n, story in enumerate(stories(seeds))]
    with engine.begin() as connection:
        signed = index.sign_all(connection, [Candidate.of(item) for item in items])
        assignments = index.assign_signed(connection, signed)
    clusters = {assignment.cluster_id for assignment in assignments}
    assert (len(clusters) < len(items)) is merged
    if not merged:
        assert all(one.template_lines == 3 for one in signed)
        assert all(TEMPLATE[0] in one.candidate.body for one in signed)


def test_template_lines_are_learnt_across_batches_and_hosts_stay_apart(
    engine: Engine, seeds: dict[str, Original]
) -> None:
    index = NearDuplicateIndex(DEFAULT_SCHEME, DEFAULT_THRESHOLD, template_pages=3)
    short = stories(seeds)
    for n, story in enumerate(short[:3]):  # one page per transaction, as a slow crawl stores them
        with engine.begin() as connection:
            index.assign_all(connection, [Candidate.of(farm_article(n, framed(story)))])
    with engine.connect() as connection:
        later = index.sign_all(connection, [Candidate.of(farm_article(9, framed(short[3])))])
        elsewhere = index.sign_all(connection, [Candidate.of(farm_article(1, framed(short[3]), "other.test"))])
    assert later[0].template_lines == 3
    assert elsewhere[0].template_lines == 0  # another host's pages teach nothing about this one
