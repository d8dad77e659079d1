"""Alert episodes in the ``alerts`` table and the webhook (:mod:`crawler.report.alertstore`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from crawler.db.alert_models import AlertRow
from crawler.report.alerts import Alert
from crawler.report.alertstore import notify, record_alerts
from tests.reportfixture import Webhook, closed_port

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
DEAD = Alert("dead", "failed_runs", "dead: the last 3 crawls failed", details={"streak": 3})
WAF = Alert("waf", "blocked", "waf: the last crawl was blocked", details={"streak": 1})
NEWS = Alert("news", "fill_drop", "news: 来源 filled on 0%", field="source_name")


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook().start()
    yield hook
    hook.stop()


def rows(engine: Engine) -> list[tuple[str, str, str, datetime, datetime, datetime | None]]:
    with engine.connect() as connection:
        query = select(
            AlertRow.site,
            AlertRow.rule,
            AlertRow.field,
            AlertRow.opened_at,
            AlertRow.last_seen_at,
            AlertRow.resolved_at,
        ).order_by(AlertRow.id)
        return [tuple(row) for row in connection.execute(query)]


def test_an_alert_opens_stays_open_while_it_fires_and_resolves_when_it_stops(engine: Engine) -> None:
    t1, t2, t3 = T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 + timedelta(hours=3)
    with engine.begin() as connection:
        first = record_alerts(connection, [DEAD, NEWS], T0)
    assert [a.site for a in first.opened] == ["dead", "news"]
    with engine.begin() as connection:
        second = record_alerts(connection, [DEAD, WAF], t1)
    assert [a.site for a in second.opened] == ["waf"]
    assert [a.site for a in second.resolved] == ["news"]
    assert [a.site for a in second.open] == ["dead", "waf"]
    with engine.begin() as connection:
        third = record_alerts(connection, [NEWS], t2)  # fires again: a new episode
    assert [a.site for a in third.opened] == ["news"]
    with engine.begin() as connection:
        assert record_alerts(connection, [], t3).open == []
    assert rows(engine) == [
        ("dead", "failed_runs", "", T0, t1, t2),
        ("news", "fill_drop", "source_name", T0, T0, t1),
        ("waf", "blocked", "", t1, t1, t2),
        ("news", "fill_drop", "source_name", t2, t2, t3),
    ]


def test_the_webhook_gets_new_alerts_once_and_resolutions(engine: Engine, webhook: Webhook) -> None:
    with engine.begin() as connection:
        changes = record_alerts(connection, [DEAD, NEWS], T0)
        assert notify(connection, webhook.url, changes, T0, timeout=5)
    with engine.begin() as connection:
        changes = record_alerts(connection, [DEAD], T0 + timedelta(hours=1))
        assert notify(connection, webhook.url, changes, T0, timeout=5)
    with engine.begin() as connection:  # nothing changed: nothing sent
        changes = record_alerts(connection, [DEAD], T0 + timedelta(hours=2))
        assert notify(connection, webhook.url, changes, T0, timeout=5)
    first, second = webhook.received
    assert [a["site"] for a in first["alerts"]] == ["dead", "news"]
    assert first["alerts"][0]["details"] == {"streak": 3}
    assert first["text"] == "ALERT dead: the last 3 crawls failed\nALERT news: 来源 filled on 0%"
    assert second["alerts"] == []
    assert [a["site"] for a in second["resolved"]] == ["news"]


@pytest.mark.parametrize("failure", ["status_500", "nothing_listening"])
def test_an_undelivered_alert_is_sent_again_next_time(engine: Engine, webhook: Webhook, failure: str) -> None:
    if failure == "status_500":
        webhook.status, url = 500, webhook.url
    else:
        url = f"http://127.0.0.1:{closed_port()}/hook"
    with engine.begin() as connection:
        changes = record_alerts(connection, [DEAD], T0)
        assert not notify(connection, url, changes, T0, timeout=5)
    assert changes.open[0].notified_at is None
    webhook.status = 200
    with engine.begin() as connection:
        changes = record_alerts(connection, [DEAD], T0 + timedelta(hours=1))
        assert changes.opened == []
        assert notify(connection, webhook.url, changes, T0, timeout=5)
    assert [a["site"] for a in webhook.received[-1]["alerts"]] == ["dead"]
    with engine.connect() as connection:
        assert connection.execute(select(AlertRow.notified_at)).scalar_one() == T0
