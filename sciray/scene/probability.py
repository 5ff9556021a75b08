"""Sets and probability: Venn diagrams of 2 or 3 sets in a universe rectangle, probability
trees (left to right, up to 3 stages), outcome grids (two dice, payoff or transition tables),
urns/bags of coloured balls, spinners, and dice, coins or cards.

The model states what the problem gives (set names and stated counts per region, branch
outcomes and their stated probabilities, ball counts per colour); the renderer lays it out.
Nothing is computed: a Venn region the problem does not state stays empty, a tree branch
without a stated probability gets none, a leaf gets a joint outcome only when one is stated.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import (
    MIN_FONT,
    Placer,
    densify,
    fmt_number,
    inch_axes,
    safe_text,
    text_size,
    wrap_to_width,
)
from sciray.scene.text import text_or_none

__all__ = ["Grid", "Normal", "ProbabilityScene", "Spinner", "Tokens", "Tree", "Urns", "Venn"]

FONTS = (12.0, 11.0, 10.0, MIN_FONT)
MAX_W, MAX_H = 10.0, 7.8  # largest canvas (inches)
EDGE = "#1f3b5a"


def _as_text(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return fmt_number(float(value))
    return value


def _texts_in(value: Any) -> Any:
    """Numbers in a list (or list of lists) of texts as texts: a model writes [3, 6] for dice."""
    if isinstance(value, list):
        return [_texts_in(v) if isinstance(v, list) else _as_text(v) for v in value]
    return value


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


def _texts(*values: str | None) -> list[str]:
    return [v for v in values if v and v.strip()]


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


class VennSet(_Part):
    name: str = Field(min_length=1, max_length=16)
    """The set's name as written beside its circle, e.g. "Cats" or "A"."""
    total: str | None = Field(default=None, max_length=12)
    """The set's stated size, e.g. "120" (drawn as "Cats (120)"); empty for none."""

    _no_null = field_validator("total", mode="before")(text_or_none)

    def text(self) -> str:
        return f"{self.name} ({self.total})" if self.total else self.name


class VennRegion(_Part):
    region: str = Field(min_length=1, max_length=40)
    """Which region, by the sets it lies in: "Cats only", "Cats&Dogs", "A&B&C", or "none"
    (inside the universe, outside every circle)."""
    label: str | None = Field(default=None, max_length=12)
    """The stated count or text in that region, e.g. "40"; empty for none."""
    shade: bool = False
    """Shade this region (only when the problem asks for it)."""

    _no_null = field_validator("label", mode="before")(text_or_none)


def _parse_region(text: str, names: list[str]) -> frozenset[str] | None:
    """The set names ``text`` puts a region in (empty: outside all); None when unreadable."""
    t = text.strip().lower()
    if t in {"none", "neither", "outside", "nothing", "no set", "complement"}:
        return frozenset()
    if t in {"all", "all three", "both", "everything"}:
        return frozenset(names) if t != "both" or len(names) == 2 else None
    t = re.sub(r"\s+only$", "", t).removeprefix("only ")
    parts = [p.strip() for p in re.split(r"\s*(?:&|∩|\band\b|,|\+)\s*", t) if p.strip()]
    low = {n.lower(): n for n in names}
    out = set()
    for p in parts:
        if p not in low:
            return None
        out.add(low[p])
    return frozenset(out) if out else None


class Venn(_Part):
    kind: Literal["venn"]
    """A Venn diagram."""
    sets: list[VennSet] = Field(min_length=2, max_length=3)
    """The 2 or 3 sets (circles), e.g. [{"name": "Cats", "total": "120"}, {"name": "Dogs"}]."""
    universe: str | None = Field(default=None, max_length=30)
    """Label of the surrounding rectangle, e.g. "U = 500 students"; empty for none."""
    regions: list[VennRegion] = Field(default_factory=list, max_length=8)
    """Only the regions whose count the problem states (or that are shaded); never computed."""

    _no_null = field_validator("universe", mode="before")(text_or_none)

    @model_validator(mode="after")
    def _check(self) -> Venn:
        names = [s.name for s in self.sets]
        if len({n.lower() for n in names}) != len(names):
            raise ValueError("venn.sets: set names must differ")
        # a bare set name ("Cats": "120", no "only") is the set's stated size, not a region
        for r in list(self.regions):
            st = next((s for s in self.sets if s.name.lower() == r.region.strip().lower()), None)
            if st is not None and st.total is None and r.label and not r.shade:
                st.total = r.label
                self.regions.remove(r)
        seen = set()
        for r in self.regions:
            key = _parse_region(r.region, names)
            if key is None:
                raise ValueError(
                    f"venn.regions: region {r.region!r} names no known set "
                    f"(sets: {', '.join(names)}; write e.g. '{names[0]} only', "
                    f"'{names[0]}&{names[1]}', 'none')"
                )
            if key in seen:
                raise ValueError(f"venn.regions: region {r.region!r} is listed twice")
            seen.add(key)
        return self

    def labels(self) -> list[str]:
        return _texts(
            self.universe, *[s.text() for s in self.sets], *[r.label for r in self.regions]
        )


class Leaf(_Part):
    outcome: str = Field(min_length=1, max_length=20)
    """The outcome at the branch's end, e.g. "Red", "Sent 0", "Good demand"."""
    p: str | None = Field(default=None, max_length=20)
    """The branch's stated probability, e.g. "0.4", "3/5", "40%"; empty when not stated."""
    result: str | None = Field(default=None, max_length=20)
    """Only at the last stage: a stated joint outcome or value, e.g. "$2.5M per year"; empty
    for none (never a computed product)."""

    _no_null = field_validator("p", "result", mode="before")(text_or_none)


class Branch2(Leaf):
    then: list[Leaf] = Field(default_factory=list, max_length=4)
    """Branches of the next stage from this outcome; empty at the last stage."""


class Branch(Leaf):
    then: list[Branch2] = Field(default_factory=list, max_length=4)
    """Branches of the next stage from this outcome; empty at the last stage."""


MAX_LEAVES = 16


class Tree(_Part):
    kind: Literal["tree"]
    """A probability tree, drawn left to right."""
    root: str | None = Field(default=None, max_length=16)
    """Text at the root, e.g. "Start"; empty for a dot."""
    stages: list[Annotated[str, Field(max_length=16)]] = Field(default_factory=list, max_length=3)
    """Headings over the stages, e.g. ["1st draw", "2nd draw"]; empty for none."""
    branches: list[Branch] = Field(min_length=1, max_length=4)
    """First-stage branches, each with its next-stage branches in "then"."""

    _no_null = field_validator("root", mode="before")(text_or_none)

    @model_validator(mode="after")
    def _check(self) -> Tree:
        if len(_tree_leaves(self)) > MAX_LEAVES:
            raise ValueError(f"tree.branches: at most {MAX_LEAVES} end branches")
        return self

    def leaves(self) -> int:
        return len(_tree_leaves(self))

    def labels(self) -> list[str]:
        out = _texts(self.root, *self.stages)
        for _, node, _ in _walk(self):
            out += _texts(node.outcome, _compact(node.p) if node.p else None, node.result)
        return out


