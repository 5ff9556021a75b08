"""Thermodynamics scenes: state diagrams (P-V, T-S, P-T) with named states and the processes
between them, heating/cooling curves with phase-change plateaus, heat engine / refrigerator /
heat pump schematics, gas or liquid in a cylinder or tank (piston, spring, pin, shaft,
partition), layered walls with heat flowing through them, and concentric pipes or shells.

The model states *what* is drawn: the states' stated coordinates, each process's kind, the
temperatures a heating curve passes, and the given values as labels; the renderer decides where
everything goes. Nothing derived is written: no work, efficiency or final state the problem
asks for. An isothermal or adiabatic process on a P-V diagram is drawn as the curve P*V^n =
const through its two stated end states (n from the states themselves, never a computed gamma).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.plot import (
    MIN_FONT,
    Placer,
    densify,
    fmt_number,
    ring_offsets,
    safe_text,
    text_size,
    wrap_to_width,
)
from sciray.scene.text import is_null_text

__all__ = [
    "Container",
    "Diagram",
    "Engine",
    "HeatingCurve",
    "Layer",
    "Process",
    "Segment",
    "Shells",
    "State",
    "ThermoScene",
    "Wall",
]

LIM = 1e9
Label = Annotated[str, Field(max_length=80)]
Name = Annotated[str, Field(min_length=1, max_length=12)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        # a small model writes "" / "none" / "null" for "no label"
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for key, value in data.items():
            field = cls.model_fields.get(key)
            optional = field is not None and type(None) in get_args(field.annotation)
            if optional and is_null_text(value):
                out[key] = None
        return out


def _texts(*items: str | None) -> list[str]:
    return [t for t in items if t and t.strip()]


def _unique(values: list[float]) -> list[float]:
    """The values as written once each (3.0 and 3 are one tick)."""
    seen: dict[str, float] = {}
    for v in values:
        seen.setdefault(fmt_number(v), v)
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


class State(_Part):
    name: Name
    """The state's name as the problem writes it, e.g. "A" or "1"."""
    x: float = Field(ge=-LIM, le=LIM)
    """Its horizontal coordinate as stated (on a P-V diagram the volume), e.g. 3.58."""
    y: float = Field(ge=-LIM, le=LIM)
    """Its vertical coordinate as stated (on a P-V diagram the pressure), e.g. 1.22."""
    label: Label | None = None
    """Extra text beside the state, only given values, e.g. "T = 300 K"; empty for none."""


class Process(_Part):
    start: Name
    """Name of the state the process starts at, e.g. "A"."""
    end: Name
    """Name of the state it ends at, e.g. "B"."""
    kind: Literal["line", "isobaric", "isochoric", "isothermal", "adiabatic"] = "line"
    """"isothermal"/"adiabatic" curve on a P-V diagram; every other kind is a straight line."""
    label: Label | None = None
    """Text beside the process, e.g. "isothermal" or "Q = 200 J"; empty for none."""
    arrow: bool = True
    """Draw an arrow on it pointing from start to end."""


class Diagram(_Part):
    axes: Literal["PV", "TS", "PT", "TV", "other"] = "PV"
    """Which quantities are plotted: "PV" (pressure up, volume across), "TS", "PT", ..."""
    x_label: Label = "V"
    """Horizontal axis title with unit as stated, e.g. "V (L)"."""
    y_label: Label = "P"
    """Vertical axis title with unit as stated, e.g. "P (atm)"."""
    states: list[State] = Field(default_factory=list, min_length=1, max_length=8)
    """The named states at their stated coordinates."""
    processes: list[Process] = Field(default_factory=list, max_length=10)
    """The processes between states, in the order of the cycle or path."""
    shade_cycle: bool = False
    """Shade the area inside a closed cycle (only when the problem asks for it)."""
    ticks: bool = True
    """Write the states' stated coordinate values on the axes; false for a sketch."""

    @model_validator(mode="after")
    def _consistent(self) -> Diagram:
        names = [s.name for s in self.states]
        if len(set(names)) != len(names):
            raise ValueError("states: each state needs its own name")
        for i, p in enumerate(self.processes):
            for end in (p.start, p.end):
                if end not in names:
                    raise ValueError(f"processes.{i}: unknown state {end!r} (states: {names})")
            if p.start == p.end:
                raise ValueError(f"processes.{i}: start and end are the same state")
        return self

    def texts(self) -> list[str]:
        out = _texts(self.x_label, self.y_label)
        if self.ticks:
            out += [fmt_number(v) for v in _unique([s.x for s in self.states])]
            out += [fmt_number(v) for v in _unique([s.y for s in self.states])]
        for s in self.states:
            out += _texts(s.name, s.label)
        return out + _texts(*(p.label for p in self.processes))


class Segment(_Part):
    to_temp: float = Field(ge=-LIM, le=LIM)
    """Temperature at the segment's end; the same as its start for a phase change plateau."""
    label: Label | None = None
    """The phase or change on this segment, e.g. "ice", "melting", "water"; empty for none."""


