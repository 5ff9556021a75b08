"""Field-diagram scenes (sciray.scene.fields): real SciGenBench field problems render
faithfully, field lines come from the stated charges, random scenes never overlap or leave the
canvas, invalid scenes are refused with the field named, and nothing but the scene's own texts
is drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import draw_scene, parse_scene, route
from sciray.scene.fields import FieldsScene, _heading
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # a charged shell and a point charge on the x axis; the field point P2 marked, no answer
    "webinstruct-1052162": {
        "domain": "fields",
        "charges": [
            {"name": "P1", "q": -4, "label": "P1: -4 nC, R = 2 cm", "x": -4, "y": 0},
            {"name": "P3", "q": 6, "label": "P3: 6 nC", "x": 4, "y": 0},
        ],
        "points": [{"name": "P2", "x": 0, "y": 6}],
        "frame": "xy",
    },
    # an electron between parallel plates (upper plate +), moving perpendicular to E
    "webinstruct-197761": {
        "domain": "fields",
        "plates": {"top": "+", "gap_label": "d = 20.0 mm", "field_label": "ΔV = 140 V"},
        "charges": [{"name": "e", "q": -1, "label": "electron"}],
        "vectors": [{"label": "v", "at": "e", "direction": "right"}],
        "notes": ["accelerated from rest through 1.7 kV"],
    },
    # a positive particle moving east into a uniform field pointing down (into the page)
    "webinstruct-1024565": {
        "domain": "fields",
        "region": {"direction": "into", "label": "B = 3.00 T"},
        "charges": [{"name": "q", "q": 7.2, "label": "q = +7.20 C"}],
        "vectors": [{"label": "v (east)", "at": "q", "direction": "east"}],
        "notes": ["m = 6.00 × 10⁻⁸ kg"],
    },
    # the bullet in Earth's field: v 11° above and B 61° below the horizontal (north to the
    # right), the stated force east = out of the page
    "webinstruct-394923": {
        "domain": "fields",
        "charges": [{"name": "bullet", "q": 0, "label": "bullet"}],  # its sign is asked
        "vectors": [
            {"label": "v = 621 m/s", "at": "bullet", "angle_deg": 11},
            {"label": "B = 5.60x10⁻⁵ T", "at": "bullet", "angle_deg": -61},
            {"label": "F = 2.70x10⁻¹⁰ N (east)", "at": "bullet", "direction": "out"},
        ],
    },
    # head-to-tail displacements on a compass
    "webinstruct-341463": {
        "domain": "fields",
        "frame": "compass",
        "vectors": [
            {"label": "280 km", "direction": "20 degrees north of east", "magnitude": 280},
            {"label": "190 km", "direction": "30° west of north", "magnitude": 190, "chain": True},
        ],
    },
    # a proton's velocity at 30° from x, B along +y
    "webinstruct-852356": {
        "domain": "fields",
        "frame": "xy",
        "charges": [{"name": "p", "q": 1, "label": "proton", "x": 0, "y": 0}],
        "vectors": [
            {"label": "v = 5.8x10⁵ m/s", "at": "p", "angle_deg": 30},
            {"label": "B = 1.8 T", "at": "p", "direction": "+y"},
        ],
    },
    # a stated 3-D velocity on oblique axes
    "webinstruct-1525332": {
        "domain": "fields",
        "frame": "xyz",
        "vectors": [{"label": "v = <-10, 17, -3> m/s", "components": [-10, 17, -3]}],
        "notes": ["kicked from < 9, 0, -6 >"],
    },
    # a solenoid with its length; the short coil and the current ramp as notes
    "webinstruct-36119": {
        "domain": "fields",
        "coils": [
            {"kind": "solenoid", "label": "300 turns, 2.0 cm diameter", "size_label": "29 cm"}
        ],
        "notes": ["13 turn coil around the centre", "current 0 to 2.4 A in 0.48 s"],
    },
    # a square current loop in a uniform field
    "webinstruct-1570754": {
        "domain": "fields",
        "coils": [
            {"kind": "square loop", "label": "480 mA", "size_label": "5.5 cm", "current": "ccw"}
        ],
        "notes": ["B = 1.7 T, 30° from the loop's axis"],
    },
}

PROBLEMS = {
    "webinstruct-1052162": (
        "A hollow ball with radius R = 2 cm has a charge of -4 nC spread uniformly over its"
        " surface. The center of the ball is at {eq}P_1 = (-4, 0, 0)\\ cm\n\n{/eq}. A point"
        " charge of 6 nC is located at {eq}P_3 = (4, 0, 0)\\ cm\n\n{/eq}. What is the net"
        " electric field in vector form at location {eq}P_2 = (0, 6, 0)\\ cm\n\n{/eq}?",
        "(-0.96 x^ + 0.29 y^) N/C",
    ),
    "webinstruct-197761": (
        "An electron accelerated from rest through potential difference 1.7 kV enters the"
        " gap between two parallel plates having separation 20.0 mm and potential difference"
        " 140 V. The lower plate is at the lower potential. Neglect fringing and assume that"
        " the electron's velocity vector is perpendicular to the electric field vector"
        " between the plates. What uniform magnetic field allows the electron to travel in a"
        " straight line in the gap?",
        "2.86e-4 T",
    ),
    "webinstruct-1024565": (
        "A particle of mass {eq}6.00 \\times 10^{-8}\n\n{/eq} kg and charge +7.20 C is"
        " traveling due east. It enters a uniform magnetic field of 3.00 T that points"
        " downwards. After entering the field, the particle completes one half of a circle"
        " and exits the field traveling due west. How much time does the particle spend"
        " traveling in the magnetic field?",
        "8.72e-9 s",
    ),
    "webinstruct-394923": (
        "In a certain region, the earth's magnetic field has a magnitude of"
        " 5.60x10{eq}^{-5}\n\n{/eq}T and is directed north at an angle of 61 degrees below"
        " the horizontal. An electrically charged bullet is fired north and 11 degrees above"
        " the horizontal, with a speed of 621m/s. The magnetic force on the bullet is"
        " 2.70x10{eq}^{-10}\n\n{/eq}N, directed due east. Determine the bullet's electric"
        " charge, including its algebraic sign (+ or ?).",
        "-8.16 nC",
    ),
    "webinstruct-341463": (
        "A plane flies from base camp to lake A, a distance of 280 km at a direction of 20"
        " degrees north of east. After dropping off supplies, the plane flies to lake B,"
        " which is 190km and 30 degree west of north from lake A. Graphically determine the"
        " distance and direction from lake B to the base camp.",
        "310 km [S 32.9° W]",
    ),
    "webinstruct-852356": (
        "At t=0, a proton is moving with a speed of 5.8x10{eq}^5\n\n{/eq}m/s at an angle of"
        " 30 degrees from the x-axis. A magnetic field of magnitude 1.8T is pointing in the"
        " positive y-direction. What will be the y-coordinate of the proton"
        " 11{eq}\\mu\n\n{/eq} s   later? Express your answer using two significant figures.",
        "3.2m",
    ),
    "webinstruct-1525332": (
        "A ball is kicked from a location < 9, 0, -6 > (on the ground) with initial velocity"
        " < -10, 17, -3 > m/s. The ball{eq}'\n\n{/eq}s speed is low enough that air"
        " resistance is negligible.\n\nHow long does it take for the ball to reach its"
        " highest point?\n\n{eq}\\Delta\n\n{/eq}t = _____ s",
        "2.04 s",
    ),
    "webinstruct-36119": (
        "A 300 turn solenoid, 29 cm long, has a diameter of 2.0 cm. A 13 turn coil is wound"
        " tightly around the center of the solenoid. If the current in the solenoid"
        " increases uniformly from 0 to 2.4 A in 0.48 s, what will be the induced emf in the"
        " short coil during this time?",
        "26.52 μV",
    ),
    "webinstruct-1570754": (
        "A square current loop 5.5 cm on each side carries a 480 mA current. The loop is in"
        " a 1.7 T uniform magnetic field. The axis of the loop, perpendicular to the plane"
        " of the loop, is {eq}30^\\circ\n\n{/eq} away from the field direction. What is the"
        " magnitude of the torque on the current loop?",
        "1.23*10^-3 N.m",
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


def test_routes_field_diagram_type():
    assert route("Physics - Field Diagram") == "fields"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, FieldsScene)
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
    """No net field, force, resultant or other derived text is written."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(
        id=key, question=question, answer=answer, image_type="Physics - Field Diagram"
    )
    report = run_checks(problem, rendered[key][2], rendered=True, stated_only=True)
    assert report.leak is None
    assert report.scores.get("stated_values_only", 1.0) == 1.0, report.reasons
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def _lines(scene: FieldsScene) -> list[np.ndarray]:
    """The gray field lines drawn for ``scene`` (data coordinates)."""
    import matplotlib.pyplot as plt

    fig = draw_scene(scene)
    try:
        ax = fig.axes[0]
        return [
            np.column_stack([ln.get_xdata(), ln.get_ydata()]).astype(float)
            for ln in ax.get_lines()
            if ln.get_color() == "#888888"
        ]
    finally:
        plt.close(fig)


