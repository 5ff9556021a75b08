"""Wave scenes (sciray.scene.wave): real SciGenBench waveform problems render faithfully, curves
come from the stated parameters or formula, random scenes never overlap or leave the canvas,
invalid scenes are refused with the field named, and nothing but the scene's own texts is
drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import draw_scene, parse_scene, route
from sciray.scene.measure import draw_and_measure
from sciray.scene.wave import WaveScene, _letters
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes


def _mode(n: int) -> dict:
    return {
        "label": f"n = {n}, f = {'' if n == 1 else n}f₁",
        "standing": {
            "medium": "pipe",
            "ends": "open-open",
            "harmonic": n,
            "show_nodes": True,
            "length_label": "L = 345 cm" if n == 4 else None,
        },
    }


CANONICAL = {
    # a transverse wave travelling in -x: amplitude and wavelength marked, string data as notes
    "webinstruct-1879837": {
        "domain": "wave",
        "panels": [
            {
                "x_label": "x (m)",
                "y_label": "y (m)",
                "waves": [{"amplitude": 0.017, "wavelength": 1.5, "travel": "-x"}],
                "dims": [
                    {"kind": "amplitude", "label": "A = 0.017 m"},
                    {"kind": "wavelength", "label": "λ = 1.5 m"},
                ],
            }
        ],
        "notes": ["μ = 0.011 kg/m", "T = 7.4 N"],
    },
    # two waves sent in opposite directions, drawn from their stated formulas at t = 0
    "webinstruct-1521594": {
        "domain": "wave",
        "panels": [
            {
                "x_label": "x (m)",
                "y_label": "y (mm)",
                "waves": [
                    {"expr": "4.80*sin(15*pi*x - 470*pi*t)", "label": "y₁", "travel": "+x"},
                    {
                        "expr": "4.80*sin(15*pi*x + 470*pi*t)",
                        "label": "y₂",
                        "travel": "-x",
                        "style": "dashed",
                    },
                ],
            }
        ],
        "notes": ["y₁ = (4.80 mm) sin(15πx − 470πt)", "y₂ = (4.80 mm) sin(15πx + 470πt)"],
    },
    # the first four resonant modes of an open tube, nodes and antinodes labelled
    "webinstruct-1930410": {"domain": "wave", "panels": [_mode(n) for n in (1, 2, 3, 4)]},
    # the third harmonic on a string bound at both ends
    "webinstruct-2033221": {
        "domain": "wave",
        "panels": [
            {
                "label": "Third harmonic, f = 864 Hz",
                "standing": {"harmonic": 3, "show_nodes": True, "length_label": "L = 94 cm"},
            }
        ],
    },
    # a square pulse f(x) = 1 on 0.4 < x < 0.6 of [0, 1]
    "omnithought-189592": {
        "domain": "wave",
        "panels": [
            {
                "y_label": "u(0, x) = f(x)",
                "x_from": 0,
                "x_to": 1,
                "pulses": [{"x_from": 0.4, "x_to": 0.6, "height": 1}],
                "dims": [{"kind": "amplitude", "label": "1"}],
            }
        ],
        "notes": ["u_t + c u_x = 0"],
    },
    # a rectangular pulse train: width, amplitude and period marked
    "omnithought-172374": {
        "domain": "wave",
        "panels": [
            {
                "axis": "t",
                "x_label": "t (ms)",
                "y_label": "V (V)",
                "x_from": 0,
                "x_to": 45,
                "pulses": [{"x_from": 0, "x_to": 4, "height": 5, "period": 20}],
                "dims": [
                    {"kind": "amplitude", "label": "5 V"},
                    {"kind": "span", "x_from": 0, "x_to": 4, "label": "4 ms"},
                    {"kind": "period", "label": "T = 20 ms"},
                ],
            }
        ],
    },
    # delta impulses of two signals, one panel each
    "webinstruct-1645683": {
        "domain": "wave",
        "panels": [
            {
                "axis": "t",
                "y_label": "x(t)",
                "label": "x = 0.5δ(t−1) + 0.5δ(t+2)",
                "impulses": [
                    {"at": 1, "height": 0.5, "label": "0.5"},
                    {"at": -2, "height": 0.5, "label": "0.5"},
                ],
            },
            {
                "axis": "t",
                "y_label": "y(t)",
                "label": "y = 0.3δ(t+1) + 0.7δ(t−2)",
                "impulses": [
                    {"at": -1, "height": 0.3, "label": "0.3"},
                    {"at": 2, "height": 0.7, "label": "0.7"},
                ],
            },
        ],
    },
    # SHM starting at x = 0, the instant asked for marked
    "webinstruct-1470590": {
        "domain": "wave",
        "panels": [
            {
                "axis": "t",
                "x_label": "t (s)",
                "y_label": "x (m)",
                "x_from": 0,
                "x_to": 2.3,
                "waves": [{"amplitude": 0.570, "period": 1.150}],
                "dims": [
                    {"kind": "amplitude", "label": "A = 0.570 m"},
                    {"kind": "period", "label": "T = 1.150 s"},
                ],
                "lines": [{"at": 0.480, "label": "t = 0.480 s"}],
                "marks": [{"at": 0, "label": "x = 0 at t = 0"}],
            }
        ],
    },
}

PROBLEMS = {
    "webinstruct-1879837": (
        "A transverse wave is travelling in the -x direction on a string that has a linear "
        "density of {eq}0.011\\ kg/m\n\n{/eq}. The tension in the string is {eq}7.4\\ N\n\n{/eq}. "
        "The amplitude of the wave is {eq}0.017\\ m\n\n{/eq}; and its wavelength is "
        "{eq}1.5\\ m\n\n{/eq}. Find the equation for the displacement of a particle from its "
        "equilibrium position?",
        "y = 0.017sin(4.2x + 108.6t)",
    ),
    "webinstruct-1930410": (
        "For the first four resonant modes of an open tube {eq}\\rm 345\\ cm\n\n{/eq} long in "
        "the air draw the velocity standing waves for each and label the nodes {eq}\\rm N\n\n{/eq} "
        "and the antinodes {eq}\\rm A\n\n{/eq}.  Label each mode by its harmonic number and "
        "frequency relative to the fundamentals frequency of the open tube.",
        "For fundamental frequency, $F_1 = 49.71Hz$",
    ),
    "webinstruct-2033221": (
        "The third harmonic frequency of a standing wave is 864 Hz on a string of length 94 cm "
        "that is bound at the two ends and is under tension. What is the speed of traveling "
        "waves on this string?",
        "541.4 m/s",
    ),
    "webinstruct-1470590": (
        "An object is undergoing simple harmonic motion with period 1.150 s and amplitude "
        "0.570 m . At t=0 the object is at x=0. How far is the object from the equilibrium "
        "position at time 0.480 s ?",
        "0.27 m",
    ),
    "webinstruct-1645683": (
        "I have $x=0.5\\delta(t-1)+0.5\\delta(t+2)$ and $y=0.3\\delta(t+1)+0.7\\delta(t-2)$. I "
        "have to find the convolution $x*y$. I am given the integral of "
        "$\\delta(a-t)\\delta(t-b)=\\delta(a-b)$. What is the convolution $x*y$?",
        "0.5δ(t) + 0.35δ(t-3) + 0.15δ(t+3)",
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


def _lines(scene: WaveScene):
    """The plotted curves of the first graph panel (x, y arrays), longest first."""
    import matplotlib.pyplot as plt

    fig = draw_scene(scene)
    try:
        ax = fig.axes[0]
        found = [
            (np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
            for ln in ax.get_lines()
            if len(ln.get_xdata()) > 100
        ]
    finally:
        plt.close(fig)
    return found


def test_routes_waveform_type():
    assert route("Physics - Waveform") == "wave"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, WaveScene)
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
    """No wave speed, frequency, node distance or other derived text is written."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(id=key, question=question, answer=answer, image_type="Physics - Waveform")
    # the open tube's problem asks for each mode's harmonic number (n = 2, 2f₁): drawn, not
    # stated; every other scene writes only numbers its problem states
    stated_only = key != "webinstruct-1930410"
    report = run_checks(problem, rendered[key][2], rendered=True, stated_only=stated_only)
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.scores.get("stated_values_only", 1.0) == 1.0, report.reasons
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_nodes_and_antinodes_follow_the_ends_and_harmonic():
    def letters(**standing) -> str:
        scene = WaveScene.model_validate({"panels": [{"standing": standing}]})
        return "".join(s for _, s in _letters(scene.panels[0].standing))

    assert letters(medium="pipe", ends="open-open", harmonic=1) == "ANA"
    assert letters(medium="pipe", ends="open-open", harmonic=3) == "ANANANA"
    assert letters(harmonic=3) == "NANANAN"  # a string bound at both ends: 4 nodes, 3 loops
    assert letters(medium="pipe", ends="closed-open", harmonic=3) == "NANA"
    assert letters(medium="pipe", ends="open-closed", harmonic=1) == "AN"
    assert letters(ends="fixed-free", harmonic=5) == "NANANA"


