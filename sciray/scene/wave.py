"""Waveforms and oscillations: sinusoids against position x or time t (from stated amplitude,
wavelength or period, phase, damping, or a stated formula y(x, t)), pulses and pulse trains,
impulses and samples, standing waves on strings and in pipes with their nodes and antinodes.

The model states what the problem gives (amplitudes, wavelengths, harmonic numbers, formulas,
labels such as "A = 2 cm"); the renderer computes every curve, picks the view (a stated range or
a few cycles), stacks the panels and places each label where it overlaps nothing. Formulas are
read by ``sciray.scene.expr`` (never ``eval``). Nothing derived is written: a sum of waves is
drawn only when the scene asks for it, and dimension marks carry the scene's own labels.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.expr import MAX_CHARS, compile_expr, free_names, parse_expr
from sciray.scene.plot import (
    MIN_FONT,
    Placer,
    densify,
    ring_offsets,
    safe_text,
    text_size,
    wrap_to_width,
)
from sciray.scene.text import is_null_text, plain_question

__all__ = ["Dim", "Impulse", "Mark", "Panel", "Pulse", "RefLine", "Standing", "Wave", "WaveScene"]

LIM = 1e9
SAMPLES = 2000
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        # a small model writes "" / "none" / "null" for "no label", and pi-multiples as text
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for key, value in data.items():
            if is_null_text(value):
                out[key] = None
            elif key in _NUMERIC and isinstance(value, str):
                out[key] = _const(value)
            elif key == "travel" and isinstance(value, str):
                out[key] = _travel(value)
        a, b = out.get("x_from"), out.get("x_to")
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > b:
            out["x_from"], out["x_to"] = b, a  # 'from 10 down to 0' is the same interval
        return out


_NUMERIC = {"x_from", "x_to", "at", "y", "height", "amplitude", "wavelength", "period"}
_NUMERIC |= {"frequency", "phase_deg", "offset", "damping", "cycles"}


def _const(text: str) -> Any:
    """A stated number written as text ('pi', '-2*pi', '0.5', '90°', '1.5 m'); the text itself
    if it is not one."""

    unit = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*[A-Za-zμΩ°/%]*\s*", text)
    if unit:
        return float(unit.group(1))
    try:
        value = parse_expr(text, ())
        return float(value.evalf()) if value.is_number else text
    except (ValueError, TypeError):
        return text


Number = Annotated[float, Field(ge=-LIM, le=LIM)]
Positive = Annotated[float, Field(gt=0, le=LIM)]
Label = Annotated[str, Field(max_length=60)]
Formula = Annotated[str, Field(min_length=1, max_length=MAX_CHARS)]
_TRAVEL = {"+x": "+x", "right": "+x", "positive": "+x", "+": "+x", "x": "+x", "+t": "+x"}
_TRAVEL |= {"-x": "-x", "left": "-x", "negative": "-x", "-": "-x"}


def _travel(v: Any) -> Any:
    if isinstance(v, str):
        key = v.strip().lower().replace(" ", "").replace("direction", "").replace("_", "")
        return _TRAVEL.get(key, v)
    return v


class Wave(_Part):
    expr: Formula | None = None
    """The stated formula y(x, t) in Python syntax, e.g. '0.02*sin(4*pi*x - 10*t)'; empty: a
    sinusoid from amplitude, wavelength/period and phase."""
    amplitude: Number = 1.0
    """Stated amplitude, e.g. 0.017 (ignored when expr is given)."""
    wavelength: Positive | None = None
    """Stated wavelength (one cycle along x), e.g. 1.5."""
    period: Positive | None = None
    """Stated period (one cycle along t), e.g. 0.02."""
    frequency: Positive | None = None
    """Stated frequency in Hz (period = 1/frequency), e.g. 440."""
    phase_deg: Number = 0.0
    """Phase constant in degrees, e.g. 90."""
    function: Literal["sin", "cos"] = "sin"
    """sin (starts at 0 going up) or cos (starts at the crest)."""
    offset: Number = 0.0
    """Constant added to the wave (a DC level), e.g. 100."""
    damping: Annotated[float, Field(ge=0, le=LIM)] = 0.0
    """Decay rate b of a damped oscillation A*exp(-b*t)*sin(...); 0 for none."""
    x_from: Number | None = None
    """Draw from here only (one piece of a piecewise function); empty: the whole view."""
    x_to: Number | None = None
    """Draw up to here only; empty: the whole view."""
    label: Label | None = None
    """Text by the curve, e.g. 'y1' or 'v1 = 100 sin(ωt + 15°)'; empty for none."""
    travel: Literal["+x", "-x"] | None = None
    """Direction of travel drawn as an arrow: '+x' (right) or '-x' (left); empty for none."""
    speed_label: Label | None = None
    """Text by the travel arrow, e.g. 'v = 343 m/s'; empty for none."""
    style: Literal["solid", "dashed", "dotted"] = "solid"
    """Line style."""

    @field_validator("expr")
    @classmethod
    def _check(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.replace("^", "**").split("=")[-1].strip()  # 'y = 2*sin(x)' is its right side
        names = free_names(v)
        extra = names - {"x", "t"}
        if len(extra) == 1 and not names & {"x", "t"}:  # a formula in its own variable (θ, u)
            v = _rename(v, extra.pop(), "x")
        elif names & {"x", "t"}:
            # a phase constant the problem leaves unknown ("+ phi", often what it asks for):
            # drawn as 0 (seed 29: 0.2*sin(6*pi*x + 20*pi*t + phi))
            for name in extra & _PHASE_NAMES:
                v = _rename(v, name, "0")
        compile_expr(v, ("x", "t"))
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Wave:
        if self.speed_label and not self.travel:
            raise ValueError("speed_label needs travel ('+x' or '-x') for its arrow")
        if self.travel and self.expr:
            # y(x, t) states its direction: sin(kx + wt) travels to -x (seed 29 drew +x)
            self.travel = _expr_travel(self.expr) or self.travel
        if self.x_from is not None and self.x_to is not None and self.x_from == self.x_to:
            raise ValueError("x_from and x_to must differ")
        return self


_PHASE_NAMES = frozenset({"phi", "φ", "ϕ", "delta", "δ", "phi0", "phi_0", "φ0", "phase"})


def _expr_travel(expr: str) -> Literal["+x", "-x"] | None:
    """The direction a travelling wave y(x, t) moves: that of its first sine or cosine whose
    argument is k*x ± w*t + c (None where there is none)."""
    import sympy

    x, t = sympy.Symbol("x", real=True), sympy.Symbol("t", real=True)
    for f in sorted(parse_expr(expr, ("x", "t")).atoms(sympy.sin, sympy.cos), key=str):
        k, w = sympy.diff(f.args[0], x), sympy.diff(f.args[0], t)
        if k.is_number and w.is_number and k != 0 and w != 0:
            return "-x" if float(k) * float(w) > 0 else "+x"
    return None


def _rename(text: str, old: str, new: str) -> str:

    return re.sub(rf"(?<![A-Za-z_]){re.escape(old)}(?![A-Za-z_0-9])", new, text)


class Pulse(_Part):
    shape: Literal["rectangular", "triangular", "gaussian", "half-sine"] = "rectangular"
    """Pulse shape."""
    x_from: Number
    """Where the pulse starts on the horizontal axis, e.g. 0.4."""
    x_to: Number
    """Where the pulse ends, e.g. 0.6."""
    height: Number = 1.0
    """Stated height (negative: an inverted pulse), e.g. 5."""
    period: Positive | None = None
    """Repeat every period (a pulse train, e.g. 20 for 20 ms); empty: a single pulse."""
    label: Label | None = None
    """Text by the pulse, e.g. '5 V'; empty for none."""
    travel: Literal["+x", "-x"] | None = None
    """Direction of travel arrow: '+x' or '-x'; empty for none."""
    speed_label: Label | None = None
    """Text by the travel arrow, e.g. 'v = 2 m/s'; empty for none."""

    @model_validator(mode="after")
    def _consistent(self) -> Pulse:
        if self.x_from >= self.x_to:
            raise ValueError("pulse x_from must be less than x_to")
        if self.period is not None and self.period <= self.x_to - self.x_from:
            raise ValueError("pulse period must be longer than the pulse (x_to - x_from)")
        if self.speed_label and not self.travel:
            raise ValueError("speed_label needs travel ('+x' or '-x') for its arrow")
        return self


class Impulse(_Part):
    at: Number
    """Where the impulse or sample sits on the horizontal axis, e.g. -2."""
    height: Number
    """Stated weight or sample value, e.g. 0.5."""
    label: Label | None = None
    """Text by its tip, e.g. '0.5' or '0.5δ(t+2)'; empty for none."""
    arrow: bool = True
    """Arrowhead (a delta function); false: a stem with a dot (a sample value)."""


class Mark(_Part):
    at: Number
    """Horizontal position of the marked particle or instant, e.g. x = 2."""
    y: Number | None = None
    """Stated displacement there, e.g. 0.08; empty: on the first curve."""
    label: Label | None = None
    """Text by the point, e.g. 'P', 'A (x = 2 m)'; empty for none."""
    motion: Literal["up", "down", "left", "right"] | None = None
    """A small arrow for the stated direction the particle moves; empty for none."""


class RefLine(_Part):
    kind: Literal["vertical", "horizontal"] = "vertical"
    """vertical: at a stated x or t; horizontal: at a stated y."""
    at: Number
    """Where the line is, e.g. 3.4."""
    label: Label | None = None
    """Text by the line, e.g. 't = 3.4 s'; empty for none."""


class Dim(_Part):
    kind: Literal["amplitude", "peak_to_peak", "wavelength", "period", "span"]
    """amplitude: arrow from the axis to a crest; peak_to_peak: trough to crest; wavelength or
    period: crest to crest; span: between the stated x_from and x_to (a pulse width)."""
    label: Label | None = None
    """Its stated value, e.g. 'A = 0.017 m', 'λ = 1.5 m', 'T = 10 s'; empty for none."""
    of: int = Field(0, ge=0, le=7)
    """Which curve: 0 the first wave (pulses count after the waves)."""
    x_from: Number | None = None
    """span only: left end, e.g. 0."""
    x_to: Number | None = None
    """span only: right end, e.g. 4."""

    @model_validator(mode="after")
    def _consistent(self) -> Dim:
        if self.kind == "span" and (self.x_from is None or self.x_to is None):
            raise ValueError("a span dim needs x_from and x_to")
        return self


Ends = Literal["fixed-fixed", "fixed-free", "free-free", "open-open", "closed-open", "open-closed"]
_ENDS = {
    "fixed": "fixed-fixed",
    "both fixed": "fixed-fixed",
    "open": "open-open",
    "both open": "open-open",
    "closed": "closed-open",
    "one closed": "closed-open",
    "closed-closed": "fixed-fixed",
    "free": "free-free",
}


class Standing(_Part):
    medium: Literal["string", "pipe"] = "string"
    """string (clamped or free ends) or pipe (air column; walls drawn)."""
    ends: Ends = "fixed-fixed"
    """Left-right ends: fixed-fixed string, fixed-free, open-open pipe, closed-open pipe."""
    harmonic: int = Field(1, ge=1, le=8)
    """Harmonic number n (1 fundamental; 3 is the second overtone of an open pipe)."""
    show_nodes: bool = False
    """Write N under each node and A under each antinode."""
    length_label: Label | None = None
    """Text on a length arrow under the medium, e.g. 'L = 0.46 m'; empty for none."""
    amplitude_label: Label | None = None
    """Text on an arrow at an antinode, e.g. '2.59 mm'; empty for none."""

    @field_validator("ends", mode="before")
    @classmethod
    def _ends_text(cls, v: Any) -> Any:
        if isinstance(v, str):
            key = v.strip().lower().replace("_", "-").replace(" and ", "-")
            key = key.replace("both ends ", "both ").replace(" ends", "").replace("-ends", "")
            return _ENDS.get(key, key)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Standing:
        if self.ends in ("fixed-free", "closed-open", "open-closed") and self.harmonic % 2 == 0:
            raise ValueError(
                f"harmonic: a {self.ends} {self.medium} has odd harmonics only (1, 3, 5, 7)"
            )
        return self

    def envelope(self, u: np.ndarray) -> np.ndarray:
        """Envelope of the standing wave along u in [0, 1] (left end u = 0)."""
        n = self.harmonic
        if self.ends == "fixed-fixed":
            return np.abs(np.sin(n * np.pi * u))
        if self.ends in ("free-free", "open-open"):
            return np.abs(np.cos(n * np.pi * u))
        if self.ends in ("fixed-free", "closed-open"):
            return np.abs(np.sin(n * np.pi * u / 2))
        return np.abs(np.sin(n * np.pi * (1 - u) / 2))


class Panel(_Part):
    axis: Literal["x", "t"] = "x"
    """Horizontal variable: x (a snapshot along the string) or t (an oscillation in time)."""
    x_label: Label | None = None
    """Horizontal axis label with the stated unit, e.g. 'x (m)', 't (s)'; empty: the axis."""
    y_label: Label | None = None
    """Vertical axis label, e.g. 'y (mm)', 'V (V)'; empty: 'y'."""
    x_from: Number | None = None
    """Left end of the stated range, e.g. 0 or '-pi'; empty: from 0."""
    x_to: Number | None = None
    """Right end of the stated range; empty: the stated number of cycles."""
    cycles: Annotated[float, Field(gt=0, le=20)] = 2.0
    """Cycles shown when no range is stated."""
    at: Number = 0.0
    """The other variable's stated value (t for a snapshot in x), e.g. 0."""
    ticks: bool = True
    """Numbered ticks; false for a sketch whose scale the problem does not state."""
    label: Label | None = None
    """Caption over the panel, e.g. 'n = 2, f = 2f₁' or 'Tension T₁'; empty for none."""
    waves: list[Wave] = Field(default_factory=list, max_length=4)
    """Sinusoids or stated formulas."""
    pulses: list[Pulse] = Field(default_factory=list, max_length=3)
    """Pulses or pulse trains."""
    impulses: list[Impulse] = Field(default_factory=list, max_length=12)
    """Delta functions or sample values, as stems."""
    show_sum: bool = False
    """Also draw the sum of the waves (only when the problem shows the superposition)."""
    sum_label: Label | None = None
    """Text by the sum curve, e.g. 'y1 + y2'; empty for none."""
    standing: Standing | None = None
    """A standing wave on a string or in a pipe (a sketch: no waves, pulses or axes)."""
    marks: list[Mark] = Field(default_factory=list, max_length=6)
    """Marked particles or instants."""
    lines: list[RefLine] = Field(default_factory=list, max_length=4)
    """Reference lines at stated values."""
    dims: list[Dim] = Field(default_factory=list, max_length=4)
    """Dimension arrows with the stated values (amplitude, wavelength, period, a span)."""

    @model_validator(mode="after")
    def _consistent(self) -> Panel:
        if self.x_from is not None and self.x_to is not None and self.x_from == self.x_to:
            raise ValueError("x_from and x_to must differ")
        if self.standing is not None:
            parts = ("waves", "pulses", "impulses", "marks", "lines", "dims")
            used = [k for k in parts if getattr(self, k)]
            if used or self.show_sum:
                raise ValueError(
                    f"standing: a standing-wave panel draws no {', '.join(used) or 'show_sum'}; "
                    "put them in another panel"
                )
            return self
        if not (self.waves or self.pulses or self.impulses or self.marks):
            raise ValueError("a panel needs waves, pulses, impulses, marks or standing")
        if self.show_sum and len(self.waves) < 2:
            raise ValueError("show_sum needs at least two waves")
        curves = len(self.waves) + len(self.pulses)
        for d in self.dims:
            if d.kind != "span" and d.of >= curves:
                raise ValueError(f"dims: {d.kind} of curve {d.of}, but the panel has {curves}")
        return self

    def texts(self) -> list[str]:
        out = [self.label]
        if self.standing is not None:
            st = self.standing
            out += [s for _, s in _letters(st)] if st.show_nodes else []
            return out + [st.length_label, st.amplitude_label]
        out += [self.x_axis_label(), self.y_label or "y"]
        for w in self.waves:
            out += [w.label, w.speed_label]
        for p in self.pulses:
            out += [p.label, p.speed_label]
        out += [i.label for i in self.impulses] + [self.sum_label if self.show_sum else None]
        out += [m.label for m in self.marks] + [ln.label for ln in self.lines]
        return out + [d.label for d in self.dims]

    def x_axis_label(self) -> str:
        return self.x_label or self.axis


