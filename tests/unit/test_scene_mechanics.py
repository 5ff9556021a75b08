"""The mechanics scene domain: real SciGenBench setups render faithfully, random valid scenes
render without overlapping or off-canvas labels, invalid scenes are refused, nothing derived is
drawn."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.measure import draw_and_measure
from sciray.scene.mechanics import MechanicsScene
from sciray.types import Problem
from tests.unit.scene_property import random_scenes

SCIGEN = Path("/work/shared/data/scigenbench/scigen.jsonl")


def _norm(text: str) -> str:
    return text.replace("$", "").replace(" ", "")


def _drawn(measured) -> set[str]:
    return {_norm(t.text) for t in measured.texts}


# The scene a model should write for each real "Physics - Mechanical" problem (ids quoted).
CANONICAL: dict[str, dict] = {
    # A 500 g block is shot up a 25° incline at 200 cm/s, μk = 0.150; find the distance d.
    "webinstruct-161898": {
        "domain": "mechanics",
        "bodies": [
            {
                "name": "ramp",
                "kind": "incline",
                "angle_deg": 25,
                "angle_label": "25°",
                "label": "μk = 0.150",
            },
            {"name": "block", "kind": "block", "on": "ramp", "label": "500 g"},
        ],
        "arrows": [
            {
                "body": "block",
                "kind": "velocity",
                "direction": "up_incline",
                "label": "v0 = 200 cm/s",
            }
        ],
        "dimensions": [{"of": "ramp", "measure": "length", "label": "d"}],
    },
    # A 240.0 g block on a 34.0° incline (μk 0.120), string over a pulley at the top to a
    # hanging 790.0 g block, which falls 32.0 cm.
    "webinstruct-1123305": {
        "domain": "mechanics",
        "bodies": [
            {
                "name": "plane",
                "kind": "incline",
                "angle_deg": 34,
                "angle_label": "34.0°",
                "label": "μk = 0.120",
            },
            {"name": "m1", "kind": "block", "on": "plane", "label": "240.0 g"},
            {"name": "P", "kind": "pulley"},
            {"name": "m2", "kind": "block", "label": "790.0 g"},
        ],
        "links": [{"kind": "rope", "a": "m1", "b": "m2", "over": "P"}],
        "dimensions": [{"of": "m2", "measure": "travel", "label": "32.0 cm"}],
    },
    # Ballistic pendulum: a 4.20 g bullet into a 2.50 kg block on a 75.0 cm wire, swinging to
    # 32.6° from the vertical.
    "webinstruct-1108595": {
        "domain": "mechanics",
        "bodies": [
            {"name": "ceiling", "kind": "ceiling"},
            {"name": "bullet", "kind": "ball", "label": "4.20 g"},
            {
                "name": "block",
                "kind": "pendulum",
                "shape": "block",
                "label": "2.50 kg",
                "angle_deg": 32.6,
                "angle_label": "32.6°",
                "length_label": "75.0 cm",
            },
        ],
        "arrows": [{"body": "bullet", "kind": "velocity", "direction": "right", "label": "v"}],
    },
    # Elastic collision: m = 4.2 kg moves right at 2.9 m/s into M at rest, bounces back at
    # 0.9 m/s, M moves right at V.
    "webinstruct-2093930": {
        "domain": "mechanics",
        "bodies": [
            {"name": "floor", "kind": "ground", "label": "frictionless"},
            {"name": "m", "kind": "block", "on": "floor", "label": "m = 4.2 kg"},
            {"name": "M", "kind": "block", "on": "floor", "label": "M"},
        ],
        "arrows": [
            {"body": "m", "kind": "velocity", "direction": "right", "label": "vi = 2.9 m/s"},
            {"body": "m", "kind": "velocity", "direction": "left", "label": "vf = 0.9 m/s"},
            {"body": "M", "kind": "velocity", "direction": "right", "label": "V"},
        ],
    },
    # A 2 kg cart moving east at 4.0 m/s; a 6.0 N westward force acts for 2.0 s.
    "webinstruct-711652": {
        "domain": "mechanics",
        "bodies": [
            {"name": "floor", "kind": "ground", "label": "frictionless"},
            {"name": "cart", "kind": "cart", "on": "floor", "label": "2 kg"},
        ],
        "arrows": [
            {"body": "cart", "kind": "velocity", "direction": "right", "label": "4.0 m/s (east)"},
            {"body": "cart", "kind": "force", "direction": "left", "label": "6.0 N (west)"},
        ],
        "notes": ["force acts for 2.0 s"],
    },
    # A 50.0 kg sled pulled up a 20.0 m high, 10.0° hill by 127 N at 45.0° to the hill.
    "webinstruct-906616": {
        "domain": "mechanics",
        "bodies": [
            {"name": "floor", "kind": "ground"},
            {
                "name": "hill",
                "kind": "incline",
                "angle_deg": 10,
                "angle_label": "10.0°",
                "label": "frictionless",
            },
            {"name": "sled", "kind": "block", "on": "hill", "label": "50.0 kg"},
        ],
        "arrows": [
            {
                "body": "sled",
                "direction": "angle",
                "angle_deg": 45,
                "angle_from": "incline",
                "angle_label": "45.0°",
                "label": "F = 127 N",
            }
        ],
        "dimensions": [{"of": "hill", "measure": "height", "label": "20.0 m"}],
    },
    # Tarzan (854 N) on an 18.9 m vine at 21.1° from the vertical; tension 797 N.
    "webinstruct-1684897": {
        "domain": "mechanics",
        "bodies": [
            {"name": "limb", "kind": "ceiling", "label": "tree limb"},
            {
                "name": "tarzan",
                "kind": "pendulum",
                "angle_deg": 21.1,
                "angle_label": "21.1°",
                "length_label": "18.9 m",
                "side": "left",
            },
        ],
        "arrows": [
            {"body": "tarzan", "direction": "down", "label": "W = 854 N"},
            {"body": "tarzan", "direction": "along_rope", "label": "T = 797 N"},
        ],
    },
    # A professor in a rolling chair (82.0 kg) pushed 2.00 m up a 28.0° ramp by a horizontal
    # 610 N force; 1.60 m/s at the bottom.
    "webinstruct-1536455": {
        "domain": "mechanics",
        "bodies": [
            {
                "name": "ramp",
                "kind": "incline",
                "angle_deg": 28,
                "angle_label": "28.0°",
                "label": "frictionless",
            },
            {"name": "chair", "kind": "cart", "on": "ramp", "label": "82.0 kg"},
        ],
        "arrows": [
            {"body": "chair", "direction": "right", "label": "F = 610 N"},
            {
                "body": "chair",
                "kind": "velocity",
                "direction": "up_incline",
                "label": "v = 1.60 m/s",
            },
        ],
        "dimensions": [{"of": "chair", "measure": "travel", "label": "2.00 m"}],
    },
}


def _problem(pid: str) -> Problem | None:
    if not SCIGEN.exists():
        return None
    with SCIGEN.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] == pid:
                return Problem(
                    id=pid,
                    question=row["question"],
                    answer=row.get("answer"),
                    image_type=row.get("image_type"),
                )
    return None


def test_routes_mechanical_problems_here() -> None:
    assert route("Physics - Mechanical") == "mechanics"
    assert "physics - mechanical" in MechanicsScene.image_types


@pytest.mark.parametrize("pid", sorted(CANONICAL))
def test_canonical_scene_renders_faithfully(pid: str) -> None:
    data = CANONICAL[pid]
    scene = parse_scene(json.dumps(data))
    assert isinstance(scene, MechanicsScene)
    assert parse_scene(scene.model_dump_json()) == scene  # round trip
    _png, measured = draw_and_measure(scene)
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    drawn = _drawn(measured)
    assert scene.labels()
    for label in scene.labels():
        assert _norm(label) in drawn, label
    problem = _problem(pid)
    if problem is not None:
        report = run_checks(problem, measured, rendered=True)
        assert report.label_recall is None or report.label_recall >= 0.9, report.missing
        assert report.leak is None


# ---------------------------------------------------------------------------------------------
# Random valid scenes
# ---------------------------------------------------------------------------------------------

DIRECTIONS = [
    "left",
    "right",
    "up",
    "down",
    "up_incline",
    "down_incline",
    "normal",
    "into_surface",
    "along_rope",
    "angle",
]


def _label(rng: random.Random, i: int) -> str:
    stem = rng.choice(["F", "v", "a", "m", "T", "N", "μ", "k", "d", "h"])
    unit = rng.choice(["N", "m/s", "kg", "m", "cm", "g", "m/s²", ""])
    return f"{stem}{i} = {rng.randint(1, 999)}.{rng.randint(0, 9)} {unit}".strip()


def random_scene(rng: random.Random) -> dict:
    counter = iter(range(1, 1000))
    lab = lambda: _label(rng, next(counter)) if rng.random() < 0.8 else None  # noqa: E731
    bodies: list[dict] = []
    links: list[dict] = []
    supports: list[str] = []
    if rng.random() < 0.6:
        bodies.append({"name": "ground", "kind": "ground", "label": lab()})
        supports.append("ground")
    if rng.random() < 0.3:
        bodies.append({"name": "wallL", "kind": "wall", "side": "left"})
    if rng.random() < 0.2:
        bodies.append({"name": "wallR", "kind": "wall", "side": "right"})
    if rng.random() < 0.5:
        bodies.append(
            {
                "name": "ramp",
                "kind": "incline",
                "angle_deg": rng.choice([5, 10, 25, 30, 37, 45, 60, 75, 89]),
                "angle_label": lab(),
                "label": lab(),
            }
        )
        supports.append("ramp")
    if rng.random() < 0.2:
        bodies.append({"name": "table", "kind": "table", "label": lab()})
        supports.append("table")
    has_ceiling = rng.random() < 0.4
    if has_ceiling:
        bodies.append({"name": "ceil", "kind": "ceiling"})
    movers: list[str] = []
    stackable: list[str] = []
    for i in range(rng.randint(1, 3)):
        name = f"b{i}"
        on = rng.choice(supports + stackable[-1:] + [None])
        kind = rng.choice(["block", "block", "cart", "ball", "wheel"])
        bodies.append({"name": name, "kind": kind, "on": on, "label": lab()})
        movers.append(name)
        if kind in ("block", "cart"):
            stackable.append(name)
    if "ramp" in supports and rng.random() < 0.5:
        bodies.append({"name": "P", "kind": "pulley"})
        bodies.append({"name": "hang", "kind": "block", "label": lab()})
        on_ramp = [b["name"] for b in bodies if b.get("on") == "ramp"] or [movers[0]]
        links.append({"kind": "rope", "a": on_ramp[0], "b": "hang", "over": "P"})
        movers.append("hang")
    if has_ceiling and rng.random() < 0.5:
        bodies.append({"name": "hs", "kind": "block", "label": lab()})
        links.append({"kind": "spring", "a": "ceil", "b": "hs", "label": lab()})
        movers.append("hs")
    for k in range(min(rng.randint(0, 2), 12 - len(bodies))):
        theta = rng.choice([0, 10, 20.5, 32.6, 45, 60])
        bodies.append(
            {
                "name": f"pend{k}",
                "kind": "pendulum",
                "angle_deg": theta,
                "angle_label": lab(),
                "length_label": lab(),
                "label": lab(),
                "side": rng.choice(["left", "right", None]),
                "shape": rng.choice(["ball", "block", None]),
            }
        )
        movers.append(f"pend{k}")
    walls = [b["name"] for b in bodies if b["kind"] == "wall"]
    if walls and rng.random() < 0.7:
        links.append({"kind": "spring", "a": walls[0], "b": movers[0], "label": lab()})
    if len(movers) > 1 and rng.random() < 0.3:
        links.append({"kind": rng.choice(["rope", "spring"]), "a": movers[0], "b": movers[1]})
    arrows = []
    for _ in range(rng.randint(0, 6)):
        direction = rng.choice(DIRECTIONS)
        arrow = {
            "body": rng.choice(movers),
            "kind": rng.choice(["force", "velocity", "acceleration"]),
            "direction": direction,
            "label": lab(),
        }
        if direction == "angle":
            arrow["angle_deg"] = rng.choice([-30, 15, 30, 45, 120, 200])
            arrow["angle_from"] = rng.choice(["horizontal", "incline"])
            arrow["angle_label"] = lab()
        arrows.append(arrow)
    dims = []
    names = [b["name"] for b in bodies]
    for _ in range(rng.randint(0, 3)):
        of = rng.choice(names)
        to = rng.choice([None, None, rng.choice(names)])
        dim = {"of": of, "measure": rng.choice(["length", "height", "width", "travel"])}
        dim["label"] = _label(rng, next(counter))
        if to is not None and to != of:
            dim["to"] = to
        dims.append(dim)
    notes = [_label(rng, next(counter)) for _ in range(rng.randint(0, 2))]
    scene = {
        "domain": "mechanics",
        "bodies": bodies,
        "links": links,
        "arrows": arrows,
        "dimensions": dims,
        "notes": notes,
    }
    if rng.random() < 0.3:
        scene["title"] = "Setup " + str(rng.randint(1, 99))
    return scene


@random_scenes()
def test_random_valid_scenes_render_cleanly(rng: random.Random) -> None:
    scene = parse_scene(random_scene(rng))
    _png, measured = draw_and_measure(scene)
    assert not measured.blank
    assert measured.overlaps == [], [measured.texts[i].text for p in measured.overlaps for i in p]
    assert measured.outside == []
    drawn = _drawn(measured)
    for label in scene.labels():
        assert _norm(label) in drawn, label


# ---------------------------------------------------------------------------------------------
# Invalid scenes
# ---------------------------------------------------------------------------------------------


def _refused(data: dict) -> None:
    """The model refuses ``data`` with a ValidationError, and parse_scene with a ValueError."""
    with pytest.raises(ValidationError):
        MechanicsScene.model_validate(data)
    with pytest.raises(ValueError):
        parse_scene(data)


def _base() -> dict:
    return json.loads(json.dumps(CANONICAL["webinstruct-161898"]))


def test_unknown_field_is_refused() -> None:
    data = _base()
    data["bodies"][1]["colour"] = "red"
    _refused(data)
    data = _base()
    data["x_pixels"] = 3
    _refused(data)


def test_a_level_incline_is_the_ground() -> None:
    # seed 27: "incline" at 0 degrees for a level floor; with a ground already there, it is refused
    data = _base()
    data["bodies"][0].update(angle_deg=0, angle_label="0°")
    ramp = next(b for b in parse_scene(data).bodies if b.name == data["bodies"][0]["name"])
    assert (ramp.kind, ramp.angle_deg, ramp.angle_label) == ("ground", None, None)
    data["bodies"].append({"name": "floor", "kind": "ground"})
    _refused(data)


def test_out_of_range_numbers_are_refused() -> None:
    data = _base()
    data["bodies"][0]["angle_deg"] = 95
    _refused(data)
    data = _base()
    data["arrows"][0]["angle_deg"] = 1e9
    _refused(data)
    data = _base()
    data["arrows"][0]["angle_deg"] = float("nan")
    _refused(data)


def test_too_many_items_and_long_texts_are_refused() -> None:
    data = _base()
    data["bodies"] += [{"name": f"x{i}", "kind": "block"} for i in range(20)]
    _refused(data)
    data = _base()
    data["arrows"] = [{"body": "block", "direction": "up"}] * 17
    _refused(data)
    data = _base()
    data["bodies"][1]["label"] = "x" * 500
    _refused(data)
    data = _base()
    data["notes"] = ["n"] * 5
    _refused(data)


def test_broken_references_are_refused() -> None:
    data = _base()
    data["bodies"][1]["on"] = "nowhere"
    _refused(data)
    data = _base()
    data["arrows"][0]["body"] = "ghost"
    _refused(data)
    data = _base()
    data["bodies"].append({"name": "block", "kind": "ball"})  # a name used twice
    _refused(data)
    data = _base()  # resting on each other
    data["bodies"] += [
        {"name": "a", "kind": "block", "on": "b"},
        {"name": "b", "kind": "block", "on": "a"},
    ]
    _refused(data)
    data = _base()  # a rope over something that is no pulley
    data["links"] = [{"kind": "rope", "a": "block", "b": "ramp", "over": "block"}]
    _refused(data)
    data = _base()
    data["arrows"][0] = {"body": "block", "direction": "angle"}  # an angle without degrees
    _refused(data)


# ---------------------------------------------------------------------------------------------
# Nothing derived
# ---------------------------------------------------------------------------------------------


def test_a_rope_over_its_own_end_runs_straight_to_the_pulley() -> None:
    # seen from the 1.5B coder (seed 13): block -> P "over" P
    data = {
        "domain": "mechanics",
        "bodies": [
            {"name": "ramp", "kind": "incline", "angle_deg": 25},
            {"name": "block", "kind": "block", "on": "ramp"},
            {"name": "P", "kind": "pulley", "on": "ramp"},
        ],
        "links": [{"kind": "rope", "a": "block", "b": "P", "over": "P"}],
    }
    (link,) = parse_scene(data).links
    assert (link.a, link.b, link.over) == ("block", "P", None)


def test_no_derived_value_is_drawn() -> None:
    # The incline's angle, the pendulum's angle and the arrow's angle are given as numbers
    # but without labels: the renderer draws the geometry and writes none of them, and it
    # writes no resultant, no component and no computed length.
    data = {
        "domain": "mechanics",
        "bodies": [
            {"name": "ramp", "kind": "incline", "angle_deg": 37},
            {"name": "box", "kind": "block", "on": "ramp", "label": "5 kg"},
            {"name": "ceil", "kind": "ceiling"},
            {"name": "bob", "kind": "pendulum", "angle_deg": 23},
        ],
        "arrows": [
            {"body": "box", "direction": "angle", "angle_deg": 61, "label": "F"},
            {"body": "box", "direction": "down", "label": "mg"},
        ],
    }
    scene = parse_scene(data)
    _png, measured = draw_and_measure(scene)
    texts = [t.text for t in measured.texts]
    assert sorted(texts) == sorted(["5 kg", "F", "mg"])
    joined = " ".join(texts)
    for derived in ("37", "53", "23", "61", "49", "°"):
        assert derived not in joined
    assert scene.labels() == ["5 kg", "F", "mg"]


def test_labels_lists_every_requested_text() -> None:
    scene = parse_scene(CANONICAL["webinstruct-1123305"])
    assert sorted(scene.labels()) == sorted(
        ["34.0°", "μk = 0.120", "240.0 g", "790.0 g", "32.0 cm"]
    )


def test_a_body_put_on_a_ball_stands_free_beside_it():
    """Seen from the 1.5B coder on two electrons moving toward each other: "e2 on e1" for two
    balls. Nothing rests on a ball, so the relation is dropped instead of failing the scene."""
    scene = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [
                {"name": "e1", "kind": "ball", "label": "A"},
                {"name": "e2", "kind": "ball", "on": "e1", "label": "B"},
            ],
            "arrows": [
                {"body": "e1", "direction": "right", "label": "v"},
                {"body": "e2", "direction": "left", "label": "3v"},
            ],
        }
    )
    assert [b.on for b in scene.bodies] == [None, None]
    with pytest.raises(ValueError, match="cannot be on"):  # a block still cannot rest on a ceiling
        parse_scene(
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "c", "kind": "ceiling"},
                    {"name": "b", "kind": "block", "on": "c"},
                ],
            }
        )


def test_a_support_named_but_not_listed_is_the_one_the_word_names():
    """Seen from the 1.5B coder (seed 8): a car "on": "ground" with no ground in the scene, and
    "over": "null" for a straight rope. The support the word names is added (or the one of that
    kind already there is meant); "null" as text in a name field is no name."""
    car = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [{"name": "car", "kind": "cart", "on": "ground", "label": "1500 kg"}],
            "arrows": [{"body": "car", "direction": "right", "label": "v"}],
        }
    )
    assert [(b.name, b.kind, b.on) for b in car.bodies] == [
        ("ground", "ground", None),
        ("car", "cart", "ground"),
    ]
    _png, measured = draw_and_measure(car)
    assert not measured.blank and measured.overlaps == [] and measured.outside == []
    assert {_norm("1500 kg"), _norm("v")} <= _drawn(measured)
    floor = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [
                {"name": "g", "kind": "ground"},
                {"name": "box", "kind": "block", "on": "floor"},
            ],
        }
    )
    assert [b.on for b in floor.bodies] == [None, "g"]
    board = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [
                {"name": "board", "kind": "block", "on": "null", "label": "160 N"},
                {"name": "c", "kind": "ceiling"},
            ],
            "links": [{"kind": "rope", "a": "board", "b": "c", "over": "null"}],
            "dimensions": [{"of": "board", "to": "None", "label": "3.00 m"}],
        }
    )
    assert (board.bodies[0].on, board.links[0].over, board.dimensions[0].to) == (None, None, None)
    # "null" as a label is no text (seen drawn on a cart, seed 15)
    ball = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [
                {"name": "G", "kind": "ground"},
                {"name": "p", "kind": "cart", "on": "G", "label": "null", "angle_label": "None"},
            ],
            "links": [{"kind": "rope", "a": "p", "b": "G", "label": "null"}],
            "arrows": [{"body": "p", "direction": "up", "label": "null", "angle_label": "none"}],
        }
    )
    assert (ball.bodies[1].label, ball.bodies[1].angle_label, ball.links[0].label) == (None,) * 3
    assert (ball.arrows[0].label, ball.arrows[0].angle_label) == (None, None)
    _png, measured = draw_and_measure(ball)
    assert "null" not in {t.text.lower() for t in measured.texts}
    with pytest.raises(ValueError, match="no body"):  # a name that is no support word still fails
        parse_scene(
            {"domain": "mechanics", "bodies": [{"name": "b", "kind": "block", "on": "nowhere"}]}
        )


def test_an_arrow_at_the_inclines_own_angle_points_along_the_slope() -> None:
    # seed 30: "pulled by a force of 150 N (parallel to the incline) up a 35° incline" written
    # as 35 degrees from the horizontal, its acceleration "right"; 215 degrees is down the
    # slope, 90 stays as stated
    def arrow(angle: float) -> dict:
        return {"body": "crate", "direction": "angle", "angle_deg": angle, "angle_label": "35°"}

    scene = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [
                {"name": "crate", "kind": "block", "label": "11 kg", "on": "ramp"},
                {"name": "ramp", "kind": "incline", "angle_deg": 35, "angle_label": "35°"},
            ],
            "arrows": [
                arrow(35),
                arrow(215),
                arrow(-145),
                arrow(90),
                {"body": "crate", "kind": "acceleration", "direction": "right", "label": "a"},
                {"body": "crate", "kind": "velocity", "direction": "left", "label": "v"},
                {"body": "crate", "kind": "force", "direction": "left", "label": "P"},
            ],
        }
    )
    got = [(a.direction, a.angle_deg, a.angle_label) for a in scene.arrows]
    assert got == [
        ("up_incline", None, None),
        ("down_incline", None, None),
        ("down_incline", None, None),
        ("angle", 90, "35°"),
        ("up_incline", None, None),  # an acceleration moves along the slope
        ("down_incline", None, None),
        ("left", None, None),  # a force may push level
    ]
    png, measured = draw_and_measure(scene)
    assert measured.overlaps == [] and measured.outside == []


CRATE = (
    "An 11 kg crate is pulled by a force of 150 N (parallel to the incline) up a rough  "
    "{eq}35^o\n\n{/eq} incline. The crate has an initial speed of 1.65 m/s. The crate is pulled "
    "a distance of 8.21 m on the incline by a 150 N force. u=0.324 The acceleration of gravity "
    "is  {eq}9.8\\ m/s^2\n\n{/eq}. Answer in units of J."
)


def test_the_stated_friction_speed_and_slope_length_have_their_places():
    """Seed 30: the crate's first scene left off u=0.324 and the initial 1.65 m/s, and its
    incline's length_label (a pendulum's field) was never drawn."""
    scene = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [
                {"name": "crate", "kind": "block", "label": "11 kg", "on": "incline"},
                {
                    "name": "incline",
                    "kind": "incline",
                    "angle_deg": 35,
                    "angle_label": "35°",
                    "length_label": "8.21 m",
                },  # fmt: skip
            ],
            "arrows": [{"body": "crate", "direction": "up_incline", "label": "F = 150 N"}],
        }
    )
    assert [(d.of, d.measure, d.label) for d in scene.dimensions] == [
        ("incline", "length", "8.21 m")
    ]
    aligned = scene.aligned_to(CRATE)
    assert aligned.bodies[1].label == "μ = 0.324"
    velocity = aligned.arrows[-1]
    assert (velocity.kind, velocity.direction, velocity.label) == (
        "velocity",
        "up_incline",
        "v0 = 1.65 m/s",
    )
    problem = Problem(id="p", question=CRATE, image_type="Physics - Mechanical")
    _, drawn = draw_and_measure(aligned)
    report = run_checks(problem, drawn, rendered=True, stated_only=True)
    assert report.passed and report.label_recall > 0.8, report.reasons


@pytest.mark.parametrize(
    ("question", "friction", "speed"),
    [
        (
            "A block slides at 3 m/s; the coefficient of kinetic friction is 0.25",
            "μk = 0.25",
            ("right", "v = 3 m/s"),
        ),  # fmt: skip
        (
            r"$\mu_{s} = 0.4$, a cart moving at 20 m/s to the left",
            "μs = 0.4",
            ("left", "v = 20 m/s"),
        ),
        ("u = 5 m/s initially", None, None),  # u as a speed, not friction; no speed word
        (r"\mu_k = 0.3 and \mu_s = 0.5; speed of 3 m/s, then a speed of 5 m/s", None, None),
    ],
)
def test_one_stated_friction_and_speed_are_read(question, friction, speed):
    scene = parse_scene(
        {
            "domain": "mechanics",
            "bodies": [{"name": "g", "kind": "ground"}, {"name": "A", "kind": "block", "on": "g"}],
        }
    )
    aligned = scene.aligned_to(question)
    assert aligned.bodies[0].label == friction
    arrows = [(a.direction, a.label) for a in aligned.arrows]
    assert arrows == ([speed] if speed else [])
