"""The one vocabulary folder: every table in the one format, read by the one loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.vocab import VocabularyError, load_vocabulary, vocab_dir
from pipelines.vocab.tables import read_table

TABLE_COLUMNS = {
    "amount_qualifiers.tsv": ("word",),
    "byline_name_titles.tsv": ("title",),
    "byline_not_names.tsv": ("word",),
    "cms.tsv": ("family", "kind", "value"),
    "date_widgets.tsv": ("word", "position"),
    "doc_number_brackets.tsv": ("open", "close"),
    "document_headers.tsv": ("word",),
    "foreign_currency.tsv": ("word",),
    "govmeta_expected.tsv": ("key",),
    "govmeta_labels.tsv": ("label", "key"),
    "labels.tsv": ("label", "field", "role"),
    "letter_markers.tsv": ("marker",),
    "not_name_chars.tsv": ("char",),
    "not_org_chars.tsv": ("char",),
    "org_suffixes.tsv": ("suffix",),
    "outlet_suffixes.tsv": ("suffix",),
    "outlets.tsv": ("name", "aliases", "hosts", "kind"),
    "page_boilerplate.tsv": ("kind", "word"),
    "page_containers.tsv": ("kind", "word"),
    "page_furniture.tsv": ("kind", "pattern"),
    "person_titles.tsv": ("title",),
    "place_stopwords.tsv": ("word",),
    "place_suffixes.tsv": ("suffix", "level"),
    "places.tsv": ("name", "level", "official"),
    "reporter_qualifiers.tsv": ("word",),
    "salutation_suffixes.tsv": ("suffix",),
    "spun.tsv": ("spun", "original", "weight", "keep_in"),
    "surnames.tsv": ("surname",),
    "swaps.tsv": ("swapped", "correct", "keep_in"),
    "text_breadcrumb_generic.tsv": ("crumb",),
    "text_breadcrumbs.tsv": ("part", "pattern"),
    "text_contacts.tsv": ("strength", "pattern"),
    "text_lines.tsv": ("rule", "kind", "pattern"),
    "text_markers.tsv": ("phrase", "kind"),
    "title_document_header.tsv": ("part", "pattern"),
    "title_spam.tsv": ("pattern",),
    "title_suffixes.tsv": ("kind", "value"),
}


def test_every_vocabulary_file_is_known() -> None:
    assert sorted(path.name for path in vocab_dir().iterdir() if path.suffix not in (".py", ".pyc", "")) == sorted(
        TABLE_COLUMNS
    )


@pytest.mark.parametrize(("name", "columns"), sorted(TABLE_COLUMNS.items()))
def test_every_entry_names_where_it_was_seen(name: str, columns: tuple[str, ...]) -> None:
    rows = read_table(vocab_dir() / name)
    assert rows, f"{name} is empty"
    assert all(tuple(row) == (*columns, "seen") and row["seen"].strip() for row in rows)


def test_entry_without_seen_note_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("# a comment\nword\tseen\n局\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"bad\.tsv:3"):
        read_table(path)


def test_table_without_seen_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("word\tnote\n局\tseed 002\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"bad\.tsv:1"):
        read_table(path)


def test_cells_are_verbatim() -> None:
    assert " - " in load_vocabulary().text.suffix_separators


def test_load_vocabulary_orders_alternatives_longest_first() -> None:
    vocab = load_vocabulary()
    assert vocab.mentions.person_titles.index("副局长") < vocab.mentions.person_titles.index("局长")
    assert vocab.fields.labels["来源"] == "source_name"
    assert vocab.mentions.places["衢州"] == "city"
    assert vocab.mentions.place_official_names["衢州"] == vocab.mentions.place_official_names["衢州市"] == "衢州市"
    assert vocab.mentions.place_official_names["广西"] == "广西壮族自治区"


@pytest.mark.parametrize("field", ["source_name", "author", "published", "editor", "doc_number", "not_published"])
def test_byline_labels_cover_field(field: str) -> None:
    assert field in load_vocabulary().fields.labels.values()


def test_every_author_label_has_a_role() -> None:
    fields = load_vocabulary().fields
    assert set(fields.roles) == set(fields.author_labels)
    assert all(fields.roles.values())
