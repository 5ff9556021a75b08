"""YAML with limits, for config files and ``--set`` / ``SCIRAY_*`` values.

A config is a few KiB of nested mappings, so anything far beyond that is refused as it is read,
before it costs memory or time: a "billion laughs" file (aliases of aliases: tiny on disk,
billions of nodes once expanded), deep nesting (the composer recurses), a 100,000-digit integer
(Python refuses to convert it, or takes quadratic time).
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 256 * 1024
"""Largest config file read."""
MAX_DEPTH = 32
"""Deepest nesting of values (the schema needs 5: file, section, key, mapping, value)."""
MAX_ALIASES = 100
"""Most aliases (``*name``) in one document."""
MAX_NODES = 20_000
"""Most nodes once every alias is expanded (the full default config has about 300)."""
MAX_NUMBER_CHARS = 100
"""Longest integer or float literal."""


class YAMLLimitError(yaml.MarkedYAMLError):
    """The document is over one of the limits (a YAMLError, so callers handle it like bad YAML)."""


class LimitedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses documents over the limits above while composing them."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YAMLLimitError(
                    None,
                    None,
                    f"more than {MAX_ALIASES} aliases (*name); write the values out",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YAMLLimitError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep; a config needs a few",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        _check_number(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        _check_number(node)
        return super().construct_yaml_float(node)


LimitedLoader.add_constructor("tag:yaml.org,2002:int", LimitedLoader.construct_yaml_int)
LimitedLoader.add_constructor("tag:yaml.org,2002:float", LimitedLoader.construct_yaml_float)


def _check_number(node: yaml.ScalarNode) -> None:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise YAMLLimitError(
            None,
            None,
            f"a number of {len(node.value)} characters; numbers in a config "
            f"have at most {MAX_NUMBER_CHARS}",
            node.start_mark,
        )


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a graph that expands past MAX_NODES or loops (``&a [*a]``); each node is sized once."""
    sizes: dict[int, int | None] = {}

    def size(node: yaml.Node) -> int:  # recursion bounded by MAX_DEPTH
        key = id(node)
        if key in sizes:
            known = sizes[key]
            if known is None:
                raise YAMLLimitError(
                    None, None, "an alias refers to a node that contains it", node.start_mark
                )
            return known
        sizes[key] = None
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise YAMLLimitError(
                    None,
                    None,
                    f"more than {MAX_NODES} values once aliases are expanded; "
                    "write the values out instead of nesting aliases",
                    node.start_mark,
                )
        sizes[key] = total
        return total

    size(root)


def compose(text: str) -> yaml.Node | None:
    """The document's node graph, checked against every limit; raises ``yaml.YAMLError``."""
    loader = LimitedLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        _check_expansion(node)
    return node


def construct(node: yaml.Node | None) -> Any:
    """The Python value of a node from ``compose`` (shared objects for aliases, as PyYAML does)."""
    if node is None:
        return None
    loader = LimitedLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the limits; raises ``yaml.YAMLError``."""
    return construct(compose(text))
