"""Scrapy settings for govnews: every setting the project reads, declared once with its default.

Each project setting has a one-line comment above it saying what it does; components read it
without a default of their own (``settings.getint("X")``), only in their ``from_crawler``, and
``tests/test_settings.py`` fails on a setting read in ``crawler/`` or ``pipelines/`` that is
not declared here (or in Scrapy's own defaults), or read with an inline default. Every value
can be overridden per run with ``-s NAME=VALUE``; the ones that differ between deployments
also read an environment variable (named beside them).
"""

from __future__ import annotations

import os
from pathlib import Path

BOT_NAME = "govnews"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# The checkout (or installed package root) holding crawler/, pipelines/ and data/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# --- storage -----------------------------------------------------------------------------
# DATABASE_URL (env): SQLAlchemy URL. Default: an SQLite file under data/, created on first run.
# Postgres: postgresql+psycopg://user:password@host:5432/dbname
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'data' / 'govnews.db'}"
# Most items written per transaction (articles, their links and near-duplicate clusters).
STORAGE_BATCH_SIZE = 200
# Seconds a batch's first item waits for more before the batch is written: a kill loses at most these.
STORAGE_BATCH_WAIT = 1.0
# Attempts per batch (and per crawl-state write) before giving up: the batch goes to the spool.
STORAGE_WRITE_ATTEMPTS = 3
# Seconds between two attempts of a failed write (transient errors: locked, connection lost).
STORAGE_RETRY_DELAY = 0.5
# Where batches that could not be written are kept until `scrapy loadspool` brings them in.
SPOOL_DIR = os.environ.get("GOVNEWS_SPOOL_DIR") or str(PROJECT_ROOT / "data" / "spool")
# Bytes the spool's file system must have free when a run starts, or the run does not start.
SPOOL_MIN_FREE_BYTES = 64 * 1024 * 1024
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
# Worker processes for them: None = one per core (at most 4; none on one core), 0 = in the crawl process.
CONTENT_WORKERS = None

# --- extraction, cleaning, enrichment ------------------------------------------------------
# Per-site selector overrides {site id: {field: CSS or XPath}}; site configs' [extraction] add theirs.
EXTRACTION_OVERRIDES: dict[str, dict[str, str]] = {}
# Pages (decoded text, markup included) longer than this are skipped, counted ("too long"):
# a real article page is well under it, and extraction time grows with the length.
PAGE_MAX_CHARS = 2_000_000
# False switches the cleaning stage off.
CLEANING_ENABLED = True
# spun_score (0..1) at or above which an article is flagged is_spun.
CLEANING_SPUN_THRESHOLD = 0.5
# False switches the enrichment stage off.
ENRICHMENT_ENABLED = True
# False skips entity tagging (jieba), the slowest enrichment rule.
ENRICHMENT_ENTITIES = True

# --- dedup and near-duplicates ---------------------------------------------------------------
# Query parameters dropped from canonical URLs besides the built-in tracking list (utm_*, spm …).
DEDUP_TRACKING_PARAMETERS: list[str] = []
# False: storage links exact copies only, without assigning near-duplicate clusters.
NEAR_DUPLICATE_ENABLED = True
# Estimated Jaccard of two bodies' shingle sets from which they are one story.
NEAR_DUPLICATE_THRESHOLD = 0.5
# Characters per shingle of the MinHash fingerprint (a change needs `scrapy recluster`).
NEAR_DUPLICATE_SHINGLE_SIZE = 4
# MinHash permutations per signature (a change needs `scrapy recluster`).
NEAR_DUPLICATE_NUM_PERM = 128
# LSH bands the signature is cut into (a change needs `scrapy recluster`).
NEAR_DUPLICATE_BANDS = 32
# Bodies with fewer shingles than this are never clustered with others (too short to tell).
NEAR_DUPLICATE_MIN_SHINGLES = 20
# Candidates compared per document: those sharing the most LSH bands.
NEAR_DUPLICATE_MAX_CANDIDATES = 50
# Newest signatures read per LSH band key when looking for candidates.
NEAR_DUPLICATE_MAX_POSTINGS = 100
# A line (20+ characters) on this many distinct pages of one host is its template and left out
# of near-duplicate signatures (pipelines/similarity/templates.py); 0: never.
NEAR_DUPLICATE_TEMPLATE_PAGES = 4
# GOVNEWS_OUTLETS_FILE (env): a table of outlets (the format of pipelines/vocab/outlets.tsv)
# added to the shipped one, its entries winning; empty: the shipped table and the site configs.
OUTLETS_FILE = os.environ.get("GOVNEWS_OUTLETS_FILE", "")

EXTENSIONS = {
    # Required: components report the exit code of `scrapy crawl` / `crawlall` to it.
    "crawler.extensions.exitstatus.ExitStatus": 0,
    # Required: the crawler's one database engine and schema check, shared by every component.
    "crawler.db.database.Database": 0,
    "crawler.extensions.runsummary.RunSummary": 500,
    "crawler.extensions.progress.CrawlProgress": 510,
}
# Print the replay/crawl summary table when the spider closes.
RUN_SUMMARY_ENABLED = True

# --- politeness (live crawls) ---------------------------------------------------------------
# GOVNEWS_CONTACT (env): URL or address site operators can reach us at (in USER_AGENT).
GOVNEWS_CONTACT = os.environ.get("GOVNEWS_CONTACT") or "https://github.com/govnews/govnews"
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
# Also the most bytes of a replayed file, or of a WARC record / cache entry once decompressed.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# Seconds before a request is given up (and retried, RETRY_TIMES): a server that accepts and never
# answers costs a list page at most (RETRY_TIMES + 1) × this.
DOWNLOAD_TIMEOUT = 30
# False keeps the charset a response declares even when its bytes contradict it.
CHARSET_CORRECTION_ENABLED = True

