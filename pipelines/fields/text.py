"""Line helpers of the field parsers and the enrichment rules: compacted lines, NFKC, non-empty lines."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def compact(line: str) -> str:
    """The line without any whitespace (spaced-out headings such as ``答        复``)."""
    return _SPACES.sub("", line).strip()


@lru_cache(maxsize=256)
def nfkc(text: str) -> str:
    """NFKC form: full-width digits, letters and colons become their ASCII forms.

    Remembered: the rules normalize the same body and the same lines up to 30 times per article.
    """
    return unicodedata.normalize("NFKC", text)


def lines_of(body: str | None) -> list[str]:
    """Non-empty lines of a body, stripped of surrounding whitespace."""
    if not body:
        return []
    return [line.strip() for line in body.split("\n") if line.strip()]