class HeatingCurve(_Part):
    start_temp: float = Field(ge=-LIM, le=LIM)
    """Temperature where the curve starts, e.g. -10."""
    segments: list[Segment] = Field(default_factory=list, min_length=1, max_length=9)
    """The segments in order, e.g. ice warming to 0, melting at 0, water warming to 100."""
    x_label: Label = "Heat added Q"
    """Horizontal axis title, e.g. "Heat added" or "Time"."""
    y_label: Label = "T (°C)"
    """Vertical axis title with unit, e.g. "T (°C)"."""

    def temps(self) -> list[float]:
        return [self.start_temp, *(s.to_temp for s in self.segments)]

    def texts(self) -> list[str]:
        temps = [fmt_number(v) for v in _unique(self.temps())]
        return _texts(self.x_label, self.y_label, *temps, *(s.label for s in self.segments))


class Engine(_Part):
    kind: Literal["engine", "refrigerator", "heat_pump"] = "engine"
    """"engine" (heat flows down, work out) or "refrigerator"/"heat_pump" (work in)."""
    hot_label: Label | None = "Hot reservoir"
    """Text in the hot reservoir box, e.g. "T_H = 500 K"."""
    cold_label: Label | None = "Cold reservoir"
    """Text in the cold reservoir box, e.g. "T_C = 300 K"."""
    device_label: Label | None = None
    """Text in the circle, e.g. "Engine"; empty for none."""
    q_hot_label: Label | None = None
    """Label of the heat arrow at the hot side, e.g. "Q_H = 1200 J"; empty for none."""
    q_cold_label: Label | None = None
    """Label of the heat arrow at the cold side, e.g. "Q_C"; empty for none."""
    work_label: Label | None = None
    """Label of the work arrow, e.g. "W"; empty for none."""

    def texts(self) -> list[str]:
        return _texts(
            self.hot_label, self.cold_label, self.device_label,
            self.q_hot_label, self.q_cold_label, self.work_label,
        )  # fmt: skip


class Container(_Part):
    orientation: Literal["horizontal", "vertical"] = "horizontal"
    """A horizontal cylinder/tank (contents on the right) or a vertical one (contents below)."""
    contents: Literal["gas", "liquid"] = "gas"
    """What fills the main part: "gas" (dotted) or "liquid" (blue)."""
    divider: Literal["piston", "partition", "none"] = "piston"
    """What separates the main part from the rest: a movable piston, a fixed partition, none."""
    main_label: Label | None = None
    """Text in the main part, e.g. "gas, P = 1.01×10⁵ Pa"; empty for none."""
    other_label: Label | None = None
    """Text in the other part, e.g. "vacuum" or "evacuated"; empty for none."""
    spring: bool = False
    """A spring in the other part pushing on the piston."""
    pin: bool = False
    """A pin holding the piston in place."""
    shaft: bool = False
    """A rod fixed to the piston, going out through the other part."""
    insulated: bool = False
    """Thick hatched walls (an insulated container)."""
    length_label: Label | None = None
    """Dimension along the main part (the whole body if divider is "none"), e.g. "24.0 cm"."""
    width_label: Label | None = None
    """Dimension across the container (diameter or radius), e.g. "r = 4.60 cm"."""
    piston_label: Label | None = None
    """Text beside the piston, e.g. "m = 25 kg"; empty for none."""
    heat_label: Label | None = None
    """Label of a heat arrow into the main part, e.g. "Q"; empty for no arrow."""

    @model_validator(mode="after")
    def _consistent(self) -> Container:
        if self.divider != "piston" and (self.spring or self.pin or self.shaft):
            raise ValueError("divider: a spring, pin or shaft needs divider 'piston'")
        if self.divider != "piston" and self.piston_label:
            raise ValueError("piston_label: there is no piston (divider is not 'piston')")
        return self

    def texts(self) -> list[str]:
        return _texts(
            self.main_label, self.other_label, self.length_label, self.width_label,
            self.piston_label, self.heat_label,
        )  # fmt: skip


class Layer(_Part):
    label: Label | None = None
    """The material and its stated property, e.g. "glass, k = 1.4 W/m·K"; empty for none."""
    thickness_label: Label | None = None
    """Its stated thickness, e.g. "0.5 cm"; empty for none."""


class Wall(_Part):
    layers: list[Layer] = Field(default_factory=list, min_length=1, max_length=5)
    """The layers from left (inside / hot side) to right."""
    left_label: Label | None = None
    """Condition on the left side, e.g. "inside 20 °C"; empty for none."""
    right_label: Label | None = None
    """Condition on the right side, e.g. "outside -20 °C"; empty for none."""
    flow_label: Label | None = None
    """Label of the heat-flow arrow through the wall, e.g. "q"; empty for no arrow."""

    def texts(self) -> list[str]:
        out = _texts(self.left_label, self.right_label, self.flow_label)
        for ly in self.layers:
            out += _texts(ly.label, ly.thickness_label)
        return out


class Shells(_Part):
    layers: list[Layer] = Field(default_factory=list, min_length=1, max_length=4)
    """The rings from the inside out: pipe wall, insulation, outer tube...; thickness_label
    is the ring's outer radius or diameter as stated, e.g. "D_o = 1.6 cm"."""
    inner_label: Label | None = None
    """Text in the centre, e.g. "steam 185 °C"; empty for none."""
    inner_size_label: Label | None = None
    """The stated inner radius or diameter, e.g. "D_i = 1.2 cm"; empty for none."""
    outer_label: Label | None = None
    """Text outside, e.g. "air 20 °C"; empty for none."""

    def texts(self) -> list[str]:
        out = _texts(self.inner_label, self.inner_size_label, self.outer_label)
        for ly in self.layers:
            out += _texts(ly.label, ly.thickness_label)
        return out


