"""Astronomy and orbits: stars, planets, moons, satellites, spacecraft, black holes and galaxies;
circular and elliptical orbits around one central body (or a barycentre), orbit radii and
altitudes as dimension lines, velocity arrows; bodies on a line with stated separations; bodies
at stated coordinates with position or force arrows.

The model names the bodies and the values the problem states (orbit radius, altitude,
periapsis / apoapsis distances, eccentricity, separations, coordinates); the renderer places
them. When stated distances differ by orders of magnitude the radial scale is compressed (log
spacing with a minimum gap) so every stated level stays visible; sizes are not to scale unless
stated. No computed value (period, speed, force, orbit radius the problem asks for) is drawn.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import (
    HandLaid,
    densify,
)
from sciray.scene.text import none_if_null

__all__ = ["Arrow", "AstronomyScene", "Body", "Distance", "Orbit"]

W, H = 6.4, 4.8  # canvas (inches); the axes covers it, data units are inches
FONT = 11.0
INK, ORBIT, VEL, DIM = "#1f3b5a", "#7a7a7a", "#d62728", "#444444"
KINDS = ("star", "planet", "moon", "satellite", "spacecraft", "black_hole", "galaxy", "point")
# default drawn radius (inches) and colours of each kind
SIZE = {"star": 0.42, "planet": 0.3, "moon": 0.16, "satellite": 0.08, "spacecraft": 0.08,
        "black_hole": 0.24, "galaxy": 0.42, "point": 0.05}  # fmt: skip
FACE = {"star": "#ffd23f", "planet": "#4a90d9", "moon": "#b8b8b8", "satellite": "#888888",
        "spacecraft": "#888888", "black_hole": "#111111", "galaxy": "#b39ddb", "point": INK}  # fmt: skip
EDGE = {"star": "#e08a00", "black_hole": "#ff9f1c", "galaxy": "#5e35b1"}


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


Name = Annotated[str, Field(min_length=1, max_length=20)]
Label = Annotated[str, Field(max_length=40)]
Dist = Annotated[float, Field(gt=0, le=1e40)]
Coord = Annotated[float, Field(ge=-1e40, le=1e40)]


class Body(_Part):
    name: Name
    """Short unique id that orbits, distances and arrows use, e.g. 'earth', 'sat', 'star'."""
    kind: Literal[
        "star", "planet", "moon", "satellite", "spacecraft", "black_hole", "galaxy", "point"
    ] = "planet"
    """star (or Sun), planet, moon, satellite (or space station), spacecraft, black_hole,
    galaxy, point (a barycentre, a particle or a place such as a colony)."""
    label: Label | None = None
    """Text by the body, e.g. 'Earth', 'satellite', 'M = 5.98×10^24 kg'."""
    mass_label: Label | None = None
    """Stated mass written under its label, e.g. 'm = 2110 kg'; empty for none."""
    radius: Dist | None = None
    """Stated radius of the body (same unit as the orbit distances), e.g. 6370 for Earth in
    km; empty when not stated (then its size is not to scale)."""
    radius_label: Label | None = None
    """Stated radius text drawn on a radius line, e.g. 'R = 6.37×10^6 m'; empty for none."""
    diameter_label: Label | None = None
    """Stated diameter text drawn beside it, e.g. '12800 km', '1.7E+5 ly'; empty for none."""
    on_surface: bool = False
    """True for a place on the central body's surface (a colony, a launch site, an observer):
    drawn on the surface under the first orbiting body."""
    position: list[Coord] | None = Field(default=None, min_length=2, max_length=3)
    """Stated coordinates [x, y] or [x, y, 0] when the problem gives them, e.g. [4e11, -4e11];
    empty otherwise."""

    _clean_labels = field_validator(
        "label", "mass_label", "radius_label", "diameter_label", mode="before"
    )(none_if_null)

    def name_text(self) -> str | None:
        """Label and mass as the renderer writes them: one text, the mass on its own line."""
        return "\n".join(t for t in (self.label, self.mass_label) if t) or None

    def texts(self) -> list[str]:
        return [t for t in (self.name_text(), self.radius_label, self.diameter_label) if t]


class Orbit(_Part):
    body: Name
    """Name of the body that moves on this orbit, e.g. 'sat'."""
    around: Name
    """Name of the body (or barycentre point) it goes around, e.g. 'earth'."""
    shape: Literal["circle", "ellipse"] = "circle"
    """circle, or ellipse (with the central body at a focus)."""
    radius: Dist | None = None
    """Stated orbit radius (centre to centre), e.g. 385000; empty when not stated."""
    radius_label: Label | None = None
    """Orbit radius text on a line from the centre to the body, e.g. 'r = 385,000 km', 'd'."""
    altitude: Dist | None = None
    """Stated height above the central body's surface, e.g. 541 (km); empty for none."""
    altitude_label: Label | None = None
    """Altitude text from the surface to the body, e.g. 'h = 541 km'; empty for none."""
    eccentricity: float | None = Field(default=None, ge=0, lt=1)
    """Stated eccentricity of an ellipse, e.g. 0.6; empty when not stated."""
    periapsis: Dist | None = None
    """Stated closest distance (perihelion / perigee) from the central body, e.g. 0.59."""
    apoapsis: Dist | None = None
    """Stated farthest distance (aphelion / apogee) from the central body, e.g. 35."""
    periapsis_label: Label | None = None
    """Text of the closest distance, e.g. 'perihelion 0.59 AU'; empty for none."""
    apoapsis_label: Label | None = None
    """Text of the farthest distance, e.g. 'aphelion 35 AU'; empty for none."""
    semi_major_label: Label | None = None
    """Stated semi-major axis text, e.g. 'a = 17.8 AU'; empty for none."""
    velocity_label: Label | None = None
    """Stated speed text on a velocity arrow at the body, e.g. 'v = 7.5 km/s', 'v'; empty:
    no arrow."""
    direction: Literal["ccw", "cw"] = "ccw"
    """Sense of motion: ccw (counterclockwise) or cw."""
    label: Label | None = None
    """Text on the orbit itself, e.g. 'geosynchronous orbit', 'today'; empty for none."""

    _clean_labels = field_validator(
        "radius_label", "altitude_label", "periapsis_label", "apoapsis_label",
        "semi_major_label", "velocity_label", "label", mode="before",
    )(none_if_null)  # fmt: skip

    def texts(self) -> list[str]:
        return [t for t in (self.label, self.radius_label, self.altitude_label,
                            self.periapsis_label, self.apoapsis_label, self.semi_major_label,
                            self.velocity_label) if t]  # fmt: skip

    def is_ellipse(self) -> bool:
        return (
            self.shape == "ellipse"
            or bool(self.eccentricity)
            or (self.periapsis is not None and self.apoapsis is not None)
        )


