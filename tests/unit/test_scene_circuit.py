"""Circuit scenes: real SciGenBench circuit problems described as netlists render faithfully,
random series-parallel netlists render without overlaps, hostile scenes are refused."""

from __future__ import annotations

import json
import random
import re

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.circuit import CircuitScene
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import random_scenes


def _norm(text: str) -> str:
    return re.sub(r"[\s$]", "", text)


def _drawn(scene) -> tuple[bytes, object]:
    png, measured = draw_and_measure(scene)
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    texts = {_norm(t.text) for t in measured.texts}
    for label in scene.labels():
        assert _norm(label) in texts, f"label {label!r} not drawn"
    return png, measured


# Real problems (SciGenBench image_type "Physics - Circuit"): the question (verbatim, LaTeX
# wrappers as in the data set), its answer, and the scene a model should write for it.
REAL = {
    # webinstruct-1158582: series RLC driven by an AC source
    "webinstruct-1158582": (
        "In a series RLC AC circuit, the resistance is 10{eq}\\Omega\n\n{/eq}, the inductance is "
        "13mH, and the capacitance is 14{eq}\\mu\n\n{/eq}F. The maximum potential is 70V, and the "
        "angular frequency is 100rad/s.\n\ncalculate the maximum current in the circuit.\n\n"
        "Answer in units of A",
        "0.098 A",
        {
            "domain": "circuit",
            "components": [
                {
                    "kind": "ac_source",
                    "value": "V_max = 70 V, ω = 100 rad/s",
                    "node_a": "a",
                    "node_b": "d",
                },
                {"kind": "resistor", "name": "R", "value": "10 Ω", "node_a": "a", "node_b": "b"},
                {"kind": "inductor", "name": "L", "value": "13 mH", "node_a": "b", "node_b": "c"},
                {"kind": "capacitor", "name": "C", "value": "14 μF", "node_a": "c", "node_b": "d"},
            ],
        },
    ),
    # webinstruct2_2-1479027: R1 in series with (R2 || R3) in series with R4, current I1
    "webinstruct2_2-1479027": (
        "Suppose the series resistors are {eq}{\\text{5}}{\\text{.00 }}\\Omega\n\n{/eq} and "
        "{eq}{\\text{4}}{\\text{.00 }}\\Omega\n\n{/eq} while the parallel resistors are "
        "{eq}{\\text{3}}{\\text{.00 }}\\Omega\n\n{/eq} (top) and {eq}{\\text{6}}{\\text{.00 }}"
        "\\Omega\n\n{/eq} (bottom) and the battery provides an emf of 40.0 V. Find the current "
        "{eq}{{\\text{I}}_{\\text{1}}}\n\n{/eq}.",
        "2.42 A",
        {
            "domain": "circuit",
            "components": [
                {"kind": "battery", "name": "ε", "value": "40.0 V", "node_a": "p", "node_b": "n"},
                {
                    "kind": "resistor",
                    "value": "5.00 Ω",
                    "node_a": "p",
                    "node_b": "x",
                    "current": "I_1",
                },
                {"kind": "resistor", "value": "3.00 Ω", "node_a": "x", "node_b": "y"},
                {"kind": "resistor", "value": "6.00 Ω", "node_a": "x", "node_b": "y"},
                {"kind": "resistor", "value": "4.00 Ω", "node_a": "y", "node_b": "n"},
            ],
        },
    ),
    # webinstruct-1977856: eight equal capacitors in parallel across a battery (a ladder)
    "webinstruct-1977856": (
        "Eight uncharged capacitors with equal capacitances are combined in parallel. The "
        "combination is connected to a 6.73-V battery, which charges the capacitors. The charging "
        "process involves 1.33 x 10{eq}^{-4}\n\n{/eq} C of charge moving through the battery. "
        "Find the capacitance of each capacitor.",
        "2.4e-6 F",
        {
            "domain": "circuit",
            "components": [
                {"kind": "battery", "value": "6.73 V", "node_a": "p", "node_b": "n"},
                *[{"kind": "capacitor", "value": "C", "node_a": "p", "node_b": "n"}] * 8,
            ],
            "notes": ["Q = 1.33 x 10^-4 C"],
        },
    ),
    # webinstruct-89818: (L || C) in series with R, a two-terminal network without a source
    "webinstruct-89818": (
        "Consider a mixed RLC circuit where an ideal capacitor of capacitance C = 13.0 {eq}\\mu\n\n"
        "{/eq}F and an ideal inductor of inductance L = 43.0 mH are connected in parallel, and "
        "their combination is in series with a resistor of resistance R = 260.0 {eq}\\Omega\n\n"
        "{/eq}. What is the angular resonance frequency {eq}\\omega\n\n{/eq} of this mixed RLC "
        "circuit?",
        "1337.5 rad/s",
        {
            "domain": "circuit",
            "components": [
                {"kind": "resistor", "name": "R", "value": "260.0 Ω", "node_a": "a", "node_b": "x"},
                {
                    "kind": "capacitor",
                    "name": "C",
                    "value": "13.0 μF",
                    "node_a": "x",
                    "node_b": "b",
                },
                {"kind": "inductor", "name": "L", "value": "43.0 mH", "node_a": "x", "node_b": "b"},
            ],
            "terminals": ["a", "b"],
        },
    ),
    # webinstruct-583269: series RC on an AC emf, with the stated RMS current
    "webinstruct-583269": (
        "Consider a series RC circuit with R = 159 ohms and an unknown capacitor C. The circuit is "
        "driven by an alternating electromotive force with {eq}\\rm {\\large \\varepsilon}_{RMS}"
        "\n\n{/eq} = 168 V at a frequency of 7.70 Hz. The current in the circuit is {eq}\\rm "
        "I_{RMS}\n\n{/eq} = 0.300 A. Calculate the capacitance C.",
        "3.85e-5 F",
        {
            "domain": "circuit",
            "components": [
                {
                    "kind": "ac_source",
                    "value": "ε_rms = 168 V, f = 7.70 Hz",
                    "node_a": "a",
                    "node_b": "c",
                    "current": "I_rms = 0.300 A",
                },
                {"kind": "resistor", "name": "R", "value": "159 Ω", "node_a": "a", "node_b": "b"},
                {"kind": "capacitor", "name": "C", "node_a": "b", "node_b": "c"},
            ],
        },
    ),
    # webinstruct-1713727: a good battery charging a dead one through its internal resistance
    "webinstruct-1713727": (
        "A dead but rechargeable car battery has an emf of 11.2 V and internal resistance of 1.14 "
        "{eq}\\Omega\n\n{/eq}. To start the car, a good battery (12.0 V, r {eq}\\sim\n\n{/eq} 0) "
        "is connected to the dead battery by jumper cables of negligible resistance. The battery "
        "terminals are connected + to + and - to -. The weak battery is charged by the strong "
        "battery when connected in this way.\n\nHow long does it take for the weak battery to "
        "receive a 1.94 amp-hour charge? Assume that the emfs and resistances remain constant.",
        "2.76 h",
        {
            "domain": "circuit",
            "components": [
                {
                    "kind": "battery",
                    "name": "ε_1",
                    "value": "12.0 V, r ≈ 0",
                    "node_a": "p",
                    "node_b": "n",
                    "current": "I",
                },
                {"kind": "battery", "name": "ε_2", "value": "11.2 V", "node_a": "p", "node_b": "x"},
                {"kind": "resistor", "name": "r", "value": "1.14 Ω", "node_a": "x", "node_b": "n"},
            ],
            "notes": ["charge received: 1.94 A·h"],
        },
    ),
}


