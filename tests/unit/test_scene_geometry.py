"""Plane geometry scenes: constructions solved into coordinates, drawn with every label legible."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import assume
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, prompt_schema, route
from sciray.scene.geometry import GeometryScene, _solve
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import random_scenes


def _norm(text: str) -> str:
    return "".join(text.replace("$", "").split())


def _measured_texts(scene) -> set[str]:
    _, measured = draw_and_measure(scene)
    return {_norm(t.text) for t in measured.texts}


def _check_drawn(scene):
    png, measured = draw_and_measure(scene)
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    texts = {_norm(t.text) for t in measured.texts}
    missing = [label for label in scene.labels() if _norm(label) not in texts]
    assert missing == []
    return measured


# Scenes a model should write for real "Math - Plane Geometric" problems of SciGenBench.
CANONICAL = {
    # webinstruct-1124509: a 65-foot ladder leans against a wall; its base is 16 feet from the
    # wall and slips away at 2 feet an hour.
    "webinstruct-1124509": {
        "domain": "geometry",
        "steps": [
            {
                "kind": "triangle",
                "points": ["W", "B", "T"],
                "sides": [16, 65, None],
                "angles": [90, None, None],
            }
        ],
        "segments": [
            {"points": ["B", "T"], "label": "65 ft"},
            {"points": ["W", "B"], "label": "16 ft"},
        ],
        "angles": [{"points": ["B", "W", "T"], "right": True}],
        "points": [{"name": "T", "text": "top"}, {"name": "B", "text": "base"}],
        "notes": ["base slips away at 2 ft/h"],
    },
    # webinstruct-1634846: a shuttle lifts off vertically 4 miles from the command post; the
    # angle of elevation is 30 degrees.
    "webinstruct-1634846": {
        "domain": "geometry",
        "steps": [
            {
                "kind": "triangle",
                "points": ["P", "L", "S"],
                "sides": [4, None, None],
                "angles": [30, 90, None],
            }
        ],
        "segments": [
            {"points": ["P", "L"], "label": "4 miles"},
            {"points": ["L", "S"], "label": "x"},
        ],
        "angles": [
            {"points": ["L", "P", "S"], "label": "θ = 30°"},
            {"points": ["P", "L", "S"], "right": True},
        ],
        "points": [{"name": "P", "text": "command post"}, {"name": "S", "text": "shuttle"}],
    },
    # webinstruct-531926: a side-angle-side triangle with sides 9 and 1 and an angle 11π/90.
    "webinstruct-531926": {
        "domain": "geometry",
        "steps": [
            {"kind": "triangle", "points": ["A", "B", "C"], "sides": [9, None, 1], "angles": [22]}
        ],
        "segments": [{"points": ["A", "B"], "label": "9"}, {"points": ["C", "A"], "label": "1"}],
        "angles": [{"points": ["B", "A", "C"], "label": "11π/90"}],
    },
    # webinstruct-905344: a trough whose cross-section is an isosceles trapezoid 30 cm wide at
    # the bottom, 80 cm at the top, 50 cm high; water 30 cm deep.
    "webinstruct-905344": {
        "domain": "geometry",
        "title": "Cross-section of the trough",
        "steps": [
            {
                "kind": "trapezoid",
                "points": ["A", "B", "C", "D"],
                "sides": [30, None, 80, None],
                "height": 50,
            },
            {"kind": "foot", "name": "H", "of": ["D", "A", "B"]},
            {"kind": "on_segment", "name": "P", "of": ["A", "D"], "ratio": 0.6},
            {"kind": "on_segment", "name": "Q", "of": ["B", "C"], "ratio": 0.6},
            {"kind": "polygon", "points": ["A", "B", "Q", "P"], "shaded": True},
            {"kind": "midpoint", "name": "M", "of": ["A", "B"]},
            {"kind": "midpoint", "name": "N", "of": ["P", "Q"]},
        ],
        "segments": [
            {"points": ["A", "B"], "label": "30 cm"},
            {"points": ["D", "C"], "label": "80 cm"},
            {"points": ["D", "H"], "label": "50 cm", "dashed": True},
            {"points": ["H", "A"], "dashed": True},
            {"points": ["M", "N"], "label": "30 cm", "dashed": True},
        ],
        "points": [{"name": n, "text": ""} for n in "ABCDHPQMN"],
        "notes": ["trough 10 m long", "filled at 0.2 m³/min"],
    },
    # webinstruct-318269: charges +q at corners A, B, C of a square ABCD of side l, -2q at D;
    # the field at the centre.
    "webinstruct-318269": {
        "domain": "geometry",
        "steps": [
            {"kind": "square", "points": ["A", "B", "C", "D"]},
            {"kind": "intersection", "name": "O", "of": ["A", "C", "B", "D"]},
        ],
        "segments": [
            {"points": ["A", "B"], "label": "l"},
            {"points": ["A", "C"], "dashed": True},
            {"points": ["B", "D"], "dashed": True},
        ],
        "points": [
            {"name": "A", "text": "A (+q)"},
            {"name": "B", "text": "B (+q)"},
            {"name": "C", "text": "C (+q)"},
            {"name": "D", "text": "D (-2q)"},
        ],
    },
    # webinstruct-1338912: D is the triangle with vertices (0,0), (1,1) and (3,0).
    "webinstruct-1338912": {
        "domain": "geometry",
        "axes": True,
        "steps": [
            {"kind": "xy", "name": "O", "x": 0, "y": 0},
            {"kind": "xy", "name": "P", "x": 1, "y": 1},
            {"kind": "xy", "name": "Q", "x": 3, "y": 0},
            {"kind": "triangle", "points": ["O", "P", "Q"], "shaded": True},
        ],
        "points": [
            {"name": "O", "text": "(0,0)"},
            {"name": "P", "text": "(1,1)"},
            {"name": "Q", "text": "(3,0)"},
        ],
        "notes": ["D"],
    },
    # webinstruct-808769: the region in the first quadrant between the circles x^2 + y^2 = 64
    # and x^2 - 8x + y^2 = 0.
    "webinstruct-808769": {
        "domain": "geometry",
        "axes": True,
        "steps": [
            {"kind": "xy", "name": "O", "x": 0, "y": 0},
            {"kind": "xy", "name": "C", "x": 4, "y": 0},
            {"kind": "circle", "center": "O", "radius": 8, "label": "x^2 + y^2 = 64"},
            {"kind": "circle", "center": "C", "radius": 4, "label": "x^2 - 8x + y^2 = 0"},
            {"kind": "xy", "name": "E", "x": 8, "y": 0},
        ],
        "points": [
            {"name": "O", "text": "(0,0)"},
            {"name": "C", "text": "(4,0)"},
            {"name": "E", "text": "(8,0)"},
        ],
    },
}


def _problems() -> dict[str, dict]:
    from pathlib import Path

    path = Path("/work/shared/data/scigenbench/scigen.jsonl")
    if not path.exists():
        return {}
    rows = {}
    with path.open() as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in CANONICAL:
                rows[row["id"]] = row
    return rows


@pytest.mark.parametrize("problem_id", sorted(CANONICAL))
def test_canonical_scene_round_trips_and_draws(problem_id):
    data = CANONICAL[problem_id]
    scene = parse_scene(json.dumps(data))
    assert isinstance(scene, GeometryScene)
    again = parse_scene(scene.model_dump_json())
    assert again == scene
    assert again.labels() == scene.labels()
    _check_drawn(scene)


def test_canonical_scenes_show_the_problems_givens():
    rows = _problems()
    if not rows:
        pytest.skip("SciGenBench data not available")
    for problem_id in ("webinstruct-1634846", "webinstruct-905344", "webinstruct-531926"):
        row = rows[problem_id]
        assert row["image_type"] == "Math - Plane Geometric"
        assert route(row["image_type"]) == "geometry"
        scene = parse_scene(CANONICAL[problem_id])
        _, measured = draw_and_measure(scene)
        problem = Problem(id=row["id"], question=row["question"], answer=row.get("answer"))
        report = run_checks(problem, measured, rendered=True)
        assert report.scores["no_overlaps"] == 1.0
        assert report.scores["inside_canvas"] == 1.0
        assert report.leak is None, (problem_id, report.leak)
        # 1634846's question quotes its own working (16, 45...): only the figure's givens count
        if problem_id != "webinstruct-1634846":
            assert report.label_recall is not None and report.label_recall >= 0.9, (
                problem_id,
                report.reasons,
            )


def test_constructions_solve_to_the_stated_geometry():
    # ladder: legs 16 and sqrt(65^2 - 16^2) = 63, right angle at W
    sol = _solve(parse_scene(CANONICAL["webinstruct-1124509"]))
    w, b, t = (sol.pts[n] for n in "WBT")
    assert math.dist(w, b) == pytest.approx(16)
    assert math.dist(b, t) == pytest.approx(65)
    assert math.dist(w, t) == pytest.approx(63)
    assert t[1] > w[1]  # the ladder leans up from the ground
    # trapezoid: bottom 30, top 80, height 50, symmetric; the water line at 60% of the legs
    sol = _solve(parse_scene(CANONICAL["webinstruct-905344"]))
    a, b, c, d = (sol.pts[n] for n in "ABCD")
    assert math.dist(a, b) == pytest.approx(30) and math.dist(c, d) == pytest.approx(80)
    assert d[1] - a[1] == pytest.approx(50)
    assert math.dist(a, d) == pytest.approx(math.dist(b, c))
    assert sol.pts["H"] == pytest.approx((d[0], a[1]))
    assert sol.pts["N"][1] - sol.pts["M"][1] == pytest.approx(30)
    # square diagonals meet at its centre
    sol = _solve(parse_scene(CANONICAL["webinstruct-318269"]))
    a, c = sol.pts["A"], sol.pts["C"]
    assert sol.pts["O"] == pytest.approx(((a[0] + c[0]) / 2, (a[1] + c[1]) / 2))
    # SAS: included angle 22 degrees at A
    sol = _solve(parse_scene(CANONICAL["webinstruct-531926"]))
    a, b, c = (sol.pts[n] for n in "ABC")
    ang = math.degrees(math.atan2(c[1] - a[1], c[0] - a[0]) - math.atan2(b[1] - a[1], b[0] - a[0]))
    assert abs(ang) == pytest.approx(22)


def test_more_constructions():
    scene = parse_scene(
        {
            "domain": "geometry",
            "steps": [
                {"kind": "triangle", "points": ["A", "B", "C"], "sides": [3, 4, 5]},
                {"kind": "circumcircle", "center": "O", "of": ["A", "B", "C"]},
                {"kind": "xy", "name": "P", "x": 10, "y": 0},
                {"kind": "tangent", "name": "T", "of": ["P", "O"]},
                {"kind": "tangent", "name": "U", "of": ["P", "O"], "which": 2},
                {"kind": "on_circle", "name": "E", "of": ["O"], "angle": 90},
                {"kind": "ray", "name": "R", "of": ["A", "B"], "angle": 90, "length": 2},
                {"kind": "incircle", "center": "I", "of": ["A", "B", "C"]},
            ],
            "segments": [{"points": ["P", "T"]}, {"points": ["P", "U"]}],
        }
    )
    sol = _solve(scene)
    o, r = sol.pts["O"], sol.circles[0][1]
    assert r == pytest.approx(2.5)  # 3-4-5: hypotenuse is the diameter
    for name in "TU":
        t = sol.pts[name]
        assert math.dist(o, t) == pytest.approx(r)
        p = sol.pts["P"]
        dot = (t[0] - o[0]) * (p[0] - t[0]) + (t[1] - o[1]) * (p[1] - t[1])
        assert dot == pytest.approx(0, abs=1e-9)
    assert sol.pts["T"] != pytest.approx(sol.pts["U"])
    assert sol.pts["E"] == pytest.approx((o[0], o[1] + r))
    assert math.dist(sol.pts["A"], sol.pts["R"]) == pytest.approx(2)
    assert sol.circles[1][1] == pytest.approx(1.0)  # inradius of 3-4-5
    _check_drawn(scene)


def test_shape_built_on_an_existing_side_goes_away_from_the_figure():
    scene = parse_scene(
        {
            "domain": "geometry",
            "steps": [
                {"kind": "square", "points": ["A", "B", "C", "D"], "sides": [4]},
                {"kind": "triangle", "points": ["D", "C", "E"], "angles": [60, 60, 60]},
            ],
        }
    )
    sol = _solve(scene)
    # the equilateral triangle sits on top of the square, scaled to its side
    assert sol.pts["E"][1] > sol.pts["D"][1]
    assert math.dist(sol.pts["D"], sol.pts["E"]) == pytest.approx(4)
    flipped = dict(scene.model_dump())
    flipped["steps"][1]["flip"] = True
    assert _solve(parse_scene(flipped)).pts["E"][1] < sol.pts["D"][1]


# -- inconsistent constructions and hostile scenes ------------------------------------------


@pytest.mark.parametrize(
    "steps, message",
    [
        (
            [{"kind": "triangle", "points": ["A", "B", "C"], "sides": [1, 2, 5]}],
            "triangle inequality",
        ),
        ([{"kind": "midpoint", "name": "M", "of": ["A", "B"]}], "point A is not defined"),
        (
            [{"kind": "triangle", "points": ["A", "B", "C"], "angles": [100, 90, None]}],
            "no third angle",
        ),
        (
            [{"kind": "triangle", "points": ["A", "B", "C"], "angles": [60, 60, 70]}],
            "sum to 180",
        ),
        (
            [
                {"kind": "segment", "points": ["A", "B"], "length": 5},
                {"kind": "triangle", "points": ["A", "B", "C"], "sides": [7, 3, 6]},
            ],
            "already 5 apart",
        ),
        (
            [
                {"kind": "segment", "points": ["A", "B"]},
                {"kind": "segment", "points": ["C", "D"], "angle": 0},
                {"kind": "intersection", "name": "X", "of": ["A", "B", "C", "D"]},
            ],
            "parallel",
        ),
        (
            [
                {"kind": "circle", "center": "O", "radius": 3},
                {"kind": "xy", "name": "P", "x": 1, "y": 0},
                {"kind": "tangent", "name": "T", "of": ["P", "O"]},
            ],
            "not outside the circle",
        ),
        (
            [
                {"kind": "xy", "name": "A", "x": 0, "y": 0},
                {"kind": "xy", "name": "A", "x": 1, "y": 0},
            ],
            "already defined",
        ),
        ([{"kind": "square", "points": ["A", "B", "C"]}], "exactly 4 points"),
        (
            [
                {"kind": "trapezoid", "points": ["A", "B", "C", "D"], "sides": [10, 1, 2, 1]},
            ],
            "cannot join",
        ),
        (
            [
                {
                    "kind": "triangle",
                    "points": ["A", "B", "C"],
                    "sides": [10, None, 2],
                    "angles": [None, 60],
                }
            ],
            "too short",
        ),
    ],
)
def test_inconsistent_constructions_raise_clear_value_errors(steps, message):
    with pytest.raises(ValueError, match=message):
        parse_scene({"domain": "geometry", "steps": steps})


def test_marks_must_name_defined_points():
    base = [{"kind": "triangle", "points": ["A", "B", "C"]}]
    with pytest.raises(ValueError, match="point D is not defined"):
        parse_scene({"domain": "geometry", "steps": base, "segments": [{"points": ["A", "D"]}]})
    with pytest.raises(ValueError, match="point Z is not defined"):
        parse_scene({"domain": "geometry", "steps": base, "angles": [{"points": ["A", "Z", "C"]}]})
    with pytest.raises(ValueError, match="not on one circle"):
        parse_scene(
            {
                "domain": "geometry",
                "steps": [
                    *base,
                    {"kind": "circumcircle", "center": "O", "of": ["A", "B", "C"]},
                    {"kind": "midpoint", "name": "M", "of": ["A", "B"]},
                ],
                "arcs": [{"center": "O", "points": ["A", "M"]}],
            }
        )


@pytest.mark.parametrize(
    "patch",
    [
        {"colour": "red"},  # unknown field
        {"steps": [{"kind": "triangle", "points": ["A", "B", "C"], "sides": [-3, 4, 5]}]},
        {"steps": [{"kind": "triangle", "points": ["A", "B", "C"], "angles": [190]}]},
        {"steps": [{"kind": "triangle", "points": ["A", "B", "C"], "bogus": 1}]},
        {"steps": [{"kind": "hexagon", "points": ["A", "B", "C"]}]},
        {"steps": [{"kind": "xy", "name": "A", "x": 1e12, "y": 0}]},
        {"steps": [{"kind": "xy", "name": "A B", "x": 1, "y": 0}]},
        {"steps": [{"kind": "xy", "name": f"P{i}", "x": i, "y": 0} for i in range(25)]},
        {"steps": []},
        {"segments": [{"points": ["A", "B"]}] * 25},
        {"segments": [{"points": ["A", "B"], "ticks": 9}]},
        {"segments": [{"points": ["A", "B"], "label": "x" * 200}]},
        {"notes": ["a", "b", "c", "d", "e"]},
    ],
)
def test_invalid_scenes_raise_validation_error(patch):
    data = {
        "domain": "geometry",
        "steps": [{"kind": "triangle", "points": ["A", "B", "C"]}],
        **patch,
    }
    with pytest.raises(ValidationError):
        GeometryScene.model_validate(data)
    with pytest.raises(ValueError):  # parse_scene reports it in one line
        parse_scene(data)


def test_an_angle_a_shape_cannot_have_reads_as_not_stated():
    # seen from the 1.5B coder: a rectangle with "angle": 0
    rect = parse_scene(
        {
            "domain": "geometry",
            "steps": [
                {"kind": "rectangle", "points": ["A", "B", "C", "D"], "sides": [6, 4], "angle": 0}
            ],
        }
    )
    assert rect.steps[0].angle is None
    a, b, d = (_solve(rect).pts[n] for n in "ABD")
    assert math.dist(a, b) == pytest.approx(6) and math.dist(a, d) == pytest.approx(4)
    assert (b[0] - a[0]) * (d[0] - a[0]) + (b[1] - a[1]) * (d[1] - a[1]) == pytest.approx(0)
    flat = {"kind": "parallelogram", "points": ["P", "Q", "R", "S"], "angle": 180}
    assert parse_scene({"domain": "geometry", "steps": [flat]}).steps[0].angle is None
    stated = {**flat, "angle": 60}
    assert parse_scene({"domain": "geometry", "steps": [stated]}).steps[0].angle == 60


def test_too_many_points_in_total_is_refused():
    steps = [{"kind": "regular", "points": [f"{c}{i}" for i in range(10)]} for c in "PQR"]
    with pytest.raises(ValueError, match="at most 26 points"):
        parse_scene({"domain": "geometry", "steps": steps})


# -- nothing derived is drawn ---------------------------------------------------------------


def test_no_derived_values_are_drawn():
    # the ladder's height (63 ft) and its angles are the problem's unknowns: never written
    scene = parse_scene(CANONICAL["webinstruct-1124509"])
    texts = _measured_texts(scene)
    joined = " ".join(texts)
    assert "63" not in joined
    assert not any("°" in t for t in texts)
    assert texts >= {_norm(label) for label in scene.labels()}
    # a side with no label gets no number; an angle mark without a label writes nothing
    scene = parse_scene(
        {
            "domain": "geometry",
            "steps": [{"kind": "triangle", "points": ["A", "B", "C"], "sides": [3, 4, 5]}],
            "angles": [{"points": ["A", "B", "C"]}],
        }
    )
    texts = _measured_texts(scene)
    assert texts == {"A", "B", "C"}


def test_point_text_replaces_or_hides_names():
    scene = parse_scene(
        {
            "domain": "geometry",
            "steps": [{"kind": "segment", "points": ["A", "B"], "length": 3}],
            "points": [{"name": "A", "text": "station"}, {"name": "B", "text": ""}],
        }
    )
    assert scene.labels() == ["station"]
    assert _measured_texts(scene) == {"station"}


def test_schema_and_routing():
    schema = prompt_schema("geometry")
    text = json.dumps(schema)
    assert "Constructions in order" in text
    assert route("Math - Plane Geometric") == "geometry"


# -- random valid scenes --------------------------------------------------------------------


def _random_scene(rng: random.Random) -> dict:
    steps: list[dict] = []
    names = iter("ABCDEFGHJKLMNPQRSTUVWXYZ")
    made: list[str] = []

    def new() -> str:
        n = next(names)
        made.append(n)
        return n

    shape = rng.choice(
        [
            "triangle",
            "right",
            "square",
            "rectangle",
            "parallelogram",
            "regular",
            "trapezoid",
            "circle",
        ]
    )
    if shape == "triangle":
        a, b = rng.uniform(2, 9), rng.uniform(2, 9)
        c = rng.uniform(abs(a - b) + 0.5, a + b - 0.5)
        steps.append({"kind": "triangle", "points": [new(), new(), new()], "sides": [a, b, c]})
    elif shape == "right":
        steps.append(
            {
                "kind": "triangle",
                "points": [new(), new(), new()],
                "sides": [rng.uniform(1, 20), None, None],
                "angles": [None, 90, rng.uniform(15, 75)],
            }
        )
    elif shape == "circle":
        o = new()
        steps.append({"kind": "circle", "center": o, "radius": rng.uniform(1, 50)})
        for k in range(rng.randint(2, 4)):
            steps.append(
                {"kind": "on_circle", "name": new(), "of": [o], "angle": rng.uniform(0, 360)}
            )
    elif shape == "regular":
        steps.append({"kind": "regular", "points": [new() for _ in range(rng.randint(3, 8))]})
    elif shape == "trapezoid":
        bottom = rng.uniform(3, 10)
        steps.append(
            {
                "kind": "trapezoid",
                "points": [new(), new(), new(), new()],
                "sides": [bottom, None, rng.uniform(1, 12), None],
                "height": rng.uniform(1, 8),
            }
        )
    else:
        steps.append(
            {
                "kind": shape,
                "points": [new(), new(), new(), new()],
                "sides": [rng.uniform(1, 10), rng.uniform(1, 10)]
                if shape != "square"
                else [rng.uniform(1, 10)],
                **({"angle": rng.uniform(40, 140)} if shape == "parallelogram" else {}),
            }
        )
    base = list(made)
    for _ in range(rng.randint(0, 3)):
        kind = rng.choice(["midpoint", "on_segment", "foot", "centroid", "ray"])
        p, q, r = rng.sample(base, 3) if len(base) >= 3 else (base[0], base[1], base[-1])
        if kind == "midpoint":
            steps.append({"kind": "midpoint", "name": new(), "of": [p, q]})
        elif kind == "on_segment":
            steps.append(
                {"kind": "on_segment", "name": new(), "of": [p, q], "ratio": rng.uniform(0.1, 0.9)}
            )
        elif kind == "foot" and len(set((p, q, r))) == 3:
            steps.append({"kind": "foot", "name": new(), "of": [p, q, r]})
        elif kind == "centroid" and len(set((p, q, r))) == 3:
            steps.append({"kind": "centroid", "name": new(), "of": [p, q, r]})
        else:
            steps.append(
                {"kind": "ray", "name": new(), "of": [p, q], "angle": rng.uniform(-150, 150)}
            )
    segments, angles = [], []
    units = rng.choice(["", " cm", " m", " ft"])
    for _ in range(rng.randint(0, 5)):
        p, q = rng.sample(made, 2)
        segments.append(
            {
                "points": [p, q],
                "label": rng.choice([f"{rng.randint(1, 99)}{units}", "x", "a", None]),
                "dashed": rng.random() < 0.3,
                "ticks": rng.choice([0, 0, 1, 2]),
            }
        )
    for _ in range(rng.randint(0, 3)):
        p, v, q = rng.sample(made, 3) if len(made) >= 3 else (made[0], made[1], made[0])
        if len({p, v, q}) == 3:
            angles.append(
                {"points": [p, v, q], "label": rng.choice([f"{rng.randint(10, 170)}°", "θ", None])}
            )
    texts = []
    if rng.random() < 0.3:
        texts.append({"name": made[0], "text": rng.choice(["station", "", "A(0, 0)"])})
    return {
        "domain": "geometry",
        "title": rng.choice([None, "Figure", "Plane figure for the problem"]),
        "steps": steps,
        "segments": segments,
        "angles": angles,
        "points": texts,
        "notes": rng.sample(["rate 2 m/s", "not to scale", "area A = ?"], rng.randint(0, 2)),
    }


@random_scenes()
def test_random_valid_scenes_render_cleanly(rng: random.Random) -> None:
    try:
        scene = parse_scene(_random_scene(rng))
    except ValueError:  # a random construction can be degenerate (coincident points)
        assume(False)
    _check_drawn(scene)


def _two_circles(apart: float, *meets: dict) -> dict:
    return {
        "domain": "geometry",
        "steps": [
            {"kind": "xy", "name": "O", "x": 0, "y": 0},
            {"kind": "xy", "name": "U", "x": apart, "y": 0},
            {"kind": "circle", "center": "O", "radius": 5},
            {"kind": "circle", "center": "U", "radius": 5},
            *meets,
        ],
    }


def test_intersections_with_circles_are_solved():
    """Seen from the 1.5B coder on two circles: "P = intersection of [O, U]". A line meets a
    circle ([P, Q, O]) and two circles meet ([O, U]) where the equations say."""
    scene = parse_scene(
        _two_circles(
            6,
            {"kind": "intersection", "name": "P", "of": ["O", "U"]},
            {"kind": "intersection", "name": "Q", "of": ["O", "U"], "which": 2},
            {"kind": "intersection", "name": "R", "of": ["O", "U", "O"]},
            {"kind": "intersection", "name": "S", "of": ["O", "U", "O"], "which": 2},
        )
    )
    pts = {k: tuple(round(c, 9) for c in v) for k, v in scene._solution.pts.items()}
    assert pts["P"] == (3, 4) and pts["Q"] == (3, -4)
    assert pts["R"] == (5, 0) and pts["S"] == (-5, 0)
    with pytest.raises(ValueError, match="the two circles do not meet"):
        parse_scene(_two_circles(20, {"kind": "intersection", "name": "P", "of": ["O", "U"]}))


def test_a_right_angle_labelled_90_becomes_the_square_mark_unless_the_problem_says_90():
    data = {
        "domain": "geometry",
        "steps": [
            {
                "kind": "triangle",
                "points": ["A", "B", "C"],
                "sides": [12, None, None],
                "angles": [90, None, None],
            }
        ],
        "angles": [
            {"points": ["B", "A", "C"], "label": "90°"},
            {"points": ["A", "B", "C"], "label": "θ"},
        ],
    }
    ladder = "A 12 ft ladder leans against a wall. How fast does its foot move?"
    aligned = parse_scene(data).aligned_to(ladder)
    right, theta = aligned.angles
    assert right.label is None and right.right and theta.label == "θ"
    assert "90°" not in aligned.labels()
    stated = parse_scene(data).aligned_to("The angle at A is 90 degrees.")
    assert stated.angles[0].label == "90°" and not stated.angles[0].right


def test_a_polygon_of_points_no_step_made_is_drawn_regular():
    # seed 31: "polygon abcd" as the first step (refused three times: "point a is not defined")
    scene = parse_scene(
        {"domain": "geometry", "steps": [{"kind": "polygon", "points": ["a", "b", "c", "d"]}]}
    )
    png, measured = draw_and_measure(scene)
    assert measured.overlaps == [] and measured.outside == []
    assert sorted(t.text for t in measured.texts) == ["a", "b", "c", "d"]
    # a polygon joining made points with one that is not: still refused, naming it
    with pytest.raises(ValueError, match="point D is not defined"):
        parse_scene(
            {
                "domain": "geometry",
                "steps": [
                    {"kind": "triangle", "points": ["A", "B", "C"]},
                    {"kind": "polygon", "points": ["A", "B", "D"]},
                ],
            }
        )
