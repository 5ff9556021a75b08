"""Crystal structures: one cubic unit cell (simple cubic, BCC, FCC, NaCl, CsCl, zinc blende,
fluorite, perovskite, or an empty cube filled from stated sites) with atoms or ions as shaded
balls, a legend of the species with their stated radii, the cell edge label, face or body
diagonals, Miller planes (hkl) shaded inside the cell, directions [uvw] as arrows, and extra
atoms or holes at stated fractional coordinates.

The model names the structure type, the species (cation first for ionic types) and the stated
values; the renderer takes the lattice positions from the structure type, projects the cube with
the solid domain's fixed oblique view (its back edges dashed), sizes the balls in the ratio of
stated radii (by kind otherwise; shrunk so the cell stays readable), and places every label where
it overlaps nothing. No computed value (density, packing factor, coordination) is ever drawn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from itertools import product
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

__all__ = ["CrystalScene", "Direction", "Line", "Plane", "Site", "Species"]

LINE, HIDDEN = "#1f2d3d", "#6b7785"
COLORS = ["#4f81bd", "#c0504d", "#6aa84f", "#8064a2"]
SITE_COLOR = "#f1c232"  # a stated site with no species (a hole, an impurity position)
GUIDE = "#cc4125"  # diagonals and direction arrows

Label = Annotated[str, Field(max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=20)]
SiteKind = Literal[
    "corners",
    "body_centre",
    "face_centres",
    "edge_centres",
    "tetrahedral",
    "all_tetrahedral",
    "none",
]

_HALF = (0.5, 0.5, 0.5)
SITES: dict[str, list[tuple[float, float, float]]] = {
    "corners": [tuple(map(float, c)) for c in product((0, 1), repeat=3)],
    "body_centre": [_HALF],
    "face_centres": [
        p
        for i in range(3)
        for v in (0.0, 1.0)
        for p in [tuple(v if j == i else 0.5 for j in range(3))]
    ],
    "edge_centres": [
        p
        for i in range(3)
        for a, b in product((0.0, 1.0), repeat=2)
        for p in [tuple(0.5 if j == i else (a if j == (i + 1) % 3 else b) for j in range(3))]
    ],
    "tetrahedral": [(0.25, 0.25, 0.25), (0.75, 0.75, 0.25), (0.75, 0.25, 0.75), (0.25, 0.75, 0.75)],
    "all_tetrahedral": [tuple(map(float, c)) for c in product((0.25, 0.75), repeat=3)],
    "none": [],
}
# where each species of a structure type sits by default (index = order in 'species')
STRUCTURES: dict[str, list[list[str]]] = {
    "simple_cubic": [["corners"]],
    "bcc": [["corners", "body_centre"]],
    "fcc": [["corners", "face_centres"]],
    "nacl": [["edge_centres", "body_centre"], ["corners", "face_centres"]],
    "cscl": [["body_centre"], ["corners"]],
    "zinc_blende": [["tetrahedral"], ["corners", "face_centres"]],
    "fluorite": [["corners", "face_centres"], ["all_tetrahedral"]],
    "perovskite": [["corners"], ["body_centre"], ["face_centres"]],
    "cube": [],
}
Structure = Literal[tuple(STRUCTURES)]  # type: ignore[valid-type]
CORNERS = np.array(SITES["corners"])
# cabinet-style oblique view, the textbook one for Miller indices: y right, z up, x towards the
# viewer drawn down-left at 28° and 0.6 scale; the origin is the hidden back-left-bottom corner.
# (solid.py's orthographic view puts the corner (1, 0, 1) 0.05 a from the back face centre, so
# FCC cells read wrong; this one keeps every lattice site >= 0.14 a apart and draws (111) as a
# wide triangle.)
_DEPTH = -0.6 * np.array([math.cos(math.radians(28)), math.sin(math.radians(28))])
EDGES = [
    (i, j) for i in range(8) for j in range(i + 1, 8) if np.abs(CORNERS[i] - CORNERS[j]).sum() == 1
]
BACK = 0  # index of the origin (0, 0, 0) in CORNERS: the corner hidden behind the cell


def _proj(pts: np.ndarray) -> np.ndarray:
    pts = np.atleast_2d(pts)
    return np.stack([pts[:, 1], pts[:, 2]], axis=-1) + pts[:, 0:1] * _DEPTH


def _fraction(v: Any) -> Any:
    """'1/2', '0.5' or 1/2 as a number (a 1.5B model writes coordinates either way)."""
    if isinstance(v, str):
        try:
            return float(Fraction(v.strip()))
        except (ValueError, ZeroDivisionError):
            return v
    return v


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


class Species(_Part):
    name: Name
    """The atom or ion as the problem names it, e.g. 'Cs+', 'Cl-', 'Ni', 'host atom'."""
    radius: Annotated[float, Field(gt=0, le=1e6)] | None = None
    """Its stated radius as a number (one unit for all species), e.g. 0.170; sets the drawn
    size ratio. Empty when not stated or a symbol."""
    radius_label: Label | None = None
    """Radius text written in the legend, e.g. '0.170 nm', 'r = 175 pm', 'R'; empty for none."""
    sites: list[SiteKind] = Field(default_factory=list, max_length=4)
    """Where it sits; empty: as the structure type places it. corners, body_centre,
    face_centres, edge_centres, tetrahedral (4 alternate), all_tetrahedral (8), none (only at
    stated 'points')."""

    _blank_label = field_validator("radius_label", mode="before")(none_if_null)

    # a radius that is no positive number ('R', 0, '') means not stated.
    _symbolic = field_validator("radius", mode="before")(positive_or_none)

    def legend(self) -> str:
        return f"{self.name}: {self.radius_label}" if self.radius_label else self.name


Coord = Annotated[float, Field(ge=0, le=1)]


class Site(_Part):
    at: list[Coord] = Field(min_length=3, max_length=3)
    """Stated fractional coordinates [x, y, z] in the cell, each 0 to 1, e.g. [0, 0.5, 1]."""
    species: str | None = None
    """Name of a species drawn there, e.g. 'impurity'; empty: an empty site (a hole)."""
    label: Label | None = None
    """Text beside it, e.g. '(0, 1/2, 1)', 'octahedral site'; empty for none."""

    _blank_label = field_validator("label", "species", mode="before")(none_if_null)

    @field_validator("at", mode="before")
    @classmethod
    def _fractions(cls, v: Any) -> Any:
        return [_fraction(x) for x in v] if isinstance(v, list) else v


class Line(_Part):
    kind: Literal["body_diagonal", "face_diagonal", "edge"]
    """body_diagonal (corner to opposite corner through the centre), face_diagonal (across the
    front face), edge (the front bottom edge, to mark touching atoms along it)."""
    label: Label | None = None
    """Text on it as stated, e.g. '4r'; empty for none."""

    _blank_label = field_validator("label", mode="before")(none_if_null)


Index = Annotated[int, Field(ge=-6, le=6)]


class Plane(_Part):
    hkl: list[Index] = Field(min_length=3, max_length=3)
    """Miller indices, e.g. [1, 1, 1]; [1, 0, -1] for (1 0 -1)."""
    label: Label | None = None
    """Text for it, e.g. '(111)'; empty for none."""

    _blank_label = field_validator("label", mode="before")(none_if_null)

    @model_validator(mode="after")
    def _nonzero(self) -> Plane:
        if not any(self.hkl):
            raise ValueError("hkl: (0 0 0) is no plane")
        return self


class Direction(_Part):
    uvw: list[Index] = Field(min_length=3, max_length=3)
    """Direction indices, e.g. [0, 0, 1]; [1, 0, -1]."""
    label: Label | None = None
    """Text at its tip, e.g. '[001]', 'σ = 35 MPa'; empty for none."""

    _blank_label = field_validator("label", mode="before")(none_if_null)

    @model_validator(mode="after")
    def _nonzero(self) -> Direction:
        if not any(self.uvw):
            raise ValueError("uvw: [0 0 0] is no direction")
        return self


@register
class CrystalScene(SceneSpec):
    """One cubic unit cell with its atoms, stated values, planes and directions."""

    domain: Literal["crystal"] = "crystal"
    image_types: ClassVar[tuple[str, ...]] = ("chemistry - crystal structure",)

    structure: Structure = "simple_cubic"
    """simple_cubic, bcc, fcc, nacl (rock salt), cscl, zinc_blende, fluorite (CaF2), perovskite
    (A corners, B body centre, O face centres), cube (empty cell: atoms only where 'species'
    sites or 'points' say)."""
    species: list[Species] = Field(default_factory=list, max_length=4)
    """The atoms or ions, cation first for ionic types (nacl: Na+ then Cl-; fluorite: Ca2+ then
    F-), e.g. [{"name": "Cs+", "radius": 0.170, "radius_label": "0.170 nm"}]."""
    points: list[Site] = Field(default_factory=list, max_length=6)
    """Extra atoms or empty sites at stated coordinates, e.g. {"at": [0, 0.5, 1], "species":
    "impurity", "label": "(0, 1/2, 1)"}."""
    lines: list[Line] = Field(default_factory=list, max_length=3)
    """Diagonals to draw only when the problem uses them, e.g. {"kind": "body_diagonal"} when
    ions touch along the cube diagonal."""
    planes: list[Plane] = Field(default_factory=list, max_length=3)
    """Miller planes shaded in the cell, e.g. {"hkl": [1, 1, 1], "label": "(111)"}."""
    directions: list[Direction] = Field(default_factory=list, max_length=3)
    """Directions drawn as arrows, e.g. {"uvw": [0, 0, 1], "label": "[001]"}."""
    edge_label: Label | None = None
    """Cell edge text as stated, e.g. 'a = 4.077 × 10⁻⁸ cm', 'a'; empty for none."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Other stated values written under the cell, e.g. 'ρ = 8.90 g/cm³', 'M = 42.3 g/mol'."""

    _blank_label = field_validator("edge_label", mode="before")(none_if_null)

    @model_validator(mode="after")
    def _consistent(self) -> CrystalScene:
        names = [s.name for s in self.species]
        for i, n in enumerate(names):
            if n in names[:i]:
                raise ValueError(f"species[{i}].name: {n!r} is given twice")
        need = len(STRUCTURES[self.structure])
        auto = [s for s in self.species[:need] if not s.sites]
        if need > 1 and 0 < len(self.species) < need and len(auto) == len(self.species):
            raise ValueError(
                f"species: a {self.structure} cell needs {need} species, cation first "
                "(e.g. 'Na+' then 'Cl-')"
            )
        for i, p in enumerate(self.points):
            if p.species is not None and p.species not in names:
                raise ValueError(f"points[{i}].species: no species is named {p.species!r}")
        used = {p.species for p in self.points}
        for i, s in enumerate(self.species):
            if i >= need and not s.sites and s.name not in used:
                raise ValueError(
                    f"species[{i}].sites: a {self.structure} cell places only {need} "
                    f"species; give {s.name!r} sites or a point"
                )
        return self

    def placed(self) -> list[tuple[np.ndarray, int | None, str | None]]:
        """Every ball: (fractional position, species index or None for a site, label)."""
        out: dict[tuple, tuple[np.ndarray, int | None, str | None]] = {}
        defaults = STRUCTURES[self.structure]
        for i, s in enumerate(self.species):
            kinds = s.sites or (defaults[i] if i < len(defaults) else [])
            for k in kinds:
                for p in SITES[k]:
                    out[tuple(np.round(p, 6))] = (np.array(p, dtype=float), i, None)
        if not self.species:  # a bare structure: every sublattice, no legend
            for i, kinds in enumerate(defaults):
                for k in kinds:
                    for p in SITES[k]:
                        out[tuple(np.round(p, 6))] = (np.array(p, dtype=float), i, None)
        names = [s.name for s in self.species]
        for p in self.points:  # a stated site replaces a lattice atom at the same place
            idx = names.index(p.species) if p.species is not None else None
            out[tuple(np.round(p.at, 6))] = (np.array(p.at, dtype=float), idx, p.label)
        return list(out.values())

    def labels(self) -> list[str]:
        out = [self.title] if self.title else []
        out += [s.legend() for s in self.species]
        out += [self.edge_label] if self.edge_label else []
        out += [x.label for x in (*self.points, *self.lines, *self.planes, *self.directions)]
        out += ["x", "y", "z"] if self.needs_axes() else []
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def needs_axes(self) -> bool:
        """Indices (hkl), [uvw] mean nothing without the axes: a small x, y, z triad then."""
        return bool(self.planes or self.directions)

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()

    def aligned_to(self, question: str) -> CrystalScene:
        """The ions of the compound the problem names ("cesium chloride": Cs+ and Cl-) in place
        of a two-species scene's other ion, with the radius the problem's table gives it (seed
        28 and 31: CsCl drawn with I-, the anion listed beside Cs+ in the table)."""
        scene = self._named_structure(question)
        ions = _compound_ions(question)
        if ions is None or len(scene.species) != 2:
            return scene
        species = list(scene.species)
        for i, (have, want) in enumerate(zip(species, ions, strict=True)):
            if _same_ion(have.name, want):
                continue
            radius = _table_radius(question, want)
            update: dict[str, Any] = {"name": want}
            if radius is not None:
                old = have.radius_label or ""
                unit = re.sub(r"^[^a-zA-Zμ]*", "", old.split("=")[-1]).strip()
                update |= {"radius": radius[0], "radius_label": f"{radius[1]} {unit}".strip()}
            elif have.radius is not None:
                update |= {"radius": None, "radius_label": None}  # the other ion's size
            species[i] = have.model_copy(update=update)
        return scene.model_copy(update={"species": species}) if species != scene.species else scene

    def _named_structure(self, question: str) -> CrystalScene:
        """The one metal lattice (simple cubic, bcc, fcc) the problem names in place of another
        one the scene draws; an ionic or empty cell is left to ``disagreements``."""
        named = {k for k, words in _NAMED.items() if words.search(question)}
        metals = {"simple_cubic", "bcc", "fcc"}
        if len(named) != 1 or not named <= metals or self.structure not in metals - named:
            return self
        return self.model_copy(update={"structure": named.pop()})

    def disagreements(self, question: str) -> list[str]:
        """The structure type the problem names, where the scene draws another one."""
        named = {k for k, words in _NAMED.items() if words.search(question)}
        if self.structure in ("cube", "perovskite") or not named or self.structure in named:
            return []
        said = " or ".join(sorted(named))
        return [f"structure: the problem describes {said}, the scene draws {self.structure}"]


