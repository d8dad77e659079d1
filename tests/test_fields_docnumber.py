from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.items import DocNumberParts
from pipelines.fields.docnumber import (
    cited_doc_numbers,
    doc_numbers_in_text,
    find_doc_number,
    normalize_doc_number,
    own_doc_number,
    parse_doc_number,
)
from pipelines.vocab import load_vocabulary

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
VOCAB = load_vocabulary().fields


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("浙政办发〔2021〕12号", "浙政办发〔2021〕12号"),
        ("嘉科函（2022）55号", "嘉科函〔2022〕55号"),
        ("国发[2020]5号", "国发〔2020〕5号"),
        ("国发(2020)5号", "国发〔2020〕5号"),
        ("国办发【2019】3号", "国办发〔2019〕3号"),
        ("财预［2021］8号", "财预〔2021〕8号"),
        ("财预﹝2021﹞8号", "财预〔2021〕8号"),
        ("浙政发〔２０２１〕１２号", "浙政发〔2021〕12号"),
        ("国办发 〔2019〕 第3号", "国办发〔2019〕3号"),
        ("not a number", "notanumber"),
    ],
)
def test_normalize_doc_number(raw: str, expected: str) -> None:
    assert normalize_doc_number(raw, VOCAB) == expected


@pytest.mark.parametrize(
    ("raw", "code", "year", "serial"),
    [
        ("嘉科函（2022）55号", "嘉科函", 2022, 55),
        ("浙政办发〔2021〕12号", "浙政办发", 2021, 12),
        ("国办发明电[2020]1号", "国办发明电", 2020, 1),
        ("浙科党〔2022〕1号", "浙科党", 2022, 1),
    ],
)
def test_parse_doc_number_parts(raw: str, code: str, year: int, serial: int) -> None:
    number = parse_doc_number(raw, VOCAB, reference_year=2024)
    assert number is not None
    assert number.parts == DocNumberParts(code, year, serial)
    assert number.invalid_reason is None
    assert number.raw == raw


@pytest.mark.parametrize(
    ("raw", "reference_year", "reason"),
    [
        ("浙政办发〔2031〕12号", 2024, "future_year"),
        ("浙政办发〔2025〕12号", 2024, "future_year"),
        ("浙政办发〔2021〕0号", 2024, "serial_zero"),
        ("浙政办发〔2024〕1号", 2024, None),
    ],
)
def test_parse_doc_number_validity(raw: str, reference_year: int, reason: str | None) -> None:
    number = parse_doc_number(raw, VOCAB, reference_year=reference_year)
    assert number is not None
    assert number.invalid_reason == reason


@pytest.mark.parametrize(
    "text",
    ["", "第344号提案", "2021年12号", "浙政办发〔21〕12号", "根据浙政办发〔2021〕12号文件精神", "记者 张三"],
)
def test_parse_doc_number_rejects(text: str) -> None:
    assert parse_doc_number(text, VOCAB, reference_year=2024) is None


def test_own_doc_number_of_seed_002() -> None:
    text = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    found = doc_numbers_in_text(text, VOCAB, reference_year=2024)
    assert found.own is not None
    assert found.own.normalized == "嘉科函〔2022〕55号"
    assert found.rule == "masthead_line"


def test_cited_doc_numbers_of_seed_002() -> None:
    text = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    found = doc_numbers_in_text(text, VOCAB, reference_year=2024)
    assert found.cited == ["浙政办发〔2021〕12号", "浙科党〔2022〕1号"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("《关于加强技术创新中心体系建设的实施意见》（浙政办发〔2021〕12号）", ["浙政办发〔2021〕12号"]),
        ("《通知》国发(2020)5号要求", ["国发〔2020〕5号"]),
        ("（国发〔2020〕5号、国办发〔2021〕2号）", ["国发〔2020〕5号", "国办发〔2021〕2号"]),
        ("根据国发〔2020〕5号文件", []),
        ("总投资约21亿元（2021年）", []),
    ],
)
def test_cited_doc_numbers(text: str, expected: list[str]) -> None:
    assert cited_doc_numbers(text, VOCAB) == expected


