"""Thermo scenes (sciray.scene.thermo): real SciGenBench thermodynamics problems render
faithfully (P-V diagrams, heating curves, cylinders, walls, pipes), random scenes never overlap
or leave the canvas, invalid scenes are refused with the field named, and nothing but the
scene's own texts is drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import draw_scene, parse_scene, route
from sciray.scene.measure import draw_and_measure
from sciray.scene.thermo import ThermoScene
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # isobaric expansion against a constant external pressure
    "webinstruct-476852": {
        "domain": "thermo",
        "diagram": {
            "axes": "PV",
            "x_label": "V (L)",
            "y_label": "P (atm)",
            "states": [{"name": "A", "x": 3.58, "y": 1.22}, {"name": "B", "x": 8.64, "y": 1.22}],
            "processes": [{"start": "A", "end": "B", "kind": "isobaric"}],
        },
        "notes": [],
    },
    # heating curve: ice at -10 °C to steam at 109 °C
    "webinstruct-345752": {
        "domain": "thermo",
        "heating_curve": {
            "start_temp": -10,
            "y_label": "T (°C)",
            "x_label": "Heat added",
            "segments": [
                {"to_temp": 0, "label": "ice"},
                {"to_temp": 0, "label": "melting"},
                {"to_temp": 100, "label": "water"},
                {"to_temp": 100, "label": "boiling"},
                {"to_temp": 109, "label": "steam"},
            ],
        },
        "notes": ["m = 23.0 g"],
    },
    # cooling curve: steam at 125 °C to ice at -125 °C
    "webinstruct-2032251": {
        "domain": "thermo",
        "heating_curve": {
            "start_temp": 125,
            "x_label": "Heat removed",
            "segments": [
                {"to_temp": 100, "label": "steam"},
                {"to_temp": 100, "label": "condensing"},
                {"to_temp": 0, "label": "water"},
                {"to_temp": 0, "label": "freezing"},
                {"to_temp": -125, "label": "ice"},
            ],
        },
        "notes": ["m = 50 g"],
    },
    # horizontal cylinder: gas on the right, evacuated left part with a spring, pinned piston
    "webinstruct-234034": {
        "domain": "thermo",
        "container": {
            "orientation": "horizontal",
            "divider": "piston",
            "spring": True,
            "pin": True,
            "main_label": "gas, 1.01 x 10⁵ Pa",
            "other_label": "vacuum",
            "length_label": "24.0 cm",
            "width_label": "r = 4.60 cm",
        },
        "notes": [],
    },
    # vertical piston-cylinder with a shaft on the piston
    "webinstruct-658835": {
        "domain": "thermo",
        "container": {
            "orientation": "vertical",
            "divider": "piston",
            "shaft": True,
            "main_label": "gas",
            "piston_label": "m = 25 kg",
            "width_label": "10 cm",
        },
        "notes": ["shaft diameter 8 cm", "P_atm = 1 bar", "g = 9.81 m/s²"],
    },
    # rigid tank split by a partition, water on one side, vacuum on the other
    "webinstruct-429129": {
        "domain": "thermo",
        "container": {
            "orientation": "horizontal",
            "divider": "partition",
            "contents": "liquid",
            "main_label": "1.5 kg water\n300 kPa, 60 °C",
            "other_label": "evacuated",
        },
        "notes": ["final pressure 15 kPa"],
    },
    # a window: glass between two air layers
    "webinstruct-926856": {
        "domain": "thermo",
        "wall": {
            "layers": [
                {"label": "air, R = 0.1 m²K/W"},
                {"label": "glass, k = 1.4 W/m·K", "thickness_label": "0.5 cm"},
                {"label": "air, R = 0.1 m²K/W"},
            ],
            "left_label": "inside 20 °C",
            "right_label": "outside -20 °C",
            "flow_label": "Q",
        },
        "notes": ["window 2 m × 1.5 m"],
    },
    # double-pipe heat exchanger cross-section
    "webinstruct-633328": {
        "domain": "thermo",
        "shells": {
            "inner_size_label": "D_i = 1.2 cm",
            "inner_label": "h_i = 700 W/m²·°C",
            "layers": [
                {"label": "copper, k = 380 W/m·°C", "thickness_label": "D_o = 1.6 cm"},
                {"label": "h_o = 1400 W/m²·°C", "thickness_label": "3.0 cm"},
            ],
        },
        "notes": [],
    },
}


PROBLEMS = {
    "webinstruct-2032251": (
        "Calculate the amount of heat in kilojoules released when {eq}50\n\n{/eq} grams of "
        "steam at {eq}125 ^\\circ C\n\n{/eq} are convert to {eq}50\n\n{/eq} grams of ice at "
        "{eq}-125 ^\\circ C\n\n{/eq}.",
        "164.3 kJ",
    ),
    "webinstruct-234034": (
        "A gas fills the right portion of a horizontal cylinder whose radius is 4.60 cm. The "
        "initial pressure of the gas is 1.01 x 10{eq}^{5}\n\n{/eq} Pa. A friction-less movable "
        "piston separates the gas from the left portion of the cylinder, which is evacuated "
        "and contains an ideal spring. The piston is initially held in place by a pin. The "
        "spring is initially unstrained, and the length of the gas-filled portion is 24.0 "
        "cm. When the pin is removed and the gas is allowed to expand, the length of the gas-filled "
        "chamber doubles. The initial and final temperatures are equal.\n\nDetermine the spring "
        "constant of the spring in N/m",
        "1398.85 N/m",
    ),
    "webinstruct-345752": (
        "How much energy is needed to convert 23.0 grams of ice at -10.0°C into steam at 109°C?",
        "69.8 kJ",
    ),
    "webinstruct-429129": (
        "A rigid tank is divided into two equal parts by a partition. One part of the tank "
        "contains 1.5 kg of compressed liquid water at 300 kPa and 60 degree C while the other "
        "part is evacuated. The partition is now removed, and the water expands to fill the "
        "entire tank. Determine the entropy change of water during this process, if the final "
        "pressure in the tank is 15 kPa.",
        "-0.114kJ/K",
    ),
    "webinstruct-476852": (
        "A gas expands from a volume of 3.58 L to 8.64 L under a constant external pressure "
        "of 1.22 atm . How much work is done on the gas in joules? Give the value to three "
        "significant figures.",
        "625 J",
    ),
    "webinstruct-633328": (
        "A double-pipe heat exchanger is constructed of a copper (k=380 W/m. {eq}^oC\n\n{/eq}) "
        "the inner tube of internal diameter D{eq}_i\n\n{/eq}=1.2 cm and external diameter "
        "D{eq}_o\n\n{/eq}=1.6 cm and an outer tube of diameter 3.0 cm. The convection heat "
        "transfer coefficient is reported to be h{eq}_i\n\n{/eq}=700 W/m{eq}^2\n\n{/eq}. {eq}^oC\n\n{/eq} "
        "on the inner surface of the tube and h{eq}_o\n\n{/eq}= 1400 W/m{eq}^2\n\n{/eq}. {eq}^oC\n\n{/eq} "
        "on its outer surface. Calculate the overall heat transfer coefficient for this situation, "
        "based on the outer area of the pipe.",
        "381.118 W/m^2C",
    ),
    "webinstruct-658835": (
        "A gas is contained in a vertical piston -cylinder. A vertical shaft is attached to "
        "the top of the piston. The total mass of the piston and shaft assembly is 25 kg and "
        "the diameters of the piston and the shaft are 10 cm and 8 cm, respectively.\n\nWhat "
        "is the gas pressure if the system is at a steady state? The local atmospheric pressure "
        "is 1 bar and g = 9.81 m/s. Heat loss and friction are negligible.\n\nNote that the "
        "air pressure is not applied to the area the shaft.",
        "67.2 kPa",
    ),
    "webinstruct-926856": (
        "A house has a 0.5 cm thick single-pane glass window 2 m by 1.5 m. The inside temperature "
        "is {eq}20{}^\\circ \\text{C} {/eq} and the outside temperature is {eq}-20{}^\\circ "
        "\\text{C} {/eq}. If there is an air layer on both the inside and the outside of the "
        "glass each with an R-factor of {eq}0.1\\text{ }{{\\text{m}}^{2}}\\text{K/W} {/eq}, "
        "determine the heat transfer rate through the window if {eq}{{K}_{\\text{glass}}}=1.4\\text{ "
        "W/m}\\cdot \\text{K} {/eq}.",
        "589 W",
    ),
}

# heating/cooling curves write the phase-change temperatures (0 °C, 100 °C) that the problem
# takes as known without stating them
KNOWN_TEMPS = {"webinstruct-2032251", "webinstruct-345752"}


@pytest.fixture(scope="module")
def rendered():
    out = {}
    for key, data in CANONICAL.items():
        scene = parse_scene(json.dumps(data))
        png, measured = draw_and_measure(scene)
        out[key] = (scene, png, measured)
    return out


def test_routes_thermodynamic_type():
    assert route("Physics - Thermodynamic") == "thermo"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, ThermoScene)
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
    """No work, heat, spring constant or other derived text is written."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(
        id=key, question=question, answer=answer, image_type="Physics - Thermodynamic"
    )
    stated_only = key not in KNOWN_TEMPS
    report = run_checks(problem, rendered[key][2], rendered=True, stated_only=stated_only)
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.scores.get("stated_values_only", 1.0) == 1.0, report.reasons
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def _curves(scene: ThermoScene) -> list[tuple[np.ndarray, np.ndarray]]:
    """The long plotted lines of the diagram (process paths), in drawing order."""
    import matplotlib.pyplot as plt

    fig = draw_scene(scene)
    try:
        found = [
            (np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
            for ln in fig.axes[0].get_lines()
            if len(ln.get_xdata()) > 50
        ]
    finally:
        plt.close(fig)
    return found


def _pv(kind: str, b=(4.0, 1.0)) -> dict:
    return {
        "domain": "thermo",
        "diagram": {
            "states": [{"name": "A", "x": 1.0, "y": 4.0}, {"name": "B", "x": b[0], "y": b[1]}],
            "processes": [{"start": "A", "end": "B", "kind": kind}],
        },
    }


def test_an_isotherm_is_the_hyperbola_through_its_stated_states():
    ((xs, ys),) = _curves(parse_scene(_pv("isothermal")))
    assert xs[0] == pytest.approx(1.0) and xs[-1] == pytest.approx(4.0)
    assert np.allclose(xs * ys, 4.0)  # PV = const through A (1, 4) and B (4, 1)


def test_an_adiabat_passes_through_both_stated_states():
    ((xs, ys),) = _curves(parse_scene(_pv("adiabatic", b=(2.0, 1.0))))
    assert (xs[0], ys[0]) == pytest.approx((1.0, 4.0))
    assert (xs[-1], ys[-1]) == pytest.approx((2.0, 1.0))
    assert np.allclose(ys * xs**2, 4.0)  # P V^n with n = ln 4 / ln 2 = 2


def test_a_straight_process_and_a_curve_off_pv_axes_are_lines():
    ((xs, ys),) = _curves(parse_scene(_pv("line")))
    assert np.allclose(ys, 4.0 - (xs - 1.0))
    data = _pv("isothermal")
    data["diagram"]["axes"] = "TS"
    ((xs, ys),) = _curves(parse_scene(data))
    assert np.allclose(ys, 4.0 - (xs - 1.0))


def test_heating_curve_has_plateaus_at_the_stated_temperatures():
    scene = parse_scene(CANONICAL["webinstruct-345752"])
    ((xs, ys),) = [c for c in _curves_any(scene)]
    assert list(ys) == [-10, 0, 0, 100, 100, 109]
    steps = np.diff(xs)
    assert steps[1] > steps[0] and steps[3] > steps[2]  # plateaus are the long flat parts


def _curves_any(scene: ThermoScene):
    import matplotlib.pyplot as plt

    fig = draw_scene(scene)
    try:
        lines = [ln for ln in fig.axes[0].get_lines() if ln.get_color() == "#d62728"]
        out = [
            (np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)) for ln in lines
        ]
    finally:
        plt.close(fig)
    return out


