"""Analytic-geometry scenes (sciray.scene.analytic): real SciGenBench problems render
faithfully from their stated equations, random scenes never overlap or leave the canvas, invalid
scenes are refused with the field named, and nothing but the scene's own texts is drawn."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import draw_scene, parse_scene, route
from sciray.scene.analytic import AnalyticScene
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # region A under y = 6, left of y = 3√x, right of the y-axis; revolved about x = -2
    "webinstruct-460656": {
        "domain": "analytic",
        "curves": [{"kind": "function", "expr": "3*sqrt(x)", "t_from": 0, "label": "y = 3√x"}],
        "lines": [
            {"kind": "horizontal", "at": 6, "label": "y = 6"},
            {
                "kind": "vertical",
                "at": -2,
                "label": "x = -2",
                "style": "dashed",
                "rotation_axis": True,
            },
        ],
        "regions": [{"inequalities": ["y <= 6", "y >= 3*sqrt(x)", "x >= 0"], "label": "A"}],
    },
    # the region between y = 5 + 1/x^4 and y = 5 for 3 <= x <= 5, revolved about the x-axis
    "webinstruct-338858": {
        "domain": "analytic",
        "curves": [{"expr": "5 + 1/x**4", "t_from": 2, "label": "y = 5 + 1/x⁴"}],
        "lines": [
            {"kind": "horizontal", "at": 5, "label": "y = 5"},
            {"kind": "vertical", "at": 3, "label": "x = 3"},
            {"kind": "vertical", "at": 5, "label": "x = 5"},
        ],
        "regions": [{"inequalities": ["5 <= y <= 5 + 1/x**4", "3 <= x <= 5"]}],
        "y_min": 4.97,
        "y_max": 5.04,
        "notes": ["rotated about the x-axis"],
    },
    # the limaçon r = 3(1 + 2 cos θ) with its inner loop
    "webinstruct-1595440": {
        "domain": "analytic",
        "curves": [
            {
                "kind": "polar",
                "expr": "3*(1 + 2*cos(t))",
                "t_from": 0,
                "t_to": 6.2832,
                "label": "r = 3(1 + 2 cos θ)",
            }
        ],
    },
    # the triangular plate bounded by x = 0, y = 4, y = x
    "webinstruct-2009030": {
        "domain": "analytic",
        "lines": [
            {"kind": "vertical", "at": 0, "label": "x = 0"},
            {"kind": "horizontal", "at": 4, "label": "y = 4"},
            {"kind": "through", "points": [[0, 0], [1, 1]], "label": "y = x"},
        ],
        "regions": [{"inequalities": ["x >= 0", "y <= 4", "y >= x"]}],
        "notes": ["f(x, y) = x² − xy + y² + 1"],
    },
    # C: the right half of the circle of radius 2, oriented clockwise (its end points are
    # not stated: not written)
    "webinstruct-863043": {
        "domain": "analytic",
        "curves": [
            {
                "kind": "parametric",
                "expr": "2*cos(t)",
                "y_expr": "2*sin(t)",
                "t_from": 1.5708,
                "t_to": -1.5708,
                "label": "C",
                "arrow": True,
            }
        ],
        "notes": ["G = (2x²y − 7xy²) i + (x³ − 6x²y + 5) j"],
    },
    # the epicycloid-like curve for 0 <= t <= π
    "webinstruct-26060": {
        "domain": "analytic",
        "curves": [
            {
                "kind": "parametric",
                "expr": "5*cos(t) - cos(5*t)",
                "y_expr": "5*sin(t) - sin(5*t)",
                "t_from": 0,
                "t_to": 3.1416,
                "arrow": True,
            }
        ],
        "notes": ["x = 5 cos t − cos 5t", "y = 5 sin t − sin 5t", "0 ≤ t ≤ π"],
    },
    # a circle of radius 1 rolling on the outside of a circle of radius 3
    "webinstruct-881886": {
        "domain": "analytic",
        "conics": [
            {"kind": "circle", "r": 3, "label": "radius 3"},
            {"kind": "circle", "h": 4, "r": 1, "label": "radius 1", "style": "dashed"},
        ],
        "points": [
            {"x": 3, "y": 0, "label": "(3, 0)"},
            {"x": 4, "y": 0, "label": "(4, 0)"},
            {"x": 0, "y": 0, "label": "O"},
        ],
    },
    # the region bounded by xy = 2, xy = 7, xy² = 2, xy² = 7
    "webinstruct-1419355": {
        "domain": "analytic",
        "curves": [
            {"kind": "implicit", "expr": "x*y - 2", "label": "xy = 2"},
            {"kind": "implicit", "expr": "x*y - 7", "label": "xy = 7"},
            {"kind": "implicit", "expr": "x*y**2 - 2", "label": "xy² = 2"},
            {"kind": "implicit", "expr": "x*y**2 - 7", "label": "xy² = 7"},
        ],
        "regions": [{"inequalities": ["2 <= x*y <= 7", "2 <= x*y**2 <= 7"], "label": "R"}],
        "x_min": 0,
        "x_max": 26,
        "y_min": 0,
        "y_max": 4,
        "equal_scale": False,
    },
    # the sphere of radius 3 above the xy-plane and the cone z = sqrt(x² + y²)
    "webinstruct-550226": {
        "domain": "analytic",
        "surfaces": [
            {"kind": "sphere", "radius": 3, "part": "z>=0", "label": "x² + y² + z² = 9"},
            {
                "kind": "graph",
                "expr": "sqrt(x**2 + y**2)",
                "radius": 2.1213,
                "label": "z = √(x² + y²)",
            },
        ],
    },
    # the two lines of the plane problem
    "webinstruct-625111": {
        "domain": "analytic",
        "lines3d": [
            {"point": [0, 1, -1], "direction": [1, 3, 2], "label": "L₁"},
            {"point": [1, -5, 3], "direction": [-17, 1, 7], "label": "L₂", "style": "dashed"},
        ],
        "notes": ["L₁: x/1 = (y−1)/3 = (z+1)/2", "L₂: (x−1)/−17 = (y+5)/1 = (z−3)/7"],
    },
}

PROBLEMS = {
    "webinstruct-460656": (
        "Let A be the region enclosed by the graph of y = 3x^{0.5}, the line y = 6, and the "
        "y-axis in the first quadrant. Set up an appropriate integral expression to find the "
        "volume of the solid generated when A is revolved about the line x = -2.",
        "51.2π",
    ),
    "webinstruct-338858": (
        "Find the volume of the solid obtained by rotating the region bounded by the curves "
        "y= 5 + \\dfrac{1}{x^4}, \\ \\ y = 5, \\ \\ x = 3, \\ \\ x = 5 about the x-axis.",
        "0.3041",
    ),
    "webinstruct-1595440": (
        "Find the area between the loops of the limacon {eq}r = 3 (1 + 2 \\cos \\theta){/eq}.",
        "79.931",
    ),
    "webinstruct-2009030": (
        "Find the absolute minimum and absolute maximum of {eq}f ( x , y ) = x ^ { 2 } - x y "
        "+ y ^ { 2 } + 1{/eq} on the triangle plate in the first quadrant bounded by lines "
        "{eq}x=0, y=4, y=x.{/eq}",
        "absolute minimum is 1 at (0, 0)\nabsolute maximum is 17 at (0, 4) and (4, 4)",
    ),
    "webinstruct-863043": (
        "Determine the value of the line integral {eq}\\int_C G\\cdot d\\vec r{/eq} where "
        "{eq}\\vec G=(2x^2y-7xy^2)\\hat i + (x^3-6x^2y+5)\\hat j{/eq} and {eq}C{/eq} is part "
        "of the circle of radius {eq}2{/eq} centered at the origin that lies to the right of "
        "the {eq}y{/eq}-axis, oriented clockwise. Do this directly, by parameterizing the "
        "curve and working from there.",
        "-2π-20",
    ),
    "webinstruct-26060": (
        "Find the exact length of the curve. {eq}x= "
        "5\\,\\cos\\,t-\\cos\\,5t,\\;\\;\\;y=5\\,\\sin\\,t-\\sin\\,5t,\\;\\;\\;0\\leq t \\leq"
        " \\pi{/eq}",
        "20",
    ),
    "webinstruct-881886": (
        "Parametrize the path of a point on a circle of radius 1 centered at (4, 0), rolling "
        "without slipping on the outside of a circle of radius 3 centered at the origin, such"
        " that the circle's center moves counterclockwise and the point starts at (3, 0).",
        "x = 4cosθ - cos(4θ), y = 4sinθ - sin(4θ)",
    ),
    "webinstruct-1419355": (
        "Use the change of variable {eq}s = xy,\\;t = xy^2 {/eq} to compute "
        "{eq}\\displaystyle \\int_R xy^2 \\:dA {/eq}, where R is the region bounded by {eq}xy"
        " = 2,\\;xy = 7,\\;xy^2 = 2,\\;xy^2 = 7 {/eq}.\n\n{eq}\\displaystyle \\int_R "
        "xy^2\\:dA {/eq} = _____",
        "25",
    ),
    "webinstruct-550226": (
        "Find the volume of the solid that lies within the sphere {eq}x^{2}+y^{2}+z^{2}=9 "
        "{/eq}, above the {eq}xy {/eq} plane, and outside the cone {eq}z=\\sqrt{x^{2}+y^{2}} "
        "{/eq}",
        "16.5627",
    ),
    "webinstruct-625111": (
        "Write an equation of the plane that contains the line given by {eq}\\frac{x}{1}= "
        "\\frac{y-1}{3}= \\frac{z+1}{2}\n\n{/eq} and is perpendicular to the line given by "
        "{eq}\\frac{x-1}{-17}= \\frac{y+5}{1}= \\frac{z-3}{7}\n\n{/eq}.",
        "-17x + y + 7z = -6",
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


def _curves(scene: AnalyticScene) -> list[np.ndarray]:
    """The plotted polylines of the scene (n x 2 arrays) with more than 50 samples."""
    import matplotlib.pyplot as plt

    fig = draw_scene(scene)
    try:
        ax = fig.axes[0]
        return [
            np.column_stack([ln.get_xdata(), ln.get_ydata()]).astype(float)
            for ln in ax.get_lines()
            if len(ln.get_xdata()) > 50
        ]
    finally:
        plt.close(fig)


def test_routes_analytic_geometry_type():
    assert route("Math - Analytic Geometry") == "analytic"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, AnalyticScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    drawn = [norm_text(t) for t in drawn_texts(measured)]
    for label in scene.labels():
        assert norm_text(label) in drawn, label
        drawn.remove(norm_text(label))


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_only_its_labels(rendered, key):
    """No area, volume, intersection or vertex the scene does not state is written."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(
        id=key, question=question, answer=answer, image_type="Math - Analytic Geometry"
    )
    report = run_checks(problem, rendered[key][2], rendered=True, stated_only=True)
    assert report.leak is None
    assert report.scores.get("stated_values_only", 1.0) == 1.0, report.reasons
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-460656"]))
    assert draw_and_measure(scene)[0] == draw_and_measure(scene)[0]


