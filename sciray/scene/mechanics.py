"""Mechanics scenes: blocks, carts and balls on the ground, a table or an incline, pulleys, ropes,
springs, pendulums, walls and ceilings, with force / velocity / acceleration arrows and
dimension lines.

The model names the bodies and how they are connected (``on``, ropes, springs, a rope over a
pulley) and gives the stated values as labels; the renderer lays the setup out itself, left to
right: a wall, the bodies on the ground, a table, an incline (with its pulley and hanging mass),
free bodies, then what hangs from the ceiling (pendulums, springs, Atwood pulleys). Every label is
placed in screen pixels against the labels already placed, the drawn bodies and lines and the
canvas edge, so no two labels overlap and none leaves the canvas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.text import none_if_null, plain_question

__all__ = ["Arrow", "Body", "Dimension", "Link", "MechanicsScene"]

_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

MAX_LABEL = 40
MAX_NAME = 20

BodyKind = Literal[
    "ground",
    "table",
    "wall",
    "ceiling",
    "incline",
    "block",
    "cart",
    "ball",
    "wheel",
    "pulley",
    "pendulum",
]
MOVABLE = frozenset({"block", "cart", "ball", "wheel"})
SUPPORTS = frozenset({"ground", "table", "incline", "block", "cart"})
PULLEY_MOUNTS = frozenset({"ground", "table", "incline", "ceiling"})
SINGLE = frozenset({"ground", "table", "incline", "ceiling"})

Direction = Literal[
    "left",
    "right",
    "up",
    "down",
    "up_incline",
    "down_incline",
    "normal",
    "into_surface",
    "along_rope",
    "angle",
]


# A support a body is said to rest on but that the scene never lists: "car on ground" with no
# ground body. The word names the kind; the support is added (or the one present is meant).
_IMPLIED_SUPPORTS = {
    "ground": "ground",
    "floor": "ground",
    "road": "ground",
    "surface": "ground",
    "track": "ground",
    "table": "table",
    "tabletop": "table",
    "incline": "incline",
    "ramp": "incline",
    "slope": "incline",
    "ceiling": "ceiling",
}


def _along_slope(arrow: Arrow, by: dict[str, Body]) -> None:
    """Arrows on a body resting on an incline (drawn rising to the right) that mean the slope:
    one at the incline's own angle from the horizontal (seed 30: "a force of 150 N parallel to
    the incline" as 35 degrees on a 35-degree incline, drawn with a second 35° mark), and a
    velocity or acceleration "right" or "left" (the body moves along the slope, never level)."""
    body = by.get(arrow.body)
    support = by.get(body.on) if body is not None and body.on else None
    if support is None or support.kind != "incline":
        return
    if arrow.kind != "force" and arrow.direction in ("right", "left"):
        arrow.direction = "up_incline" if arrow.direction == "right" else "down_incline"
        return
    if arrow.direction != "angle" or arrow.angle_from != "horizontal":
        return
    if support.angle_deg is None or arrow.angle_deg is None:
        return
    turn = (arrow.angle_deg - support.angle_deg) % 360
    for offset, direction in ((0, "up_incline"), (180, "down_incline")):
        if min(abs(turn - offset), 360 - abs(turn - offset)) < 0.5:
            arrow.direction, arrow.angle_deg, arrow.angle_label = direction, None, None
            return


def _flat_inclines(bodies: list) -> None:
    """An "incline" at 0 degrees (a 1.5B coder's level floor, seen on seed 27) is the ground,
    where the scene has none."""
    dicts = [b for b in bodies if isinstance(b, dict)]
    if any(b.get("kind") == "ground" for b in dicts):
        return
    for body in dicts:
        angle = body.get("angle_deg")
        flat = isinstance(angle, (int, float)) and not isinstance(angle, bool) and 0 <= angle < 1
        if body.get("kind") == "incline" and flat:
            body.update(kind="ground", angle_deg=None, angle_label=None)
            return


_FRICTION = re.compile(
    r"(?:\\mu|μ|\bmu)\s*_?\s*\(?([ks])?\w*\)?\s*=\s*(\d*\.\d+|\d+)(?![\d.])"
    r"|\bu\s*=\s*(0?\.\d+)(?![\d.]|\s*[a-z]+/)"  # "u=0.324"; u = 5 m/s is a speed
    r"|coefficient of (?:(k)inetic |(s)tatic )?friction (?:is |of |= ?)?(\d*\.\d+|\d+)(?![\d.])",
    re.I,
)
_SPEED = re.compile(
    r"(?:(initial) )?(?:speed|velocity) (?:of |is |= ?)?(\d+(?:\.\d+)?\s*(?:m/s|km/h|cm/s|ft/s|mph))"
    r"|(?:mov(?:ing|es)|travell?(?:ing|s)|slid(?:ing|es)|go(?:ing|es)) at (\d+(?:\.\d+)?\s*(?:m/s|km/h|cm/s|ft/s|mph))",
    re.I,
)


def _stated_once(pattern: re.Pattern, plain: str) -> tuple[str, str] | None:
    """(a qualifier: 'k', 's', 'initial' or '', the value as written) of the one value
    ``pattern`` finds in ``plain``; None when it finds none or two different ones."""
    found = set()
    for m in pattern.finditer(plain):
        groups = list(m.groups())
        value = next(g for g in reversed(groups) if g)
        qualifier = next((g for g in groups if g and g != value), "") or ""
        found.add((qualifier.lower(), " ".join(value.split())))
    return found.pop() if len(found) == 1 else None


def _speed_direction(plain: str, support: Body | None) -> str | None:
    """Which way the one moving body goes: along an incline the way the problem says (up or
    down; None when it says neither), else right unless it says left."""
    if support is not None and support.kind == "incline":
        up = re.search(r"\bup\b", plain, re.I) is not None
        down = re.search(r"\bdown\b", plain, re.I) is not None
        return None if up == down else "up_incline" if up else "down_incline"
    return "left" if re.search(r"\bto the left\b|\bleftward", plain, re.I) else "right"


class Body(BaseModel):
    """One support or body of the setup."""

    model_config = _CONFIG

    name: str = Field(min_length=1, max_length=MAX_NAME)
    """Short unique id other items refer to, e.g. "A", "m1", "ramp"."""
    kind: BodyKind
    """ground (floor), table (raised flat top; also a cliff or roof), wall, ceiling, incline (ramp,
    hill), block (box, crate, sled), cart, ball (particle, bullet), wheel, pulley, pendulum (a
    string from the ceiling with a bob)."""
    label: str | None = Field(default=None, max_length=MAX_LABEL)
    """Text on or beside it, as stated: a mass "500 g", a friction "μk = 0.150"; null for none."""
    on: str | None = Field(default=None, max_length=MAX_NAME)
    """block/cart/ball/wheel: name of the ground, table, incline, block or cart it rests on;
    pulley: the incline, table, ground or ceiling it is fixed to; null when it hangs or flies."""
    angle_deg: float | None = Field(default=None, ge=0, le=89)
    """incline: its angle with the horizontal; pendulum: the string's angle from the vertical."""
    angle_label: str | None = Field(default=None, max_length=MAX_LABEL)
    """Text for that angle, e.g. "25°" or "θ"; null draws no angle mark."""
    length_label: str | None = Field(default=None, max_length=MAX_LABEL)
    """pendulum: text for the string's length, e.g. "75.0 cm"."""
    side: Literal["left", "right"] | None = None
    """wall: the side it stands on (default left); pendulum: the side it swings to (default
    right)."""
    shape: Literal["ball", "block"] | None = None
    """pendulum: the bob's shape (default ball)."""

    _no_null = field_validator("on", "label", "angle_label", "length_label", mode="before")(
        none_if_null
    )


class Link(BaseModel):
    """A rope or spring between two named things."""

    model_config = _CONFIG

    kind: Literal["rope", "spring"]
    """rope (string, cable, wire) or spring."""
    a: str = Field(min_length=1, max_length=MAX_NAME)
    """Name of one end (a body, wall, ceiling or pulley)."""
    b: str = Field(min_length=1, max_length=MAX_NAME)
    """Name of the other end."""
    over: str | None = Field(default=None, max_length=MAX_NAME)
    """rope: name of the pulley it passes over; null for a straight rope."""
    label: str | None = Field(default=None, max_length=MAX_LABEL)
    """Text beside it, e.g. "k = 200 N/m" or "T"; null for none."""

    _no_null = field_validator("over", "label", mode="before")(none_if_null)


class Arrow(BaseModel):
    """A force, velocity or acceleration arrow on a body."""

    model_config = _CONFIG

    body: str = Field(min_length=1, max_length=MAX_NAME)
    """Name of the body it acts on (a pendulum means its bob)."""
    kind: Literal["force", "velocity", "acceleration"] = "force"
    """force (from the body's centre), velocity or acceleration (beside the body)."""
    direction: Direction
    """left, right, up, down; up_incline / down_incline (along the slope); normal (out of the
    surface it rests on); into_surface; along_rope (toward what its rope pulls to); angle (use
    angle_deg)."""
    angle_deg: float | None = Field(default=None, ge=-360, le=360)
    """direction "angle": the stated angle in degrees, counterclockwise from angle_from."""
    angle_from: Literal["horizontal", "incline"] = "horizontal"
    """What angle_deg is measured from: the horizontal (pointing right) or the incline's surface
    (pointing up the slope)."""
    angle_label: str | None = Field(default=None, max_length=MAX_LABEL)
    """Text for the arrow's stated angle, e.g. "45.0°"; null for none."""
    label: str | None = Field(default=None, max_length=MAX_LABEL)
    """Text at the tip, e.g. "F = 127 N", "v = 2.9 m/s", "mg"; null for none."""

    _no_null = field_validator("label", "angle_label", mode="before")(none_if_null)


class Dimension(BaseModel):
    """A dimension line (double arrow) with a label."""

    model_config = _CONFIG

    of: str = Field(min_length=1, max_length=MAX_NAME)
    """Name of the measured thing (or the first end with ``to``)."""
    to: str | None = Field(default=None, max_length=MAX_NAME)
    """Second end: the line spans from ``of`` to it (a wall, the ground, the ceiling or another
    body); null measures ``of`` alone."""
    measure: Literal["length", "height", "width", "travel"] = "length"
    """Without ``to``: length (an incline's slope, a pendulum's string, a body's size), height
    (an incline's or table's height, or how high a body is above the ground), width (an incline's
    base), travel (how far the body moves: along the slope, the floor, or down when it hangs)."""
    label: str = Field(min_length=1, max_length=MAX_LABEL)
    """The stated length, e.g. "d", "2.00 m", "32.0 cm"."""

    _no_null = field_validator("to", mode="before")(none_if_null)


@register
class MechanicsScene(SceneSpec):
    """A mechanics setup: supports, bodies, ropes and springs, arrows and dimensions."""

    domain: Literal["mechanics"] = "mechanics"
    bodies: list[Body] = Field(min_length=1, max_length=12)
    """Every support and body, each with a unique name (at most one ground, table, incline and
    ceiling; walls on the left and right)."""
    links: list[Link] = Field(default_factory=list, max_length=8)
    """Ropes and springs between named things."""
    arrows: list[Arrow] = Field(default_factory=list, max_length=16)
    """Force, velocity and acceleration arrows, only those the problem states or asks for."""
    dimensions: list[Dimension] = Field(default_factory=list, max_length=6)
    """Stated lengths, heights and distances."""
    notes: list[str] = Field(default_factory=list, max_length=4)
    """Other stated values with no place in the drawing, e.g. "t = 2.0 s" (short texts)."""

    image_types: ClassVar[tuple[str, ...]] = ("physics - mechanical",)

    @model_validator(mode="before")
    @classmethod
    def _implied_supports(cls, data: Any) -> Any:
        # "on": "ground" with no ground listed (seen from the 1.5B coder on a car problem):
        # the support the word names is meant; add it when the scene has none of its kind
        if not isinstance(data, dict) or not isinstance(data.get("bodies"), list):
            return data
        if len(data["bodies"]) > 12:  # refused by the field's bound anyway: no work on it
            return data
        bodies = [dict(b) if isinstance(b, dict) else b for b in data["bodies"]]
        _flat_inclines(bodies)
        names = {b.get("name") for b in bodies if isinstance(b, dict)}
        for body in [b for b in bodies if isinstance(b, dict)]:
            on = body.get("on")
            kind = _IMPLIED_SUPPORTS.get(on.strip().lower()) if isinstance(on, str) else None
            if kind is None or on in names:
                continue
            present = next(
                (b for b in bodies if isinstance(b, dict) and b.get("kind") == kind), None
            )
            if present is not None:
                body["on"] = present.get("name")
            else:
                bodies.insert(0, {"name": on, "kind": kind})
                names.add(on)
        return {**data, "bodies": bodies}

    @model_validator(mode="before")
    @classmethod
    def _incline_length(cls, data: Any) -> Any:
        # length_label is a pendulum's; on an incline (seen, seed 30: "8.21 m" the crate is
        # pulled along it) it is the slope's length: a dimension line along the slope
        if not isinstance(data, dict) or not isinstance(data.get("bodies"), list):
            return data
        dims = data.get("dimensions") if isinstance(data.get("dimensions"), list) else []
        bodies, added = [], []
        for b in data["bodies"]:
            label = b.get("length_label") if isinstance(b, dict) else None
            if isinstance(b, dict) and b.get("kind") == "incline" and isinstance(label, str):
                b = {k: v for k, v in b.items() if k != "length_label"}
                if label.strip() and not any(
                    isinstance(d, dict) and d.get("label") == label for d in dims
                ):
                    added.append({"of": b.get("name"), "measure": "length", "label": label})
            bodies.append(b)
        if bodies == data["bodies"]:
            return data
        return {**data, "bodies": bodies, "dimensions": [*dims, *added]}

    @model_validator(mode="after")
    def _consistent(self) -> MechanicsScene:
        kinds: dict[str, str] = {}
        for b in self.bodies:
            if b.name in kinds:
                raise ValueError(f"body name {b.name!r} is used twice")
            kinds[b.name] = b.kind
        for kind in SINGLE:
            if sum(1 for b in self.bodies if b.kind == kind) > 1:
                raise ValueError(f"at most one {kind}")
        if sum(1 for b in self.bodies if b.kind == "wall") > 2:
            raise ValueError("at most two walls (left and right)")
        for note in self.notes:
            if len(note) > 60:
                raise ValueError("a note is at most 60 characters")

        def need(name: str, what: str) -> str:
            if name not in kinds:
                raise ValueError(f"{what} names {name!r}, which is no body")
            return kinds[name]

        by = {b.name: b for b in self.bodies}
        for b in self.bodies:
            if b.on is None:
                continue
            kind = need(b.on, f"{b.name}.on")
            allowed = SUPPORTS if b.kind in MOVABLE else PULLEY_MOUNTS if b.kind == "pulley" else ()
            if kind not in allowed and b.kind in MOVABLE and kind in MOVABLE:
                # "e1 on e2" for two balls heading at each other: a small model writes "on" for
                # "next to"; nothing rests on a ball or wheel, so both stand free side by side
                b.on = None
                continue
            if kind not in allowed:
                raise ValueError(f"{b.name} ({b.kind}) cannot be on {b.on} ({kind})")
            seen, cur = {b.name}, by[b.on]
            while cur.on is not None and cur.kind in MOVABLE:
                if cur.on in seen or cur.name in seen:
                    raise ValueError(f"{b.name} rests on itself through {cur.name}")
                seen.add(cur.name)
                cur = by[cur.on]
        for b in self.bodies:
            if b.kind == "incline" and b.angle_deg is not None and b.angle_deg < 1:
                raise ValueError("an incline's angle is at least 1 degree")
        for link in self.links:
            need(link.a, "link.a")
            need(link.b, "link.b")
            if link.a == link.b:
                raise ValueError("a link joins two different things")
            if link.over is not None:
                if need(link.over, "link.over") != "pulley" or link.kind != "rope":
                    raise ValueError("only a rope passes over, and only over a pulley")
                if link.over in (link.a, link.b):
                    # a rope from a block to the pulley "over" that same pulley (seen, seed
                    # 13): it runs straight to the pulley
                    link.over = None
        for arrow in self.arrows:
            need(arrow.body, "arrow.body")
            if arrow.direction == "angle" and arrow.angle_deg is None:
                raise ValueError('direction "angle" needs angle_deg')
            _along_slope(arrow, by)
        for dim in self.dimensions:
            need(dim.of, "dimension.of")
            if dim.to is not None and (need(dim.to, "dimension.to") is None or dim.to == dim.of):
                raise ValueError("a dimension spans two different things")
        return self

    def aligned_to(self, question: str) -> MechanicsScene:
        # a stated friction coefficient and a stated speed of the one moving body have their
        # places on the drawing (seen, seed 30: a crate pulled up a rough incline with
        # "u=0.324" and "an initial speed of 1.65 m/s" left off, the first answer then short
        # of label recall)
        plain = plain_question(question)
        shown = " ".join(self.labels())
        movers = [b for b in self.bodies if b.kind in MOVABLE]
        if len(movers) != 1:
            return self
        body, update = movers[0], {}
        support = next((b for b in self.bodies if b.name == body.on), None)
        friction = _stated_once(_FRICTION, plain)
        if friction and support is not None and not support.label and friction[1] not in shown:
            symbol = "μk" if friction[0] == "k" else "μs" if friction[0] == "s" else "μ"
            bodies = [
                b.model_copy(update={"label": f"{symbol} = {friction[1]}"}) if b is support else b
                for b in self.bodies
            ]
            update["bodies"] = bodies
        speed = _stated_once(_SPEED, plain)
        moving = not any(a.kind == "velocity" for a in self.arrows)
        if speed and moving and speed[1] not in shown and len(self.arrows) < 16:
            direction = _speed_direction(plain, support)
            if direction is not None:
                v = "v0" if speed[0] else "v"
                arrow = Arrow(
                    body=body.name, kind="velocity", direction=direction, label=f"{v} = {speed[1]}"
                )
                update["arrows"] = [*self.arrows, arrow]
        return self.model_copy(update=update) if update else self

    def labels(self) -> list[str]:
        out: list[str] = []
        if self.title and self.title.strip():
            out.append(self.title)
        for b in self.bodies:
            out += [b.label, b.length_label if b.kind == "pendulum" else None]
            if b.kind in ("incline", "pendulum"):
                out.append(b.angle_label)
        out += [link.label for link in self.links]
        for a in self.arrows:
            out += [a.label, a.angle_label]
        out += [d.label for d in self.dimensions]
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _Renderer(self, fig).run()


# ---------------------------------------------------------------------------------------------
# Geometry helpers (world units, y up)
# ---------------------------------------------------------------------------------------------

Pt = tuple[float, float]


def _add(p: Pt, q: Pt) -> Pt:
    return (p[0] + q[0], p[1] + q[1])


def _sub(p: Pt, q: Pt) -> Pt:
    return (p[0] - q[0], p[1] - q[1])


def _mul(p: Pt, k: float) -> Pt:
    return (p[0] * k, p[1] * k)


def _unit(p: Pt) -> Pt:
    n = math.hypot(p[0], p[1])
    return (1.0, 0.0) if n < 1e-9 else (p[0] / n, p[1] / n)


def _perp(p: Pt) -> Pt:
    return (-p[1], p[0])


def _dot(p: Pt, q: Pt) -> float:
    return p[0] * q[0] + p[1] * q[1]


def _dir(deg: float) -> Pt:
    return (math.cos(math.radians(deg)), math.sin(math.radians(deg)))


def _ang(p: Pt) -> float:
    return math.degrees(math.atan2(p[1], p[0]))


@dataclass
class _Geo:
    """Where a body ended up: a rectangle (w, h, oriented by t) or a circle (r)."""

    kind: str
    c: Pt = (0.0, 0.0)
    w: float = 0.0
    h: float = 0.0
    r: float = 0.0
    t: Pt = (1.0, 0.0)
    slope: Pt | None = None  # the tangent of the incline it rests on (up the slope)
    rope_to: Pt | None = None  # where its rope pulls

    @property
    def n(self) -> Pt:
        return _perp(self.t)

    def extent(self, d: Pt) -> float:
        """Distance from the centre to the boundary along the unit direction ``d``."""
        if self.r > 0:
            return self.r
        a, b = abs(_dot(d, self.t)), abs(_dot(d, self.n))
        hw, hh = self.w / 2, self.h / 2
        return min(hw / a if a > 1e-9 else 1e9, hh / b if b > 1e-9 else 1e9)

    def edge(self, d: Pt) -> Pt:
        return _add(self.c, _mul(d, self.extent(d)))

    def corners(self) -> list[Pt]:
        if self.r > 0:
            return [_add(self.c, _mul(_dir(a), self.r)) for a in range(0, 360, 45)]
        t, n = _mul(self.t, self.w / 2), _mul(self.n, self.h / 2)
        return [
            _add(_add(self.c, t), n),
            _add(_sub(self.c, t), n),
            _sub(_sub(self.c, t), n),
            _sub(_add(self.c, t), n),
        ]

    @property
    def top(self) -> float:
        return max(p[1] for p in self.corners())

    @property
    def bottom(self) -> float:
        return min(p[1] for p in self.corners())


SIZE = {"block": (1.0, 0.7), "cart": (1.3, 0.5), "hang": (0.7, 0.7)}
R = {"ball": 0.28, "wheel": 0.42, "pulley": 0.35, "bob": 0.26}
CART_LIFT = 0.28  # cart body above its surface (the wheels)
PEND_LEN = 3.0
LINK_LEN = 1.5
ARROW_LEN = 1.1

COLORS = {"force": "#c0392b", "velocity": "#1f5fbf", "acceleration": "#1e8449"}
BODY_FACE = "#dde6f0"
SUPPORT_FACE = "#ece6da"
FONT = 11


@dataclass
class _Label:
    text: str
    anchor: Pt  # world point
    prefs: list[Pt]  # preferred directions, best first
    inside: _Geo | None = None  # try the body's inside first
    own: int | None = None  # index of the obstacle this label belongs to
    color: str = "black"
    near: bool = False  # keep close to the anchor (angle labels)


@dataclass
class _Drawing:
    polys: list[tuple[list[Pt], str, str, float]] = field(default_factory=list)
    lines: list[tuple[list[Pt], str, float, str]] = field(default_factory=list)
    circles: list[tuple[Pt, float, str, str]] = field(default_factory=list)
    arrows: list[tuple[Pt, Pt, str, float, str]] = field(default_factory=list)
    labels: list[_Label] = field(default_factory=list)
    solid: list[list[Pt]] = field(default_factory=list)  # outlines labels should avoid


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


class _Renderer:
    def __init__(self, scene: MechanicsScene, fig: Any) -> None:
        self.s = scene
        self.fig = fig
        self.by = {b.name: b for b in scene.bodies}
        self.geo: dict[str, _Geo] = {}
        self.d = _Drawing()
        self.solid_of: dict[str, int] = {}
        self.walls: dict[str, float] = {}
        self.ground_y = 0.0
        self.has_ground = any(b.kind == "ground" for b in scene.bodies)
        self.ceiling_y: float | None = None
        self.incline: dict[str, Any] | None = None
        self.table: dict[str, float] | None = None
        self.pulleys: dict[str, dict[str, Any]] = {}
        self.hang: dict[str, tuple[str, str, Link]] = {}  # body -> (how, parent, link)
        self.rest: dict[str, str] = {}
        self.zone: dict[str, str] = {}
        self.edge_x: float | None = None  # the ground's edge at a ground-mounted pulley
        self.pendulum_info: dict[str, dict[str, Any]] = {}
        self.sides: dict[str, str] = {}
        self.x_end = 0.0
        self.top_other = 0.0

    # ---- relations -------------------------------------------------------------------------

    def _kind(self, name: str) -> str:
        return self.by[name].kind

    def _root(self, name: str) -> str | None:
        """The support (ground/table/incline) a resting body finally stands on."""
        cur = name
        for _ in range(len(self.by) + 1):
            on = self.rest.get(cur)
            if on is None:
                return None
            if self._kind(on) in ("ground", "table", "incline"):
                return on
            cur = on
        return None

    def _resolve(self) -> None:
        s = self.s
        for b in s.bodies:
            if b.kind in MOVABLE and b.on is not None:
                self.rest[b.name] = b.on
        # ropes over pulleys: the free ends hang from the pulley
        for link in s.links:
            if link.over is None:
                continue
            for end in (link.a, link.b):
                if self._kind(end) in MOVABLE and end not in self.rest and end not in self.hang:
                    self.hang[end] = ("pulley", link.over, link)
        # direct links to a ceiling, a pulley or a hanging body (chains)
        for _ in range(len(s.links) + 1):
            changed = False
            for link in s.links:
                if link.over is not None:
                    continue
                for end, other in ((link.a, link.b), (link.b, link.a)):
                    if self._kind(end) not in MOVABLE or end in self.rest or end in self.hang:
                        continue
                    ok = self._kind(other)
                    if ok == "ceiling":
                        self.hang[end] = ("ceiling", other, link)
                    elif ok == "pulley":
                        self.hang[end] = ("below", other, link)
                    elif ok in MOVABLE and other in self.hang and self._depth(other) < 6:
                        self.hang[end] = ("below", other, link)
                    else:
                        continue
                    changed = True
            if not changed:
                break
        ground = next((b.name for b in s.bodies if b.kind == "ground"), None)
        for b in s.bodies:
            if b.kind in MOVABLE and b.name not in self.rest and b.name not in self.hang:
                if ground is not None:
                    self.rest[b.name] = ground
        # where each pulley is mounted
        for b in s.bodies:
            if b.kind != "pulley":
                continue
            mount = self._kind(b.on) if b.on else None
            if mount is None:
                for link in s.links:
                    if link.over != b.name:
                        continue
                    for end in (link.a, link.b):
                        root = self._root(end)
                        if root is not None:
                            mount = self._kind(root)
                            break
                    if mount:
                        break
            if mount == "incline" and not any(x.kind == "incline" for x in s.bodies):
                mount = None
            if mount == "table" and not any(x.kind == "table" for x in s.bodies):
                mount = None
            self.pulleys[b.name] = {"mount": mount or "ceiling"}

    def _depth(self, name: str) -> int:
        d, cur = 0, name
        while cur in self.hang and d < 20:
            cur = self.hang[cur][1]
            d += 1
        return d

    def _reach(self, name: str) -> tuple[float, float]:
        """Extra room a body needs left and right for its horizontal arrows."""
        left = right = 0.0
        for a in self.s.arrows:
            if a.body != name:
                continue
            d = self._nominal_dir(a)
            if d[0] < -0.3:
                left = ARROW_LEN + 0.9
            if d[0] > 0.3:
                right = ARROW_LEN + 0.9
        return left, right

    def _nominal_dir(self, a: Arrow) -> Pt:
        table = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, 1.0), "down": (0.0, -1.0)}
        if a.direction in table:
            return table[a.direction]
        if a.direction == "angle" and a.angle_from == "horizontal":
            return _dir(a.angle_deg or 0.0)
        return (0.0, 0.0)

    def _size(self, name: str, hanging: bool = False) -> _Geo:
        kind = self._kind(name)
        if kind in ("ball", "wheel"):
            return _Geo(kind, r=R[kind])
        w, h = SIZE["hang"] if hanging and kind == "block" else SIZE.get(kind, SIZE["block"])
        return _Geo(kind, w=w, h=h)

    def _rest_on_line(self, name: str, p: Pt, t: Pt) -> _Geo:
        """Body ``name`` with its bottom centre at ``p`` on a surface of tangent ``t``."""
        g = self._size(name)
        n = _perp(t)
        lift = CART_LIFT if g.kind == "cart" else 0.0
        half = g.r if g.r > 0 else g.h / 2
        g.c = _add(p, _mul(n, lift + half))
        g.t = t
        return g

    # ---- zones ---------------------------------------------------------------------------

    def _row_gap(self, left: str | None, right: str | None) -> float:
        gap = 0.8
        if left is not None:
            gap += self._reach(left)[1]
        if right is not None:
            gap += self._reach(right)[0]
        for link in self.s.links:
            if {link.a, link.b} == {left, right} and link.over is None:
                gap = max(gap, 2.0 if link.kind == "spring" else 1.4)
        return gap

    def _row(self, names: list[str], x: float, y: float, first_gap: float) -> float:
        """Bodies resting side by side on a horizontal surface at height y; returns the end x."""
        prev: str | None = None
        for i, name in enumerate(names):
            g = self._size(name)
            half = g.r if g.r > 0 else g.w / 2
            x += (first_gap if i == 0 else self._row_gap(prev, name)) + half
            self.geo[name] = self._rest_on_line(name, (x, y), (1.0, 0.0))
            x += half
            prev = name
        return x + (self._reach(prev)[1] if prev else 0.0)

    def _stacked(self) -> None:
        for _ in range(len(self.by)):
            for name, on in self.rest.items():
                if name in self.geo or on not in self.geo or self._kind(on) not in MOVABLE:
                    continue
                base = self.geo[on]
                same = [n for n, o in self.rest.items() if o == on]
                k = same.index(name)
                shift = (k - (len(same) - 1) / 2) * (base.w / max(len(same), 1))
                top = _add(base.c, _mul(base.n, base.extent(base.n)))
                g = self._rest_on_line(name, _add(top, _mul(base.t, shift)), base.t)
                g.slope = base.slope
                self.geo[name] = g

    def _hang_below(self, name: str, x: float, top_y: float) -> None:
        g = self._size(name, hanging=True)
        half = g.r if g.r > 0 else g.h / 2
        g.c = (x, top_y - half)
        self.geo[name] = g

    def _chain_depth(self, name: str) -> float:
        g = self._size(name, hanging=True)
        own = LINK_LEN + (2 * g.r if g.r > 0 else g.h)
        kids = [n for n, (how, p, _) in self.hang.items() if how == "below" and p == name]
        return own + max((self._chain_depth(k) for k in kids), default=0.0)

    def _place_chain(self, parent: str) -> None:
        for name, (how, p, _link) in self.hang.items():
            if how == "below" and p == parent and name not in self.geo and parent in self.geo:
                pg = self.geo[parent]
                self._hang_below(name, pg.c[0], pg.bottom - LINK_LEN)
                self._place_chain(name)

    def layout(self) -> None:
        self._resolve()
        s = self.s
        walls = [b for b in s.bodies if b.kind == "wall"]
        sides: dict[str, str] = {}
        for w in walls:
            side = w.side or ("left" if "left" not in sides.values() else "right")
            if side in sides.values():
                side = "right" if side == "left" else "left"
            sides[w.name] = side
        x = 0.0
        if "left" in sides.values():
            self.walls["left"] = 0.0
            x = 0.0
        ground = next((b for b in s.bodies if b.kind == "ground"), None)
        table = next((b for b in s.bodies if b.kind == "table"), None)
        incline = next((b for b in s.bodies if b.kind == "incline"), None)
        zone_start = x

        # 1. bodies on the ground (a ground-mounted pulley ends the ground at an edge)
        if ground is not None:
            row = [n for n, on in self.rest.items() if on == ground.name]
            row.sort(key=lambda n: list(self.by).index(n))
            first = 0.6
            if row:
                first += self._reach(row[0])[0]
                if "left" in self.walls:
                    for link in s.links:
                        if (
                            row[0] in (link.a, link.b)
                            and self._kind(link.b if link.a == row[0] else link.a) == "wall"
                        ):
                            first = max(first, 2.0 if link.kind == "spring" else 1.4)
            x = self._row(row, x, 0.0, first) if row else x + 0.8
            ground_pulleys = [p for p, info in self.pulleys.items() if info["mount"] == "ground"]
            if ground_pulleys:
                x += 0.7
                self.edge_x = x
                for p in ground_pulleys[:1]:
                    c = (x + 0.05, 0.35 - R["pulley"] + 0.0)
                    self.pulleys[p].update(c=c, hang_x=[c[0] + R["pulley"]], drop=1.2)
                x += R["pulley"] * 2 + 1.2
        # 2. a table (raised top) with its bodies and an edge pulley
        if table is not None:
            x += 0.8
            th = 2.2
            row = [n for n, on in self.rest.items() if on == table.name]
            row.sort(key=lambda n: list(self.by).index(n))
            x0 = x
            end = self._row(row, x0, th, 0.5 + (self._reach(row[0])[0] if row else 0.0))
            x1 = max(end + 0.5, x0 + 2.5)
            self.table = {"x0": x0, "x1": x1, "h": th}
            x = x1
            for p, info in self.pulleys.items():
                if info["mount"] == "table":
                    c = (x1 + 0.05, th + 0.35 - R["pulley"])
                    info.update(c=c, hang_x=[c[0] + R["pulley"]], drop=1.0)
                    x += R["pulley"] * 2 + 1.0
                    break
        # 3. an incline rising to the right, with a pulley at its top
        if incline is not None:
            x += 0.8
            theta = incline.angle_deg if incline.angle_deg is not None else 30.0
            tr = math.radians(theta)
            has_pulley = any(i["mount"] == "incline" for i in self.pulleys.values())
            length = min(7.0, 4.2 / math.sin(tr))
            if has_pulley:
                length = min(max(length, 2.2 / math.sin(tr)), 12.0 / math.cos(tr))
            base = length * math.cos(tr)
            b0, r0, t0 = (x, 0.0), (x + base, 0.0), (x + base, length * math.sin(tr))
            t = (math.cos(tr), math.sin(tr))
            self.incline = {"B": b0, "R": r0, "T": t0, "t": t, "L": length, "theta": theta}
            on_it = [n for n, on in self.rest.items() if on == incline.name]
            on_it.sort(key=lambda n: list(self.by).index(n))
            k = len(on_it)
            gap = 1.6
            centre = 0.45 if has_pulley else 0.5
            for i, name in enumerate(on_it):
                sp = length * centre + (i - (k - 1) / 2) * gap
                sp = min(max(sp, 0.7), length - 0.7)
                g = self._rest_on_line(name, _add(b0, _mul(t, sp)), t)
                g.slope = t
                self.geo[name] = g
            x = r0[0]
            for p, info in self.pulleys.items():
                if info["mount"] == "incline":
                    c = t0
                    hx = c[0] + R["pulley"]
                    drop = min(max(t0[1] * 0.35, 0.3), 1.6)
                    info.update(c=c, hang_x=[hx], drop=drop)
                    x = hx + SIZE["hang"][0] / 2 + 0.4
                    break
        self._stacked()
        for name in list(self.rest):
            if name not in self.geo:  # resting on something that never got placed
                self.rest.pop(name)
        # 4. the ceiling: how deep its hanging things reach
        pendulums = [b for b in s.bodies if b.kind == "pendulum"]
        ceil_roots = [n for n, (how, _p, _l) in self.hang.items() if how == "ceiling"]
        ceil_pulleys = [p for p, i in self.pulleys.items() if i["mount"] == "ceiling"]
        depth = 0.0
        if pendulums:
            depth = max(depth, PEND_LEN + R["bob"] + 0.3)
        for n in ceil_roots:
            depth = max(depth, self._chain_depth(n))
        for p in ceil_pulleys:
            kids = [n for n, (how, pp, _l) in self.hang.items() if pp == p]
            depth = max(depth, 0.9 + 2.6 + max((self._chain_depth(k) for k in kids), default=1.0))
        top_other = max([g.top for g in self.geo.values()] + [0.0])
        if self.incline:
            top_other = max(top_other, self.incline["T"][1])
        if self.table:
            top_other = max(top_other, self.table["h"])
        ceiling = next((b for b in s.bodies if b.kind == "ceiling"), None)
        hung_here = bool(pendulums or ceil_roots or ceil_pulleys)
        if hung_here:
            self.ceiling_y = depth + (0.7 if self.has_ground else 0.0)
            if self.has_ground:
                self.ceiling_y = max(self.ceiling_y, 2.5)
        elif ceiling is not None:
            self.ceiling_y = top_other + 1.6
        # 5. free bodies (no ground): a row at the bob's rest height, left of the pendulums
        free = [
            b.name
            for b in s.bodies
            if b.kind in MOVABLE and b.name not in self.rest and b.name not in self.hang
        ]
        if free:
            y = 0.0
            if pendulums and self.ceiling_y is not None:
                y = self.ceiling_y - PEND_LEN - R["bob"] - 0.01
            start = x + (0.0 if x == zone_start else 0.6)
            x = self._row(free, start, y, 0.4 + self._reach(free[0])[0])
            for name in free:  # centre them on the height y, not resting on it
                g = self.geo[name]
                half = g.r if g.r > 0 else g.h / 2
                g.c = (g.c[0], g.c[1] - half)
        # 6. what hangs from the ceiling
        cz0 = x + 0.6
        x = cz0
        if self.ceiling_y is not None and hung_here:
            yc = self.ceiling_y
            for pb in pendulums:
                theta = pb.angle_deg or 0.0
                sgn = -1.0 if pb.side == "left" else 1.0
                swing = PEND_LEN * math.sin(math.radians(theta))
                arc_room = 1.0 if pb.angle_label else 0.5
                px = x + (swing + 0.8 if sgn < 0 else 0.8 + (0.6 if free else 0.0))
                pivot = (px, yc)
                down = (0.0, -1.0)
                rope = (sgn * math.sin(math.radians(theta)), -math.cos(math.radians(theta)))
                bob = _add(pivot, _mul(rope, PEND_LEN))
                block = pb.shape == "block"
                g = _Geo("pendulum", c=bob)
                if block:
                    g.w, g.h = 0.7, 0.6
                    g.c = _add(bob, _mul(rope, 0.3))
                    g.t = _unit(_perp(_mul(rope, -1.0)))
                    g.t = (g.t[0], g.t[1]) if g.t[0] > 0 else (-g.t[0], -g.t[1])
                else:
                    g.r = R["bob"]
                g.rope_to = pivot
                self.geo[pb.name] = g
                rest_c = _add(pivot, _mul(down, PEND_LEN + (0.3 if block else 0.0)))
                self.pendulum_info[pb.name] = {
                    "pivot": pivot,
                    "rope": rope,
                    "bob": bob,
                    "rest": rest_c,
                    "sgn": sgn,
                    "theta": theta,
                }
                x = px + (0.8 if sgn < 0 else swing + 0.9) + arc_room
            for n in ceil_roots:
                lft, rgt = self._reach(n)
                cx = x + 0.6 + lft
                self._hang_below(n, cx, yc - LINK_LEN)
                self._place_chain(n)
                x = cx + 0.5 + rgt + 0.4
            for p in ceil_pulleys:
                cx = x + 1.0
                c = (cx, yc - 0.9)
                r = R["pulley"]
                self.pulleys[p].update(c=c, hang_x=[cx - r, cx + r], drop=None)
                x = cx + 1.4
        # pulley-hung bodies
        for p, info in self.pulleys.items():
            if "c" not in info:
                # a pulley nothing placed: park it on the ceiling zone
                yc = self.ceiling_y if self.ceiling_y is not None else top_other + 2.0
                if self.ceiling_y is None:
                    self.ceiling_y = yc
                cx = x + 1.0
                info.update(c=(cx, yc - 0.9), hang_x=[cx - R["pulley"], cx + R["pulley"]])
                info["mount"] = "ceiling"
                info["drop"] = None
                x = cx + 1.4
            c = info["c"]
            self.geo[p] = _Geo("pulley", c=c, r=R["pulley"])
            ends = [n for n, (how, pp, _l) in self.hang.items() if how == "pulley" and pp == p]
            for i, n in enumerate(ends):
                hx = info["hang_x"][min(i, len(info["hang_x"]) - 1)]
                if len(info["hang_x"]) == 1 and i > 0:
                    hx += 1.0 * i  # a second free end on a one-sided pulley
                drop = info["drop"] if info["drop"] is not None else 1.4 + 0.9 * i
                self._hang_below(n, hx, c[1] - drop)
                self.geo[n].rope_to = (hx, c[1])
                self._place_chain(n)
            for n, (how, pp, _l) in self.hang.items():
                if how == "below" and pp == p and n not in self.geo:
                    self._hang_below(n, c[0], c[1] - R["pulley"] - LINK_LEN)
                    self._place_chain(n)
        # anything still unplaced (odd chains): a row at the end
        rest_x = x + 0.6
        for b in s.bodies:
            if b.kind in MOVABLE and b.name not in self.geo:
                g = self._size(b.name)
                g.c = (rest_x + (g.r or g.w / 2), 1.0)
                self.geo[b.name] = g
                rest_x += 2 * (g.r or g.w / 2) + 1.0
        x = max(x, rest_x)
        # right wall
        xs = [p[0] for g in self.geo.values() for p in g.corners()]
        right_end = max(xs + [x - 0.6])
        if self.incline:
            right_end = max(right_end, self.incline["R"][0])
        if self.table:
            right_end = max(right_end, self.table["x1"])
        if "right" in sides.values():
            rw = right_end + 0.6
            for n, g in self.geo.items():
                if self.rest.get(n) == (ground.name if ground else None):
                    rw = max(rw, g.c[0] + g.extent((1.0, 0.0)) + self._reach(n)[1] + 0.2)
            for link in s.links:
                ends = {link.a, link.b}
                if any(sides.get(e) == "right" for e in ends):
                    rw += 1.4 if link.kind == "spring" else 0.8
                    break
            self.walls["right"] = rw
            right_end = rw
        self.sides = sides
        self.x_end = right_end
        self.top_other = top_other

    # ---- drawing lists -------------------------------------------------------------------------

    def _solid(self, pts: list[Pt], name: str | None = None) -> int:
        self.d.solid.append(pts)
        idx = len(self.d.solid) - 1
        if name is not None:
            self.solid_of[name] = idx
        return idx

    def _hatch(self, p: Pt, q: Pt, side: Pt, n_max: int = 40) -> None:
        """A support surface from p to q, hatched toward ``side``."""
        self.d.lines.append(([p, q], "black", 1.6, "-"))
        length = math.hypot(q[0] - p[0], q[1] - p[1])
        count = max(2, min(n_max, int(length / 0.3)))
        u = _unit(_sub(q, p))
        hat = _add(_mul(side, 0.22), _mul(u, -0.16))
        for i in range(count + 1):
            a = _add(p, _mul(u, length * i / count))
            self.d.lines.append(([a, _add(a, hat)], "#555555", 0.8, "-"))

    def _spring(self, p: Pt, q: Pt) -> list[Pt]:
        u = _sub(q, p)
        length = math.hypot(*u)
        u = _unit(u)
        v = _perp(u)
        lead = min(0.2, length * 0.15)
        pts = [p, _add(p, _mul(u, lead))]
        coils = 8
        body = length - 2 * lead
        for i in range(1, 2 * coils):
            s = lead + body * i / (2 * coils)
            amp = 0.16 if i % 2 else -0.16
            pts.append(_add(_add(p, _mul(u, s)), _mul(v, amp)))
        pts += [_sub(q, _mul(u, lead)), q]
        return pts

    def _attach(self, name: str, toward: Pt) -> Pt:
        kind = self._kind(name)
        g = self.geo.get(name)
        if kind == "wall":
            side = self.sides.get(name, "left")
            return (self.walls.get(side, 0.0), toward[1])
        if kind == "ceiling":
            return (toward[0], self.ceiling_y if self.ceiling_y is not None else toward[1] + 1.5)
        if kind == "ground":
            return (toward[0], 0.0)
        if kind == "table" and self.table:
            return (self.table["x1"], self.table["h"] * 0.5)
        if kind == "incline" and self.incline:
            return self.incline["T"]
        if g is None:
            return toward
        return g.edge(_unit(_sub(toward, g.c)))

    def _centre(self, name: str) -> Pt:
        kind = self._kind(name)
        if name in self.geo:
            return self.geo[name].c
        if kind == "wall":
            return (self.walls.get(self.sides.get(name, "left"), 0.0), 1.0)
        if kind == "ceiling":
            return (self.x_end / 2, self.ceiling_y or 4.0)
        if kind == "table" and self.table:
            return ((self.table["x0"] + self.table["x1"]) / 2, self.table["h"] / 2)
        if kind == "incline" and self.incline:
            b0, t0 = self.incline["B"], self.incline["T"]
            return ((b0[0] + 2 * t0[0]) / 3, t0[1] / 3)
        return (self.x_end / 2, 0.0)

    def build(self) -> None:
        s, d = self.s, self.d
        x_lo = min([0.0] + [p[0] for g in self.geo.values() for p in g.corners()]) - 0.4
        x_hi = self.x_end + 0.4
        # supports
        for b in s.bodies:
            if b.kind == "ground":
                gx1 = x_hi if self.edge_x is None else self.edge_x
                self._hatch((x_lo, 0.0), (gx1, 0.0), (0.0, -1.0), n_max=60)
                if self.edge_x is not None:
                    low = min([g.bottom for g in self.geo.values()] + [-0.5]) - 0.4
                    self._hatch((gx1, 0.0), (gx1, low), (-1.0, 0.0), n_max=20)
                lab = _Label(b.label, ((x_lo + gx1) / 2, 0.0), [(0, -1)]) if b.label else None
                if lab:
                    ground_row = [g for n, g in self.geo.items() if self.rest.get(n) == b.name]
                    if ground_row:
                        lab.anchor = (ground_row[0].c[0], -0.25)
                    d.labels.append(lab)
            elif b.kind == "table" and self.table:
                t = self.table
                pts = [(t["x0"], 0.0), (t["x1"], 0.0), (t["x1"], t["h"]), (t["x0"], t["h"])]
                d.polys.append((pts, SUPPORT_FACE, "black", 1.4))
                if b.label:
                    d.labels.append(
                        _Label(b.label, ((t["x0"] + t["x1"]) / 2, t["h"] * 0.5), [(0, 0)])
                    )
            elif b.kind == "incline" and self.incline:
                inc = self.incline
                pts = [inc["B"], inc["R"], inc["T"]]
                d.polys.append((pts, SUPPORT_FACE, "black", 1.4))
                if b.angle_label:
                    rad = min(1.1, inc["L"] * 0.25)
                    th = inc["theta"]
                    arc = [_add(inc["B"], _mul(_dir(th * i / 16), rad)) for i in range(17)]
                    d.lines.append((arc, "black", 1.0, "-"))
                    mid = _dir(th / 2)
                    d.labels.append(
                        _Label(
                            b.angle_label,
                            _add(inc["B"], _mul(mid, rad + 0.12)),
                            [(1, 0), mid, (1, -0.2)],
                            near=True,
                        )
                    )
                if b.label:  # friction etc.: under the slope's middle, inside the triangle
                    mid = _add(inc["B"], _mul(inc["t"], inc["L"] * 0.62))
                    nrm = _perp(inc["t"])
                    d.labels.append(
                        _Label(b.label, _sub(mid, _mul(nrm, 0.15)), [(0, -1), _mul(nrm, -1)])
                    )
            elif b.kind == "wall":
                side = self.sides.get(b.name, "left")
                wx = self.walls.get(side, 0.0)
                top = max(2.5, min(self.top_other + 1.0, 6.0))
                if self.ceiling_y is not None:
                    top = max(top, self.ceiling_y)
                self._hatch((wx, 0.0), (wx, top), (-1.0, 0.0) if side == "left" else (1.0, 0.0))
                if b.label:
                    d.labels.append(
                        _Label(b.label, (wx, top * 0.8), [(1 if side == "left" else -1, 0)])
                    )
        if self.ceiling_y is not None:
            ceiling = next((b for b in s.bodies if b.kind == "ceiling"), None)
            yc = self.ceiling_y
            hung_x = [i["pivot"][0] for i in self.pendulum_info.values()]
            hung_x += [
                self.geo[n].c[0]
                for n, (how, _p, _l) in self.hang.items()
                if how == "ceiling" and n in self.geo
            ]
            hung_x += [i["c"][0] for i in self.pulleys.values() if i["mount"] == "ceiling"]
            if ceiling is not None and not hung_x:
                cx0, cx1 = x_lo, x_hi
            elif hung_x:
                cx0, cx1 = min(hung_x) - 0.9, max(hung_x) + 0.9
                if ceiling is not None:
                    cx1 = max(cx1, min(hung_x) + 2.0)
            else:
                cx0 = cx1 = 0.0
            if cx1 > cx0:
                self._hatch((cx0, yc), (cx1, yc), (0.0, 1.0))
                if ceiling is not None and ceiling.label:
                    d.labels.append(_Label(ceiling.label, ((cx0 + cx1) / 2, yc + 0.3), [(0, 1)]))
        # pulleys
        for p, info in self.pulleys.items():
            c = info["c"]
            r = R["pulley"]
            mount = info["mount"]
            if mount == "ceiling":
                d.lines.append(([c, (c[0], self.ceiling_y or c[1] + 0.9)], "black", 1.6, "-"))
            elif mount != "incline":
                d.lines.append(([c, (c[0] - 0.05, c[1] - 0.5)], "black", 2.0, "-"))
            d.circles.append((c, r, "#f4f4f4", "black"))
            d.circles.append((c, 0.06, "black", "black"))
            idx = self._solid(self.geo[p].corners(), p)
            if self.by[p].label:
                d.labels.append(_Label(self.by[p].label, c, [(0, 1), (-1, 1), (1, 1)], own=idx))
        # links
        for link in s.links:
            self._link(link)
        # pendulums
        for name, info in self.pendulum_info.items():
            pb = self.by[name]
            pivot, bob, rope = info["pivot"], info["bob"], info["rope"]
            g = self.geo[name]
            if info["theta"] > 0:
                rest = info["rest"]
                d.lines.append(([pivot, _add(pivot, (0.0, -PEND_LEN - 0.4))], "#777777", 1.0, "--"))
                ghost = _Geo(g.kind, c=rest, w=g.w, h=g.h, r=g.r)
                d.polys.append(
                    (
                        ghost.corners() if g.r == 0 else _circle_pts(rest, g.r),
                        "none",
                        "#888888",
                        1.0,
                    )
                )
            d.lines.append(([pivot, bob], "black", 1.4, "-"))
            d.circles.append((pivot, 0.07, "black", "black"))
            if g.r > 0:
                d.circles.append((g.c, g.r, "#9aa9b8", "black"))
            else:
                d.polys.append((g.corners(), BODY_FACE, "black", 1.4))
            idx = self._solid(g.corners(), name)
            if pb.label:
                d.labels.append(
                    _Label(
                        pb.label,
                        g.c,
                        [rope, (info["sgn"], 0), (0, -1)],
                        own=idx,
                        inside=g if g.r == 0 else None,
                    )
                )
            if pb.length_label:
                mid = _add(pivot, _mul(rope, PEND_LEN * 0.5))
                outward = _mul((-rope[1], rope[0]), info["sgn"])  # away from the vertical line
                if info["theta"] == 0:
                    outward = (-1.0, 0.0)
                d.labels.append(
                    _Label(
                        pb.length_label, _add(mid, _mul(outward, 0.1)), [outward, (info["sgn"], 0)]
                    )
                )
            if pb.angle_label:
                rad = 0.9
                a0, a1 = -90.0, _ang(rope)
                arc = [_add(pivot, _mul(_dir(a0 + (a1 - a0) * i / 16), rad)) for i in range(17)]
                if info["theta"] > 0:
                    d.lines.append((arc, "black", 1.0, "-"))
                mid = _dir((a0 + a1) / 2)
                d.labels.append(
                    _Label(
                        pb.angle_label, _add(pivot, _mul(mid, rad + 0.1)), [mid, (0, -1)], near=True
                    )
                )
        # bodies
        for b in s.bodies:
            if b.kind not in MOVABLE or b.name not in self.geo:
                continue
            g = self.geo[b.name]
            if b.kind == "ball":
                d.circles.append((g.c, g.r, "#9aa9b8", "black"))
            elif b.kind == "wheel":
                d.circles.append((g.c, g.r, "#e8e8e8", "black"))
                for a in (0, 60, 120):
                    u = _mul(_dir(a), g.r)
                    d.lines.append(([_add(g.c, u), _sub(g.c, u)], "#555555", 0.9, "-"))
                d.circles.append((g.c, 0.05, "black", "black"))
            else:
                d.polys.append((g.corners(), BODY_FACE, "black", 1.4))
                if b.kind == "cart":
                    base = _sub(g.c, _mul(g.n, g.h / 2 + CART_LIFT / 2))
                    for s_ in (-0.32, 0.32):
                        wc = _add(base, _mul(g.t, s_ * g.w))
                        d.circles.append((wc, CART_LIFT / 2, "#444444", "black"))
            idx = self._solid(g.corners(), b.name)
            if b.label:
                prefs = [g.n, _mul(g.n, -1.0), (0, 1), (-1, 0), (1, 0)]
                if b.name in self.hang:
                    prefs = [(-1, 0), (1, 0), (0, -1)]
                d.labels.append(
                    _Label(b.label, g.c, prefs, inside=g if g.r == 0 else None, own=idx)
                )
        # arrows
        groups: dict[tuple[str, int, int], list[int]] = {}
        dirs = []
        for i, a in enumerate(s.arrows):
            u = self._arrow_dir(a)
            dirs.append(u)
            groups.setdefault((a.body, round(u[0] * 4), round(u[1] * 4)), []).append(i)
        for i, a in enumerate(s.arrows):
            u = dirs[i]
            g = self._geo_for(a.body)
            grp = groups[(a.body, round(u[0] * 4), round(u[1] * 4))]
            k = grp.index(i)
            off = _mul(_perp(u), (k - (len(grp) - 1) / 2) * 0.32)
            ext = g.extent(u) if g else 0.3
            c = g.c if g else self._centre(a.body)
            # every arrow starts just outside the body, so a label inside it stays clear
            tail = _add(c, _add(off, _mul(u, ext + (0.04 if a.kind == "force" else 0.15))))
            tip = _add(tail, _mul(u, ARROW_LEN))
            color = COLORS[a.kind]
            style = "-" if a.kind != "acceleration" else "--"
            d.arrows.append((tail, tip, color, 2.0, style))
            if a.label:
                side = _perp(u)
                if side[1] < 0:
                    side = _mul(side, -1.0)
                d.labels.append(_Label(a.label, tip, [u, side, _mul(side, -1.0)], color=color))
            if a.angle_label:
                self._angle_mark(a, tail, u)
        # dimensions
        for dim in s.dimensions:
            self._dimension(dim)
        for note in s.notes:
            if note.strip():
                d.labels.append(
                    _Label(note, (x_lo, max(self._all_y()) + 0.3), [(1, -1), (1, 0), (0, -1)])
                )

    def _all_y(self) -> list[float]:
        ys = [p[1] for pts, *_ in self.d.polys for p in pts]
        ys += [p[1] for pts, *_ in self.d.lines for p in pts]
        ys += [c[1] + r for c, r, *_ in self.d.circles]
        return ys or [0.0]

    def _geo_for(self, name: str) -> _Geo | None:
        if name in self.geo:
            return self.geo[name]
        kind = self._kind(name)
        if kind in ("wall", "ceiling", "ground", "table", "incline"):
            return _Geo(kind, c=self._centre(name), r=0.05)
        return None

    def _slope_of(self, name: str) -> Pt | None:
        g = self.geo.get(name)
        if g is not None and g.slope is not None:
            return g.slope
        return self.incline["t"] if self.incline else None

    def _arrow_dir(self, a: Arrow) -> Pt:
        g = self.geo.get(a.body)
        slope = self._slope_of(a.body)
        nominal = self._nominal_dir(a)
        if nominal != (0.0, 0.0):
            return _unit(nominal)
        if a.direction in ("up_incline", "down_incline"):
            t = slope or (1.0, 0.0)
            return t if a.direction == "up_incline" else _mul(t, -1.0)
        if a.direction in ("normal", "into_surface"):
            on_slope = g is not None and g.slope is not None
            n = _perp(g.slope) if on_slope else (0.0, 1.0)
            if g is not None and a.body in self.rest and self._kind(self.rest[a.body]) in MOVABLE:
                n = self.geo[self.rest[a.body]].n
            return n if a.direction == "normal" else _mul(n, -1.0)
        if a.direction == "along_rope":
            if g is not None and g.rope_to is not None:
                return _unit(_sub(g.rope_to, g.c))
            return (0.0, 1.0)
        # angle from the incline
        t = slope or (1.0, 0.0)
        return _unit(_dir(_ang(t) + (a.angle_deg or 0.0)))

    def _angle_mark(self, a: Arrow, tail: Pt, u: Pt) -> None:
        if a.angle_from == "incline" and self._slope_of(a.body) is not None:
            ref = self._slope_of(a.body)
        else:
            ref = (1.0, 0.0)
        if _dot(ref, u) < 0:
            ref = _mul(ref, -1.0)
        a0 = _ang(ref)
        a1 = a0 + ((_ang(u) - a0 + 180.0) % 360.0 - 180.0)
        rad = 0.6
        self.d.lines.append(([tail, _add(tail, _mul(ref, 1.0))], "#777777", 1.0, "--"))
        arc = [_add(tail, _mul(_dir(a0 + (a1 - a0) * i / 12), rad)) for i in range(13)]
        self.d.lines.append((arc, "#333333", 1.0, "-"))
        mid = _dir((a0 + a1) / 2)
        self.d.labels.append(
            _Label(a.angle_label or "", _add(tail, _mul(mid, rad + 0.08)), [mid, ref], near=True)
        )

    def _link(self, link: Link) -> None:
        d = self.d
        color = "#6b4f2a" if link.kind == "rope" else "#333333"
        if link.over is not None and link.over in self.pulleys:
            info = self.pulleys[link.over]
            c, r = info["c"], R["pulley"]
            mids = []
            for end in (link.a, link.b):
                ec = self._centre(end)
                how = self.hang.get(end)
                if how is not None and how[0] == "pulley" and end in self.geo:
                    g = self.geo[end]
                    tp = (g.c[0], c[1])
                    start = g.edge((0.0, 1.0))
                else:
                    slope = self._slope_of(end) if info["mount"] == "incline" else None
                    if slope is not None:
                        tp = _add(c, _mul(_perp(slope), r))
                        g = self.geo.get(end)
                        start = g.edge(slope) if g is not None else ec
                        if g is not None:
                            g.rope_to = tp
                    else:
                        tp = (c[0], c[1] + r)
                        g = self.geo.get(end)
                        start = self._attach(end, tp) if g is None else g.edge(_unit(_sub(tp, g.c)))
                        if g is not None:
                            g.rope_to = tp
                d.lines.append(([start, tp], color, 1.4, "-"))
                mids.append(((start[0] + tp[0]) / 2, (start[1] + tp[1]) / 2))
            if link.label:
                d.labels.append(_Label(link.label, mids[-1], [(1, 0), (-1, 0)]))
            return
        pa, pb = self._centre(link.a), self._centre(link.b)
        ka, kb = self._kind(link.a), self._kind(link.b)
        if ka in ("wall", "ceiling", "ground") and kb not in ("wall", "ceiling", "ground"):
            p = self._attach(link.a, pb)
            q = self._attach(link.b, p)
        else:
            q = self._attach(link.b, pa)
            p = self._attach(link.a, q)
        for end, other in ((link.a, p), (link.b, q)):
            g = self.geo.get(end)
            if g is not None and g.rope_to is None and self._kind(end) in MOVABLE:
                g.rope_to = q if other is p else p
        if math.hypot(q[0] - p[0], q[1] - p[1]) < 0.05:
            return
        pts = self._spring(p, q) if link.kind == "spring" else [p, q]
        d.lines.append((pts, color, 1.4, "-"))
        if link.label:
            mid = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)
            side = _perp(_unit(_sub(q, p)))
            if side[1] < -0.1 or (abs(side[1]) <= 0.1 and side[0] < 0):
                side = _mul(side, -1.0)
            d.labels.append(
                _Label(link.label, _add(mid, _mul(side, 0.2)), [side, _mul(side, -1.0)])
            )

    def _dim_line(self, p: Pt, q: Pt, label: str, out: Pt) -> None:
        d = self.d
        if math.hypot(q[0] - p[0], q[1] - p[1]) < 0.1:
            q = _add(p, _mul(_perp(out), 0.5))
        d.arrows.append((p, q, "#444444", 1.0, "<->"))
        mid = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)
        d.labels.append(_Label(label, _add(mid, _mul(out, 0.08)), [out, _mul(out, -1.0)]))

    def _ticks(self, p: Pt, q: Pt, u: Pt) -> None:
        """Extension lines from p to q (both sides of a dimension)."""
        self.d.lines.append(([p, q], "#999999", 0.8, "-"))

    def _dimension(self, dim: Dimension) -> None:
        kind = self._kind(dim.of)
        label = dim.label
        g = self.geo.get(dim.of)
        if dim.to is not None:
            self._between(dim.of, dim.to, label)
            return
        inc = self.incline
        if kind == "incline" and inc:
            n = _perp(inc["t"])
            if dim.measure == "height":
                hang_r = max(
                    [
                        self.geo[e].c[0] + self.geo[e].extent((1.0, 0.0))
                        for e, h in self.hang.items()
                        if h[0] == "pulley"
                        and e in self.geo
                        and self.pulleys.get(h[1], {}).get("mount") == "incline"
                    ]
                    + [
                        inc["T"][0]
                        + (
                            R["pulley"]
                            if any(i["mount"] == "incline" for i in self.pulleys.values())
                            else 0.0
                        )
                    ]
                )
                xx = hang_r + 0.4
                self._ticks(inc["T"], (xx + 0.15, inc["T"][1]), (1, 0))
                self._dim_line((xx, 0.0), (xx, inc["T"][1]), label, (1.0, 0.0))
            elif dim.measure == "width":
                self._ticks(inc["B"], (inc["B"][0], -0.55), (0, -1))
                self._ticks(inc["R"], (inc["R"][0], -0.55), (0, -1))
                self._dim_line((inc["B"][0], -0.45), (inc["R"][0], -0.45), label, (0.0, -1.0))
            else:
                on_it = [
                    self.geo[n_] for n_, o in self.rest.items() if o == dim.of and n_ in self.geo
                ]
                high = max([_dot(_sub(gg.c, inc["B"]), n) + gg.extent(n) for gg in on_it] + [0.0])
                off = _mul(n, high + 0.45)
                a, b = _add(inc["B"], off), _add(inc["T"], off)
                self._ticks(inc["B"], _add(a, _mul(n, 0.15)), n)
                self._ticks(inc["T"], _add(b, _mul(n, 0.15)), n)
                self._dim_line(a, b, label, n)
            return
        if kind == "table" and self.table:
            tb = self.table
            if dim.measure == "height":
                self._dim_line((tb["x0"] - 0.4, 0.0), (tb["x0"] - 0.4, tb["h"]), label, (-1.0, 0.0))
            else:
                self._dim_line((tb["x0"], -0.45), (tb["x1"], -0.45), label, (0.0, -1.0))
            return
        if kind == "pendulum" and dim.of in self.pendulum_info:
            info = self.pendulum_info[dim.of]
            side = _mul(_perp(info["rope"]), info["sgn"])
            p = _add(info["pivot"], _mul(side, 0.35))
            q = _add(info["bob"], _mul(side, 0.35))
            self._dim_line(p, q, label, side)
            return
        if g is None:
            c = self._centre(dim.of)
            self._dim_line((c[0] - 0.6, c[1] + 0.5), (c[0] + 0.6, c[1] + 0.5), label, (0.0, 1.0))
            return
        if dim.measure == "height":
            xx = g.c[0] - g.extent((-1.0, 0.0)) - 0.35
            if self.table and self.rest.get(dim.of) == self.table_name():
                xx = self.table["x0"] - 0.4
            self._ticks((g.c[0], g.bottom), (xx - 0.15, g.bottom), (-1, 0))
            self._dim_line((xx, 0.0), (xx, g.bottom), label, (-1.0, 0.0))
        elif dim.measure == "travel":
            u = self._motion_dir(dim.of)
            side = _perp(u)
            if side[1] < -0.1 or (abs(side[1]) <= 0.1 and side[0] < 0):
                side = _mul(side, -1.0)
            if dim.of in self.hang:
                side = (1.0, 0.0)
            off = _mul(side, g.extent(side) + 0.4)
            p = _add(g.c, off)
            q = _add(p, _mul(u, 2.2))
            self._ticks(g.edge(side), _add(p, _mul(side, 0.15)), side)
            self._dim_line(p, q, label, side)
        else:
            n = g.n
            off = _mul(n, g.extent(n) + 0.35)
            p = _add(_sub(g.c, _mul(g.t, g.extent(g.t))), off)
            q = _add(_add(g.c, _mul(g.t, g.extent(g.t))), off)
            self._dim_line(p, q, label, n)

    def table_name(self) -> str | None:
        return next((b.name for b in self.s.bodies if b.kind == "table"), None)

    def _motion_dir(self, name: str) -> Pt:
        for a in self.s.arrows:
            if a.body == name and a.kind == "velocity":
                return self._arrow_dir(a)
        if name in self.hang:
            return (0.0, -1.0)
        g = self.geo.get(name)
        if g is not None and g.slope is not None:
            return g.slope
        return (1.0, 0.0)

    def _between(self, a: str, b: str, label: str) -> None:
        ka, kb = self._kind(a), self._kind(b)
        if ka in ("wall", "ground", "ceiling") and kb not in ("wall", "ground", "ceiling"):
            a, b, ka, kb = b, a, kb, ka
        ga = self._geo_for(a)
        ca = ga.c if ga else self._centre(a)
        if kb == "wall":
            wx = self._attach(b, ca)[0]
            sgn = 1.0 if ca[0] > wx else -1.0
            near = ca[0] - sgn * (ga.extent((sgn, 0.0)) if ga else 0.0)
            y = (ga.top if ga else ca[1]) + 0.4
            self._ticks((near, ca[1]), (near, y + 0.15), (0, 1))
            self._dim_line((wx, y), (near, y), label, (0.0, 1.0))
            return
        if kb in ("ground", "ceiling"):
            ref = 0.0 if kb == "ground" else (self.ceiling_y or ca[1] + 1.0)
            edge = (ga.bottom if kb == "ground" else ga.top) if ga else ca[1]
            xx = ca[0] - (ga.extent((-1.0, 0.0)) if ga else 0.0) - 0.35
            self._ticks((ca[0], edge), (xx - 0.15, edge), (-1, 0))
            self._dim_line((xx, ref), (xx, edge), label, (-1.0, 0.0))
            return
        gb = self._geo_for(b)
        cb = gb.c if gb else self._centre(b)
        if abs(ca[1] - cb[1]) < 0.6:
            y = max(ga.top if ga else ca[1], gb.top if gb else cb[1]) + 0.45
            self._ticks((ca[0], ga.top if ga else ca[1]), (ca[0], y + 0.15), (0, 1))
            self._ticks((cb[0], gb.top if gb else cb[1]), (cb[0], y + 0.15), (0, 1))
            self._dim_line((ca[0], y), (cb[0], y), label, (0.0, 1.0))
        else:
            xx = (
                max(
                    ca[0] + (ga.extent((1.0, 0.0)) if ga else 0),
                    cb[0] + (gb.extent((1.0, 0.0)) if gb else 0),
                )
                + 0.4
            )
            self._ticks(ga.edge((1.0, 0.0)) if ga else ca, (xx + 0.15, ca[1]), (1, 0))
            self._ticks(gb.edge((1.0, 0.0)) if gb else cb, (xx + 0.15, cb[1]), (1, 0))
            self._dim_line((xx, ca[1]), (xx, cb[1]), label, (1.0, 0.0))

    # ---- figure ----------------------------------------------------------------------------

    def run(self) -> None:
        self.layout()
        self.build()
        _Painter(self.fig, self.d, self.s.title).paint()


