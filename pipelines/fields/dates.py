"""Dates as pages print them, turned into ISO 8601 with a timezone: the one date parser.

Extraction hands it the strings it finds in a page's regions, ``<meta>`` tags and URL;
enrichment the value of a time label in the cleaned text; both check the result with
:func:`is_plausible` against the fetch time.

Forms: ``2022-05-20 10:30``, ``2022/5/20``, ``2022.05.20``, ``2022年5月20日 10时30分``,
``二〇二二年五月二十日``, full-width digits, ISO strings with ``T`` and an offset, month names
(``Dec 28 2013 00:28``, ``28 December 2013``, ``十一月 6th, 2009``), a date badge whose day
stands apart from its month (``28 2013-12``), compact ``20220520`` (URLs only), and relative
forms (``刚刚``, ``3小时前``, ``昨天 10:20``, ``9个月前 (09-24)``, ``05-20 10:30`` without a
year) which resolve against the page's fetch time, never the clock. Times without a zone are
Beijing time (+08:00); times with one are converted to +08:00 so that the calendar day is the
one the page's readers saw.

Hand-written rather than ``htmldate``/``dateparser``: those read the clock for relative forms
and do not know the Chinese numeral and relative forms; the forms are few and regular.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from crawler.items import Precision

BEIJING = timezone(timedelta(hours=8))

#: A clock reading of the 12-hour kind: 上午/下午 … before the time, AM/PM after it.
_HALF_DAY = r"(?P<ap>上午|下午|中午|晚上|晚间|凌晨|早上|早晨|傍晚|[AaPp]\.?[Mm]\.?)"
_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    rf"(?:\s*(?:T|\s|星期.|周.)?\s*{_HALF_DAY}?\s*(?P<H>\d{{1,2}})\s*"
    r"(?:[:：]\s*(?P<M>\d{1,2})|[时時点點]\s*(?:(?P<M2>\d{1,2})\s*分)?)"
    r"\s*分?(?:\s*[:：]\s*(?P<S>\d{1,2})(?:\.\d+)?|\s*(?P<S2>\d{1,2})\s*秒)?"
    r"(?:\s*(?P<ap2>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMERAL = re.compile(
    r"(?P<y>[〇零○一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日"
)
#: Month names of English dates, and the Chinese ones farm templates put in their place
#: (``十一月 6th, 2009``); longest first, so ``十一月`` is not read as ``一月``.
_MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_CN_MONTHS = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月")
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names} | {
    name: number for number, name in enumerate(_CN_MONTHS, start=1)
}
_MONTH_WORD = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])\.?"
_CLOCK = (
    r"(?:(?:\s*,)?\s+(?:at\s+)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ap>[ap]\.?m\.?)(?![a-z]))?(?:\s*(?P<tz>GMT|UTC|Z|[+-]\d{2}:?\d{2})(?![a-z]))?)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH_NAMED = (
    re.compile(
        rf"(?<![a-z]){_MONTH_WORD}\s*(?P<d>\d{{1,2}}){_ORDINAL}(?!\d)\s*,?\s*(?P<y>(?:19|20)\d{{2}})(?!\d){_CLOCK}",
        re.I,
    ),
    re.compile(
        rf"(?<![\d:])(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH_WORD}\s*,?\s*(?P<y>(?:19|20)\d{{2}})(?!\d){_CLOCK}",
        re.I,
    ),
)
#: A date badge: the day printed apart from the year and month (``28 2013-12``, ``2013.12 | 28``),
#: or the year apart from the month and day (``12-28 2013``); only a text that is nothing else,
#: so a count next to a month is never read as a day.
_BADGES = tuple(
    re.compile(rf"^\s*{form}\s*$")
    for form in (
        r"(?P<d>\d{1,2})\s*[/|｜]?\s*(?P<y>(?:19|20)\d{2})\s*[-./年]\s*(?P<m>\d{1,2})\s*月?",
        r"(?P<y>(?:19|20)\d{2})\s*[-./年]\s*(?P<m>\d{1,2})\s*月?\s*[/|｜]?\s+(?P<d>\d{1,2})\s*日?",
        r"(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})\s*日?\s*[/|｜]?\s*(?P<y>(?:19|20)\d{2})\s*年?",
        r"(?P<y>(?:19|20)\d{2})\s*年?\s*[/|｜]?\s+(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})\s*日?",
    )
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_AGO = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|分鐘|小时|小時|天|日|周|週|星期|个月|個月|月|年)前")
_DAY_WORD = re.compile(rf"(?P<word>今天|昨天|前天|今日|昨日)\s*{_HALF_DAY}?\s*(?:(?P<H>\d{{1,2}})[:：](?P<M>\d{{2}}))?")
_MONTH_DAY = re.compile(
    r"(?<![\d-])(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2}))?(?![\d-])"
)
#: How precise ``N<unit>前`` is; longer units give the day only.
_AGO_PRECISION: dict[str, Precision] = {
    "秒": "second",
    "分钟": "minute",
    "分鐘": "minute",
    "小时": "hour",
    "小時": "hour",
}
_JUST_NOW = re.compile(r"刚刚|剛剛")


@dataclass(frozen=True)
class ParsedDate:
    value: datetime
    raw: str
    precision: Precision
    """How much of ``value`` the page gave: ``day`` (a date alone: its time is not midnight but
    unknown), ``hour`` (``3小时前``), ``minute`` or ``second``."""
    offset: str | None = None
    """The UTC offset the page printed with the time (``+08:00``; ``Z`` as ``+00:00``), ``None``
    when it printed none and the time was read as Beijing time."""

    @property
    def has_time(self) -> bool:
        return self.precision != "day"

    def iso(self) -> str:
        return self.value.isoformat()


def _half_day_hour(hour: int, marker: str | None) -> int:
    """``hour`` on the 24-hour clock for a 12-hour reading (``下午10`` -> 22, ``上午12`` -> 0);
    an hour past 12 is already on the 24-hour clock (``下午15:00``)."""
    if not marker:
        return hour
    word = marker.lower().replace(".", "")
    afternoon = word in ("pm", "下午", "晚上", "晚间", "傍晚") or (word == "中午" and hour < 11)
    if hour > 12:  # 下午15:00: the 24-hour reading with a redundant marker
        return hour
    if afternoon:
        return hour % 12 + 12
    return 0 if hour == 12 and word in ("am", "上午", "凌晨", "早上", "早晨") else hour


def _printed_offset(tz: str | None) -> str | None:
    if not tz:
        return None
    if tz == "Z":
        return "+00:00"
    digits = tz[1:].replace(":", "")
    return f"{tz[0]}{digits[:2]}:{digits[2:]}"


def _cn_number(text: str) -> int:
    """Value of a Chinese numeral up to 99 (十 = 10, 二十 = 20, 二十一 = 21)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _built(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, tz: str | None = None
) -> datetime | None:
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if not tz:
        return value.replace(tzinfo=BEIJING)
    if tz == "Z":
        return value.replace(tzinfo=UTC).astimezone(BEIJING)
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value.replace(tzinfo=timezone(sign * offset)).astimezone(BEIJING)