def test_field_lines_come_from_the_stated_charges():
    dipole = FieldsScene.model_validate(
        {
            "charges": [
                {"name": "a", "q": 2, "x": 0, "y": 0},
                {"name": "b", "q": -1, "x": 3, "y": 0},
            ],
            "field_lines": True,
        }
    )
    lines = _lines(dipole)
    assert len(lines) == 12  # seeds only around the positive charge, count from |q|
    starts = np.array([ln[0] for ln in lines])
    assert np.allclose(np.hypot(*starts.T), starts[0] @ starts[0] / np.hypot(*starts[0]), rtol=1e-6)
    # a line leaving toward b ends on b; each step goes along E (away from a at the start)
    toward = [ln for ln in lines if abs(ln[0][1]) < 0.1 and ln[0][0] > 0]
    assert toward and np.hypot(*(toward[0][-1] - [3, 0])) < 0.3
    assert all(np.hypot(*ln[5]) > np.hypot(*ln[0]) for ln in lines)
    # only negative charges: the lines run into them
    sink = FieldsScene.model_validate(
        {"charges": [{"name": "a", "q": -1, "x": 0, "y": 0}], "field_lines": True}
    )
    for ln in _lines(sink):
        assert np.hypot(*ln[0]) < np.hypot(*ln[-1])  # seeded at the charge, integrated outward
    assert _lines(FieldsScene.model_validate({"charges": [{"name": "a", "q": 1}]})) == []


