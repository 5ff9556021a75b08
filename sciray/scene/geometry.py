"""Plane geometry scenes: named points built by constructions, then what to draw and mark.

The model states *how* each point is constructed (a triangle from the sides and angles the problem
gives, a square of side 4, the midpoint of AB, the foot of the perpendicular from C to AB, ...);
it never places points itself, except points whose coordinates the problem states. The solver
below turns the constructions into coordinates, deterministically (stated values are honoured,
missing ones get pleasant defaults), and raises ``ValueError`` with a clear message on an
inconsistent construction (sides violating the triangle inequality, an undefined point, ...).
The renderer scales the figure to the canvas with an equal aspect, draws it, and places every
label (point names outside the figure, lengths beside their segments, angle values by their
arcs) where it overlaps no other label and stays on the canvas.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from sciray.scene.base import SceneSpec, register

__all__ = ["GeometryScene"]

MAX_POINTS = 26
TOL = 1e-3  # relative tolerance when a stated value meets an existing point
DEFAULT_SIZE = 4.0  # length of a shape's first side when the problem states none

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9']{0,3}$")]
Label = Annotated[str, StringConstraints(max_length=40)]
Length = Annotated[float, Field(gt=0, le=1e6)]
Inner = Annotated[float, Field(gt=0, lt=180)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------------
# Constructions (processed in order; each may use only points made before it)
# ---------------------------------------------------------------------------------------------


class Triangle(_Item):
    kind: Literal["triangle"]
    """A triangle; points already made are reused (e.g. built on an existing side)."""
    points: list[Name] = Field(min_length=3, max_length=3)
    """Its three vertices, e.g. ["A", "B", "C"]."""
    sides: list[Length | None] = Field(default_factory=list, max_length=3)
    """Stated side lengths in order AB, BC, CA; null where not stated."""
    angles: list[Inner | None] = Field(default_factory=list, max_length=3)
    """Stated angles in degrees at A, B, C; null where not stated; 90 for a right angle."""
    flip: bool = False
    """Mirror it (the third vertex on the other side)."""
    shaded: bool = False
    """Fill its inside lightly."""


class Polygon(_Item):
    kind: Literal[
        "square", "rectangle", "parallelogram", "rhombus", "trapezoid", "regular", "polygon"
    ]
    """square/rectangle/parallelogram/rhombus/trapezoid: 4 points; regular: n points;
    polygon: joins points already made, in order."""
    points: list[Name] = Field(min_length=3, max_length=12)
    """Its vertices in order around it, e.g. ["A", "B", "C", "D"]."""
    sides: list[Length | None] = Field(default_factory=list, max_length=12)
    """Stated side lengths in order AB, BC, CD, DA; null where not stated (trapezoid: AB and CD
    are the parallel sides)."""
    angle: Inner | None = None
    """Stated angle at the first vertex in degrees (parallelogram, rhombus, trapezoid)."""
    height: Length | None = None
    """Stated height (trapezoid, parallelogram)."""
    flip: bool = False
    """Mirror it."""
    shaded: bool = False
    """Fill its inside lightly."""

    @model_validator(mode="before")
    @classmethod
    def _unstated_angle(cls, data: Any) -> Any:
        # a square's or rectangle's angles are fixed and a polygon's come from its points, so an
        # angle there is noise; 0 or 180 is no parallelogram's angle: both read as not stated
        if isinstance(data, dict) and data.get("angle") is not None:
            angle = data["angle"]
            fixed = data.get("kind") in ("square", "rectangle", "regular", "polygon")
            flat = isinstance(angle, (int, float)) and not 0 < angle < 180
            if fixed or flat:
                data = {**data, "angle": None}
        return data


class Segment(_Item):
    kind: Literal["segment"]
    """A segment; makes its points that do not exist yet."""
    points: list[Name] = Field(min_length=2, max_length=2)
    """Its two end points, e.g. ["A", "B"]."""
    length: Length | None = None
    """Stated length; null if not stated."""
    angle: float | None = Field(default=None, ge=-360, le=360)
    """Stated direction in degrees counterclockwise from horizontal-right; null: horizontal."""


class Circle(_Item):
    kind: Literal["circle", "circumcircle", "incircle"]
    """circle: center and radius (or a point on it); circumcircle/incircle: of a triangle."""
    center: Name
    """Its center point (made here if new)."""
    radius: Length | None = None
    """Stated radius."""
    through: Name | None = None
    """A point it passes through (instead of a radius)."""
    of: list[Name] = Field(default_factory=list, max_length=3)
    """circumcircle/incircle: the triangle's three points."""
    label: Label | None = None
    """Text beside the circle, e.g. "x^2+y^2=64"; null for none."""
    shaded: bool = False
    """Fill its inside lightly."""


class Point(_Item):
    kind: Literal[
        "xy",
        "midpoint",
        "on_segment",
        "foot",
        "intersection",
        "ray",
        "on_circle",
        "tangent",
        "centroid",
        "circumcenter",
        "incenter",
        "orthocenter",
    ]
    """How the point is made (see "of")."""
    name: Name
    """The new point's name."""
    of: list[Name] = Field(default_factory=list, max_length=4)
    """Points it is built from: midpoint, on_segment [P,Q]; foot [P,Q,R] (from P to line QR);
    intersection [P,Q,R,S] (lines PQ and RS), [P,Q,O] (line PQ and the circle centred at O) or
    [O,U] (the circles centred at O and U); ray [P] or [P,Q]; on_circle [O] (center);
    tangent [P,O] (tangent point from P to the circle centred at O); centers [A,B,C]."""
    x: float | None = Field(default=None, ge=-1e6, le=1e6)
    """xy: stated x coordinate."""
    y: float | None = Field(default=None, ge=-1e6, le=1e6)
    """xy: stated y coordinate."""
    ratio: float | None = Field(default=None, ge=-10, le=10)
    """on_segment: fraction of the way from P to Q (0.25 = a quarter)."""
    length: Length | None = None
    """ray: distance from P; on_segment: distance from P; on_circle: radius."""
    angle: float | None = Field(default=None, ge=-360, le=360)
    """ray: degrees counterclockwise from ray PQ (or from horizontal-right with [P]);
    on_circle: degrees counterclockwise from horizontal-right."""
    which: Literal[1, 2] = 1
    """tangent, and intersection with a circle: which of the two points (line and circle: 1 is
    the one further along P->Q; two circles: 1 is left of the first centre -> the second)."""


Step = Annotated[Triangle | Polygon | Segment | Circle | Point, Field(discriminator="kind")]


# ---------------------------------------------------------------------------------------------
# What to draw and mark
# ---------------------------------------------------------------------------------------------


class SegmentMark(_Item):
    points: list[Name] = Field(min_length=2, max_length=2)
    """Its end points, e.g. ["A", "B"] (a shape's side may be listed just to label it)."""
    label: Label | None = None
    """Its stated length or name, e.g. "65 ft" or "x"; null for none."""
    dashed: bool = False
    """Draw it dashed (heights, hidden or auxiliary lines)."""
    ticks: int = Field(default=0, ge=0, le=3)
    """Equal-length tick marks (1-3); segments with the same count are equal."""


class AngleMark(_Item):
    points: list[Name] = Field(min_length=3, max_length=3)
    """The angle as [P, V, Q] with its vertex V in the middle."""
    label: Label | None = None
    """Its stated value or name, e.g. "65°" or "θ"; null for an arc only."""
    right: bool = False
    """Mark it as a right angle (small square)."""


class ArcMark(_Item):
    center: Name
    """Center of the circle the arc lies on."""
    points: list[Name] = Field(min_length=2, max_length=2)
    """Its end points on the circle, counterclockwise from the first."""
    label: Label | None = None
    """Its stated measure or name; null for none."""


class PointText(_Item):
    name: Name
    """A point's name."""
    text: Label
    """Text written beside it instead of its name, e.g. "balloon" or "A(0, 0)"; "" hides it."""


