"""``scrapy alerts [--format text|json]``: evaluate the alert rules now, record, notify, list.

The cheap half of ``scrapy report``: reads only the latest crawl runs and the articles of the
rules' windows, records the evaluation in the ``alerts`` table, POSTs what changed to
``ALERT_WEBHOOK_URL`` and prints the open alerts. Exit status 4 while an alert is open, so
``scrapy crawlall; scrapy alerts`` in cron mails the operator exactly when something is wrong.

Settings: those of :mod:`crawler.report.cli`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler.commands import check_database_url
from crawler.db.database import open_database
from crawler.exitcodes import ExitCode
from crawler.report.cli import record_and_notify, schema_problem, thresholds_from
from crawler.report.figures import evaluate_alerts


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--format text|json]"

    def short_desc(self) -> str:
        return "Evaluate the alert rules, record them in the database, notify the webhook, list the open alerts"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--format", choices=["text", "json"], default="text", help="output (default: text)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        now = datetime.now(UTC)
        with open_database(self.settings) as database:
            problem = schema_problem(database)
            if problem:
                print(problem, file=sys.stderr)
                self.exitcode = ExitCode.FAILED
                return
            with database.engine.connect() as connection:
                firing = evaluate_alerts(connection, now, thresholds_from(self.settings))
            changes = record_and_notify(database.engine, firing, now, self.settings)
        opened = {a.id for a in changes.opened}
        if opts.format == "json":
            document = {
                "open": [{**a.document(), "new": a.id in opened} for a in changes.open],
                "resolved": [a.document() for a in changes.resolved],
            }
            print(json.dumps(document, ensure_ascii=False, indent=1))
        else:
            for alert in changes.open:
                new = "NEW " if alert.id in opened else ""
                print(f"{new}ALERT {alert.message} (since {alert.opened_at:%Y-%m-%d %H:%M}Z)")
            for alert in changes.resolved:
                print(f"resolved: {alert.message}")
            if not changes.open:
                print("no open alerts")
        if changes.open:
            self.exitcode = ExitCode.ALERTS
