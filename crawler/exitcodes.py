"""The exit status of ``scrapy crawl``, ``crawlall`` and the other govnews commands.

Scrapy's own ``crawl`` exits 0 whenever the crawl ran; ours says what went wrong, so that cron,
systemd and ``scrapy schedule`` can tell a run that lost data from one that found nothing new.
Components report a code to the crawler's :class:`~crawler.extensions.exitstatus.ExitStatus`;
when several are reported the highest wins. Codes are never reused for another meaning; new
ones take the next free number.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """The run did its work (a crawl that found nothing new, or was blocked and recorded so, too)."""

    FAILED = 1
    """The run could not start or could not finish its work: bad arguments or config, a replay
    path that does not exist, content stages that cannot be built, crawl state not written."""

    SPOOLED = 2
    """Articles could not be written to the database and wait in the spool: run ``scrapy loadspool``."""

    BUSY = 3
    """The site is being crawled by another live process; this crawl did not start."""

    ALERTS = 4
    """``scrapy report`` / ``scrapy alerts``: at least one alert is open (the report is written all
    the same); see ``docs/report.md``."""

    INTERRUPTED = 5
    """The run was stopped before it finished (Ctrl-C, SIGTERM): what it fetched until then is
    stored, the rest is fetched by the next run."""
