"""Problem ids claimed across parallel read tasks: the same id in two input files is quarantined
when it is read, before any coder or GPU time is spent on it.

The loader catches duplicates inside one file; read tasks see one file each, so ownership across
files needs one shared ledger (``sciray.cluster.source`` hosts this class in a small actor). The
first task to claim an id owns it: with parallel reads, which of two files wins is first come,
first served, and the other copy's quarantine record names both places.
"""

from __future__ import annotations


class IdClaims:
    """id -> the ``file:line`` that claimed it first."""

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}

    def claim(self, pairs: list[tuple[str, str]]) -> list[str | None]:
        """Claim each ``(id, source)``; per pair, None when it is now owned by that source, else
        the source that owns it already (a duplicate)."""
        out: list[str | None] = []
        for pid, source in pairs:
            owner = self._owner.setdefault(pid, source)
            out.append(None if owner == source else owner)
        return out

    def __len__(self) -> int:
        return len(self._owner)
