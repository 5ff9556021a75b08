"""Solid-geometry scenes (sciray.scene.solid): real SciGenBench problems render with their given
values, hidden edges are dashed where a solid hides them, random scenes never overlap or leave the
canvas, invalid scenes are refused naming the field, and nothing but the scene's texts is drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.measure import draw_and_measure
from sciray.scene.solid import SolidScene, _bodies, _hidden, _sizes
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes


def _dim(of: str, value: float | None, label: str | None = None) -> dict:
    return {"of": of, "value": value, "label": label}


CANONICAL = {
    # an inverted cone tank, height 18 ft, top radius 12 ft, water 15 ft deep
    "webinstruct-426974": {
        "domain": "solid",
        "solids": [
            {
                "kind": "cone",
                "inverted": True,
                "dims": [
                    _dim("height", 18, "18 ft"),
                    _dim("radius", 12, "12 ft"),
                    _dim("fill", 15, "15 ft"),
                ],
            }
        ],
        "notes": ["ρ = 62.5 lbs/ft²"],
    },
    # a trough 6 m long, isosceles trapezoid end 20 cm / 70 cm wide, 50 cm high, water 20 cm
    "webinstruct-900501": {
        "domain": "solid",
        "solids": [
            {
                "kind": "trough",
                "dims": [
                    _dim("length", 600, "6 m"),
                    _dim("bottom_width", 20, "20 cm"),
                    _dim("top_width", 70, "70 cm"),
                    _dim("height", 50, "50 cm"),
                    _dim("fill", 20, "20 cm"),
                ],
            }
        ],
        "notes": ["filled at 0.2 m³/min"],
    },
    # a V-shaped trough 15 ft long, 4 ft across the top, 1 ft high, water 8 inches deep
    "webinstruct-1719231": {
        "domain": "solid",
        "solids": [
            {
                "kind": "trough",
                "dims": [
                    _dim("length", 15, "15 ft"),
                    _dim("top_width", 4, "4 ft"),
                    _dim("height", 1, "1 ft"),
                    _dim("fill", 0.667, "8 in"),
                ],
            }
        ],
        "notes": ["14 ft³/min"],
    },
    # the box E = [0, 2] x [0, 3] x [0, 1] on axes
    "webinstruct-849497": {
        "domain": "solid",
        "axes": True,
        "solids": [
            {
                "kind": "box",
                "label": "E",
                "dims": [
                    _dim("length", 2, "0 ≤ x ≤ 2"),
                    _dim("width", 3, "0 ≤ y ≤ 3"),
                    _dim("height", 1, "0 ≤ z ≤ 1"),
                ],
            }
        ],
    },
    # the tetrahedron cut from the first octant by 2x + 3y + 6z = 6 (intercepts not written)
    "webinstruct-1016799": {
        "domain": "solid",
        "axes": True,
        "solids": [
            {
                "kind": "octant_tetrahedron",
                "label": "2x + 3y + 6z = 6",
                "dims": [_dim("length", 3), _dim("width", 2), _dim("height", 1)],
            }
        ],
        "notes": ["E: bounded by x = 0, y = 0, z = 0"],
    },
    # the region between the hemispheres of radius 3 and 4 on the +y side of the xz-plane
    "webinstruct-538192": {
        "domain": "solid",
        "axes": True,
        "solids": [
            {
                "kind": "hemisphere",
                "axis": "y",
                "label": "G",
                "dims": [
                    _dim("radius", 4, "y = √(16 - x² - z²)"),
                    _dim("inner_radius", 3, "y = √(9 - x² - z²)"),
                ],
            }
        ],
    },
    # a box with a square base x by x and height h, volume 784
    "webinstruct-710470": {
        "domain": "solid",
        "solids": [
            {
                "kind": "box",
                "dims": [
                    _dim("length", None, "x"),
                    _dim("width", None, "x"),
                    _dim("height", None, "h"),
                ],
            }
        ],
        "notes": ["Volume = 784", "bottom 20 ¢/ft², top 10 ¢/ft², sides 1.5 ¢/ft²"],
    },
    # a cylinder x² + y² = 64, 0 ≤ z ≤ 1, capped by a hemisphere of radius 8
    "webinstruct-1233042": {
        "domain": "solid",
        "axes": True,
        "solids": [
            {
                "kind": "cylinder",
                "name": "side",
                "dims": [_dim("radius", 8, "8"), _dim("height", 1, "1")],
            },
            {"kind": "hemisphere", "on": "side", "dims": [_dim("radius", 8)], "label": "M"},
        ],
    },
    # the solid bounded by the paraboloid z = 3(x² + y²) and the plane z = 1 (a bowl)
    "webinstruct-880493": {
        "domain": "solid",
        "axes": True,
        "solids": [
            {
                "kind": "paraboloid",
                "inverted": True,
                "label": "z = 3(x² + y²)",
                "dims": [_dim("height", 1, "z = 1")],
            }
        ],
    },
    # a textbook cube with a midpoint, a body diagonal and a shaded section
    "cube": {
        "domain": "solid",
        "solids": [
            {
                "kind": "cube",
                "vertices": ["A", "B", "C", "D", "A1", "B1", "C1", "D1"],
                "dims": [_dim("length", 4, "4 cm")],
            }
        ],
        "points": [{"name": "M", "on": ["B", "C"]}],
        "segments": [{"a": "A", "b": "C1"}, {"a": "A1", "b": "M", "label": "d"}],
        "sections": [{"points": ["A", "C", "D1"]}],
    },
}

PROBLEMS = {
    "webinstruct-426974": (
        "A water tank is in the shape of a right circular cone with height 18 ft. and radius 12 "
        "ft. at the top. If it is filled with water to a depth of 15ft. find the work done in "
        "pumping all of the water over the top of the tank. (The density of water is "
        "{eq}\\rho = 62.5\\frac{lbs}{ft^{2}}{/eq}.)",
        "662679.7 foot pounds",
    ),
    "webinstruct-900501": (
        "A water trough is 6 m long and has a cross-section in the shape of an isosceles "
        "trapezoid that is 20 cm wide at the bottom, 70 cm wide at the top, and has height 50 "
        "cm. If the trough is being filled with water at the rate of 0.2 cubic meter per minute, "
        "how fast is the water level rising when the water is 20 cm deep?",
        "1/12 meters per minute",
    ),
    "webinstruct-849497": (
        "Let E be the box {eq}E = \\{ (x, y, z)| 0 \\leq x \\leq 2, 0 \\leq y \\leq 3, 0 \\leq z "
        "\\leq 1\\} F(x, y, z) = (x^2 + y)i + (xy + e^z)j + xe^z k{/eq} Use the Divergence "
        "Theorem to find the flux of F through the boundary of E.",
        "6(2+e)",
    ),
    "webinstruct-1016799": (
        "Sketch the region E bounded by the planes {eq}\\displaystyle x = 0, y = 0 , z = 0, {/eq}"
        " and {eq}\\displaystyle 2x + 3y + 6z = 6, {/eq} then find {eq}\\displaystyle \\iiint "
        "(xy) dV {/eq} within the bounds.",
        "3/10",
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


def test_routes_solid_type():
    assert route("Math - Solid Geometric") == "solid"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, SolidScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly_with_only_its_labels(rendered, key):
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    # every label drawn, each as often as the scene asks; no derived text (volume, intercept)
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(id=key, question=question, answer=answer, image_type="Math - Solid Geometric")
    report = run_checks(problem, rendered[key][2], rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def _labels_of(measured) -> dict[str, list[float]]:
    return {t.text: t.bbox for t in measured.texts if t.kind != "tick"}


def test_cube_vertex_labels_sit_outside_in_the_standard_order(rendered):
    """A front-left, B front-right, C back-right, D back-left; the top face above the base."""
    boxes = _labels_of(rendered["cube"][2])
    cx = lambda n: (boxes[n][0] + boxes[n][2]) / 2  # noqa: E731
    cy = lambda n: (boxes[n][1] + boxes[n][3]) / 2  # noqa: E731
    # measured boxes are in image pixels (y grows downwards)
    assert cx("A") < cx("B") and cx("D") < cx("C")
    assert cy("C") < cy("B") and cy("D") < cy("A")  # the back edge drawn above the front one
    for v in "ABCD":
        assert cy(v + "1") < cy(v)


def test_hidden_edges_of_a_cube_are_the_three_at_the_back_vertex():
    scene = SolidScene.model_validate(CANONICAL["cube"])
    bodies = _bodies(scene)
    cube = bodies[0]
    size = 4.0
    hidden = []
    for a, b in cube.lines:
        mid = (a + b) / 2
        if _hidden(mid[None, :], bodies, size)[0]:
            hidden.append({tuple(np.round(a, 3)), tuple(np.round(b, 3))})
    d = tuple(np.round(cube.named[3], 3))  # D: back-left bottom
    assert len(hidden) == 3 and all(d in e for e in hidden)
    # the body diagonal A-C1 runs through the inside: hidden; the top diagonal A1-C1 is not
    a, c1, a1 = cube.named[0], cube.named[6], cube.named[4]
    assert _hidden(((a + c1) / 2)[None, :], bodies, size)[0]
    assert not _hidden(((a1 + c1) / 2)[None, :], bodies, size)[0]


def test_stated_numbers_set_the_proportions():
    scene = SolidScene.model_validate(CANONICAL["webinstruct-426974"])
    sizes = _sizes(scene.solids[0], 1.0)
    assert sizes["height"] == 18 and sizes["radius"] == 12 and sizes["fill"] == 15
    # symbols get defaults; equal labels ("x" by "x") mean equal sides
    box = SolidScene.model_validate(CANONICAL["webinstruct-710470"]).solids[0]
    sizes = _sizes(box, 1.0)
    assert sizes["length"] == sizes["width"]
    # the inverted cone's apex is at the bottom: its liquid starts there
    body = _bodies(scene)[0]
    pts, surface = body.liquid
    assert pts[:, 2].min() == pytest.approx(0) and surface[:, 2].max() == pytest.approx(15)


def test_invalid_scenes_are_refused_naming_the_field():
    box = {"kind": "box", "vertices": ["A", "B"]}
    bad = {
        "colour": {"domain": "solid", "solids": [box], "colour": "red"},
        "solids": {"domain": "solid", "solids": []},
        "kind": {"domain": "solid", "solids": [{"kind": "torus"}]},
        "dims": {"domain": "solid", "solids": [{"kind": "box", "dims": [_dim("radius", 2)]}]},
        "fill": {
            "domain": "solid",
            "solids": [{"kind": "cone", "dims": [_dim("height", 2), _dim("fill", 3)]}],
        },
        "vertices": {"domain": "solid", "solids": [{"kind": "cone", "vertices": ["O", "P", "Q"]}]},
        "points[0].on": {
            "domain": "solid",
            "solids": [box],
            "points": [{"name": "M", "on": ["A", "Q"]}],
        },
        "segments[0].b": {"domain": "solid", "solids": [box], "segments": [{"a": "A", "b": "Z"}]},
        "sections[0].points": {
            "domain": "solid",
            "solids": [box],
            "sections": [{"points": ["A", "B", "K"]}],
        },
        "solids[1].on": {"domain": "solid", "solids": [box, {"kind": "cone", "on": "base"}]},
        "inner_radius": {
            "domain": "solid",
            "solids": [{"kind": "sphere", "dims": [_dim("radius", 2), _dim("inner_radius", 3)]}],
        },
    }
    for where, data in bad.items():
        with pytest.raises(ValidationError) as err:
            SolidScene.model_validate(data)
        assert where.split(".")[0].split("[")[0] in str(err.value), (where, str(err.value))


def test_points_at_stated_coordinates_on_axes():
    # webinstruct-172358: an object moves from (3, 7, 2) to B at (5, 0, 9)
    data = {
        "domain": "solid",
        "axes": True,
        "points": [
            {"name": "A", "at": [3, 7, 2], "label": "(3, 7, 2)"},
            {"name": "B", "at": [5, 0, 9], "label": "B(5, 0, 9)"},
        ],
        "segments": [{"a": "A", "b": "B"}],
    }
    scene = SolidScene.model_validate(data)
    assert_draws_cleanly(SolidScene, data)
    _, measured = draw_and_measure(scene)
    boxes = _labels_of(measured)
    assert boxes["B(5, 0, 9)"][1] < boxes["(3, 7, 2)"][1]  # B (z = 9) drawn above A (z = 2)
    problem = Problem(
        id="webinstruct-172358",
        question="An object is at rest at #(3  ,7   ,2    )# and constantly accelerates at a rate "
        "of #7/5  m/s^2# as it moves to point B.  If point B is at #(5   ,0   ,9  )#, how long "
        "will it take for the object to reach point B?",
        answer="3.8s",
    )
    report = run_checks(problem, measured, rendered=True)
    assert report.leak is None and report.scores["no_overlaps"] == 1.0
    for bad in ({"name": "C", "at": [1, 2, 3], "on": ["A", "B"]}, {"name": "C"}):
        with pytest.raises(ValidationError, match="'on'"):
            SolidScene.model_validate({**data, "points": data["points"] + [bad]})
    with pytest.raises(ValidationError, match="solids"):
        SolidScene.model_validate({"domain": "solid", "axes": True})


def test_an_inscribed_solid_is_seen_through_the_first_and_at_places_a_solid():
    # a cone inscribed in a cylinder: its slant sides are drawn solid, the hidden half of the
    # cylinder's bottom rim stays dashed
    scene = SolidScene.model_validate(
        {
            "domain": "solid",
            "solids": [
                {"kind": "cylinder", "dims": [_dim("radius", 2), _dim("height", 4)]},
                {"kind": "cone", "vertices": ["O", "P"]},
            ],
        }
    )
    from sciray.scene.solid import _Drawer

    drawer = _Drawer(scene, None)
    drawer.bodies = _bodies(scene)
    cyl, cone = drawer.bodies
    apex = cone.named[1]
    assert np.allclose(apex, cyl.top)  # inscribed: same base, same height
    side = [ln for ln in cone.lines if len(ln) > 2 and np.ptp(ln[:, 2]) > 1][0]
    assert not _hidden(side[40:41], [cone], 4.0)[0]
    assert _hidden(side[40:41], drawer.bodies, 4.0)[0]  # the opaque cylinder would hide it
    # 'at' puts an inverted cone's apex at the origin inside a sphere (z = sqrt(x² + y²))
    ice = SolidScene.model_validate(
        {
            "domain": "solid",
            "axes": True,
            "solids": [
                {"kind": "sphere", "dims": [_dim("radius", 2)]},
                {"kind": "cone", "inverted": True, "at": [0, 0, 0], "vertices": ["O", "P"]},
            ],
        }
    )
    sphere, cone = _bodies(ice)
    assert np.allclose(cone.named[1], 0) and np.allclose(sphere.named[0], 0)
    assert_draws_cleanly(SolidScene, ice.model_dump())


def test_empty_and_none_labels_mean_no_label():
    scene = SolidScene.model_validate(
        {
            "domain": "solid",
            "solids": [
                {"kind": "cylinder", "label": "none", "dims": [_dim("radius", 2, "")]},
            ],
        }
    )
    assert scene.labels() == []
    # a value that is no positive number is a symbol; a number with its unit is read
    solid = scene.solids[0].model_validate(
        {"kind": "cone", "dims": [_dim("height", "h", "h"), _dim("radius", "4 cm", "4 cm")]}
    )
    assert solid.dim("height").value is None and solid.dim("radius").value == 4
    _, measured = draw_and_measure(scene)
    assert drawn_texts(measured) == [] and not measured.blank


_KINDS = [
    "cube",
    "box",
    "prism",
    "pyramid",
    "tetrahedron",
    "octant_tetrahedron",
    "trough",
    "cylinder",
    "cone",
    "frustum",
    "paraboloid",
    "sphere",
    "hemisphere",
]
_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _random_solid(rng: random.Random, kind: str, names: list[str], first: bool) -> dict:
    from sciray.scene.solid import ALLOWED, Solid

    dims = []
    for of in sorted(ALLOWED[kind]):
        if rng.random() < 0.6:
            value = rng.choice([None, round(rng.uniform(0.5, 20), 1)])
            value = None if of == "inner_radius" else value  # must stay under the radius
            label = rng.choice([None, "h", f"{rng.randint(1, 99)} cm", "r = 4", "$\\sqrt{2}$"])
            dims.append({"of": of, "value": value, "label": label})
    dims = [d for d in dims if d["of"] != "fill"] + [
        {"of": "fill", "value": None, "label": "w"} for d in dims if d["of"] == "fill"
    ]
    data = {
        "kind": kind,
        "dims": dims,
        "sides": rng.randint(3, 8),
        "inverted": rng.random() < 0.25,
        "apex_over_vertex": rng.random() < 0.2,
        "axis": "z" if any(d["of"] == "fill" for d in dims) else rng.choice(["z", "z", "x", "y"]),
        "label": rng.choice([None, None, "E", "x + y + z = 1"]),
        "at": rng.choice([None, None, [0, 0, 0], [1, -2, 3]]),
    }
    count = Solid(kind=kind, sides=data["sides"], dims=[]).n_vertices()
    if kind == "trough" and not any(d["of"] == "bottom_width" for d in dims):
        count = 6
    if rng.random() < 0.7:
        data["vertices"] = [names.pop(0) for _ in range(min(count, len(names)))]
    return data


def _random_scene(rng: random.Random) -> dict:
    names = list(_NAMES)
    solids = []
    for i in range(rng.choice([1, 1, 1, 2, 3])):
        s = _random_solid(rng, rng.choice(_KINDS), names, i == 0)
        if i:
            s["on"] = rng.choice([None, "s0"])
        else:
            s["name"] = "s0"
        solids.append(s)
    known = [v for s in solids for v in s.get("vertices", [])]
    scene = {"domain": "solid", "solids": solids, "axes": rng.random() < 0.4}
    if len(known) >= 2 and rng.random() < 0.6:
        a, b = rng.sample(known, 2)
        scene["points"] = [{"name": "M1", "on": [a, b], "ratio": rng.choice([0.5, 0.25])}]
        scene["segments"] = [{"a": "M1", "b": rng.choice(known), "label": rng.choice([None, "5"])}]
        scene["segments"] = [g for g in scene["segments"] if g["a"] != g["b"]]
    if len(known) >= 3 and rng.random() < 0.3:
        scene["sections"] = [{"points": rng.sample(known, 3), "label": rng.choice([None, "α"])}]
    if scene["axes"] and rng.random() < 0.4:
        at = [rng.randint(-3, 9) for _ in range(3)]
        scene.setdefault("points", []).append({"name": "Q9", "at": at, "label": f"Q{tuple(at)}"})
    if rng.random() < 0.3:
        scene["notes"] = ["ρ = 1000 kg/m³"]
    if rng.random() < 0.3:
        scene["title"] = "A solid"
    return scene


@random_scenes(18)
def test_random_solids_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(SolidScene, _random_scene(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["cube"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_a_four_sided_prism_with_a_width_is_a_box() -> None:
    dims = [{"of": "length", "value": 3}, {"of": "width", "value": 2}, {"of": "height", "value": 1}]
    scene = parse_scene({"domain": "solid", "solids": [{"kind": "prism", "dims": dims}]})
    assert scene.solids[0].kind == "box"
    # a triangular prism keeps its kind, and a width still does not apply to it
    with pytest.raises(ValueError, match="'width' does not apply to a prism"):
        parse_scene({"domain": "solid", "solids": [{"kind": "prism", "sides": 3, "dims": dims}]})


def test_cylinders_take_the_axes_their_stated_equations_give_and_cross_at_the_origin() -> None:
    # seed 29 (webinstruct-1015255): three cylinders written upright, one inside another
    question = (
        "Find the common volume of 3 cylinders given the equations: $$x^2 + y^2 = r_1^2$$ "
        "$$x^2 + z^2 = r_2^2$$ $$y^2 + z^2 = r_3^2$$ where $r_1 \\neq r_2 \\neq r_3$"
    )
    cylinder = {
        "kind": "cylinder",
        "dims": [{"of": "radius", "value": 1}, {"of": "height", "value": 4}],
    }
    scene = parse_scene({"domain": "solid", "axes": True, "solids": [cylinder] * 3})
    aligned = scene.aligned_to(question)
    assert [s.axis for s in aligned.solids] == ["z", "y", "x"]
    for body, axis in zip(_bodies(aligned), (2, 1, 0), strict=True):
        pts = np.vstack(body.lines)
        centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
        assert centre == pytest.approx([0, 0, 0], abs=1e-6)  # centred on the origin
        assert np.ptp(pts, axis=0)[axis] == pytest.approx(4.0)  # its height along its axis
    png, measured = draw_and_measure(aligned)
    assert measured.overlaps == [] and measured.outside == []
    # a sphere's or a cone's equation is no cylinder; one cylinder per equation or nothing
    other = "the sphere x^2 + y^2 + z^2 = 4 above the cone x^2 + y^2 = z^2"
    assert scene.aligned_to(other) == scene
    two = "between x^2 + y^2 = 1 and y^2 + z^2 = 1"
    assert scene.aligned_to(two) == scene


def test_a_solid_labelled_with_a_spheres_equation_is_that_sphere() -> None:
    # seed 30: "the region below x^2 + y^2 + z^2 = 4" drawn as a cylinder carrying that label
    cylinder = {
        "kind": "cylinder",
        "dims": [{"of": "radius", "value": 2}, {"of": "height", "value": 2}],
        "label": "x^2 + y^2 + z^2 = 4",
    }
    (solid,) = parse_scene({"domain": "solid", "axes": True, "solids": [cylinder]}).solids
    assert solid.kind == "sphere" and solid.label == "x^2 + y^2 + z^2 = 4"
    assert [(d.of, d.value) for d in solid.dims] == [("radius", 2.0)]
    other = {**cylinder, "label": "x^2 + y^2 = 4"}  # a cylinder's own equation stays
    (kept,) = parse_scene({"domain": "solid", "solids": [other]}).solids
    assert kept.kind == "cylinder"