def fetch_time(fetched_at: str | None) -> datetime | None:
    """The fetch time as an aware datetime (Beijing time when it carries no zone)."""
    if not fetched_at:
        return None
    try:
        value = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def absolute_date(text: str) -> ParsedDate | None:
    """The first absolute date in ``text`` (numeric, Chinese-numeral or ISO forms)."""
    normalized = unicodedata.normalize("NFKC", text)
    match = _NUMERIC.search(normalized)
    if match:
        g = match.groupdict()
        hour = _half_day_hour(int(g["H"] or 0), g["ap"] or g["ap2"])
        second = g["S"] or g["S2"]
        # An offset only follows a time: in ``2007-03-05-23:59:59`` "-23:59" is no zone.
        tz = g["tz"] if g["H"] is not None else None
        minute = int(g["M"] or g["M2"] or 0)
        value = _built(int(g["y"]), int(g["m"]), int(g["d"]), hour, minute, int(second or 0), tz)
        if value:
            precision: Precision = "second" if second else "minute" if g["H"] is not None else "day"
            raw = _raw(text, normalized, match)
            if g["tz"] and not tz:  # the ignored "offset" is not part of the date as printed
                raw = raw[: match.start("tz") - match.start()].strip()
            return ParsedDate(value, raw, precision, _printed_offset(tz))
    match = _CN_NUMERAL.search(normalized)
    if match:
        year = int("".join(str(_CN_DIGITS[c]) for c in match["y"]))
        value = _built(year, _cn_number(match["m"]), _cn_number(match["d"]))
        if value:
            return ParsedDate(value, _raw(text, normalized, match), "day")
    return _month_named_date(text, normalized) or _badge_date(text, normalized)


