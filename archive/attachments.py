"""Attachments in the archive: the `attachments` column of articles and copy_records (migration 12),
the record's list of its attachment links (crawler/parsing/attachments.py) as JSON text."""
from __future__ import annotations


def migrate_v12(db) -> None:
    """articles.attachments and copy_records.attachments ('[]': none), as migration 11 added pages."""
    db.execute("ALTER TABLE articles ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE copy_records ADD COLUMN attachments TEXT DEFAULT '[]'")
