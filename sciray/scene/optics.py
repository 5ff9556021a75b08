"""Ray optics: elements along a principal axis (objects, thin lenses, mirrors, screens, slits,
light sources, people and walls for shadow problems) and stacked media with a ray crossing
their plane interfaces (refraction, thin films, slabs).

The model names the elements and the values the problem states (positions along the axis,
heights, focal lengths, indices, the incident angle); the renderer scales positions to the
canvas, draws the F / 2F / C marks and dimension lines it is given, and computes every ray it
is asked for (thin-lens / mirror ray tracing, Snell's law, shadows). It never draws an image or
a value the problem asks for.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import (
    HandLaid,
    densify,
    fmt_number,
)
from sciray.scene.text import none_if_null, plain_question

__all__ = ["Distance", "Element", "Medium", "OpticsScene", "Ray"]

W, H = 6.4, 4.8  # canvas (inches)
FONT = 11.0
INK, RAY, GLASS = "#1f3b5a", "#d62728", "#cfe3f5"
LENSES = ("converging_lens", "diverging_lens")
MIRRORS = ("plane_mirror", "concave_mirror", "convex_mirror")
UPRIGHT = ("object", "person", "source", "eye")  # drawn to a stated height


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


Name = Annotated[str, Field(min_length=1, max_length=20)]
Label = Annotated[str, Field(max_length=40)]
Num = Annotated[float, Field(ge=-1e6, le=1e6)]


class Element(_Part):
    name: Name
    """Short unique id that distances use, e.g. 'obj', 'L1', 'M', 'screen'."""
    kind: Literal[
        "object",
        "converging_lens",
        "diverging_lens",
        "plane_mirror",
        "concave_mirror",
        "convex_mirror",
        "screen",
        "slits",
        "source",
        "person",
        "wall",
        "eye",
    ]
    """object (upright arrow), a lens, a mirror, screen, slits (single/double slit or grating),
    source (lamp or light), person (casts a shadow), wall, eye (observer)."""
    position: Num | None = None
    """Where it is along the axis in the problem's unit, e.g. object 0 and lens 40 for 'object
    40 cm in front of the lens'; empty: evenly spaced in list order."""
    height: Num | None = None
    """Stated height in the same unit as the others (object 4.0 cm, man 6 ft, lamp on a 15 ft
    pole); empty: a default size."""
    label: Label | None = None
    """Text by the element, e.g. 'object', 'L1', 'concave mirror', 'd = 0.144 mm'."""
    height_label: Label | None = None
    """Stated height written beside it, e.g. '4.0 cm', '6 ft'; empty for none."""
    focal_length: Num | None = None
    """Lens or mirror focal length in the axis unit (its size only), e.g. 20."""
    focal_label: Label | None = None
    """Focal length text, e.g. 'f = 20 cm'; empty for none."""
    marks: list[Literal["F", "2F", "C"]] = Field(default_factory=list, max_length=3)
    """Points the problem names on the axis: 'F' and '2F' for a lens (both sides), 'F' and 'C'
    for a mirror (its reflecting side)."""
    faces: Literal["left", "right"] = "left"
    """Side a mirror reflects towards (light comes from there)."""
    slit_count: int = Field(default=2, ge=1, le=1000)
    """slits only: 1 single slit, 2 double slit, more for a grating."""
    point_label: Label | None = None
    """screen only: a point on the screen the problem names, e.g. 'P'."""
    y_label: Label | None = None
    """screen only: its stated or asked distance from the centre line, e.g. 'y', '2 mm'."""

    _clean_labels = field_validator(
        "label", "height_label", "focal_label", "point_label", "y_label", mode="before"
    )(none_if_null)


class Distance(_Part):
    a: Name
    """Name of the element where the distance starts."""
    b: Name
    """Name of the element where it ends."""
    label: Label
    """The stated distance, e.g. '40 cm', 'L = 2.11 m', 'd'."""


class Medium(_Part):
    label: Label | None = None
    """What it is, e.g. 'air', 'water', 'glass', 'film'."""
    n: float | None = Field(default=None, gt=0, le=100)
    """Stated refractive index, e.g. 1.33; empty when not stated."""
    thickness: float | None = Field(default=None, gt=0, le=1e6)
    """Stated thickness (for proportions), e.g. 4 for a 4 m deep pool; empty: default."""
    thickness_label: Label | None = None
    """Thickness text, e.g. 't', '2.0 cm', '4 m'; empty for none."""
    angle_label: Label | None = None
    """Label of the ray's angle (to the normal) in this medium, e.g. 'θ2'; only drawn when the
    ray reaches this medium."""

    _clean_labels = field_validator("label", "thickness_label", "angle_label", mode="before")(
        none_if_null
    )

    def index(self) -> float | None:
        """n for Snell's law: the stated one; 1 for air or vacuum when unstated."""
        if self.n is None and (self.label or "").strip().lower() in ("air", "vacuum"):
            return 1.0
        return self.n

    def text(self) -> str | None:
        n = f"n = {_fmt_n(self.n)}" if self.n is not None else None
        if self.label and n and n.replace(" ", "") not in self.label.replace(" ", ""):
            return f"{self.label} ({n})"
        return self.label or n


class Ray(_Part):
    angle: float = Field(ge=0, le=89.9)
    """Stated angle of the incoming ray in degrees, e.g. 44."""
    measured_from: Literal["normal", "surface"] = "normal"
    """Whether the stated angle is to the normal (angle of incidence) or to the surface."""
    medium: int = Field(default=0, ge=0, le=4)
    """Index in media of the medium the ray starts in (0 = top); it goes down from the top
    medium, up from the bottom one."""
    angle_label: Label | None = None
    """Angle text, e.g. '44°', 'θ1'; empty for none."""
    show_refracted: bool = False
    """Draw the ray on through the other media (only when the problem gives it or the
    figure needs it; needs each medium's n)."""
    show_reflected: bool = False
    """Draw the ray reflected at the first interface (and, with show_refracted, the ray
    reflected back out of the second interface, as for a thin film)."""

    reverse: bool = False
    """Light really travels the other way (e.g. from a coin under water up to the eye): the
    arrows point back along the drawn ray."""
    start_label: Label | None = None
    """Text at the start of the drawn ray, e.g. 'eye', 'flashlight'; empty for none."""
    end_label: Label | None = None
    """Text at the end of the drawn ray, e.g. 'coin'; empty for none."""

    _clean_labels = field_validator("angle_label", "start_label", "end_label", mode="before")(
        none_if_null
    )


