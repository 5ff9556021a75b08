"""Electron configuration, orbitals and quantum levels: orbital box diagrams (subshell boxes
with half-arrows, filled by Hund's rule from each subshell's stated electron count, in a row or
as an energy staircase), energy-level ladders with transitions between stated levels, Bohr
models (shells with electron dots), molecular orbital diagrams (atomic orbitals left and right,
molecular orbitals in the middle) and schematic s, p and d orbital shapes.

The model states what the problem gives (subshells and their electron counts, levels n and
stated energies, transitions with stated labels, shell counts); the renderer lays every part out
in pixels on one full-figure axes, so labels are placed apart by construction. Nothing derived
is written: no unpaired-electron count, no photon energy or wavelength unless the scene states
it as a label.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import MIN_FONT, safe_text, text_size, wrap_to_width
from sciray.scene.text import none_if_null, plain_question

__all__ = ["Bohr", "ElectronScene", "Level", "MODiagram", "Orbital", "Subshell", "Transition"]

Label = Annotated[str, Field(max_length=40)]
Short = Annotated[str, Field(max_length=20)]
_BOXES = {"s": 1, "p": 3, "d": 5, "f": 7}
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FONT = 11.0
INK, LEVEL, ACCENT = "#1f2d3d", "#34495e", "#c0392b"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        # a small model writes "" / "none" for "no label"
        if isinstance(data, dict):
            return {k: none_if_null(v) for k, v in data.items()}
        return data


def _subshell_text(v: Any) -> Any:
    """'2p3', '2p^3', '2p³' as a subshell with its electron count; anything else unchanged."""
    if not isinstance(v, str):
        return v
    m = re.fullmatch(r"\s*(\d+\s*[spdfSPDF][a-z0-9²]*?)\s*\^?\{?([0-9⁰-⁹¹²³]+)\}?\s*", v)
    if m:
        return {
            "label": m.group(1).replace(" ", ""),
            "electrons": int(m.group(2).translate(_SUPER)),
        }
    return {"label": v.strip()}


class Subshell(_Part):
    label: Annotated[str, Field(min_length=1, max_length=12)]
    """Subshell or orbital name written by its boxes, e.g. '2p', '3d', 'σ2s', 'π*2p'."""
    electrons: int = Field(0, ge=0, le=14)
    """Stated electron count in it, e.g. 4 for 2p⁴ (arrows placed by Hund's rule)."""
    orbitals: int | None = Field(None, ge=1, le=7)
    """Number of boxes; empty: from the name (s 1, p 3, d 5, f 7; σ 1, π 2; else 1)."""
    box_labels: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=list, max_length=7
    )
    """Text under each box when stated, e.g. ['2px', '2py', '2pz'] or ['-1', '0', '+1']."""

    @model_validator(mode="after")
    def _consistent(self) -> Subshell:
        self.box_labels = [b for b in self.box_labels if none_if_null(b) is not None]
        n = self.boxes()
        if self.electrons > 2 * n:
            raise ValueError(
                f"electrons: {self.label} has {n} orbital(s), room for {2 * n}, not {self.electrons}"
            )
        if self.box_labels and len(self.box_labels) != n:
            raise ValueError(f"box_labels: {self.label} has {n} boxes, not {len(self.box_labels)}")
        return self

    def boxes(self) -> int:
        if self.orbitals is not None:
            return self.orbitals
        head = self.label.strip().lower()
        if head[:1] in "σπ" or head.startswith(("sigma", "pi")):  # a molecular orbital
            return 2 if head[:1] == "π" or head.startswith("pi") else 1
        m = re.search(r"\d\s*([spdf])(?![a-z])", self.label)
        return _BOXES[m.group(1)] if m else 1

    def arrows(self) -> list[int]:
        """Electrons per box by Hund's rule: one up arrow in each box first, then pairs."""
        n = self.boxes()
        return [
            (1 if self.electrons > i else 0) + (1 if self.electrons > n + i else 0)
            for i in range(n)
        ]


class Level(_Part):
    n: int = Field(ge=1, le=99)
    """Principal quantum number (or level number) as stated, e.g. 3."""
    label: Short | None = None
    """Text left of the level; empty: 'n = 3'. E.g. 'n = ∞', 'Level 2', '2s'."""
    energy: float | None = Field(None, ge=-1e6, le=1e6)
    """Stated energy of the level (sets its height), e.g. -13.6; empty: spaced as 1/n²."""
    energy_label: Short | None = None
    """Stated energy written right of the level, e.g. '-13.6 eV'; empty for none."""

    def text(self) -> str:
        return self.label or f"n = {self.n}"


class Transition(_Part):
    from_n: int = Field(ge=1, le=99)
    """Level n the electron starts on, e.g. 5."""
    to_n: int = Field(ge=1, le=99)
    """Level n it ends on, e.g. 1 (down: emission, up: absorption)."""
    label: Label | None = None
    """Stated value by the arrow, e.g. 'λ = 500 nm'; empty for none (never a computed answer)."""

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for short, full in (
                ("from", "from_n"),
                ("to", "to_n"),
                ("n_i", "from_n"),
                ("n_f", "to_n"),
            ):
                if short in data and full not in data:
                    data[full] = data.pop(short)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Transition:
        if self.from_n == self.to_n:
            raise ValueError("transition from_n and to_n must differ")
        return self


