"""Electric and magnetic field diagrams: point charges at stated positions (with field lines
computed from them when asked), charged parallel plates with their uniform field, long straight
wires carrying current into or out of the page (with circular B lines when asked), uniform B
regions drawn as grids of crosses or dots, marked points P, dimension lines between named
things, and named vectors (v, B, F, displacements) from stated directions or components, on
plain, compass or oblique x-y-z axes.

The model states what the problem gives (charges and positions, directions, components, the
given values as labels); the renderer lays everything out, integrates the field lines with
numpy, and places each label where it overlaps nothing. Nothing derived is written: no net
field or force at a point, no resultant vector unless the scene states it.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import (
    MIN_FONT,
    Placer,
    annotation_moves,
    ring_offsets,
    safe_text,
    text_size,
    wrap_to_width,
)
from sciray.scene.text import is_null_text

__all__ = ["Charge", "Dim", "FieldsScene", "Plates", "Point", "Region", "Vector", "Wire"]

Label = Annotated[str, Field(max_length=60)]
Name = Annotated[str, Field(min_length=1, max_length=12)]
Coord = Annotated[float, Field(ge=-1e6, le=1e6)]
_COLORS = {"v": "#1f77b4", "B": "#2ca02c", "F": "#d62728", "E": "#9467bd"}
# compass headings and axis words as angles (degrees counter-clockwise from east / +x)
_HEADINGS = {
    "east": 0, "e": 0, "+x": 0, "x": 0, "right": 0,
    "northeast": 45, "ne": 45,
    "north": 90, "n": 90, "+y": 90, "y": 90, "up": 90,
    "northwest": 135, "nw": 135,
    "west": 180, "w": 180, "-x": 180, "left": 180,
    "southwest": 225, "sw": 225,
    "south": 270, "s": 270, "-y": 270, "down": 270,
    "southeast": 315, "se": 315,
}  # fmt: skip
_KEEP = {"top", "current"}  # "-" and "none" are values there, not "no label"
_OFF_PLANE = {"into", "into the page", "into page", "out", "out of the page", "out of page"}
_OFF_PLANE |= {"+z", "-z", "z", "positive z", "negative z"}
_HEADINGS |= {"upward": 90, "upwards": 90, "downward": 270, "downwards": 270, "positive x": 0}
_HEADINGS |= {"negative x": 180, "positive y": 90, "negative y": 270}
# on oblique x-y-z axes: x slants toward the viewer, y to the right, z up
_OBLIQUE = {"x": (-0.5, -0.4), "y": (1.0, 0.0), "z": (0.0, 1.0)}


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        # a small model writes "" / "none" / "null" for "no label"
        if isinstance(data, dict):
            return {k: (None if is_null_text(v) and k not in _KEEP else v) for k, v in data.items()}
        return data


class Charge(_Part):
    name: Name
    """A short name other parts refer to, e.g. "q1"."""
    q: float = Field(ge=-1e12, le=1e12)
    """The stated charge with its sign, in the problem's unit, e.g. -4 (for -4 nC); 0 when
    the sign is not stated or is asked for."""
    label: Label | None = None
    """Text beside the charge, e.g. "q₁ = -4 nC"; empty for none."""
    x: Coord | None = None
    """Stated x position (any one unit for the whole scene); empty to let the renderer place it."""
    y: Coord | None = None
    """Stated y position; empty to let the renderer place it."""


class Point(_Part):
    name: Name
    """A short name, e.g. "P"; it is written beside the dot."""
    x: Coord | None = None
    """Stated x position (same unit as the charges); empty to let the renderer place it."""
    y: Coord | None = None
    """Stated y position; empty to let the renderer place it."""


class Wire(_Part):
    name: Name
    """A short name, e.g. "wire 1"."""
    current: Literal["into", "out", "up", "down", "left", "right"] = "out"
    """Current direction: "into"/"out" of the page (drawn ⊗/⊙) or "up"/"down"/"left"/"right" in
    the page (drawn as a long line with an arrow)."""
    label: Label | None = None
    """Text beside the wire, e.g. "I = 5 A"; empty for none."""
    x: Coord | None = None
    """Stated x position; empty to let the renderer place it."""
    y: Coord | None = None
    """Stated y position; empty to let the renderer place it."""
    b_lines: bool = False
    """True only when the problem asks to show the circular magnetic field lines around it."""


class Plates(_Part):
    top: Literal["+", "-"] = "+"
    """Sign of the top (or left) plate: "+" or "-"."""
    orientation: Literal["horizontal", "vertical"] = "horizontal"
    """"horizontal": plates above and below; "vertical": plates left and right."""
    gap_label: Label | None = None
    """The stated separation, e.g. "d = 20 mm"; empty for none."""
    field_label: Label | None = None
    """Text for the field between the plates, e.g. "E" or "ΔV = 140 V"; empty for none."""
    show_field: bool = True
    """Draw the uniform field arrows from + to -."""


class Region(_Part):
    direction: Literal["into", "out"] = "into"
    """Uniform magnetic field into the page (grid of ×) or out of the page (grid of •)."""
    label: Label | None = None
    """Text for the field, e.g. "B = 3.00 T"; empty for none."""


class Vector(_Part):
    label: Label
    """The vector's text, e.g. "v = 621 m/s" or "B"."""
    at: Name | None = None
    """Name of the charge, point or wire it starts at; empty: the origin, or the tip of the
    previous vector when "chain" is true."""
    direction: str | None = Field(default=None, max_length=30)
    """A stated direction: "north", "northwest", "east", "+x", "-y", "up", "left" ..."""
    angle_deg: float | None = Field(default=None, ge=-720, le=720)
    """Or a stated angle in degrees counter-clockwise from east / +x, e.g. 20 or 110."""
    components: list[float] | None = Field(default=None, min_length=2, max_length=3)
    """Or stated components [x, y] or [x, y, z], e.g. [-10, 17, -3]."""
    magnitude: float | None = Field(default=None, gt=0, le=1e12)
    """Stated size (only for relative lengths), e.g. 280; empty for a standard length."""
    chain: bool = False
    """True: starts at the tip of the previous vector (head-to-tail displacements)."""

    @model_validator(mode="before")
    @classmethod
    def _most_specific(cls, data: Any) -> Any:
        # a small model writes a heading and an angle together ("north" and 11 for "north, 11°
        # above the horizontal"; seen, seed 21): components win, then the named direction
        if isinstance(data, dict):
            data = dict(data)
            if data.get("components"):
                data.pop("direction", None), data.pop("angle_deg", None)
            elif data.get("direction") not in (None, "") and data.get("angle_deg") is not None:
                data.pop("angle_deg")
        return data

    @model_validator(mode="after")
    def _one_direction(self) -> Vector:
        given = [self.direction is not None, self.angle_deg is not None, self.components]
        if sum(bool(g) for g in given) != 1:
            raise ValueError("direction: give exactly one of direction, angle_deg or components")
        if self.direction is not None:
            key = self.direction.strip().lower()
            if key not in _HEADINGS and key not in _OFF_PLANE and _heading(key) is None:
                raise ValueError(f"direction: unknown direction {self.direction!r}")
        if self.components is not None and not any(abs(c) > 1e-12 for c in self.components):
            raise ValueError("components: a zero vector has no direction")
        if self.components is not None and any(abs(c) > 1e9 for c in self.components):
            raise ValueError("components: too large")
        return self


