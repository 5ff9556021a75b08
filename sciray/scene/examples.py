"""Worked examples per scene domain, written by us; the scene prompt shows the model the one
nearest to its problem.

Small models copy the shape of an example far more reliably than they read a schema: without
one, a 1.5B coder answers ``{"domain": "plot"}`` and nothing else, and with a single example per
domain it bends every problem into that example's setup (a spring oscillator drawn as a pulley,
a chain-rule tree as arrows into one node). Each domain has examples of its common setups, and
``nearest_example`` picks by shared words. The problems are made up for this purpose (none is a
SciGenBench problem) and each scene is short; tests check that every example validates, renders
and passes the checks.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from typing import Any

Example = tuple[str, dict[str, Any]]

_FIRST: dict[str, Example] = {
    "mechanics": (
        "A 3.0 kg box rests on a 30° ramp with kinetic friction coefficient 0.20. A rope parallel "
        "to the ramp runs over a pulley at the top to a hanging 2.0 kg mass. Find the "
        "acceleration of the box.",
        {
            "domain": "mechanics",
            "bodies": [
                {
                    "name": "ramp",
                    "kind": "incline",
                    "angle_deg": 30,
                    "angle_label": "30°",
                    "label": "μk = 0.20",
                },
                {"name": "box", "kind": "block", "on": "ramp", "label": "3.0 kg"},
                {"name": "P", "kind": "pulley", "on": "ramp"},
                {"name": "m", "kind": "block", "label": "2.0 kg"},
            ],
            "links": [{"kind": "rope", "a": "box", "b": "m", "over": "P"}],
            "arrows": [
                {"body": "box", "kind": "acceleration", "direction": "up_incline", "label": "a"}
            ],
        },
    ),
    "geometry": (
        "In triangle ABC, AB = 5 cm, AC = 7 cm and angle A = 60°. M is the midpoint of BC. "
        "Find the length of the median AM.",
        {
            "domain": "geometry",
            "steps": [
                {
                    "kind": "triangle",
                    "points": ["A", "B", "C"],
                    "sides": [5, None, 7],
                    "angles": [60, None, None],
                },
                {"kind": "midpoint", "name": "M", "of": ["B", "C"]},
            ],
            "segments": [
                {"points": ["A", "B"], "label": "5 cm"},
                {"points": ["A", "C"], "label": "7 cm"},
                {"points": ["A", "M"], "dashed": True},
                {"points": ["B", "M"], "ticks": 1},
                {"points": ["M", "C"], "ticks": 1},
            ],
            "angles": [{"points": ["B", "A", "C"], "label": "60°"}],
        },
    ),
    "circuit": (
        "A 12 V battery drives a 4 Ω resistor R1 in series with two resistors in parallel, "
        "R2 = 6 Ω and R3 = 3 Ω. Find the current I through the battery.",
        {
            "domain": "circuit",
            "components": [
                {"kind": "battery", "value": "12 V", "node_a": "a", "node_b": "d", "current": "I"},
                {"kind": "resistor", "name": "R1", "value": "4 Ω", "node_a": "a", "node_b": "b"},
                {"kind": "resistor", "name": "R2", "value": "6 Ω", "node_a": "b", "node_b": "d"},
                {"kind": "resistor", "name": "R3", "value": "3 Ω", "node_a": "b", "node_b": "d"},
            ],
        },
    ),
    "molecule": (
        "Methane burns in oxygen: CH4(g) + 2 O2(g) → CO2(g) + 2 H2O(l). How many grams of water "
        "form from 16.0 g of methane?",
        {
            "domain": "molecule",
            "reactants": [
                {"formula": "CH4", "state": "g", "amount": "16.0 g"},
                {"formula": "O2", "coefficient": 2, "state": "g"},
            ],
            "products": [
                {"formula": "CO2", "state": "g"},
                {"formula": "H2O", "coefficient": 2, "state": "l"},
            ],
        },
    ),
    "graph": (
        "A DFA over {0, 1} has states q0 (start), q1 and q2 (accepting). From q0, 0 goes to q1 "
        "and 1 stays in q0; from q1, 1 goes to q2 and 0 stays in q1; from q2 both symbols stay. "
        "Which strings does it accept?",
        {
            "domain": "graph",
            "directed": True,
            "nodes": [
                {"name": "q0", "start": True},
                {"name": "q1"},
                {"name": "q2", "accept": True},
            ],
            "edges": [
                {"src": "q0", "dst": "q1", "label": "0"},
                {"src": "q0", "dst": "q0", "label": "1"},
                {"src": "q1", "dst": "q2", "label": "1"},
                {"src": "q1", "dst": "q1", "label": "0"},
                {"src": "q2", "dst": "q2", "label": "0,1"},
            ],
        },
    ),
    "plot": (
        "Find the area of the region enclosed by the curves y = x^2 and y = 2x.",
        {
            "domain": "plot",
            "x_label": "x",
            "y_label": "y",
            "x_min": -0.5,
            "x_max": 2.5,
            "curves": [
                {"expr": "x**2", "label": "$y = x^2$"},
                {"expr": "2*x", "label": "$y = 2x$"},
            ],
            "shades": [{"top": "2*x", "bottom": "x**2", "x_from": 0, "x_to": 2}],
        },
    ),
}


# More worked examples, one per common kind of setup in a domain: a small model copies the shape
# of the example it sees, so the nearest one to the problem is shown (``nearest_example``).
_MORE: dict[str, list[Example]] = {
    "mechanics": [
        (
            "A 0.50 kg mass hangs from a spring with spring constant k = 20 N/m fixed to the "
            "ceiling. It is pulled 10 cm below its equilibrium position and released, and it "
            "oscillates in simple harmonic motion. Find the period of the oscillation.",
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "C", "kind": "ceiling"},
                    {"name": "m", "kind": "block", "label": "0.50 kg"},
                ],
                "links": [{"kind": "spring", "a": "C", "b": "m", "label": "k = 20 N/m"}],
                "dimensions": [{"of": "m", "measure": "travel", "label": "10 cm"}],
            },
        ),
        (
            "A projectile is launched from level ground with a speed of 30 m/s at 40° above the "
            "horizontal. How far away does it land, neglecting air resistance?",
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "G", "kind": "ground"},
                    {"name": "P", "kind": "ball", "on": "G"},
                ],
                "arrows": [
                    {
                        "body": "P",
                        "kind": "velocity",
                        "direction": "angle",
                        "angle_deg": 40,
                        "angle_label": "40°",
                        "label": "30 m/s",
                    }
                ],
            },
        ),
        (
            "A stone is thrown horizontally at 15 m/s from the top of a cliff 20 m high. How far "
            "from the base of the cliff does it land?",
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "G", "kind": "ground"},
                    {"name": "cliff", "kind": "table"},
                    {"name": "S", "kind": "ball", "on": "cliff"},
                ],
                "arrows": [
                    {"body": "S", "kind": "velocity", "direction": "right", "label": "15 m/s"}
                ],
                "dimensions": [{"of": "cliff", "measure": "height", "label": "20 m"}],
            },
        ),
        (
            "A pendulum of length 75 cm with a 0.20 kg bob is pulled aside to 25° from the "
            "vertical and released. Find the bob's speed at the lowest point.",
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "C", "kind": "ceiling"},
                    {
                        "name": "bob",
                        "kind": "pendulum",
                        "label": "0.20 kg",
                        "angle_deg": 25,
                        "angle_label": "25°",
                        "length_label": "75 cm",
                    },
                ],
            },
        ),
        (
            "A 2.0 kg cart moving to the right at 3.0 m/s on a frictionless track collides with a "
            "1.0 kg cart at rest, and they stick together. Find their common velocity.",
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "track", "kind": "ground", "label": "frictionless"},
                    {"name": "A", "kind": "cart", "on": "track", "label": "2.0 kg"},
                    {"name": "B", "kind": "cart", "on": "track", "label": "1.0 kg"},
                ],
                "arrows": [
                    {"body": "A", "kind": "velocity", "direction": "right", "label": "3.0 m/s"}
                ],
            },
        ),
        (
            "A 10 kg crate on a floor with kinetic friction coefficient 0.30 is pulled by a rope "
            "with a force F = 50 N at 30° above the horizontal. Find its acceleration.",
            {
                "domain": "mechanics",
                "bodies": [
                    {"name": "floor", "kind": "ground", "label": "μk = 0.30"},
                    {"name": "crate", "kind": "block", "on": "floor", "label": "10 kg"},
                ],
                "arrows": [
                    {
                        "body": "crate",
                        "direction": "angle",
                        "angle_deg": 30,
                        "angle_label": "30°",
                        "label": "F = 50 N",
                    },
                    {"body": "crate", "kind": "acceleration", "direction": "right", "label": "a"},
                ],
            },
        ),
    ],
    "geometry": [
        (
            "A chord AB of a circle is 8 cm long and lies 3 cm from the centre O. Find the radius "
            "of the circle.",
            {
                "domain": "geometry",
                "steps": [
                    {"kind": "segment", "points": ["A", "B"], "length": 8},
                    {"kind": "midpoint", "name": "M", "of": ["A", "B"]},
                    {"kind": "ray", "name": "O", "of": ["M", "B"], "length": 3, "angle": 90},
                    {"kind": "circle", "center": "O", "through": "A"},
                ],
                "segments": [
                    {"points": ["A", "B"], "label": "8 cm"},
                    {"points": ["O", "M"], "label": "3 cm", "dashed": True},
                    {"points": ["O", "A"], "dashed": True},
                ],
                "angles": [{"points": ["O", "M", "B"], "right": True}],
            },
        ),
        (
            "From a point P that is 13 cm from the centre O of a circle of radius 5 cm, a tangent "
            "PT touches the circle at T. Find the length of PT.",
            {
                "domain": "geometry",
                "steps": [
                    {"kind": "circle", "center": "O", "radius": 5},
                    {"kind": "ray", "name": "P", "of": ["O"], "length": 13, "angle": 0},
                    {"kind": "tangent", "name": "T", "of": ["P", "O"]},
                ],
                "segments": [
                    {"points": ["O", "P"], "label": "13 cm"},
                    {"points": ["O", "T"], "label": "5 cm"},
                    {"points": ["P", "T"]},
                ],
                "angles": [{"points": ["O", "T", "P"], "right": True}],
            },
        ),
        (
            "The points A(1, 2), B(5, 2) and C(3, 6) are the vertices of a triangle. Find its "
            "area.",
            {
                "domain": "geometry",
                "steps": [
                    {"kind": "xy", "name": "A", "x": 1, "y": 2},
                    {"kind": "xy", "name": "B", "x": 5, "y": 2},
                    {"kind": "xy", "name": "C", "x": 3, "y": 6},
                    {"kind": "polygon", "points": ["A", "B", "C"]},
                ],
                "points": [
                    {"name": "A", "text": "A(1, 2)"},
                    {"name": "B", "text": "B(5, 2)"},
                    {"name": "C", "text": "C(3, 6)"},
                ],
                "axes": True,
            },
        ),
        (
            "A boat at B is 3 km from the nearest point P of a straight shore. A town T is on the "
            "shore 8 km from P. The rower lands at a point Q between P and T and walks to T. "
            "Where should Q be to reach T fastest?",
            {
                "domain": "geometry",
                "steps": [
                    {"kind": "segment", "points": ["P", "T"], "length": 8},
                    {"kind": "ray", "name": "B", "of": ["P", "T"], "length": 3, "angle": 90},
                    {"kind": "on_segment", "name": "Q", "of": ["P", "T"], "ratio": 0.65},
                ],
                "segments": [
                    {"points": ["P", "T"], "label": "8 km"},
                    {"points": ["B", "P"], "label": "3 km", "dashed": True},
                    {"points": ["B", "Q"]},
                ],
                "angles": [{"points": ["B", "P", "T"], "right": True}],
                "points": [{"name": "T", "text": "T (town)"}, {"name": "B", "text": "B (boat)"}],
            },
        ),
        (
            "A rectangular field ABCD is 40 m long and 30 m wide. How long is the diagonal AC?",
            {
                "domain": "geometry",
                "steps": [
                    {"kind": "rectangle", "points": ["A", "B", "C", "D"], "sides": [40, 30]},
                ],
                "segments": [
                    {"points": ["A", "B"], "label": "40 m"},
                    {"points": ["B", "C"], "label": "30 m"},
                    {"points": ["A", "C"], "dashed": True},
                ],
            },
        ),
        (
            "A 13 ft ladder leans against a vertical wall. Its foot slides away from the wall at "
            "2 ft/s. How fast is the top sliding down when the foot is 5 ft from the wall?",
            {
                "domain": "geometry",
                "steps": [
                    {
                        "kind": "triangle",
                        "points": ["O", "G", "W"],
                        "sides": [5, 13, None],
                        "angles": [90, None, None],
                    }
                ],
                "segments": [
                    {"points": ["O", "G"], "label": "x = 5 ft"},
                    {"points": ["G", "W"], "label": "13 ft"},
                    {"points": ["O", "W"], "label": "y"},
                ],
                "angles": [{"points": ["G", "O", "W"], "right": True}],
                "points": [
                    {"name": "W", "text": "W (top)"},
                    {"name": "G", "text": "G (foot)"},
                ],
                "notes": ["dx/dt = 2 ft/s"],
            },
        ),
    ],
    "circuit": [
        (
            "A 9.0 V battery, a switch S, a 2.0 kΩ resistor and a 50 μF capacitor are connected "
            "in series. The switch is closed. Find the time constant.",
            {
                "domain": "circuit",
                "components": [
                    {"kind": "battery", "value": "9.0 V", "node_a": "a", "node_b": "d"},
                    {"kind": "switch", "name": "S", "node_a": "a", "node_b": "b"},
                    {
                        "kind": "resistor",
                        "name": "R",
                        "value": "2.0 kΩ",
                        "node_a": "b",
                        "node_b": "c",
                    },
                    {
                        "kind": "capacitor",
                        "name": "C",
                        "value": "50 μF",
                        "node_a": "c",
                        "node_b": "d",
                    },
                ],
            },
        ),
        (
            "A series RLC circuit has R = 50 Ω, L = 0.20 H and C = 10 μF and is driven by an AC "
            "generator of 120 V at a frequency of 60 Hz. Find the impedance.",
            {
                "domain": "circuit",
                "components": [
                    {"kind": "ac_source", "value": "120 V, 60 Hz", "node_a": "a", "node_b": "d"},
                    {
                        "kind": "resistor",
                        "name": "R",
                        "value": "50 Ω",
                        "node_a": "a",
                        "node_b": "b",
                    },
                    {
                        "kind": "inductor",
                        "name": "L",
                        "value": "0.20 H",
                        "node_a": "b",
                        "node_b": "c",
                    },
                    {
                        "kind": "capacitor",
                        "name": "C",
                        "value": "10 μF",
                        "node_a": "c",
                        "node_b": "d",
                    },
                ],
            },
        ),
        (
            "A 6.0 V battery drives a current through R1 = 10 Ω and R2 = 20 Ω in series. An "
            "ammeter measures the current and a voltmeter the voltage across R2. What do they read?",
            {
                "domain": "circuit",
                "components": [
                    {"kind": "battery", "value": "6.0 V", "node_a": "a", "node_b": "d"},
                    {"kind": "ammeter", "name": "A", "node_a": "a", "node_b": "b"},
                    {
                        "kind": "resistor",
                        "name": "R1",
                        "value": "10 Ω",
                        "node_a": "b",
                        "node_b": "c",
                    },
                    {
                        "kind": "resistor",
                        "name": "R2",
                        "value": "20 Ω",
                        "node_a": "c",
                        "node_b": "d",
                    },
                    {"kind": "voltmeter", "name": "V", "node_a": "c", "node_b": "d"},
                ],
            },
        ),
    ],
    "molecule": [
        (
            "Draw the Lewis structure of acetic acid, CH3COOH, showing every hydrogen.",
            {
                "domain": "molecule",
                "molecules": [{"smiles": "CC(=O)O", "name": "acetic acid", "show_hydrogens": True}],
            },
        ),
        (
            "Give the IUPAC name of the compound CH3CH2CH(CH3)CH2OH.",
            {
                "domain": "molecule",
                "molecules": [{"smiles": "CCC(C)CO", "name": "CH3CH2CH(CH3)CH2OH"}],
            },
        ),
        (
            "Ethene reacts with hydrogen bromide to give bromoethane. Draw the reaction.",
            {
                "domain": "molecule",
                "reactants": [{"smiles": "C=C", "name": "ethene"}, {"formula": "HBr"}],
                "products": [{"smiles": "CCBr", "name": "bromoethane"}],
            },
        ),
        (
            "At 500 °C nitrogen and hydrogen reach equilibrium with ammonia: N2(g) + 3 H2(g) ⇌ "
            "2 NH3(g). Write the expression for Kc.",
            {
                "domain": "molecule",
                "reactants": [
                    {"formula": "N2", "state": "g"},
                    {"formula": "H2", "coefficient": 3, "state": "g"},
                ],
                "products": [{"formula": "NH3", "coefficient": 2, "state": "g"}],
                "arrow": "equilibrium",
                "conditions": "500 °C",
            },
        ),
    ],
    "graph": [
        (
            "Use a tree diagram to write the chain rule for z = f(x, y), where x = x(s, t) and "
            "y = y(s, t).",
            {
                "domain": "graph",
                "layout": "layered",
                "nodes": [
                    {"name": "z"},
                    {"name": "x"},
                    {"name": "y"},
                    {"name": "s1", "label": "s"},
                    {"name": "t1", "label": "t"},
                    {"name": "s2", "label": "s"},
                    {"name": "t2", "label": "t"},
                ],
                "edges": [
                    {"src": "z", "dst": "x"},
                    {"src": "z", "dst": "y"},
                    {"src": "x", "dst": "s1"},
                    {"src": "x", "dst": "t1"},
                    {"src": "y", "dst": "s2"},
                    {"src": "y", "dst": "t2"},
                ],
            },
        ),
        (
            "Roads join four towns: A to B is 5 km, B to C 3 km, A to C 4 km and C to D 6 km. "
            "Find the shortest route from A to D.",
            {
                "domain": "graph",
                "nodes": [{"name": "A"}, {"name": "B"}, {"name": "C"}, {"name": "D"}],
                "edges": [
                    {"src": "A", "dst": "B", "label": "5 km"},
                    {"src": "B", "dst": "C", "label": "3 km"},
                    {"src": "A", "dst": "C", "label": "4 km"},
                    {"src": "C", "dst": "D", "label": "6 km"},
                ],
            },
        ),
        (
            "An algorithm reads a number n. If n is even it prints 'even', otherwise it prints "
            "'odd'. Draw its flowchart.",
            {
                "domain": "graph",
                "directed": True,
                "layout": "layered",
                "nodes": [
                    {"name": "read", "label": "Read n", "shape": "box"},
                    {"name": "test", "label": "n even?", "shape": "diamond"},
                    {"name": "even", "label": "Print even", "shape": "box"},
                    {"name": "odd", "label": "Print odd", "shape": "box"},
                ],
                "edges": [
                    {"src": "read", "dst": "test"},
                    {"src": "test", "dst": "even", "label": "yes"},
                    {"src": "test", "dst": "odd", "label": "no"},
                ],
            },
        ),
        (
            "Ann is 2 times as old as Ben, and Ben is 4 years older than Cat. Cat is 9. How old "
            "is Ann?",
            {
                "domain": "graph",
                "directed": True,
                "nodes": [
                    {"name": "Ann"},
                    {"name": "Ben"},
                    {"name": "Cat", "label": "Cat: 9"},
                ],
                "edges": [
                    {"src": "Ben", "dst": "Ann", "label": "× 2"},
                    {"src": "Cat", "dst": "Ben", "label": "+ 4"},
                ],
            },
        ),
    ],
    "plot": [
        (
            "A class's grades were: A 5 students, B 12, C 8 and D 3. Draw a bar chart of the "
            "grades.",
            {
                "domain": "plot",
                "x_label": "grade",
                "y_label": "students",
                "series": [
                    {
                        "kind": "bar",
                        "categories": ["A", "B", "C", "D"],
                        "y": [5, 12, 8, 3],
                        "show_values": True,
                    }
                ],
            },
        ),
        (
            "A project's cash flows are: year 0, -800; year 1, 300; year 2, 400; year 3, 250. "
            "Find its rate of return.",
            {
                "domain": "plot",
                "table": {
                    "header": ["Year", "Cash flow"],
                    "rows": [["0", "-800"], ["1", "300"], ["2", "400"], ["3", "250"]],
                },
            },
        ),
        (
            "At t = 1, 2 and 3 s a car that starts from rest is 2.5 m, 10 m and 22.5 m from its "
            "start. Plot its position against time and find its acceleration.",
            {
                "domain": "plot",
                "x_label": "t (s)",
                "y_label": "x (m)",
                "series": [{"kind": "line", "x": [0, 1, 2, 3], "y": [0, 2.5, 10, 22.5]}],
                "points": [
                    {"x": 1, "y": 2.5, "label": "(1, 2.5)"},
                    {"x": 2, "y": 10, "label": "(2, 10)"},
                    {"x": 3, "y": 22.5, "label": "(3, 22.5)"},
                ],
            },
        ),
        (
            "Two fertilizers were tested. A: n = 8 plots, mean yield 42.5 kg, standard deviation "
            "3.1 kg. B: n = 8 plots, mean yield 45.0 kg, standard deviation 2.7 kg. Is the "
            "difference significant at α = 0.05?",
            {
                "domain": "plot",
                "title": "α = 0.05",
                "table": {
                    "header": ["Fertilizer", "n", "Mean (kg)", "SD (kg)"],
                    "rows": [["A", "8", "42.5", "3.1"], ["B", "8", "45.0", "2.7"]],
                },
            },
        ),
    ],
}

EXAMPLES: dict[str, list[Example]] = {
    domain: [first, *_MORE.get(domain, [])] for domain, first in _FIRST.items()
}
"""domain -> worked examples (a problem, the scene a model should write for it); the first is
the one shown when no other is nearer to the problem."""

EXAMPLES["optics"] = [
    (
        "A 3.0 cm tall candle stands 30 cm in front of a converging lens of focal length 10 cm. "
        "Draw a ray diagram and find where the image forms.",
        {
            "domain": "optics",
            "elements": [
                {
                    "name": "obj",
                    "kind": "object",
                    "position": 0,
                    "height": 3.0,
                    "label": "candle",
                    "height_label": "3.0 cm",
                },
                {
                    "name": "L",
                    "kind": "converging_lens",
                    "position": 30,
                    "focal_length": 10,
                    "focal_label": "f = 10 cm",
                    "marks": ["F"],
                },
            ],
            "distances": [{"a": "obj", "b": "L", "label": "30 cm"}],
            "rays": "principal",
        },
    ),
    (
        "A ray of light in air strikes a flat water surface (n = 1.33) with an angle of "
        "incidence of 40°. Find the angle of refraction.",
        {
            "domain": "optics",
            "media": [{"label": "air"}, {"label": "water", "n": 1.33}],
            "ray": {"angle": 40, "angle_label": "40°"},
        },
    ),
    (
        "A soap film (n = 1.35) in air is lit at normal incidence by 540 nm light. What is the "
        "thinnest film that reflects this light strongly?",
        {
            "domain": "optics",
            "media": [
                {"label": "air"},
                {"label": "soap film", "n": 1.35, "thickness_label": "t"},
                {"label": "air"},
            ],
            "ray": {"angle": 8, "show_reflected": True, "show_refracted": True},
            "notes": ["λ = 540 nm"],
        },
    ),
    (
        "Light of wavelength 600 nm falls on two slits 0.25 mm apart and a screen is 1.5 m "
        "away. How far from the central maximum is the second bright fringe?",
        {
            "domain": "optics",
            "elements": [
                {"name": "S", "kind": "source", "label": "λ = 600 nm"},
                {"name": "D", "kind": "slits", "slit_count": 2, "label": "d = 0.25 mm"},
                {"name": "scr", "kind": "screen", "point_label": "P", "y_label": "y"},
            ],
            "distances": [{"a": "D", "b": "scr", "label": "1.5 m"}],
        },
    ),
    (
        "A lamp sits on top of a 5.0 m post. A woman 1.6 m tall walks away from the post at "
        "1.2 m/s. How fast is her shadow lengthening when she is 4.0 m from the post?",
        {
            "domain": "optics",
            "baseline": "ground",
            "elements": [
                {
                    "name": "lamp",
                    "kind": "source",
                    "position": 0,
                    "height": 5.0,
                    "height_label": "5.0 m",
                },
                {
                    "name": "woman",
                    "kind": "person",
                    "position": 4.0,
                    "height": 1.6,
                    "height_label": "1.6 m",
                },
            ],
            "distances": [{"a": "lamp", "b": "woman", "label": "4.0 m"}],
            "rays": "shadow",
            "notes": ["walks away at 1.2 m/s"],
        },
    ),
]

EXAMPLES["solid"] = [
    (
        "A conical tank with its vertex down is 10 m tall and has a radius of 4 m at the top. "
        "It holds water 6 m deep (density 1000 kg/m³). Find the work needed to pump all the "
        "water over the top.",
        {
            "domain": "solid",
            "solids": [
                {
                    "kind": "cone",
                    "inverted": True,
                    "dims": [
                        {"of": "height", "value": 10, "label": "10 m"},
                        {"of": "radius", "value": 4, "label": "4 m"},
                        {"of": "fill", "value": 6, "label": "6 m"},
                    ],
                }
            ],
            "points": [],
            "segments": [],
            "sections": [],
            "notes": ["ρ = 1000 kg/m³"],
        },
    ),
    (
        "In the cube ABCD-A1B1C1D1 with edge 2, M is the midpoint of CC1. Find the angle "
        "between AM and the base ABCD.",
        {
            "domain": "solid",
            "solids": [
                {
                    "kind": "cube",
                    "vertices": ["A", "B", "C", "D", "A1", "B1", "C1", "D1"],
                    "dims": [{"of": "length", "value": 2, "label": "2"}],
                }
            ],
            "points": [{"name": "M", "on": ["C", "C1"], "ratio": 0.5}],
            "segments": [{"a": "A", "b": "M"}, {"a": "A", "b": "C"}],
            "sections": [],
            "notes": [],
        },
    ),
    (
        "Let E be the box 0 ≤ x ≤ 4, 0 ≤ y ≤ 2, 0 ≤ z ≤ 3. Use the Divergence Theorem to find "
        "the outward flux of F = <x, y, z> through the boundary of E.",
        {
            "domain": "solid",
            "axes": True,
            "solids": [
                {
                    "kind": "box",
                    "label": "E",
                    "dims": [
                        {"of": "length", "value": 4, "label": "0 ≤ x ≤ 4"},
                        {"of": "width", "value": 2, "label": "0 ≤ y ≤ 2"},
                        {"of": "height", "value": 3, "label": "0 ≤ z ≤ 3"},
                    ],
                }
            ],
            "points": [],
            "segments": [],
            "sections": [],
            "notes": [],
        },
    ),
    (
        "Find the volume of the tetrahedron bounded by the coordinate planes and the plane "
        "x + 2y + 4z = 8.",
        {
            "domain": "solid",
            "axes": True,
            "solids": [
                {
                    "kind": "octant_tetrahedron",
                    "label": "x + 2y + 4z = 8",
                    "dims": [
                        {"of": "length", "value": 8},
                        {"of": "width", "value": 4},
                        {"of": "height", "value": 2},
                    ],
                }
            ],
            "points": [],
            "segments": [],
            "sections": [],
            "notes": [],
        },
    ),
    (
        "A hollow ball is the region between the spheres of radius 1 and 2 centred at the "
        "origin. Find the flux of F = <x, y, z> out of the ball.",
        {
            "domain": "solid",
            "axes": True,
            "solids": [
                {
                    "kind": "sphere",
                    "dims": [
                        {"of": "radius", "value": 2, "label": "2"},
                        {"of": "inner_radius", "value": 1, "label": "1"},
                    ],
                }
            ],
            "points": [],
            "segments": [],
            "sections": [],
            "notes": [],
        },
    ),
]

EXAMPLES["wave"] = [
    (
        "A wave on a rope has an amplitude of 3 cm and a wavelength of 0.8 m, and it travels to "
        "the right at 12 m/s. Find its frequency.",
        {
            "domain": "wave",
            "panels": [
                {
                    "axis": "x",
                    "x_label": "x (m)",
                    "y_label": "y (cm)",
                    "waves": [
                        {
                            "amplitude": 3,
                            "wavelength": 0.8,
                            "travel": "+x",
                            "speed_label": "v = 12 m/s",
                        }
                    ],
                    "dims": [
                        {"kind": "amplitude", "label": "A = 3 cm"},
                        {"kind": "wavelength", "label": "λ = 0.8 m"},
                    ],
                }
            ],
            "notes": [],
        },
    ),
    (
        "A pipe 0.85 m long, closed at one end, resonates in its third harmonic at 300 Hz. "
        "Sketch the standing wave and label the nodes and antinodes.",
        {
            "domain": "wave",
            "panels": [
                {
                    "label": "third harmonic, 300 Hz",
                    "standing": {
                        "medium": "pipe",
                        "ends": "closed-open",
                        "harmonic": 3,
                        "show_nodes": True,
                        "length_label": "L = 0.85 m",
                    },
                }
            ],
            "notes": [],
        },
    ),
    (
        "The displacement of a string is y = 0.05 sin(2πx − 8πt), with y and x in metres and t "
        "in seconds. Sketch the string at t = 0 and find the wave speed.",
        {
            "domain": "wave",
            "panels": [
                {
                    "axis": "x",
                    "x_label": "x (m)",
                    "y_label": "y (m)",
                    "at": 0,
                    "waves": [
                        {"expr": "0.05*sin(2*pi*x - 8*pi*t)", "label": "y = 0.05 sin(2πx − 8πt)"}
                    ],
                }
            ],
            "notes": ["t = 0"],
        },
    ),
    (
        "A mass on a spring oscillates with an amplitude of 4 cm and a period of 0.5 s, starting "
        "from its maximum displacement. Where is it at t = 0.3 s?",
        {
            "domain": "wave",
            "panels": [
                {
                    "axis": "t",
                    "x_label": "t (s)",
                    "y_label": "x (cm)",
                    "waves": [{"amplitude": 4, "period": 0.5, "function": "cos"}],
                    "dims": [
                        {"kind": "amplitude", "label": "A = 4 cm"},
                        {"kind": "period", "label": "T = 0.5 s"},
                    ],
                    "lines": [{"kind": "vertical", "at": 0.3, "label": "t = 0.3 s"}],
                }
            ],
            "notes": [],
        },
    ),
    (
        "A triangular pulse 0.2 m wide and 1.5 cm high moves to the left at 4 m/s along a string; "
        "its front is at x = 1.0 m. Where is its front 0.5 s later?",
        {
            "domain": "wave",
            "panels": [
                {
                    "axis": "x",
                    "x_label": "x (m)",
                    "y_label": "y (cm)",
                    "x_from": 0,
                    "x_to": 2,
                    "pulses": [
                        {
                            "shape": "triangular",
                            "x_from": 1.0,
                            "x_to": 1.2,
                            "height": 1.5,
                            "travel": "-x",
                            "speed_label": "v = 4 m/s",
                        }
                    ],
                    "marks": [{"at": 1.0, "y": 0, "label": "x = 1.0 m"}],
                    "dims": [
                        {"kind": "amplitude", "label": "1.5 cm"},
                        {"kind": "span", "x_from": 1.0, "x_to": 1.2, "label": "0.2 m"},
                    ],
                }
            ],
            "notes": ["Δt = 0.5 s"],
        },
    ),
]


EXAMPLES["probability"] = [
    (
        "In a class of 40 students, 22 play football, 15 play tennis and 6 play both. How many "
        "students play neither sport?",
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "venn",
                    "universe": "40 students",
                    "sets": [
                        {"name": "Football", "total": "22"},
                        {"name": "Tennis", "total": "15"},
                    ],
                    "regions": [{"region": "Football&Tennis", "label": "6"}],
                }
            ],
        },
    ),
    (
        "The probability that it rains on a given day is 0.3. If it rains, the probability that "
        "Sam is late is 0.4; if it does not rain, it is 0.1. Draw a tree diagram and find the "
        "probability that Sam is late.",
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "tree",
                    "stages": ["Weather", "Sam"],
                    "branches": [
                        {
                            "outcome": "Rain",
                            "p": "0.3",
                            "then": [{"outcome": "Late", "p": "0.4"}, {"outcome": "On time"}],
                        },
                        {
                            "outcome": "No rain",
                            "then": [{"outcome": "Late", "p": "0.1"}, {"outcome": "On time"}],
                        },
                    ],
                }
            ],
        },
    ),
    (
        "A bag contains 3 green balls and 5 yellow balls. Two balls are drawn with replacement. "
        "Find the probability that both are green.",
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "urns",
                    "containers": [
                        {
                            "name": "Bag",
                            "shape": "bag",
                            "balls": [
                                {"color": "green", "count": 3},
                                {"color": "yellow", "count": 5},
                            ],
                        }
                    ],
                    "drawn": ["green", "green"],
                }
            ],
            "notes": ["drawn with replacement"],
        },
    ),
    (
        "In a game, player 1 chooses Top or Bottom and player 2 chooses Left or Right. The "
        "payoffs are (Top, Left) = 2,1; (Top, Right) = 0,0; (Bottom, Left) = 0,0; (Bottom, "
        "Right) = 1,2. Find the mixed-strategy equilibrium.",
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "grid",
                    "rows": ["Top", "Bottom"],
                    "cols": ["Left", "Right"],
                    "cells": [["2,1", "0,0"], ["0,0", "1,2"]],
                }
            ],
        },
    ),
    (
        "A spinner is divided into four sectors: red covers 1/2 of the circle, blue covers 1/4, "
        "and green and yellow share the rest equally. It is spun twice. Find the probability of "
        "getting red both times.",
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "spinner",
                    "sectors": [
                        {"label": "Red", "share": "1/2", "color": "red"},
                        {"label": "Blue", "share": "1/4", "color": "blue"},
                        {"label": "Green", "color": "green"},
                        {"label": "Yellow", "color": "yellow"},
                    ],
                }
            ],
        },
    ),
    (
        "Exam scores are normally distributed with mean 70 and standard deviation 8. What is the "
        "probability that a student scores between 62 and 86?",
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "normal",
                    "mean": 70,
                    "sd": 8,
                    "mean_label": "μ = 70",
                    "sd_label": "σ = 8",
                    "shade_from": 62,
                    "shade_to": 86,
                    "x_label": "exam score",
                }
            ],
        },
    ),
]

EXAMPLES["electron"] = [
    (
        "Draw the orbital diagram of phosphorus, whose configuration is 1s² 2s² 2p⁶ 3s² 3p³.",
        {"domain": "electron", "subshells": ["1s2", "2s2", "2p6", "3s2", "3p3"]},
    ),
    (
        "Sketch the orbital energy diagram of vanadium: [Ar] 4s² 3d³, with 4s below 3d.",
        {
            "domain": "electron",
            "layout": "energy",
            "core": "[Ar]",
            "subshells": [{"label": "4s", "electrons": 2}, {"label": "3d", "electrons": 3}],
        },
    ),
    (
        "An electron in a hydrogen atom drops from n = 4 (E = -0.85 eV) to n = 2 "
        "(E = -3.40 eV). Find the wavelength of the emitted photon.",
        {
            "domain": "electron",
            "levels": [
                {"n": 2, "energy": -3.40, "energy_label": "-3.40 eV"},
                {"n": 4, "energy": -0.85, "energy_label": "-0.85 eV"},
            ],
            "transitions": [{"from_n": 4, "to_n": 2}],
        },
    ),
    (
        "Draw the Bohr model of a sodium atom: 11 protons and 12 neutrons in the nucleus, with "
        "2, 8 and 1 electrons in its shells.",
        {
            "domain": "electron",
            "bohr": {"nucleus": "11p⁺ 12n", "shells": [2, 8, 1], "show_counts": True},
        },
    ),
    (
        "Using the 2s and 2p atomic orbitals of each nitrogen atom, draw the molecular orbital "
        "diagram of N₂ and find its bond order.",
        {
            "domain": "electron",
            "mo": {
                "left_atom": "N",
                "right_atom": "N",
                "molecule": "N₂",
                "left": ["2s2", "2p3"],
                "right": ["2s2", "2p3"],
                "middle": [
                    {"label": "σ2s", "electrons": 2},
                    {"label": "σ*2s", "electrons": 2},
                    {"label": "π2p", "orbitals": 2, "electrons": 4},
                    {"label": "σ2p", "electrons": 2},
                    {"label": "π*2p", "orbitals": 2},
                    {"label": "σ*2p"},
                ],
            },
        },
    ),
]

EXAMPLES["thermo"] = [
    (
        "Two moles of an ideal gas expand isothermally from state A (2.0 L, 6.0 atm) to state "
        "B (6.0 L, 2.0 atm), are then cooled at constant volume to C (6.0 L, 1.0 atm). Find the "
        "work done by the gas from A to B.",
        {
            "domain": "thermo",
            "diagram": {
                "axes": "PV",
                "x_label": "V (L)",
                "y_label": "P (atm)",
                "states": [
                    {"name": "A", "x": 2.0, "y": 6.0},
                    {"name": "B", "x": 6.0, "y": 2.0},
                    {"name": "C", "x": 6.0, "y": 1.0},
                ],
                "processes": [
                    {"start": "A", "end": "B", "kind": "isothermal", "label": "isothermal"},
                    {"start": "B", "end": "C", "kind": "isochoric"},
                ],
            },
            "notes": ["n = 2 mol"],
        },
    ),
    (
        "How much heat is needed to turn 40 g of ice at -20 °C into water at 30 °C? The ice "
        "melts at 0 °C.",
        {
            "domain": "thermo",
            "heating_curve": {
                "start_temp": -20,
                "x_label": "Heat added",
                "y_label": "T (°C)",
                "segments": [
                    {"to_temp": 0, "label": "ice"},
                    {"to_temp": 0, "label": "melting"},
                    {"to_temp": 30, "label": "water"},
                ],
            },
            "notes": ["m = 40 g"],
        },
    ),
    (
        "A heat engine takes in 900 J from a reservoir at 600 K and rejects heat to a "
        "reservoir at 300 K. What is its maximum work output per cycle?",
        {
            "domain": "thermo",
            "engine": {
                "kind": "engine",
                "hot_label": "T_H = 600 K",
                "cold_label": "T_C = 300 K",
                "device_label": "Engine",
                "q_hot_label": "Q_H = 900 J",
                "q_cold_label": "Q_C",
                "work_label": "W",
            },
            "notes": [],
        },
    ),
    (
        "A vertical cylinder holds air under a 12 kg piston of diameter 8 cm. 350 J of heat "
        "is added to the air. Find the air pressure (atmosphere 101 kPa).",
        {
            "domain": "thermo",
            "container": {
                "orientation": "vertical",
                "divider": "piston",
                "main_label": "air",
                "piston_label": "m = 12 kg",
                "width_label": "8 cm",
                "heat_label": "Q = 350 J",
            },
            "notes": ["P_atm = 101 kPa"],
        },
    ),
    (
        "A brick wall 20 cm thick (k = 0.7 W/m·K) has 5 cm of foam (k = 0.04 W/m·K) on its "
        "outside. The inside is at 22 °C and the outside at -5 °C. Find the heat flux.",
        {
            "domain": "thermo",
            "wall": {
                "layers": [
                    {"label": "brick, k = 0.7 W/m·K", "thickness_label": "20 cm"},
                    {"label": "foam, k = 0.04 W/m·K", "thickness_label": "5 cm"},
                ],
                "left_label": "inside 22 °C",
                "right_label": "outside -5 °C",
                "flow_label": "q",
            },
            "notes": [],
        },
    ),
]

EXAMPLES["fields"] = [
    (
        "A charge of +3 μC sits at the origin and a charge of -2 μC sits at x = 5 cm. Sketch the "
        "electric field lines and find the field at point P = (2, 3) cm.",
        {
            "domain": "fields",
            "charges": [
                {"name": "q1", "q": 3, "label": "q₁ = +3 μC", "x": 0, "y": 0},
                {"name": "q2", "q": -2, "label": "q₂ = -2 μC", "x": 5, "y": 0},
            ],
            "field_lines": True,
            "points": [{"name": "P", "x": 2, "y": 3}],
            "wires": [],
            "vectors": [],
            "dims": [{"a": "q1", "b": "q2", "label": "5 cm"}],
            "notes": [],
        },
    ),
    (
        "A proton moves to the right at 2.0 × 10⁵ m/s between two horizontal plates 4 mm apart; "
        "the upper plate is positive and the voltage is 60 V. Find the force on the proton.",
        {
            "domain": "fields",
            "plates": {"top": "+", "gap_label": "d = 4 mm", "field_label": "V = 60 V"},
            "charges": [{"name": "p", "q": 1, "label": "proton"}],
            "points": [],
            "wires": [],
            "vectors": [{"label": "v = 2.0 × 10⁵ m/s", "at": "p", "direction": "right"}],
            "dims": [],
            "notes": [],
        },
    ),
    (
        "Two long parallel wires 8 cm apart carry 4 A into the page and 6 A out of the page. "
        "Find the magnetic field at point P midway between them.",
        {
            "domain": "fields",
            "charges": [],
            "wires": [
                {"name": "w1", "current": "into", "label": "I₁ = 4 A", "x": 0, "y": 0},
                {"name": "w2", "current": "out", "label": "I₂ = 6 A", "x": 8, "y": 0},
            ],
            "points": [{"name": "P", "x": 4, "y": 0}],
            "vectors": [],
            "dims": [{"a": "w1", "b": "w2", "label": "8 cm"}],
            "notes": [],
        },
    ),
    (
        "An electron enters a uniform magnetic field of 0.4 T directed out of the page, moving "
        "north at 3 × 10⁶ m/s. Find the radius of its path.",
        {
            "domain": "fields",
            "region": {"direction": "out", "label": "B = 0.4 T"},
            "charges": [{"name": "e", "q": -1, "label": "electron"}],
            "points": [],
            "wires": [],
            "vectors": [{"label": "v = 3 × 10⁶ m/s", "at": "e", "direction": "north"}],
            "dims": [],
            "notes": [],
        },
    ),
    (
        "A particle has velocity v = (2, -3, 4) m/s in a magnetic field B = (0, 0, 1.5) T. "
        "Find the magnetic force on it if q = 5 μC.",
        {
            "domain": "fields",
            "frame": "xyz",
            "charges": [],
            "points": [],
            "wires": [],
            "vectors": [
                {"label": "v = (2, -3, 4) m/s", "components": [2, -3, 4]},
                {"label": "B = (0, 0, 1.5) T", "components": [0, 0, 1.5]},
            ],
            "dims": [],
            "notes": ["q = 5 μC"],
        },
    ),
]

EXAMPLES["astronomy"] = [
    (
        "A 950-kg weather satellite circles Earth at an altitude of 820 km. Earth's radius is "
        "6380 km. Find the satellite's orbital speed.",
        {
            "domain": "astronomy",
            "bodies": [
                {
                    "name": "earth",
                    "kind": "planet",
                    "label": "Earth",
                    "radius": 6380,
                    "radius_label": "R = 6380 km",
                },
                {"name": "sat", "kind": "satellite", "label": "satellite", "mass_label": "950 kg"},
            ],
            "orbits": [
                {
                    "body": "sat",
                    "around": "earth",
                    "altitude": 820,
                    "altitude_label": "h = 820 km",
                    "velocity_label": "v",
                }
            ],
            "distances": [],
            "arrows": [],
            "notes": [],
        },
    ),
    (
        "A comet moves on an elliptical orbit around the Sun. Its perihelion distance is 0.8 AU "
        "and its aphelion distance is 24 AU. Find the semi-major axis of the orbit.",
        {
            "domain": "astronomy",
            "bodies": [
                {"name": "sun", "kind": "star", "label": "Sun"},
                {"name": "comet", "kind": "moon", "label": "comet"},
            ],
            "orbits": [
                {
                    "body": "comet",
                    "around": "sun",
                    "shape": "ellipse",
                    "periapsis": 0.8,
                    "apoapsis": 24,
                    "periapsis_label": "perihelion 0.8 AU",
                    "apoapsis_label": "aphelion 24 AU",
                }
            ],
            "distances": [],
            "arrows": [],
            "notes": [],
        },
    ),
    (
        "Two stars of masses 3.0 × 10^30 kg and 1.5 × 10^30 kg are 4.0 × 10^11 m apart. Find the "
        "gravitational force each exerts on the other.",
        {
            "domain": "astronomy",
            "bodies": [
                {"name": "A", "kind": "star", "label": "3.0 × 10^30 kg"},
                {"name": "B", "kind": "star", "label": "1.5 × 10^30 kg"},
            ],
            "orbits": [],
            "distances": [{"a": "A", "b": "B", "value": 4.0e11, "label": "4.0 × 10^11 m"}],
            "arrows": [
                {"start": "A", "toward": "B", "kind": "force", "label": "F"},
                {"start": "B", "toward": "A", "kind": "force", "label": "F"},
            ],
            "notes": [],
        },
    ),
    (
        "A moon is at position <3 × 10^8, 2 × 10^8, 0> m and its planet is at the origin. Find "
        "the position vector from the planet to the moon.",
        {
            "domain": "astronomy",
            "bodies": [
                {"name": "p", "kind": "planet", "label": "planet (origin)", "position": [0, 0]},
                {
                    "name": "m",
                    "kind": "moon",
                    "label": "moon <3 × 10^8, 2 × 10^8, 0> m",
                    "position": [3e8, 2e8],
                },
            ],
            "orbits": [],
            "distances": [],
            "arrows": [{"start": "p", "toward": "m", "kind": "position", "label": "r"}],
            "notes": [],
        },
    ),
]

EXAMPLES["analytic"] = [
    (
        "Let R be the region bounded by y = x^2, the line y = 4 and the y-axis in the first "
        "quadrant. Find the volume of the solid obtained by revolving R about the line x = -1.",
        {
            "domain": "analytic",
            "curves": [{"kind": "function", "expr": "x**2", "t_from": 0, "label": "y = x²"}],
            "lines": [
                {"kind": "horizontal", "at": 4, "label": "y = 4"},
                {
                    "kind": "vertical",
                    "at": -1,
                    "label": "x = -1",
                    "style": "dashed",
                    "rotation_axis": True,
                },
            ],
            "regions": [{"inequalities": ["y <= 4", "y >= x**2", "x >= 0"], "label": "R"}],
        },
    ),
    (
        "Find the area enclosed by one petal of the rose r = 4 sin(2θ).",
        {
            "domain": "analytic",
            "curves": [
                {
                    "kind": "polar",
                    "expr": "4*sin(2*t)",
                    "t_from": 0,
                    "t_to": 6.2832,
                    "label": "r = 4 sin 2θ",
                }
            ],
        },
    ),
    (
        "The ellipse x^2/25 + y^2/9 = 1 has foci F1 and F2. A point P(0, 3) lies on it. Find "
        "the perimeter of triangle PF1F2.",
        {
            "domain": "analytic",
            "conics": [
                {"kind": "ellipse", "a": 5, "b": 3, "show_foci": True, "label": "x²/25 + y²/9 = 1"}
            ],
            "points": [{"x": 0, "y": 3, "label": "P(0, 3)"}],
        },
    ),
    (
        "Find the length of the curve x = t^2, y = t^3 for 0 <= t <= 2.",
        {
            "domain": "analytic",
            "curves": [
                {
                    "kind": "parametric",
                    "expr": "t**2",
                    "y_expr": "t**3",
                    "t_from": 0,
                    "t_to": 2,
                    "arrow": True,
                }
            ],
            "notes": ["x = t², y = t³", "0 ≤ t ≤ 2"],
        },
    ),
    (
        "Find the volume of the solid inside the sphere x^2 + y^2 + z^2 = 16 and above the "
        "paraboloid z = x^2 + y^2 - 4.",
        {
            "domain": "analytic",
            "surfaces": [
                {"kind": "sphere", "radius": 4, "label": "x² + y² + z² = 16"},
                {
                    "kind": "graph",
                    "expr": "x**2 + y**2 - 4",
                    "radius": 2.5,
                    "label": "z = x² + y² − 4",
                },
            ],
        },
    ),
]

EXAMPLES["apparatus"] = [
    (
        "A 30.0 mL sample of 0.150 M acetic acid is titrated with 0.200 M KOH from a burette. "
        "The initial burette reading is 0.50 mL. What is the pH after 12.0 mL of KOH is added?",
        {
            "domain": "apparatus",
            "parts": [
                {
                    "kind": "titration",
                    "titrant": ["KOH", "0.200 M"],
                    "analyte": ["30.0 mL acetic acid", "0.150 M"],
                    "readings": ["initial 0.50 mL", "12.0 mL added"],
                }
            ],
        },
    ),
    (
        "A nerve cell has an intracellular K+ concentration of 150 mM and an extracellular K+ "
        "concentration of 5 mM. K+ leaks out of the cell through potassium channels. Find the "
        "equilibrium potential for K+ at 37 °C.",
        {
            "domain": "apparatus",
            "parts": [
                {
                    "kind": "membrane",
                    "left": {"name": "Inside", "lines": ["[K+] = 150 mM"]},
                    "right": {"name": "Outside", "lines": ["[K+] = 5 mM"]},
                    "crossings": [{"species": "K+", "to": "right", "label": "K+ channel"}],
                }
            ],
            "notes": ["T = 37 °C"],
        },
    ),
    (
        "A spherical yeast cell has a diameter of 4.0 μm and contains a nucleus and "
        "mitochondria. Its internal ATP concentration is 3.0 mM. How many ATP molecules does "
        "it hold?",
        {
            "domain": "apparatus",
            "parts": [
                {
                    "kind": "cells",
                    "cells": [
                        {
                            "name": "Yeast cell",
                            "inside": ["ATP 3.0 mM"],
                            "organelles": ["nucleus", "mitochondria"],
                            "diameter": "4.0 μm",
                        }
                    ],
                }
            ],
        },
    ),
    (
        "In a pond, algae are eaten by water fleas and snails; water fleas are eaten by small "
        "fish, and small fish are eaten by herons. Which organisms are primary consumers?",
        {
            "domain": "apparatus",
            "parts": [
                {
                    "kind": "food_web",
                    "organisms": ["Algae", "Water fleas", "Snails", "Small fish", "Herons"],
                    "feeds": [
                        {"food": "Algae", "eater": "Water fleas"},
                        {"food": "Algae", "eater": "Snails"},
                        {"food": "Water fleas", "eater": "Small fish"},
                        {"food": "Small fish", "eater": "Herons"},
                    ],
                }
            ],
        },
    ),
    (
        "During gene expression, a DNA gene is transcribed into pre-mRNA, which is spliced into "
        "mature mRNA and then translated by ribosomes into a polypeptide. Which step removes "
        "introns?",
        {
            "domain": "apparatus",
            "parts": [
                {
                    "kind": "chain",
                    "stages": ["DNA gene", "pre-mRNA", "mature mRNA", "Polypeptide"],
                    "steps": ["transcription", "splicing", "translation"],
                }
            ],
        },
    ),
]


EXAMPLES["crystal"] = [
    (
        "Copper crystallizes in a face-centered cubic lattice with an edge length of 361 pm. "
        "Calculate the density of copper (atomic mass 63.55 g/mol).",
        {
            "domain": "crystal",
            "structure": "fcc",
            "species": [{"name": "Cu", "sites": []}],
            "points": [],
            "lines": [],
            "planes": [],
            "directions": [],
            "edge_label": "a = 361 pm",
            "notes": ["M = 63.55 g/mol"],
        },
    ),
    (
        "Potassium chloride has the rock-salt structure. The ionic radii are K+ 0.138 nm and Cl- "
        "0.181 nm; the ions touch along the cube edge. Find the lattice parameter.",
        {
            "domain": "crystal",
            "structure": "nacl",
            "species": [
                {"name": "K+", "radius": 0.138, "radius_label": "0.138 nm", "sites": []},
                {"name": "Cl-", "radius": 0.181, "radius_label": "0.181 nm", "sites": []},
            ],
            "points": [],
            "lines": [{"kind": "edge"}],
            "planes": [],
            "directions": [],
            "edge_label": "a",
            "notes": [],
        },
    ),
    (
        "Iron is body-centered cubic with an atomic radius R = 0.124 nm; the atoms touch along "
        "the body diagonal. Find the edge length a.",
        {
            "domain": "crystal",
            "structure": "bcc",
            "species": [{"name": "Fe", "radius_label": "R = 0.124 nm", "sites": []}],
            "points": [],
            "lines": [{"kind": "body_diagonal"}],
            "planes": [],
            "directions": [],
            "edge_label": "a",
            "notes": [],
        },
    ),
    (
        "In a BCC crystal of iron a tensile stress of 50 MPa acts along [0 1 0]. Find the resolved "
        "shear stress on the (1 1 0) plane in the [1 -1 1] direction.",
        {
            "domain": "crystal",
            "structure": "bcc",
            "species": [{"name": "Fe", "sites": []}],
            "points": [],
            "lines": [],
            "planes": [{"hkl": [1, 1, 0], "label": "(1 1 0)"}],
            "directions": [
                {"uvw": [0, 1, 0], "label": "[0 1 0], σ = 50 MPa"},
                {"uvw": [1, -1, 1], "label": "[1 -1 1]"},
            ],
            "edge_label": None,
            "notes": [],
        },
    ),
    (
        "An interstitial carbon atom of radius r sits at the site (1/2, 0, 0) of a BCC iron cell "
        "whose atoms have radius R. Express r in terms of R.",
        {
            "domain": "crystal",
            "structure": "bcc",
            "species": [
                {"name": "Fe", "radius_label": "R", "sites": []},
                {"name": "C", "radius_label": "r", "sites": ["none"]},
            ],
            "points": [{"at": [0.5, 0, 0], "species": "C", "label": "(1/2, 0, 0)"}],
            "lines": [],
            "planes": [],
            "directions": [],
            "edge_label": None,
            "notes": [],
        },
    ),
]


EXAMPLES["genetics"] = [
    (
        "In pea plants, tall (T) is dominant to dwarf (t) and yellow seeds (Y) are dominant to "
        "green (y). A plant TtYy is crossed with a plant ttYy. Use a Punnett square to find the "
        "fraction of dwarf green offspring.",
        {
            "domain": "genetics",
            "pedigree": None,
            "cross": {"rows": [{"generation": "P", "items": ["TtYy", "ttYy"], "crossed": True}]},
            "punnett": {
                "top_gametes": ["TY", "Ty", "tY", "ty"],
                "side_gametes": ["tY", "ty"],
                "top_parent": "TtYy",
                "side_parent": "ttYy",
                "cells": [],
            },
            "strands": [],
            "gel": None,
            "progeny": [],
            "notes": [],
        },
    ),
    (
        "Ann and Tom both have normal hearing, but their son Sam is deaf (autosomal recessive). "
        "Tom's sister Lily is also deaf, and Tom's parents hear normally. Ann and Tom expect a "
        "second child. What is the chance it will be deaf?",
        {
            "domain": "genetics",
            "pedigree": {
                "people": [
                    {"name": "Grandpa", "sex": "male", "status": "unaffected"},
                    {"name": "Grandma", "sex": "female", "status": "unaffected"},
                    {"name": "Tom", "sex": "male", "status": "unaffected"},
                    {"name": "Lily", "sex": "female", "status": "affected"},
                    {"name": "Ann", "sex": "female", "status": "unaffected"},
                    {"name": "Sam", "sex": "male", "status": "affected"},
                    {"name": "?", "sex": "unknown", "status": "unaffected"},
                ],
                "couples": [
                    {"partners": ["Grandpa", "Grandma"], "children": ["Tom", "Lily"]},
                    {"partners": ["Tom", "Ann"], "children": ["Sam", "?"]},
                ],
                "generation_numbers": True,
            },
            "cross": None,
            "punnett": None,
            "strands": [],
            "gel": None,
            "progeny": [],
            "notes": ["Deafness: autosomal recessive"],
        },
    ),
    (
        "The coding strand 5'-ATG GCT TGG-3' mutates so that the 5th base C becomes A. "
        "Which amino acid change results?",
        {
            "domain": "genetics",
            "pedigree": None,
            "cross": None,
            "punnett": None,
            "strands": [
                {
                    "name": "Coding",
                    "bases": "ATGGCTTGG",
                    "ends": "5-3",
                    "codons": True,
                    "marks": [{"position": 5, "length": 1, "kind": "substitution", "note": "C→A"}],
                }
            ],
            "gel": None,
            "progeny": [],
            "notes": [],
        },
    ),
    (
        "Fruit flies with gray bodies and normal wings (GgNn) are testcrossed to ggnn flies, "
        "giving 410 gray normal, 395 black vestigial, 92 gray vestigial and 103 black normal. "
        "Are the genes linked?",
        {
            "domain": "genetics",
            "pedigree": None,
            "cross": {"rows": [{"generation": "P", "items": ["GgNn", "ggnn"], "crossed": True}]},
            "punnett": None,
            "strands": [],
            "gel": None,
            "progeny": [
                {"kind": "gray normal", "count": "410"},
                {"kind": "black vestigial", "count": "395"},
                {"kind": "gray vestigial", "count": "92"},
                {"kind": "black normal", "count": "103"},
            ],
            "notes": [],
        },
    ),
    (
        "A 5.0-kb plasmid cut with BamHI gives fragments of 2.0 and 3.0 kb; cut with PstI it "
        "gives one 5.0-kb fragment. Where do the sites lie?",
        {
            "domain": "genetics",
            "pedigree": None,
            "cross": None,
            "punnett": None,
            "strands": [],
            "gel": {
                "lanes": [
                    {"name": "BamHI", "bands": ["2.0", "3.0"]},
                    {"name": "PstI", "bands": ["5.0"]},
                ],
                "unit": "kb",
            },
            "progeny": [],
            "notes": ["5.0-kb plasmid"],
        },
    ),
]


_WORD = re.compile(r"[a-zA-Zα-ω]+")
_STOP = frozenset(
    "the and for are was with from that this what how find its their into than then which "
    "when where each has have will does given draw show use write".split()
)


def _stems(text: str) -> set[str]:
    # the first five letters stand for a word's stem: "oscillates" meets "oscillation",
    # "springs" meets "spring"
    return {w[:5] for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


@functools.cache
def _bank(domain: str) -> tuple[list[dict[str, float]], dict[str, float]]:
    examples = EXAMPLES.get(domain, [])
    docs = [_stems(problem) for problem, _scene in examples]
    df = Counter(w for doc in docs for w in doc)
    # a stem in every example of the domain says nothing about which one is nearer
    idf = {w: math.log((1 + len(docs)) / n) for w, n in df.items()}
    # a word the example's scene also uses names what is drawn ("spring", "pendulum",
    # "tangent", "bar"): it counts twice
    drawn = [_stems(json.dumps(scene)) for _problem, scene in examples]
    weights = [{w: 2.0 if w in shown else 1.0 for w in doc} for doc, shown in zip(docs, drawn)]
    return weights, idf


def nearest_example(domain: str, question: str) -> Example | None:
    """The worked example of ``domain`` whose problem shares the most telling words with
    ``question`` (the first example when none shares any); None for a domain without one."""
    examples = EXAMPLES.get(domain)
    if not examples:
        return None
    weights, idf = _bank(domain)
    words = _stems(question)
    scores = [sum(idf[w] * doc[w] for w in words & doc.keys()) for doc in weights]
    best = max(range(len(examples)), key=lambda i: (scores[i], -i))
    return examples[best]
