"""Analytic geometry: curves from their equations on x/y axes (y = f(x), implicit F(x, y) = 0,
parametric, polar, conics from their stated parameters), lines, marked points, regions bounded
by stated inequalities, and 3-D sketches (surfaces, lines, points on oblique x/y/z axes).

The model states the equations and the given values; the renderer samples them (formulas are
read by ``sciray.scene.expr``: an AST whitelist, never ``eval``), picks the view, and places every
label where it overlaps nothing. Nothing derived is drawn: no intersection, area, distance or
tangent the scene does not state. Foci, directrices and asymptotes are drawn only when asked.
3-D is drawn in one fixed oblique projection with plain 2-D Matplotlib.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.expr import MAX_CHARS, check_expr, compile_expr
from sciray.scene.plot import (
    MIN_FONT,
    Placer,
    annotation_moves,
    as_number,
    densify,
    ring_offsets,
    safe_text,
    text_size,
    wrap_to_width,
)
from sciray.scene.text import is_null_text

__all__ = ["AnalyticScene"]

LIM = 1e6
SAMPLES = 700
GRID = 360  # implicit curves and regions: samples per side
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_LS = {"solid": "-", "dashed": "--", "dotted": ":"}


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _blank_labels(cls, data: Any) -> Any:
        # a small model writes "" / "none" for "no label"
        if isinstance(data, dict):
            data = {
                k: (None if k.endswith("label") and is_null_text(v) else v) for k, v in data.items()
            }
        return data


Number = Annotated[float, Field(ge=-LIM, le=LIM)]
Positive = Annotated[float, Field(gt=0, le=LIM)]
Label = Annotated[str, Field(max_length=60)]
Formula = Annotated[str, Field(min_length=1, max_length=MAX_CHARS)]
LineStyle = Literal["solid", "dashed", "dotted"]


# what names a curve's value: "y =", "r =", "y1 =", "f(x) =" (not "xy =", an equation in x and y)
_NAMED = re.compile(r"^\s*(?:[a-zA-Z](?:_\w+|\d*)|[a-zA-Z]\w*\s*\([^)]*\))\s*=(?!=)\s*")


def _equation(text: str) -> tuple[str, str] | None:
    """(left side, right side) of an equation ``text`` that is no definition such as
    "y = x**2" ("xy = 2", "x^2 + y^2 = 9"), else None."""
    if _NAMED.match(text) or any(c in text for c in "<>≤≥!"):
        return None
    lhs, sep, rhs = text.partition("=")
    rhs = rhs.lstrip("=")
    if not sep or "=" in rhs or not lhs.strip() or not rhs.strip():
        return None
    return lhs.strip(), rhs.strip()


def _formula(v: str, variables: tuple[str, ...]) -> str:
    v = v.strip()
    v = _NAMED.sub("", v)  # "y = x**2" -> "x**2"
    v = v.replace("θ", "t").replace("theta", "t")
    return check_expr(v, variables)


# ---------------------------------------------------------------------------------------------
# 2-D parts
# ---------------------------------------------------------------------------------------------


class Curve(_Part):
    kind: Literal["function", "implicit", "parametric", "polar"] = "function"
    """function: y = expr(x); implicit: expr(x, y) = 0; parametric: x = expr(t), y = y_expr(t);
    polar: r = expr(t) with t the angle θ in radians."""
    expr: Formula
    """The formula, Python syntax. function: 'x**2 - 3', implicit: 'x**2/9 + y**2/4 - 1',
    parametric: x(t) '5*cos(t) - cos(5*t)', polar: r(t) '3*(1 + 2*cos(t))'."""
    y_expr: Formula | None = None
    """parametric only: y(t), e.g. '5*sin(t) - sin(5*t)'; empty otherwise."""
    t_from: Number | None = None
    """function: first x drawn; parametric/polar: first t (default 0). Empty: whole view."""
    t_to: Number | None = None
    """function: last x drawn; parametric/polar: last t (default 2*pi = 6.2832)."""
    label: Label | None = None
    """Text by the curve, e.g. 'y = 3√x' or 'C'; empty for none."""
    style: LineStyle = "solid"
    """Line style."""
    arrow: bool = False
    """An arrowhead showing the direction of increasing x or t (a stated orientation)."""

    @model_validator(mode="before")
    @classmethod
    def _implicit(cls, data: Any) -> Any:
        # "xy = 2" as a function would be read as y = 2: it is the implicit curve x*y - 2 = 0
        if isinstance(data, dict) and data.get("kind", "function") in ("function", "implicit"):
            sides = _equation(data["expr"]) if isinstance(data.get("expr"), str) else None
            if sides is not None:
                data = {**data, "kind": "implicit", "expr": f"({sides[0]}) - ({sides[1]})"}
        return data

    @model_validator(mode="after")
    def _check(self) -> Curve:
        var = {"function": ("x",), "implicit": ("x", "y")}.get(self.kind, ("t",))
        try:
            self.expr = _formula(self.expr, var)
            if self.kind == "parametric":
                if self.y_expr is None:
                    raise ValueError("a parametric curve needs y_expr")
                self.y_expr = _formula(self.y_expr, ("t",))
        except ValueError as exc:
            raise ValueError(f"curve expr: {exc}") from None
        if self.t_from is not None and self.t_from == self.t_to:
            raise ValueError("curve t_from and t_to must differ")
        if self.kind == "function" and None not in (self.t_from, self.t_to):
            lo, hi = sorted((self.t_from, self.t_to))
            self.t_from, self.t_to = lo, hi
        return self

    def t_range(self) -> tuple[float, float]:
        lo = 0.0 if self.t_from is None else self.t_from
        hi = 2 * math.pi if self.t_to is None else self.t_to
        return (lo, hi) if lo != hi else (0.0, 2 * math.pi)


class Conic(_Part):
    kind: Literal["circle", "ellipse", "hyperbola", "parabola"]
    """The conic."""
    h: Number = 0.0
    """x of the centre (circle, ellipse, hyperbola) or of the vertex (parabola)."""
    k: Number = 0.0
    """y of the centre or vertex."""
    r: Positive | None = None
    """circle: the stated radius, e.g. 5."""
    a: Positive | None = None
    """ellipse/hyperbola: semi-axis along `axis` (x²/a² term when axis is 'x')."""
    b: Positive | None = None
    """ellipse/hyperbola: the other semi-axis."""
    p: Positive | None = None
    """parabola: distance from vertex to focus (y² = 4px has p)."""
    axis: Literal["x", "y"] = "x"
    """Direction of the a semi-axis (ellipse, hyperbola) or of the parabola's axis."""
    opens: Literal["positive", "negative"] = "positive"
    """parabola: opens toward +axis or -axis (y = x²/4 opens up: axis 'y', positive)."""
    label: Label | None = None
    """Text by the conic, e.g. 'x²/9 + y²/4 = 1'; empty for none."""
    show_foci: bool = False
    """Mark the focus/foci (only when the problem names them)."""
    show_directrix: bool = False
    """parabola: draw the directrix (only when the problem names it)."""
    show_asymptotes: bool = False
    """hyperbola: draw the asymptotes dashed (only when the problem names them)."""
    style: LineStyle = "solid"
    """Line style."""

    @model_validator(mode="after")
    def _check(self) -> Conic:
        need = {"circle": ("r",), "ellipse": ("a", "b"), "hyperbola": ("a", "b")}
        need["parabola"] = ("p",)
        if self.kind == "circle" and self.r is None and self.a is not None:
            self.r = self.a  # a "radius" written as a
        for name in need[self.kind]:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} needs {name}")
        return self

    def foci(self) -> list[tuple[float, float]]:
        if self.kind in ("ellipse", "hyperbola"):
            a, b = self.a or 1.0, self.b or 1.0
            c = math.sqrt(abs(a * a - b * b)) if self.kind == "ellipse" else math.hypot(a, b)
            along = self.axis if self.kind == "hyperbola" or a >= b else "yx"[self.axis == "y"]
            d = (c, 0.0) if along == "x" else (0.0, c)
            return [(self.h + d[0], self.k + d[1]), (self.h - d[0], self.k - d[1])]
        if self.kind == "parabola":
            s = (self.p or 1.0) * (1 if self.opens == "positive" else -1)
            return [(self.h + s, self.k) if self.axis == "x" else (self.h, self.k + s)]
        return []

    def xy(self, reach: float) -> list[np.ndarray]:
        """Sampled branches (each an n x 2 array); ``reach``: how far open ones go."""
        t = np.linspace(0, 2 * np.pi, SAMPLES)
        swap = self.axis == "y"
        if self.kind in ("circle", "ellipse"):
            a = self.r if self.kind == "circle" else self.a
            b = self.r if self.kind == "circle" else self.b
            parts = [(a * np.cos(t), b * np.sin(t))]
        elif self.kind == "hyperbola":
            m = math.acosh(max(reach / self.a, 1.5))
            s = np.linspace(-m, m, SAMPLES // 2)
            parts = [(sg * self.a * np.cosh(s), self.b * np.sinh(s)) for sg in (1, -1)]
        else:
            v = np.linspace(-1, 1, SAMPLES) * max(reach, 4 * self.p)
            u = v**2 / (4 * self.p) * (1 if self.opens == "positive" else -1)
            parts = [(u, v)]
        out = []
        for u, v in parts:
            x, y = (v, u) if swap else (u, v)
            out.append(np.column_stack([x + self.h, y + self.k]))
        return out


class Line(_Part):
    kind: Literal["vertical", "horizontal", "through", "slope"]
    """vertical: x = at; horizontal: y = at; through: the two stated points;
    slope: through the first stated point with the stated slope."""
    at: Number | None = None
    """vertical/horizontal: the stated x or y, e.g. -2 for x = -2."""
    points: list[tuple[Number, Number]] = Field(default_factory=list, max_length=2)
    """through: two points [[x1, y1], [x2, y2]]; slope: one point [[x1, y1]]."""
    slope: Number | None = None
    """slope: the stated slope m."""
    segment: bool = False
    """through: draw only between the two points (a side of a triangle, a chord)."""
    label: Label | None = None
    """Text by the line, e.g. 'y = 6', 'x = -2'; empty for none."""
    style: LineStyle = "solid"
    """Line style (dashed for an axis of rotation or an asymptote)."""
    rotation_axis: bool = False
    """This line is the stated axis of revolution: a curved arrow is drawn around it."""

    @model_validator(mode="after")
    def _check(self) -> Line:
        if self.kind in ("vertical", "horizontal") and self.at is None:
            raise ValueError(f"a {self.kind} line needs at")
        if self.kind == "through":
            if len(self.points) != 2 or self.points[0] == self.points[1]:
                raise ValueError("a 'through' line needs points: two different points")
        if self.kind == "slope" and (len(self.points) < 1 or self.slope is None):
            raise ValueError("a 'slope' line needs points: [[x1, y1]] and slope")
        return self


class Point(_Part):
    x: Number
    """x as stated."""
    y: Number
    """y as stated."""
    label: Label | None = None
    """Text by the point, e.g. 'A(2, 3)', '(0, 4)'; empty for none."""
    hollow: bool = False
    """Open circle instead of a filled dot."""


class Region(_Part):
    inequalities: list[Annotated[str, Field(max_length=MAX_CHARS)]] = Field(
        min_length=1, max_length=6
    )
    """Every condition the region meets, in x and y (r and t = θ allowed too), e.g.
    ['y <= 6', 'y >= 3*sqrt(x)', 'x >= 0']."""
    label: Label | None = None
    """Text inside the region, e.g. 'A' or 'R'; empty for none."""

    @field_validator("inequalities", mode="before")
    @classmethod
    def _level_bounds(cls, v: Any) -> Any:
        # "the region bounded by xy = 2, xy = 7, ...": two levels of one expression bound it
        if not isinstance(v, list) or not all(isinstance(t, str) for t in v):
            return v
        levels: dict[str, list[str]] = {}
        out = []
        for text in v:
            sides = _equation(text)
            if sides is None:
                out.append(text)
            else:
                levels.setdefault(sides[0].replace(" ", ""), []).append(sides[1])
        for expr, values in levels.items():
            numbers = sorted(
                {x for x in map(as_number, values) if x is not None and math.isfinite(x)}
            )
            if len(values) == 2 and len(numbers) == 2:
                out.append(f"{numbers[0]:g} <= {expr} <= {numbers[1]:g}")
            else:
                out += [f"{expr} = {x}" for x in values]  # not a pair of levels: left to fail
        return out

    @field_validator("inequalities")
    @classmethod
    def _check(cls, v: list[str]) -> list[str]:
        return [_inequality(t) for t in v]


_REL = re.compile(r"<=|>=|≤|≥|<|>")


def _bounding_curves(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each equation a region lists among its inequalities ("the region bounded
    by xy = 2, xy = 7, ...", seen on seed 28) also drawn as that curve, labelled as the problem
    writes it: the region shades between them, the curves name its bounds. Skipped where the
    scene already has curves or the equations would overfill its curve list."""
    regions = data.get("regions")
    if not isinstance(regions, list) or data.get("curves"):
        return data
    equations = [
        t
        for r in regions
        if isinstance(r, dict) and isinstance(r.get("inequalities"), list)
        for t in r["inequalities"]
        if isinstance(t, str) and _equation(t) is not None
    ]
    if not 2 <= len(equations) <= 6:  # the curve list holds six
        return data
    curves = [{"kind": "implicit", "expr": t, "label": " ".join(t.split())} for t in equations]
    return {**data, "curves": curves}


def _inequality(text: str) -> str:
    parts = _REL.split(text)
    rels = _REL.findall(text)
    if len(rels) not in (1, 2) or any(not p.strip() for p in parts):
        raise ValueError(
            f"inequality {text!r} needs one or two of < <= > >= (e.g. 'y <= 6', '0 <= x <= 2')"
        )
    for side in parts:
        _formula(side, ("x", "y", "r", "t"))
    return text


def _mask(text: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    parts, rels = _REL.split(text), _REL.findall(text)
    env = (x, y, np.hypot(x, y), np.arctan2(y, x))
    vals = [
        compile_expr(_formula(p, ("x", "y", "r", "t")), ("x", "y", "r", "t"))(*env) for p in parts
    ]
    out = np.ones(x.shape, dtype=bool)
    for (a, b), rel in zip(zip(vals, vals[1:]), rels):
        with np.errstate(invalid="ignore"):
            out &= (a < b + 1e-9) if rel in ("<", "<=", "≤") else (a > b - 1e-9)
    return out & np.isfinite(vals[0]) & np.isfinite(vals[-1])


# ---------------------------------------------------------------------------------------------
# 3-D parts
# ---------------------------------------------------------------------------------------------

Axis = Literal["x", "y", "z"]
Triple = tuple[Number, Number, Number]


class Surface(_Part):
    kind: Literal["sphere", "cylinder", "graph", "plane"]
    """sphere: centre and radius; cylinder: radius around an axis; graph: z = expr(x, y)
    (cones, paraboloids, hemispheres); plane: a*x + b*y + c*z = d."""
    radius: Positive | None = None
    """sphere/cylinder: the stated radius; graph: draw over the disc x²+y² <= radius²."""
    center: Triple = (0.0, 0.0, 0.0)
    """sphere: centre (x, y, z); cylinder: a point on its axis."""
    part: Literal["whole", "z>=0", "z<=0", "y>=0", "y<=0", "x>=0", "x<=0"] = "whole"
    """sphere: which half is stated, e.g. 'z>=0' for the upper hemisphere."""
    axis: Axis = "z"
    """cylinder: the axis it runs along (x² + z² = 9 runs along 'y')."""
    expr: Formula | None = None
    """graph: z as a formula in x and y, e.g. 'sqrt(x**2 + y**2)', '(x**2 + y**2)/3'."""
    coefficients: list[Number] = Field(default_factory=list, max_length=4)
    """plane: [a, b, c, d] of a*x + b*y + c*z = d, e.g. [1, 0, 1, 5] for x + z = 5."""
    label: Label | None = None
    """Text by the surface, e.g. 'x² + y² + z² = 9'; empty for none."""

    @model_validator(mode="after")
    def _check(self) -> Surface:
        if self.kind in ("sphere", "cylinder") and self.radius is None:
            raise ValueError(f"a {self.kind} needs radius")
        if self.kind == "graph":
            if not self.expr:
                raise ValueError("a graph surface needs expr")
            try:
                self.expr = _formula(self.expr, ("x", "y"))
            except ValueError as exc:
                raise ValueError(f"surface expr: {exc}") from None
        if self.kind == "plane":
            if len(self.coefficients) != 4 or not any(self.coefficients[:3]):
                raise ValueError("a plane needs coefficients [a, b, c, d], a, b, c not all 0")
        return self


class Line3(_Part):
    point: Triple
    """A stated point on the line, e.g. (0, 1, -1) for x/1 = (y-1)/3 = (z+1)/2."""
    direction: Triple
    """The stated direction vector, e.g. (1, 3, 2)."""
    label: Label | None = None
    """Text by the line, e.g. 'L₁'; empty for none."""
    style: LineStyle = "solid"
    """Line style."""

    @model_validator(mode="after")
    def _check(self) -> Line3:
        if not any(self.direction):
            raise ValueError("line direction must not be (0, 0, 0)")
        return self


class Point3(_Part):
    x: Number
    """x as stated."""
    y: Number
    """y as stated."""
    z: Number
    """z as stated."""
    label: Label | None = None
    """Text by the point, e.g. '(3, 4, 5)'; empty for none."""


# ---------------------------------------------------------------------------------------------
# Scene
# ---------------------------------------------------------------------------------------------


@register
class AnalyticScene(SceneSpec):
    """Curves, conics, lines, points and regions on x/y axes, or surfaces, lines and points on
    x/y/z axes (3-D), with the stated equations as labels or notes."""

    domain: Literal["analytic"] = "analytic"
    image_types: ClassVar[tuple[str, ...]] = ("math - analytic geometry",)

    x_label: Label = "x"
    """Name of the horizontal (3-D: first) axis."""
    y_label: Label = "y"
    """Name of the vertical (3-D: second) axis."""
    z_label: Label = "z"
    """3-D only: name of the vertical axis."""
    x_min: Number | None = None
    """Left end of the x-range to show; empty: fit the content."""
    x_max: Number | None = None
    """Right end of the x-range to show; empty: fit the content."""
    y_min: Number | None = None
    """Bottom of the y-range to show; empty: fit the content."""
    y_max: Number | None = None
    """Top of the y-range to show; empty: fit the content."""
    equal_scale: bool | None = None
    """Same unit length on both axes (circles look round); empty: yes when conics, polar,
    parametric or implicit curves are drawn."""
    curves: list[Curve] = Field(default_factory=list, max_length=6)
    """2-D curves from their equations."""
    conics: list[Conic] = Field(default_factory=list, max_length=4)
    """Circles, ellipses, hyperbolas, parabolas from their stated centre/vertex and sizes."""
    lines: list[Line] = Field(default_factory=list, max_length=8)
    """Straight lines: x = a, y = b, through two points, or point and slope."""
    points: list[Point] = Field(default_factory=list, max_length=12)
    """Marked points with their stated coordinates."""
    regions: list[Region] = Field(default_factory=list, max_length=3)
    """Shaded regions, each the set where all its inequalities hold."""
    surfaces: list[Surface] = Field(default_factory=list, max_length=4)
    """3-D: spheres, cylinders, graphs z = f(x, y), planes."""
    lines3d: list[Line3] = Field(default_factory=list, max_length=4)
    """3-D: lines through a point along a direction."""
    points3d: list[Point3] = Field(default_factory=list, max_length=8)
    """3-D: marked points."""
    notes: list[Annotated[str, Field(max_length=90)]] = Field(default_factory=list, max_length=5)
    """Stated equations or data not drawn as a shape, e.g. 'f(x, y) = x² - xy + y² + 1'."""

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("notes"), list):
                data["notes"] = [t for t in data["notes"] if not is_null_text(t)]
            for key in ("title", "x_label", "y_label", "z_label"):
                if is_null_text(data.get(key)):
                    data[key] = None if key == "title" else ""
            data = _bounding_curves(data)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> AnalyticScene:
        flat = self.curves or self.conics or self.lines or self.points or self.regions
        solid = self.surfaces or self.lines3d or self.points3d
        if flat and solid:
            raise ValueError(
                "surfaces/lines3d/points3d (3-D) cannot be mixed with curves, conics, lines, "
                "points or regions (2-D)"
            )
        if not (flat or solid):
            raise ValueError("an analytic scene needs curves, conics, lines, points, regions, "
                             "surfaces, lines3d or points3d")  # fmt: skip
        for lo, hi, name in ((self.x_min, self.x_max, "x"), (self.y_min, self.y_max, "y")):
            if lo is not None and hi is not None and lo >= hi:
                raise ValueError(f"{name}_min must be less than {name}_max")
        return self

    def is_3d(self) -> bool:
        return bool(self.surfaces or self.lines3d or self.points3d)

    def labels(self) -> list[str]:
        out = [self.title, self.x_label, self.y_label] + ([self.z_label] if self.is_3d() else [])
        for group in (self.curves, self.conics, self.lines, self.points, self.regions):
            out += [p.label for p in group]
        out += [p.label for g in (self.surfaces, self.lines3d, self.points3d) for p in g]
        out += [t for c in self.conics if c.show_foci for t in _focus_names(c)]
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


def _focus_names(c: Conic) -> list[str]:
    n = len(c.foci())
    return ["F"] if n == 1 else ["F₁", "F₂"][:n]


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

_OBL = (0.5 * math.cos(math.radians(40)), 0.5 * math.sin(math.radians(40)))


def _project(p: np.ndarray) -> np.ndarray:
    """3-D points (n x 3) on the page: y to the right, z up, x toward the viewer (down-left)."""
    p = np.asarray(p, dtype=float).reshape(-1, 3)
    return np.column_stack([p[:, 1] - _OBL[0] * p[:, 0], p[:, 2] - _OBL[1] * p[:, 0]])


def _moves(anchors: list, offsets: list) -> list[Callable]:
    out = []
    for xy in anchors:
        for dx, dy, ha, va in offsets:

            def move(t: Any, xy=xy, dx=dx, dy=dy, ha=ha, va=va) -> None:
                t.xy = xy
                t.xyann = (dx, dy)
                t.set_ha(ha)
                t.set_va(va)

            out.append(move)
    return out


class _Drawer:
    def __init__(self, scene: AnalyticScene, fig: Any):
        self.s, self.fig, self.d = scene, fig, fig.dpi
        self.jobs: list[tuple[str, list, str]] = []  # label, anchor points (data), colour
        self.own: dict[int, int] = {}  # id of a curve label's anchors -> index of its path
        self.paths: list[np.ndarray] = []  # drawn polylines (data), kept clear of labels

    def draw(self) -> None:
        s, fig, d = self.s, self.fig, self.d
        width, height = 6.4, 4.8
        fig.set_size_inches(width, height)
        title = wrap_to_width(fig, safe_text(s.title), 13, (width - 0.4) * d) if s.title else ""
        title_h = text_size(fig, title, 13)[1] / d + 0.12 if title else 0.0
        inch = fig.dpi_scale_trans
        if title:
            fig.text(width / 2, height - 0.06, title, ha="center", va="top", fontsize=13,
                     transform=inch)  # fmt: skip
        notes_w = 0.0
        if s.notes:  # a column on the right, each note wrapped to it
            size = 10.0 if len(s.notes) <= 3 else MIN_FONT
            longest = max(text_size(fig, safe_text(t), size)[0] for t in s.notes) / d
            notes_w = min(2.0, max(1.0, longest + 0.3))  # short notes leave the plot its room
            y = height - title_h - 0.15
            for note in s.notes:
                text = wrap_to_width(fig, safe_text(note), size, (notes_w - 0.2) * d)
                fig.text(width - notes_w + 0.05, y, text, ha="left", va="top", fontsize=size,
                         transform=inch, color="#222222")  # fmt: skip
                y -= text_size(fig, text, size)[1] / d + 0.1
        self.placer = Placer(fig)
        for t in fig.texts:
            self.placer.block_text(t)
        rect = (0.0, 0.0, width - notes_w, height - title_h)
        ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
        self.ax = ax
        if s.is_3d():
            self._draw_3d(ax, rect)
        else:
            self._draw_2d(ax, rect)
        self._write_labels(ax)

    # --- view -------------------------------------------------------------------------------

    def _content_xy(self) -> np.ndarray:
        s = self.s
        pts = [(p.x, p.y) for p in s.points]
        for ln in s.lines:
            pts += list(ln.points)
            if ln.kind == "vertical":
                pts.append((ln.at, np.nan))
            if ln.kind == "horizontal":
                pts.append((np.nan, ln.at))
        for c in s.conics:
            if c.kind in ("circle", "ellipse"):
                pts += [tuple(r) for r in c.xy(1.0)[0][:: SAMPLES // 8]]
            else:
                pts += [(c.h, c.k)] + c.foci()
                span = 2.5 * max(c.a or 0, c.b or 0, 2 * (c.p or 0))
                pts += [(c.h - span, c.k - span), (c.h + span, c.k + span)]
        for c in s.curves:
            if c.kind in ("parametric", "polar"):
                pts += [tuple(r) for r in self._param_xy(c)]
            elif c.kind == "function":
                pts += [(v, np.nan) for v in (c.t_from, c.t_to) if v is not None]
        return np.array(pts, dtype=float).reshape(-1, 2)

    def _region_box(self, xy: np.ndarray) -> np.ndarray:
        """Corners of the stated regions found on a wide provisional grid around the content
        (a region bounded by y = 6 and y = 3√x reaches x = 4 though nothing states 4)."""
        s = self.s
        fin = xy[np.all(np.isfinite(xy), axis=1)] if len(xy) else xy
        vals = xy[np.isfinite(xy)]
        mid = fin.mean(axis=0) if len(fin) else np.zeros(2)
        half = max(2.0 * float(np.ptp(vals)) if len(vals) else 0.0, 10.0)
        out = []
        for region in s.regions:
            # a bounded region that reaches the grid's edge is looked for on a wider grid (seen,
            # seed 28: 2 <= xy <= 7, 2 <= xy^2 <= 7 reaches x = 24.5 and was cut at 11); one
            # still at the edge four times as wide is unbounded and keeps the first grid's box
            first = box = self._region_extent(region, mid, half)
            for k in (2, 4):
                if box is not None and not box[1]:
                    break
                box = self._region_extent(region, mid, half * k)
            chosen = box if box is not None and not box[1] else first
            if chosen is not None:
                out += chosen[0]
        return np.array(out, dtype=float).reshape(-1, 2)

    def _region_extent(
        self, region: Region, mid: np.ndarray, half: float
    ) -> tuple[list[tuple[float, float]], bool] | None:
        """(corners of ``region`` on a 240-sample grid of half-width ``half`` around ``mid``,
        whether it touches an edge the scene leaves free), or None where it is empty there."""
        s = self.s
        lo = [s.x_min if s.x_min is not None else mid[0] - half,
              s.y_min if s.y_min is not None else mid[1] - half]  # fmt: skip
        hi = [s.x_max if s.x_max is not None else mid[0] + half,
              s.y_max if s.y_max is not None else mid[1] + half]  # fmt: skip
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 240), np.linspace(lo[1], hi[1], 240))
        m = np.ones(gx.shape, dtype=bool)
        for text in region.inequalities:
            m &= _mask(text, gx, gy)
        if not m.any():
            return None
        free = [(m[:, 0], s.x_min), (m[:, -1], s.x_max), (m[0], s.y_min), (m[-1], s.y_max)]
        edge = any(side.any() for side, bound in free if bound is None)
        return [(gx[m].min(), gy[m].min()), (gx[m].max(), gy[m].max())], edge

    def _view(self) -> tuple[float, float, float, float]:
        s = self.s
        xy = self._content_xy()
        if s.regions:
            xy = np.vstack([xy, self._region_box(xy)])
        xs, ys = xy[:, 0][np.isfinite(xy[:, 0])], xy[:, 1][np.isfinite(xy[:, 1])]
        xlo, xhi = (float(xs.min()), float(xs.max())) if len(xs) else (-5.0, 5.0)
        funcs = [c for c in s.curves if c.kind == "function"]
        if len(xs) and (s.regions or funcs):
            xlo, xhi = min(xlo, 0.0), max(xhi, 0.0)  # regions and graphs read against the axes
        if xhi - xlo < 1e-9:
            xlo, xhi = xlo - 2, xhi + 2
        pad = 0.12 * (xhi - xlo)
        xlo = s.x_min if s.x_min is not None else xlo - pad
        xhi = s.x_max if s.x_max is not None else xhi + pad
        if xhi <= xlo:
            xhi = xlo + 2
        grid = np.linspace(xlo, xhi, SAMPLES)
        extra = [float(v) for v in ys]
        for c in funcs:
            yv = compile_expr(c.expr)(grid[self._in(c, grid)])
            yv = yv[np.isfinite(yv)]
            if len(yv):
                q = np.percentile(yv, [3, 97])
                extra += [float(max(yv.min(), q[0] - 0.3 * (q[1] - q[0] + 1e-9))),
                          float(min(yv.max(), q[1] + 0.3 * (q[1] - q[0] + 1e-9)))]  # fmt: skip
        if s.regions or funcs:
            extra.append(0.0)
        ylo, yhi = (min(extra), max(extra)) if extra else (xlo, xhi)
        if yhi - ylo < 1e-9:
            ylo, yhi = ylo - 2, yhi + 2
        pad = 0.12 * (yhi - ylo)
        ylo = s.y_min if s.y_min is not None else ylo - pad
        yhi = s.y_max if s.y_max is not None else yhi + pad
        if yhi <= ylo:
            yhi = ylo + 2
        return xlo, xhi, ylo, yhi

    @staticmethod
    def _in(c: Curve, x: np.ndarray) -> np.ndarray:
        lo = -np.inf if c.t_from is None else c.t_from
        hi = np.inf if c.t_to is None else c.t_to
        return (x >= lo) & (x <= hi)

    @staticmethod
    def _param_xy(c: Curve) -> np.ndarray:
        t = np.linspace(*c.t_range(), SAMPLES)
        if c.kind == "parametric":
            x, y = compile_expr(c.expr, ("t",))(t), compile_expr(c.y_expr or "0", ("t",))(t)
        else:
            r = compile_expr(c.expr, ("t",))(t)
            x, y = r * np.cos(t), r * np.sin(t)
        xy = np.column_stack([x, y])
        ok = np.all(np.isfinite(xy), axis=1) & np.all(np.abs(xy) < LIM, axis=1)
        xy[~ok] = np.nan
        return xy

    def _fit(self, ax: Any, rect: tuple[float, float, float, float]) -> None:
        """Axes placed so its ticks and axis labels fill ``rect`` (inches) without leaving it."""
        renderer = self.fig.canvas.get_renderer()
        d = self.d
        x0, y0, w, h = (v * d for v in rect)
        W, H = self.fig.canvas.get_width_height()
        pos = [x0 + 55, y0 + 45, x0 + w - 15, y0 + h - 10]
        for _ in range(4):
            ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])
            tight, box = ax.get_tightbbox(renderer), ax.get_window_extent(renderer)
            new = [x0 + box.x0 - tight.x0 + 6, y0 + box.y0 - tight.y0 + 6,
                   x0 + w - (tight.x1 - box.x1) - 12, y0 + h - (tight.y1 - box.y1) - 8]  # fmt: skip
            new[2], new[3] = max(new[2], new[0] + 80), max(new[3], new[1] + 60)
            if all(abs(a - b) < 0.5 for a, b in zip(new, pos)):
                break
            pos = new
        ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])

    # --- 2-D ----------------------------------------------------------------------------------

    def _draw_2d(self, ax: Any, rect: tuple) -> None:
        s = self.s
        xlo, xhi, ylo, yhi = self._view()
        equal = s.equal_scale
        if equal is None:
            equal = bool(s.conics) or any(c.kind != "function" for c in s.curves)
        aw, ah = rect[2] - 0.9, rect[3] - 0.7
        sx, sy = (xhi - xlo) / aw, (yhi - ylo) / ah
        if s.equal_scale is None and not 1 / 3 <= sx / sy <= 3:
            equal = False  # a graph far taller than wide (tan x) is not squashed to a strip
        if equal:  # grow the shorter range so one unit is as long on both axes
            if sx > sy:
                mid, half = (ylo + yhi) / 2, sx * ah / 2
                ylo, yhi = mid - half, mid + half
            else:
                mid, half = (xlo + xhi) / 2, sy * aw / 2
                xlo, xhi = mid - half, mid + half
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(ylo, yhi)
        self.view = (xlo, xhi, ylo, yhi)
        ax.grid(True, color="#e3e3e3", linewidth=0.7, zorder=0)
        ax.set_axisbelow(True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        if ylo < 0 < yhi:
            ax.axhline(0, color="black", linewidth=0.9, zorder=1)
            self.paths.append(np.column_stack([np.linspace(xlo, xhi, 200), np.zeros(200)]))
        if xlo < 0 < xhi:
            ax.axvline(0, color="black", linewidth=0.9, zorder=1)
            self.paths.append(np.column_stack([np.zeros(200), np.linspace(ylo, yhi, 200)]))
        if s.x_label:
            ax.set_xlabel(safe_text(s.x_label), fontsize=11)
        if s.y_label:
            ax.set_ylabel(safe_text(s.y_label), fontsize=11, rotation=0, labelpad=10)
        self._fit(ax, rect)
        gx, gy = np.meshgrid(np.linspace(xlo, xhi, GRID), np.linspace(ylo, yhi, GRID))
        for region in s.regions:
            m = np.ones(gx.shape, dtype=bool)
            for text in region.inequalities:
                m &= _mask(text, gx, gy)
            if m.any():
                ax.contourf(gx, gy, m.astype(float), levels=[0.5, 1.5], colors=["#7fb3e0"],
                            alpha=0.45, zorder=2)  # fmt: skip
                if region.label:
                    self._region_label(region.label, gx[m], gy[m])
        color = iter(_COLORS * 4)
        for c in s.curves:
            self._curve(ax, c, next(color), gx, gy)
        for c in s.conics:
            self._conic(ax, c, next(color))
        for ln in s.lines:
            self._line(ax, ln)
        for p in s.points:
            ax.plot([p.x], [p.y], "o", markersize=6, zorder=6, markeredgecolor="black",
                    markerfacecolor="white" if p.hollow else "black")  # fmt: skip
            if p.label:
                self.jobs.append((p.label, [(p.x, p.y)], "black"))

    def _polyline(self, ax: Any, xy: np.ndarray, color: str, style: str, label: str | None,
                  arrow: bool = False) -> None:  # fmt: skip
        xlo, xhi, ylo, yhi = self.view
        xy = np.array(xy, dtype=float)
        sx, sy = xhi - xlo, yhi - ylo
        far = (np.abs(xy[:, 0] - (xlo + xhi) / 2) > 3 * sx) | (
            np.abs(xy[:, 1] - (ylo + yhi) / 2) > 3 * sy
        )
        xy[far] = np.nan  # off-view samples (an asymptote's jump) break the line
        ax.plot(xy[:, 0], xy[:, 1], _LS[style], color=color, linewidth=2.0, zorder=4)
        self.paths.append(xy)
        inside = np.nonzero(np.isfinite(xy[:, 0]) & (xy[:, 0] > xlo) & (xy[:, 0] < xhi)
                            & (xy[:, 1] > ylo) & (xy[:, 1] < yhi))[0]  # fmt: skip
        if arrow and len(inside) > 4:
            i = inside[int(0.35 * len(inside))]
            j = min(i + 3, len(xy) - 1)
            if np.all(np.isfinite(xy[[i, j]])):
                ax.annotate("", xy=tuple(xy[j]), xytext=tuple(xy[i]), zorder=5,
                            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.5,
                                        "mutation_scale": 16, "shrinkA": 0, "shrinkB": 0})  # fmt: skip
        if label and len(inside):
            fracs = (0.8, 0.6, 0.4, 0.2, 0.95, 0.05, 0.7, 0.5, 0.3, 0.1)
            picks = [inside[int(f * (len(inside) - 1))] for f in fracs]
            anchors = [tuple(xy[i]) for i in picks]
            self.own[id(anchors)] = len(self.paths) - 1
            self.jobs.append((label, anchors, color))

    def _curve(self, ax: Any, c: Curve, color: str, gx: np.ndarray, gy: np.ndarray) -> None:
        if c.kind == "function":
            xlo, xhi = self.view[:2]
            x = np.linspace(xlo, xhi, SAMPLES * 2)
            x = x[self._in(c, x)]
            if len(x) < 2:
                return
            self._polyline(ax, np.column_stack([x, compile_expr(c.expr)(x)]), color, c.style,
                           c.label, c.arrow)  # fmt: skip
        elif c.kind == "implicit":
            z = compile_expr(c.expr, ("x", "y"))(gx, gy)
            if not np.isfinite(z).any() or np.nanmin(z) > 0 or np.nanmax(z) < 0:
                return
            cs = ax.contour(gx, gy, z, levels=[0.0], colors=[color], linewidths=2.0,
                            linestyles=_LS[c.style], zorder=4)  # fmt: skip
            segs = [seg for seg in cs.allsegs[0] if len(seg) > 1]
            if segs:
                xy = np.vstack([np.vstack([seg, [np.nan, np.nan]]) for seg in segs])
                self.paths.append(xy)
                if c.label:
                    pts = [tuple(p) for p in xy[np.isfinite(xy[:, 0])]]
                    step = max(len(pts) // 7, 1)
                    anchors = pts[::step][:8]
                    self.own[id(anchors)] = len(self.paths) - 1
                    self.jobs.append((c.label, anchors, color))
        else:
            self._polyline(ax, self._param_xy(c), color, c.style, c.label, c.arrow)

    def _conic(self, ax: Any, c: Conic, color: str) -> None:
        xlo, xhi, ylo, yhi = self.view
        reach = 1.5 * max(xhi - xlo, yhi - ylo)
        parts = c.xy(reach)
        for i, xy in enumerate(parts):
            self._polyline(ax, xy, color, c.style, c.label if i == 0 else None)
        if c.show_foci:
            for (fx, fy), name in zip(c.foci(), _focus_names(c)):
                ax.plot([fx], [fy], "o", color=color, markersize=5, zorder=6)
                self.jobs.append((name, [(fx, fy)], color))
        if c.kind == "parabola" and c.show_directrix:
            s = -(c.p or 0) * (1 if c.opens == "positive" else -1)
            if c.axis == "x":
                ax.axvline(c.h + s, color="#555555", linestyle="--", linewidth=1.3, zorder=3)
                self.paths.append(np.array([[c.h + s, ylo], [c.h + s, yhi]]))
            else:
                ax.axhline(c.k + s, color="#555555", linestyle="--", linewidth=1.3, zorder=3)
                self.paths.append(np.array([[xlo, c.k + s], [xhi, c.k + s]]))
        if c.kind == "hyperbola" and c.show_asymptotes:
            m = (c.b or 1) / (c.a or 1)
            m = m if c.axis == "x" else 1 / m
            for sg in (1, -1):
                x = np.array([xlo, xhi])
                xy = np.column_stack([x, c.k + sg * m * (x - c.h)])
                ax.plot(xy[:, 0], xy[:, 1], "--", color="#777777", linewidth=1.2, zorder=3)
                self.paths.append(xy)

    def _line(self, ax: Any, ln: Line) -> None:
        xlo, xhi, ylo, yhi = self.view
        if ln.kind == "vertical":
            xy = np.array([[ln.at, ylo], [ln.at, yhi]])
        elif ln.kind == "horizontal":
            xy = np.array([[xlo, ln.at], [xhi, ln.at]])
        else:
            (x1, y1) = ln.points[0]
            if ln.kind == "through":
                (x2, y2) = ln.points[1]
            else:
                x2, y2 = x1 + 1.0, y1 + (ln.slope or 0.0)
            if ln.segment and ln.kind == "through":
                xy = np.array([[x1, y1], [x2, y2]])
            else:
                t = np.linspace(-1, 1, 2) * 10 * max(xhi - xlo, yhi - ylo)
                dx, dy = np.array([x2 - x1, y2 - y1]) / math.hypot(x2 - x1, y2 - y1)
                xy = np.column_stack([x1 + t * dx, y1 + t * dy])
        color = "#444444" if ln.rotation_axis else "#2b2b2b"
        ax.plot(xy[:, 0], xy[:, 1], _LS[ln.style], color=color, linewidth=1.6, zorder=3)
        dense = np.column_stack([np.linspace(xy[0, 0], xy[-1, 0], 400),
                                 np.linspace(xy[0, 1], xy[-1, 1], 400)])  # fmt: skip
        dense = dense[(dense[:, 0] >= xlo) & (dense[:, 0] <= xhi)
                      & (dense[:, 1] >= ylo) & (dense[:, 1] <= yhi)]  # fmt: skip
        self.paths.append(dense)
        if ln.rotation_axis and len(dense):
            self._rotation_mark(ax, dense, ln.kind == "horizontal")
        if ln.label and len(dense):
            picks = [dense[int(f * (len(dense) - 1))] for f in (0.9, 0.75, 0.5, 0.25, 0.1)]
            self.jobs.append((ln.label, [tuple(p) for p in picks], "#333333"))

    def _rotation_mark(self, ax: Any, dense: np.ndarray, horizontal: bool) -> None:
        """A curved arrow around the axis of revolution (a small ellipse arc across it)."""
        from matplotlib.patches import FancyArrowPatch

        x, y = dense[int(0.85 * (len(dense) - 1))]
        px = ax.transData.transform([[x, y]])[0]
        rx, ry = (7, 16) if horizontal else (16, 7)
        t = np.linspace(0.15 * np.pi, 1.85 * np.pi, 40)
        arc = ax.transData.inverted().transform(np.column_stack([px[0] + rx * np.cos(t),
                                                                 px[1] + ry * np.sin(t)]))  # fmt: skip
        ax.plot(arc[:-2, 0], arc[:-2, 1], color="#444444", linewidth=1.3, zorder=5)
        ax.add_patch(FancyArrowPatch(tuple(arc[-3]), tuple(arc[-1]), arrowstyle="-|>",
                                     mutation_scale=12, color="#444444", zorder=5))  # fmt: skip
        from matplotlib.transforms import Bbox

        self.placer.block(Bbox.from_extents(px[0] - rx - 3, px[1] - ry - 3, px[0] + rx + 3,
                                            px[1] + ry + 3))  # fmt: skip

    def _region_label(self, label: str, xs: np.ndarray, ys: np.ndarray) -> None:
        # candidate spots: region points nearest its centroid, then spread over it
        cx, cy = float(xs.mean()), float(ys.mean())
        order = np.argsort(np.hypot(xs - cx, ys - cy))
        picks = list(order[:: max(len(order) // 12, 1)])[:12]
        self.jobs.append(("\0" + label, [(float(xs[i]), float(ys[i])) for i in picks], "black"))

    # --- 3-D ----------------------------------------------------------------------------------

    def _extent3(self) -> float:
        s = self.s
        vals = [abs(v) for p in s.points3d for v in (p.x, p.y, p.z)]
        for sf in s.surfaces:
            vals += [abs(v) + (sf.radius or 0) for v in sf.center]
            vals += [abs(v) for v in sf.coefficients[3:]]
        for ln in s.lines3d:
            vals += [abs(v) for v in ln.point]
        return max(vals + [1.0])

    def _draw_3d(self, ax: Any, rect: tuple) -> None:
        s = self.s
        ax.set_axis_off()
        R = self._extent3()
        L = 1.35 * R
        color = iter(_COLORS * 4)
        for sf in s.surfaces:
            self._surface(ax, sf, next(color), R)
        for ln in s.lines3d:
            p, dvec = np.array(ln.point), np.array(ln.direction, dtype=float)
            dvec /= np.linalg.norm(dvec)
            t = np.linspace(-1.2 * R, 1.2 * R, 60)[:, None]
            self._path3(ax, p + t * dvec, next(color), ln.style, ln.label, lw=2.0)
        for p in s.points3d:
            q = _project([[p.x, p.y, p.z]])[0]
            ax.plot([q[0]], [q[1]], "o", color="black", markersize=6, zorder=6)
            if p.label:
                self.jobs.append((p.label, [tuple(q)], "black"))
        ends = {"x": (L, 0, 0), "y": (0, L, 0), "z": (0, 0, L)}
        tips = []
        for name, end in ends.items():
            a, b = _project([(0, 0, 0), end])
            ax.annotate("", xy=tuple(b), xytext=tuple(a), zorder=3,
                        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.1,
                                    "mutation_scale": 12, "shrinkA": 0, "shrinkB": 0})  # fmt: skip
            tips.append((name, b))
            self.paths.append(np.array([a, b]))
        stated = [(p.x, p.y, p.z) for p in s.points3d]
        allxy = np.vstack(self.paths + [_project(np.array(stated).reshape(-1, 3))])
        allxy = allxy[np.all(np.isfinite(allxy), axis=1)]
        lo, hi = allxy.min(axis=0), allxy.max(axis=0)
        pad = 0.12 * (hi - lo).max()
        # one unit as long on both page axes, the content centred
        aw, ah = (rect[2] - 0.3) * self.d, (rect[3] - 0.3) * self.d
        scale = max((hi[0] - lo[0] + 2 * pad) / aw, (hi[1] - lo[1] + 2 * pad) / ah)
        mid = (lo + hi) / 2
        ax.set_xlim(mid[0] - scale * aw / 2, mid[0] + scale * aw / 2)
        ax.set_ylim(mid[1] - scale * ah / 2, mid[1] + scale * ah / 2)
        fw, fh = self.fig.get_size_inches()
        ax.set_position([(rect[0] + 0.15) / fw, (rect[1] + 0.15) / fh, aw / self.d / fw,
                         ah / self.d / fh])  # fmt: skip
        names = {"x": s.x_label, "y": s.y_label, "z": s.z_label}
        for name, b in tips:
            if names[name]:
                self.jobs.insert(0, (names[name], [tuple(b)], "black"))

    def _path3(self, ax: Any, pts: np.ndarray, color: str, style: str, label: str | None,
               lw: float = 1.0) -> np.ndarray:  # fmt: skip
        xy = _project(pts)
        ax.plot(xy[:, 0], xy[:, 1], _LS[style], color=color, linewidth=lw, zorder=4)
        self.paths.append(xy)
        if label:
            ok = np.nonzero(np.all(np.isfinite(xy), axis=1))[0]
            if len(ok):
                picks = [ok[int(f * (len(ok) - 1))] for f in (0.9, 0.7, 0.5, 0.3, 0.1)]
                anchors = [tuple(xy[i]) for i in picks]
                self.own[id(anchors)] = len(self.paths) - 1
                self.jobs.append((label, anchors, color))
        return xy

    def _surface(self, ax: Any, sf: Surface, color: str, R: float) -> None:
        """A surface as a few mesh lines (rings and meridians)."""
        u = np.linspace(0, 2 * np.pi, 120)
        meshes: list[np.ndarray] = []
        if sf.kind == "sphere":
            r, c = sf.radius or 1.0, np.array(sf.center)
            for phi in np.linspace(0, np.pi, 9)[1:-1]:  # latitude rings
                meshes.append(c + r * np.column_stack([np.sin(phi) * np.cos(u),
                              np.sin(phi) * np.sin(u), np.full_like(u, np.cos(phi))]))  # fmt: skip
            v = np.linspace(0, np.pi, 60)
            for th in np.linspace(0, np.pi, 7)[:-1]:  # meridians
                for sg in (1, -1):
                    meshes.append(c + r * np.column_stack([sg * np.sin(v) * np.cos(th),
                                  sg * np.sin(v) * np.sin(th), np.cos(v)]))  # fmt: skip
            if sf.part != "whole":
                i, sign = "xyz".index(sf.part[0]), 1 if sf.part[1] == ">" else -1
                for m in meshes:
                    m[sign * (m[:, i] - c[i]) < -1e-9] = np.nan
                ring = np.roll(
                    np.column_stack([r * np.cos(u), r * np.sin(u), 0 * u]), i - 2, axis=1
                )
                meshes.append(c + ring)
        elif sf.kind == "cylinder":
            r, c, i = sf.radius or 1.0, np.array(sf.center), "xyz".index(sf.axis)
            h = max(R, 1.5 * r)
            for a in np.linspace(-h, h, 5):
                ring = np.roll(
                    np.column_stack([r * np.cos(u), r * np.sin(u), 0 * u + a]), i - 2, axis=1
                )
                meshes.append(c + ring)
            for th in np.linspace(0, 2 * np.pi, 13)[:-1]:
                seg = np.array([[r * np.cos(th), r * np.sin(th), -h], [r * np.cos(th),
                               r * np.sin(th), h]])  # fmt: skip
                meshes.append(c + np.roll(seg, i - 2, axis=1))
        elif sf.kind == "graph":
            f = compile_expr(sf.expr or "0", ("x", "y"))
            rad = sf.radius or R
            for rr in np.linspace(0, rad, 6)[1:]:
                x, y = rr * np.cos(u), rr * np.sin(u)
                meshes.append(np.column_stack([x, y, f(x, y)]))
            rr = np.linspace(0, rad, 40)
            for th in np.linspace(0, 2 * np.pi, 13)[:-1]:
                x, y = rr * np.cos(th), rr * np.sin(th)
                meshes.append(np.column_stack([x, y, f(x, y)]))
        else:
            a, b, c3, d = sf.coefficients
            i = int(np.argmax(np.abs([a, b, c3])))
            g = np.linspace(-R, R, 7)
            for k in range(2):
                for val in g:
                    line = np.zeros((2, 3))
                    free = [j for j in range(3) if j != i]
                    line[:, free[k]] = val
                    line[:, free[1 - k]] = [-R, R]
                    coef = np.array([a, b, c3], dtype=float)
                    line[:, i] = (d - line @ np.where(np.arange(3) == i, 0, coef)) / coef[i]
                    meshes.append(line)
        drawn = [self._path3(ax, np.where(np.abs(m) > 4 * R, np.nan, m), color, "solid", None, 0.9)
                 for m in meshes]  # fmt: skip
        if sf.label:  # anchored on the outline: the points farthest out in a few directions
            xy = np.vstack(drawn)
            xy = xy[np.all(np.isfinite(xy), axis=1)]
            if len(xy):
                dirs = [(1, 0.3), (-1, 0.3), (0.3, 1), (1, -0.3), (-1, -0.3), (0, -1)]
                picks = [xy[int(np.argmax(xy @ np.array(dv)))] for dv in dirs]
                self.jobs.append((sf.label, [tuple(p) for p in picks], color))

    # --- labels -------------------------------------------------------------------------------

    def _write_labels(self, ax: Any) -> None:
        from matplotlib.transforms import Bbox

        self.fig.canvas.draw()
        p = self.placer
        if not self.s.is_3d():
            for t in [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label,
                      ax.yaxis.label]:  # fmt: skip
                p.block_text(t)
        to = ax.transData.transform
        for xy in self.paths:
            p.avoid(densify(to(xy)))
        for pt in [*self.s.points, *self.s.points3d]:
            q = to(_project([[pt.x, pt.y, pt.z]]) if hasattr(pt, "z") else [[pt.x, pt.y]])[0]
            p.block(Bbox.from_extents(q[0] - 5, q[1] - 5, q[0] + 5, q[1] + 5))
        region = ax.get_window_extent(self.fig.canvas.get_renderer()).padded(-2)
        rings = ring_offsets([6, 12, 20, 30, 44])
        for text, anchors, color in self.jobs:
            anchors = self._clearest_first(anchors, to)
            inside = text.startswith("\0")
            text = text.lstrip("\0")
            offs = [(0, 0, "center", "center")] if inside else rings
            t = ax.annotate(safe_text(text), xy=anchors[0], xytext=(0, 0),
                            textcoords="offset points", fontsize=11, color=color, zorder=7,
                            fontweight="bold" if inside else "normal",
                            annotation_clip=False)  # fmt: skip
            if p.place(t, _moves(anchors, offs + rings), region=region):
                continue
            p.boxes.pop()
            t.set_fontsize(MIN_FONT)
            far = ring_offsets([10, 20, 32, 46, 62, 80, 100], n_angles=16)
            if p.place(t, _moves(anchors[:3], far), region=region):
                continue
            p.boxes.pop()
            self._anywhere(t, anchors[0], to)

    def _clearest_first(self, anchors: list, to: Callable) -> list:
        """A curve's label anchors, those farthest from every other drawn line first (a label
        between two curves reads as either's)."""
        own = self.own.get(id(anchors))
        others = [densify(to(xy)) for i, xy in enumerate(self.paths) if i != own]
        if own is None or not others or len(anchors) < 2:
            return anchors
        pts = np.vstack(others)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if not len(pts):
            return anchors
        clear = [float(np.min(np.hypot(*(pts - to([a])[0]).T))) for a in anchors]
        order = sorted(range(len(anchors)), key=lambda i: -min(clear[i], 60.0))
        return [anchors[i] for i in order]

    def _anywhere(self, t: Any, anchor: tuple, to: Callable) -> None:
        """Last resort: the first free spot on a grid over the canvas."""
        p = self.placer
        a = to([anchor])[0]
        spots = []
        for gy in np.arange(p.canvas.y1 - 8, p.canvas.y0, -9.0):
            for gx in np.arange(p.canvas.x0 + 4, p.canvas.x1, 12.0):
                off = (np.array([gx, gy]) - a) * 72 / self.d
                spots.append((float(off[0]), float(off[1]), "left", "top"))
        p.place(t, annotation_moves(spots), region=None, soft=False)
