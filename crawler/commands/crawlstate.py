"""``scrapy crawlstate [--site ID] [--reset] [--runs N]``: show or reset the crawl state.

Shows, per site: last crawl start and status, known URLs (stored / other), list pages with
validators, articles stored, and the latest runs with their counts and warnings. ``--reset``
(with ``--site``) forgets the site's known URLs and list page validators, so its next crawl
downloads every linked article again; stored articles stay.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db.crawl_state import recent_runs, reset_site, site_summaries
from crawler.db.database import open_database
from crawler.db.schema import SchemaState
from crawler.siteconfig import load_sites, sites_dir


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


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
        assert self.settings is not None
        if opts.reset and not opts.site:
            raise UsageError("--reset needs --site ID: state is reset one site at a time")
        configured = list(load_sites(sites_dir(self.settings)))
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
                sites = [opts.site] if opts.site else configured
                for summary in site_summaries(connection, sites):
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