_SINGLE_SLIT = re.compile(r"\b(?:single|one|a narrow)[\s-]+slit\b", re.I)
_DOUBLE_SLIT = re.compile(r"\b(?:double|two|twin)[\s-]+slits?\b|\bYoung", re.I)


def _stated_slit_count(question: str) -> int | None:
    """1 for a problem about a single slit, 2 for a double slit, None otherwise (both, a
    grating, or neither)."""
    single, double = bool(_SINGLE_SLIT.search(question)), bool(_DOUBLE_SLIT.search(question))
    if single == double or re.search(r"\bgrating\b", question, re.I):
        return None
    return 1 if single else 2


# The one lens or mirror a problem names, by the words problems use for it.
_STATED_KINDS = {
    "converging_lens": r"(?:convex|converging|convergent|positive|biconvex|magnifying)\s+lens",
    "diverging_lens": r"(?:concave|diverging|divergent|negative|biconcave)\s+lens",
    "concave_mirror": r"(?:concave|converging)\s+(?:spherical\s+)?mirror",
    "convex_mirror": r"(?:convex|diverging)\s+(?:spherical\s+)?mirror",
    "plane_mirror": r"(?:plane|flat)\s+mirror",
}


def _stated_kind(elements: list[Element], question: str) -> list[Element]:
    """``elements`` with their one lens or mirror of the kind the problem names, where it names
    exactly one kind (seed 32: a "convex lens" written as convex_mirror)."""
    named = [k for k, pat in _STATED_KINDS.items() if re.search(rf"\b{pat}", question, re.I)]
    optics = [e for e in elements if e.kind in LENSES + MIRRORS]
    if len(named) != 1 or len(optics) != 1 or optics[0].kind == named[0]:
        return elements
    kind, lens = named[0], optics[0]
    update: dict[str, Any] = {"kind": kind}
    if kind in LENSES:  # a lens has F and 2F, a mirror F and C
        update["marks"] = list(dict.fromkeys("2F" if m == "C" else m for m in lens.marks))
    elif kind in MIRRORS:
        update["marks"] = list(dict.fromkeys("C" if m == "2F" else m for m in lens.marks))
    if kind == "plane_mirror":
        update["marks"], update["focal_length"], update["focal_label"] = [], None, None
    return [e.model_copy(update=update) if e is lens else e for e in elements]


def _label_number(label: str) -> tuple[float, str] | None:
    """(value, unit) of a label that is one number and its unit ('40 cm', 'd = 2.1 m')."""
    from sciray.checks.numbers import find_numbers

    nums = find_numbers(label)
    if len(nums) != 1:
        return None
    unit = label[nums[0].end :].strip()
    return nums[0].value, unit


def _without_repeated_heights(
    elements: list[Element], distances: list[Distance], question: str
) -> list[Element]:
    """``elements`` without a height whose value another label of the scene already shows (a
    distance, the element's own label) where the problem states it once (seed 32: "40 cm in
    front of the lens" drawn as the distance and as the object's height; seed 33: a source
    labelled "λ = 665 nm" and 665 nm tall)."""
    from sciray.checks.numbers import find_numbers

    stated = [n.value for n in find_numbers(plain_question(question))]
    out = []
    for e in elements:
        height = _label_number(e.height_label or "")
        others = [d.label for d in distances] + [e.label or ""]
        shown = [n.value for t in others for n in find_numbers(t)]
        if height is not None and any(abs(v - height[0]) < 1e-9 for v in shown):
            if sum(abs(v - height[0]) < 1e-9 for v in stated) <= 1:
                e = e.model_copy(update={"height": None, "height_label": None})
        out.append(e)
    return out


def _spaced_as_stated(elements: list[Element], distances: list[Distance]) -> list[Element]:
    """``elements`` moved along the axis so each stated distance ('40 cm' between obj and the
    lens) is the gap between its ends (seed 32: positions 40 and 20 under a 40 cm dimension
    line); unchanged when any distance is not one number of the common unit, an end has no
    position, or the distances disagree among themselves."""
    if not distances:
        return elements
    stated = [_label_number(d.label) for d in distances]
    if any(s is None for s in stated) or len({s[1] for s in stated}) != 1:
        return elements
    at = {e.name: e.position for e in elements}
    if any(at.get(d.a) is None or at.get(d.b) is None for d in distances):
        return elements
    optic = [e.name for e in elements if e.kind in LENSES + MIRRORS]
    ends = {n for d in distances for n in (d.a, d.b)}
    root = next((n for n in optic if n in ends), distances[0].a)
    placed = {root: at[root]}
    pending = [(d, value) for d, (value, _) in zip(distances, stated, strict=True)]
    while pending:
        left = []
        for d, value in pending:
            if d.a not in placed and d.b not in placed:
                left.append((d, value))
                continue
            known, other = (d.a, d.b) if d.a in placed else (d.b, d.a)
            side = 1.0 if at[other] >= at[known] else -1.0  # the side the model put it on
            want = placed[known] + side * value
            if other in placed and abs(placed[other] - want) > 1e-6 * max(1.0, abs(want)):
                return elements  # the distances disagree: leave the model's positions
            placed[other] = want
        if len(left) == len(pending):
            return elements  # two unconnected groups: no common origin
        pending = left
    if all(abs(placed[n] - at[n]) < 1e-9 for n in placed):
        return elements
    return [
        e.model_copy(update={"position": placed[e.name]}) if e.name in placed else e
        for e in elements
    ]


# "light of wavelength 683 nm", "wavelength = 665 nm", "λ = 500 nm": a stated wavelength.
_WAVELENGTH = re.compile(
    r"(?:wavelength|λ|\\lambda)\s*(?:of|=|is)?\s*(\d+(?:\.\d+)?)\s*(nm|μm|um|Å)(?![A-Za-z])",
    re.I,
)


def _lit_slits(elements: list[Element], question: str, shown: str) -> list[Element]:
    """``elements`` of a slit setup with the light the problem states: its stated wavelengths
    on the source, or on a source put beside the slits away from the screen when the scene has
    none (seen, seed 26: "a single slit illuminated with light of wavelength 683 nm" drawn as
    slits and a screen, the 683 nm nowhere). Unchanged when the scene shows every value, has
    no slits, or the problem states no wavelength."""
    found = list(dict.fromkeys(_WAVELENGTH.findall(plain_question(question))))
    slits = [i for i, e in enumerate(elements) if e.kind == "slits"]
    if not found or len(slits) != 1 or len(elements) >= 8:
        return elements
    if all(value in shown for value, _ in found):
        return elements
    label = "λ = " + ", ".join(f"{v} {u}" for v, u in found)
    if len(label) > 40:
        return elements
    sources = [e for e in elements if e.kind == "source"]
    if len(sources) == 1 and (
        not sources[0].label or any(v in sources[0].label for v, _ in found)
    ):  # a mixture of two lights (seed 33: 665 nm and 565 nm) is one source of both
        return [e.model_copy(update={"label": label}) if e is sources[0] else e for e in elements]
    if sources:
        return elements
    i = slits[0]
    screens = [j for j, e in enumerate(elements) if e.kind == "screen"]
    at = i + 1 if screens and screens[0] < i else i  # the side away from the screen
    names = {e.name for e in elements}
    name = next((n for n in ("light", "source", "src", "lamp") if n not in names), "light 2")
    source = Element(name=name, kind="source", label=label)
    return [*elements[:at], source, *elements[at:]]


