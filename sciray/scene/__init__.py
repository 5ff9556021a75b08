"""Typed scene descriptions drawn by deterministic domain renderers (scene-first ImgCoder).

``SceneSpec`` subclasses, one per domain, are registered in ``DOMAINS`` when their module is
imported (``DOMAIN_MODULES``); ``parse_scene`` validates a model's JSON against the union,
``draw_scene`` draws one on a fresh Matplotlib figure (inside the render sandbox: ``draw_json``),
``prompt_schema`` is the compact JSON schema a prompt or a constrained decoder uses.
"""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any

from sciray.scene.base import DOMAINS, SceneSpec, register

__all__ = [
    "DOMAINS",
    "DOMAIN_MODULES",
    "SceneError",
    "SceneSpec",
    "domains",
    "draw_json",
    "draw_scene",
    "parse_scene",
    "prompt_schema",
    "register",
    "route",
]

DOMAIN_MODULES = (
    "mechanics",
    "geometry",
    "circuit",
    "molecule",
    "graph",
    "plot",
    "probability",
    "optics",
    "wave",
    "solid",
    "analytic",
    "genetics",
    "thermo",
    "electron",
    "apparatus",
    "fields",
    "crystal",
    "astronomy",
)
"""Modules under ``sciray.scene`` that define domains (imported on first use)."""

FIGSIZE = (6.4, 4.8)
DPI = 100


def domains() -> dict[str, type[SceneSpec]]:
    """Every registered domain, its modules imported."""
    for name in DOMAIN_MODULES:
        try:
            importlib.import_module(f"sciray.scene.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sciray.scene.{name}":
                raise
    return dict(DOMAINS)


def parse_scene(data: str | dict[str, Any]) -> SceneSpec:
    """The scene ``data`` describes (JSON text or a dict), validated against its domain's model;
    raises ``ValueError`` (pydantic's ValidationError included) with what is wrong."""
    raw = json.loads(data) if isinstance(data, str) else data
    if not isinstance(raw, dict):
        raise ValueError("a scene is a JSON object with a 'domain' field")
    known = domains()
    domain = raw.get("domain")
    if domain not in known:
        from sciray.errors import did_you_mean

        raise ValueError(
            f"unknown scene domain {domain!r}{did_you_mean(str(domain), known)}; "
            f"known: {', '.join(sorted(known))}"
        )
    from pydantic import ValidationError

    try:
        return known[domain].model_validate(raw)
    except ValidationError as exc:
        details = [(tuple(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()]
        raise SceneError(_compact_errors(exc), details) from None


class SceneError(ValueError):
    """A scene that does not validate, in one line (what a repair prompt shows the model);
    ``details`` lists each error's (location, message) as pydantic gave them."""

    def __init__(self, message: str, details: list[tuple[tuple, str]] | None = None):
        super().__init__(message)
        self.details = details or []


def _compact_errors(exc, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "scene"
        parts.append(f"{where}: {err.get('msg')}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def prompt_schema(domain: str) -> dict[str, Any]:
    """The JSON schema of ``domain``'s scene (field docstrings as descriptions), as a
    constrained decoder follows it and the prompt outlines it (``sciray.scene.outline``):
    ``domain`` and every list of the scene are required (an empty list is fine). A grammar lets
    a model close the object after any optional field, and a small one does so at once
    (``{"domain": "plot", "x_label": "x"}``); having to write each list makes it consider each
    kind of content."""
    return json.loads(_prompt_schema_json(domain))  # a fresh copy: callers may edit theirs


@functools.cache
def _prompt_schema_json(domain: str) -> str:
    # built once per domain: every scene request of a run asks for it
    schema = domains()[domain].model_json_schema()
    lists = [k for k, v in schema.get("properties", {}).items() if v.get("type") == "array"]
    required = ["domain", *schema.get("required", []), *lists]
    schema["required"] = list(dict.fromkeys(required))
    return json.dumps(schema)


def route(image_type: str | None) -> str | None:
    """The domain whose ``image_types`` words occur in ``image_type`` (None: no domain fits)."""
    text = (image_type or "").lower()
    for name, cls in domains().items():
        if any(word in text for word in cls.image_types):
            return name
    return None


def draw_scene(scene: SceneSpec):
    """A new Matplotlib figure with ``scene`` drawn on it."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=FIGSIZE, dpi=DPI)
    scene.draw(fig)
    return fig


def draw_json(text: str):
    """``draw_scene(parse_scene(text))``: what the render sandbox runs for a scene."""
    return draw_scene(parse_scene(text))
