"""Circuit scenes: a netlist (components between named nodes) drawn as a schematic.

The model lists components with the two nodes each one joins; the renderer reduces the netlist to
series and parallel groups and lays it out deterministically: the (first) source on the left of
a rectangular loop, the rest of the loop along its top, right and bottom sides, parallel branches
as rungs, a voltmeter across a component as a rung beside it. A source-less network with two
free ends is drawn as a two-terminal network. Symbols are schemdraw elements; every label is a
Matplotlib text placed in a box the layout reserved for it, so labels never overlap.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sciray.scene.base import SceneSpec, register
from sciray.scene.text import mathtext_ok, plain_question

# "in parallel", not a "parallel-plate capacitor"
_PARALLEL = re.compile(r"\bparallel\b(?![- ]plates?)", re.IGNORECASE)

__all__ = ["CircuitScene", "Component"]

MAX_COMPONENTS = 16
Kind = Literal[
    "battery",
    "ac_source",
    "resistor",
    "capacitor",
    "inductor",
    "switch",
    "lamp",
    "ammeter",
    "voltmeter",
    "ground",
    "diode",
]
SOURCES = ("battery", "ac_source")
NodeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class Component(BaseModel):
    """One circuit element joining two nodes (a ground marks one node)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    kind: Kind
    """battery (any DC source; + terminal at node_a), ac_source, resistor, capacitor, inductor,
    switch, lamp, ammeter, voltmeter, ground or diode (anode at node_a)."""
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] = ""
    """Its name as the problem writes it, e.g. "R1", "C", "ε"; empty for none."""
    value: ShortText = ""
    """Its stated value(s), e.g. "4 Ω", "12 V", "V_max = 70 V, ω = 100 rad/s"; empty if none."""
    node_a: NodeName
    """Node at its first terminal, e.g. "a"."""
    node_b: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] = ""
    """Node at its second terminal; empty only for a ground."""
    closed: bool = False
    """Switch only: true when the switch is closed."""
    current: ShortText = ""
    """A stated current through it, drawn as an arrow from node_a to node_b (for a source: out
    of its + terminal), e.g. "I1" or "0.300 A"; empty for none."""

    @model_validator(mode="before")
    @classmethod
    def _ground_marks_node_a(cls, data: Any) -> Any:
        # a ground marks one node; small models give it a second one anyway ("0", "gnd"): the
        # component is grounded at node_a, which is what they mean
        if isinstance(data, dict) and data.get("kind") == "ground" and data.get("node_b"):
            return {**data, "node_b": ""}
        return data

    def label(self) -> str:
        """The text drawn beside it: "R1 = 4 Ω", "R1", "4 Ω" (one line per stated value)."""
        value = self.value
        parts = [p.strip() for p in value.split(", ")] if value.count("=") >= 2 else [value]
        parts = [p for p in parts if p]
        if not self.name:
            return "\n".join(parts)
        if not parts:
            return self.name
        if "=" in parts[0]:
            return "\n".join([self.name, *parts])
        return "\n".join([f"{self.name} = {parts[0]}", *parts[1:]])


