"""The report's plots: matplotlib figures rendered to SVG on the server, as ``data:`` URIs.

Server-side SVG keeps the page self-contained without a JavaScript library inlined (plotly's is
4.5 MB, vega's needs a bundle) and shows in any browser, also with scripts off or in a mail
reader that opens HTML attachments. Each plot is an ``<img>`` of its own, so the ids of one
SVG never clash with another's and a browser test can ask each image whether it decoded.
Text stays text (``svg.fonttype = none``): the browser draws it with its own fonts. Labels
are site ids and dates only; Chinese names go in the HTML tables beside the plots.

A sparkline costs about 14 ms and 1.6 kB (measured with matplotlib 3.11 on the dev machine),
so a report of 300 sites spends about 4 s on them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

STATUS_COLORS = {
    "ok": "#54a24b",
    "failed": "#e45756",
    "killed": "#b279a2",
    "blocked": "#f58518",
    "interrupted": "#bab0ac",
    "running": "#4c78a8",
}
# Distinct colors for up to eight series (Tableau 10, the palette vega-lite uses), then grey.
PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6")
OTHER = "#bab0ac"
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "govnews-report",  # stable ids: the same figures give the same bytes
    "font.size": 8,
    "font.family": ["sans-serif"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.titlesize": 9,
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "legend.fontsize": 7,
}


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_STYLE):
        yield


def data_uri(figure: Figure) -> str:
    """The figure as an SVG ``data:`` URI (base64), without the creation date."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    encoded = base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def day_labels(days: Sequence[date], most: int = 10) -> list[str]:
    """``MM-DD`` under every n-th day counted back from the last, so that at most ``most``
    labels show and the newest day always has one; blanks between."""
    step = max(1, -(-len(days) // most))
    last = len(days) - 1
    return [day.strftime("%m-%d") if (last - n) % step == 0 else "" for n, day in enumerate(days)]


def sparkline(values: Sequence[float], color: str = PALETTE[0]) -> str:
    """Daily counts as a step line over a light fill, no axes: the shape of a week at a glance.
    The headroom above the highest day keeps a steady site from looking like a solid block."""
    with _style():
        figure = Figure(figsize=(1.6, 0.32))
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        axes.stairs(values, fill=True, color=color, alpha=0.35, linewidth=0)
        axes.stairs(values, color=color, linewidth=1.2)
        axes.set_xlim(0, max(1, len(values)))
        axes.set_ylim(0, max(1.0, max(values, default=0)) * 1.25)
        return data_uri(figure)


def stacked_daily_bars(
    days: Sequence[date],
    series: Mapping[str, Sequence[int]],
    colors: Mapping[str, str],
    title: str,
    ylabel: str,
) -> str:
    """Bars per day, one stacked segment per series, legend on the right."""
    with _style():
        figure = Figure(figsize=(6.0, 2.2), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(days)))
        bottom = [0] * len(days)
        for label, values in series.items():
            axes.bar(positions, values, bottom=bottom, color=colors.get(label, OTHER), label=label, width=0.8)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xticks(positions, day_labels(days))
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if series:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return data_uri(figure)


def fill_trend(days: Sequence[date], rates: Mapping[str, Sequence[float | None]], flagged: Sequence[str]) -> str:
    """Daily fill rate per field (0-100 %) for one site; the flagged fields drawn thick."""
    with _style():
        figure = Figure(figsize=(3.2, 1.7), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(days)))
        for n, (name, values) in enumerate(rates.items()):
            points = [float("nan") if v is None else v * 100 for v in values]
            axes.plot(
                positions,
                points,
                marker="o",
                markersize=2.5,
                linewidth=2.2 if name in flagged else 0.9,
                color=PALETTE[n % len(PALETTE)],
                label=name,
            )
        axes.set_ylim(-5, 105)
        axes.set_xticks(positions, day_labels(days, most=5))
        axes.set_ylabel("filled %")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return data_uri(figure)
