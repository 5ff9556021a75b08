"""One worked example per scene domain, written by us, that the scene prompt shows the model.

Small models copy the shape of an example far more reliably than they read a schema: without
one, a 1.5B coder answers ``{"domain": "plot"}`` and nothing else. The problems are made up for
this purpose (none is a SciGenBench problem) and each scene is short; tests check that every
example validates, renders and passes the checks.
"""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
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
"""domain -> (a problem, the scene a model should write for it)."""
