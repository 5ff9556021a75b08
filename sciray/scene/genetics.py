"""Genetics: pedigrees, crosses (P x P -> F1), Punnett squares, DNA/RNA sequences with marked
mutations, gel lanes of stated fragment sizes, and tables of stated progeny counts.

The model names individuals and their relations (couples and their children), never places:
generations follow from the parent-child links and each generation is laid out left to right
in a fixed order. Nothing is computed: a Punnett cell is filled only when the scene states it,
no ratio, probability or genotype is inferred, and a restriction map (an answer) is not drawn.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import MIN_FONT, safe_text, text_size, wrap_to_width
from sciray.scene.text import text_or_none

__all__ = ["Cross", "GeneticsScene", "Gel", "Pedigree", "Punnett", "Strand"]

FONTS = (14.0, 13.0, 12.0, 11.0, 10.0, MIN_FONT)
MIN_W, MIN_H = 6.4, 4.8  # canvas (inches) at least
MAX_W, MAX_H = 10.0, 7.8  # and at most
MARGIN, GAP = 0.2, 0.35
INK, FILL, MARK = "#1f3b5a", "#4a4a4a", "#f4c542"
ROMAN = ("I", "II", "III", "IV", "V")
TIMES = "×"


def _texts_in(value: Any) -> Any:
    """Numbers in a list (or list of lists) as texts; null words as empty texts."""
    if isinstance(value, list):
        return [_texts_in(v) if isinstance(v, list) else (text_or_none(v) or "") for v in value]
    return value


def _texts(*values: str | None) -> list[str]:
    return [v for v in values if v and v.strip()]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------

_STATUS_ALIASES = {
    "normal": "unaffected", "healthy": "unaffected", "unaffected": "unaffected",
    "affected": "affected", "diseased": "affected", "ill": "affected",
    "carrier": "carrier", "heterozygous": "carrier", "heterozygote": "carrier",
    "dot_carrier": "dot_carrier", "x_carrier": "dot_carrier",
}  # fmt: skip


class Person(_Part):
    name: str = Field(min_length=1, max_length=16)
    """Who this is, written under the symbol, e.g. "John", "II-3" or "?"; unique."""
    sex: Literal["male", "female", "unknown"] = "unknown"
    """"male" (square), "female" (circle) or "unknown" (diamond, e.g. an unborn child)."""
    status: Literal["unaffected", "affected", "carrier", "dot_carrier"] = "unaffected"
    """"affected" (filled) or "carrier" (half filled) only when stated; "dot_carrier" (a dot,
    e.g. a woman stated to carry an X-linked allele); else "unaffected"."""
    deceased: bool = False
    """True when the problem says this person died (drawn with a slash)."""
    label: str | None = Field(default=None, max_length=16)
    """A stated genotype or phenotype under the name, e.g. "Aa" or "type A"; empty for none."""

    _no_null = field_validator("label", mode="before")(text_or_none)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: Any) -> Any:
        if isinstance(v, str):
            return _STATUS_ALIASES.get(v.strip().lower().replace(" ", "_"), v)
        return v

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, v: Any) -> Any:
        if isinstance(v, str):
            key = v.strip().lower()
            return {"m": "male", "f": "female", "man": "male", "woman": "female"}.get(key, key)
        return v


class Couple(_Part):
    partners: list[str] = Field(min_length=2, max_length=2)
    """The two partners' names, e.g. ["Homer", "Marge"]."""
    children: list[str] = Field(default_factory=list, max_length=7)
    """Their children's names, oldest first, e.g. ["Lisa", "Bart"]; [] for none."""


MAX_PEOPLE, MAX_PER_GEN = 24, 8


class Pedigree(_Part):
    people: list[Person] = Field(min_length=1, max_length=MAX_PEOPLE)
    """Everyone in the family tree."""
    couples: list[Couple] = Field(default_factory=list, max_length=10)
    """Each mating: the two partners and their children (names from "people")."""
    generation_numbers: bool = True
    """True: the generations are numbered I, II, III at the left."""

    @model_validator(mode="after")
    def _consistent(self) -> Pedigree:
        names = [p.name for p in self.people]
        if len(set(names)) != len(names):
            raise ValueError("pedigree.people: every name must be unique")
        known, seen_partner, seen_child = set(names), set(), set()
        for c in self.couples:
            for n in [*c.partners, *c.children]:
                if n not in known:
                    raise ValueError(f"pedigree.couples: unknown person {n!r} (not in people)")
            if c.partners[0] == c.partners[1]:
                raise ValueError("pedigree.couples: partners must be two different people")
            for n in c.partners:
                if n in seen_partner:
                    raise ValueError(f"pedigree.couples: {n!r} is a partner in two couples")
                seen_partner.add(n)
            for n in c.children:
                if n in seen_child or n in c.partners:
                    raise ValueError(f"pedigree.couples: {n!r} has two sets of parents")
                seen_child.add(n)
        gens = _generations(self)
        if gens is None:
            raise ValueError("pedigree.couples: a person is their own ancestor")
        if max(gens.values()) >= len(ROMAN):
            raise ValueError(f"pedigree.couples: at most {len(ROMAN)} generations")
        per_gen: dict[int, int] = {}
        for g in gens.values():
            per_gen[g] = per_gen.get(g, 0) + 1
        if max(per_gen.values()) > MAX_PER_GEN:
            raise ValueError(f"pedigree.people: at most {MAX_PER_GEN} people in one generation")
        return self

    def labels(self) -> list[str]:
        out = [t for p in self.people for t in _texts(p.name, p.label)]
        if self.generation_numbers:
            gens = _generations(self) or {}
            out += list(ROMAN[: max(gens.values()) + 1])
        return out


