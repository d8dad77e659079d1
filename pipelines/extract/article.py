"""All fields of one HTML page, from one parse: :func:`extract_fields`.

Each field records how it was found in ``provenance`` (the selector, meta tag or rule name),
so a wrong value can be traced to the rule that produced it. ``overrides`` maps a field name
to a CSS or XPath selector (XPath when it starts with ``/`` or ``(``) from a site config; an
override that matches nothing falls back to the generic rules and says so in provenance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html
from parsel.csstranslator import HTMLTranslator

from crawler.items import Attachment, DocNumberParts, GovMeta, InvalidValue, Person, Precision, Provenance, Quality
from pipelines.extract.attachments import attachment_links
from pipelines.extract.body import article_body
from pipelines.extract.byline_fields import authors_of, editor_of, source_name_of
from pipelines.extract.cms import body_container_names, cms_family
from pipelines.extract.dom import normalized_space, parsed_page, repaired_text
from pipelines.extract.govmeta import DisclosureTable, disclosure_metadata, invalid_fields
from pipelines.extract.published import publication_time
from pipelines.extract.regions import page_regions, site_names
from pipelines.extract.title import article_subtitle, article_title
from pipelines.fields.bylines import byline_line_pattern, labelled_value, names_in
from pipelines.fields.dates import ParsedDate, fetch_time, parsed_date
from pipelines.fields.docnumber import LATEST_YEAR, DocNumber, find_doc_number, normalize_doc_number, own_doc_number
from pipelines.vocab import FieldVocabulary, Vocabulary, load_vocabulary

OVERRIDABLE = ("title", "subtitle", "body", "published", "source_name", "author", "editor", "doc_number", "issuer")
_SAME_SITE_LABELS = 2


@dataclass
class Extracted:
    """The extracted fields of one page; ``None`` where the page gives no value."""

    title: str | None = None
    subtitle: str | None = None
    published: str | None = None
    published_precision: Precision | None = None
    published_offset: str | None = None
    published_raw: str | None = None
    source_name: str | None = None
    authors: list[Person] = field(default_factory=list)
    editor: str | None = None
    doc_number: str | None = None
    """The 文号 normalized (``〔YYYY〕``); ``None`` when absent or invalid."""
    doc_number_raw: str | None = None
    """The 文号 as printed."""
    doc_number_parts: DocNumberParts | None = None
    issuer: str | None = None
    body: str = ""
    canonical_url: str | None = None
    gov_meta: GovMeta | None = None
    quality: Quality = field(default_factory=Quality)
    attachments: list[Attachment] = field(default_factory=list)
    cms: str | None = None
    too_deep: bool = False
    """The page nests deeper than the parser reads: text past that depth is missing."""
    provenance: dict[str, Provenance] = field(default_factory=dict)
    repaired_encoding: bool = False

    @property
    def author(self) -> str | None:
        return "、".join(person.name for person in self.authors) or None


def _selected(root: lxml_html.HtmlElement, selector: str) -> lxml_html.HtmlElement | None:
    xpath = selector if selector.startswith(("/", "(")) else HTMLTranslator().css_to_xpath(selector)
    try:
        found = root.xpath(xpath)
    except etree.XPathError:
        return None
    return next((node for node in found if isinstance(node, lxml_html.HtmlElement)), None)


def _unlabelled(text: str) -> str:
    """An override's text without a leading ``label：`` the selector took along."""
    return re.sub(r"^[\u3400-\u9fff]{1,6}\s*[：:]\s*", "", text) or text


def _canonical(root: lxml_html.HtmlElement, url: str) -> tuple[str, str]:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            candidate = urljoin(url, link.get("href", "").strip())
            page_host, candidate_host = urlsplit(url).hostname or "", urlsplit(candidate).hostname or ""
            page_site = ".".join(page_host.split(".")[-_SAME_SITE_LABELS:])
            if candidate_host and page_site and candidate_host.endswith(page_site):
                return candidate, "link rel=canonical"
    return url, "page url"


def _doc_number_of(
    meta: DisclosureTable, lines: list[str], vocab: FieldVocabulary, year: int
) -> tuple[DocNumber | None, str]:
    """The page's own 文号: the disclosure table's cell, else a 文号 line among the first lines."""
    cell = meta.fields.get("doc_number")
    number = find_doc_number(cell, vocab, reference_year=year) if cell else None
    if number is not None:
        return number, f"gov_meta {meta.labels['doc_number']}"
    found = own_doc_number(lines, vocab, reference_year=year)
    return found if found is not None else (None, "none")


def _set_doc_number(result: Extracted, number: DocNumber) -> None:
    """The 文号 normalized with the raw one beside it; a number that cannot be right is a note."""
    if number.invalid_reason:
        result.quality.add_invalid(InvalidValue("doc_number", number.raw, number.invalid_reason))
        return
    result.doc_number, result.doc_number_raw = number.normalized, number.raw
    result.doc_number_parts = number.parts


