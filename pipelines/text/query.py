"""A search query in the form bodies are stored in, so it finds what a reader typed.

Bodies are normalized (widths, spaces, invisible characters) and converted to Simplified by
cleaning (:mod:`pipelines.text.clean`); a query typed in Traditional (統計) or with full-width
letters (ＧＤＰ) goes through the same two steps. ``scrapy search`` loads this function by the
``SEARCH_QUERY_FORM`` setting (``crawler/`` does not import ``pipelines/``).
"""

from __future__ import annotations

from pipelines.text.normalize import normalize_line
from pipelines.text.script import detect_script, to_simplified


def query_form(query: str) -> str:
    """``query`` normalized as a body line and, unless already Simplified, converted by OpenCC."""
    line = normalize_line(query)
    return line if detect_script(line) == "simplified" else to_simplified(line)
