"""Search of titles and bodies for a substring of any length, indexed on both databases.

The answer is what ``LIKE '%term%'`` on title or body gives, with Latin case ignored (SQLite's
``LIKE``, ``ILIKE`` on Postgres), newest first (``published`` descending, undated last, then
``id``). Two indexes find the candidates (:mod:`crawler.db.grams`, migrations 0004 and 0009):

* terms of 3+ characters: SQLite's FTS5 trigram table ``articles_fts`` (the term as one quoted
  phrase, so user input is never FTS syntax); on Postgres the ``pg_trgm`` indexes, through
  ``ILIKE`` itself (a term whose letter/digit runs are all shorter than 3 uses the grams);
* words of 1-2 letters or digits: ``articles_grams``, every letter/digit and pair of them
  (a term with punctuation is looked up by its runs, all of them).

Every candidate is checked with ``LIKE`` (the indexes fold case more widely and ignore
punctuation), so the index never changes the answer. A term with no letter or digit at all
(``%``) is found by a scan.

Which plan: a common term is in most articles, and the newest 20 hits are among the newest
rows, so reading the rows in ``published`` order and checking each is fastest; a rare term is
in few, so fetching its candidates is. The candidates are counted up to
``CANDIDATES_PER_HIT`` × ``limit``: under that, the candidates are fetched by key and sorted;
otherwise the rows are read newest first, ``limit`` / (share of hits) of them. Both stay
bounded (measured in ``benchmarks/sql.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from crawler.db.grams import word_runs
from crawler.db.models import parse_timestamp

SNIPPET_CHARS = 40
MAX_QUERY_CHARS = 100
"""Longer input is not a search term (a pasted paragraph): refused with a message."""
MAX_LIMIT = 1000
TRIGRAM_CHARS = 3
CANDIDATES_PER_HIT = 50

_COLUMNS = """articles.id, articles.published, articles.published_precision, articles.published_day,
    articles.site, articles.host, articles.title, articles.url, articles.body, articles.cluster_id,
    articles.duplicate_of,
    (SELECT COUNT(*) FROM articles AS members WHERE members.cluster_id = articles.cluster_id) AS story_articles"""


class SearchError(ValueError):
    """A query or limit that cannot be searched for; the message says why."""


@dataclass(frozen=True)
class Hit:
    id: int
    published: datetime | None
    published_precision: str | None
    published_day: date | None
    site: str
    host: str | None
    title: str | None
    url: str
    snippet: str
    cluster_id: int | None
    """The story (``clusters.id``) the article belongs to."""
    story_articles: int
    """Articles stored for that story (1 for an unclustered article)."""
    duplicate_of: str | None


@dataclass(frozen=True)
class Plan:
    """How the candidates of a term are found: which index, with what argument."""

    index: str
    """``articles_fts``, ``articles_grams`` or ``scan``."""
    source: str
    """``FROM … WHERE …`` of the candidates (empty for a scan)."""
    key: str
    """The column of ``source`` that is ``articles.id``."""
    params: dict[str, Any]


def checked_query(query: str, limit: int) -> str:
    """The stripped query; :class:`SearchError` for an empty or huge one or a bad limit."""
    term = query.strip()
    if not term:
        raise SearchError("empty search query: give a word or phrase to look for")
    if len(term) > MAX_QUERY_CHARS:
        raise SearchError(f"search query of {len(term)} characters: give at most {MAX_QUERY_CHARS}")
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit {limit} out of range: give 1 to {MAX_LIMIT}")
    return term


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like_condition(dialect: str, indexed: bool = True) -> str:
    """Title or body contains ``:pattern``, Latin case ignored. ``indexed=False`` keeps Postgres
    off the trigram indexes where the rows are read by key or in time order: a common term's
    every candidate would be fetched and checked first."""
    if dialect == "sqlite":
        return "(articles.title LIKE :pattern ESCAPE '\\' OR articles.body LIKE :pattern ESCAPE '\\')"
    title, body = (
        ("articles.title", "articles.body") if indexed else ("(articles.title || '')", "(articles.body || '')")
    )
    return f"({title} ILIKE :pattern ESCAPE '\\' OR {body} ILIKE :pattern ESCAPE '\\')"


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 phrase: user input is never FTS5 syntax (``1-10月``, ``"``, ``AND``)."""
    return '"' + term.replace('"', '""') + '"'