def test_citation_in_first_lines_is_not_the_own_number() -> None:
    text = "关于印发方案的通知\n根据《意见》（浙政办发〔2021〕12号）精神，现印发如下。"
    found = doc_numbers_in_text(text, VOCAB, reference_year=2024)
    assert found.own is None
    assert found.cited == ["浙政办发〔2021〕12号"]


def test_labeled_doc_number_line() -> None:
    found = doc_numbers_in_text("索引号：001\n文号：国发[2020]5号\n正文", VOCAB, reference_year=2024)
    assert found.own is not None
    assert (found.own.normalized, found.rule) == ("国发〔2020〕5号", "labeled_line")


def test_own_number_with_signer_on_the_same_line() -> None:
    found = doc_numbers_in_text("某某市人民政府文件\n某政发〔2023〕7号  签发人：张三\n", VOCAB, reference_year=2024)
    assert found.own is not None
    assert found.own.normalized == "某政发〔2023〕7号"


# The page lines extraction reads (header region and body paragraphs): the same rules, each
# number as printed and normalized. These were extraction's own rules named ``document number
# line`` and ``label 文号``; one reader now names them as enrichment did.
@pytest.mark.parametrize(
    ("lines", "found"),
    [
        (["嘉兴市科学技术局文件", "嘉科函（2022）55号"], ("嘉科函（2022）55号", "嘉科函〔2022〕55号", "masthead_line")),
        (["文号：浙政办发〔2021〕12号"], ("浙政办发〔2021〕12号", "浙政办发〔2021〕12号", "labeled_line")),
        (["发文字号： 国发[2021]3号"], ("国发[2021]3号", "国发〔2021〕3号", "labeled_line")),
        (["发文字号：国办发(2020)45号"], ("国办发(2020)45号", "国办发〔2020〕45号", "labeled_line")),
        (["文号：苏政发【2019】1号"], ("苏政发【2019】1号", "苏政发〔2019〕1号", "labeled_line")),
        (["文号：京政发［2018］第7号"], ("京政发［2018］第7号", "京政发〔2018〕7号", "labeled_line")),
        (
            ["文 号：京政发［2018］第7号 发布日期：2018-03-01"],
            ("京政发［2018］第7号", "京政发〔2018〕7号", "labeled_line"),
        ),
        (["根据《意见》（浙政办发〔2021〕12号）文件精神，到2025年建设十家中心。"], None),
        (["2022年工作总结"], None),
    ],
)
def test_own_doc_number_of_page_lines(lines: list[str], found: tuple[str, str, str] | None) -> None:
    own = own_doc_number(lines, VOCAB, reference_year=2024)
    assert ((own[0].raw, own[0].normalized, own[1]) if own else None) == found


@pytest.mark.parametrize(
    ("cell", "raw"),
    [
        ("闽岚综实管综〔2012〕8号", "闽岚综实管综〔2012〕8号"),
        ("嘉科函（２０２２）５５号", "嘉科函（２０２２）５５号"),
        (" 国发[2021]3号 （有效）", "国发[2021]3号"),
        ("无", None),
        ("见附件", None),
    ],
)
def test_find_doc_number_in_a_cell(cell: str, raw: str | None) -> None:
    found = find_doc_number(cell, VOCAB, reference_year=2024)
    assert (found.raw if found else None) == raw


def _truth_without_doc_number() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return [
        path
        for path in sorted(CORPUS.glob("*/truth.json"))
        if json.loads(path.read_text(encoding="utf-8")).get("doc_number") is None
    ]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent")
@pytest.mark.parametrize("truth_path", _truth_without_doc_number(), ids=lambda path: path.parent.name)
def test_no_own_doc_number_on_corpus_bodies_without_one(truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    text = "\n".join(part for part in (truth["title"], truth["body"]) if part)
    assert doc_numbers_in_text(text, VOCAB, reference_year=2026).own is None