def _letters(st: Standing) -> list[tuple[float, str]]:
    """(u in [0, 1], 'N' or 'A') for each node and antinode of ``st``, left to right: they are
    a quarter wavelength apart (1/(2n) of the length, or 1/n with one end a node, one not)."""
    n = st.harmonic
    quarter = st.ends in ("fixed-free", "closed-open", "open-closed")
    us = np.linspace(0, 1, n + 1 if quarter else 2 * n + 1)
    return [(float(u), "A" if st.envelope(np.array([u]))[0] > 0.5 else "N") for u in us]


@register
class WaveScene(SceneSpec):
    """Waves and oscillations: one to four stacked panels."""

    domain: Literal["wave"] = "wave"
    image_types: ClassVar[tuple[str, ...]] = ("physics - waveform",)

    panels: list[Panel] = Field(min_length=1, max_length=4)
    """The panels, top to bottom (one per mode, wave or signal the problem compares)."""
    notes: list[Annotated[str, Field(max_length=90)]] = Field(default_factory=list, max_length=4)
    """Stated values or equations written under the figure, e.g. 'μ = 0.011 kg/m',
    'y = 4.80 sin(15πx − 470πt) mm'."""

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "panels" not in data:  # one panel's fields without the 'panels' list: that panel
            inner = {k: v for k, v in data.items() if k in Panel.model_fields}
            data = {k: v for k, v in data.items() if k not in inner}
            data["panels"] = [inner] if inner else []
        if is_null_text(data.get("title")):
            data["title"] = None
        if isinstance(data.get("notes"), list):
            data["notes"] = [t for t in data["notes"] if not is_null_text(t)]
        return data

    def labels(self) -> list[str]:
        out = [self.title] + [t for p in self.panels for t in p.texts()] + list(self.notes)
        return [t for t in out if t and t.strip()]

    def aligned_to(self, question: str) -> WaveScene:
        # a dimension's value where the problem never speaks of that quantity is a value of
        # something else (seed 31: "a maximum travels 432 cm along the rope" drawn as the
        # amplitude "A = 432 cm"): the dimension keeps only its symbol
        start = _stated_start(question)
        panels = []
        for p in self.panels:
            update: dict[str, Any] = {}
            dims = [_symbol_only(d, question) for d in p.dims]
            if dims != p.dims:
                update["dims"] = dims
            # one oscillation's history from where the problem says it starts (seen, seed 32:
            # "at t=0 the object is at x=0" drawn as a cosine, from the amplitude)
            if start and p.axis == "t" and len(p.waves) == 1 and not p.pulses:
                w = p.waves[0]
                if w.expr is None and w.phase_deg == 0 and w.function != start:
                    update["waves"] = [w.model_copy(update={"function": start})]
            panels.append(p.model_copy(update=update) if update else p)
        return self if panels == self.panels else self.model_copy(update={"panels": panels})

    def disagreements(self, question: str) -> list[str]:
        """A travel direction or a lone standing wave's harmonic that the problem states
        otherwise (each only when the problem states exactly one)."""

        q, out = question.lower(), []
        said = {d for pat, d in _DIRECTION_WORDS if re.search(pat, q)}
        drawn = {c.travel for p in self.panels for c in (*p.waves, *p.pulses) if c.travel}
        if len(said) == 1 and drawn and drawn != said:
            out.append(f"the problem says the wave travels {said.pop()}: set travel to match")
        sketches = [p.standing for p in self.panels if p.standing is not None]
        named = {n for word, n in _HARMONIC_WORDS.items() if f"{word} harmonic" in q}
        if "fundamental" in q:
            named.add(1)
        if len(sketches) == 1 and len(named) == 1 and sketches[0].harmonic not in named:
            out.append(f"the problem names harmonic {named.pop()}: set standing.harmonic to it")
        return out

    def draw(self, fig: Any) -> None:
        _WaveDrawer(self, fig).draw()