def test_a_sinusoid_comes_from_its_stated_parameters():
    scene = parse_scene(CANONICAL["webinstruct-1879837"])
    (xs, ys), *_ = _lines(scene)
    assert np.nanmax(ys) == pytest.approx(0.017, rel=1e-3)
    assert xs[0] == pytest.approx(0.0) and xs[-1] == pytest.approx(3.0)  # two wavelengths
    crests = xs[1:-1][(ys[1:-1] > ys[:-2]) & (ys[1:-1] >= ys[2:])]
    assert np.diff(crests) == pytest.approx([1.5], rel=1e-2)


def test_a_stated_formula_is_drawn_at_the_stated_instant():
    scene = parse_scene(
        {
            "domain": "wave",
            "panels": [{"at": 0.01, "waves": [{"expr": "0.02*sin(4*pi*x - 10*t)"}]}],
        }
    )
    (xs, ys), *_ = _lines(scene)
    assert np.allclose(ys, 0.02 * np.sin(4 * np.pi * xs - 0.1))
    assert xs[-1] == pytest.approx(1.0)  # two cycles of the wavelength 0.5 the formula gives
    # a formula in its own variable is read along the horizontal axis
    own = WaveScene.model_validate({"panels": [{"waves": [{"expr": "3*cos(2*theta)"}]}]})
    assert own.panels[0].waves[0].expr == "3*cos(2*x)"


