"""The items that flow through the pipelines.

A spider (live or replay) yields a :class:`Page`: a fetched document, decoded by Scrapy, with
where and when it was fetched. The extraction pipeline turns each page into an
:class:`Article`; every later stage (cleaning, enrichment, dedup, storage) reads and fills
fields of that article. ``scrapy recluster`` sends :class:`StoredArticle` items, articles
already stored, through the storage stage again. All are plain dataclasses, so ``itemadapter``
and Scrapy's feed exports handle them without any ``scrapy.Item`` machinery.

The meaning and format of every field is documented here and in ``docs/fields.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PageKind = Literal["html", "text"]
Script = Literal["simplified", "traditional", "mixed"]


@dataclass
class Page:
    """A fetched document before extraction."""

    url: str
    """Absolute URL of the document: the response URL for live crawls and WARC/cache records,
    a ``file://`` URL for a replayed local file."""

    text: str
    """The document decoded to ``str`` by Scrapy's response decoding (HTTP header, BOM,
    ``<meta charset>``, GBK/GB2312 mapped to GB18030)."""

    kind: PageKind
    """``html`` for a web page, ``text`` for the seed text format (first non-empty line is the
    title, the rest is the body)."""

    fetched_at: str
    """When the document was fetched, ISO 8601 with timezone (WARC-Date, cache timestamp, file
    modification time, or the spider's ``fetched_at`` argument). The reference for relative
    dates such as ``3小时前``."""

    replay_path: str | None = None
    """Path of the replayed file as given on the command line joined with its relative path,
    ``None`` for live crawls."""

    encoding: str | None = None
    """Encoding Scrapy decoded the bytes with (e.g. ``gb18030``, ``utf-8``)."""

    status: int = 200
    """HTTP status of the response (200 for local files)."""

    site: str | None = None
    """Site id from the site config that produced the page, when known."""

    headers: dict[str, str] = field(default_factory=dict)
    """Response headers that matter downstream (``Content-Type``, ``Last-Modified``)."""


@dataclass
class Article:
    """One article, as stored in the ``articles`` table and written by feed exports.

    Text fields hold ``None`` when the page does not give a value, never an empty string.
    """

    url: str
    """Absolute URL the article was fetched from (``file://`` for local replay)."""

    canonical_url: str
    """The URL identifying the article: ``<link rel=canonical>`` when present, else ``url``;
    canonicalized with w3lib (sorted query, no fragment) and tracking parameters
    (``utm_*``, ``spm``, ``from`` …) dropped. Stable key of the ``articles`` table."""

    site: str
    """Site id: the site config id for configured sites, else the URL's host, ``local`` for
    replayed local files."""

    fetched_at: str
    """When the page was fetched, ISO 8601 with timezone."""

    title: str | None = None
    """Article heading, cleaned and Simplified, without site-name suffix."""

    subtitle: str | None = None
    """引题 / 副题 when the page has one, cleaned and Simplified."""

    published: str | None = None
    """Publication time, ISO 8601 with timezone (``+08:00`` Asia/Shanghai when the page gives
    none), e.g. ``2022-05-20T10:30:00+08:00``; date-only values are ``…T00:00:00+08:00``."""

    published_raw: str | None = None
    """The publication time exactly as the page printed it, e.g. ``2022年5月20日 10:30``."""

    source_name: str | None = None
    """来源: the outlet the page names as the origin, e.g. ``新华社``."""

    author: str | None = None
    """Author names as printed (作者, 记者, 通讯员), separated by ``、``; names with their roles
    are in ``extra["authors"]``."""

    editor: str | None = None
    """责任编辑 (responsible editor), when printed."""

    doc_number: str | None = None
    """文号 of a government document, normalized to ``〔YYYY〕`` brackets, e.g.
    ``浙政办发〔2021〕12号``."""

    issuer: str | None = None
    """Issuing body (发布机构 / 发文机关 / 公开主体) of a government document."""

    body: str = ""
    """Article text after cleaning: Simplified script, paragraphs joined by ``\\n``."""

    body_original: str = ""
    """Article text as extracted, before cleaning (paragraphs joined by ``\\n``)."""

    script: Script = "simplified"
    """Script of the original text: ``simplified``, ``traditional`` or ``mixed``."""

    content_hash: str | None = None
    """SHA-256 hex digest of the cleaned body with all whitespace removed (NFKC); equal for
    exact copies."""

    duplicate_of: str | None = None
    """``canonical_url`` of the stored article this one copies, ``None`` for originals."""

    cluster_id: int | None = None
    """Id of the story (``clusters`` table) the article belongs to: the original and its exact
    and near-duplicate copies share one; ``None`` until the near-duplicate stage assigned one."""

    replay_path: str | None = None
    """Path of the replayed file the article came from, as given; ``None`` for live crawls."""

    extra: dict[str, Any] = field(default_factory=dict)
    """JSON object for fields later stages add (``authors``, ``gov_meta``, ``provenance``,
    ``section``, ``spun_score`` …); keys are documented in ``docs/fields.md``."""


@dataclass
class StoredArticle:
    """An article already in the ``articles`` table, read back so that the storage stage
    assigns its near-duplicate cluster again (``scrapy recluster``): the fields the
    assignment reads, as stored."""

    id: int
    """``articles.id``: the order articles are clustered in."""
    canonical_url: str
    url: str
    site: str
    body: str
    content_hash: str | None
    source_name: str | None
    published: datetime | None
    fetched_at: datetime
