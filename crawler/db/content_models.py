"""Tables derived from each article's fields, for SQL that should not parse JSON.

The storage stage fills them from ``Article.extra`` in the same transaction as the article
row (:mod:`crawler.db.children`), so they always match ``articles.extra``:

* ``attachments``: linked files of an article.
* ``entities`` / ``article_entities``: organizations, places and people, each entity once,
  linked to the articles that mention it with the mention count (and the person's role).
* ``amounts``: money amounts in yuan.
* ``gov_metadata``: the 政府信息公开 table in typed columns (dates as dates, 文号 in parts).
* ``article_authors``: the byline's people with their roles ("what did this reporter write").
* ``article_citations``: the 文号 of other documents an article cites ("which notices cite …").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.models import Base, JSONType


def _article_fk() -> ForeignKey:
    """A new foreign key to ``articles.id`` (a ``ForeignKey`` object belongs to one column)."""
    return ForeignKey("articles.id", ondelete="CASCADE")


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(_article_fk(), index=True)
    url: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    file_type: Mapped[str | None] = mapped_column(String(20))
    """Lower-case file extension: ``pdf``, ``docx``, ``xls`` …"""


class EntityRow(Base):
    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    """``organization``, ``place`` or ``person``."""
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(20))
    """For places: ``province``, ``city``, ``district`` or ``township``."""

    __table_args__ = (UniqueConstraint("kind", "name", name="uq_entities_kind_name"),)


class ArticleEntityRow(Base):
    __tablename__ = "article_entities"

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True)
    mentions: Mapped[int] = mapped_column(Integer, default=1)
    role: Mapped[str | None] = mapped_column(Text)
    """For people: the role printed with the name, e.g. ``之江实验室主任``."""


class AmountRow(Base):
    __tablename__ = "amounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(_article_fk(), index=True)
    text: Mapped[str] = mapped_column(Text)
    """The amount as printed, e.g. ``超过1.5亿元``."""
    yuan: Mapped[int] = mapped_column(BigInteger)


class GovMetadataRow(Base):
    """One row per article that carries government disclosure metadata or a 文号."""

    __tablename__ = "gov_metadata"

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    index_number: Mapped[str | None] = mapped_column(Text, index=True)
    """索引号, e.g. ``11330400002578XXXX/2022-12345``."""
    doc_number: Mapped[str | None] = mapped_column(Text, index=True)
    doc_code: Mapped[str | None] = mapped_column(Text)
    """Issuer code of the 文号, e.g. ``嘉科函``."""
    doc_year: Mapped[int | None] = mapped_column(Integer)
    doc_serial: Mapped[int | None] = mapped_column(Integer)
    issuer: Mapped[str | None] = mapped_column(Text, index=True)
    topic: Mapped[str | None] = mapped_column(Text)
    written_date: Mapped[date | None] = mapped_column(Date)
    """成文日期."""
    published_date: Mapped[date | None] = mapped_column(Date)
    """发布日期 as printed in the table."""
    effective_date: Mapped[date | None] = mapped_column(Date)
    repealed_date: Mapped[date | None] = mapped_column(Date)
    validity: Mapped[str | None] = mapped_column(Text)
    """有效性 / 效力状态 as printed, e.g. ``有效``."""
    missing_fields: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    invalid_fields: Mapped[list[Any]] = mapped_column(JSONType, default=list)


class ArticleAuthorRow(Base):
    """One person of an article's byline (``Article.extra.authors``), in reading order."""

    __tablename__ = "article_authors"

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    """0 for the first name of the byline."""
    name: Mapped[str] = mapped_column(Text, index=True)
    role: Mapped[str] = mapped_column(String(40))
    """``reporter``, ``correspondent``, ``author``, ``photographer`` … (``crawler.items.Role``)."""
    label: Mapped[str | None] = mapped_column(Text)
    """The role label as printed (``本报记者``), ``None`` when the page printed none."""


class ArticleCitationRow(Base):
    """A 文号 an article cites (``Article.extra.cited_doc_numbers``), normalized."""

    __tablename__ = "article_citations"

    article_id: Mapped[int] = mapped_column(_article_fk(), primary_key=True)
    doc_number: Mapped[str] = mapped_column(Text, primary_key=True, index=True)