def _walk(tree: Tree) -> list[tuple[int, Leaf, int]]:
    """(depth, node, parent index or -1) in depth-first order."""
    out: list[tuple[int, Leaf, int]] = []

    def go(nodes: list, depth: int, parent: int) -> None:
        for n in nodes:
            out.append((depth, n, parent))
            go(getattr(n, "then", []), depth + 1, len(out) - 1)

    go(tree.branches, 1, -1)
    return out


def _tree_leaves(tree: Tree) -> list[int]:
    walk = _walk(tree)
    parents = {p for _, _, p in walk}
    return [i for i in range(len(walk)) if i not in parents]


def _compact(text: str) -> str:
    """A probability with \\frac{a}{b} written a/b: a stacked fraction doubles the row height."""
    return re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", text)


Cell = Annotated[str, Field(max_length=10)]


class Grid(_Part):
    kind: Literal["grid"]
    """A table of outcomes: two dice, a payoff or transition matrix."""
    corner: str | None = Field(default=None, max_length=16)
    """Text in the top-left corner cell, e.g. "Die 1 \\ Die 2"; empty for none."""
    rows: list[Cell] = Field(default_factory=list, max_length=10)
    """Row headers, e.g. ["1", "2", "3", "4", "5", "6"]."""
    cols: list[Cell] = Field(default_factory=list, max_length=8)
    """Column headers, e.g. ["1", "2", "3", "4", "5", "6"]."""
    cells: list[list[Cell]] = Field(default_factory=list, max_length=10)
    """Stated cell entries row by row, e.g. [["0,0", "3,1"], ["1,3", "0,0"]]; "" for an empty
    cell; leave all empty when the problem states only the headers."""

    _no_null = field_validator("corner", mode="before")(text_or_none)
    _numbers = field_validator("rows", "cols", "cells", mode="before")(_texts_in)

    @model_validator(mode="after")
    def _check(self) -> Grid:
        if not (self.rows or self.cols or self.cells):
            raise ValueError("grid: needs rows, cols or cells")
        n_rows = max(len(self.rows), len(self.cells))
        n_cols = max([len(self.cols), *[len(r) for r in self.cells]])
        if self.rows and len(self.cells) > len(self.rows):
            raise ValueError(f"grid.cells: {len(self.cells)} rows but {len(self.rows)} headers")
        if self.cols and n_cols > len(self.cols):
            raise ValueError(f"grid.cells: a row has {n_cols} cells but {len(self.cols)} headers")
        if n_cols > 8 or n_rows > 10:
            raise ValueError("grid.cells: at most 10 rows of 8 cells")
        return self

    def labels(self) -> list[str]:
        return _texts(self.corner, *self.rows, *self.cols, *[c for r in self.cells for c in r])


_COLORS = {
    "red": "#d62728", "blue": "#1f77b4", "green": "#2ca02c", "yellow": "#f5d000",
    "white": "#ffffff", "black": "#222222", "orange": "#ff7f0e", "purple": "#9467bd",
    "pink": "#f4a6c6", "brown": "#8c564b", "gray": "#9e9e9e", "grey": "#9e9e9e",
}  # fmt: skip


def _color(name: str | None, i: int = 0) -> str:
    key = (name or "").strip().lower()
    for word in key.split():
        if word in _COLORS:
            return _COLORS[word]
    fallback = ("#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fdd0a2", "#c7e9c0")
    return fallback[i % len(fallback)]


class Balls(_Part):
    color: str = Field(min_length=1, max_length=12)
    """Colour word, e.g. "red", "white", "blue"."""
    count: int = Field(ge=0, le=30)
    """How many balls of this colour, as stated, e.g. 5."""
    label: str | None = Field(default=None, max_length=20)
    """Text for them; empty: the count and colour, e.g. "5 red"."""

    _no_null = field_validator("label", mode="before")(text_or_none)

    def text(self) -> str:
        return self.label or f"{self.count} {self.color}"


class Container(_Part):
    name: str | None = Field(default=None, max_length=16)
    """Its name, e.g. "Urn A" or "Bag"; empty for none."""
    shape: Literal["bag", "urn", "box", "jar"] = "bag"
    """How it looks."""
    balls: list[Balls] = Field(default_factory=list, max_length=5)
    """Its balls by colour, as stated."""

    _no_null = field_validator("name", mode="before")(text_or_none)


class Urns(_Part):
    kind: Literal["urns"]
    """Bags, urns or boxes of coloured balls (marbles, chips)."""
    containers: list[Container] = Field(min_length=1, max_length=3)
    """Each container with its balls."""
    drawn: list[Annotated[str, Field(max_length=12)]] = Field(default_factory=list, max_length=6)
    """Colours of balls the problem says are drawn, in order, e.g. ["red", "white"]; empty for
    none."""

    def labels(self) -> list[str]:
        return _texts(*[c.name for c in self.containers]) + [
            b.text() for c in self.containers for b in c.balls
        ]


class Sector(_Part):
    label: str = Field(min_length=1, max_length=12)
    """The outcome written in the sector, e.g. "Red" or "3"."""
    share: str | None = Field(default=None, max_length=10)
    """Its stated size: "1/4", "25%" or "90°"; empty: equal to the other unstated sectors."""
    color: str | None = Field(default=None, max_length=12)
    """Colour word, e.g. "red"; empty for a light default."""

    _no_null = field_validator("share", "color", mode="before")(text_or_none)

    def text(self) -> str:
        return f"{self.label} ({self.share})" if self.share else self.label


def _share(text: str | None) -> float | None:
    """A stated sector size as a fraction of the circle (None: unreadable or unstated)."""
    if not text:
        return None
    t = text.strip().replace(" ", "").replace("$", "")
    try:
        if t.endswith("%"):
            return float(t[:-1]) / 100
        if t.endswith("°") or t.lower().endswith("deg"):
            return float(t.rstrip("°").lower().removesuffix("deg")) / 360
        if "/" in t:
            a, b = t.split("/", 1)
            return float(a) / float(b)
        v = float(t)
    except (ValueError, ZeroDivisionError):
        return None
    return v if v <= 1 else v / 360


class Spinner(_Part):
    kind: Literal["spinner"]
    """A spinner (a circle cut into labelled sectors) with a pointer."""
    sectors: list[Sector] = Field(min_length=2, max_length=8)
    """Sectors clockwise from the top."""

    @model_validator(mode="after")
    def _check(self) -> Spinner:
        shares = [_share(s.share) for s in self.sectors]
        stated = sum(v for v in shares if v is not None)
        if any(v is not None and v <= 0 for v in shares) or stated > 1.001:
            raise ValueError("spinner.sectors: stated shares must be positive and add up to <= 1")
        return self

    def fractions(self) -> list[float]:
        shares = [_share(s.share) for s in self.sectors]
        rest = [i for i, v in enumerate(shares) if v is None]
        left = max(0.0, 1 - sum(v for v in shares if v is not None))
        out = [v if v is not None else left / len(rest) for v in shares]
        total = sum(out)
        if total <= 1e-9:
            return [1 / len(out)] * len(out)
        return [v / total for v in out]

    def labels(self) -> list[str]:
        return [s.text() for s in self.sectors]