class Distance(_Part):
    a: Name
    """Name of the body where the distance starts."""
    b: Name
    """Name of the body where it ends."""
    value: Dist | None = None
    """Stated distance as a number (places bodies on a line), e.g. 1.9e6; empty if unknown."""
    label: Label
    """The stated distance text, e.g. '1.9E+6 ly', 'd = 5.1×10^11 m'."""


class Arrow(_Part):
    start: Name
    """Name of the body the arrow starts at."""
    toward: Name
    """Name of the body it points at."""
    kind: Literal["force", "position"] = "force"
    """force: a short arrow from start pointing toward the other body (an attraction);
    position: a vector all the way from start to toward (r from planet to moon)."""
    label: Label | None = None
    """Text by the arrow, e.g. 'F', 'r_PM'; empty for none."""

    _clean_labels = field_validator("label", mode="before")(none_if_null)


@register
class AstronomyScene(SceneSpec):
    """Bodies in space: orbits around a central body, bodies on a line, or at coordinates."""

    domain: Literal["astronomy"] = "astronomy"
    image_types: ClassVar[tuple[str, ...]] = ("physics - astronomical",)

    bodies: list[Body] = Field(default_factory=list, min_length=1, max_length=8)
    """Every body in the figure (central body first)."""
    orbits: list[Orbit] = Field(default_factory=list, max_length=5)
    """Orbits, all around the same central body; empty when nothing orbits in the figure."""
    distances: list[Distance] = Field(default_factory=list, max_length=6)
    """Stated distances between two bodies, drawn as dimension lines."""
    arrows: list[Arrow] = Field(default_factory=list, max_length=6)
    """Force or position arrows between bodies; empty for none."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Short stated values written under the figure, e.g. 'T = 22.8 h', 'G = 6.67×10^-11'."""

    @model_validator(mode="after")
    def _consistent(self) -> AstronomyScene:
        names = [b.name for b in self.bodies]
        for n in names:
            if names.count(n) > 1:
                raise ValueError(f"bodies: name {n!r} is used twice")

        def known(where: str, name: str) -> None:
            if name not in names:
                raise ValueError(f"{where}: no body named {name!r} (bodies: {', '.join(names)})")

        centres = set()
        for i, o in enumerate(self.orbits):
            known(f"orbits[{i}].body", o.body)
            known(f"orbits[{i}].around", o.around)
            if o.body == o.around:
                raise ValueError(f"orbits[{i}]: body and around are the same body")
            if o.periapsis and o.apoapsis and o.periapsis > o.apoapsis:
                raise ValueError(f"orbits[{i}].periapsis: larger than apoapsis")
            centres.add(o.around)
        if len(centres) > 1:
            raise ValueError("orbits.around: every orbit must go around the same central body")
        moving = [o.body for o in self.orbits]
        if centres & set(moving):
            raise ValueError("orbits.around: the central body cannot itself be on an orbit")
        placed = [b.position is not None for b in self.bodies]
        if any(placed):
            if not all(placed):
                raise ValueError("bodies.position: give every body a position or none")
            if self.orbits:
                raise ValueError("orbits: not with stated positions (give one or the other)")
            if any(len(b.position) == 3 and b.position[2] != 0 for b in self.bodies):
                raise ValueError("bodies.position: only points in the plane z = 0 can be drawn")
        elif self.orbits:
            for b in self.bodies:
                if b.name not in centres and b.name not in moving and not b.on_surface:
                    raise ValueError(f"bodies: {b.name!r} is neither the centre nor on an orbit")
        for group, items in (("distances", self.distances), ("arrows", self.arrows)):
            for i, d in enumerate(items):
                a, b = (d.a, d.b) if group == "distances" else (d.start, d.toward)
                known(f"{group}[{i}]", a)
                known(f"{group}[{i}]", b)
                if a == b:
                    raise ValueError(f"{group}[{i}]: both ends are the same body")
        return self

    def mode(self) -> str:
        if self.orbits:
            return "orbit"
        return "coords" if self.bodies[0].position is not None else "line"

    def labels(self) -> list[str]:
        out = [self.title] if self.title else []
        for b in self.bodies:
            out += b.texts()
        for o in self.orbits:
            out += o.texts()
        out += [d.label for d in self.distances]
        out += [a.label for a in self.arrows if a.label]
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


