"""Absolute dates printed in bylines (``2023-06-03``, ``2023年6月3日 10:30``) to ISO 8601.

Relative forms (``9个月前``) are the extraction stage's work; this module only reads dates that
carry their own year. A date later than the fetch time cannot be the publication time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from pipelines.enrich.text import nfkc

CHINA = timezone(timedelta(hours=8))
"""Pages that print no zone mean Asia/Shanghai, which has no daylight saving time."""
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：时](?P<M>\d{2})(?:[:：分](?P<S>\d{2}))?)?"
)


def parse_fetched_at(fetched_at: str | None) -> datetime | None:
    """``fetched_at`` as an aware datetime (``+08:00`` when it names no zone), ``None`` if unreadable."""
    if not isinstance(fetched_at, str) or not fetched_at:
        return None
    try:
        moment = datetime.fromisoformat(fetched_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def parse_byline_date(value: str, *, reference: datetime) -> tuple[str, str] | None:
    """``(iso, raw)`` for the first absolute date in ``value``, ``None`` if there is none.

    ``raw`` is the date as printed; ``iso`` is ISO 8601 with ``+08:00``. Dates that do not exist
    or lie after ``reference`` (the fetch time) are rejected.
    """
    match = _DATE.search(nfkc(value))
    if match is None:
        return None
    fields = {key: int(text) for key, text in match.groupdict().items() if text is not None}
    try:
        moment = datetime(
            fields["y"],
            fields["m"],
            fields["d"],
            fields.get("H", 0),
            fields.get("M", 0),
            fields.get("S", 0),
            tzinfo=CHINA,
        )
    except ValueError:
        return None
    if moment.date() > _local_date(reference):
        return None
    return moment.isoformat(), match.group(0).strip()


def _local_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()
