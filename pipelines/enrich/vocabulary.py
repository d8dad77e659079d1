"""Vocabulary of the enrichment rules, kept as data in ``vocab/*.tsv``.

Every file is tab-separated with ``#`` comment lines; the last column of every entry names where
the entry was seen, so an odd entry can be traced and removed. The pipeline loads the vocabulary
once in ``from_crawler`` and passes it to the rules; nothing is cached at module level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path


class VocabularyError(ValueError):
    """A vocabulary file is malformed (wrong column count or no ``seen`` note)."""


def read_table(path: Path, columns: int) -> list[tuple[str, ...]]:
    """Entries of one TSV vocabulary file without their ``seen`` column.

    ``columns`` counts the data columns; each line must carry exactly one more (the note).
    """
    rows: list[tuple[str, ...]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if len(cells) != columns + 1 or not all(cells):
            raise VocabularyError(f"{path.name}:{number}: expected {columns} values and a seen note")
        rows.append(tuple(cells[:columns]))
    return rows


def _longest_first(words: list[str]) -> tuple[str, ...]:
    # Alternations try entries in order, so longer entries must come first (副局长 before 局长).
    return tuple(sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    labels: dict[str, str]
    """Label printed before a value in a byline (``来源``) -> the field it fills."""
    not_name_chars: frozenset[str]
    """Function characters that rule a token out as a person's name (了 in 记者了解到)."""
    not_org_chars: frozenset[str]
    """Function characters that rule a line out as an organization name (的 in 我们的局)."""
    author_roles: dict[str, str]
    """Byline role label (``记者``) -> English role name."""
    byline_fillers: frozenset[str]
    """Words inside a byline parenthesis that are neither role nor name (``整合``)."""
    document_headers: tuple[str, ...]
    """Words that end a gov document's masthead line (``文件``)."""
    org_suffixes: tuple[str, ...]
    """Endings of organization names (``研究院``, ``局``), longest first."""
    person_titles: tuple[str, ...]
    """Job titles printed before a person's name (``副局长``), longest first."""
    letter_markers: tuple[str, ...]
    """Words that mark a reply or letter (``答复``)."""
    salutation_suffixes: tuple[str, ...]
    """Endings of a letter's addressee (``委员``), longest first."""
    amount_qualifiers: tuple[str, ...]
    """Words before an amount that make it a bound (``超过``), longest first."""
    foreign_currency: tuple[str, ...]
    """Characters before ``元`` that make it a foreign currency (``美`` in 美元)."""
    places: dict[str, str]
    """Administrative division names to county level, full and short -> level."""
    place_official_names: dict[str, str]
    """The same names -> the division's official name (``嘉兴`` -> ``嘉兴市``)."""
    place_suffixes: dict[str, str]
    """Endings of place names (``县``) -> level, longest first."""
    place_stopwords: frozenset[str]
    """Words jieba tags as places that are not places."""
    place_levels: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Memo of :func:`pipelines.enrich.entities.place_level` (the suffix rules ran for every
    distinct word of every article: 0.8 ms per article on the crawl benchmark's pages)."""


def vocab_dir() -> Path:
    """The package's ``vocab`` folder."""
    return Path(str(resources.files("pipelines.enrich.vocab")))


def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """The vocabulary in ``directory`` (default: :func:`vocab_dir`)."""
    base = directory or vocab_dir()

    def table(name: str, columns: int) -> list[tuple[str, ...]]:
        return read_table(base / name, columns)

    def words(name: str) -> list[str]:
        return [row[0] for row in table(name, 1)]

    def mapping(name: str) -> dict[str, str]:
        return {row[0]: row[1] for row in table(name, 2)}

    place_suffixes = mapping("place_suffixes.tsv")
    places = table("places.tsv", 3)
    return Vocabulary(
        labels=mapping("byline_labels.tsv"),
        not_name_chars=frozenset(words("not_name_chars.tsv")),
        not_org_chars=frozenset(words("not_org_chars.tsv")),
        author_roles=mapping("author_roles.tsv"),
        byline_fillers=frozenset(words("byline_fillers.tsv")),
        document_headers=_longest_first(words("document_headers.tsv")),
        org_suffixes=_longest_first(words("org_suffixes.tsv")),
        person_titles=_longest_first(words("person_titles.tsv")),
        letter_markers=_longest_first(words("letter_markers.tsv")),
        salutation_suffixes=_longest_first(words("salutation_suffixes.tsv")),
        amount_qualifiers=_longest_first(words("amount_qualifiers.tsv")),
        foreign_currency=_longest_first(words("foreign_currency.tsv")),
        places={name: level for name, level, _ in places},
        place_official_names={name: official for name, _, official in places},
        place_suffixes={key: place_suffixes[key] for key in _longest_first(list(place_suffixes))},
        place_stopwords=frozenset(words("place_stopwords.tsv")),
    )