# How problems name each quantity a dimension line shows, and its symbol.
_DIM_WORDS = {
    "amplitude": (r"amplitude|\bA\s*=|maximum displacement", "A"),
    "peak_to_peak": (r"amplitude|peak[- ]to[- ]peak|crest to trough|trough to crest", "2A"),
    "wavelength": (r"wave-?length|λ|\\lambda|apart|between (?:adjacent|successive)", "λ"),
    "period": (r"period|\bT\s*=", "T"),
}


_T0 = r"\bt\s*=\s*0(?:\.0+)?\s*(?:s\b)?[^.;]{0,60}?"
_FROM_EQUILIBRIUM = re.compile(_T0 + r"(?:\b[xy]\s*=\s*0\b|equilibrium)", re.I)
_FROM_EXTREME = re.compile(
    _T0 + r"(?:maximum (?:positive )?displacement|\b[xy]\s*=\s*\+?A\b|released from rest)", re.I
)


def _stated_start(question: str) -> str | None:
    """'sin' where the problem puts its oscillator at equilibrium at t = 0 ('At t=0 the object
    is at x=0'), 'cos' where at an extreme; None where it says neither or both."""
    plain = plain_question(question)
    zero, extreme = bool(_FROM_EQUILIBRIUM.search(plain)), bool(_FROM_EXTREME.search(plain))
    return None if zero == extreme else "sin" if zero else "cos"