@register
class GeometryScene(SceneSpec):
    """A plane geometry figure: constructions make named points, then segments, angles and arcs
    to draw and mark with the values the problem states."""

    domain: Literal["geometry"] = "geometry"
    steps: list[Step] = Field(min_length=1, max_length=24)
    """Constructions in order; each uses only points made before it."""
    segments: list[SegmentMark] = Field(default_factory=list, max_length=24)
    """Segments to draw or label (chords, radii, heights, tangents, shape sides)."""
    angles: list[AngleMark] = Field(default_factory=list, max_length=12)
    """Angles to mark; only angles the problem states or names."""
    arcs: list[ArcMark] = Field(default_factory=list, max_length=6)
    """Circle arcs to draw."""
    points: list[PointText] = Field(default_factory=list, max_length=MAX_POINTS)
    """Texts for points instead of their names ("" hides a helper point)."""
    notes: list[Label] = Field(default_factory=list, max_length=4)
    """Other stated values written as text, e.g. "slides at 2 ft/h"."""
    axes: bool = False
    """Draw x and y axes through the origin (only when the problem uses coordinates)."""

    image_types: ClassVar[tuple[str, ...]] = ("math - plane geometric",)

    _solution: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _solvable(self) -> GeometryScene:
        self._solution = _solve(self)
        return self

    # -- texts ------------------------------------------------------------------------------

    def _point_texts(self) -> dict[str, str]:
        custom = {p.name: p.text for p in self.points}
        sol = self._solution or _solve(self)
        return {n: custom.get(n, n) for n in sol.order if custom.get(n, n).strip()}

    def labels(self) -> list[str]:
        out: list[str] = []
        if self.title and self.title.strip():
            out.append(self.title)
        out.extend(self._point_texts().values())
        for step in self.steps:
            if isinstance(step, Circle) and step.label and step.label.strip():
                out.append(step.label)
        for item in (*self.segments, *self.angles, *self.arcs):
            if item.label and item.label.strip():
                out.append(item.label)
        out.extend(n for n in self.notes if n.strip())
        if self.axes:
            out.extend(["x", "y"])
        return out

    def draw(self, fig: Any) -> None:
        _Renderer(self, self._solution or _solve(self), fig).run()

    def aligned_to(self, question: str) -> GeometryScene:
        # an angle labelled "90°" where the problem never says 90 is the right angle of its
        # setting (seen, seed 17: a ladder against a wall): drawn as the right-angle square,
        # the usual mark, rather than a number the problem does not state
        from sciray.checks.latex import to_plain
        from sciray.checks.numbers import find_numbers

        if any(n.value == 90 for n in find_numbers(to_plain(question))):
            return self
        angles = [
            a.model_copy(update={"label": None, "right": True}) if _says_90(a.label) else a
            for a in self.angles
        ]
        return self.model_copy(update={"angles": angles})


_NINETY = re.compile(r"^\s*\$?\s*90\s*(?:°|\^\s*\{?\\circ\}?|\\circ|degrees?|deg)?\s*\$?\s*$")


def _says_90(label: str | None) -> bool:
    return bool(label) and _NINETY.match(label) is not None


# ---------------------------------------------------------------------------------------------
# Solver: constructions -> coordinates
# ---------------------------------------------------------------------------------------------


class _Solution:
    def __init__(self) -> None:
        self.pts: dict[str, tuple[float, float]] = {}
        self.order: list[str] = []  # points in the order they were made
        self.edges: list[tuple[str, str]] = []  # shape sides to draw
        self.fills: list[list[str]] = []  # shaded polygons
        self.circles: list[tuple[str, float, str | None, bool]] = []  # center, r, label, shaded

    def __eq__(self, other: object) -> bool:  # solved from equal scenes: equal
        return isinstance(other, _Solution) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def add(self, name: str, xy: tuple[float, float], what: str) -> None:
        if name in self.pts:
            raise ValueError(f"{what}: point {name} is already defined")
        if not all(math.isfinite(v) and abs(v) < 1e9 for v in xy):
            raise ValueError(f"{what}: point {name} lies at infinity")
        if len(self.pts) >= MAX_POINTS:
            raise ValueError(f"at most {MAX_POINTS} points")
        self.pts[name] = (float(xy[0]), float(xy[1]))
        self.order.append(name)

    def get(self, name: str, what: str) -> tuple[float, float]:
        if name not in self.pts:
            raise ValueError(f"{what}: point {name} is not defined (define it in an earlier step)")
        return self.pts[name]

    def radius_of(self, center: str, what: str, stated: float | None) -> float:
        if stated is not None:
            return stated
        for c, r, _, _ in reversed(self.circles):
            if c == center:
                return r
        raise ValueError(f"{what}: no circle centred at {center} (add a circle step first)")

    def size(self) -> float:
        """The figure's typical size (diagonal of its points' box), 0 when none."""
        xs = [p[0] for p in self.pts.values()] + [
            self.pts[c][0] + s * r for c, r, _, _ in self.circles for s in (-1, 1)
        ]
        ys = [p[1] for p in self.pts.values()] + [
            self.pts[c][1] + s * r for c, r, _, _ in self.circles for s in (-1, 1)
        ]
        if not xs:
            return 0.0
        return math.hypot(max(xs) - min(xs), max(ys) - min(ys))

    def default_length(self) -> float:
        size = self.size()
        return 0.5 * size if size > 0 else DEFAULT_SIZE


def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1])


def _dist(a, b) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _rot(v, deg: float):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (v[0] * c - v[1] * s, v[0] * s + v[1] * c)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(abs(a), abs(b), 1e-12)


def _fmt(v: float) -> str:
    return f"{v:g}"


def _triangle_sides(name: str, sides: list, angles: list) -> tuple[float, float, float, bool]:
    """Sides (c=AB, a=BC, b=CA) of the triangle the stated values describe, defaults filling
    what is not stated, and whether its size is free (no length stated)."""
    c, a, b = (sides + [None] * 3)[:3]
    ang = list((angles + [None] * 3)[:3])  # at A, B, C
    known_angles = [x for x in ang if x is not None]
    if len(known_angles) == 3 and abs(sum(known_angles) - 180) > 0.5:
        raise ValueError(f"triangle {name}: angles {known_angles} do not sum to 180 degrees")
    if len(known_angles) == 2:
        rest = 180 - sum(known_angles)
        if rest <= 0:
            raise ValueError(f"triangle {name}: angles {known_angles} leave no third angle")
        ang[ang.index(None)] = rest
    opp = {0: "a", 1: "b", 2: "c"}  # vertex index -> opposite side
    s = {"a": a, "b": b, "c": c}
    free = all(v is None for v in s.values())

    def law_of_sines() -> None:
        rad = [math.radians(x) for x in ang]
        ref = next(k for k in ("c", "a", "b") if s[k] is not None) if not free else None
        unit = (
            DEFAULT_SIZE / math.sin(rad[2])
            if ref is None
            else s[ref] / math.sin(rad["abc".index(ref)])
        )
        for i, k in enumerate("abc"):
            value = unit * math.sin(rad[i])
            if s[k] is not None and not _close(s[k], value):
                raise ValueError(
                    f"triangle {name}: stated sides and angles disagree "
                    f"(side {k} would be {_fmt(value)}, not {_fmt(s[k])})"
                )
            s[k] = value

    n_angles = sum(x is not None for x in ang)
    n_sides = sum(v is not None for v in s.values())
    if n_angles == 3:
        law_of_sines()
    elif n_angles == 1:
        v = next(i for i, x in enumerate(ang) if x is not None)
        vk = opp[v]
        adj = [k for k in "abc" if k != vk]
        if n_sides == 3:
            pass  # checked below against the law of cosines
        elif n_sides == 2 and all(s[k] is not None for k in adj):  # SAS
            p, q = s[adj[0]], s[adj[1]]
            s[vk] = math.sqrt(max(p * p + q * q - 2 * p * q * math.cos(math.radians(ang[v])), 0))
        elif n_sides == 2:  # SSA: the stated angle is opposite a stated side
            other = next(k for k in adj if s[k] is not None)
            sine = s[other] * math.sin(math.radians(ang[v])) / s[vk]
            if sine > 1 + 1e-9:
                raise ValueError(
                    f"triangle {name}: no triangle has these sides and angle "
                    f"(side {_fmt(s[vk])} is too short to face {_fmt(ang[v])} degrees)"
                )
            ang["abc".index(other)] = math.degrees(math.asin(min(sine, 1.0)))
            last = 180 - ang[v] - ang["abc".index(other)]
            if last <= 0:
                raise ValueError(f"triangle {name}: no triangle has these sides and angle")
            ang[ang.index(None)] = last
            law_of_sines()
        else:  # one angle and at most one side: a pleasant default for a second angle
            rest = 180 - ang[v]
            nxt = (v + 1) % 3
            ang[nxt] = 0.45 * rest
            ang[(v + 2) % 3] = 0.55 * rest
            law_of_sines()
    else:  # no angle stated
        if n_sides == 2:  # a default angle between the two stated sides
            missing = next(k for k in "abc" if s[k] is None)
            p, q = (s[k] for k in "abc" if k != missing)
            s[missing] = math.sqrt(p * p + q * q - 2 * p * q * math.cos(math.radians(70)))
        elif n_sides < 2:
            ang = [55.0, 65.0, 60.0]
            law_of_sines()
    a, b, c = s["a"], s["b"], s["c"]
    longest = max(a, b, c)
    if a + b + c - longest <= longest * (1 + 1e-9):
        raise ValueError(
            f"triangle {name}: sides {_fmt(c)}, {_fmt(a)}, {_fmt(b)} violate the triangle "
            "inequality (the longest must be shorter than the other two together)"
        )
    if n_angles == 1 and n_sides == 3:
        v = next(i for i, x in enumerate(ang) if x is not None)
        sv = [a, b, c]
        p, q, o = sv[(v + 1) % 3], sv[(v + 2) % 3], sv[v]
        cos_v = (p * p + q * q - o * o) / (2 * p * q)
        got = math.degrees(math.acos(max(-1.0, min(1.0, cos_v))))
        if abs(got - ang[v]) > 0.5:
            raise ValueError(
                f"triangle {name}: sides give {_fmt(round(got, 2))} degrees at "
                f"vertex {v + 1}, not the stated {_fmt(ang[v])}"
            )
    return c, a, b, free