@register
class CircuitScene(SceneSpec):
    """An electric circuit given as a netlist: components between named nodes."""

    domain: Literal["circuit"] = "circuit"
    components: list[Component] = Field(min_length=1, max_length=MAX_COMPONENTS)
    """Every component, each between two named nodes; components sharing both nodes are in
    parallel, a chain through nodes joined by nothing else is in series."""
    terminals: list[NodeName] = Field(default_factory=list, max_length=2)
    """The two open terminals of a network drawn on its own (no closed loop), e.g. ["a", "b"];
    empty when the circuit is a closed loop."""
    labeled_nodes: list[NodeName] = Field(default_factory=list, max_length=6)
    """Nodes to mark with a dot and their name, e.g. ["a", "b"]; empty for none."""
    notes: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    ] = Field(default_factory=list, max_length=4)
    """Stated values that belong to no one component, e.g. "q(0) = 6.20 μC", "N = 5"."""

    image_types: ClassVar[tuple[str, ...]] = ("physics - circuit",)

    @model_validator(mode="after")
    def _check_netlist(self) -> CircuitScene:
        names = [c.name for c in self.components if c.name]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"component names must be unique: {', '.join(sorted(dup))}")
        for c in self.components:
            if c.kind == "ground":
                if c.node_b:
                    raise ValueError("a ground marks one node: leave its node_b empty")
            elif not c.node_b:
                raise ValueError(f"{c.name or c.kind} needs node_b (the node at its other end)")
            elif c.node_a == c.node_b:
                raise ValueError(f"{c.name or c.kind} joins node {c.node_a!r} to itself")
        nodes = {c.node_a for c in self.components} | {
            c.node_b for c in self.components if c.node_b
        }
        if len(self.terminals) == 1 or len(set(self.terminals)) != len(self.terminals):
            raise ValueError("terminals: give two different nodes, or none")
        # a label for a node no component joins (seen from the 1.5B coder on an RC circuit,
        # seed 9) has nothing to mark: it goes, and the circuit is drawn
        self.labeled_nodes = [n for n in self.labeled_nodes if n in nodes]
        unknown = [n for n in self.terminals if n not in nodes]
        if unknown:
            raise ValueError(f"terminals names nodes no component joins: {', '.join(unknown)}")
        if not any(c.kind != "ground" for c in self.components):
            raise ValueError("a circuit needs at least one two-terminal component")
        _plan(
            self.components, self.terminals
        )  # raises ValueError when the netlist cannot be laid out
        return self

    # -- labels ------------------------------------------------------------------------------

    def _texts(self) -> list[str]:
        out = []
        if self.title:
            out.append(_math(self.title))
        for c in self.components:
            if c.label():
                out.append(_math(c.label()))
            if c.current and c.kind != "ground":
                out.append(_math(c.current))
        out.extend(_math(n) for n in self.terminals)
        out.extend(_math(n) for n in self.labeled_nodes if n not in self.terminals)
        out.extend(_math(n) for n in self.notes)
        return out

    def labels(self) -> list[str]:
        return self._texts()

    # -- drawing -----------------------------------------------------------------------------

    def disagreements(self, question: str) -> list[str]:
        # seen from the 1.5B coder (seed 11): three loudspeakers "connected in parallel" written
        # as a chain a-b, b-c, c-d
        parts = [c for c in self.components if c.kind not in ("ground", "battery", "ac_source")]
        if len(parts) >= 2 and _PARALLEL.search(question):
            pairs = Counter(frozenset((c.node_a, c.node_b)) for c in parts)
            if max(pairs.values()) < 2:
                return [
                    "the problem says 'parallel', but no two components join the same two "
                    "nodes: components in parallel share both their node_a and node_b"
                ]
        return []

    def aligned_to(self, question: str) -> CircuitScene:
        return self._with_stated_source(question)._with_stated_current(question)

    def _with_stated_current(self, question: str) -> CircuitScene:
        # a one-loop circuit's one stated current flows through all of it (seen, seed 30: "the
        # current in the circuit is I_RMS = 0.300 A" left off a series RC circuit): drawn at
        # its source, else its first component
        parts = [c for c in self.components if c.kind != "ground"]
        amps = set(_STATED_AMPS.findall(plain_question(question)))
        if len(amps) != 1 or self.terminals or not parts or any(c.current for c in parts):
            return self
        degree = Counter(n for c in parts for n in (c.node_a, c.node_b))
        if any(d != 2 for d in degree.values()) or len(degree) != len(parts):
            return self  # not a single loop: which branch carries it is unknown
        value = re.sub(r"(\d)\s*(?=[A-Za-zμ])", r"\1 ", amps.pop())[:40]
        carrier = next((c for c in parts if c.kind in SOURCES), parts[0])
        components = [
            c.model_copy(update={"current": value}) if c is carrier else c for c in self.components
        ]
        return self.model_copy(update={"components": components})

    def _with_stated_source(self, question: str) -> CircuitScene:
        # a driven circuit written without its source (seen, seed 18: "a series RLC AC circuit
        # ... the maximum potential is 70V" as an open chain R-L-C): the source the problem
        # states closes the chain between its two free ends
        if self.terminals or any(c.kind in SOURCES for c in self.components):
            return self
        ends = _free_ends(self.components)
        volts = _STATED_VOLTS.findall(plain_question(question))
        ac = _AC.search(question) is not None
        if len(ends) != 2 or not volts or not (ac or _DC_SOURCE.search(question)):
            return self
        value = volts[0]
        if ac:
            value = ", ".join([value, *_STATED_FREQUENCY.findall(plain_question(question))[:1]])
        value = re.sub(r"(\d)\s*(?=[A-Za-z])", r"\1 ", value)[:40]  # "70V" -> "70 V"
        source = Component(
            kind="ac_source" if ac else "battery", value=value, node_a=ends[0], node_b=ends[1]
        )
        return self.model_copy(update={"components": [source, *self.components]})

    def draw(self, fig: Any) -> None:
        _draw(self, fig)


_STATED_AMPS = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*[mμu]?A\b")
_STATED_VOLTS = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*[km]?V\b")
_STATED_FREQUENCY = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*(?:rad/s|[kM]?Hz)\b")
_AC = re.compile(r"\bAC\b|\balternating\b|\brms\b|\bangular frequency\b", re.IGNORECASE)
_DC_SOURCE = re.compile(r"\b(?:battery|emf|source|supply|generator)\b", re.IGNORECASE)


def _free_ends(comps: list[Component]) -> list[str]:
    """Nodes only one two-terminal component joins, in the order the components name them."""
    degree: dict[str, int] = {}
    for c in comps:
        if c.kind != "ground":
            for n in (c.node_a, c.node_b):
                degree[n] = degree.get(n, 0) + 1
    return [n for n, d in degree.items() if d == 1]


# =============================================================================================
# Text helpers
# =============================================================================================

_SCI = re.compile(r"(\d+(?:\.\d+)?)\s*(?:x|×|\*)\s*10\s*\^\s*\{?([+\-−]?\d{1,3})\}?")
_SUP = re.compile(
    r"(?<![\\$])\b([A-Za-z0-9.]{1,8})\^(\{[^{}$\\]{1,12}\}|[+\-]?[A-Za-z0-9]{1,4}[+\-]?)"
)
_SUB = re.compile(
    r"(?<![\\$\w])([A-Za-z\u0370-\u03ff]{1,4}[0-9]{0,2})_(\{[^{}$\\]{1,12}\}|[A-Za-z0-9]{1,6})"
)


def _strip_braces(s: str) -> str:
    return s[1:-1] if s.startswith("{") and s.endswith("}") else s


def _math(text: str) -> str:
    """``text`` as drawn: "V_max" and "10^-4" become mathtext; a "$" the model wrote stays math
    when it parses, else it is escaped (so no label can break the render). Line by line."""
    return "\n".join(_math_line(line) for line in text.split("\n"))