class Bohr(_Part):
    shells: list[int] = Field(min_length=1, max_length=7)
    """Stated electrons in each shell, innermost first, e.g. [2, 5] for nitrogen."""
    nucleus: Label | None = None
    """Text in the nucleus, e.g. 'N' or '7p⁺ 7n'; empty for none."""
    show_counts: bool = False
    """Write each shell's stated count by it ('2e⁻'); only when the problem states them."""

    def count_texts(self) -> list[str]:
        return [f"{k}e⁻" for k in self.shells] if self.show_counts else []

    @model_validator(mode="after")
    def _consistent(self) -> Bohr:
        for i, k in enumerate(self.shells):
            if not 0 <= k <= 2 * (i + 1) ** 2:
                raise ValueError(f"shells: shell {i + 1} holds 0 to {2 * (i + 1) ** 2}, not {k}")
        return self


OrbitalKind = Literal["s", "px", "py", "pz", "dxy", "dxz", "dyz", "dx2-y2", "dz2"]


class Orbital(_Part):
    kind: OrbitalKind
    """Shape: s (sphere), px/py/pz (two lobes), dxy/dxz/dyz/dx2-y2/dz2 (d lobes)."""
    label: Label | None = None
    """Text under the sketch, e.g. '3p (ml = -1)' or '6s'; empty: the kind."""

    @model_validator(mode="before")
    @classmethod
    def _kind_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            k = data["kind"].strip().lower().replace("_", "").replace("²", "2").replace(" ", "")
            k = re.sub(r"^\d+", "", k).replace("x2y2", "x2-y2")
            data = {**data, "kind": {"p": "pz", "d": "dxy"}.get(k, k)}
        return data

    def text(self) -> str:
        return self.label or self.kind


class MODiagram(_Part):
    left_atom: Label | None = None
    """Name under the left atomic orbitals, e.g. 'O'; empty for none."""
    right_atom: Label | None = None
    """Name under the right atomic orbitals, e.g. 'O'; empty for none."""
    left: list[Subshell] = Field(default_factory=list, max_length=4)
    """Left atom's orbitals, lowest first, e.g. [{'label': '2s', 'electrons': 2}, ...]."""
    right: list[Subshell] = Field(default_factory=list, max_length=4)
    """Right atom's orbitals, lowest first."""
    middle: list[Subshell] = Field(min_length=1, max_length=10)
    """Molecular orbitals, lowest first, e.g. [{'label': 'σ2s', 'electrons': 2}, {'label':
    'π2p', 'orbitals': 2, 'electrons': 4}]."""
    molecule: Label | None = None
    """Name under the molecular orbitals, e.g. 'O₂'; empty for none."""


# "1s^2 2s^2 2p^2", "1s{eq}^2{/eq}2s{eq}^2{/eq}": a configuration written with superscripts.
_CONFIG_TERM = re.compile(r"([1-7][spdf])\s*\^\s*\(?(\d{1,2})\)?")
_CAPACITY = {"s": 2, "p": 6, "d": 10, "f": 14}
_MOLECULAR = re.compile(
    r"molecul|\bMOs?\b|bond order|bonding|σ|π|sigma|\\sigma|\\pi\b|\bpi\b|diatomic", re.I
)


def _stated_configurations(question: str) -> list[list[tuple[str, int]]]:
    """Each distinct electron configuration the problem writes with superscripts, as
    (subshell, electrons) in order; runs of terms separated only by spaces are one."""
    plain = plain_question(question)
    out: list[list[tuple[str, int]]] = []
    run: list[tuple[str, int]] = []
    end = None
    for m in _CONFIG_TERM.finditer(plain):
        if end is not None and plain[end : m.start()].strip():
            if run not in out:
                out.append(run)
            run = []
        name, count = m.group(1), int(m.group(2))
        if count > _CAPACITY[name[1]]:
            run, end = [], None
            continue
        run.append((name, count))
        end = m.end()
    if run and run not in out:
        out.append(run)
    return out