def test_curves_come_from_their_stated_equations():
    limacon = _curves(parse_scene(CANONICAL["webinstruct-1595440"]))[0]
    r = np.hypot(limacon[:, 0], limacon[:, 1])
    assert np.nanmax(r) == pytest.approx(9.0, rel=1e-3)  # r = 3(1 + 2cos θ) at θ = 0
    assert np.nanmax(limacon[:, 0]) == pytest.approx(9.0, rel=1e-3)
    ellipse = parse_scene(
        {
            "domain": "analytic",
            "conics": [{"kind": "ellipse", "h": 1, "k": -2, "a": 2, "b": 5, "axis": "y"}],
        }  # fmt: skip
    )
    (xy,) = _curves(ellipse)
    assert np.nanmin(xy[:, 0]) == pytest.approx(1 - 5, abs=1e-3)  # b along x when axis is y
    assert np.nanmax(xy[:, 1]) == pytest.approx(-2 + 2, abs=1e-3)
    parabola = parse_scene(
        {
            "domain": "analytic",
            "conics": [{"kind": "parabola", "p": 1, "axis": "y", "opens": "negative"}],
        }  # fmt: skip
    )
    (xy,) = _curves(parabola)
    np.testing.assert_allclose(xy[:, 1], -(xy[:, 0] ** 2) / 4, atol=1e-9)  # x² = -4y


