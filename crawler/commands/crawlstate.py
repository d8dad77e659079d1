"""``scrapy crawlstate [--site ID] [--reset] [--runs N]``: show or reset the crawl state.

Shows, per site: last crawl start and status, known URLs (stored / other), list pages with
validators, articles stored, and the latest runs with their counts and warnings. ``--reset``
(with ``--site``) forgets the site's known URLs and list page validators, so its next crawl
downloads every linked article again; stored articles stay.

A site id that is not configured is a usage error naming the sites there are; a site config
that cannot be read is reported (exit status 1) and the other sites are shown.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_database_url
from crawler.db.crawl_state import recent_runs, reset_site, site_summaries
from crawler.db.database import open_database
from crawler.db.schema import SchemaState
from crawler.exitcodes import ExitCode
from crawler.siteconfig import SiteConfigError, sites_dir, usable_sites


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


def unknown_site(site: str, configured: list[str], broken: list[SiteConfigError]) -> str:
    """The message for ``--site`` naming no configured site: the site's own config error when
    its file is broken, and the sites there are."""
    why = next(
        (str(error) for error in broken if str(error).startswith(f"{site}.toml") or f"/{site}.toml:" in str(error)), ""
    )
    return (
        f"unknown site {site!r}"
        + (f" (its config is broken: {why})" if why else "")
        + (f"; sites: {', '.join(configured) or 'none'}")
    )


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Show or reset the per-site crawl state (known URLs, list pages, runs)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this site id")
        parser.add_argument("--reset", action="store_true", help="forget the site's known URLs and list validators")
        parser.add_argument("--runs", type=int, default=3, help="latest runs shown per site (default 3)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        if opts.reset and not opts.site:
            raise UsageError("--reset needs --site ID: state is reset one site at a time")
        sites, broken = usable_sites(sites_dir(self.settings))
        for error in broken:
            print(f"site config left out: {error}", file=sys.stderr)
            self.exitcode = ExitCode.FAILED
        configured = list(sites)
        if opts.site and opts.site not in sites:
            raise UsageError(unknown_site(opts.site, configured, broken), print_help=False)
        with open_database(self.settings) as database:
            if opts.reset:
                database.ensure_schema()
                with database.engine.begin() as connection:
                    known, pages = reset_site(connection, opts.site, datetime.now(UTC))
                print(f"{opts.site}: forgot {known} known URLs and {pages} list pages in {database.display_url}")
                return
            state = database.schema_state()
            if state is not SchemaState.CURRENT:
                print(f"no crawl state in {database.display_url} (schema {state.value}; `scrapy migrate` creates it)")
                return
            with database.engine.connect() as connection:
                shown = [opts.site] if opts.site else configured
                for summary in site_summaries(connection, shown):
                    print(
                        f"{summary.site}: last crawl {_when(summary.last_started_at)} "
                        f"{summary.last_status or 'never'}; "
                        f"known URLs {summary.known_urls} (stored {summary.stored_known}); "
                        f"list pages {summary.list_pages}; articles {summary.articles}"
                    )
                    for run in recent_runs(connection, summary.site, limit=opts.runs):
                        print(
                            f"  run {run.id} {_when(run.started_at)} -> {_when(run.finished_at)} {run.status}: "
                            f"requests {run.requests}, new {run.new_articles}, updated {run.updated}, "
                            f"duplicates {run.duplicates}, errors {run.errors}, blocked {run.blocked_responses}"
                        )
                        for warning in run.warnings or []:
                            print(f"    WARNING {warning}")
