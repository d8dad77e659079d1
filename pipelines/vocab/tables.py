"""The one file format of the vocabulary, and its one reader: :func:`read_table`.

Every list is a tab-separated table in this folder:

* lines starting with ``#`` are comments saying what the table is for;
* the first other line names the columns; the last column is ``seen``;
* every further line is one entry with exactly one cell per column; ``seen`` (where the entry
  was seen: a seed, a corpus page, a site) must not be empty, so an odd entry can be traced
  and removed. Other cells may be empty where the column is optional (``keep_in``).

Cells are taken verbatim (no quoting, no stripping): a regular expression needs no escaping,
and a separator such as `` - `` keeps its spaces.

TSV rather than TOML for all lists: an entry and its provenance sit on one line, which the
reader can check (TOML comments cannot be checked) and ``grep`` shows together; a column name
says what each value means, so code reads cells by name; and the 6,500-row place table reads
in 25 ms where ``tomllib`` takes 110 ms, once per process and worker. The few nested lists
(CMS family -> markers) are one more column.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SEEN = "seen"


class VocabularyError(ValueError):
    """A vocabulary table is malformed (wrong cell count, no ``seen`` column or note)."""


def vocab_dir() -> Path:
    """The folder of the vocabulary tables (this package)."""
    return Path(str(resources.files("pipelines.vocab")))


def read_table(path: Path) -> list[dict[str, str]]:
    """The entries of one table, each a ``{column: cell}`` mapping (``seen`` included)."""
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            if cells[-1] != SEEN:
                raise VocabularyError(f"{path.name}:{number}: the last column must be {SEEN!r}")
            header = cells
            continue
        if len(cells) != len(header) or not cells[0] or not cells[-1].strip():
            raise VocabularyError(f"{path.name}:{number}: expected {len(header) - 1} values and a seen note")
        rows.append(dict(zip(header, cells, strict=True)))
    if header is None:
        raise VocabularyError(f"{path.name}: no header line")
    return rows
