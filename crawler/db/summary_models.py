"""Summary tables for archive-wide questions that would otherwise join every row.

Kept current by database triggers (migration ``0005_query_summaries``) on ``articles``,
``clusters``, ``amounts`` and ``article_entities``, in the transaction of whatever writes those
tables: the storage stage, the near-duplicate sync, ``scrapy recluster`` or hand-written SQL.
``tests/test_summaries.py`` checks them against the full aggregates after each kind of change.

* ``site_counts``: rows and stories (originals of their cluster, as in ``articles_unique``)
  per site.
* ``entity_amounts``: money in the original articles (``duplicate_of IS NULL``) that mention
  each entity: the sum of their ``amounts.yuan`` and how many articles with amounts there are.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.models import Base


class SiteCountRow(Base):
    __tablename__ = "site_counts"

    site: Mapped[str] = mapped_column(String(200), primary_key=True)
    rows_stored: Mapped[int] = mapped_column(Integer)
    stories: Mapped[int] = mapped_column(Integer)


class EntityAmountRow(Base):
    __tablename__ = "entity_amounts"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    yuan: Mapped[int] = mapped_column(BigInteger)
    articles: Mapped[int] = mapped_column(Integer)