@pytest.mark.parametrize("pid", sorted(REAL))
def test_real_problem_renders_faithfully(pid):
    question, answer, data = REAL[pid]
    scene = parse_scene(json.dumps(data))
    assert isinstance(scene, CircuitScene)
    assert parse_scene(scene.model_dump_json()) == scene  # round trip
    _, measured = _drawn(scene)
    problem = Problem(id=pid, question=question, image_type="Physics - Circuit", answer=answer)
    report = run_checks(problem, measured, rendered=True)
    assert report.label_recall is not None and report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.passed


def test_route_and_schema():
    assert route("Physics - Circuit") == "circuit"
    schema = CircuitScene.model_json_schema()
    assert "components" in schema["properties"]
    kinds = schema["$defs"]["Component"]["properties"]["kind"]["enum"]
    assert {"battery", "ac_source", "voltmeter", "ammeter", "ground", "diode"} <= set(kinds)
    assert schema["$defs"]["Component"]["properties"]["value"]["description"]


def test_meter_switch_ground_and_nodes():
    # an ammeter in series, a voltmeter across the lamp, a closed switch, a diode, a ground
    scene = parse_scene(
        {
            "domain": "circuit",
            "components": [
                {"kind": "battery", "name": "ε", "value": "9 V", "node_a": "p", "node_b": "n"},
                {"kind": "switch", "name": "S", "closed": True, "node_a": "p", "node_b": "a"},
                {"kind": "ammeter", "node_a": "a", "node_b": "b"},
                {"kind": "lamp", "name": "L1", "value": "6 Ω", "node_a": "b", "node_b": "c"},
                {"kind": "voltmeter", "node_a": "b", "node_b": "c"},
                {"kind": "diode", "name": "D", "node_a": "c", "node_b": "n"},
                {"kind": "ground", "node_a": "n"},
            ],
            "labeled_nodes": ["b", "c"],
        }
    )
    _, measured = _drawn(scene)
    texts = [t.text for t in measured.texts]
    assert "A" in texts and "V" in texts  # the meters' own letters
    assert "b" in texts and "c" in texts