def _object_on_the_left(elements: list[Element]) -> list[Element]:
    """A lens setup whose object stands right of every lens, mirrored so light goes left to
    right as such figures are drawn (a lens acts the same from both sides; mirrors do not)."""
    lenses = [e.position for e in elements if e.kind in LENSES]
    objects = [e.position for e in elements if e.kind == "object"]
    if (
        any(e.kind in MIRRORS for e in elements)
        or not lenses
        or not objects
        or None in lenses + objects
        or min(objects) <= max(lenses)
    ):
        return elements
    return [
        e.model_copy(update={"position": -e.position}) if e.position is not None else e
        for e in elements
    ]


@register
class OpticsScene(SceneSpec):
    """Ray optics: lenses, mirrors, slits and screens on an axis; or media with a ray."""

    domain: Literal["optics"] = "optics"
    image_types: ClassVar[tuple[str, ...]] = ("physics - optical ray",)

    baseline: Literal["axis", "ground"] = "axis"
    """axis: a principal axis through lenses/mirrors/slits; ground: a floor line that
    poles, people and walls stand on (shadow problems)."""
    elements: list[Element] = Field(default_factory=list, max_length=8)
    """Everything on the axis, left to right."""
    distances: list[Distance] = Field(default_factory=list, max_length=6)
    """Stated distances between two elements, drawn as dimension lines."""
    rays: Literal["none", "principal", "parallel", "shadow"] = "none"
    """Rays to draw: principal (from the object's tip through the lens or mirror), parallel (a
    beam from the left), shadow (from each source over each person to the ground or wall); none
    unless the problem asks for a ray diagram or the setup is made of them."""
    media: list[Medium] = Field(default_factory=list, max_length=5)
    """Layers of media, top to bottom, separated by flat horizontal surfaces, e.g. air / film /
    glass; leave empty for axis scenes."""
    ray: Ray | None = None
    """The ray that strikes the media's surfaces; empty for none."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Short stated values written under the figure, e.g. 'λ = 676 nm'."""

    @model_validator(mode="before")
    @classmethod
    def _one_setup(cls, data: Any) -> Any:
        # elements and media together (seed 27: a stick as an "object" and a pool as a "plane
        # mirror" beside the layers air / salt water, n = 1.71, and a ray): a ray or a stated
        # index makes it a refraction setup, drawn as layers; otherwise the axis is meant
        if not isinstance(data, dict) or not (data.get("elements") and data.get("media")):
            return data
        media = data["media"] if isinstance(data["media"], list) else []
        indexed = any(isinstance(m, dict) and m.get("n") is not None for m in media)
        if data.get("ray") is not None or indexed:
            return {**data, "elements": [], "distances": []}
        return {**data, "media": []}

    @model_validator(mode="before")
    @classmethod
    def _screen_point_distance(cls, data: Any) -> Any:
        # a distance from a screen to the point it names ({"a": "screen", "b": "P", "label":
        # "7.55 mm"}, seen on a double-slit problem) is that point's distance from the centre
        # line: the screen's y_label
        if not isinstance(data, dict) or not isinstance(data.get("distances"), list):
            return data
        elements = [dict(e) if isinstance(e, dict) else e for e in data.get("elements") or []]
        points = {
            (e.get("name"), e.get("point_label")): e
            for e in elements
            if isinstance(e, dict) and e.get("kind") == "screen" and e.get("point_label")
        }
        kept = []
        for d in data["distances"]:
            ends = (d.get("a"), d.get("b")) if isinstance(d, dict) else ()
            screen = points.get(ends) or points.get(ends[::-1])
            if screen is not None and d.get("label"):
                screen["y_label"] = d["label"]
            else:
                kept.append(d)
        if len(kept) == len(data["distances"]):
            return data
        return {**data, "elements": elements, "distances": kept}

    @model_validator(mode="after")
    def _consistent(self) -> OpticsScene:
        names = [e.name for e in self.elements]
        for n in names:
            if names.count(n) > 1:
                raise ValueError(f"elements: name {n!r} is used twice")
        for i, d in enumerate(self.distances):
            for end in (d.a, d.b):
                if end not in names:
                    raise ValueError(f"distances[{i}]: no element named {end!r}")
            if d.a == d.b:
                raise ValueError(f"distances[{i}]: a and b are the same element")
        if self.elements and self.media:
            raise ValueError("media: give either elements (an axis) or media (layers), not both")
        if not self.elements and not self.media:
            raise ValueError("elements or media: an optics scene needs one of them")
        if self.ray is not None:
            if not self.media:
                raise ValueError("ray: a ray needs media to cross")
            if self.ray.medium >= len(self.media):
                raise ValueError(f"ray.medium: only {len(self.media)} media")
        if self.media and len(self.media) < 2:
            raise ValueError("media: at least two media (one surface between them)")
        if self.rays in ("principal",) and not any(e.kind == "object" for e in self.elements):
            raise ValueError("rays: principal rays start at an element of kind 'object'")
        if self.rays == "principal" and not any(e.kind in LENSES + MIRRORS for e in self.elements):
            raise ValueError("rays: principal rays need a lens or mirror element")
        return self

    def aligned_to(self, question: str) -> OpticsScene:
        elements = _stated_kind(self.elements, question)
        # the number of slits the problem names (seen, seed 26: a single slit drawn double)
        count = _stated_slit_count(question)
        slits = [e for e in elements if e.kind == "slits"]
        if count is not None and len(slits) == 1 and slits[0].slit_count != count:
            elements = [
                e.model_copy(update={"slit_count": count}) if e.kind == "slits" else e
                for e in elements
            ]
        elements = _without_repeated_heights(elements, self.distances, question)
        elements = _lit_slits(elements, question, " ".join(self.labels()))
        elements = _object_on_the_left(_spaced_as_stated(elements, self.distances))
        if elements == self.elements:
            return self
        return self.model_copy(update={"elements": elements})

    def notation(self) -> list[str]:
        return [m for e in self.elements for m in _mark_texts(e)]  # "2F" is a point's name

    def labels(self) -> list[str]:
        out = [self.title] if self.title else []
        for e in self.elements:
            out += [t for t in (e.label, e.height_label, e.focal_label) if t]
            out += _mark_texts(e)
            if e.kind == "screen":
                out += [t for t in (e.point_label, e.y_label) if t]
        out += [d.label for d in self.distances]
        for m in self.media:
            out += [t for t in (m.text(), m.thickness_label) if t]
        if self.ray and _incident_label(self):
            out.append(_incident_label(self))
        out += [m.angle_label for m in _ray_media(self) if m.angle_label]
        if self.ray:
            out += [t for t in (self.ray.start_label, self.ray.end_label) if t]
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