def _circle_pts(c: Pt, r: float, n: int = 24) -> list[Pt]:
    return [_add(c, _mul(_dir(360.0 * i / n), r)) for i in range(n)]


# ---------------------------------------------------------------------------------------------
# Painting and label placement (screen pixels)
# ---------------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box, pad: float = 0.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


class _Painter:
    def __init__(self, fig: Any, drawing: _Drawing, title: str | None) -> None:
        self.fig = fig
        self.d = drawing
        self.title = title.strip() if title and title.strip() else None

    def _world_box(self) -> Box:
        pts: list[Pt] = []
        for poly, *_ in self.d.polys:
            pts += poly
        for line, *_ in self.d.lines:
            pts += line
        for c, r, *_ in self.d.circles:
            pts += [(c[0] - r, c[1] - r), (c[0] + r, c[1] + r)]
        for tail, tip, *_ in self.d.arrows:
            pts += [tail, tip]
        pts += [lab.anchor for lab in self.d.labels]
        if not pts:
            pts = [(0.0, 0.0), (1.0, 1.0)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if x1 - x0 < 2:
            x0, x1 = (x0 + x1) / 2 - 1, (x0 + x1) / 2 + 1
        if y1 - y0 < 2:
            y0, y1 = (y0 + y1) / 2 - 1, (y0 + y1) / 2 + 1
        return x0, y0, x1, y1

    def paint(self) -> None:
        from matplotlib.patches import Circle, FancyArrowPatch, Polygon

        fig = self.fig
        x0, y0, x1, y1 = self._world_box()
        ww, wh = x1 - x0, y1 - y0
        scale = 52.0  # pixels per world unit, wanted
        n_labels = len(self.d.labels)
        pad_px = 70 + 4 * min(n_labels, 20)
        width = min(10.0, max(6.4, (ww * scale + 2 * pad_px) / 100))
        height = min(8.0, max(4.8, (wh * scale + 2 * pad_px + (30 if self.title else 0)) / 100))
        fig.set_size_inches(width, height)
        W, H = fig.get_size_inches() * fig.dpi
        top_px = 40 if self.title else 0
        box_w, box_h = W - 2 * pad_px, H - 2 * pad_px - top_px
        box_w, box_h = max(box_w, 120), max(box_h, 100)
        s = min(box_w / ww, box_h / wh, 90.0)  # a lone block stays block-sized
        # world limits matching the axes box's aspect, so no aspect adjustment happens at draw
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hw, hh = box_w / s / 2, box_h / s / 2
        left = (W - box_w) / 2 / W
        bottom = ((H - top_px - box_h) / 2) / H
        ax = fig.add_axes([left, bottom, box_w / W, box_h / H])
        ax.set_axis_off()
        ax.set_xlim(cx - hw, cx + hw)
        ax.set_ylim(cy - hh, cy + hh)
        for poly, face, edge, lw in self.d.polys:
            ax.add_patch(
                Polygon(
                    poly,
                    closed=True,
                    facecolor=face,
                    edgecolor=edge,
                    linewidth=lw,
                    linestyle="-" if face != "none" else "--",
                )
            )
        for line, color, lw, style in self.d.lines:
            ax.plot(
                [p[0] for p in line],
                [p[1] for p in line],
                color=color,
                linewidth=lw,
                linestyle=style,
                solid_capstyle="round",
            )
        for c, r, face, edge in self.d.circles:
            ax.add_patch(Circle(c, r, facecolor=face, edgecolor=edge, linewidth=1.2, zorder=3))
        for tail, tip, color, lw, style in self.d.arrows:
            arrowstyle = "<|-|>" if style == "<->" else "-|>"
            ls = "--" if style == "--" else "-"
            ax.add_patch(
                FancyArrowPatch(
                    tail,
                    tip,
                    arrowstyle=arrowstyle,
                    mutation_scale=12 if style == "<->" else 16,
                    color=color,
                    linewidth=lw,
                    linestyle=ls,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=4,
                )
            )
        to_px = ax.transData.transform
        self.W, self.H = W, H
        self.solid_px: list[Box] = []
        for pts in self.d.solid:
            px = to_px(pts)
            self.solid_px.append((px[:, 0].min(), px[:, 1].min(), px[:, 0].max(), px[:, 1].max()))
        # sample points of lines and arrows (labels avoid sitting on them)
        samples: list[Pt] = []
        for line, *_ in self.d.lines:
            samples += _samples(line, 0.12)
        for tail, tip, *_ in self.d.arrows:
            samples += _samples([tail, tip], 0.12)
        for poly, face, *_ in self.d.polys:
            samples += _samples(poly + poly[:1], 0.12)
        for c, r, *_ in self.d.circles:
            samples += _circle_pts(c, r, 12)
        self.samples = [tuple(p) for p in to_px(samples)] if samples else []
        self.placed: list[Box] = []
        renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
        self.renderer = renderer
        if self.title:
            t = fig.text(
                0.5,
                1 - 22 / H,
                self.title,
                ha="center",
                va="center",
                fontsize=FONT + 2,
                fontweight="bold",
            )
            box = self._box(t)
            if box[0] < 2 or box[2] > W - 2:
                t.set_fontsize(FONT)
                box = self._box(t)
            self.placed.append(box)
        for lab in self.d.labels:
            self._place(lab, ax)

    def _box(self, t: Any) -> Box:
        try:
            bb = t.get_window_extent(self.renderer)
        except Exception:  # a label mathtext cannot parse: show it as typed
            t.set_text(t.get_text().replace("$", r"\$"))
            bb = t.get_window_extent(self.renderer)
        return (bb.x0, bb.y0, bb.x1, bb.y1)

    def _fits(self, box: Box) -> bool:
        if box[0] < 3 or box[1] < 3 or box[2] > self.W - 3 or box[3] > self.H - 3:
            return False
        return not any(_overlaps(box, p, 3.0) for p in self.placed)

    def _hits(self, box: Box, own: int | None) -> int:
        n = 0
        for i, s in enumerate(self.solid_px):
            if i != own and _overlaps(box, s, -2.0):
                n += 3
        for x, y in self.samples:
            if box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1:
                n += 1
        return n

    def _place(self, lab: _Label, ax: Any) -> None:
        fig = self.fig
        t = fig.text(
            0, 0, lab.text, ha="center", va="center", fontsize=FONT, color=lab.color, zorder=6
        )
        box0 = self._box(t)
        w, h = box0[2] - box0[0], box0[3] - box0[1]
        # the text's centre relative to its anchor point (va center is not exactly the box centre)
        dx, dy = (box0[0] + box0[2]) / 2, (box0[1] + box0[3]) / 2
        anchor = tuple(ax.transData.transform(lab.anchor))
        W, H = self.W, self.H

        def put(cx: float, cy: float) -> Box:
            return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

        best: tuple[float, Box] | None = None
        if lab.inside is not None:
            box = put(*anchor)
            ok = self._inside(lab.inside, box, ax) and self._fits(box)
            if ok and not any(_overlaps(box, p, 2.0) for p in self.placed):
                best = (-1, box)
        if best is None:
            dirs = [_unit(p) for p in lab.prefs if p != (0, 0)]
            centre_first = any(p == (0, 0) for p in lab.prefs)
            dirs += [_dir(a) for a in range(0, 360, 30)]
            radii = (
                (3, 8, 14, 22, 32, 45, 60, 80, 105, 135)
                if not lab.near
                else (2, 5, 9, 14, 20, 28, 40, 55, 75, 100, 130)
            )
            order = 0
            cands: list[Box] = []
            if centre_first:
                cands.append(put(*anchor))
            if lab.near:  # along the wanted direction first (an angle label inside its wedge)
                for u in dirs[:1]:
                    for r in radii[:8]:
                        reach = abs(u[0]) * w / 2 + abs(u[1]) * h / 2
                        cands.append(
                            put(anchor[0] + u[0] * (r + reach), anchor[1] + u[1] * (r + reach))
                        )
            for r in radii:
                for u in dirs:
                    reach = abs(u[0]) * w / 2 + abs(u[1]) * h / 2
                    cands.append(
                        put(anchor[0] + u[0] * (r + reach), anchor[1] + u[1] * (r + reach))
                    )
            for box in cands:
                order += 1
                if not self._fits(box):
                    continue
                hits = self._hits(box, lab.own)
                cost = hits * 40 + order * 0.5
                if best is None or cost < best[0]:
                    best = (cost, box)
                if hits == 0:
                    break
        if best is None:  # scan the whole canvas for the free spot nearest the anchor
            step = 8.0
            y = h / 2 + 4
            while y < H - h / 2 - 4:
                x = w / 2 + 4
                while x < W - w / 2 - 4:
                    box = put(x, y)
                    if self._fits(box):
                        dist = math.hypot(x - anchor[0], y - anchor[1])
                        if best is None or dist < best[0]:
                            best = (dist, box)
                    x += step
                y += step
        if best is None:  # nowhere left: shrink the text and take the least crowded spot
            t.set_fontsize(9)
            box = put(
                min(max(anchor[0], w / 2 + 4), W - w / 2 - 4),
                min(max(anchor[1], h / 2 + 4), H - h / 2 - 4),
            )
            best = (0, box)
        box = best[1]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        t.set_position(((cx - dx) / W, (cy - dy) / H))
        real = self._box(t)
        self.placed.append(real)
        far = math.hypot(cx - anchor[0], cy - anchor[1]) - (w + h) / 2
        if far > 30 and not lab.near:  # a thin leader line back to what it labels
            ex = min(max(anchor[0], real[0]), real[2])
            ey = min(max(anchor[1], real[1]), real[3])
            inv = ax.transData.inverted()
            a_, b_ = inv.transform([anchor, (ex, ey)])
            ax.plot([a_[0], b_[0]], [a_[1], b_[1]], color="#999999", linewidth=0.7, zorder=2)

    def _inside(self, g: _Geo, box: Box, ax: Any) -> bool:
        corners = ax.transData.transform(g.corners())
        # the text box is inside the (possibly rotated) rectangle when all its corners are
        import numpy as np

        poly = np.asarray(corners)
        pts = [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
        for p in pts:
            sign = 0
            for i in range(len(poly)):
                a, b = poly[i], poly[(i + 1) % len(poly)]
                cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
                if abs(cross) < 1e-9:
                    return False
                s = 1 if cross > 0 else -1
                if sign == 0:
                    sign = s
                elif s != sign:
                    return False
        return True


def _samples(line: list[Pt], step: float) -> list[Pt]:
    out: list[Pt] = []
    for p, q in zip(line, line[1:]):
        n = max(1, min(200, int(math.hypot(q[0] - p[0], q[1] - p[1]) / step)))
        out += [(p[0] + (q[0] - p[0]) * i / n, p[1] + (q[1] - p[1]) * i / n) for i in range(n + 1)]
    return out
