"""A scene's JSON schema as the prompt shows it: TypeScript-like type declarations.

The constrained decoder gets the full JSON schema; the model only has to read it. JSON Schema
spends most of its tokens on its own syntax ("type", "description", "maxLength", quotes), and
the prompt's schema is what every uncached scene call pays to evaluate (about 2,100 tokens per
domain on average, most of a call's time on a CPU). Declarations carry the same fields, types,
enums, ranges, defaults and field docs in about half the tokens, in a form code models read
every day (TypeChat describes JSON answers to models the same way).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["schema_outline"]


def schema_outline(schema: dict[str, Any], root_name: str = "Scene") -> str:
    """``schema`` (a pydantic model's JSON schema) as declarations: the root object first, then
    every type it refers to in the order first met, one field per line with its doc."""
    defs = schema.get("$defs", {})
    order: list[str] = []
    blocks = [_object(root_name, schema, defs, order)]
    i = 0
    while i < len(order):
        name = order[i]
        blocks.append(_object(name, defs[name], defs, order))
        i += 1
    return "\n".join(blocks)


def _object(name: str, schema: dict[str, Any], defs: dict[str, Any], order: list[str]) -> str:
    doc = _doc(schema.get("description", ""))
    lines = [f"type {name} = {{" + (f"  // {doc}" if doc and name != "Scene" else "")]
    required = set(schema.get("required", []))
    for field, spec in schema.get("properties", {}).items():
        mark = "" if field in required else "?"
        text = f"  {field}{mark}: {_type(spec, defs, order)}"
        if spec.get("default") not in (None, [], "", {}, spec.get("const")) and not (
            spec.get("enum") == [spec.get("default")]
        ):
            text += f" = {json.dumps(spec['default'], ensure_ascii=False)}"
        doc = _doc(spec.get("description", ""))
        lines.append(text + (f"  // {doc}" if doc else ""))
    lines.append("}")
    return "\n".join(lines)


def _type(spec: dict[str, Any], defs: dict[str, Any], order: list[str]) -> str:
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[1]
        if name in defs and name not in order:
            order.append(name)
        return name
    if "const" in spec:
        return json.dumps(spec["const"], ensure_ascii=False)
    if "enum" in spec:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in spec["enum"])
    for key in ("oneOf", "anyOf"):
        if key in spec:
            kinds = [_type(s, defs, order) for s in spec[key] if s != {"type": "null"}]
            return " | ".join(dict.fromkeys(kinds))
    kind = spec.get("type")
    if isinstance(kind, list):
        return " | ".join(_type({**spec, "type": k}, defs, order) for k in kind if k != "null")
    if kind == "array":
        if "prefixItems" in spec:
            return "[" + ", ".join(_type(s, defs, order) for s in spec["prefixItems"]) + "]"
        item = _type(spec.get("items", {}), defs, order)
        return f"({item})[]" if " " in item else f"{item}[]"
    if kind in ("number", "integer"):
        return kind + _range(spec)
    if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
        return f"{{[key: string]: {_type(spec['additionalProperties'], defs, order)}}}"
    if kind == "boolean":
        return "boolean"
    return kind or "any"


def _range(spec: dict[str, Any]) -> str:
    low = spec.get("minimum", spec.get("exclusiveMinimum"))
    high = spec.get("maximum", spec.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    lo = ">" if "exclusiveMinimum" in spec else ">="
    hi = "<" if "exclusiveMaximum" in spec else "<="
    parts = ([f"{lo} {_num(low)}"] if low is not None else []) + (
        [f"{hi} {_num(high)}"] if high is not None else []
    )
    return " (" + ", ".join(parts) + ")"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _doc(text: str) -> str:
    return " ".join(text.split())