def plan_for(term: str, dialect: str) -> Plan:
    """The index that finds every article containing ``term`` (and maybe a few more)."""
    runs = word_runs(term)
    if dialect == "sqlite":
        if len(term) >= TRIGRAM_CHARS:
            source = "FROM articles_fts WHERE articles_fts MATCH :match"
            return Plan("articles_fts", source, "rowid", {"match": fts_phrase(term)})
        if runs:
            source = "FROM articles_grams WHERE articles_grams MATCH :match"
            return Plan("articles_grams", source, "rowid", {"match": " AND ".join(fts_phrase(run) for run in runs)})
        return Plan("scan", "", "", {})
    if any(len(run) >= TRIGRAM_CHARS for run in runs):
        source = f"FROM articles WHERE {like_condition(dialect)}"
        return Plan("articles_fts", source, "articles.id", {"pattern": like_pattern(term)})
    if runs:
        source = "FROM articles WHERE article_grams(articles.title, articles.body) @@ plainto_tsquery('simple', :words)"
        return Plan("articles_grams", source, "articles.id", {"words": " ".join(runs)})
    return Plan("scan", "", "", {})


def candidate_ids(connection: Connection, plan: Plan, most: int) -> list[int] | None:
    """The candidates' ids when there are fewer than ``most``, else ``None`` (a common term).

    On Postgres the ``LIMIT`` invites the planner to scan the table hoping to meet ``most``
    rows early, which for a rare term means reading every row: the index is made the only
    cheap way (``enable_seqscan`` off) for this one statement, in a savepoint rolled back after.
    """
    if plan.index == "scan":
        return None
    # Counted first without reading a column: Postgres then skips the heap where it can.
    counted = text(f"SELECT COUNT(*) FROM (SELECT 1 {plan.source} LIMIT :most) AS candidates")
    fetched = text(f"SELECT {plan.key} {plan.source}")
    params = {**plan.params, "most": most}
    if connection.dialect.name != "postgresql":
        count = connection.execute(counted, params).scalar_one()
        return list(connection.execute(fetched, params).scalars()) if count < most else None
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        count = connection.execute(counted, params).scalar_one()
        return list(connection.execute(fetched, params).scalars()) if count < most else None
    finally:
        savepoint.rollback()


def search(connection: Connection, query: str, *, site: str | None = None, limit: int = 20) -> list[Hit]:
    """Articles whose title or body contains ``query`` (a substring, Latin case ignored), newest
    first. ``query`` is taken as given: convert it as bodies are first (``SEARCH_QUERY_FORM``)."""
    term = checked_query(query, limit)
    dialect = connection.dialect.name
    site_filter = " AND articles.site = :site" if site is not None else ""
    params: dict[str, Any] = {"pattern": like_pattern(term), "site": site}
    where = like_condition(dialect, indexed=False) + site_filter
    ids = candidate_ids(connection, plan_for(term, dialect), CANDIDATES_PER_HIT * limit)
    if ids is not None:
        if not ids:
            return []
        statement = text(
            f"SELECT {_COLUMNS} FROM articles WHERE articles.id IN :ids AND {where} "
            "ORDER BY articles.published DESC NULLS LAST, articles.id DESC LIMIT :limit"
        ).bindparams(bindparam("ids", expanding=True))
        rows = list(connection.execute(statement, {**params, "ids": ids, "limit": limit}))
    else:
        # Dated rows newest first through the (site, published) / (published) index, then the
        # undated ones: two reads, as Postgres' index gives DESC with its NULLs first.
        dated = f"SELECT {_COLUMNS} FROM articles WHERE {where} AND articles.published IS NOT NULL "
        dated += "ORDER BY articles.published DESC, articles.id DESC LIMIT :limit"
        rows = list(connection.execute(text(dated), {**params, "limit": limit}))
        if len(rows) < limit:
            undated = f"SELECT {_COLUMNS} FROM articles WHERE {where} AND articles.published IS NULL "
            undated += "ORDER BY articles.id DESC LIMIT :limit"
            rows.extend(connection.execute(text(undated), {**params, "limit": limit - len(rows)}))
    return [_hit(row, term) for row in rows]


def _hit(row: Any, term: str) -> Hit:
    day = row.published_day
    return Hit(
        id=row.id,
        published=parse_timestamp(row.published),
        published_precision=row.published_precision,
        published_day=day if isinstance(day, date) or day is None else date.fromisoformat(str(day)),
        site=row.site,
        host=row.host,
        title=row.title,
        url=row.url,
        snippet=snippet(row.body or "", term),
        cluster_id=row.cluster_id,
        story_articles=max(1, int(row.story_articles or 0)),
        duplicate_of=row.duplicate_of,
    )


def snippet(body: str, term: str) -> str:
    """The text around the first occurrence of ``term`` (Latin case ignored), or the body's start."""
    found = re.search(re.escape(term), body, re.IGNORECASE)
    if found is None:
        return body[:SNIPPET_CHARS].replace("\n", " ")
    start = max(0, found.start() - SNIPPET_CHARS // 2)
    end = found.end() + SNIPPET_CHARS // 2
    text_ = body[start:end].replace("\n", " ")
    return ("…" if start else "") + text_ + ("…" if end < len(body) else "")
