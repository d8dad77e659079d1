"""Chinese full-text search over titles and bodies, one function for both databases.

Chinese has no spaces, so word tokenizers miss ``技术创新中心`` inside running text. Both
databases index character trigrams instead (migration 0004):

* SQLite: the FTS5 table ``articles_fts`` (``tokenize='trigram'``), kept in sync with
  ``articles`` by triggers. SQL form::

      SELECT articles.* FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
      WHERE articles_fts MATCH '"技术创新中心"' ORDER BY articles.published DESC NULLS LAST;

* Postgres: ``pg_trgm`` GIN indexes on ``title`` and ``body``, which serve ``LIKE``::

      SELECT * FROM articles WHERE body LIKE '%技术创新中心%' OR title LIKE '%技术创新中心%'
      ORDER BY published DESC;

Trigram indexes need at least three characters; shorter queries fall back to a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

SNIPPET_CHARS = 40
MIN_INDEXED_CHARS = 3


@dataclass(frozen=True)
class Hit:
    id: int
    published: datetime | None
    site: str
    title: str | None
    url: str
    snippet: str


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _snippet(body: str, query: str) -> str:
    at = body.find(query)
    if at < 0:
        return body[:SNIPPET_CHARS]
    start = max(0, at - SNIPPET_CHARS // 2)
    return ("…" if start else "") + body[start : at + len(query) + SNIPPET_CHARS // 2] + "…"


def search(connection: Connection, query: str, *, site: str | None = None, limit: int = 20) -> list[Hit]:
    """Articles whose title or body contains ``query`` (exact substring), newest first."""
    query = query.strip()
    if not query:
        raise ValueError("empty search query")
    params = {"pattern": _like_pattern(query), "site": site, "limit": limit}
    site_filter = "AND articles.site = :site" if site is not None else ""
    if connection.dialect.name == "sqlite" and len(query) >= MIN_INDEXED_CHARS:
        params["match"] = '"' + query.replace('"', '""') + '"'
        sql = f"""
            SELECT articles.id, articles.published, articles.site, articles.title, articles.url, articles.body
            FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
            WHERE articles_fts MATCH :match {site_filter}
            ORDER BY articles.published DESC NULLS LAST, articles.id DESC LIMIT :limit"""
    else:
        sql = f"""
            SELECT articles.id, articles.published, articles.site, articles.title, articles.url, articles.body
            FROM articles
            WHERE (articles.body LIKE :pattern ESCAPE '\\' OR articles.title LIKE :pattern ESCAPE '\\') {site_filter}
            ORDER BY articles.published DESC NULLS LAST, articles.id DESC LIMIT :limit"""
    rows = connection.execute(text(sql), params)
    return [
        Hit(
            id=row.id,
            published=row.published
            if isinstance(row.published, datetime) or row.published is None
            else datetime.fromisoformat(str(row.published)),
            site=row.site,
            title=row.title,
            url=row.url,
            snippet=_snippet(row.body or "", query),
        )
        for row in rows
    ]
