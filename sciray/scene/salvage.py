"""A scene that does not validate, made valid by leaving out the items its errors point at.

Small models fill a schema's lists with a few items that cannot be drawn beside many that can:
a dimension between the axis names 'x' and 'y', a label for a point no step constructs, a
distance to an element the scene lacks. Seen on seeds 25-28: asked to repair, a 1.5B coder
mostly writes the same item again (three answers in a row with ``dims[0]: unknown name 'x'``).
``salvage`` leaves such items out instead: the field of an item an error names, where it has
one (``solids[0].on: no earlier solid is named 'origin'`` leaves out that ``on``, which then
means what its default means; a field the item needs fails again and the item goes), else the
item (``dims[0]``; the innermost on pydantic's path, ``panels.0.waves.1``), or
the items of the named list that mention the name an error quotes (``points: point y is not
defined``). It never invents content: a scene left with no list item, or one that needs more
than ``MAX_STEPS`` rounds, is not salvaged; what it fills in (``SceneSpec.completed_by``) is
the problem's own data, such as the matrix it writes out.
"""

from __future__ import annotations

import copy
import re
from typing import Any, NamedTuple

from sciray.scene import SceneError, SceneSpec, parse_scene
from sciray.scene.base import DOMAINS

__all__ = ["MAX_STEPS", "salvage"]

MAX_STEPS = 6
"""Most rounds of leaving items out (each round: the items one error names)."""

_INDEXED = re.compile(r"^(?:Value error, )?([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?")
_FIELD = re.compile(r"^(?:Value error, )?([a-z_]+)(?:\.[a-z_]+)*: ")
_NAMES = re.compile(r"'([^']{1,40})'|\b(?:point|node|body|element|named) ([A-Za-z]\w{0,9})\b")


def salvage(raw: dict[str, Any], question: str = "") -> tuple[SceneSpec, list[str]] | None:
    """(the valid scene, what was left out, e.g. ['dims[0]', "points naming 'y'"]) for the
    invalid scene ``raw``, or None when no error names an item or too little would be left.
    First, a part the scene needs and left empty is taken from what ``question`` states where
    its domain knows how (``SceneSpec.completed_by``: an empty plot of a problem that writes
    out a matrix is that matrix's table); that is noted as 'filled <part>'."""
    data = copy.deepcopy(raw)
    dropped: list[str] = []
    domain = DOMAINS.get(data.get("domain")) if isinstance(data.get("domain"), str) else None
    filled = domain.completed_by(data, question) if domain is not None and question else None
    if filled is not None:
        data, part = filled
        dropped.append(f"filled {part}")
    for _ in range(MAX_STEPS + 1):
        try:
            spec = parse_scene(data)
        except SceneError as exc:
            target = next((t for t in map(_target(data), exc.details) if t is not None), None)
            if target is None or len(dropped) == MAX_STEPS:
                return None
            items, first = target.items, min(target.indices)
            if target.key is not None and target.key in _keys(items[first]):
                items[first] = {k: v for k, v in items[first].items() if k != target.key}
                dropped.append(f"{target.what}.{target.key}")
                continue
            items[:] = [x for i, x in enumerate(items) if i not in target.indices]
            dropped.append(target.what)
            continue
        except (ValueError, RecursionError):
            return None
        if not dropped or not (_item_count(data) or filled is not None):
            return None
        return spec, dropped
    return None


class _Target(NamedTuple):
    items: list
    """The list the items are in (inside the scene being salvaged)."""
    indices: set[int]
    """The items an error names."""
    key: str | None
    """The field of that one item the error names, if any."""
    what: str
    """How the note of what was left out names the items."""


def _target(data: dict[str, Any]):
    """The items of ``data`` one error (location, message) names, or None."""

    def find(detail: tuple[tuple, str]) -> _Target | None:
        loc, msg = detail
        located = _innermost(data, loc)
        if located is not None:
            return located
        indexed = _INDEXED.match(msg)
        if indexed and _is_item(data, indexed[1], int(indexed[2])):
            field, i = indexed[1], int(indexed[2])
            return _Target(data[field], {i}, indexed[3], f"{field}[{i}]")
        named = _FIELD.match(msg) or (_FIELD.match(f"{loc[0]}: ") if len(loc) == 1 else None)
        field = named[1] if named else None
        if field is None or not isinstance(data.get(field), list):
            return None
        names = {a or b for a, b in _NAMES.findall(msg)}
        hits = {i for i, item in enumerate(data[field]) if names & set(_strings(item))}
        if "twice" in msg and hits:
            hits.discard(min(hits))  # a name used twice: its first item stays
        if not hits:
            return None
        quoted = ", ".join(map(repr, sorted(names)))
        return _Target(data[field], hits, None, f"{field} naming {quoted}")

    return find


def _innermost(data: dict[str, Any], loc: tuple) -> _Target | None:
    """The innermost list item on pydantic's path ``loc`` (a wave in a panel, not the panel),
    with the field after it."""
    node: Any = data
    found = None
    for k, step in enumerate(loc):
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            after = loc[k + 1] if k + 1 < len(loc) and isinstance(loc[k + 1], str) else None
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[: k + 1])
            found = _Target(node, {step}, after, where.lstrip("."))
            node = node[step]
        elif isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        else:
            break
    return found


def _keys(item: Any) -> set[str]:
    return set(item) if isinstance(item, dict) else set()


def _is_item(data: dict[str, Any], field: Any, index: Any) -> bool:
    items = data.get(field) if isinstance(field, str) else None
    return isinstance(items, list) and isinstance(index, int) and 0 <= index < len(items)


def _strings(value: Any):
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _item_count(data: dict[str, Any]) -> int:
    return sum(len(v) for v in data.values() if isinstance(v, list))