def test_shading_only_when_asked():
    import matplotlib.pyplot as plt

    data = {
        "domain": "thermo",
        "diagram": {
            "states": [
                {"name": "A", "x": 1, "y": 3},
                {"name": "B", "x": 3, "y": 3},
                {"name": "C", "x": 3, "y": 1},
            ],
            "processes": [
                {"start": "A", "end": "B"},
                {"start": "B", "end": "C"},
                {"start": "C", "end": "A"},
            ],
        },
    }
    for shade, want in ((False, 0), (True, 1)):
        data["diagram"]["shade_cycle"] = shade
        fig = draw_scene(parse_scene(data))
        try:
            assert len(fig.axes[0].patches) == want
        finally:
            plt.close(fig)


def test_lenient_readings():
    scene = parse_scene(
        {
            "domain": "thermo",
            "title": "none",
            "engine": {"hot_label": "T_H = 500 K", "work_label": "", "q_cold_label": "null"},
            "container": {},
            "wall": "none",
            "notes": ["", "γ = 1.4"],
        }
    )
    assert scene.title is None and scene.container is None and scene.wall is None
    assert scene.engine.work_label is None and scene.engine.q_cold_label is None
    assert scene.notes == ["γ = 1.4"]
    # "none" is a real choice for the divider, not an empty label
    tube = parse_scene({"domain": "thermo", "container": {"divider": "none"}})
    assert tube.container.divider == "none"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"notes": ["x"]}, "give exactly one"),
        ({"engine": {"kind": "engine"}, "wall": {"layers": [{}]}}, "give exactly one"),
        (
            {"diagram": {"states": [{"name": "A", "x": 1, "y": 1}],
                         "processes": [{"start": "A", "end": "Z"}]}},
            "processes.0",
        ),
        (
            {"diagram": {"states": [{"name": "A", "x": 1, "y": 1}, {"name": "A", "x": 2, "y": 1}]}},
            "states",
        ),
        ({"diagram": {"states": []}}, "states"),
        ({"diagram": {"states": [{"name": "A", "x": "big", "y": 1}]}}, "x"),
        ({"heating_curve": {"start_temp": 0, "segments": []}}, "segments"),
        ({"container": {"divider": "partition", "spring": True}}, "divider"),
        ({"container": {"divider": "none", "piston_label": "m = 2 kg"}}, "piston_label"),
        ({"engine": {"kind": "turbine"}}, "kind"),
        ({"wall": {"layers": []}}, "layers"),
        ({"shells": {"layers": [{}] * 5}}, "layers"),
        ({"engine": {"kind": "engine"}, "colour": "red"}, "colour"),
    ],
)  # fmt: skip
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises((ValidationError, ValueError)) as err:
        parse_scene({"domain": "thermo", **data})
    assert field in str(err.value)