def test_open_switch_series_and_vertical_current():
    scene = parse_scene(
        {
            "domain": "circuit",
            "components": [
                {"kind": "battery", "value": "12 V", "node_a": "a", "node_b": "e"},
                {"kind": "resistor", "name": "R1", "value": "2 Ω", "node_a": "a", "node_b": "b"},
                {"kind": "switch", "name": "S", "node_a": "b", "node_b": "c"},
                {
                    "kind": "capacitor",
                    "name": "C1",
                    "value": "4 μF",
                    "node_a": "c",
                    "node_b": "d",
                    "current": "I_2",
                },
                {"kind": "inductor", "name": "L1", "value": "2 H", "node_a": "d", "node_b": "e"},
            ],
        }
    )
    _drawn(scene)


# --------------------------------------------------------------------------------------------
# Random valid scenes
# --------------------------------------------------------------------------------------------

BRANCH_KINDS = [
    "resistor",
    "capacitor",
    "inductor",
    "switch",
    "lamp",
    "ammeter",
    "voltmeter",
    "diode",
]
UNITS = {"resistor": "Ω", "capacitor": "μF", "inductor": "mH", "lamp": "W", "diode": "V"}


def _random_scene(rng: random.Random) -> dict:
    comps: list[dict] = []
    counter = [0]

    def fresh() -> str:
        counter[0] += 1
        return f"n{counter[0]}"

    def leaf(a: str, b: str) -> None:
        kind = rng.choice(BRANCH_KINDS)
        c = {"kind": kind, "node_a": a, "node_b": b}
        if rng.random() < 0.8:
            c["name"] = f"{kind[0].upper()}{len(comps) + 1}"
        if kind in UNITS and rng.random() < 0.7:
            c["value"] = f"{rng.uniform(0.1, 999):.3g} {UNITS[kind]}"
        if kind == "switch":
            c["closed"] = rng.random() < 0.5
        if rng.random() < 0.2:
            c["current"] = rng.choice(["I", "I_1", "0.5 A", "I_2 = 3 mA"])
        comps.append(c)

    def net(a: str, b: str, depth: int) -> None:
        budget = 12 - len(comps)
        r = rng.random()
        if depth >= 2 or budget < 3 or r < 0.4:
            leaf(a, b)
        elif r < 0.7:
            mid = fresh()
            net(a, mid, depth + 1)
            net(mid, b, depth + 1)
        else:
            for _ in range(rng.randint(2, 3)):
                if 12 - len(comps) < 1:
                    break
                net(a, b, depth + 1)

    data: dict = {"domain": "circuit", "components": comps}
    if rng.random() < 0.8:
        comps.append(
            {
                "kind": rng.choice(["battery", "ac_source"]),
                "name": "ε",
                "value": f"{rng.randint(1, 240)} V",
                "node_a": "p",
                "node_b": "m",
            }
        )
        net("p", "m", 0)
        if rng.random() < 0.3:
            comps.append({"kind": "ground", "node_a": "m"})
    else:
        net("a", "b", 0)
        data["terminals"] = ["a", "b"]
    if len([c for c in comps if c["kind"] not in ("ground",)]) < 2 and "terminals" not in data:
        leaf("p", "m")
    if rng.random() < 0.3:
        data["notes"] = ["t = 0", f"q(0) = {rng.uniform(1, 9):.2f} μC"][: rng.randint(1, 2)]
    if rng.random() < 0.3:
        data["title"] = "Circuit"
    return data


