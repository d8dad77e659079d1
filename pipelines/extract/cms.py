"""Recognition of the CMS families most gov portals run on: TRS WCM and Hanweb/大汉 JCMS.

Markers (class names, generator comments kept in the raw HTML, script paths, URL shapes) come
from ``vocab/cms.toml``. A recognized family contributes the names of its body containers.
"""

from __future__ import annotations

import re

from pipelines.extract.vocab import Vocabulary


def cms_family(html: str, url: str, vocab: Vocabulary) -> str | None:
    """``trs``, ``hanweb`` or None, from markers in the raw HTML and the URL."""
    # The markers sit in comments and script paths, which the parse drops: read the raw text.
    for family, spec in vocab.cms.items():
        if any(marker in html for marker in spec["markers"]):
            return family
    for family, spec in vocab.cms.items():
        if any(re.search(pattern, url) for pattern in spec["url_patterns"]):
            return family
    return None


def body_container_names(family: str | None, vocab: Vocabulary) -> tuple[str, ...]:
    """Class/id names of the family's body container (empty for unknown families)."""
    if family is None:
        return ()
    return vocab.cms[family]["body"]