@register
class ElectronScene(SceneSpec):
    """Electron configurations, orbitals and energy levels: one or more parts side by side."""

    domain: Literal["electron"] = "electron"
    image_types: ClassVar[tuple[str, ...]] = (
        "chemistry - electron config",
        "chemistry - orbital / quantum",
    )

    subshells: list[Subshell] = Field(default_factory=list, max_length=20)
    """Orbital box diagram: subshells in filling order, e.g. [{'label': '1s', 'electrons': 2},
    {'label': '2p', 'electrons': 3}] or the short form ['1s2', '2s2', '2p3']."""
    layout: Literal["row", "energy"] = "row"
    """Boxes in one row ('row') or stepping up an energy axis ('energy')."""
    core: Label | None = None
    """Noble-gas core written before the boxes, e.g. '[Ar]'; empty for none."""
    levels: list[Level] = Field(default_factory=list, max_length=10)
    """Energy levels of a ladder, e.g. [{'n': 1, 'energy_label': '-13.6 eV'}, {'n': 2}]."""
    transitions: list[Transition] = Field(default_factory=list, max_length=6)
    """Arrows between stated levels, e.g. [{'from_n': 5, 'to_n': 2, 'label': '434 nm'}]."""
    bohr: Bohr | None = None
    """A Bohr model: nucleus and shells with electron dots; empty for none."""
    mo: MODiagram | None = None
    """A molecular orbital diagram; empty for none."""
    orbitals: list[Orbital] = Field(default_factory=list, max_length=6)
    """Schematic orbital shapes, e.g. [{'kind': 'pz', 'label': '3p'}]."""
    notes: list[Annotated[str, Field(max_length=90)]] = Field(default_factory=list, max_length=4)
    """Stated text written under the figure, e.g. '1s² 2s² 2p³'."""

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {k: none_if_null(v) for k, v in data.items()}
        if isinstance(data.get("subshells"), str):  # '1s2 2s2 2p3' written as one text
            data["subshells"] = data["subshells"].replace(",", " ").split()
        if isinstance(data.get("subshells"), list):
            data["subshells"] = [_subshell_text(s) for s in data["subshells"]]
        if isinstance(data.get("levels"), list):
            data["levels"] = [{"n": v} if isinstance(v, int) else v for v in data["levels"]]
        if isinstance(data.get("notes"), list):
            data["notes"] = [t for t in data["notes"] if none_if_null(t) is not None]
        for key in ("mo", "bohr"):
            if isinstance(data.get(key), dict) and not data[key]:
                data[key] = None
        if isinstance(data.get("mo"), dict):
            mo = dict(data["mo"])
            for side in ("left", "right", "middle"):
                if isinstance(mo.get(side), list):
                    mo[side] = [_subshell_text(s) for s in mo[side]]
            data["mo"] = mo
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ElectronScene:
        if not (self.subshells or self.levels or self.bohr or self.mo or self.orbitals):
            raise ValueError("a scene needs subshells, levels, bohr, mo or orbitals")
        ns = [lv.n for lv in self.levels]
        if len(set(ns)) != len(ns):
            raise ValueError("levels: each n once")
        for t in self.transitions:
            for n in (t.from_n, t.to_n):
                if n not in ns:
                    raise ValueError(f"transitions: level n = {n} is not in levels {ns}")
        if self.core and not self.subshells:
            raise ValueError("core needs subshells to write it before")
        stated = [lv.energy for lv in self.levels if lv.energy is not None]
        if stated and len(stated) != len(ns):
            raise ValueError("levels: give energy for every level or for none")
        if len(set(stated)) != len(stated):
            raise ValueError("levels: two levels with the same energy")
        return self

    def labels(self) -> list[str]:
        out: list[str | None] = [self.title]
        if self.subshells:
            out += [self.core] + _subshell_texts(self.subshells)
            out += ["Energy"] if self.layout == "energy" else []
        if self.levels:
            out += ["Energy"]
            out += [t for lv in self.levels for t in (lv.text(), lv.energy_label)]
            out += [t.label for t in self.transitions]
        if self.bohr:
            out += [self.bohr.nucleus, *self.bohr.count_texts()]
        if self.mo:
            mo = self.mo
            out += ["Energy", mo.left_atom, mo.right_atom, mo.molecule]
            out += _subshell_texts([*mo.left, *mo.middle, *mo.right])
        for o in self.orbitals:
            out += [o.text(), *_AXES_OF[o.kind]]
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def aligned_to(self, question: str) -> ElectronScene:
        # seen, seed 34: the problem's worked example "1s^2 2s^2 2p^2" (carbon) drawn as 1s¹
        # 2s² 2p², beside an MO ladder labelled "Ca" for a question about one atom
        update: dict[str, Any] = {}
        names = [s.label for s in self.subshells]
        stated = [c for c in _stated_configurations(question) if [n for n, _ in c] == names]
        if len(stated) == 1 and [s.electrons for s in self.subshells] != [n for _, n in stated[0]]:
            update["subshells"] = [
                s.model_copy(update={"electrons": n})
                for s, (_, n) in zip(self.subshells, stated[0], strict=True)
            ]
        if self.mo is not None and self.subshells and not _MOLECULAR.search(question):
            update["mo"] = None
        return self.model_copy(update=update) if update else self

    def disagreements(self, question: str) -> list[str]:
        # seen, seed 21: nitrogen's Bohr model drawn with the worked example's sodium shells
        # [2, 8, 1] under a nucleus of "7p⁺ 7n"; a neutral atom holds as many electrons as
        # its nucleus has protons
        if not self.bohr or _ION.search(question):
            return []
        protons = _PROTONS.search(self.bohr.nucleus or "")
        held = sum(self.bohr.shells)
        if protons and int(protons.group(1)) != held:
            return [
                f"the nucleus has {protons.group(1)} protons but the shells hold {held} "
                "electrons: give this atom's own shell counts"
            ]
        return []

    def notation(self) -> list[str]:
        # subshell, orbital and level names carry digits ("2p", "σ2s", "n = 3", "3d_xy") that
        # name things rather than state values; so do an element's own particle counts
        out = _subshell_texts(self.subshells) + [self.core]
        out += [lv.text() for lv in self.levels]
        if self.mo:
            out += _subshell_texts([*self.mo.left, *self.mo.middle, *self.mo.right])
        out += [o.text() for o in self.orbitals]
        if self.bohr:  # an element's own counts ("7p⁺ 7n", "2e⁻"), not values of the problem
            out += [self.bohr.nucleus, *self.bohr.count_texts()]
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


