"""The report's SQL: what the database holds for a period, as typed records.

Every function runs in the caller's connection and reads tables and columns only (``articles``,
``crawl_runs``, ``sites``, ``gov_metadata``, ``site_counts``), so the same statements serve
SQLite and Postgres. Aggregation that needs calendar days in the report's time zone, medians or
JSON lists happens in :mod:`crawler.report.figures`, in Python, over the few columns read here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from crawler.db.content_models import GovMetadataRow
from crawler.db.crawl_models import CrawlRunRow, SiteRow
from crawler.db.models import ArticleRow
from crawler.db.summary_models import SiteCountRow

# Text fields whose fill rate the report follows, by column name (``published`` is a time).
TEXT_FIELDS = ("title", "source_name", "author", "doc_number")
_STREAM_ROWS = 2000  # rows fetched per round trip when streaming article facts


@dataclass(frozen=True)
class ArticleFacts:
    """What the report needs of one article: when it came, and which fields it has."""

    site: str
    first_seen_at: datetime
    published: datetime | None
    filled: frozenset[str]
    """The :data:`TEXT_FIELDS` (and ``published``) that are present and non-empty."""
    body_length: int


@dataclass(frozen=True)
class RunRecord:
    """One ``crawl_runs`` row, the columns the report and the alert rules read."""

    site: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    requests: int
    list_pages: int
    not_modified: int
    article_pages: int
    new_articles: int
    updated: int
    errors: int
    blocked_responses: int


@dataclass(frozen=True)
class RepostedStory:
    original_url: str
    title: str | None
    site: str | None
    published: datetime | None
    copies: int
    """Rows in ``articles`` that copy the story, over the whole archive."""
    copies_in_period: int
    copy_sites: int


@dataclass(frozen=True)
class CopyingOutlet:
    site: str
    copies: int
    """Articles first seen in the period that copy another stored article."""


@dataclass(frozen=True)
class DocNumber:
    issuer: str | None
    doc_number: str
    first_seen_at: datetime


@dataclass(frozen=True)
class MetadataProblem:
    site: str
    url: str
    title: str | None
    doc_number: str | None
    missing: tuple[str, ...]
    invalid: tuple[str, ...]


def article_facts(connection: Connection, start: datetime, end: datetime) -> Iterator[ArticleFacts]:
    """Articles first seen in ``[start, end)``, streamed; the text columns as lengths only."""
    a = ArticleRow
    lengths = [func.length(getattr(a, name)).label(name) for name in TEXT_FIELDS]
    query = (
        select(a.site, a.first_seen_at, a.published, func.length(a.body).label("body_length"), *lengths)
        .where(a.first_seen_at >= start, a.first_seen_at < end)
        .execution_options(yield_per=_STREAM_ROWS)
    )
    for row in connection.execute(query):
        filled = {name for name in TEXT_FIELDS if (row._mapping[name] or 0) > 0}
        if row.published is not None:
            filled.add("published")
        yield ArticleFacts(row.site, row.first_seen_at, row.published, frozenset(filled), int(row.body_length or 0))


_RUN_COLUMNS = (
    CrawlRunRow.site,
    CrawlRunRow.started_at,
    CrawlRunRow.finished_at,
    CrawlRunRow.status,
    CrawlRunRow.requests,
    CrawlRunRow.list_pages,
    CrawlRunRow.not_modified,
    CrawlRunRow.article_pages,
    CrawlRunRow.new_articles,
    CrawlRunRow.updated,
    CrawlRunRow.errors,
    CrawlRunRow.blocked_responses,
)


def _run(row: Any) -> RunRecord:
    return RunRecord(**{column.key: row._mapping[column.key] for column in _RUN_COLUMNS})


def runs_between(connection: Connection, start: datetime, end: datetime) -> list[RunRecord]:
    """Crawl runs started in ``[start, end)``, oldest first."""
    query = (
        select(*_RUN_COLUMNS)
        .where(CrawlRunRow.started_at >= start, CrawlRunRow.started_at < end)
        .order_by(CrawlRunRow.started_at, CrawlRunRow.id)
    )
    return [_run(row) for row in connection.execute(query)]


def latest_runs(connection: Connection, before: datetime, per_site: int) -> dict[str, list[RunRecord]]:
    """Each site's last ``per_site`` runs started before ``before``, newest first (one query)."""
    rank = (
        func.row_number()
        .over(partition_by=CrawlRunRow.site, order_by=(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc()))
        .label("rank")
    )
    ranked = select(*_RUN_COLUMNS, rank).where(CrawlRunRow.started_at < before).subquery()
    query = select(ranked).where(ranked.c.rank <= per_site).order_by(ranked.c.site, ranked.c.rank)
    runs: dict[str, list[RunRecord]] = {}
    for row in connection.execute(query):
        runs.setdefault(row.site, []).append(_run(row))
    return runs


