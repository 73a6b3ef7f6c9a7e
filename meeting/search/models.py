"""The search index's table: one row per searchable thing, written only by database triggers.

`search_document` is filled and kept true by triggers on `decision`, `entry`,
`event_proposal`, `agenda_item` and `meeting` (migration `9b2c3d4e5f6a`), whatever path
changes a row: the ORM, a Core compare-and-set `UPDATE … WHERE revision = …`, a delete. The
application never writes it. Each engine adds its own index beside it, which only the
migration knows: on SQLite the FTS5 table `search_fts` (and its shadow tables), on PostgreSQL
the `search_tsv` column and its GIN index `search_tsv_idx`. `include_object` keeps those out
of the models-against-migrations comparison.
"""

from datetime import date

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# What a row is: a decision, the minutes of a Friday (ref_id = meeting id), a point of an
# agenda (ref_id = agenda item id), or an entry of a document (ref_id = entry id) that is a
# need, an event proposal or a point à discuter. Never a billet d'humeur.
KINDS = ("decision", "minutes", "proposal", "point", "topic", "need")
ENTRY_KINDS = ("need", "proposal", "topic")


class SearchDocument(db.Model):
    """One searchable thing: its kind, its row, its Friday, the text searched."""

    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", name="uq_search_document_kind_ref"),
        Index("ix_search_document_meeting_id", "meeting_id"),
        Index("ix_search_document_year_kind", "year", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    meeting_id: Mapped[int | None]
    day: Mapped[date | None]
    year: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="", server_default="")


def is_engine_index(name, type_):
    """Whether a reflected object is one of the engines' own search index objects."""
    if not name:
        return False
    if type_ == "table":
        return name == "search_fts" or name.startswith("search_fts_")
    return type_ in ("column", "index") and name.startswith("search_tsv")


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic filter: leave out the engine-specific search objects that exist only in the
    database (the FTS5 tables, the tsvector column and its index); compare everything else."""
    return not (reflected and compare_to is None and is_engine_index(name, type_))