def _month_named_date(text: str, normalized: str) -> ParsedDate | None:
    """``Dec 28 2013 00:28``, ``December 28, 2013``, ``28 Dec 2013``, ``十一月 6th, 2009``."""
    for pattern in _MONTH_NAMED:
        match = pattern.search(normalized)
        if match is None:
            continue
        hour = _half_day_hour(int(match["H"] or 0), match["ap"])
        month = _MONTHS[match["mon"].lower()]
        tz = "Z" if match["tz"] in ("GMT", "UTC", "gmt", "utc") else match["tz"]
        value = _built(int(match["y"]), month, int(match["d"]), hour, int(match["M"] or 0), int(match["S"] or 0), tz)
        if value:
            precision: Precision = "second" if match["S"] else "minute" if match["H"] else "day"
            return ParsedDate(value, _raw(text, normalized, match), precision, _printed_offset(tz))
    return None


def _badge_date(text: str, normalized: str) -> ParsedDate | None:
    for badge in _BADGES:
        match = badge.match(normalized)
        if match is not None:
            value = _built(int(match["y"]), int(match["m"]), int(match["d"]))
            return ParsedDate(value, _raw(text, normalized, match), "day") if value else None
    return None


def as_printed_local(found: ParsedDate) -> ParsedDate:
    """``found`` with its clock reading taken as Beijing time, whatever offset it printed.

    CMSs write local time into ``<meta>`` and JSON-LD with a ``Z``: when the visible time equals
    the reading, the ``Z`` is wrong and the reading is the time.
    """
    if found.offset is None:
        return found
    sign = 1 if found.offset[0] == "+" else -1
    hours, minutes = int(found.offset[1:3]), int(found.offset[4:6])
    printed = found.value.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return ParsedDate(printed.replace(tzinfo=BEIJING), found.raw, found.precision, None)


def _raw(text: str, normalized: str, match: re.Match[str]) -> str:
    """The matched span as the page printed it (full-width digits kept), when NFKC kept offsets."""
    source = text if len(text) == len(normalized) else normalized
    return source[match.start() : match.end()].strip()


def _months_back(reference: datetime, months: int) -> datetime:
    month_index = reference.year * 12 + reference.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(reference.day, 28)
    return reference.replace(year=year, month=month + 1, day=day)