def _triangle_local(step: Triangle) -> tuple[list[tuple[float, float]], bool]:
    name = "".join(step.points)
    c, a, b, free = _triangle_sides(name, list(step.sides), list(step.angles))
    cos_a = max(-1.0, min(1.0, (b * b + c * c - a * a) / (2 * b * c)))
    angle_a = math.acos(cos_a)
    return [(0.0, 0.0), (c, 0.0), (b * math.cos(angle_a), b * math.sin(angle_a))], free


def _polygon_local(step: Polygon) -> tuple[list[tuple[float, float]], bool]:
    n = len(step.points)
    name = "".join(step.points)
    sides = list(step.sides) + [None] * (12 - len(step.sides))
    kind = step.kind
    if kind in ("square", "rectangle", "parallelogram", "rhombus", "trapezoid") and n != 4:
        raise ValueError(f"{kind} {name}: needs exactly 4 points, got {n}")
    free = all(v is None for v in sides) and step.height is None
    if kind == "square" or kind == "rhombus":
        stated = {v for v in sides[:4] if v is not None}
        if len(stated) > 1:
            raise ValueError(f"{kind} {name}: its sides are equal, not {sorted(stated)}")
        side = stated.pop() if stated else DEFAULT_SIZE
        angle = 90.0 if kind == "square" else (step.angle or 60.0)
        if kind == "square" and step.angle is not None and abs(step.angle - 90) > 0.5:
            raise ValueError(f"square {name}: its angles are 90 degrees")
        d = _rot((side, 0.0), angle)
        return [(0.0, 0.0), (side, 0.0), (side + d[0], d[1]), d], free
    if kind in ("rectangle", "parallelogram"):
        w = sides[0] if sides[0] is not None else sides[2]
        h = sides[1] if sides[1] is not None else sides[3]
        for i, j in ((0, 2), (1, 3)):
            if sides[i] is not None and sides[j] is not None and not _close(sides[i], sides[j]):
                raise ValueError(f"{kind} {name}: opposite sides must be equal")
        angle = 90.0 if kind == "rectangle" else (step.angle or 60.0)
        if kind == "rectangle" and step.angle is not None and abs(step.angle - 90) > 0.5:
            raise ValueError(f"rectangle {name}: its angles are 90 degrees")
        if h is None and step.height is not None:
            h = step.height / math.sin(math.radians(angle))
        if w is None and h is None:
            w, h = 1.5 * DEFAULT_SIZE, DEFAULT_SIZE
        elif w is None:
            w = 1.5 * h
        elif h is None:
            h = w / 1.5
        if step.height is not None and not _close(h * math.sin(math.radians(angle)), step.height):
            raise ValueError(f"{kind} {name}: the stated height does not fit its sides and angle")
        d = _rot((h, 0.0), angle)
        return [(0.0, 0.0), (w, 0.0), (w + d[0], d[1]), d], free
    if kind == "trapezoid":
        bottom = sides[0] if sides[0] is not None else DEFAULT_SIZE * 1.5
        top = sides[2] if sides[2] is not None else bottom * 0.6
        leg = sides[3] if sides[3] is not None else sides[1]
        h = step.height
        if step.angle is not None:  # angle at A fixes D's direction
            if h is None:
                h = leg * math.sin(math.radians(step.angle)) if leg is not None else bottom * 0.5
            elif leg is not None and not _close(leg * math.sin(math.radians(step.angle)), h):
                raise ValueError(f"trapezoid {name}: the stated leg, angle and height disagree")
            dx = h / math.tan(math.radians(step.angle))
        else:  # isosceles
            dx = (bottom - top) / 2
            if h is None:
                if leg is not None:
                    if leg <= abs(dx):
                        raise ValueError(
                            f"trapezoid {name}: legs of {_fmt(leg)} cannot join parallel sides "
                            f"of {_fmt(bottom)} and {_fmt(top)}"
                        )
                    h = math.sqrt(leg * leg - dx * dx)
                else:
                    h = bottom * 0.5
            elif leg is not None and not _close(math.hypot(dx, h), leg):
                raise ValueError(f"trapezoid {name}: the stated legs and height disagree")
        return [(0.0, 0.0), (bottom, 0.0), (dx + top, h), (dx, h)], free
    if kind == "regular":
        stated = {v for v in sides[:n] if v is not None}
        if len(stated) > 1:
            raise ValueError(f"regular polygon {name}: its sides are equal, not {sorted(stated)}")
        side = stated.pop() if stated else DEFAULT_SIZE
        pts, p, heading = [], (0.0, 0.0), 0.0
        for _ in range(n):
            pts.append(p)
            d = _rot((side, 0.0), heading)
            p = (p[0] + d[0], p[1] + d[1])
            heading += 360.0 / n
        return pts, free
    raise AssertionError(kind)


def _place(
    sol: _Solution,
    names: list[str],
    local: list[tuple[float, float]],
    free: bool,
    flip: bool,
    what: str,
    rotate: bool = True,
) -> None:
    """Put a shape given in local coordinates where its already-made points are, by a
    similarity (scaled only when no length was stated), and make its new points."""
    if len(set(names)) != len(names):
        raise ValueError(f"{what}: a point is repeated")
    known = [i for i, n in enumerate(names) if n in sol.pts]
    if flip and (len(known) < 2 or not rotate):
        local = [(x, -y) for x, y in local]
    if not known:
        size = sol.size()
        xs, ys = [p[0] for p in local], [p[1] for p in local]
        ext = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
        k = 0.8 * size / ext if free and size > 0 and ext > 0 else 1.0
        local = [(x * k, y * k) for x, y in local]
        dx = dy = 0.0
        if sol.pts:  # a separate figure: beside the others, to the right
            px = [p[0] for p in sol.pts.values()]
            py = [p[1] for p in sol.pts.values()]
            gap = 0.25 * max(size, ext * k)
            dx = max(px) + gap - min(x for x, _ in local)
            dy = min(py) - min(y for _, y in local)
        for n, (x, y) in zip(names, local):
            sol.add(n, (x + dx, y + dy), what)
        return
    if len(known) == 1 or not rotate:
        i = known[0]
        if free and len(known) == 1 and sol.size() > 0:
            xs, ys = [p[0] for p in local], [p[1] for p in local]
            ext = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
            if ext > 0:
                k = 0.8 * sol.size() / ext
                local = [(x * k, y * k) for x, y in local]
        t = _sub(sol.pts[names[i]], local[i])
        placed = [(x + t[0], y + t[1]) for x, y in local]
        for j in known[1:]:
            if _dist(placed[j], sol.pts[names[j]]) > TOL * max(1.0, sol.size()):
                raise ValueError(f"{what}: does not fit the existing point {names[j]}")
        for n, p in zip(names, placed):
            if n not in sol.pts:
                sol.add(n, p, what)
        return
    i, j = known[0], known[1]
    pi, pj = sol.pts[names[i]], sol.pts[names[j]]
    d_world, d_local = _dist(pi, pj), _dist(local[i], local[j])
    if d_world <= 0 or d_local <= 0:
        raise ValueError(f"{what}: points {names[i]} and {names[j]} coincide")
    if free:
        k = d_world / d_local
    elif not _close(d_world, d_local):
        raise ValueError(
            f"{what}: stated values make {names[i]}{names[j]} = {_fmt(round(d_local, 6))} but "
            f"{names[i]} and {names[j]} are already {_fmt(round(d_world, 6))} apart"
        )
    else:
        k = 1.0
    candidates = []
    for mirror in (False, True):
        loc = [(x, -y) for x, y in local] if mirror else local
        a_w = math.atan2(pj[1] - pi[1], pj[0] - pi[0])
        a_l = math.atan2(loc[j][1] - loc[i][1], loc[j][0] - loc[i][0])
        turn = math.degrees(a_w - a_l)
        placed = []
        for p in loc:
            v = _rot(((p[0] - loc[i][0]) * k, (p[1] - loc[i][1]) * k), turn)
            placed.append((pi[0] + v[0], pi[1] + v[1]))
        fits = all(_dist(placed[m], sol.pts[names[m]]) <= TOL * max(1.0, sol.size()) for m in known)
        candidates.append((placed, fits))
    fitting = [c for c, ok in candidates if ok]
    if not fitting:
        raise ValueError(
            f"{what}: does not fit the existing points {', '.join(names[m] for m in known)}"
        )
    if len(fitting) == 2 and len(known) == 2:
        others = [p for n, p in sol.pts.items() if n not in names]
        new = [m for m in range(len(names)) if m not in known]
        if others and new:  # new points away from the rest of the figure
            ox = sum(p[0] for p in others) / len(others)
            oy = sum(p[1] for p in others) / len(others)

            def away(placed):
                cx = sum(placed[m][0] for m in new) / len(new)
                cy = sum(placed[m][1] for m in new) / len(new)
                return math.hypot(cx - ox, cy - oy)

            if away(fitting[1]) > away(fitting[0]) + 1e-9 * max(1.0, sol.size()):
                fitting.reverse()
        if flip:
            fitting.reverse()
    placed = fitting[0]
    for n, p in zip(names, placed):
        if n not in sol.pts:
            sol.add(n, p, what)


