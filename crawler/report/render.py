"""Two renderings of one :class:`~crawler.report.figures.Report`: an HTML page and a JSON document.

The page is one self-contained file (styles inline, plots as SVG ``data:`` URIs, no script, no
network), made by the Jinja2 template ``templates/report.html.j2`` with autoescaping on: titles
and names come from crawled pages. The JSON document holds the same figures without the plots;
its layout is described in docs/report.md and versioned by ``format``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from crawler.report import plots
from crawler.report.alerts import FIELD_LABELS
from crawler.report.figures import FILL_FIELDS, Report, SiteFigures

JSON_FORMAT = 1
# Sites drawn as their own series in the daily plot; the rest are summed as "other".
PLOTTED_SITES = 7


def report_document(report: Report) -> dict[str, Any]:
    """The report as JSON-ready values: times in ISO 8601 (UTC), days as ``YYYY-MM-DD``."""
    document = _jsonable(dataclasses.asdict(report))
    assert isinstance(document, dict)
    return {"format": JSON_FORMAT, **document}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def render_html(report: Report) -> str:
    environment = Environment(
        loader=PackageLoader("crawler.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(report.period.timezone)
    environment.filters.update(
        local=lambda moment, fmt="%m-%d %H:%M": moment.astimezone(zone).strftime(fmt) if moment else "–",
        percent=lambda rate: "–" if rate is None else f"{rate:.0%}",
        number=lambda value, digits=1: "–" if value is None else f"{value:,.{digits}f}",
        size=_human_size,
        lag=_lag,
        fill_style=fill_style,
    )
    template = environment.get_template("report.html.j2")
    return template.render(
        report=report,
        zone=zone,
        fields=FILL_FIELDS,
        labels=FIELD_LABELS,
        figures=report_plots(report),
        status_colors=plots.STATUS_COLORS,
    )


def report_plots(report: Report) -> dict[str, Any]:
    """The plots of the page as ``data:`` URIs, by name; per-site ones in dicts by site id."""
    days = report.days
    ranked = sorted(report.sites, key=lambda s: (-s.new_articles, s.site))
    shown = [s for s in ranked[:PLOTTED_SITES] if s.new_articles]
    series = {s.site: s.new_per_day for s in shown}
    rest = [s.new_per_day for s in ranked[PLOTTED_SITES:] if s.new_articles]
    if rest:
        series["other sites"] = [sum(day) for day in zip(*rest, strict=True)]
    colors = {s.site: plots.PALETTE[n % len(plots.PALETTE)] for n, s in enumerate(shown)}
    return {
        "new_per_day": plots.stacked_daily_bars(days, series, colors, "New articles per day", "articles"),
        "runs_per_day": plots.stacked_daily_bars(
            days, report.runs_per_day, plots.STATUS_COLORS, "Crawl runs per day, by status", "runs"
        ),
        "sparklines": {s.site: plots.sparkline(s.new_per_day) for s in report.sites},
        "fill_trends": {
            s.site: plots.fill_trend(days, s.fill_per_day, _flagged_fields(s))
            for s in report.sites
            if _flagged_fields(s)
        },
    }


def _flagged_fields(site: SiteFigures) -> list[str]:
    return [flag.split(":", 1)[1] for flag in site.alerts if flag.startswith("fill_drop:")]


def fill_style(rate: float | None) -> str:
    """A cell background from white (0 %) to blue (100 %): how full, not how good."""
    if rate is None:
        return "background:#f4f4f4;color:#999"
    lightness = 97 - round(rate * 35)
    return f"background:hsl(212,60%,{lightness}%)"


def _lag(hours: float | None) -> str:
    """Hours up to two days, whole days beyond (a backlog crawled late reads as 300 d, not 7,200.0)."""
    if hours is None:
        return "–"
    return f"{hours:.1f} h" if abs(hours) < 48 else f"{hours / 24:.0f} d"


def _human_size(size: int | None) -> str:
    if size is None:
        return "–"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
