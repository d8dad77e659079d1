"""Reading and writing the crawl state tables (:mod:`crawler.db.crawl_models`).

Every function runs inside the caller's connection or transaction. An article URL counts as
known when ``known_urls`` holds it for the site, or when ``articles`` holds its canonical URL
(first seen after the site's last reset): the articles table is the proof that a page was
stored, so a crawl killed before it wrote ``known_urls`` still never downloads a stored
article twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, select, update
from sqlalchemy import insert as plain_insert
from sqlalchemy.dialects import postgresql, sqlite

from crawler.db.crawl_models import CrawlRunRow, KnownUrlRow, ListPageRow, SiteRow
from crawler.db.models import ArticleRow

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 500  # bound parameters per IN (...) query


def _insert(connection: Connection, table: Any) -> Any:
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {name!r}: use SQLite or PostgreSQL")


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def reset_time(connection: Connection, site: str) -> datetime:
    value = connection.execute(select(SiteRow.reset_at).where(SiteRow.id == site)).scalar_one_or_none()
    return value or _EPOCH


def known_urls(
    connection: Connection,
    site: str,
    urls: Mapping[str, str],
    *,
    recheck_after: datetime | None = None,
) -> set[str]:
    """The keys of ``urls`` (link URL -> canonical URL) that need no download.

    With ``recheck_after``, URLs first seen after that time are not known (re-checked for edits).
    """
    links = list(urls)
    known: set[str] = set()
    for chunk in _chunks(links):
        query = select(KnownUrlRow.url).where(KnownUrlRow.site == site, KnownUrlRow.url.in_(chunk))
        if recheck_after is not None:
            query = query.where(KnownUrlRow.first_seen_at < recheck_after)
        known.update(connection.execute(query).scalars())
    since = reset_time(connection, site)
    by_canonical: dict[str, list[str]] = {}
    for link in links:
        if link not in known:
            by_canonical.setdefault(urls[link], []).append(link)
    for chunk in _chunks(list(by_canonical)):
        query = select(ArticleRow.canonical_url).where(
            ArticleRow.canonical_url.in_(chunk), ArticleRow.first_seen_at >= since
        )
        if recheck_after is not None:
            query = query.where(ArticleRow.first_seen_at < recheck_after)
        for canonical in connection.execute(query).scalars():
            known.update(by_canonical[canonical])
    return known


def stored_canonical_urls(connection: Connection, canonical_urls: Sequence[str]) -> set[str]:
    """Which of ``canonical_urls`` have a row in ``articles``."""
    found: set[str] = set()
    for chunk in _chunks(canonical_urls):
        found.update(
            connection.execute(select(ArticleRow.canonical_url).where(ArticleRow.canonical_url.in_(chunk))).scalars()
        )
    return found


@dataclass(frozen=True)
class KnownOutcome:
    url: str
    stored: bool
    outcome: str


def mark_known(connection: Connection, site: str, outcomes: Sequence[KnownOutcome], now: datetime) -> None:
    """Upserts ``outcomes`` into ``known_urls`` (``first_seen_at`` kept on conflict)."""
    if not outcomes:
        return
    table = KnownUrlRow.__table__
    rows = [
        {"site": site, "url": o.url, "first_seen_at": now, "last_fetched_at": now, "stored": o.stored,
         "outcome": o.outcome}
        for o in {o.url: o for o in outcomes}.values()
    ]  # fmt: skip
    insert = _insert(connection, table)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.site, table.c.url],
        set_={
            "last_fetched_at": insert.excluded.last_fetched_at,
            "stored": insert.excluded.stored,
            "outcome": insert.excluded.outcome,
        },
    )
    connection.execute(statement, rows)


@dataclass(frozen=True)
class ListPageState:
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    article_links: int = 0


def list_pages(connection: Connection, site: str) -> dict[str, ListPageState]:
    rows = connection.execute(select(ListPageRow.__table__).where(ListPageRow.site == site)).all()
    return {
        row.url: ListPageState(row.url, row.etag, row.last_modified, row.body_hash, row.article_links) for row in rows
    }


def save_list_pages(connection: Connection, site: str, pages: Sequence[ListPageState], now: datetime) -> None:
    """Upserts the validators; ``last_changed_at`` moves only when the body hash changed."""
    if not pages:
        return
    previous = {
        row.url: (row.body_hash, row.last_changed_at)
        for row in connection.execute(
            select(ListPageRow.url, ListPageRow.body_hash, ListPageRow.last_changed_at).where(ListPageRow.site == site)
        )
    }
    rows = []
    for page in {page.url: page for page in pages}.values():
        old_hash, old_changed = previous.get(page.url, (None, None))
        body_hash = page.body_hash if page.body_hash is not None else old_hash
        changed = page.url not in previous or body_hash != old_hash
        rows.append(
            {"site": site, "url": page.url, "etag": page.etag, "last_modified": page.last_modified,
             "body_hash": body_hash, "article_links": page.article_links, "last_checked_at": now,
             "last_changed_at": now if changed else old_changed}
        )  # fmt: skip
    table = ListPageRow.__table__
    insert = _insert(connection, table)
    columns = ("etag", "last_modified", "body_hash", "article_links", "last_checked_at", "last_changed_at")
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.site, table.c.url], set_={name: insert.excluded[name] for name in columns}
    )
    connection.execute(statement, rows)


def start_run(connection: Connection, site: str, name: str, now: datetime, pid: int) -> int:
    """Inserts a ``running`` run row and updates the site row; returns the run id."""
    run_id: int = connection.execute(
        plain_insert(CrawlRunRow)
        .values(site=site, started_at=now, status="running", requests=0, list_pages=0, list_pages_changed=0,
                article_pages=0, new_articles=0, updated=0, duplicates=0, extraction_failures=0, errors=0,
                blocked_responses=0, warnings=[], pid=pid)
        .returning(CrawlRunRow.__table__.c.id)
    ).scalar_one()  # fmt: skip
    table = SiteRow.__table__
    insert = _insert(connection, table)
    connection.execute(
        insert.values(id=site, name=name, last_started_at=now, last_status="running").on_conflict_do_update(
            index_elements=[table.c.id], set_={"name": name, "last_started_at": now, "last_status": "running"}
        )
    )
    return run_id


def finish_run(connection: Connection, run_id: int, site: str, values: Mapping[str, Any], now: datetime) -> None:
    connection.execute(update(CrawlRunRow).where(CrawlRunRow.id == run_id).values(finished_at=now, **values))
    connection.execute(
        update(SiteRow).where(SiteRow.id == site).values(last_finished_at=now, last_status=values["status"])
    )


def recent_runs(connection: Connection, site: str, limit: int = 10) -> list[Row[Any]]:
    """The site's latest runs (``crawl_runs`` rows, columns as attributes), newest first."""
    query = (
        select(CrawlRunRow.__table__)
        .where(CrawlRunRow.site == site)
        .order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc())
        .limit(limit)
    )
    return list(connection.execute(query).all())