def _line_intersection(p, q, r, s, what: str):
    d1, d2 = _sub(q, p), _sub(s, r)
    den = d1[0] * d2[1] - d1[1] * d2[0]
    scale = math.hypot(*d1) * math.hypot(*d2)
    if scale == 0:
        raise ValueError(f"{what}: a line is given by two equal points")
    if abs(den) <= 1e-9 * scale:
        raise ValueError(f"{what}: the lines are parallel and do not meet")
    w = _sub(r, p)
    t = (w[0] * d2[1] - w[1] * d2[0]) / den
    return (p[0] + t * d1[0], p[1] + t * d1[1])


def _circle_intersection(line, circles, which: int, what: str):
    """Where line PQ meets a circle, or two circles meet: one of the two points (``which``)."""
    if line is None:
        (o1, r1), (o2, r2) = circles
        d = _dist(o1, o2)
        if d == 0 or d > r1 + r2 + 1e-9 * max(r1, r2) or d < abs(r1 - r2) - 1e-9 * max(r1, r2):
            raise ValueError(f"{what}: the two circles do not meet")
        a = (d * d + r1 * r1 - r2 * r2) / (2 * d)
        u = _sub(o2, o1)
        u = (u[0] / d, u[1] / d)
        base, h = (o1[0] + a * u[0], o1[1] + a * u[1]), math.sqrt(max(r1 * r1 - a * a, 0.0))
        away = (-u[1], u[0])  # the two points lie across the line of centres
    else:
        p, q = line
        (o, r) = circles[0]
        length = _dist(p, q)
        if length == 0:
            raise ValueError(f"{what}: a line is given by two equal points")
        u = (_sub(q, p)[0] / length, _sub(q, p)[1] / length)
        t = (o[0] - p[0]) * u[0] + (o[1] - p[1]) * u[1]
        base = (p[0] + t * u[0], p[1] + t * u[1])
        off = _dist(base, o)
        if off > r * (1 + 1e-9):
            raise ValueError(f"{what}: the line does not meet the circle")
        h = math.sqrt(max(r * r - off * off, 0.0))
        away = u  # the two points lie along the line
    sign = 1 if which == 1 else -1
    return (base[0] + sign * h * away[0], base[1] + sign * h * away[1])