def site_names(connection: Connection) -> dict[str, str | None]:
    """Names of the crawled sites from their configs (the ``sites`` table)."""
    return {row.id: row.name for row in connection.execute(select(SiteRow.id, SiteRow.name))}


def stored_totals(connection: Connection) -> tuple[int, int]:
    """Rows in ``articles`` and stories, from the ``site_counts`` summary (no scan of articles)."""
    row = connection.execute(
        select(func.coalesce(func.sum(SiteCountRow.rows_stored), 0), func.coalesce(func.sum(SiteCountRow.stories), 0))
    ).one()
    return int(row[0]), int(row[1])


def copying_outlets(connection: Connection, start: datetime, end: datetime, limit: int) -> list[CopyingOutlet]:
    """Sites with the most articles first seen in the period that copy another (``duplicate_of``)."""
    copies = func.count().label("copies")
    query = (
        select(ArticleRow.site, copies)
        .where(ArticleRow.first_seen_at >= start, ArticleRow.first_seen_at < end, ArticleRow.duplicate_of.is_not(None))
        .group_by(ArticleRow.site)
        .order_by(copies.desc(), ArticleRow.site)
        .limit(limit)
    )
    return [CopyingOutlet(row.site, int(row.copies)) for row in connection.execute(query)]


def reposted_stories(connection: Connection, start: datetime, end: datetime, limit: int) -> list[RepostedStory]:
    """Stories copied in the period, most copied first, with their original.

    A copy is a row whose ``duplicate_of`` names the original's ``canonical_url`` (exact copies
    and near-duplicates alike, see docs/dedup.md); the count is over the whole archive, the
    period only chooses the stories.
    """
    a = ArticleRow
    in_period = (
        select(a.duplicate_of)
        .where(a.first_seen_at >= start, a.first_seen_at < end, a.duplicate_of.is_not(None))
        .distinct()
    )
    recent = (a.first_seen_at >= start) & (a.first_seen_at < end)
    copies = func.count().label("copies")
    query = (
        select(
            a.duplicate_of,
            copies,
            func.sum(case((recent, 1), else_=0)).label("copies_in_period"),
            func.count(a.site.distinct()).label("copy_sites"),
        )
        .where(a.duplicate_of.in_(in_period))
        .group_by(a.duplicate_of)
        .order_by(copies.desc(), a.duplicate_of)
        .limit(limit)
    )
    counted = list(connection.execute(query))
    originals = _originals(connection, [row.duplicate_of for row in counted])
    stories = []
    for row in counted:
        title, site, published = originals.get(row.duplicate_of, (None, None, None))
        counts = int(row.copies), int(row.copies_in_period or 0), int(row.copy_sites)
        stories.append(RepostedStory(row.duplicate_of, title, site, published, *counts))
    return stories


Original = tuple[str | None, str | None, datetime | None]


def _originals(connection: Connection, urls: Sequence[str]) -> dict[str, Original]:
    """Title, site and publication time of each original, by canonical URL."""
    if not urls:
        return {}
    a = ArticleRow
    query = select(a.canonical_url, a.title, a.site, a.published).where(a.canonical_url.in_(list(urls)))
    return {row.canonical_url: (row.title, row.site, row.published) for row in connection.execute(query)}


def new_doc_numbers(connection: Connection, start: datetime, end: datetime) -> list[DocNumber]:
    """文号 first stored in the period (a number already stored before it is not new), per issuer."""
    g, a = GovMetadataRow, ArticleRow
    first_seen = func.min(a.first_seen_at).label("first_seen_at")
    query = (
        select(g.issuer, g.doc_number, first_seen)
        .join(a, a.id == g.article_id)
        .where(g.doc_number.is_not(None), a.first_seen_at < end)
        .group_by(g.issuer, g.doc_number)
        .having(first_seen >= start)
        .order_by(g.issuer, g.doc_number)
    )
    return [DocNumber(row.issuer, row.doc_number, row.first_seen_at) for row in connection.execute(query)]


def metadata_problems(connection: Connection, start: datetime, end: datetime) -> list[MetadataProblem]:
    """Government documents first seen in the period whose metadata lacks or fails a field.

    The lists are JSON; they are tested here rather than in SQL, where SQLite and Postgres
    spell JSON array length differently.
    """
    g, a = GovMetadataRow, ArticleRow
    query = (
        select(a.site, a.url, a.title, g.doc_number, g.missing_fields, g.invalid_fields)
        .join(a, a.id == g.article_id)
        .where(a.first_seen_at >= start, a.first_seen_at < end)
        .order_by(a.site, a.first_seen_at, a.id)
    )
    problems = []
    for row in connection.execute(query):
        missing, invalid = tuple(row.missing_fields or ()), tuple(row.invalid_fields or ())
        if missing or invalid:
            problems.append(MetadataProblem(row.site, row.url, row.title, row.doc_number, missing, invalid))
    return problems