def last_run_complete(connection: Connection, site: str, *, excluding: int | None = None) -> bool:
    """Whether the site's latest run (other than ``excluding``) ended ``ok``.

    A killed, interrupted, failed or blocked run may have stopped before the deeper list pages,
    so the next crawl walks every list page to the configured depth.
    """
    query = select(CrawlRunRow.status).where(CrawlRunRow.site == site)
    if excluding is not None:
        query = query.where(CrawlRunRow.id != excluding)
    query = query.order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc()).limit(1)
    return connection.execute(query).scalar_one_or_none() == "ok"


@dataclass(frozen=True)
class SiteSummary:
    site: str
    last_started_at: datetime | None
    last_status: str | None
    known_urls: int
    stored_known: int
    list_pages: int
    articles: int


def site_summaries(connection: Connection, sites: Iterable[str]) -> list[SiteSummary]:
    summaries = []
    for site in sites:
        row = connection.execute(select(SiteRow.__table__).where(SiteRow.id == site)).one_or_none()
        known = connection.execute(select(func.count()).where(KnownUrlRow.site == site)).scalar_one()
        stored = connection.execute(
            select(func.count()).where(KnownUrlRow.site == site, KnownUrlRow.stored.is_(True))
        ).scalar_one()
        pages = connection.execute(select(func.count()).where(ListPageRow.site == site)).scalar_one()
        articles = connection.execute(select(func.count()).where(ArticleRow.site == site)).scalar_one()
        summaries.append(
            SiteSummary(
                site,
                row.last_started_at if row else None,
                row.last_status if row else None,
                known,
                stored,
                pages,
                articles,
            )
        )
    return summaries


def reset_site(connection: Connection, site: str, now: datetime) -> tuple[int, int]:
    """Forgets the site's known URLs and list page validators; returns how many rows went.

    Articles stay; those first seen before ``now`` stop counting as known, so the next crawl
    downloads every linked page again (the storage stage then counts them unchanged or updated).
    """
    known = connection.execute(delete(KnownUrlRow).where(KnownUrlRow.site == site)).rowcount
    pages = connection.execute(delete(ListPageRow).where(ListPageRow.site == site)).rowcount
    table = SiteRow.__table__
    insert = _insert(connection, table)
    connection.execute(
        insert.values(id=site, reset_at=now).on_conflict_do_update(index_elements=[table.c.id], set_={"reset_at": now})
    )
    return known, pages
