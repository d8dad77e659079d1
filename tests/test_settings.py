"""Every setting the packages read is declared once, with its default and a one-line doc, in
``crawler/settings.py``; no component writes a default of its own at the read.

The packages are scanned as source (``ast``): a read is a call of ``get``/``getbool``/``getint``
/``getfloat``/``getlist``/``getdict`` … or a subscript on something named ``settings``, with a
literal setting name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest
from scrapy.settings import default_settings

from crawler import settings as project_settings
from tests.conftest import PROJECT_ROOT

PACKAGES = ("crawler", "pipelines")
SETTINGS_FILE = PROJECT_ROOT / "crawler" / "settings.py"
_GETTERS = {"get", "getbool", "getint", "getfloat", "getlist", "getdict", "getdictorlist", "getwithbase", "getpriority"}
SCRAPY_SETTINGS = {name for name in dir(default_settings) if name.isupper()}
DECLARED = {name for name in dir(project_settings) if name.isupper()}


@dataclass(frozen=True)
class Read:
    name: str
    where: str
    inline_default: bool


def _is_settings(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id.endswith("settings")
    return isinstance(node, ast.Attribute) and node.attr.endswith("settings")


def _setting_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isupper():
        return node.value
    return None


def reads_in(source: str, where: str) -> list[Read]:
    """The setting reads of one module's source, each marked when it carries a default of its own."""
    tree = ast.parse(source)
    reads: list[Read] = []
    defaulted: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            defaulted.add(id(node.values[0]))  # `settings.get("X") or fallback`
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _GETTERS:
            name = _setting_name(node.args[0]) if node.args else None
            if name and _is_settings(node.func.value):
                inline = len(node.args) > 1 or any(k.arg == "default" for k in node.keywords) or id(node) in defaulted
                reads.append(Read(name, f"{where}:{node.lineno}", inline))
        elif isinstance(node, ast.Subscript) and _is_settings(node.value):
            name = _setting_name(node.slice)
            if name:
                reads.append(Read(name, f"{where}:{node.lineno}", id(node) in defaulted))
    return reads


def package_reads() -> list[Read]:
    paths = sorted(p for package in PACKAGES for p in (PROJECT_ROOT / package).rglob("*.py"))
    return [
        read
        for path in paths
        if path != SETTINGS_FILE
        for read in reads_in(path.read_text(encoding="utf-8"), str(path.relative_to(PROJECT_ROOT)))
    ]


def test_the_scan_finds_the_reads() -> None:
    names = {read.name for read in package_reads()}
    assert {"DATABASE_URL", "SITES_DIR", "NEAR_DUPLICATE_THRESHOLD", "BLOCKED_STATUSES"} <= names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('settings.getint("A_B", 3)', [("A_B", True)]),
        ('crawler.settings.getbool("A_B")', [("A_B", False)]),
        ('self.settings.get("A_B") or "x"', [("A_B", True)]),
        ('settings["A_B"]', [("A_B", False)]),
        ('settings.get("A_B", default=1)', [("A_B", True)]),
        ('options.get("A_B", 1)', []),
    ],
)
def test_scan_of_one_read(source: str, expected: list[tuple[str, bool]]) -> None:
    found = reads_in(source, "probe.py")
    assert [(read.name, read.inline_default) for read in found] == expected


def test_every_setting_read_is_declared_in_crawler_settings() -> None:
    undeclared = [
        f"{read.where} {read.name}" for read in package_reads() if read.name not in DECLARED | SCRAPY_SETTINGS
    ]
    assert undeclared == [], "declare these in crawler/settings.py with a default and a one-line doc"


def test_no_setting_is_read_with_an_inline_default() -> None:
    inline = [f"{read.where} {read.name}" for read in package_reads() if read.inline_default]
    assert inline == [], "the default belongs in crawler/settings.py, once"


def documented_settings() -> dict[str, bool]:
    """Each top-level assignment of ``crawler/settings.py``: whether a comment line is right above it."""
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    lines = source.splitlines()
    documented = {}
    for node in ast.parse(source).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                documented[target.id] = node.lineno > 1 and lines[node.lineno - 2].lstrip().startswith("#")
    return documented


def test_every_project_setting_has_a_one_line_doc() -> None:
    undocumented = [
        name for name, has_doc in documented_settings().items() if not has_doc and name not in SCRAPY_SETTINGS
    ]
    assert undocumented == [], "give each project setting a comment line right above it in crawler/settings.py"
