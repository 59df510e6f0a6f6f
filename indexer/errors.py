"""Errors the library raises for conditions a user can fix; callers show the message."""


class VnsearchError(Exception):
    """Base class: the message is meant for the user, never a traceback."""


class IndexMissingError(VnsearchError):
    """No usable index: run `vnsearch reindex`."""


class IndexOutdatedError(IndexMissingError):
    """Built by another schema version: run `vnsearch reindex --full`."""


class ReindexLockedError(VnsearchError):
    """Another reindex holds the lock."""


class CorpusMissingError(VnsearchError):
    """The corpus folder does not exist."""


class IndexDamagedError(IndexMissingError):
    """A posting block failed to decode while searching: run `vnsearch reindex --full`."""
