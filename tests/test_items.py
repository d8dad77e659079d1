"""The item contract: typed annex parts, their JSON form, feed exports, and docs/fields.md."""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from scrapy.exporters import JsonLinesItemExporter

from crawler.items import (
    Amount,
    Annex,
    Article,
    Attachment,
    DocNumberParts,
    Entities,
    GovMeta,
    InvalidValue,
    MentionedPerson,
    Organization,
    Percentage,
    Person,
    Place,
    Provenance,
    Quality,
    Role,
    annex_from_json,
    article_from_json,
)
from pipelines.vocab import load_vocabulary

FIELDS_DOC = Path(__file__).resolve().parent.parent / "docs" / "fields.md"


def full_annex() -> Annex:
    """An annex with every part set, as the three stages together write it."""
    return Annex(
        authors=[Person("梁建伟", "reporter", "记者"), Person("王帆", "author")],
        doc_number_raw="嘉科函（2022）55号",
        doc_number_parts=DocNumberParts("嘉科函", 2022, 55),
        cited_doc_numbers=["浙政办发〔2021〕12号"],
        recipient="徐剑虹委员",
        gov_meta=GovMeta(
            index_number="11330400002578XXXX/2022-12345", issuer="嘉兴市科学技术局", written_date="2022年7月15日"
        ),
        attachments=[Attachment(url="http://kjj.jiaxing.gov.cn/a.pdf", text="附件1.pdf", type="pdf")],
        cms="hanweb",
        amounts=[Amount("1.5亿元", 150000000), Amount("约2.5万元", 25000.5)],
        percentages=[Percentage("90%", 90.0)],
        entities=Entities(
            organizations=[Organization("嘉兴市科学技术局", 2)],
            places=[Place("嘉兴市", 3, "city")],
            people=[MentionedPerson("徐剑虹", "委员", 1)],
        ),
        quality=Quality(
            missing=["effective_date"], invalid=[InvalidValue("index_number", "第123号", "not_an_index_number")]
        ),
        provenance={
            "title": Provenance("extraction", "heading = <title> prefix: h1"),
            "doc_number": Provenance("enrichment", "doc_number_masthead_line"),
        },
        title_original="嘉兴市科学技术局文件",
        section="政策文件",
        related=["关于加强技术创新中心体系建设的实施意见"],
        bylines=["来源：嘉兴市科学技术局", "时间:2022-07-20"],
        spun_score=0.0,
        is_spun=False,
        cleaning={"pinyin": 3},
    )


def full_article() -> Article:
    return Article(
        url="http://kjj.jiaxing.gov.cn/1",
        canonical_url="http://kjj.jiaxing.gov.cn/1",
        site="jiaxing",
        fetched_at="2022-07-20T10:00:00+08:00",
        title="对市政协第344号提案的答复",
        doc_number="嘉科函〔2022〕55号",
        body="正文",
        body_original="正文",
        extra=full_annex(),
    )


def test_json_form_reads_back_to_the_same_article() -> None:
    article = full_article()
    data = json.loads(json.dumps(dataclasses.asdict(article), ensure_ascii=False))
    assert article_from_json(data) == article


def test_empty_annex_reads_back_from_an_empty_object() -> None:
    assert annex_from_json({}) == Annex()


def test_unknown_annex_key_is_an_error() -> None:
    with pytest.raises(TypeError, match="colour"):
        annex_from_json({"colour": "red"})


def test_feed_export_writes_every_field_and_part() -> None:
    out = io.BytesIO()
    exporter = JsonLinesItemExporter(out, ensure_ascii=False)
    exporter.start_exporting()
    exporter.export_item(full_article())
    exporter.finish_exporting()
    line = json.loads(out.getvalue().decode("utf-8"))
    assert line == json.loads(json.dumps(dataclasses.asdict(full_article()), ensure_ascii=False))
    assert line["extra"]["gov_meta"]["issuer"] == "嘉兴市科学技术局"  # what score.py and docs/queries.md read


def test_every_vocabulary_role_is_a_role() -> None:
    assert set(load_vocabulary().fields.roles.values()) <= set(typing.get_args(Role))


def test_every_disclosure_key_is_a_gov_meta_field() -> None:
    keys = set(load_vocabulary().fields.govmeta_labels.values()) | set(load_vocabulary().fields.govmeta_expected)
    assert keys <= {field.name for field in dataclasses.fields(GovMeta)}


def _documented(section: str) -> set[str]:
    """The names in the first column of the table under ``## <section>`` in docs/fields.md."""
    text = FIELDS_DOC.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in re.findall(r"^\| (`[^|]+`) \|", body, flags=re.MULTILINE):
        names.update(re.findall(r"`([^`]+)`", row))
    return names


PARTS: list[tuple[str, Any]] = [
    ("Article", Article),
    ("Annex (`extra`)", Annex),
    ("Person", Person),
    ("GovMeta", GovMeta),
    ("Attachment", Attachment),
    ("DocNumberParts", DocNumberParts),
    ("Amount", Amount),
    ("Percentage", Percentage),
    ("Entities", Entities),
    ("Organization", Organization),
    ("Place", Place),
    ("MentionedPerson", MentionedPerson),
    ("Quality", Quality),
    ("InvalidValue", InvalidValue),
    ("Provenance", Provenance),
]


@pytest.mark.parametrize(("section", "part"), PARTS, ids=[section for section, _ in PARTS])
def test_docs_describe_every_field(section: str, part: Any) -> None:
    assert _documented(section) == {field.name for field in dataclasses.fields(part)}


@pytest.mark.parametrize(("section", "part"), PARTS, ids=[section for section, _ in PARTS])
def test_every_field_has_a_docstring(section: str, part: Any) -> None:
    # Attribute docstrings are not introspectable: they are read from the source.
    source = inspect.getsource(part)
    for field in dataclasses.fields(part):
        match = re.search(rf"\n    {field.name}: [^\n]+\n(\s+)\"\"\"", source)
        assert match, f"{part.__name__}.{field.name} has no docstring"