_PARTS = ("diagram", "heating_curve", "engine", "container", "wall", "shells")


@register
class ThermoScene(SceneSpec):
    """A thermodynamics figure: give exactly ONE of diagram (P-V and similar with states and
    processes), heating_curve, engine, container, wall or shells; notes hold other given data.
    Example: {"domain": "thermo", "diagram": {"x_label": "V (L)", "y_label": "P (atm)",
    "states": [{"name": "A", "x": 3.58, "y": 1.22}, {"name": "B", "x": 8.64, "y": 1.22}],
    "processes": [{"start": "A", "end": "B", "kind": "isobaric"}]}, "notes": []}."""

    domain: Literal["thermo"] = "thermo"
    diagram: Diagram | None = None
    """A P-V (or T-S, P-T) diagram with named states and processes; empty for none."""
    heating_curve: HeatingCurve | None = None
    """Temperature against heat added, with plateaus at phase changes; empty for none."""
    engine: Engine | None = None
    """Heat engine, refrigerator or heat pump between two reservoirs; empty for none."""
    container: Container | None = None
    """A cylinder or tank with gas or liquid, piston, spring, partition; empty for none."""
    wall: Wall | None = None
    """A wall of layers with heat flowing through it; empty for none."""
    shells: Shells | None = None
    """A cross-section of concentric pipes or shells; empty for none."""
    notes: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=5)
    """Other given data as short lines under the figure, e.g. "γ = 1.4"; [] for none."""

    image_types: ClassVar[tuple[str, ...]] = ("physics - thermodynamic",)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if is_null_text(data.get("title")):
            data["title"] = None
        for key in _PARTS:  # {} or "none" for an unused part
            if data.get(key) in ({}, []) or is_null_text(data.get(key)):
                data[key] = None
        if isinstance(data.get("notes"), list):
            data["notes"] = [t for t in data["notes"] if not is_null_text(t)]
        return data

    @model_validator(mode="after")
    def _one_part(self) -> ThermoScene:
        given = [k for k in _PARTS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(_PARTS)} (got {', '.join(given) or 'none'})"
            )
        return self

    def part(self) -> Any:
        return next(getattr(self, k) for k in _PARTS if getattr(self, k) is not None)

    def labels(self) -> list[str]:
        return _texts(self.title, *self.part().texts(), *self.notes)

    def draw(self, fig: Any) -> None:
        _Drawer(self, fig).draw()


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

_INK, _HOT, _COLD, _GAS, _LIQ = "#222222", "#d62728", "#1f77b4", "#eef3fb", "#9ecae1"
_AROUND = ring_offsets([6, 14])
_Job = tuple[str, list[tuple[float, float]], list[tuple[float, float, str, str]]]


def _moves(anchors: list[tuple[float, float]], offsets: list) -> list[Callable]:
    def make(xy: tuple[float, float], dx: float, dy: float, ha: str, va: str) -> Callable:
        def move(t: Any) -> None:
            t.xy = xy
            t.xyann = (dx, dy)
            t.set_ha(ha)
            t.set_va(va)

        return move

    return [make(xy, *o) for xy in anchors for o in offsets]


_CENTER = [(0, 0, "center", "center")]


