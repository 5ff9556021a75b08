"""File names for problem ids: ``sciray imgcoder`` writes ``<stem>.png``, ``sciray eval`` finds it.

Problem ids come from input files, so they may hold '/', ':', spaces or be very long. A safe id is
its own stem (existing outputs keep their names); any other id is sanitised and gets a short hash
of the whole id, so distinct ids never share a file ('a/b', 'a:b' and 'a_b' are three files). A
safe id that ends like a hashed stem is hashed too, so it cannot take another id's file.
"""

from __future__ import annotations

import hashlib
import re

_SAFE = frozenset("-_.")
_MAX_CHARS = 150
_MAX_BYTES = 240  # a file name is at most 255 bytes; room for the longest suffix ('.json')
_HASHED = re.compile(r"_[0-9a-f]{12}\Z")  # what a hashed stem ends with: never a plain stem


def _safe(ch: str) -> bool:
    return ch.isalnum() or ch in _SAFE


def file_stem(problem_id: str) -> str:
    """The file name (without suffix) of a problem's outputs; injective over ids."""
    pid = str(problem_id)
    if (
        pid
        and len(pid) <= _MAX_CHARS
        and not pid.startswith(".")
        and all(_safe(ch) for ch in pid)
        and len(pid.encode("utf-8")) <= _MAX_BYTES
        and not _HASHED.search(pid)
    ):
        return pid
    base = "".join(ch if _safe(ch) else "_" for ch in pid)[:_MAX_CHARS].lstrip(".")
    # Cut by bytes too (letters outside ASCII take up to 4), never inside a character.
    base = base.encode("utf-8")[: _MAX_BYTES - 16].decode("utf-8", errors="ignore") or "problem"
    digest = hashlib.sha256(pid.encode("utf-8", errors="surrogatepass")).hexdigest()[:12]
    return f"{base}_{digest}"
