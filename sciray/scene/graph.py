"""Graphs, flows and state diagrams: named nodes (circle/box/diamond, automaton start/accept
markers), directed or undirected edges with optional labels (weights, symbols, derivatives),
self-loops and parallel edges.

The model names the nodes and edges; the renderer lays them out deterministically with
networkx (a layered layout for DAGs, trees and flowcharts, a ring for cycles and small cyclic
digraphs with a hub in the middle for wheels, Kamada-Kawai otherwise), sizes every node to its
label, keeps nodes apart and places each edge label beside its edge where it overlaps nothing.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

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

__all__ = ["Edge", "GraphScene", "Node"]

MAX_NODES = 30
MAX_EDGES = 60


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)


Name = Annotated[str, Field(min_length=1, max_length=20)]
Label = Annotated[str, Field(max_length=30)]


class Node(_Part):
    name: Name
    """Short unique id the edges use, e.g. 'a', 'q0', 'z1' (two leaves both showing 'z' need
    two names)."""
    label: Label | None = None
    """Text drawn in the node; empty: the name."""
    shape: Literal["circle", "box", "diamond"] = "circle"
    """circle (vertex, state), box (flowchart step), diamond (decision)."""
    start: bool = False
    """Automaton start state: an arrow from nowhere points at it."""
    accept: bool = False
    """Automaton accepting state: drawn with a double outline."""

    def text(self) -> str:
        return self.label if self.label is not None and self.label.strip() else self.name


class Edge(_Part):
    src: Name
    """Name of the node the edge leaves (the parent in a tree)."""
    dst: Name
    """Name of the node the edge enters; the same as src for a self-loop."""
    label: Label | None = None
    """Weight, transition symbol or derivative written by the edge, e.g. '5', 'a,b',
    '$\\partial u/\\partial v$'; empty for none."""
    directed: bool | None = None
    """Arrowhead on this edge; empty: the scene's 'directed'."""


@register
class GraphScene(SceneSpec):
    """Nodes and edges: graphs, trees, flowcharts, state diagrams."""

    domain: Literal["graph"] = "graph"
    image_types: ClassVar[tuple[str, ...]] = ("universal - graph & flow",)

    directed: bool = False
    """Edges have arrowheads (src -> dst)."""
    layout: Literal["auto", "layered", "circular", "spring"] = "auto"
    """layered: top-down levels (trees, DAGs, flowcharts); circular: a ring; spring: free
    layout; auto picks one from the graph."""
    nodes: list[Node] = Field(default_factory=list, max_length=MAX_NODES)
    """Every node, in order (the first is the root of a tree)."""
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
    """Every edge; nodes it names but 'nodes' lacks are added as plain circles."""
    notes: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=4)
    """Short texts the problem states, written under the diagram, e.g. 'x = u^2/v'."""

    @model_validator(mode="after")
    def _consistent(self) -> GraphScene:
        seen: set[str] = set()
        for n in self.nodes:
            if n.name in seen:
                raise ValueError(f"node name {n.name!r} is used twice")
            seen.add(n.name)
        for e in self.edges:
            for name in (e.src, e.dst):
                if name not in seen:
                    self.nodes.append(Node(name=name))
                    seen.add(name)
        if self.edges:
            # a node no edge touches that only repeats a joined node's text is a leftover (seen,
            # seed 10: a chain-rule DAG drawn beside the example tree's unused leaves "s", "t")
            joined = {name for e in self.edges for name in (e.src, e.dst)}
            shown = {n.text() for n in self.nodes if n.name in joined}
            self.nodes = [n for n in self.nodes if n.name in joined or n.text() not in shown]
        if len(self.nodes) > MAX_NODES:
            raise ValueError(f"at most {MAX_NODES} nodes (edges name {len(self.nodes)})")
        if not self.nodes:
            raise ValueError("a graph scene needs at least one node")
        return self

    def aligned_to(self, question: str) -> GraphScene:
        # the problem says whether its graph is directed (seed 32: "directed acyclic graphs",
        # "A\\to B\\to C\\to D" drawn without arrowheads)
        stated = _stated_directed(question, {n.name for n in self.nodes})
        if (
            stated is None
            or stated == self.directed
            or any(e.directed is not None for e in self.edges)
        ):
            return self
        return self.model_copy(update={"directed": stated})

    def labels(self) -> list[str]:
        out = [self.title] if self.title else []
        out += [n.text() for n in self.nodes]
        out += [e.label for e in self.edges if e.label]
        out += list(self.notes)
        return [t for t in out if t and t.strip()]

    def draw(self, fig: Any) -> None:
        _GraphDrawer(self, fig).draw()