def test_parametric_orientation_follows_t():
    # the clockwise semicircle: from (0, 2) at t = π/2 down to (0, -2)
    (xy,) = _curves(parse_scene(CANONICAL["webinstruct-863043"]))
    assert xy[0] == pytest.approx([0, 2], abs=1e-3)
    assert xy[-1] == pytest.approx([0, -2], abs=1e-3)
    assert np.all(xy[:, 0] >= -1e-4) and xy[len(xy) // 2] == pytest.approx([2, 0], abs=1e-2)


def test_region_is_where_every_inequality_holds():
    from sciray.scene.analytic import _mask

    x, y = np.meshgrid(np.linspace(-1, 5, 61), np.linspace(-1, 7, 81))
    m = np.ones(x.shape, bool)
    for text in CANONICAL["webinstruct-460656"]["regions"][0]["inequalities"]:
        m &= _mask(text, x, y)
    inside = m[np.isclose(y, 5) & np.isclose(x, 1)]
    outside = m[np.isclose(y, 2) & np.isclose(x, 1)]  # below y = 3√x
    assert inside.all() and not outside.any()
    assert np.nanmax(x[m]) == pytest.approx(4.0, abs=0.11)  # y = 6 meets y = 3√x at x = 4
    polar = _mask("r <= 2", x, y)
    assert polar[np.isclose(x, 1) & np.isclose(y, 1)].all()
    assert not polar[np.isclose(x, 2) & np.isclose(y, 2)].any()


def test_the_view_takes_in_a_region_no_number_bounds():
    # x = 4 is never stated: the region reaches it and the view shows it all
    fig = draw_scene(parse_scene(CANONICAL["webinstruct-460656"]))
    try:
        lo, hi = fig.axes[0].get_xlim()
        assert lo < -2 and hi > 4
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_equal_scale_keeps_circles_round():
    fig = draw_scene(parse_scene(CANONICAL["webinstruct-881886"]))
    try:
        ax = fig.axes[0]
        box = ax.get_window_extent()
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert box.width / (x1 - x0) == pytest.approx(box.height / (y1 - y0), rel=0.03)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_lenient_readings():
    scene = AnalyticScene.model_validate(
        {
            "title": "none",
            "curves": [{"expr": "y = x^2", "label": "null"}],
            "points": [{"x": 1, "y": 1, "label": ""}],
            "notes": ["", "N/A"],
        }
    )
    assert scene.title is None and scene.notes == []
    assert scene.curves[0].expr == "x^2" and scene.curves[0].label is None
    assert scene.points[0].label is None
    polar = AnalyticScene.model_validate(
        {"curves": [{"kind": "polar", "expr": "r = 2*sin(theta)"}]}
    )
    assert polar.curves[0].expr == "2*sin(t)"
    circle = AnalyticScene.model_validate({"conics": [{"kind": "circle", "a": 3}]})
    assert circle.conics[0].r == 3
    fn = AnalyticScene.model_validate({"curves": [{"expr": "x", "t_from": 5, "t_to": 1}]})
    assert (fn.curves[0].t_from, fn.curves[0].t_to) == (1, 5)


def test_equations_are_curves_and_pairs_of_levels_bound_regions():
    # seed 28: "the region bounded by xy = 2, xy = 7, xy^2 = 2, xy^2 = 7" came as four equations
    # in a region and as function curves "xy = 2" (read as y = 2 before)
    scene = parse_scene(
        {
            "domain": "analytic",
            "curves": [{"expr": "xy = 2"}, {"expr": "y = x^2"}, {"expr": "f(x) = 3x"}],
            "regions": [{"inequalities": ["xy = 2", "xy = 7", "xy^2 = 2", "xy^2 = 7", "x >= 0"]}],
        }
    )
    kinds = [(c.kind, c.expr) for c in scene.curves]
    assert kinds == [("implicit", "(xy) - (2)"), ("function", "x^2"), ("function", "3x")]
    region = scene.regions[0].inequalities
    assert region == ["x >= 0", "2 <= xy <= 7", "2 <= xy^2 <= 7"]
    from sciray.scene.analytic import _mask

    x, y = np.array([2.0, 2.0, 1.0]), np.array([1.5, 0.5, 1.0])  # xy 3, 1, 1; xy^2 4.5, .5, 1
    m = np.ones(x.shape, bool)
    for text in region:
        m &= _mask(text, x, y)
    assert m.tolist() == [True, False, False]
    with pytest.raises(ValueError, match="inequality"):  # one level alone bounds nothing
        parse_scene({"domain": "analytic", "regions": [{"inequalities": ["xy = 2"]}]})


def test_a_region_bounded_by_equations_draws_them_and_all_of_itself():
    """Seed 28: the region between xy = 2, xy = 7, xy^2 = 2, xy^2 = 7 was shaded with no
    bound named (label recall 0) and cut at x = 11 though it reaches x = 24.5."""
    equations = ["xy = 2", "xy = 7", "xy^2 = 2", "xy^2 = 7"]
    scene = parse_scene(
        {"domain": "analytic", "regions": [{"inequalities": equations, "label": "R"}]}
    )
    assert [(c.kind, c.label) for c in scene.curves] == [("implicit", t) for t in equations]
    fig = draw_scene(scene)
    (ax,) = fig.axes
    assert ax.get_xlim()[1] > 15  # bounded: looked for beyond the first grid's x = 10
    problem = Problem(id="p", question="R is the region bounded by " + ", ".join(equations),
                      image_type="Math - Analytic Geometry")  # fmt: skip
    _, drawn = draw_and_measure(scene)
    assert run_checks(problem, drawn, rendered=True, stated_only=True).label_recall == 1.0
    own = {
        "domain": "analytic",
        "curves": [{"expr": "y = x"}],
        "regions": [{"inequalities": equations}],
    }
    assert [c.expr for c in parse_scene(own).curves] == ["x"]  # the model's own curves stand
    unbounded = parse_scene({"domain": "analytic", "regions": [{"inequalities": ["y >= x^2"]}]})
    fig = draw_scene(unbounded)
    assert fig.axes[0].get_xlim()[1] < 15  # unbounded: the first grid's view


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"curves": [{"expr": "__import__('os')"}]}, "curves"),
        ({"curves": [{"expr": "x*y"}]}, "curves"),  # a function of x alone
        ({"curves": [{"kind": "parametric", "expr": "cos(t)"}]}, "y_expr"),
        ({"curves": [{"expr": "x", "t_from": 1, "t_to": 1}]}, "t_to"),
        ({"conics": [{"kind": "ellipse", "a": 2}]}, "conics"),
        ({"conics": [{"kind": "circle", "r": -1}]}, "conics"),
        ({"lines": [{"kind": "vertical"}]}, "lines"),
        ({"lines": [{"kind": "through", "points": [[1, 1], [1, 1]]}]}, "lines"),
        ({"lines": [{"kind": "slope", "points": [[0, 0]]}]}, "lines"),
        ({"regions": [{"inequalities": ["x + y"]}]}, "regions"),
        ({"regions": [{"inequalities": ["y <= z"]}]}, "regions"),
        ({"points": [{"x": 1, "y": 2, "colour": "red"}]}, "points"),
        ({"surfaces": [{"kind": "sphere"}]}, "surfaces"),
        ({"surfaces": [{"kind": "plane", "coefficients": [0, 0, 0, 1]}]}, "surfaces"),
        ({"surfaces": [{"kind": "graph"}]}, "surfaces"),
        ({"lines3d": [{"point": [0, 0, 0], "direction": [0, 0, 0]}]}, "lines3d"),
        ({"points": [{"x": 0, "y": 0}], "points3d": [{"x": 0, "y": 0, "z": 0}]}, "3-D"),
        ({}, "curves"),
        ({"points": [{"x": 0, "y": 0}], "x_min": 3, "x_max": 1}, "x_min"),
        ({"points": [{"x": float("nan"), "y": 0}]}, "points"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises((ValidationError, ValueError)) as err:
        parse_scene({"domain": "analytic", **data})
    assert field in str(err.value)


def test_nothing_unstated_is_drawn():
    """No focus, directrix, asymptote, vertex or coordinate text unless the scene asks; only
    the axis names."""
    scene = parse_scene(
        {
            "domain": "analytic",
            "conics": [
                {"kind": "hyperbola", "a": 3, "b": 2},
                {"kind": "parabola", "p": 1, "h": 8},
            ],  # fmt: skip
            "points": [{"x": 1, "y": 1}],
        }
    )
    _, measured = draw_and_measure(scene)
    assert sorted(drawn_texts(measured)) == ["x", "y"]
    fig = draw_scene(scene)
    try:
        # the two hyperbola branches and the parabola; no asymptote or directrix line
        assert len([ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 50]) == 3
        assert not [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    asked = parse_scene(
        {
            "domain": "analytic",
            "conics": [{"kind": "ellipse", "a": 5, "b": 3, "show_foci": True}],
        }  # fmt: skip
    )
    _, measured = draw_and_measure(asked)
    assert sorted(drawn_texts(measured)) == sorted(["x", "y", "F₁", "F₂"])
    assert asked.conics[0].foci() == [(4.0, 0.0), (-4.0, 0.0)]


_FUNCS = ["x**2 - 3", "sin(x)", "1/x", "exp(-x)", "sqrt(x)", "x**3 - x", "log(x)", "tan(x)"]
_LABELS = ["A", "y = f(x)", "C₁", "x = -2", "(3, 4)", "r = 2cos θ", "$x^2$", "a long label here"]


def _random_scene(rng: random.Random) -> dict:
    pick = rng.choice
    if rng.random() < 0.3:  # 3-D
        data = {"surfaces": [], "lines3d": [], "points3d": []}
        for _ in range(rng.randint(0, 2)):
            kind = pick(["sphere", "cylinder", "graph", "plane"])
            sf = {"kind": kind, "label": pick(_LABELS + [""])}
            if kind in ("sphere", "cylinder"):
                sf["radius"] = rng.uniform(0.5, 6)
                sf["axis" if kind == "cylinder" else "part"] = (
                    pick("xyz") if kind == "cylinder" else pick(["whole", "z>=0", "y<=0"])
                )
            elif kind == "graph":
                sf["expr"] = pick(["sqrt(x**2 + y**2)", "(x**2 + y**2)/3", "sqrt(9 - x**2 - y**2)"])
                sf["radius"] = rng.uniform(1, 4)
            else:
                sf["coefficients"] = [rng.randint(-3, 3) or 1, rng.randint(-3, 3), 1,
                                      rng.randint(-5, 5)]  # fmt: skip
            data["surfaces"].append(sf)
        for _ in range(rng.randint(0, 2)):
            data["lines3d"].append({"point": [rng.randint(-4, 4) for _ in range(3)],
                                    "direction": [rng.randint(1, 5), rng.randint(-5, 5),
                                                  rng.randint(-5, 5)],
                                    "label": pick(_LABELS)})  # fmt: skip
        data["points3d"] = [{"x": rng.randint(-5, 5), "y": rng.randint(-5, 5),
                             "z": rng.randint(-5, 5), "label": pick(_LABELS)}
                            for _ in range(rng.randint(1, 3))]  # fmt: skip
    else:
        data = {"curves": [], "conics": [], "lines": [], "points": [], "regions": []}
        for _ in range(rng.randint(0, 3)):
            kind = pick(["function", "function", "implicit", "parametric", "polar"])
            c = {"kind": kind, "label": pick(_LABELS + [""]), "arrow": rng.random() < 0.3}
            if kind == "function":
                c["expr"] = pick(_FUNCS)
            elif kind == "implicit":
                c["expr"] = pick(["x**2 + y**2 - 4", "x*y - 2", "y**2 - x**3 - x"])
            elif kind == "parametric":
                c.update(expr="3*cos(t)", y_expr="2*sin(2*t)", t_to=rng.choice([3.14, 6.28]))
            else:
                c["expr"] = pick(["2*cos(3*t)", "1 + 2*cos(t)", "t/3"])
            data["curves"].append(c)
        for _ in range(rng.randint(0, 2)):
            kind = pick(["circle", "ellipse", "hyperbola", "parabola"])
            data["conics"].append({
                "kind": kind, "h": rng.randint(-5, 5), "k": rng.randint(-5, 5),
                "r": rng.uniform(0.5, 5), "a": rng.uniform(0.5, 5), "b": rng.uniform(0.5, 5),
                "p": rng.uniform(0.3, 3), "axis": pick("xy"), "label": pick(_LABELS + [""]),
                "show_foci": rng.random() < 0.4, "show_directrix": rng.random() < 0.4,
                "show_asymptotes": rng.random() < 0.4,
            })  # fmt: skip
        for _ in range(rng.randint(0, 3)):
            kind = pick(["vertical", "horizontal", "through", "slope"])
            data["lines"].append({
                "kind": kind, "at": rng.randint(-6, 6), "slope": rng.uniform(-3, 3),
                "points": [[rng.randint(-5, 5), rng.randint(-5, 5)], [6, 7]][
                    : 2 if kind == "through" else 1],
                "label": pick(_LABELS + [""]), "rotation_axis": rng.random() < 0.2,
                "segment": rng.random() < 0.3,
            })  # fmt: skip
        data["points"] = [{"x": rng.randint(-8, 8), "y": rng.randint(-8, 8),
                           "label": pick(_LABELS)} for _ in range(rng.randint(0, 5))]  # fmt: skip
        if rng.random() < 0.5:
            data["regions"].append({"inequalities": [pick(["y <= 4 - x**2", "x**2 + y**2 <= 9",
                                                           "0 <= x <= 2"]), "y >= 0"],
                                    "label": pick(_LABELS)})  # fmt: skip
        if not any(data.values()):
            data["points"] = [{"x": 1, "y": 2, "label": "P"}]
    if rng.random() < 0.4:
        data["notes"] = [pick(_LABELS + ["f(x, y) = x² − xy + y² + 1 on the closed plate"])
                         for _ in range(rng.randint(1, 4))]  # fmt: skip
    if rng.random() < 0.3:
        data["title"] = pick(["Region R", "A long title for the figure of the analytic problem"])
    return data


@random_scenes(max_examples=18)
def test_random_analytic_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(AnalyticScene, _random_scene(rng))


def test_hostile_labels_do_not_break_the_render():
    scene = parse_scene(
        {
            "domain": "analytic",
            "points": [{"x": 0, "y": 0, "label": "$\\frac{1}{$"}],
            "notes": ["$\\undefinedmacro x$"],
            "title": "$$",
        }  # fmt: skip
    )
    _, measured = draw_and_measure(scene)
    assert measured.overlaps == [] and measured.outside == []
    assert math.isfinite(len(measured.texts))