def _math_line(text: str) -> str:
    if "$" in text:
        return text if mathtext_ok(text) else text.replace("$", r"\$")
    out = _SCI.sub(lambda m: f"${m.group(1)}\\times10^{{{m.group(2).replace('−', '-')}}}$", text)
    out = _SUP.sub(lambda m: f"$\\mathrm{{{m.group(1)}}}^{{{_strip_braces(m.group(2))}}}$", out)
    out = _SUB.sub(lambda m: f"$\\mathrm{{{m.group(1)}_{{{_strip_braces(m.group(2))}}}}}$", out)
    out = out.replace("$$", "")  # two converted pieces side by side: one math run
    if out != text and not mathtext_ok(out):
        return text
    return out


# =============================================================================================
# Netlist -> series/parallel tree
# =============================================================================================
# A tree is ("leaf", index, flipped) | ("series", [trees], [junction nodes]) | ("par", [trees]).
# "flipped" means the component's node_b is at the start of the path that runs through it.


def _reverse(tree: tuple) -> tuple:
    if tree[0] == "leaf":
        return ("leaf", tree[1], not tree[2])
    if tree[0] == "series":
        return ("series", [_reverse(c) for c in reversed(tree[1])], list(reversed(tree[2])))
    return ("par", [_reverse(c) for c in tree[1]])


def _series_joins(a: tuple, junction: str, b: tuple) -> list[str]:
    ja = a[2] if a[0] == "series" else []
    jb = b[2] if b[0] == "series" else []
    return [*ja, junction, *jb]


def _par(a: tuple, b: tuple) -> tuple:
    kids = (a[1] if a[0] == "par" else [a]) + (b[1] if b[0] == "par" else [b])
    return ("par", kids)


def _reduce(edges: list[list], s: str, t: str, comps: list[Component]) -> tuple:
    """The series/parallel tree of ``edges`` ([u, v, tree]) between terminals s and t."""
    edges = [list(e) for e in edges]
    for _ in range(4 * len(edges) + 4):  # each step removes an edge: bounded
        for u, v, tree in edges:
            if u == v:
                raise ValueError(
                    f"{_names(tree, comps)} form a closed loop on node {u!r} that touches "
                    "nothing else (shorted)"
                )
        if len(edges) == 1 and {edges[0][0], edges[0][1]} == {s, t}:
            u, v, tree = edges[0]
            return tree if u == s else _reverse(tree)
        changed = False
        # parallel: two edges between the same pair of nodes
        seen: dict[frozenset, int] = {}
        for k, (u, v, tree) in enumerate(edges):
            key = frozenset((u, v))
            if key in seen:
                first = edges[seen[key]]
                other = tree if u == first[0] else _reverse(tree)
                first[2] = _par(first[2], other)
                del edges[k]
                changed = True
                break
            seen[key] = k
        if changed:
            continue
        degree: dict[str, list[int]] = {}
        for k, (u, v, _) in enumerate(edges):
            degree.setdefault(u, []).append(k)
            degree.setdefault(v, []).append(k)
        for node, ks in degree.items():
            if node in (s, t):
                continue
            if len(ks) == 1:
                raise ValueError(
                    f"{_names(edges[ks[0]][2], comps)} hangs from node {node!r}, which "
                    "nothing else joins (an open end)"
                )
            if len(ks) == 2:
                e1, e2 = edges[ks[0]], edges[ks[1]]
                a1, t1 = (e1[0], e1[2]) if e1[1] == node else (e1[1], _reverse(e1[2]))
                b2, t2 = (e2[1], e2[2]) if e2[0] == node else (e2[0], _reverse(e2[2]))
                merged = [a1, b2, _series_join(t1, node, t2)]
                edges = [e for k, e in enumerate(edges) if k not in ks] + [merged]
                changed = True
                break
        if not changed:
            break
    if not any(s in (u, v) for u, v, _ in edges) or not any(t in (u, v) for u, v, _ in edges):
        raise ValueError(f"nodes {s!r} and {t!r} are not joined by the rest of the circuit")
    raise ValueError(
        "the netlist is not a series-parallel circuit (a bridge or a part that is not "
        "connected); only series and parallel combinations can be drawn"
    )


def _series_join(a: tuple, junction: str, b: tuple) -> tuple:
    kids = (a[1] if a[0] == "series" else [a]) + (b[1] if b[0] == "series" else [b])
    return ("series", kids, _series_joins(a, junction, b))


def _names(tree: tuple, comps: list[Component]) -> str:
    found: list[str] = []

    def walk(t: tuple) -> None:
        if t[0] == "leaf":
            c = comps[t[1]]
            found.append(c.name or c.kind)
        else:
            for child in t[1]:
                walk(child)

    walk(tree)
    return ", ".join(found[:4]) + (" ..." if len(found) > 4 else "")