# ---------------------------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------------------------


def radial_map(values: list[float], inner: float = 0.2, min_gap: float = 0.12):
    """A monotone map of stated distances onto [0, 1]: linear when that keeps every level
    apart (a gap of at least ``min_gap``, the smallest at least ``inner``), else log spacing
    with each gap at least ``min_gap`` (so an altitude of 541 km above 6370 km stays visible)."""
    u = sorted(set(values))
    if not u:
        return lambda v: 1.0
    top = u[-1]
    lin = [v / top for v in u]
    if all(b - a >= min_gap for a, b in zip(lin, lin[1:])) and lin[0] >= inner:
        return lambda v: v / top
    if lin[0] >= inner:  # linear, lower levels pushed down to open the small gaps
        levels = lin[:]
        for i in range(len(levels) - 2, -1, -1):
            levels[i] = min(levels[i], levels[i + 1] - min_gap)
        if levels[0] >= inner * 0.8:
            return lambda v: float(np.interp(v, u, levels))
    if len(u) == 1:
        return lambda v: 1.0
    gaps = np.log(np.array(u[1:]) / np.array(u[:-1]))
    share = _with_floor(gaps, 1 - inner, min_gap)
    levels = np.concatenate([[inner], inner + np.cumsum(share)])
    logs = np.log(np.array(u))

    def f(v: float) -> float:
        return float(np.interp(math.log(v), logs, levels))

    return f


def _with_floor(weights: np.ndarray, total: float, floor: float) -> np.ndarray:
    """``total`` split in proportion to ``weights``, each part at least ``floor`` (equal
    parts when the floors alone exceed the total)."""
    n = len(weights)
    if n * floor >= total:
        return np.full(n, total / n)
    fixed = np.zeros(n, bool)
    for _ in range(n):
        rest = total - floor * fixed.sum()
        share = np.where(fixed, floor, weights / weights[~fixed].sum() * rest)
        low = ~fixed & (share < floor)
        if not low.any():
            return share
        fixed |= low
    return share


