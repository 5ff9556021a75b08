"""Astronomy scenes (sciray.scene.astronomy): real SciGenBench problems render faithfully, random
scenes never overlap or leave the canvas, invalid scenes are refused, stated distances place
the bodies (compressed when they span orders of magnitude) and only the scene's texts are drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.astronomy import AstronomyScene, _line_positions, radial_map
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # 2110-kg space station at an altitude of 541,000 m; Earth 5.98e24 kg, 6,370,000 m
    "webinstruct-10985": {
        "domain": "astronomy",
        "bodies": [
            {
                "name": "earth",
                "kind": "planet",
                "label": "Earth",
                "mass_label": "5.98 × 10^24 kg",
                "radius": 6370000,
                "radius_label": "6,370,000 m",
            },
            {"name": "st", "kind": "satellite", "label": "space station", "mass_label": "2110 kg"},
        ],
        "orbits": [
            {"body": "st", "around": "earth", "altitude": 541000, "altitude_label": "541,000 m"}
        ],
    },
    # moon 275.0e6 m from the planet's surface, planet radius 3.10e6 m, period 1860e3 s
    "webinstruct-654133": {
        "domain": "astronomy",
        "bodies": [
            {
                "name": "p",
                "kind": "planet",
                "label": "planet",
                "radius": 3.10e6,
                "radius_label": "3.10 × 10^6 m",
            },
            {"name": "m", "kind": "moon", "label": "moon"},
        ],
        "orbits": [
            {"body": "m", "around": "p", "altitude": 275.0e6, "altitude_label": "275.0 × 10^6 m"}
        ],
        "notes": ["T = 1860 × 10^3 s (about 22 days)"],
    },
    # planet 3e24 kg at <4e11, -4e11, 0> m, star 5e30 kg at <-4e11, 5e11, 0> m
    "webinstruct-1514585": {
        "domain": "astronomy",
        "bodies": [
            {
                "name": "planet",
                "kind": "planet",
                "label": "planet <4 × 10^11, -4 × 10^11, 0> m",
                "mass_label": "3 × 10^24 kg",
                "position": [4e11, -4e11, 0],
            },
            {
                "name": "star",
                "kind": "star",
                "label": "star <-4 × 10^11, 5 × 10^11, 0> m",
                "mass_label": "5 × 10^30 kg",
                "position": [-4e11, 5e11, 0],
            },
        ],
        "arrows": [{"start": "planet", "toward": "star", "kind": "force", "label": "F"}],
    },
    # the Moon's ancient orbit 24,400 km (23,400 s) and today's 385,000 km (2.36e6 s)
    "webinstruct-1845133": {
        "domain": "astronomy",
        "bodies": [
            {"name": "E", "kind": "planet", "label": "Earth"},
            {"name": "m1", "kind": "moon", "label": "Moon (ancient)"},
            {"name": "m2", "kind": "moon", "label": "Moon (today)"},
        ],
        "orbits": [
            {"body": "m1", "around": "E", "radius": 24400, "radius_label": "24,400 km"},
            {"body": "m2", "around": "E", "radius": 385000, "radius_label": "385,000 km"},
        ],
        "notes": ["T then = 23,400 s, T now = 2.36 × 10^6 s"],
    },
    # Milky Way 1.7E+5 ly across, Andromeda 1.9E+6 ly away; plates 26 cm in diameter
    "webinstruct-994992": {
        "domain": "astronomy",
        "bodies": [
            {
                "name": "mw",
                "kind": "galaxy",
                "label": "Milky Way",
                "radius": 85000,
                "diameter_label": "1.7E+5 ly",
            },
            {"name": "and", "kind": "galaxy", "label": "Andromeda", "radius": 85000},
        ],
        "distances": [{"a": "mw", "b": "and", "value": 1.9e6, "label": "1.9E+6 ly"}],
        "notes": ["model: plates 26 cm in diameter"],
    },
    # planet 4.35e24 kg on a circular orbit of R = 3.25e7 km around a 4.45e29 kg star
    "webinstruct-1660085": {
        "domain": "astronomy",
        "bodies": [
            {"name": "star", "kind": "star", "label": "star", "mass_label": "M = 4.45 × 10^29 kg"},
            {
                "name": "pl",
                "kind": "planet",
                "label": "planet",
                "mass_label": "m = 4.35 × 10^24 kg",
            },
        ],
        "orbits": [
            {"body": "pl", "around": "star", "radius": 3.25e7, "radius_label": "R = 3.25 × 10^7 km"}
        ],
    },
    # two electrons at the north and south poles of the Earth, diameter 12800 km
    "webinstruct-1591760": {
        "domain": "astronomy",
        "bodies": [
            {"name": "e1", "kind": "point", "label": "electron (north pole)"},
            {"name": "earth", "kind": "planet", "label": "Earth", "radius": 6400},
            {"name": "e2", "kind": "point", "label": "electron (south pole)"},
        ],
        "distances": [{"a": "e1", "b": "e2", "value": 12800, "label": "12800 km"}],
    },
    # colony on the equator of Webb 13 (2.35e25 kg, 22.8 h day), satellite always above it
    "webinstruct-1228606": {
        "domain": "astronomy",
        "bodies": [
            {
                "name": "w",
                "kind": "planet",
                "label": "Webb 13",
                "mass_label": "2.35 × 10^25 kg",
            },
            {"name": "col", "kind": "point", "label": "colony", "on_surface": True},
            {"name": "sat", "kind": "satellite", "label": "satellite"},
        ],
        "orbits": [{"body": "sat", "around": "w", "radius_label": "r"}],
        "notes": ["day = 22.8 h", "G = 6.67 × 10^-11 m^3/(kg s^2)"],
    },
}


def _questions() -> dict[str, tuple[str, str]]:
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "shared/data/scigenbench/scigen.jsonl"
    out = {}
    if path.exists():
        for line in path.open():
            d = json.loads(line)
            if d["id"] in CANONICAL:
                out[d["id"]] = (d["question"], str(d.get("answer") or ""))
    return out


PROBLEMS = _questions()


@pytest.fixture(scope="module")
def rendered():
    out = {}
    for key, data in CANONICAL.items():
        scene = parse_scene(json.dumps(data))
        png, measured = draw_and_measure(scene)
        out[key] = (scene, png, measured)
    return out


def test_routes_astronomy_type():
    assert route("Physics - Astronomical") == "astronomy"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, AstronomyScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    _, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    assert min(t.bbox[3] - t.bbox[1] for t in measured.texts) >= 9


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_only_its_labels(rendered, key):
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_real_problem_checks(rendered, key):
    if key not in PROBLEMS:
        pytest.skip("SciGenBench data not available")
    question, answer = PROBLEMS[key]
    problem = Problem(id=key, question=question, answer=answer, image_type="Physics - Astronomical")
    report = run_checks(problem, rendered[key][2], rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.8, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def _centres(measured, kind: str = "") -> dict[str, tuple[float, float]]:
    out = {}
    for t in measured.texts:
        if t.kind != "tick":
            x0, y0, x1, y1 = t.bbox
            out[t.text] = ((x0 + x1) / 2, (y0 + y1) / 2)
    return out


def test_radial_map_is_linear_when_levels_stay_apart():
    f = radial_map([1.0, 2.0, 4.0])
    assert f(4.0) == pytest.approx(1.0)
    assert f(2.0) == pytest.approx(0.5)
    assert f(1.0) == pytest.approx(0.25)


def test_radial_map_keeps_a_small_altitude_visible_and_a_planet_large():
    """541 km above 6370 km: the planet stays near the orbit (not shrunk to a dot) and the
    altitude gets at least the minimum gap."""
    f = radial_map([6370.0, 6911.0])
    assert f(6911.0) == pytest.approx(1.0)
    assert 0.8 <= f(6370.0) <= 1.0 - 0.12 + 1e-9


def test_radial_map_compresses_orders_of_magnitude_in_order():
    f = radial_map([3.1e6, 2.781e8, 24400e3, 3.85e8])
    levels = [f(v) for v in (3.1e6, 24400e3, 2.781e8, 3.85e8)]
    assert levels == sorted(levels)
    assert min(np.diff(levels)) >= 0.12 - 1e-9
    assert levels[0] >= 0.15  # the smallest is still visible


def test_line_positions_follow_stated_separations():
    scene = AstronomyScene.model_validate(
        {
            "bodies": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
            "distances": [
                {"a": "a", "b": "c", "value": 9, "label": "9 m"},
                {"a": "a", "b": "b", "value": 3, "label": "3 m"},
            ],
        }
    )
    assert _line_positions(scene) == {"a": 0.0, "b": 3.0, "c": 9.0}
    between = AstronomyScene.model_validate(
        {
            "bodies": [{"name": "a"}, {"name": "m"}, {"name": "c"}],
            "distances": [{"a": "a", "b": "c", "value": 10, "label": "10 km"}],
        }
    )
    assert _line_positions(between)["m"] == pytest.approx(5.0)


def test_stated_separations_set_the_drawn_spacing(rendered):
    """The Moon today (385,000 km) is drawn farther from Earth than the ancient one."""
    _, _, measured = rendered["webinstruct-1845133"]
    c = _centres(measured)
    earth = np.array(c["Earth"])
    near = np.hypot(*(np.array(c["Moon (ancient)"]) - earth))
    far = np.hypot(*(np.array(c["Moon (today)"]) - earth))
    assert far > near


def test_coordinates_keep_their_quadrants(rendered):
    """The planet at (+, -) is drawn right of and below the star at (-, +)."""
    _, _, measured = rendered["webinstruct-1514585"]
    c = _centres(measured)
    planet = next(v for k, v in c.items() if k.startswith("planet"))
    star = next(v for k, v in c.items() if k.startswith("star"))
    assert planet[0] > star[0] and planet[1] > star[1]  # pixel y grows downwards


def test_colony_sits_on_the_surface_under_the_satellite(rendered):
    scene, _, measured = rendered["webinstruct-1228606"]
    c = _centres(measured)
    planet = np.array(c["Webb 13\n2.35 × 10^25 kg"] if "Webb 13\n2.35 × 10^25 kg" in c else
                      next(v for k, v in c.items() if k.startswith("Webb")))  # fmt: skip
    colony, sat = np.array(c["colony"]), np.array(c["satellite"])
    assert np.hypot(*(sat - planet)) > np.hypot(*(colony - planet))
    with pytest.raises(ValidationError, match="neither the centre nor on an orbit"):
        data = json.loads(json.dumps(CANONICAL["webinstruct-1228606"]))
        data["bodies"][1]["on_surface"] = False
        AstronomyScene.model_validate(data)


def test_empty_labels_mean_none():
    scene = AstronomyScene.model_validate(
        {
            "bodies": [{"name": "e", "label": "none"}, {"name": "s", "kind": "satellite"}],
            "orbits": [{"body": "s", "around": "e", "radius_label": "", "velocity_label": "null"}],
        }
    )
    assert scene.labels() == []
    assert scene.orbits[0].velocity_label is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"bodies": [{"name": "a"}, {"name": "a"}]}, "bodies"),
        ({"bodies": []}, "bodies"),
        ({"bodies": [{"name": "a", "kind": "comet"}]}, "kind"),
        ({"bodies": [{"name": "a"}], "orbits": [{"body": "x", "around": "a"}]}, "orbits[0].body"),
        ({"bodies": [{"name": "a"}], "orbits": [{"body": "a", "around": "a"}]}, "orbits[0]"),
        (
            {
                "bodies": [{"name": "a"}, {"name": "b"}],
                "orbits": [{"body": "b", "around": "a", "periapsis": 5, "apoapsis": 2}],
            },
            "periapsis",
        ),
        (
            {
                "bodies": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                "orbits": [{"body": "b", "around": "a"}, {"body": "c", "around": "b"}],
            },
            "around",
        ),
        (
            {
                "bodies": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                "orbits": [{"body": "b", "around": "a"}],
            },
            "'c'",
        ),
        (
            {
                "bodies": [{"name": "a"}, {"name": "b"}],
                "orbits": [{"body": "b", "around": "a", "eccentricity": 1.2}],
            },
            "eccentricity",
        ),
        ({"bodies": [{"name": "a", "position": [0, 0]}, {"name": "b"}]}, "position"),
        ({"bodies": [{"name": "a", "position": [4, -7, 8]}]}, "position"),
        (
            {"bodies": [{"name": "a"}], "distances": [{"a": "a", "b": "q", "label": "d"}]},
            "distances[0]",
        ),
        (
            {"bodies": [{"name": "a"}, {"name": "b"}], "arrows": [{"start": "a", "toward": "a"}]},
            "arrows[0]",
        ),
        ({"bodies": [{"name": "a", "radius": -3}]}, "radius"),
        ({"bodies": [{"name": "a"}], "extra": 1}, "extra"),
    ],
)
def test_invalid_scenes_are_refused(data, field):
    with pytest.raises(ValidationError) as err:
        AstronomyScene.model_validate(data)
    assert field in str(err.value), (field, str(err.value))


def test_nothing_unstated_is_drawn():
    """A satellite on a stated orbit with no labels: no radius, period, speed or any text;
    a velocity arrow only when the scene states one."""
    data = {
        "bodies": [{"name": "e", "radius": 6370}, {"name": "s", "kind": "satellite"}],
        "orbits": [{"body": "s", "around": "e", "altitude": 350}],
    }
    _, bare = draw_and_measure(AstronomyScene.model_validate(data))
    assert drawn_texts(bare) == []
    data["orbits"][0]["velocity_label"] = "v"
    _, with_v = draw_and_measure(AstronomyScene.model_validate(data))
    assert drawn_texts(with_v) == ["v"]
    assert with_v.artists.get("Annotation", 0) > bare.artists.get("Annotation", 0)


def test_ellipse_labels_the_stated_distances_only():
    scene = AstronomyScene.model_validate(
        {
            "bodies": [
                {"name": "sun", "kind": "star", "label": "Sun"},
                {"name": "c", "kind": "moon"},
            ],
            "orbits": [
                {
                    "body": "c",
                    "around": "sun",
                    "periapsis": 0.59,
                    "apoapsis": 35,
                    "periapsis_label": "0.59 AU",
                    "apoapsis_label": "35 AU",
                }
            ],
        }
    )
    assert scene.orbits[0].is_ellipse()
    _, measured = draw_and_measure(scene)
    assert sorted(drawn_texts(measured)) == ["0.59 AU", "35 AU", "Sun"]
    assert measured.overlaps == [] and measured.outside == []
    c = _centres(measured)
    assert c["35 AU"][0] < c["0.59 AU"][0]  # aphelion side left, perihelion right


def _random_scene(rng: random.Random) -> dict:
    kinds = ["star", "planet", "moon", "satellite", "spacecraft", "black_hole", "galaxy", "point"]
    n = rng.randint(1, 5)
    labels = [None, "Earth", "satellite", "M = 5.98 × 10^24 kg", "$m_1$", "a long body name here"]
    bodies = [
        {
            "name": f"b{i}",
            "kind": rng.choice(kinds),
            "label": rng.choice(labels),
            "mass_label": rng.choice([None, "2110 kg"]),
            "radius": rng.choice([None, round(10 ** rng.uniform(0, 7), 2)]),
            "radius_label": rng.choice([None, "R = 6370 km"]),
            "diameter_label": rng.choice([None, "12800 km"]),
            "on_surface": i > 0 and rng.random() < 0.15,
        }
        for i in range(n)
    ]
    names = [b["name"] for b in bodies]
    mode = rng.choice(["orbit", "line", "coords"]) if n > 1 else rng.choice(["line", "coords"])
    orbits, dists, arrows = [], [], []
    if mode == "orbit":
        for name in [b["name"] for b in bodies[1:] if not b["on_surface"]]:
            shape = rng.choice(["circle", "ellipse"])
            peri = rng.choice([None, round(10 ** rng.uniform(0, 8), 2)])
            orbits.append(
                {
                    "body": name,
                    "around": names[0],
                    "shape": shape,
                    "radius": rng.choice([None, round(10 ** rng.uniform(0, 8), 2)]),
                    "radius_label": rng.choice([None, "r", "385,000 km"]),
                    "altitude": rng.choice([None, round(10 ** rng.uniform(0, 6), 2)]),
                    "altitude_label": rng.choice([None, "h = 541 km"]),
                    "eccentricity": rng.choice([None, round(rng.uniform(0, 0.95), 2)]),
                    "periapsis": peri,
                    "apoapsis": rng.choice([None, peri * rng.uniform(1, 50)]) if peri else None,
                    "periapsis_label": rng.choice([None, "0.59 AU"]),
                    "apoapsis_label": rng.choice([None, "aphelion 35 AU"]),
                    "semi_major_label": rng.choice([None, "a"]),
                    "velocity_label": rng.choice([None, "v", "v = 7.5 km/s"]),
                    "direction": rng.choice(["ccw", "cw"]),
                    "label": rng.choice([None, "geosynchronous orbit"]),
                }
            )
    if mode != "orbit":
        for b in bodies:
            b["on_surface"] = False
    if mode == "coords":
        for b in bodies:
            b["position"] = [rng.uniform(-5e11, 5e11), rng.uniform(-5e11, 5e11)]
    if n >= 2:
        for _ in range(rng.randint(0, 3)):
            a, b = rng.sample(names, 2)
            dists.append(
                {
                    "a": a,
                    "b": b,
                    "value": rng.choice([None, round(10 ** rng.uniform(0, 7), 1)]),
                    "label": rng.choice(["d", "1.9E+6 ly", "5.1 × 10^11 m"]),
                }
            )
        for _ in range(rng.randint(0, 2)):
            a, b = rng.sample(names, 2)
            arrows.append(
                {
                    "start": a,
                    "toward": b,
                    "kind": rng.choice(["force", "position"]),
                    "label": rng.choice([None, "F", "r"]),
                }  # fmt: skip
            )
    return {
        "domain": "astronomy",
        "title": rng.choice([None, "Orbit of a satellite"]),
        "bodies": bodies,
        "orbits": orbits,
        "distances": dists,
        "arrows": arrows,
        "notes": rng.choice([[], ["T = 22.8 h"], ["G = 6.67 × 10^-11 N m^2/kg^2", "T = 1 day"]]),
    }


@random_scenes(max_examples=20)
def test_random_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(AstronomyScene, _random_scene(rng))


def test_crowded_scene_still_fits():
    bodies = [{"name": "c", "kind": "star", "label": "a central star with a long name",
               "mass_label": "M = 4.45 × 10^29 kg", "radius": 7e5, "radius_label": "R = 7e5 km"}]  # fmt: skip
    orbits = []
    for i in range(5):
        bodies.append({"name": f"p{i}", "kind": "planet", "label": f"planet number {i}",
                       "mass_label": "m = 6.25 × 10^24 kg"})  # fmt: skip
        orbits.append({"body": f"p{i}", "around": "c", "radius": 10 ** (6 + i),
                       "radius_label": f"r{i} = 10^{6 + i} km", "velocity_label": f"v{i}",
                       "label": "orbit"})  # fmt: skip
    scene = {"domain": "astronomy", "title": "A long title " * 5, "bodies": bodies,
             "orbits": orbits, "notes": ["G = 6.67 × 10^-11 N m^2/kg^2"] * 4}  # fmt: skip
    assert_draws_cleanly(AstronomyScene, scene)


def test_rendering_is_deterministic():
    data = CANONICAL["webinstruct-10985"]
    a, _ = draw_and_measure(parse_scene(data))
    b, _ = draw_and_measure(parse_scene(data))
    assert a == b


def test_an_orbit_radius_in_body_radii_is_drawn_outside_its_body():
    """Seed 27: Earth's radius as 6370 (km) and the orbit's as 3.75 (Earth radii, "r = 3.75 R")
    drew the orbit inside a canvas-filling Earth; an orbit inside its body is in other units."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sciray.scene.astronomy import _Drawer

    scene = parse_scene(
        {
            "domain": "astronomy",
            "bodies": [
                {"name": "earth", "kind": "planet", "label": "Earth", "radius": 6370.0,
                 "radius_label": "R = 6370 km"},
                {"name": "sat", "kind": "satellite", "label": "satellite"},
            ],
            "orbits": [{"body": "sat", "around": "earth", "radius": 3.75,
                        "radius_label": "r = 3.75 R"}],
        }
    )  # fmt: skip
    fig = plt.figure(figsize=(6.4, 4.8), dpi=100)
    drawer = _Drawer(scene, fig)
    drawer.draw()
    plt.close(fig)
    gap = np.linalg.norm(drawer.xy["sat"] - drawer.xy["earth"])
    assert gap > 2.5 * drawer.r["earth"]  # 3.75 R from the centre, drawn to scale
    _, measured = draw_and_measure(scene)
    assert not measured.overlaps and not measured.outside
