"""How deep JSON nests, found without recursion, before ``json`` (which recurses) parses it.

A row nested 100,000 levels deep makes ``json.loads`` raise RecursionError; a cap checked first
turns that row into a quarantine record. Brackets inside strings do not count.
"""

from __future__ import annotations

import re

# A JSON string (escapes included) or one bracket; strings are skipped as a whole. A string that
# never closes runs to the end, so no quote is tried twice (linear time on hostile rows).
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def may_exceed(text: str, max_depth: int) -> bool:
    """False when ``text`` surely nests at most ``max_depth`` deep (fewer opening brackets)."""
    return text.count("[") + text.count("{") > max_depth


def extent(text: str, pos: int = 0) -> tuple[int, int]:
    """(end, deepest) of the first bracketed JSON value at or after ``pos``: the offset after its
    closing bracket (``len(text)`` when it never closes) and the deepest nesting inside it."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text, pos):
        ch = match.group()[0]
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
            if depth <= 0:
                return match.end(), deepest
    return len(text), deepest


def too_deep(text: str, max_depth: int) -> int | None:
    """The nesting depth of the JSON value in ``text`` when it is over ``max_depth``, else None."""
    if not may_exceed(text, max_depth):
        return None
    _, deepest = extent(text)
    return deepest if deepest > max_depth else None
