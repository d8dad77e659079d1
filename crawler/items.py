"""The items that flow through the pipelines, and the typed parts of an article.

A spider (live or replay) yields a :class:`Page`: a fetched document, decoded by Scrapy, with
where and when it was fetched. The extraction pipeline turns each page into an
:class:`Article`; every later stage (cleaning, enrichment, dedup, storage) reads and fills
fields of that article. ``scrapy recluster`` sends :class:`StoredArticle` items, articles
already stored, through the storage stage again. All are plain dataclasses, so ``itemadapter``
and Scrapy's feed exports handle items and their nested parts without any ``scrapy.Item``
machinery.

An article's columns (title, published, 文号 …) are fields of :class:`Article`; what does not
fit a column is in its :class:`Annex` (``Article.extra``): authors with roles, the disclosure
table (:class:`GovMeta`), attachments, amounts, entities, provenance and quality notes, each a
typed part written by the stage that finds it and read by storage, exports and the spool as
the same types (zyte-common-items' ``Article`` with its components is the model).
:func:`article_from_json` reads back the JSON form (:func:`dataclasses.asdict`) losslessly.

The meaning and format of every field is documented here and in ``docs/fields.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

PageKind = Literal["html", "text"]
Script = Literal["simplified", "traditional", "mixed"]
#: How much of a time the page gave (see ``Article.published_precision``).
Precision = Literal["day", "hour", "minute", "second"]
Role = Literal[
    "reporter", "special_correspondent", "trainee_reporter", "intern", "correspondent", "author", "photographer"
]
"""The one role vocabulary of authors: the ``role`` column of ``pipelines/vocab/labels.tsv``
maps every printed role label to one of these (记者, 本报记者 -> ``reporter``; 通讯员 ->
``correspondent``; 作者, 文 -> ``author``; 摄影, 摄 -> ``photographer`` …)."""
Stage = Literal["extraction", "cleaning", "enrichment"]


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
class Person:
    """An author named in a byline, whichever stage found it."""

    name: str
    """The name as printed, without spaces (``方 敏`` -> ``方敏``)."""
    role: Role
    """What the person did, from the one role vocabulary (:data:`Role`)."""
    label: str | None = None
    """The role label as printed before the name (``本报记者``, ``文``, ``攝``); ``None`` when the
    page printed none (an element named ``author``, a ``name/outlet`` line, a site override)."""


@dataclass
class Provenance:
    """How a field got its value: the stage and the rule, selector or meta tag that found it."""

    stage: Stage
    """The stage that set the value: ``extraction``, ``cleaning`` or ``enrichment``."""
    rule: str
    """The rule as its stage names it: ``header date``, ``meta PubDate``, ``gov_meta 发文字号``,
    ``override div.source`` (extraction; ``none`` when no rule found a value, ``override 'sel'
    matched nothing; …`` when a site's selector matched nothing), ``doc_number_masthead_line``
    (enrichment)."""


@dataclass
class GovMeta:
    """A government information-disclosure table (政府信息公开), values as printed.

    Labels map to these keys through ``pipelines/vocab/govmeta_labels.tsv``; a key the table
    does not print is ``None``. Dates stay as printed (``2021年4月30日``); ``published`` and
    ``doc_number`` of the article hold their parsed forms.
    """

    index_number: str | None = None
    """索引号, e.g. ``11330000002482123X/2021-00123``."""
    topic: str | None = None
    """主题分类."""
    subject_terms: str | None = None
    """主题词."""
    category: str | None = None
    """组配分类 / 信息分类."""
    genre: str | None = None
    """体裁分类."""
    disclosure: str | None = None
    """公开属性 / 公开方式, e.g. ``主动公开``."""
    disclosure_scope: str | None = None
    """公开范围."""
    disclosure_deadline: str | None = None
    """公开时限."""
    issuer: str | None = None
    """发布机构 / 发文机关 / 发文单位 / 发布单位 / 公开主体."""
    source: str | None = None
    """信息来源."""
    written_date: str | None = None
    """成文日期."""
    issued_date: str | None = None
    """发文日期."""
    published_date: str | None = None
    """发布日期 / 公开日期."""
    generated_date: str | None = None
    """生成日期."""
    effective_date: str | None = None
    """实施日期 / 施行日期."""
    repealed_date: str | None = None
    """废止日期 / 失效日期."""
    doc_number: str | None = None
    """文号 / 发文字号 / 发文文号 / 文件编号, as printed."""
    validity: str | None = None
    """有效性 / 效力状态 / 时效性, e.g. ``有效``."""
    title: str | None = None
    """名称 / 标题."""
    keywords: str | None = None
    """关键词."""
    unified_number: str | None = None
    """统一编号."""


@dataclass
class Attachment:
    """A linked file (PDF, DOC, XLS, ZIP …) of the article."""

    url: str
    """Absolute URL of the file."""
    text: str
    """The link text, or its title when the link has no text."""
    type: str
    """File type from the URL's extension, lower case: ``pdf``, ``docx``, ``xls`` …"""


@dataclass
class DocNumberParts:
    """The parts of a 文号: ``嘉科函〔2022〕55号`` -> ``嘉科函``, 2022, 55."""

    code: str
    """The issuer code, Han characters: ``嘉科函``."""
    year: int
    """The year in the brackets: ``2022``."""
    serial: int
    """The serial before 号: ``55``."""


@dataclass
class Amount:
    """A money amount in 元 found in the text."""

    text: str
    """The amount as printed, with its qualifier: ``超过2000万元``."""
    yuan: int | float
    """The value in yuan: ``20000000``; integral values are integers."""


@dataclass
class Percentage:
    """A percentage found in the text."""

    text: str
    """As printed: ``90%``, ``百分之十五``."""
    value: float
    """The number of percent: ``90.0``."""


@dataclass
class Organization:
    name: str
    """The organization's name as printed: ``浙江省高端化学品技术创新中心``."""
    count: int
    """Mentions in the text."""


@dataclass
class Place:
    name: str
    """The division's official name when known (``嘉兴`` -> ``嘉兴市``), else as printed."""
    count: int
    """Mentions in the text."""
    level: str
    """``province``, ``city``, ``district`` or ``township``."""


@dataclass
class MentionedPerson:
    name: str
    """The person's name as printed."""
    role: str
    """The job title clause printed before the name: ``之江实验室主任、浙江大学党委副书记``."""
    count: int
    """Mentions in the text."""


@dataclass
class Entities:
    """Organizations, places and people the text mentions, each list in order of first mention."""

    organizations: list[Organization] = field(default_factory=list)
    """Names ending in an organization suffix (…研究院, …局), the longest of nested ones."""
    places: list[Place] = field(default_factory=list)
    """Administrative divisions, under their official name."""
    people: list[MentionedPerson] = field(default_factory=list)
    """People named right after a job title."""


@dataclass
class InvalidValue:
    """A value a page printed that fails its check, and was therefore not used."""

    field: str
    """The field or :class:`GovMeta` key: ``doc_number``, ``index_number``, ``written_date`` …"""
    value: str
    """The value as printed."""
    reason: str
    """Why: ``future_year`` or ``serial_zero`` (文号), ``not_a_doc_number``,
    ``not_an_index_number``, ``unreadable_date``, ``written_after_published``,
    ``published_after_fetch``."""


@dataclass
class Quality:
    """What a page lacks or prints wrong, for the stages and queries that check documents."""

    missing: list[str] = field(default_factory=list)
    """:class:`GovMeta` keys a found disclosure table lacks (of ``govmeta_expected.tsv``)."""
    invalid: list[InvalidValue] = field(default_factory=list)
    """Values that fail their checks, one per field."""

    def invalid_fields(self) -> list[str]:
        """The names of the invalid fields, in the order they were found."""
        return [value.field for value in self.invalid]

    def add_invalid(self, value: InvalidValue) -> None:
        """Records ``value`` unless its field is noted already."""
        if value.field not in self.invalid_fields():
            self.invalid.append(value)


@dataclass
class Annex:
    """The article's typed parts beyond its columns, stored as the ``articles.extra`` JSON object.

    The item attribute, the database column and the feed-export key keep the name ``extra``:
    documented queries and exports read ``extra.gov_meta`` (``docs/queries.md``).
    """

    authors: list[Person] = field(default_factory=list)
    """The people of the byline in reading order, with roles (extraction, or enrichment when the
    page regions gave none); ``Article.author`` is their names joined by ``、``."""
    doc_number_raw: str | None = None
    """The 文号 as printed (``嘉科函（2022）55号``); ``Article.doc_number`` is the normalized one."""
    doc_number_parts: DocNumberParts | None = None
    """The parts of ``Article.doc_number``."""
    cited_doc_numbers: list[str] = field(default_factory=list)
    """Normalized 文号 of other documents the text cites (enrichment)."""
    recipient: str | None = None
    """Addressee of a reply letter, e.g. ``徐剑虹委员`` (enrichment)."""
    gov_meta: GovMeta | None = None
    """The disclosure table, ``None`` when the page has none (extraction)."""
    attachments: list[Attachment] = field(default_factory=list)
    """Linked files (extraction)."""
    cms: str | None = None
    """CMS family of the page: ``trs``, ``hanweb``, or ``None`` (extraction)."""
    amounts: list[Amount] = field(default_factory=list)
    """Money amounts in 元, in reading order (enrichment)."""
    percentages: list[Percentage] = field(default_factory=list)
    """Percentages, in reading order (enrichment)."""
    entities: Entities | None = None
    """Organizations, places and people the text mentions; ``None`` when entity tagging is off
    or found none (enrichment)."""
    quality: Quality = field(default_factory=Quality)
    """Missing and invalid values (extraction and enrichment)."""
    provenance: dict[str, Provenance] = field(default_factory=dict)
    """For each field (or part) a stage set or looked for: how it was found."""
    title_original: str | None = None
    """The raw title when cleaning changed it (cleaning)."""
    section: str | None = None
    """Section from a breadcrumb, e.g. ``靖江产业信息`` (cleaning)."""
    related: list[str] = field(default_factory=list)
    """Titles of related/recommended articles removed from the body (cleaning)."""
    bylines: list[str] = field(default_factory=list)
    """Byline lines cleaning took out of the body, normalized and Simplified as it is, in order
    (``来源: 安徽新闻联播``, ``时间:2023-06-03``, ``（记者 王卫东）``): not text, but where enrichment
    reads 来源, authors and the time (cleaning)."""
    spun_score: float | None = None
    """Synonym-spinning score, 0..1 with three decimals; ``None`` before cleaning."""
    is_spun: bool | None = None
    """``spun_score`` at or above ``CLEANING_SPUN_THRESHOLD``; ``None`` before cleaning."""
    cleaning: dict[str, int] = field(default_factory=dict)
    """What each cleaning rule removed: ``{"pinyin": 233, "boilerplate_related": 12}``."""


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
    none), e.g. ``2022-05-20T10:30:00+08:00``; date-only values are ``…T00:00:00+08:00`` and
    carry ``published_precision = "day"``: their midnight is a placeholder, not a time."""

    published_precision: Precision | None = None
    """How much of ``published`` the page gave: ``day`` (a date alone), ``hour`` (``3小时前``),
    ``minute`` or ``second``; ``None`` when there is no ``published``. Two times compare only to
    the coarser of their precisions (a date-only copy is not earlier than a 09:30 original)."""

    published_offset: str | None = None
    """The UTC offset the page printed with the time (``+08:00``, ``+00:00`` for ``Z``); ``None``
    when it printed none and the time was read as the site's local time."""

    published_raw: str | None = None
    """The publication time exactly as the page printed it, e.g. ``2022年5月20日 10:30``."""

    source_name: str | None = None
    """来源: the outlet the page names as the origin, e.g. ``新华社``."""

    source_url: str | None = None
    """The URL the page prints as its origin (``原文链接：https://…``, ``转自：https://…``),
    absolute; the strongest evidence of which article a repost copies (enrichment)."""

    author: str | None = None
    """Author names as printed (作者, 记者, 通讯员), separated by ``、``; names with their roles
    are ``extra.authors``."""

    editor: str | None = None
    """责任编辑 (responsible editor), when printed."""

    doc_number: str | None = None
    """文号 of a government document, normalized to ``〔YYYY〕`` brackets and ASCII digits, e.g.
    ``浙政办发〔2021〕12号``, whichever stage found it; as printed in ``extra.doc_number_raw``."""

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

    extra: Annex = field(default_factory=Annex)
    """The article's typed parts (:class:`Annex`): authors, gov metadata, attachments, amounts,
    entities, provenance, quality notes and what cleaning removed; documented in
    ``docs/fields.md``."""


