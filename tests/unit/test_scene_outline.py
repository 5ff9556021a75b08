"""The prompt's schema outline: every field of every type a domain's scene uses, marked required
or optional, with its enum, range, default and doc, in well under the JSON schema's length."""

from __future__ import annotations

import json
import re

import pytest

from sciray.coder.scene_prompts import scene_schema, system_message
from sciray.scene import domains
from sciray.scene.outline import schema_outline


@pytest.mark.parametrize("domain", sorted(domains()))
def test_every_field_of_every_type_is_declared(domain: str) -> None:
    schema = scene_schema(domain)
    outline = schema_outline(schema)
    blocks = dict(re.findall(r"type (\w+) = \{[^\n]*\n(.*?)\n\}", outline, re.S))
    assert set(blocks) == {"Scene", *schema.get("$defs", {})}
    for name, block in blocks.items():
        spec = schema if name == "Scene" else schema["$defs"][name]
        fields = [line.split(":")[0].strip() for line in block.splitlines()]
        required = set(spec.get("required", []))
        assert fields == [f if f in required else f + "?" for f in spec["properties"]]
    assert len(outline) < 0.6 * len(json.dumps(schema))


def test_types_enums_ranges_defaults_and_docs_are_written() -> None:
    schema = {
        "properties": {
            "kind": {"enum": ["a", "b"], "type": "string", "description": "Which\n kind."},
            "n": {"type": "integer", "minimum": 0, "exclusiveMaximum": 5, "default": 2},
            "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
            "pair": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "string"}]},
            "either": {"anyOf": [{"$ref": "#/$defs/Item"}, {"type": "null"}]},
        },
        "required": ["kind", "items"],
        "$defs": {
            "Item": {"properties": {"x": {"type": "number"}}, "required": ["x"]},
        },
    }
    assert schema_outline(schema).splitlines() == [
        "type Scene = {",
        '  kind: "a" | "b"  // Which kind.',
        "  n?: integer (>= 0, < 5) = 2",
        "  items: Item[]",
        "  pair?: [number, string]",
        "  either?: Item",
        "}",
        "type Item = {",
        "  x: number",
        "}",
    ]


def test_the_system_message_carries_the_outline_not_the_json_schema() -> None:
    content = system_message("mechanics")["content"]
    assert "type Scene = {" in content and "type Body = {" in content
    assert '"$defs"' not in content and '"properties"' not in content