_WORDS = ["A", "B", "gas", "Q_H = 1200 J", "T = 300 K", "$P_0$", "vacuum", "$\\frac{", "k = 0.8"]


def _label(rng: random.Random) -> str | None:
    if rng.random() < 0.25:
        return None
    word = rng.choice(_WORDS)
    return word if rng.random() < 0.7 else word + " and some longer text here"


def _random_scene(rng: random.Random) -> dict:
    kind = rng.choice(["diagram", "heating_curve", "engine", "container", "wall", "shells"])
    if kind == "diagram":
        n = rng.randint(1, 6)
        states = [
            {"name": chr(65 + i), "x": round(rng.uniform(0.5, 9), 2),
             "y": round(rng.uniform(0.5, 9), 2), "label": _label(rng)}
            for i in range(n)
        ]  # fmt: skip
        procs = [
            {"start": chr(65 + i), "end": chr(65 + (i + 1) % n), "label": _label(rng),
             "kind": rng.choice(["line", "isobaric", "isothermal", "adiabatic"])}
            for i in range(n if n > 1 else 0)
        ]  # fmt: skip
        part = {"states": states, "processes": procs, "shade_cycle": rng.random() < 0.3,
                "ticks": rng.random() < 0.8, "axes": rng.choice(["PV", "TS"])}  # fmt: skip
    elif kind == "heating_curve":
        temps = sorted(rng.sample(range(-150, 200), rng.randint(1, 4)))
        segs = []
        for t in temps:
            segs.append({"to_temp": t, "label": _label(rng)})
            if rng.random() < 0.6:
                segs.append({"to_temp": t, "label": _label(rng)})
        part = {"start_temp": temps[0] - rng.randint(1, 50), "segments": segs}
    elif kind == "engine":
        part = {"kind": rng.choice(["engine", "refrigerator", "heat_pump"])}
        for key in ("hot_label", "cold_label", "device_label", "q_hot_label", "q_cold_label"):
            part[key] = _label(rng)
        part["work_label"] = _label(rng)
    elif kind == "container":
        divider = rng.choice(["piston", "partition", "none"])
        piston = divider == "piston"
        part = {
            "orientation": rng.choice(["horizontal", "vertical"]),
            "contents": rng.choice(["gas", "liquid"]), "divider": divider,
            "spring": piston and rng.random() < 0.5, "pin": piston and rng.random() < 0.5,
            "shaft": piston and rng.random() < 0.4, "insulated": rng.random() < 0.3,
            "piston_label": _label(rng) if piston else None,
        }  # fmt: skip
        for key in ("main_label", "other_label", "length_label", "width_label", "heat_label"):
            part[key] = _label(rng)
    else:
        layers = [
            {"label": _label(rng), "thickness_label": _label(rng)}
            for _ in range(rng.randint(1, 4 if kind == "shells" else 5))
        ]
        part = {"layers": layers}
        keys = ("left_label", "right_label", "flow_label") if kind == "wall" else (
            "inner_label", "inner_size_label", "outer_label")  # fmt: skip
        for key in keys:
            part[key] = _label(rng)
    notes = [rng.choice(_WORDS) for _ in range(rng.randint(0, 3))]
    title = _label(rng) if rng.random() < 0.4 else None
    return {"domain": "thermo", "title": title, kind: part, "notes": notes}


