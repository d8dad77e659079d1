"""The index of one- and two-character words: every letter or digit and every pair of them.

Chinese search terms are mostly one or two characters (药, 创新, 统计), which trigram indexes
cannot find. Both databases therefore also index, per article, the distinct single characters
and adjacent pairs of its title and body that are letters or digits (migration
``0009_i16_queries``):

* SQLite: the contentless FTS5 table ``articles_grams`` (``unicode61`` tokenizer, so a raw
  one- or two-character word is one token and ``articles_grams('创新')`` is plain SQL), kept in
  step with ``articles`` by triggers that call :func:`gram_text`. SQLite has no SQL way to cut a
  text into characters, so the function is registered on every connection the project opens
  (:mod:`crawler.db.engine`); a client without it can read the index but not write
  ``articles``, which only the storage stage does.
* Postgres: a GIN index on the ``tsvector`` of the same grams, computed in SQL by
  ``article_grams(title, body)``, and ``articles_grams(term)`` with the same ``rowid`` column.

A letter or digit pair is indexed only when both are letters or digits, the way both
tokenizers split text, so a word that is a single token is found exactly; terms with
punctuation are found through their letter or digit runs and checked with ``LIKE``.
"""

from __future__ import annotations

import operator
import re

# What both tokenizers keep together: letters and digits (any script); the rest separates.
_RUN = re.compile(r"[^\W_]+")


def word_runs(text: str) -> list[str]:
    """The runs of letters and digits of ``text`` (lower case), in order."""
    return _RUN.findall(text.lower())


def grams(text: str | None) -> set[str]:
    """The distinct letters/digits and adjacent letter/digit pairs of ``text``, lower case."""
    found: set[str] = set()
    for run in word_runs(text or ""):
        found.update(run)
        found.update(map(operator.add, run, run[1:]))  # the adjacent pairs
    return found


def gram_text(title: str | None, body: str | None) -> str:
    """What the SQLite index gets for an article: its grams, sorted, separated by spaces.

    Deterministic, as the delete trigger must give back exactly what the insert gave.
    """
    return " ".join(sorted(grams(title) | grams(body)))