@random_scenes()
def test_random_scenes_render_cleanly(rng: random.Random) -> None:
    _drawn(parse_scene(_random_scene(rng)))


# --------------------------------------------------------------------------------------------
# Invalid scenes
# --------------------------------------------------------------------------------------------

BASE = REAL["webinstruct-1158582"][2]


def _with(**changes) -> dict:
    data = json.loads(json.dumps(BASE))
    data.update(changes)
    return data


def test_unknown_field_is_refused():
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(_with(colour="red"))
    bad = _with()
    bad["components"][0]["x"] = 3.0  # the model never gives coordinates
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(bad)


def test_out_of_range_and_too_many_are_refused():
    long_value = _with()
    long_value["components"][1]["value"] = "1" * 500
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(long_value)
    many = {
        "domain": "circuit",
        "components": [{"kind": "resistor", "node_a": "a", "node_b": "b"} for _ in range(17)],
    }
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(many)
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(_with(notes=["x"] * 5))
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(_with(components=[]))
    wrong_kind = _with()
    wrong_kind["components"][1]["kind"] = "transistor"
    with pytest.raises(ValidationError):
        CircuitScene.model_validate(wrong_kind)


def test_broken_netlists_are_refused_with_a_reason():
    no_b = _with()
    no_b["components"][1]["node_b"] = ""
    with pytest.raises(ValidationError, match="node_b"):
        CircuitScene.model_validate(no_b)
    dangling = _with()
    dangling["components"].append({"kind": "resistor", "node_a": "c", "node_b": "z"})
    with pytest.raises(ValidationError, match="open end"):
        CircuitScene.model_validate(dangling)
    bridge = {
        "domain": "circuit",
        "components": [
            {"kind": "battery", "node_a": "a", "node_b": "d"},
            {"kind": "resistor", "node_a": "a", "node_b": "b"},
            {"kind": "resistor", "node_a": "a", "node_b": "c"},
            {"kind": "resistor", "node_a": "b", "node_b": "c"},
            {"kind": "resistor", "node_a": "b", "node_b": "d"},
            {"kind": "resistor", "node_a": "c", "node_b": "d"},
        ],
    }
    with pytest.raises(ValidationError, match="series-parallel"):
        CircuitScene.model_validate(bridge)
    with pytest.raises(ValidationError, match="terminals names nodes no component joins: q"):
        CircuitScene.model_validate(_with(terminals=["q", BASE["components"][0]["node_a"]]))
    with pytest.raises(ValidationError, match="unique"):
        CircuitScene.model_validate(
            {
                "domain": "circuit",
                "components": [
                    {"kind": "battery", "name": "R", "node_a": "a", "node_b": "b"},
                    {"kind": "resistor", "name": "R", "node_a": "a", "node_b": "b"},
                ],
            }
        )