def _fmt_n(n: float) -> str:
    """An index as problems write it: at least two decimals (1.50, 1.33, 1.4831)."""
    text = fmt_number(n)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{n:.{max(2, decimals)}f}" if "e" not in text else text


def _mark_side(e: Element) -> int:
    """Side of a mirror its F and C lie on: in front of a concave one, behind a convex one."""
    front = -1 if e.faces == "left" else 1
    return -front if e.kind == "convex_mirror" else front


def _mark_texts(e: Element) -> list[str]:
    if e.kind in LENSES:
        return [m for m in e.marks for _ in (0, 1)]  # both sides of a lens
    if e.kind in ("concave_mirror", "convex_mirror"):
        return list(e.marks)
    return []


def _incident_label(s: OpticsScene) -> str | None:
    """The incoming ray's angle text: the ray's, else its starting medium's."""
    assert s.ray is not None
    return s.ray.angle_label or s.media[s.ray.medium].angle_label


def _ray_media(s: OpticsScene) -> list[Medium]:
    """Media other than the first that the drawn ray enters (their angle labels are drawn)."""
    if not s.ray or not s.ray.show_refracted:
        return []
    return [s.media[i] for i, _ in _snell_path(s)[1:]]


def _snell_path(s: OpticsScene) -> list[tuple[int, float]]:
    """(medium index, angle to the normal in radians) for each medium the ray crosses, the
    first being where it starts; it stops at a medium without n or at total reflection."""
    r = s.ray
    assert r is not None
    a = min(r.angle if r.measured_from == "normal" else 90.0 - r.angle, 89.5)
    path = [(r.medium, math.radians(a))]
    if not r.show_refracted:
        return path
    step = 1 if r.medium < len(s.media) - 1 else -1
    i = r.medium
    while 0 <= i + step < len(s.media):
        n0, n1 = s.media[i].index(), s.media[i + step].index()
        if n0 is None or n1 is None:
            break
        sin = n0 * math.sin(path[-1][1]) / n1
        if sin >= 0.9999:  # total internal reflection: no refracted ray
            break
        i += step
        path.append((i, math.asin(sin)))
    return path


# ---------------------------------------------------------------------------------------------
# Drawing (data units are inches: the axes covers the whole figure)
# ---------------------------------------------------------------------------------------------