_NAMED = {
    k: re.compile(p, re.IGNORECASE)
    for k, p in {
        # close-packed without "hexagonal" is the cubic one (seen, seed 33: gold's
        # "close-packed structure ... 0.74 of the volume" drawn bcc)
        "fcc": r"\bfcc\b|face[- ]cent(?:er|re)d|(?<!hexagonal )close[- ]packed|\bccp\b",
        "bcc": r"\bbcc\b|body[- ]cent(?:er|re)d",
        "simple_cubic": r"simple cubic|primitive cubic",
        "nacl": r"rock[- ]?salt|sodium chloride structure|nacl[- ]type|nacl structure",
        "cscl": r"cesium chloride|caesium chloride|\bcscl\b",
        "zinc_blende": r"zinc[- ]?blende|sphalerite",
        "fluorite": r"fluorite|\bcaf2\b",
    }.items()
}


_CATIONS = {
    "lithium": "Li+",
    "sodium": "Na+",
    "potassium": "K+",
    "rubidium": "Rb+",
    "cesium": "Cs+",
    "caesium": "Cs+",
    "silver": "Ag+",
    "magnesium": "Mg2+",
    "calcium": "Ca2+",
    "strontium": "Sr2+",
    "barium": "Ba2+",
    "zinc": "Zn2+",
    "nickel": "Ni2+",
    "manganese": "Mn2+",
}
_ANIONS = {
    "fluoride": "F-",
    "chloride": "Cl-",
    "bromide": "Br-",
    "iodide": "I-",
    "oxide": "O2-",
    "sulfide": "S2-",
    "sulphide": "S2-",
}
_COMPOUND = re.compile(rf"\b({'|'.join(_CATIONS)})\s+({'|'.join(_ANIONS)})\b", re.IGNORECASE)


