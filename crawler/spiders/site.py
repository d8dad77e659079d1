"""``scrapy crawl site -a site=ID`` (or ``scrapy crawl ID``): the new articles of one configured site.

From the site config (:mod:`crawler.siteconfig`) the spider requests the entry points: list
pages (paginated by a next link, numbered pages, or Hanweb's ``dataproxy.jsp`` POSTs for a
column's deeper records, :mod:`crawler.cms.hanweb`), RSS/Atom feeds and sitemaps. On each it
finds the links matching ``article_links`` on the allowed domains, asks the crawl state
(:mod:`crawler.crawlstate.state`) which are unknown, and requests only those; each article page
becomes a :class:`~crawler.items.Page` for the pipelines.

Pagination goes on while a list page gave unknown article links, up to
``pagination.max_pages``; after a crawl that did not complete (killed, interrupted, blocked,
or the first crawl) it walks to that depth regardless. List pages, feeds and sitemaps are
requested with ``If-None-Match`` / ``If-Modified-Since`` from the last complete crawl; a 304
ends that entry point (``dataproxy.jsp`` POSTs are never conditional). A ``dataproxy.jsp``
answer without a ``<datastore>`` is logged and counted, and ends that column's paging. A
blocked entry point, or ``BLOCKED_CLOSE_AFTER`` blocked responses, close the crawl with
reason ``blocked``.

Arguments: ``site`` (id of a config in ``SITES_DIR``), ``config`` (path of a config file,
instead of ``site``), ``dry_run`` (``1``: read the state, store nothing, mark nothing),
``fetched_at`` (ISO 8601 with timezone: pins the fetch time of every page, for reproducible
relative dates, as ``scrapy crawl replay`` does).
With ``DISTRIBUTED`` the spider first takes the site's lease (:mod:`crawler.distributed.sitejobs`):
held by another worker anywhere, the crawl does not start (exit 3), as with a live pid here.
Settings: ``SITES_DIR``, ``CRAWL_DRY_RUN``, ``BLOCKED_CLOSE_AFTER``, ``PAGE_MAX_CHARS``; the site's
politeness sets ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN``, its ``extraction`` table
``EXTRACTION_OVERRIDES``, unless given on the command line.
Stats: ``site/list_pages``, ``site/list_pages_changed``, ``site/not_modified``,
``site/article_links``, ``site/article_requests``, ``site/article_pages``,
``site/offsite_links``, ``site/pagination_stopped/<why>``, ``site/article_errors``,
``site/list_errors`` (``site/list_errors/malformed_dataproxy``), ``site/dataproxy_fields_missing``,
``site/blocked``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import FormRequest, Request, Response, TextResponse
from scrapy.selector import Selector
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.response import get_base_url
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.cms.hanweb import dataproxy_form, dataproxy_url, parse_datastore
from crawler.crawlstate.runs import unreachable
from crawler.crawlstate.state import LINK_ARG, CrawlState, list_page_key
from crawler.distributed.sitejobs import LeaseUnavailableError, SiteLease
from crawler.downloadermiddlewares.blocking import BlockedError
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import exit_status
from crawler.items import Page
from crawler.pages import NotAPageError, page_from_response, pinned_fetch_time
from crawler.siteconfig import SiteConfig, find_site, load_site, sites_dir

logger = logging.getLogger(__name__)

STORAGE_PIPELINE = "pipelines.storage.StoragePipeline"
# Above the command line's priority: a dry run stays dry whatever -s says.
_DRY_RUN_PRIORITY = 100
# href values, also inside <script type="text/xml"> CDATA blocks where Hanweb (大汉) column
# pages keep their article lists.
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#")


def links_in(markup: str, base_url: str) -> list[str]:
    """Absolute URLs of every ``href`` in ``markup``, without fragments, in order, once each."""
    links: dict[str, None] = {}
    for match in _HREF.finditer(markup):
        raw = html.unescape(next(group for group in match.groups() if group is not None)).strip()
        if not raw or raw.lower().startswith(_NOT_PAGES):
            continue
        url = urljoin(base_url, raw).split("#", 1)[0]
        if url.startswith(("http://", "https://")):
            links[url] = None
    return list(links)


def on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """Whether the URL's host is one of ``domains`` or under one (ports ignored, as Scrapy's offsite check does)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


