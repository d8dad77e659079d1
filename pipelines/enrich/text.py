"""Line helpers shared by the enrichment rules."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def compact(line: str) -> str:
    """The line without any whitespace (spaced-out headings such as ``答        复``)."""
    return _SPACES.sub("", line).strip()


def nfkc(text: str) -> str:
    """NFKC form: full-width digits, letters and colons become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def lines_of(body: str | None) -> list[str]:
    """Non-empty lines of a body, stripped of surrounding whitespace."""
    if not body:
        return []
    return [line.strip() for line in body.split("\n") if line.strip()]
