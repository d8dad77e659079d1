"""Attachment links (PDF, Word, Excel, archives …) with their text and absolute URLs."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.items import Attachment
from pipelines.extract.dom import normalized_space

ATTACHMENT_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "et",
        "wps",
        "ppt",
        "pptx",
        "zip",
        "rar",
        "7z",
        "ofd",
        "txt",
        "csv",
        "ceb",
        "caj",
    ]
)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})$")


def attachment_links(root: lxml_html.HtmlElement, base_url: str) -> list[Attachment]:
    """Each linked file once, in page order."""
    seen: set[str] = set()
    found: list[Attachment] = []
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        # Cheap test on the raw href first: most links are pages, and urljoin is the slow part.
        if not _EXTENSION.search(href.split("?", 1)[0].split("#", 1)[0]):
            continue
        url = urljoin(base_url, href)
        match = _EXTENSION.search(urlsplit(url).path)
        if not match or match.group(1).lower() not in ATTACHMENT_EXTENSIONS or url in seen:
            continue
        seen.add(url)
        text = normalized_space(link.text_content()) or (link.get("title") or "").strip()
        found.append(Attachment(url=url, text=text, type=match.group(1).lower()))
    return found