class _Drawer(HandLaid):
    font = FONT

    def __init__(self, scene: OpticsScene, fig: Any):
        super().__init__(fig, W, H)
        self.s = scene

    def draw(self) -> None:
        s = self.s
        bottom, top = self.frame(s.title, s.notes)
        if s.media:
            self._media(bottom + 0.1, top - 0.1)
        else:
            self._axis_scene(bottom + 0.05, top - 0.05)
        self.place_labels()

    # --- labels ------------------------------------------------------------------------------

    def _line(self, xs, ys, soft: bool = True, **kw) -> None:
        self.line(np.column_stack([xs, ys]), soft, **kw)

    def _axis_scene(self, y0: float, y1: float) -> None:
        s = self.s
        els = s.elements
        pos = _positions(els)
        focal = {e.name: _focal(e, pos, els) for e in els}
        xs = list(pos.values())
        for e in els:
            if e.marks and _mark_texts(e):
                f = abs(focal[e.name])
                reach = 2 * f if ("2F" in e.marks or "C" in e.marks) else f
                sides = (-1, 1) if e.kind in LENSES else (_mark_side(e),)
                xs += [pos[e.name] + k * reach for k in sides]
        self.shadows = _shadow_lines(s, pos, _heights(els)) if s.rays == "shadow" else []
        xs += [end[0] for *_, end, _ in self.shadows if end]
        lo, hi = min(xs), max(xs)
        span = hi - lo if hi - lo > 1e-9 else 1.0
        x_left, x_right = 0.75, W - 0.75
        sx = (x_right - x_left) / span
        self.x_of = lambda p: x_left + (p - lo) * sx if hi > lo else W / 2
        self.X = {n: self.x_of(p) for n, p in pos.items()}
        self.sx = sx
        # rows of dimension lines under everything; interval colouring keeps them apart
        rows = _rows([(self.X[d.a], self.X[d.b]) for d in s.distances])
        n_rows = max(rows) + 1 if rows else 0
        self.row_h = min(0.42, 0.35 * (y1 - y0) / max(n_rows, 1))  # many rows: closer
        dims_h = n_rows * self.row_h
        ground = s.baseline == "ground"
        base = y0 + dims_h + 0.3
        if ground:
            axis_y = base + 0.1
            up = max(y1 - axis_y - 0.35, 0.4)
            down = 0.0
        else:
            axis_y = (base + y1) / 2
            up = down = max((y1 - base) / 2 - 0.2, 0.35)
        self.axis_y, self.up, self.down = axis_y, up, down
        self.box = (0.15, axis_y - down - 0.1, W - 0.15, axis_y + up + 0.25)
        # heights: one vertical scale for every stated height
        hu = _heights(els)
        tops = [h for h in hu.values()] + [end[1] for *_, end, _ in self.shadows if end]
        hmax = max(max(tops, default=0.0), 1e-9) if any(t > 0 for t in tops) else 1.0
        self.sy = (0.9 if ground else 0.62) * up / hmax
        self.Y = {n: h * self.sy for n, h in hu.items()}
        if ground:
            self._line(
                [0.15, W - 0.15], [axis_y, axis_y], soft=False, color="#555555", linewidth=1.8
            )
            for gx in np.arange(0.25, W - 0.15, 0.2):
                self.ax.plot([gx, gx - 0.1], [axis_y, axis_y - 0.1], color="#888888", lw=0.8)
        else:
            self._line(
                [0.15, W - 0.15], [axis_y, axis_y], soft=False, color="#555555", lw=1.0, ls="-."
            )
        for e in els:
            getattr(self, "_el_" + _glyph(e.kind))(e, focal[e.name])
        self._slit_rays()
        if s.rays == "principal":
            self._principal(focal)
        elif s.rays == "parallel":
            self._parallel(focal)
        elif s.rays == "shadow":
            self._shadows()
        for d, row in zip(s.distances, rows):
            self._dimension(d, axis_y - down - 0.35 - row * self.row_h)

    def _top(self, e: Element) -> float:
        """Height above the axis (inches) of the element's highest point."""
        if e.kind in UPRIGHT:
            return max(self.Y[e.name], 0.12)
        if e.kind == "wall" or (e.kind == "screen" and self.s.baseline == "ground"):
            return self.up * 0.95
        return self.up * 0.85

    def _el_label(self, e: Element, extra_x: float = 0.0) -> None:
        x, top = self.X[e.name], self.axis_y + self._top(e)
        bot = self.axis_y - (self.down * 0.85 if e.kind not in UPRIGHT else 0.0)
        anchors = [
            (x, top + 0.08, "center", "bottom"),
            (x + 0.1 + extra_x, top, "left", "center"),
            (x - 0.1, top, "right", "center"),
            (x, bot - 0.14, "center", "top"),
            (x + 0.1, (top + self.axis_y) / 2, "left", "center"),
            (x - 0.1, (top + self.axis_y) / 2, "right", "center"),
        ]
        self.label(e.label, anchors)
        if e.focal_label:
            self.label(e.focal_label, anchors[3:] + anchors[:3])
        if e.height_label:
            mid = self.axis_y + self._top(e) / 2
            self.label(
                e.height_label,
                [(x + 0.1, mid, "left", "center"), (x - 0.1, mid, "right", "center")] + anchors,
            )

    def _el_arrow(self, e: Element, f: float) -> None:  # object
        x, h = self.X[e.name], self.Y[e.name]
        self.ax.annotate(
            "",
            (x, self.axis_y + h),
            (x, self.axis_y),
            arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 2.2, "mutation_scale": 16},
        )
        self._el_label(e)

    def _el_person(self, e: Element, f: float) -> None:
        x, h = self.X[e.name], self.Y[e.name]
        y = self.axis_y
        r = min(0.09, h * 0.12)
        from matplotlib.patches import Circle

        self.ax.add_patch(Circle((x, y + h - r), r, fill=False, color=INK, lw=1.6))
        neck, hip = y + h - 2 * r, y + h * 0.45
        self.ax.plot([x, x], [neck, hip], color=INK, lw=1.6)
        self.ax.plot([x - 0.08, x, x + 0.08], [y, hip, y], color=INK, lw=1.6)
        arms = [neck - h * 0.2, neck - h * 0.08, neck - h * 0.2]
        self.ax.plot([x - 0.09, x, x + 0.09], arms, color=INK, lw=1.6)
        self._el_label(e)

    def _el_source(self, e: Element, f: float) -> None:
        x, h = self.X[e.name], self.Y[e.name]
        y = self.axis_y + h
        if self.s.baseline == "ground" and h > 0.05:
            self.ax.plot([x, x], [self.axis_y, y], color="#555555", lw=2.5)  # the pole
        self.ax.plot([x], [y], marker="o", ms=11, color="#ffcc33", mec="#b8860b", zorder=5)
        for k in range(8):
            a = k * math.pi / 4
            self.ax.plot(
                [x + 0.12 * math.cos(a), x + 0.2 * math.cos(a)],
                [y + 0.12 * math.sin(a), y + 0.2 * math.sin(a)],
                color="#e0a800",
                lw=1.2,
            )
        self._el_label(e, extra_x=0.12)

    def _el_eye(self, e: Element, f: float) -> None:
        from matplotlib.patches import Ellipse

        x, y = self.X[e.name], self.axis_y + self.Y[e.name]
        self.ax.add_patch(Ellipse((x, y), 0.3, 0.16, fill=False, color=INK, lw=1.5))
        self.ax.plot([x - 0.04], [y], marker="o", ms=5, color=INK)
        self._el_label(e)

    def _el_lens(self, e: Element, f: float) -> None:
        from matplotlib.patches import FancyArrowPatch

        x, y, h = self.X[e.name], self.axis_y, self.up * 0.85
        lo = y - self.down * 0.85
        if e.kind == "converging_lens":  # outward heads
            self.ax.add_patch(
                FancyArrowPatch((x, lo), (x, y + h), arrowstyle="<|-|>", color=INK, lw=2.0,
                                mutation_scale=14, shrinkA=0, shrinkB=0)
            )  # fmt: skip
        else:  # inward heads
            self.ax.plot([x, x], [lo, y + h], color=INK, lw=2.0)
            for yy, sgn in ((y + h, 1), (lo, -1)):
                self.ax.plot([x - 0.1, x, x + 0.1], [yy + 0.12 * sgn, yy, yy + 0.12 * sgn],
                             color=INK, lw=2.0)  # fmt: skip
        self._marks(e, f, (-1, 1))
        self._el_label(e)

    def _sag(self, e: Element, t):
        """Horizontal offset of a curved mirror's surface at height ``t`` from its vertex: a
        concave one's rim curves towards the light, a convex one's away."""
        if e.kind == "plane_mirror":
            return 0.0 * t
        face = -1 if e.faces == "left" else 1
        bend = face if e.kind == "concave_mirror" else -face
        return bend * 0.18 * (t / max(self.up * 0.85, self.down * 0.85, 0.1)) ** 2

    def _el_mirror(self, e: Element, f: float) -> None:
        x, y = self.X[e.name], self.axis_y
        h_up, h_dn = self.up * 0.85, self.down * 0.85
        ts = np.linspace(-h_dn, h_up, 60)
        face = -1 if e.faces == "left" else 1
        xs = x + self._sag(e, ts)
        self.ax.plot(xs, y + ts, color=INK, lw=2.4)
        for t in ts[::5]:  # hatching on the back
            xb = x + self._sag(e, t)
            self.ax.plot([xb, xb - face * 0.1], [y + t, y + t - 0.08], color="#777777", lw=0.8)
        self._marks(e, f, (_mark_side(e),))
        self._el_label(e)

    def _el_screen(self, e: Element, f: float) -> None:
        x, y = self.X[e.name], self.axis_y
        lo = y - (0 if self.s.baseline == "ground" else self.down * 0.85)
        hi = y + self._top(e)
        self.ax.plot([x, x], [lo, hi], color="#333333", lw=3.0)
        if e.kind == "wall":
            for t in np.arange(lo, hi, 0.15):
                self.ax.plot([x, x + 0.1], [t, t + 0.08], color="#777777", lw=0.8)
        if e.kind == "screen" and (e.point_label or e.y_label):
            yp = y + self.up * 0.5
            self.ax.plot([x], [yp], marker="o", ms=5, color=RAY, zorder=5)
            self.P = (x, yp)
            self.label(e.point_label, [(x + 0.1, yp, "left", "center"),
                                        (x - 0.1, yp + 0.1, "right", "bottom")])  # fmt: skip
            if e.y_label:
                xd = x + 0.22
                self.ax.annotate("", (xd, yp), (xd, y), arrowprops={"arrowstyle": "<|-|>",
                                 "color": "#444444", "lw": 1.0, "mutation_scale": 10})  # fmt: skip
                self.label(e.y_label, [(xd + 0.06, (y + yp) / 2, "left", "center"),
                                        (x - 0.1, (y + yp) / 2, "right", "center")])  # fmt: skip
        self._el_label(e)

    def _el_slits(self, e: Element, f: float) -> None:
        x, y = self.X[e.name], self.axis_y
        lo, hi = y - self.down * 0.85, y + self.up * 0.85
        n = e.slit_count
        if n == 1:
            gaps = [(-0.07, 0.07)]
        elif n == 2:
            gaps = [(0.16, 0.26), (-0.26, -0.16)]
        else:
            gaps = [(k * 0.16 - 0.025, k * 0.16 + 0.025) for k in range(-4, 5)]
        self.slit_ys = [y + (a + b) / 2 for a, b in gaps]
        edges = sorted([lo, hi] + [y + g for gap in gaps for g in gap])
        for a, b in zip(edges[::2], edges[1::2]):
            self.ax.plot([x, x], [a, b], color="#333333", lw=3.0, solid_capstyle="butt")
        self._el_label(e)

    def _marks(self, e: Element, f: float, sides) -> None:
        if not _mark_texts(e) or not math.isfinite(f):
            return
        x, y = self.X[e.name], self.axis_y
        fd = abs(f) * self.sx
        for side in sides:
            for m in e.marks:
                k = 2 if m in ("2F", "C") else 1
                xm = x + side * k * fd
                self.ax.plot([xm], [y], marker="o", ms=5, color=INK, zorder=5)
                self.label(m, [(xm, y - 0.08, "center", "top"), (xm, y + 0.08, "center", "bottom"),
                                (xm + 0.08, y - 0.05, "left", "top")])  # fmt: skip

    def _dimension(self, d: Distance, yd: float) -> None:
        xa, xb = self.X[d.a], self.X[d.b]
        ya = self.axis_y - self.down * 0.85
        for x in (xa, xb):
            self._line([x, x], [yd - 0.06, ya], color="#999999", lw=0.7, ls=":")
        self.placer.avoid(densify(np.array([[xa, yd], [xb, yd]]) * self.d))
        self.ax.annotate("", (xb, yd), (xa, yd), arrowprops={"arrowstyle": "<|-|>",
                         "color": "#444444", "lw": 1.0, "mutation_scale": 10,
                         "shrinkA": 0, "shrinkB": 0})  # fmt: skip
        xm = (xa + xb) / 2
        self.label(d.label, [(xm, yd + 0.04, "center", "bottom"), (xm, yd - 0.04, "center", "top"),
                              (max(xa, xb) + 0.08, yd, "left", "center")])  # fmt: skip

    # --- rays ------------------------------------------------------------------------------

    def _trace(self, x: float, y: float, m: float, direction: int, focal) -> None:
        """Follow a ray (inches; y above the axis, slope m per inch travelled in ``direction``)
        through the lenses and mirrors it meets (paraxial: m -= y / f; a mirror folds it
        back); it ends at a screen, wall or slits, else at the canvas edge."""
        path = [(x, y)]
        for _ in range(10):
            ahead = [
                e for e in self.s.elements
                if e.kind not in UPRIGHT and (self.X[e.name] - x) * direction > 1e-6
            ]  # fmt: skip
            if not ahead:
                break
            e = min(ahead, key=lambda e: abs(self.X[e.name] - x))
            xe = self.X[e.name]
            y, x = y + m * abs(xe - x), xe
            path.append((x + (self._sag(e, y) if e.kind in MIRRORS else 0.0), y))
            if e.kind in ("screen", "wall", "slits"):
                self._polyline(path)
                return
            reach = (self.up if y > 0 else self.down) * 0.85
            if abs(y) > reach + 1e-6:  # passes beyond the element's rim
                continue
            fd = focal[e.name] * self.sx
            if math.isfinite(fd):
                m = m - y / fd
            if e.kind in MIRRORS:
                direction = -direction
        x_end = self.box[2] if direction > 0 else self.box[0]
        path.append((x_end, y + m * abs(x_end - x)))
        self._polyline(path)

    def _polyline(self, path) -> None:
        pts = np.array([(x, self.axis_y + y) for x, y in path])
        pts = _clip_poly(pts, self.box)
        if len(pts) >= 2:
            self._line(pts[:, 0], pts[:, 1], color=RAY, lw=1.3, zorder=4)
            mid = len(pts) // 2
            a, b = pts[max(mid - 1, 0)], pts[mid]
            if np.hypot(*(b - a)) > 0.3:  # an arrowhead shows the direction of travel
                c = (a + b) / 2
                self.ax.annotate("", c + (b - a) * 0.01, c, arrowprops={"arrowstyle": "-|>",
                                 "color": RAY, "lw": 1.3, "mutation_scale": 12})  # fmt: skip

    def _slit_rays(self) -> None:
        """Lines from each slit opening to the named screen point (the two-path setup)."""
        P, ys = getattr(self, "P", None), getattr(self, "slit_ys", None)
        slits = [e for e in self.s.elements if e.kind == "slits"]
        if P is None or not ys or not slits or self.X[slits[0].name] >= P[0]:
            return
        xs = self.X[slits[0].name]
        for y in ys[:2]:
            self._line([xs, P[0]], [y, P[1]], color=RAY, lw=1.0, zorder=4)

    def _principal(self, focal) -> None:
        obj = next(e for e in self.s.elements if e.kind == "object")
        x0, h = self.X[obj.name], self.Y[obj.name]
        optics = [e for e in self.s.elements if e.kind in LENSES + MIRRORS]
        first = min(optics, key=lambda e: (self.X[e.name] <= x0, abs(self.X[e.name] - x0)))
        xl = self.X[first.name]
        direction = 1 if xl >= x0 else -1
        dist = abs(xl - x0)
        fd = focal[first.name] * self.sx
        slopes = [0.0, -h / dist if dist > 1e-6 else 0.0]  # parallel, through the centre
        if first.kind != "plane_mirror" and math.isfinite(fd) and abs(dist - fd) > 0.05:
            slopes.append(-h / (dist - fd))  # through (or towards) the near focal point
        for m in slopes:
            if abs(h + m * dist) <= (self.up if h + m * dist > 0 else self.down) * 0.85:
                self._trace(x0, h, m, direction, focal)

    def _parallel(self, focal) -> None:
        x0 = self.box[0] + 0.05
        for frac in (0.5, 0.0, -0.5):
            y = frac * (self.up if frac > 0 else self.down) * 0.85
            self._trace(x0, y, 0.0, 1, focal)

    def _shadows(self) -> None:
        for (xs, ys), (xp, yp), end, shadow in self.shadows:
            a = np.array([self.x_of(xs), self.axis_y + ys * self.sy])
            if end is None:  # rises past the person: on to the canvas edge
                b = np.array([self.x_of(xp), self.axis_y + yp * self.sy])
                b = a + (b - a) * 40
            else:
                b = np.array([self.x_of(end[0]), self.axis_y + end[1] * self.sy])
            pts = _clip_poly(np.array([a, b]), self.box)
            self._line(pts[:, 0], pts[:, 1], color="#e0a800", lw=1.3, ls="--", zorder=4)
            if shadow:
                sh = np.array([(self.x_of(x), self.axis_y + y * self.sy) for x, y in shadow])
                self.ax.plot(sh[:, 0], sh[:, 1], color="#444444", lw=4.5, alpha=0.6)

    # --- media -------------------------------------------------------------------------------

    def _media(self, y0: float, y1: float) -> None:
        s = self.s
        given = [m.thickness for m in s.media if m.thickness]
        default = float(np.mean(given)) if given else 1.0
        th = np.array([m.thickness or default for m in s.media], dtype=float)
        total = y1 - y0
        hs = th / th.sum() * total
        hs = np.maximum(hs, 0.5)
        hs = hs / hs.sum() * total
        tops = y1 - np.concatenate([[0], np.cumsum(hs)[:-1]])
        x_left, x_right = 0.3, W - 0.3
        self.bands = [(t - h, t) for t, h in zip(tops, hs)]
        from matplotlib.patches import Rectangle

        shades = ["#ffffff", GLASS, "#a9cbe8", "#dde8d0", "#f3e2c7"]
        for i, ((b, t), m) in enumerate(zip(self.bands, s.media)):
            face = "#ffffff" if (m.label or "").strip().lower() == "air" else shades[i % 5]
            self.ax.add_patch(Rectangle((x_left, b), x_right - x_left, t - b, fc=face, ec="none"))
            if i:
                self.ax.plot([x_left, x_right], [t, t], color=INK, lw=1.6)
            self.label(m.text(), [(x_right - 0.08, t - 0.08, "right", "top"),
                                   (x_right - 0.08, b + 0.08, "right", "bottom"),
                                   (x_left + 0.08, t - 0.08, "left", "top")])  # fmt: skip
            if m.thickness_label:
                xd = x_left + 0.25
                self.ax.annotate("", (xd, b), (xd, t), arrowprops={"arrowstyle": "<|-|>",
                                 "color": "#444444", "lw": 1.0, "mutation_scale": 10,
                                 "shrinkA": 0, "shrinkB": 0})  # fmt: skip
                self.label(m.thickness_label, [(xd + 0.07, (b + t) / 2, "left", "center"),
                                                (xd - 0.07, (b + t) / 2, "right", "center")])  # fmt: skip
        if s.ray:
            self._media_ray(x_left, x_right)

    def _media_ray(self, x_left: float, x_right: float) -> None:
        s, r = self.s, self.s.ray
        assert r is not None
        path = _snell_path(s)
        down = r.medium < len(s.media) - 1
        sgn = -1 if down else 1  # vertical direction of travel
        b, t = self.bands[r.medium]
        x, y = W * 0.42, (b if down else t)
        th0 = path[0][1]
        # incoming segment: as long as its band, shortened to stay on the canvas
        L = min(t - b, 1.5)
        dx = L * math.tan(th0)
        if dx > x - x_left - 0.1:
            dx = x - x_left - 0.1
            L = dx / math.tan(th0)
        p0 = (x - dx, y - sgn * L)
        self._ray_seg(p0, (x, y))
        self._normal(x, y)
        self._arc(x, y, (-dx, -sgn * L), _incident_label(s), r.measured_from == "surface")
        if r.show_reflected:
            self._ray_seg((x, y), (x + dx, p0[1]))
        for k, (i, th) in enumerate(path[1:], 1):
            bb, tt = self.bands[i]
            end_band = i in (0, len(s.media) - 1)
            full = not end_band or s.media[i].thickness is not None  # a stated depth
            depth = tt - bb if full else min(tt - bb, 1.3)
            dx1 = depth * math.tan(th)
            room = x_right - 0.1 - x
            if dx1 > room:  # leaves the side of the drawing
                depth, dx1 = room / math.tan(th), room
            nx, ny = x + dx1, y + sgn * depth
            self._ray_seg((x, y), (nx, ny))
            if k > 1:
                self._normal(x, y)
            self._arc(x, y, (dx1, sgn * depth), s.media[i].angle_label, False)
            if k == 1 and r.show_reflected and not end_band and abs(depth - (tt - bb)) < 1e-9:
                # thin film: back from the second surface and out through the first
                self._normal(nx, ny)
                bx = nx + dx1
                if bx + L * math.tan(th0) < x_right:
                    self._ray_seg((nx, ny), (bx, y))
                    self._ray_seg((bx, y), (bx + L * math.tan(th0), y - sgn * L))
            x, y = nx, ny
        for text, (px, py) in ((r.start_label, p0), (r.end_label, (x, y))):
            if text:
                self.ax.plot([px], [py], marker="o", ms=5, color=RAY, zorder=5)
                self.label(text, [(px + dx_, py + dy_, ha, va) for dx_, dy_, ha, va in (
                    (0.1, 0, "left", "center"), (-0.1, 0, "right", "center"),
                    (0, 0.1, "center", "bottom"), (0, -0.1, "center", "top"))])  # fmt: skip

    def _ray_seg(self, a, b) -> None:
        pts = np.array([a, b], dtype=float)
        self._line(pts[:, 0], pts[:, 1], color=RAY, lw=1.5, zorder=4)
        c = (pts[0] + pts[1]) / 2
        if self.s.ray is not None and self.s.ray.reverse:
            pts = pts[::-1]
        if np.hypot(*(pts[1] - pts[0])) > 0.3:
            self.ax.annotate("", c + (pts[1] - pts[0]) * 0.01, c, arrowprops={
                "arrowstyle": "-|>", "color": RAY, "lw": 1.3, "mutation_scale": 12})  # fmt: skip

    def _normal(self, x: float, y: float) -> None:
        lo = max(y - 0.7, self.bands[-1][0])
        hi = min(y + 0.7, self.bands[0][1])
        self._line([x, x], [lo, hi], color="#555555", lw=1.0, ls="--")

    def _arc(self, x: float, y: float, vec, label: str | None, to_surface: bool) -> None:
        """Mark the angle at (x, y) between the normal and the ray leaving along ``vec`` (or
        between the surface and the ray when the problem states that angle)."""
        from matplotlib.patches import Arc

        if not label:
            return
        a_ray = math.degrees(math.atan2(vec[1], vec[0]))
        if to_surface:
            a_ref = 0.0 if vec[0] >= 0 else (180.0 if vec[1] >= 0 else -180.0)
        else:
            a_ref = 90.0 if vec[1] >= 0 else -90.0
        lo, hi = min(a_ray, a_ref), max(a_ray, a_ref)
        r = 0.42
        if hi - lo >= 0.5:  # (a ray along the normal gets its label without an arc)
            arc = Arc((x, y), 2 * r, 2 * r, theta1=lo, theta2=hi, color="#2c7a2c", lw=1.3)
            self.ax.add_patch(arc)
        else:
            lo = hi = a_ref + (15 if a_ref < 0 else -15)
        mid = math.radians((lo + hi) / 2)
        ux, uy = math.cos(mid), math.sin(mid)
        ha = "left" if ux > 0.2 else "right" if ux < -0.2 else "center"
        va = "bottom" if uy > 0.2 else "top" if uy < -0.2 else "center"
        self.label(label, [(x + rr * ux, y + rr * uy, ha, va) for rr in (r + 0.08, r + 0.25)])


