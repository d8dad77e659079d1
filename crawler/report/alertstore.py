"""Alerts in the database (``alerts``) and to a webhook.

:func:`record_alerts` turns the rules' findings of one evaluation into alert episodes: a new
finding opens a row, a finding already open moves its ``last_seen_at``, an open row no longer
found is resolved. :func:`notify` POSTs the open alerts not yet delivered, and those resolved
just now, as one JSON document to ``ALERT_WEBHOOK_URL``; an alert the webhook did not accept
stays undelivered and is sent again by the next evaluation (resolutions are sent once).

The document carries ``text`` (one line per alert, which Slack and Mattermost incoming webhooks
show as is) and ``alerts`` / ``resolved`` (the rows, for anything else).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.error import URLError

from sqlalchemy import Connection, insert, select, update

from crawler.db.alert_models import AlertRow
from crawler.report.alerts import Alert

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredAlert:
    id: int
    site: str
    rule: str
    field: str
    message: str
    details: dict[str, Any]
    opened_at: datetime
    resolved_at: datetime | None
    notified_at: datetime | None

    def document(self) -> dict[str, Any]:
        """The alert as the webhook and the JSON report give it."""
        return {
            "site": self.site,
            "rule": self.rule,
            "field": self.field,
            "message": self.message,
            "details": self.details,
            "opened_at": self.opened_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }


@dataclass(frozen=True)
class AlertChanges:
    open: list[StoredAlert]
    opened: list[StoredAlert]
    """Of :attr:`open`, those this evaluation opened."""
    resolved: list[StoredAlert]


def _stored(row: Any) -> StoredAlert:
    return StoredAlert(
        row.id,
        row.site,
        row.rule,
        row.field,
        row.message,
        dict(row.details or {}),
        row.opened_at,
        row.resolved_at,
        row.notified_at,
    )


def open_alerts(connection: Connection) -> list[StoredAlert]:
    query = select(AlertRow.__table__).where(AlertRow.resolved_at.is_(None)).order_by(AlertRow.site, AlertRow.id)
    return [_stored(row) for row in connection.execute(query)]


def record_alerts(connection: Connection, firing: Sequence[Alert], now: datetime) -> AlertChanges:
    """Opens, refreshes and resolves ``alerts`` rows so that the open ones are exactly ``firing``.

    Runs in the caller's transaction; two evaluations at once collide on ``uq_alerts_open`` and
    the caller's retry finds the other's row.
    """
    before = {(a.site, a.rule, a.field): a for a in open_alerts(connection)}
    opened_ids = []
    for alert in firing:
        values = {"message": alert.message, "details": dict(alert.details), "last_seen_at": now}
        known = before.pop(alert.key, None)
        if known is not None:
            connection.execute(update(AlertRow).where(AlertRow.id == known.id).values(**values))
            continue
        row_id = connection.execute(
            insert(AlertRow)
            .values(site=alert.site, rule=alert.rule, field=alert.field, opened_at=now, **values)
            .returning(AlertRow.id)
        ).scalar_one()
        opened_ids.append(row_id)
    resolved_ids = [a.id for a in before.values()]
    if resolved_ids:
        connection.execute(update(AlertRow).where(AlertRow.id.in_(resolved_ids)).values(resolved_at=now))
    rows = {a.id: a for a in open_alerts(connection)}
    resolved = connection.execute(select(AlertRow.__table__).where(AlertRow.id.in_(resolved_ids))).all()
    return AlertChanges(
        open=list(rows.values()),
        opened=[rows[i] for i in opened_ids],
        resolved=[_stored(row) for row in resolved],
    )


def webhook_document(undelivered: Sequence[StoredAlert], resolved: Sequence[StoredAlert]) -> dict[str, Any]:
    lines = [f"ALERT {a.message}" for a in undelivered] + [f"resolved: {a.message}" for a in resolved]
    return {
        "text": "\n".join(lines),
        "alerts": [a.document() for a in undelivered],
        "resolved": [a.document() for a in resolved],
    }


def post_json(url: str, document: dict[str, Any], timeout: float) -> None:
    """POSTs ``document``; raises ``OSError`` (``URLError``, ``HTTPError``) unless answered 2xx."""
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        answer.read()


def notify(connection: Connection, url: str, changes: AlertChanges, now: datetime, timeout: float) -> bool:
    """Sends the undelivered open alerts and the new resolutions; marks the alerts delivered.

    Returns whether the webhook accepted them (``True`` also when there was nothing to send).
    A failure is logged, never raised: the report is still written and the alerts stay open
    and undelivered in the database.
    """
    undelivered = [a for a in changes.open if a.notified_at is None]
    if not undelivered and not changes.resolved:
        return True
    try:
        post_json(url, webhook_document(undelivered, changes.resolved), timeout)
    except (URLError, OSError, ValueError) as error:
        logger.error("alert webhook %s failed: %s (the alerts stay undelivered, sent again next time)", url, error)
        return False
    ids = [a.id for a in undelivered]
    if ids:
        connection.execute(update(AlertRow).where(AlertRow.id.in_(ids)).values(notified_at=now))
    return True
