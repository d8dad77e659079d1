"""文号 (document numbers): normalize, split, validate, and find them in a document's text.

A 文号 is an issuer code, a year in brackets and a serial: ``浙政办发〔2021〕12号``. The
standard bracket is ``〔〕`` (GB/T 9704-2012); pages also print ``（）``, ``()``, ``[]``, ``【】``,
``［］`` and ``﹝﹞`` (``pipelines/vocab/doc_number_brackets.tsv``). A document's own number stands alone on
a line under the masthead; numbers inside running text, in parentheses after a quoted title, are
citations of other documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from pipelines.enrich.text import compact, lines_of, nfkc
from pipelines.patterns import alternation
from pipelines.vocab import load_vocabulary

STANDARD_OPEN: Final = "〔"
STANDARD_CLOSE: Final = "〕"
# The bracket table is immutable data read once; NFKC runs before matching, so the NFKC forms
# of the listed brackets are accepted too (（ -> (, ［ -> [, ﹝ -> 〔).
_BRACKETS: Final = tuple((nfkc(open_), nfkc(close)) for open_, close in load_vocabulary().fields.doc_number_brackets)
_OPEN: Final = "".join(sorted({re.escape(pair[0]) for pair in _BRACKETS}))
_CLOSE: Final = "".join(sorted({re.escape(pair[1]) for pair in _BRACKETS}))
# Issuer codes are Han characters only (嘉科函, 国办发明电); a year is four digits 1900-2099.
_CODE: Final = r"[\u4e00-\u9fff]{1,15}"
_BRACKETED_YEAR: Final = rf"[{_OPEN}]\s*((?:19|20)\d{{2}})\s*[{_CLOSE}]"
_SERIAL: Final = r"第?\s*(\d{1,5})\s*号"
_WHOLE: Final = re.compile(rf"({_CODE})\s*{_BRACKETED_YEAR}\s*{_SERIAL}")
# A citation is bounded on the left by an opening parenthesis, a closing 》 or a list separator,
# so the code capture cannot swallow the words before it (根据国发… would give 根据国发).
_CITED: Final = re.compile(rf"(?<=[(》、,;])\s*({_CODE}\s*{_BRACKETED_YEAR}\s*{_SERIAL})")
_SIGNER: Final = re.compile(r"签发人[:：].*$")
MASTHEAD_LINES: Final = 12
"""How many leading non-empty lines may hold a document's own number."""


@dataclass(frozen=True)
class DocNumber:
    raw: str
    """The number as printed."""
    normalized: str
    """The number with ``〔YYYY〕`` brackets, ASCII digits and no spaces."""
    code: str
    year: int
    serial: int
    invalid_reason: str | None = None
    """``future_year`` or ``serial_zero`` when the number cannot be right, else ``None``."""

    @property
    def parts(self) -> dict[str, str | int]:
        return {"code": self.code, "year": self.year, "serial": self.serial}


def normalize_doc_number(text: str) -> str:
    """``text`` with the year's brackets made ``〔〕``, full-width digits made ASCII, spaces gone.

    Text that holds no 文号 comes back stripped and otherwise unchanged.
    """
    value = compact(nfkc(text))
    whole = _WHOLE.fullmatch(value)
    if whole is not None:
        return _standard_form(whole)
    return re.sub(_BRACKETED_YEAR, rf"{STANDARD_OPEN}\1{STANDARD_CLOSE}", value, count=1)


def _standard_form(match: re.Match[str]) -> str:
    # GB/T 9704-2012 prints no 第 before the serial.
    return f"{match.group(1)}{STANDARD_OPEN}{match.group(2)}{STANDARD_CLOSE}{match.group(3)}号"


def parse_doc_number(text: str, *, reference_year: int) -> DocNumber | None:
    """The 文号 that ``text`` consists of, split and checked, or ``None`` if it is not one.

    ``reference_year`` is the year the page was fetched: a later year cannot be right.
    """
    match = _WHOLE.fullmatch(compact(nfkc(text or "")))
    if match is None:
        return None
    code, year, serial = match.group(1), int(match.group(2)), int(match.group(3))
    reason = None
    if year > reference_year:
        reason = "future_year"
    elif serial == 0:
        reason = "serial_zero"
    return DocNumber(text.strip(), _standard_form(match), code, year, serial, reason)


@dataclass(frozen=True)
class DocNumbersInText:
    own: DocNumber | None
    """The document's own number, ``None`` when the text shows none."""
    rule: str | None
    """Name of the rule that found ``own``."""
    cited: list[str]
    """Normalized numbers of other documents the text cites, in order, without repeats."""


def own_doc_number(
    lines: list[str], *, reference_year: int, labels: Iterable[str] = ()
) -> tuple[DocNumber, str] | None:
    """The document's own number and rule name, from its leading lines.

    ``masthead_line``: a line that is nothing but a 文号 (``签发人：…`` may follow).
    ``labeled_line``: a line ``文号：…`` for one of ``labels``.
    """
    label_pattern = alternation(labels)
    for line in lines[:MASTHEAD_LINES]:
        unsigned = _SIGNER.sub("", line).strip()
        found = parse_doc_number(unsigned, reference_year=reference_year)
        if found is not None:
            return found, "masthead_line"
        if label_pattern:
            labeled = re.fullmatch(rf"(?:{label_pattern}):(.+)", compact(nfkc(unsigned)))
            if labeled and (found := parse_doc_number(labeled.group(1), reference_year=reference_year)):
                return found, "labeled_line"
    return None


def cited_doc_numbers(body: str, *, exclude: str | None = None) -> list[str]:
    """Normalized 文号 cited in running text: ``《…》（浙政办发〔2021〕12号）``."""
    cited: list[str] = []
    for match in _CITED.finditer(nfkc(body)):
        number = normalize_doc_number(match.group(1))
        if number != exclude and number not in cited:
            cited.append(number)
    return cited


def doc_numbers_in_text(body: str | None, *, reference_year: int, labels: Iterable[str] = ()) -> DocNumbersInText:
    """The document's own number (if printed) and the numbers it cites."""
    found = own_doc_number(lines_of(body), reference_year=reference_year, labels=labels)
    own, rule = found if found else (None, None)
    cited = cited_doc_numbers(body or "", exclude=own.normalized if own else None)
    return DocNumbersInText(own, rule, cited)
