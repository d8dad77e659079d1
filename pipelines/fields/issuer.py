"""Issuing body of a government document, read from its masthead or its signature line.

The disclosure table's 发布机构 (read by extraction into ``gov_meta.issuer``) comes first; these
rules read the document's own text, the cleaned one in enrichment.
"""

from __future__ import annotations

import re

from pipelines.fields.found import Found
from pipelines.fields.text import compact
from pipelines.vocab import FieldVocabulary

MASTHEAD_LINES = 3
"""The masthead (``嘉兴市科学技术局文件``) is the first thing a 公文 prints."""
SIGNATURE_LINES = 3
"""The signing body stands in the last lines, before or after the date."""
_ORG_NAME = re.compile(r"[\u4e00-\u9fff()（）]{3,40}")


def is_org_name(text: str, vocab: FieldVocabulary) -> bool:
    """Whether ``text`` is nothing but a name ending in an organization suffix."""
    return (
        bool(_ORG_NAME.fullmatch(text))
        and text.endswith(vocab.org_suffixes)
        and not vocab.not_org_chars.intersection(text)
    )


def issuer_from_masthead(head: list[str], vocab: FieldVocabulary) -> Found[str] | None:
    """``嘉兴市科学技术局文件`` -> ``嘉兴市科学技术局`` (rule ``masthead``)."""
    for line in head[:MASTHEAD_LINES]:
        flat = compact(line)
        for header in vocab.document_headers:
            name = flat.removesuffix(header)
            if name != flat and is_org_name(name, vocab):
                return Found(name, "masthead")
    return None


def issuer_from_signature(lines: list[str], vocab: FieldVocabulary) -> Found[str] | None:
    """The organization a document is signed with (rule ``signature_line``).

    Only meaningful for documents already known to be official (a 文号 or a masthead): news
    articles also end with short lines such as a source credit. A joint document signs with
    several bodies side by side (``财政部 税务总局``): it has no one issuer, and none is given.
    """
    for line in reversed(lines[-SIGNATURE_LINES:]):
        flat = compact(line)
        if is_org_name(flat, vocab):
            return None if is_joint_signature(line, vocab) else Found(flat, "signature_line")
    return None


def is_joint_signature(line: str, vocab: FieldVocabulary) -> bool:
    """Whether a signature line is several organizations apart (``国家自然科学基金委员会 财政部``)."""
    parts = line.split()
    return len(parts) > 1 and sum(is_org_name(part, vocab) for part in parts) > 1