def extract_fields(
    html: str,
    url: str,
    fetched_at: str | None = None,
    encoding: str | None = None,
    overrides: Mapping[str, str] | None = None,
    vocab: Vocabulary | None = None,
) -> Extracted:
    """Every field of an article page. ``fetched_at`` (ISO 8601) resolves relative dates."""
    vocab = vocab or load_vocabulary()
    overrides = overrides or {}
    result = Extracted()
    repaired = repaired_text(html, encoding)
    if repaired is not None:
        html, result.repaired_encoding = repaired, True
    document = parsed_page(html)
    root = document.root
    result.too_deep = document.too_deep
    reference = fetch_time(fetched_at)
    year = reference.year if reference is not None else LATEST_YEAR
    chosen = {name: _selected(root, selector) for name, selector in overrides.items() if name in OVERRIDABLE}
    prov: dict[str, str] = {}

    def override_text(name: str) -> str | None:
        element = chosen.get(name)
        if element is None:
            if name in overrides:
                prov[name] = f"override {overrides[name]!r} matched nothing; "
            return None
        prov[name] = f"override {overrides[name]}"
        return normalized_space(element.text_content()) or None

    result.cms = cms_family(html, url, vocab.page)
    prov["cms"] = "markers" if result.cms else "none"
    title, title_element = article_title(root, vocab.page, chosen.get("title"))
    result.title = title.text
    prov["title"] = prov.get("title", "") + title.how if "title" not in chosen else f"override {overrides['title']}"
    result.subtitle = override_text("subtitle")
    if result.subtitle is None:
        result.subtitle, how = article_subtitle(root, vocab.page, title_element, result.title)
        prov["subtitle"] = prov.get("subtitle", "") + how

    body = article_body(
        root,
        vocab.page,
        result.title,
        byline_line_pattern(vocab.fields),
        body_container_names(result.cms, vocab.page),
        chosen.get("body"),
    )
    result.body = "\n".join(body.paragraphs)
    prov["body"] = body.how if "body" in chosen else prov.get("body", "") + body.how
    regions = page_regions(root, result.title, body.container)

    meta = disclosure_metadata(root, vocab.fields)
    result.gov_meta = meta.gov_meta()
    result.quality = Quality(missing=meta.missing, invalid=invalid_fields(meta, reference, vocab.fields))
    if meta.fields:
        prov["gov_meta"] = f"disclosure table ({meta.layout})"

    published_text = override_text("published")
    found: ParsedDate | None = None
    if published_text:
        found = parsed_date(published_text, reference)
    if found is None:
        found, how = publication_time(
            root, url, regions, meta.fields, vocab.fields, fetched_at, document.json_ld, result.title
        )
        prov["published"] = prov.get("published", "") + how
    if found is not None:
        result.published, result.published_raw = found.iso(), found.raw
        result.published_precision, result.published_offset = found.precision, found.offset

    source_text = override_text("source_name")
    if source_text:
        labelled = labelled_value(source_text, vocab.fields.source_labels, vocab.fields)
        result.source_name = labelled or _unlabelled(source_text)
    else:
        names = site_names(root, result.title)
        result.source_name, how = source_name_of(root, regions, vocab, meta.fields, names)
        prov["source_name"] = prov.get("source_name", "") + how

    author_text = override_text("author")
    people = [Person(n, "author") for n in names_in(author_text, vocab.fields)] if author_text else []
    if not people:
        people, how = authors_of(root, regions, vocab)
        prov["author"] = prov.get("author", "") + how
    result.authors = people

    editor_text = override_text("editor")
    if editor_text:
        labelled = labelled_value(editor_text, vocab.fields.editor_labels, vocab.fields)
        result.editor = labelled or _unlabelled(editor_text)
    else:
        result.editor, how = editor_of(regions, vocab.fields)
        prov["editor"] = prov.get("editor", "") + how

    doc_text = override_text("doc_number")
    number = find_doc_number(doc_text, vocab.fields, reference_year=year) if doc_text else None
    if doc_text and number is None:
        # The site config names the element: its text is kept, brackets normalized, though no 文号.
        result.doc_number, result.doc_number_raw = normalize_doc_number(doc_text, vocab.fields), doc_text
    elif number is None:
        number, how = _doc_number_of(meta, regions.header + regions.body, vocab.fields, year)
        prov["doc_number"] = prov.get("doc_number", "") + how
    if number is not None:
        _set_doc_number(result, number)

    issuer_text = override_text("issuer")
    if issuer_text:
        result.issuer = issuer_text
    elif meta.fields.get("issuer"):
        result.issuer = meta.fields["issuer"]
        prov["issuer"] = f"gov_meta {meta.labels['issuer']}"
    else:
        prov["issuer"] = prov.get("issuer", "") + "none"

    result.attachments = attachment_links(root, url)
    result.canonical_url, prov["canonical_url"] = _canonical(root, url)
    result.provenance = {name: Provenance("extraction", rule) for name, rule in prov.items()}
    return result
