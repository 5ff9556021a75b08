"""Graph/flow/state-diagram scenes (sciray.scene.graph): real SciGenBench problems render
faithfully, random graphs never overlap or leave the canvas, invalid scenes are refused, and
nothing but the scene's own texts is drawn."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.graph import GraphScene, _pick_layout
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

D = r"$\partial %s/\partial %s$"


def _tree(root: str, children: dict[str, list[str]], labels: dict[str, str]) -> dict:
    """A chain-rule tree: each listed child becomes its own node (leaves repeat, e.g. 'z')."""
    nodes, edges = [{"name": root}], []
    count: dict[str, int] = {}

    def add(parent_name: str, parent_var: str) -> None:
        for var in children.get(parent_var, []):
            count[var] = count.get(var, 0) + 1
            name = var if count[var] == 1 else f"{var}{count[var]}"
            nodes.append({"name": name, "label": var})
            edges.append({"src": parent_name, "dst": name, "label": D % (parent_var, var)})
            add(name, var)

    add(root, root)
    return {"domain": "graph", "nodes": nodes, "edges": edges, **labels}


CANONICAL = {
    # webinstruct-1698949: a, b, d form a triangle; c is joined to b only
    "webinstruct-1698949": {
        "domain": "graph",
        "nodes": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}],
        "edges": [
            {"src": "a", "dst": "b"},
            {"src": "a", "dst": "d"},
            {"src": "b", "dst": "d"},
            {"src": "b", "dst": "c"},
        ],
    },
    # webinstruct2_2-1473157: directed graph with self-loops (a,a), (d,d) and both (b,c), (c,b)
    "webinstruct2_2-1473157": {
        "domain": "graph",
        "title": "G = (V, E)",
        "directed": True,
        "nodes": [{"name": n} for n in "abcd"],
        "edges": [
            {"src": s, "dst": t} for s, t in ["aa", "ab", "bc", "bd", "dd", "dc", "cb", "ca"]
        ],
        "notes": [
            r"$\gamma_1$ = (d,c)(c,b)(b,c)(c,a)(a,a)(a,b)(b,d)",
            r"$\gamma_2$ = (d,c)(c,a)(a,a)(a,b)(b,c)(c,b)(b,d)",
        ],
    },
    # webinstruct-1547734: binary tree of the prefix expression -/+8,10,2*3,2
    "webinstruct-1547734": {
        "domain": "graph",
        "nodes": [
            {"name": "minus", "label": "-"},
            {"name": "div", "label": "/"},
            {"name": "times", "label": "*"},
            {"name": "plus", "label": "+"},
            {"name": "two_a", "label": "2"},
            {"name": "eight", "label": "8"},
            {"name": "ten", "label": "10"},
            {"name": "three", "label": "3"},
            {"name": "two_b", "label": "2"},
        ],
        "edges": [
            {"src": "minus", "dst": "div"},
            {"src": "minus", "dst": "times"},
            {"src": "div", "dst": "plus"},
            {"src": "div", "dst": "two_a"},
            {"src": "plus", "dst": "eight"},
            {"src": "plus", "dst": "ten"},
            {"src": "times", "dst": "three"},
            {"src": "times", "dst": "two_b"},
        ],
    },
    # webinstruct-318822: chain-rule tree u -> v -> (w, x, y); w -> z; x, y -> (t, z)
    "webinstruct-318822": _tree(
        "u",
        {"u": ["v"], "v": ["w", "x", "y"], "w": ["z"], "x": ["t", "z"], "y": ["t", "z"]},
        {
            "title": "Tree diagram for u = f(v)",
            "notes": ["v = g(w, x, y),  w = h(z),  x = p(t, z),  y = q(t, z)"],
        },
    ),
    # webinstruct-773174: r = t(u, v, w), u = g(z), v = h(y, z), w = p(x, y, z)
    "webinstruct-773174": _tree(
        "r", {"r": ["u", "v", "w"], "u": ["z"], "v": ["y", "z"], "w": ["x", "y", "z"]}, {}
    ),
    # webinstruct-1209463: hexagon with its centre joined to every vertex (a wheel)
    "webinstruct-1209463": {
        "domain": "graph",
        "nodes": [{"name": "O", "label": "center"}] + [{"name": str(i)} for i in range(1, 7)],
        "edges": [{"src": str(i), "dst": str(i % 6 + 1)} for i in range(1, 7)]
        + [{"src": "O", "dst": str(i)} for i in range(1, 7)],
    },
    # omnithought-277265 style: an edge-weighted digraph with a negative weight
    "omnithought-277265": {
        "domain": "graph",
        "directed": True,
        "nodes": [{"name": str(i)} for i in range(4)],
        "edges": [
            {"src": "0", "dst": "1", "label": "2"},
            {"src": "0", "dst": "2", "label": "3"},
            {"src": "1", "dst": "2", "label": "-5"},
            {"src": "1", "dst": "3", "label": "1"},
            {"src": "2", "dst": "3", "label": "2"},
        ],
    },
    # an automaton (state diagram): start and accepting states, self-loops, a 2-cycle
    "dfa": {
        "domain": "graph",
        "directed": True,
        "title": "DFA over {a, b}",
        "nodes": [{"name": "q0", "start": True}, {"name": "q1"}, {"name": "q2", "accept": True}],
        "edges": [
            {"src": "q0", "dst": "q1", "label": "a"},
            {"src": "q1", "dst": "q2", "label": "b"},
            {"src": "q2", "dst": "q2", "label": "a,b"},
            {"src": "q1", "dst": "q0", "label": "a"},
            {"src": "q0", "dst": "q0", "label": "b"},
        ],
    },
    # a flowchart with a decision and a loop back
    "flowchart": {
        "domain": "graph",
        "directed": True,
        "nodes": [
            {"name": "s", "label": "Start", "shape": "box"},
            {"name": "d", "label": "n > 0?", "shape": "diamond"},
            {"name": "p", "label": "n = n - 1", "shape": "box"},
            {"name": "e", "label": "End", "shape": "box"},
        ],
        "edges": [
            {"src": "s", "dst": "d"},
            {"src": "d", "dst": "p", "label": "yes"},
            {"src": "p", "dst": "d"},
            {"src": "d", "dst": "e", "label": "no"},
        ],
    },
}

PROBLEMS = {
    "webinstruct-1547734": (
        "I want to find the value of the prefix expression -/+8,10,2*3,2 and build its binary "
        "tree.",
        "3",
    ),
    "webinstruct2_2-1473157": (
        "Let $G$ be the graph with vertex set $V=\\{a,b,c,d\\}$ and edges $E=\\{(a,a), (a,b), "
        "(b,c), (b,d), (d,d), (d,c), (c,b), (c,a) \\}$. Let "
        "$\\gamma_1=(d,c)(c,b)(b,c)(c,a)(a,a)(a,b)(b,d)$ and "
        "$\\gamma_2=(d,c)(c,a)(a,a)(a,b)(b,c)(c,b)(b,d)$. Do $\\gamma_1$ and $\\gamma_2$ belong "
        "to the same homology class in $H_1(G,\\mathbb{Z})$? Can this be generalized?",
        "Yes",
    ),
    "webinstruct-1698949": (
        "Find the chromatic polynomial $c_{G}(k)$ using the relation $c_{G}(k) = c_{G−e}(k) − "
        "c_{G/e}(k)$ and the principle of inclusion and exclusion, where $G$ is a graph with "
        "vertices a, b, and d forming a triangle (i.e., edges (a,b), (a,d), (b,d) exist), and "
        "vertex c is connected only to vertex b (i.e., edge (b,c) exists).",
        "$c_{G}(k) = k(k-1)^{2}(k-2)$",
    ),
}


@pytest.fixture(scope="module")
def rendered():
    out = {}
    for key, data in CANONICAL.items():
        scene = parse_scene(json.dumps(data))
        png, measured = draw_and_measure(scene)
        out[key] = (scene, png, measured)
    return out


def test_routes_graph_type():
    assert route("Universal - Graph & Flow") == "graph"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, GraphScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    drawn = [norm_text(t) for t in drawn_texts(measured)]
    for label in scene.labels():  # each label as often as the scene asks for it
        assert norm_text(label) in drawn, label
        drawn.remove(norm_text(label))


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_only_its_labels(rendered, key):
    """No degree, path length, sum of weights or other derived text is written."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(
        id=key, question=question, answer=answer, image_type="Universal - Graph & Flow"
    )
    report = run_checks(problem, rendered[key][2], rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_layouts_fit_the_graph():
    def layout(key: str) -> str:
        return _pick_layout(parse_scene(json.dumps(CANONICAL[key])))

    assert layout("webinstruct-1547734") == "layered"  # tree
    assert layout("webinstruct-318822") == "layered"
    assert layout("omnithought-277265") == "layered"  # DAG
    assert layout("flowchart") == "layered"  # boxes and diamonds read top-down
    assert layout("webinstruct-1209463") == "circular"  # wheel: hub in the middle
    assert layout("webinstruct-1698949") == "spring"


def test_tree_children_sit_below_their_parent(rendered):
    """The expression tree reads top-down: every node label lies above its children's."""
    scene, _, measured = rendered["webinstruct-1547734"]
    centre = {}
    for node in scene.nodes:
        box = next(
            t.bbox
            for t in measured.texts
            if t.text == node.text() and id(t) not in {id(v) for v in centre.values()}
        )
        centre[node.name] = box
    for e in scene.edges:
        assert centre[e.src][3] < centre[e.dst][1]  # parent's bottom above child's top


def test_invalid_scenes_are_refused():
    base = {"domain": "graph", "nodes": [{"name": "a"}], "edges": []}
    bad = [
        {**base, "colour": "red"},  # unknown field
        {**base, "nodes": [{"name": "a", "size": 3}]},  # unknown nested field
        {**base, "nodes": [{"name": "a"}, {"name": "a"}]},  # duplicate name
        {**base, "nodes": [{"name": str(i)} for i in range(31)]},  # too many nodes
        {**base, "edges": [{"src": "a", "dst": "a"}] * 61},  # too many edges
        {**base, "edges": [{"src": f"n{i}", "dst": f"m{i}"} for i in range(20)]},  # 41 nodes
        {**base, "nodes": [{"name": "a", "shape": "star"}]},  # unknown enum
        {**base, "nodes": [{"name": "a", "label": "x" * 200}]},  # label too long
        {**base, "nodes": [{"name": ""}]},  # empty name
        {**base, "notes": ["n"] * 5},  # too many notes
        {"domain": "graph"},  # nothing to draw
    ]
    for data in bad:
        with pytest.raises(ValidationError):
            GraphScene.model_validate(data)


def test_unjoined_nodes_that_repeat_a_joined_one_are_dropped():
    # seen, seed 10: the chain-rule DAG W -> r, s, t -> x, y with the example tree's unused
    # leaves s1 "s", t1 "t" left beside it
    scene = GraphScene.model_validate(
        {
            "domain": "graph",
            "nodes": [{"name": n} for n in "Wrst"]
            + [{"name": "s1", "label": "s"}, {"name": "t1", "label": "t"}, {"name": "z"}],
            "edges": [{"src": "W", "dst": d} for d in "rst"],
        }
    )
    # "z" repeats nothing: a node the problem may name on its own stays
    assert [n.name for n in scene.nodes] == ["W", "r", "s", "t", "z"]
    # without edges every node is the figure
    alone = GraphScene.model_validate(
        {"domain": "graph", "nodes": [{"name": "a", "label": "s"}, {"name": "b", "label": "s"}]}
    )
    assert len(alone.nodes) == 2


def test_edges_add_missing_nodes():
    scene = GraphScene.model_validate({"edges": [{"src": "p", "dst": "q", "label": "7"}]})
    assert [n.name for n in scene.nodes] == ["p", "q"]
    assert scene.labels() == ["p", "q", "7"]


def _random_graph(rng: random.Random) -> dict:
    n = rng.randint(1, 12)
    names = [rng.choice(["v", "q", "s", "node"]) + str(i) for i in range(n)]
    nodes = [
        {
            "name": name,
            "label": rng.choice([None, None, name.upper(), f"x{i}", "Step " + str(i)]),
            "shape": rng.choice(["circle", "circle", "box", "diamond"]),
            "start": i == 0 and rng.random() < 0.3,
            "accept": rng.random() < 0.15,
        }
        for i, name in enumerate(names)
    ]
    edges = []
    for _ in range(rng.randint(0, min(2 * n, 18))):
        a, b = rng.choice(names), rng.choice(names)
        label = rng.choice(
            [None, None, str(rng.randint(-9, 99)), "a", "a,b", r"$\partial u/\partial x$"]
        )
        edges.append({"src": a, "dst": b, "label": label})
    return {
        "domain": "graph",
        "title": rng.choice([None, "Graph G", "A state diagram"]),
        "directed": rng.random() < 0.5,
        "layout": rng.choice(["auto", "auto", "layered", "circular", "spring"]),
        "nodes": nodes,
        "edges": edges,
        "notes": ["E = " + str(len(edges)) + " edges"] if rng.random() < 0.2 else [],
    }


@random_scenes()
def test_random_graphs_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(GraphScene, _random_graph(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-1698949"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


@pytest.mark.parametrize(
    ("question", "directed"),
    [
        # seed 32: the linear DAG drawn without arrowheads, |V| and |E| as bare "4" and "3"
        (
            r"Given $|V|=4$ and $|E|=3$, how many distinct directed acyclic graphs ... a linear "
            r"graph $A\to B\to C\to D$?",
            True,
        ),  # fmt: skip
        ("Find a spanning tree of the undirected graph below.", False),
        ("Edges A -> B and B -> C have weights 2 and 3.", True),
        ("A town map: roads join the towns A, B, C.", None),  # says neither: the model's choice
        ("Turn the undirected graph into a directed one.", None),  # says both
    ],
)
def test_the_graph_is_directed_as_the_problem_says(question, directed):
    for written in (False, True):
        scene = parse_scene(
            {
                "domain": "graph",
                "directed": written,
                "edges": [{"src": "A", "dst": "B"}, {"src": "B", "dst": "C"}],
                "notes": ["4", "3", "n = 2"],
            }
        )
        settled = scene.aligned_to(question).with_named_notes(question)
        assert settled.directed is (written if directed is None else directed)
    if "|V|" in question:
        assert settled.notes == ["|V| = 4", "|E| = 3", "n = 2"]
