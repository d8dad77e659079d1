"""Scrapy settings for govnews.

Every value here can be overridden per run with ``-s NAME=VALUE``; the ones that differ
between deployments also read an environment variable (named beside them). Components read
settings only in their ``from_crawler``.
"""

from __future__ import annotations

import os
from pathlib import Path

BOT_NAME = "govnews"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# --- storage -----------------------------------------------------------------------------
# DATABASE_URL (env): SQLAlchemy URL. Default: an SQLite file under data/, created on first run.
# Postgres: postgresql+psycopg://user:password@host:5432/dbname
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'data' / 'govnews.db'}"
# Most items written per transaction, and the seconds the first item of a batch waits for
# more: a killed crawl loses at most the items of the last STORAGE_BATCH_WAIT seconds.
STORAGE_BATCH_SIZE = 200
STORAGE_BATCH_WAIT = 1.0
# Attempts per batch before it goes to the spool (transient errors: locked, connection lost).
STORAGE_WRITE_ATTEMPTS = 3
STORAGE_RETRY_DELAY = 0.5
# Where batches that could not be written are kept until `scrapy loadspool` brings them in.
SPOOL_DIR = os.environ.get("GOVNEWS_SPOOL_DIR") or str(PROJECT_ROOT / "data" / "spool")
# Seconds SQLite waits on a locked database before the write fails.
SQLITE_BUSY_TIMEOUT = 15.0

# --- pipelines: page -> extraction -> cleaning -> enrichment -> dedup -> storage ------------
ITEM_PIPELINES = {
    # extraction, cleaning, enrichment (CONTENT_PIPELINES) in worker processes
    "pipelines.content.ContentPipeline": 100,
    "pipelines.dedup.ExactDedupPipeline": 400,
    # the only writer of the database's articles and near-duplicate clusters (NEAR_DUPLICATE_*)
    "pipelines.storage.StoragePipeline": 500,
}

# Items of one response processed in parallel. Scrapy starts this many tasks for every
# response, also for the one item of an article page: the default 100 cost 0.9 ms per response
# (crawl benchmark profile); list pages yield at most a few dozen requests.
CONCURRENT_ITEMS = 16

# The stages that need nothing but the item, run by ContentPipeline.
CONTENT_PIPELINES = {
    "pipelines.extraction.ExtractionPipeline": 100,
    "pipelines.cleaning.CleaningPipeline": 200,
    "pipelines.enrichment.EnrichmentPipeline": 300,
}
# Worker processes for them: None = cores - 1 (at most 4), 0 = in the crawl process.
CONTENT_WORKERS = None

EXTENSIONS = {
    # The crawler's one database engine and schema check, shared by every component.
    "crawler.db.database.Database": 0,
    "crawler.extensions.runsummary.RunSummary": 500,
}
# Print the replay/crawl summary table when the spider closes.
RUN_SUMMARY_ENABLED = True

# --- politeness (live crawls) ---------------------------------------------------------------
# GOVNEWS_CONTACT (env): URL or address site operators can reach us at.
GOVNEWS_CONTACT = os.environ.get("GOVNEWS_CONTACT", "https://github.com/govnews/govnews")
USER_AGENT = f"govnews/0.1 (+{GOVNEWS_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60

# --- exports ---------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"

# --- misc ------------------------------------------------------------------------------------
LOG_LEVEL = "INFO"

# --- live crawling (issue 5: site spiders, crawl state, scheduling) --------------------------
# Site configs are loaded by this spider loader: `scrapy list` shows every site id.
SPIDER_LOADER_CLASS = "crawler.spiderloader.SiteSpiderLoader"
# GOVNEWS_SITES_DIR (env): directory of site configs (one TOML per site, `_*.toml` bases).
SITES_DIR = os.environ.get("GOVNEWS_SITES_DIR") or str(PROJECT_ROOT / "crawler" / "sites")
# Read the crawl state, store nothing, mark nothing (also `-a dry_run=1`).
CRAWL_DRY_RUN = False
# Retry-After waits longer than this (seconds) are not honoured: the request is given up.
RETRY_AFTER_MAX = 300
# Blocked answers (403/412, WAF challenge pages) before a crawl closes as `blocked`.
BLOCK_DETECTION_ENABLED = True
BLOCKED_STATUSES = [403, 412]
BLOCKED_CLOSE_AFTER = 3
# `scrapy schedule` / `crawlall`: after N blocked runs in a row a site waits
# BLOCKED_BACKOFF_HOURS * 2**(N-1) hours (at most BLOCKED_BACKOFF_MAX_HOURS) past its schedule.
BLOCKED_BACKOFF_HOURS = 6
BLOCKED_BACKOFF_MAX_HOURS = 7 * 24
# `scrapy schedule`: most crawls (of different sites) running at once.
SCHEDULE_MAX_PARALLEL = 2
# Time zone the site schedules' cron expressions are read in.
SCHEDULE_TIMEZONE = "Asia/Shanghai"
