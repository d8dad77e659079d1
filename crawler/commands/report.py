"""``scrapy report [-o FILE] [--format html|json] [--since 7d|DATE] [--until DATE]``.

Writes one self-contained HTML page (or the same figures as JSON) about the crawls and the
archive over a period: per site the last crawl, new articles per day, freshness lag, errors,
blocked answers, 304 share and list pages per new article; field fill rates with drops
flagged; the most reposted stories and the outlets that copy most; new 文号 per issuer and
documents with missing or invalid metadata; the period's totals and the database size.

The alert rules (:mod:`crawler.report.alerts`) are evaluated at the end of the period. When the
period ends now (no ``--until``), the evaluation is recorded in the ``alerts`` table and sent to
``ALERT_WEBHOOK_URL``; a report of a past period shows its alerts without recording them. The
exit status is 4 while an alert is open, after the report is written (see docs/report.md).

Settings: those of :mod:`crawler.report.cli`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from scrapy.commands import ScrapyCommand

from crawler.commands import check_database_url
from crawler.db.database import open_database
from crawler.exitcodes import ExitCode
from crawler.report.cli import (
    moment,
    period_start,
    record_and_notify,
    schema_problem,
    thresholds_from,
)
from crawler.report.figures import AlertView, Period, build_report
from crawler.report.render import render_html, report_document


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-o FILE] [--format html|json] [--since 7d|DATE] [--until DATE]"

    def short_desc(self) -> str:
        return "Write an HTML (or JSON) report of the crawls, the archive and the alerts over a period"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
        parser.add_argument("--format", choices=["html", "json"], help="default: from the file suffix, else html")
        parser.add_argument("--since", default="7d", help="start: a duration before the end (7d, 36h) or a date")
        parser.add_argument("--until", help="end: a date or ISO 8601 time (default: now; alerts then not recorded)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        zone_name = self.settings["DISPLAY_TIMEZONE"]
        zone = ZoneInfo(zone_name)
        now = datetime.now(UTC)
        until = moment(opts.until, zone).astimezone(UTC) if opts.until else now
        period = Period(period_start(opts.since, until, zone).astimezone(UTC), until, zone_name)
        fmt = opts.format or ("json" if opts.output and opts.output.suffix.lower() == ".json" else "html")
        with open_database(self.settings) as database:
            problem = schema_problem(database)
            if problem:
                print(problem, file=sys.stderr)
                self.exitcode = ExitCode.FAILED
                return
            with database.engine.connect() as connection:
                report, firing = build_report(
                    connection, period, thresholds_from(self.settings), database=database.display_url, now=now
                )
            if opts.until:
                report.alerts = [_view(alert, None, new=False) for alert in firing]
            else:
                changes = record_and_notify(database.engine, firing, now, self.settings)
                opened = {a.id for a in changes.opened}
                report.alerts = [_view(a, a.opened_at, new=a.id in opened) for a in changes.open]
        text = (
            json.dumps(report_document(report), ensure_ascii=False, indent=1) if fmt == "json" else render_html(report)
        )
        if opts.output:
            opts.output.write_text(text, encoding="utf-8")
            print(f"report of {len(report.sites)} sites, {len(report.alerts)} alerts: {opts.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        if report.alerts:
            self.exitcode = ExitCode.ALERTS


def _view(alert: Any, opened_at: datetime | None, *, new: bool) -> AlertView:
    return AlertView(alert.site, alert.rule, alert.field, alert.message, dict(alert.details), opened_at, new)