def test_hostile_text_cannot_break_the_render():
    data = _with()
    data["components"][1]["value"] = "$\\frac{1}{$ Ω"  # broken mathtext
    data["components"][2]["name"] = "L_{"
    _drawn(parse_scene(data))


# --------------------------------------------------------------------------------------------
# Nothing derived
# --------------------------------------------------------------------------------------------


def test_no_derived_value_is_drawn():
    # R1 + (R2 || R3) with a battery: neither the equivalent resistance (5 + 2 + 4 = 11 Ω), the
    # current (40/11 = 3.64 A) nor a value the scene does not state may appear; a component
    # without a value is drawn with its name only.
    question, answer, data = REAL["webinstruct2_2-1479027"]
    _, measured = _drawn(parse_scene(json.dumps(data)))
    joined = " ".join(t.text for t in measured.texts)
    assert "11" not in joined and "3.64" not in joined and "2.42" not in joined
    numbers = set(re.findall(r"\d+(?:\.\d+)?", joined))
    assert numbers <= {"40.0", "5.00", "3.00", "6.00", "4.00", "1"}  # "1" of the I_1 subscript

    _, _, rc = REAL["webinstruct-583269"]
    _, measured = _drawn(parse_scene(json.dumps(rc)))
    assert "C" in [t.text for t in measured.texts]  # the unknown capacitor: no value invented
    assert not any("F" in t.text and "Hz" not in t.text for t in measured.texts)


def test_largest_scene_still_fits_the_canvas():
    # 16 components with 40-character values in one ladder: far too wide for readable text;
    # the drawing shrinks as a whole instead of cutting labels off or overlapping them
    comps = [
        {
            "kind": "battery",
            "name": "E",
            "value": "V_max = 70 V, ω = 100 rad/s",
            "node_a": "p",
            "node_b": "n",
            "current": "I = 12 mA",
        }
    ]
    comps += [
        {
            "kind": "resistor",
            "name": f"R{i}",
            "value": "1234567890123456789012345 Ω",
            "node_a": "p",
            "node_b": "n",
        }
        for i in range(15)
    ]
    scene = parse_scene({"domain": "circuit", "components": comps, "notes": ["x" * 60] * 4})
    _drawn(scene)


def test_a_label_for_a_node_no_component_joins_is_dropped_and_the_circuit_drawn():
    """Seen from the 1.5B coder on an RC discharge (seed 9): "labeled_nodes": ["b", "c"] for
    nodes its netlist never used. The labels have nothing to mark; the circuit is still drawn."""
    known = BASE["components"][0]["node_a"]
    scene = CircuitScene.model_validate(_with(labeled_nodes=[known, "q", "zz"]))
    assert scene.labeled_nodes == [known]
    _png, measured = draw_and_measure(scene)
    assert not measured.blank and measured.overlaps == [] and measured.outside == []


def test_a_chain_where_the_problem_says_parallel_is_a_disagreement():
    """Seen from the 1.5B coder (seed 11): three loudspeakers "connected in parallel" written as
    a chain. The scene draws fine, but it contradicts the problem; the repair is told why."""
    question = "A 14-ohm, a 9.0-ohm and a 3.2-ohm loudspeaker are connected in parallel."
    chain = [
        {"kind": "resistor", "name": f"R{i}", "value": v, "node_a": a, "node_b": b}
        for i, (v, a, b) in enumerate(
            [("14 Ω", "a", "b"), ("9.0 Ω", "b", "c"), ("3.2 Ω", "c", "d")]
        )
    ]
    scene = parse_scene({"domain": "circuit", "components": chain})
    (reason,) = scene.disagreements(question)
    assert "parallel" in reason and "node_a and node_b" in reason
    parallel = [{**c, "node_a": "a", "node_b": "b"} for c in chain]
    assert parse_scene({"domain": "circuit", "components": parallel}).disagreements(question) == []
    # a parallel-plate capacitor says nothing about how components are joined
    assert scene.disagreements("A parallel-plate capacitor of 5 pF is charged.") == []
    assert scene.disagreements("Three resistors in series.") == []