def _generations(ped: Pedigree) -> dict[str, int] | None:
    """Generation index per person: a child one below its lower parent, partners level; None
    for a cycle (relaxation that does not settle)."""
    gen = {p.name: 0 for p in ped.people}
    children = {k for c in ped.couples for k in c.children}
    for _ in range(4 * len(gen) + 4):
        changed = False
        for c in ped.couples:
            a, b = c.partners
            top = max(gen[a], gen[b])
            for n in (a, b):
                if gen[n] != top:
                    gen[n], changed = top, True
            row = max([top + 1] + [gen[k] for k in c.children])  # siblings share a row
            for k in c.children:
                if gen[k] < row:
                    gen[k], changed = row, True
        # founders (partners without parents) sit one row above their first child
        for c in ped.couples:
            if c.children and not any(n in children for n in c.partners):
                want = min(gen[k] for k in c.children) - 1
                for n in c.partners:
                    if gen[n] < want:
                        gen[n], changed = want, True
        if not changed:
            return gen
        if max(gen.values()) > 2 * len(gen) + 2:
            return None
    return None


class CrossRow(_Part):
    generation: str | None = Field(default=None, max_length=6)
    """The row's generation, e.g. "P", "F1", "F2"; empty for none."""
    items: list[Annotated[str, Field(max_length=28)]] = Field(min_length=1, max_length=3)
    """What this generation shows: two parents of a cross, e.g. ["LlC^C", "LlC^C"], or one
    stated result, e.g. ["all AaCc (colored)"]."""
    crossed: bool = True
    """True: the items are mated (written with × between them); false: just listed."""

    _no_null = field_validator("generation", mode="before")(text_or_none)
    _items = field_validator("items", mode="before")(_texts_in)

    @field_validator("items")
    @classmethod
    def _nonempty(cls, v: list[str]) -> list[str]:
        if not all(t.strip() for t in v):
            raise ValueError("items: each item needs text")
        return v


class Cross(_Part):
    rows: list[CrossRow] = Field(min_length=1, max_length=4)
    """Generations top to bottom, each joined to the next by an arrow."""

    def labels(self) -> list[str]:
        out: list[str] = []
        for r in self.rows:
            out += _texts(r.generation, *r.items)
            if r.crossed:
                out += [TIMES] * (len(r.items) - 1)
        return out


def parent_gametes(genotype: str | None) -> list[str] | None:
    """The distinct gametes of a diploid genotype written as allele pairs ("AaCc" -> ["AC",
    "Ac", "aC", "ac"], "AACC" -> ["AC"]), dominant allele first; None when ``genotype`` is not
    such pairs of one letter (X-linked notation, a phenotype, more than three genes)."""
    text = (genotype or "").replace(" ", "")
    pairs = [text[i : i + 2] for i in range(0, len(text), 2)]
    if not (
        0 < len(pairs) <= 3
        and all(len(p) == 2 and p.isalpha() and p[0].lower() == p[1].lower() for p in pairs)
        and len({p[0].lower() for p in pairs}) == len(pairs)
    ):
        return None
    alleles = [sorted(set(p), key=lambda a: (a.islower(), a)) for p in pairs]
    return ["".join(g) for g in itertools.product(*alleles)]


class Punnett(_Part):
    top_gametes: list[Annotated[str, Field(max_length=8)]] = Field(min_length=1, max_length=8)
    """One parent's gametes across the top, e.g. ["NM", "Nm", "nM", "nm"]."""
    side_gametes: list[Annotated[str, Field(max_length=8)]] = Field(min_length=1, max_length=8)
    """The other parent's gametes down the left side, e.g. ["Nm", "nm"]."""
    top_parent: str | None = Field(default=None, max_length=20)
    """The top parent's genotype, e.g. "NnMm"; empty for none."""
    side_parent: str | None = Field(default=None, max_length=20)
    """The side parent's genotype, e.g. "Nnmm"; empty for none."""
    cells: list[list[Annotated[str, Field(max_length=8)]]] = Field(
        default_factory=list, max_length=8
    )
    """Offspring in the cells, one list per side gamete, ONLY when the problem states them;
    [] leaves the square empty."""

    _no_null = field_validator("top_parent", "side_parent", mode="before")(text_or_none)
    _lists = field_validator("top_gametes", "side_gametes", "cells", mode="before")(_texts_in)

    @model_validator(mode="before")
    @classmethod
    def _gametes_of_parents(cls, data: Any) -> Any:
        # a parent's gametes follow from its genotype; the 1.5B wrote AACC's as AA, Aa, aA, aa
        # (seed 26): a gamete list that is not the parent's is replaced by it
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for side in ("top", "side"):
            right = parent_gametes(data.get(f"{side}_parent"))
            given = data.get(f"{side}_gametes")
            if right and isinstance(given, list) and sorted(map(str, given)) != sorted(right):
                data[f"{side}_gametes"] = right
                data["cells"] = []  # cells of the wrong gametes say nothing
        return data

    @model_validator(mode="after")
    def _shape(self) -> Punnett:
        if self.cells and (
            len(self.cells) != len(self.side_gametes)
            or any(len(r) != len(self.top_gametes) for r in self.cells)
        ):
            raise ValueError(
                "punnett.cells: one row per side gamete, one cell per top gamete (or [])"
            )
        return self

    def labels(self) -> list[str]:
        cells = [c for r in self.cells for c in r]
        return _texts(self.top_parent, self.side_parent, *self.top_gametes, *self.side_gametes,
                      *cells)  # fmt: skip