class _Drawer:
    def __init__(self, scene: ThermoScene, fig: Any):
        self.s, self.fig, self.d = scene, fig, fig.dpi

    def draw(self) -> None:
        s, fig, d = self.s, self.fig, self.d
        fig.set_size_inches(6.4, 4.8)
        W, H = 6.4, 4.8
        inch = fig.dpi_scale_trans
        top = H - 0.05
        if s.title:
            title = wrap_to_width(fig, safe_text(s.title), 13, (W - 0.4) * d)
            fig.text(W / 2, top, title, ha="center", va="top", fontsize=13, transform=inch)
            top -= text_size(fig, title, 13)[1] / d + 0.1
        y = 0.08
        for note in reversed(s.notes):
            text = wrap_to_width(fig, safe_text(note), 10, (W - 0.4) * d)
            fig.text(0.2, y, text, ha="left", va="bottom", fontsize=10, transform=inch)
            y += text_size(fig, text, 10)[1] / d + 0.02
        self.rect = (0.0, y + 0.05, W, top - y - 0.05)
        self.placer = Placer(fig)
        for t in fig.texts:
            self.placer.block_text(t)
        self.region = self._px(self.rect)
        if s.diagram is not None:
            self._diagram(s.diagram)
        elif s.heating_curve is not None:
            self._heating(s.heating_curve)
        else:
            ax = self._sketch_axes()
            if s.engine is not None:
                self._engine(ax, s.engine)
            elif s.container is not None:
                self._container(ax, s.container)
            elif s.wall is not None:
                self._wall(ax, s.wall)
            else:
                self._shells(ax, s.shells)

    # --- shared -----------------------------------------------------------------------------

    def _px(self, rect: tuple[float, float, float, float]) -> Any:
        from matplotlib.transforms import Bbox

        x0, y0, w, h = rect
        return Bbox.from_bounds(x0 * self.d, y0 * self.d, w * self.d, h * self.d)

    def _sketch_axes(self) -> Any:
        """Axes over the main area whose data unit is one inch (so circles stay round)."""
        x0, y0, w, h = self.rect
        ax = self.fig.add_axes([x0 / 6.4, y0 / 4.8, w / 6.4, h / 4.8])
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        ax.axis("off")
        self.w, self.h = w, h
        return ax

    def _label(self, ax: Any, job: _Job, size: float = 11.0, color: str = _INK) -> Any:
        """Writes a label at the first fitting candidate; smaller, farther, then anywhere in
        the main area or on the canvas when none fits (never overlapping another label)."""
        text, anchors, offsets = job
        t = ax.annotate(
            safe_text(text), xy=anchors[0], xytext=(0, 0), textcoords="offset points",
            fontsize=size, color=color, zorder=7, annotation_clip=False,
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )  # fmt: skip
        p, region = self.placer, self.region
        if p.place(t, _moves(anchors, offsets), region=region):
            return t
        p.boxes.pop()
        t.set_fontsize(MIN_FONT)
        far = ring_offsets([10, 22, 36, 52, 70], n_angles=16)
        if p.place(t, _moves(anchors[:3], offsets + far), region=region):
            return t
        p.boxes.pop()
        base = ax.transData.transform(anchors[0])
        for area in (region, p.canvas):  # a grid of spots over the area, then the canvas
            grid = []
            for gy in np.arange(area.y1 - 6, area.y0, -8.0):
                for gx in np.arange(area.x0 + 4, area.x1, 10.0):
                    off = (np.array([gx, gy]) - base) * 72 / self.d
                    grid.append((float(off[0]), float(off[1]), "left", "top"))
            if p.place(t, _moves(anchors[:1], grid), region=area):
                return t
            p.boxes.pop()
        p.place(t, _moves(anchors[:1], offsets), region=None)
        return t

    def _arrow(
        self, ax: Any, a: tuple, b: tuple, color: str = _INK, style="-|>", lw=1.6, head=14
    ) -> None:
        ax.annotate(
            "", xy=b, xytext=a, zorder=5,
            arrowprops={"arrowstyle": style, "color": color, "lw": lw, "shrinkA": 0,
                        "shrinkB": 0, "mutation_scale": head},
        )  # fmt: skip
        self.placer.avoid(densify(ax.transData.transform([a, b])))

    def _avoid(self, ax: Any, xs: Any, ys: Any) -> None:
        self.placer.avoid(densify(ax.transData.transform(np.column_stack([xs, ys]))))

    # --- graphs -----------------------------------------------------------------------------

    def _graph_axes(self) -> Any:
        x0, y0, w, h = self.rect
        ax = self.fig.add_axes(
            [(x0 + 0.8) / 6.4, (y0 + 0.6) / 4.8, (w - 1.1) / 6.4, (h - 0.8) / 4.8]
        )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=9)
        return ax

    def _ticks(self, ax: Any, axis: str, values: list[float]) -> None:
        """Ticks at the stated values only, dropping one too close to a kept neighbour."""
        values = sorted(set(values))
        kept: list[float] = []
        lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
        span_px = (self.rect[2] - 1.3 if axis == "x" else self.rect[3] - 1.0) * self.d
        for v in values:
            text = fmt_number(v)
            w, h = text_size(self.fig, text, 9)
            need = (w + 8) if axis == "x" else (h + 4)
            if not kept or (v - kept[-1]) / (hi - lo) * span_px >= need:
                kept.append(v)
        setter = ax.set_xticks if axis == "x" else ax.set_yticks
        setter(kept, [fmt_number(v) for v in kept])

    def _write_ticks(self, ax: Any, axis: str, values: list[float]) -> None:
        """The stated values written as labels where their tick labels were (the checks read
        labels, not tick numbers); the axis titles stay where the fit put them."""
        renderer = self.fig.canvas.get_renderer()
        inv = ax.transAxes.inverted()
        xb = ax.xaxis.label.get_window_extent(renderer)
        yb = ax.yaxis.label.get_window_extent(renderer)
        ax.xaxis.set_label_coords(0.5, inv.transform((xb.x0, xb.y1))[1])
        ax.yaxis.set_label_coords(inv.transform((yb.x1, yb.y0))[0], 0.5)
        if axis == "x":
            ax.set_xticks(ax.get_xticks(), [""] * len(ax.get_xticks()))
            base = ax.get_ylim()[0]
            offs = [(0, -7 - 12 * k, "center", "top") for k in range(3)]
            jobs = [(fmt_number(v), [(v, base)], offs) for v in _unique(values)]
        else:
            ax.set_yticks(ax.get_yticks(), [""] * len(ax.get_yticks()))
            base = ax.get_xlim()[0]
            offs = [
                (-7, 0, "right", "center"),
                (-7, 7, "right", "bottom"),
                (-7, -7, "right", "top"),
            ]
            jobs = [(fmt_number(v), [(base, v)], offs) for v in _unique(values)]
        for job in jobs:
            self._label(ax, job, size=9.5)

    def _fit(self, ax: Any) -> None:
        """Move the axes so ticks and axis titles fill the main area without leaving it."""
        renderer = self.fig.canvas.get_renderer()
        panel = self.region
        W, H = self.fig.canvas.get_width_height()
        pos = [panel.x0 + 70, panel.y0 + 50, panel.x1 - 20, panel.y1 - 10]
        for _ in range(4):
            ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])
            tight, box = ax.get_tightbbox(renderer), ax.get_window_extent(renderer)
            new = [
                panel.x0 + box.x0 - tight.x0 + 6,
                panel.y0 + box.y0 - tight.y0 + 4,
                panel.x1 - max(tight.x1 - box.x1, 0) - 20,
                panel.y1 - max(tight.y1 - box.y1, 0) - 10,
            ]
            new[2] = max(new[2], new[0] + 80)
            new[3] = max(new[3], new[1] + 40)
            if all(abs(a - b) < 0.5 for a, b in zip(new, pos)):
                break
            pos = new
        ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])
        for t in (ax.xaxis.label, ax.yaxis.label):  # tick labels: replaced by _write_ticks
            if t.get_visible() and t.get_text().strip():
                self.placer.block(t.get_window_extent(renderer))

    @staticmethod
    def _limits(values: list[float], from_zero: bool) -> tuple[float, float]:
        lo, hi = min(values), max(values)
        if from_zero and lo > 0:
            lo = 0.0
        span = hi - lo or max(abs(hi), 1.0)
        return lo - (0.04 if from_zero and lo == 0 else 0.12) * span, hi + 0.15 * span

    @staticmethod
    def _path(dg: Diagram, p: Process, a: State, b: State) -> tuple[np.ndarray, np.ndarray]:
        """A process's points: P*V^n = const through both ends for a curved kind on P-V."""
        t = np.linspace(0, 1, 200)
        curved = dg.axes == "PV" and p.kind in ("isothermal", "adiabatic")
        if curved and min(a.x, a.y, b.x, b.y) > 0 and a.x != b.x and a.y != b.y:
            n = math.log(a.y / b.y) / math.log(b.x / a.x)
            if n > 0:  # falls as it expands: a real isotherm/adiabat shape
                xs = a.x + (b.x - a.x) * t
                return xs, a.y * (a.x / xs) ** n
        return a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t

    def _diagram(self, dg: Diagram) -> None:
        ax = self._graph_axes()
        states = {s.name: s for s in dg.states}
        xs_all, ys_all = [s.x for s in dg.states], [s.y for s in dg.states]
        ax.set_xlim(*self._limits(xs_all, dg.axes == "PV"))
        ax.set_ylim(*self._limits(ys_all, dg.axes == "PV"))
        paths = []
        for p in dg.processes:
            xs, ys = self._path(dg, p, states[p.start], states[p.end])
            paths.append((p, xs, ys))
            ax.plot(xs, ys, color=_COLD, lw=2, zorder=3)
        if dg.shade_cycle and dg.processes and dg.processes[-1].end == dg.processes[0].start:
            ax.fill(
                np.concatenate([xs for _, xs, _ in paths]),
                np.concatenate([ys for _, _, ys in paths]),
                color=_COLD, alpha=0.15, zorder=1, lw=0,
            )  # fmt: skip
        ax.scatter(xs_all, ys_all, s=28, color=_INK, zorder=4)
        if dg.ticks:
            self._ticks(ax, "x", xs_all)
            self._ticks(ax, "y", ys_all)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_xlabel(safe_text(dg.x_label), fontsize=11)
        ax.set_ylabel(safe_text(dg.y_label), fontsize=11)
        self._fit(ax)
        if dg.ticks:
            lo_x, lo_y = ax.get_xlim()[0], ax.get_ylim()[0]
            for st in dg.states:  # guides from each state to its values on the axes
                ax.plot([lo_x, st.x, st.x], [st.y, st.y, lo_y], color="#aaaaaa", lw=0.7,
                        ls=":", zorder=1)  # fmt: skip
            self._write_ticks(ax, "x", xs_all)
            self._write_ticks(ax, "y", ys_all)
        for p, xs, ys in paths:
            self._avoid(ax, xs, ys)
            a, b = (xs[97], ys[97]), (xs[103], ys[103])
            if p.arrow and a != b:  # two states drawn at one spot have no direction to show
                self._arrow(ax, a, b, _COLD, lw=0, head=20)
        for s in dg.states:  # names next to their dots first: they matter most
            ax_xy = [(s.x, s.y)]
            self.placer.block(self._dot_box(ax, s.x, s.y))
            self._label(ax, (s.name, ax_xy, _AROUND), size=12)
        for s in dg.states:
            if s.label:
                self._label(ax, (s.label, [(s.x, s.y)], ring_offsets([14, 24])))
        for p, xs, ys in paths:
            if p.label:
                idx = [len(xs) // 2, len(xs) // 3, 2 * len(xs) // 3]
                self._label(ax, (p.label, [(xs[i], ys[i]) for i in idx], _AROUND))

    def _dot_box(self, ax: Any, x: float, y: float) -> Any:
        from matplotlib.transforms import Bbox

        cx, cy = ax.transData.transform((x, y))
        return Bbox.from_extents(cx - 3, cy - 3, cx + 3, cy + 3)

    def _heating(self, hc: HeatingCurve) -> None:
        ax = self._graph_axes()
        temps = hc.temps()
        xs = [0.0]
        for a, b in zip(temps[:-1], temps[1:]):  # plateaus longer, as latent heats are large
            xs.append(xs[-1] + (1.6 if a == b else 1.0))
        ax.plot(xs, temps, color=_HOT, lw=2, zorder=3)
        ax.set_xlim(0, xs[-1] * 1.05)
        lo, hi = min(temps), max(temps)
        span = hi - lo or 1.0
        ax.set_ylim(lo - 0.12 * span, hi + 0.15 * span)
        ax.set_xticks([])
        self._ticks(ax, "y", temps)
        for a, b, x0, x1 in zip(temps[:-1], temps[1:], xs[:-1], xs[1:]):
            if a == b:
                ax.plot([0, x0], [a, a], color="#999999", lw=0.8, ls="--", zorder=1)
        if lo < 0 < hi:
            ax.axhline(0, color="#999999", lw=0.6, zorder=1)
        ax.set_xlabel(safe_text(hc.x_label), fontsize=11)
        ax.set_ylabel(safe_text(hc.y_label), fontsize=11)
        self._fit(ax)
        self._write_ticks(ax, "y", temps)
        self._avoid(ax, xs, temps)
        up = [(0, 7, "center", "bottom"), (-6, 6, "right", "bottom"), (6, 6, "left", "bottom")]
        down = [(0, -7, "center", "top"), (6, -6, "left", "top"), (-6, -6, "right", "top")]
        for seg, a, b, x0, x1 in zip(hc.segments, temps[:-1], temps[1:], xs[:-1], xs[1:]):
            if seg.label:
                mid = [((x0 + x1) / 2, (a + b) / 2), (x0 + 0.3 * (x1 - x0), a + 0.3 * (b - a))]
                self._label(ax, (seg.label, mid, (up + down if a == b else up + down[::-1])))

    # --- schematics (data unit: one inch) -----------------------------------------------------

    def _box(self, ax: Any, cx: float, cy: float, w: float, h: float, color: str) -> None:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((cx - w / 2, cy - h / 2), w, h, fc=color, ec=_INK, lw=1.5))

    def _engine(self, ax: Any, en: Engine) -> None:
        from matplotlib.patches import Circle

        cx, w, h = self.w / 2 - 0.4, self.w, self.h
        yh, yc, ym = h - 0.45, 0.45, h / 2
        bw = min(3.6, w - 1.2)
        self._box(ax, cx, yh, bw, 0.6, "#fde0dd")
        self._box(ax, cx, yc, bw, 0.6, "#deebf7")
        r = min(0.5, h / 8)
        ax.add_patch(Circle((cx, ym), r, fc="white", ec=_INK, lw=1.5))
        engine = en.kind == "engine"
        top = ((cx, yh - 0.32), (cx, ym + r + 0.02))
        bot = ((cx, ym - r - 0.02), (cx, yc + 0.32))
        self._arrow(ax, *(top if engine else top[::-1]), _HOT)
        self._arrow(ax, *(bot if engine else bot[::-1]), _COLD)
        work = ((cx + r + 0.02, ym), (cx + r + 1.1, ym))
        self._arrow(ax, *(work if engine else work[::-1]), "#2ca02c")
        for text, xy in ((en.hot_label, (cx, yh)), (en.cold_label, (cx, yc))):
            if text:
                self._label(ax, (text, [xy], _CENTER))
        if en.device_label:  # inside the circle when it fits there, else beside it
            fits = text_size(self.fig, safe_text(en.device_label), 11)[0] < 2 * r * self.d - 8
            beside = [(r * 72 + 6, 10, "left", "bottom"), (-r * 72 - 6, 0, "right", "center")]
            self._label(ax, (en.device_label, [(cx, ym)], (_CENTER if fits else []) + beside))
        side = [(8, 0, "left", "center"), (-8, 0, "right", "center")]
        for text, xy in (
            (en.q_hot_label, (cx, (yh - 0.32 + ym + r) / 2)),
            (en.q_cold_label, (cx, (ym - r + yc + 0.32) / 2)),
        ):
            if text:
                self._label(ax, (text, [xy], side))
        if en.work_label:
            end = (cx + r + 1.15, ym)
            self._label(ax, (en.work_label, [end], [(6, 0, "left", "center"), *_AROUND]))

    def _container(self, ax: Any, c: Container) -> None:
        from matplotlib.patches import Rectangle

        w, h = self.w, self.h
        horiz = c.orientation == "horizontal"
        # the body as (along, across) sizes, mapped to x,y by orientation
        L, D = (min(4.0, w - 2.4), min(1.5, h - 1.6)) if horiz else (min(2.6, h - 1.3), 1.5)
        x0, y0 = (w - L) / 2 - 0.45, (h - D) / 2 if horiz else 0.7

        def at(u: float, v: float) -> tuple[float, float]:  # along u, across v -> x, y
            return (x0 + u, y0 + v) if horiz else ((w - D) / 2 + v, y0 + u)

        split = L * 0.5 if c.divider != "none" else 0.0
        if c.contents == "liquid" and c.divider == "none":
            split = L * 0.5  # half filled, the top part empty
        lo_main = split if horiz else 0.0  # horizontal: contents on the right; vertical: below
        hi_main = L if horiz else (split or L)
        fill = _LIQ if c.contents == "liquid" else _GAS
        (ax0, ay0), (ax1, ay1) = at(lo_main, 0), at(hi_main, D)
        ax.add_patch(Rectangle((ax0, ay0), ax1 - ax0, ay1 - ay0, fc=fill, ec="none", zorder=1))
        lw = 4.5 if c.insulated else 1.8
        # a vertical piston-cylinder is open at the top (closed for a spring to push from)
        corners = [at(L, 0), at(0, 0), at(0, D), at(L, D)]
        if not (c.orientation == "vertical" and c.divider == "piston" and not c.spring):
            corners.append(at(L, 0))
        ax.plot(*zip(*corners), color="#777777" if c.insulated else _INK, lw=lw, zorder=4,
                solid_joinstyle="miter")  # fmt: skip
        if c.divider == "piston":
            t = 0.22
            (px0, py0), (px1, py1) = at(split - t / 2, 0.02), at(split + t / 2, D - 0.02)
            ax.add_patch(
                Rectangle((px0, py0), px1 - px0, py1 - py0, fc="#888888", ec=_INK, zorder=5)
            )
        elif c.divider == "partition":
            ax.plot(*zip(at(split, 0), at(split, D)), color=_INK, lw=2.5, zorder=5)
        if c.spring:  # from the far wall of the other part to the piston
            u = np.linspace(0 if horiz else L, split + (-0.11 if horiz else 0.11), 200)
            zig = 2 / np.pi * np.arcsin(np.sin(np.linspace(0, 16 * np.pi, 200)))  # a zigzag
            v = D / 2 + 0.18 * zig * (np.abs(np.linspace(-1, 1, 200)) < 0.85)
            pts = np.array([at(a, b) for a, b in zip(u, v)])
            ax.plot(pts[:, 0], pts[:, 1], color=_INK, lw=1.2, zorder=4)
            self._avoid(ax, pts[:, 0], pts[:, 1])
        if c.shaft:
            rod = [at(split, D / 2), at(split - 1.2 if horiz else L + 0.55, D / 2)]
            ax.plot(*zip(*rod), color="#666666", lw=7, zorder=4, solid_capstyle="butt")
            self._avoid(ax, *zip(*rod))
        if c.pin:
            pin = at(split + (0.2 if horiz else -0.2), D + 0.05)
            ax.plot(*zip(pin, at(split + (0.2 if horiz else -0.2), D - 0.25)), color=_HOT, lw=3,
                    zorder=6)  # fmt: skip
        if c.contents == "gas":
            rng = np.random.default_rng(3)  # fixed seed: the same dots on every render
            uu = rng.uniform(lo_main + 0.1, hi_main - 0.1, 40)
            vv = rng.uniform(0.1, D - 0.1, 40)
            pts = np.array([at(a, b) for a, b in zip(uu, vv)])
            ax.scatter(pts[:, 0], pts[:, 1], s=3, color="#7a9cc6", zorder=2)
        if c.heat_label:
            a, b = (at((lo_main + hi_main) / 2, -0.75), at((lo_main + hi_main) / 2, -0.08))
            self._arrow(ax, a, b, _HOT)
            self._label(
                ax, (c.heat_label, [a], [(-6, 0, "right", "center"), (6, 0, "left", "center")])
            )
        if c.length_label:
            lo, hi = (0.0, L) if c.divider == "none" else (lo_main, hi_main)
            a, b = at(lo, D + 0.3), at(hi, D + 0.3)
            self._arrow(ax, a, b, _INK, style="<->", lw=1.0)
            mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            off = [(0, 4, "center", "bottom")] if horiz else [(6, 0, "left", "center")]
            self._label(ax, (c.length_label, [mid], off + _AROUND))
        if c.width_label:
            u = L + 0.3 if horiz else -0.35
            a, b = at(u, 0), at(u, D)
            self._arrow(ax, a, b, _INK, style="<->", lw=1.0)
            mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            off = [(6, 0, "left", "center")] if horiz else [(0, -4, "center", "top")]
            self._label(ax, (c.width_label, [mid], off + _AROUND))
        if c.piston_label:
            self._label(ax, (c.piston_label, [at(split, D + 0.05), at(split, D / 2)], _AROUND))
        inside = [(0, 0, "center", "center"), (0, 8, "center", "bottom"), (0, -8, "center", "top")]
        for text, lo, hi in (
            (c.main_label, lo_main, hi_main),
            (c.other_label, *self._other(c, L, split)),
        ):
            if text:
                mid = at((lo + hi) / 2, D / 2)
                self._label(ax, (text, [mid], inside + _AROUND), color=_INK)

    @staticmethod
    def _other(c: Container, L: float, split: float) -> tuple[float, float]:
        if c.orientation == "horizontal":
            return 0.0, split
        return (split or L), L

    def _wall(self, ax: Any, wl: Wall) -> None:
        from matplotlib.patches import Rectangle

        w, h = self.w, self.h
        n = len(wl.layers)
        lw_ = min(1.1, (w - 3.2) / n)
        x0 = (w - n * lw_) / 2
        y0, y1 = 0.7, h - 0.35
        shades = ("#d9d9d9", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1")
        for i, ly in enumerate(wl.layers):
            xa = x0 + i * lw_
            ax.add_patch(
                Rectangle((xa, y0), lw_, y1 - y0, fc=shades[i % 5], ec=_INK, lw=1.3, zorder=2)
            )
            if ly.thickness_label:
                a, b = (xa, y0 - 0.25), (xa + lw_, y0 - 0.25)
                self._arrow(ax, a, b, _INK, style="<->", lw=1.0)
                self._label(ax, (ly.thickness_label, [((xa + lw_ / 2), y0 - 0.25)],
                                 [(0, -4, "center", "top"), *_AROUND]))  # fmt: skip
        for i, ly in enumerate(wl.layers):
            if ly.label:
                xa = x0 + (i + 0.5) * lw_
                text = wrap_to_width(self.fig, ly.label, 10, max(lw_ * self.d - 6, 60))
                anchors = [(xa, y0 + (y1 - y0) * f) for f in (0.72, 0.5, 0.3, 0.88)]
                self._label(ax, (text, anchors, _CENTER), size=10)
        side_l = [(-8, 0, "right", "center"), (-8, 14, "right", "bottom")]
        side_r = [(8, 0, "left", "center"), (8, 14, "left", "bottom")]
        ym = (y0 + y1) / 2
        if wl.left_label:
            text = wrap_to_width(self.fig, wl.left_label, 11, (x0 - 0.25) * self.d)
            self._label(ax, (text, [(x0, ym + 0.5), (x0, ym)], side_l + _AROUND))
        if wl.right_label:
            text = wrap_to_width(self.fig, wl.right_label, 11, (w - x0 - n * lw_ - 0.25) * self.d)
            self._label(
                ax, (text, [(x0 + n * lw_, ym + 0.5), (x0 + n * lw_, ym)], side_r + _AROUND)
            )
        if wl.flow_label:
            a, b = (x0 - 0.9, ym - 0.5), (x0 + n * lw_ + 0.9, ym - 0.5)
            self._arrow(ax, a, b, _HOT, lw=2.0)
            self._label(
                ax, (wl.flow_label, [(x0 - 0.6, ym - 0.5)], [(0, -5, "center", "top"), *_AROUND])
            )

    def _shells(self, ax: Any, sh: Shells) -> None:
        from matplotlib.patches import Circle

        h = self.h
        n = len(sh.layers)
        rmax = min(h / 2 - 0.3, 1.7)
        cx, cy = rmax + 0.4, h / 2
        room = (self.w - cx - rmax - 0.35) * self.d  # right of the rings, for the labels
        r_in = rmax * (0.45 if n > 1 else 0.6)
        radii = [r_in + (rmax - r_in) * (i + 1) / n for i in range(n)]
        shades = ("#bdbdbd", "#fdd0a2", "#c7e9c0", "#dadaeb")
        for i in reversed(range(n)):
            ax.add_patch(Circle((cx, cy), radii[i], fc=shades[i % 4], ec=_INK, lw=1.3, zorder=2))
        ax.add_patch(Circle((cx, cy), r_in, fc="#eef3fb", ec=_INK, lw=1.3, zorder=2))
        sizes = [(sh.inner_size_label, r_in)] + [
            (ly.thickness_label, r) for ly, r in zip(sh.layers, radii)
        ]
        for k, (text, r) in enumerate(sizes):
            if not text:
                continue
            ang = math.radians(20 + 35 * k)
            end = (cx + r * math.cos(ang), cy + r * math.sin(ang))
            self._arrow(ax, (cx, cy), end, _INK, lw=1.0)
            right_x = cx + rmax + 0.15
            text = wrap_to_width(self.fig, text, 11, room)
            self._label(ax, (text, [(right_x, end[1]), end], [(4, 0, "left", "center"), *_AROUND]))
            ax.plot([end[0], right_x], [end[1], end[1]], color="#999999", lw=0.7, ls=":", zorder=3)
        if sh.inner_label:
            self._label(ax, (sh.inner_label, [(cx, cy - r_in * 0.45), (cx, cy)], _CENTER + _AROUND))
        inner_r = [r_in, *radii[:-1]]
        for k, (ly, r0, r1) in enumerate(zip(sh.layers, inner_r, radii)):
            if ly.label:
                ang = math.radians(-60 - 40 * k)
                rm = (r0 + r1) / 2
                at = (cx + rm * math.cos(ang), cy + rm * math.sin(ang))
                far = (cx + rmax + 0.15, at[1])
                ax.plot([at[0], far[0]], [at[1], far[1]], color="#666666", lw=0.7, zorder=3)
                text = wrap_to_width(self.fig, ly.label, 10, room)
                self._label(ax, (text, [far, at], [(4, 0, "left", "center"), *_AROUND]), size=10)
        if sh.outer_label:
            self._label(ax, (sh.outer_label, [(cx - rmax, cy + rmax)], _AROUND))