def _plan(comps: list[Component], terminals: list[str] = ()) -> tuple:
    """("loop", source index, tree from its + node round to its - node) or
    ("open", None, tree between the two terminals or the two free ends)."""
    two = [i for i, c in enumerate(comps) if c.kind != "ground"]
    if terminals:
        edges = [[comps[i].node_a, comps[i].node_b, ("leaf", i, False)] for i in two]
        return ("open", None, _reduce(edges, terminals[0], terminals[1], comps))
    sources = [i for i in two if comps[i].kind in SOURCES]
    if sources:
        main = sources[0]
    else:
        ends = _free_ends(comps)
        if len(ends) == 2:
            edges = [[comps[i].node_a, comps[i].node_b, ("leaf", i, False)] for i in two]
            return ("open", None, _reduce(edges, ends[0], ends[1], comps))
        if ends:
            raise ValueError(
                f"open ends at nodes {', '.join(map(repr, ends))}: join every node to two "
                "components at least (or give exactly two free terminals)"
            )
        main = two[0]
    c = comps[main]
    rest = [[comps[i].node_a, comps[i].node_b, ("leaf", i, False)] for i in two if i != main]
    if not rest:
        raise ValueError(f"{c.name or c.kind} has nothing to drive: add the rest of the loop")
    return ("loop", main, _reduce(rest, c.node_a, c.node_b, comps))


# =============================================================================================
# Layout (units: 1 unit = ipu inches; the whole drawing is scaled to fit the figure)
# =============================================================================================

BODY = {  # half-width across the wire, body length along it (units)
    "battery": (0.4, 0.6),
    "ac_source": (0.5, 1.0),
    "resistor": (0.25, 1.0),
    "capacitor": (0.3, 0.2),
    "inductor": (0.25, 1.0),
    "switch": (0.45, 1.0),
    "lamp": (0.5, 1.0),
    "ammeter": (0.5, 1.0),
    "voltmeter": (0.5, 1.0),
    "diode": (0.28, 0.4),
}
LEAF_MIN = 1.6  # shortest slot of one element (body plus leads)
LABEL_GAP = 0.12
ARROW_LEAD = 0.75  # extra lead that carries a current arrow
STUB = 0.35  # wire between a parallel bus and its branches
RUNG_GAP = 0.3
SIDE_GAP = 0.5
FONT_SIZES = (12.0, 11.0, 10.0, 9.0)
IPUS = (0.9, 0.8, 0.7, 0.62, 0.55, 0.48, 0.42, 0.36, 0.3, 0.26, 0.22)


class _Ctx:
    """What one layout pass needs: the scene, text sizes in inches, the scale."""

    def __init__(self, scene: CircuitScene, sizes: dict[str, tuple[float, float]], ipu: float):
        self.scene, self.comps, self.sizes, self.ipu = scene, scene.components, sizes, ipu
        self.texts: list[tuple[str, float, float, str, str, str]] = []  # s, x, y, ha, va, kind
        self.boxes: list[tuple[float, float, float, float]] = []  # reserved text boxes
        self.bodies: list[tuple[float, float, float, float]] = []  # element bodies
        self.wires: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self.elements: list[tuple] = []  # (kind, start, end, comp) in units
        self.arrows: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self.node_points: dict[str, list[tuple[float, float]]] = {}
        self.memo: dict[tuple[int, bool], tuple] = {}

    def size(self, text: str) -> tuple[float, float]:
        w, h = self.sizes[text]
        return w / self.ipu, h / self.ipu

    def node(self, name: str, p: tuple[float, float]) -> None:
        pts = self.node_points.setdefault(name, [])
        if p not in pts:
            pts.append(p)

    def wire(self, p, q) -> None:
        if abs(p[0] - q[0]) > 1e-9 or abs(p[1] - q[1]) > 1e-9:
            self.wires.append((p, q))

    def text(self, s: str, x: float, y: float, ha: str, va: str, kind: str = "text") -> None:
        w, h = self.size(s)
        x0 = {"left": x, "center": x - w / 2, "right": x - w}[ha]
        y0 = {"bottom": y, "center": y - h / 2, "top": y - h}[va]
        self.boxes.append((x0, y0, x0 + w, y0 + h))
        self.texts.append((s, x, y, ha, va, kind))


def _leaf_text(comp: Component) -> str:
    return _math(comp.label()) if comp.label() else ""


def _measure(tree: tuple, horiz: bool, ctx: _Ctx) -> tuple[float, float, float]:
    """(length along the path, extent on the label side, extent on the inner side)."""
    key = (id(tree), horiz)
    if key not in ctx.memo:
        ctx.memo[key] = (_measure_once(tree, horiz, ctx), tree)  # keep tree alive: id stable
    return ctx.memo[key][0]


def _measure_once(tree: tuple, horiz: bool, ctx: _Ctx) -> tuple[float, float, float]:
    if tree[0] == "leaf":
        comp = ctx.comps[tree[1]]
        hw, body = BODY[comp.kind]
        length, out, inn = max(LEAF_MIN, body + 0.6), hw, hw
        label = _leaf_text(comp)
        if label:
            w, h = ctx.size(label)
            if horiz:
                length = max(length, w + 0.3)
                out = hw + LABEL_GAP + h
            else:
                length = max(length, h + 0.3)
                out = hw + LABEL_GAP + w
        if comp.current:
            w, h = ctx.size(_math(comp.current))
            length += ARROW_LEAD
            if horiz:
                length = max(length, w + body + 0.9)
                inn = max(inn, 0.12 + LABEL_GAP + h)
            else:
                length = max(length, h + body + 0.9)
                inn = max(inn, 0.12 + LABEL_GAP + w)
        return length, out, inn
    if tree[0] == "series":
        parts = [_measure(c, horiz, ctx) for c in tree[1]]
        return sum(p[0] for p in parts), max(p[1] for p in parts), max(p[2] for p in parts)
    parts = [_measure(c, horiz, ctx) for c in tree[1]]
    offset = 0.0
    for k in range(1, len(parts)):
        offset += parts[k - 1][2] + RUNG_GAP + parts[k][1]
    return max(p[0] for p in parts) + 2 * STUB, parts[0][1], offset + parts[-1][2]


