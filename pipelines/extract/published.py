"""The publication time of a page, chosen among every place a page prints one.

Order (first plausible wins; 成文日期, update and crawl times come last or never):
the disclosure table's 发布日期/发文日期, a date in the header region (after a publication label
or alone, skipping dates after 成文日期/更新时间 labels), ``<meta>`` tags, JSON-LD
``datePublished``, a publication label anywhere in the short lines, the URL, and last the
table's 成文日期. Relative forms resolve against the fetch time.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from pipelines.extract.regions import Regions, json_ld_values, meta_content
from pipelines.fields.dates import ParsedDate, absolute_date, fetch_time, is_plausible, parsed_date, url_date
from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:release_date",
    "pubdate",
    "PubDate",
    "publishdate",
    "publish_date",
    "publishDate",
    "datePublished",
    "dc.date.issued",
    "DC.date.issued",
    "dcterms.created",
    "firstpublishedtime",
    "weibo:article:create_at",
    "article:published",
    "release_date",
    "created",
    "date",
)
_SHORT_LINE = 80


def publication_time(
    root: lxml_html.HtmlElement,
    url: str,
    regions: Regions,
    gov_meta: dict[str, str],
    vocab: FieldVocabulary,
    fetched_at: str | None,
) -> tuple[ParsedDate | None, str]:
    reference = fetch_time(fetched_at)
    not_published = re.compile(alternation(vocab.not_published_labels, longest_first=False))
    labels = sorted(vocab.published_labels, key=len, reverse=True)
    label_re = re.compile(rf"(?:{alternation(labels, longest_first=False)})\s*[：:]?\s*")

    def acceptable(found: ParsedDate | None) -> bool:
        return found is not None and is_plausible(found.value, reference)

    for key, how in (("published_date", "gov_meta 发布日期"), ("issued_date", "gov_meta 发文日期")):
        if key in gov_meta:
            found = absolute_date(gov_meta[key])
            if acceptable(found):
                return found, how
    for line in regions.header:
        # A date right after a not-publication label (成文日期, 更新时间) is skipped.
        for segment in re.split(rf"(?=(?:{alternation(vocab.not_published_labels, longest_first=False)}))", line):
            if not_published.match(segment):
                continue
            match = label_re.search(segment)
            found = parsed_date(segment[match.end() :] if match else segment, reference)
            if acceptable(found):
                return found, "header label" if match else "header date"
    meta = meta_content(root, _PUBLISHED_META)
    if meta:
        found = absolute_date(meta[0])
        if acceptable(found):
            return found, f"meta {meta[1]}"
    for value in json_ld_values(root, "datePublished"):
        found = absolute_date(value)
        if acceptable(found):
            return found, "json-ld datePublished"
    strong = [label for label in labels if len(label) > 2]
    strong_re = re.compile(rf"(?:{alternation(strong, longest_first=False)})\s*[：:]?\s*")
    for _, line in regions.all():
        match = strong_re.search(line)
        if match and len(line) <= _SHORT_LINE:
            found = parsed_date(line[match.end() :], reference)
            if acceptable(found):
                return found, "label"
    from_url = url_date(url)
    if from_url and acceptable(from_url[0]):
        return from_url[0], from_url[1]
    if "written_date" in gov_meta:
        found = absolute_date(gov_meta["written_date"])
        if acceptable(found):
            return found, "gov_meta 成文日期"
    return None, "none"