_BASES = re.compile(r"[ACGTUN]+")


class Mark(_Part):
    position: int = Field(ge=1, le=60)
    """The first marked base, counting from 1 at the left, e.g. 5."""
    length: int = Field(default=1, ge=1, le=60)
    """How many bases are marked, e.g. 1."""
    kind: Literal["substitution", "insertion", "deletion", "site"] = "substitution"
    """"substitution"/"insertion": the bases are highlighted; "deletion": a gap mark after
    the position; "site": underlined (e.g. a start codon or restriction site)."""
    note: str | None = Field(default=None, max_length=14)
    """A stated note under the mark, e.g. "G→C"; empty for none."""

    _no_null = field_validator("note", mode="before")(text_or_none)


class Strand(_Part):
    name: str | None = Field(default=None, max_length=16)
    """The row's name at the left, e.g. "Normal", "mRNA", "(a)"; empty for none."""
    bases: str = Field(min_length=1, max_length=90)
    """The stated bases A, C, G, T or U, e.g. "ACTGGAT" (dashes and spaces are dropped)."""
    ends: Literal["5-3", "3-5", "none"] = "none"
    """Which end is written where: "5-3" (5' at the left), "3-5", or "none" when not stated."""
    codons: bool = False
    """True: the bases are grouped in triplets (codons)."""
    marks: list[Mark] = Field(default_factory=list, max_length=3)
    """Stated mutations or sites to highlight; [] for none."""

    _no_null = field_validator("name", mode="before")(text_or_none)

    @field_validator("bases", mode="before")
    @classmethod
    def _clean(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = re.sub(r"[\s\-—–_.·']+", "", v).upper()
            v = re.sub(r"^5|3$", "", v)  # "5'ACT3'" once the primes are gone
            if not _BASES.fullmatch(v or "-"):
                raise ValueError("bases: only the letters A, C, G, T, U or N")
            if len(v) > 60:
                raise ValueError("bases: at most 60 bases")
        return v

    @field_validator("ends", mode="before")
    @classmethod
    def _ends(cls, v: Any) -> Any:
        if isinstance(v, str):
            key = re.sub(r"[^0-9]", "", v)
            return {"53": "5-3", "35": "3-5"}.get(key, "none" if not key else v)
        return v

    @model_validator(mode="after")
    def _marks_inside(self) -> Strand:
        for m in self.marks:
            if m.position + m.length - 1 > len(self.bases):
                raise ValueError(
                    f"marks: position {m.position} (length {m.length}) is past the "
                    f"{len(self.bases)} bases"
                )
        return self

    def text(self) -> str:
        if not self.codons:
            return self.bases
        return " ".join(self.bases[i : i + 3] for i in range(0, len(self.bases), 3))

    def ends_texts(self) -> tuple[str, str] | None:
        return {"5-3": ("5'", "3'"), "3-5": ("3'", "5'")}.get(self.ends)

    def labels(self) -> list[str]:
        ends = self.ends_texts() or ()
        return _texts(self.name, *ends, self.text(), *[m.note for m in self.marks])


class Lane(_Part):
    name: str = Field(min_length=1, max_length=12)
    """The lane's name above its well, e.g. "EcoRI" or "EcoRI+HpaII"."""
    bands: list[Annotated[str, Field(max_length=8)]] = Field(min_length=1, max_length=6)
    """Stated fragment sizes in this lane as written, e.g. ["1.5", "1.5"] (equal sizes run as
    one band)."""

    @field_validator("bands", mode="before")
    @classmethod
    def _as_written(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(b) if isinstance(b, (int, float)) and not isinstance(b, bool) else b
                    for b in v]  # fmt: skip
        return v

    @field_validator("bands")
    @classmethod
    def _positive(cls, v: list[str]) -> list[str]:
        for b in v:
            try:
                size = float(b)
            except ValueError:
                raise ValueError(f"bands: {b!r} is not a number") from None
            if not (0 < size <= 1e6):
                raise ValueError("bands: sizes must be positive")
        return v

    def sizes(self) -> list[tuple[float, str, int]]:
        """(size, text as first written, how many fragments) per band, largest first."""
        out: dict[float, list] = {}
        for b in self.bands:
            out.setdefault(float(b), [b, 0])[1] += 1
        return [(k, t, n) for k, (t, n) in sorted(out.items(), reverse=True)]

    def band_texts(self, unit: str) -> list[str]:
        return [f"{t} {unit}".strip() for _, t, _ in self.sizes()]


class Gel(_Part):
    lanes: list[Lane] = Field(min_length=1, max_length=5)
    """The gel's lanes, left to right."""
    unit: str = Field(default="kb", max_length=4)
    """The size unit written beside each band, e.g. "kb" or "bp"."""

    def labels(self) -> list[str]:
        return [t for lane in self.lanes for t in [lane.name, *lane.band_texts(self.unit)]]


class Count(_Part):
    kind: str = Field(min_length=1, max_length=24)
    """The offspring class, e.g. "short cream" or "colored"."""
    count: str = Field(min_length=1, max_length=8)
    """Its stated number, e.g. "50"."""

    _num = field_validator("count", mode="before")(text_or_none)


@register
class GeneticsScene(SceneSpec):
    """Genetics figures: a pedigree, a cross, a Punnett square, DNA/RNA strands, a gel, a
    table of progeny counts (any that the problem needs; leave the others empty)."""

    domain: Literal["genetics"] = "genetics"
    image_types: ClassVar[tuple[str, ...]] = ("biology - genetics",)

    pedigree: Pedigree | None = None
    """A family tree: people and couples with their children; null when not needed."""
    cross: Cross | None = None
    """A cross written as generations, e.g. P: AaBb × aabb; null when not needed."""
    punnett: Punnett | None = None
    """A Punnett square of the stated gametes; null when not needed."""
    strands: list[Strand] = Field(default_factory=list, max_length=6)
    """DNA or RNA sequences, one row each, top to bottom; [] for none."""
    gel: Gel | None = None
    """Gel electrophoresis lanes with the stated fragment sizes; null when not needed."""
    progeny: list[Count] = Field(default_factory=list, max_length=8)
    """Stated offspring counts, one row per class, e.g. {"kind": "short cream",
    "count": "50"}; [] for none."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Other stated facts, one line each, e.g. "A1A1 is lethal"; [] for none."""

    _no_null = field_validator("title", mode="before")(text_or_none)
    _notes = field_validator("notes", mode="before")(_texts_in)

    @model_validator(mode="after")
    def _something(self) -> GeneticsScene:
        if not (self.pedigree or self.cross or self.punnett or self.strands or self.gel) and not (
            self.progeny or any(n.strip() for n in self.notes)
        ):
            raise ValueError("scene: give a pedigree, cross, punnett, strands, gel or progeny")
        if not _fits(self):
            raise ValueError(
                "scene: too much for one figure even at the smallest font; "
                "keep fewer parts, people, gametes or bases"
            )
        return self

    def labels(self) -> list[str]:
        out = _texts(self.title)
        for part in (self.pedigree, self.cross, self.punnett, self.gel):
            if part is not None:
                out += part.labels()
        for s in self.strands:
            out += s.labels()
        if self.progeny:
            out += ["Offspring", "Number"]
            out += [t for c in self.progeny for t in (c.kind, c.count)]
        return out + _texts(*self.notes)

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


def _fits(scene: GeneticsScene) -> bool:
    """True when the renderer can lay ``scene`` out on the largest canvas (measured on a
    scratch figure, as the drawing will be)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(MIN_W, MIN_H), dpi=100)
    FigureCanvasAgg(fig)
    return _Drawer(scene, fig).fits()


# ---------------------------------------------------------------------------------------------
# Drawing (data units are inches: one axes covers the whole figure; y grows upwards)
# ---------------------------------------------------------------------------------------------


class _Drawer:
    def __init__(self, scene: GeneticsScene, fig: Any):
        self.s, self.fig, self.dpi = scene, fig, fig.dpi
        self.font = FONTS[0]
        self._mono: dict[float, float] = {}

    # -- text helpers ---------------------------------------------------------------------------
    def size(self, text: str, font: float | None = None) -> tuple[float, float]:
        w, h = text_size(self.fig, safe_text(text), font or self.font)
        return w / self.dpi, h / self.dpi

    def mono(self, font: float) -> float:
        """Width (inches) of one monospace character at ``font``."""
        if font not in self._mono:
            from matplotlib.font_manager import FontProperties

            r = self.fig.canvas.get_renderer()
            w, _, _ = r.get_text_width_height_descent(
                "A" * 20, FontProperties(family="monospace", size=font), ismath=False
            )
            self._mono[font] = w / 20 / self.dpi
        return self._mono[font]

    def text(self, x: float, y: float, text: str, **kw: Any) -> None:
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        kw.setdefault("fontsize", self.font)
        self.ax.text(x, y, safe_text(text), zorder=kw.pop("zorder", 5), color=INK, **kw)

    # -- layout ---------------------------------------------------------------------------------
    def panels(self) -> list[tuple[Any, Any]]:
        """(measure, draw) per present panel, in reading order."""
        s, out = self.s, []
        if s.pedigree:
            out.append((self.m_pedigree, self.d_pedigree))
        if s.cross:
            out.append((self.m_cross, self.d_cross))
        if s.punnett:
            out.append((self.m_punnett, self.d_punnett))
        if s.progeny:
            out.append((self.m_progeny, self.d_progeny))
        if s.gel:
            out.append((self.m_gel, self.d_gel))
        if s.strands:
            out.append((self.m_strands, self.d_strands))
        return out

    def layout(self) -> tuple[float, float, list, float, float, bool]:
        """The largest font (down to 11 pt) at which everything fits the usual canvas, else the
        largest at which it fits the widest one: canvas size, rows of panels, title and notes
        heights, and whether it fits at all."""
        for limit_w, limit_h, fonts in ((MIN_W, MIN_H, FONTS[:4]), (MAX_W, MAX_H, FONTS)):
            for font in fonts:  # a larger canvas before the smallest fonts
                out = self.layout_at(font, limit_w)
                if out[0] <= limit_w + 1e-9 and out[1] <= limit_h + 1e-9:
                    return (*out, True)
        return (*out, False)

    def layout_at(self, font: float, limit_w: float) -> tuple[float, float, list, float, float]:
        self.font = font
        rows: list[list] = []
        for m, d in self.panels():
            w, h = m()
            if rows and sum(x[0][0] for x in rows[-1]) + GAP * len(rows[-1]) + w <= (
                limit_w - 2 * MARGIN
            ):
                rows[-1].append(((w, h), d))
            else:
                rows.append([((w, h), d)])
        width = max([sum(x[0][0] for x in r) + GAP * (len(r) - 1) for r in rows] or [0])
        width = max(width + 2 * MARGIN, MIN_W)
        title_h = self.size(self.wrapped_title(width))[1] + 0.1 if self.s.title else 0
        notes = self.wrapped_notes(width)
        notes_h = sum(self.size(n)[1] for n in notes) + GAP / 2 if notes else 0.0
        height = sum(max(x[0][1] for x in r) for r in rows) + GAP * max(len(rows) - 1, 0)
        height = max(height + title_h + notes_h + 2 * MARGIN, MIN_H)
        return width, height, rows, title_h, notes_h

    def fits(self) -> bool:
        return self.layout()[-1]

    def wrapped_title(self, width: float) -> str:
        return wrap_to_width(self.fig, self.s.title or "", self.font + 1, (width - 0.4) * self.dpi)

    def wrapped_notes(self, width: float) -> list[str]:
        return [wrap_to_width(self.fig, n, self.font, (width - 0.4) * self.dpi)
                for n in _texts(*self.s.notes)]  # fmt: skip

    def draw(self) -> None:
        width, height, rows, title_h, notes_h, _ = self.layout()
        self.fig.set_size_inches(width, height)
        self.ax = ax = self.fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.set_axis_off()
        top = height - MARGIN
        if self.s.title:
            self.text(width / 2, top, self.wrapped_title(width), va="top", fontsize=self.font + 1)
            top -= title_h
        used = sum(max(x[0][1] for x in r) for r in rows) + GAP * max(len(rows) - 1, 0)
        top -= max(top - MARGIN - used - notes_h, 0) / 2  # centre panels and notes together
        for row in rows:
            row_w = sum(x[0][0] for x in row) + GAP * (len(row) - 1)
            x = (width - row_w) / 2
            for (w, h), d in row:
                d(x, top, w)
                x += w + GAP
            top -= max(x[0][1] for x in row) + GAP
        y = top + GAP / 2
        for note in self.wrapped_notes(width):
            self.text(width / 2, y, note, va="top")
            y -= self.size(note)[1]

    # -- pedigree -------------------------------------------------------------------------------
    def ped_geometry(self) -> dict[str, Any]:
        ped = self.s.pedigree
        assert ped is not None
        gens = _generations(ped) or {}
        people = {p.name: p for p in ped.people}
        sym = 0.26 * self.font / 12
        texts = [t for p in ped.people for t in _texts(p.name, p.label)]
        widest = max(self.size(t)[0] for t in texts)
        line_h = self.size("Ag")[1]
        n_max = max(sum(1 for g in gens.values() if g == k) for k in set(gens.values()))
        left = self.size("III")[0] + 0.2 if ped.generation_numbers else 0.0
        cap = (MAX_W - 2 * MARGIN - left - 0.05) / (n_max + 0.5)
        slot = max(min(widest + 0.15, cap), sym * 2.2)
        stagger = widest + 0.05 > slot  # every other person's texts one block lower
        # texts under each symbol, wrapped to the room a staggered neighbour leaves
        room = (slot * 1.5 - 0.05) * self.dpi
        under = {p.name: [wrap_to_width(self.fig, t, self.font, room) for t in _texts(p.name, p.label)]
                 for p in ped.people}  # fmt: skip
        block = max(sum(self.size(t)[1] for t in ts) for ts in under.values()) + 0.04
        row_h = sym + 0.08 + block * (2 if stagger else 1) + 0.35
        order = _order(ped, gens)
        over = max(min(widest, 1.5 * slot) - slot, 0.0)  # outer texts wider than their slot
        width = left + slot * max(len(r) for r in order) + over
        return dict(gens=gens, people=people, sym=sym, slot=slot, stagger=stagger,
                    line_h=line_h, row_h=row_h, left=left, under=under, block=block,
                    order=order, width=width, over=over, height=row_h * len(order) - 0.25)  # fmt: skip

    def m_pedigree(self) -> tuple[float, float]:
        g = self.ped_geometry()
        return g["width"], g["height"]

    def d_pedigree(self, x0: float, top: float, w: float) -> None:
        from matplotlib.patches import Circle, Polygon, Rectangle, Wedge

        ped, g = self.s.pedigree, self.ped_geometry()
        assert ped is not None
        sym, slot, ax = g["sym"], g["slot"], self.ax
        pos: dict[str, tuple[float, float]] = {}
        span = w - g["left"] - g["over"]
        for k, row in enumerate(g["order"]):
            cy = top - k * g["row_h"] - sym / 2
            start = x0 + g["left"] + g["over"] / 2 + (span - slot * len(row)) / 2
            for i, name in enumerate(row):
                pos[name] = (start + slot * (i + 0.5), cy)
            if ped.generation_numbers:
                self.text(x0, cy, ROMAN[k], ha="left", weight="bold")
        kw = dict(edgecolor=INK, lw=1.4, zorder=3)
        for name, (cx, cy) in pos.items():
            p, r = g["people"][name], sym / 2
            face = FILL if p.status == "affected" else "white"
            if p.sex == "male":
                ax.add_patch(Rectangle((cx - r, cy - r), sym, sym, facecolor=face, **kw))
                if p.status == "carrier":
                    ax.add_patch(
                        Rectangle((cx - r, cy - r), r, sym, facecolor=FILL, lw=0, zorder=4)
                    )
            elif p.sex == "female":
                ax.add_patch(Circle((cx, cy), r, facecolor=face, **kw))
                if p.status == "carrier":
                    ax.add_patch(Wedge((cx, cy), r, 90, 270, facecolor=FILL, lw=0, zorder=4))
            else:
                pts = [
                    (cx, cy + r * 1.15),
                    (cx + r * 1.15, cy),
                    (cx, cy - r * 1.15),
                    (cx - r * 1.15, cy),
                ]
                ax.add_patch(Polygon(pts, closed=True, facecolor=face, **kw))
                if p.status == "carrier":
                    ax.add_patch(
                        Polygon(pts[0:1] + pts[2:], closed=True, facecolor=FILL, lw=0, zorder=4)
                    )
            if p.status == "dot_carrier":
                ax.add_patch(Circle((cx, cy), r * 0.28, facecolor=FILL, lw=0, zorder=4))
            if p.deceased:
                ax.plot(
                    [cx - r * 1.5, cx + r * 1.5],
                    [cy - r * 1.5, cy + r * 1.5],
                    color=INK,
                    lw=1.4,
                    zorder=6,
                )
            i = g["order"][g["gens"][name]].index(name)
            ty = cy - r - 0.06 - (g["block"] if g["stagger"] and i % 2 else 0)
            for t in g["under"][name]:
                self.text(cx, ty, t, va="top")
                ty -= self.size(t)[1]
        for c in ped.couples:
            (ax1, ay), (bx, _) = sorted(pos[n] for n in c.partners)
            ax.plot([ax1 + sym / 2, bx - sym / 2], [ay, ay], color=INK, lw=1.4, zorder=2)
            if not c.children:
                continue
            mid = (ax1 + bx) / 2
            kids = [pos[k] for k in c.children]
            ky = kids[0][1] + sym / 2
            sib = ky + 0.16
            xs = [k[0] for k in kids]
            ax.plot([mid, mid], [ay, sib], color=INK, lw=1.2, zorder=2)
            ax.plot([min(xs + [mid]), max(xs + [mid])], [sib, sib], color=INK, lw=1.2, zorder=2)
            for kx, _ in kids:
                ax.plot([kx, kx], [sib, ky], color=INK, lw=1.2, zorder=2)

    # -- cross ----------------------------------------------------------------------------------
    def cross_row(self, row: CrossRow) -> tuple[list[str], float]:
        """The row's texts (items and × signs), items wrapped to share the widest canvas."""
        cross = self.s.cross
        assert cross is not None
        gen_w = max([self.size(r.generation or "")[0] for r in cross.rows] + [0])
        n = len(row.items)
        signs = (n - 1) * (self.size(TIMES)[0] + 0.3) if row.crossed else 0.0
        room = (MAX_W - 2 * MARGIN - gen_w - 0.35 - signs - 0.3 * (n - 1)) / n
        parts: list[str] = []
        for i, item in enumerate(row.items):
            if i and row.crossed:
                parts.append(TIMES)
            parts.append(wrap_to_width(self.fig, item, self.font, room * self.dpi))
        return parts, sum(self.size(p)[0] for p in parts) + 0.3 * (len(parts) - 1)

    def m_cross(self) -> tuple[float, float]:
        cross = self.s.cross
        assert cross is not None
        gen_w = max([self.size(r.generation or "")[0] for r in cross.rows] + [0])
        w = max(self.cross_row(r)[1] for r in cross.rows) + gen_w + 0.3
        h = sum(self.cross_h(r) for r in cross.rows) + 0.45 * (len(cross.rows) - 1)
        return w, h

    def cross_h(self, row: CrossRow) -> float:
        return max(self.size(p)[1] for p in self.cross_row(row)[0])

    def d_cross(self, x0: float, top: float, w: float) -> None:
        cross = self.s.cross
        assert cross is not None
        gen_w = max([self.size(r.generation or "")[0] for r in cross.rows] + [0])
        cx = x0 + gen_w + 0.3 + (w - gen_w - 0.3) / 2
        for k, row in enumerate(cross.rows):
            h = self.cross_h(row)
            y = top - h / 2
            if row.generation:
                self.text(x0, y, row.generation, ha="left", weight="bold")
            parts, pw = self.cross_row(row)
            x = cx - pw / 2
            for p in parts:
                pw_i = self.size(p)[0]
                self.text(x + pw_i / 2, y, p)
                x += pw_i + 0.3
            if k < len(cross.rows) - 1:
                self.ax.annotate("", xy=(cx, top - h - 0.4), xytext=(cx, top - h - 0.05),
                                 arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.3))  # fmt: skip
            top -= h + 0.45

    # -- Punnett square -------------------------------------------------------------------------
    def punnett_geometry(self) -> tuple[float, float, float, float]:
        pq = self.s.punnett
        assert pq is not None
        texts = [*pq.top_gametes, *pq.side_gametes, *[c for r in pq.cells for c in r]]
        cw = max([self.size(t)[0] for t in texts if t] + [0.3]) + 0.2
        ch = self.size("Ag")[1] + 0.16
        side_w = self.size(pq.side_parent)[1] + 0.1 if pq.side_parent else 0.0  # written upright
        top_h = self.size(pq.top_parent)[1] + 0.05 if pq.top_parent else 0.0
        return cw, ch, side_w, top_h

    def m_punnett(self) -> tuple[float, float]:
        pq = self.s.punnett
        assert pq is not None
        cw, ch, side_w, top_h = self.punnett_geometry()
        w = side_w + cw * (len(pq.top_gametes) + 1)
        if pq.top_parent:
            w = max(w, side_w + cw + self.size(pq.top_parent)[0])
        h = ch * (len(pq.side_gametes) + 1)
        if pq.side_parent:  # upright beside the side gametes
            h = max(h, ch + self.size(pq.side_parent)[0])
        return w, top_h + h

    def d_punnett(self, x0: float, top: float, w: float) -> None:
        from matplotlib.patches import Rectangle

        pq = self.s.punnett
        assert pq is not None
        cw, ch, side_w, top_h = self.punnett_geometry()
        nx, ny = len(pq.top_gametes), len(pq.side_gametes)
        gx, gy = x0 + side_w + cw, top - top_h - ch  # top-left of the offspring cells
        if pq.top_parent:
            self.text(gx + cw * nx / 2, top, pq.top_parent, va="top", weight="bold")
        if pq.side_parent:
            self.text(x0, gy - ch * ny / 2, pq.side_parent, ha="left", weight="bold", rotation=90)
        for i, gam in enumerate(pq.top_gametes):
            self.ax.add_patch(
                Rectangle((gx + i * cw, gy), cw, ch, facecolor="#e8eef6", edgecolor=INK)
            )
            self.text(gx + (i + 0.5) * cw, gy + ch / 2, gam)
        for j, gam in enumerate(pq.side_gametes):
            self.ax.add_patch(
                Rectangle((gx - cw, gy - (j + 1) * ch), cw, ch, facecolor="#e8eef6", edgecolor=INK)
            )
            self.text(gx - cw / 2, gy - (j + 0.5) * ch, gam)
            for i in range(nx):
                self.ax.add_patch(
                    Rectangle(
                        (gx + i * cw, gy - (j + 1) * ch), cw, ch, facecolor="white", edgecolor=INK
                    )
                )
                if pq.cells and pq.cells[j][i].strip():
                    self.text(gx + (i + 0.5) * cw, gy - (j + 0.5) * ch, pq.cells[j][i])

    # -- progeny table --------------------------------------------------------------------------
    def progeny_geometry(self) -> tuple[float, float, float]:
        rows = [("Offspring", "Number")] + [(c.kind, c.count) for c in self.s.progeny]
        w1 = max(self.size(a)[0] for a, _ in rows) + 0.2
        w2 = max(self.size(b)[0] for _, b in rows) + 0.2
        return w1, w2, self.size("Ag")[1] + 0.1

    def m_progeny(self) -> tuple[float, float]:
        w1, w2, rh = self.progeny_geometry()
        return w1 + w2, rh * (len(self.s.progeny) + 1)

    def d_progeny(self, x0: float, top: float, w: float) -> None:
        w1, w2, rh = self.progeny_geometry()
        x0 += (w - w1 - w2) / 2
        rows = [("Offspring", "Number")] + [(c.kind, c.count) for c in self.s.progeny]
        for k, (a, b) in enumerate(rows):
            y = top - (k + 0.5) * rh
            weight = "bold" if k == 0 else "normal"
            self.text(x0 + 0.1, y, a, ha="left", weight=weight)
            self.text(x0 + w1 + w2 - 0.1, y, b, ha="right", weight=weight)
        edge = [top, top - rh, top - rh * len(rows)]
        for y in edge:
            self.ax.plot([x0, x0 + w1 + w2], [y, y], color=INK, lw=1.0)

    # -- gel ------------------------------------------------------------------------------------
    def gel_geometry(self) -> tuple[float, float, float, float, float]:
        gel = self.s.gel
        assert gel is not None
        lane_w = 0.45
        label_w = max(self.size(t)[0] for lane in gel.lanes for t in lane.band_texts(gel.unit))
        name_w = max(self.size(lane.name)[0] for lane in gel.lanes)
        pitch = max(lane_w + label_w + 0.25, name_w + 0.15)
        line_h = self.size("Ag")[1]
        run = max(2.2, 6 * line_h + 0.3)
        return lane_w, pitch, line_h, run, label_w

    def m_gel(self) -> tuple[float, float]:
        gel = self.s.gel
        assert gel is not None
        _, pitch, line_h, run, _ = self.gel_geometry()
        return pitch * len(gel.lanes), line_h + 0.15 + run + line_h

    def d_gel(self, x0: float, top: float, w: float) -> None:
        from matplotlib.patches import Rectangle

        gel = self.s.gel
        assert gel is not None
        lane_w, pitch, line_h, run, label_w = self.gel_geometry()
        sizes = [float(b) for lane in gel.lanes for b in lane.bands]
        lo, hi = math.log10(min(sizes)), math.log10(max(sizes))
        well_y = top - line_h - 0.15
        self.ax.add_patch(Rectangle((x0, well_y - run - line_h / 2), pitch * len(gel.lanes), run + line_h / 2 + 0.05,
                                    facecolor="#f3f3f3", edgecolor="#999999", zorder=1))  # fmt: skip
        for k, lane in enumerate(gel.lanes):
            lx = x0 + k * pitch + (pitch - lane_w - 0.06 - label_w) / 2
            self.text(x0 + (k + 0.5) * pitch, top - line_h / 2, lane.name)
            self.ax.add_patch(Rectangle((lx, well_y - 0.06), lane_w, 0.06, facecolor=INK, zorder=2))
            # bigger fragments move less: log size from top (largest) to bottom (smallest)
            placed: list[float] = []
            for (size, _, n), label in zip(lane.sizes(), lane.band_texts(gel.unit)):
                t = 0.5 if hi == lo else (hi - math.log10(size)) / (hi - lo)
                by = well_y - 0.3 - t * (run - 0.6)
                thick = 0.05 * min(n, 3)  # co-running fragments: a thicker band
                self.ax.add_patch(
                    Rectangle((lx, by - thick / 2), lane_w, thick, facecolor=FILL, zorder=2)
                )
                ly = min([by] + [p - line_h for p in placed])  # keep labels a line apart
                placed.append(ly)
                self.text(lx + lane_w + 0.06, ly, label, ha="left")

    # -- strands --------------------------------------------------------------------------------
    def strand_geometry(self) -> tuple[float, float, float, float, float]:
        strands = self.s.strands
        font = self.font
        name_w = max([self.size(s.name)[0] for s in strands if s.name] + [0])
        end_w = self.size("5'")[0] + 0.1
        longest = max(len(s.text()) for s in strands)
        # shrink the sequence font if a long strand would not fit the widest canvas
        room = MAX_W - 2 * MARGIN - name_w - 2 * end_w - 0.3
        while self.mono(font) * longest > room and font > MIN_FONT:
            font = max(font - 1, MIN_FONT)
        line_h = self.size("Ag")[1]
        return font, name_w, end_w, line_h, self.mono(font) * longest

    def strand_rows(self, s: Strand, line_h: float) -> float:
        return line_h + 0.12 + (self.note_lines(s) * line_h)

    def note_lines(self, s: Strand) -> int:
        return min(len([m for m in s.marks if m.note]), 3) if s.marks else 0

    def m_strands(self) -> tuple[float, float]:
        _, name_w, end_w, line_h, seq_w = self.strand_geometry()
        w = name_w + (0.2 if name_w else 0) + 2 * end_w + seq_w
        h = sum(self.strand_rows(s, line_h) for s in self.s.strands) + 0.1 * (
            len(self.s.strands) - 1
        )
        return w, h

    def d_strands(self, x0: float, top: float, w: float) -> None:
        from matplotlib.patches import Rectangle

        font, name_w, end_w, line_h, _ = self.strand_geometry()
        cw = self.mono(font)
        sx = x0 + name_w + (0.2 if name_w else 0) + end_w
        y = top
        for s in self.s.strands:
            cy = y - line_h / 2
            if s.name:
                self.text(x0, cy, s.name, ha="left", weight="bold")
            text = s.text()
            self.text(sx, cy, text, ha="left", family="monospace", fontsize=font)
            ends = s.ends_texts()
            if ends:
                self.text(sx - 0.06, cy, ends[0], ha="right")
                self.text(sx + cw * len(text) + 0.06, cy, ends[1], ha="left")
            ny = cy - line_h / 2 - 0.06
            for m in s.marks:
                a = _col(s, m.position - 1)
                b = _col(s, m.position + m.length - 2) + 1
                if m.kind in ("substitution", "insertion"):
                    self.ax.add_patch(Rectangle((sx + a * cw, cy - line_h / 2), (b - a) * cw, line_h,
                                                facecolor=MARK, edgecolor="none", zorder=2))  # fmt: skip
                elif m.kind == "site":
                    self.ax.plot(
                        [sx + a * cw, sx + b * cw], [cy - line_h / 2] * 2, color="#c0392b", lw=2
                    )
                else:  # deletion: a caret after the position
                    gx = sx + b * cw
                    base = cy - line_h / 2
                    xs, ys = [gx - cw / 3, gx, gx + cw / 3], [base - 0.08, base, base - 0.08]
                    self.ax.plot(xs, ys, color="#c0392b", lw=1.6)
                if m.note:
                    half = self.size(m.note)[0] / 2
                    nx = min(max(sx + (a + b) / 2 * cw, x0 + half), x0 + w - half)
                    self.text(nx, ny, m.note, va="top")
                    ny -= line_h
            y -= self.strand_rows(s, line_h) + 0.1