class Tokens(_Part):
    kind: Literal["dice", "coins", "cards"]
    """dice (pips), coins or playing cards."""
    faces: list[Annotated[str, Field(max_length=6)]] = Field(min_length=1, max_length=8)
    """One entry per die/coin/card: its stated face, e.g. "6", "H", "K♥"; "" when not stated."""
    caption: str | None = Field(default=None, max_length=40)
    """Text under them, e.g. "52 cards, 13 per suit"; empty for none."""

    _no_null = field_validator("caption", mode="before")(text_or_none)
    _numbers = field_validator("faces", mode="before")(_texts_in)

    def face(self, text: str) -> str:
        t = (text_or_none(text) or "").strip()
        if t in {"?", "-"}:
            return ""
        if self.kind == "dice" and t in {"1", "2", "3", "4", "5", "6"}:
            return ""  # drawn as pips
        return t

    def labels(self) -> list[str]:
        return _texts(*[self.face(f) for f in self.faces], self.caption)


class Normal(_Part):
    kind: Literal["normal"]
    """A normal (bell) curve with the stated mean and standard deviation, and the stated
    interval shaded: the picture of a z-score or sampling-distribution problem."""
    mean: float = Field(ge=-1e9, le=1e9)
    """The stated mean, e.g. 17.2."""
    sd: float = Field(gt=0, le=1e9)
    """The stated standard deviation (of the curve drawn: for a sample mean, the standard
    error only if the problem states it; else the population's), e.g. 2.5."""
    mean_label: str | None = Field(default=None, max_length=30)
    """Text at the mean, e.g. "μ = 17.2"; empty: the mean's value."""
    sd_label: str | None = Field(default=None, max_length=30)
    """Text for the spread, e.g. "σ = 2.5"; empty for none."""
    shade_from: float | None = Field(default=None, ge=-1e9, le=1e9)
    """Left end of the stated interval to shade; empty: no left end (from minus infinity)."""
    shade_to: float | None = Field(default=None, ge=-1e9, le=1e9)
    """Right end of the stated interval to shade; empty: no right end."""
    x_label: str | None = Field(default=None, max_length=40)
    """Axis text, e.g. "pounds of glass per year"; empty for none."""

    _no_null = field_validator("mean_label", "sd_label", "x_label", mode="before")(text_or_none)

    @model_validator(mode="after")
    def _check(self) -> Normal:
        a, b = self.shade_from, self.shade_to
        if a is not None and b is not None and a > b:
            self.shade_from, self.shade_to = b, a  # the same interval, written from its right end
        return self

    def bound_texts(self) -> list[str]:
        return [fmt_number(v) for v in (self.shade_from, self.shade_to) if v is not None]

    def labels(self) -> list[str]:
        mean = self.mean_label or fmt_number(self.mean)
        return _texts(mean, self.sd_label, self.x_label, *self.bound_texts())


Part = Annotated[Venn | Tree | Grid | Urns | Spinner | Tokens | Normal, Field(discriminator="kind")]


@register
class ProbabilityScene(SceneSpec):
    """Sets and probability figures: Venn diagrams, probability trees, outcome grids, urns of
    balls, spinners, dice, coins and cards, normal curves."""

    domain: Literal["probability"] = "probability"
    image_types: ClassVar[tuple[str, ...]] = ("math - set & probability",)

    parts: list[Part] = Field(min_length=1, max_length=2)
    """The figures, left to right (usually one); each has a "kind"."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Other stated values, one line each, written under the figure, e.g. "P(A) = 0.3"."""

    _no_null = field_validator("title", mode="before")(text_or_none)

    @model_validator(mode="after")
    def _fits(self) -> ProbabilityScene:
        # two figures share the canvas: each must fit in about half of it
        if len(self.parts) == 2:
            for part in self.parts:
                if isinstance(part, Tree) and part.leaves() > MAX_LEAVES // 2:
                    raise ValueError(
                        f"parts: a tree beside another part has at most {MAX_LEAVES // 2} "
                        "end branches"
                    )
                if isinstance(part, Grid) and max(len(part.rows), len(part.cells)) > 6:
                    raise ValueError("parts: a grid beside another part has at most 6 rows")
        return self

    def labels(self) -> list[str]:
        out = _texts(self.title)
        for part in self.parts:
            out += part.labels()
        return out + _texts(*self.notes)

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


# ---------------------------------------------------------------------------------------------
# Drawing (data units are inches: one axes covers the whole figure)
# ---------------------------------------------------------------------------------------------


