"""Attachments in the archive: the `attachments` column of articles and copy_records (migration 12),
the record's list of its attachment links (crawler/parsing/attachments.py) as JSON text."""
from __future__ import annotations

from .search import migrate_v13 as _search_v13


def migrate_v12(db) -> None:
    """articles.attachments and copy_records.attachments ('[]': none), as migration 11 added pages."""
    db.execute("ALTER TABLE articles ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE copy_records ADD COLUMN attachments TEXT DEFAULT '[]'")


def migrate_v13(db) -> None:
    """articles.attachment_text and copy_records.attachment_text ('[]': none): the text read from
    each fetched attachment (crawler/attachments.py); archive.search indexes it (migration 13)."""
    db.execute("ALTER TABLE articles ADD COLUMN attachment_text TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE copy_records ADD COLUMN attachment_text TEXT DEFAULT '[]'")
    _search_v13(db)