# ---------------------------------------------------------------------------------------------
# Geometry helpers
# ---------------------------------------------------------------------------------------------


def _glyph(kind: str) -> str:
    if kind in LENSES:
        return "lens"
    if kind in MIRRORS:
        return "mirror"
    if kind in ("screen", "wall"):
        return "screen"
    return {"object": "arrow"}.get(kind, kind)


def _positions(els: list[Element]) -> dict[str, float]:
    """Stated positions; missing ones evenly spaced between (or beyond) their stated
    neighbours, in list order."""
    n = len(els)
    known = [(i, e.position) for i, e in enumerate(els) if e.position is not None]
    if not known:
        return {e.name: float(i) for i, e in enumerate(els)}
    vals = [p for _, p in known]
    gap = (max(vals) - min(vals)) / max(known[-1][0] - known[0][0], 1) if len(known) > 1 else 1.0
    gap = gap if gap > 1e-9 else max(abs(vals[0]), 1.0)
    out = []
    for i in range(n):
        if els[i].position is not None:
            out.append(float(els[i].position))
            continue
        before = [(j, p) for j, p in known if j < i]
        after = [(j, p) for j, p in known if j > i]
        if before and after:
            (j0, p0), (j1, p1) = before[-1], after[0]
            out.append(p0 + (p1 - p0) * (i - j0) / (j1 - j0))
        elif before:
            out.append(before[-1][1] + gap * (i - before[-1][0]))
        else:
            out.append(after[0][1] - gap * (after[0][0] - i))
    return {e.name: p for e, p in zip(els, out)}