class _Drawer:
    def __init__(self, scene: ProbabilityScene, fig: Any):
        self.s, self.fig, self.dpi = scene, fig, fig.dpi

    def size(self, text: str, font: float) -> tuple[float, float]:
        w, h = text_size(self.fig, text, font)
        return w / self.dpi, h / self.dpi

    def text(self, x: float, y: float, text: str, font: float, **kw: Any) -> Any:
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        t = self.ax.text(x, y, text, fontsize=font, zorder=kw.pop("zorder", 5), **kw)
        return t

    def fixed(self, t: Any) -> Any:
        """A text placed by construction: later labels keep off it."""
        self.placer.block_text(t)
        return t

    def box_px(self, x0: float, y0: float, x1: float, y1: float) -> Any:
        from matplotlib.transforms import Bbox

        d = self.dpi
        return Bbox.from_extents(x0 * d, y0 * d, x1 * d, y1 * d)

    def place(self, text: str, font: float, points: list, region: Any = None, **kw) -> Any:
        """A text at the first of ``points`` (inches) where it overlaps nothing; smaller font
        sizes are tried before giving up."""
        t = self.text(0, 0, text, font, **kw)
        moves = [_mover(p, f) for f in dict.fromkeys((font, MIN_FONT)) for p in points]
        self.placer.place(t, moves, region=region)
        return t

    # --- canvas ----------------------------------------------------------------------------

    def draw(self) -> None:
        s, fig = self.s, self.fig
        fig.set_size_inches(6.4, 4.8)  # measure at a known size first
        wants = [_WANTS[type(p)](self, p) for p in s.parts]
        mins = [self.least(p, w) for p, w in zip(s.parts, wants)]
        gap, n = 0.3, len(s.parts)
        # side by side when both fit at their smallest, else one above the other
        wide = (sum(m[0] for m in mins) + gap * (n + 1)) / MAX_W
        tall = (sum(m[1] for m in mins) + gap * n) / (MAX_H - 1.0)
        across = wide <= 1 or wide <= tall
        axis = 0 if across else 1
        fig_w = sum(w for w, _ in wants) + gap * (n + 1) if across else max(w for w, _ in wants)
        fig_w = min(
            MAX_W, max(6.4, fig_w, sum(m[0] for m in mins) + gap * (n + 1) if across else 0)
        )
        title = (
            wrap_to_width(fig, safe_text(s.title), 13, (fig_w - 0.4) * self.dpi) if s.title else ""
        )
        notes = [wrap_to_width(fig, safe_text(n), 11, (fig_w - 0.4) * self.dpi) for n in s.notes]
        title_h = self.size(title, 13)[1] + 0.15 if title else 0.0
        notes_h = sum(self.size(n, 11)[1] + 0.05 for n in notes) + (0.1 if notes else 0.0)
        body_h = max(h for _, h in wants) if across else sum(h for _, h in wants) + gap
        fig_h = min(MAX_H, max(4.8, body_h + title_h + notes_h + 0.5))
        fig.set_size_inches(fig_w, fig_h)
        self.ax = inch_axes(fig, fig_w, fig_h)
        self.placer = Placer(fig)
        if title:
            self.fixed(self.text(fig_w / 2, fig_h - 0.1, title, 13, va="top"))
        y = 0.15 + notes_h - 0.1
        for note in notes:
            self.fixed(self.text(fig_w / 2, y, note, 11, va="top"))
            y -= self.size(note, 11)[1] + 0.05
        top, bottom = fig_h - title_h - 0.15, notes_h + 0.15
        if across:
            room = fig_w - gap * (n + 1)
        else:
            room = top - bottom - gap * (n - 1)
        sizes = _share_out(room, [m[axis] for m in mins], [w[axis] for w in wants])
        pos = gap if across else top
        for part, size in zip(s.parts, sizes):
            if across:
                box = (pos, bottom, pos + size, top)
                pos += size + gap
            else:
                box = (gap, pos - size, fig_w - gap, pos)
                pos -= size + gap
            _DRAWS[type(part)](self, part, box)

    def least(self, part: Any, want: tuple[float, float]) -> tuple[float, float]:
        """The smallest box (inches) a part still draws in without overlaps."""
        if isinstance(part, Tree):
            lays = [self.tree_layout(part, f, w) for f, w in _TREE_TRIES[len(FONTS) - 1 :]]
            lay = next((x for x in lays if x["width"] <= MAX_W - 0.6), lays[-1])
            return lay["width"] + 0.2, lay["height"] + 0.2
        if isinstance(part, Venn):  # circles wide enough for the region labels
            widest = max([self.size(safe_text(r.label), MIN_FONT)[0] for r in part.regions
                          if r.label] + [0.5])  # fmt: skip
            r = max(0.75, 1.15 * widest)
            return 4.3 * r, (3.8 if len(part.sets) == 3 else 2.85) * r
        if isinstance(part, Grid):
            widths, h = self.grid_size(part, MIN_FONT)
            return sum(widths) / 0.8 + 0.1, h * len(self.grid_cells(part)) / 0.8 + 0.1
        if isinstance(part, Urns):
            return len(part.containers) * (self.urn_text_w(part, MIN_FONT) + 0.3), 3.0
        if isinstance(part, Spinner):
            w, h = self.spinner_text(part, 12.0)
            return 2 * (0.9 + w + 0.3), 2 * (0.9 + h + 0.3)
        if isinstance(part, Tokens):
            return len(part.faces) * self.token_size(part, MIN_FONT) * 1.25 + 0.3, 2.2
        return want[0] * 0.55, want[1] * 0.6

    # --- venn ------------------------------------------------------------------------------

    def venn_want(self, v: Venn) -> tuple[float, float]:
        return (5.2, 3.9) if len(v.sets) == 3 else (5.6, 3.4)

    def venn(self, v: Venn, box: tuple) -> None:
        from matplotlib.patches import Circle, Rectangle

        n = len(v.sets)
        if n == 2:
            centres = np.array([[-0.6, 0.0], [0.6, 0.0]])
            ux, uy = (-2.1, 2.1), (-1.3, 1.55)
        else:
            centres = np.array([[-0.58, 0.4], [0.58, 0.4], [0.0, -0.6]])
            ux, uy = (-2.15, 2.15), (-2.0, 1.8)
        x0, y0, x1, y1 = box
        scale = min((x1 - x0) / (ux[1] - ux[0]), (y1 - y0) / (uy[1] - uy[0]))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        mid = np.array([(ux[0] + ux[1]) / 2, (uy[0] + uy[1]) / 2])
        cs = (centres - mid) * scale + [cx, cy]
        r = scale
        rx0, rx1 = cx + (ux[0] - mid[0]) * scale, cx + (ux[1] - mid[0]) * scale
        ry0, ry1 = cy + (uy[0] - mid[1]) * scale, cy + (uy[1] - mid[1]) * scale
        ax = self.ax
        ax.add_patch(Rectangle((rx0, ry0), rx1 - rx0, ry1 - ry0, fill=False, ec=EDGE, lw=1.6))
        names = [st.name for st in v.sets]
        # every region's sample points, with their clearance from the outlines
        gx, gy = np.meshgrid(np.linspace(rx0, rx1, 160), np.linspace(ry0, ry1, 120))
        dist = np.stack([np.hypot(gx - c[0], gy - c[1]) for c in cs])
        inside = dist < r
        clear = np.min(np.abs(dist - r), axis=0)
        clear = np.minimum(clear, np.minimum.reduce([gx - rx0, rx1 - gx, gy - ry0, ry1 - gy]))
        codes = sum(inside[i].astype(int) << i for i in range(n))
        wanted = {}
        for reg in v.regions:
            key = _parse_region(reg.region, names)
            wanted[sum(1 << names.index(m) for m in key)] = reg
        shaded = [code for code, reg in wanted.items() if reg.shade]
        if shaded:
            mask = np.isin(codes, shaded)
            rgba = np.zeros((*mask.shape, 4))
            rgba[mask] = (0.62, 0.79, 0.88, 0.8)
            ax.imshow(
                rgba, extent=(rx0, rx1, ry0, ry1), origin="lower", zorder=1, aspect="auto",
                interpolation="bilinear",
            )  # fmt: skip
        for i, c in enumerate(cs):
            ax.add_patch(Circle(c, r, fill=False, ec=("#1f77b4", "#d62728", "#2ca02c")[i], lw=1.8))
        font = 12.0
        if v.universe:  # in the rectangle's top-left corner, before anything else
            t = self.text(rx0 + 0.08, ry1 - 0.06, safe_text(v.universe), font, ha="left", va="top")
            self.placer.place(t, [_mover((rx0 + 0.08, ry1 - 0.06), f) for f in FONTS])
        # set names just outside their circles, away from the middle
        away = [(135, 160, 115, 180, 100, 200), (45, 20, 65, 0, 80, 340), (270, 240, 300, 220, 320)]
        for i, st in enumerate(v.sets):
            pts = []
            for extra in (0.22, 0.35, 0.5, 0.7):
                for a in away[i]:
                    u = np.array([math.cos(math.radians(a)), math.sin(math.radians(a))])
                    pts.append(cs[i] + u * (r + extra))
            self.place(safe_text(st.text()), font, pts)
        for code, reg in wanted.items():
            if not reg.label:
                continue
            ys, xs = np.nonzero(codes == code)
            order = np.argsort(-clear[ys, xs], kind="stable")[:400:8]
            pts = [(gx[ys[k], xs[k]], gy[ys[k], xs[k]]) for k in order]
            self.place(safe_text(reg.label), font, pts, region=self.box_px(rx0, ry0, rx1, ry1))

    # --- tree ------------------------------------------------------------------------------

    def tree_layout(self, t: Tree, font: float, wrap: float = 0.0) -> dict:
        """Where a tree's texts go at ``font``, outcome texts wrapped to ``wrap`` inches (0:
        unwrapped)."""
        walk = _walk(t)
        depth = max(d for d, _, _ in walk)
        fold = lambda s: wrap_to_width(self.fig, s, font, wrap * self.dpi) if wrap else s  # noqa: E731
        node_txt = [fold(safe_text(n.outcome)) for _, n, _ in walk]
        p_txt = [safe_text(_compact(n.p)) if n.p else "" for _, n, _ in walk]
        res_txt = [fold(safe_text(n.result)) if n.result else "" for _, n, _ in walk]
        root = fold(safe_text(t.root)) if t.root else ""
        sz = lambda s: self.size(s, font) if s else (0.0, 0.0)  # noqa: E731
        col_w = [sz(root)[0] or 0.06] + [
            max(sz(node_txt[i])[0] for i, (d, _, _) in enumerate(walk) if d == k)
            for k in range(1, depth + 1)
        ]
        p_w = max([sz(p)[0] for p in p_txt] + [0.3])
        p_h = max([sz(p)[1] for p in p_txt] + [0.0])
        node_h = max([sz(x)[1] for x in node_txt + res_txt + [root]])
        gap = 1.25 * p_w + 0.25
        res_w = max(sz(x)[0] for x in res_txt)
        head_h = max([sz(safe_text(x))[1] for x in t.stages] + [0.0])
        step = max(node_h + 0.08, (p_h + 0.07) / 0.6 if p_h else 0.0)
        width = sum(col_w) + depth * gap + (res_w + 0.2 if res_w else 0.0)
        height = len(_tree_leaves(t)) * step + (head_h + 0.15 if head_h else 0.0)
        return {
            "walk": walk, "depth": depth, "node": node_txt, "p": p_txt, "res": res_txt,
            "root": root, "col_w": col_w, "gap": gap, "step": step, "head_h": head_h,
            "width": width, "height": height, "font": font,
        }  # fmt: skip

    def tree_want(self, t: Tree) -> tuple[float, float]:
        lay = self.tree_layout(t, FONTS[0])
        return lay["width"] + 0.2, lay["height"] + 0.2

    def tree(self, t: Tree, box: tuple) -> None:
        from matplotlib.patches import Circle

        x0, y0, x1, y1 = box
        for font, wrap in _TREE_TRIES:
            lay = self.tree_layout(t, font, wrap)
            if lay["width"] <= x1 - x0 and lay["height"] <= y1 - y0:
                break
        font = lay["font"]
        walk, step, gap = lay["walk"], lay["step"], lay["gap"]
        extra_w = max(0.0, (x1 - x0) - lay["width"])
        gap += min(extra_w * 0.6 / max(lay["depth"], 1), 1.2)  # spread a little when room allows
        room = (y1 - y0 - lay["head_h"] - 0.15) / len(_tree_leaves(t))
        step = max(step, min(room, max(step * 1.6, 0.8)))  # few leaves: spread them out
        width = sum(lay["col_w"]) + lay["depth"] * gap
        width += max((self.size(r, font)[0] for r in lay["res"] if r), default=-0.2) + 0.2
        left = (x0 + x1) / 2 - width / 2
        col_x = [left]
        for k in range(lay["depth"]):
            col_x.append(col_x[-1] + lay["col_w"][k] + gap)
        leaves = _tree_leaves(t)
        body_h = len(leaves) * step
        top = (y0 + y1) / 2 + (body_h + lay["head_h"]) / 2 - lay["head_h"]
        ys: dict[int, float] = {i: top - (k + 0.5) * step for k, i in enumerate(leaves)}
        for i in range(len(walk) - 1, -1, -1):  # parents centred on their children
            kids = [j for j, (_, _, p) in enumerate(walk) if p == i]
            if kids:
                ys[i] = (ys[kids[0]] + ys[kids[-1]]) / 2
        kids0 = [j for j, (_, _, p) in enumerate(walk) if p == -1]
        root_y = (ys[kids0[0]] + ys[kids0[-1]]) / 2
        ax = self.ax
        if lay["root"]:
            self.fixed(self.text(col_x[0], root_y, lay["root"], font, ha="left"))
            root_end = col_x[0] + self.size(lay["root"], font)[0] + 0.06
        else:
            ax.add_patch(Circle((col_x[0] + 0.03, root_y), 0.04, color=EDGE, zorder=3))
            root_end = col_x[0] + 0.08
        ends: dict[int, tuple[float, float]] = {}
        for i, (d, _, _) in enumerate(walk):
            x = col_x[d]
            self.fixed(self.text(x, ys[i], lay["node"][i], font, ha="left"))
            ends[i] = (x + self.size(lay["node"][i], font)[0] + 0.06, ys[i])
            if lay["res"][i]:
                self.fixed(self.text(ends[i][0] + 0.14, ys[i], lay["res"][i], font, ha="left"))
        for k, head in enumerate(t.stages[: lay["depth"]]):
            hx = col_x[k + 1] + lay["col_w"][k + 1] / 2
            hy = min(y1 - 0.02, top + 0.1 + lay["head_h"])
            self.fixed(self.text(hx, hy, safe_text(head), font, va="top", style="italic"))
        for i, (d, _, parent) in enumerate(walk):
            a = (root_end, root_y) if parent < 0 else ends[parent]
            b = (col_x[d] - 0.06, ys[i])
            ax.plot([a[0], b[0]], [a[1], b[1]], color="#444444", lw=1.3, zorder=2)
            if lay["p"][i]:
                pts = [(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f) for f in _TS]
                self.place(
                    lay["p"][i], font, pts, color="#7a1f1f",
                    bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none"},
                )  # fmt: skip

    # --- grid ------------------------------------------------------------------------------

    def grid_cells(self, g: Grid) -> list[list[str]]:
        n_rows = max(len(g.rows), len(g.cells))
        n_cols = max([len(g.cols), *[len(r) for r in g.cells]])
        head_r = bool(g.rows) or bool(g.corner)
        head_c = bool(g.cols) or bool(g.corner)
        out = []
        if head_c:
            out.append(
                ([g.corner or ""] if head_r else []) + list(g.cols) + [""] * (n_cols - len(g.cols))
            )
        for i in range(n_rows):
            row = list(g.cells[i]) if i < len(g.cells) else []
            row += [""] * (n_cols - len(row))
            if head_r:
                row = [g.rows[i] if i < len(g.rows) else ""] + row
            out.append(row)
        return out

    def grid_size(self, g: Grid, font: float) -> tuple[list[float], float]:
        table = self.grid_cells(g)
        cols = len(table[0])
        widths = [
            max([self.size(safe_text(r[j]), font)[0] for r in table if r[j]] + [font / 36])
            + font / 40
            for j in range(cols)
        ]
        h = (
            max([self.size(safe_text(c), font)[1] for r in table for c in r if c] + [0.2])
            + font / 60
        )
        return widths, h

    def grid_want(self, g: Grid) -> tuple[float, float]:
        widths, h = self.grid_size(g, 16.0)
        return sum(widths) / 0.8 + 0.2, h * len(self.grid_cells(g)) / 0.8 + 0.2

    def grid(self, g: Grid, box: tuple) -> None:
        from matplotlib.patches import Rectangle

        x0, y0, x1, y1 = box
        table = self.grid_cells(g)
        for font in (16.0, 14.0, *FONTS):
            widths, h = self.grid_size(g, font)
            if sum(widths) <= (x1 - x0) * 0.8 and h * len(table) <= (y1 - y0) * 0.8:
                break
        head_r = bool(g.rows) or bool(g.corner)
        head_c = bool(g.cols) or bool(g.corner)
        left = (x0 + x1) / 2 - sum(widths) / 2
        top = (y0 + y1) / 2 + h * len(table) / 2
        for i, row in enumerate(table):
            x = left
            for j, cell in enumerate(row):
                head = (i == 0 and head_c) or (j == 0 and head_r)
                fc = "#e8eef6" if head else "white"
                self.ax.add_patch(
                    Rectangle((x, top - (i + 1) * h), widths[j], h, fc=fc, ec=EDGE, lw=1.2)
                )
                if cell:
                    weight = "bold" if head else "normal"
                    self.fixed(
                        self.text(x + widths[j] / 2, top - (i + 0.5) * h, safe_text(cell), font,
                                  fontweight=weight)
                    )  # fmt: skip
                x += widths[j]

    # --- urns ------------------------------------------------------------------------------

    def urns_want(self, u: Urns) -> tuple[float, float]:
        return len(u.containers) * max(2.4, self.urn_text_w(u, 12.0) + 0.6) + 0.3, 3.6

    def urn_text_w(self, u: Urns, font: float) -> float:
        """The widest text under or over a container (a legend line with its ball)."""
        widths = [self.size(safe_text(c.name), font)[0] for c in u.containers if c.name]
        widths += [self.size(safe_text(b.text()), font)[0] + 0.35 for c in u.containers
                   for b in c.balls]  # fmt: skip
        return max(widths + [0.5])

    def urns(self, u: Urns, box: tuple) -> None:
        from matplotlib.patches import Circle, FancyArrowPatch

        x0, y0, x1, y1 = box
        n = len(u.containers)
        slot = (x1 - x0) / n
        font = next((f for f in FONTS if self.urn_text_w(u, f) + 0.15 <= slot), MIN_FONT)
        lh = self.size("Hg", font)[1]
        drawn_h = 0.55 if u.drawn else 0.0
        legend_rows = max(len(c.balls) for c in u.containers)
        name_h = lh + 0.08 if any(c.name for c in u.containers) else 0.0
        body_top = y1 - name_h
        body_bottom = y0 + drawn_h + legend_rows * (lh + 0.02) + 0.12
        for k, c in enumerate(u.containers):
            cx = x0 + slot * (k + 0.5)
            bw = min(slot * 0.8, 2.2)
            bh = max(0.6, min(body_top - body_bottom, 2.4))
            by = body_bottom + (body_top - body_bottom - bh) / 2
            self._container(c.shape, cx - bw / 2, by, bw, bh)
            balls = [(b.color, i) for i, b in enumerate(c.balls) for _ in range(b.count)]
            self._pack(balls, cx - bw / 2 + 0.12, by + 0.08, bw - 0.24, bh * 0.72)
            if c.name:
                self.fixed(self.text(cx, by + bh + 0.06, safe_text(c.name), font, va="bottom"))
            y = by - 0.1
            for i, b in enumerate(c.balls):
                ax_r = lh * 0.3
                t = self.text(cx + 0.05, y, safe_text(b.text()), font, va="top", ha="center")
                w = self.size(safe_text(b.text()), font)[0]
                self.ax.add_patch(
                    Circle((cx + 0.05 - w / 2 - ax_r - 0.06, y - lh * 0.45), ax_r,
                           fc=_color(b.color, i), ec="#333333", lw=0.8)
                )  # fmt: skip
                self.placer.place(t, [_mover((cx + 0.05, y), f) for f in FONTS])
                y -= lh + 0.02
        if u.drawn:
            r = 0.15
            xs = (x0 + x1) / 2 + (np.arange(len(u.drawn)) - (len(u.drawn) - 1) / 2) * 0.75
            yb = y0 + 0.25
            for i, (x, colour) in enumerate(zip(xs, u.drawn)):
                self.ax.add_patch(Circle((x, yb), r, fc=_color(colour, i), ec="#333333", lw=1))
                if i:
                    self.ax.add_patch(
                        FancyArrowPatch((xs[i - 1] + r + 0.05, yb), (x - r - 0.05, yb),
                                        arrowstyle="-|>", mutation_scale=10, color="#555555")
                    )  # fmt: skip

    def _container(self, shape: str, x: float, y: float, w: float, h: float) -> None:
        from matplotlib.patches import FancyBboxPatch, Polygon

        kw = {"fc": "#f5f1e8", "ec": EDGE, "lw": 1.6, "zorder": 1}
        if shape == "box":
            self.ax.add_patch(FancyBboxPatch((x, y), w, h * 0.85, "square,pad=0", **kw))
        elif shape in ("urn", "jar"):
            neck = 0.55 if shape == "jar" else 0.4
            pts = [
                (x + w * 0.1, y), (x + w * 0.9, y), (x + w, y + h * 0.35), (x + w * 0.9, y + h * 0.75),
                (x + w * (0.5 + neck / 2), y + h * 0.85), (x + w * (0.5 + neck / 2), y + h),
                (x + w * (0.5 - neck / 2), y + h), (x + w * (0.5 - neck / 2), y + h * 0.85),
                (x + w * 0.1, y + h * 0.75), (x, y + h * 0.35),
            ]  # fmt: skip
            self.ax.add_patch(Polygon(pts, closed=True, joinstyle="round", **kw))
        else:  # a bag: round body, tied neck
            self.ax.add_patch(
                FancyBboxPatch((x, y), w, h * 0.82, "round,pad=0,rounding_size=0.3", **kw)
            )
            pts = [(x + w * 0.3, y + h * 0.8), (x + w * 0.7, y + h * 0.8), (x + w * 0.6, y + h),
                   (x + w * 0.4, y + h)]  # fmt: skip
            self.ax.add_patch(Polygon(pts, closed=True, **kw))

    def _pack(self, balls: list, x: float, y: float, w: float, h: float) -> None:
        from matplotlib.patches import Circle

        if not balls:
            return
        n = len(balls)
        d = 0.34
        while True:  # the largest ball (up to d) whose rows fill the width and fit the height
            cols = min(n, max(1, int(w / d)))
            rows = math.ceil(n / cols)
            if rows * d <= h or d < 0.05:
                break
            d *= 0.92
        for k, (colour, i) in enumerate(balls):
            row, col = divmod(k, cols)
            in_row = min(cols, n - row * cols)
            cx = x + w / 2 + (col - (in_row - 1) / 2) * d
            self.ax.add_patch(
                Circle((cx, y + (row + 0.5) * d), d * 0.44, fc=_color(colour, i), ec="#333333",
                       lw=0.8, zorder=2)
            )  # fmt: skip

    # --- spinner ---------------------------------------------------------------------------

    def spinner_want(self, sp: Spinner) -> tuple[float, float]:
        w, h = self.spinner_text(sp, 12.0)
        return 2 * (1.4 + w + 0.3), 2 * (1.4 + h + 0.3)

    def spinner_text(self, sp: Spinner, font: float) -> tuple[float, float]:
        sizes = [self.size(safe_text(s.text()), font) for s in sp.sectors]
        return max(w for w, _ in sizes), max(h for _, h in sizes)

    def spinner(self, sp: Spinner, box: tuple) -> None:
        from matplotlib.patches import FancyArrowPatch, Wedge

        x0, y0, x1, y1 = box
        font = 12.0
        texts = [safe_text(s.text()) for s in sp.sectors]
        sizes = [self.size(t, font) for t in texts]
        spans, start = [], 90.0
        for f in sp.fractions():  # clockwise from the top
            spans.append((start - 360 * f, start))
            start -= 360 * f
        c = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        big = max(0.6, min((x1 - x0) / 2 - 0.2, (y1 - y0) / 2 - 0.3, 1.7))
        inner = [self._in_wedge(big, span, size) for span, size in zip(spans, sizes)]
        r = big
        if not all(inner):  # room around the circle for the labels that go outside
            w = max(sz[0] for sz, ok in zip(sizes, inner) if not ok)
            h = max(sz[1] for sz, ok in zip(sizes, inner) if not ok)
            r = max(0.6, min(big, (x1 - x0) / 2 - w - 0.2, (y1 - y0) / 2 - h - 0.2))
        for i, (s, (a0, a1)) in enumerate(zip(sp.sectors, spans)):
            colour = _color(s.color, i) if s.color else _color(None, i)
            self.ax.add_patch(Wedge(c, r, a0, a1, fc=colour, ec=EDGE, lw=1.4, zorder=1))
        tip = c + r * 0.8 * np.array([math.cos(math.radians(60)), math.sin(math.radians(60))])
        self.ax.add_patch(
            FancyArrowPatch(c, tip, arrowstyle="-|>", mutation_scale=18, color="#222222",
                            lw=2.2, zorder=4)
        )  # fmt: skip
        for text, (w, h), (a0, a1) in zip(texts, sizes, spans):
            pts = self._in_wedge(r, (a0, a1), (w, h)) or []
            pts = [c + p for p in pts]
            for extra in (0.0, 0.12, 0.3, 0.5):
                for turn in (0, 5, -5, 10, -10, 15, -15, 20, -20, 30, -30, 40, -40, 50, -50):
                    mid = math.radians((a0 + a1) / 2 + turn)
                    u = np.array([math.cos(mid), math.sin(mid)])
                    reach = r + 0.08 + abs(u[0]) * w / 2 + abs(u[1]) * h / 2
                    pts.append(c + u * (reach + extra))
            t = self.place(text, font, pts)
            at = np.array(t.get_position()) - c
            if np.hypot(*at) > r:  # outside: a thin leader from its sector's arc
                mid = math.radians((a0 + a1) / 2)
                start = c + r * np.array([math.cos(mid), math.sin(mid)])
                bb = self.placer.extent(t).extents / self.dpi  # the box's point nearest the arc
                end = np.clip(start, bb[:2] - 0.03, bb[2:] + 0.03)
                if np.hypot(*(end - start)) > 0.12:
                    self.ax.plot(*zip(start, end), color="#777777", lw=0.8, zorder=3)

    @staticmethod
    def _in_wedge(r: float, span: tuple, size: tuple) -> list | None:
        """Centres (relative to the circle's) where a text of ``size`` lies wholly inside the
        sector ``span`` (degrees) of radius ``r``; None when nowhere."""
        a0, a1 = span
        w, h = size
        out = []
        for k in (0.6, 0.5, 0.7, 0.4, 0.8):
            for t in (0.5, 0.35, 0.65):
                a = math.radians(a0 + (a1 - a0) * t)
                p = np.array([math.cos(a), math.sin(a)]) * r * k
                corners = p + np.array([[-w, -h], [w, -h], [-w, h], [w, h]]) / 2 * 1.08
                dist = np.hypot(corners[:, 0], corners[:, 1])
                ang = np.degrees(np.arctan2(corners[:, 1], corners[:, 0]))
                rel = (ang - a0) % 360
                if np.all(dist < r * 0.96) and np.all(rel <= (a1 - a0) - 2) and np.all(rel >= 2):
                    out.append(p)
        return out or None

    # --- normal curve --------------------------------------------------------------------

    def normal_want(self, nd: Normal) -> tuple[float, float]:
        return 5.6, 3.2

    def normal(self, nd: Normal, box: tuple) -> None:
        x0, y0, x1, y1 = box
        font = 11.0
        rows = 1 + sum(v is not None for v in (nd.shade_from, nd.shade_to))
        # room under the axis: a row per value text (close values stack), then the axis text
        base = y0 + 0.3 + 0.25 * rows + (0.3 if nd.x_label else 0.0)
        top = y1 - 0.35
        z = np.linspace(-3.6, 3.6, 400)
        xs = x0 + 0.2 + (z + 3.6) / 7.2 * (x1 - x0 - 0.4)
        ys = base + np.exp(-0.5 * z**2) * (top - base)
        to_x = lambda v: float(np.interp((v - nd.mean) / nd.sd, z, xs))  # noqa: E731
        ax = self.ax
        ax.plot([xs[0], xs[-1]], [base, base], color=EDGE, lw=1.4, zorder=2)
        ax.plot(xs, ys, color="#1f77b4", lw=2.0, zorder=3)
        lo = -np.inf if nd.shade_from is None else (nd.shade_from - nd.mean) / nd.sd
        hi = np.inf if nd.shade_to is None else (nd.shade_to - nd.mean) / nd.sd
        if nd.shade_from is not None or nd.shade_to is not None:
            inside = (z >= lo) & (z <= hi)
            ax.fill_between(xs, base, ys, where=inside, color="#9ecae1", alpha=0.8, zorder=1)
        self.placer.avoid(densify(np.column_stack([xs, ys]) * self.dpi))
        xm = to_x(nd.mean)
        ax.plot([xm, xm], [base, top], color="#555555", lw=0.9, ls="--", zorder=2)
        texts = [(nd.mean_label or fmt_number(nd.mean), xm)]
        texts += [(fmt_number(v), to_x(v)) for v in (nd.shade_from, nd.shade_to) if v is not None]
        for value in (nd.shade_from, nd.shade_to):
            if value is not None:
                xv = to_x(value)
                yv = base + math.exp(-0.5 * ((value - nd.mean) / nd.sd) ** 2) * (top - base)
                ax.plot([xv, xv], [base, max(yv, base + 0.05)], color=EDGE, lw=1.0, zorder=2)
        if nd.x_label:  # first: the bottom row is its own
            self.place(safe_text(nd.x_label), font, [((x0 + x1) / 2, y0 + 0.2)])
        for text, x in texts:  # under the axis at their values, lower rows when they crowd
            pts = [(x + dx, base - 0.2 - 0.25 * k) for k in range(rows) for dx in (0, 0.35, -0.35)]
            self.place(safe_text(text), font, pts)
        if nd.sd_label:
            right = to_x(nd.mean + nd.sd)
            self.place(safe_text(nd.sd_label), font, [(right + 0.5, top - 0.2), (x1 - 0.8, top)])

    # --- dice, coins, cards ----------------------------------------------------------------

    def tokens_want(self, tk: Tokens) -> tuple[float, float]:
        return max(3.0, len(tk.faces) * max(0.85, self.token_size(tk, 14.0)) * 1.25 + 0.4), 2.6

    def token_size(self, tk: Tokens, font: float) -> float:
        """Side (inches) of a die/coin/card whose face text fits at ``font``."""
        widths = [self.size(safe_text(tk.face(f)), font)[0] for f in tk.faces if tk.face(f)]
        return max([0.35, *[w / 0.85 + 0.04 for w in widths]])

    def tokens(self, tk: Tokens, box: tuple) -> None:
        from matplotlib.patches import Circle, FancyBboxPatch

        x0, y0, x1, y1 = box
        n = len(tk.faces)
        cap_h = 0.5 if tk.caption else 0.0
        least = self.token_size(tk, MIN_FONT)
        size = max(least, min(0.9, (x1 - x0 - 0.2) / (n * 1.25), y1 - y0 - cap_h - 0.3))
        cy = (y0 + cap_h + y1) / 2
        pitch = max(size * 1.05, min(size * 1.25, (x1 - x0 - 0.1) / n))
        xs = (x0 + x1) / 2 + (np.arange(n) - (n - 1) / 2) * pitch
        for face, x in zip(tk.faces, xs):
            text = tk.face(face)
            h = size * (1.4 if tk.kind == "cards" else 1.0)
            if tk.kind == "coins":
                self.ax.add_patch(Circle((x, cy), size / 2, fc="#e9c46a", ec="#8a6d1f", lw=1.6))
            else:
                self.ax.add_patch(
                    FancyBboxPatch((x - size / 2, cy - h / 2), size, h,
                                   "round,pad=0,rounding_size=0.08", fc="white", ec="#333333", lw=1.5)
                )  # fmt: skip
            pips = (face or "").strip()
            if tk.kind == "dice" and not text and pips in "123456" and pips:
                for px, py in _PIPS[int(pips)]:
                    self.ax.add_patch(
                        Circle((x + px * size * 0.28, cy + py * size * 0.28), size * 0.08,
                               color="#222222")
                    )  # fmt: skip
            elif text:
                red = any(ch in text for ch in "♥♦") or re.search(r"heart|diamond", text, re.I)
                t = self.text(x, cy, safe_text(text), 14, color="#c62828" if red else "#222222")
                fonts = [
                    f for f in (14.0, *FONTS) if self.size(safe_text(text), f)[0] <= size * 0.85
                ]
                self.placer.place(t, [_mover((x, cy), f) for f in fonts or [MIN_FONT]])
        if tk.caption:
            below = cy - size * (0.7 if tk.kind == "cards" else 0.5) - 0.3
            pts = [(float(np.mean(xs)), max(y0 + 0.2, below - k * 0.1)) for k in range(4)]
            self.place(safe_text(tk.caption), 12.0, pts)