# --- exports, search and the days people see (issue 16) ---------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
# Local time zone of sites whose config names no `timezone` and of sites without a config
# (replayed hosts, local files): the days `scrapy search`/`export`, `published_day` and
# `daily_counts` give (crawler/timezones.py); stored times stay UTC.
DISPLAY_TIMEZONE = "Asia/Shanghai"
# Function turning a search query into the form bodies are stored in (Simplified, normalized).
SEARCH_QUERY_FORM = "pipelines.text.query.query_form"

# --- misc ------------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
# Items are named in the log (class and URL), never printed whole: a page body is not a log line.
LOG_FORMATTER = "crawler.logformatter.ItemLogFormatter"

# --- live crawling (issue 5: site spiders, crawl state, scheduling) --------------------------
# Site configs are loaded by this spider loader: `scrapy list` shows every site id.
SPIDER_LOADER_CLASS = "crawler.spiderloader.SiteSpiderLoader"
# GOVNEWS_SITES_DIR (env): directory of site configs (one TOML per site, `_*.toml` bases).
SITES_DIR = os.environ.get("GOVNEWS_SITES_DIR") or str(PROJECT_ROOT / "crawler" / "sites")
# Read the crawl state, store nothing, mark nothing (also `-a dry_run=1`).
CRAWL_DRY_RUN = False
# Retry-After waits longer than this (seconds) are not honoured: the request is given up.
RETRY_AFTER_MAX = 300
# False switches block detection (WAF challenge pages, BLOCKED_STATUSES) off.
BLOCK_DETECTION_ENABLED = True
# HTTP statuses that mean the site blocks us (not retried, never parsed).
BLOCKED_STATUSES = [403, 412]
# Blocked answers (403/412, WAF challenge pages) before a crawl closes as `blocked`.
BLOCKED_CLOSE_AFTER = 3
# `scrapy schedule` / `crawlall`: after N blocked runs in a row a site waits
# BLOCKED_BACKOFF_HOURS * 2**(N-1) hours (at most BLOCKED_BACKOFF_MAX_HOURS) past its schedule.
BLOCKED_BACKOFF_HOURS = 6.0
# The longest back-off after blocked runs, in hours.
BLOCKED_BACKOFF_MAX_HOURS = 7 * 24.0
# `scrapy schedule`: most crawls (of different sites) running at once; None = 100 in process, 2 subprocesses.
SCHEDULE_MAX_PARALLEL = None
# `scrapy schedule`: run the crawls in the scheduler's own process (one shared content worker
# pool), not one `scrapy crawl` subprocess each.
SCHEDULE_IN_PROCESS = True
# Time zone the site schedules' cron expressions are read in.
SCHEDULE_TIMEZONE = "Asia/Shanghai"

# --- many workers, one Redis, one Postgres (issue 18: crawler/distributed/, docs/deployment.md) ---
# GOVNEWS_REDIS (env): redis://host:6379/0 switches on the shared Redis frontier (scrapy-redis's
# scheduler and dupefilter), site jobs and replay files handed out by lease; empty: one machine.
DISTRIBUTED = os.environ.get("GOVNEWS_REDIS") or ""
# Seconds a site or replay-file lease lasts unless renewed (a killed worker's job waits this long).
DISTRIBUTED_LEASE_SECONDS = 30.0
# Seconds an idle `scrapy worker` (or a replay waiting for other workers' files) waits between looks.
WORKER_POLL_SECONDS = 2.0
# Site crawls one `scrapy worker` process runs at once.
WORKER_SLOTS = 4
# The add-on that reads DISTRIBUTED and switches the scheduler (crawler/distributed/addon.py).
ADDONS = {"crawler.distributed.addon.Distributed": 0}

# --- report and alerts (issue 19: `scrapy report`, `scrapy alerts`, docs/report.md) -----------
# A site whose last N finished crawls all failed gets a `failed_runs` alert.
ALERT_FAILED_RUNS = 3
# Fill rates of the last ALERT_FILL_RECENT_DAYS are compared with the site's own rates over the
# ALERT_FILL_BASELINE_DAYS before; a fall by ALERT_FILL_DROP (a share of the baseline rate) that
# chance cannot explain opens a `fill_drop` alert (rule: crawler/report/alerts.py).
ALERT_FILL_RECENT_DAYS = 2
# The baseline window of the fill-rate rule, in days before the recent window.
ALERT_FILL_BASELINE_DAYS = 28
# Share of the baseline fill rate a field must lose to count as a drop.
ALERT_FILL_DROP = 0.3
# Fewest articles in each window before the rule speaks.
ALERT_FILL_MIN_RECENT = 5
# Fewest articles in the baseline window before the rule speaks.
ALERT_FILL_MIN_BASELINE = 20
# GOVNEWS_ALERT_WEBHOOK (env): URL that gets a JSON POST for every newly opened or resolved alert.
ALERT_WEBHOOK_URL = os.environ.get("GOVNEWS_ALERT_WEBHOOK", "")
# Seconds the webhook POST may take before the alert counts as undelivered (sent again next time).
ALERT_WEBHOOK_TIMEOUT = 10.0

# --- progress of long runs (crawler/progress.py) ---------------------------------------------
# auto: a bar on a terminal, a log line every PROGRESS_INTERVAL seconds otherwise, nothing above
# log level INFO (-L WARNING); or bar, log, off.
PROGRESS = "auto"
# Seconds between progress log lines when no bar is shown.
PROGRESS_INTERVAL = 60.0
