"""What ``scrapy report`` and ``scrapy alerts`` share: thresholds from the settings, the period
from the command line, the database check, and the alert step (record, then notify).

Settings: ``DISPLAY_TIMEZONE``, ``ALERT_FAILED_RUNS``, ``ALERT_FILL_RECENT_DAYS``,
``ALERT_FILL_BASELINE_DAYS``, ``ALERT_FILL_DROP``, ``ALERT_FILL_MIN_RECENT``,
``ALERT_FILL_MIN_BASELINE``, ``ALERT_WEBHOOK_URL``, ``ALERT_WEBHOOK_TIMEOUT``,
``STORAGE_WRITE_ATTEMPTS``, ``STORAGE_RETRY_DELAY``; the database is the command's
(:func:`crawler.db.database.open_database`: ``DATABASE_URL``, ``SQLITE_BUSY_TIMEOUT``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from crawler.db.database import Database
from crawler.db.engine import sqlite_file, with_retries
from crawler.db.schema import SchemaState, current_revision
from crawler.report.alerts import Alert, FillRule
from crawler.report.alertstore import AlertChanges, notify, record_alerts
from crawler.report.figures import AlertThresholds

_DURATION = re.compile(r"^(\d+)\s*([dh])$")


def thresholds_from(settings: BaseSettings) -> AlertThresholds:
    return AlertThresholds(
        failed_runs=max(1, settings.getint("ALERT_FAILED_RUNS")),
        fill=FillRule(
            drop=settings.getfloat("ALERT_FILL_DROP"),
            min_recent=settings.getint("ALERT_FILL_MIN_RECENT"),
            min_baseline=settings.getint("ALERT_FILL_MIN_BASELINE"),
        ),
        recent_days=max(1, settings.getint("ALERT_FILL_RECENT_DAYS")),
        baseline_days=max(1, settings.getint("ALERT_FILL_BASELINE_DAYS")),
    )


def moment(text: str, zone: ZoneInfo) -> datetime:
    """A ``YYYY-MM-DD`` (midnight in ``zone``) or ISO 8601 time (naive: in ``zone``)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), zone)
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise UsageError(f"not a date or time: {text!r} (use YYYY-MM-DD or an ISO 8601 time)") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def period_start(text: str, until: datetime, zone: ZoneInfo) -> datetime:
    """``--since``: a duration before ``until`` (``7d``, ``36h``) or a date or time."""
    duration = _DURATION.match(text.strip())
    if duration:
        amount, unit = int(duration[1]), duration[2]
        return until - (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    return moment(text, zone)


def schema_problem(database: Database) -> str | None:
    """Why the database cannot be reported on, or ``None`` when it can."""
    path = sqlite_file(make_url(database.engine.url))
    if path is not None and not path.exists():
        return f"no database at {path}: crawl or replay something first"
    state = database.schema_state()
    if state is SchemaState.CURRENT:
        return None
    if state is SchemaState.NEW:
        return "the database has no govnews schema: crawl or replay something first"
    return f"the database is at revision {current_revision(database.engine)}: run `scrapy migrate` first"


def record_and_notify(engine: Engine, firing: list[Alert], now: datetime, settings: BaseSettings) -> AlertChanges:
    """Records the evaluation in ``alerts`` (retried like the storage writes), then, with
    ``ALERT_WEBHOOK_URL`` set, sends what changed."""
    attempts = max(1, settings.getint("STORAGE_WRITE_ATTEMPTS"))
    delay = settings.getfloat("STORAGE_RETRY_DELAY")

    def record() -> AlertChanges:
        with engine.begin() as connection:
            return record_alerts(connection, firing, now)

    changes = with_retries(record, attempts, delay, "alerts write")
    url = settings.get("ALERT_WEBHOOK_URL")
    if url:
        with engine.begin() as connection:
            notify(connection, url, changes, now, settings.getfloat("ALERT_WEBHOOK_TIMEOUT"))
    return changes
