"""Errors of the archive layer; the CLI turns them into one line and a non-zero exit."""


class ArchiveError(Exception):
    """A database that is missing, corrupt, locked or not ours."""