def test_stated_headings_are_read():
    assert _heading("20 degrees north of east") == 20
    assert _heading("30° west of north") == 120
    assert _heading("40.0 east of due north") == 50
    assert _heading("north of east") is None


@pytest.mark.parametrize(
    "data, field",
    [
        (
            {
                "charges": [{"name": "a", "q": 1}],
                "vectors": [{"label": "v", "at": "b", "direction": "up"}],
            },
            "at",
        ),
        ({"vectors": [{"label": "v", "direction": "sideways"}]}, "direction"),
        ({"vectors": [{"label": "v"}]}, "direction"),
        ({"vectors": [{"label": "v"}]}, "direction"),
        ({"vectors": [{"label": "v", "components": [0, 0]}]}, "components"),
        ({"vectors": [{"label": "v", "components": [1, 2, 3]}]}, "components"),
        ({"vectors": [{"label": "v", "direction": "up", "chain": True}]}, "chain"),
        ({"charges": [{"name": "a", "q": 1}, {"name": "a", "q": 2}]}, "twice"),
        ({"charges": [{"name": "a", "q": 1, "x": 2}]}, "coordinates"),
        ({"charges": [{"name": "a", "q": 0}], "field_lines": True}, "field_lines"),
        (
            {"charges": [{"name": "a", "q": 1}], "dims": [{"a": "a", "b": "c", "label": "d"}]},
            "dims",
        ),
        ({}, "charges"),
        ({"charges": [{"name": "a", "q": 1, "label": "x" * 200}]}, "label"),
        ({"charges": [{"name": "a", "q": float("inf")}]}, "q"),
        ({"charges": [{"name": "a", "q": 1}] * 9}, "charges"),
        ({"charges": [{"name": "a", "q": 1}], "colour": "red"}, "colour"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises(ValidationError, match=field):
        FieldsScene.model_validate(data)


def test_lenient_readings():
    scene = FieldsScene.model_validate(
        {
            "title": "none",
            "plates": "",
            "charges": [{"name": "a", "q": 1, "label": "null", "x": "", "y": "none"}],
            "notes": ["", "m = 2 kg"],
        }
    )
    assert scene.title is None and scene.plates is None
    assert scene.charges[0].label is None and scene.charges[0].x is None
    assert scene.notes == ["m = 2 kg"]


def test_nothing_unstated_is_drawn():
    """No value, axis letter or name unless the scene states it; an unknown sign is no sign."""
    scene = parse_scene(
        {
            "domain": "fields",
            "charges": [{"name": "q1", "q": 3}, {"name": "q2", "q": 0}],
            "field_lines": True,
            "wires": [{"name": "w", "current": "into", "b_lines": True}],
            "plates": {"gap_label": None},
            "region": {"direction": "out"},
        }
    )
    _, measured = draw_and_measure(scene)
    assert drawn_texts(measured) == []
    assert scene.labels() == []


_LABELS = [None, "q₁ = +2 μC", "Q = -4 nC", "$q_2$", "electron", "$\\frac{1}{2}$", "$\\bad{$"]
_VLABELS = ["v", "B = 1.8 T", "F", "v = 621 m/s", "280 km", "E = 500 N/C"]
_DIRS = ["north", "west", "+x", "-y", "up", "into", "out", "30° west of north", "southeast"]


def _random_scene(rng: random.Random) -> dict:
    n = rng.randint(0, 4)
    stated = rng.random() < 0.5
    charges = [
        {
            "name": f"q{i}",
            "q": rng.choice([-3, -1, 0, 1, 2, 5.5]),
            "label": rng.choice(_LABELS),
            **({"x": rng.uniform(-5, 5), "y": rng.uniform(-5, 5)} if stated else {}),
        }
        for i in range(n)
    ]
    names = [c["name"] for c in charges]
    wires = [
        {
            "name": f"w{i}",
            "current": rng.choice(["into", "out", "up", "left"]),
            "label": rng.choice([None, "I = 5 A", "$I_1$"]),
            "b_lines": rng.random() < 0.3,
        }
        for i in range(rng.randint(0, 2))
    ]
    points = [{"name": p} for p in ("P", "A")[: rng.randint(0, 2)]]
    names += [w["name"] for w in wires] + [p["name"] for p in points]
    vectors = []
    for i in range(rng.randint(0, 3)):
        v = {"label": rng.choice(_VLABELS), "chain": bool(vectors) and rng.random() < 0.3}
        kind = rng.choice(["direction", "angle_deg", "components"])
        if kind == "direction":
            v["direction"] = rng.choice(_DIRS)
        elif kind == "angle_deg":
            v["angle_deg"] = rng.uniform(-180, 360)
        else:
            v["components"] = [rng.choice([-3, 1, 2, 5]), rng.choice([-2, 4, 7])]
        if names and not v["chain"] and rng.random() < 0.5:
            v["at"] = rng.choice(names)
        vectors.append(v)
    data = {
        "domain": "fields",
        "title": rng.choice([None, "Two charges", "A proton enters a uniform magnetic field"]),
        "charges": charges,
        "arrangement": rng.choice(["line", "triangle", "square"]),
        "field_lines": any(c["q"] for c in charges) and rng.random() < 0.5,
        "wires": wires,
        "points": points,
        "vectors": vectors,
        "frame": rng.choice(["none", "xy", "compass"]),
        "notes": [rng.choice(["m = 6.00e-8 kg", "d = 2 cm", "a long note " * 6])]
        * rng.randint(0, 2),
    }
    if rng.random() < 0.3:
        data["plates"] = {"top": rng.choice("+-"), "gap_label": rng.choice([None, "d = 2 mm"])}
        data["plates"]["orientation"] = rng.choice(["horizontal", "vertical"])
        data["plates"]["field_label"] = rng.choice([None, "E"])
    elif rng.random() < 0.3:
        data["region"] = {"direction": rng.choice(["into", "out"]), "label": "B = 0.5 T"}
    if len(names) >= 2 and rng.random() < 0.5:
        data["dims"] = [{"a": names[0], "b": names[1], "label": "r = 3 cm"}]
    if rng.random() < 0.25:
        data["coils"] = [
            {
                "kind": rng.choice(["solenoid", "loop", "square loop"]),
                "label": rng.choice([None, "N = 300 turns", "I = 2 A"]),
                "size_label": rng.choice([None, "L = 29 cm", "r"]),
                "current": rng.choice(["cw", "ccw", "none"]),
            }
            for _ in range(rng.randint(1, 2))
        ]
    if not (charges or wires or points or vectors or "plates" in data or "region" in data):
        data["points"] = [{"name": "P"}]
    return data


@random_scenes(max_examples=20)
def test_random_field_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(FieldsScene, _random_scene(rng))


def test_random_xyz_scenes_render_without_overlap():
    rng = random.Random(7)
    for _ in range(4):
        comps = [[rng.randint(-9, 9) or 1 for _ in range(3)] for _ in range(rng.randint(1, 3))]
        data = {
            "frame": "xyz",
            "charges": [{"name": "p", "q": 1, "label": "proton"}],
            "vectors": [
                {"label": f"v{i}", "components": c, "at": "p"} for i, c in enumerate(comps)
            ],
        }
        assert_draws_cleanly(FieldsScene, data)


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-1052162"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_a_charge_of_unstated_sign_shows_no_sign():
    """The bullet's sign is what its problem asks: no + or - bar is drawn on it."""
    import matplotlib.pyplot as plt

    def bars(q: float) -> int:
        fig = draw_scene(FieldsScene.model_validate({"charges": [{"name": "a", "q": q}]}))
        try:
            return sum(1 for ln in fig.axes[0].get_lines() if ln.get_color() == "white")
        finally:
            plt.close(fig)

    assert (bars(2), bars(-2), bars(0)) == (2, 1, 0)


def test_crowded_labels_are_each_written_once():
    """Labels with no free place go under the figure, never twice and never dropped."""
    data = {
        "charges": [
            {"name": f"q{i}", "q": 1, "label": f"q{i} = +{i} μC at a crowded corner"}
            for i in range(8)
        ],
        "arrangement": "line",
        "vectors": [
            {"label": f"v{i} = {i} m/s", "at": f"q{i}", "direction": "up"} for i in range(6)
        ],
    }
    scene = FieldsScene.model_validate(data)
    _, measured = draw_and_measure(scene)
    assert measured.overlaps == [] and measured.outside == []
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


def test_axis_directions_follow_the_frame():
    from sciray.scene.fields import Vector, _vector_xy

    up = Vector(label="B", direction="+z")
    assert np.allclose(_vector_xy(up, "xyz")[0], [0, 1]) and not _vector_xy(up, "xyz")[1]
    assert _vector_xy(up, "xy")[1]  # out of the page on flat axes: a ⊙ symbol
    toward = _vector_xy(Vector(label="v", direction="negative x"), "xyz")[0]
    assert toward[0] > 0 and toward[1] > 0  # -x points away from the viewer: up-right
    assert np.allclose(_vector_xy(Vector(label="v", direction="30° west of north"))[0],
                       [-0.5, np.sqrt(3) / 2])  # fmt: skip


@random_scenes(max_examples=8)
def test_random_field_scenes_write_each_label_once(rng: random.Random) -> None:
    data = _random_scene(rng)
    for c in data["charges"]:
        if c["label"] == "$\\bad{$":  # drawn with its dollars escaped: compared elsewhere
            c["label"] = None
    scene = FieldsScene.model_validate(data)
    _, measured = draw_and_measure(scene)
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


def test_a_heading_written_with_an_angle_keeps_the_heading_and_components_win():
    both = {"label": "v = 621 m/s", "direction": "north", "angle_deg": 11}
    scene = parse_scene({"domain": "fields", "frame": "compass", "vectors": [both]})
    (v,) = scene.vectors
    assert (v.direction, v.angle_deg) == ("north", None)
    all3 = {"label": "F", "direction": "up", "angle_deg": 5, "components": [0, 0, 1]}
    (f,) = parse_scene({"domain": "fields", "frame": "xyz", "vectors": [all3]}).vectors
    assert (f.direction, f.angle_deg, f.components) == (None, None, [0, 0, 1])