_UNDIRECTED = re.compile(r"\bundirected\b", re.I)
_DIRECTED = re.compile(r"(?<!un)\bdirected\b|\bdigraphs?\b|\bDAGs?\b", re.I)
_ARROW = re.compile(r"(\w+)\s*(?:\\to|\\rightarrow|→|->)\s*(\w+)")


def _stated_directed(question: str, names: set[str]) -> bool | None:
    """True where the problem speaks of a directed graph or writes an edge of two of ``names``
    as an arrow ('A \\to B'), False where it speaks only of an undirected one; None where it
    says neither or both."""
    directed = bool(_DIRECTED.search(question)) or any(
        a in names and b in names for a, b in _ARROW.findall(question)
    )
    undirected = bool(_UNDIRECTED.search(question))
    if directed == undirected:
        return None
    return directed


# ---------------------------------------------------------------------------------------------
# Layout (abstract coordinates; y grows upwards)
# ---------------------------------------------------------------------------------------------


def _nx_graph(scene: GraphScene, directed: bool) -> Any:
    import networkx as nx

    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(n.name for n in scene.nodes)
    g.add_edges_from((e.src, e.dst) for e in scene.edges if e.src != e.dst)
    return g


def _pick_layout(scene: GraphScene) -> str:
    import networkx as nx

    if scene.layout != "auto":
        return scene.layout
    n = len(scene.nodes)
    if n <= 2:
        return "layered"
    dg = _nx_graph(scene, True)
    ug = _nx_graph(scene, False)
    any_directed = scene.directed or any(e.directed for e in scene.edges)
    if any(nd.shape != "circle" for nd in scene.nodes):
        return "layered"  # a flowchart reads top-down
    if any_directed and dg.number_of_edges() and nx.is_directed_acyclic_graph(dg):
        return "layered"
    if not any_directed and ug.number_of_edges() and nx.is_forest(ug) and nx.is_connected(ug):
        return "layered"
    if nx.is_connected(ug):
        degrees = [d for _, d in ug.degree()]
        if all(d == 2 for d in degrees):
            return "circular"
        hubs = [v for v, d in ug.degree() if d == n - 1]
        if hubs and all(d in (3, n - 1) for d in degrees) and n >= 5:
            return "circular"  # a wheel: ring with the hub in the middle
    return "spring"


