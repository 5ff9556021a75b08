"""A scene without the values it should not show: a number the problem never states (made up or
derived by the model) or the problem's answer.

The scene is data, so this is a mechanical fix, not a model call: a note that shows such a value
is dropped, any other text is cut back to what comes before the value ("a = 4.077e-8 cm" -> "a",
"Red (1/2)" -> "Red"), an optional number field holding it is left out, and the result is
validated again as a scene.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sciray.checks.latex import to_plain
from sciray.checks.numbers import Num, find_numbers
from sciray.scene.base import SceneSpec

# What is left dangling before a cut value: "m =", "Red (", "a:", "x ≈ ~".
_DANGLING = re.compile(r"[\s=:≈~(\[{,;+\-−×*/·]+$")
# A free-text list whose items are whole sentences: an item showing a bad value goes entirely.
_SENTENCE_LISTS = frozenset({"notes", "readings"})
# Fields that are drawn text. Others (names other fields refer to, formulas, SMILES) are left
# alone: cutting them would change what is drawn, not only what is written.
_TEXT_KEYS = frozenset(
    {"text", "caption", "note", "value", "cells", "rows", "header", "amount", "total"}
    | {"conditions", "conditions_below", "outcome", "result", "length", "diameter", "current"}
)


def _is_text(key: str | None) -> bool:
    return key is not None and (key in _TEXT_KEYS or key.endswith(("label", "labels", "title")))


def _open_bracket(text: str) -> int | None:
    """Where the first bracket still open at the end of ``text`` opens, or None."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            stack.pop()
    return stack[0] if stack else None


def _cut(text: str, bad: Callable[[Num], bool]) -> str | None:
    """``text`` cut back to before its first bad number ("" when nothing named is left), or
    None when it shows no bad number."""
    plain = to_plain(text)
    first = next((n for n in find_numbers(plain) if bad(n)), None)
    if first is None:
        return None
    kept = plain[: first.start]
    opened = _open_bracket(kept)
    if opened is not None:  # "m = 2 kg (g = 9.8)": the whole aside goes
        kept = kept[:opened]
    kept = _DANGLING.sub("", kept).strip()
    return kept if re.search(r"[^\W\d_]", kept) else ""


def _bad_number(value: float, bad: Callable[[Num], bool]) -> bool:
    return any(bad(n) for n in find_numbers(f"{value:.10g}"))


def _walk(
    node: Any, bad: Callable[[Num], bool], dropped: list[tuple] | None, path: tuple = ()
) -> tuple[Any, bool]:
    """``node`` (a scene's JSON data) with its bad values cut, and whether anything changed.
    With ``dropped`` (a list), a number field showing a bad value is left out too, its path
    added to the list."""
    key = next((p for p in reversed(path) if isinstance(p, str)), None)
    if isinstance(node, str):
        cut = _cut(node, bad) if _is_text(key) else None
        return (node, False) if cut is None else (cut, True)
    if isinstance(node, dict):
        out, changed = {}, False
        for k, v in node.items():
            if dropped is not None and isinstance(v, float) and _bad_number(v, bad):
                dropped.append((*path, k))
                changed = True
                continue
            cut, hit = _walk(v, bad, dropped, (*path, k))
            changed |= hit
            if not (hit and cut == ""):  # a label cut to nothing is no label (its default)
                out[k] = cut
        return out, changed
    if isinstance(node, list):
        if key in _SENTENCE_LISTS and all(isinstance(v, str) for v in node):
            kept = [v for v in node if _cut(v, bad) is None]
            return kept, len(kept) != len(node)
        items = [_walk(v, bad, dropped, (*path, i)) for i, v in enumerate(node)]
        return [v for v, _ in items], any(hit for _, hit in items)
    return node, False


def _has(data: Any, path: tuple) -> bool:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def without_values(spec: SceneSpec, bad: Callable[[Num], bool]) -> SceneSpec | None:
    """``spec`` with every text that shows a ``bad`` number cut back to before it (a note that
    shows one dropped) and every optional number field holding one left out ("water" drawn
    without a refractive index the problem never gave); where leaving a number out makes the
    scene invalid or puts a default in its place (the figure's shape needs it), only the texts
    are cut. None when nothing changes or the cut scene is no longer valid."""
    from sciray.scene import parse_scene

    data = spec.model_dump(mode="json", exclude_none=True)
    for dropped in ([], None):
        cut, changed = _walk(data, bad, dropped)
        if not changed:
            continue
        try:
            fixed = parse_scene(cut)
        except ValueError:
            continue
        again = fixed.model_dump(mode="json", exclude_none=True)
        if not any(_has(again, p) for p in dropped or ()):
            return fixed
    return None
