"""docs/schema.md names every table and column of the models, so the documentation cannot fall behind."""

from __future__ import annotations

import re

import pytest

import crawler.db  # noqa: F401  (all model modules)
from crawler.db.models import Base
from tests.conftest import PROJECT_ROOT

DOC = (PROJECT_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")


def documented_columns(table: str) -> set[str]:
    section = re.search(rf"^##+ {table}\n(.*?)(?=^##|\Z)", DOC, re.MULTILINE | re.DOTALL)
    assert section, f"docs/schema.md has no section for table {table}"
    return set(re.findall(r"^\| `(\w+)` \|", section.group(1), re.MULTILINE))


@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_every_column_is_documented(table: str) -> None:
    assert {column.name for column in Base.metadata.tables[table].columns} == documented_columns(table)
