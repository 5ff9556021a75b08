"""Plot/chart/table scenes (sciray.scene.plot) and the safe formula reader (sciray.scene.expr):
real SciGenBench problems render faithfully, random scenes never overlap or leave the canvas,
invalid scenes and hostile formulas are refused, nothing derived is drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.expr import compile_expr, parse_expr
from sciray.scene.measure import draw_and_measure
from sciray.scene.plot import PlotScene, stated_table
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

# Canonical scenes: what a model should write for real problems of the plot & table types.
CANONICAL = {
    # webinstruct-82769: region bounded by y = e^x, y = 0, x = 0, x = 2 (centroid asked)
    "webinstruct-82769": {
        "domain": "plot",
        "title": "Region bounded by y = e^x, y = 0, x = 0, x = 2",
        "x_label": "x",
        "y_label": "y",
        "x_min": -0.5,
        "x_max": 2.5,
        "curves": [{"expr": "exp(x)", "label": "$y = e^x$"}],
        "lines": [
            {"kind": "vertical", "at": 0, "label": "x = 0"},
            {"kind": "vertical", "at": 2, "label": "x = 2"},
        ],
        "shades": [{"top": "exp(x)", "bottom": "0", "x_from": 0, "x_to": 2, "label": "R"}],
    },
    # webinstruct-529678: coffee supply and demand through the four stated points
    "webinstruct-529678": {
        "domain": "plot",
        "title": "Coffee market",
        "x_label": "Quantity (million lb)",
        "y_label": "Price ($/lb)",
        "series": [
            {"kind": "line", "x": [10, 35], "y": [9, 4], "label": "Demand"},
            {"kind": "line", "x": [15, 40], "y": [4, 9], "label": "Supply"},
        ],
        "points": [
            {"x": 10, "y": 9, "label": "(10, 9)"},
            {"x": 35, "y": 4, "label": "(35, 4)"},
            {"x": 15, "y": 4, "label": "(15, 4)"},
            {"x": 40, "y": 9, "label": "(40, 9)"},
        ],
    },
    # webinstruct-273160: alumni contributions vs years out of school (scatter)
    "webinstruct-273160": {
        "domain": "plot",
        "x_label": "Years (x)",
        "y_label": "Contribution (y), $",
        "series": [
            {
                "kind": "scatter",
                "x": [1, 5, 3, 10, 7, 6],
                "y": [500, 100, 300, 50, 75, 80],
                "show_values": True,
            }
        ],
    },
    # webinstruct-599578: cash flow diagram, years 0..3
    "webinstruct-599578": {
        "domain": "plot",
        "title": "Cash flow diagram",
        "x_label": "Year",
        "y_label": "Cash flow ($)",
        "series": [
            {
                "kind": "bar",
                "y": [-500, 350, -150, 380],
                "categories": ["Year 0", "Year 1", "Year 2", "Year 3"],
                "show_values": True,
            }
        ],
    },
    # webinstruct-1039275: left Riemann sum of f(x) = 3x - 4 on [1, 4], n = 6
    "webinstruct-1039275": {
        "domain": "plot",
        "title": "Left Riemann sum, n = 6",
        "x_label": "x",
        "y_label": "y",
        "curves": [{"expr": "3*x - 4", "label": "f(x) = 3x - 4"}],
        "riemann": {"expr": "3*x - 4", "x_from": 1, "x_to": 4, "n": 6, "rule": "left"},
        "lines": [
            {"kind": "vertical", "at": 1, "label": "x = 1"},
            {"kind": "vertical", "at": 4, "label": "x = 4"},
        ],
    },
    # webinstruct-1132660: region between y = 27/x, y = x^2, y = 0, x = 2, x = 10
    "webinstruct-1132660": {
        "domain": "plot",
        "x_label": "x",
        "y_label": "y",
        "x_min": 0,
        "x_max": 11,
        "y_min": 0,
        "y_max": 16,
        "curves": [
            {"expr": "27/x", "label": "y = 27/x", "x_from": 0.5},
            {"expr": "x**2", "label": "$y = x^2$"},
        ],
        "lines": [
            {"kind": "vertical", "at": 2, "label": "x = 2"},
            {"kind": "vertical", "at": 10, "label": "x = 10"},
        ],
        "shades": [
            {"top": "x**2", "x_from": 2, "x_to": 3},
            {"top": "27/x", "x_from": 3, "x_to": 10},
        ],
    },
    # webinstruct-1545531: 2x2 payoff matrix
    "webinstruct-1545531": {
        "domain": "plot",
        "table": {
            "header": ["", "Strategy A", "Strategy B"],
            "rows": [["Strategy A", "10, 5", "10, 10"], ["Strategy B", "15, 20", "15, 15"]],
            "first_column_header": True,
            "col_title": "Column Player",
            "row_title": "Row Player",
        },
    },
    # amthinking-67672: 5x5 grid with rows a..e, columns A..E and five given digits
    "amthinking-67672": {
        "domain": "plot",
        "title": "Task 2 - 150922",
        "table": {
            "header": ["", "A", "B", "C", "D", "E"],
            "rows": [
                ["a", "1", "2", "3", "", ""],
                ["b", "", "", "", "", ""],
                ["c", "", "", "", "5", ""],
                ["d", "", "", "", "", "4"],
                ["e", "", "", "", "", ""],
            ],
            "first_column_header": True,
        },
    },
    # webinstruct-1105645: concentration of AB versus time
    "webinstruct-1105645": {
        "domain": "plot",
        "table": {
            "header": ["Time (s)", "Concentration of AB (M)"],
            "rows": [
                ["0", "0.950"],
                ["50", "0.459"],
                ["100", "0.302"],
                ["150", "0.225"],
                ["200", "0.180"],
                ["250", "0.149"],
                ["300", "0.128"],
                ["350", "0.112"],
                ["400", "0.0994"],
                ["450", "0.0894"],
                ["500", "0.0812"],
            ],
        },
    },
    # webinstruct-1717852: partial pressures of the noble gases in air
    "webinstruct-1717852": {
        "domain": "plot",
        "title": "N2, O2, Ar and CO2 make up 99.997% of air",
        "table": {
            "header": ["Gas", "Partial pressure, atm"],
            "rows": [
                ["Neon", "0.00001818"],
                ["Helium", "0.00000524"],
                ["Krypton", "0.00000114"],
                ["Xenon", "0.000000087"],
            ],
        },
    },
    # a Punnett square (Biology - Genetics style): Aa x Aa
    "punnett": {
        "domain": "plot",
        "table": {
            "header": ["", "A", "a"],
            "rows": [["A", "AA", "Aa"], ["a", "Aa", "aa"]],
            "first_column_header": True,
            "col_title": "Father's gametes",
            "row_title": "Mother's gametes",
        },
    },
}

# Real problem texts for the recall / leak checks (short ones, quoted as in the benchmark).
PROBLEMS = {
    "webinstruct-82769": (
        "Sketch the region bounded by the curves, and visually estimate the location of the "
        "centroid. Then find the exact coordinates of the centroid.\n"
        "{eq}y = e^x, \\; y = 0, \\; x = 0, \\; x = 2{/eq}",
        "(1.313, 2.1)",
    ),
    "webinstruct-529678": (
        "In a recent analysis of the coffee market, it was determined that buyers are willing to "
        "purchase 10 million pounds of coffee at a price of $9/lb, and at a price of $4/lb they "
        "will buy 35 million pounds of coffee. Producers, on the other hand, are willing to "
        "provide 15 million pounds of coffee at $4/lb and 40 million pounds of coffee at $9/lb.\n"
        "Prepare a Supply and Demand graph using the information in the above scenario. Be sure "
        "to accurately label both the X and Y axis, the two curves, and name the equilibrium "
        "price.",
        "$6/lb",
    ),
    "webinstruct-273160": (
        "The director of an alumni association for a small college wants to determine whether "
        "there is any type of relationship between the amount of an alumnus's contribution (in "
        "dollars) and the years the alumnus has been out of school. The data is shown below.\n"
        "Years (x): 1, 5, 3, 10, 7, 6\nContribution (y): 500, 100, 300, 50, 75, 80",
        "-0.8829",
    ),
    "webinstruct-1039275": (
        "Use a Riemann sum to approximate the area under the graph of f(x)=3x-4 on the interval "
        "1 ≤ x ≤ 4, using left endpoints and n=6.",
        "8.25",
    ),
    "webinstruct-1545531": (
        "Consider the game in the following table. Remember that the first payoff is the payoff "
        "of the row player.\n Column Player \n Strategy A  Strategy B \n Row Player  Strategy A "
        "10, 5  10, 10 \n Strategy B  15, 20   15,15 \nWhich of the following statements is true?",
        "A",
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


def test_routes_plot_and_table_types():
    assert route("Universal - Plot & Chart") == "plot"
    assert route("Universal - Table / Grid") == "plot"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, PlotScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    drawn = {norm_text(t) for t in drawn_texts(measured)}
    missing = [label for label in scene.labels() if norm_text(label) not in drawn]
    assert missing == []


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_only_its_labels(rendered, key):
    """Every non-tick text is one the scene asked for: nothing derived (no equilibrium, no
    Riemann heights or sum, no percentages) is written."""
    scene, _, measured = rendered[key]
    asked = {norm_text(t) for t in scene.labels()}
    extra = [t for t in drawn_texts(measured) if norm_text(t) not in asked]
    assert extra == []


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(id=key, question=question, answer=answer, image_type="Universal - Plot")
    _, _, measured = rendered[key]
    report = run_checks(problem, measured, rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_no_derived_values_drawn(rendered):
    # the equilibrium (6 $/lb, 25 million lb) is the answer: never written
    texts = drawn_texts(rendered["webinstruct-529678"][2])
    assert not any("6" == t.strip() or "25" in t for t in texts)
    # the Riemann sum 8.25 and the rectangle heights (-1, 0.5, ..., 6.5) are not written
    texts = " ".join(drawn_texts(rendered["webinstruct-1039275"][2]))
    assert "8.25" not in texts and "6.5" not in texts and "0.5" not in texts
    # a histogram writes no counts, a pie no percentages
    hist = PlotScene(
        series=[{"kind": "hist", "y": [1, 2, 2, 3, 3, 3], "bins": 3, "show_values": True}]
    )
    _, measured = draw_and_measure(hist)
    assert drawn_texts(measured) == []
    pie = PlotScene(pie={"labels": ["Ne", "He"], "values": [3, 1]})
    _, measured = draw_and_measure(pie)
    assert sorted(drawn_texts(measured)) == ["He", "Ne"]


def test_curves_follow_their_formula():
    f = compile_expr("x**2 - 3*x + 2")
    assert np.allclose(f(np.array([1.0, 2.0, 0.0])), [0.0, 0.0, 2.0])
    g = compile_expr("exp(-x/2) + sin(pi*x) + ln(e)")
    assert np.allclose(g(np.array([0.0, 2.0])), [2.0, np.exp(-1) + 1.0])
    h = compile_expr("sqrt(x) + 1/x")  # undefined points are NaN, never an error
    out = h(np.array([-1.0, 0.0, 4.0]))
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == pytest.approx(2.25)
    assert str(parse_expr("x^2")) == "x**2"
    assert compile_expr("5")(np.zeros(3)).shape == (3,)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('ls')",
        "x.real",
        "().__class__",
        "lambda x: x",
        "x**100000",
        "9**9**9",
        "2**(10**6)",
        "x" * 10_000,
        "(" * 150 + "x" + ")" * 40,
        "open('f')",
        "[x for x in ()]",
        "x if x else 1",
        "y + 1",
        "'x'",
        "x; x",
        "1e300 * x",
        "sin(x, x)",
        "os.system",
        "1/0",
        "+".join(["x"] * 60),
    ],
)
def test_expr_refuses_unsafe_or_unbounded(text):
    with pytest.raises(ValueError):
        parse_expr(text)


def test_expr_never_evaluates_text(monkeypatch):
    import builtins

    import sympy.parsing.sympy_parser as sp

    def refuse(*args, **kwargs):
        raise AssertionError("text was evaluated")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(sp, "eval_expr", refuse)
    monkeypatch.setattr(sp, "parse_expr", refuse)
    expr = parse_expr("3*x**2 - sin(x)/2 + exp(-x) - pi")
    import sympy

    x = sympy.Symbol("x", real=True)
    assert sympy.simplify(expr - (3 * x**2 - sympy.sin(x) / 2 + sympy.exp(-x) - sympy.pi)) == 0


def test_invalid_scenes_are_refused():
    base = {"domain": "plot", "curves": [{"expr": "x"}]}
    bad = [
        {**base, "colour": "red"},  # unknown field
        {**base, "curves": [{"expr": "x", "width": 3}]},  # unknown nested field
        {**base, "x_min": 1e12},  # out of range
        {**base, "x_min": 2, "x_max": 1},  # empty range
        {**base, "curves": [{"expr": "x"}] * 7},  # too many curves
        {**base, "points": [{"x": 0, "y": 0}] * 17},  # too many points
        {**base, "curves": [{"expr": "__import__('os')"}]},  # hostile formula
        {**base, "shades": [{"top": "x", "x_from": 2, "x_to": 2}]},  # an empty interval
        {**base, "riemann": {"expr": "x", "x_from": 1, "x_to": 1, "n": 2}},
        {**base, "riemann": {"expr": "x", "x_from": 0, "x_to": 1, "n": 1000}},
        {**base, "series": [{"kind": "line", "x": [1, 2], "y": [1]}]},
        {**base, "series": [{"kind": "bar", "y": list(range(300))}]},
        {**base, "x_label": "x" * 500},
        {"domain": "plot"},  # nothing to draw
        {"domain": "plot", "table": {"rows": [["1"] * 11]}},  # too many columns
        {"domain": "plot", "table": {"rows": [["1"]] * 26}},  # too many rows
        {"domain": "plot", "pie": {"labels": ["a"], "values": [-1]}},
        {**base, "y_max": float("nan")},
    ]
    for data in bad:
        with pytest.raises(ValidationError):
            PlotScene.model_validate(data)
    with pytest.raises(ValueError):
        parse_scene(json.dumps({**base, "x_max": "wide"}))


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("2x + 3", ("x",), "2*x + 3"),
        ("3(x + 1)", ("x",), "3*(x + 1)"),
        ("(x + 1)(x - 1)", ("x",), "(x + 1)*(x - 1)"),
        ("xy^2", ("x", "y"), "x*y**2"),
        ("2sin(x)", ("x",), "2*sin(x)"),
        ("2e3*x", ("x",), "2000*x"),
        ("1E-3x", ("x",), "0.001*x"),
        ("exp(-x/2)", ("x",), "exp(-x/2)"),
    ],
)
def test_products_are_read_as_problems_write_them(text, variables, expected):
    import sympy

    symbols = {v: sympy.Symbol(v, real=True) for v in variables}
    want = sympy.sympify(expected, locals=symbols)
    assert sympy.simplify(parse_expr(text, variables) - want) == 0
    with pytest.raises(ValueError, match="unknown name 'xz'"):  # z is no variable here
        parse_expr("xz", ("x", "y"))


def test_a_formula_in_the_problems_own_variable_is_read_in_x():
    # seen from the 1.5B coder (seed 13): the drag F(v) written as "0.00500*v**2 + ..."
    scene = PlotScene.model_validate(
        {"domain": "plot", "x_label": "v", "curves": [{"expr": "0.005*v**2 + 3e8/v**2"}]}
    )
    assert scene.curves[0].expr == "0.005*x**2 + 3e8/x**2"
    shade = PlotScene.model_validate(
        {"domain": "plot", "shades": [{"top": "t**2", "x_from": 0, "x_to": 1}]}
    )
    assert shade.shades[0].top == "x**2"
    from sciray.scene.expr import free_names

    assert free_names("0.005*v^2 + sin(t) - pi*e") == {"v", "t"}
    # two unknown names, or x beside another name, stay refused
    for expr in ("a*t**2", "x + t", "__import__('os')"):
        with pytest.raises(ValidationError):
            PlotScene.model_validate({"domain": "plot", "curves": [{"expr": expr}]})


def test_a_header_written_again_as_the_first_row_is_dropped():
    header = ["Year", "Cash flow"]
    table = {"header": header, "rows": [header, ["0", "-500"], ["1", "350"]]}
    scene = PlotScene.model_validate({"domain": "plot", "table": table})
    assert scene.table.rows == [["0", "-500"], ["1", "350"]]
    # a one-row table keeps its row, whatever it says
    same = PlotScene.model_validate(
        {"domain": "plot", "table": {"header": header, "rows": [header]}}
    )
    assert same.table.rows == [header]


def test_interval_ends_in_either_order_mean_one_interval():
    # seen from the 1.5B coder: curves written from their right end, and "0 to 0" as a
    # placeholder for a curve drawn over the whole range
    scene = PlotScene.model_validate(
        {
            "domain": "plot",
            "curves": [
                {"expr": "x", "x_from": 5, "x_to": 1},
                {"expr": "x**2", "x_from": 0, "x_to": 0},
            ],
            "shades": [{"top": "x", "x_from": 3, "x_to": -1}],
            "riemann": {"expr": "x", "x_from": 4, "x_to": 0, "n": 4},
        }
    )
    first, whole = scene.curves
    assert (first.x_from, first.x_to) == (1, 5)
    assert (whole.x_from, whole.x_to) == (None, None)
    assert (scene.shades[0].x_from, scene.shades[0].x_to) == (-1, 3)
    assert (scene.riemann.x_from, scene.riemann.x_to) == (0, 4)


FORMULAS = [
    "x**2 - 3*x + 2",
    "sin(x)",
    "exp(-x/2)",
    "1/x",
    "tan(x)",
    "sqrt(x)",
    "ln(x)",
    "x**3/10 - x",
    "abs(x) - 1",
    "cosh(x)/3",
    "atan(x)",
    "2*cos(2*x)",
]


def _random_scene(rng: random.Random) -> dict:
    kind = rng.choice(["curves", "data", "bars", "table", "mixed", "pie"])
    scene: dict = {"domain": "plot"}
    if rng.random() < 0.5:
        scene["title"] = rng.choice(["Graph of f", "Data", "Region R between the curves"])
    if kind in ("curves", "mixed"):
        lo = rng.choice([-5, -2, 0, 1])
        hi = lo + rng.choice([2, 4, 6, 10])
        scene.update(x_min=lo, x_max=hi, x_label="x", y_label="y")
        scene["curves"] = [
            {"expr": rng.choice(FORMULAS), "label": f"f{i}(x)" if rng.random() < 0.7 else None}
            for i in range(rng.randint(1, 3))
        ]
        scene["points"] = [
            {
                "x": round(rng.uniform(lo, hi), 1),
                "y": round(rng.uniform(-3, 3), 1),
                "label": f"P{i}",
                "hollow": rng.random() < 0.3,
            }
            for i in range(rng.randint(0, 5))
        ]
        scene["lines"] = [
            {
                "kind": rng.choice(["vertical", "horizontal"]),
                "at": round(rng.uniform(lo, hi), 1),
                "label": f"L{i}",
            }
            for i in range(rng.randint(0, 3))
        ]
        if rng.random() < 0.5:
            a = round(rng.uniform(lo, hi - 1), 1)
            scene["shades"] = [
                {"top": "x**2/4 + 1", "bottom": "0", "x_from": a, "x_to": a + 1, "label": "A"}
            ]
        if rng.random() < 0.3:
            scene["riemann"] = {
                "expr": "x**2/4 + 1",
                "x_from": lo,
                "x_to": hi,
                "n": rng.randint(1, 12),
                "rule": rng.choice(["left", "right", "midpoint", "trapezoid"]),
            }
    if kind in ("data", "mixed"):
        n = rng.randint(2, 10)
        xs = sorted(rng.sample(range(0, 50), n))
        scene["series"] = [
            {
                "kind": rng.choice(["line", "scatter"]),
                "x": xs,
                "y": [rng.randint(-20, 100) for _ in xs],
                "label": "measured",
                "show_values": rng.random() < 0.5,
            }
        ]
    if kind == "bars":
        n = rng.randint(2, 12)
        scene["series"] = [
            {
                "kind": "bar",
                "y": [rng.randint(-300, 900) for _ in range(n)],
                "categories": [rng.choice(["Q", "Year ", "Group "]) + str(i) for i in range(n)],
                "show_values": True,
                "label": "2024" if rng.random() < 0.5 else None,
            }
        ]
        scene.update(x_label="Category", y_label="Amount ($)")
    if kind == "table":
        cols = rng.randint(1, 6)
        scene["table"] = {
            "header": [f"Column {c}" for c in range(cols)] if rng.random() < 0.7 else [],
            "rows": [
                [str(rng.randint(0, 10 ** rng.randint(1, 6))) for _ in range(cols)]
                for _ in range(rng.randint(1, 14))
            ],
            "first_column_header": rng.random() < 0.4,
            "col_title": "Player 2" if rng.random() < 0.3 else None,
            "row_title": "Player 1" if rng.random() < 0.3 else None,
        }
    if kind == "pie":
        n = rng.randint(2, 8)
        scene["pie"] = {
            "labels": [f"Part {i}" for i in range(n)],
            "values": [rng.randint(1, 50) for _ in range(n)],
            "show_values": rng.random() < 0.5,
        }
    return scene


@random_scenes()
def test_random_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(PlotScene, _random_scene(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-529678"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


TRIALS = (
    "The following observations were recorded. $$\\begin{matrix} \\text{Trial} & \\text{Ion} & "
    "\\text{Metal} & \\text{Observation}\\\\ 1 & U^{3+} & Y & \\text{reaction}\\\\ 2 & V^{2+} & "
    "U & \\text{reaction}\\\\ 3 & V^{2+} & Y & \\text{reaction}\\\\ 4 & Y^{3+} & V & "
    "\\text{no reaction}\\\\ \\end{matrix}$$ The oxidizing agents from the strongest are?"
)


def test_a_table_the_problem_writes_out_is_read_with_its_header():
    header, rows = stated_table(TRIALS)
    assert header == ["Trial", "Ion", "Metal", "Observation"]
    assert rows[0] == ["1", "$U^{3+}$", "Y", "reaction"] and rows[3][3] == "no reaction"
    spec = "\\begin{array}{r@{\\hspace{20pt}}r}1,&2\\\\3,&4\\end{array}"
    assert stated_table(f"Sum the table ${spec}$.") == ([], [["1", "2"], ["3", "4"]])
    corner = "\\begin{bmatrix} \\frac xy & 0 & 2 \\\\ 0 & 1 & 9 \\\\ 1 & -4 & 4 \\end{bmatrix}"
    assert stated_table(corner)[0] == ["$\\frac{x}{y}$", "0", "2"]
    assert stated_table("no table here") is None
    assert stated_table("\\begin{array}{c} x \\le 6 & y \\\\ 1 & 2 \\end{array}") is None


def test_a_scene_takes_the_stated_table_and_drops_a_plot_of_its_own_making():
    bars = {
        "domain": "plot",
        "x_label": "metal",
        "series": [{"kind": "bar", "y": [1, 1, 0], "categories": ["V", "U", "Y"]}],
    }
    aligned = parse_scene(bars).aligned_to(TRIALS)
    assert not aligned.has_axes() and aligned.x_label is None
    assert aligned.table.header == ["Trial", "Ion", "Metal", "Observation"]
    _, measured = draw_and_measure(aligned)
    assert "no reaction" in [t.text for t in measured.texts] and measured.overlaps == []
    data = "Plot v against t: $\\begin{array}{c|c} t & v \\\\ 0 & 0 \\\\ 1 & 4.5 \\\\ 2 & 9 \\end{array}$"
    line = {"domain": "plot", "series": [{"kind": "line", "x": [0, 1, 2], "y": [0, 4.5, 9]}]}
    kept = parse_scene(line).aligned_to(data)
    assert kept.has_axes() and kept.table.rows == [["0", "0"], ["1", "4.5"], ["2", "9"]]


TRAPEZOID = (
    "Use the Trapezoidal Rule to approximate the given interval with the specified value of n: "
    "{eq}\\int_{0}^{4} \\sqrt{y} \\: cos(y) \\: dy, \\; n = 8{/eq}."
)


def test_a_riemann_sum_is_titled_with_its_rule_and_n_and_a_blank_table_goes():
    """Seed 33: the trapezoid sum drawn right with "n = 8" nowhere, beside a table of x = 0
    and x = 4 over seven blank rows."""
    riemann = {"expr": "sqrt(x)*cos(x)", "x_from": 0, "x_to": 4, "n": 8, "rule": "trapezoid"}
    blank = {"header": ["x", "y"], "rows": [["0", "0.0"]] + [["", ""]] * 7 + [["4", ""]]}
    scene = parse_scene({"domain": "plot", "riemann": riemann, "table": blank})
    aligned = scene.aligned_to(TRAPEZOID)
    assert aligned.table is None and aligned.shown_title() == "Trapezoidal rule on [0, 4], n = 8"
    problem = Problem(id="p", question=TRAPEZOID, image_type="Universal - Plot & Chart")
    _, drawn = draw_and_measure(aligned)
    report = run_checks(problem, drawn, rendered=True, stated_only=True)
    assert report.passed and report.label_recall == 1.0, report.reasons
    titled = parse_scene({"domain": "plot", "title": "S_8", "riemann": riemann})
    assert titled.shown_title() == "S_8"  # the model's own title stands
    full = {"header": ["x", "y"], "rows": [["0", "0"], ["2", "1"]]}
    kept = parse_scene({"domain": "plot", "riemann": riemann, "table": full})
    assert kept.aligned_to(TRAPEZOID).table is not None  # a filled table is data
    alone = parse_scene({"domain": "plot", "table": blank})
    assert alone.aligned_to(TRAPEZOID).table is not None  # the table is the whole figure