def _layers(scene: GraphScene) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Level of every node (roots at 0) and the tree/DAG edges used for ordering: directed
    edges minus back edges of a DFS; undirected edges oriented away from the first node."""
    names = [n.name for n in scene.nodes]
    adj: dict[str, list[str]] = {v: [] for v in names}
    any_directed = scene.directed or any(e.directed for e in scene.edges)
    for e in scene.edges:
        if e.src == e.dst:
            continue
        adj[e.src].append(e.dst)
        if not any_directed:
            adj[e.dst].append(e.src)
    forward: list[tuple[str, str]] = []
    if any_directed:
        state: dict[str, int] = {}
        for root in names:  # iterative DFS; back edges (to a node on the stack) dropped
            if root in state:
                continue
            stack = [(root, iter(adj[root]))]
            state[root] = 1
            while stack:
                v, it = stack[-1]
                w = next(it, None)
                if w is None:
                    state[v] = 2
                    stack.pop()
                    continue
                if state.get(w) == 1:
                    continue
                forward.append((v, w))
                if w not in state:
                    state[w] = 1
                    stack.append((w, iter(adj[w])))
    else:
        seen = set()
        for root in names:
            if root in seen:
                continue
            seen.add(root)
            queue = [root]
            for v in queue:
                for w in adj[v]:
                    if w not in seen:
                        seen.add(w)
                        forward.append((v, w))
                        queue.append(w)
    forward = list(dict.fromkeys(forward))
    level = {v: 0 for v in names}
    order = _topo(names, forward)
    for v in order:  # longest path from a root
        for a, b in forward:
            if a == v:
                level[b] = max(level[b], level[v] + 1)
    return level, forward


def _topo(names: list[str], edges: list[tuple[str, str]]) -> list[str]:
    indeg = {v: 0 for v in names}
    for _, b in edges:
        indeg[b] += 1
    out, queue = [], [v for v in names if indeg[v] == 0]
    while queue:
        v = queue.pop(0)
        out.append(v)
        for a, b in edges:
            if a == v:
                indeg[b] -= 1
                if indeg[b] == 0:
                    queue.append(b)
    return out + [v for v in names if v not in out]


def _layered_positions(scene: GraphScene) -> dict[str, tuple[float, float]]:
    level, forward = _layers(scene)
    names = [n.name for n in scene.nodes]
    parents: dict[str, list[str]] = {v: [] for v in names}
    children: dict[str, list[str]] = {v: [] for v in names}
    for a, b in forward:
        parents[b].append(a)
        children[a].append(b)
    is_tree = all(len(p) <= 1 for p in parents.values()) and all(
        level[b] == level[a] + 1 for a, b in forward
    )
    x: dict[str, float] = {}
    if is_tree:  # tidy tree: leaves in DFS order, parents centred over their children
        slot = [0.0]

        def place(v: str) -> None:
            kids = children[v]
            for k in kids:
                place(k)
            if kids:
                x[v] = (x[kids[0]] + x[kids[-1]]) / 2
            else:
                x[v] = slot[0]
                slot[0] += 1

        for v in names:
            if not parents[v]:
                place(v)
    else:  # barycentre ordering within layers
        depth = max(level.values()) + 1
        layers = [[v for v in names if level[v] == d] for d in range(depth)]
        pos = {v: float(i) for layer in layers for i, v in enumerate(layer)}
        for sweep in range(6):
            rng = range(1, depth) if sweep % 2 == 0 else range(depth - 2, -1, -1)
            for d in rng:
                nbrs = parents if sweep % 2 == 0 else children

                def key(v: str, nbrs=nbrs) -> tuple[float, float]:
                    ps = [pos[p] for p in nbrs[v]]
                    return (sum(ps) / len(ps) if ps else pos[v], pos[v])

                layers[d].sort(key=key)
                for i, v in enumerate(layers[d]):
                    pos[v] = float(i)
        widest = max(len(layer) for layer in layers)
        for layer in layers:
            off = (widest - len(layer)) / 2
            for i, v in enumerate(layer):
                x[v] = i + off
    return {v: (x[v], -float(level[v])) for v in names}


def _circular_positions(scene: GraphScene) -> dict[str, tuple[float, float]]:
    names = [n.name for n in scene.nodes]
    n = len(names)
    ug = _nx_graph(scene, False)
    hub = None
    if n >= 5:
        hubs = [v for v in names if ug.degree(v) == n - 1]
        hub = hubs[0] if hubs else None
    ring = [v for v in names if v != hub]
    if len(ring) >= 3 and hub is None:
        ring = _ring_order(ring, ug)
    pos = {}
    for i, v in enumerate(ring):  # clockwise from the top
        a = math.pi / 2 - 2 * math.pi * i / len(ring)
        pos[v] = (math.cos(a), math.sin(a))
    if hub is not None:
        pos[hub] = (0.0, 0.0)
    return pos


def _ring_order(ring: list[str], ug: Any) -> list[str]:
    """The ring in cycle order when the graph is one cycle (else as listed)."""
    import networkx as nx

    if all(ug.degree(v) == 2 for v in ring) and nx.is_connected(ug):
        order, prev = [ring[0]], None
        while len(order) < len(ring):
            nxt = [w for w in sorted(ug.neighbors(order[-1]), key=ring.index) if w != prev]
            if not nxt or nxt[0] in order:
                break
            prev = order[-1]
            order.append(nxt[0])
        if len(order) == len(ring):
            return order
    return ring


def _spring_positions(scene: GraphScene) -> dict[str, tuple[float, float]]:
    import networkx as nx

    g = _nx_graph(scene, False)
    names = [n.name for n in scene.nodes]
    if g.number_of_edges() == 0:
        return _circular_positions(scene) if len(names) > 1 else {names[0]: (0.0, 0.0)}
    try:
        init = nx.circular_layout(g)
        if nx.is_connected(g):
            pos = nx.kamada_kawai_layout(g, pos=init)
        else:
            pos = nx.spring_layout(g, pos=init, seed=7, iterations=200)
    except Exception:  # no scipy: the seeded spring layout
        pos = nx.spring_layout(g, seed=7, iterations=200)
    pts = np.array([pos[v] for v in names], dtype=float)
    pts -= pts.mean(axis=0)
    if len(pts) >= 2:  # principal axis horizontal: the drawing uses the landscape canvas
        _, _, vt = np.linalg.svd(pts, full_matrices=False)
        axis = vt[0] if vt[0][0] >= 0 else -vt[0]
        rot = np.array([[axis[0], axis[1]], [-axis[1], axis[0]]])
        pts = pts @ rot.T
        if pts[0][0] > 1e-9:  # the first node (a start state, a source) on the left
            pts[:, 0] = -pts[:, 0]
    return {v: (float(p[0]), float(p[1])) for v, p in zip(names, pts)}


# ---------------------------------------------------------------------------------------------
# Drawing (data units are inches: the axes covers the whole figure)
# ---------------------------------------------------------------------------------------------


class _GraphDrawer:
    def __init__(self, scene: GraphScene, fig: Any):
        self.s, self.fig = scene, fig
        self.used: dict[str, list[float]] = {}  # directions taken by start arrows and loops
        self.drawn: list[np.ndarray] = []  # edge curves drawn so far (inches)

    def draw(self) -> None:
        s, fig = self.s, self.fig
        kind = _pick_layout(s)
        if kind == "layered":
            raw = _layered_positions(s)
        elif kind == "circular":
            raw = _circular_positions(s)
        else:
            raw = _spring_positions(s)
        n = len(s.nodes)
        self.font = 12.0 if n <= 12 else 11.0 if n <= 20 else 10.0
        self.edge_font = 11.0 if n <= 12 else 10.0
        # node half sizes (inches) from their labels
        dpi = fig.dpi
        self.half: dict[str, tuple[float, float]] = {}
        self.texts: dict[str, str] = {}
        for node in s.nodes:
            text = safe_text(node.text())
            self.texts[node.name] = text
            w, h = (v / dpi for v in text_size(fig, text, self.font))
            if node.shape == "circle":
                r = max(0.2, w / 2 + 0.09, h / 2 + 0.07)
                self.half[node.name] = (r, r)
            elif node.shape == "box":
                self.half[node.name] = (max(0.25, w / 2 + 0.13), max(0.19, h / 2 + 0.09))
            else:
                self.half[node.name] = (max(0.32, w * 0.75 + 0.15), max(0.27, h * 0.75 + 0.12))
        max_w = max(2 * hw for hw, _ in self.half.values())
        max_h = max(2 * hh for _, hh in self.half.values())
        label_w = max(
            [
                text_size(fig, safe_text(e.label), self.edge_font)[0] / dpi
                for e in s.edges
                if e.label
            ]
            or [0.0]
        )
        # figure size and drawing box
        xs = np.array([p[0] for p in raw.values()])
        ys = np.array([p[1] for p in raw.values()])
        note_texts = [wrap_to_width(fig, safe_text(t), 11, 9.4 * dpi) for t in s.notes]
        notes_h = sum(text_size(fig, t, 11)[1] / dpi + 0.06 for t in note_texts)
        title_text = None
        title_h = 0.0
        if kind == "layered":
            cols = len(np.unique(np.round(xs, 3))) if len(xs) else 1
            span_x = (xs.max() - xs.min()) if len(xs) else 0
            levels = int(round(ys.max() - ys.min())) + 1
            dx = max_w + max(0.45, 0.9 * label_w)
            dy = max_h + (0.75 if label_w > 0 else 0.55)
            fig_w = (span_x + 1) * dx + 0.6 if cols > 1 else max_w + 1.0
            fig_h = (levels - 1) * dy + max_h + 0.7
        else:
            per = max(max_w, max_h) + 0.5 + 0.5 * label_w
            side = math.sqrt(n) * per * 1.2
            fig_w, fig_h = side * 1.25 + 0.8, side + 0.8
        fig_w = min(10.0, max(6.4 if n > 1 else 4.0, fig_w))
        if s.title:
            title_text = wrap_to_width(fig, safe_text(s.title), 13, (fig_w - 0.4) * dpi)
            title_h = text_size(fig, title_text, 13)[1] / dpi + 0.15
        fig_h = min(8.0, max(4.8 if n > 3 else 3.0, fig_h + title_h + notes_h))
        fig.set_size_inches(fig_w, fig_h)
        ax = inch_axes(fig, fig_w, fig_h)
        self.ax = ax
        margin = 0.25
        loop_room = 0.55 if any(e.src == e.dst for e in s.edges) else 0.0
        start_room = 0.4 if any(nd.start for nd in s.nodes) else 0.0
        box = (
            margin + max_w / 2 + max(loop_room, start_room) * 0.6,
            margin + notes_h + (0.15 if notes_h else 0) + max_h / 2 + loop_room * 0.6,
            fig_w - margin - max_w / 2 - loop_room * 0.6,
            fig_h - margin - title_h - max_h / 2 - loop_room * 0.6,
        )
        if box[2] <= box[0]:
            box = (fig_w / 2 - 0.01, box[1], fig_w / 2 + 0.01, box[3])
        if box[3] <= box[1]:
            box = (box[0], fig_h / 2 - 0.01, box[2], fig_h / 2 + 0.01)
        if kind == "layered":  # levels and slots no farther apart than they need
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            hw = min((box[2] - box[0]) / 2, span_x * dx * 0.75)
            hh = min((box[3] - box[1]) / 2, (levels - 1) * dy * 0.7)
            box = (cx - hw, cy - hh, cx + hw, cy + hh)
        else:  # a compact drawing: edges about two node widths long
            cap = max(2.2, math.sqrt(n) * (max(max_w, max_h) + 0.9 + 0.6 * label_w))
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            hw = min((box[2] - box[0]) / 2, cap * 0.65)
            hh = min((box[3] - box[1]) / 2, cap * 0.5)
            box = (cx - hw, cy - hh, cx + hw, cy + hh)
        self.pos = self._fit(raw, box, uniform=(kind != "layered"))
        if kind == "spring" or kind == "circular":
            self._separate(box)
        if title_text:
            fig.text(0.5, 1 - 0.08 / fig_h, title_text, ha="center", va="top", fontsize=13)
        self.placer = Placer(fig)
        for t in fig.texts:
            self.placer.block_text(t)
        y = margin + notes_h
        for text in note_texts:
            h = text_size(fig, text, 11)[1] / dpi
            t = ax.text(fig_w / 2, y - 0.03, text, ha="center", va="top", fontsize=11)
            self.placer.block_text(t)
            y -= h + 0.06
        self._draw_nodes()
        self._draw_edges()

    # --- geometry --------------------------------------------------------------------------

    @staticmethod
    def _fit(raw: dict, box: tuple, uniform: bool) -> dict[str, np.ndarray]:
        pts = np.array(list(raw.values()), dtype=float)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
        bw, bh = box[2] - box[0], box[3] - box[1]
        sx, sy = bw / span[0], bh / span[1]
        if uniform:
            sx = sy = min(sx, sy)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        mid = (lo + hi) / 2
        out = {}
        for v, (x, y) in raw.items():
            px = cx + (x - mid[0]) * sx if hi[0] - lo[0] > 1e-9 else cx
            py = cy + (y - mid[1]) * sy if hi[1] - lo[1] > 1e-9 else cy
            out[v] = np.array([px, py])
        return out

    def _separate(self, box: tuple) -> None:
        """Push overlapping nodes apart (a few deterministic passes), staying in the box."""
        names = list(self.pos)
        for _ in range(60):
            moved = False
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    d = self.pos[b] - self.pos[a]
                    dist = float(np.hypot(*d))
                    need = max(self.half[a]) + max(self.half[b]) + 0.3
                    if dist < need:
                        u = d / dist if dist > 1e-9 else np.array([1.0, 0.0])
                        shift = (need - dist) / 2 * u
                        self.pos[a] = self.pos[a] - shift
                        self.pos[b] = self.pos[b] + shift
                        moved = True
            for v in names:
                self.pos[v] = np.clip(self.pos[v], [box[0], box[1]], [box[2], box[3]])
            if not moved:
                break

    def _boundary(self, name: str, direction: np.ndarray) -> float:
        """Distance (inches) from the node's centre to its outline along ``direction``."""
        node = self._node(name)
        hw, hh = self.half[name]
        ux, uy = abs(direction[0]), abs(direction[1])
        if node.shape == "circle":
            return hw
        if node.shape == "box":
            tx = hw / ux if ux > 1e-9 else math.inf
            ty = hh / uy if uy > 1e-9 else math.inf
            return min(tx, ty)
        return 1.0 / (ux / hw + uy / hh)  # diamond: |x|/hw + |y|/hh = 1

    def _node(self, name: str) -> Node:
        for n in self.s.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    # --- nodes -----------------------------------------------------------------------------

    def _draw_nodes(self) -> None:
        from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon
        from matplotlib.transforms import Bbox

        ax, d = self.ax, self.fig.dpi
        for node in self.s.nodes:
            c = self.pos[node.name]
            hw, hh = self.half[node.name]
            kw = {"facecolor": "#eaf2fb", "edgecolor": "#1f3b5a", "linewidth": 1.6, "zorder": 3}
            if node.shape == "circle":
                ax.add_patch(Circle(c, hw, **kw))
                if node.accept:
                    ax.add_patch(
                        Circle(
                            c, hw - 0.05, fill=False, edgecolor="#1f3b5a", linewidth=1.3, zorder=3
                        )
                    )
            elif node.shape == "box":
                ax.add_patch(
                    FancyBboxPatch(
                        (c[0] - hw, c[1] - hh),
                        2 * hw,
                        2 * hh,
                        boxstyle="round,pad=0,rounding_size=0.05",
                        **kw,
                    )
                )
                if node.accept:
                    ax.add_patch(
                        FancyBboxPatch(
                            (c[0] - hw + 0.05, c[1] - hh + 0.05),
                            2 * hw - 0.1,
                            2 * hh - 0.1,
                            boxstyle="round,pad=0,rounding_size=0.04",
                            fill=False,
                            edgecolor="#1f3b5a",
                            linewidth=1.2,
                            zorder=3,
                        )
                    )
            else:
                pts = [(c[0], c[1] + hh), (c[0] + hw, c[1]), (c[0], c[1] - hh), (c[0] - hw, c[1])]
                ax.add_patch(Polygon(pts, closed=True, **kw))
                if node.accept:
                    inner = [
                        (c[0], c[1] + hh - 0.07),
                        (c[0] + hw - 0.1, c[1]),
                        (c[0], c[1] - hh + 0.07),
                        (c[0] - hw + 0.1, c[1]),
                    ]
                    ax.add_patch(
                        Polygon(
                            inner,
                            closed=True,
                            fill=False,
                            edgecolor="#1f3b5a",
                            linewidth=1.2,
                            zorder=3,
                        )
                    )
            ax.text(
                c[0],
                c[1],
                self.texts[node.name],
                ha="center",
                va="center",
                fontsize=self.font,
                zorder=4,
            )
            self.placer.block(
                Bbox.from_extents(
                    (c[0] - hw) * d, (c[1] - hh) * d, (c[0] + hw) * d, (c[1] + hh) * d
                )
            )
            if node.start:
                u = self._free_direction(node.name, prefer=np.array([-1.0, 0.0]))
                tip = c + u * self._boundary(node.name, u)
                tail = tip + u * 0.38
                ax.add_patch(
                    FancyArrowPatch(
                        tail,
                        tip,
                        arrowstyle="-|>",
                        mutation_scale=14,
                        color="#1f3b5a",
                        linewidth=1.5,
                        zorder=2,
                        shrinkA=0,
                        shrinkB=0,
                    )
                )
                self.placer.avoid(densify(np.array([tail, tip]) * d))
                self.placer.block(
                    Bbox.from_extents(
                        *(np.minimum(tail, tip) * d - 3), *(np.maximum(tail, tip) * d + 3)
                    )
                )

    def _free_direction(self, name: str, prefer: np.ndarray | None = None) -> np.ndarray:
        """The unit direction from ``name`` farthest (in angle) from its edges."""
        c = self.pos[name]
        angles = []
        for e in self.s.edges:
            if e.src == e.dst:
                continue
            other = e.dst if e.src == name else e.src if e.dst == name else None
            if other is not None:
                v = self.pos[other] - c
                if np.hypot(*v) > 1e-9:
                    angles.append(math.atan2(v[1], v[0]))
        angles += self.used.get(name, [])
        cands = [math.pi / 2 + k * math.pi / 8 for k in range(16)]
        preferred = None
        if prefer is not None:
            preferred = math.atan2(prefer[1], prefer[0])
            cands.insert(0, preferred)
        # also keep away from the canvas centre's opposite: loops point outwards
        centre = np.array(self.fig.get_size_inches()) / 2
        out = c - centre

        def score(a: float) -> float:
            gap = min(
                (abs((a - b + math.pi) % (2 * math.pi) - math.pi) for b in angles), default=math.pi
            )
            outward = math.cos(a - math.atan2(out[1], out[0])) if np.hypot(*out) > 0.3 else 0
            bonus = 0.6 if preferred is not None and a == preferred and gap > 1.0 else 0.0
            return gap + 0.15 * outward + bonus

        best = max(cands, key=lambda a: round(score(a), 3))
        self.used.setdefault(name, []).append(best)
        return np.array([math.cos(best), math.sin(best)])

    # --- edges -----------------------------------------------------------------------------

    def _draw_edges(self) -> None:
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        ax, d = self.ax, self.fig.dpi
        s = self.s
        groups: dict[frozenset, list[int]] = {}
        for i, e in enumerate(s.edges):
            if e.src != e.dst:
                groups.setdefault(frozenset((e.src, e.dst)), []).append(i)
        label_jobs = []
        loops_at: dict[str, int] = {}
        for i, e in enumerate(s.edges):
            directed = s.directed if e.directed is None else e.directed
            style = "-|>" if directed else "-"
            if e.src == e.dst:
                k = loops_at.get(e.src, 0)
                loops_at[e.src] = k + 1
                path_pts, apex, u = self._loop_path(e.src, k)
                codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4]
                ax.add_patch(
                    FancyArrowPatch(
                        path=Path(path_pts, codes),
                        arrowstyle=style,
                        mutation_scale=14,
                        color="#333333",
                        linewidth=1.5,
                        zorder=2,
                    )
                )
                curve = self._bezier(path_pts, 40)
                self.placer.avoid(densify(curve * d))
                if e.label:
                    label_jobs.append((e, [apex + u * 0.02], u))
                continue
            group = groups[frozenset((e.src, e.dst))]
            k = group.index(i)
            rad = self._rad(k, len(group))
            first = s.edges[group[0]]
            if first.src != e.src:  # same pair, opposite way: arc3 bends by its own direction
                rad = -rad
            a, b = self.pos[e.src], self.pos[e.dst]
            v = b - a
            dist = float(np.hypot(*v))
            if dist < 1e-9:
                continue
            if rad == 0:  # a straight edge through another node bends around it
                rad = min(
                    (0.0, 0.3, -0.3, 0.5, -0.5),
                    key=lambda r: (self._blocked(e.src, e.dst, r), abs(r)),
                )
            u = v / dist
            ctrl = (a + b) / 2 + rad * np.array([v[1], -v[0]])
            ua, ub = ctrl - a, b - ctrl  # the curve leaves and enters along these
            ua, ub = ua / np.hypot(*ua), ub / np.hypot(*ub)
            ra = self._boundary(e.src, ua) * 72 + 1
            rb = self._boundary(e.dst, -ub) * 72 + 1
            ax.add_patch(
                FancyArrowPatch(
                    a,
                    b,
                    arrowstyle=style,
                    mutation_scale=14,
                    connectionstyle=f"arc3,rad={rad}",
                    shrinkA=ra,
                    shrinkB=rb,
                    color="#333333",
                    linewidth=1.5,
                    zorder=2,
                )
            )
            ts = np.linspace(0, 1, 41)[:, None]
            curve = (1 - ts) ** 2 * a + 2 * (1 - ts) * ts * ctrl + ts**2 * b
            self.drawn.append(curve)
            self.placer.avoid(densify(curve * d))
            if e.label:
                keep = [p for p, t in zip(curve, ts[:, 0]) if 0.2 <= t <= 0.8]
                mid = len(keep) // 2
                order = sorted(range(len(keep)), key=lambda j: abs(j - mid))
                normal = np.array([-u[1], u[0]])
                if rad != 0:  # arc3 bulges to the right of src->dst for rad > 0
                    normal = -np.sign(rad) * normal
                label_jobs.append((e, [keep[j] for j in order[::3]], normal))
        for e, anchors, normal in label_jobs:
            self._place_edge_label(e, anchors, normal)

    def _blocked(self, src: str, dst: str, rad: float) -> int:
        """How many points of the src->dst arc (arc3 ``rad``) fall inside other nodes."""
        a, b = self.pos[src], self.pos[dst]
        v = b - a
        ctrl = (a + b) / 2 + rad * np.array([v[1], -v[0]])
        ts = np.linspace(0, 1, 41)[:, None]
        curve = (1 - ts) ** 2 * a + 2 * (1 - ts) * ts * ctrl + ts**2 * b
        hits = 0
        for name, c in self.pos.items():
            if name in (src, dst):
                continue
            hw, hh = self.half[name]
            inside = (np.abs(curve[:, 0] - c[0]) <= hw + 0.06) & (
                np.abs(curve[:, 1] - c[1]) <= hh + 0.06
            )
            hits += int(np.count_nonzero(inside))
        if rad != 0 and self.drawn:  # keep bent edges off the edges already drawn
            others = np.vstack(self.drawn)
            for p in curve[5:-5]:
                if np.min(np.hypot(*(others - p).T)) < 0.12:
                    hits += 1
        return hits

    @staticmethod
    def _rad(k: int, count: int) -> float:
        if count == 1:
            return 0.0
        if count % 2 == 1:
            steps = [0.0] + [s * m for m in range(1, count) for s in (1, -1)]
            return 0.25 * steps[k] if k < len(steps) else 0.0
        return 0.22 * (1 + k // 2) * (1 if k % 2 == 0 else -1)

    def _loop_path(self, name: str, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u = self._free_direction(name)
        c = self.pos[name]
        r = self._boundary(name, u)
        spread = math.radians(30)
        rot = lambda ang: np.array(  # noqa: E731
            [
                u[0] * math.cos(ang) - u[1] * math.sin(ang),
                u[0] * math.sin(ang) + u[1] * math.cos(ang),
            ]
        )
        d1, d2 = rot(spread), rot(-spread)
        p1 = c + d1 * self._boundary(name, d1)
        p2 = c + d2 * self._boundary(name, d2)
        reach = r + 0.62
        c1 = c + rot(spread * 1.7) * reach
        c2 = c + rot(-spread * 1.7) * reach
        pts = np.array([p1, c1, c2, p2])
        apex = self._bezier(pts, 3)[1]
        return pts, apex, u

    @staticmethod
    def _bezier(pts: np.ndarray, n: int) -> np.ndarray:
        t = np.linspace(0, 1, n)[:, None]
        p0, p1, p2, p3 = pts
        return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3

    def _place_edge_label(self, e: Edge, anchors: list[np.ndarray], normal: np.ndarray) -> None:
        fig, ax, d = self.fig, self.ax, self.fig.dpi
        text = safe_text(e.label or "")
        t = ax.text(
            0, 0, text, ha="center", va="center", fontsize=self.edge_font, zorder=5, color="#7a1f1f"
        )
        moves = []
        for size in (self.edge_font, MIN_FONT):
            w, h = (v / d for v in text_size(fig, text, size))
            for gap in (0.05, 0.14, 0.28):
                for p in anchors:
                    for sgn in (1, -1):
                        n = normal * sgn
                        off = abs(n[0]) * w / 2 + abs(n[1]) * h / 2 + gap
                        moves.append(self._move(p + n * off, size))
        if not self.placer.place(t, moves):
            self.placer.boxes.pop()
            # anywhere near the edge's middle, in rings
            p = anchors[0]
            ring = []
            for r in (0.3, 0.45, 0.6, 0.8, 1.0, 1.3):
                for k in range(16):
                    a = 2 * math.pi * k / 16
                    ring.append(self._move(p + r * np.array([math.cos(a), math.sin(a)]), MIN_FONT))
            self.placer.place(t, ring)

    @staticmethod
    def _move(xy: np.ndarray, size: float) -> Any:
        def move(t: Any) -> None:
            t.set_position((float(xy[0]), float(xy[1])))
            t.set_fontsize(size)

        return move