def _start_node(tree: tuple, comps: list[Component]) -> str:
    if tree[0] == "leaf":
        c = comps[tree[1]]
        return c.node_b if tree[2] else c.node_a
    return _start_node(tree[1][0], comps)


def _end_node(tree: tuple, comps: list[Component]) -> str:
    if tree[0] == "leaf":
        c = comps[tree[1]]
        return c.node_a if tree[2] else c.node_b
    if tree[0] == "series":
        return _end_node(tree[1][-1], comps)
    return _end_node(tree[1][0], comps)


def _add(p, d, k):
    return (p[0] + d[0] * k, p[1] + d[1] * k)


def _place(tree: tuple, p, d, n, length: float, ctx: _Ctx) -> None:
    """Draw ``tree`` from point p along direction d over ``length`` units, labels toward n."""
    horiz = d[1] == 0
    own = _measure(tree, horiz, ctx)
    if tree[0] == "leaf":
        _place_leaf(tree, p, d, n, length, ctx)
        return
    if tree[0] == "series":
        parts = [_measure(c, horiz, ctx) for c in tree[1]]
        extra = (length - own[0]) / len(parts)
        q = p
        for k, (child, m) in enumerate(zip(tree[1], parts)):
            _place(child, q, d, n, m[0] + extra, ctx)
            q = _add(q, d, m[0] + extra)
            if k < len(tree[2]):
                ctx.node(tree[2][k], q)
        return
    parts = [_measure(c, horiz, ctx) for c in tree[1]]
    inner = length - 2 * STUB
    end = _add(p, d, length)
    offset = 0.0
    start_node, end_node = _start_node(tree, ctx.comps), _end_node(tree, ctx.comps)
    for k, (child, m) in enumerate(zip(tree[1], parts)):
        if k:
            offset += parts[k - 1][2] + RUNG_GAP + m[1]
        a = _add(p, n, -offset)
        b = _add(end, n, -offset)
        lead = (inner - m[0]) / 2
        c0 = _add(a, d, STUB + lead)
        c1 = _add(c0, d, m[0])
        ctx.wire(a, c0)
        ctx.wire(c1, b)
        ctx.node(start_node, a)
        ctx.node(end_node, b)
        _place(child, c0, d, n, m[0], ctx)
    ctx.wire(p, _add(p, n, -offset))
    ctx.wire(end, _add(end, n, -offset))


def _place_leaf(tree: tuple, p, d, n, length: float, ctx: _Ctx) -> None:
    comp = ctx.comps[tree[1]]
    flipped = tree[2]
    hw, body = BODY[comp.kind]
    end = _add(p, d, length)
    ctx.node(comp.node_b if flipped else comp.node_a, p)
    ctx.node(comp.node_a if flipped else comp.node_b, end)
    start = p
    if comp.current:
        # the current arrow rides on a lead before the element, pointing from node_a to node_b
        lead_end = _add(p, d, ARROW_LEAD)
        mid = _add(p, d, ARROW_LEAD / 2)
        sign = -1.0 if flipped else 1.0
        if comp.kind in SOURCES:  # a source drives its current from - to + inside it
            sign = -sign
        tail, head = _add(mid, d, -0.18 * sign), _add(mid, d, 0.18 * sign)
        ctx.wire(p, lead_end)
        ctx.arrows.append((tail, head))
        cur = _math(comp.current)
        below = _add(mid, n, -(0.12 + LABEL_GAP))
        ha, va = _align((-n[0], -n[1]))
        ctx.text(cur, below[0], below[1], ha, va)
        start = lead_end
    seg_len = math.dist(start, end)
    centre = _add(start, d, seg_len / 2)
    a, b = (end, start) if flipped else (start, end)
    ctx.elements.append((comp.kind, a, b, comp))
    ctx.wire(start, _add(centre, d, -body / 2))
    ctx.wire(_add(centre, d, body / 2), end)
    half = (body / 2, hw) if d[1] == 0 else (hw, body / 2)
    ctx.bodies.append(
        (centre[0] - half[0], centre[1] - half[1], centre[0] + half[0], centre[1] + half[1])
    )
    label = _leaf_text(comp)
    if label:
        anchor = _add(centre, n, hw + LABEL_GAP)
        ha, va = _align(n)
        ctx.text(label, anchor[0], anchor[1], ha, va)


def _align(n) -> tuple[str, str]:
    if n[1] > 0:
        return "center", "bottom"
    if n[1] < 0:
        return "center", "top"
    if n[0] > 0:
        return "left", "center"
    return "right", "center"


