"""Errors of the archive layer; the CLI turns them into one line and a non-zero exit."""


class ArchiveError(Exception):
    """A database that is missing, corrupt, locked or not ours."""


class DamagedData(ArchiveError):
    """A stored value that cannot be what parknews wrote (bytes that are not UTF-8, JSON that does
    not parse): the database file is damaged. The CLI names the database before the message."""