def test_the_sum_is_drawn_only_when_asked():
    waves = [{"amplitude": 1, "wavelength": 2}, {"amplitude": 0.5, "wavelength": 1}]
    alone = parse_scene({"domain": "wave", "panels": [{"waves": waves}]})
    assert len(_lines(alone)) == 2
    summed = parse_scene(
        {"domain": "wave", "panels": [{"waves": waves, "show_sum": True, "sum_label": "y1 + y2"}]}
    )
    lines = _lines(summed)
    assert len(lines) == 3
    (xs, y1), (_, y2), (_, total) = lines
    assert np.allclose(total, y1 + y2)


def test_lenient_readings():
    scene = WaveScene.model_validate(
        {
            "title": "none",
            "notes": ["", "T = 7.4 N"],
            "panels": [
                {
                    "x_from": "-pi",
                    "x_to": "2*pi",
                    "label": "null",
                    "waves": [{"amplitude": 2, "travel": "left", "label": "", "x_from": 3}],
                    "dims": [{"kind": "span", "x_from": 2, "x_to": 1}],
                },
                {"standing": {"medium": "pipe", "ends": "open", "harmonic": 2}},
            ],
        }
    )
    p = scene.panels[0]
    assert scene.title is None and scene.notes == ["T = 7.4 N"]
    assert p.x_from == pytest.approx(-np.pi) and p.x_to == pytest.approx(2 * np.pi)
    assert p.label is None and p.waves[0].travel == "-x" and p.waves[0].label is None
    assert (p.dims[0].x_from, p.dims[0].x_to) == (1, 2)
    assert scene.panels[1].standing.ends == "open-open"
    assert scene.labels() == ["x", "y", "T = 7.4 N"]
    # one panel's fields without 'panels'; a formula with its left side; numbers with units
    flat = WaveScene.model_validate(
        {
            "title": "A wave",
            "x_label": "x (m)",
            "waves": [{"expr": "y = 2*sin(x)", "phase_deg": "90°", "amplitude": "1.5 m"}],
        }
    )
    wave = flat.panels[0].waves[0]
    assert flat.title == "A wave" and flat.panels[0].x_label == "x (m)"
    assert (wave.expr, wave.phase_deg, wave.amplitude) == ("2*sin(x)", 90.0, 1.5)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"panels": []}, "panels"),
        ({"panels": [{}]}, "a panel needs"),
        ({"panels": [{"waves": [{"amplitude": 1, "colour": "red"}]}]}, "colour"),
        ({"panels": [{"waves": [{"expr": "__import__('os')"}]}]}, "expr"),
        ({"panels": [{"waves": [{"expr": "y*z"}]}]}, "expr"),
        ({"panels": [{"waves": [{"wavelength": -2}]}]}, "wavelength"),
        ({"panels": [{"waves": [{"speed_label": "v = 2 m/s"}]}]}, "speed_label"),
        ({"panels": [{"pulses": [{"x_from": 0, "x_to": 4, "period": 3}]}]}, "period"),
        ({"panels": [{"waves": [{}], "dims": [{"kind": "amplitude", "of": 1}]}]}, "dims"),
        ({"panels": [{"waves": [{}], "dims": [{"kind": "span", "x_from": 1}]}]}, "span"),
        ({"panels": [{"waves": [{}], "show_sum": True}]}, "show_sum"),
        ({"panels": [{"standing": {"harmonic": 2, "ends": "closed-open"}}]}, "harmonic"),
        ({"panels": [{"standing": {"harmonic": 9}}]}, "harmonic"),
        ({"panels": [{"standing": {}, "waves": [{}]}]}, "standing"),
        ({"panels": [{"waves": [{}]}] * 5}, "panels"),
        ({"panels": [{"waves": [{"label": "x" * 200}]}]}, "label"),
        ({"panels": [{"waves": [{"amplitude": float("inf")}]}]}, "amplitude"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises(ValidationError, match=field):
        WaveScene.model_validate(data)


_LABELS = [
    None,
    "y₁",
    "A = 2 cm",
    "λ = 1.5 m",
    "v = 343 m/s",
    "$\\omega t$",
    "$\\frac{broken",
    "a rather long stated label of the wave",
]


def _random_panel(rng: random.Random) -> dict:
    lab = lambda: rng.choice(_LABELS)  # noqa: E731
    if rng.random() < 0.3:
        ends = rng.choice(["fixed-fixed", "open-open", "closed-open", "fixed-free"])
        odd = ends in ("closed-open", "fixed-free")
        return {
            "label": lab(),
            "standing": {
                "medium": "pipe" if "o" in ends.split("-")[0] else rng.choice(["string", "pipe"]),
                "ends": ends,
                "harmonic": rng.choice([1, 3, 5, 7] if odd else list(range(1, 9))),
                "show_nodes": rng.random() < 0.7,
                "length_label": lab(),
                "amplitude_label": lab(),
            },
        }
    waves = []
    for _ in range(rng.randint(0, 3)):
        if rng.random() < 0.3:
            w = {"expr": rng.choice(["2*sin(3*x - t)", "100 + 50*sin(2*pi*t)", "exp(-x)*cos(5*x)"])}
        else:
            w = {
                "amplitude": rng.choice([0.017, 1, 4.8, -3, 1e3]),
                "wavelength": rng.choice([None, 0.5, 1.5, 400]),
                "period": rng.choice([None, 0.02, 10]),
                "phase_deg": rng.choice([0, 90, -45]),
                "damping": rng.choice([0, 0, 0.5]),
            }
        travel = rng.choice([None, "+x", "-x"])
        w.update({"label": lab(), "travel": travel, "speed_label": lab() if travel else None})
        waves.append(w)
    pulses = [
        {
            "shape": rng.choice(["rectangular", "triangular", "gaussian", "half-sine"]),
            "x_from": 1,
            "x_to": 2,
            "height": rng.choice([1, -2, 5]),
            "period": rng.choice([None, 4]),
            "label": lab(),
        }
        for _ in range(rng.randint(0, 1 if waves else 2))
    ]
    impulses = [
        {
            "at": rng.uniform(-3, 3),
            "height": rng.uniform(-1, 1),
            "label": lab(),
            "arrow": rng.random() < 0.5,
        }
        for _ in range(rng.randint(0 if waves or pulses else 1, 4))
    ]
    curves = len(waves) + len(pulses)
    kinds = ["amplitude", "peak_to_peak", "wavelength", "period"] if curves else []
    dims = [
        {"kind": rng.choice(kinds), "of": rng.randrange(curves), "label": lab()}
        for _ in range(rng.randint(0, 2))
        if kinds
    ]
    if rng.random() < 0.3:
        dims.append({"kind": "span", "x_from": 0, "x_to": 1, "label": lab()})
    return {
        "axis": rng.choice(["x", "t"]),
        "x_label": rng.choice([None, "x (m)", "t (s)"]),
        "y_label": rng.choice([None, "y (mm)", "$V_0$ (V)"]),
        "ticks": rng.random() < 0.8,
        "label": lab(),
        "waves": waves,
        "pulses": pulses,
        "impulses": impulses,
        "show_sum": len(waves) >= 2 and rng.random() < 0.5,
        "sum_label": lab(),
        "marks": [
            {
                "at": rng.uniform(0, 2),
                "label": lab(),
                "motion": rng.choice([None, "up", "down", "left"]),
            }
            for _ in range(rng.randint(0, 2))
        ],
        "lines": [{"kind": rng.choice(["vertical", "horizontal"]), "at": 0.5, "label": lab()}]
        * rng.randint(0, 1),
        "dims": dims,
    }


def _random_scene(rng: random.Random) -> dict:
    return {
        "domain": "wave",
        "title": rng.choice([None, "Standing waves", "A wave on a string of length L = 2 m"]),
        "panels": [_random_panel(rng) for _ in range(rng.randint(1, 4))],
        "notes": [
            rng.choice(["μ = 0.5 kg/m", "T = 7.4 N", "y = 0.2 sin(6πx + 20πt + φ) m"])
            for _ in range(rng.randint(0, 3))
        ],
    }


@random_scenes(max_examples=20)
def test_random_wave_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(WaveScene, _random_scene(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["omnithought-172374"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_nothing_unstated_is_drawn():
    """No N/A letters, harmonic number, frequency or length unless the scene states them; a
    sinusoid's amplitude and wavelength only as the scene's own labels."""
    sketch = parse_scene(
        {"domain": "wave", "panels": [{"standing": {"harmonic": 2, "amplitude_label": "2.59 mm"}}]}
    )
    _, measured = draw_and_measure(sketch)
    assert drawn_texts(measured) == ["2.59 mm"]
    plain = parse_scene(
        {
            "domain": "wave",
            "panels": [{"ticks": False, "waves": [{"amplitude": 2, "wavelength": 3}]}],
        }
    )
    _, measured = draw_and_measure(plain)
    assert sorted(drawn_texts(measured)) == ["x", "y"]
    assert not [t for t in measured.texts if t.kind == "tick"]  # a sketch: no numbers at all


def test_a_travelling_formula_states_its_direction_and_an_unknown_phase_is_zero():
    # seed 29: y = 0.2 sin(6πx + 20πt + φ), φ the unknown asked for, drawn travelling to +x
    wave = {"expr": "0.2*sin(6*pi*x + 20*pi*t + phi)", "travel": "+x", "speed_label": "v"}
    scene = parse_scene({"domain": "wave", "panels": [{"waves": [wave]}]})
    drawn = scene.panels[0].waves[0]
    assert drawn.travel == "-x" and "phi" not in drawn.expr
    ys = np.asarray([0.0, 1 / 12])  # x = 0 and a quarter wavelength on: 0 and the crest
    from sciray.scene.expr import compile_expr

    assert compile_expr(drawn.expr, ("x", "t"))(ys, 0.0) == pytest.approx([0.0, 0.2])
    right = {"expr": "0.02*sin(4*pi*x - 10*t)", "travel": "-x"}
    scene = parse_scene({"domain": "wave", "panels": [{"waves": [right]}]})
    assert scene.panels[0].waves[0].travel == "+x"
    still = {"expr": "0.02*sin(4*pi*x)", "travel": "-x"}  # no t: the stated direction stays
    scene = parse_scene({"domain": "wave", "panels": [{"waves": [still]}]})
    assert scene.panels[0].waves[0].travel == "-x"
    with pytest.raises(ValueError, match="unknown name 'k'"):  # only phase names become 0
        parse_scene({"domain": "wave", "panels": [{"waves": [{"expr": "sin(k*x - t)"}]}]})


def test_disagreements_name_a_contradicted_direction_or_harmonic():
    scene = parse_scene(CANONICAL["webinstruct-1879837"])
    question = PROBLEMS["webinstruct-1879837"][0]
    assert scene.disagreements(question) == []
    wrong = scene.model_copy(deep=True)
    wrong.panels[0].waves[0].travel = "+x"
    assert "travels -x" in wrong.disagreements(question)[0]
    sketch = parse_scene(CANONICAL["webinstruct-2033221"])
    question = PROBLEMS["webinstruct-2033221"][0]
    assert sketch.disagreements(question) == []
    wrong = sketch.model_copy(deep=True)
    wrong.panels[0].standing.harmonic = 1
    assert "harmonic 3" in wrong.disagreements(question)[0]


ROPE = (
    "A harmonic wave is traveling along a rope. It is observed that the oscillator that generates "
    "the wave completes 38.9 vibrations in 27.4 s. Also, a given maximum travels 432 cm along the "
    "rope in 10.6 s. What is the wavelength?"
)


@pytest.mark.parametrize(
    ("question", "written", "drawn"),
    [
        # seed 31: the distance a crest travels drawn as the amplitude
        (ROPE, ["A = 432 cm", "λ"], ["A", "λ"]),
        (ROPE, ["432 cm", "λ"], ["A", "λ"]),  # no symbol written: the quantity's own
        ("A wave of amplitude 432 cm and wavelength 2 m", ["A = 432 cm", "λ = 2 m"], None),
        ("Crests 2 m apart; T = 0.5 s", ["A = 0.1 m", "λ = 2 m"], ["A", "λ = 2 m"]),
    ],
)
def test_a_dimension_keeps_its_value_only_where_the_problem_names_the_quantity(
    question, written, drawn
):
    dims = [{"kind": "amplitude", "label": written[0]}, {"kind": "wavelength", "label": written[1]}]
    scene = parse_scene({"domain": "wave", "panels": [{"waves": [{}], "dims": dims}]})
    assert [d.label for d in scene.aligned_to(question).panels[0].dims] == (drawn or written)


@pytest.mark.parametrize(
    ("question", "written", "drawn"),
    [
        # seed 32: "At t=0 the object is at x=0" drawn as a cosine starting at the amplitude
        (
            "SHM with period 1.150 s and amplitude 0.570 m. At t=0 the object is at x=0.",
            "cos",
            "sin",
        ),
        ("At t = 0 s the mass is released from rest at x = 5 cm.", "sin", "cos"),
        ("A spring oscillates with a period of 2 s.", "cos", "cos"),  # says nothing: kept
    ],
)
def test_an_oscillation_starts_where_the_problem_says(question, written, drawn):
    wave = {"amplitude": 0.57, "period": 1.15, "function": written}
    scene = parse_scene({"domain": "wave", "panels": [{"axis": "t", "waves": [wave]}]})
    assert scene.aligned_to(question).panels[0].waves[0].function == drawn
    shifted = {**wave, "phase_deg": 90}  # the model's own phase is its reading: kept
    scene = parse_scene({"domain": "wave", "panels": [{"axis": "t", "waves": [shifted]}]})
    assert scene.aligned_to(question).panels[0].waves[0].function == written
