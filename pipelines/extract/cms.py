"""Recognition of the CMS families most gov portals run on: TRS WCM and Hanweb/大汉 JCMS.

Markers (class names, generator comments kept in the raw HTML, script paths, URL shapes) come
from ``pipelines/vocab/cms.tsv``. A recognized family contributes the names of its body containers.
"""

from __future__ import annotations

import re

from pipelines.vocab import PageVocabulary


def cms_family(html: str, url: str, vocab: PageVocabulary) -> str | None:
    """``trs``, ``hanweb`` or None, from markers in the raw HTML and the URL."""
    # The markers sit in comments and script paths, which the parse drops: read the raw text.
    for family, spec in vocab.cms.items():
        if any(marker in html for marker in spec["marker"]):
            return family
    for family, spec in vocab.cms.items():
        if any(re.search(pattern, url) for pattern in spec["url"]):
            return family
    return None


def body_container_names(family: str | None, vocab: PageVocabulary) -> tuple[str, ...]:
    """Class/id names of the family's body container (empty for unknown families)."""
    if family is None:
        return ()
    return vocab.cms[family]["body"]
