"""文号 (document numbers): the one reader and normalizer, for every stage that meets one.

A 文号 is an issuer code, a year in brackets and a serial: ``浙政办发〔2021〕12号``. The
standard bracket is ``〔〕`` (GB/T 9704-2012); pages also print ``（）``, ``()``, ``[]``, ``【】``,
``［］`` and ``﹝﹞`` (``pipelines/vocab/doc_number_brackets.tsv``). Every reader here returns a
:class:`DocNumber` with the number as printed (``raw``) and normalized side by side, split into
code, year and serial, and checked against the year the page was fetched.

Extraction hands it the disclosure table's 文号 cell, an override's text and the page's header
and body lines; enrichment the cleaned text's first lines and running text; cleaning asks
whether a line under a red-header masthead is a 文号. A document's own number stands alone on
a line under the masthead or after a 文号 label; numbers inside running text, in parentheses
after a quoted title, are citations of other documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from crawler.items import DocNumberParts
from pipelines.fields.text import compact, lines_of, nfkc
from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary

STANDARD_OPEN: Final = "〔"
STANDARD_CLOSE: Final = "〕"
# Issuer codes are Han characters only (嘉科函, 国办发明电); a year is four digits 1900-2099.
_CODE: Final = r"[\u4e00-\u9fff]{1,15}"
_SERIAL: Final = r"第?\s*(\d{1,5})\s*号"
_SIGNER: Final = re.compile(r"签发人[:：].*$")
MASTHEAD_LINES: Final = 12
"""How many leading non-empty lines may hold a document's own number."""
LATEST_YEAR: Final = 2099
"""Reference year when the fetch time is unreadable: only the future-year check is lost."""
PLACEHOLDERS: Final = frozenset({"无", "-", "/"})
"""What disclosure tables print in the 文号 cell of a document that has none."""


@dataclass(frozen=True)
class DocNumber:
    raw: str
    """The number as printed."""
    normalized: str
    """The number with ``〔YYYY〕`` brackets, ASCII digits, no spaces and no ``第``."""
    code: str
    year: int
    serial: int
    invalid_reason: str | None = None
    """``future_year`` or ``serial_zero`` when the number cannot be right, else ``None``."""

    @property
    def parts(self) -> DocNumberParts:
        return DocNumberParts(self.code, self.year, self.serial)


@dataclass(frozen=True)
class _Patterns:
    whole: re.Pattern[str]
    cited: re.Pattern[str]
    bracketed_year: str


@cache
def _patterns(brackets: tuple[tuple[str, str], ...]) -> _Patterns:
    # NFKC runs before matching, so the NFKC forms of the brackets are accepted too (（ -> (, ﹝ -> 〔).
    opening = "".join(sorted({re.escape(nfkc(pair[0])) for pair in brackets}))
    closing = "".join(sorted({re.escape(nfkc(pair[1])) for pair in brackets}))
    year = rf"[{opening}]\s*((?:19|20)\d{{2}})\s*[{closing}]"
    return _Patterns(
        whole=re.compile(rf"({_CODE})\s*{year}\s*{_SERIAL}"),
        # A citation is bounded on the left by an opening parenthesis, a closing 》 or a list
        # separator, so the code cannot swallow the words before it (根据国发… would give 根据国发).
        cited=re.compile(rf"(?<=[(》、,;])\s*({_CODE}\s*{year}\s*{_SERIAL})"),
        bracketed_year=year,
    )


def _standard_form(match: re.Match[str]) -> str:
    # GB/T 9704-2012 prints no 第 before the serial.
    return f"{match.group(1)}{STANDARD_OPEN}{match.group(2)}{STANDARD_CLOSE}{match.group(3)}号"


def _number(raw: str, match: re.Match[str], reference_year: int) -> DocNumber:
    code, year, serial = match.group(1), int(match.group(2)), int(match.group(3))
    reason = None
    if year > reference_year:
        reason = "future_year"
    elif serial == 0:
        reason = "serial_zero"
    return DocNumber(raw.strip(), _standard_form(match), code, year, serial, reason)


