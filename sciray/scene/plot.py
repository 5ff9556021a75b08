"""Plots, charts and tables: function curves, stated data series, marked points, asymptotes,
shaded regions, Riemann rectangles, pies and tables/grids (Punnett squares, payoff matrices).

The model states *what* is plotted (formulas in x, the problem's data, the points and lines it
names); the renderer picks the view, fits every panel to the canvas and places every label where
it overlaps nothing. Formulas are read by ``sciray.scene.expr`` (an AST whitelist, never
``eval``). Nothing derived is written: no intersection, area, percentage or count the scene does
not state (a histogram's counts and a Riemann sum's heights are drawn as shapes, never as text).

The text helpers here (``safe_text``, ``Placer``, ``text_size``) are shared with
``sciray.scene.graph``.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.expr import MAX_CHARS, check_expr, compile_expr, free_names
from sciray.scene.text import mathtext_ok

__all__ = [
    "Curve",
    "Pie",
    "Placer",
    "PlotScene",
    "Point",
    "RefLine",
    "Riemann",
    "Series",
    "Shade",
    "Table",
    "fmt_number",
    "safe_text",
    "text_size",
]

LIM = 1e9  # largest magnitude of any stated number
MIN_FONT = 9.0
SAMPLES = 600  # points per curve
PAD_PX = 2.0  # clearance between label boxes


# ---------------------------------------------------------------------------------------------
# Text helpers (shared with the graph domain)
# ---------------------------------------------------------------------------------------------

_mathtext_parser: Any = None


def safe_text(text: str) -> str:
    """``text`` as Matplotlib can draw it: mathtext ($...$) kept when it parses, else its dollar
    signs escaped (an unparsable label would make the whole figure fail at draw time)."""
    global _mathtext_parser
    text = text.replace("\r", " ").replace("\t", " ")
    if text.replace(r"\$", "").count("$") < 2:
        return text
    if _mathtext_parser is None:
        from matplotlib.mathtext import MathTextParser

        _mathtext_parser = MathTextParser("path")
    try:
        for line in text.split("\n"):
            if line.replace(r"\$", "").count("$") >= 2:
                _mathtext_parser.parse(line, 72)
        return text
    except Exception:
        return text.replace(r"\$", "$").replace("$", r"\$")


def fmt_number(v: float) -> str:
    """A stated number as the problem would write it: 500, -150, 4.65, 8.7e-08."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


_SIZES: dict[tuple, tuple[float, float]] = {}


