"""Labelled schematics of biology and chemistry apparatus: cells (round or rod-shaped, with
organelles, membrane proteins and stated dimensions), a membrane between two compartments with
ions crossing in a stated direction, lab vessels in a row (beakers, flasks, tubes, cylinders,
calorimeters; transfers between them), a titration (burette over a flask), a chain or cycle of
labelled stages (molecular processes, life cycles), food chains/webs and pyramids.

The model names the components and their relations (inside, crosses from left to right, eaten
by); the renderer lays them out and places every label where it overlaps nothing (leader lines
back to its component). Only stated texts are drawn: no computed concentration, level or answer.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import MIN_FONT, Placer, inch_axes, safe_text, text_size, wrap_to_width
from sciray.scene.text import text_or_none

__all__ = ["ApparatusScene"]

W, H = 6.4, 4.8  # canvas (inches); one axes in inch units covers it
FONT = 11.0
EDGE = "#1f3b5a"
FILL = "#dbe9f6"
LIQUID = "#a8d0ec"


def _text_list(value: Any) -> Any:
    """A list of texts with null spellings dropped and numbers as texts."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [v for v in (text_or_none(x) for x in value) if v is not None]
    return value


def _texts(*values: str | None) -> list[str]:
    return [v for v in values if v and v.strip()]


Line = Annotated[str, Field(min_length=1, max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=28)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


class Cell(_Part):
    name: str | None = Field(default=None, max_length=28)
    """The cell's name written above it, e.g. "Cell X" or "E. coli"; empty for none."""
    shape: Literal["round", "rod"] = "round"
    """"round" (animal or plant cell) or "rod" (bacterium, cylinder)."""
    inside: list[Line] = Field(default_factory=list, max_length=3)
    """Stated contents written inside, one line each, e.g. ["glucose 2.5 mM"]."""
    organelles: list[Name] = Field(default_factory=list, max_length=4)
    """Organelles drawn inside with a label each, e.g. ["nucleus", "mitochondrion"]."""
    proteins: list[Name] = Field(default_factory=list, max_length=2)
    """Membrane proteins drawn on its edge with a label, e.g. ["GLUT-1"]."""
    length: str | None = Field(default=None, max_length=16)
    """Stated length, drawn as a dimension line along it, e.g. "2.1 μm"; empty for none."""
    diameter: str | None = Field(default=None, max_length=16)
    """Stated diameter, drawn across it, e.g. "1.1 μm"; empty for none."""

    _null = field_validator("name", "length", "diameter", mode="before")(text_or_none)
    _lists = field_validator("inside", "organelles", "proteins", mode="before")(_text_list)

    def labels(self) -> list[str]:
        return _texts(self.name, *self.inside, *self.organelles, *self.proteins, self.length,
                      self.diameter)  # fmt: skip


_MAGNIFICATION = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:×|[xX]\b)\s*(?:magnification|objective)?")


class Cells(_Part):
    kind: Literal["cells"]
    """One or more cells side by side."""
    cells: list[Cell] = Field(min_length=1, max_length=3)
    """The cells, left to right."""
    outside: list[Line] = Field(default_factory=list, max_length=2)
    """Stated surroundings, one line each, e.g. ["0.7 M glucose solution"]."""

    _lists = field_validator("outside", mode="before")(_text_list)

    def labels(self) -> list[str]:
        return [t for c in self.cells for t in c.labels()] + list(self.outside)


class Side(_Part):
    name: str = Field(min_length=1, max_length=28)
    """The compartment's name, e.g. "Inside (cytoplasm)", "Outside", "Solution A"."""
    lines: list[Line] = Field(default_factory=list, max_length=3)
    """Stated contents, one line each, e.g. ["[Na+] = 14 mM"]."""

    _lists = field_validator("lines", mode="before")(_text_list)


class Crossing(_Part):
    species: str = Field(min_length=1, max_length=16)
    """What crosses, e.g. "Na+", "glucose", "O2"."""
    to: Literal["right", "left", "both"] = "right"
    """Direction of the stated movement: toward the right side, the left side, or both ways."""
    via: Literal["channel", "pump", "carrier", "membrane"] = "channel"
    """Through what: an ion channel, a pump, a carrier protein, or straight through."""
    label: str | None = Field(default=None, max_length=28)
    """Name of the channel or pump, e.g. "Na+/K+ pump"; empty for none."""

    _null = field_validator("label", mode="before")(text_or_none)


class Membrane(_Part):
    kind: Literal["membrane"]
    """A membrane (vertical) between a left and a right compartment."""
    left: Side
    """The left compartment (put the cell's inside here)."""
    right: Side
    """The right compartment (e.g. the outside)."""
    crossings: list[Crossing] = Field(default_factory=list, max_length=3)
    """Stated movements across the membrane, e.g. [{"species": "Na+", "to": "right"}]."""
    notes: list[Line] = Field(default_factory=list, max_length=3)
    """Stated properties of the membrane, e.g. ["permeable to Ca2+"]."""

    _lists = field_validator("notes", mode="before")(_text_list)

    def labels(self) -> list[str]:
        out = _texts(self.left.name, *self.left.lines, self.right.name, *self.right.lines)
        for c in self.crossings:
            out += _texts(c.species, c.label)
        return out + list(self.notes)


