"""Hanweb (大汉 JCMS) column paging: the ``<datastore>`` records and the ``dataproxy.jsp`` request.

A Hanweb column page (``/col/col<COLUMN>/index.html``) embeds its newest records in a
``<script type="text/xml"><datastore>`` block; its page bar (the ``jpage`` plugin) asks
``/module/jpage/dataproxy.jsp?startrecord=N&endrecord=M&perpage=K`` by POST, with the
column's ids as form fields, for deeper records, and gets the same ``<datastore>`` XML back:

    <datastore><totalrecord>452</totalrecord><recordset>
      <record><![CDATA[<li><a href="/art/2024/5/20/art_1229080140_59847436.html">…</a></li>]]></record>
      …
    </recordset></datastore>

Pure functions over text, so the site spider (:mod:`crawler.spiders.site`) and the tests share
them; which form fields a site needs and where its page keeps them is site config
(``[pagination.dataproxy]``, :class:`crawler.siteconfig.Dataproxy`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urljoin

from crawler.siteconfig import Dataproxy

_DATASTORE = re.compile(r"<datastore\b[^>]*>(.*?)</datastore\s*>", re.IGNORECASE | re.DOTALL)
_RECORD = re.compile(r"<record\b[^>]*>(.*?)</record\s*>", re.IGNORECASE | re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_TOTAL = re.compile(r"<totalrecord\b[^>]*>\s*(\d+)\s*</totalrecord\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Datastore:
    records: list[str]
    """The markup of each ``<record>`` (CDATA unwrapped), in order."""
    total: int | None
    """``<totalrecord>``: records in the whole column, when the answer says."""


def parse_datastore(text: str) -> Datastore | None:
    """The records of the first complete ``<datastore>`` in ``text``; ``None`` when there is none.

    An empty ``<recordset>`` is a datastore with no records (the column ended); an error page,
    a JSP stack trace or a truncated answer has no complete datastore.
    """
    found = _DATASTORE.search(text)
    if found is None:
        return None
    inner = found.group(1)
    # A record is CDATA, or markup escaped as XML text (&lt;a href=…&gt;).
    records = ["".join(_CDATA.findall(body)) or html.unescape(body) for body in _RECORD.findall(inner)]
    total = _TOTAL.search(inner)
    return Datastore(records, int(total.group(1)) if total else None)


def dataproxy_form(config: Dataproxy, markup: str, url: str) -> tuple[dict[str, str], list[str]]:
    """The form of a column's ``dataproxy.jsp`` requests, and the fields found nowhere.

    Each ``config.fields`` pattern is searched in the column page's URL followed by its markup
    (the URL first: ``/col/col<COLUMN>/`` names this column, while the markup also links
    others); the value is its first group that matched, HTML- and URL-unescaped (the ids also
    appear inside a ``dataproxy.jsp?…`` link). A field the page lacks takes its ``config.form``
    value; with none there it is missing.
    """
    haystack = f"{url}\n{markup}"
    form = dict(config.form)
    missing: list[str] = []
    for name, pattern in config.fields.items():
        match = pattern.search(haystack)
        value = next((group for group in match.groups() if group), None) if match else None
        if value is not None:
            form[name] = unquote(html.unescape(value)).strip()
        elif name not in config.form:
            missing.append(name)
    return form, missing


def dataproxy_url(column_url: str, config: Dataproxy, start: int) -> str:
    """The ``dataproxy.jsp`` URL asking for ``config.records`` records from record ``start`` (1-based)."""
    query = urlencode({"startrecord": start, "endrecord": start + config.records - 1, "perpage": config.per_page})
    base = urljoin(column_url, config.url)
    return f"{base}{'&' if '?' in base else '?'}{query}"