def _heights(els: list[Element]) -> dict[str, float]:
    """Height (axis units) of each upright element: stated, else a default size; a light
    without a stated height sits on the axis or ground."""
    stated = [abs(e.height) for e in els if e.kind in UPRIGHT and e.height]
    default = 0.55 * max(stated) if stated else 1.0
    return {
        e.name: abs(e.height) if e.height else (0.0 if e.kind == "source" else default)
        for e in els
        if e.kind in UPRIGHT
    }


def _shadow_lines(s: OpticsScene, pos: dict[str, float], hu: dict[str, float]) -> list:
    """For each source and person/object: (source top, person top, where the ray over the
    person's head meets the ground or the next wall (None: nowhere), the shadow it casts)."""
    walls = [pos[e.name] for e in s.elements if e.kind in ("wall", "screen")]
    out = []
    for src in (e for e in s.elements if e.kind == "source"):
        xs, ys = pos[src.name], hu[src.name]
        for p in (e for e in s.elements if e.kind in ("person", "object")):
            xp, yp = pos[p.name], hu[p.name]
            if abs(xp - xs) < 1e-9:
                continue
            sgn = 1 if xp > xs else -1
            m = (yp - ys) / (xp - xs)
            ahead = [w for w in walls if (w - xp) * sgn > 0]
            xw = min(ahead, key=lambda v: abs(v - xp)) if ahead else None
            xg = xp - yp / m if m * sgn < 0 else None  # where it meets the ground
            if xw is not None and (xg is None or (xg - xw) * sgn > 0):
                end = (xw, yp + m * (xw - xp))
                out.append(((xs, ys), (xp, yp), end, [(xw, 0.0), end]))
            elif xg is not None:
                out.append(((xs, ys), (xp, yp), (xg, 0.0), [(xp, 0.0), (xg, 0.0)]))
            else:
                out.append(((xs, ys), (xp, yp), None, []))
    return out