def _compound_ions(question: str) -> tuple[str, str] | None:
    """(cation, anion) of the one binary ionic compound ``question`` names, e.g. ('Cs+', 'Cl-')."""
    named = {(_CATIONS[a.lower()], _ANIONS[b.lower()]) for a, b in _COMPOUND.findall(question)}
    return named.pop() if len(named) == 1 else None


def _same_ion(name: str, ion: str) -> bool:
    """Whether a species name is ``ion`` ('Cl-', 'Cl−', 'Cl^-', 'chloride' ...)."""
    norm = name.replace("−", "-").replace("^", "").replace(" ", "").lower()
    symbol = re.match(r"[A-Z][a-z]?", ion)[0].lower()
    words = [k for k, v in (_CATIONS | _ANIONS).items() if v == ion]
    return norm in (ion.lower(), symbol) or any(norm.startswith(w) for w in words)


def _table_radius(question: str, ion: str) -> tuple[float, str] | None:
    """The number a table in ``question`` gives right after ``ion`` (its radius), if any."""
    m = re.search(rf"(?<![A-Za-z]){re.escape(ion)}\s+(\d*\.\d+|\d+)", question)
    return (float(m[1]), m[1]) if m and float(m[1]) > 0 else None


# ---------------------------------------------------------------------------------------------
# geometry in cell fractions (x right, y away from the viewer, z up)
# ---------------------------------------------------------------------------------------------


