"""What reading a corpus reports: files and records left out, and warnings.

A *skipped* file or record is not indexed (``--strict`` fails on those); a
*warning* says the record or file was indexed but changed on the way in (a
date ignored, NUL bytes removed...), so it is no reason to fail.
"""

from __future__ import annotations

from dataclasses import dataclass

SKIPPED = "skipped"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """A file or record that was skipped (or indexed with a warning), with a reason a user
    can act on."""

    path: str
    reason: str
    kind: str = SKIPPED

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    @property
    def skipped(self) -> bool:
        return self.kind != WARNING

    def to_list(self) -> list[str]:
        """As stored in the manifest (re-reported for files that are not read again)."""
        return [self.path, self.reason, self.kind]

    @classmethod
    def from_list(cls, item: list[str]) -> Problem:
        if len(item) > 2:
            return cls(item[0], item[1], item[2])
        # manifests written before warnings had a kind: those said "indexed" or "ignored"
        warned = item[1].endswith(("indexed", "ignored"))
        return cls(item[0], item[1], WARNING if warned else SKIPPED)


def warning(path: str, reason: str) -> Problem:
    return Problem(path, reason, WARNING)