def text_size(fig: Any, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height in pixels of ``text`` drawn at ``size`` points on ``fig``."""
    key = (text, float(size), weight, float(fig.dpi))
    if key not in _SIZES:
        if len(_SIZES) > 20_000:
            _SIZES.clear()
        _SIZES[key] = _measure_text(fig, text, size, weight)
    return _SIZES[key]


def _measure_text(fig: Any, text: str, size: float, weight: str) -> tuple[float, float]:
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    prop = FontProperties(size=size, weight=weight)
    width = height = 0.0
    lines = text.split("\n") or [""]
    for line in lines:
        if not line:
            height += size * 1.2 * fig.dpi / 72
            continue
        clean, ismath = Text(0, 0, line)._preprocess_math(line)
        w, h, _ = renderer.get_text_width_height_descent(clean, prop, ismath=ismath)
        width = max(width, w)
        height += max(h, size * fig.dpi / 72) * 1.2
    return width, height


def _bbox_overlap(a: Any, b: Any, pad: float = PAD_PX) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0) + pad
    h = min(a.y1, b.y1) - max(a.y0, b.y0) + pad
    return w * h if w > 0 and h > 0 else 0.0


def inch_axes(fig: Any, width: float, height: float) -> Any:
    """One frameless axes over the whole figure whose data units are inches (0..width,
    0..height): where a renderer lays out shapes and texts by hand."""
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    return ax


class Placer:
    """Places labels one by one where they overlap no placed label or obstacle and stay inside
    their region (display pixels); among fitting candidates it prefers the one covering the
    fewest "soft" points (curve samples), then the earliest."""

    def __init__(self, fig: Any):
        from matplotlib.transforms import Bbox

        self.fig = fig
        self.renderer = fig.canvas.get_renderer()
        self.boxes: list[Any] = []
        self.soft = np.empty((0, 2))
        self._rel: dict[tuple, np.ndarray] = {}
        w, h = fig.canvas.get_width_height()
        self.canvas = Bbox.from_extents(3, 3, w - 3, h - 3)

    def extent(self, text: Any) -> Any:
        """The text's box in display pixels. A text's box only moves with its anchor, so the
        box relative to the anchor is measured once per text, alignment and size."""
        from matplotlib.text import Annotation, Text
        from matplotlib.transforms import Bbox

        if isinstance(text, Annotation):  # its text position follows xy and the offset
            text.update_positions(self.renderer)
        anchor = text.get_transform().transform(text.get_unitless_position())
        key = (
            id(text),
            text.get_text(),
            text.get_ha(),
            text.get_va(),
            text.get_fontsize(),
            text.get_rotation(),
            text.get_rotation_mode(),
        )
        rel = self._rel.get(key)
        if rel is None or not np.all(np.isfinite(anchor)):
            bb = Text.get_window_extent(text, self.renderer)
            if np.all(np.isfinite(anchor)):
                self._rel[key] = bb.extents - np.tile(anchor, 2)
            return bb
        return Bbox.from_extents(*(rel + np.tile(anchor, 2)))

    def block(self, bbox: Any) -> None:
        """Keep labels off ``bbox`` (display pixels)."""
        if bbox is not None and np.all(np.isfinite(bbox.extents)) and bbox.width > 0:
            self.boxes.append(bbox)

    def block_text(self, text: Any) -> None:
        if text is not None and text.get_visible() and text.get_text().strip():
            self.block(self.extent(text))

    def avoid(self, xy_display: np.ndarray) -> None:
        """Prefer not to cover these display points (polylines: pass them densified)."""
        pts = np.asarray(xy_display, dtype=float).reshape(-1, 2)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts):
            self.soft = np.vstack([self.soft, pts])

    def _inside(self, bb: Any, region: Any) -> bool:
        for r in (region, self.canvas):
            if r is not None and (bb.x0 < r.x0 or bb.y0 < r.y0 or bb.x1 > r.x1 or bb.y1 > r.y1):
                return False
        return True

    def _soft_cost(self, bb: Any) -> int:
        if not len(self.soft):
            return 0
        s = self.soft
        return int(
            np.count_nonzero(
                (s[:, 0] >= bb.x0 - 1)
                & (s[:, 0] <= bb.x1 + 1)
                & (s[:, 1] >= bb.y0 - 1)
                & (s[:, 1] <= bb.y1 + 1)
            )
        )

    def place(
        self,
        text: Any,
        candidates: Sequence[Callable[[Any], None]],
        region: Any = None,
        soft: bool = True,
    ) -> bool:
        """Try each candidate (a function moving ``text``); keep the best that fits. False (and
        the least-overlapping candidate kept) when none fits."""
        best: tuple[float, int] | None = None
        fallback: tuple[float, int] | None = None
        obstacles = np.array([o.extents for o in self.boxes]).reshape(-1, 4)
        for i, move in enumerate(candidates):
            move(text)
            bb = self.extent(text)
            if not self._inside(bb, region):
                continue
            w = np.minimum(obstacles[:, 2], bb.x1) - np.maximum(obstacles[:, 0], bb.x0) + PAD_PX
            h = np.minimum(obstacles[:, 3], bb.y1) - np.maximum(obstacles[:, 1], bb.y0) + PAD_PX
            hard = float(np.sum(np.where((w > 0) & (h > 0), w * h, 0.0)))
            if hard > 0:
                if fallback is None or hard < fallback[0]:
                    fallback = (hard, i)
                continue
            cost = self._soft_cost(bb) if soft else 0
            if best is None or cost < best[0]:
                best = (cost, i)
            if cost == 0:
                break
        chosen = best or fallback
        if chosen is None:
            candidates[0](text)
        else:
            candidates[chosen[1]](text)
        self.block(self.extent(text))
        return best is not None


class HandLaid:
    """Base of the renderers that lay a figure out by hand on a fixed ``width`` x ``height``
    inch canvas (``inch_axes``): a title on top and notes at the bottom (``frame``), lines the
    labels keep off (``line``), and labels queued (``label``) and placed last (``place_labels``)
    at the first free one of their anchors, then on rings around the first, then anywhere."""

    font = 11.0

    def __init__(self, fig: Any, width: float, height: float):
        self.fig, self.w, self.h = fig, width, height
        fig.set_size_inches(width, height)
        self.ax, self.d = inch_axes(fig, width, height), fig.dpi
        self.placer = Placer(fig)
        self.pending: list[tuple] = []  # labels placed last, after every line is known

    def frame(self, title: str | None, notes: Sequence[str]) -> tuple[float, float]:
        """Draw ``title`` on top and ``notes`` at the bottom; the (bottom, top) left between."""
        fig, top, bottom = self.fig, self.h - 0.12, 0.12
        if title:
            t = wrap_to_width(fig, safe_text(title), 13, (self.w - 0.4) * self.d)
            txt = fig.text(0.5, top / self.h, t, ha="center", va="top", fontsize=13)
            self.placer.block_text(txt)
            top -= text_size(fig, t, 13)[1] / self.d + 0.1
        for note in reversed(notes):
            t = wrap_to_width(fig, safe_text(note), self.font, (self.w - 0.4) * self.d)
            txt = self.ax.text(self.w / 2, bottom, t, ha="center", va="bottom", fontsize=self.font)
            self.placer.block_text(txt)
            bottom += text_size(fig, t, self.font)[1] / self.d + 0.05
        return bottom, top

    def line(self, pts, soft: bool = True, **kw) -> None:
        """Plot the polyline ``pts`` (inches); ``soft``: labels keep off it."""
        pts = np.asarray(pts, dtype=float)
        self.ax.plot(pts[:, 0], pts[:, 1], **kw)
        if soft:
            self.placer.avoid(densify(pts * self.d))

    def label(self, text: str | None, anchors, size: float | None = None, **kw) -> None:
        """Queue ``text`` near the first free one of ``anchors`` ((x, y, ha, va) in inches)."""
        if text:
            self.pending.append((text, anchors, size or self.font, kw))

    def place_labels(self) -> None:
        for text, anchors, size, kw in self.pending:
            self._place(text, anchors, size, kw)
        self.pending = []

    def _place(self, text: str, anchors, size: float, kw: dict) -> None:
        t = self.ax.text(0, 0, safe_text(text), fontsize=size, zorder=6, **kw)
        moves = [
            _moved_to(x, y, ha, va, fs)
            for fs in (size, max(MIN_FONT, size - 1.5))
            for x, y, ha, va in anchors
        ]
        x0, y0 = anchors[0][0], anchors[0][1]
        for r in (0.3, 0.5, 0.75, 1.0, 1.4, 2.0):
            for k in range(12):
                a = 2 * math.pi * k / 12
                at = (x0 + r * math.cos(a), y0 + r * math.sin(a))
                moves.append(_moved_to(*at, "center", "center", MIN_FONT))
        for gx in np.linspace(0.5, self.w - 0.5, 12):
            for gy in np.linspace(0.3, self.h - 0.3, 12):
                moves.append(_moved_to(gx, gy, "center", "center", MIN_FONT))
        self.placer.place(t, moves)


def _moved_to(x: float, y: float, ha: str, va: str, fs: float):
    def move(t: Any) -> None:
        t.set_position((float(x), float(y)))
        t.set_ha(ha)
        t.set_va(va)
        t.set_fontsize(fs)

    return move


def ring_offsets(radii: Sequence[float], n_angles: int = 8) -> list[tuple[float, float, str, str]]:
    """Offsets (points) around an anchor with the alignment that keeps text on that side."""
    out = []
    base = [math.pi / 4, 3 * math.pi / 4, -math.pi / 4, -3 * math.pi / 4, 0, math.pi, math.pi / 2]
    base.append(-math.pi / 2)
    extra = [k * 2 * math.pi / n_angles + math.pi / n_angles for k in range(n_angles)]
    for r in radii:
        for a in base + (extra if r > radii[0] else []):
            c, s = math.cos(a), math.sin(a)
            ha = "left" if c > 0.3 else "right" if c < -0.3 else "center"
            va = "bottom" if s > 0.3 else "top" if s < -0.3 else "center"
            out.append((r * c, r * s, ha, va))
    return out


def annotation_moves(offsets: Sequence[tuple[float, float, str, str]]) -> list[Callable]:
    """Candidate moves for an ``ax.annotate`` label with offset-point placement."""

    def make(dx: float, dy: float, ha: str, va: str) -> Callable:
        def move(t: Any) -> None:
            t.xyann = (dx, dy)
            t.set_ha(ha)
            t.set_va(va)

        return move

    return [make(*o) for o in offsets]


def densify(xy: np.ndarray, step: float = 4.0) -> np.ndarray:
    """Points along a display-space polyline every ``step`` pixels (NaN breaks it)."""
    xy = np.asarray(xy, dtype=float)
    out = [xy]
    for a, b in zip(xy[:-1], xy[1:]):
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        n = int(min(np.hypot(*(b - a)) / step, 400))
        if n > 1:
            t = np.linspace(0, 1, n)[1:-1, None]
            out.append(a + (b - a) * t)
    return np.vstack(out)


def wrap_to_width(fig: Any, text: str, size: float, width_px: float, weight="normal") -> str:
    """``text`` wrapped at word boundaries so each line fits ``width_px`` (if words allow)."""
    full = text_size(fig, text, size, weight)[0]
    if full <= width_px or "$" in text:
        return text
    longest = max(len(line) for line in text.split("\n"))
    chars = max(int(longest * width_px / full) + 1, 6)  # about where it fits, then down
    for n in range(chars, 5, -1):
        wrapped = "\n".join(textwrap.wrap(text, n)) or text
        if text_size(fig, wrapped, size, weight)[0] <= width_px:
            return wrapped
    return "\n".join(textwrap.wrap(text, 6)) or text


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


def as_number(value: Any) -> float | None:
    """``value`` as a float (a number or its text), None where it is none."""
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _ordered_ends(data: Any) -> Any:
    """``data`` with ``x_from`` and ``x_to`` in increasing order: a model that writes an interval
    from its right end ("from 10 down to 0") means the same interval."""
    if isinstance(data, dict):
        lo, hi = as_number(data.get("x_from")), as_number(data.get("x_to"))
        if lo is not None and hi is not None and lo > hi:
            data = {**data, "x_from": data["x_to"], "x_to": data["x_from"]}
    return data


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


Number = Annotated[float, Field(ge=-LIM, le=LIM)]
Label = Annotated[str, Field(max_length=60)]
Cell = Annotated[str, Field(max_length=40)]
Formula = Annotated[str, Field(min_length=1, max_length=MAX_CHARS)]
LineStyle = Literal["solid", "dashed", "dotted"]
_LS = {"solid": "-", "dashed": "--", "dotted": ":"}
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _formula(v: str) -> str:
    try:
        return check_expr(v)
    except ValueError as exc:
        # a formula in the problem's own variable ("0.005*v**2" for a drag F(v)): the plot's
        # horizontal axis is that variable, so it is x; only a sole short name, with no x
        try:
            names = free_names(v)
        except ValueError:
            raise exc from None
        name = names.pop() if len(names) == 1 else ""
        if not re.fullmatch(r"[A-Za-z]{1,2}", name) or name == "x":
            raise
        try:
            return check_expr(re.sub(rf"\b{name}\b", "x", v))
        except ValueError:
            raise exc from None


class Curve(_Part):
    expr: Formula
    """y as a formula in x, Python syntax: 'x**2 - 3*x + 2', 'sin(x)', 'exp(-x/2)', '27/x'."""
    label: Label | None = None
    """Legend text, e.g. 'y = e^x'; empty for none."""
    x_from: Number | None = None
    """Draw from this x only (the curve's stated domain); empty: the whole x-range."""
    x_to: Number | None = None
    """Draw up to this x only; empty: the whole x-range."""
    style: LineStyle = "solid"
    """Line style."""

    @field_validator("expr")
    @classmethod
    def _check(cls, v: str) -> str:
        return _formula(v)

    @model_validator(mode="before")
    @classmethod
    def _ends(cls, data: Any) -> Any:
        data = _ordered_ends(data)
        if isinstance(data, dict) and as_number(data.get("x_from")) is not None:
            if as_number(data.get("x_from")) == as_number(data.get("x_to")):
                # a domain of one point is a placeholder (0 to 0), not a domain: the whole range
                data = {**data, "x_from": None, "x_to": None}
        return data


class Series(_Part):
    kind: Literal["line", "scatter", "bar", "hist"] = "line"
    """line/scatter: points (x, y); bar: one bar per y; hist: y holds the raw data values."""
    x: list[Number] = Field(default_factory=list, max_length=200)
    """x values as stated (line, scatter, bar positions); empty for bars with categories."""
    y: list[Number] = Field(min_length=1, max_length=200)
    """y values as stated (bar heights; for hist the data values)."""
    categories: list[Label] = Field(default_factory=list, max_length=30)
    """Bar names written under the bars, e.g. ['Year 0', 'Year 1']; empty for none."""
    label: Label | None = None
    """Legend text; empty for none."""
    show_values: bool = False
    """Write each stated value by its point ('(x, y)') or bar ('y'); not for hist."""
    bins: int = Field(10, ge=1, le=50)
    """Histogram bins (hist only)."""

    @model_validator(mode="after")
    def _shape(self) -> Series:
        n = len(self.y)
        if self.kind in ("line", "scatter") and len(self.x) != n:
            raise ValueError(f"a {self.kind} series needs as many x values as y values")
        if self.kind == "bar":
            if self.x and len(self.x) != n:
                raise ValueError("bar x positions must match the y values one to one")
            if self.categories and len(self.categories) != n:
                raise ValueError("bar categories must match the y values one to one")
            if n > 30:
                raise ValueError("at most 30 bars in one series")
        if self.kind != "bar" and self.categories:
            raise ValueError("categories are for bar series only")
        if self.show_values and self.kind != "hist" and n > 30:
            raise ValueError("show_values is for series of at most 30 values")
        return self

    def value_texts(self) -> list[str]:
        if not self.show_values or self.kind == "hist":
            return []
        if self.kind == "bar":
            return [fmt_number(v) for v in self.y]
        return [f"({fmt_number(a)}, {fmt_number(b)})" for a, b in zip(self.x, self.y)]


class Point(_Part):
    x: Number
    """x of the stated point."""
    y: Number
    """y of the stated point."""
    label: Label | None = None
    """Text by the point, e.g. 'A', '(1, 1)', 'Equilibrium'; empty for none."""
    hollow: bool = False
    """Open circle (an excluded point) instead of a filled dot."""


class RefLine(_Part):
    kind: Literal["vertical", "horizontal"]
    """vertical: x = at; horizontal: y = at (asymptotes, boundaries)."""
    at: Number
    """Where the line is: the x (vertical) or y (horizontal) the problem states."""
    label: Label | None = None
    """Text by the line, e.g. 'x = 2'; empty for none."""
    style: LineStyle = "dashed"
    """Line style."""


class Shade(_Part):
    top: Formula
    """Upper boundary as a formula in x, e.g. 'exp(x)'."""
    bottom: Formula = "0"
    """Lower boundary as a formula in x; '0' for the x-axis."""
    x_from: Number
    """Left end of the shaded interval."""
    x_to: Number
    """Right end of the shaded interval."""
    label: Label | None = None
    """Text inside the region, e.g. 'R'; empty for none."""

    @field_validator("top", "bottom")
    @classmethod
    def _check(cls, v: str) -> str:
        return _formula(v)

    @model_validator(mode="before")
    @classmethod
    def _ends(cls, data: Any) -> Any:
        return _ordered_ends(data)

    @model_validator(mode="after")
    def _ordered(self) -> Shade:
        if self.x_from >= self.x_to:
            raise ValueError("shade x_from must be less than x_to")
        return self


class Riemann(_Part):
    expr: Formula
    """The function whose Riemann sum is drawn, a formula in x."""
    x_from: Number
    """Left end of the interval."""
    x_to: Number
    """Right end of the interval."""
    n: int = Field(ge=1, le=60)
    """Number of subintervals."""
    rule: Literal["left", "right", "midpoint", "trapezoid"] = "left"
    """Sample points: left/right endpoints, midpoints, or trapezoids."""

    @field_validator("expr")
    @classmethod
    def _check(cls, v: str) -> str:
        return _formula(v)

    @model_validator(mode="before")
    @classmethod
    def _ends(cls, data: Any) -> Any:
        return _ordered_ends(data)

    def caption(self) -> str:
        """What the sum is, as a title: 'Trapezoidal rule on [0, 4], n = 8' (the interval and n
        a problem states)."""
        rule = {"left": "Left Riemann sum", "right": "Right Riemann sum"}.get(self.rule)
        rule = rule or {"midpoint": "Midpoint rule", "trapezoid": "Trapezoidal rule"}[self.rule]
        span = f"[{fmt_number(self.x_from)}, {fmt_number(self.x_to)}]"
        return f"{rule} on {span}, n = {self.n}"

    @model_validator(mode="after")
    def _ordered(self) -> Riemann:
        if self.x_from >= self.x_to:
            raise ValueError("riemann x_from must be less than x_to")
        return self


class Pie(_Part):
    labels: list[Label] = Field(min_length=1, max_length=12)
    """Slice names, in order."""
    values: list[Annotated[float, Field(ge=0, le=LIM)]] = Field(min_length=1, max_length=12)
    """Stated slice sizes, one per name (any unit; not percentages unless stated)."""
    show_values: bool = False
    """Write each stated value after its name: 'Neon (18)'."""

    @model_validator(mode="after")
    def _shape(self) -> Pie:
        if len(self.labels) != len(self.values):
            raise ValueError("pie labels and values must match one to one")
        if sum(self.values) <= 0:
            raise ValueError("pie values must not all be zero")
        return self

    def texts(self) -> list[str]:
        if self.show_values:
            return [f"{n} ({fmt_number(v)})" for n, v in zip(self.labels, self.values)]
        return list(self.labels)


def _cell_text(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and math.isfinite(v):
        return fmt_number(float(v))
    return "" if v is None else v


class Table(_Part):
    header: list[Cell] = Field(default_factory=list, max_length=10)
    """Column headings, e.g. ['Time (s)', 'Concentration (M)']; for a Punnett square or
    a grid with row names start with ''; empty for no header row."""
    rows: list[Annotated[list[Cell], Field(max_length=10)]] = Field(min_length=1, max_length=20)
    """Body rows, each a list of cell texts as stated ('' for an empty cell)."""
    first_column_header: bool = False
    """The first cell of each row is a row name (bold), e.g. Punnett gametes."""
    col_title: Label | None = None
    """Title over the columns, e.g. 'Column Player'; empty for none."""
    row_title: Label | None = None
    """Title beside the rows, e.g. 'Row Player'; empty for none."""
    shaded_cells: list[tuple[int, int]] = Field(default_factory=list, max_length=100)
    """[row, column] of body cells to shade (0-based), if the problem shades some."""

    @field_validator("header", mode="before")
    @classmethod
    def _header_text(cls, v: Any) -> Any:
        return [_cell_text(c) for c in v] if isinstance(v, list) else v

    @field_validator("rows", mode="before")
    @classmethod
    def _rows_text(cls, v: Any) -> Any:
        if not isinstance(v, list):
            return v
        return [[_cell_text(c) for c in r] if isinstance(r, list) else r for r in v]

    @model_validator(mode="after")
    def _header_once(self) -> Table:
        # a small model often writes the header again as the first body row (seen, seed 10)
        if self.header and len(self.rows) > 1 and self.rows[0] == self.header:
            self.rows = self.rows[1:]
        return self

    @model_validator(mode="after")
    def _fits(self) -> Table:
        # A cautious estimate at 9 pt (about 0.075 in a character): the renderer wraps cells
        # to fit 9.4 in wide; a table that would still be taller than the canvas is refused.
        grid = ([self.header] if self.header else []) + self.rows
        ncols = max(len(r) for r in grid)
        lens = [[len(r[c]) if c < len(r) else 0 for c in range(ncols)] for r in grid]
        widths = [max(row[c] for row in lens) * 0.075 + 0.14 for c in range(ncols)]
        if sum(widths) > 9.0:
            widths = [max(w * 9.0 / sum(widths), 0.6) for w in widths]
        height = sum(
            max(math.ceil(n * 0.075 / max(w - 0.14, 0.3)) or 1 for n, w in zip(row, widths)) * 0.16
            + 0.13
            for row in lens
        )
        if height > 6.8:
            raise ValueError(
                "table is too large to draw at a readable size: shorten the cells or give "
                "fewer rows"
            )
        return self

    def texts(self) -> list[str]:
        out = [t for t in (self.col_title, self.row_title) if t]
        out += [c for c in self.header if c.strip()]
        out += [c for r in self.rows for c in r if c.strip()]
        return out


# The parts of a plot scene drawn on axes or as a pie (the table is the other part).
_DRAWN_PARTS = ("curves", "series", "points", "lines", "shades", "riemann", "pie")


@register
class PlotScene(SceneSpec):
    """A plot with real axes (curves, data, points, lines, regions), a pie, and/or a table."""

    domain: Literal["plot"] = "plot"
    image_types: ClassVar[tuple[str, ...]] = (
        "universal - plot & chart",
        "universal - table / grid",
    )

    x_label: Label | None = None
    """x-axis label, e.g. 'Quantity (million lb)'; empty for none."""
    y_label: Label | None = None
    """y-axis label, e.g. 'Price ($/lb)'; empty for none."""
    x_min: Number | None = None
    """Left end of the x-range to show (the stated domain); empty: fit the content."""
    x_max: Number | None = None
    """Right end of the x-range to show; empty: fit the content."""
    y_min: Number | None = None
    """Bottom of the y-range to show; empty: fit the content."""
    y_max: Number | None = None
    """Top of the y-range to show; empty: fit the content."""
    grid: bool = True
    """Light grid lines on the plot."""
    curves: list[Curve] = Field(default_factory=list, max_length=6)
    """Function graphs y = f(x)."""
    series: list[Series] = Field(default_factory=list, max_length=6)
    """Data the problem states: line, scatter, bar or histogram."""
    points: list[Point] = Field(default_factory=list, max_length=16)
    """Marked points with their stated coordinates."""
    lines: list[RefLine] = Field(default_factory=list, max_length=8)
    """Vertical/horizontal lines: asymptotes, boundaries x = a."""
    shades: list[Shade] = Field(default_factory=list, max_length=4)
    """Shaded regions between two curves over an interval."""
    riemann: Riemann | None = None
    """Riemann-sum rectangles (or trapezoids) under a function; empty for none."""
    pie: Pie | None = None
    """A pie chart; empty for none."""
    table: Table | None = None
    """A table or grid; empty for none."""

    @model_validator(mode="after")
    def _consistent(self) -> PlotScene:
        if self.has_axes() and self.pie and self.table:
            raise ValueError("draw at most two of: a plot, a pie, a table")
        if not (self.has_axes() or self.pie or self.table):
            raise ValueError(
                "a plot scene needs curves, series, points, lines, shades, "
                "riemann, a pie or a table"
            )
        for lo, hi, name in ((self.x_min, self.x_max, "x"), (self.y_min, self.y_max, "y")):
            if lo is not None and hi is not None and lo >= hi:
                raise ValueError(f"{name}_min must be less than {name}_max")
        if sum(len(s.value_texts()) for s in self.series) > 40:
            raise ValueError("at most 40 values written by show_values in all")
        return self

    def shown_title(self) -> str | None:
        """The title, else what a Riemann sum is (its rule and n: seen, seed 33, a trapezoid-rule
        problem's "n = 8" shown nowhere)."""
        return self.title or (self.riemann.caption() if self.riemann else None)

    def has_axes(self) -> bool:
        return bool(
            self.curves or self.series or self.points or self.lines or self.shades or self.riemann
        )

    def labels(self) -> list[str]:
        out: list[str] = [t for t in (self.shown_title(), self.x_label, self.y_label) if t]
        out += [c.label for c in self.curves if c.label]
        for s in self.series:
            out += [s.label] if s.label else []
            out += list(s.categories) + s.value_texts()
        out += [p.label for p in self.points if p.label]
        out += [ln.label for ln in self.lines if ln.label]
        out += [s.label for s in self.shades if s.label]
        if self.pie:
            out += self.pie.texts()
        if self.table:
            out += self.table.texts()
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _PlotDrawer(self, fig).draw()

    @classmethod
    def completed_by(cls, data: dict[str, Any], question: str) -> tuple[dict[str, Any], str] | None:
        # an empty plot for a problem that writes out a matrix or table (seen, seed 32: a 5x5
        # determinant's matrix answered with empty axes, twice): the table is the figure
        stated = stated_table(question)
        if stated is None or any(data.get(k) for k in (*_DRAWN_PARTS, "table")):
            return None
        header, rows = stated
        return {**data, "table": {"header": header, "rows": rows}}, "table"

    def aligned_to(self, question: str) -> PlotScene:
        # a table the problem writes out is its data (seen, seeds 17 and 18: a table of trials
        # drawn as a bar chart, a table of f(x, y) as an invented Riemann sum): it is the table
        stated = stated_table(question)
        if stated is None:
            return self._without_blank_table()
        if self.pie and self.has_axes():
            return self
        header, rows = stated
        if self.table is not None and (self.table.header, self.table.rows) == (header, rows):
            return self
        data = self.model_dump(exclude_none=True)
        data["table"] = {"header": header, "rows": rows}
        if not self._plots_the_table(rows):  # a plot of the model's own making goes
            for key in (*_DRAWN_PARTS, "x_label", "y_label"):
                data.pop(key, None)
        try:
            return PlotScene.model_validate(data)
        except ValueError:  # too large to draw at a readable size: the scene as written
            return self

    def _without_blank_table(self) -> PlotScene:
        """This plot without a table of its own making that is mostly empty cells (seen, seed
        33: a trapezoid-rule sum drawn right, beside a table of x = 0 and x = 4 over seven
        blank rows); kept where the table is the whole figure."""
        t = self.table
        if t is None or not (self.has_axes() or self.pie):
            return self
        cells = [c for r in t.rows for c in r]
        if sum(1 for c in cells if c.strip()) * 2 >= len(cells):
            return self
        return self.model_copy(update={"table": None})

    def _plots_the_table(self, rows: list[list[str]]) -> bool:
        """Whether the axes show only data series whose every value is a cell of ``rows``."""
        if not self.has_axes() or self.curves or self.riemann or self.shades or self.points:
            return False
        cells = {c.strip() for r in rows for c in r}
        values = [v for s in self.series for v in (*s.x, *s.y)]
        return all(fmt_number(float(v)) in cells for v in values)


# ---------------------------------------------------------------------------------------------
# A table stated in the problem
# ---------------------------------------------------------------------------------------------

_TABLE_ENV = re.compile(
    r"\\begin\{(?P<env>[bpvBV]?matrix|array|tabular)\}(?P<body>.*?)\\end\{(?P=env)\}", re.DOTALL
)
_TEX_WORD = re.compile(r"\\(?:text|mathrm|textbf|mathbf|operatorname)\s*\{([^{}]*)\}")
_TEX_SPACE = re.compile(r"\\(?:hline|,|;|:|!|quad|qquad)|\\hspace\*?\{[^{}]*\}")
_BARE_FRAC = re.compile(r"\\frac\s*([A-Za-z0-9])\s*([A-Za-z0-9])")
# a cell that states a value: numbers, pairs, tuples, fractions of numbers, ellipses
_VALUE_CELL = re.compile(r"^\$?[\d\s.,+\-−()/…⋮]*(?:\\frac\{\d+\}\{\d+\}[\d\s.,+\-−()]*)*\$?$")


def stated_table(question: str) -> tuple[list[str], list[list[str]]] | None:
    """(header, rows) of the one table (a TeX matrix, array or tabular) ``question`` writes out,
    cells as drawable texts; the first row is the header when fewer of its cells state values
    than the rows below. None when the problem writes no table, more than one, or one too large
    for a scene."""
    found = list(_TABLE_ENV.finditer(question))
    if len(found) != 1:
        return None
    body = found[0].group("body")
    if found[0].group("env") in ("array", "tabular"):
        body = _after_braces(body)  # the column spec, e.g. {|c|c|} or {r@{\hspace{20pt}}r}
    rows = [[_table_cell(c) for c in line.split("&")] for line in re.split(r"\\\\", body)]
    rows = [r for r in rows if any(r)]
    width = max((len(r) for r in rows), default=0)
    if len(rows) < 2 or not 2 <= width <= 10:
        return None
    if any("\\" in c and not c.startswith("$") for r in rows for c in r):
        return None  # TeX a label cannot show (\\le outside math, \\displaystyle cases): no table
    rows = [r + [""] * (width - len(r)) for r in rows]
    header: list[str] = []
    if len(rows) > 2 and _value_share(rows[0]) < min(_value_share(r) for r in rows[1:]):
        header, rows = rows[0], rows[1:]
    return (header, rows) if len(rows) <= 20 else None


def _after_braces(text: str) -> str:
    """``text`` without the brace group it starts with (nested braces counted)."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return text
    depth = 0
    for i, ch in enumerate(stripped):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return stripped[i + 1 :]
    return text


def _value_share(row: list[str]) -> float:
    filled = [c for c in row if c]
    return sum(1 for c in filled if _VALUE_CELL.match(c)) / max(len(filled), 1)


def _table_cell(tex: str) -> str:
    text = _TEX_SPACE.sub(" ", tex)
    text = _TEX_WORD.sub(r"\1", text).replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    text = _BARE_FRAC.sub(r"\\frac{\1}{\2}", text)
    text = text.replace("\\ldots", "…").replace("\\cdots", "…").replace("\\vdots", "⋮")
    text = re.sub(r"\s+", " ", text).strip().rstrip(",").strip()
    if "\\" in text or "^" in text or "_" in text:
        math = f"${text}$"
        return math if mathtext_ok(math) else text.replace("$", "")
    return text.replace("$", "")


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


def _same_formula(a: str, b: str) -> bool:
    from sciray.scene.expr import parse_expr

    try:
        return bool((parse_expr(a) - parse_expr(b)).expand() == 0)
    except Exception:
        return a.replace(" ", "") == b.replace(" ", "")


class _PlotDrawer:
    def __init__(self, scene: PlotScene, fig: Any):
        self.s, self.fig = scene, fig

    # --- figure and panels -------------------------------------------------------------------

    def draw(self) -> None:
        s, fig = self.s, self.fig
        kinds = [k for k, on in (("axes", s.has_axes()), ("pie", s.pie), ("table", s.table)) if on]
        table_size = None
        widths = {"axes": 6.0, "pie": 5.0}
        if s.table:
            table_size = self._table_layout(max_w_in=9.4 if len(kinds) == 1 else 4.8)
            widths["table"] = table_size["width_in"] + 0.4
        total_w = sum(widths[k] for k in kinds)
        fig_w = min(10.0, max(6.4 if kinds != ["table"] else 4.0, total_w))
        if kinds == ["table"]:
            fig_h = table_size["height_in"] + 0.5
        else:
            fig_h = 4.8 if len(kinds) == 1 else 5.0
            if table_size:
                fig_h = max(fig_h, table_size["height_in"] + 0.5)
        title_h = 0.0
        title_text = None
        if s.shown_title():
            title_text = wrap_to_width(fig, safe_text(s.shown_title()), 13, (fig_w - 0.4) * fig.dpi)
            title_h = text_size(fig, title_text, 13)[1] / fig.dpi + 0.15
        fig_h = min(8.0, max(3.0, fig_h + title_h))
        fig.set_size_inches(fig_w, fig_h)
        if title_text:
            fig.text(0.5, 1 - 0.08 / fig_h, title_text, ha="center", va="top", fontsize=13)
        # panel rectangles in inches (x0, y0, w, h), left to right
        avail_h = fig_h - title_h - 0.1
        scale = fig_w / max(total_w, 1e-9) if total_w > fig_w else 1.0
        extra = (fig_w - total_w * scale) / len(kinds)
        x = 0.0
        self.placer: Placer | None = None
        panels = {}
        for k in kinds:
            w = widths[k] * scale + extra
            panels[k] = (x, 0.05, w, avail_h - 0.05)
            x += w
        if "table" in panels:
            self._draw_table(panels["table"], table_size)
        if "pie" in panels:
            self._draw_pie(panels["pie"])
        if "axes" in panels:
            self._draw_axes(panels["axes"])

    def _frac(self, rect_in: tuple[float, float, float, float]) -> list[float]:
        w, h = self.fig.get_size_inches()
        x0, y0, rw, rh = rect_in
        return [x0 / w, y0 / h, rw / w, rh / h]

    def _panel_bbox(self, rect_in: tuple[float, float, float, float]) -> Any:
        from matplotlib.transforms import Bbox

        d = self.fig.dpi
        x0, y0, w, h = rect_in
        return Bbox.from_bounds(x0 * d, y0 * d, w * d, h * d)

    def _get_placer(self) -> Placer:
        if self.placer is None:
            self.placer = Placer(self.fig)
            for t in self.fig.texts:
                self.placer.block_text(t)
        return self.placer

    # --- table -----------------------------------------------------------------------------

    def _table_grid(self) -> list[list[str]]:
        t = self.s.table
        assert t is not None
        ncols = max([len(t.header)] + [len(r) for r in t.rows] + [1])
        grid = []
        if t.header:
            grid.append(list(t.header) + [""] * (ncols - len(t.header)))
        for r in t.rows:
            grid.append(list(r) + [""] * (ncols - len(r)))
        return grid

    def _table_layout(self, max_w_in: float) -> dict[str, Any]:
        fig, t = self.fig, self.s.table
        assert t is not None
        grid = self._table_grid()
        nrows, ncols = len(grid), len(grid[0])
        d = fig.dpi
        side = 0.35 if t.row_title else 0.0
        top = 0.35 if t.col_title else 0.0
        chosen = None
        for size in (12.0, 11.0, 10.0, MIN_FONT):
            pad = 0.14 * d
            cells = [[safe_text(c) for c in row] for row in grid]
            limit = (max_w_in - side) * d
            for _ in range(200):
                widths = [
                    max(
                        text_size(fig, cells[r][c], size, self._weight(r, c))[0]
                        for r in range(nrows)
                    )
                    + pad
                    for c in range(ncols)
                ]
                if sum(widths) <= limit:
                    break
                widest = int(np.argmax(widths))
                target = max(widths[widest] - pad - 0.3 * d, 0.6 * d)
                changed = False
                for r in range(nrows):
                    new = wrap_to_width(
                        fig,
                        cells[r][widest].replace("\n", " "),
                        size,
                        target,
                        self._weight(r, widest),
                    )
                    if new != cells[r][widest]:
                        cells[r][widest], changed = new, True
                if not changed:
                    break
            heights = [
                max(text_size(fig, cells[r][c], size)[1] for c in range(ncols)) + 0.9 * pad
                for r in range(nrows)
            ]
            chosen = (size, cells, widths, heights)
            if sum(widths) <= limit and sum(heights) / d + top <= 7.2:
                break
        size, cells, widths, heights = chosen
        th = sum(heights) / d
        row_title, rt_len = None, 0.0
        if t.row_title:  # written sideways: wrapped to the table's height where words allow
            row_title = wrap_to_width(
                fig, safe_text(t.row_title), size, max(th * d - 4, 1.6 * d), "bold"
            )
            rt_w, rt_h = text_size(fig, row_title, size, "bold")
            rt_len = rt_w / d
            side = rt_h / d + 0.12
        col_title = None
        if t.col_title:
            col_title = wrap_to_width(
                fig, safe_text(t.col_title), size, max(sum(widths), 3.0 * d), "bold"
            )
            top = text_size(fig, col_title, size, "bold")[1] / d + 0.1
        return {
            "size": size,
            "cells": cells,
            "widths": [w / d for w in widths],
            "heights": [h / d for h in heights],
            "side": side,
            "top": top,
            "row_title": row_title,
            "rt_len": rt_len,
            "col_title": col_title,
            "width_in": sum(widths) / d + side,
            "height_in": max(th, rt_len) + top,
        }

    def _weight(self, r: int, c: int) -> str:
        t = self.s.table
        assert t is not None
        if (t.header and r == 0) or (t.first_column_header and c == 0):
            return "bold"
        return "normal"

    def _draw_table(self, rect_in: tuple[float, float, float, float], lay: dict) -> None:
        from matplotlib.patches import Rectangle

        fig, t = self.fig, self.s.table
        assert t is not None
        ax = fig.add_axes(self._frac(rect_in))
        ax.set_axis_off()
        x0, y0, w, h = rect_in
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        tw, th = sum(lay["widths"]), sum(lay["heights"])
        left = (w - (tw + lay["side"])) / 2 + lay["side"]
        full = max(th, lay["rt_len"])
        top = h - max((h - (full + lay["top"])) / 2, 0) - lay["top"]
        shaded = {tuple(c) for c in t.shaded_cells}
        body0 = 1 if t.header else 0
        y = top
        for r, row in enumerate(lay["cells"]):
            x = left
            rh = lay["heights"][r]
            for c, text in enumerate(row):
                cw = lay["widths"][c]
                header = (t.header and r == 0) or (t.first_column_header and c == 0)
                face = "#dde6f0" if header else "white"
                if (r - body0, c) in shaded:
                    face = "#b9b9b9"
                ax.add_patch(
                    Rectangle((x, y - rh), cw, rh, facecolor=face, edgecolor="none", linewidth=0)
                )
                if text.strip():
                    ax.text(
                        x + cw / 2,
                        y - rh / 2,
                        text,
                        ha="center",
                        va="center",
                        fontsize=lay["size"],
                        fontweight=self._weight(r, c),
                        linespacing=1.1,
                    )
                x += cw
            y -= rh
        # one line per boundary (cell edges drawn twice would look thicker in places)
        xs = left + np.concatenate([[0.0], np.cumsum(lay["widths"])])
        ys = top - np.concatenate([[0.0], np.cumsum(lay["heights"])])
        segments = [[(xv, ys[0]), (xv, ys[-1])] for xv in xs]
        segments += [[(xs[0], yv), (xs[-1], yv)] for yv in ys]
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segments, colors="black", linewidths=1.0))
        if lay["col_title"]:
            ax.text(
                left + tw / 2,
                top + 0.06,
                lay["col_title"],
                ha="center",
                va="bottom",
                fontsize=lay["size"],
                fontweight="bold",
            )
        if lay["row_title"]:  # centred on the table, or hanging from its top when longer
            y_mid = top - max(th, lay["rt_len"]) / 2
            ax.text(
                left - 0.06,
                y_mid,
                lay["row_title"],
                ha="right",
                va="center",
                rotation=90,
                fontsize=lay["size"],
                fontweight="bold",
                linespacing=1.1,
            )

    # --- pie -------------------------------------------------------------------------------

    def _draw_pie(self, rect_in: tuple[float, float, float, float]) -> None:
        pie = self.s.pie
        assert pie is not None
        fig = self.fig
        ax = fig.add_axes(self._frac(rect_in))
        ax.set_aspect("equal")
        ax.set_axis_off()
        colors = [_COLORS[i % len(_COLORS)] for i in range(len(pie.values))]
        wedges, *_ = ax.pie(
            pie.values,
            startangle=90,
            counterclock=False,
            colors=colors,
            wedgeprops={"edgecolor": "white", "linewidth": 1.2, "alpha": 0.85},
        )
        ax.set_xlim(-1.9, 1.9)
        ax.set_ylim(-1.6, 1.6)
        placer = self._get_placer()
        region = self._panel_bbox(rect_in)
        for wedge, text in zip(wedges, pie.texts()):
            mid = math.radians((wedge.theta1 + wedge.theta2) / 2)
            label = ax.text(0, 0, safe_text(text), fontsize=11)
            moves = []
            for r in (1.12, 1.3, 1.5):
                for da in (0, 8, -8, 16, -16, 26, -26):
                    a = mid + math.radians(da)
                    moves.append(self._pie_move(r * math.cos(a), r * math.sin(a), math.cos(a)))
            placer.place(label, moves, region=region, soft=False)

    @staticmethod
    def _pie_move(x: float, y: float, c: float) -> Callable:
        def move(t: Any) -> None:
            t.set_position((x, y))
            t.set_ha("left" if c > 0.2 else "right" if c < -0.2 else "center")
            t.set_va("center")

        return move

    # --- axes ------------------------------------------------------------------------------

    def _x_range(self) -> tuple[float, float]:
        s = self.s
        xs: list[float] = []
        for c in s.curves:
            xs += [v for v in (c.x_from, c.x_to) if v is not None]
        for se in s.series:
            if se.kind == "hist":
                xs += [min(se.y), max(se.y)]
            elif se.kind == "bar":
                pos = se.x or list(range(len(se.y)))
                xs += [min(pos) - 0.5, max(pos) + 0.5]
            else:
                xs += list(se.x)
        xs += [p.x for p in s.points]
        xs += [ln.at for ln in s.lines if ln.kind == "vertical"]
        for sh in s.shades:
            xs += [sh.x_from, sh.x_to]
        if s.riemann:
            xs += [s.riemann.x_from, s.riemann.x_to]
        lo = s.x_min if s.x_min is not None else (min(xs) if xs else -5.0)
        hi = s.x_max if s.x_max is not None else (max(xs) if xs else 5.0)
        data = self._stated_x()  # stated data is always in view, whatever the stated range
        if data:
            lo, hi = min(lo, min(data)), max(hi, max(data))
        if hi <= lo:
            if s.x_min is not None:
                hi = lo + 2
            elif s.x_max is not None:
                lo = hi - 2
            else:
                lo, hi = lo - 1, hi + 1
        pad = 0.05 * (hi - lo)
        return lo - pad, hi + pad

    def _stated_x(self) -> list[float]:
        s = self.s
        xs = [p.x for p in s.points] + [ln.at for ln in s.lines if ln.kind == "vertical"]
        for se in s.series:
            if se.kind in ("line", "scatter"):
                xs += list(se.x)
            elif se.kind == "bar":
                pos = se.x or list(range(len(se.y)))
                xs += [min(pos) - 0.5, max(pos) + 0.5]
            else:
                xs += [min(se.y), max(se.y)]
        return xs

    def _curve_xy(self, expr: str, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        xs = np.linspace(lo, hi, SAMPLES)
        return xs, compile_expr(expr)(xs)

    def _y_range(
        self, curves: list[tuple[np.ndarray, np.ndarray]], extra: list[float], need_zero: bool
    ) -> tuple[float, float]:
        s = self.s
        ys = list(extra)
        finite = [y[np.isfinite(y)] for _, y in curves]
        allc = np.concatenate(finite) if finite else np.empty(0)
        if len(allc):
            q_lo, q_hi = np.percentile(allc, [2, 98])
            spread = max(q_hi - q_lo, 1e-9)
            ys += [max(allc.min(), q_lo - 0.35 * spread), min(allc.max(), q_hi + 0.35 * spread)]
        if need_zero:
            ys.append(0.0)
        lo = s.y_min if s.y_min is not None else (min(ys) if ys else -5.0)
        hi = s.y_max if s.y_max is not None else (max(ys) if ys else 5.0)
        data = [p.y for p in s.points] + [ln.at for ln in s.lines if ln.kind == "horizontal"]
        data += [v for se in s.series if se.kind != "hist" for v in se.y]
        if data:  # stated data is always in view
            lo, hi = min(lo, min(data)), max(hi, max(data))
        if hi <= lo:
            if s.y_min is not None:
                hi = lo + 2
            elif s.y_max is not None:
                lo = hi - 2
            else:
                lo, hi = lo - 1, hi + 1
        span = hi - lo
        # stated ends get a sliver of room (a boundary on the frame is hard to see)
        lo -= (0.03 if s.y_min is not None else 0.07) * span
        hi += (0.03 if s.y_max is not None else 0.07) * span
        return lo, hi

    def _draw_axes(self, rect_in: tuple[float, float, float, float]) -> None:
        s, fig = self.s, self.fig
        ax = fig.add_axes(self._frac(rect_in))
        self.ax = ax
        xlo, xhi = self._x_range()
        # sample everything once
        curve_data = []
        for c in s.curves:
            lo = max(xlo, c.x_from) if c.x_from is not None else xlo
            hi = min(xhi, c.x_to) if c.x_to is not None else xhi
            if hi > lo:
                curve_data.append((c, *self._curve_xy(c.expr, lo, hi)))
        shade_data = []
        for sh in s.shades:
            lo, hi = max(xlo, sh.x_from), min(xhi, sh.x_to)
            if hi > lo:
                xs = np.linspace(lo, hi, SAMPLES)
                shade_data.append((sh, xs, compile_expr(sh.top)(xs), compile_expr(sh.bottom)(xs)))
        riemann = self._riemann_shapes()
        extra: list[float] = []
        for se in s.series:
            if se.kind != "hist":
                extra += list(se.y)
        extra += [p.y for p in s.points]
        extra += [ln.at for ln in s.lines if ln.kind == "horizontal"]
        for _, _, top, bot in shade_data:
            extra += [
                float(v)
                for v in (np.nanmin(top), np.nanmax(top), np.nanmin(bot), np.nanmax(bot))
                if np.isfinite(v)
            ]
        for poly in riemann:
            extra += [float(v) for v in poly[:, 1]]
        hists = [se for se in s.series if se.kind == "hist"]
        need_zero = bool(shade_data or riemann or hists or any(se.kind == "bar" for se in s.series))
        if hists:
            for se in hists:
                counts, _ = np.histogram(se.y, bins=se.bins)
                extra.append(float(counts.max()))
        ylo, yhi = self._y_range([(x, y) for _, x, y in curve_data], extra, need_zero)
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(ylo, yhi)
        span = yhi - ylo
        if s.grid:
            ax.grid(True, color="#dddddd", linewidth=0.7, zorder=0)
            ax.set_axisbelow(True)
        if ylo < 0 < yhi:
            ax.axhline(0, color="black", linewidth=0.9, zorder=1)
        if xlo < 0 < xhi and (s.curves or s.shades or s.riemann):
            ax.axvline(0, color="black", linewidth=0.9, zorder=1)
        color_i = 0
        soft_lines: list[tuple[np.ndarray, np.ndarray]] = []
        # shades and riemann first (under the curves)
        for sh, xs, top, bot in shade_data:
            ok = np.isfinite(top) & np.isfinite(bot)
            ax.fill_between(
                xs, bot, top, where=ok, color="#7fb3e0", alpha=0.45, linewidth=0, zorder=2
            )
        from matplotlib.patches import Polygon

        for poly in riemann:
            ax.add_patch(
                Polygon(
                    poly,
                    closed=True,
                    facecolor="#f6c48f",
                    edgecolor="#b36200",
                    linewidth=1.0,
                    alpha=0.8,
                    zorder=2,
                )
            )
        handles = []
        for c, xs, ys in curve_data:
            ys = self._break_jumps(ys, ylo, yhi)
            color = _COLORS[color_i % len(_COLORS)]
            color_i += 1
            (line,) = ax.plot(
                xs,
                ys,
                _LS[c.style],
                color=color,
                linewidth=2.0,
                zorder=4,
                label=safe_text(c.label) if c.label else None,
            )
            soft_lines.append((xs, ys))
            if c.label:
                handles.append(line)
        if s.riemann and not any(_same_formula(c.expr, s.riemann.expr) for c in s.curves):
            xs, ys = self._curve_xy(s.riemann.expr, s.riemann.x_from, s.riemann.x_to)
            ys = self._break_jumps(ys, ylo, yhi)
            ax.plot(xs, ys, "-", color="#333333", linewidth=1.6, zorder=4)
            soft_lines.append((xs, ys))
        bar_series = [se for se in s.series if se.kind == "bar"]
        categories: list[tuple[float, str]] = []
        value_jobs: list[tuple[float, float, str, str]] = []  # x, y, text, kind
        for se in s.series:
            color = _COLORS[color_i % len(_COLORS)]
            color_i += 1
            label = safe_text(se.label) if se.label else None
            if se.kind == "line":
                (h,) = ax.plot(
                    se.x,
                    se.y,
                    "-o",
                    color=color,
                    linewidth=1.8,
                    markersize=5,
                    zorder=4,
                    label=label,
                )
                soft_lines.append((np.asarray(se.x), np.asarray(se.y)))
            elif se.kind == "scatter":
                h = ax.scatter(se.x, se.y, color=color, s=36, zorder=5, label=label)
            elif se.kind == "hist":
                _, _, h = ax.hist(
                    se.y,
                    bins=se.bins,
                    color=color,
                    alpha=0.75,
                    edgecolor="black",
                    zorder=3,
                    label=label,
                )
            else:
                k, j = len(bar_series), bar_series.index(se)
                pos = np.asarray(se.x if se.x else range(len(se.y)), dtype=float)
                step = np.min(np.diff(np.sort(pos))) if len(pos) > 1 else 1.0
                step = step if step > 0 else 1.0
                width = 0.8 * step / k
                xs = pos + (j - (k - 1) / 2) * width
                h = ax.bar(
                    xs,
                    se.y,
                    width=width,
                    color=color,
                    alpha=0.85,
                    edgecolor="black",
                    zorder=3,
                    label=label,
                )
                if se.categories:
                    categories += [(float(p), c) for p, c in zip(pos, se.categories)]
                for xv, yv, text in zip(xs, se.y, se.value_texts()):
                    value_jobs.append((float(xv), float(yv), text, "bar"))
            if se.kind in ("line", "scatter"):
                for xv, yv, text in zip(se.x, se.y, se.value_texts()):
                    value_jobs.append((float(xv), float(yv), text, "point"))
            if label:
                handles.append(h)
        for ln in s.lines:
            kw = {"color": "#555555", "linestyle": _LS[ln.style], "linewidth": 1.4, "zorder": 3}
            if ln.kind == "vertical":
                ax.axvline(ln.at, **kw)
            else:
                ax.axhline(ln.at, **kw)
        for p in s.points:
            ax.plot(
                [p.x],
                [p.y],
                "o",
                markersize=7,
                zorder=6,
                markerfacecolor="white" if p.hollow else "black",
                markeredgecolor="black",
                markeredgewidth=1.5,
            )
        if s.x_label:
            ax.set_xlabel(safe_text(s.x_label), fontsize=11)
        if s.y_label:
            ax.set_ylabel(safe_text(s.y_label), fontsize=11)
        self._fit_axes(ax, rect_in)
        cat_texts = []
        if categories:  # sized for the fitted axes, then the axes refitted around them
            cat_texts = self._draw_categories(ax, categories)
            for _ in range(2):
                self._fit_axes(ax, rect_in)
                self._arrange_categories(ax, cat_texts)
            self._fit_axes(ax, rect_in)
        legend = None
        if handles:
            legend = ax.legend(handles=handles, loc="best", fontsize=10, framealpha=0.9)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        if legend is not None:  # freeze where "best" put it: later labels must not move it
            bb = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
            legend.set_loc((bb.x0, bb.y0))
            legend.set_bbox_to_anchor(None)
            legend.borderaxespad = 0
        placer = self._get_placer()
        for t in [
            *ax.get_xticklabels(),
            *ax.get_yticklabels(),
            ax.xaxis.label,
            ax.yaxis.label,
            *cat_texts,
        ]:
            placer.block_text(t)
        if legend is not None:
            placer.block(legend.get_window_extent(renderer))
        to_disp = ax.transData.transform
        for xs, ys in soft_lines:
            pts = to_disp(np.column_stack([xs, ys]))
            placer.avoid(densify(pts))
        for ln in s.lines:
            if ln.kind == "vertical":
                pts = to_disp([[ln.at, ylo], [ln.at, yhi]])
            else:
                pts = to_disp([[xlo, ln.at], [xhi, ln.at]])
            placer.avoid(densify(pts))
        marker_boxes = []
        from matplotlib.transforms import Bbox

        for p in s.points:
            px, py = to_disp([[p.x, p.y]])[0]
            marker_boxes.append(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
        for se in s.series:
            if se.kind in ("line", "scatter"):
                for px, py in to_disp(np.column_stack([se.x, se.y])):
                    marker_boxes.append(Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
        for b in marker_boxes:
            placer.block(b)
        region = ax.get_window_extent(renderer).padded(-4)
        rings = ring_offsets([7, 14, 24, 36, 50])
        for p in s.points:
            if p.label:
                t = ax.annotate(
                    safe_text(p.label),
                    xy=(p.x, p.y),
                    xytext=(6, 6),
                    textcoords="offset points",
                    fontsize=11,
                    zorder=7,
                )
                self._place_with_fallback(t, rings, region)
        for xv, yv, text, kind in value_jobs:
            if kind == "bar":
                first = [(0, 3, "center", "bottom")] if yv >= 0 else [(0, -3, "center", "top")]
                offs = first + ring_offsets([8, 16, 26])
            else:
                offs = rings
            t = ax.annotate(
                safe_text(text),
                xy=(xv, yv),
                xytext=(0, 3),
                textcoords="offset points",
                fontsize=10,
                zorder=7,
            )
            self._place_with_fallback(t, offs, region)
        for ln in s.lines:
            if ln.label:
                self._label_line(ax, ln, (xlo, xhi, ylo, yhi), region)
        for sh, xs, top, bot in shade_data:
            if sh.label:
                self._label_shade(ax, sh, xs, top, bot, region, span)

    def _place_with_fallback(self, t: Any, offsets: list, region: Any) -> None:
        placer = self._get_placer()
        if placer.place(t, annotation_moves(offsets), region=region):
            return
        self.placer.boxes.pop()  # the unfit spot; try smaller and farther, with a leader line
        t.set_fontsize(MIN_FONT)
        far = ring_offsets([10, 20, 32, 46, 62, 80, 100], n_angles=16)
        if not placer.place(t, annotation_moves(far), region=region):
            placer.boxes.pop()
            placer.place(t, annotation_moves(far), region=None)

    def _label_line(self, ax: Any, ln: RefLine, view: tuple, region: Any) -> None:
        xlo, xhi, ylo, yhi = view
        placer = self._get_placer()
        anchors = []
        if ln.kind == "vertical":
            for f in (0.97, 0.85, 0.7, 0.55, 0.4, 0.25, 0.1):
                y = ylo + f * (yhi - ylo)
                anchors += [
                    ((ln.at, y), (4, 0, "left", "top")),
                    ((ln.at, y), (-4, 0, "right", "top")),
                ]
        else:
            for f in (0.97, 0.85, 0.7, 0.5, 0.3, 0.1):
                x = xlo + f * (xhi - xlo)
                anchors += [
                    ((x, ln.at), (0, 3, "right", "bottom")),
                    ((x, ln.at), (0, -3, "right", "top")),
                ]
        t = ax.annotate(
            safe_text(ln.label or ""),
            xy=anchors[0][0],
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=10,
            color="#333333",
            zorder=7,
        )

        def make(xy: tuple, off: tuple) -> Callable:
            def move(text: Any) -> None:
                text.xy = xy
                text.xyann = off[:2]
                text.set_ha(off[2])
                text.set_va(off[3])

            return move

        moves = [make(xy, off) for xy, off in anchors]
        if not placer.place(t, moves, region=region):
            placer.boxes.pop()
            t.set_fontsize(MIN_FONT)
            placer.place(t, moves, region=None)

    def _label_shade(self, ax: Any, sh: Shade, xs, top, bot, region: Any, span: float) -> None:
        placer = self._get_placer()
        moves = []
        n = len(xs)
        for f in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            i = min(int(f * (n - 1)), n - 1)
            if not (np.isfinite(top[i]) and np.isfinite(bot[i])):
                continue
            for g in (0.5, 0.35, 0.65, 0.2, 0.8):
                y = bot[i] + g * (top[i] - bot[i])
                moves.append(self._data_move((float(xs[i]), float(y))))
        if not moves:
            return
        t = ax.text(
            0,
            0,
            safe_text(sh.label or ""),
            fontsize=12,
            fontweight="bold",
            ha="center",
            va="center",
            zorder=7,
        )
        if not placer.place(t, moves, region=region, soft=True):
            placer.boxes.pop()
            t.set_fontsize(MIN_FONT)
            if not placer.place(t, moves, region=region):
                placer.boxes.pop()
                ring = annotation_moves(ring_offsets([10, 20, 32, 46, 62]))
                t.remove()
                i = n // 2
                y = float(bot[i] + 0.5 * (top[i] - bot[i]))
                a = ax.annotate(
                    safe_text(sh.label or ""),
                    xy=(float(xs[i]), y),
                    xytext=(6, 6),
                    textcoords="offset points",
                    fontsize=MIN_FONT,
                    fontweight="bold",
                    zorder=7,
                )
                placer.place(a, ring, region=None)

    @staticmethod
    def _data_move(xy: tuple[float, float]) -> Callable:
        def move(t: Any) -> None:
            t.set_position(xy)

        return move

    def _draw_categories(self, ax: Any, cats: list[tuple[float, str]]) -> list:
        from matplotlib.transforms import blended_transform_factory, offset_copy

        ax.tick_params(axis="x", labelbottom=False)
        ax.set_xticks(sorted({p for p, _ in cats}))
        trans = offset_copy(
            blended_transform_factory(ax.transData, ax.transAxes),
            fig=self.fig,
            y=-5,
            units="points",
        )
        texts = [
            ax.text(p, 0, safe_text(c), transform=trans, ha="center", va="top", fontsize=10)
            for p, c in cats
        ]
        return texts

    def _arrange_categories(self, ax: Any, texts: list) -> None:
        """The first of: level at 10 pt, level at 9 pt, slanted 30/60 degrees, upright, that
        keeps the category names apart at the axes' current width."""
        renderer = self.fig.canvas.get_renderer()

        def clash() -> bool:
            boxes = [t.get_window_extent(renderer) for t in texts]
            return any(_bbox_overlap(a, b) > 0 for i, a in enumerate(boxes) for b in boxes[i + 1 :])

        for rotation, size in (
            (0, 10),
            (0, MIN_FONT),
            (30, MIN_FONT),
            (60, MIN_FONT),
            (90, MIN_FONT),
        ):
            for t in texts:
                t.set_rotation(rotation)
                t.set_fontsize(size)
                t.set_ha("center" if rotation in (0, 90) else "right")
                t.set_rotation_mode("anchor" if rotation not in (0, 90) else "default")
            if not clash():
                break
        tallest = max(t.get_window_extent(renderer).height for t in texts)
        ax.xaxis.labelpad = tallest * 72 / self.fig.dpi + 8

    def _fit_axes(self, ax: Any, rect_in: tuple[float, float, float, float]) -> None:
        """Move the axes so its ticks, labels and texts fill the panel without leaving it."""
        renderer = self.fig.canvas.get_renderer()
        panel = self._panel_bbox(rect_in)
        pad = 6.0
        pos = [panel.x0 + 60, panel.y0 + 50, panel.x1 - 15, panel.y1 - 15]
        W, H = self.fig.canvas.get_width_height()
        for _ in range(4):
            ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])
            tight = ax.get_tightbbox(renderer)
            box = ax.get_window_extent(renderer)
            left, bottom = box.x0 - tight.x0, box.y0 - tight.y0
            right, top = tight.x1 - box.x1, tight.y1 - box.y1
            new = [
                panel.x0 + left + pad,
                panel.y0 + bottom + pad,
                panel.x1 - right - pad,
                panel.y1 - top - pad,
            ]
            new[2] = max(new[2], new[0] + 80)
            new[3] = max(new[3], new[1] + 60)
            if all(abs(a - b) < 0.5 for a, b in zip(new, pos)):
                break
            pos = new
        ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])

    @staticmethod
    def _break_jumps(ys: np.ndarray, ylo: float, yhi: float) -> np.ndarray:
        """NaN where a curve jumps across the view (an asymptote), so no false vertical line."""
        ys = np.array(ys, dtype=float)
        span = yhi - ylo
        d = np.abs(np.diff(ys))
        a, b = ys[:-1], ys[1:]
        cross = ((a > yhi) & (b < ylo)) | ((a < ylo) & (b > yhi))
        jump = (d > 2 * span) & (np.sign(a - (ylo + yhi) / 2) != np.sign(b - (ylo + yhi) / 2))
        idx = np.nonzero(cross | jump)[0]
        ys[idx + 1] = np.nan
        # clip far-off values so the renderer never sees huge coordinates
        far = np.isfinite(ys) & ((ys > yhi + 10 * span) | (ys < ylo - 10 * span))
        ys[far] = np.clip(ys[far], ylo - 10 * span, yhi + 10 * span)
        return ys

    def _riemann_shapes(self) -> list[np.ndarray]:
        r = self.s.riemann
        if r is None:
            return []
        f = compile_expr(r.expr)
        edges = np.linspace(r.x_from, r.x_to, r.n + 1)
        out = []
        for a, b in zip(edges[:-1], edges[1:]):
            if r.rule == "trapezoid":
                fa, fb = f(np.array([a, b]))
                if np.isfinite(fa) and np.isfinite(fb):
                    out.append(np.array([[a, 0], [a, fa], [b, fb], [b, 0]], dtype=float))
                continue
            x = {"left": a, "right": b, "midpoint": (a + b) / 2}[r.rule]
            h = float(f(np.array([x]))[0])
            if np.isfinite(h):
                out.append(np.array([[a, 0], [a, h], [b, h], [b, 0]], dtype=float))
        return out
