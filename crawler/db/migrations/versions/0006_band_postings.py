"""minhash_bands: index (key, signature_id) so a document reads only the newest postings of each key

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

The near-duplicate candidate lookup read every posting of each of a document's band keys; in a
cluster of thousands of copies of one template every key is shared by every earlier copy, so
each new copy read 32 postings per stored copy. With ``(key, signature_id)`` the lookup reads the
newest ``NEAR_DUPLICATE_MAX_POSTINGS`` of each key from the index, backwards. The index replaces
``ix_minhash_bands_key``, whose column it leads with.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_minhash_bands_key_signature_id"), "minhash_bands", ["key", "signature_id"])
    op.drop_index(op.f("ix_minhash_bands_key"), table_name="minhash_bands")


def downgrade() -> None:
    op.create_index(op.f("ix_minhash_bands_key"), "minhash_bands", ["key"])
    op.drop_index(op.f("ix_minhash_bands_key_signature_id"), table_name="minhash_bands")