def _heading(text: str) -> float | None:
    """'20 degrees north of east' / '30° west of north' as an angle from east, else None."""
    m = re.fullmatch(
        r"\s*([\d.]+)\s*(?:°|deg|degrees?)?\s*(north|south|east|west)\s+of\s+(?:due\s+)?"
        r"(north|south|east|west)\s*",
        text.lower(),
    )
    if not m:
        return None
    turn, toward, base = float(m.group(1)), _HEADINGS[m.group(2)], _HEADINGS[m.group(3)]
    sign = 1 if (toward - base) % 360 == 90 else -1 if (toward - base) % 360 == 270 else 0
    return base + sign * turn if sign else None


class Coil(_Part):
    kind: Literal["solenoid", "loop", "square loop"] = "solenoid"
    """"solenoid" (side view, turns drawn), or a single "loop" / "square loop" in the page."""
    label: Label | None = None
    """Text for the coil, e.g. "N = 300 turns" or "I = 480 mA"; empty for none."""
    size_label: Label | None = None
    """Its stated size: the solenoid's length or the loop's radius/side, e.g. "L = 29 cm"."""
    current: Literal["cw", "ccw", "none"] = "none"
    """Current sense as seen in the figure: "cw", "ccw", or "none" to draw no arrow."""


class Dim(_Part):
    a: Name
    """Name of the first charge, point or wire."""
    b: Name
    """Name of the second."""
    label: Label
    """The stated distance, e.g. "d = 4 cm"."""


# ---------------------------------------------------------------------------------------------
# Scene
# ---------------------------------------------------------------------------------------------


def _declared(data: dict) -> set[str]:
    """The names a raw fields scene declares (its charges, points and wires)."""
    return {
        part["name"]
        for key in ("charges", "points", "wires")
        for part in (data.get(key) if isinstance(data.get(key), list) else [])
        if isinstance(part, dict) and isinstance(part.get("name"), str)
    }


# What a small model writes in a vector's "at" for "no named start" (seen: "auto", seed 25).
_NO_START = {"origin", "auto", "default", "start", "o"}


def _at_default(vector: Any, names: set[str]) -> Any:
    """A raw vector whose "at" names nothing declared but means the default start, without it."""
    if not isinstance(vector, dict) or vector.get("at") in names:
        return vector
    at = vector.get("at")
    if is_null_text(at) or (isinstance(at, str) and at.strip().lower() in _NO_START):
        return {k: v for k, v in vector.items() if k != "at"}
    return vector


