from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.enrich.vocabulary import VocabularyError, load_vocabulary, read_table, vocab_dir

TABLE_COLUMNS = {
    "amount_qualifiers.tsv": 1,
    "author_roles.tsv": 2,
    "byline_fillers.tsv": 1,
    "byline_labels.tsv": 2,
    "doc_number_brackets.tsv": 2,
    "document_headers.tsv": 1,
    "foreign_currency.tsv": 1,
    "letter_markers.tsv": 1,
    "not_name_chars.tsv": 1,
    "not_org_chars.tsv": 1,
    "org_suffixes.tsv": 1,
    "person_titles.tsv": 1,
    "place_stopwords.tsv": 1,
    "place_suffixes.tsv": 2,
    "places.tsv": 3,
    "salutation_suffixes.tsv": 1,
}


def test_every_vocabulary_file_is_known() -> None:
    assert sorted(path.name for path in vocab_dir().glob("*.tsv")) == sorted(TABLE_COLUMNS)


@pytest.mark.parametrize(("name", "columns"), sorted(TABLE_COLUMNS.items()))
def test_every_entry_names_where_it_was_seen(name: str, columns: int) -> None:
    rows = read_table(vocab_dir() / name, columns)
    assert rows, f"{name} is empty"


def test_entry_without_seen_note_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("# word\tseen\n局\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"bad\.tsv:2"):
        read_table(path, 1)


def test_load_vocabulary_orders_alternatives_longest_first() -> None:
    vocab = load_vocabulary()
    assert vocab.person_titles.index("副局长") < vocab.person_titles.index("局长")
    assert vocab.labels["来源"] == "source_name"
    assert vocab.places["衢州"] == "city"
    assert vocab.place_official_names["衢州"] == vocab.place_official_names["衢州市"] == "衢州市"
    assert vocab.place_official_names["广西"] == "广西壮族自治区"


@pytest.mark.parametrize("field", ["source_name", "author", "published", "editor", "doc_number"])
def test_byline_labels_cover_field(field: str) -> None:
    assert field in load_vocabulary().labels.values()