def _each(values: Any) -> list[Mapping[str, Any]]:
    return list(values or [])


def annex_from_json(data: Mapping[str, Any]) -> Annex:
    """The annex of its JSON form (:func:`dataclasses.asdict`); absent keys take their defaults.

    Raises ``TypeError`` for a key no part has, so a spooled record is never loaded half.
    """
    unknown = sorted(set(data) - {part.name for part in fields(Annex)})
    if unknown:
        raise TypeError(f"unknown annex keys {unknown}")
    gov_meta = data.get("gov_meta")
    parts = data.get("doc_number_parts")
    entities = data.get("entities")
    quality = data.get("quality") or {}
    return Annex(
        authors=[Person(**person) for person in _each(data.get("authors"))],
        doc_number_raw=data.get("doc_number_raw"),
        doc_number_parts=DocNumberParts(**parts) if parts else None,
        cited_doc_numbers=list(data.get("cited_doc_numbers") or []),
        recipient=data.get("recipient"),
        gov_meta=GovMeta(**gov_meta) if gov_meta else None,
        attachments=[Attachment(**attachment) for attachment in _each(data.get("attachments"))],
        cms=data.get("cms"),
        amounts=[Amount(**amount) for amount in _each(data.get("amounts"))],
        percentages=[Percentage(**percentage) for percentage in _each(data.get("percentages"))],
        entities=Entities(
            organizations=[Organization(**found) for found in _each(entities.get("organizations"))],
            places=[Place(**found) for found in _each(entities.get("places"))],
            people=[MentionedPerson(**found) for found in _each(entities.get("people"))],
        )
        if entities
        else None,
        quality=Quality(
            missing=list(quality.get("missing") or []),
            invalid=[InvalidValue(**value) for value in _each(quality.get("invalid"))],
        ),
        provenance={name: Provenance(**how) for name, how in (data.get("provenance") or {}).items()},
        title_original=data.get("title_original"),
        section=data.get("section"),
        related=list(data.get("related") or []),
        bylines=list(data.get("bylines") or []),
        spun_score=data.get("spun_score"),
        is_spun=data.get("is_spun"),
        cleaning=dict(data.get("cleaning") or {}),
    )


def article_from_json(data: Mapping[str, Any]) -> Article:
    """The article of its JSON form (:func:`dataclasses.asdict`, a spool line, a feed line).

    Raises ``TypeError`` for a field no article or part has.
    """
    return Article(**{**data, "extra": annex_from_json(data.get("extra") or {})})


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
    published_precision: Precision | None = None
    source_url: str | None = None