def _line_positions(s: AstronomyScene) -> dict[str, float]:
    """Positions along a line: from distances with values (walking from the first body),
    the rest evenly after the last placed one, in list order."""
    pos: dict[str, float] = {s.bodies[0].name: 0.0}
    known = [d for d in s.distances if d.value]
    changed = True
    while changed:
        changed = False
        for d in known:
            if d.a in pos and d.b not in pos:
                pos[d.b] = pos[d.a] + d.value
                changed = True
            elif d.b in pos and d.a not in pos:
                pos[d.a] = pos[d.b] - d.value
                changed = True
    span = (max(pos.values()) - min(pos.values())) or 1.0
    step = span / max(len(pos) - 1, 1)
    order = [b.name for b in s.bodies]
    for i, name in enumerate(order):  # unplaced: between placed list neighbours, else after
        if name in pos:
            continue
        before = [(j, pos[n]) for j, n in enumerate(order) if n in pos and j < i]
        after = [(j, pos[n]) for j, n in enumerate(order) if n in pos and j > i]
        if before and after:
            (j0, p0), (j1, p1) = before[-1], after[0]
            pos[name] = p0 + (p1 - p0) * (i - j0) / (j1 - j0)
        else:
            pos[name] = max(pos.values()) + step
    return pos


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