def _col(s: Strand, i: int) -> int:
    """Column of base ``i`` in the drawn text (a space after each codon)."""
    return i + (i // 3 if s.codons else 0)


def _order(ped: Pedigree, gens: dict[str, int]) -> list[list[str]]:
    """Names per generation, left to right: partners side by side, children under their
    parents in stated order, founders in the order the scene lists them."""
    partner = {}
    for c in ped.couples:
        a, b = c.partners
        partner[a], partner[b] = b, a
    parents_of = {k: c for c in ped.couples for k in c.children}
    listed = {p.name: i for i, p in enumerate(ped.people)}
    rows: list[list[str]] = []
    x: dict[str, float] = {}
    for g in range(max(gens.values()) + 1):
        members = [n for n in listed if gens[n] == g]

        def key(n: str) -> tuple[float, float]:
            c = parents_of.get(n)
            if c is not None:
                return (sum(x[p] for p in c.partners) / 2, c.children.index(n))
            if n in partner and partner[n] in parents_of:
                k = key(partner[n])
                return (k[0], k[1] + 0.5)  # an in-law right of their partner
            return (1e6 + listed[n], 0)

        units: list[list[str]] = []
        done: set[str] = set()
        for n in sorted(members, key=key):
            if n in done:
                continue
            unit = [n] + ([partner[n]] if n in partner and gens[partner[n]] == g else [])
            done.update(unit)
            units.append(unit)
        row = [n for u in units for n in u]
        for i, n in enumerate(row):
            x[n] = float(i) - len(row) / 2
        rows.append(row)
    return rows
