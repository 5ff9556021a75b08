"""Error types that map to the CLI's exit codes.

``UserError`` means the user can fix it (bad usage, config or input): exit 2, one line, no
traceback. ``InternalError`` is a broken invariant of ours: its message starts ``[Internal]``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SciRayError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UserError(SciRayError):
    """Bad usage, config or input. The message must say what was wrong and how to fix it."""

    exit_code = 2


class InternalError(SciRayError):
    """An invariant of SciRay itself failed; not the user's fault."""

    def __init__(self, message: str):
        super().__init__(f"[Internal] {message}")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