class _Drawer(HandLaid):
    font = FONT

    def __init__(self, scene: AstronomyScene, fig: Any):
        super().__init__(fig, W, H)
        self.s = scene
        self.xy: dict[str, np.ndarray] = {}
        self.r: dict[str, float] = {}
        self.body = {b.name: b for b in scene.bodies}

    def draw(self) -> None:
        s = self.s
        bottom, top = self.frame(s.title, s.notes)
        box = (0.35, bottom + 0.3, W - 0.35, top - 0.3)
        layout = {"orbit": self._orbit, "coords": self._coords, "line": self._line_layout}
        layout[s.mode()](box)
        for b in s.bodies:
            self._body(b)
        for i, d in enumerate(s.distances):
            if s.mode() != "line":
                self._free_distance(d, i)
        for a in s.arrows:
            self._arrow(a)
        self.place_labels()

    # --- primitives --------------------------------------------------------------------------

    def _side_anchors(self, p, q, gap: float = 0.08) -> list[tuple]:
        """Anchors beside the middle of segment p-q, on both sides of it."""
        p, q = np.asarray(p), np.asarray(q)
        m = (p + q) / 2
        v = q - p
        n = np.array([-v[1], v[0]]) / (np.hypot(*v) or 1.0)
        out = []
        for sgn in (1, -1):
            for t in (0.5, 0.3, 0.7):
                c = p + v * t + sgn * n * gap
                ha = "left" if sgn * n[0] > 0.3 else "right" if sgn * n[0] < -0.3 else "center"
                va = "bottom" if sgn * n[1] > 0.3 else "top" if sgn * n[1] < -0.3 else "center"
                out.append((c[0], c[1], ha, va))
        out.append((m[0], m[1], "center", "center"))
        return out

    def _ring(self, c, r: float) -> list[tuple]:
        out = []
        for deg in (45, 135, -45, -135, 0, 180, 90, -90):
            a = math.radians(deg)
            ux, uy = math.cos(a), math.sin(a)
            ha = "left" if ux > 0.3 else "right" if ux < -0.3 else "center"
            va = "bottom" if uy > 0.3 else "top" if uy < -0.3 else "center"
            out.append((c[0] + (r + 0.06) * ux, c[1] + (r + 0.06) * uy, ha, va))
        return out

    def _dim(self, p, q, text: str | None, color: str = DIM, z: float = 3) -> None:
        """A two-headed dimension arrow from p to q with its label beside it."""
        p, q = np.asarray(p, float), np.asarray(q, float)
        if np.hypot(*(q - p)) < 1e-6:
            return
        self.ax.annotate("", q, p, arrowprops={"arrowstyle": "<|-|>", "color": color, "lw": 1.0,
                         "mutation_scale": 10, "shrinkA": 0, "shrinkB": 0}, zorder=z)  # fmt: skip
        self.placer.avoid(densify(np.array([p, q]) * self.d))
        self.label(text, self._side_anchors(p, q))

    def _arrowhead(self, p, q, color: str, lw: float = 1.6) -> None:
        self.ax.annotate("", q, p, arrowprops={"arrowstyle": "-|>", "color": color, "lw": lw,
                         "mutation_scale": 13, "shrinkA": 0, "shrinkB": 0}, zorder=5)  # fmt: skip
        self.placer.avoid(densify(np.array([p, q]) * self.d))

    # --- bodies ------------------------------------------------------------------------------

    def _body(self, b: Body) -> None:
        from matplotlib.patches import Circle, Ellipse, Rectangle

        c, r = self.xy[b.name], self.r[b.name]
        ax = self.ax
        if b.kind == "galaxy":
            ax.add_patch(Ellipse(c, 2 * r, 0.7 * r, angle=15, fc=FACE[b.kind], ec=EDGE[b.kind],
                                 lw=1.2, zorder=4))  # fmt: skip
            ax.add_patch(Circle(c, 0.15 * r, fc="#fff3c4", ec="none", zorder=4))
        elif b.kind in ("satellite", "spacecraft"):
            s = r * 0.55
            ax.add_patch(Rectangle(c - s, 2 * s, 2 * s, fc=FACE[b.kind], ec=INK, lw=1, zorder=4))
            if b.kind == "satellite":  # solar panels
                for sgn in (-1, 1):
                    x0 = c[0] + sgn * s if sgn > 0 else c[0] - s - 2.2 * s
                    ax.add_patch(Rectangle((x0, c[1] - 0.45 * s), 2.2 * s, 0.9 * s,
                                           fc="#3b6fb6", ec=INK, lw=0.6, zorder=4))  # fmt: skip
        elif b.kind == "point" or (b.on_surface and self.s.orbits):
            ax.plot([c[0]], [c[1]], marker="o", ms=5, color=INK, zorder=5)
        else:
            ax.add_patch(Circle(c, r, fc=FACE[b.kind], ec=EDGE.get(b.kind, INK), lw=1.3,
                                zorder=4))  # fmt: skip
            if b.kind == "black_hole":
                ax.add_patch(Ellipse(c, 3 * r, 0.7 * r, fc="none", ec=EDGE[b.kind], lw=1.5,
                                     zorder=4))  # fmt: skip
        reach = r * (1.5 if b.kind in ("satellite", "black_hole") else 1.0)
        # a large light body carries its own labels, placed now, before its box is blocked
        carries = r > 0.6 and b.kind in ("star", "planet", "moon")
        put = (lambda text, anchors: self._place(text, anchors, FONT, {})) if carries else None
        label = put or self.label
        if not carries:
            self.placer.block(self._bbox(c, reach))
        if b.name_text():
            inside = [(c[0], c[1] + 0.45 * r, "center", "center")] if carries else []
            label(b.name_text(), inside + self._ring(c, reach))
        if b.radius_label:
            big = r >= 0.15 and b.kind not in ("satellite", "spacecraft", "point")
            a = math.radians(self.radius_angle.get(b.name, -60))
            tip = c + r * np.array([math.cos(a), math.sin(a)])
            if big:
                ink = "#dddddd" if b.kind == "black_hole" else INK
                self.line([c, tip], soft=False, color=ink, lw=1.0, zorder=5)
                ax.plot([c[0]], [c[1]], marker="o", ms=2.5, color=INK, zorder=5)
                label(b.radius_label, self._side_anchors(c, tip) + self._ring(c, r))
            else:
                label(b.radius_label, self._ring(c, reach))
        if carries:
            self.placer.block(self._bbox(c, r * 0.95))
        if b.diameter_label:  # across the body, just above it
            y = c[1] + reach + 0.1
            self._dim((c[0] - r, y), (c[0] + r, y), b.diameter_label)

    def _bbox(self, c, r: float):
        from matplotlib.transforms import Bbox

        return Bbox.from_extents(*((np.array([c[0] - r, c[1] - r, c[0] + r, c[1] + r])) * self.d))

    # --- orbit scenes ------------------------------------------------------------------------

    def _orbit(self, box) -> None:
        s = self.s
        centre = self.body[s.orbits[0].around]
        R = centre.radius
        values = [R] if R else []
        rad: list[tuple[float | None, float | None]] = []  # (periapsis, apoapsis) of each
        for o in s.orbits:
            if o.periapsis or o.apoapsis:
                p, a = o.periapsis, o.apoapsis
                e = o.eccentricity if o.eccentricity is not None else 0.5
                if p and not a:
                    a = p * (1 + e) / (1 - e) if o.is_ellipse() else p
                if a and not p:
                    p = a * (1 - e) / (1 + e) if o.is_ellipse() else a
            else:
                v = o.radius or (R + o.altitude if R and o.altitude else None)
                if R and o.radius and 1 < o.radius <= R:
                    # an orbit inside its body is in other units: "3.75" Earth radii beside
                    # Earth's 6370 km (seen, seed 27, drawn as an orbit inside a giant Earth)
                    v = o.radius * R
                p = a = v
            rad.append((p, a))
            values += [x for x in (p, a) if x]
        if all(p for p, _ in rad):
            f = radial_map(values)
            levels = [(f(p), f(a)) for p, a in rad]
            rc = f(R) if R else min(0.16, 0.55 * min(lv[0] for lv in levels))
        else:  # an orbit with no stated size: all evenly spaced in list order
            n = len(rad)
            rc = 0.16
            levels = [(0.4 + 0.6 * k / max(n - 1, 1),) * 2 for k in range(n)]
        out = []
        for o, (lp, la) in zip(s.orbits, levels):
            if o.is_ellipse() and abs(la - lp) < 1e-9:  # stated shape, sizes unknown
                e = o.eccentricity if o.eccentricity else 0.5
                lp, la = la * (1 - e) / (1 + e), la
            out.append((lp, la))
        # extent in unit space: circles +-r; ellipses [-apo, peri] x [-b, b]
        x0 = -max(la for _, la in out)
        x1 = max(lp if o.is_ellipse() else la for o, (lp, la) in zip(s.orbits, out))
        ymax = max(math.sqrt(lp * la) if o.is_ellipse() else la
                   for o, (lp, la) in zip(s.orbits, out))  # fmt: skip
        margin = 0.35
        bw, bh = box[2] - box[0] - 2 * margin, box[3] - box[1] - 2 * margin
        k = min(bw / max(x1 - x0, 1e-9), bh / max(2 * ymax, 1e-9))
        cx = (box[0] + box[2]) / 2 - k * (x0 + x1) / 2
        cy = (box[1] + box[3]) / 2
        C = np.array([cx, cy])
        self.xy[centre.name] = C
        inner = min(lp for lp, _ in out) * k
        rc_in = rc * k if R else min(rc * k, SIZE[centre.kind], 0.3 * inner)
        self.r[centre.name] = max(rc_in, 0.08)
        if centre.kind == "point":
            self.r[centre.name] = SIZE["point"]
        self.radius_angle = {centre.name: -120.0}
        # an orbiting body stays well inside the gaps to its neighbouring levels
        lv = sorted({round(x * k, 6) for p in out for x in p} | {self.r[centre.name]})
        self.room = []
        for lp, la in out:
            near = [abs(x - y) for x in (lp * k, la * k) for y in lv if abs(x - y) > 1e-6]
            self.room.append(max(0.35 * min(near, default=1.0), 0.05))
        angles = [40.0, 220.0, 130.0, 310.0, 85.0]
        for i, (o, (lp, la)) in enumerate(zip(s.orbits, out)):
            self._one_orbit(o, C, lp * k, la * k, angles[i], i)
        for b in s.bodies:  # places on the surface, under the first orbiting body
            if b.on_surface and b.name not in self.xy:
                a = math.radians(angles[0])
                self.xy[b.name] = C + self.r[centre.name] * np.array([math.cos(a), math.sin(a)])
                self.r[b.name] = SIZE["point"]
                self.radius_angle[b.name] = angles[0]

    def _one_orbit(self, o: Orbit, C, rp: float, ra: float, ang: float, i: int) -> None:
        ell = o.is_ellipse()
        a = (rp + ra) / 2
        e = (ra - rp) / (ra + rp) if ell else 0.0
        bsemi = a * math.sqrt(1 - e * e)
        t = np.linspace(0, 2 * math.pi, 240)
        # focus (the central body) at C; periapsis to the right
        pts = np.column_stack([C[0] + a * np.cos(t) - a * e, C[1] + bsemi * np.sin(t)])
        self.line(pts, color=ORBIT, lw=1.1, ls="--", zorder=2)
        th = math.radians(ang)
        if ell:  # a point on the ellipse at true anomaly th from the focus
            rr = a * (1 - e * e) / (1 + e * math.cos(th))
        else:
            rr = a
        u = np.array([math.cos(th), math.sin(th)])
        P = C + rr * u
        b = self.body[o.body]
        self.xy[b.name] = P
        self.r[b.name] = min(SIZE[b.kind], 0.16, self.room[i])
        self.radius_angle[b.name] = ang
        cb = self.body[o.around]
        Rc = self.r[cb.name]
        if o.radius_label:
            self._dim(C, P - u * self.r[b.name], o.radius_label, z=5)  # centre to centre
        if o.altitude_label:
            off = np.array([-u[1], u[0]]) * (0.14 if o.radius_label else 0.0)
            self._dim(C + u * Rc + off, P - u * self.r[b.name] + off, o.altitude_label)
        if o.velocity_label:
            if ell:
                tang = np.array([-a * math.sin(self._ecc_anom(th, e)),
                                 bsemi * math.cos(self._ecc_anom(th, e))])  # fmt: skip
            else:
                tang = np.array([-u[1], u[0]])
            tang = tang / (np.hypot(*tang) or 1.0) * (1 if o.direction == "ccw" else -1)
            start = P + tang * (self.r[b.name] + 0.02)
            end = start + tang * 0.55
            self._arrowhead(start, end, VEL)
            self.label(o.velocity_label, self._ring(end, 0.02))
        if o.label:
            tl = math.radians(ang + 110)
            q = np.array([C[0] + a * math.cos(tl) - a * e, C[1] + bsemi * math.sin(tl)])
            self.label(o.label, self._ring(q, 0.03))
        if ell:
            peri, apo = C + np.array([rp, 0.0]), C - np.array([ra, 0.0])
            for pt in (peri, apo):
                self.ax.plot([pt[0]], [pt[1]], marker="o", ms=4, color=ORBIT, zorder=3)
            y = -(self.r[o.around] + 0.15 + 0.22 * i)  # below the central body
            if o.periapsis_label:
                self._dim(C + [0, y], peri + [0, y], o.periapsis_label)
            if o.apoapsis_label:
                self._dim(apo + [0, y], C + [0, y], o.apoapsis_label)
            if o.semi_major_label:
                ctr = C - np.array([a * e, 0.0])
                self._dim(apo + [0, 0.18 + 0.22 * i], ctr + [0, 0.18 + 0.22 * i],
                          o.semi_major_label)  # fmt: skip
        elif o.periapsis_label or o.apoapsis_label or o.semi_major_label:
            for text in (o.periapsis_label, o.apoapsis_label, o.semi_major_label):
                self.label(text, self._ring(P, 0.25))

    @staticmethod
    def _ecc_anom(th: float, e: float) -> float:
        return 2 * math.atan2(math.sqrt(1 - e) * math.sin(th / 2), math.sqrt(1 + e) *
                              math.cos(th / 2))  # fmt: skip

    # --- line scenes -------------------------------------------------------------------------

    def _place_on_line(self, box, pos: dict[str, float], scale: float, lo: float, y: float) -> None:
        for b in self.s.bodies:
            self.xy[b.name] = np.array([(box[0] + box[2]) / 2 + (pos[b.name] - lo) * scale, y])

    def _sizes_on_scale(self, scale: float, cap: float, room: float) -> None:
        """A stated radius to the scale of the separations (kept inside ``room`` and clear of
        its neighbours; it may touch a point, as Earth its poles), else the kind's size kept
        below ``cap`` so bodies stay apart. Satellites and spacecraft keep their glyph."""
        for b in self.s.bodies:
            lo = 0.04 if b.kind == "point" else 0.08
            if b.radius and b.kind not in ("satellite", "spacecraft", "point"):
                near = [
                    abs(self.xy[o.name][0] - self.xy[b.name][0])
                    * (1.0 if o.kind == "point" else 0.5)
                    for o in self.s.bodies
                    if o.name != b.name
                ]
                r = min(max(b.radius * scale, lo), room, min(near, default=room))
            else:
                r = min(max(SIZE[b.kind], lo), cap)
            self.r[b.name] = float(max(r, lo))

    def _line_layout(self, box) -> None:
        s = self.s
        pos = _line_positions(s)
        lo, hi = min(pos.values()), max(pos.values())
        span = hi - lo or 1.0
        stated = [d for d in s.distances if d.a in pos and d.b in pos]
        n_dims = len(stated)
        y = box[1] + 0.45 * (box[3] - box[1]) + 0.12 * n_dims
        room = max(min(box[3] - y - 0.3, 1.2), 0.1)
        big = max((b.radius for b in s.bodies if b.radius), default=0.0)
        scale = (box[2] - box[0] - 1.2) / span
        if big:  # a stated radius keeps its proportion to the separations, unless that
            scale = max(min(scale, room / big), 0.5 * scale)  # would crush them
        self._place_on_line(box, pos, scale, (lo + hi) / 2, y)
        gaps = np.diff(sorted(p * scale for p in pos.values()))
        cap = min(0.45, (min(gaps) * 0.4 if len(gaps) else 0.45), room)
        self._sizes_on_scale(scale, max(cap, 0.06), room)
        self.radius_angle = {}
        bottom = min(y - self.r[n] for n in pos) - 0.35
        rows = _rows([(self.xy[d.a][0], self.xy[d.b][0]) for d in stated])
        row_h = min(0.38, max(bottom - box[1], 0.3) / max(max(rows, default=0) + 1, 1))
        for d, row in zip(stated, rows):
            yy = bottom - row * row_h
            a, b = self.xy[d.a], self.xy[d.b]
            for p in (a, b):
                self.line([(p[0], yy - 0.05), (p[0], p[1])], color="#aaaaaa", lw=0.7, ls=":")
            self._dim((a[0], yy), (b[0], yy), d.label)

    # --- coordinate scenes -------------------------------------------------------------------

    def _coords(self, box) -> None:
        pts = {b.name: np.array(b.position[:2], float) for b in self.s.bodies}
        allp = np.array(list(pts.values()) + [np.zeros(2)])
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        span = np.maximum(hi - lo, 1e-30)
        margin = 0.5
        k = min((box[2] - box[0] - 2 * margin) / span[0], (box[3] - box[1] - 2 * margin) / span[1])
        if not math.isfinite(k) or k <= 0:
            k = 1.0
        mid = (lo + hi) / 2
        centre = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])

        def to(p):
            return centre + (p - mid) * k

        org = to(np.zeros(2))
        xl = (box[0] + 0.1, box[2] - 0.1)
        yl = (box[1] + 0.1, box[3] - 0.1)
        self._arrowhead((xl[0], org[1]), (xl[1], org[1]), "#999999", lw=0.8)
        self._arrowhead((org[0], yl[0]), (org[0], yl[1]), "#999999", lw=0.8)
        for b in self.s.bodies:
            self.xy[b.name] = to(pts[b.name])
            self.r[b.name] = min(SIZE[b.kind], 0.2)
        self.radius_angle = {}

    # --- shared: distances and arrows ----------------------------------------------------------

    def _free_distance(self, d: Distance, i: int) -> None:
        a, b = self.xy[d.a], self.xy[d.b]
        v = b - a
        L = np.hypot(*v) or 1.0
        u = v / L
        n = np.array([-u[1], u[0]]) * (0.2 + 0.18 * i)
        p = a + u * self.r[d.a] + n
        q = b - u * self.r[d.b] + n
        self._dim(p, q, d.label)

    def _arrow(self, ar: Arrow) -> None:
        a, b = self.xy[ar.start], self.xy[ar.toward]
        v = b - a
        L = np.hypot(*v) or 1.0
        u = v / L
        start = a + u * (self.r[ar.start] + 0.02)
        if ar.kind == "position":
            end = b - u * (self.r[ar.toward] + 0.02)
            color = INK
        else:
            length = min(0.6, max(L - self.r[ar.start] - self.r[ar.toward] - 0.1, 0.2))
            end = start + u * length
            color = VEL
        self._arrowhead(start, end, color)
        self.label(ar.label, self._side_anchors(start, end, 0.06) + self._ring(end, 0.02))


def _rows(spans: list[tuple[float, float]]) -> list[int]:
    """Row of each dimension line: the first row where it overlaps no other span."""
    rows: list[int] = []
    taken: list[list[tuple[float, float]]] = []
    for a, b in spans:
        lo, hi = min(a, b) - 0.05, max(a, b) + 0.05
        for k, row in enumerate(taken):
            if all(hi <= c or lo >= d for c, d in row):
                row.append((lo, hi))
                rows.append(k)
                break
        else:
            taken.append([(lo, hi)])
            rows.append(len(taken) - 1)
    return rows
