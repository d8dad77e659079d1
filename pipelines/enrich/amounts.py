"""Money amounts in 元 (normalized to yuan) and percentages, read from running text.

cn2an's ``smart`` mode turns mixed forms (``1.5亿``, ``150万``, ``三千万``) into numbers, so this
module only finds the spans. It is hand-written regex because cn2an's own ``transform`` rewrites
whole sentences and cannot tell which numbers are money, and it fails on ``百分之…`` in smart
mode. Amounts in other currencies (``789亿美元``, ``新台币100元``) are left out.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import cn2an

from crawler.items import Amount, Percentage
from pipelines.fields.text import nfkc
from pipelines.patterns import alternation
from pipelines.vocab import MentionVocabulary

_DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A Chinese numeral must start with a digit word or 十: a bare 万元 (万元户) is no amount.
_HAN_NUMBER = r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
_UNITS = r"[十百千万亿]*"
# 余/多 (60余万元, 100多万元) make the figure a lower bound; the value is the printed figure.
_AMOUNT = re.compile(
    rf"(?P<number>(?<![\d.,]){_DIGITS}|{_HAN_NUMBER})(?P<more>[余多])?(?P<units>{_UNITS})元"
    r"(?![素旦宵化论])"
)
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")
_HAN_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+)")
# 一元 and 二元 are mostly words (一元二次方程, 二元结构, 一元复始), 五元 or 十元 are money.
_AMBIGUOUS_NUMERALS = frozenset({"一", "二"})
FOREIGN_LOOKBACK = 4
"""Characters before an amount searched for a currency word (新台币)."""


@dataclass(frozen=True)
class Figure:
    text: str
    value: float | int

    def as_amount(self) -> Amount:
        return Amount(text=self.text, yuan=self.value)

    def as_percentage(self) -> Percentage:
        return Percentage(text=self.text, value=float(self.value))


def chinese_number(text: str) -> float | int | None:
    """``1.5亿`` -> 150000000, ``三千万`` -> 30000000; ``None`` when cn2an cannot read it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    number = float(value)
    # Integral amounts stay integers so 1亿元 stores as 100000000, not 1e8.
    return int(number) if number.is_integer() else round(number, 4)


def find_amounts(text: str | None, vocab: MentionVocabulary) -> list[Figure]:
    """Money amounts in 元, in reading order, with their qualifier (``超过``) kept in ``text``."""
    if not text:
        return []
    flat = nfkc(text)
    qualifiers = alternation(vocab.amount_qualifiers, longest_first=False)
    figures: list[Figure] = []
    for match in _AMOUNT.finditer(flat):
        number = match.group("number").replace(",", "")
        if number in _AMBIGUOUS_NUMERALS and not match.group("units"):
            continue
        before = flat[max(0, match.start() - FOREIGN_LOOKBACK) : match.start()]
        if before.endswith(vocab.foreign_currency):
            continue
        value = chinese_number(number + match.group("units"))
        if value is None or value == 0:
            continue
        qualifier = re.search(rf"(?:{qualifiers})$", flat[: match.start()]) if qualifiers else None
        start = qualifier.start() if qualifier else match.start()
        figures.append(Figure(flat[start : match.end()], value))
    return figures


def find_percentages(text: str | None) -> list[Figure]:
    """Percentages (``90%`` -> 90.0, ``百分之十五`` -> 15.0) in reading order.

    ``个百分点`` (percentage points) is a difference, not a percentage, and is not read.
    """
    if not text:
        return []
    flat = nfkc(text)
    found: list[tuple[int, Figure]] = [
        (match.start(), Figure(match.group(0), float(match.group(1)))) for match in _PERCENT.finditer(flat)
    ]
    for match in _HAN_PERCENT.finditer(flat):
        value = chinese_number(match.group(1))
        if value is not None:
            found.append((match.start(), Figure(match.group(0), value)))
    return [figure for _, figure in sorted(found, key=lambda pair: pair[0])]