class Vessel(_Part):
    shape: Literal["beaker", "flask", "test_tube", "cylinder", "calorimeter", "tank", "balance"]
    """beaker, flask (Erlenmeyer), test_tube (also a graduated tube), cylinder (graduated),
    calorimeter (coffee cup with thermometer), tank (gas cylinder), balance (a weighed sample)."""
    name: str | None = Field(default=None, max_length=28)
    """What it holds or is, e.g. "HCl" or "Soil sample"; empty for none."""
    lines: list[Line] = Field(default_factory=list, max_length=3)
    """Stated values, one line each, e.g. ["50 mL", "0.100 M"]."""
    transfer: str | None = Field(default=None, max_length=24)
    """Label on an arrow from the vessel before this one, e.g. "1 mL aliquot"; empty: no
    arrow."""

    _null = field_validator("name", "transfer", mode="before")(text_or_none)
    _lists = field_validator("lines", mode="before")(_text_list)

    def labels(self) -> list[str]:
        return _texts(self.transfer, self.name, *self.lines)


class Vessels(_Part):
    kind: Literal["vessels"]
    """Lab vessels in a row, left to right (a dilution series, beakers to compare)."""
    vessels: list[Vessel] = Field(min_length=1, max_length=4)
    """The vessels; a "transfer" draws an arrow from the previous one."""

    def labels(self) -> list[str]:
        return [t for v in self.vessels for t in v.labels()]


class Titration(_Part):
    kind: Literal["titration"]
    """A burette over a flask."""
    titrant: list[Line] = Field(min_length=1, max_length=3)
    """The burette's solution, one line each, e.g. ["NaOH", "0.100 M"]."""
    analyte: list[Line] = Field(min_length=1, max_length=3)
    """The flask's solution, e.g. ["25.0 mL HF", "0.100 M"]."""
    readings: list[Line] = Field(default_factory=list, max_length=3)
    """Stated burette readings or added volumes, e.g. ["initial 1.14 mL", "final 22.37 mL"]."""

    _lists = field_validator("titrant", "analyte", "readings", mode="before")(_text_list)

    def labels(self) -> list[str]:
        return [*self.titrant, *self.analyte, *self.readings]