_TS = (0.6, 0.5, 0.7, 0.4, 0.8, 0.3)  # where along a tree branch its probability may sit
_TREE_TRIES = [(f, 0.0) for f in FONTS] + [(MIN_FONT, 1.1), (MIN_FONT, 0.8)]
_PIPS = {
    1: [(0, 0)],
    2: [(-1, 1), (1, -1)],
    3: [(-1, 1), (0, 0), (1, -1)],
    4: [(-1, 1), (1, 1), (-1, -1), (1, -1)],
    5: [(-1, 1), (1, 1), (0, 0), (-1, -1), (1, -1)],
    6: [(-1, 1), (1, 1), (-1, 0), (1, 0), (-1, -1), (1, -1)],
}
_WANTS = {
    Venn: _Drawer.venn_want, Tree: _Drawer.tree_want, Grid: _Drawer.grid_want,
    Urns: _Drawer.urns_want, Spinner: _Drawer.spinner_want, Tokens: _Drawer.tokens_want,
    Normal: _Drawer.normal_want,
}  # fmt: skip
_DRAWS = {
    Venn: _Drawer.venn, Tree: _Drawer.tree, Grid: _Drawer.grid,
    Urns: _Drawer.urns, Spinner: _Drawer.spinner, Tokens: _Drawer.tokens,
    Normal: _Drawer.normal,
}  # fmt: skip


def _share_out(room: float, mins: list[float], wants: list[float]) -> list[float]:
    """Sizes along one axis: each part its least, the rest of ``room`` by what they want."""
    extra = room - sum(mins)
    if extra <= 0:
        return [room * m / sum(mins) for m in mins]
    more = [max(0.0, w - m) for w, m in zip(wants, mins)]
    if sum(more) <= 1e-9:
        return [m + extra / len(mins) for m in mins]
    return [m + extra * k / sum(more) for m, k in zip(mins, more)]


def _mover(xy: Any, size: float) -> Any:
    def move(t: Any) -> None:
        t.set_position((float(xy[0]), float(xy[1])))
        t.set_fontsize(size)

    return move