def test_a_driven_circuit_written_without_its_source_gets_the_source_the_problem_states():
    rlc = (
        "In a series RLC AC circuit, the resistance is 10{eq}\\Omega {/eq}, the inductance is "
        "13mH, and the capacitance is 14{eq}\\mu {/eq}F. The maximum potential is 70V, and the "
        "angular frequency is 100rad/s. Calculate the maximum current."
    )
    chain = {
        "domain": "circuit",
        "components": [
            {"kind": "resistor", "name": "R", "value": "10 Ω", "node_a": "a", "node_b": "b"},
            {"kind": "inductor", "name": "L", "value": "13 mH", "node_a": "b", "node_b": "c"},
            {"kind": "capacitor", "name": "C", "value": "14 μF", "node_a": "c", "node_b": "d"},
        ],
    }
    source = parse_scene(chain).aligned_to(rlc).components[0]
    assert (source.kind, source.value, source.node_a, source.node_b) == (
        "ac_source",
        "70 V, 100 rad/s",
        "a",
        "d",
    )
    dc = "A 12 V battery drives a 4 Ω resistor in series with a 2 Ω resistor."
    assert parse_scene(chain).aligned_to(dc).components[0].kind == "battery"
    # a capacitor charged beforehand, a network between terminals, or a source already there
    charged = "A capacitor charged to 12 V discharges through R = 10 Ω and L = 13 mH."
    assert parse_scene(chain).aligned_to(charged).components == parse_scene(chain).components
    with_terminals = {**chain, "terminals": ["a", "d"]}
    assert len(parse_scene(with_terminals).aligned_to(rlc).components) == 3
    _, measured = draw_and_measure(parse_scene(chain).aligned_to(rlc))
    assert any("70 V" in t.text for t in measured.texts)


def test_the_one_current_of_a_one_loop_circuit_is_drawn_at_its_source():
    """Seed 30: "The current in the circuit is I_RMS = 0.300 A" left off a series RC circuit,
    so the first answer failed label recall and cost a repair."""
    question = (
        "Consider a series RC circuit with R = 159 ohms and an unknown capacitor C. The circuit "
        "is driven by an alternating electromotive force with {eq}\\rm {\\large \\varepsilon}_{RMS}"
        "{/eq} = 168 V at a frequency of 7.70 Hz. The current in the circuit is {eq}\\rm I_{RMS}"
        "{/eq} = 0.300 A. Calculate the capacitance C."
    )
    loop = {
        "domain": "circuit",
        "components": [
            {"kind": "ac_source", "value": "168 V, 7.70 Hz", "node_a": "a", "node_b": "d"},
            {"kind": "resistor", "name": "R", "value": "159 Ω", "node_a": "a", "node_b": "b"},
            {"kind": "capacitor", "name": "C", "node_a": "b", "node_b": "d"},
        ],
    }
    aligned = parse_scene(loop).aligned_to(question)
    assert [c.current for c in aligned.components] == ["0.300 A", "", ""]
    problem = Problem(id="p", question=question, image_type="Physics - Circuit")
    _, drawn = draw_and_measure(aligned)
    assert run_checks(problem, drawn, rendered=True, stated_only=True).label_recall == 1.0
    # two branches: which one carries it is unknown; two currents: which is meant is unknown
    branch = {"kind": "resistor", "name": "R2", "value": "10 Ω", "node_a": "b", "node_b": "d"}
    parallel = {**loop, "components": [*loop["components"], branch]}
    assert parse_scene(parallel).aligned_to(question) == parse_scene(parallel)
    two = question.replace("0.300 A.", "0.300 A, later 0.1 A.")
    assert parse_scene(loop).aligned_to(two) == parse_scene(loop)