@random_scenes(max_examples=20)
def test_random_thermo_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(ThermoScene, _random_scene(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-234034"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_nothing_unstated_is_drawn():
    """No state coordinates without ticks, no arrow labels, no reservoir names beyond the
    scene's own: a bare engine writes only its defaults, a bare cylinder nothing at all."""
    sketch = parse_scene(
        {
            "domain": "thermo",
            "diagram": {
                "ticks": False,
                "x_label": "V",
                "y_label": "P",
                "states": [{"name": "1", "x": 1, "y": 2}, {"name": "2", "x": 3, "y": 2}],
                "processes": [{"start": "1", "end": "2", "kind": "isobaric"}],
            },
        }
    )
    _, measured = draw_and_measure(sketch)
    assert sorted(drawn_texts(measured)) == ["1", "2", "P", "V"]
    assert not [t for t in measured.texts if t.kind == "tick"]
    engine = parse_scene({"domain": "thermo", "engine": {"hot_label": None, "cold_label": None}})
    _, measured = draw_and_measure(engine)
    assert measured.texts == [] or drawn_texts(measured) == []
    cyl = parse_scene({"domain": "thermo", "container": {"spring": True, "pin": True}})
    _, measured = draw_and_measure(cyl)
    assert drawn_texts(measured) == []
    assert not measured.blank