class Chain(_Part):
    kind: Literal["chain"]
    """Labelled stages joined by arrows: a molecular process, a procedure or a life cycle."""
    stages: list[Line] = Field(min_length=2, max_length=8)
    """Stage names in order, e.g. ["DNA", "mRNA", "Protein"]."""
    steps: list[Annotated[str, Field(max_length=24)]] = Field(default_factory=list, max_length=8)
    """Arrow labels, one per arrow in order, e.g. ["transcription", "translation"]; "" for
    none."""
    cycle: bool = False
    """True when the last stage leads back to the first (a life cycle)."""

    _lists = field_validator("stages", mode="before")(_text_list)

    @field_validator("steps", mode="before")
    @classmethod
    def _steps(cls, v: Any) -> Any:
        return [(text_or_none(x) or "") for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _check(self) -> Chain:
        arrows = len(self.stages) - (0 if self.cycle else 1)
        if len(self.steps) > arrows:
            raise ValueError(f"chain.steps: {len(self.steps)} labels but only {arrows} arrows")
        return self

    def labels(self) -> list[str]:
        return [*self.stages, *_texts(*self.steps)]


class Organism(_Part):
    name: Name
    """The organism, e.g. "Squid"."""
    value: str | None = Field(default=None, max_length=16)
    """A stated value under its name, e.g. "1000 kJ"; empty for none."""

    _null = field_validator("value", mode="before")(text_or_none)

    def text(self) -> str:
        return f"{self.name}\n{self.value}" if self.value else self.name


class Feeds(_Part):
    food: Name
    """The organism eaten, e.g. "Squid"."""
    eater: Name
    """The organism that eats it, e.g. "Orange roughy"."""


class FoodWeb(_Part):
    kind: Literal["food_web"]
    """A food chain or web: arrows from food to eater, producers at the bottom."""
    organisms: list[Organism] = Field(min_length=2, max_length=9)
    """Every organism once, e.g. [{"name": "Grass"}, {"name": "Rabbit"}]."""
    feeds: list[Feeds] = Field(min_length=1, max_length=14)
    """Who eats whom, e.g. [{"food": "Grass", "eater": "Rabbit"}]."""

    @field_validator("organisms", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        return [{"name": x} if isinstance(x, str) else x for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _check(self) -> FoodWeb:
        names = [o.name.strip().lower() for o in self.organisms]
        if len(set(names)) != len(names):
            raise ValueError("food_web.organisms: names must differ")
        for f in self.feeds:
            for who in (f.food, f.eater):
                if who.strip().lower() not in names:
                    raise ValueError(f"food_web.feeds: {who!r} is not in organisms")
        levels = self.levels()
        if any(lv is None for lv in levels):
            raise ValueError("food_web.feeds: the arrows go round in a loop")
        if max(levels.count(lv) for lv in set(levels)) > 5:
            raise ValueError("food_web.organisms: at most 5 on one trophic level")
        return self

    def index(self, name: str) -> int:
        return [o.name.strip().lower() for o in self.organisms].index(name.strip().lower())

    def levels(self) -> list[int | None]:
        """Row of each organism: 0 for what eats nothing listed, else one above its food."""
        n = len(self.organisms)
        lv: list[int | None] = [0] * n
        for _ in range(n + 1):
            changed = False
            for f in self.feeds:
                a, b = self.index(f.food), self.index(f.eater)
                if lv[a] is not None and lv[b] is not None and lv[b] < lv[a] + 1:
                    lv[b] = lv[a] + 1
                    changed = True
            if not changed:
                return lv
        return [None] * n

    def labels(self) -> list[str]:
        return [o.text() for o in self.organisms]


class Level(_Part):
    name: Name
    """The level's name, e.g. "Producers"."""
    value: str | None = Field(default=None, max_length=16)
    """Its stated value, e.g. "10000 kJ"; empty for none."""

    _null = field_validator("value", mode="before")(text_or_none)

    def text(self) -> str:
        return f"{self.name}: {self.value}" if self.value else self.name


class Pyramid(_Part):
    kind: Literal["pyramid"]
    """An energy, biomass or numbers pyramid."""
    levels: list[Level] = Field(min_length=2, max_length=5)
    """Levels from the bottom up, e.g. [{"name": "Producers", "value": "10000 kJ"}]."""

    def labels(self) -> list[str]:
        return [lv.text() for lv in self.levels]


Part = Annotated[
    Cells | Membrane | Vessels | Titration | Chain | FoodWeb | Pyramid, Field(discriminator="kind")
]


@register
class ApparatusScene(SceneSpec):
    """Labelled schematics: cells, membranes with ions crossing, lab vessels and titrations,
    chains of stages (molecular processes, life cycles), food webs and pyramids."""

    domain: Literal["apparatus"] = "apparatus"
    image_types: ClassVar[tuple[str, ...]] = (
        "biology - cell diagram",
        "universal - exp. setup",
        "biology - molecular process",
        "biology - ecological",
    )

    parts: list[Part] = Field(min_length=1, max_length=2)
    """The schematics, left to right (usually one); each has a "kind"."""
    notes: list[Annotated[str, Field(max_length=70)]] = Field(default_factory=list, max_length=3)
    """Other stated values, one line each, written under the figure, e.g. "Ka = 7.2e-4"."""

    _null = field_validator("title", mode="before")(text_or_none)
    _lists = field_validator("notes", mode="before")(_text_list)

    @model_validator(mode="after")
    def _fits(self) -> ApparatusScene:
        # what fits the canvas: two parts share it, each in half the width
        most, chain, web = (26, 8, 9) if len(self.parts) == 1 else (12, 4, 5)
        for p in self.parts:
            if len(p.labels()) > most:
                raise ValueError(f"parts: a {p.kind} here has at most {most} labels")
            if isinstance(p, Chain) and len(p.stages) > chain:
                raise ValueError(f"parts: a chain here has at most {chain} stages")
            if isinstance(p, FoodWeb) and len(p.organisms) > web:
                raise ValueError(f"parts: a food_web here has at most {web} organisms")
            if len(self.parts) == 2 and isinstance(p, (Cells, Vessels)):
                if len(getattr(p, p.kind)) > 2:
                    raise ValueError(f"parts: {p.kind} beside another part: at most 2")
        return self

    def aligned_to(self, question: str) -> ApparatusScene:
        """Without a cell size that is only the magnification the problem states (seed 30: a
        cell's length "1000" from "viewed at 1,000× magnification")."""
        powers = {float(m.replace(",", "")) for m in _MAGNIFICATION.findall(question)}

        def size(text: str | None) -> str | None:
            bare = text is not None and re.fullmatch(r"\d[\d,]*(?:\.\d+)?", text.strip())
            return None if bare and float(text.replace(",", "")) in powers else text

        parts = []
        for p in self.parts:
            if isinstance(p, Cells):
                cells = [
                    c.model_copy(update={"length": size(c.length), "diameter": size(c.diameter)})
                    for c in p.cells
                ]
                p = p.model_copy(update={"cells": cells})
            parts.append(p)
        return self.model_copy(update={"parts": parts}) if parts != self.parts else self

    def labels(self) -> list[str]:
        out = _texts(self.title)
        for p in self.parts:
            out += p.labels()
        return out + list(self.notes)

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


# ---------------------------------------------------------------------------------------------
# Drawing (data units are inches)
# ---------------------------------------------------------------------------------------------


def _mover(xy: Any, size: float) -> Any:
    def move(t: Any) -> None:
        t.set_position((float(xy[0]), float(xy[1])))
        t.set_fontsize(size)

    return move


class _Drawer:
    def __init__(self, scene: ApparatusScene, fig: Any):
        self.s, self.fig, self.dpi = scene, fig, fig.dpi

    def size(self, text: str, font: float) -> tuple[float, float]:
        w, h = text_size(self.fig, text, font)
        return w / self.dpi, h / self.dpi

    def wrap(self, text: str, font: float, width: float) -> str:
        return wrap_to_width(self.fig, safe_text(text), font, width * self.dpi)

    def fixed(self, x: float, y: float, text: str, font: float = FONT, **kw: Any) -> Any:
        """A text placed by construction (title, notes): later labels keep off it."""
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        t = self.ax.text(x, y, text, fontsize=font, zorder=6, **kw)
        self.placer.block_text(t)
        return t

    def label(self, text: str, pts: list, anchor: Any = None, font: float = FONT,
              width: float = 2.2, **kw: Any) -> Any:  # fmt: skip
        """``text`` at the first free point of ``pts`` (inches), else anywhere free in the part,
        else on the canvas; a leader line back to ``anchor`` when it ends up away from it."""
        t = self.ax.text(0, 0, "", ha="center", va="center", zorder=6, **kw)
        moves = []
        for f in (font, 10.0, MIN_FONT):
            wrapped = self.wrap(text, f, width)
            moves += [_wrapped(p, f, wrapped) for p in pts]
        if not self.placer.place(t, moves):
            self.placer.boxes.pop()  # the failed try's box: the text moves on
            small = self.wrap(text, MIN_FONT, width)
            near = np.asarray(pts[0], dtype=float)
            grid = []
            for box in (self.box, (0.0, 0.0, W, H)):  # anywhere free, nearest first
                x0, y0, x1, y1 = box
                grid += sorted(((x, y) for y in np.arange(y1 - 0.15, y0 + 0.1, -0.12)
                                for x in np.arange(x0 + 0.3, x1 - 0.2, 0.15)),
                               key=lambda q: float(np.hypot(q[0] - near[0], q[1] - near[1])))  # fmt: skip
            self.placer.place(t, [_wrapped(q, MIN_FONT, small) for q in grid], soft=False)
        if anchor is not None:
            bb = self.placer.extent(t).extents / self.dpi
            a = np.asarray(anchor, dtype=float)
            end = np.clip(a, bb[:2] - 0.02, bb[2:] + 0.02)
            if np.hypot(*(end - a)) > 0.08:
                self.ax.plot(*zip(a, end), color="#666666", lw=0.8, zorder=4)
        return t

    def fit_font(self, text: str, width: float, height: float = 9.0) -> float:
        """The largest font at which ``text``, wrapped, fits a box of this size (inches)."""
        for f in (FONT, 10.0):
            w, h = self.size(self.wrap(text, f, width - 0.1), f)
            if w <= width - 0.06 and h <= height:
                return f
        return MIN_FONT

    def block_box(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Labels keep off this drawn box (inches)."""
        from matplotlib.transforms import Bbox

        self.placer.block(Bbox.from_extents(x0 * self.dpi, y0 * self.dpi, x1 * self.dpi,
                                            y1 * self.dpi))  # fmt: skip

    def outline(self, xs: Any, ys: Any) -> None:
        """Labels prefer not to cover this drawn outline."""
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        t = np.linspace(0, 1, 20)
        pts = [np.c_[x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]
               for x0, x1, y0, y1 in zip(xs[:-1], xs[1:], ys[:-1], ys[1:])]  # fmt: skip
        if pts:
            self.placer.avoid(np.vstack(pts) * self.dpi)

    def arrow(self, a: Any, b: Any, both: bool = False, color: str = "#333333") -> None:
        from matplotlib.patches import FancyArrowPatch

        style = "<|-|>" if both else "-|>"
        self.ax.add_patch(FancyArrowPatch(tuple(a), tuple(b), arrowstyle=style,
                                          mutation_scale=14, color=color, lw=1.5, zorder=3))  # fmt: skip
        self.outline([a[0], b[0]], [a[1], b[1]])

    # --- canvas ----------------------------------------------------------------------------

    def draw(self) -> None:
        s, fig = self.s, self.fig
        fig.set_size_inches(W, H)
        self.ax = inch_axes(fig, W, H)
        self.placer = Placer(fig)
        top = H - 0.1
        if s.title:
            title = self.wrap(s.title, 13, W - 0.4)
            self.fixed(W / 2, top, title, 13, va="top")
            top -= self.size(title, 13)[1] + 0.1
        bottom = 0.1
        for note in reversed(s.notes):
            text = self.wrap(note, 10, W - 0.4)
            self.fixed(W / 2, bottom, text, 10, va="bottom")
            bottom += self.size(text, 10)[1] + 0.04
        n = len(s.parts)
        slot = (W - 0.2) / n
        for k, part in enumerate(s.parts):
            self.box = (0.1 + k * slot, bottom + 0.05, 0.1 + (k + 1) * slot, top - 0.05)
            _DRAWS[type(part)](self, part)

    # --- cells -----------------------------------------------------------------------------

    def cells(self, p: Cells) -> None:
        from matplotlib.patches import Ellipse, FancyBboxPatch, Rectangle

        x0, y0, x1, y1 = self.box
        if p.outside:
            ax = self.ax
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fc="#f3f8fc", ec="none", zorder=0))
            for i, line in enumerate(p.outside):
                self.label(line, [(x0 + (x1 - x0) / 2, y0 + 0.2 + 0.25 * i)], width=x1 - x0 - 0.2)
        n = len(p.cells)
        slot = (x1 - x0) / n
        for k, c in enumerate(p.cells):
            cx = x0 + slot * (k + 0.5)
            cy = (y0 + y1) / 2 + 0.05
            w = min(slot * 0.62, 2.6)
            h = min((y1 - y0) * 0.45, w * (0.45 if c.shape == "rod" else 0.8))
            if c.shape == "rod":
                body = FancyBboxPatch((cx - w / 2, cy - h / 2), w, h,
                                      f"round,pad=0,rounding_size={h / 2}", fc=FILL, ec=EDGE, lw=2)  # fmt: skip
            else:
                body = Ellipse((cx, cy), w, h, fc=FILL, ec=EDGE, lw=2)
            bx, bw = cx - w / 2, w
            self.ax.add_patch(body)
            ang = np.linspace(0, 2 * np.pi, 60)
            self.outline(cx + bw / 2 * np.cos(ang), cy + h / 2 * np.sin(ang))
            if c.name:
                self.label(c.name, [(cx, cy + h / 2 + 0.3), (cx, cy + h / 2 + 0.45)],
                           width=slot - 0.1, fontweight="bold")  # fmt: skip
            self._organelles(c, cx, cy, bw, h, slot)
            for i, line in enumerate(c.inside):
                yy = cy + (0.12 if c.organelles else 0.0) + (len(c.inside) / 2 - i - 0.5) * 0.22
                self.label(line, [(cx, yy), (cx, yy - 0.1), (cx, yy + 0.1)], width=bw * 0.8)
            for i, prot in enumerate(c.proteins):
                a = math.radians((150, 30)[i])
                px, py = cx + bw / 2 * math.cos(a), cy + h / 2 * math.sin(a)
                self.ax.add_patch(Rectangle((px - 0.06, py - 0.1), 0.12, 0.2, fc="#e07b39",
                                            ec="#7a3a10", lw=1, zorder=3))  # fmt: skip
                side = -1 if i == 0 else 1
                pts = [(px + side * d, py + 0.3) for d in (0.2, 0.4, 0.0)]
                self.label(prot, pts, anchor=(px, py), width=slot * 0.6)
            if c.length:
                ly = cy - h / 2 - 0.18
                self.arrow((bx, ly), (bx + bw, ly), both=True, color="#444444")
                self.label(c.length, [(cx, ly - 0.16), (cx, ly - 0.3)], width=slot)
            if c.diameter:
                dx = bx + bw + 0.12
                self.arrow((dx, cy - h / 2), (dx, cy + h / 2), both=True, color="#444444")
                self.label(c.diameter, [(dx + 0.1 + self.size(c.diameter, FONT)[0] / 2, cy),
                                        (dx + 0.35, cy + 0.3)], width=1.2)  # fmt: skip

    def _organelles(self, c: Cell, cx: float, cy: float, w: float, h: float, slot: float) -> None:
        from matplotlib.patches import Ellipse

        n = len(c.organelles)
        for i, name in enumerate(c.organelles):
            low = name.lower()
            ox = cx + (i - (n - 1) / 2) * w * 0.8 / max(n, 1) * 0.9
            oy = cy - h * 0.18
            if "nucle" in low and "ribo" not in low:
                glyph = Ellipse((ox, oy), w * 0.2, h * 0.32, fc="#9fb8d8", ec=EDGE, lw=1.3)
            elif "chloro" in low:
                glyph = Ellipse((ox, oy), w * 0.16, h * 0.14, fc="#8cc084", ec="#2d6a2d", lw=1.2)
            elif "mito" in low:
                glyph = Ellipse((ox, oy), w * 0.17, h * 0.12, fc="#f2b8a0", ec="#8a3b1e", lw=1.2)
            else:
                glyph = Ellipse((ox, oy), w * 0.1, h * 0.1, fc="#d9c7ef", ec="#5b3f86", lw=1.2)
            glyph.set_zorder(2)
            self.ax.add_patch(glyph)
            below = cy - h / 2 - 0.25
            pts = [(ox, below - 0.1 * k) for k in range(4)]
            pts += [(ox + s * 0.5, below - 0.2) for s in (-1, 1)]
            self.label(name, pts, anchor=(ox, oy), width=slot / max(n, 1) + 0.3)

    # --- membrane --------------------------------------------------------------------------

    def membrane(self, p: Membrane) -> None:
        from matplotlib.patches import Circle, Rectangle

        x0, y0, x1, y1 = self.box
        mx, half = (x0 + x1) / 2, 0.14
        ax = self.ax
        ax.add_patch(Rectangle((x0, y0), mx - x0, y1 - y0, fc="#eef5fb", ec="none", zorder=0))
        ax.add_patch(Rectangle((mx, y0), x1 - mx, y1 - y0, fc="#fbf4ea", ec="none", zorder=0))
        n = len(p.crossings)
        gaps = [y0 + (y1 - y0) * (k + 1) / (n + 1) for k in range(n)]
        for y in np.arange(y0 + 0.06, y1, 0.12):  # the bilayer: heads on both faces
            if any(abs(y - g) < 0.2 for g, c in zip(gaps, p.crossings) if c.via != "membrane"):
                continue
            for x in (mx - half, mx + half):
                ax.add_patch(Circle((x, y), 0.05, fc="#f0c987", ec="#9a7331", lw=0.6, zorder=2))
            ax.plot([mx - half + 0.05, mx + half - 0.05], [y, y], color="#c8a46a", lw=0.6)
        self.outline([mx, mx], [y0, y1])
        self.outline([mx - half, mx - half], [y0, y1])
        self.outline([mx + half, mx + half], [y0, y1])
        side_w = mx - x0 - 0.35
        for side, cx in ((p.left, (x0 + mx - half) / 2), (p.right, (mx + half + x1) / 2)):
            self.label(side.name, [(cx, y1 - 0.2), (cx, y1 - 0.35)], width=side_w,
                       fontweight="bold")  # fmt: skip
            for i, line in enumerate(side.lines):
                yy = y1 - 0.55 - 0.25 * i
                self.label(line, [(cx, yy), (cx, yy - 0.12)], width=side_w)
        colors = {"channel": "#4f8fc0", "pump": "#c0504f", "carrier": "#6aa84f"}
        for c, gy in zip(p.crossings, gaps):
            if c.via != "membrane":
                for dy in (-0.17, 0.09):
                    ax.add_patch(Rectangle((mx - half - 0.07, gy + dy), 2 * half + 0.14, 0.08,
                                           fc=colors[c.via], ec="#333333", lw=0.8, zorder=3))  # fmt: skip
            a, b = (mx - 0.9, gy), (mx + 0.9, gy)
            if c.to == "left":
                a, b = b, a
            self.arrow(a, b, both=c.to == "both", color="#b03030")
            start = a if c.to != "both" else (mx - 0.9, gy)
            self.label(c.species, [(start[0] + (0.3 if b[0] > a[0] else -0.3), gy + 0.16),
                                   (start[0], gy + 0.18), (start[0], gy - 0.18)],
                       width=1.0, color="#b03030")  # fmt: skip
            if c.label:
                tw = self.size(self.wrap(c.label, FONT, side_w), FONT)[0] / 2 + half + 0.15
                pts = [(mx + s * tw, gy - 0.32) for s in (1, -1)] + [(mx, gy - 0.45)]
                self.label(c.label, pts, anchor=(mx, gy - 0.15), width=side_w)
        for i, note in enumerate(p.notes):  # read top down, just above the bottom edge
            y = y0 + 0.2 + 0.26 * (len(p.notes) - 1 - i)
            self.label(note, [(mx, y)], width=x1 - x0 - 0.2,
                       bbox={"fc": "white", "ec": "#999999", "pad": 1.5})  # fmt: skip

    # --- vessels ---------------------------------------------------------------------------

    def vessels(self, p: Vessels) -> None:
        x0, y0, x1, y1 = self.box
        n = len(p.vessels)
        slot = (x1 - x0) / n
        rows = max(len(v.lines) for v in p.vessels) + 1  # the name and lines under each
        base = y0 + 0.2 + 0.3 * rows
        vh = max(0.8, min(1.8, y1 - base - 0.9))  # room above for a transfer arrow
        prev = None
        for k, v in enumerate(p.vessels):
            cx = x0 + slot * (k + 0.5)
            vw = min(slot * 0.55, vh * 0.8)
            self.vessel(v.shape, cx, base, vw, vh)
            if v.name:
                self.label(v.name, [(cx, base - 0.2), (cx, base - 0.3)], width=slot - 0.1,
                           fontweight="bold")  # fmt: skip
            for i, line in enumerate(v.lines):
                yy = base - 0.45 - 0.24 * i
                self.label(line, [(cx, yy), (cx, yy - 0.1)], width=slot - 0.1)
            if v.transfer is not None and prev is not None:
                ay = base + vh * 0.85
                a, b = (prev + vw * 0.2, ay + 0.35), (cx - vw * 0.6, ay + 0.35)
                self.arrow(a, b)
                self.label(v.transfer, [((a[0] + b[0]) / 2, ay + 0.55), ((a[0] + b[0]) / 2, ay + 0.1)],
                           width=slot)  # fmt: skip
            prev = cx

    def vessel(self, shape: str, cx: float, base: float, w: float, h: float) -> float:
        """Draw one vessel standing on ``base``; its top's height."""
        from matplotlib.patches import Circle, Polygon, Rectangle

        ax, kw = self.ax, {"fc": "none", "ec": EDGE, "lw": 1.8, "zorder": 3}
        if shape == "beaker":
            pts = [(cx - w / 2, base + h * 0.8), (cx - w / 2, base), (cx + w / 2, base),
                   (cx + w / 2, base + h * 0.8)]  # fmt: skip
            liquid = [(cx - w / 2, base + h * 0.45), (cx - w / 2, base), (cx + w / 2, base),
                      (cx + w / 2, base + h * 0.45)]  # fmt: skip
        elif shape == "flask":
            nw = w * 0.22
            pts = [(cx - nw / 2, base + h * 0.9), (cx - nw / 2, base + h * 0.55),
                   (cx - w / 2, base), (cx + w / 2, base), (cx + nw / 2, base + h * 0.55),
                   (cx + nw / 2, base + h * 0.9)]  # fmt: skip
            f = 0.3 / 0.55
            liquid = [(cx - w / 2 + (w - nw) / 2 * f, base + h * 0.3), (cx - w / 2, base),
                      (cx + w / 2, base), (cx + w / 2 - (w - nw) / 2 * f, base + h * 0.3)]  # fmt: skip
        elif shape in ("test_tube", "cylinder"):
            tw = w * (0.3 if shape == "test_tube" else 0.45)
            pts = [(cx - tw / 2, base + h), (cx - tw / 2, base + tw / 2), (cx, base),
                   (cx + tw / 2, base + tw / 2), (cx + tw / 2, base + h)]  # fmt: skip
            liquid = [(cx - tw / 2, base + h * 0.7), *pts[1:4], (cx + tw / 2, base + h * 0.7)]
            if shape == "cylinder":
                pts[1:4] = [(cx - tw / 2, base), (cx + tw / 2, base)]
                liquid = [(cx - tw / 2, base + h * 0.7), *pts[1:3], (cx + tw / 2, base + h * 0.7)]
                ax.plot([cx - w * 0.35, cx + w * 0.35], [base, base], color=EDGE, lw=2.5)
            for k in range(1, 6):  # graduation marks
                yy = base + h * (0.15 + 0.14 * k)
                ax.plot([cx - tw / 2, cx - tw / 2 + 0.08], [yy, yy], color=EDGE, lw=0.8)
        elif shape == "calorimeter":
            pts = [(cx - w / 2, base + h * 0.75), (cx - w * 0.4, base), (cx + w * 0.4, base),
                   (cx + w / 2, base + h * 0.75)]  # fmt: skip
            liquid = [(cx - w * 0.45, base + h * 0.4), (cx - w * 0.4, base), (cx + w * 0.4, base),
                      (cx + w * 0.45, base + h * 0.4)]  # fmt: skip
            ax.add_patch(Rectangle((cx - w * 0.55, base + h * 0.75), w * 1.1, h * 0.07,
                                   fc="#cccccc", ec=EDGE, lw=1.2, zorder=4))  # fmt: skip
            self._thermometer(cx + w * 0.15, base + h * 0.15, h * 1.0)
        elif shape == "tank":
            ax.add_patch(Rectangle((cx - w * 0.35, base), w * 0.7, h * 0.85, fc="#e6e6e6",
                                   ec=EDGE, lw=1.8, zorder=2))  # fmt: skip
            ax.add_patch(Rectangle((cx - w * 0.08, base + h * 0.85), w * 0.16, h * 0.12,
                                   fc="#999999", ec=EDGE, lw=1.2, zorder=2))  # fmt: skip
            self.outline([cx - w * 0.35, cx + w * 0.35], [base + h * 0.85] * 2)
            return base + h
        else:  # balance with a sample on its pan
            ax.add_patch(Rectangle((cx - w / 2, base), w, h * 0.25, fc="#d9d9d9", ec=EDGE, lw=1.6))
            ax.plot([cx - w * 0.4, cx + w * 0.4], [base + h * 0.32] * 2, color=EDGE, lw=2.5)
            ax.add_patch(Circle((cx, base + h * 0.42), h * 0.1, fc="#b08a5a", ec="#5a4020"))
            return base + h * 0.5
        ax.add_patch(Polygon(liquid, closed=True, fc=LIQUID, ec="none", zorder=1))
        ax.add_patch(Polygon(pts, closed=False, **kw))
        xs, ys = zip(*pts)
        self.outline(xs, ys)
        return base + h

    def _thermometer(self, x: float, y: float, h: float) -> None:
        from matplotlib.patches import Circle, FancyBboxPatch

        self.ax.add_patch(FancyBboxPatch((x - 0.04, y), 0.08, h, "round,pad=0.01", fc="white",
                                         ec="#555555", lw=1, zorder=5))  # fmt: skip
        self.ax.add_patch(Circle((x, y), 0.07, fc="#d33", ec="#555555", lw=1, zorder=6))
        self.ax.plot([x, x], [y, y + h * 0.5], color="#d33", lw=2, zorder=6)

    # --- titration -------------------------------------------------------------------------

    def titration(self, p: Titration) -> None:
        from matplotlib.patches import Rectangle

        x0, y0, x1, y1 = self.box
        cx = x0 + (x1 - x0) * 0.45
        fh = min(1.3, (y1 - y0) * 0.32)
        base = y0 + 0.15
        self.vessel("flask", cx, base, fh * 0.95, fh)
        bt, bb = y1 - 0.1, base + fh * 1.05  # the burette's top and tip
        ax = self.ax
        ax.add_patch(Rectangle((cx - 0.08, bb + 0.25), 0.16, bt - bb - 0.25, fc="white", ec=EDGE,
                               lw=1.6, zorder=3))  # fmt: skip
        ax.add_patch(Rectangle((cx - 0.08, bb + 0.25), 0.16, (bt - bb - 0.25) * 0.7, fc=LIQUID,
                               ec="none", zorder=3))  # fmt: skip
        ax.plot([cx, cx], [bb, bb + 0.25], color=EDGE, lw=1.8, zorder=3)
        ax.plot([cx - 0.12, cx + 0.12], [bb + 0.15] * 2, color=EDGE, lw=3, zorder=3)  # stopcock
        for k in range(1, 9):
            yy = bb + 0.25 + (bt - bb - 0.25) * k / 9
            ax.plot([cx - 0.08, cx - 0.01], [yy, yy], color=EDGE, lw=0.7, zorder=4)
        sx = x0 + 0.15  # the stand and its clamp
        ax.add_patch(Rectangle((sx - 0.05, base - 0.08), cx - sx + 0.6, 0.08, fc="#888888"))
        ax.plot([sx, sx], [base, bt], color="#777777", lw=3)
        ax.plot([sx, cx - 0.08], [bt - 0.6] * 2, color="#777777", lw=2)
        self.block_box(cx - 0.09, bb, cx + 0.09, bt)
        self.outline([cx - 0.08, cx - 0.08], [bb, bt])
        self.outline([cx + 0.08, cx + 0.08], [bb, bt])
        right = (cx + 0.1 + x1) / 2
        rw = x1 - cx - 0.3
        by = bt - (bt - bb) * 0.35
        for i, line in enumerate(p.titrant):
            yy = by + (len(p.titrant) / 2 - i - 0.5) * 0.24
            self.label(line, [(right, yy), (right, yy - 0.1)], width=rw,
                       anchor=(cx + 0.08, by) if i == 0 else None)  # fmt: skip
        fy = base + fh * 0.3
        for i, line in enumerate(p.analyte):
            yy = fy + (len(p.analyte) / 2 - i - 0.5) * 0.24
            self.label(line, [(right, yy), (right, yy + 0.1)], width=rw,
                       anchor=(cx + fh * 0.35, fy) if i == 0 else None)  # fmt: skip
        left = (sx + cx - 0.1) / 2 + 0.05
        for i, line in enumerate(p.readings):
            yy = bt - 0.9 - 0.26 * i
            self.label(line, [(left, yy), (left, yy - 0.12)], width=cx - sx - 0.2)

    # --- chain -----------------------------------------------------------------------------

    def chain(self, p: Chain) -> None:
        from matplotlib.patches import FancyBboxPatch

        x0, y0, x1, y1 = self.box
        n = len(p.stages)
        if p.cycle:  # round an ellipse, first stage at the top
            rx, ry = (x1 - x0) / 2 - 0.75, (y1 - y0) / 2 - 0.4
            ang = [math.pi / 2 - 2 * math.pi * k / n for k in range(n)]
            centres = [((x0 + x1) / 2 + rx * math.cos(a), (y0 + y1) / 2 + ry * math.sin(a))
                       for a in ang]  # fmt: skip
            bw = min(1.35, 2 * math.pi * min(rx, ry * 1.5) / n * 0.8)
        else:
            rows = 1 if n <= 4 else 2
            per = math.ceil(n / rows)
            bw = min(1.4, (x1 - x0) / per * 0.62)
            pitch = (x1 - x0) / per
            centres = []
            for k in range(n):
                r, c = divmod(k, per)
                if r == 1:  # the second row runs back, right to left, under the first
                    c = per - 1 - c
                yy = (y0 + y1) / 2 + (0 if rows == 1 else (0.75 if r == 0 else -0.75))
                centres.append((x0 + pitch * (c + 0.5), yy))
        if p.cycle:
            room_h = max(0.35, 2 * math.pi * ry / n * 0.55)
        else:
            room_h = (y1 - y0) * 0.8 if rows == 1 else 1.2
        halves = []  # each stage box's half width and height, with a margin
        for stage, (cx, cy) in zip(p.stages, centres):
            font = self.fit_font(stage, bw, room_h - 0.12)
            bh = min(self.size(self.wrap(stage, font, bw - 0.1), font)[1] + 0.16, room_h)
            self.ax.add_patch(FancyBboxPatch((cx - bw / 2, cy - bh / 2), bw, bh,
                                             "round,pad=0.03", fc="#e8f0f8", ec=EDGE, lw=1.5, zorder=2))  # fmt: skip
            self.label(stage, [(cx, cy)], font=font, width=bw - 0.1)
            self.block_box(
                cx - bw / 2 - 0.03, cy - bh / 2 - 0.03, cx + bw / 2 + 0.03, cy + bh / 2 + 0.03
            )
            halves.append((bw / 2 + 0.06, bh / 2 + 0.06))
        arrows = n if p.cycle else n - 1
        for k in range(arrows):
            a, b = np.array(centres[k]), np.array(centres[(k + 1) % n])
            d = b - a
            ha, hb = halves[k], halves[(k + 1) % n]
            ta, tb = _exit(ha, d), _exit(hb, d)
            if ta + tb >= 0.95:
                continue  # boxes touch: no room for an arrow
            pa, pb = a + d * ta, b - d * tb
            self.arrow(pa, pb)
            step = p.steps[k] if k < len(p.steps) else ""
            if step:
                mid = (pa + pb) / 2
                nrm = np.array([-d[1], d[0]]) / (np.hypot(*d) or 1)
                if nrm[1] < 0:
                    nrm = -nrm
                pts = [mid + nrm * s for s in (0.18, 0.3, -0.18, -0.3, 0.45, -0.45, 0.6, -0.6)]
                self.label(step, pts, width=max(1.0, float(np.hypot(*(pb - pa)))), color="#1f4f7a",
                           style="italic")  # fmt: skip

    # --- food web and pyramid --------------------------------------------------------------

    def food_web(self, p: FoodWeb) -> None:
        from matplotlib.patches import FancyBboxPatch

        x0, y0, x1, y1 = self.box
        levels = [int(v or 0) for v in p.levels()]
        top = max(levels)
        rows = {lv: [i for i, v in enumerate(levels) if v == lv] for lv in range(top + 1)}
        pitch_y = (y1 - y0) / (top + 1)
        box = {}
        for lv, members in rows.items():
            pitch_x = (x1 - x0) / max(len(members), 1)
            bw = min(1.45, pitch_x * 0.82)
            for j, i in enumerate(members):
                cx, cy = x0 + pitch_x * (j + 0.5), y0 + pitch_y * (lv + 0.5)
                org = p.organisms[i]
                font = self.fit_font(org.text(), bw, pitch_y * 0.85 - 0.1)
                bh = min(
                    pitch_y * 0.85, self.size(self.wrap(org.text(), font, bw - 0.1), font)[1] + 0.14
                )
                self.ax.add_patch(FancyBboxPatch((cx - bw / 2, cy - bh / 2), bw, bh,
                                                 "round,pad=0.03", fc=("#e3f1dc" if lv == 0 else "#f6ecd9"),
                                                 ec=EDGE, lw=1.4, zorder=2))  # fmt: skip
                self.label(org.text(), [(cx, cy)], font=font, width=bw - 0.1)
                self.block_box(cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)
                box[i] = (cx, cy, bw, bh)
        for f in p.feeds:
            a, b = box[p.index(f.food)], box[p.index(f.eater)]
            start = (a[0], a[1] + a[3] / 2 + 0.04)
            end = (b[0], b[1] - b[3] / 2 - 0.04)
            if b[1] <= a[1]:  # same row: side to side
                s = 1 if b[0] > a[0] else -1
                start, end = (
                    (a[0] + s * (a[2] / 2 + 0.04), a[1]),
                    (b[0] - s * (b[2] / 2 + 0.04), b[1]),
                )
            self.arrow(start, end, color="#2d6a2d")

    def pyramid(self, p: Pyramid) -> None:
        from matplotlib.patches import Polygon

        x0, y0, x1, y1 = self.box
        n = len(p.levels)
        cx = x0 + (x1 - x0) * 0.4
        half = min((x1 - x0) * 0.38, 2.2)
        lh = (y1 - y0 - 0.1) / n
        colours = ("#9ccf8f", "#c6e2a0", "#f4dc8a", "#f4b183", "#e59a9a")
        for k, lv in enumerate(p.levels):
            ya, yb = y0 + k * lh, y0 + (k + 1) * lh
            wa, wb = half * (1 - k / n), half * (1 - (k + 1) / n)
            pts = [(cx - wa, ya), (cx + wa, ya), (cx + wb, yb), (cx - wb, yb)]
            self.ax.add_patch(Polygon(pts, closed=True, fc=colours[k], ec=EDGE, lw=1.4))
            text, mid_y = lv.text(), (ya + yb) / 2
            room = (wa + wb) * 0.8  # the level's width at its middle, less a margin
            fits = self.size(self.wrap(text, FONT, room), FONT)
            if fits[0] <= room and fits[1] <= lh - 0.1:
                self.label(text, [(cx, mid_y)], width=room)
                continue
            rx = cx + (wa + wb) / 2 + 0.15
            side = x1 - rx - 0.1
            tw = self.size(self.wrap(text, FONT, side), FONT)[0]
            self.label(text, [(rx + tw / 2 + 0.1, mid_y), (rx + tw / 2 + 0.1, mid_y + 0.15)],
                       anchor=(cx + (wa + wb) / 2, mid_y), width=side)  # fmt: skip


def _exit(half: tuple[float, float], d: Any) -> float:
    """The fraction of the centre-to-centre step ``d`` spent inside a box of ``half`` size."""
    return min(h / abs(v) if abs(v) > 1e-6 else 9.0 for h, v in zip(half, d))


def _wrapped(xy: Any, size: float, text: str) -> Any:
    def move(t: Any) -> None:
        t.set_text(text)
        t.set_position((float(xy[0]), float(xy[1])))
        t.set_fontsize(size)

    return move


_DRAWS = {
    Cells: _Drawer.cells, Membrane: _Drawer.membrane, Vessels: _Drawer.vessels,
    Titration: _Drawer.titration, Chain: _Drawer.chain, FoodWeb: _Drawer.food_web,
    Pyramid: _Drawer.pyramid,
}  # fmt: skip
