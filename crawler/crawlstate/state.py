"""``CrawlState``: one site crawl's view of the crawl state in the database.

Built by the site spider in its ``from_crawler``. It answers which article links are
unknown and which validators to send with a list page, collects what happened to every
link and list page during the crawl, and at ``spider_closed`` (after the pipelines closed,
so the storage stage has flushed) writes:

* ``known_urls``: a link is marked known only when its article is found in ``articles``
  (or the pipelines dropped it, or it failed for good: 404/410, forbidden by robots.txt).
  Articles still in a spool are not marked; once loaded they are known through ``articles``.
* ``list_pages``: validators of a list page are saved only when every unknown link it gave
  ended known; otherwise the page is fetched in full next time, so a failed article is
  retried instead of hidden behind a 304.
* ``crawl_runs``: the run row (inserted ``running`` at open), its counts, status and
  layout-change warnings (:mod:`crawler.crawlstate.runs`).

A dry run (``CRAWL_DRY_RUN``) reads the state but writes none of it.

Settings: ``CRAWL_DRY_RUN``, ``STORAGE_WRITE_ATTEMPTS``, ``STORAGE_RETRY_DELAY``; the database
is the crawler's (:mod:`crawler.db.database`).
Stats: ``crawl_state/known_marked``, ``crawl_state/not_stored``, ``crawl_state/catch_up``,
``crawl_state/validators_kept``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from w3lib.url import canonicalize_url

from crawler.crawlstate.runs import RunFacts, layout_warnings, run_counts, run_status, unreachable
from crawler.db import crawl_state as db
from crawler.db.crawl_models import CrawlRunRow
from crawler.db.database import Database, database_of
from crawler.db.engine import with_retries
from crawler.db.schema import SchemaState
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import ExitStatus, exit_status
from crawler.items import Article
from crawler.siteconfig import SiteConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Outcomes of a link that make it known although no article was stored.
PERMANENT_FAILURES = frozenset({"http_404", "http_410", "robots", "not_a_page"})


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


LINK_ARG = "link_url"
"""The callback argument (``cb_kwargs``) of an article request naming the link it was made for:
outcomes are keyed by the link as listed, which the request's URL may differ from (escaped,
redirected)."""


def list_page_key(response: Response) -> str:
    """The URL a list page was requested as (before redirects): the key of its validators.

    The spider passes its own key where the URL alone does not tell: Hanweb's ``dataproxy.jsp``
    serves every column at one URL, told apart by the POST form.
    """
    redirects: list[str] = response.meta.get("redirect_urls") or []
    return redirects[0] if redirects else response.url


def _listed_link(response: Response) -> str | None:
    """The listed link an article response answers (``None`` for list pages)."""
    link = response.request.cb_kwargs.get(LINK_ARG) if response.request is not None else None
    return link if isinstance(link, str) else None


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine (crawl runs record their pid)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class ListPageVisit:
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    article_links: int
    requested: list[str] = field(default_factory=list)


class CrawlState:
    def __init__(
        self,
        database: Callable[[], Database],
        stats: Callable[[], StatsCollector],
        site: SiteConfig,
        *,
        exit_status: Callable[[], ExitStatus],
        dry_run: bool,
        attempts: int = 3,
        retry_delay: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._stats = stats
        self._exit_status = exit_status
        self.site = site
        self.dry_run = dry_run
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.clock = clock
        self.run_id: int | None = None
        self.catch_up = True
        self.busy_pid: int | None = None
        self.readable = True
        self.validators: dict[str, db.ListPageState] = {}
        self.requested: set[str] = set()
        self.canonical: dict[str, str] = {}
        self.outcomes: dict[str, str] = {}  # link URL -> stored / dropped / http_404 / robots / ...
        self.visits: dict[str, ListPageVisit] = {}
        self.linkless_changed: list[str] = []

    @property
    def stats(self) -> StatsCollector:
        return self._stats()

    @property
    def database(self) -> Database:
        return self._database()

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def exit_status(self) -> ExitStatus:
        return self._exit_status()

    @classmethod
    def from_crawler(cls, crawler: Crawler, site: SiteConfig) -> CrawlState:
        settings = crawler.settings

        # The stats collector and the extensions (the database and the exit status among them)
        # exist only once the crawl starts, after the spider (and this component with it) was built.
        def stats() -> StatsCollector:
            assert crawler.stats is not None
            return crawler.stats

        state = cls(
            lambda: database_of(crawler),
            stats,
            site,
            exit_status=lambda: exit_status(crawler),
            dry_run=settings.getbool("CRAWL_DRY_RUN"),
            attempts=max(1, settings.getint("STORAGE_WRITE_ATTEMPTS")),
            retry_delay=settings.getfloat("STORAGE_RETRY_DELAY"),
        )
        crawler.signals.connect(state.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(state.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
        return state

    # --- opening -----------------------------------------------------------------------------

    def open(self, *, leased: bool = False) -> None:
        """Reads the site's state and, unless dry, inserts the ``running`` run row.

        ``leased``: this process holds the site's lease (``DISTRIBUTED``), so every other
        ``running`` row is of a worker that died, on this machine or another, whose pid says
        nothing here."""
        if self.dry_run:
            self.readable = self.database.schema_state() is SchemaState.CURRENT
            if not self.readable:
                logger.info("dry run on a database without the crawl schema: every link counts as unknown")
                return
        else:
            self.database.ensure_schema()
        now = self.clock()
        with self.engine.begin() as connection:
            self.busy_pid = self._retire_stale_runs(connection, leased)
            if self.busy_pid is not None:
                return
            if not self.dry_run:
                self.run_id = db.start_run(connection, self.site.id, self.site.name, now, os.getpid())
            self.catch_up = not db.last_run_complete(connection, self.site.id, excluding=self.run_id)
            self.validators = db.list_pages(connection, self.site.id)
        if self.catch_up:
            self.stats.set_value("crawl_state/catch_up", 1)
            logger.info("%s: last crawl did not complete (or none yet): walking list pages to full depth", self.site.id)

    def _retire_stale_runs(self, connection: Connection, leased: bool) -> int | None:
        """Marks ``running`` rows of dead processes ``killed``; returns a live one's pid."""
        running = connection.execute(
            select(CrawlRunRow.id, CrawlRunRow.pid).where(
                CrawlRunRow.site == self.site.id, CrawlRunRow.status == "running"
            )
        ).all()
        for run_id, pid in running:
            if not leased and pid is not None and pid_alive(pid) and pid != os.getpid():
                return int(pid)
            if not self.dry_run and pid != os.getpid():
                connection.execute(update(CrawlRunRow).where(CrawlRunRow.id == run_id).values(status="killed"))
        return None

    # --- questions from the spider -----------------------------------------------------------

    def unknown(self, links: list[str]) -> list[str]:
        """The links not known and not yet requested in this run, in order; marks them requested."""
        fresh = [link for link in dict.fromkeys(links) if link not in self.requested]
        if not fresh:
            return []
        for link in fresh:
            self.canonical[link] = canonicalize_url(link, keep_fragments=False)
        known: set[str] = set()
        if self.readable:
            recheck = self.clock() - timedelta(days=self.site.recheck_days) if self.site.recheck_days else None
            with self.engine.connect() as connection:
                known = db.known_urls(
                    connection, self.site.id, {link: self.canonical[link] for link in fresh}, recheck_after=recheck
                )
        self.stats.inc_value("crawl_state/known_links", len(known))
        new = [link for link in fresh if link not in known]
        self.requested.update(new)
        return new

    def conditional_headers(self, url: str) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for a list page, none in catch-up runs."""
        previous = self.validators.get(url)
        if self.catch_up or previous is None:
            return {}
        headers = {}
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        return headers

    # --- what happened -----------------------------------------------------------------------

    def list_page_fetched(
        self, response: Response, article_links: int, requested: list[str], key: str | None = None
    ) -> bool:
        """Records a list page answer (under ``key``, else :func:`list_page_key`); returns whether
        its body changed since the last crawl."""
        url = key or list_page_key(response)
        digest = body_hash(response.body)
        previous = self.validators.get(url)
        changed = previous is None or previous.body_hash != digest
        if changed:
            self.stats.inc_value("site/list_pages_changed")
            if article_links == 0:
                self.linkless_changed.append(url)
        etag = last_modified = None
        # Validators are only sent with GETs; a POST's (dataproxy.jsp) would never be used.
        if response.request is None or response.request.method == "GET":
            etag = (response.headers.get("ETag") or b"").decode("latin-1") or None
            last_modified = (response.headers.get("Last-Modified") or b"").decode("latin-1") or None
        self.visits[url] = ListPageVisit(
            url,
            etag,
            last_modified,
            digest,
            article_links,
            requested,
        )
        return changed

    def list_page_not_modified(self, url: str) -> None:
        previous = self.validators.get(url)
        if previous is not None:
            self.visits[url] = ListPageVisit(url, previous.etag, previous.last_modified, None, previous.article_links)

    def link_failed(self, link: str, outcome: str) -> None:
        self.outcomes.setdefault(link, outcome)

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        link = _listed_link(response)
        if link and isinstance(item, Article):
            self.canonical[link] = item.canonical_url
            self.outcomes[link] = "stored"

    def item_dropped(self, item: Any, response: Response, exception: DropItem, spider: Spider) -> None:
        link = _listed_link(response)
        if link:
            self.outcomes[link] = "dropped"

    # --- closing -----------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.dry_run or self.busy_pid is not None or not self.readable:
            return
        self._with_retries(lambda: self._write_close(reason))

    def _with_retries(self, write: Callable[[], T]) -> T:
        try:
            return with_retries(write, self.attempts, self.retry_delay, "crawl state write")
        except SQLAlchemyError as error:
            self.exit_status.report(ExitCode.FAILED, f"crawl state of {self.site.id} not written")
            logger.error("crawl state of %s not written: %s", self.site.id, error)
            raise

    def _write_close(self, reason: str) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            known = self._known_outcomes(connection)
            db.mark_known(connection, self.site.id, known, now)
            resolved = {o.url for o in known}
            pages = []
            for visit in self.visits.values():
                complete = all(link in resolved for link in visit.requested)
                if not complete:
                    self.stats.inc_value("crawl_state/validators_kept")
                pages.append(
                    db.ListPageState(
                        visit.url,
                        visit.etag if complete else None,
                        visit.last_modified if complete else None,
                        visit.body_hash,
                        visit.article_links,
                    )
                )
            db.save_list_pages(connection, self.site.id, pages, now)
            if self.run_id is not None:
                db.finish_run(connection, self.run_id, self.site.id, self._run_values(connection, reason), now)

    def _known_outcomes(self, connection: Connection) -> list[db.KnownOutcome]:
        stored_links = [link for link, outcome in self.outcomes.items() if outcome == "stored"]
        in_db = db.stored_canonical_urls(connection, [self.canonical[link] for link in stored_links])
        known = []
        for link, outcome in self.outcomes.items():
            if outcome == "stored":
                if self.canonical[link] in in_db:
                    known.append(db.KnownOutcome(link, True, "stored"))
                else:
                    self.stats.inc_value("crawl_state/not_stored")  # spooled: known via articles once loaded
            elif outcome == "dropped" or outcome in PERMANENT_FAILURES:
                known.append(db.KnownOutcome(link, False, outcome))
        self.stats.set_value("crawl_state/known_marked", len(known))
        return known

    def _run_values(self, connection: Connection, reason: str) -> dict[str, Any]:
        stats = self.stats.get_stats()
        counts = run_counts(stats)
        spider_errors = sum(int(v) for k, v in stats.items() if k.startswith("spider_exceptions/"))
        counts["errors"] += spider_errors
        status = run_status(reason, counts["blocked_responses"], spider_errors, unreachable(stats))
        previous = [
            RunFacts(r.new_articles, r.list_pages_changed, r.article_pages, r.extraction_failures)
            for r in db.recent_runs(connection, self.site.id, limit=10)
            if r.id != self.run_id and r.status in ("ok", "failed")
        ]
        current = RunFacts(
            counts["new_articles"], counts["list_pages_changed"], counts["article_pages"], counts["extraction_failures"]
        )
        warnings = layout_warnings(current, previous, self.linkless_changed) if status != "blocked" else []
        if status == "blocked":
            warnings.append(f"site answered with a block ({counts['blocked_responses']} responses); backing off")
        for warning in warnings:
            logger.warning("%s: %s", self.site.id, warning)
        self.stats.set_value("crawl_state/status", status)
        return {"status": status, "close_reason": reason, "warnings": warnings, **counts}