def _overlap(a, b, pad: float = 0.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _layout(scene: CircuitScene, sizes, ipu: float) -> _Ctx:
    ctx = _Ctx(scene, sizes, ipu)
    comps = scene.components
    mode, main, tree = _plan(comps, scene.terminals)
    if mode == "open":
        length, _, _ = _measure(tree, True, ctx)
        s, t = _start_node(tree, comps), _end_node(tree, comps)
        a, b = (0.0, 0.0), (length + 1.0, 0.0)
        ctx.wire(a, (0.5, 0.0))
        ctx.wire((length + 0.5, 0.0), b)
        _place(tree, (0.5, 0.0), (1, 0), (0, 1), length, ctx)
        ctx.terminals = [a, b]
        ctx.bodies += [(-0.12, -0.12, 0.12, 0.12), (b[0] - 0.12, -0.12, b[0] + 0.12, 0.12)]
        for name, p, ha in ((s, a, "right"), (t, b, "left")):
            if name in scene.terminals:
                ctx.text(_math(name), p[0] + (-0.18 if ha == "right" else 0.18), 0.0, ha, "center")
        ctx.node_points[s] = [a]  # a label of a terminal node goes by the terminal
        ctx.node_points[t] = [b]
    else:
        _layout_loop(ctx, main, tree)
    _place_grounds(ctx)
    _place_node_labels(ctx)
    return ctx


def _layout_loop(ctx: _Ctx, main: int, tree: tuple) -> None:
    comps = ctx.comps
    items = tree[1] if tree[0] == "series" else [tree]
    joins = tree[2] if tree[0] == "series" else []
    # sides = items[:s0] on top, items[s0:s1] on the right, items[s1:] on the bottom. A group
    # of branches straight across the source becomes a ladder of vertical rungs (right side);
    # any other parallel group stays on a horizontal side, its branches stacked as in textbooks
    # ("3 Ω (top) and 6 Ω (bottom)").
    k = len(items)
    if k == 1:
        split = (0, 1, 1) if items[0][0] == "par" else (1, 1, 1)
    else:
        top = math.ceil((k - 1) / 2) if k >= 4 else 1
        if items[top][0] == "par" or (k == 2 and items[0][0] == "par"):
            top = 2 if k <= 3 else math.ceil(k / 2)
            split = (top, top, k)
        else:
            split = (top, top + 1, k)
    sides = [items[: split[0]], items[split[0] : split[1]], items[split[1] : split[2]]]

    def group(side: list[tuple], offset: int) -> tuple | None:
        if not side:
            return None
        if len(side) == 1:
            return side[0]
        return ("series", side, joins[offset : offset + len(side) - 1])

    blocks = [group(sides[0], 0), group(sides[1], split[0]), group(sides[2], split[1])]
    if blocks[1] is not None and blocks[1][0] == "par":
        # rungs on the right side stack leftward from the right edge: list them so that the
        # first branch reads first, left to right
        blocks[1] = ("par", list(reversed(blocks[1][1])))
    source = ("leaf", main, True)  # drawn upward: from its - node (bottom) to its + node (top)
    src_m = _measure(source, False, ctx)
    meas = [
        _measure(blocks[0], True, ctx) if blocks[0] else (0.0, 0.0, 0.0),
        _measure(blocks[1], False, ctx) if blocks[1] else (0.0, 0.0, 0.0),
        _measure(blocks[2], True, ctx) if blocks[2] else (0.0, 0.0, 0.0),
    ]
    width = max(meas[0][0], meas[2][0], src_m[2] + meas[1][2] + SIDE_GAP, 2.0)
    height = max(src_m[0], meas[1][0], meas[0][2] + meas[2][2] + SIDE_GAP, 2.0)

    def rects(w: float, h: float) -> list[tuple[float, float, float, float]]:
        return [
            (0.0, h / 2 - src_m[0] / 2, src_m[2], h / 2 + src_m[0] / 2),
            (w / 2 - meas[0][0] / 2, h - meas[0][2], w / 2 + meas[0][0] / 2, h),
            (w - meas[1][2], h / 2 - meas[1][0] / 2, w, h / 2 + meas[1][0] / 2),
            (w / 2 - meas[2][0] / 2, 0.0, w / 2 + meas[2][0] / 2, meas[2][2]),
        ]

    present = [True, blocks[0] is not None, blocks[1] is not None, blocks[2] is not None]
    for _ in range(24):  # grow the loop until no two sides' inner parts meet
        rs = rects(width, height)
        grown = False
        for i in range(4):
            for j in range(i + 1, 4):
                if not (present[i] and present[j]) or not _overlap(rs[i], rs[j], SIDE_GAP / 2):
                    continue
                dx = min(rs[i][2], rs[j][2]) - max(rs[i][0], rs[j][0]) + SIDE_GAP
                dy = min(rs[i][3], rs[j][3]) - max(rs[i][1], rs[j][1]) + SIDE_GAP
                if (i, j) in ((0, 2),):
                    width += dx
                elif (i, j) == (1, 3):
                    height += dy
                elif dx <= dy:
                    width += dx * 2 if (i, j) in ((1, 2), (2, 3), (0, 1), (0, 3)) else dx
                else:
                    height += dy * 2 if (i, j) in ((0, 1), (1, 2), (2, 3), (0, 3)) else dy
                grown = True
        if not grown:
            break

    w, h = width, height
    corners = [(0.0, 0.0), (0.0, h), (w, h), (w, 0.0)]
    # left side: the source, upward
    _side(ctx, source, corners[0], (0, 1), (-1, 0), h, src_m[0])
    # top, right, bottom
    specs = [
        (blocks[0], corners[1], (1, 0), (0, 1), w, meas[0][0]),
        (blocks[1], corners[2], (0, -1), (1, 0), h, meas[1][0]),
        (blocks[2], corners[3], (-1, 0), (0, -1), w, meas[2][0]),
    ]
    node = comps[main].node_a
    ctx.node(node, corners[1])
    ctx.node(comps[main].node_b, corners[0])
    for i, (block, corner, d, n, side_len, blen) in enumerate(specs):
        nxt = corners[(i + 2) % 4]
        if block is None:
            ctx.wire(corner, nxt)
            ctx.node(node, nxt)
            continue
        _side(ctx, block, corner, d, n, side_len, blen)
        node = _end_node(block, comps)
        ctx.node(node, nxt)


def _side(ctx: _Ctx, block: tuple, corner, d, n, side_len: float, blen: float) -> None:
    pad = (side_len - blen) / 2
    a = _add(corner, d, pad)
    b = _add(a, d, blen)
    ctx.wire(corner, a)
    ctx.wire(b, _add(corner, d, side_len))
    _place(block, a, d, n, blen, ctx)


def _blocked(ctx: _Ctx, rect, wires: bool = True) -> bool:
    if any(_overlap(rect, b, 0.05) for b in ctx.boxes) or any(
        _overlap(rect, b, 0.05) for b in ctx.bodies
    ):
        return True
    if wires:
        for p, q in ctx.wires:
            seg = (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
            if _overlap(rect, seg, 0.04):
                return True
    return False


def _place_grounds(ctx: _Ctx) -> None:
    for comp in ctx.comps:
        if comp.kind != "ground":
            continue
        pts = sorted(ctx.node_points.get(comp.node_a, []), key=lambda p: (p[1], p[0]))
        label = _leaf_text(comp)
        lw, lh = ctx.size(label) if label else (0.0, 0.0)
        chosen = None
        for p in pts:
            rect = (p[0] - 0.3, p[1] - 0.95, p[0] + 0.3 + (lw + 0.1 if label else 0), p[1] - 0.06)
            if not _blocked(ctx, rect):
                chosen = p
                break
        if chosen is None and pts:
            chosen = pts[0]
        if chosen is None:
            continue
        x, y = chosen
        ctx.wire((x, y), (x, y - 0.3))
        ctx.elements.append(("ground", (x, y - 0.3), None, comp))
        ctx.bodies.append((x - 0.3, y - 0.95, x + 0.3, y - 0.3))
        if label:
            ctx.text(label, x + 0.35, y - 0.65, "left", "center")


def _by_junction(ctx: _Ctx, pts: list) -> list:
    """``pts`` with junctions (three wires or more) first, then corners, then the rest."""
    ends: dict[tuple[float, float], int] = {}
    for p, q in ctx.wires:
        for e in (p, q):
            key = (round(e[0], 6), round(e[1], 6))
            ends[key] = ends.get(key, 0) + 1
    return sorted(pts, key=lambda p: -min(ends.get((round(p[0], 6), round(p[1], 6)), 0), 3))


def _place_node_labels(ctx: _Ctx) -> None:
    ctx.dots = []
    for name in ctx.scene.labeled_nodes:
        if name in ctx.scene.terminals:
            continue
        s = _math(name)
        w, h = ctx.size(s)
        pts = _by_junction(ctx, ctx.node_points.get(name, []))
        best = None
        for p in pts:
            for dx, dy in ((-1, 1), (1, 1), (-1, -1), (1, -1)):
                x = p[0] + dx * 0.12 + (0 if dx > 0 else -w)
                y = p[1] + dy * 0.12 + (0 if dy > 0 else -h)
                rect = (x, y, x + w, y + h)
                if not _blocked(ctx, rect):
                    best = (p, x, y)
                    break
            if best:
                break
        if best is None and pts:
            p = pts[0]
            best = (p, p[0] + 0.12, p[1] + 0.12)
        if best is None:
            continue
        p, x, y = best
        ctx.dots.append(p)
        ctx.text(s, x, y, "left", "bottom")


def _extent(ctx: _Ctx) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for r in (*ctx.boxes, *ctx.bodies):
        xs += [r[0], r[2]]
        ys += [r[1], r[3]]
    for p, q in ctx.wires:
        xs += [p[0], q[0]]
        ys += [p[1], q[1]]
    return min(xs), min(ys), max(xs), max(ys)


def _with_notes(ctx: _Ctx, extent) -> tuple[float, float, float, float]:
    """Put the notes under the drawing and the title above it; the extent with them."""
    x0, y0, x1, y1 = extent
    cx = (x0 + x1) / 2
    y = y0 - 0.35
    for note in ctx.scene.notes:
        s = _math(note)
        w, h = ctx.size(s)
        ctx.text(s, cx, y, "center", "top")
        y -= h + 0.08
        x0, x1 = min(x0, cx - w / 2), max(x1, cx + w / 2)
    y0 = min(y0, y + 0.08)
    if ctx.scene.title:
        s = _math(ctx.scene.title)
        w, h = ctx.size(s)
        ctx.text(s, cx, y1 + 0.3, "center", "bottom", "title")
        y1 += 0.3 + h
        x0, x1 = min(x0, cx - w / 2), max(x1, cx + w / 2)
    return x0, y0, x1, y1


# =============================================================================================
# Drawing
# =============================================================================================

MARGIN_IN = 0.2
FIG_MIN, FIG_MAX = (4.0, 3.0), (10.0, 8.0)
DEFAULT_FIG = (6.4, 4.8)


def _text_sizes(fig, texts: list[str], fontsize: float) -> dict[str, tuple[float, float]]:
    """Each text's drawn box in inches at ``fontsize`` (as the scene measurement will see it)."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    sizes = {}
    for s in texts:
        if s in sizes:
            continue
        t = Text(0, 0, s, fontsize=fontsize, linespacing=1.15)
        t.set_figure(fig)
        bb = t.get_window_extent(renderer)
        sizes[s] = (bb.width / dpi + 0.04, bb.height / dpi + 0.02)
    return sizes


def _all_texts(scene: CircuitScene) -> list[str]:
    out = list(scene._texts())
    return out


def _choose(
    scene: CircuitScene, fig
) -> tuple[_Ctx, float, tuple[float, float, float, float], tuple[float, float]]:
    texts = _all_texts(scene)
    fallback = None
    for fontsize in FONT_SIZES:
        sizes = _text_sizes(fig, texts, fontsize)
        for ipu in IPUS:
            ctx = _layout(scene, sizes, ipu)
            ext = _with_notes(ctx, _extent(ctx))
            w = (ext[2] - ext[0]) * ipu + 2 * MARGIN_IN
            h = (ext[3] - ext[1]) * ipu + 2 * MARGIN_IN
            if w <= DEFAULT_FIG[0] and h <= DEFAULT_FIG[1]:
                return ctx, fontsize, ext, DEFAULT_FIG
            if fallback is None and w <= FIG_MAX[0] and h <= FIG_MAX[1]:
                size = (max(FIG_MIN[0], w), max(FIG_MIN[1], h))
                fallback = (ctx, fontsize, ext, size)
        if fallback is not None:
            return fallback
    # Labels too long for even the biggest figure at the smallest readable font: scale the
    # whole drawing (text and symbols alike) down to fit, rather than cut labels off.
    for _ in range(4):  # text does not shrink exactly with its font: measure again, refit
        w = (ext[2] - ext[0]) * ipu
        h = (ext[3] - ext[1]) * ipu
        f = min((FIG_MAX[0] - 2 * MARGIN_IN) / w, (FIG_MAX[1] - 2 * MARGIN_IN) / h)
        if f >= 1.0 or fontsize * f < 1.0:
            break
        fontsize, ipu = fontsize * f * 0.98, ipu * f * 0.98
        ctx = _layout(scene, _text_sizes(fig, texts, fontsize), ipu)
        ext = _with_notes(ctx, _extent(ctx))
    return ctx, fontsize, ext, FIG_MAX


def _draw(scene: CircuitScene, fig) -> None:
    import schemdraw
    import schemdraw.elements as elm
    from matplotlib.patches import Circle, FancyArrow

    ctx, fontsize, ext, size = _choose(scene, fig)
    if tuple(fig.get_size_inches()) != size:
        fig.set_size_inches(*size)
    ipu = ctx.ipu
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    span_x, span_y = size[0] / ipu, size[1] / ipu
    cx, cy = (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2
    ax.set_xlim(cx - span_x / 2, cx + span_x / 2)
    ax.set_ylim(cy - span_y / 2, cy + span_y / 2)

    lw = max(1.2, min(2.2, ipu * 3.2))
    d = schemdraw.Drawing(canvas=ax, show=False)
    d.config(fontsize=fontsize, lw=lw, unit=1.0)
    for p, q in ctx.wires:
        d.add(elm.Line().endpoints(p, q))
    for kind, a, b, comp in ctx.elements:
        d.add(_element(elm, kind, a, b, comp))
    d.draw(show=False)
    for tail, head in ctx.arrows:
        dx, dy = head[0] - tail[0], head[1] - tail[1]
        ax.add_patch(
            FancyArrow(
                tail[0],
                tail[1],
                dx,
                dy,
                width=0.0,
                head_width=0.22,
                head_length=0.3,
                length_includes_head=True,
                color="black",
                zorder=5,
            )
        )
    for p in getattr(ctx, "dots", []):
        ax.add_patch(Circle(p, 0.08, color="black", zorder=5))
    for p in getattr(ctx, "terminals", []):
        ax.add_patch(Circle(p, 0.1, facecolor="white", edgecolor="black", lw=lw, zorder=5))
    for s, x, y, ha, va, kind in ctx.texts:
        ax.text(
            x,
            y,
            s,
            ha=ha,
            va=va,
            fontsize=fontsize if kind != "title" else fontsize + 1,
            linespacing=1.15,
            clip_on=False,
            zorder=6,
        )


def _element(elm, kind: str, a, b, comp: Component):
    if kind == "ground":
        return elm.Ground().at(a)
    if kind == "battery":
        e = elm.Battery()
    elif kind == "ac_source":
        e = elm.SourceSin()
    elif kind == "resistor":
        e = elm.Resistor()
    elif kind == "capacitor":
        e = elm.Capacitor()
    elif kind == "inductor":
        e = elm.Inductor()
    elif kind == "switch":
        e = _closed_switch(elm) if comp.closed else elm.Switch()
    elif kind == "lamp":
        e = elm.Lamp()
    elif kind == "ammeter":
        e = elm.MeterA()
    elif kind == "voltmeter":
        e = elm.MeterV()
    else:
        e = elm.Diode()
    # the element spans exactly its body, centred between a and b (leads are our wires)
    _, body = BODY[kind]
    length = math.dist(a, b)
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    start = (mx - ux * body / 2, my - uy * body / 2)
    end = (mx + ux * body / 2, my + uy * body / 2)
    return e.endpoints(start, end)


def _closed_switch(elm):
    from schemdraw.segments import Segment, SegmentCircle

    class ClosedSwitch(elm.Element2Term):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.segments.append(Segment([(0.06, 0), (0.94, 0.06)]))
            self.segments.append(SegmentCircle((0, 0), 0.06, fill="white", zorder=4))
            self.segments.append(SegmentCircle((1, 0), 0.06, fill="white", zorder=4))

    return ClosedSwitch()