@register
class FieldsScene(SceneSpec):
    """Charges, plates, wires, B regions, points and vectors of one field diagram."""

    domain: Literal["fields"] = "fields"
    image_types: ClassVar[tuple[str, ...]] = ("physics - field diagram",)

    charges: list[Charge] = Field(default_factory=list, max_length=8)
    """Point charges and charged particles, each with its stated value and position."""
    arrangement: Literal["line", "triangle", "square"] = "line"
    """How to place charges with no stated x, y: in a "line", or at the corners of a
    "triangle" or "square"."""
    field_lines: bool = False
    """True only when the problem asks to draw the electric field lines of the charges."""
    points: list[Point] = Field(default_factory=list, max_length=4)
    """Points where something is asked, e.g. P; the answer is never written."""
    wires: list[Wire] = Field(default_factory=list, max_length=4)
    """Long straight current-carrying wires."""
    plates: Plates | None = None
    """Two charged parallel plates (a capacitor); empty for none."""
    region: Region | None = None
    """A uniform magnetic field region; empty for none."""
    vectors: list[Vector] = Field(default_factory=list, max_length=6)
    """Stated vectors (velocity v, field B, force F, displacements)."""
    frame: Literal["none", "xy", "xyz", "compass"] = "none"
    """Axes drawn at the origin: "xy", "xyz" (x drawn slanting out of the page) or "compass"
    (N, E, S, W); "none" for no axes."""
    coils: list[Coil] = Field(default_factory=list, max_length=2)
    """Solenoids and current loops, drawn below the other things."""
    dims: list[Dim] = Field(default_factory=list, max_length=4)
    """Stated distances between two named things."""
    notes: list[Annotated[str, Field(max_length=90)]] = Field(default_factory=list, max_length=4)
    """Other given values written under the figure, e.g. "m = 6.00e-8 kg"."""

    @model_validator(mode="before")
    @classmethod
    def _lenient_scene(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("title", "plates", "region"):
            if is_null_text(data.get(key)):
                data[key] = None
        if isinstance(data.get("notes"), list):
            data["notes"] = [t for t in data["notes"] if not is_null_text(t)]
        if isinstance(data.get("vectors"), list):
            data["vectors"] = [_at_default(v, _declared(data)) for v in data["vectors"]]
        return data

    @model_validator(mode="after")
    def _consistent(self) -> FieldsScene:
        names = [c.name for c in self.charges] + [p.name for p in self.points]
        names += [w.name for w in self.wires]
        seen = set()
        for n in names:
            if n in seen:
                raise ValueError(f"charges/points/wires: the name {n!r} is used twice")
            seen.add(n)
        for i, v in enumerate(self.vectors):
            if v.at is not None and v.at not in seen:
                raise ValueError(f"vectors[{i}].at: unknown name {v.at!r}")
            if v.chain and i == 0:
                raise ValueError("vectors[0].chain: the first vector has no previous tip")
            if v.components and len(v.components) == 3 and self.frame != "xyz":
                raise ValueError(f'vectors[{i}].components: 3 components need frame "xyz"')
        for i, d in enumerate(self.dims):
            for end in (d.a, d.b):
                if end not in seen:
                    raise ValueError(f"dims[{i}]: unknown name {end!r}")
            if d.a == d.b:
                raise ValueError(f"dims[{i}]: a and b are the same")
        if self.field_lines and not any(c.q != 0 for c in self.charges):
            raise ValueError("field_lines: needs at least one nonzero charge")
        placed = [(c.x, c.y) for c in self.charges] + [(p.x, p.y) for p in self.points]
        placed += [(w.x, w.y) for w in self.wires]
        if any((x is None) != (y is None) for x, y in placed):
            raise ValueError("x, y: give both coordinates of a position or neither")
        if not (
            self.charges or self.points or self.wires or self.plates or self.region or self.coils
        ):
            if not self.vectors:
                raise ValueError("charges: the scene draws nothing")
        return self

    def _frame_texts(self) -> list[str]:
        return {"none": [], "xy": ["x", "y"], "xyz": ["x", "y", "z"]}.get(
            self.frame, ["N", "E", "S", "W"]
        )

    def labels(self) -> list[str]:
        out = [self.title] if self.title else []
        out += [t for c in self.charges for t in (c.label,) if t]
        out += [p.name for p in self.points] + [w.label for w in self.wires if w.label]
        if self.plates:
            out += [t for t in (self.plates.gap_label, self.plates.field_label) if t]
        if self.region and self.region.label:
            out.append(self.region.label)
        out += [t for c in self.coils for t in (c.label, c.size_label) if t]
        out += [v.label for v in self.vectors] + [d.label for d in self.dims]
        return out + self._frame_texts() + list(self.notes)

    def draw(self, fig: Any) -> None:
        moved: list[str] = []
        for _ in range(3):  # labels that find no free place go under the figure, then redraw
            fig.clear()
            failed = _Drawer(self, fig, moved).draw()
            if not failed:
                return
            moved += failed
        fig.clear()
        _Drawer(self, fig, moved, compact=True).draw()


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


def _auto_positions(n: int, arrangement: str) -> list[tuple[float, float]]:
    if arrangement == "triangle" and n == 3:
        return [(0.0, 0.0), (1.0, 0.0), (0.5, math.sqrt(3) / 2)]
    if arrangement == "square" and n == 4:
        return [(0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    return [(float(i), 0.0) for i in range(n)]


def _vector_xy(v: Vector, frame: str = "none") -> tuple[np.ndarray, bool]:
    """The vector's 2-D drawing direction (unit unless components) and whether it points out of
    the page plane (into/out: drawn as a symbol)."""
    axis = (v.direction or "").strip().lower().replace("positive ", "+").replace("negative ", "-")
    if frame == "xyz" and axis.lstrip("+-") in _OBLIQUE:
        d = np.array(_OBLIQUE[axis.lstrip("+-")])
        return (-d if axis.startswith("-") else d), False
    if v.components is not None:
        c = list(v.components) + [0.0] * (3 - len(v.components))
        if len(v.components) == 3:  # oblique: x slants toward the viewer (down-left)
            d = np.array([c[1] - 0.5 * c[0], c[2] - 0.4 * c[0]])
        else:
            d = np.array([c[0], c[1]])
        if np.hypot(*d) < 1e-12:
            d = np.array([-0.5, -0.4]) * math.copysign(1, c[0])
        return d, False
    if v.angle_deg is not None:
        a = math.radians(v.angle_deg)
        return np.array([math.cos(a), math.sin(a)]), False
    key = (v.direction or "").strip().lower()
    if key in _OFF_PLANE:
        return np.zeros(2), True
    ang = _HEADINGS.get(key)
    ang = _heading(key) if ang is None else ang
    a = math.radians(float(ang or 0.0))
    return np.array([math.cos(a), math.sin(a)]), False


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = float(np.clip((p - a) @ ab / max(float(ab @ ab), 1e-12), 0, 1))
    return float(np.hypot(*(p - a - t * ab)))


class _Drawer:
    def __init__(self, scene: FieldsScene, fig: Any, moved: list[str], compact: bool = False):
        self.s, self.fig, self.moved, self.compact = scene, fig, moved, compact
        self.size = 9.0 if compact else 10.0
        self.failed: list[str] = []
        self.skip = list(moved)

    # -- world positions ------------------------------------------------------------------
    def _positions(self) -> dict[str, np.ndarray]:
        s = self.s
        pos: dict[str, np.ndarray] = {}
        free_c = [c for c in s.charges if c.x is None]
        auto = _auto_positions(len(free_c), s.arrangement if len(free_c) == len(s.charges) else "")
        for c in s.charges:
            pos[c.name] = np.array([c.x, c.y], float) if c.x is not None else np.array(auto.pop(0))
        k = 0
        for item in [*s.points, *s.wires]:
            if item.x is not None:
                pos[item.name] = np.array([item.x, item.y], float)
            else:  # a row below the charges
                pos[item.name] = np.array([float(k), -1.0 if s.charges else 0.0])
                k += 1
        return pos

    def _vectors(self, pos: dict[str, np.ndarray], unit: float) -> list[tuple]:
        """(vector, start, end, off_plane) in world units: lengths follow the stated
        magnitudes or components, the longest about ``unit``."""
        mags = []
        for v in self.s.vectors:
            d, _ = _vector_xy(v, self.s.frame)
            mags.append(v.magnitude or (float(np.hypot(*d)) if v.components else None))
        known = [m for m in mags if m]
        top = max(known) if known else 1.0
        out, tip = [], np.zeros(2)
        for v, m in zip(self.s.vectors, mags):
            d, off = _vector_xy(v, self.s.frame)
            n = float(np.hypot(*d))
            length = unit * (max(m / top, 0.25) if m else 0.8)
            start = tip if v.chain else (pos[v.at] if v.at else np.zeros(2))
            end = start + (d / n * length if n > 0 else 0)
            out.append((v, start.copy(), np.asarray(end, float), off))
            tip = np.asarray(end, float)
        return out

    # -- drawing --------------------------------------------------------------------------
    def draw(self) -> list[str]:
        s, fig = self.s, self.fig
        w_in, h_in = fig.get_size_inches()
        top = 0.0
        if s.title:
            title = wrap_to_width(fig, safe_text(s.title), 12, w_in * 100 - 20)
            top = text_size(fig, title, 12)[1] / (h_in * 100) + 0.02
            t = fig.text(0.5, 1 - 0.01, title, ha="center", va="top", fontsize=12)
            t.set_gid("title")
        notes = list(s.notes) + self.moved
        bottom = self._notes(notes)
        ax = fig.add_axes([0.02, bottom + 0.01, 0.96, max(0.2, 0.97 - top - bottom - 0.01)])
        ax.axis("off")
        self.ax = ax
        pos = self._positions()
        pts = list(pos.values()) or [np.zeros(2)]
        span = float(np.max(np.ptp(np.array(pts), axis=0))) if len(pts) > 1 else 0.0
        unit = span * 0.45 if span > 0 else 1.0
        vecs = self._vectors(pos, unit)
        extent = pts + [e for _, a, b, _ in vecs for e in (a, b)]
        coils = []
        if s.coils:  # side by side, under everything else
            y = float(np.min(np.array(extent)[:, 1])) - 1.6 * unit if pos or vecs else 0.0
            x0 = float(np.min(np.array(extent)[:, 0])) if pos or vecs else 0.0
            for i, c in enumerate(s.coils):
                centre = np.array([x0 + i * 3.2 * unit, y])
                coils.append((c, centre))
                extent += [centre - [1.2 * unit, 0.8 * unit], centre + [1.2 * unit, 0.8 * unit]]
        if s.frame != "none":
            extent += [np.array([unit, unit]), np.array([-0.6 * unit, -0.5 * unit])]
        lo, hi = np.min(extent, axis=0), np.max(extent, axis=0)
        pad = max(float(np.max(hi - lo)) * 0.3, unit * 0.5)
        lo, hi = lo - pad, hi + pad
        if s.plates:  # room for the plates around everything
            lo, hi = self._plates_box(lo, hi)
        self._fit(lo, hi)
        self.r = 0.035 * self._span()
        self.placer = Placer(fig)
        for t in fig.texts:
            self.placer.block_text(t)
        self.taken = [pos[n] for n in pos]
        self.segments = [(a, b) for _, a, b, off in vecs if not off]
        if s.region:
            self._region(lo, hi)
        if s.plates:
            self._plates()
        if s.field_lines:
            self._field_lines(pos)
        for w in s.wires:
            self._wire(w, pos[w.name])
        for c in s.charges:
            self._charge(c, pos[c.name])
        for p in s.points:
            ax.plot(*pos[p.name], "o", color="black", ms=5, zorder=5)
            self._block_world(pos[p.name], self.r * 0.6)
        if s.frame != "none":
            self._frame(unit)
        for c, centre in coils:
            self._coil(c, centre, unit)
        for v, a, b, off in vecs:
            self._vector(v, a, b, off)
        for d in s.dims:
            self._dim(d, pos[d.a], pos[d.b])
        # labels last: every shape is down, so they avoid all of them
        for c in s.charges:
            if c.label:
                self._label(c.label, pos[c.name], self.r * 1.2)
        for p in s.points:
            self._label(p.name, pos[p.name], self.r * 0.6)
        for w in s.wires:
            if w.label:
                self._label(w.label, pos[w.name], self.r * 1.2)
        for v, a, b, off in vecs:
            at = a + np.array([self.r * 2.2, self.r * 2.2]) if off else b
            self._label(v.label, at, self.r * (0.8 if off else 0.4), v.label)
        return self.failed

    def _notes(self, notes: list[str]) -> float:
        if not notes:
            return 0.0
        fig = self.fig
        w_px, h_px = fig.get_size_inches() * fig.dpi
        for size in (10.0, MIN_FONT):
            texts = [wrap_to_width(fig, safe_text(n), size, w_px - 30) for n in notes]
            hs = [text_size(fig, t, size)[1] / h_px + 0.005 for t in texts]
            h = sum(hs)
            if h < 0.3:
                break
        y = 0.01
        for t, th in reversed(list(zip(texts, hs))):
            fig.text(0.02, y, t, ha="left", va="bottom", fontsize=size).set_gid("notes")
            y += th
        return h + 0.02

    def _fit(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Limits holding [lo, hi] with equal scales in x and y (the axes box is fixed)."""
        ax = self.ax
        bb = ax.get_position()
        w_px = bb.width * self.fig.get_size_inches()[0]
        h_px = bb.height * self.fig.get_size_inches()[1]
        wx, wy = float(hi[0] - lo[0]), float(hi[1] - lo[1])
        scale = max(wx / w_px, wy / h_px)
        cx, cy = (lo + hi) / 2
        ax.set_xlim(cx - scale * w_px / 2, cx + scale * w_px / 2)
        ax.set_ylim(cy - scale * h_px / 2, cy + scale * h_px / 2)

    def _span(self) -> float:
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        return min(x1 - x0, y1 - y0)

    def _block_world(self, xy: np.ndarray, r: float) -> None:
        from matplotlib.transforms import Bbox

        t = self.ax.transData
        a, b = t.transform(np.asarray(xy) - r), t.transform(np.asarray(xy) + r)
        self.placer.block(Bbox.from_extents(*a, *b))

    def _label(self, text: str, xy: np.ndarray, r_world: float, kind: str = "") -> None:
        text = safe_text(text)
        if text in self.skip:  # moved under the figure by an earlier pass
            self.skip.remove(text)
            return
        r_px = r_world * self.ax.transData.get_matrix()[0, 0] * 72 / self.fig.dpi
        color = _COLORS.get(kind.strip()[:1], "black") if kind else "black"
        ann = self.ax.annotate(
            text, xy=tuple(xy), xytext=(0, 0), textcoords="offset points",
            fontsize=self.size, color=color, zorder=8,
        )  # fmt: skip
        ok = self.placer.place(ann, annotation_moves(ring_offsets([r_px + 3, r_px + 12, 28, 44])))
        if not ok:
            ann.remove()
            self.failed.append(text)

    def _charge(self, c: Charge, xy: np.ndarray) -> None:
        from matplotlib.patches import Circle

        color = "#d62728" if c.q > 0 else "#1f77b4" if c.q < 0 else "gray"
        self.ax.add_patch(Circle(tuple(xy), self.r, color=color, zorder=6))
        h = self.r * 0.55
        if c.q != 0:  # a charge of unstated sign is a plain gray dot
            self.ax.plot([xy[0] - h, xy[0] + h], [xy[1], xy[1]], color="white", lw=2, zorder=7)
        if c.q > 0:
            self.ax.plot([xy[0], xy[0]], [xy[1] - h, xy[1] + h], color="white", lw=2, zorder=7)
        self._block_world(xy, self.r)

    def _wire(self, w: Wire, xy: np.ndarray) -> None:
        from matplotlib.patches import Circle

        ax, r = self.ax, self.r
        if w.current in ("into", "out"):
            ax.add_patch(Circle(tuple(xy), r, fill=False, lw=1.5, zorder=6))
            if w.current == "out":
                ax.plot(*xy, "o", color="black", ms=3, zorder=7)
            else:
                k = r * 0.7
                for s in (1, -1):
                    ax.plot([xy[0] - k, xy[0] + k], [xy[1] - s * k, xy[1] + s * k], "k-", zorder=7)
            self._block_world(xy, r)
            if w.b_lines:
                for i, rad in enumerate((2.5 * r, 4.2 * r)):
                    ax.add_patch(Circle(tuple(xy), rad, fill=False, ls="--", color="#2ca02c"))
                    ring = np.linspace(0, 2 * np.pi, 60)
                    circle = xy + rad * np.column_stack([np.cos(ring), np.sin(ring)])
                    self._avoid_line_poly(circle)
                    top = xy + np.array([0, rad])
                    d = np.array([-1.0, 0.0]) if w.current == "out" else np.array([1.0, 0.0])
                    self._arrow(top - d * r * 0.5, top + d * r * 0.5, "#2ca02c")
            return
        d = {"up": (0, 1), "down": (0, -1), "left": (-1, 0), "right": (1, 0)}[w.current]
        d = np.array(d, float)
        span = self._span() * 0.35
        ax.plot(*np.array([xy - d * span, xy + d * span]).T, color="black", lw=2, zorder=5)
        self._arrow(xy - d * r, xy + d * r * 1.5, "black")
        self._block_world(xy, r)

    def _arrow(self, a: Any, b: Any, color: str, lw: float = 1.5, style: str = "-|>") -> None:
        from matplotlib.patches import FancyArrowPatch

        self.ax.add_patch(
            FancyArrowPatch(
                tuple(a), tuple(b), arrowstyle=style, mutation_scale=12, color=color, lw=lw,
                shrinkA=0, shrinkB=0, zorder=4,
            )
        )  # fmt: skip

    def _vector(self, v: Vector, a: np.ndarray, b: np.ndarray, off: bool) -> None:
        from matplotlib.patches import Circle

        color = _COLORS.get(v.label.strip()[:1], "black")
        if off:  # into / out of the page: a small ⊗ / ⊙ beside the start
            key = (v.direction or "").lower()
            c = a + np.array([self.r * 2.2, self.r * 2.2])
            self.ax.add_patch(Circle(tuple(c), self.r * 0.7, fill=False, color=color, lw=1.5))
            if key.startswith("out") or key in ("+z", "z"):
                self.ax.plot(*c, "o", color=color, ms=2.5)
            else:
                k = self.r * 0.5
                for s in (1, -1):
                    self.ax.plot([c[0] - k, c[0] + k], [c[1] - s * k, c[1] + s * k], color=color)
            self._block_world(c, self.r * 0.7)
            return
        self._arrow(a, b, color, lw=2)
        self._avoid_line(a, b)
        if v.components and len(v.components) == 3:  # dashed x, y, z steps show the depth
            d, _ = _vector_xy(v)
            k = float(np.hypot(*(b - a))) / max(float(np.hypot(*d)), 1e-12)
            steps = [np.array([-0.5, -0.4]), np.array([1.0, 0.0]), np.array([0.0, 1.0])]
            path = [a]
            for c, e in zip(v.components, steps):
                path.append(path[-1] + e * c * k)
            pts = np.array(path)
            self.ax.plot(pts[:, 0], pts[:, 1], ls=":", color=color, lw=1)
            self._avoid_line_poly(pts)

    def _avoid_line(self, a: np.ndarray, b: np.ndarray) -> None:
        from sciray.scene.plot import densify

        t = self.ax.transData
        self.placer.avoid(densify(t.transform(np.array([a, b])), 3.0))

    def _frame(self, unit: float) -> None:
        ax, L = self.ax, unit * 0.9
        s = self.s
        if s.frame == "xyz":
            axes = {"x": np.array([-0.5, -0.4]) * L, "y": np.array([L, 0]), "z": np.array([0, L])}
        elif s.frame == "xy":
            axes = {"x": np.array([L, 0]), "y": np.array([0, L])}
        else:
            axes = {"N": np.array([0, L]), "E": np.array([L, 0])}
            axes.update({"S": np.array([0, -L]) * 0.6, "W": np.array([-L, 0]) * 0.6})
        for name, tip in axes.items():
            self._arrow((0, 0), tip, "gray", lw=1)
            self._avoid_line(np.zeros(2), tip)
        for name, tip in axes.items():
            t = ax.annotate(
                name, xy=tuple(tip), xytext=(0, 0), textcoords="offset points",
                fontsize=self.size, color="dimgray",
            )  # fmt: skip
            d = tip / max(float(np.hypot(*tip)), 1e-9)
            first = [(d[0] * 8, d[1] * 8, "center", "center")]
            if name in self.skip:
                self.skip.remove(name)
                t.remove()
            elif not self.placer.place(t, annotation_moves(first + ring_offsets([6, 14]))):
                t.remove()
                self.failed.append(name)

    def _coil(self, c: Coil, centre: np.ndarray, unit: float) -> None:
        from matplotlib.patches import Circle, Ellipse, Rectangle

        ax, color = self.ax, "#b5651d"
        if c.kind == "solenoid":
            half, rad = 1.1 * unit, 0.45 * unit
            n = 9
            for k in np.linspace(-half, half, n):  # turns: thin ellipses seen from the side
                ax.add_patch(
                    Ellipse((centre[0] + k, centre[1]), 0.18 * unit, 2 * rad, fill=False,
                            color=color, lw=1.3)
                )  # fmt: skip
            lo, hi = centre - [half, rad], centre + [half, rad]
            ends = (np.array([lo[0], lo[1] - 0.25 * unit]), np.array([hi[0], lo[1] - 0.25 * unit]))
            arrow_at = (centre + [0, rad], centre + [0.3 * unit, rad])
        else:
            rad = 0.7 * unit
            if c.kind == "loop":
                ax.add_patch(Circle(tuple(centre), rad, fill=False, color=color, lw=2))
            else:
                ax.add_patch(Rectangle(tuple(centre - rad), 2 * rad, 2 * rad, fill=False,
                                       color=color, lw=2))  # fmt: skip
            lo, hi = centre - rad, centre + rad
            ends = (np.array([lo[0], lo[1] - 0.2 * unit]), np.array([hi[0], lo[1] - 0.2 * unit]))
            if c.kind == "loop":
                ends = (centre, centre + [rad, 0])
            arrow_at = (centre + [0, rad], centre + [-0.3 * unit, rad])
        from matplotlib.transforms import Bbox

        tr = ax.transData
        self.placer.block(Bbox.from_extents(*tr.transform(lo), *tr.transform(hi)))
        if c.current != "none":  # along the top of the coil
            a, b = arrow_at
            if (
                c.current == "cw"
                and c.kind != "solenoid"
                or (c.kind == "solenoid" and c.current == "ccw")
            ):
                a, b = b, a
            self._arrow(a, b, "black", lw=1.5)
        if c.size_label:
            self._arrow(ends[0], ends[1], "dimgray", lw=1, style="<|-|>")
            self._avoid_line(*ends)
            self._label(c.size_label, (ends[0] + ends[1]) / 2, self.r * 0.2)
        if c.label:
            self._label(c.label, np.array([centre[0], hi[1]]), self.r * 0.5)

    def _dim(self, d: Dim, a: np.ndarray, b: np.ndarray) -> None:
        u = b - a
        n = float(np.hypot(*u))
        if n < 1e-12:  # the same place: just the stated distance beside it
            self._label(d.label, a, self.r * 1.2)
            return
        perp = np.array([-u[1], u[0]]) / n * self.r * 2.2
        if perp[1] > 0 or (abs(perp[1]) < 1e-12 and perp[0] > 0):
            perp = -perp  # below / left of the pair
        a2, b2 = a + perp, b + perp
        self._arrow(a2, b2, "dimgray", lw=1, style="<|-|>")
        for e, e2 in ((a, a2), (b, b2)):
            self.ax.plot(*np.array([e + perp * 0.3, e2 + perp * 0.3]).T, color="dimgray", lw=0.7)
        self._avoid_line(a2, b2)
        self._label(d.label, (a2 + b2) / 2, self.r * 0.2)

    # -- plates and regions --------------------------------------------------------------
    def _plates_box(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = float(np.max(hi - lo))
        self.plate_lo, self.plate_hi = lo.copy(), hi.copy()
        extra = np.array([0.25 * w, 0.3 * w])
        if self.s.plates and self.s.plates.orientation == "vertical":
            extra = extra[::-1]
        return lo - extra, hi + extra

    def _plates(self) -> None:
        from matplotlib.patches import Rectangle

        p, ax = self.s.plates, self.ax
        lo, hi, r = self.plate_lo, self.plate_hi, self.r
        vert = p.orientation == "vertical"
        a, b = (0, 1) if not vert else (1, 0)  # a: along the plates, b: across
        t = r * 0.6
        signs = (p.top, "-" if p.top == "+" else "+")
        edges = (hi[b], lo[b]) if not vert else (lo[b], hi[b])
        for sign, e in zip(signs, edges):
            out = 1 if e == max(edges) else -1
            xy = [0.0, 0.0]
            xy[a], xy[b] = lo[a], e if out > 0 else e - t
            size = (hi[a] - lo[a], t) if not vert else (t, hi[a] - lo[a])
            ax.add_patch(Rectangle(tuple(xy), *size, color="#555555", zorder=3))
            for k in np.linspace(lo[a] + r, hi[a] - r, 5):
                c = [0.0, 0.0]
                c[a], c[b] = k, e + out * (t + r * 0.9)
                self._sign(np.array(c), sign)
        from matplotlib.transforms import Bbox

        tr = ax.transData
        for e in edges:  # the plates and their signs keep labels off
            c0, c1 = [0.0, 0.0], [0.0, 0.0]
            c0[a], c0[b] = lo[a], e - 1.8 * r
            c1[a], c1[b] = hi[a], e + 1.8 * r
            self.placer.block(Bbox.from_extents(*tr.transform(c0), *tr.transform(c1)))
        if p.show_field:  # uniform arrows from + to -
            sgn = 1 if p.top == "+" else -1
            start, end = (edges[0], edges[1]) if sgn > 0 else (edges[1], edges[0])
            gap = end - start
            for k in np.linspace(lo[a] + r * 2, hi[a] - r * 2, 6):
                s0, s1 = [0.0, 0.0], [0.0, 0.0]
                s0[a], s0[b] = k, start + 0.12 * gap
                s1[a], s1[b] = k, end - 0.12 * gap
                self._arrow(s0, s1, "#9467bd", lw=1)
                self._avoid_line(np.array(s0), np.array(s1))
        if p.gap_label:  # the separation, outside the plates' right/bottom end
            s0, s1 = [0.0, 0.0], [0.0, 0.0]
            s0[a] = s1[a] = hi[a] + 2.5 * r
            s0[b], s1[b] = edges
            self._arrow(s0, s1, "dimgray", lw=1, style="<|-|>")
            self._avoid_line(np.array(s0), np.array(s1))
            self._label(p.gap_label, (np.array(s0) + np.array(s1)) / 2, r * 0.3)
        if p.field_label:
            c = [0.0, 0.0]
            c[a], c[b] = lo[a] - 0.5 * r, sum(edges) / 2
            self._label(p.field_label, np.array(c), r * 0.5)

    def _sign(self, xy: np.ndarray, sign: str) -> None:
        h = self.r * 0.45
        color = "#d62728" if sign == "+" else "#1f77b4"
        self.ax.plot([xy[0] - h, xy[0] + h], [xy[1], xy[1]], color=color, lw=1.5)
        if sign == "+":
            self.ax.plot([xy[0], xy[0]], [xy[1] - h, xy[1] + h], color=color, lw=1.5)

    def _region(self, lo: np.ndarray, hi: np.ndarray) -> None:
        from matplotlib.patches import Rectangle

        reg, ax = self.s.region, self.ax
        ax.add_patch(
            Rectangle(tuple(lo), *(hi - lo), fill=False, ls="--", color="#2ca02c", lw=1, zorder=1)
        )
        step = float(np.max(hi - lo)) / 9
        k = self.r * 0.3
        taken = self.taken
        marks = []
        for x in np.arange(lo[0] + step / 2, hi[0], step):
            for y in np.arange(lo[1] + step / 2, hi[1], step):
                if any(np.hypot(x - t[0], y - t[1]) < self.r * 2 for t in taken):
                    continue
                if any(_seg_dist(np.array([x, y]), a, b) < self.r for a, b in self.segments):
                    continue
                marks.append((x, y))
                if reg.direction == "out":
                    ax.plot(x, y, "o", color="#2ca02c", ms=2.5, zorder=1)
                else:
                    for s in (1, -1):
                        ax.plot([x - k, x + k], [y - s * k, y + s * k], color="#2ca02c", lw=0.8)
        if marks:
            self.placer.avoid(self.ax.transData.transform(np.array(marks)))
        if reg.label:
            self._label(reg.label, np.array([hi[0], hi[1]]), self.r * 0.2)

    # -- field lines ---------------------------------------------------------------------
    def _field_lines(self, pos: dict[str, np.ndarray]) -> None:
        """Lines of E integrated from the stated charges: seeds around the positive charges
        (count in proportion to |q|), or the negative ones when there is no positive."""
        qs = [(c.q, pos[c.name]) for c in self.s.charges if c.q != 0]
        q = np.array([a for a, _ in qs])
        at = np.array([b for _, b in qs])
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        sign = 1.0 if np.any(q > 0) else -1.0
        qmax = float(np.max(np.abs(q)))
        step = self._span() / 150

        def field(p: np.ndarray) -> np.ndarray:
            d = p - at
            r3 = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9) ** 3
            return (q[:, None] * d / r3[:, None]).sum(axis=0)

        for qi, ci in zip(q, at):
            if qi * sign <= 0:
                continue
            n = max(4, int(round(12 * abs(qi) / qmax)))
            for k in range(n):
                ang = 2 * math.pi * (k + 0.5) / n
                p = ci + self.r * 1.05 * np.array([math.cos(ang), math.sin(ang)])
                line = [p]
                for _ in range(600):
                    e = field(p)
                    m = float(np.hypot(*e))
                    if m == 0:
                        break
                    mid = p + sign * e / m * step / 2
                    e2 = field(mid)
                    p = p + sign * e2 / max(float(np.hypot(*e2)), 1e-12) * step
                    line.append(p)
                    if not (x0 <= p[0] <= x1 and y0 <= p[1] <= y1):
                        break
                    if np.min(np.hypot(*(at - p).T)) < self.r:
                        break
                pts = np.array(line)
                self.ax.plot(pts[:, 0], pts[:, 1], color="#888888", lw=0.8, zorder=2)
                self._avoid_line_poly(pts)
                if len(pts) > 12:  # one arrowhead along E
                    i = min(len(pts) // 3, 40)
                    a, b = (pts[i], pts[i + 1]) if sign > 0 else (pts[i + 1], pts[i])
                    u = (b - a) / max(float(np.hypot(*(b - a))), 1e-12)
                    self._arrow(a - u * self.r * 0.4, a + u * self.r * 0.4, "#888888", lw=0.8)

    def _avoid_line_poly(self, pts: np.ndarray) -> None:
        from sciray.scene.plot import densify

        self.placer.avoid(densify(self.ax.transData.transform(pts), 4.0))