_PROTONS = re.compile(r"(\d+)\s*p(?![a-z])")
_ION = re.compile(
    r"\bions?\b|\bcations?\b|\banions?\b|[A-Z][a-z]?\s*\^?\{?\d*[+\-−]\}?(?=[\s,.?)]|$)"
)


def _subshell_texts(subs: list[Subshell]) -> list[str | None]:
    return [t for s in subs for t in (s.label, *s.box_labels)]


_AXES_OF = {"s": ("x", "y"), "px": ("x", "y"), "py": ("x", "y"), "pz": ("x", "z")}
_AXES_OF |= {"dxy": ("x", "y"), "dx2-y2": ("x", "y"), "dxz": ("x", "z"), "dyz": ("y", "z")}
_AXES_OF |= {"dz2": ("x", "z")}


# ---------------------------------------------------------------------------------------------
# Drawing: one axes over the whole figure in pixel units; every part gets a rectangle
# ---------------------------------------------------------------------------------------------


class _Drawer:
    def __init__(self, scene: ElectronScene, fig: Any):
        self.s, self.fig = scene, fig
        self.W, self.H = fig.canvas.get_width_height()
        self.ax = fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, self.W)
        self.ax.set_ylim(0, self.H)
        self.ax.set_axis_off()
        self.font = FONT

    # text helpers -----------------------------------------------------------------------------
    def size(self, text: str, font: float | None = None) -> tuple[float, float]:
        return text_size(self.fig, safe_text(text), font or self.font)

    def text(self, x: float, y: float, s: str, ha="center", va="center", font=None, **kw) -> None:
        self.ax.text(x, y, safe_text(s), ha=ha, va=va, fontsize=font or self.font, color=INK, **kw)

    def draw(self) -> None:
        s, top, bottom = self.s, self.H - 6, 6.0
        if s.title:
            title = wrap_to_width(self.fig, safe_text(s.title), FONT + 1, self.W - 20)
            h = text_size(self.fig, title, FONT + 1)[1]
            self.ax.text(
                self.W / 2, top, title, ha="center", va="top", fontsize=FONT + 1, color=INK
            )
            top -= h + 8
        for note in reversed(s.notes):  # each note its own text, the first on top
            text = wrap_to_width(self.fig, safe_text(note), FONT, self.W - 20)
            self.ax.text(
                self.W / 2, bottom, text, ha="center", va="bottom", fontsize=FONT, color=INK
            )
            bottom += text_size(self.fig, text, FONT)[1] + 2
        if s.notes:
            bottom += 6
        parts = []
        if s.subshells:
            parts.append((3.0, self.boxes_min(), self.boxes))
        if s.levels:
            parts.append((2.0, self.ladder_min(), self.ladder))
        if s.mo:
            parts.append((2.5, self.mo_min(), self.mo))
        if s.bohr:
            parts.append((1.5, 140.0, self.bohr))
        if s.orbitals:
            k = min(len(s.orbitals), 3)
            parts.append((1.2 * k, 90.0 * k, self.shapes))
        avail = self.W - 16
        mins = [m + 8 for _, m, _ in parts]
        if sum(mins) > avail:  # too wide side by side: one part per row
            shares = [1.6 if fn == self.boxes else 1.0 for _, _, fn in parts]  # rows of boxes
            y = top
            for share, (_, _, fn) in zip(shares, parts):
                h = (top - bottom) * share / sum(shares)
                fn(12.0, y - h + 4, self.W - 12, y - 4)
                y -= h
            return
        widths = _share([w for w, _, _ in parts], mins, avail)
        x = 8.0
        for (_, _, fn), width in zip(parts, widths):
            fn(x + 4, bottom, x + width - 4, top)
            x += width

    def boxes_min(self) -> float:
        """Width the boxes need at 16 px a box in as many rows as 340 px of height hold."""
        s = self.s
        core = self.size(s.core)[0] + 14 if s.core else 0.0
        groups = [max(x.boxes() * 16, self.size(x.label)[0]) + 14 for x in s.subshells]
        bl = [self.size(t, self.font - 1)[0] for x in s.subshells for t in x.box_labels]
        row_h = 16 + 18 + 10 + (max(bl) if bl else 0)
        rows = max(1, min(int(340 // row_h), len(groups)))
        need = max(max(groups), sum(groups) / rows * 1.5)  # rows split unevenly
        return core + need + (30 if s.layout == "energy" else 0)

    def ladder_min(self) -> float:
        lw, ew = self.ladder_widths()
        return 40 + lw + ew + 30 + max(80.0, 40.0 * len(self.s.transitions))

    def ladder_widths(self) -> tuple[float, float]:
        levels = self.s.levels
        lw = max(self.size(lv.text())[0] for lv in levels)
        ew = max([self.size(lv.energy_label)[0] for lv in levels if lv.energy_label] or [0])
        return lw, ew

    def mo_min(self) -> float:
        mo = self.s.mo
        lab_w = max(self.size(x.label)[0] for x in [*mo.left, *mo.middle, *mo.right]) + 6
        cols = [max([x.boxes() for x in c] or [0]) * 12 for c in (mo.left, mo.middle, mo.right)]
        return 30 + 3 * lab_w + sum(cols) + 20

    # orbital boxes ------------------------------------------------------------------------------
    def box_group(self, x: float, y: float, b: float, sub: Subshell) -> None:
        """Boxes of ``sub`` with their lower-left corner at (x, y), side ``b``."""
        for i, k in enumerate(sub.arrows()):
            self.ax.add_patch(_rect(x + i * b, y, b, b))
            if k >= 1:
                self.harpoon(x + i * b + (b * 0.35 if k == 2 else b * 0.5), y, b, up=True)
            if k == 2:
                self.harpoon(x + i * b + b * 0.65, y, b, up=False)

    def harpoon(self, x: float, y: float, b: float, up: bool) -> None:
        y0, y1 = (y + 0.15 * b, y + 0.85 * b) if up else (y + 0.85 * b, y + 0.15 * b)
        tip = 0.22 * b * (1 if up else -1)
        side = -0.16 * b if up else 0.16 * b
        self.ax.plot(
            [x, x, x + side], [y0, y1, y1 - tip], color=INK, lw=1.4, solid_capstyle="round"
        )

    def group_width(self, sub: Subshell, b: float, font: float) -> tuple[float, float]:
        """(width of the group with its labels, width of its boxes)."""
        bw = sub.boxes() * b
        lab = self.size(sub.label, font)[0]
        return max(bw, lab), bw

    def boxes(self, x0: float, y0: float, x1: float, y1: float) -> None:
        s = self.s
        subs = s.subshells
        energy = s.layout == "energy"
        font = self.font
        gap = 14.0
        left = x0
        if energy:
            left = self.energy_axis(x0, y0, y1) + 6
        cw = self.size(s.core, font)[0] + gap if s.core else 0.0
        left += cw
        width = x1 - left
        # box side: the widest of the box labels fixes the least; the row width the most
        bl = max([self.size(t, font - 1)[0] + 4 for sub in subs for t in sub.box_labels] or [0])
        label_h = self.size("2p", font)[1]
        rows = 1
        while True:
            chunks = _split(subs, rows)
            b = min(
                (width - gap * (len(c) - 1) - _label_excess(self, c, font))
                / max(sum(x.boxes() for x in c), 1)
                for c in chunks
            )
            b = min(b, 40.0)
            fits = all(
                sum(self.group_width(x, b, font)[0] for x in c) + gap * (len(c) - 1) <= width
                for c in chunks
            )
            if (fits and b >= 16) or rows >= len(subs):
                break
            rows += 1
        while True:  # the rows must also fit the height: smaller boxes if not
            turn = bl > b  # box labels wider than a box: written upwards
            bl_h = (bl if turn else self.size("2p", font - 1)[1]) if bl else 0.0
            row_h = b + label_h * 1.2 + bl_h + 10
            if rows * row_h <= y1 - y0 or b <= 14:
                break
            b = max(b - 2, 14.0)
        steps = max(len(c) for c in chunks)
        if energy:
            step = min(b * 2.5, max((y1 - y0 - rows * row_h) / max(steps - 1, 1), 0) / rows)
        else:
            step = 0.0
        block_h = rows * row_h + (steps - 1) * step * rows
        yt = (y0 + y1) / 2 + min(block_h, y1 - y0) / 2
        for r, chunk in enumerate(chunks):
            row_top = yt - r * (row_h + (steps - 1) * step)
            base = row_top - b - (steps - 1) * step
            used = sum(self.group_width(x, b, font)[0] for x in chunk) + gap * (len(chunk) - 1)
            g = gap
            if energy and len(chunk) > 1:  # a staircase spans the width (gaps up to 60 px)
                g = min(gap + (width - used) / (len(chunk) - 1), 60.0)
                used += (g - gap) * (len(chunk) - 1)
            x = left + (0 if energy else max((width - used) / 2, 0))
            if s.core and r == 0:  # the core just before the first boxes
                self.text(x - gap, base + b / 2, s.core, ha="right", font=font)
            for i, sub in enumerate(chunk):
                gw, bw = self.group_width(sub, b, font)
                by = base + i * step
                bx = x + (gw - bw) / 2
                self.box_group(bx, by, b, sub)
                ly = by - 3
                for j, t in enumerate(sub.box_labels):
                    self.text(
                        bx + (j + 0.5) * b,
                        ly,
                        t,
                        va="top",
                        font=font - 1,
                        rotation=90 if turn else 0,
                    )
                if sub.box_labels:
                    ly -= bl_h + 1
                self.text(x + gw / 2, ly, sub.label, va="top", font=font)
                x += gw + g

    def energy_axis(self, x: float, y0: float, y1: float) -> float:
        """An upward 'Energy' arrow at the left of a part; the x right of it."""
        w, h = self.size("Energy", self.font)
        self.text(x, (y0 + y1) / 2, "Energy", rotation=90, ha="left")
        ax_x = x + h + 4
        self.ax.annotate(
            "",
            xy=(ax_x, y1 - 4),
            xytext=(ax_x, y0 + 4),
            arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.2),
        )
        return ax_x + 6

    # energy ladder -----------------------------------------------------------------------------
    def ladder(self, x0: float, y0: float, x1: float, y1: float) -> None:
        s = self.s
        left = self.energy_axis(x0, y0, y1)
        levels = s.levels
        font = self.font
        lw, ew = self.ladder_widths()
        line0, line1 = left + lw + 8, x1 - (ew + 8 if ew else 4)
        texts = [lv.text() for lv in levels] + [lv.energy_label or "n" for lv in levels]
        h = max(self.size(t, font)[1] for t in texts)
        raw = [lv.energy if lv.energy is not None else -1.0 / lv.n**2 for lv in levels]
        pad = h / 2 + 2 + 0.04 * (y1 - y0)
        ys = _spread(raw, y0 + pad, y1 - pad, h + 3)
        pos = {}
        for lv, y in zip(levels, ys):
            self.ax.plot([line0, line1], [y, y], color=LEVEL, lw=2)
            self.text(line0 - 6, y, lv.text(), ha="right", font=font)
            if lv.energy_label:
                self.text(line1 + 6, y, lv.energy_label, ha="left", font=font)
            pos[lv.n] = y
        ts = s.transitions
        if not ts:
            return
        self.arrows(ts, pos, line0, line1, y0, y1)

    def arrows(self, ts: list[Transition], pos: dict, line0: float, line1: float, y0, y1) -> None:
        """Transition arrows in columns as wide as their labels (labels right of the arrow);
        a label too wide for its share of the width is wrapped, else written upwards."""
        font = max(self.font - 1, MIN_FONT)
        labs = [safe_text(t.label) if t.label else "" for t in ts]
        need = [(text_size(self.fig, x, font)[0] if x else 0.0) + 16 for x in labs]
        room = line1 - line0
        scale = room / sum(need)
        cols = (
            [w * scale for w in need]
            if scale < 1
            else [w + (room - sum(need)) / len(ts) for w in need]
        )
        left = line0
        for t, lab, col in zip(ts, labs, cols):
            cx = left + min(col * 0.3, 8 + (col - 16) * 0.3) if scale >= 1 else left + 6
            ya, yb = pos[t.from_n], pos[t.to_n]
            self.ax.annotate(
                "",
                xy=(cx, yb),
                xytext=(cx, ya),
                arrowprops=dict(arrowstyle="-|>", color=ACCENT, lw=1.6, shrinkA=0, shrinkB=0),
            )
            if lab:
                width = left + col - cx - 12  # the white backing adds ~3 px a side
                lab = wrap_to_width(self.fig, lab, font, width)
                w, h = text_size(self.fig, lab, font)
                turn = w > width
                if turn:  # one line, upright along the arrow, kept inside the part
                    lab = safe_text(t.label)
                    w = text_size(self.fig, lab, font)[0]
                ym = (ya + yb) / 2
                if turn:
                    ym = min(max(ym, y0 + w / 2 + 6), y1 - w / 2 - 6)
                self.ax.text(
                    cx + 5,
                    ym,
                    lab,
                    ha="left",
                    va="center",
                    fontsize=font,
                    color=ACCENT,
                    rotation=90 if turn else 0,
                    bbox=dict(fc="white", ec="none", pad=0.2),
                )
            left += col

    # Bohr model ---------------------------------------------------------------------------------
    def bohr(self, x0: float, y0: float, x1: float, y1: float) -> None:
        b = self.s.bohr
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        rmax = min(x1 - x0, y1 - y0) / 2 - 6
        font = self.font
        nuc = safe_text(b.nucleus) if b.nucleus else ""
        nw, nh = text_size(self.fig, nuc, font) if nuc else (0, 0)
        r0 = max(min(max(nw, nh) / 2 + 9, rmax * 0.45), 10)
        k = len(b.shells)
        counts = b.count_texts()
        cfont = font
        th = self.size("8e⁻", cfont)[1]
        if counts:  # counts sit on the rings along diagonals: rings far enough apart
            want = math.sqrt(2) * (th + 3)
            dr_max = (rmax - r0) / k
            if dr_max < want:
                cfont = MIN_FONT
                th = self.size("8e⁻", cfont)[1]
                want = math.sqrt(2) * (th + 3) / (2 if k > 1 else 1)  # alternate diagonals
            r0 = max(min(r0, rmax - k * want), 6 if not nuc else min(r0, rmax * 0.3))
        import matplotlib.patches as mp

        if nuc and nw > 2 * r0 - 4:
            nuc = wrap_to_width(self.fig, nuc, font, 2 * r0 - 4)
        self.ax.add_patch(mp.Circle((cx, cy), r0, fc="#f6d7a7", ec=INK, lw=1.2))
        if nuc:
            self.ax.text(cx, cy, nuc, ha="center", va="center", fontsize=font, color=INK)
        dr = (rmax - r0) / k
        for i, count in enumerate(b.shells):
            r = r0 + dr * (i + 1)
            self.ax.add_patch(mp.Circle((cx, cy), r, fc="none", ec=LEVEL, lw=1.0))
            ang = np.pi / 2 + 2 * np.pi * np.arange(count) / max(count, 1)
            if counts and count and np.min(np.abs(np.angle(np.exp(1j * (ang + np.pi / 4))))) < 0.3:
                ang = ang + np.pi / count  # keep the dots off the count's spot
            self.ax.scatter(
                cx + r * np.cos(ang), cy + r * np.sin(ang), s=22, color="#2e86de", zorder=3
            )
            if counts:
                a = -np.pi / 4 if (i % 2 == 0 or cfont == font) else 3 * np.pi / 4
                self.ax.text(
                    cx + r * math.cos(a),
                    cy + r * math.sin(a),
                    counts[i],
                    ha="center",
                    va="center",
                    fontsize=cfont,
                    color=INK,
                    bbox=dict(fc="white", ec="none", pad=0.3),
                    zorder=4,
                )

    # molecular orbital diagram ------------------------------------------------------------------
    def mo(self, x0: float, y0: float, x1: float, y1: float) -> None:
        mo = self.s.mo
        font = self.font
        left = self.energy_axis(x0, y0, y1)
        names_h = (
            self.size("O", font)[1] + 6 if (mo.left_atom or mo.right_atom or mo.molecule) else 0
        )
        yb, yt = y0 + names_h, y1
        subs = [*mo.left, *mo.middle, *mo.right]
        b = 20.0
        lab_w = max(self.size(x.label, font)[0] for x in subs) + 6
        col_w = [max([x.boxes() for x in c] or [0]) * b for c in (mo.left, mo.middle, mo.right)]
        free = (x1 - left) - sum(col_w) - 3 * lab_w
        if free < 0:  # narrow: smaller boxes
            b = max(
                12.0,
                b
                + free
                / max(
                    sum(max([x.boxes() for x in c] or [0]) for c in (mo.left, mo.middle, mo.right)),
                    1,
                ),
            )
            col_w = [max([x.boxes() for x in c] or [0]) * b for c in (mo.left, mo.middle, mo.right)]
            free = max((x1 - left) - sum(col_w) - 3 * lab_w, 0)
        gap = free / 4
        xl = left + lab_w + gap / 2  # left column: label at its left
        xm = xl + col_w[0] + gap
        xr = xm + col_w[1] + lab_w + gap
        n = len(mo.middle)
        ym = _spread(
            [float(i) for i in range(n)],
            yb + b / 2 + 2,
            yt - b / 2 - 2,
            max(b, self.size("σ", font)[1]) + 4,
        )
        mid = {}
        for sub, y in zip(mo.middle, ym):
            w = sub.boxes() * b
            bx = xm + (col_w[1] - w) / 2
            self.box_group(bx, y - b / 2, b, sub)
            self.text(bx + w + 4, y, sub.label, ha="left", font=font)
            mid[sub.label] = (bx, bx + w, y)
        for side, x, cw in ((mo.left, xl, col_w[0]), (mo.right, xr, col_w[2])):
            raw = []
            for i, sub in enumerate(side):
                match = [v[2] for k, v in mid.items() if sub.label in k]
                raw.append(
                    float(np.mean(match)) if match else yb + (i + 0.5) * (yt - yb) / len(side)
                )
            if not side:
                continue
            ys = _spread(raw, yb + b / 2 + 2, yt - b / 2 - 2, b + 4, keep=True)
            for sub, y in zip(side, ys):
                w = sub.boxes() * b
                bx = x + (cw - w) / 2 if side is mo.left else x
                self.box_group(bx, y - b / 2, b, sub)
                if side is mo.left:
                    self.text(bx - 4, y, sub.label, ha="right", font=font)
                else:
                    self.text(bx + w + 4, y, sub.label, ha="left", font=font)
                for k, (m0, m1, my) in mid.items():
                    if sub.label in k:
                        xa = bx + w if side is mo.left else bx
                        xb = m0 if side is mo.left else m1
                        self.ax.plot([xa, xb], [y, my], ls="--", lw=0.8, color="#7f8c8d")
        for name, cx in (
            (mo.left_atom, xl + col_w[0] / 2),
            (mo.molecule, xm + col_w[1] / 2),
            (mo.right_atom, xr + col_w[2] / 2),
        ):
            if name:
                self.text(cx, y0 + 2, name, va="bottom", font=font)

    # orbital shapes -----------------------------------------------------------------------------
    def shapes(self, x0: float, y0: float, x1: float, y1: float) -> None:
        orbs = self.s.orbitals
        cols = min(len(orbs), 3)
        rows = math.ceil(len(orbs) / cols)
        cw, ch = (x1 - x0) / cols, (y1 - y0) / rows
        font = self.font
        for i, o in enumerate(orbs):
            cx0 = x0 + (i % cols) * cw
            cy1 = y1 - (i // cols) * ch
            lab = wrap_to_width(self.fig, safe_text(o.text()), font, cw - 8)
            lh = text_size(self.fig, lab, font)[1]
            self.ax.text(
                cx0 + cw / 2, cy1 - ch + 2, lab, ha="center", va="bottom", fontsize=font, color=INK
            )
            ah = self.size("x", font)[1]
            r = max(min(cw, ch - lh - 6, 300) / 2 - ah - 4, 8)
            cx, cy = cx0 + cw / 2, cy1 - ch + lh + 6 + (ch - lh - 6) / 2
            self.sketch(o.kind, cx, cy, r, font)

    def sketch(self, kind: str, cx: float, cy: float, r: float, font: float) -> None:
        import matplotlib.patches as mp

        h_ax, v_ax = _AXES_OF[kind]
        self.ax.plot([cx - r, cx + r], [cy, cy], color="#7f8c8d", lw=0.8)
        self.ax.plot([cx, cx], [cy - r, cy + r], color="#7f8c8d", lw=0.8)
        self.text(cx + r + 2, cy, h_ax, ha="left", font=font)
        self.text(cx, cy + r + 2, v_ax, va="bottom", font=font)
        blue, red = "#5dade2", "#ec7063"
        if kind == "s":
            self.ax.add_patch(mp.Circle((cx, cy), r * 0.6, fc=blue, ec=INK, alpha=0.8))
            return
        if kind in ("px", "py", "pz"):
            angles = [0.0] if kind == "px" else [90.0]  # py in the x-y plane, pz in x-z
        elif kind in ("dxy", "dxz", "dyz"):
            angles = [45.0, 135.0]
        elif kind == "dx2-y2":
            angles = [0.0, 90.0]
        else:  # dz2: two lobes along z and a ring
            angles = [90.0]
            self.ax.add_patch(mp.Ellipse((cx, cy), r * 1.1, r * 0.35, fc=red, ec=INK, alpha=0.8))
        lobe = r * (0.48 if len(angles) == 1 else 0.42)
        for j, a in enumerate(angles):
            for sgn in (1, -1):
                t = math.radians(a)
                ex, ey = cx + sgn * lobe * math.cos(t), cy + sgn * lobe * math.sin(t)
                color = blue if (sgn > 0) == (j == 0) else red
                self.ax.add_patch(
                    mp.Ellipse((ex, ey), lobe * 2, lobe * 0.9, angle=a, fc=color, ec=INK, alpha=0.8)
                )


def _share(weights: list[float], mins: list[float], avail: float) -> list[float]:
    """Widths in proportion to ``weights``, none below its minimum (their sum fits ``avail``)."""
    fixed = [False] * len(weights)
    while True:
        free = avail - sum(m for m, f in zip(mins, fixed) if f)
        wsum = sum(w for w, f in zip(weights, fixed) if not f)
        out = [m if f else free * w / wsum for w, m, f in zip(weights, mins, fixed)]
        low = [i for i, (o, m) in enumerate(zip(out, mins)) if o < m - 1e-9 and not fixed[i]]
        if not low:
            return out
        for i in low:
            fixed[i] = True


def _rect(x: float, y: float, w: float, h: float):
    import matplotlib.patches as mp

    return mp.Rectangle((x, y), w, h, fc="white", ec=INK, lw=1.2)


def _split(subs: list[Subshell], rows: int) -> list[list[Subshell]]:
    """``subs`` in ``rows`` consecutive chunks of about equal box counts."""
    total = sum(s.boxes() for s in subs)
    out, cur, acc = [], [], 0
    for s in subs:
        cur.append(s)
        acc += s.boxes()
        if acc >= total * (len(out) + 1) / rows and len(out) < rows - 1:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def _label_excess(d: _Drawer, chunk: list[Subshell], font: float) -> float:
    return sum(max(d.size(s.label, font)[0] - s.boxes() * 16, 0) for s in chunk)


def _spread(raw: list[float], lo: float, hi: float, gap: float, keep: bool = False) -> list[float]:
    """Heights in [lo, hi] in the order of ``raw`` values (scaled linearly; ``keep``: already
    pixel heights), pushed apart to at least ``gap`` and squeezed back inside."""
    vals = np.asarray(raw, dtype=float)
    if not keep:
        span = vals.max() - vals.min()
        vals = (
            lo + (vals - vals.min()) / span * (hi - lo)
            if span > 0
            else np.full_like(vals, (lo + hi) / 2)
        )
    order = np.argsort(vals, kind="stable")
    ys = vals[order].copy()
    gap = min(gap, (hi - lo) / max(len(ys) - 1, 1))
    ys[0] = max(ys[0], lo)
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    if ys[-1] > hi:
        ys[-1] = hi
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    out = np.empty_like(ys)
    out[order] = ys
    return [float(v) for v in out]