def _symbol_only(dim: Dim, question: str) -> Dim:
    """``dim`` with only its symbol ('A' of 'A = 432 cm') where its label states a number but
    the problem never names the quantity; unchanged otherwise."""
    from sciray.checks.numbers import find_numbers

    if dim.kind not in _DIM_WORDS or not dim.label or not find_numbers(dim.label):
        return dim
    words, symbol = _DIM_WORDS[dim.kind]
    if re.search(words, question, re.I):
        return dim
    head = dim.label.split("=")[0].strip() if "=" in dim.label else ""
    if not head or find_numbers(head):
        head = symbol
    return dim.model_copy(update={"label": head})


_DIRECTION_WORDS = (
    (r"(?:-|negative |minus )x[- ]direction|to the left|leftward", "-x"),
    (r"(?:\+|positive |plus )x[- ]direction|to the right|rightward", "+x"),
)
_HARMONIC_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1}
_HARMONIC_WORDS |= {"2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "sixth": 6, "seventh": 7}


# ---------------------------------------------------------------------------------------------
# Curves (in the panel's horizontal unit)
# ---------------------------------------------------------------------------------------------


def _var(expr: str, axis: str) -> str:
    """The formula's horizontal variable: the panel's axis, or the other one when the formula
    uses only that (a history y(t) drawn in a panel left with axis 'x')."""
    names = free_names(expr)
    other = "t" if axis == "x" else "x"
    return other if other in names and axis not in names else axis


def _expr_cycle(expr: str, axis: str) -> float | None:
    """The longest period of the sines and cosines in ``expr`` along its horizontal variable."""
    import sympy

    sym = sympy.Symbol(_var(expr, axis), real=True)
    best = None
    for f in parse_expr(expr, ("x", "t")).atoms(sympy.sin, sympy.cos):
        k = sympy.diff(f.args[0], sym)
        if k.is_number and abs(float(k)) > 1e-12:
            best = max(best or 0.0, 2 * math.pi / abs(float(k)))
    return best


def _cycle(w: Wave, axis: str) -> float | None:
    if w.expr:
        return _expr_cycle(w.expr, axis)
    in_t = w.period or (1 / w.frequency if w.frequency else None)
    return (w.wavelength or in_t) if axis == "x" else (in_t or w.wavelength)


def _wave_y(w: Wave, p: Panel, xs: np.ndarray) -> np.ndarray:
    if w.expr:
        f = compile_expr(w.expr, ("x", "t"))
        other = np.full_like(xs, p.at)
        ys = f(xs, other) if _var(w.expr, p.axis) == "x" else f(other, xs)
    else:
        cycle = _cycle(w, p.axis) or 1.0
        fn = np.sin if w.function == "sin" else np.cos
        decay = np.exp(-np.clip(w.damping * xs, -50, 50))
        ys = w.offset + w.amplitude * decay * fn(2 * np.pi * xs / cycle + math.radians(w.phase_deg))
    ys = np.array(ys, dtype=float)
    if w.x_from is not None:
        ys[xs < w.x_from] = np.nan
    if w.x_to is not None:
        ys[xs > w.x_to] = np.nan
    return ys


def _pulse_y(pu: Pulse, xs: np.ndarray) -> np.ndarray:
    width = pu.x_to - pu.x_from
    u = xs - pu.x_from
    if pu.period:
        u = np.mod(u, pu.period)
    r = u / width
    inside = (r >= 0) & (r <= 1)
    if pu.shape == "gaussian":
        shape = np.exp(-(((r - 0.5) * 6) ** 2) / 2)
        shape[shape < 1e-3] = 0.0
    elif pu.shape == "triangular":
        shape = np.where(inside, 1 - np.abs(2 * r - 1), 0.0)
    elif pu.shape == "half-sine":
        shape = np.where(inside, np.sin(np.pi * np.clip(r, 0, 1)), 0.0)
    else:
        shape = inside.astype(float)
    return pu.height * shape


def _view(p: Panel) -> tuple[float, float]:
    """The stated range, else from 0 (or the leftmost stated position) over the stated
    number of cycles, widened to every stated position."""
    cycles = [c for c in (_cycle(w, p.axis) for w in p.waves) if c]
    cycles += [pu.period for pu in p.pulses if pu.period]
    cycle = max(cycles) if cycles else None
    stated = [v for w in p.waves for v in (w.x_from, w.x_to) if v is not None]
    for pu in p.pulses:
        width = pu.x_to - pu.x_from
        stated += [pu.x_from - (0 if pu.period else width), pu.x_to + (0 if pu.period else width)]
    stated += [i.at for i in p.impulses] + [m.at for m in p.marks]
    stated += [ln.at for ln in p.lines if ln.kind == "vertical"]
    stated += [v for d in p.dims if d.kind == "span" for v in (d.x_from, d.x_to)]
    lo = p.x_from if p.x_from is not None else min([0.0, *stated])
    if p.x_to is not None:
        hi = p.x_to
    else:
        hi = max([*stated, lo + p.cycles * cycle if cycle else lo + 1.0])
    if hi <= lo:
        hi = lo + (cycle or 1.0)
    ends = [i.at for i in p.impulses] + [m.at for m in p.marks]
    if (
        p.x_from is None
        and p.x_to is None
        and any(min(v - lo, hi - v) < 0.03 * (hi - lo) for v in ends)
    ):
        pad = 0.06 * (hi - lo)  # a stem or mark at the end of the view must not sit on the frame
        return lo - pad, hi + pad
    return lo, hi


def _crest(xs: np.ndarray, ys: np.ndarray) -> int:
    """Index of the middle of the first highest stretch (a crest, or a flat pulse top) away
    from the view's ends, where a mark would sit on the frame."""
    top, low = np.nanmax(ys), np.nanmin(ys)
    idx = np.nonzero(ys >= top - 1e-3 * max(top - low, 1e-12))[0]
    runs = np.split(idx, np.nonzero(np.diff(idx) > 1)[0] + 1)
    mids = [int(r[len(r) // 2]) for r in runs]
    edge = 0.1 * len(xs)
    return next((m for m in mids if edge < m < len(xs) - edge), mids[0])


def _peaks(ys: np.ndarray) -> list[int]:
    """Local maxima above the curve's mean (crests of a wave, damped or not)."""
    y = np.where(np.isfinite(ys), ys, -np.inf)
    mean = np.nanmean(ys)
    spread = np.nanmax(ys) - np.nanmin(ys)
    i = np.nonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:]) & (y[1:-1] > mean + 0.05 * spread))
    return [int(k) + 1 for k in i[0]]


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

_Job = tuple[str, list[tuple[float, float]], list[tuple[float, float, str, str]], str]


def _moves(anchors: list[tuple[float, float]], offsets: list) -> list[Callable]:
    def make(xy: tuple[float, float], dx: float, dy: float, ha: str, va: str) -> Callable:
        def move(t: Any) -> None:
            t.xy = xy
            t.xyann = (dx, dy)
            t.set_ha(ha)
            t.set_va(va)

        return move

    return [make(xy, *o) for xy in anchors for o in offsets]


_ABOVE = [(0, 4, "center", "bottom"), (0, -4, "center", "top")]
_SIDE = [(7, 0, "left", "center"), (-7, 0, "right", "center")]
_LS = {"solid": "-", "dashed": "--", "dotted": ":"}


class _WaveDrawer:
    def __init__(self, scene: WaveScene, fig: Any):
        self.s, self.fig, self.d = scene, fig, fig.dpi

    def draw(self) -> None:
        s, fig, d = self.s, self.fig, self.d
        width = 6.4
        title = wrap_to_width(fig, safe_text(s.title), 13, (width - 0.4) * d) if s.title else ""
        title_h = text_size(fig, title, 13)[1] / d + 0.12 if title else 0.0
        note_size = 11.0 if len(s.notes) <= 2 else 10.0
        notes = [wrap_to_width(fig, safe_text(t), note_size, (width - 0.4) * d) for t in s.notes]
        heights = [text_size(fig, t, note_size)[1] / d + 0.04 for t in notes]
        notes_h = sum(heights) + (0.1 if notes else 0.0)
        n = len(s.panels)
        want = [self._want(p, n) for p in s.panels]
        room = 8.0 - title_h - notes_h - 0.1
        if sum(want) > room:
            want = [w * room / sum(want) for w in want]
        fig_h = min(8.0, max(3.6, sum(want) + title_h + notes_h + 0.1))
        fig.set_size_inches(width, fig_h)
        inch = fig.dpi_scale_trans
        if title:
            fig.text(
                width / 2, fig_h - 0.06, title, ha="center", va="top", fontsize=13, transform=inch
            )
        y = notes_h - 0.05
        for text, h in zip(notes, heights):
            fig.text(0.2, y, text, ha="left", va="top", fontsize=note_size, transform=inch)
            y -= h
        self.placer = Placer(fig)
        for t in fig.texts:
            self.placer.block_text(t)
        top = fig_h - title_h - 0.05
        spare = (top - notes_h - sum(want)) / n
        for p, h in zip(s.panels, want):
            rect = (0.0, top - h - spare, width, h + spare)
            top -= h + spare
            if p.standing is not None:
                self._standing(p, rect)
            else:
                self._graph(p, rect)

    @staticmethod
    def _want(p: Panel, n: int) -> float:
        """The height (inches) a panel would like: a graph's axes; a sketch, its extra rows."""
        cap = 0.3 if p.label else 0.0
        if p.standing is None:
            return (4.7 if n == 1 else 2.6) + cap
        st = p.standing
        extra = (0.3 if st.show_nodes else 0.0) + (0.5 if st.length_label else 0.0)
        return (2.6 if n == 1 else 1.1) + extra + cap

    # --- shared -----------------------------------------------------------------------------

    def _px(self, rect: tuple[float, float, float, float]) -> Any:
        from matplotlib.transforms import Bbox

        x0, y0, w, h = rect
        return Bbox.from_bounds(x0 * self.d, y0 * self.d, w * self.d, h * self.d)

    def _axes(self, rect: tuple[float, float, float, float]) -> Any:
        fw, fh = self.fig.get_size_inches()
        x0, y0, w, h = rect
        return self.fig.add_axes([x0 / fw, y0 / fh, w / fw, h / fh])

    def _caption(self, p: Panel, rect: tuple[float, float, float, float]) -> float:
        """Writes the panel's caption at its top left; the height it takes (inches)."""
        if not p.label:
            return 0.0
        x0, y0, w, h = rect
        text = wrap_to_width(self.fig, safe_text(p.label), 11, (w - 0.4) * self.d)
        t = self.fig.text(
            x0 + 0.2, y0 + h - 0.03, text, ha="left", va="top", fontsize=11,
            fontweight="bold", color="#333333", transform=self.fig.dpi_scale_trans,
        )  # fmt: skip
        self.placer.block_text(t)
        return text_size(self.fig, text, 11, "bold")[1] / self.d + 0.08

    def _arrow(self, ax: Any, a: tuple, b: tuple, color: str, style: str = "<->", lw=1.3) -> None:
        ax.annotate(
            "", xy=b, xytext=a, zorder=5,
            arrowprops={"arrowstyle": style, "color": color, "lw": lw, "shrinkA": 0,
                        "shrinkB": 0, "mutation_scale": 12},
        )  # fmt: skip
        from matplotlib.transforms import Bbox

        ends = ax.transData.transform([a, b])  # labels keep off the arrow, not only prefer to
        self.placer.block(Bbox.from_extents(*(ends.min(axis=0) - 3), *(ends.max(axis=0) + 3)))

    def _place(self, ax: Any, job: _Job, region: Any) -> None:
        """Writes a label at the first fitting candidate; smaller and farther, then anywhere
        in the panel, then anywhere on the canvas when none fits."""
        text, anchors, offsets, color = job
        size, color = 11.0, color or "#333333"
        t = ax.annotate(
            safe_text(text), xy=anchors[0], xytext=(0, 0), textcoords="offset points",
            fontsize=size, color=color, zorder=7, annotation_clip=False,
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
        )  # fmt: skip
        p = self.placer
        if p.place(t, _moves(anchors, offsets), region=region):
            return
        p.boxes.pop()
        t.set_fontsize(MIN_FONT)
        far = ring_offsets([10, 20, 32, 46, 62, 80], n_angles=16)
        if p.place(t, _moves(anchors[:3], offsets + far), region=region):
            return
        p.boxes.pop()
        ax_xy = ax.transData.transform(anchors[0])
        for area in (region, p.canvas):  # a grid of spots over the panel, then the canvas
            grid = []
            for gy in np.arange(area.y1 - 8, area.y0, -9.0):
                for gx in np.arange(area.x0 + 4, area.x1, 10.0):
                    off = (np.array([gx, gy]) - ax_xy) * 72 / self.d
                    grid.append((float(off[0]), float(off[1]), "left", "top"))
            if p.place(t, _moves(anchors[:1], grid), region=area):
                return
            p.boxes.pop()
        p.place(t, _moves(anchors[:1], offsets), region=None)

    def _fit(self, ax: Any, rect: tuple[float, float, float, float]) -> None:
        """Move the axes so its ticks and axis labels fill the panel without leaving it."""
        renderer = self.fig.canvas.get_renderer()
        panel = self._px(rect)
        W, H = self.fig.canvas.get_width_height()
        pos = [panel.x0 + 60, panel.y0 + 45, panel.x1 - 15, panel.y1 - 8]
        for _ in range(4):
            ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])
            tight, box = ax.get_tightbbox(renderer), ax.get_window_extent(renderer)
            new = [
                panel.x0 + box.x0 - tight.x0 + 6,
                panel.y0 + box.y0 - tight.y0 + 4,
                panel.x1 - (tight.x1 - box.x1) - 14,
                panel.y1 - (tight.y1 - box.y1) - 4,
            ]
            new[2] = max(new[2], new[0] + 80)
            new[3] = max(new[3], new[1] + 30)
            if all(abs(a - b) < 0.5 for a, b in zip(new, pos)):
                break
            pos = new
        ax.set_position([pos[0] / W, pos[1] / H, (pos[2] - pos[0]) / W, (pos[3] - pos[1]) / H])

    # --- graphs -----------------------------------------------------------------------------

    def _graph(self, p: Panel, rect: tuple[float, float, float, float]) -> None:
        cap = self._caption(p, rect)
        inner = (rect[0], rect[1], rect[2], rect[3] - cap)
        ax = self._axes(inner)
        lo, hi = _view(p)
        xs = np.linspace(lo, hi, SAMPLES)
        # (ys, colour, style, label, travel, speed label) per curve: waves, then pulses
        curves = [
            (_wave_y(w, p, xs), _COLORS[i % 6], w.style, w.label, w.travel, w.speed_label)
            for i, w in enumerate(p.waves)
        ]
        k = len(curves)
        curves += [
            (_pulse_y(pu, xs), _COLORS[(k + i) % 6], "solid", pu.label, pu.travel, pu.speed_label)
            for i, pu in enumerate(p.pulses)
        ]
        total = np.nansum([c[0] for c in curves[:k]], axis=0) if p.show_sum else None
        ys_all = [c[0][np.isfinite(c[0])] for c in curves]
        ys_all += [np.array([0.0] + [i.height for i in p.impulses])]
        ys_all += [np.array([m.y for m in p.marks if m.y is not None])]
        ys_all += [np.array([ln.at for ln in p.lines if ln.kind == "horizontal"])]
        if total is not None:
            ys_all.append(total)
        pool = np.concatenate(ys_all)
        ylo, yhi = float(pool.min()), float(pool.max())
        if yhi - ylo < 1e-12 * max(1.0, abs(yhi)):
            ylo, yhi = ylo - 1.0, yhi + 1.0
        span = yhi - ylo
        # rows above the highest crest: one per horizontal dim, then one per travel arrow
        travels = [c for c in curves if c[4]]
        rows = sum(dm.kind in ("wavelength", "period", "span") for dm in p.dims)
        dim_rows = iter(yhi + span * (0.08 + 0.11 * j) for j in range(rows))
        levels = [yhi + span * (0.12 + 0.11 * rows + 0.15 * j) for j in range(len(travels))]
        ax.set_xlim(lo, hi)
        ax.set_ylim(
            ylo - 0.1 * span, max([yhi + span * (0.06 + 0.11 * rows)] + levels) + 0.1 * span
        )
        self._style(ax, p)
        for ys, color, style, *_ in curves:
            ax.plot(xs, ys, _LS[style], color=color, linewidth=2.0, zorder=4)
        if total is not None:
            ax.plot(xs, total, "-", color="black", linewidth=2.4, zorder=4)
        for ln in p.lines:
            draw = ax.axvline if ln.kind == "vertical" else ax.axhline
            draw(ln.at, color="#666666", linestyle="--", linewidth=1.2, zorder=2)
        mark_y = []
        for m in p.marks:
            y = m.y
            if y is None:
                first = curves[0][0] if curves else np.zeros_like(xs)
                y = float(np.interp(m.at, xs, np.nan_to_num(first)))
            mark_y.append(y)
            ax.plot([m.at], [y], "o", color="black", markersize=7, zorder=6, clip_on=False)
        self._fit(ax, inner)
        # everything drawn so far stays clear of the labels
        for t in [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.yaxis.label]:
            self.placer.block_text(t)
        to_disp = ax.transData.transform
        for ys, *_ in curves + ([(total,)] if total is not None else []):
            self.placer.avoid(densify(to_disp(np.column_stack([xs, ys]))))
        for imp in p.impulses:
            if imp.arrow:
                self._arrow(ax, (imp.at, 0.0), (imp.at, imp.height), "#1f3b5a", "-|>", lw=2.0)
            else:
                ax.plot([imp.at, imp.at], [0, imp.height], "-", color="#1f3b5a", linewidth=1.8)
                ax.plot([imp.at], [imp.height], "o", color="#1f3b5a", markersize=6, zorder=6)
        jobs: list[_Job] = []
        for dm in p.dims:
            row = next(dim_rows) if dm.kind in ("wavelength", "period", "span") else 0.0
            jobs += self._dim(ax, dm, xs, curves, row, p)
        for (ys, color, _, _, travel, speed), y in zip(travels, levels):
            jobs += self._travel(ax, xs, ys, color, travel, speed, y, lo, hi)
        for m, y in zip(p.marks, mark_y):
            jobs += self._mark(ax, m, y)
        for imp in p.impulses:
            if imp.label:
                first = (
                    [(0, 4, "center", "bottom")] if imp.height >= 0 else [(0, -4, "center", "top")]
                )
                jobs.append(
                    (imp.label, [(imp.at, imp.height)], first + ring_offsets([8, 16]), "#1f3b5a")
                )
        for ln in p.lines:
            if ln.label:
                if ln.kind == "vertical":
                    spots = [(ln.at, ylo + f * span) for f in (0.95, 0.7, 0.4, 0.1)]
                    jobs.append((ln.label, spots, _SIDE, "#333333"))
                else:
                    spots = [(lo + f * (hi - lo), ln.at) for f in (0.85, 0.6, 0.3)]
                    jobs.append((ln.label, spots, _ABOVE, "#333333"))
        for ys, color, _, label, *_ in curves:
            if label:
                jobs.append((label, self._along(xs, ys), ring_offsets([6, 12]), color))
        if total is not None and p.sum_label:
            jobs.append((p.sum_label, self._along(xs, total), ring_offsets([6, 12]), "black"))
        region = self._px(rect).padded(-2)
        for job in jobs:
            self._place(ax, job, region)

    def _style(self, ax: Any, p: Panel) -> None:
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        lo, hi = ax.get_ylim()
        if lo < 0 < hi:
            ax.axhline(0, color="black", linewidth=0.9, zorder=1)
        if p.ticks:
            ax.grid(True, color="#e2e2e2", linewidth=0.7, zorder=0)
            ax.set_axisbelow(True)
            ax.tick_params(labelsize=9)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_xlabel(safe_text(p.x_axis_label()), fontsize=11)
        ax.set_ylabel(safe_text(p.y_label or "y"), fontsize=11)

    @staticmethod
    def _along(xs: np.ndarray, ys: np.ndarray) -> list[tuple[float, float]]:
        out = []
        for f in (0.12, 0.3, 0.5, 0.7, 0.88, 0.2, 0.6):
            i = int(f * (len(xs) - 1))
            if np.isfinite(ys[i]):
                out.append((float(xs[i]), float(ys[i])))
        ok = np.nonzero(np.isfinite(ys))[0]
        return out or [(float(xs[ok[len(ok) // 2]]), float(ys[ok[len(ok) // 2]]))]

    def _dim(self, ax: Any, dm: Dim, xs, curves, row: float, p: Panel) -> list[_Job]:
        """Draws a dimension arrow (a horizontal one at height ``row``); its label's job."""
        guide = {"color": "#888888", "linestyle": ":", "linewidth": 1.0, "zorder": 3}
        ys = curves[dm.of][0] if dm.kind != "span" else np.zeros_like(xs)
        if not np.any(np.isfinite(ys)):
            return []
        i = _crest(xs, ys)
        xc, top = float(xs[i]), float(ys[i])
        if dm.kind in ("amplitude", "peak_to_peak"):
            wave = p.waves[dm.of] if dm.of < len(p.waves) else None
            if dm.kind == "peak_to_peak":
                j = int(np.nanargmin(ys))
                base = float(ys[j])
                ax.plot([xs[j], xc], [base, base], **guide)
            elif wave is not None and wave.expr:  # a formula's midline
                base = (float(np.nanmax(ys)) + float(np.nanmin(ys))) / 2
            else:
                base = wave.offset if wave is not None else 0.0
            self._arrow(ax, (xc, base), (xc, top), "#333333")
            spots, offs = [(xc, (base + top) / 2)], _SIDE + ring_offsets([8, 16])
        else:
            if dm.kind == "span":
                x1, x2 = float(dm.x_from), float(dm.x_to)
            else:  # crest to crest; one cycle on from the first crest when one is in view
                peaks = _peaks(ys)
                x1 = float(xs[peaks[0]]) if peaks else xc
                x2 = float(xs[peaks[1]]) if len(peaks) > 1 else x1 + (self._cycle(p, dm.of) or 0)
                x2 = x2 if x1 < x2 <= xs[-1] else float(xs[-1])
            for v in (x1, x2):
                ax.plot([v, v], [float(np.interp(v, xs, np.nan_to_num(ys))), row], **guide)
            self._arrow(ax, (x1, row), (x2, row), "#333333")
            spots, offs = [((x1 + x2) / 2, row)], _ABOVE + ring_offsets([8])
        return [(dm.label, spots, offs, "")] if dm.label else []

    @staticmethod
    def _cycle(p: Panel, k: int) -> float | None:
        if k < len(p.waves):
            return _cycle(p.waves[k], p.axis)
        return p.pulses[k - len(p.waves)].period

    def _travel(self, ax, xs, ys, color, travel, speed, y, lo, hi) -> list[_Job]:
        ok = np.isfinite(ys) & (np.abs(ys) > 1e-9 * max(np.nanmax(np.abs(ys)), 1e-300))
        mid = (
            float(np.mean(xs[ok]))
            if np.any(ok) and np.ptp(xs[ok]) < 0.6 * (hi - lo)
            else (lo + hi) / 2
        )
        half = 0.09 * (hi - lo)
        mid = min(max(mid, lo + half), hi - half)
        a, b = (mid - half, mid + half) if travel == "+x" else (mid + half, mid - half)
        self._arrow(ax, (a, y), (b, y), color, "-|>", lw=2.0)
        offs = [(0, 4, "center", "bottom"), *_SIDE, (0, -4, "center", "top")]
        return [(speed, [(mid, y)], offs + ring_offsets([10]), color)] if speed else []

    def _mark(self, ax: Any, m: Mark, y: float) -> list[_Job]:
        from matplotlib.transforms import Bbox

        if m.motion:
            dx, dy = {"up": (0, 26), "down": (0, -26), "left": (-26, 0), "right": (26, 0)}[m.motion]
            ax.annotate(
                "", xy=(m.at, y), xytext=(dx, dy), textcoords="offset points", zorder=6,
                arrowprops={"arrowstyle": "<|-", "color": "black", "lw": 1.6, "shrinkA": 0,
                            "shrinkB": 5, "mutation_scale": 12},
            )  # fmt: skip
            px, py = ax.transData.transform((m.at, y))
            ex, ey = px + dx * self.d / 72, py + dy * self.d / 72
            self.placer.block(
                Bbox.from_extents(
                    min(px, ex) - 5, min(py, ey) - 5, max(px, ex) + 5, max(py, ey) + 5
                )
            )
        else:
            px, py = ax.transData.transform((m.at, y))
            self.placer.block(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
        return [(m.label, [(m.at, y)], ring_offsets([7, 14, 24]), "black")] if m.label else []

    # --- standing waves -----------------------------------------------------------------------

    def _standing(self, p: Panel, rect: tuple[float, float, float, float]) -> None:
        from matplotlib.patches import Rectangle

        st = p.standing
        assert st is not None
        cap = self._caption(p, rect)
        x0, y0, w, h = rect
        ax = self._axes(rect)
        ax.set_axis_off()
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        len_h = 0.5 if st.length_label else 0.0
        let_h = 0.3 if st.show_nodes else 0.0
        yb, yt = 0.1 + len_h + let_h, h - cap - 0.12
        mid, half = (yb + yt) / 2, max((yt - yb) / 2, 0.1)
        amp = half * (0.75 if st.medium == "pipe" else 0.85)
        xa, xb = 0.7, w - 0.7
        u = np.linspace(0, 1, 600)
        xs, env = xa + u * (xb - xa), st.envelope(u)
        ax.plot(xs, mid + amp * env, "-", color=_COLORS[0], linewidth=2.0, zorder=4)
        ax.plot(xs, mid - amp * env, "--", color=_COLORS[0], linewidth=1.6, zorder=4)
        ax.plot([xa, xb], [mid, mid], ":", color="#777777", linewidth=1.0, zorder=3)
        dark = {"color": "#444444", "zorder": 3}
        wall = amp + min(0.1, 0.3 * amp)
        if st.medium == "pipe":
            ax.add_patch(Rectangle((xa, mid - wall), xb - xa, 2 * wall, fc="#eaf2fb", ec="none"))
            for y in (mid - wall, mid + wall):
                ax.plot([xa, xb], [y, y], "-", linewidth=2.5, **dark)
                self.placer.avoid(densify(ax.transData.transform([(xa, y), (xb, y)])))
        for x, e in ((xa, env[0]), (xb, env[-1])):  # a node is a closed or fixed end
            if e < 0.5 and st.medium == "pipe":
                ax.plot([x, x], [mid - wall, mid + wall], "-", linewidth=4, **dark)
            elif e < 0.5:  # a clamp the string is tied to
                side = -0.06 if x == xa else 0.0
                ax.add_patch(Rectangle((x + side, mid - wall), 0.06, 2 * wall, fc="#888888",
                                       ec="#444444", hatch="///", zorder=2))  # fmt: skip
            elif st.medium == "string":  # a free end: a ring on a rod
                ax.plot([x, x], [mid - wall, mid + wall], "-", color="#888888", linewidth=1.5)
                ax.plot([x], [mid + amp], "o", mfc="white", mec="#444444", ms=7, zorder=5)
        to_disp = ax.transData.transform
        for sgn in (1, -1):
            self.placer.avoid(densify(to_disp(np.column_stack([xs, mid + sgn * amp * env]))))
        bold = {"ha": "center", "va": "center", "fontsize": 11, "fontweight": "bold"}
        if st.show_nodes:
            for uu, letter in _letters(st):
                t = ax.text(xa + uu * (xb - xa), yb - let_h / 2, letter, color="#7a1f1f", **bold)
                self.placer.block_text(t)
        if st.length_label:
            ya = 0.1 + len_h * 0.78
            self._arrow(ax, (xa, ya), (xb, ya), "#333333")
            text = safe_text(st.length_label)
            t = ax.text((xa + xb) / 2, ya - 0.06, text, ha="center", va="top", fontsize=11)
            if self.placer.extent(t).width > (xb - xa) * self.d:
                t.set_fontsize(MIN_FONT)
            self.placer.block_text(t)
        if st.amplitude_label:
            antinodes = [uu for uu, s in _letters(st) if s == "A"]
            ua = next((uu for uu in antinodes if 0 < uu < 1), antinodes[0])
            xa_ = xa + ua * (xb - xa)
            self._arrow(ax, (xa_, mid), (xa_, mid + amp), "#333333")
            job = (st.amplitude_label, [(xa_, mid + amp / 2)], _SIDE + ring_offsets([8, 16]), "")
            self._place(ax, job, self._px(rect).padded(-2))