def normalize_doc_number(text: str, vocab: FieldVocabulary) -> str:
    """``text`` with the year's brackets made ``〔〕``, full-width digits made ASCII, spaces gone.

    Text that holds no 文号 comes back compacted and otherwise unchanged.
    """
    patterns = _patterns(vocab.doc_number_brackets)
    value = compact(nfkc(text))
    whole = patterns.whole.fullmatch(value)
    if whole is not None:
        return _standard_form(whole)
    return re.sub(patterns.bracketed_year, rf"{STANDARD_OPEN}\1{STANDARD_CLOSE}", value, count=1)


def parse_doc_number(text: str, vocab: FieldVocabulary, *, reference_year: int) -> DocNumber | None:
    """The 文号 that ``text`` consists of, split and checked, or ``None`` if it is not one.

    ``reference_year`` is the year the page was fetched: a later year cannot be right.
    """
    match = _patterns(vocab.doc_number_brackets).whole.fullmatch(compact(nfkc(text or "")))
    return _number(text, match, reference_year) if match else None


def find_doc_number(text: str, vocab: FieldVocabulary, *, reference_year: int) -> DocNumber | None:
    """The first 文号 inside ``text`` (a table cell, a label's value), ``raw`` as printed."""
    normalized = nfkc(text)
    match = _patterns(vocab.doc_number_brackets).whole.search(normalized)
    if match is None:
        return None
    # NFKC keeps offsets unless it expanded a character; the span is then taken from its output.
    source = text if len(text) == len(normalized) else normalized
    return _number(source[match.start() : match.end()], match, reference_year)


def doc_number_line(line: str, vocab: FieldVocabulary, *, reference_year: int) -> tuple[DocNumber, str] | None:
    """The 文号 a line prints as a document's own number, with the rule that read it.

    ``masthead_line``: the line is nothing but a 文号 (``签发人：…`` may follow).
    ``labeled_line``: the line opens with a 文号 label (``文号：``, ``发文字号：``, printed with
    padding spaces or not), and a 文号 starts the value.
    """
    if "号" not in line:
        return None  # every 文号 ends in 号: most lines need no further look
    unsigned = _SIGNER.sub("", line).strip()
    found = parse_doc_number(unsigned, vocab, reference_year=reference_year)
    if found is not None:
        return found, "masthead_line"
    labeled = re.match(rf"\s*(?:{alternation(vocab.doc_number_labels, spaced=True)})\s*[:：]\s*", unsigned)
    if labeled:
        value = unsigned[labeled.end() :]
        found = find_doc_number(value, vocab, reference_year=reference_year)
        if found is not None and value.startswith(found.raw):
            return found, "labeled_line"
    return None


def own_doc_number(lines: list[str], vocab: FieldVocabulary, *, reference_year: int) -> tuple[DocNumber, str] | None:
    """The document's own number and rule name, from the first :data:`MASTHEAD_LINES` lines."""
    for line in lines[:MASTHEAD_LINES]:
        found = doc_number_line(line, vocab, reference_year=reference_year)
        if found is not None:
            return found
    return None


def cited_doc_numbers(body: str, vocab: FieldVocabulary, *, exclude: str | None = None) -> list[str]:
    """Normalized 文号 cited in running text: ``《…》（浙政办发〔2021〕12号）``."""
    cited: list[str] = []
    for match in _patterns(vocab.doc_number_brackets).cited.finditer(nfkc(body)):
        number = normalize_doc_number(match.group(1), vocab)
        if number != exclude and number not in cited:
            cited.append(number)
    return cited


@dataclass(frozen=True)
class DocNumbersInText:
    own: DocNumber | None
    """The document's own number, ``None`` when the text shows none."""
    rule: str | None
    """Name of the rule that found ``own``."""
    cited: list[str]
    """Normalized numbers of other documents the text cites, in order, without repeats."""


def doc_numbers_in_text(body: str | None, vocab: FieldVocabulary, *, reference_year: int) -> DocNumbersInText:
    """The document's own number (if printed among its first lines) and the numbers it cites."""
    found = own_doc_number(lines_of(body), vocab, reference_year=reference_year)
    own, rule = found if found else (None, None)
    cited = cited_doc_numbers(body or "", vocab, exclude=own.normalized if own else None)
    return DocNumbersInText(own, rule, cited)