def _focal(e: Element, pos: dict[str, float], els: list[Element]) -> float:
    """Signed focal length (axis units): positive converges; infinite for a plane mirror."""
    if e.kind == "plane_mirror":
        return math.inf
    if e.kind not in LENSES + MIRRORS:
        return math.nan
    if e.focal_length:
        f = abs(e.focal_length)
    else:  # not stated: a size that reads well (half the mean gap)
        vals = sorted(pos.values())
        f = (vals[-1] - vals[0]) / max(len(vals) - 1, 1) / 2 if len(vals) > 1 else 1.0
        f = f if f > 1e-9 else 1.0
    return f if e.kind in ("converging_lens", "concave_mirror") else -f


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


def _clip_poly(pts: np.ndarray, box: tuple) -> np.ndarray:
    """The polyline cut where it first leaves ``box`` (x0, y0, x1, y1)."""
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:]):
        t_hi = 1.0
        d = b - a
        for k, (lo, hi) in enumerate(((box[0], box[2]), (box[1], box[3]))):
            if abs(d[k]) < 1e-12:
                continue
            for edge in (lo, hi):
                t = (edge - a[k]) / d[k]
                if 0 < t < t_hi and not (lo <= a[k] + d[k] * (t + 1e-9) <= hi):
                    t_hi = t
        out.append(a + d * t_hi)
        if t_hi < 1.0:
            break
    return np.array(out)