def relative_date(text: str, reference: datetime) -> ParsedDate | None:
    """A relative or year-less date in ``text`` resolved against ``reference`` (the fetch time)."""
    normalized = unicodedata.normalize("NFKC", text)
    local = reference.astimezone(BEIJING)
    just_now = _JUST_NOW.search(normalized)
    if just_now:
        return ParsedDate(local.replace(microsecond=0), just_now.group(0), "minute")
    match = _AGO.search(normalized)
    if match:
        n, unit = int(match["n"]), match["unit"]
        explicit = _MONTH_DAY.search(normalized[match.end() :])
        if unit in ("秒",):
            value = local - timedelta(seconds=n)
        elif unit in ("分钟", "分鐘"):
            value = local - timedelta(minutes=n)
        elif unit in ("小时", "小時"):
            value = local - timedelta(hours=n)
        elif unit in ("天", "日"):
            value = local - timedelta(days=n)
        elif unit in ("周", "週", "星期"):
            value = local - timedelta(weeks=n)
        elif unit in ("个月", "個月", "月"):
            value = _months_back(local, n)
        else:
            value = local.replace(year=local.year - n, day=min(local.day, 28))
        raw = match.group(0)
        precision = _AGO_PRECISION.get(unit, "day")
        if explicit:
            # "9个月前 (09-24)": the page gives month and day; the relative part fixes the year.
            resolved = _built(value.year, int(explicit["m"]), int(explicit["d"]))
            if resolved:
                end = match.end() + explicit.end()
                if normalized[end : end + 1] in (")", "）"):
                    end += 1
                return ParsedDate(resolved, normalized[match.start() : end].strip(), "day")
        if precision == "day":
            value = value.replace(hour=0, minute=0, second=0)
        return ParsedDate(value.replace(microsecond=0), raw, precision)
    match = _DAY_WORD.search(normalized)
    if match:
        back = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}[match["word"]]
        day = (local - timedelta(days=back)).date()
        hour = _half_day_hour(int(match["H"] or 0), match["ap"] if match["H"] else None)
        that_day = _built(day.year, day.month, day.day, hour, int(match["M"] or 0))
        if that_day:
            return ParsedDate(that_day, match.group(0).strip(), "minute" if match["H"] else "day")
    match = _MONTH_DAY.search(normalized)
    if match and match["H"] is not None:
        # "05-20 10:30": the latest such day not after the fetch.
        for year in (local.year, local.year - 1):
            candidate = _built(year, int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"]))
            if candidate and candidate <= local + timedelta(days=1):
                return ParsedDate(candidate, match.group(0).strip(), "minute")
    return None


def parsed_date(text: str, reference: datetime | None) -> ParsedDate | None:
    """The date in ``text``: absolute forms first, then relative ones when a fetch time is known."""
    found = absolute_date(text)
    if found is None and reference is not None:
        found = relative_date(text, reference)
    return found


#: URL shapes that carry the publication day, with the rule name recorded in provenance.
URL_PATTERNS = (
    ("url /art/Y/M/D/", re.compile(r"/art/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/")),  # Hanweb JCMS
    ("url /tYYYYMMDD_", re.compile(r"/t(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)_")),  # TRS WCM
    ("url /YYYY-MM/DD/", re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)/(?P<d>[0-3]\d)/")),  # xinhuanet c_ pages
    (
        "url /YYYY/MMDD/",
        re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
    ),  # people.com.cn n1/2024/0510/
    ("url /YYYYMMDD/", re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)/")),
    ("url /YYYY-MM-DD/", re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)/")),  # sina doc- pages
    ("url /YYYYMM/DD/", re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)/")),  # chinadaily a/202311/17/
)


def url_date(url: str) -> tuple[ParsedDate, str] | None:
    """The publication day a URL encodes, with the name of the pattern that matched."""
    for name, pattern in URL_PATTERNS:
        match = pattern.search(url)
        if match:
            value = _built(int(match["y"]), int(match["m"]), int(match["d"]))
            if value:
                return ParsedDate(value, match.group(0), "day"), name
    return None


#: How far after the fetch a printed time may be: a server clock running ahead, a neighbouring
#: zone printed as Beijing time. A later time is a clock widget's, not the publication's.
TIME_AFTER_FETCH = timedelta(hours=2)


def is_plausible(value: datetime, reference: datetime | None, *, timed: bool = False) -> bool:
    """A publication time is after 1990 and not after the fetch: one day of slack for a date
    alone (its midnight is no instant), :data:`TIME_AFTER_FETCH` for a time (``timed``)."""
    if value.date() < date(1990, 1, 1):
        return False
    return reference is None or value <= reference + (TIME_AFTER_FETCH if timed else timedelta(days=1))