def numbered_page_url(entry_url: str, template: str, n: int) -> str:
    """Page ``n`` of a numbered list (``index_{n}.html`` beside ``entry_url``)."""
    return urljoin(entry_url, template.format(n=n))


def feed_links(body: bytes) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed."""
    selector = Selector(body=body, type="xml")
    selector.remove_namespaces()
    links = selector.xpath("//item/link/text()").getall()
    links += selector.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
    return [link.strip() for link in links if link.strip()]


def sitemap_body(response: Response) -> bytes:
    if response.body[:2] == b"\x1f\x8b":
        return gunzip(response.body)
    return response.body


def apply_site_settings(settings: BaseSettings, site: SiteConfig, dry_run: bool) -> None:
    """The site's politeness and extraction overrides (below ``-s``), and dry-run switches."""
    settings.set("DOWNLOAD_DELAY", site.politeness.download_delay, priority="spider")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", site.politeness.concurrency, priority="spider")
    if site.extraction:
        overrides = dict(settings.getdict("EXTRACTION_OVERRIDES"))
        overrides[site.id] = dict(site.extraction)
        settings.set("EXTRACTION_OVERRIDES", overrides, priority="spider")
    if dry_run:
        settings.set("CRAWL_DRY_RUN", True, priority=_DRY_RUN_PRIORITY)
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        pipelines[STORAGE_PIPELINE] = None
        settings.set("ITEM_PIPELINES", pipelines, priority=_DRY_RUN_PRIORITY)


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class SiteSpider(scrapy.Spider):
    name = "site"
    default_site: str | None = None
    """Set on the per-site classes the spider loader makes, so ``scrapy crawl ID`` needs no ``-a site``."""
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.downloadermiddlewares.retryafter.RetryAfterMiddleware": 550,
            "crawler.downloadermiddlewares.blocking.BlockDetectionMiddleware": 560,
            "crawler.downloadermiddlewares.charset.CharsetCorrectionMiddleware": 950,
        },
    }

    site: SiteConfig
    crawl_state: CrawlState  # not `state`: Scrapy's JOBDIR extension owns spider.state
    lease: SiteLease | None  # with DISTRIBUTED: one crawl of the site across every machine
    blocked_close_after: int
    pinned_fetched_at: datetime | None
    allowed_domains: list[str]  # Scrapy's offsite middleware reads it

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        site = cls._config(crawler.settings, kwargs.pop("site", None) or cls.default_site, kwargs.pop("config", None))
        dry_run = truthy(kwargs.pop("dry_run", None)) or crawler.settings.getbool("CRAWL_DRY_RUN")
        pinned = pinned_fetch_time(kwargs.pop("fetched_at", None))
        apply_site_settings(crawler.settings, site, dry_run)
        spider: SiteSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.site = site
        spider.pinned_fetched_at = pinned
        spider.allowed_domains = list(site.allowed_domains)
        spider.crawl_state = CrawlState.from_crawler(crawler, site)
        spider.lease = SiteLease.from_crawler(crawler, site.id)  # after the crawl state: released after it writes
        spider.blocked_close_after = max(1, crawler.settings.getint("BLOCKED_CLOSE_AFTER"))
        return spider

    @staticmethod
    def _config(settings: BaseSettings, site_id: str | None, path: str | None) -> SiteConfig:
        if path:
            return load_site(Path(path).expanduser())
        if not site_id:
            raise ValueError("which site? scrapy crawl site -a site=ID (ids: scrapy list), or -a config=PATH")
        return find_site(sites_dir(settings), site_id)

    async def start(self) -> AsyncIterator[Any]:
        if self.lease is not None:
            try:
                holder = self.lease.acquire()
            except LeaseUnavailableError as error:
                logger.error("%s: Redis (DISTRIBUTED) unreachable, not crawling: %s", self.site.id, error)
                exit_status(self.crawler).report(ExitCode.FAILED, f"Redis unreachable: {error}")
                return
            if holder is not None:
                logger.error("%s is being crawled by %s: not starting a second crawl", self.site.id, holder)
                exit_status(self.crawler).report(ExitCode.BUSY, f"{self.site.id} is being crawled by {holder}")
                return
        self.crawl_state.open(leased=self.lease is not None)
        if self.crawl_state.busy_pid is not None:
            busy = self.crawl_state.busy_pid
            logger.error("%s is being crawled by process %d: not starting a second crawl", self.site.id, busy)
            exit_status(self.crawler).report(ExitCode.BUSY, f"{self.site.id} is being crawled by process {busy}")
            return
        for url in self.site.list_pages:
            yield self._list_request(url, entry=url, page=0, callback=self.parse_list)
        for url in self.site.feeds:
            yield self._list_request(url, entry=url, page=0, callback=self.parse_feed)
        for url in self.site.sitemaps:
            yield self._list_request(url, entry=url, page=0, callback=self.parse_sitemap)

    def closed(self, reason: str) -> None:
        """Reports a crawl that reached none of its entry points as ``FAILED``: every request
        failing (DNS, a server that never answers) is not a quiet run."""
        stats = self.crawler.stats.get_stats()
        if reason == "finished" and unreachable(stats):
            errors = int(stats.get("site/list_errors", 0))
            logger.error("%s: none of its entry points could be fetched (%d list page errors)", self.site.id, errors)
            exit_status(self.crawler).report(ExitCode.FAILED, f"{self.site.id}: no entry point could be fetched")

    def _list_request(self, url: str, *, entry: str, page: int, callback: Any) -> Request:
        """A GET of a list page, feed or sitemap; its callback gets ``entry`` (the entry point it
        descends from) and ``page`` (0 for the entry point, one more per pagination step)."""
        return Request(
            url,
            callback=callback,
            errback=self.list_failed,
            headers=self.crawl_state.conditional_headers(url),
            cb_kwargs={"entry": entry, "page": page},
            meta={"handle_httpstatus_list": [304]},  # read by Scrapy's HttpErrorMiddleware
        )

    # --- list pages, feeds, sitemaps ---------------------------------------------------------

    def parse_list(self, response: Response, entry: str, page: int) -> Iterator[Request]:
        links = self._listed(response, entry, self._link_area(response))
        if links is None:
            return
        requested = yield from self._article_requests(response, links)
        if self.site.pagination.kind == "hanweb_dataproxy":
            yield from self._paginate(page, requested, partial(self._first_dataproxy_request, response, entry, page))
        else:
            yield from self._paginate(page, requested, partial(self._next_list_request, response, entry, page))

    def parse_dataproxy(
        self, response: Response, entry: str, page: int, column_url: str, form: dict[str, str], end: int, key: str
    ) -> Iterator[Request]:
        """A ``dataproxy.jsp`` answer: the column's deeper records (:mod:`crawler.cms.hanweb`).

        ``column_url`` is the column page the records belong to, ``form`` the POST's form,
        ``end`` the last record asked for and ``key`` the crawl state's key of this window."""
        store = parse_datastore(response.text) if isinstance(response, TextResponse) else None
        if store is None:
            stats = self.crawler.stats
            stats.inc_value("site/list_errors")
            stats.inc_value("site/list_errors/malformed_dataproxy")
            stats.inc_value("site/pagination_stopped/malformed_dataproxy")
            snippet = response.text[:120] if isinstance(response, TextResponse) else response.body[:120]
            logger.warning("dataproxy answer for %s has no <datastore> (skipped): %s %r", entry, response.url, snippet)
            return
        if not store.records:  # asked past the column's end: nothing listed, no layout warning
            self.crawler.stats.inc_value("site/list_pages")
            self.crawler.stats.inc_value("site/pagination_stopped/last_page")
            return
        # Records are rendered into the column page: their links are relative to it.
        links = self._listed(response, entry, None, links_in("\n".join(store.records), column_url), key=key)
        assert links is not None
        requested = yield from self._article_requests(response, links, key=key)
        asked = self.site.pagination.dataproxy.records

        def next_request() -> Request | None:
            if len(store.records) < asked or (store.total is not None and end >= store.total):
                return None
            return self._dataproxy_request(entry, column_url, form, end + 1, page + 1)

        yield from self._paginate(page, requested, next_request)

    def parse_feed(self, response: Response, entry: str, page: int) -> Iterator[Request]:
        links = self._listed(response, entry, None)
        if links is not None:
            yield from self._article_requests(response, links)

    def parse_sitemap(self, response: Response, entry: str, page: int) -> Iterator[Request]:
        if response.status == 304:
            self._listed(response, entry, None)
            return
        sitemap = Sitemap(sitemap_body(response))
        locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            self.crawler.stats.inc_value("site/list_pages")
            self.crawl_state.list_page_fetched(response, len(locs), [])
            for loc in locs:
                if self._on_site(loc):
                    yield self._list_request(loc, entry=entry, page=1, callback=self.parse_sitemap)
            return
        links = self._listed(response, entry, None, locs)
        if links is not None:
            yield from self._article_requests(response, links)

    def _link_area(self, response: Response) -> str | None:
        if not self.site.link_area:
            return None
        return "\n".join(response.css(self.site.link_area).getall())

    def _listed(
        self, response: Response, entry: str, area: str | None, urls: list[str] | None = None, key: str | None = None
    ) -> list[str] | None:
        """The article links of a list answer (``None`` for a 304), counting and recording the page."""
        stats = self.crawler.stats
        stats.inc_value("site/list_pages")
        if response.status == 304:
            stats.inc_value("site/not_modified")
            self.crawl_state.list_page_not_modified(key or list_page_key(response))
            return None
        if urls is None:
            if entry in self.site.feeds:
                urls = feed_links(response.body)
            else:
                assert isinstance(response, TextResponse)
                urls = links_in(area if area is not None else response.text, get_base_url(response))
        links = [url for url in urls if self.site.is_article(url)]
        onsite = [url for url in links if self._on_site(url)]
        stats.inc_value("site/offsite_links", len(links) - len(onsite))
        stats.inc_value("site/article_links", len(onsite))
        return onsite

    def _article_requests(
        self, response: Response, links: list[str], key: str | None = None
    ) -> Generator[Request, None, list[str]]:
        """Requests for the unknown ``links``; returns them (``yield from`` gives the list).

        Each request's callback gets ``link_url``: the link as listed, which the crawl state
        keys its outcome by (the request's URL may be escaped, or redirected)."""
        unknown = self.crawl_state.unknown(links)
        self.crawl_state.list_page_fetched(response, len(links), unknown, key=key)
        for url in unknown:
            self.crawler.stats.inc_value("site/article_requests")
            yield Request(url, callback=self.parse_article, errback=self.article_failed, cb_kwargs={LINK_ARG: url})
        return unknown

    def _paginate(
        self, page: int, requested: list[str], next_request: Callable[[], Request | None]
    ) -> Iterator[Request]:
        """The next list page's request, unless the depth is reached, the page gave nothing new, or the list ended."""
        stats = self.crawler.stats
        if page + 1 >= self.site.pagination.max_pages:
            stats.inc_value("site/pagination_stopped/depth")
        elif not requested and not self.crawl_state.catch_up:
            stats.inc_value("site/pagination_stopped/no_unknown_links")
        elif (request := next_request()) is None:
            stats.inc_value("site/pagination_stopped/last_page")
        else:
            yield request

    def _next_list_request(self, response: Response, entry: str, page: int) -> Request | None:
        next_url = self._next_page(response, entry, page)
        if next_url is None:
            return None
        return self._list_request(next_url, entry=entry, page=page + 1, callback=self.parse_list)

    def _first_dataproxy_request(self, response: Response, entry: str, page: int) -> Request | None:
        """The first ``dataproxy.jsp`` request of a Hanweb column page: records after those it embeds."""
        assert isinstance(response, TextResponse)
        store = parse_datastore(response.text)
        if store is None or not store.records:
            logger.info("%s: no <datastore> records on the column page, nothing to page through", response.url)
            return None
        if store.total is not None and len(store.records) >= store.total:
            return None
        form, missing = dataproxy_form(self.site.pagination.dataproxy, response.text, response.url)
        if missing:
            self.crawler.stats.inc_value("site/dataproxy_fields_missing")
            logger.warning(
                "%s: pagination.dataproxy.fields %s not found on the column page: not paging (layout change?)",
                response.url,
                ", ".join(missing),
            )
            return None
        return self._dataproxy_request(entry, response.url, form, len(store.records) + 1, page + 1)

    def _dataproxy_request(self, entry: str, column_url: str, form: dict[str, str], start: int, page: int) -> Request:
        """A POST for the column's records from ``start``; never conditional (validators are for GETs).

        ``column_url`` is where the column page was answered (after redirects): the POST goes
        beside it, as the page's script sends it, so no redirect turns it into a GET.
        """
        config = self.site.pagination.dataproxy
        url = dataproxy_url(column_url, config, start)
        return FormRequest(
            url,
            formdata=form,
            callback=self.parse_dataproxy,
            errback=self.list_failed,
            headers={"Referer": column_url},
            cb_kwargs={
                "entry": entry,
                "page": page,
                "column_url": column_url,
                "form": form,
                "end": start + config.records - 1,
                # One dataproxy URL serves every column of the site: the form tells them apart.
                "key": f"{url}#{urlencode(form)}",
            },
        )

    def _next_page(self, response: Response, entry: str, page: int) -> str | None:
        pagination = self.site.pagination
        if pagination.kind == "numbered":
            return numbered_page_url(entry, pagination.numbered, pagination.first + page)
        if pagination.kind == "next":
            query = pagination.next_link
            found = response.xpath(query) if query.startswith(("/", "(")) else response.css(query)
            href = found.attrib.get("href") if found else None
            if href and not href.strip().lower().startswith(_NOT_PAGES):
                url = response.urljoin(html.unescape(href.strip()))
                return url if self._on_site(url) and url != response.url else None
        return None

    def _on_site(self, url: str) -> bool:
        return on_domains(url, self.site.allowed_domains)

    # --- article pages -----------------------------------------------------------------------

    def parse_article(self, response: Response, link_url: str) -> list[Page]:
        # A list, not a generator: Scrapy reads the source of a generator callback with `ast` on
        # every response to warn about `return value` (its cache misses on bound methods), which
        # cost 0.15 to 0.5 ms of CPU per article page (three alternating spider-only crawls).
        self.crawler.stats.inc_value("site/article_pages")
        try:
            fetched_at = self.pinned_fetched_at or datetime.now(UTC)
            max_chars = self.crawler.settings.getint("PAGE_MAX_CHARS")
            return [
                page_from_response(response, kind="html", fetched_at=fetched_at, site=self.site.id, max_chars=max_chars)
            ]
        except NotAPageError as error:
            logger.info("not an article page %s: %s", response.url, error)
            self.crawler.stats.inc_value("site/not_a_page")
            self.crawl_state.link_failed(link_url, "not_a_page")
            return []

    # --- failures ----------------------------------------------------------------------------

    def article_failed(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        outcome = self._failure_outcome(failure)
        self.crawler.stats.inc_value("site/article_errors")
        self.crawler.stats.inc_value(f"site/article_errors/{outcome}")
        self.crawl_state.link_failed(request.cb_kwargs[LINK_ARG], outcome)

    def list_failed(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        if isinstance(error, HttpError) and error.response.status in (404, 410) and request.cb_kwargs["page"] > 0:
            # Numbered pages run out with a 404 where the list ends: not an error.
            self.crawler.stats.inc_value("site/pagination_stopped/not_found")
            return
        outcome = self._failure_outcome(failure)
        self.crawler.stats.inc_value("site/list_errors")
        self.crawler.stats.inc_value(f"site/list_errors/{outcome}")
        logger.warning("list page %s failed: %s", request.url, outcome)
        if isinstance(error, BlockedError):
            raise CloseSpider("blocked")

    def _failure_outcome(self, failure: Failure) -> str:
        """The outcome recorded for a failed request: ``http_404``, ``robots``, ``blocked_…`` or the error's name."""
        error = failure.value
        if isinstance(error, BlockedError):
            self.crawler.stats.inc_value("site/blocked")
            if self.crawler.stats.get_value("site/blocked", 0) >= self.blocked_close_after:
                raise CloseSpider("blocked")
            return f"blocked_{error.reason}"
        if isinstance(error, HttpError):
            return f"http_{error.response.status}"
        if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):  # RobotsTxtMiddleware's message
            return "robots"
        return type(error).__name__


def site_spider_class(site_id: str) -> type[SiteSpider]:
    """A ``SiteSpider`` named after one site, for ``scrapy list`` and ``scrapy crawl ID``."""
    return type(f"SiteSpider_{site_id}", (SiteSpider,), {"name": site_id, "default_site": site_id})