def _plane_polygon(hkl: list[int]) -> np.ndarray:
    """The plane (hkl) cut by the cell: origin moved to the far corner along each negative
    index (the textbook convention), intercepts 1/h, 1/k, 1/l."""
    n = np.array(hkl, dtype=float)
    o = (n < 0).astype(float)
    f = (CORNERS - o) @ n - 1.0
    pts = [CORNERS[i] for i in range(8) if abs(f[i]) < 1e-9]
    for i, j in EDGES:
        if f[i] * f[j] < 0:
            t = f[i] / (f[i] - f[j])
            pts.append(CORNERS[i] + t * (CORNERS[j] - CORNERS[i]))
    pts = np.unique(np.round(np.array(pts), 9), axis=0)
    c = pts.mean(axis=0)
    a = np.cross(n, [1.0, 0, 0] if abs(n[0]) < 0.9 * np.linalg.norm(n) else [0, 1.0, 0])
    b = np.cross(n, a)
    ang = np.arctan2((pts - c) @ b, (pts - c) @ a)
    return pts[np.argsort(ang)]


def _direction(uvw: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Start and tip of [uvw] inside the cell (start at the corner the signs call for)."""
    d = np.array(uvw, dtype=float)
    start = (d < 0).astype(float)
    return start, start + d / np.abs(d).max()


def _line(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Ends of a guide line, drawn where both ends are visible (front corners)."""
    front = np.array([1.0, 0, 0])
    if kind == "body_diagonal":
        return front, np.array([0, 1.0, 1.0])
    if kind == "face_diagonal":
        return front, np.ones(3)
    return front, np.array([1.0, 1.0, 0])


def _sizes(scene: CrystalScene) -> list[float]:
    """Ball radius of each species as a fraction of the cell edge: stated radii keep their
    ratio (the largest 0.12); else anions larger than cations, the first species largest."""
    out = []
    for i, s in enumerate(scene.species):
        name = s.name.replace("$", "").rstrip("}").strip()
        if name.endswith("-") or name.endswith("−"):
            out.append(0.115)
        elif name.endswith("+"):
            out.append(0.08)
        else:
            out.append(0.11 if i == 0 else 0.08)
    radii = [s.radius for s in scene.species if s.radius]
    if radii:
        big = max(radii)
        out = [
            max(0.12 * s.radius / big, 0.035) if s.radius else f for s, f in zip(scene.species, out)
        ]
    return out


# ---------------------------------------------------------------------------------------------
# drawing (data units are inches: the axes covers the whole figure)
# ---------------------------------------------------------------------------------------------


class _Drawer:
    FONT = 11.0

    def __init__(self, scene: CrystalScene, fig: Any):
        self.s, self.fig = scene, fig

    def draw(self) -> None:
        s, fig = self.s, self.fig
        fw, fh = fig.get_size_inches()
        ax = inch_axes(fig, fw, fh)
        self.ax, self.placer, self.dpi = ax, Placer(fig), fig.dpi
        top = 0.3
        if s.title:
            text = wrap_to_width(fig, safe_text(s.title), 13, (fw - 0.4) * self.dpi)
            t = fig.text(0.5, 1 - 0.08 / fh, text, ha="center", va="top", fontsize=13)
            self.placer.block_text(t)
            top += text_size(fig, text, 13)[1] / self.dpi + 0.1
        bottom, y = 0.3, 0.12
        for note in reversed(s.notes):
            text = wrap_to_width(fig, safe_text(note), 11, (fw - 0.4) * self.dpi)
            t = ax.text(fw / 2, y, text, ha="center", va="bottom", fontsize=11)
            self.placer.block_text(t)
            y += text_size(fig, text, 11)[1] / self.dpi + 0.04
            bottom = y + 0.2
        right = self._legend(top, bottom)
        # uniform scale fitting the projected cube plus its corner balls into the free box
        # a crowded cell (NaCl: 27 balls, fluorite: 22) gets smaller balls so sites stay apart
        self.shrink = 0.8 if len(s.placed()) > 18 else 1.0
        self.sizes = [f * self.shrink for f in _sizes(s)]
        pad = max(self.sizes + [0.07]) + 0.03
        p2 = _proj(CORNERS)
        lo, hi = p2.min(axis=0) - pad, p2.max(axis=0) + pad
        left = 1.3 if s.needs_axes() else 0.6
        bw, bh = max(fw - left - right, 1.0), max(fh - top - bottom - 0.35, 1.0)
        self.scale = min(bw / (hi - lo)[0], bh / (hi - lo)[1])
        self.mid = (lo + hi) / 2
        self.at = np.array([left + bw / 2, bottom + 0.35 + bh / 2])
        self._planes()
        self._cube()
        self._balls()
        self._guides()
        if s.needs_axes():
            self._triad(np.array([0.62, bottom + 0.5]))
        self._labels()

    def xy(self, pts: np.ndarray) -> np.ndarray:
        return (
            _proj(np.atleast_2d(np.asarray(pts, dtype=float))) - self.mid
        ) * self.scale + self.at

    def _legend(self, top: float, bottom: float) -> float:
        """Species swatches with their names and stated radii in a right column; its width."""
        s, fig = self.s, self.fig
        if not s.species:
            return 0.4
        fw, fh = fig.get_size_inches()
        texts = [safe_text(sp.legend()) for sp in s.species]
        size = self.FONT
        wrapped = [wrap_to_width(fig, t, size, 1.9 * self.dpi) for t in texts]
        heights = [text_size(fig, t, size)[1] / self.dpi + 0.14 for t in wrapped]
        if sum(heights) > fh - top - bottom:
            size = MIN_FONT
            wrapped = [wrap_to_width(fig, t, size, 1.9 * self.dpi) for t in texts]
            heights = [text_size(fig, t, size)[1] / self.dpi + 0.1 for t in wrapped]
        width = max(text_size(fig, t, size)[0] for t in wrapped) / self.dpi + 0.35
        x = fw - width - 0.15
        y = (fh - top + bottom) / 2 + sum(heights) / 2
        for i, (t, h) in enumerate(zip(wrapped, heights)):
            cy = y - h / 2
            self._ball(np.array([x + 0.1, cy]), 0.085, COLORS[i % len(COLORS)], 5)
            txt = self.ax.text(x + 0.27, cy, t, ha="left", va="center", fontsize=size, zorder=6)
            self.placer.block_text(txt)
            y -= h
        return width + 0.35

    # --- cell -----------------------------------------------------------------------------

    def _planes(self) -> None:
        from matplotlib.patches import Polygon

        for k, p in enumerate(self.s.planes):
            xy = self.xy(_plane_polygon(p.hkl))
            color = ["#f4b183", "#a9d18e", "#9dc3e6"][k % 3]
            self.ax.add_patch(
                Polygon(xy, closed=True, fc=color, alpha=0.55, ec="#b45f06", lw=1.0, zorder=1)
            )

    def _cube(self) -> None:
        for i, j in EDGES:
            xy = self.xy(CORNERS[[i, j]])
            self.placer.avoid(densify(xy * self.dpi))
            if BACK in (i, j):
                self.ax.plot(*xy.T, color=HIDDEN, lw=1.1, ls=(0, (4, 3)), zorder=2)
            else:
                self.ax.plot(*xy.T, color=LINE, lw=1.5, zorder=2, solid_capstyle="round")

    def _ball(self, c: np.ndarray, r: float, color: str, z: float) -> None:
        """A shaded sphere: the body, a darker rim and a soft highlight up-left."""
        from matplotlib.patches import Circle

        ax = self.ax
        ax.add_patch(Circle(c, r, fc=color, ec="#1a1a1a", lw=0.8, zorder=z))
        for k, (f, a) in enumerate(((0.6, 0.25), (0.35, 0.45))):
            off = np.array([-0.3, 0.3]) * r * (1 + k * 0.2)
            ax.add_patch(Circle(c + off, r * f, fc="white", ec="none", alpha=a, zorder=z + 0.001))

    def _balls(self) -> None:
        balls = self.s.placed()
        depth = [p[0] + 1e-3 * p[2] - 1e-4 * p[1] for p, _, _ in balls]
        self.ball_xy = []
        for n, k in enumerate(np.argsort(depth)):  # back to front
            p, idx, _ = balls[k]
            frac = self.sizes[idx] if idx is not None and idx < len(self.sizes) else 0.07
            if idx is not None and not self.s.species:
                frac = (0.11, 0.08, 0.07)[idx] * self.shrink
            color = SITE_COLOR if idx is None else COLORS[idx % len(COLORS)]
            c = self.xy(p)[0]
            r = frac * self.scale
            self._ball(c, r, color, 3 + n * 0.01)
            t = np.linspace(0, 2 * math.pi, 24)
            self.placer.avoid(
                densify(np.stack([c[0] + r * np.cos(t), c[1] + r * np.sin(t)], 1) * self.dpi)
            )
            self.placer.avoid(np.array([c]) * self.dpi)
            self.ball_xy.append((c, r))

    def _guides(self) -> None:
        from matplotlib.patches import FancyArrowPatch

        for g in self.s.lines:
            xy = self.xy(np.array(_line(g.kind)))
            self.ax.plot(*xy.T, color=GUIDE, lw=1.6, zorder=5)
            self.placer.avoid(densify(xy * self.dpi))
        for d in self.s.directions:
            a, b = self.xy(np.array(_direction(d.uvw)))
            arrow = FancyArrowPatch(
                a, b, arrowstyle="-|>", mutation_scale=16, color="#7f3f98", lw=2.2, zorder=5.5
            )
            self.ax.add_patch(arrow)
            self.placer.avoid(densify(np.array([a, b]) * self.dpi))

    def _triad(self, o: np.ndarray) -> None:
        """x, y, z arrows beside the cell, in the cell's own projection."""
        from matplotlib.patches import FancyArrowPatch

        for k, name in enumerate("xyz"):
            e = np.zeros(3)
            e[k] = 1.0
            d = _proj(e)[0]
            tip = o + d / np.hypot(*d) * 0.42
            self.ax.add_patch(
                FancyArrowPatch(o, tip, arrowstyle="-|>", mutation_scale=10, color=LINE, lw=1.1)
            )
            self.placer.avoid(densify(np.array([o, tip]) * self.dpi))
            self._label(name, tip, tip - o, self.FONT, gaps=(0.03, 0.1, 0.2))

    # --- labels ---------------------------------------------------------------------------

    def _labels(self) -> None:
        s = self.s
        centre = self.xy(np.array(_HALF))[0]
        for p, idx, label in s.placed():
            if label:
                at = self.xy(p)[0]
                r = next((r for c, r in self.ball_xy if np.allclose(c, at)), 0.1)
                out = at - centre if np.hypot(*(at - centre)) > 1e-6 else np.array([1.0, 1.0])
                self._label(label, at, out, self.FONT, gaps=(r + 0.04, r + 0.15, r + 0.3))
        if s.edge_label:
            a, b = self.xy(np.array(_line("edge")))
            self._edge_label(s.edge_label, a, b, centre)
        for g in s.lines:
            if g.label:
                a, b = self.xy(np.array(_line(g.kind)))
                self._edge_label(g.label, a, b, centre + np.array([0.0, -1e-3]))
        for d in s.directions:
            if d.label:
                a, b = self.xy(np.array(_direction(d.uvw)))
                self._label(d.label, b, b - a, self.FONT)
        for p in s.planes:
            if p.label:
                poly = self.xy(_plane_polygon(p.hkl))
                c = poly.mean(axis=0)
                inner = [c] + [c + (q - c) * 0.5 for q in poly]
                self._label(p.label, inner, np.array([0.0, 1.0]), self.FONT, gaps=(0.0, 0.1, 0.25))

    def _edge_label(self, text: str, a: np.ndarray, c: np.ndarray, centre: np.ndarray) -> None:
        d = c - a
        n = np.array([-d[1], d[0]]) / (np.hypot(*d) or 1.0)
        if n @ ((a + c) / 2 - centre) < 0:
            n = -n
        anchors = [a + d * t for t in (0.5, 0.38, 0.62, 0.25, 0.75)]
        self._label(text, anchors, n, self.FONT, gaps=(0.08, 0.2, 0.35), spread=(0, 30, -30, 180))

    def _label(
        self,
        text: str,
        at: Any,
        out: np.ndarray,
        size: float,
        gaps=(0.06, 0.15, 0.28),
        spread=(0, 35, -35, 70, -70, 110, -110, 180),
    ) -> None:
        """Place ``text`` beside ``at`` (a point or candidate points), first in direction
        ``out``, then turned away from it; anywhere free on the canvas as a last resort."""
        fig, dpi = self.fig, self.dpi
        text = safe_text(text)
        anchors = [np.asarray(a, dtype=float) for a in (at if isinstance(at, list) else [at])]
        base = math.atan2(out[1], out[0]) if np.hypot(*out) > 1e-9 else math.pi / 2
        halo = {"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.8}
        t = self.ax.text(0, 0, text, ha="center", va="center", fontsize=size, zorder=7, bbox=halo)
        moves = []
        for fs in dict.fromkeys((size, MIN_FONT)):
            w, h = (v / dpi for v in text_size(fig, text, fs))
            for gap in gaps:
                for turn in spread:
                    ang = base + math.radians(turn)
                    u = np.array([math.cos(ang), math.sin(ang)])
                    off = gap + abs(u[0]) * w / 2 + abs(u[1]) * h / 2
                    moves += [_move(p + u * off, fs) for p in anchors]
        if self.placer.place(t, moves):
            return
        self.placer.boxes.pop()
        fw, fh = fig.get_size_inches()
        grid = [
            np.array([x, y]) for x in np.arange(0.2, fw, 0.12) for y in np.arange(0.15, fh, 0.1)
        ]
        grid.sort(key=lambda g: float(np.hypot(*(g - anchors[0]))))
        self.placer.place(t, [_move(g, MIN_FONT) for g in grid])


def _move(xy: np.ndarray, size: float) -> Callable:
    def move(t: Any) -> None:
        t.set_position((float(xy[0]), float(xy[1])))
        t.set_fontsize(size)

    return move
