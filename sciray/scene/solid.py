"""Solid geometry: cubes, boxes, prisms, pyramids, tetrahedra (regular or cut from the first
octant), troughs, cylinders, cones, frustums, spheres and hemispheres (hollow ones too), with
labelled vertices, given dimensions, liquid filled to a stated depth, points on edges, extra
segments (diagonals, heights), shaded cross-sections, optional x, y, z axes and points at stated
coordinates on them.

The model states the solids, their sizes as the problem gives them and the names; the renderer
builds 3-D coordinates (stated numbers set the proportions, symbols get sensible defaults),
projects them with one fixed orthographic view from the front-right and above (horizontal circles
become upright ellipses), dashes every line a ray towards the viewer finds behind or inside a
solid, and places each label outward from the figure where it overlaps nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import (
    MIN_FONT,
    Placer,
    densify,
    inch_axes,
    safe_text,
    text_size,
    wrap_to_width,
)
from sciray.scene.text import none_if_null, positive_or_none

__all__ = ["Dim", "Section", "Segment", "Solid", "SolidPoint", "SolidScene"]

_AZ, _EL = math.radians(28), math.radians(22)
U = np.array([math.cos(_AZ), math.sin(_AZ), 0.0])  # screen right
W = np.array([-math.sin(_EL) * math.sin(_AZ), math.sin(_EL) * math.cos(_AZ), math.cos(_EL)])
V = np.array([math.cos(_EL) * math.sin(_AZ), -math.cos(_EL) * math.cos(_AZ), math.sin(_EL)])
AXES = {"x": np.array([1.0, 0, 0]), "y": np.array([0, 1.0, 0]), "z": np.array([0, 0, 1.0])}
LINE, HIDDEN, LIQUID = "#1f2d3d", "#6b7785", "#3b7bbf"

ALLOWED: dict[str, set[str]] = {
    "cube": {"length", "width", "height", "fill"},
    "box": {"length", "width", "height", "fill"},
    "prism": {"length", "height", "fill"},
    "pyramid": {"length", "width", "height", "slant"},
    "tetrahedron": {"length", "height", "slant"},
    "octant_tetrahedron": {"length", "width", "height"},
    "trough": {"length", "top_width", "bottom_width", "height", "fill"},
    "cylinder": {"radius", "height", "fill"},
    "cone": {"radius", "height", "slant", "fill"},
    "frustum": {"radius", "top_radius", "height", "slant", "fill"},
    "paraboloid": {"radius", "height"},
    "sphere": {"radius", "inner_radius"},
    "hemisphere": {"radius", "inner_radius"},
}
# what the schema offers (the table above is the one list to edit)
Kind = Literal[tuple(ALLOWED)]  # type: ignore[valid-type]
DimName = Literal[tuple(sorted(set().union(*ALLOWED.values())))]  # type: ignore[valid-type]
CURVED = {"cylinder", "cone", "frustum", "paraboloid", "sphere", "hemisphere"}

Name = Annotated[str, Field(max_length=8)]
Label = Annotated[str, Field(max_length=40)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


class Dim(_Part):
    of: DimName
    """Which size: length, width, height, radius, top_radius, inner_radius (hollow sphere),
    top_width, bottom_width (trough), slant (slant height / lateral edge), fill (liquid depth
    from the bottom)."""
    value: Annotated[float, Field(gt=0, le=1e6)] | None = None
    """The number the problem states, e.g. 18; empty when it is a symbol like 'h'. Use one unit
    for all values (6 m and 70 cm: 600 and 70)."""
    label: Label | None = None
    """Text written on that size, e.g. '18 ft', 'h', 'r = 4'; empty for none."""

    _blank_label = field_validator("label", mode="before")(none_if_null)

    # a value that is no positive number ('h', 0, '') means a symbol: no value.
    _symbolic = field_validator("value", mode="before")(positive_or_none)


_SQUARE = r"\s*(?:\^|\*\*)\s*2\s*"
_SPHERE_EQUATION = re.compile(
    rf"x{_SQUARE}\+\s*y{_SQUARE}\+\s*z{_SQUARE}=\s*(\d+(?:\.\d+)?)", re.IGNORECASE
)


class Solid(_Part):
    kind: Kind
    """cube, box (cuboid), prism (regular n-gon base), pyramid (apex over the base centre),
    tetrahedron, octant_tetrahedron (cut from the first octant by a plane: intercepts on the x, y
    and z axes), trough (lying prism, its end faces the viewer), cylinder, cone, frustum,
    paraboloid (solid under z = c - x² - y² down to its base disc; inverted: the bowl z = x² + y²
    up to a plane), sphere, hemisphere."""
    name: Name | None = None
    """Short id another solid's 'on' uses, e.g. 'base'."""
    dims: list[Dim] = Field(default_factory=list, max_length=8)
    """Given sizes, e.g. [{"of": "height", "value": 18, "label": "18 ft"}]. box: length (AB,
    along x), width (BC, along y), height; octant_tetrahedron: the x, y, z intercepts as length,
    width, height."""
    sides: Annotated[int, Field(ge=3, le=12)] = 4
    """Number of base edges of a prism or pyramid (3 = triangular)."""
    vertices: list[Name] = Field(default_factory=list, max_length=24)
    """Names in order: box/cube/prism: base counter-clockwise from front-left, then the top in
    the same order (A B C D A1 B1 C1 D1); pyramid/tetrahedron: base then apex (A B C D P);
    octant_tetrahedron: origin, x, y, z intercepts; trough: front end then back end; cylinder,
    frustum: bottom centre, top centre; cone, paraboloid: base centre, apex; sphere, hemisphere:
    centre."""
    inverted: bool = False
    """Upside down: a cone or pyramid tank with its apex at the bottom, a hemisphere or
    paraboloid bowl."""
    apex_over_vertex: bool = False
    """Pyramid apex straight above the first base vertex (PA perpendicular to the base)."""
    axis: Literal["z", "x", "y"] = "z"
    """Direction of a round solid's axis (z: upright; x: a cylinder lying along x)."""
    on: Name | None = None
    """Name of the solid this one stands on (a hemisphere capping a cylinder); empty: it shares
    the first solid's base (inscribed)."""
    at: list[Annotated[float, Field(ge=-1e4, le=1e4)]] | None = Field(
        None, min_length=3, max_length=3
    )
    """With axes: stated [x, y, z] of the solid's bottom centre (sphere, hemisphere: centre;
    box, cube: corner nearest the origin; inverted cone: apex), e.g. [0, 0, 1]; empty: placed
    automatically."""
    label: Label | None = None
    """Text naming the solid or its surface, e.g. 'E', 'x + 5y + z = 5'; empty for none."""

    _blank_label = field_validator("label", "on", "name", mode="before")(none_if_null)

    @model_validator(mode="before")
    @classmethod
    def _rectangular_prism(cls, data: Any) -> Any:
        # a four-sided prism given a length, a width and a height is the problem's "rectangular
        # prism", a box (seen, seed 23: refused as a regular prism with a width)
        if isinstance(data, dict) and data.get("kind") == "prism" and data.get("sides", 4) == 4:
            dims = data.get("dims") if isinstance(data.get("dims"), list) else []
            if any(isinstance(d, dict) and d.get("of") == "width" for d in dims):
                return {**data, "kind": "box"}
        return data

    @model_validator(mode="before")
    @classmethod
    def _sphere_by_equation(cls, data: Any) -> Any:
        # a solid labelled with a sphere's equation is that sphere (seed 30: a cylinder of
        # radius 2 labelled "x^2 + y^2 + z^2 = 4"); its radius is the equation's
        if not isinstance(data, dict) or data.get("kind") in ("sphere", "hemisphere"):
            return data
        m = _SPHERE_EQUATION.fullmatch(str(data.get("label") or "").strip())
        if m is None or float(m[1]) <= 0:
            return data
        radius = {"of": "radius", "value": math.sqrt(float(m[1]))}
        return {**data, "kind": "sphere", "dims": [radius], "inverted": False}

    @field_validator("vertices", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        return [("" if none_if_null(x) is None else x) for x in v] if isinstance(v, list) else v

    def dim(self, of: str) -> Dim | None:
        return next((d for d in self.dims if d.of == of), None)

    def n_vertices(self) -> int:
        k = self.kind
        if k in ("cube", "box"):
            return 8
        if k == "prism":
            return 2 * self.sides
        if k == "pyramid":
            return self.sides + 1
        if k in ("tetrahedron", "octant_tetrahedron"):
            return 4
        if k == "trough":
            return 8 if self._bottom_width() > 0 else 6
        return 1 if k in ("sphere", "hemisphere") else 2

    def _bottom_width(self) -> float:
        d = self.dim("bottom_width")
        return 0.0 if d is None else (d.value if d.value is not None else 1.0)

    @model_validator(mode="after")
    def _check(self) -> Solid:
        seen = set()
        for d in self.dims:
            if d.of not in ALLOWED[self.kind]:
                ok = ", ".join(sorted(ALLOWED[self.kind]))
                raise ValueError(f"dims: {d.of!r} does not apply to a {self.kind} (use {ok})")
            if d.of in seen:
                raise ValueError(f"dims: {d.of!r} is given twice")
            seen.add(d.of)
        if len(self.vertices) > self.n_vertices():
            raise ValueError(
                f"vertices: a {self.kind} has {self.n_vertices()} named points, "
                f"got {len(self.vertices)}"
            )
        fill, height = self.dim("fill"), self.dim("height")
        if fill and self.axis != "z":
            raise ValueError("dims: 'fill' needs an upright solid (axis z)")
        if fill and fill.value and height and height.value and fill.value > height.value:
            raise ValueError("dims: 'fill' is deeper than the height")
        inner, radius = self.dim("inner_radius"), self.dim("radius")
        if inner and inner.value and radius and radius.value and inner.value >= radius.value:
            raise ValueError("dims: 'inner_radius' must be smaller than 'radius'")
        return self


class SolidPoint(_Part):
    name: Name = Field(min_length=1)
    """Name of the new point, e.g. 'M'."""
    on: list[Name] = Field(default_factory=list, max_length=8)
    """Two names: a point on that edge, e.g. ['A', 'B']; more: their centre, e.g. the centre O
    of face ['A', 'B', 'C', 'D']; empty when 'at' is given."""
    ratio: Annotated[float, Field(ge=0, le=1)] = 0.5
    """On an edge [P, Q]: PM / PQ (0.5 = midpoint, 0.25 for AM:MB = 1:3)."""
    at: list[Annotated[float, Field(ge=-1e4, le=1e4)]] | None = Field(
        None, min_length=3, max_length=3
    )
    """Stated coordinates [x, y, z] of a point on the axes, e.g. [3, 0, 2]; empty with 'on'."""
    label: Label | None = None
    """Text written instead of the name, e.g. 'A(3, 7, 2)'; empty: the name."""

    _blank_label = field_validator("label", mode="before")(none_if_null)

    @model_validator(mode="after")
    def _where(self) -> SolidPoint:
        if (self.at is None) == (len(self.on) < 2):
            raise ValueError("give 'on' (two or more names) or 'at' ([x, y, z]), not both")
        return self

    def text(self) -> str:
        return self.label or self.name


class Segment(_Part):
    a: Name = Field(min_length=1)
    """Name of one end, e.g. 'A'."""
    b: Name = Field(min_length=1)
    """Name of the other end, e.g. 'C1'."""
    label: Label | None = None
    """Length or name written beside it, e.g. '5 cm'; empty for none."""
    style: Literal["auto", "solid", "dashed"] = "auto"
    """auto: dashed where a solid hides it."""

    _blank_label = field_validator("label", mode="before")(none_if_null)


class Section(_Part):
    points: list[Name] = Field(min_length=3, max_length=8)
    """Named corners of the shaded cross-section in order, e.g. ['A', 'C', 'D1']."""
    label: Label | None = None
    """Text for the section, e.g. 'α'; empty for none."""

    _blank_label = field_validator("label", mode="before")(none_if_null)


@register
class SolidScene(SceneSpec):
    """Solids in 3-D drawn with hidden edges dashed."""

    domain: Literal["solid"] = "solid"
    image_types: ClassVar[tuple[str, ...]] = ("math - solid geometric",)

    solids: list[Solid] = Field(default_factory=list, max_length=3)
    """The solids; the first sets the place (with axes: a box's corner or a round solid's centre
    at the origin)."""
    points: list[SolidPoint] = Field(default_factory=list, max_length=8)
    """Extra named points on edges or at face centres, e.g. {"name": "M", "on": ["B", "C"]}."""
    segments: list[Segment] = Field(default_factory=list, max_length=12)
    """Extra lines between named points: diagonals, heights, e.g. {"a": "A", "b": "C1"}."""
    sections: list[Section] = Field(default_factory=list, max_length=3)
    """Shaded cross-sections through named points."""
    axes: bool = False
    """Draw x, y, z axes from the origin (calculus problems: regions, octants)."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Short stated texts written under the figure, e.g. 'ρ = 62.5 lb/ft³', 'V = 784'."""

    @model_validator(mode="after")
    def _consistent(self) -> SolidScene:
        known: set[str] = set()
        names = set()
        for i, s in enumerate(self.solids):
            for v in s.vertices:
                if v and v in known:
                    raise ValueError(f"solids[{i}].vertices: name {v!r} is used twice")
                known.add(v) if v else None
            if s.name:
                if s.name in names:
                    raise ValueError(f"solids[{i}].name: {s.name!r} is used twice")
                names.add(s.name)
        for i, s in enumerate(self.solids):
            if s.on and s.on not in {t.name for t in self.solids[:i]}:
                raise ValueError(f"solids[{i}].on: no earlier solid is named {s.on!r}")
        if not self.solids and not any(p.at for p in self.points):
            raise ValueError("solids: a solid scene needs a solid or a point with 'at'")
        for i, p in enumerate(self.points):
            for n in p.on:
                if n not in known:
                    raise ValueError(f"points[{i}].on: unknown name {n!r}")
            if p.name in known:
                raise ValueError(f"points[{i}].name: {p.name!r} is used twice")
            known.add(p.name)
        for i, g in enumerate(self.segments):
            for end in ("a", "b"):
                if getattr(g, end) not in known:
                    raise ValueError(f"segments[{i}].{end}: unknown name {getattr(g, end)!r}")
            if g.a == g.b:
                raise ValueError(f"segments[{i}]: both ends are {g.a!r}")
        for i, c in enumerate(self.sections):
            for n in c.points:
                if n not in known:
                    raise ValueError(f"sections[{i}].points: unknown name {n!r}")
        return self

    def aligned_to(self, question: str) -> SolidScene:
        """Cylinders whose equations the problem states ("x^2 + y^2 = r1^2, x^2 + z^2 = r2^2")
        take the axes those equations give, in order, where the scene has one cylinder per
        equation (seed 29: three cylinders written all upright, one inside another)."""
        axes = _cylinder_axes(question)
        cylinders = [i for i, s in enumerate(self.solids) if s.kind == "cylinder"]
        if len(set(axes)) < 2 or len(cylinders) != len(axes):
            return self
        solids = list(self.solids)
        for i, axis in zip(cylinders, axes, strict=True):
            solids[i] = solids[i].model_copy(update={"axis": axis})
        return self.model_copy(update={"solids": solids})

    def labels(self) -> list[str]:
        out = [self.title] if self.title else []
        for s in self.solids:
            out += [v for v in s.vertices if v]
            out += [d.label for d in s.dims if d.label]
            out += [s.label] if s.label else []
        out += [p.text() for p in self.points]
        out += [g.label for g in self.segments if g.label]
        out += [c.label for c in self.sections if c.label]
        out += ["x", "y", "z"] if self.axes else []
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


# ---------------------------------------------------------------------------------------------
# 3-D bodies (world: x right, y away from the viewer, z up)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Body:
    solid: Solid
    lines: list[np.ndarray]  # 3-D polylines: edges, rims, silhouettes
    contains: Callable[[np.ndarray], np.ndarray]  # strictly inside (vectorised)
    named: list[np.ndarray]  # points in the kind's vertex order
    base: np.ndarray  # bottom centre
    top: np.ndarray  # top centre: what a solid 'on' this one stands on
    anchors: dict[str, tuple] = field(default_factory=dict)  # dim -> where its label goes
    liquid: tuple | None = None  # (3-D points of the liquid body, surface polyline)


def _circle(c, p, q, r, n=120) -> np.ndarray:
    t = np.linspace(0, 2 * math.pi, n + 1)[:, None]
    return c + r * (np.cos(t) * p + np.sin(t) * q)


def _basis(e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.cross(e, [0.0, 0.0, 1.0]) if abs(e[2]) < 0.9 else np.array([1.0, 0, 0])
    p = p / np.linalg.norm(p)
    return p, np.cross(e, p)


def _right_dir(e: np.ndarray) -> np.ndarray:
    """The unit direction across axis ``e`` that points most to the screen's lower right (off
    the x, y, z axes)."""
    g = U - 0.5 * W
    d = g - (g @ e) * e
    return d / np.linalg.norm(d) if np.linalg.norm(d) > 1e-6 else _basis(e)[0]


def _polyhedron(verts: np.ndarray, faces: list[list[int]]) -> tuple[list, Callable]:
    centre = verts.mean(axis=0)
    normals, offsets, edges = [], [], set()
    for f in faces:
        pts = verts[f]
        n = np.cross(pts[1] - pts[0], pts[2] - pts[0])
        n /= np.linalg.norm(n)
        if n @ (pts.mean(axis=0) - centre) < 0:
            n = -n
        normals.append(n)
        offsets.append(n @ pts[0])
        for a, b in zip(f, f[1:] + f[:1]):
            edges.add((min(a, b), max(a, b)))
    nm, off = np.array(normals), np.array(offsets)
    eps = 1e-6 * (1 + np.abs(verts).max())

    def contains(x: np.ndarray) -> np.ndarray:
        return np.all(x @ nm.T - off < -eps * 50, axis=1)

    return [verts[[a, b]] for a, b in sorted(edges)], contains


def _prism(base: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    n = len(base)
    verts = np.vstack([base, base + up])
    faces = [list(range(n)), list(range(n, 2 * n))]
    faces += [[i, (i + 1) % n, n + (i + 1) % n, n + i] for i in range(n)]
    return verts, faces


def _ngon(n: int, side: float) -> np.ndarray:
    """Regular n-gon, counter-clockwise from the front-left vertex (first edge in front),
    turned a little where that keeps two vertices from being drawn one above the other (the
    back vertex of a triangle over the front-right one)."""
    r = side / (2 * math.sin(math.pi / n))

    def ring(turn: float) -> np.ndarray:
        a = -math.pi / 2 - math.pi / n + 2 * math.pi * np.arange(n) / n + turn
        return np.stack([r * np.cos(a), r * np.sin(a), np.zeros(n)], axis=1)

    def spread(turn: float) -> float:
        u = np.sort(ring(turn) @ U)
        return float(np.min(np.diff(u))) if n > 1 else 0.0

    turns = [math.radians(d) for d in (0, -8, 8, -16, 16, -24, 24)]
    best = max(spread(t) for t in turns)
    return ring(next(t for t in turns if spread(t) >= 0.8 * best))


def _sizes(s: Solid, ref: float) -> dict[str, float]:
    """Every size of ``s``: stated numbers, defaults (times ``ref``) for symbols; sizes with the
    same label are equal; none smaller than a quarter of the largest (drawable)."""
    defaults = {
        "cube": {"length": 1.0},
        "box": {"length": 1.5, "width": 1.0, "height": 1.0},
        "prism": {"length": 1.0, "height": 1.5},
        "pyramid": {"length": 1.4, "width": 1.4, "height": 1.4},
        "tetrahedron": {"length": 1.5, "height": 1.5 * math.sqrt(2 / 3)},
        "octant_tetrahedron": {"length": 1.0, "width": 1.0, "height": 1.0},
        "trough": {"top_width": 1.6, "bottom_width": 0.0, "height": 0.9, "length": 2.4},
        "cylinder": {"radius": 1.0, "height": 2.0},
        "cone": {"radius": 1.0, "height": 2.0},
        "frustum": {"radius": 1.0, "top_radius": 0.6, "height": 1.5},
        "paraboloid": {"radius": 1.0, "height": 1.5},
        "sphere": {"radius": 1.0},
        "hemisphere": {"radius": 1.0},
    }[s.kind]
    given = {d.of: d.value for d in s.dims if d.value is not None}
    if s.kind == "cube" and given:
        given = {"length": next(iter(given.values()))}
    if s.kind == "trough" and s.dim("bottom_width") and "bottom_width" not in given:
        given["bottom_width"] = 0.4 * given.get("top_width", 1.6 * ref)
    by_label = {d.label: given[d.of] for d in s.dims if d.label and d.of in given}
    out = {}
    for key, v in defaults.items():
        d = s.dim(key)
        if key in given:
            out[key] = given[key]
        elif d is not None and d.label in by_label:
            out[key] = by_label[d.label]
        else:
            out[key] = v * (ref if given == {} else np.mean(list(given.values())))
    if s.kind in ("cone", "frustum") and "height" not in given and "slant" in given:
        r = out["radius"] - out.get("top_radius", 0.0)
        if given["slant"] > abs(r):
            out["height"] = math.sqrt(given["slant"] ** 2 - r**2)
    if s.kind == "box":  # equal labels ("x" by "x") mean equal sides
        labels = {k: (s.dim(k).label if s.dim(k) else None) for k in ("length", "width")}
        if labels["length"] and labels["length"] == labels["width"] and "width" not in given:
            out["width"] = out["length"]
    if s.kind == "trough":  # the end keeps its shape; the length stays drawable
        end = max(out["top_width"], out["height"])
        out["length"] = min(max(out["length"], 0.8 * end), 2.5 * end)
    big = max(out.values())
    for key in out:
        if s.kind != "trough" and (key != "bottom_width" or out[key] > 0):
            out[key] = max(out[key], 0.25 * big)
    for key in ("inner_radius",):
        if s.dim(key):
            out[key] = min(s.dim(key).value or 0.55 * out["radius"], 0.9 * out["radius"])
            out[key] = max(out[key], 0.3 * out["radius"])
    if s.dim("fill"):
        full = out["height"] if "height" in out else out["length"]  # a cube: its edge
        out["fill"] = min(s.dim("fill").value or 0.6 * full, full)
    return out


def _build(s: Solid, base: np.ndarray, ref: float, axes: bool) -> _Body:
    z = np.array([0.0, 0, 1.0])
    m = _sizes(s, ref)
    k = s.kind
    if k in ("cube", "box", "prism", "trough", "pyramid", "tetrahedron", "octant_tetrahedron"):
        return _build_polyhedron(s, m, base, axes)
    e = AXES[s.axis]
    if k == "sphere":
        return _build_sphere(s, m, base, e, hemi=False)
    if k == "hemisphere":
        return _build_sphere(s, m, base, -e if s.inverted else e, hemi=True)
    h, r = m["height"], m["radius"]
    r1, r2 = r, m.get("top_radius", r)
    if k == "cone":
        r1, r2 = (0.0, r) if s.inverted else (r, 0.0)
    if k == "paraboloid":  # a dome over its base, or a bowl (inverted) with its rim on top
        if s.inverted:
            radius = lambda t: r * np.sqrt(np.clip(np.asarray(t) / h, 0, 1))  # noqa: E731
        else:
            radius = lambda t: r * np.sqrt(np.clip(1 - np.asarray(t) / h, 0, 1))  # noqa: E731
    else:
        radius = lambda t: r1 + (r2 - r1) * np.asarray(t) / h  # noqa: E731
    body = _build_round(s, base, e, h, radius)
    if "fill" in m:
        f = m["fill"]
        p, q = _basis(z)
        surface = _circle(base + f * z, p, q, float(radius(f)))
        bottom = _circle(base, p, q, r1) if r1 > 0 else base[None, :]
        body.liquid = (np.vstack([bottom, surface]), surface)
    return body


def _build_polyhedron(s: Solid, m: dict, base: np.ndarray, axes: bool) -> _Body:
    k, z = s.kind, np.array([0.0, 0, 1.0])
    anchors: dict[str, tuple] = {}
    if k in ("cube", "box"):
        a = m["length"]
        b = m["width"] if k == "box" else a
        h = m["height"] if k == "box" else a
        rect = np.array(
            [[-a / 2, -b / 2, 0], [a / 2, -b / 2, 0], [a / 2, b / 2, 0], [-a / 2, b / 2, 0]]
        )
        verts, faces = _prism(rect + base, h * z)
        anchors = {
            "length": ("edge", 0, 1, [0, 1, 5, 4]),
            "width": ("edge", 1, 2, [1, 2, 6, 5]),
            "height": ("edge", 1, 5, [1, 2, 6, 5]),
        }
    elif k == "prism":
        verts, faces = _prism(_ngon(s.sides, m["length"]) + base, m["height"] * z)
        n = s.sides
        anchors = {
            "length": ("edge", 0, 1, [0, 1, n + 1, n]),
            "height": ("edge", 1, n + 1, [1, 2, n + 2]),
        }
    elif k == "trough":
        tw, bw, h, L = m["top_width"], m.get("bottom_width", 0.0), m["height"], m["length"]
        end = [[-bw / 2, 0, 0], [bw / 2, 0, 0]] if bw > 0 else [[0, 0, 0]]
        end = np.array(end + [[tw / 2, 0, h], [-tw / 2, 0, h]]) + base - [0, L / 2, 0]
        verts, faces = _prism(end, np.array([0, L, 0.0]))
        n = len(end)
        anchors = {
            "top_width": ("edge", n - 1, n - 2, list(range(n))),
            "bottom_width": ("edge", 0, 1, list(range(n))),
            "height": ("seg", end[:-2].mean(axis=0), end[-2:].mean(axis=0)),
            "length": ("edge", n - 2, 2 * n - 2, [n - 3, n - 2, 2 * n - 2, 2 * n - 3]),
        }
    else:  # pyramids and tetrahedra
        if k == "octant_tetrahedron":
            o = base if axes else base - [m["length"] / 3, m["width"] / 3, 0]
            verts = o + np.diag([m["length"], m["width"], m["height"]])
            verts = np.vstack([o, verts])
            faces = [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]
            anchors = {"length": ("vertex", 1), "width": ("vertex", 2), "height": ("vertex", 3)}
        else:
            n = 3 if k == "tetrahedron" else s.sides
            if n == 4 and k == "pyramid":
                a, b = m["length"], m["width"]
                ring = np.array(
                    [[-a / 2, -b / 2, 0], [a / 2, -b / 2, 0], [a / 2, b / 2, 0], [-a / 2, b / 2, 0]]
                )
            else:
                ring = _ngon(n, m["length"])
            h = m["height"]
            apex = ring[0].copy() if s.apex_over_vertex else np.zeros(3)
            apex[2] = h
            if s.inverted:
                ring[:, 2], apex[2] = h, 0.0
            verts = np.vstack([ring, apex]) + base
            faces = [list(range(n))] + [[i, (i + 1) % n, n] for i in range(n)]
            centre = verts[:n].mean(axis=0)  # the foot of the height
            if s.apex_over_vertex:
                centre = np.array([*verts[n][:2], verts[0][2]])
            anchors = {
                "length": ("edge", 0, 1, list(range(n))),
                "width": ("edge", 1, 2, list(range(n))),
                "height": ("seg", centre, verts[n]),
                "slant": ("seg", (verts[0] + verts[1]) / 2, verts[n]),
            }
    lines, contains = _polyhedron(verts, faces)
    anchors = {key: _resolve(v, verts) for key, v in anchors.items()}
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    bottom = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    body = _Body(s, lines, contains, list(verts), bottom, bottom + [0, 0, hi[2] - lo[2]], anchors)
    if "fill" in m:
        body.liquid = _clip_liquid(verts, lines, lo[2] + m["fill"])
    return body


def _resolve(anchor: tuple, verts: np.ndarray) -> tuple:
    kind = anchor[0]
    if kind == "edge":  # the label goes away from the face listed last
        return ("edge", verts[anchor[1]], verts[anchor[2]], verts[anchor[3]].mean(axis=0))
    if kind == "vertex":
        return ("vertex", verts[anchor[1]])
    return anchor


def _clip_liquid(verts: np.ndarray, edges: list, level: float) -> tuple:
    below = [v for v in verts if v[2] <= level + 1e-9]
    cuts = []
    for a, b in edges:
        if (a[2] - level) * (b[2] - level) < 0:
            cuts.append(a + (b - a) * (level - a[2]) / (b[2] - a[2]))
        elif abs(a[2] - level) < 1e-9:
            cuts.append(a)
    pts = np.array(cuts + below)
    ring = np.array(cuts) if cuts else pts
    c = ring.mean(axis=0)
    order = np.argsort(np.arctan2(ring[:, 1] - c[1], ring[:, 0] - c[0]))
    surface = ring[order]
    return pts, np.vstack([surface, surface[:1]])


def _build_round(s: Solid, c: np.ndarray, e: np.ndarray, h: float, radius: Callable) -> _Body:
    """A solid of revolution about ``e`` from ``c``: ``radius(t)`` across the axis at height
    ``t`` (0..h). Its outline: the two rims and, at each height, the two points where the
    surface turns away from the viewer."""
    p, q = _basis(e)
    r1, r2 = float(radius(0.0)), float(radius(h))
    lines = [_circle(c + t * e, p, q, r) for t, r in ((0, r1), (h, r2)) if r > 1e-9]
    ts = np.linspace(0, h, 81)
    rs = radius(ts)
    slope = np.gradient(rs, ts)
    # the normal rho(t) - slope*e is across V where rho.V = slope * (e.V)
    a, b = p @ V, q @ V
    big = math.hypot(a, b)
    k = slope * (e @ V) / max(big, 1e-12)
    ok = np.abs(k) < 1
    ok[1:] |= ok[:-1].copy()  # one sample past each end: where the two branches meet
    ok[:-1] |= ok[1:].copy()
    gens = []
    phi = math.atan2(b, a)
    for sign in (1, -1):
        ang = phi + sign * np.arccos(np.clip(k, -1, 1))
        rho = np.cos(ang)[:, None] * p + np.sin(ang)[:, None] * q
        pts = c + ts[:, None] * e + rs[:, None] * rho
        gens += _runs(pts, ok)
    lines += gens
    right = _right_dir(e)
    top_c = c + h * e
    slant = max(gens, key=lambda g: g.mean(axis=0) @ U) if gens else None
    if slant is None:
        slant = np.array([c + r1 * right, top_c + r2 * right])
    anchors: dict[str, tuple] = {"slant": ("edge", slant[0], slant[-1])}
    anchors["height"] = ("seg", c, top_c)
    wide = top_c if r2 > r1 else c  # the radius is drawn on the wider rim
    anchors["radius"] = ("seg", wide, wide + max(r1, r2) * right)
    if s.kind == "cylinder":
        anchors["radius"] = ("seg", top_c, top_c + r2 * right)
        anchors["height"] = ("edge", slant[0], slant[-1])
    elif s.kind == "frustum":
        anchors["radius"] = ("seg", c, c + r1 * right)
        anchors["top_radius"] = ("seg", top_c, top_c + r2 * right)
    eps = 1e-4 * (h + r1 + r2)

    def contains(x: np.ndarray) -> np.ndarray:
        t = (x - c) @ e
        rad = np.linalg.norm(x - c - t[:, None] * e, axis=1)
        inside = (t > eps) & (t < h - eps)
        return inside & (rad < radius(np.clip(t, 0, h)) - eps)

    named = [c, top_c]
    if s.kind in ("cone", "paraboloid") and s.inverted:
        named = [top_c, c]  # base centre (on top), then apex / vertex
    return _Body(s, lines, contains, named, c, top_c, anchors)


def _build_sphere(s: Solid, m: dict, c: np.ndarray, e: np.ndarray, hemi: bool) -> _Body:
    r = m["radius"]
    pe, qe = _basis(e)
    pv, qv = U, W  # the outline: the great circle across the line of sight
    outline = _circle(c, pv, qv, r, 180)
    lines = []
    if hemi:
        lines += _runs(outline, (outline - c) @ e >= -1e-9)
    else:
        lines.append(outline)
    lines.append(_circle(c, pe, qe, r))
    right = _right_dir(e)
    anchors: dict[str, tuple] = {"radius": ("seg", c, c + r * right)}
    if "inner_radius" in m:
        ri = m["inner_radius"]
        inner = _circle(c, pv, qv, ri, 180)
        lines += _runs(inner, (inner - c) @ e >= -1e-9) if hemi else [inner]
        lines.append(_circle(c, pe, qe, ri))
        left = -right if hemi else (-U + W) / np.linalg.norm(-U + W)
        anchors["inner_radius"] = ("seg", c, c + ri * left)
    eps = 1e-4 * r

    def contains(x: np.ndarray) -> np.ndarray:
        inside = np.linalg.norm(x - c, axis=1) < r - eps
        return inside & ((x - c) @ e > eps) if hemi else inside

    z = np.array([0.0, 0, 1.0])
    top = c + r * z if not hemi or e[2] > 0.5 else c
    bottom = c - r * z if not hemi or e[2] < -0.5 else c
    return _Body(s, lines, contains, [c], bottom, top, anchors)


def _runs(pts: np.ndarray, keep: np.ndarray) -> list[np.ndarray]:
    """The stretches of polyline ``pts`` where ``keep`` holds (at least two points each)."""
    out, start = [], None
    for i, k in enumerate(list(keep) + [False]):
        if k and start is None:
            start = i
        elif not k and start is not None:
            if i - start >= 2:
                out.append(pts[start:i])
            start = None
    return out


_CYLINDER_EQUATION = re.compile(
    rf"(?<![\w^])([xyz]){_SQUARE}\+\s*([xyz]){_SQUARE}=(?=\s*([^,;$=]*))"
)


def _cylinder_axes(question: str) -> list[str]:
    """The axis of each cylinder equation a^2 + b^2 = r^2 in ``question`` (the variable it
    lacks), in order, each equation once; not a sphere's x^2 + y^2 + z^2 = r^2 nor a cone's
    x^2 + y^2 = z^2."""
    seen: dict[frozenset, str] = {}
    for m in _CYLINDER_EQUATION.finditer(question):
        pair = frozenset(m.group(1, 2))
        before = question[: m.start()].rstrip()
        rhs = re.split(r"\b(?:and|where|with|for|in)\b", m.group(3))[0]
        if len(pair) < 2 or before.endswith(("+", "-")) or re.search(r"\b[xyz]\b", rhs):
            continue
        seen.setdefault(pair, ({"x", "y", "z"} - pair).pop())
    return list(seen.values())


def _crossing(scene: SolidScene) -> bool:
    """Cylinders only, along two or three axes, none placed: they cross at the origin."""
    solids = scene.solids
    return (
        len(solids) > 1
        and all(s.kind == "cylinder" and s.at is None and not s.on for s in solids)
        and len({s.axis for s in solids}) > 1
    )


def _bodies(scene: SolidScene) -> list[_Body]:
    """The solids in place: at a stated 'at', else the first at the origin (with axes: a box's
    corner there), each later one on the solid it names in 'on', else inscribed: centred in a first sphere, a sphere
    centred in the first solid, anything else on the first solid's base."""
    out: list[_Body] = []
    by_name: dict[str, _Body] = {}
    crossing = _crossing(scene)
    for i, s in enumerate(scene.solids):
        ref, base = 1.0, np.zeros(3)
        if i > 0:
            ref = float(np.ptp(np.vstack(out[0].lines), axis=0).max()) / 2
        if crossing:  # each centred on the origin, along its own axis
            base = -AXES[s.axis] * _sizes(s, 1.0)["height"] / 2
        elif s.at is not None or (i == 0 and scene.axes):
            base = np.array(s.at if s.at is not None else [0.0, 0, 0], dtype=float)
            if s.kind in ("cube", "box"):  # the stated point is its corner
                m = _sizes(s, ref)
                a = m["length"]
                base += [a / 2, (m["width"] if s.kind == "box" else a) / 2, 0.0]
        elif i > 0:
            first = out[0]
            pts = np.vstack(first.lines)
            middle = (pts.min(axis=0) + pts.max(axis=0)) / 2
            if s.on:
                base = by_name[s.on].top.copy()
            elif s.kind == "sphere":
                base = middle
            elif first.solid.kind == "sphere" and s.axis == "z":
                m = _sizes(s, ref)
                tall = m.get("height", m.get("length", 0.0)) if s.kind != "hemisphere" else 0.0
                base = middle - [0, 0, tall / 2]
            else:
                base = first.base.copy()
        body = _build(s, base, ref, scene.axes)
        out.append(body)
        if s.name:
            by_name[s.name] = body
    return out


def _hidden(points: np.ndarray, bodies: list[_Body], size: float) -> np.ndarray:
    """True where a ray from the point towards the viewer passes inside a solid."""
    steps = np.linspace(0.004 * size, 2.5 * size, 90)
    q = (points[:, None, :] + steps[None, :, None] * V).reshape(-1, 3)
    hit = np.zeros(len(q), dtype=bool)
    for b in bodies:
        hit |= b.contains(q)
    return hit.reshape(len(points), len(steps)).any(axis=1)


def _proj(pts: np.ndarray) -> np.ndarray:
    return np.stack([pts @ U, pts @ W], axis=-1)


def _hull(pts: np.ndarray) -> np.ndarray:
    """Convex hull (monotone chain) of 2-D points, counter-clockwise."""
    p = sorted(set(map(tuple, np.round(pts, 9))))
    if len(p) < 3:
        return np.array(p)

    def half(seq):
        out: list = []
        for pt in seq:
            while len(out) >= 2:
                (x1, y1), (x2, y2) = out[-2], out[-1]
                if (x2 - x1) * (pt[1] - y1) - (y2 - y1) * (pt[0] - x1) > 0:
                    break
                out.pop()
            out.append(pt)
        return out

    lower, upper = half(p), half(p[::-1])
    return np.array(lower[:-1] + upper[:-1])


# ---------------------------------------------------------------------------------------------
# Drawing (data units are inches: the axes covers the whole figure)
# ---------------------------------------------------------------------------------------------


class _Drawer:
    FONT = 12.0

    def __init__(self, scene: SolidScene, fig: Any):
        self.s, self.fig = scene, fig

    def draw(self) -> None:
        s, fig = self.s, self.fig
        self.bodies = _bodies(s)
        # an inscribed solid is seen through the first (textbook drawings): the first hides
        # only its own lines
        inscribed = any(not t.on for t in s.solids[1:])
        self.occluders = self.bodies[1:] if inscribed else self.bodies
        self.points = self._named_points()
        allpts = np.vstack(
            [ln for b in self.bodies for ln in b.lines] + [p[None, :] for p in self.points.values()]
        )
        if s.axes:
            allpts = np.vstack([allpts, np.zeros((1, 3))])
        self.size = float(np.ptp(allpts, axis=0).max()) or 1.0
        self.extent = allpts
        self.axis_tips = self._axis_tips(allpts) if s.axes else {}
        ends = [*self.axis_tips.values(), *self.axis_tails.values()] if s.axes else []
        cloud = np.vstack([allpts, *ends])
        fig_w, fig_h = fig.get_size_inches()
        dpi = fig.dpi
        ax = inch_axes(fig, fig_w, fig_h)
        self.ax = ax
        self.placer = Placer(fig)
        top = 0.3
        if s.title:
            text = wrap_to_width(fig, safe_text(s.title), 13, (fig_w - 0.4) * dpi)
            t = fig.text(0.5, 1 - 0.08 / fig_h, text, ha="center", va="top", fontsize=13)
            self.placer.block_text(t)
            top += text_size(fig, text, 13)[1] / dpi + 0.1
        bottom = 0.3
        y = 0.12
        for note in reversed(s.notes):
            text = wrap_to_width(fig, safe_text(note), 11, (fig_w - 0.4) * dpi)
            t = ax.text(fig_w / 2, y, text, ha="center", va="bottom", fontsize=11)
            self.placer.block_text(t)
            y += text_size(fig, text, 11)[1] / dpi + 0.04
            bottom = y + 0.25
        fills = [b.solid.dim("fill") for b in self.bodies if b.liquid is not None]
        fills = [safe_text(d.label) for d in fills if d.label]
        left = 0.45 + max([text_size(fig, t, 11)[0] / dpi + 0.35 for t in fills] or [0])
        right = 0.45
        # uniform scale fitting the projection into the free box
        p2 = _proj(cloud)
        lo, hi = p2.min(axis=0), p2.max(axis=0)
        span = np.maximum(hi - lo, 1e-9)
        bw, bh = max(fig_w - left - right, 0.5), max(fig_h - top - bottom, 0.5)
        self.scale = min(bw / span[0], bh / span[1])
        self.mid = (lo + hi) / 2
        self.at = np.array([left + bw / 2, bottom + bh / 2])
        self._draw_bodies()
        self._draw_axes()
        self._draw_sections()
        self._draw_segments()
        self._draw_labels()

    def xy(self, pts: np.ndarray) -> np.ndarray:
        return (_proj(np.atleast_2d(pts)) - self.mid) * self.scale + self.at

    # --- geometry helpers -----------------------------------------------------------------

    def _named_points(self) -> dict[str, np.ndarray]:
        out = {}
        for b in self.bodies:
            for name, p in zip(b.solid.vertices, b.named):
                if name:
                    out[name] = p
        for p in self.s.points:
            if p.at is not None:
                out[p.name] = np.array(p.at, dtype=float)
            elif len(p.on) == 2:
                a, b = out[p.on[0]], out[p.on[1]]
                out[p.name] = a + (b - a) * p.ratio
            else:
                out[p.name] = np.mean([out[n] for n in p.on], axis=0)
        return out

    def _axis_tips(self, allpts: np.ndarray) -> dict[str, np.ndarray]:
        hi = np.maximum(allpts.max(axis=0), 0)
        lo = np.minimum(allpts.min(axis=0), 0)
        size = self.size
        # a short stub on the negative side; longer where something lies there
        self.axis_tails = {k: e * min(-0.08 * size, lo @ e - 0.15 * size) for k, e in AXES.items()}
        return {k: e * max(hi @ e + 0.3 * size, 0.45 * size) for k, e in AXES.items()}

    def _stroke(
        self, pts: np.ndarray, style: str = "auto", lw: float = 1.6, color=LINE, by=None
    ) -> None:
        """Draw a 3-D polyline, dashed where hidden (style auto)."""
        pts = np.asarray(pts, dtype=float)
        if len(pts) == 2:
            pts = pts[0] + (pts[1] - pts[0]) * np.linspace(0, 1, 40)[:, None]
        if style == "auto":
            hid = _hidden(pts, self.occluders if by is None else by, self.size)
        else:
            hid = np.full(len(pts), style == "dashed")
        xy = self.xy(pts)
        self.placer.avoid(densify(xy * self.fig.dpi))
        start = 0
        for i in range(1, len(pts) + 1):
            if i == len(pts) or hid[i] != hid[start]:
                seg = xy[start : min(i + 1, len(pts))]
                if hid[start]:
                    self.ax.plot(*seg.T, color=HIDDEN, lw=1.1, ls=(0, (4, 3)), zorder=2)
                else:
                    self.ax.plot(*seg.T, color=color, lw=lw, zorder=3, solid_capstyle="round")
                start = i

    # --- solids ---------------------------------------------------------------------------

    def _patch(self, xy: np.ndarray, color: str, alpha: float, zorder: float) -> None:
        from matplotlib.patches import Polygon

        self.ax.add_patch(Polygon(xy, closed=True, fc=color, alpha=alpha, ec="none", zorder=zorder))

    def _draw_bodies(self) -> None:
        for b in self.bodies:
            self._patch(_hull(self.xy(np.vstack(b.lines))), "#eef3f9", 1.0, 0)
        for b in self.bodies:
            if b.liquid is not None:
                body, surface = b.liquid
                self._patch(_hull(self.xy(body)), "#a9cde8", 0.6, 1)
                self.ax.plot(*self.xy(surface).T, color=LIQUID, lw=1.3, zorder=2)
            for line in b.lines:
                self._stroke(line, by=[b] + [o for o in self.occluders if o is not b])
            for key, anchor in b.anchors.items():
                d = b.solid.dim(key)
                if d is not None and anchor[0] == "seg":
                    self._stroke(np.array([anchor[1], anchor[2]]), lw=1.2)
            if b.solid.kind in CURVED:
                for name, p in zip(b.solid.vertices, b.named):
                    if name:
                        self.ax.plot(*self.xy(p)[0], "o", ms=3.5, color=LINE, zorder=4)

    def _draw_axes(self) -> None:
        from matplotlib.patches import FancyArrowPatch

        for k, e in self.axis_tips.items():
            self._stroke(np.array([self.axis_tails[k], e]), lw=1.1, color="#333333")
            a, b = self.xy(np.array([e * 0.94, e]))
            self.ax.add_patch(
                FancyArrowPatch(
                    a, b, arrowstyle="-|>", mutation_scale=12, color="#333333", lw=1.1, zorder=3
                )
            )

    def _draw_sections(self) -> None:
        for c in self.s.sections:
            pts = np.array([self.points[n] for n in c.points])
            self._patch(self.xy(pts), "#f4b183", 0.45, 1)
            for a, b in zip(pts, np.roll(pts, -1, axis=0)):
                self._stroke(np.array([a, b]), lw=1.3)

    def _draw_segments(self) -> None:
        for g in self.s.segments:
            self._stroke(np.array([self.points[g.a], self.points[g.b]]), g.style, lw=1.3)
        for p in self.s.points:
            self.ax.plot(*self.xy(self.points[p.name])[0], "o", ms=3.5, color=LINE, zorder=4)

    # --- labels ---------------------------------------------------------------------------

    def _draw_labels(self) -> None:
        s = self.s
        everything = self.extent
        centre = self.xy((everything.min(axis=0) + everything.max(axis=0)) / 2)[0]
        for b in self.bodies:
            hull = _hull(self.xy(np.vstack(b.lines)))
            c2 = hull.mean(axis=0)
            spread = float(np.ptp(hull, axis=0).max())
            for name, p in zip(b.solid.vertices, b.named):
                if name:
                    at = self.xy(p)[0]
                    out = at - c2
                    if b.solid.kind in CURVED and np.hypot(*out) < 0.3 * spread:
                        out = np.array([-1.0, -0.6])  # a centre: below left of its dot
                    self._label(name, at, out, self.FONT)
        for p in s.points:
            at = self.xy(self.points[p.name])[0]
            self._label(p.text(), at, at - centre, self.FONT)
        for key, e in self.axis_tips.items():
            self._label(key, self.xy(e)[0], self.xy(e)[0] - self.xy(np.zeros(3))[0], self.FONT)
        for b in self.bodies:
            self._dim_labels(b)
        for g in s.segments:
            if g.label:
                a, c = self.xy(np.array([self.points[g.a], self.points[g.b]]))
                self._edge_label(g.label, a, c, centre)
        for c in s.sections:
            if c.label:
                at = self.xy(np.array([self.points[n] for n in c.points])).mean(axis=0)
                self._label(c.label, at, np.array([0.0, 1.0]), 11, gaps=(0.0, 0.1, 0.2))
        for b in self.bodies:
            if b.solid.label:
                # inside the solid, off its lines; beside it when that is crowded
                hull = _hull(self.xy(np.vstack(b.lines)))
                c2 = hull.mean(axis=0)
                inner = [
                    c2 + (p - c2) * t
                    for t in (0.0, 0.3, 0.5)
                    for p in hull[:: max(1, len(hull) // 8)]
                ]
                right = hull[np.argmax(hull[:, 0])]
                self._label(
                    b.solid.label, inner + [right], np.array([1.0, 0.3]), 11, gaps=(0.0, 0.1)
                )

    def _dim_labels(self, b: _Body) -> None:
        c2 = _hull(self.xy(np.vstack(b.lines))).mean(axis=0)
        for d in b.solid.dims:
            if not d.label:
                continue
            if d.of == "fill":
                self._fill_arrow(b, d.label)
                continue
            anchor = b.anchors.get(d.of)
            if anchor is None:
                continue
            if anchor[0] == "vertex":
                at = self.xy(anchor[1])[0]
                self._label(d.label, at, at - c2, 11)
            else:
                a, c = self.xy(np.array([anchor[1], anchor[2]]))
                away = self.xy(anchor[3])[0] if len(anchor) > 3 else c2
                self._edge_label(d.label, a, c, away)

    def _fill_arrow(self, b: _Body, label: str) -> None:
        from matplotlib.patches import FancyArrowPatch

        pts, surface = b.liquid
        low = pts[np.argmin(pts[:, 2])]
        level = surface[:, 2].max()
        x = self.xy(pts)[:, 0].min() - 0.25  # beside the liquid, left of the solid's wall
        y0 = self.xy(low)[0][1]
        y1 = self.xy(np.array([low[0], low[1], level]))[0][1]
        self.ax.add_patch(
            FancyArrowPatch(
                (x, y0),
                (x, y1),
                arrowstyle="<|-|>",
                mutation_scale=10,
                color=LIQUID,
                lw=1.2,
                zorder=3,
            )
        )
        self.placer.avoid(densify(np.array([[x, y0], [x, y1]]) * self.fig.dpi))
        self._label(label, np.array([x, (y0 + y1) / 2]), np.array([-1.0, 0.0]), 11, color=LIQUID)

    def _edge_label(self, text: str, a: np.ndarray, c: np.ndarray, centre: np.ndarray) -> None:
        d = c - a
        n = np.array([-d[1], d[0]]) / (np.hypot(*d) or 1.0)
        mid = (a + c) / 2
        if n @ (mid - centre) < 0:
            n = -n
        anchors = [a + d * t for t in (0.5, 0.38, 0.62, 0.25, 0.75)]
        self._label(text, anchors, n, 11, spread=(0, 30, -30, 180))

    def _label(
        self,
        text: str,
        at: Any,
        out: np.ndarray,
        size: float,
        gaps=(0.05, 0.13, 0.24),
        spread=(0, 35, -35, 70, -70, 110, -110, 180),
        color="#111111",
    ) -> None:
        """Place ``text`` beside ``at`` (a point or candidate points), first in direction
        ``out``, then turned away from it; anywhere free on the canvas as a last resort."""
        fig, dpi = self.fig, self.fig.dpi
        text = safe_text(text)
        anchors = [np.asarray(a, dtype=float) for a in (at if isinstance(at, list) else [at])]
        norm = np.hypot(*out)
        base = math.atan2(out[1], out[0]) if norm > 1e-9 else math.pi / 2
        halo = {"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.75}
        t = self.ax.text(
            0, 0, text, ha="center", va="center", fontsize=size, zorder=6, color=color, bbox=halo
        )
        moves = []
        for fs in dict.fromkeys((size, MIN_FONT)):
            w, h = (v / dpi for v in text_size(fig, text, fs))
            for gap in gaps:
                for turn in spread:
                    ang = base + math.radians(turn)
                    u = np.array([math.cos(ang), math.sin(ang)])
                    off = gap + abs(u[0]) * w / 2 + abs(u[1]) * h / 2
                    moves += [self._move(p + u * off, fs) for p in anchors]
        if self.placer.place(t, moves):
            return
        self.placer.boxes.pop()
        fw, fh = fig.get_size_inches()
        grid = [
            np.array([x, y]) for x in np.arange(0.2, fw, 0.12) for y in np.arange(0.15, fh, 0.1)
        ]
        grid.sort(key=lambda g: float(np.hypot(*(g - anchors[0]))))
        self.placer.place(t, [self._move(g, MIN_FONT) for g in grid])

    @staticmethod
    def _move(xy: np.ndarray, size: float) -> Callable:
        def move(t: Any) -> None:
            t.set_position((float(xy[0]), float(xy[1])))
            t.set_fontsize(size)

        return move