def _centers(kind: str, a, b, c, what: str):
    area2 = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    scale = max(_dist(a, b), _dist(b, c), _dist(c, a)) ** 2
    if abs(area2) <= 1e-9 * scale or scale == 0:
        raise ValueError(f"{what}: the three points are collinear")
    if kind == "centroid":
        return ((a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3)
    if kind == "incenter":
        la, lb, lc = _dist(b, c), _dist(c, a), _dist(a, b)
        t = la + lb + lc
        return ((la * a[0] + lb * b[0] + lc * c[0]) / t, (la * a[1] + lb * b[1] + lc * c[1]) / t)
    d = 2 * area2
    sa, sb, sc = a[0] ** 2 + a[1] ** 2, b[0] ** 2 + b[1] ** 2, c[0] ** 2 + c[1] ** 2
    ux = (sa * (b[1] - c[1]) + sb * (c[1] - a[1]) + sc * (a[1] - b[1])) / d
    uy = (sa * (c[0] - b[0]) + sb * (a[0] - c[0]) + sc * (b[0] - a[0])) / d
    if kind == "circumcenter":
        return (ux, uy)
    return (a[0] + b[0] + c[0] - 2 * ux, a[1] + b[1] + c[1] - 2 * uy)  # orthocenter


_POINT_ARITY = {
    "xy": (0, 0),
    "midpoint": (2, 2),
    "on_segment": (2, 2),
    "foot": (3, 3),
    "intersection": (2, 4),
    "ray": (1, 2),
    "on_circle": (1, 1),
    "tangent": (2, 2),
    "centroid": (3, 3),
    "circumcenter": (3, 3),
    "incenter": (3, 3),
    "orthocenter": (3, 3),
}


def _point(sol: _Solution, step: Point) -> None:
    what = f"point {step.name} ({step.kind})"
    lo, hi = _POINT_ARITY[step.kind]
    if not lo <= len(step.of) <= hi:
        want = str(lo) if lo == hi else f"{lo} or {hi}"
        raise ValueError(f"{what}: 'of' needs {want} points, got {len(step.of)}")
    ps = [sol.get(n, what) for n in step.of]
    k = step.kind
    if k == "xy":
        if step.x is None or step.y is None:
            raise ValueError(f"{what}: needs both x and y")
        xy = (step.x, step.y)
    elif k == "midpoint" or k == "on_segment":
        p, q = ps
        if k == "midpoint":
            t = 0.5
        elif step.ratio is not None:
            t = step.ratio
        elif step.length is not None:
            if _dist(p, q) == 0:
                raise ValueError(f"{what}: {step.of[0]} and {step.of[1]} coincide")
            t = step.length / _dist(p, q)
        else:
            t = 1 / 3
        xy = (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
    elif k == "foot":
        p, q, r = ps
        d = _sub(r, q)
        dd = d[0] ** 2 + d[1] ** 2
        if dd == 0:
            raise ValueError(f"{what}: {step.of[1]} and {step.of[2]} coincide")
        t = ((p[0] - q[0]) * d[0] + (p[1] - q[1]) * d[1]) / dd
        xy = (q[0] + t * d[0], q[1] + t * d[1])
    elif k == "intersection" and len(ps) == 4:
        xy = _line_intersection(*ps, what)
    elif k == "intersection":
        line = ps[:2] if len(ps) == 3 else None
        centers = step.of[2:] if line else step.of
        circles = [(sol.pts[c], sol.radius_of(c, what, None)) for c in centers]
        xy = _circle_intersection(line, circles, step.which, what)
    elif k == "ray":
        p = ps[0]
        base = 0.0
        if len(ps) == 2:
            if _dist(p, ps[1]) == 0:
                raise ValueError(f"{what}: {step.of[0]} and {step.of[1]} coincide")
            base = math.degrees(math.atan2(ps[1][1] - p[1], ps[1][0] - p[0]))
        length = step.length
        if length is None:
            length = _dist(p, ps[1]) if len(ps) == 2 else sol.default_length()
        d = _rot((length, 0.0), base + (step.angle or 0.0))
        xy = (p[0] + d[0], p[1] + d[1])
    elif k == "on_circle":
        r = sol.radius_of(step.of[0], what, step.length)
        d = _rot((r, 0.0), step.angle if step.angle is not None else 45.0)
        xy = (ps[0][0] + d[0], ps[0][1] + d[1])
    elif k == "tangent":
        p, o = ps
        r = sol.radius_of(step.of[1], what, step.length)
        d = _dist(p, o)
        if d <= r * (1 + 1e-9):
            raise ValueError(
                f"{what}: {step.of[0]} is not outside the circle centred at {step.of[1]}"
            )
        turn = math.degrees(math.acos(r / d)) * (1 if step.which == 1 else -1)
        u = _rot(((p[0] - o[0]) * r / d, (p[1] - o[1]) * r / d), turn)
        xy = (o[0] + u[0], o[1] + u[1])
    else:
        xy = _centers(k, *ps, what)
    sol.add(step.name, xy, what)


def _solve(scene: GeometryScene) -> _Solution:
    sol = _Solution()
    for step in scene.steps:
        if isinstance(step, Triangle):
            what = f"triangle {''.join(step.points)}"
            if all(n in sol.pts for n in step.points) and not step.sides and not step.angles:
                pass  # joins existing points
            else:
                local, free = _triangle_local(step)
                _place(sol, list(step.points), local, free, step.flip, what)
            names = list(step.points)
            sol.edges.extend(zip(names, names[1:] + names[:1]))
            if step.shaded:
                sol.fills.append(names)
        elif isinstance(step, Polygon):
            what = f"{step.kind} {''.join(step.points)}"
            names = list(step.points)
            if step.kind == "polygon" and not any(n in sol.pts for n in names):
                # a polygon of points no step made (seed 31: "polygon abcd" as the first step):
                # drawn regular, as the shape with those vertices and nothing else stated
                local, free = _polygon_local(step.model_copy(update={"kind": "regular"}))
                _place(sol, names, local, free, step.flip, what)
            elif step.kind == "polygon":
                for n in names:
                    sol.get(n, what)
                if len(set(names)) != len(names):
                    raise ValueError(f"{what}: a point is repeated")
            else:
                local, free = _polygon_local(step)
                _place(sol, names, local, free, step.flip, what)
            sol.edges.extend(zip(names, names[1:] + names[:1]))
            if step.shaded:
                sol.fills.append(names)
        elif isinstance(step, Segment):
            what = f"segment {''.join(step.points)}"
            length = step.length
            free = length is None
            if free:
                length = sol.default_length()
            d = _rot((length, 0.0), step.angle or 0.0)
            p, q = step.points
            if p in sol.pts and q in sol.pts:
                if step.length is not None and not _close(_dist(sol.pts[p], sol.pts[q]), length):
                    raise ValueError(
                        f"{what}: stated length {_fmt(length)} but {p} and {q} are already "
                        f"{_fmt(round(_dist(sol.pts[p], sol.pts[q]), 6))} apart"
                    )
            else:
                _place(sol, [p, q], [(0.0, 0.0), d], False, False, what, rotate=False)
            sol.edges.append((p, q))
        elif isinstance(step, Circle):
            what = f"{step.kind} centred at {step.center}"
            if step.kind == "circle":
                if step.of:
                    raise ValueError(f"{what}: 'of' is only for circumcircle or incircle")
                if step.center not in sol.pts:
                    if step.through is not None and step.through not in sol.pts:
                        raise ValueError(f"{what}: point {step.through} is not defined")
                    _place(sol, [step.center], [(0.0, 0.0)], True, False, what)
                c = sol.pts[step.center]
                if step.through is not None:
                    r = _dist(c, sol.get(step.through, what))
                    if r == 0:
                        raise ValueError(f"{what}: it passes through its own center")
                    if step.radius is not None and not _close(r, step.radius):
                        raise ValueError(
                            f"{what}: radius {_fmt(step.radius)} does not reach {step.through}"
                        )
                else:
                    r = step.radius if step.radius is not None else sol.default_length()
            else:
                if len(step.of) != 3:
                    raise ValueError(f"{what}: 'of' needs the triangle's 3 points")
                a, b, c3 = (sol.get(n, what) for n in step.of)
                kind = "circumcenter" if step.kind == "circumcircle" else "incenter"
                c = _centers(kind, a, b, c3, what)
                if step.kind == "circumcircle":
                    r = _dist(c, a)
                else:
                    la, lb, lc = _dist(b, c3), _dist(c3, a), _dist(a, b)
                    s = (la + lb + lc) / 2
                    r = math.sqrt(max(s * (s - la) * (s - lb) * (s - lc), 0)) / s
                if step.radius is not None and not _close(r, step.radius):
                    raise ValueError(
                        f"{what}: its radius is {_fmt(round(r, 6))}, not {_fmt(step.radius)}"
                    )
                if step.center in sol.pts:
                    if _dist(sol.pts[step.center], c) > TOL * max(1.0, sol.size()):
                        raise ValueError(f"{what}: point {step.center} is already elsewhere")
                else:
                    sol.add(step.center, c, what)
            sol.circles.append((step.center, r, step.label, step.shaded))
        else:
            _point(sol, step)
    # what is drawn may use only points that were made
    for m in scene.segments:
        for n in m.points:
            sol.get(n, f"segment {''.join(m.points)}")
        if _dist(sol.pts[m.points[0]], sol.pts[m.points[1]]) <= 1e-9 * max(sol.size(), 1e-300):
            raise ValueError(f"segment {''.join(m.points)}: its end points coincide")
    for m in scene.angles:
        for n in m.points:
            sol.get(n, f"angle {''.join(m.points)}")
        v = sol.pts[m.points[1]]
        tiny = 1e-9 * max(sol.size(), 1e-300)
        if _dist(sol.pts[m.points[0]], v) <= tiny or _dist(sol.pts[m.points[2]], v) <= tiny:
            raise ValueError(f"angle {''.join(m.points)}: a side has no length")
    for m in scene.arcs:
        what = f"arc {''.join(m.points)}"
        o = sol.get(m.center, what)
        r = [_dist(o, sol.get(n, what)) for n in m.points]
        if min(r) == 0 or not _close(r[0], r[1]):
            raise ValueError(f"{what}: its end points are not on one circle centred at {m.center}")
    for p in scene.points:
        sol.get(p.name, "points")
    return sol


# ---------------------------------------------------------------------------------------------
# Renderer: fit, draw, place labels
# ---------------------------------------------------------------------------------------------

POINT_PT, LABEL_PT, TITLE_PT, NOTE_PT, MIN_PT = 13, 11, 12, 10, 9
LINE = "#1f1f1f"
ACCENT = "#1f5fa8"
MARK = "#b03a2e"


def _seg_hits_box(p, q, box) -> bool:
    """Liang-Barsky: does segment pq cross the box (x0, y0, x1, y1)?"""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def _circle_hits_box(c, r, box) -> bool:
    x0, y0, x1, y1 = box
    nx, ny = min(max(c[0], x0), x1), min(max(c[1], y0), y1)
    near = math.hypot(nx - c[0], ny - c[1])
    far = max(math.hypot(x - c[0], y - c[1]) for x in (x0, x1) for y in (y0, y1))
    return near <= r <= far


def _boxes_overlap(a, b, pad: float = 2.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


class _Renderer:
    def __init__(self, scene: GeometryScene, sol: _Solution, fig: Any) -> None:
        self.scene, self.sol, self.fig = scene, sol, fig
        self.placed: list[tuple[float, float, float, float]] = []
        self.lines: list[tuple[tuple[float, float], tuple[float, float]]] = []  # pixel
        self.rings: list[tuple[tuple[float, float], float]] = []  # pixel circles
        self.dots: list[tuple[float, float]] = []
        self.angle_count: dict[str, int] = {}
        self.angle_geo: dict[int, tuple] = {}  # id(mark) -> vertex, start, sweep, arc radius

    # -- coordinates ------------------------------------------------------------------------

    def px(self, p) -> tuple[float, float]:
        return (self.cx + self.s * (p[0] - self.xm), self.cy + self.s * (p[1] - self.ym))

    def data(self, q) -> tuple[float, float]:
        return ((q[0] - self.cx) / self.s + self.xm, (q[1] - self.cy) / self.s + self.ym)

    def _used_points(self) -> list[str]:
        used = set(self.texts)
        for a, b in self.sol.edges:
            used.update((a, b))
        for m in self.scene.segments:
            used.update(m.points)
        for m in self.scene.angles:
            used.update(m.points)
        for m in self.scene.arcs:
            used.update((m.center, *m.points))
        for c, *_ in self.sol.circles:
            used.add(c)
        return [n for n in self.sol.order if n in used]

    def _extent(self) -> tuple[float, float, float, float]:
        xs, ys = [], []
        for n in self._used_points():
            xs.append(self.sol.pts[n][0])
            ys.append(self.sol.pts[n][1])
        for c, r, _, _ in self.sol.circles:
            x, y = self.sol.pts[c]
            xs += [x - r, x + r]
            ys += [y - r, y + r]
        if self.scene.axes:
            xs.append(0.0)
            ys.append(0.0)
        if not xs:
            return -1.0, -1.0, 1.0, 1.0
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if self.scene.axes:
            pad = 0.12 * max(x1 - x0, y1 - y0, 1e-9)
            x0, x1, y0, y1 = x0 - pad * 0.3, x1 + pad, y0 - pad * 0.3, y1 + pad
        span = max(x1 - x0, y1 - y0)
        if span <= 0:
            span = 1.0
        if x1 - x0 < 0.02 * span:
            x0, x1 = x0 - 0.01 * span, x1 + 0.01 * span
        if y1 - y0 < 0.02 * span:
            y0, y1 = y0 - 0.01 * span, y1 + 0.01 * span
        return x0, y0, x1, y1

    # -- text measurement -------------------------------------------------------------------

    def _renderer(self):
        canvas = self.fig.canvas
        if hasattr(canvas, "get_renderer"):
            return canvas.get_renderer()
        return self.fig._get_renderer()

    def make_text(self, text: str, size: float, **kw):
        """A text artist and its box offsets (x0, y0, x1, y1) from its anchor, in pixels."""
        import matplotlib.transforms as mtrans

        if len(text.strip()) == 1 and text.strip().isalpha() and "style" not in kw:
            kw["style"] = "italic"  # a variable's name: l, x, r
        t = self.ax.text(
            0,
            0,
            text,
            fontsize=size,
            ha="center",
            va="center",
            transform=mtrans.IdentityTransform(),
            **kw,
        )
        try:
            bb = t.get_window_extent(self._renderer())
        except Exception:  # a label that mathtext cannot parse: its plain characters
            t.set_text(text.replace("$", ""))
            bb = t.get_window_extent(self._renderer())
        return t, (bb.x0, bb.y0, bb.x1, bb.y1)

    # -- main -------------------------------------------------------------------------------

    def run(self) -> None:
        scene = self.scene
        self.texts = scene._point_texts()
        x0, y0, x1, y1 = self._extent()
        gw, gh = x1 - x0, y1 - y0
        aspect = gw / gh
        n_labels = len(scene.labels())
        if aspect >= 1.7:
            w_in, h_in = 8.0, 4.6
        elif aspect >= 1.15:
            w_in, h_in = 6.4, 4.8
        elif aspect >= 0.8:
            w_in, h_in = 6.0, 5.2
        else:
            w_in, h_in = 5.0, 6.2
        if n_labels > 22:
            k = min(1.45, math.sqrt(n_labels / 22))
            w_in, h_in = min(10.0, w_in * k), min(8.0, h_in * k)
        self.fig.set_size_inches(w_in, h_in)
        dpi = self.fig.dpi
        self.W, self.H = w_in * dpi, h_in * dpi
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_axis_off()

        # measure the labels, reserve strips for the title and notes
        top = 6.0
        self.title_art = None
        if scene.title and scene.title.strip():
            size = TITLE_PT
            while True:
                t, box = self.make_text(scene.title, size, fontweight="bold")
                if box[2] - box[0] <= self.W - 16 or size <= MIN_PT:
                    break
                t.remove()
                size -= 1
            self.title_art = (t, box)
            top += box[3] - box[1] + 6
        self.note_arts = []
        bottom = 4.0
        for note in scene.notes:
            if note.strip():
                t, box = self.make_text(note, NOTE_PT)
                t.set_horizontalalignment("left")
                box2 = t.get_window_extent(self._renderer())
                self.note_arts.append((t, (box2.x0, box2.y0, box2.x1, box2.y1)))
                bottom += box2.height + 3
        point_w = point_h = 0.0
        measured = {}
        for n, text in self.texts.items():
            measured[n] = self.make_text(text, POINT_PT, style="normal")
            b = measured[n][1]
            point_w, point_h = max(point_w, b[2] - b[0]), max(point_h, b[3] - b[1])
        other_w = other_h = 0.0
        for item in (*scene.segments, *scene.angles, *scene.arcs):
            if item.label and item.label.strip():
                probe, b = self.make_text(item.label, LABEL_PT)  # a measure only
                probe.remove()
                other_w, other_h = max(other_w, b[2] - b[0]), max(other_h, b[3] - b[1])
        mx = min(max(30.0, point_w + 14, 0.6 * other_w + 10), 0.25 * self.W)
        my = min(max(28.0, point_h + 12, other_h + 14), 0.2 * self.H)
        avail_w = self.W - 2 * mx
        avail_h = self.H - 2 * my - top - bottom
        self.s = min(avail_w / gw, avail_h / gh)
        self.xm, self.ym = (x0 + x1) / 2, (y0 + y1) / 2
        self.cx = self.W / 2
        self.cy = bottom + my + avail_h / 2
        self.ax.set_xlim(self.data((0, 0))[0], self.data((self.W, 0))[0])
        self.ax.set_ylim(self.data((0, 0))[1], self.data((0, self.H))[1])

        if self.title_art:
            t, box = self.title_art
            c = (self.W / 2, self.H - 6 - box[3])
            self._put(t, box, c)
        y = 4.0
        for t, box in reversed(self.note_arts):
            c = (8 - box[0], y - box[1])
            self._put(t, box, c)
            y += box[3] - box[1] + 3

        self.draw_geometry()
        self.place_point_labels(measured)
        self.place_angle_labels()
        self.place_segment_labels()
        self.place_arc_labels()
        self.place_circle_labels()
        if scene.axes:
            self.place_axis_labels()

    # -- drawing ----------------------------------------------------------------------------

    def line(self, p, q, **kw) -> None:
        a, b = self.px(p), self.px(q)
        self.ax.plot([p[0], q[0]], [p[1], q[1]], **{"color": LINE, "lw": 1.8, **kw})
        self.lines.append((a, b))

    def pxline(self, a, b, **kw) -> None:
        p, q = self.data(a), self.data(b)
        self.ax.plot([p[0], q[0]], [p[1], q[1]], **{"color": LINE, "lw": 1.8, **kw})
        self.lines.append((a, b))

    def draw_geometry(self) -> None:
        from matplotlib.patches import Arc, FancyArrowPatch
        from matplotlib.patches import Circle as CirclePatch
        from matplotlib.patches import Polygon as PolygonPatch

        sol, ax = self.sol, self.ax
        if self.scene.axes:
            x0, y0 = self.data((0, 0))
            x1, y1 = self.data((self.W, self.H))
            ex0, ey0, ex1, ey1 = self._extent()
            for a, b in (((ex0, 0.0), (ex1, 0.0)), ((0.0, ey0), (0.0, ey1))):
                ax.add_patch(
                    FancyArrowPatch(
                        a, b, arrowstyle="-|>", mutation_scale=12, color="#777777", lw=1.0
                    )
                )
                self.lines.append((self.px(a), self.px(b)))
            self.axis_ends = (self.px((ex1, 0.0)), self.px((0.0, ey1)))
        for names in sol.fills:
            ax.add_patch(
                PolygonPatch(
                    [sol.pts[n] for n in names], closed=True, color=ACCENT, alpha=0.15, lw=0
                )
            )
        for c, r, _, shaded in sol.circles:
            ax.add_patch(CirclePatch(sol.pts[c], r, fill=False, color=LINE, lw=1.6))
            if shaded:
                ax.add_patch(CirclePatch(sol.pts[c], r, color=ACCENT, alpha=0.12, lw=0))
            self.rings.append((self.px(sol.pts[c]), r * self.s))
        drawn = set()
        for a, b in sol.edges:
            key = frozenset((a, b))
            if key not in drawn and sol.pts[a] != sol.pts[b]:
                drawn.add(key)
                self.line(sol.pts[a], sol.pts[b])
        for m in self.scene.segments:
            a, b = m.points
            key = frozenset((a, b))
            if m.dashed and key not in drawn:
                self.line(sol.pts[a], sol.pts[b], ls=(0, (5, 3)), lw=1.3, color="#555555")
            elif key not in drawn:
                self.line(sol.pts[a], sol.pts[b])
            drawn.add(key)
            if m.ticks:
                self.draw_ticks(self.px(sol.pts[a]), self.px(sol.pts[b]), m.ticks)
        for m in self.scene.arcs:
            o = sol.pts[m.center]
            p, q = sol.pts[m.points[0]], sol.pts[m.points[1]]
            r = _dist(o, p)
            t1 = math.degrees(math.atan2(p[1] - o[1], p[0] - o[0]))
            t2 = math.degrees(math.atan2(q[1] - o[1], q[0] - o[0]))
            ax.add_patch(Arc(o, 2 * r, 2 * r, theta1=t1, theta2=t2, color=MARK, lw=2.6))
        for m in self.scene.angles:
            self.draw_angle(m)
        for n in self._used_points():
            if n in self.texts:
                x, y = sol.pts[n]
                ax.plot([x], [y], "o", ms=5, color=LINE, zorder=5)
                self.dots.append(self.px((x, y)))

    def draw_ticks(self, a, b, n: int) -> None:
        length = _dist(a, b)
        if length == 0:
            return
        u = ((b[0] - a[0]) / length, (b[1] - a[1]) / length)
        nrm = (-u[1], u[0])
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        for i in range(n):
            off = (i - (n - 1) / 2) * 5
            c = (mid[0] + u[0] * off, mid[1] + u[1] * off)
            p = (c[0] - nrm[0] * 6, c[1] - nrm[1] * 6)
            q = (c[0] + nrm[0] * 6, c[1] + nrm[1] * 6)
            self.pxline(p, q, lw=1.4, color=LINE)

    def _angle_geometry(self, m: AngleMark):
        p, v, q = (self.px(self.sol.pts[n]) for n in m.points)
        a1 = math.degrees(math.atan2(p[1] - v[1], p[0] - v[0]))
        a2 = math.degrees(math.atan2(q[1] - v[1], q[0] - v[0]))
        sweep = (a2 - a1) % 360
        if sweep > 180:  # the inner angle, from the other ray
            a1, a2, sweep = a2, a1, 360 - sweep
        return v, a1, sweep, min(_dist(p, v), _dist(q, v))

    def draw_angle(self, m: AngleMark) -> None:
        from matplotlib.patches import Arc

        v, a1, sweep, leg = self._angle_geometry(m)
        k = self.angle_count.get(m.points[1], 0)
        self.angle_count[m.points[1]] = k + 1
        if m.right:
            size = max(4.0, min(11.0, 0.3 * leg)) + 4 * k
            u1, u2 = _rot((1, 0), a1), _rot((1, 0), a1 + sweep)
            p1 = (v[0] + u1[0] * size, v[1] + u1[1] * size)
            p2 = (v[0] + u2[0] * size, v[1] + u2[1] * size)
            corner = (p1[0] + u2[0] * size, p1[1] + u2[1] * size)
            self.pxline(p1, corner, lw=1.2, color=LINE)
            self.pxline(corner, p2, lw=1.2, color=LINE)
            m_radius = size * 1.42
        else:
            base = 24.0 if sweep >= 25 else min(70.0, 24.0 * 25 / max(sweep, 1.0))
            m_radius = max(6.0, min(base, 0.45 * leg)) + 6 * k
            r = m_radius / self.s
            self.ax.add_patch(
                Arc(self.data(v), 2 * r, 2 * r, theta1=a1, theta2=a1 + sweep, color=MARK, lw=1.4)
            )
            steps = max(2, int(sweep // 20) + 1)
            pts = [
                (
                    v[0] + m_radius * math.cos(math.radians(a1 + sweep * i / steps)),
                    v[1] + m_radius * math.sin(math.radians(a1 + sweep * i / steps)),
                )
                for i in range(steps + 1)
            ]
            self.lines.extend(zip(pts, pts[1:]))
        self.angle_geo[id(m)] = (v, a1, sweep, m_radius)

    # -- label placement --------------------------------------------------------------------

    def _cost(self, box, anchor_dot=None) -> float | None:
        """None when the box overlaps a label or leaves the canvas; else how much it covers."""
        if box[0] < 2 or box[1] < 2 or box[2] > self.W - 2 or box[3] > self.H - 2:
            return None
        for other in self.placed:
            if _boxes_overlap(box, other):
                return None
        pad = (box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1)
        cost = 0.0
        for a, b in self.lines:
            if _seg_hits_box(a, b, pad):
                cost += 4.0
        for c, r in self.rings:
            if _circle_hits_box(c, r, pad):
                cost += 4.0
        for d in self.dots:
            if pad[0] - 4 <= d[0] <= pad[2] + 4 and pad[1] - 4 <= d[1] <= pad[3] + 4:
                cost += 6.0
        return cost

    def _put(self, t, off, center) -> None:
        box = (center[0] + off[0], center[1] + off[1], center[0] + off[2], center[1] + off[3])
        t.set_position(center)
        self.placed.append(box)

    def _choose(self, t, off, centers, anchor, size: float) -> None:
        """Put text ``t`` at the cheapest free candidate centre (earlier ones preferred), else
        at the nearest free spot of the canvas (with a leader line), else smaller."""
        best, best_cost = None, None
        for rank, c in enumerate(centers):
            box = (c[0] + off[0], c[1] + off[1], c[0] + off[2], c[1] + off[3])
            cost = self._cost(box)
            if cost is None:
                continue
            cost += 0.06 * rank
            if best_cost is None or cost < best_cost:
                best, best_cost = c, cost
            if cost < 0.06 * (rank + 1) and rank < 3:
                break
        if best is not None and best_cost < 4:  # crosses nothing
            self._put(t, off, best)
            return
        spot, spot_cost = self._free_spot(off, anchor, 140.0)
        if spot is None or spot_cost >= 4:
            if best is not None and best_cost < 12:
                self._put(t, off, best)
                return
            if spot is None:
                spot, spot_cost = self._free_spot(off, anchor, None)
        if spot is None and size > MIN_PT:
            t.set_fontsize(MIN_PT)
            bb = t.get_window_extent(self._renderer())
            pos = t.get_position()
            off = (bb.x0 - pos[0], bb.y0 - pos[1], bb.x1 - pos[0], bb.y1 - pos[1])
            spot, spot_cost = self._free_spot(off, anchor, None)
            best = None
        if spot is None:  # a full canvas: nowhere free is left; at least stay on it
            c = best or centers[0]
            cx = min(max(c[0], 2 - off[0]), self.W - 2 - off[2])
            cy = min(max(c[1], 2 - off[1]), self.H - 2 - off[3])
            self._put(t, off, (cx, cy))
            return
        if best is not None and best_cost <= spot_cost:
            self._put(t, off, best)
            return
        box = self._box(spot, off)
        nx = min(max(anchor[0], box[0]), box[2])
        ny = min(max(anchor[1], box[1]), box[3])
        if math.hypot(nx - anchor[0], ny - anchor[1]) > 16:  # a leader line to a far label
            (ax0, ay0), (ax1, ay1) = self.data(anchor), self.data((nx, ny))
            self.ax.plot([ax0, ax1], [ay0, ay1], color="#888888", lw=0.7)
        self._put(t, off, spot)

    @staticmethod
    def _box(c, off):
        return (c[0] + off[0], c[1] + off[1], c[0] + off[2], c[1] + off[3])

    def _free_spot(self, off, anchor, radius: float | None):
        """The free grid spot nearest ``anchor`` (within ``radius`` pixels), crossings
        counting as distance, and its crossing cost; (None, None) when none is free."""
        best, best_d, best_cost = None, None, None
        step = 6.0 if radius is not None else 10.0
        if radius is None:
            xs = [i * step for i in range(int(self.W // step) + 1)]
            ys = [j * step for j in range(int(self.H // step) + 1)]
        else:
            n = int(radius // step)
            xs = [anchor[0] + i * step for i in range(-n, n + 1)]
            ys = [anchor[1] + j * step for j in range(-n, n + 1)]
        for x in xs:
            for y in ys:
                d = math.hypot(x - anchor[0], y - anchor[1])
                if (radius is not None and d > radius) or (best_d is not None and d >= best_d):
                    continue
                cost = self._cost(self._box((x, y), off))
                if cost is None:
                    continue
                d += 15 * cost
                if best_d is None or d < best_d:
                    best, best_d, best_cost = (x, y), d, cost
        return best, best_cost

    @staticmethod
    def _reach(u, off, gap: float) -> float:
        """How far along unit ``u`` a box centre must go to keep ``gap`` pixels clear."""
        hw, hh = (off[2] - off[0]) / 2, (off[3] - off[1]) / 2
        return gap + abs(u[0]) * hw + abs(u[1]) * hh

    def place_point_labels(self, measured) -> None:
        sol = self.sol
        pts = {n: self.px(sol.pts[n]) for n in self._used_points()}
        if not pts:
            return
        gx = sum(p[0] for p in pts.values()) / len(pts)
        gy = sum(p[1] for p in pts.values()) / len(pts)
        directions: dict[str, list[float]] = {n: [] for n in pts}

        def add(a, b):
            pa, pb = self.px(sol.pts[a]), self.px(sol.pts[b])
            if pa == pb:
                return
            if a in directions:
                directions[a].append(math.atan2(pb[1] - pa[1], pb[0] - pa[0]))
            if b in directions:
                directions[b].append(math.atan2(pa[1] - pb[1], pa[0] - pb[0]))

        for a, b in sol.edges:
            add(a, b)
        for m in self.scene.segments:
            add(*m.points)
        for c, r, _, _ in sol.circles:  # points on a circle: the circle's tangent directions
            o = self.px(sol.pts[c])
            for n, p in pts.items():
                if abs(_dist(p, o) - r * self.s) < 1.0 and _dist(p, o) > 0:
                    radial = math.atan2(p[1] - o[1], p[0] - o[0])
                    directions[n] += [radial + math.pi / 2, radial - math.pi / 2]
        for n, (t, off) in measured.items():
            p = pts[n]
            dirs = sorted(d % (2 * math.pi) for d in directions[n])
            if dirs:
                gaps = [
                    ((dirs[(i + 1) % len(dirs)] - dirs[i]) % (2 * math.pi) or 2 * math.pi, dirs[i])
                    for i in range(len(dirs))
                ]
                away = math.atan2(p[1] - gy, p[0] - gx) if _dist(p, (gx, gy)) > 1 else None
                widest = max(w for w, _ in gaps)

                def outward(gap):  # wide gaps first; among near-equal ones, away from the middle
                    w, s0 = gap
                    mid = s0 + w / 2
                    return (w > 0.85 * widest, math.cos(mid - away) if away is not None else 0, w)

                width, start = max(gaps, key=outward)
                pref = start + width / 2
                if (len(dirs) == 1 or width > 1.6 * math.pi) and away is not None:
                    # an end point: away from the figure unless that is along its own line
                    if abs(((away - dirs[0]) + math.pi) % (2 * math.pi) - math.pi) > 0.6:
                        pref = away
            elif _dist(p, (gx, gy)) > 1:
                pref = math.atan2(p[1] - gy, p[0] - gx)
            else:
                pref = math.radians(45)
            centers = []
            for gap in (4.0, 9.0, 16.0):
                for turn in (0, 20, -20, 40, -40, 65, -65, 90, -90, 135, -135, 180):
                    u = (math.cos(pref + math.radians(turn)), math.sin(pref + math.radians(turn)))
                    d = self._reach(u, off, gap + 3)
                    centers.append((p[0] + u[0] * d, p[1] + u[1] * d))
            self._choose(t, off, centers, p, POINT_PT)

    def place_angle_labels(self) -> None:
        geo = self.angle_geo
        for m in self.scene.angles:
            if not (m.label and m.label.strip()):
                continue
            v, a1, sweep, radius = geo[id(m)]
            t, off = self.make_text(m.label, LABEL_PT, color=MARK)
            mid = a1 + sweep / 2
            centers = []
            for gap in (3.0, 8.0, 16.0, 28.0, 45.0, 65.0, 90.0):
                for turn in (0, 0.3, -0.3, 0.6, -0.6):
                    ang = math.radians(mid + turn * max(sweep, 30))
                    u = (math.cos(ang), math.sin(ang))
                    d = radius + self._reach(u, off, gap)
                    centers.append((v[0] + u[0] * d, v[1] + u[1] * d))
            self._choose(t, off, centers, v, LABEL_PT)

    def place_segment_labels(self) -> None:
        sol = self.sol
        allp = [self.px(p) for p in sol.pts.values()]
        gx = sum(p[0] for p in allp) / len(allp)
        gy = sum(p[1] for p in allp) / len(allp)
        for m in self.scene.segments:
            if not (m.label and m.label.strip()):
                continue
            a, b = (self.px(sol.pts[n]) for n in m.points)
            length = _dist(a, b)
            u = ((b[0] - a[0]) / length, (b[1] - a[1]) / length) if length > 1e-6 else (1.0, 0.0)
            nrm = (-u[1], u[0])
            mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            if (mid[0] - gx) * nrm[0] + (mid[1] - gy) * nrm[1] < 0:
                nrm = (-nrm[0], -nrm[1])
            if abs((mid[0] - gx) * nrm[0] + (mid[1] - gy) * nrm[1]) < 1 and nrm[1] < 0:
                nrm = (-nrm[0], -nrm[1])
            t, off = self.make_text(m.label, LABEL_PT, color=ACCENT)
            centers = []
            for gap in (4.0, 10.0, 20.0):
                for side in (1, -1):
                    n2 = (nrm[0] * side, nrm[1] * side)
                    for frac in (0.5, 0.38, 0.62, 0.26, 0.74):
                        d = self._reach(n2, off, gap + (8 if m.ticks else 0))
                        c = (a[0] + (b[0] - a[0]) * frac, a[1] + (b[1] - a[1]) * frac)
                        centers.append((c[0] + n2[0] * d, c[1] + n2[1] * d))
            self._choose(t, off, centers, mid, LABEL_PT)

    def place_arc_labels(self) -> None:
        sol = self.sol
        for m in self.scene.arcs:
            if not (m.label and m.label.strip()):
                continue
            o = self.px(sol.pts[m.center])
            p, q = (self.px(sol.pts[n]) for n in m.points)
            r = _dist(o, p)
            t1 = math.atan2(p[1] - o[1], p[0] - o[0])
            t2 = math.atan2(q[1] - o[1], q[0] - o[0])
            sweep = (t2 - t1) % (2 * math.pi)
            t, off = self.make_text(m.label, LABEL_PT, color=MARK)
            centers = []
            for gap in (4.0, 10.0, 20.0):
                for frac in (0.5, 0.35, 0.65, 0.2, 0.8):
                    ang = t1 + sweep * frac
                    u = (math.cos(ang), math.sin(ang))
                    d = r + self._reach(u, off, gap)
                    centers.append((o[0] + u[0] * d, o[1] + u[1] * d))
            self._choose(t, off, centers, o, LABEL_PT)

    def place_circle_labels(self) -> None:
        for c, r, label, _ in self.sol.circles:
            if not (label and label.strip()):
                continue
            o, rp = self.px(self.sol.pts[c]), r * self.s
            t, off = self.make_text(label, LABEL_PT, color=ACCENT)
            centers = []
            degs = (45, 135, 60, 120, 30, 150, 315, 225, 90, 270, 0, 180)
            for gap in (4.0, 12.0):
                for deg in degs:
                    u = (math.cos(math.radians(deg)), math.sin(math.radians(deg)))
                    d = rp + self._reach(u, off, gap)
                    centers.append((o[0] + u[0] * d, o[1] + u[1] * d))
            for deg in degs:  # inside, half way out
                u = (math.cos(math.radians(deg)), math.sin(math.radians(deg)))
                centers.append((o[0] + u[0] * rp * 0.55, o[1] + u[1] * rp * 0.55))
            self._choose(t, off, centers, (o[0] + rp * 0.707, o[1] + rp * 0.707), LABEL_PT)

    def place_axis_labels(self) -> None:
        xe, ye = self.axis_ends
        for text, end, pref in (("x", xe, (1, -1)), ("y", ye, (1, 1))):
            t, off = self.make_text(text, LABEL_PT, style="italic")
            hw, hh = (off[2] - off[0]) / 2, (off[3] - off[1]) / 2
            centers = [
                (end[0] + pref[0] * (hw + 4), end[1] + pref[1] * (hh + 4)),
                (end[0] + hw + 6, end[1]),
                (end[0], end[1] + hh + 6),
                (end[0] - hw - 4, end[1] + hh + 4),
                (end[0] + hw + 4, end[1] - hh - 4),
            ]
            self._choose(t, off, centers, end, LABEL_PT)
