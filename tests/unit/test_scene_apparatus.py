"""Apparatus scenes (sciray.scene.apparatus): real SciGenBench problems (cells, membranes,
titrations, lab vessels, chains of stages, food webs) render faithfully, random scenes never
overlap or leave the canvas, invalid scenes are refused with the field named, and nothing but
the scene's own texts is drawn."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.apparatus import ApparatusScene
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # webinstruct-1567291: burette of NaOH over 20 mL of 0.1011 M HCl, readings 1.14 and 22.37
    "webinstruct-1567291": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "titration",
                "titrant": ["NaOH"],
                "analyte": ["20 mL HCl", "0.1011 M", "phenolphthalein"],
                "readings": ["initial 1.14 mL", "final 22.37 mL"],
            }
        ],
    },
    # webinstruct-758293: 25.0 mL of 0.100 M HF titrated with 0.100 M NaOH
    "webinstruct-758293": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "titration",
                "titrant": ["NaOH", "0.100 M"],
                "analyte": ["25.0 mL HF", "0.100 M"],
                "readings": ["34.5 mL added"],
            }
        ],
        "notes": ["Ka(HF) = 7.2 × 10^-4"],
    },
    # webinstruct-1113816: digest, dilute to 50 mL, 1 mL aliquot to a second 50 mL tube
    "webinstruct-1113816": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "vessels",
                "vessels": [
                    {"shape": "balance", "name": "Soil sample", "lines": ["1.765 g"]},
                    {
                        "shape": "beaker",
                        "name": "Nitric acid",
                        "lines": ["30 mL"],
                        "transfer": "digested",
                    },
                    {"shape": "test_tube", "lines": ["50 mL"], "transfer": "transfer"},
                    {
                        "shape": "test_tube",
                        "lines": ["50 mL", "15 ppb Pb"],
                        "transfer": "1 mL aliquot",
                    },
                ],
            }
        ],
        "notes": ["Analysed by GFAA"],
    },
    # webinstruct-1613193: Na+ through an ion channel from inside to outside
    "webinstruct-1613193": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "membrane",
                "left": {"name": "Inside"},
                "right": {"name": "Outside"},
                "crossings": [{"species": "Na+", "to": "right", "label": "ion channel"}],
                "notes": ["ΔV = 65 mV"],
            }
        ],
        "notes": ["Channel: diameter 0.6 nm, length 14 nm, R = 10^9 Ω; open 1.0 ms"],
    },
    # megascience-367927: muscle cell, [Na+] 14 mM inside and 140 mM outside
    "megascience-367927": {
        "domain": "apparatus",
        "title": "Muscle cell",
        "parts": [
            {
                "kind": "membrane",
                "left": {"name": "Intracellular", "lines": ["[Na⁺] = 14 mM"]},
                "right": {"name": "Extracellular", "lines": ["[Na⁺] = 140 mM"]},
            }
        ],
    },
    # webinstruct-2045928: cells X and Y, GLUT-1 only on X, in 0.7 M glucose
    "webinstruct-2045928": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "cells",
                "cells": [
                    {
                        "name": "Cell X",
                        "inside": ["glucose 0.0 M", "solutes 0.7 M"],
                        "proteins": ["GLUT-1"],
                    },
                    {"name": "Cell Y", "inside": ["glucose 0.0 M", "solutes 0.7 M"]},
                ],
                "outside": ["0.7 M glucose solution"],
            }
        ],
    },
    # webinstruct-209337: a cylindrical E. coli cell, 2.1 μm by 1.1 μm, glucose 2.5 mM
    "webinstruct-209337": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "cells",
                "cells": [
                    {
                        "name": "E. coli",
                        "shape": "rod",
                        "inside": ["glucose 2.5 mM"],
                        "length": "2.1 μm",
                        "diameter": "1.1 μm",
                    }
                ],
            }
        ],
    },
    # webinstruct-714899: squid and small fish eaten by orange roughy, eaten by dolphin, shark
    "webinstruct-714899": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "food_web",
                "organisms": ["Squid", "Small fish", "Orange roughy", "Dolphin", "Shark"],
                "feeds": [
                    {"food": "Squid", "eater": "Orange roughy"},
                    {"food": "Small fish", "eater": "Orange roughy"},
                    {"food": "Orange roughy", "eater": "Dolphin"},
                    {"food": "Orange roughy", "eater": "Shark"},
                ],
            }
        ],
    },
    # megascience-295027: the life cycle of Entamoeba invadens
    "megascience-295027": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "chain",
                "stages": ["Mature cyst (4 nuclei)", "Reptile host", "Trophozoite"],
                "steps": ["Ingestion", "Excystation", "Encystation"],
                "cycle": True,
            }
        ],
    },
    # megascience-366378: solutions A and B across a membrane permeable to Ca2+ only
    "megascience-366378": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "membrane",
                "left": {"name": "Solution A", "lines": ["10 mM CaCl₂"]},
                "right": {"name": "Solution B", "lines": ["1 mM CaCl₂"]},
                "crossings": [{"species": "Ca²⁺", "to": "both", "via": "membrane"}],
                "notes": ["permeable to Ca²⁺", "impermeable to Cl⁻"],
            }
        ],
        "notes": ["2.3 RT/F = 60 mV"],
    },
    # webinstruct-341210: AgNO3 and HI, 50.0 mL each, combined in a coffee-cup calorimeter
    "webinstruct-341210": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "vessels",
                "vessels": [
                    {"shape": "beaker", "name": "AgNO3", "lines": ["50.0 mL", "5.00 × 10^-2 M"]},
                    {"shape": "beaker", "name": "HI", "lines": ["50.0 mL", "5.00 × 10^-2 M"]},
                    {
                        "shape": "calorimeter",
                        "name": "Coffee-cup calorimeter",
                        "lines": ["22.40 °C → 22.91 °C"],
                        "transfer": "combined",
                    },
                ],
            }
        ],
        "notes": [
            "AgNO3(aq) + HI(aq) → AgI(s) + HNO3(aq)",
            "density 1.00 g/mL,  Cs = 4.18 J/(g·°C)",
        ],
    },
    # webinstruct-1951442: four beakers of water, a different metal dropped in each
    "webinstruct-1951442": {
        "domain": "apparatus",
        "parts": [
            {
                "kind": "vessels",
                "vessels": [
                    {"shape": "beaker", "name": "Aluminum", "lines": ["c = 0.89 J/g °C"]},
                    {"shape": "beaker", "name": "Iron", "lines": ["c = 0.45 J/g °C"]},
                    {"shape": "beaker", "name": "Copper", "lines": ["c = 0.20 J/g °C"]},
                    {"shape": "beaker", "name": "Lead", "lines": ["c = 0.14 J/g °C"]},
                ],
            }
        ],
        "notes": ["Each beaker: 100.0 g water at 25.0 °C", "Each metal: 10.0 g at 95.0 °C"],
    },
}

# the problems' own text, answer and image type (SciGenBench)
PROBLEMS = {
    "webinstruct-1567291": (
        (
            "A burette is partially filled with NaOH solution, to a volume of 1.14mL.\n\nA 20 m"
            "L sample of 0.1011 M HCl is titrated to a faint pink phenolphthalein endpoint.\n\n"
            "The final burette reading is 22.37mL. What is the molarity of the NaOH solution?"
        ),
        ("1.037 M"),
        "Universal - Exp. Setup",
    ),
    "webinstruct-758293": (
        (
            "A  {eq}25.0 \\ mL\n\n{/eq} sample of  {eq}0.100 \\ M \\ HF\n\n{/eq} is titrated with  {"
            "eq}0.100 \\ M \\ NaOH\n\n{/eq}. What is the  {eq}pH\n\n{/eq} after  {eq}34.5 \\ mL\n\n{/e"
            "q} of  {eq}NaOH\n\n{/eq} is added? The  {eq}K_a\n\n{/eq} for  {eq}HF\n\n{/eq} is  {eq}"
            "7.2 \\times 10^{-4}.\n\n{/eq}"
        ),
        ("12.2"),
        "Universal - Exp. Setup",
    ),
    "webinstruct-1113816": (
        (
            "A soil sample was analyzed for lead. A {eq}\\rm\n\n1.765\n\n{/eq} gram sample was mic"
            "rowave digested with {eq}\\rm\n\n30\\ mL\n\n{/eq} of nitric acid. The resulting soluti"
            "on was quantitatively transferred to a {eq}\\rm\n\n50\\ mL\n\n{/eq} graduated tube and"
            " filled to the {eq}\\rm\n\n50\\ mL\n\n{/eq} mark. A {eq}\\rm\n\n1\\ mL\n\n{/eq} aliquot of t"
            "he diluted digestate was then added to a separate {eq}\\rm\n\n50\\ mL\n\n{/eq} graduat"
            "ed tube and filled to the {eq}\\rm\n\n50\\ mL\n\n{/eq} mark. The sample was analyzed b"
            "y GFAA and found to contain {eq}\\rm 15\\ ppb\n\n{/eq} of lead. How many {eq}\\rm\n\n\\m"
            "u g/g\n\n{/eq} of lead are in this soil sample?"
        ),
        ("21.2 {eq}\\rm \\mu g/g {/eq}"),
        "Universal - Exp. Setup",
    ),
    "webinstruct-1613193": (
        (
            "Cell membranes contain openings called ion channels that allow ions to move from"
            " the inside of the cell to the outside. Consider an ion channel with a diameter "
            "of 0.6 nm and a length of 14 nm with R = 109 {eq}\\Omega\n\n{/eq}. During an action"
            " potential, this channel is open for approximately 1.0 ms for the flow of Na+ io"
            "ns with a potential difference across the cell membrane of about 65 mV. How many"
            " Na+ ions travel through the channel?"
        ),
        ("3.73e12"),
        "Biology - Cell Diagram",
    ),
    "megascience-367927": (
        (
            "What is the equilibrium potential for Na⁺ in a muscle cell with an intracellular"
            " [Na⁺] of 14 mM and an extracellular [Na⁺] of 140 mM?"
        ),
        ("+60 \\, \\text{mV}"),
        "Biology - Cell Diagram",
    ),
    "webinstruct-2045928": (
        (
            "Two cells have an initial internal glucose concentration of 0.0 M. Both cells ha"
            "ve 0.7 M internal concentrations of osmotically active solutes (non-glucose). Ce"
            "ll X has GLUT-1 glucose facilitated transport proteins on its plasma membrane wh"
            "ile Cell Y does not. You place both cells in separate 0.7 M solutions of glucose"
            ", what will happen to the two cells?\n\nA. Both Cell X and Cell Y will remain the "
            "same size.\n\nB. Cell X will expand while Cell Y remains the same size.\n\nC. Cell X"
            " will expand while Cell Y shrinks.\n\nD. Cell X will remain the same size while Ce"
            "ll Y shrinks.\n\nE. Cell X will shrink while Cell Y will remain the same size."
        ),
        ("B"),
        "Biology - Cell Diagram",
    ),
    "webinstruct-209337": (
        (
            "If the concentration of glucose inside an E. coli cell is 2.5 mM, how many gluco"
            "se molecules are in the cell? Assume an E. coli cell to be a cylinder 2.1 microm"
            "eters long and 1.1 micrometers in diameter."
        ),
        ("3.0e6 molecules"),
        "Biology - Cell Diagram",
    ),
    "webinstruct-714899": (
        (
            "An orange roughy fish eats squid and small fish. It also is eaten by predators l"
            "ike dolphins and sharks. Where would the orange roughy most likely appear on a f"
            "ood web?\n \n\nA. It is a primary producer because it provides food for the dolphin"
            "s and sharks.\nB. It is a tertiary consumer because most of the things it eats ar"
            "e secondary producers.\nC. It is a secondary consumer because it eats two types o"
            "f things.\nD. It is a primary consumer because it has both predators and prey."
        ),
        ("B"),
        "Biology - Ecological",
    ),
    "megascience-295027": (
        ("What is the life cycle of *Entamoeba invadens*, a protozoan that infects reptiles?"),
        (
            "The trophozoite stage lives in the intestine, reproduces, and forms cysts, which"
            " are passed in feces and ingested to continue the cycle."
        ),
        "Biology - Ecological",
    ),
    "megascience-366378": (
        (
            "Solutions A and B are separated by a membrane that is permeable to Ca²⁺ and impe"
            "rmeable to Cl⁻. Solution A contains 10 mM CaCl₂, and solution B contains 1 mM Ca"
            "Cl₂. Assuming that 2.3 RT/F = 60 mV, Ca²⁺ will be at electrochemical equilibrium"
            " when:\n(A) solution A is +60 mV  \n(B) solution A is +30 mV  \n(C) solution A is –"
            "60 mV  \n(D) solution A is –30 mV  \n(E) solution A is +120 mV  \n(F) solution A is"
            " –120 mV  \n(G) the Ca²⁺ concentrations of the two solutions are equal  \n(H) the "
            "Cl⁻ concentrations of the two solutions are equal"
        ),
        ("D"),
        "Biology - Molecular Process",
    ),
    "webinstruct-341210": (
        (
            "The addition of hydroiodic acid to a silver nitrate solution precipitates silver"
            " iodide according to the reaction:\n\nAgNO3(aq)+HI(aq)-->AgI(s)+HNO3(aq)\n\nWhen 50."
            "0 mL of 5.00* 10-2M AgNO3 is combined with 50.0 mL of 5.00* 10-2M HI in a coffee"
            "-cup calorimeter, the temperature changes from 22.40 degree C to 22.91 degree C."
            "\n\nPart A\n\nCalculate delta Hrxn for the reaction as written. Use 1.00 g/mL as the"
            " density of the solution and Cs=4.18J/(g.degree C) as the specific heat capacity"
            " of the solution.\n\nExpress the energy to two significant figures and include the"
            " appropriate units."
        ),
        ("84kJ/mol"),
        "Universal - Exp. Setup",
    ),
    "webinstruct-1951442": (
        (
            "Consider four 100.0-g samples of water, each in a separate beaker at {eq}25.0\\;^"
            "{\\circ}C\n\n{/eq}. Into each beaker, you drop 10.0 g of a different metal that has"
            " been heated to {eq}95.0\\;^{\\circ}C\n\n{/eq}. Assuming no heat loss to the surroun"
            "dings, which water sample will have the highest final temperature? Explain your "
            "answer.\n\na. The water to which you have added aluminum ({eq}c=0.89\\;J/g\\;^{\\circ"
            "}C\n\n{/eq}).\n\nb. The water to which you have added iron ({eq}c=0.45\\;J/g\\;^{\\circ"
            "}C\n\n{/eq}).\n\nc. The water to which you have added copper ({eq}c=0.20\\;J/g\\;^{\\ci"
            "rc}C\n\n{/eq}).\n\nd. The water to which you have added lead ({eq}c=0.14\\;J/g\\;^{\\ci"
            "rc}C\n\n{/eq}).\n\ne. Because the masses of the metals are the same, the final tempe"
            "ratures would be the same."
        ),
        ("a"),
        "Universal - Exp. Setup",
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


@pytest.mark.parametrize(
    "image_type",
    [
        "Biology - Cell Diagram",
        "Universal - Exp. Setup",
        "Biology - Molecular Process",
        "Biology - Ecological",
    ],
)
def test_routes_apparatus_types(image_type):
    assert route(image_type) == "apparatus"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, ApparatusScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    _, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    assert measured.size == [640, 480] or tuple(measured.size) == (640, 480)


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_exactly_its_labels(rendered, key):
    """Every stated label is drawn, and nothing else (no computed value)."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer, image_type = PROBLEMS[key]
    problem = Problem(id=key, question=question, answer=answer, image_type=image_type)
    report = run_checks(problem, rendered[key][2], rendered=True)
    if key == "megascience-366378":  # the answer options' potentials are not the figure's
        assert {g.text for g in report.missing} <= {"30", "-30", "120", "-120", "-60"}
    elif key == "webinstruct-341210":  # "5.00* 10-2M" is 5.00 × 10^-2; the checks read 5, 10, 2
        assert {g.text for g in report.missing} == {"5", "10", "2"}
    else:
        assert report.label_recall is None or report.label_recall >= 0.8, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_canonical_scenes_show_the_given_values(rendered):
    drawn = {k: {norm_text(t) for t in drawn_texts(m)} for k, (_, _, m) in rendered.items()}
    assert {"initial1.14mL", "final22.37mL", "0.1011M", "NaOH"} <= drawn["webinstruct-1567291"]
    assert {"1.765g", "30mL", "50mL", "1mLaliquot", "15ppbPb"} <= drawn["webinstruct-1113816"]
    assert {"[Na⁺]=14mM", "[Na⁺]=140mM"} <= drawn["megascience-367927"]
    assert {"2.1μm", "1.1μm", "glucose2.5mM"} <= drawn["webinstruct-209337"]
    assert {"Orangeroughy", "Squid", "Smallfish", "Dolphin", "Shark"} <= drawn["webinstruct-714899"]


def _centre(measured, text: str) -> tuple[float, float]:
    box = next(t.bbox for t in measured.texts if norm_text(t.text) == text)
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_food_web_puts_eaters_above_their_food(rendered):
    _, _, m = rendered["webinstruct-714899"]
    squid, roughy, shark = (_centre(m, t) for t in ("Squid", "Orangeroughy", "Shark"))
    # producers at the bottom: the eater's row lies between its food and its predators
    assert (squid[1] - roughy[1]) * (roughy[1] - shark[1]) > 0
    assert abs(squid[1] - shark[1]) > abs(squid[1] - roughy[1])


def test_titration_puts_the_titrant_above_the_analyte(rendered):
    _, _, m = rendered["webinstruct-1567291"]
    naoh, hcl = _centre(m, "NaOH"), _centre(m, "20mLHCl")
    assert naoh[1] < hcl[1]  # pixel rows grow downward: the burette's solution is higher
    # the stated readings sit left of the burette, the solutions right of it
    assert _centre(m, "initial1.14mL")[0] < naoh[0]


def test_membrane_sides_stay_on_their_sides(rendered):
    _, _, m = rendered["megascience-367927"]
    assert _centre(m, "[Na⁺]=14mM")[0] < 320 < _centre(m, "[Na⁺]=140mM")[0]
    assert _centre(m, "Intracellular")[0] < 320 < _centre(m, "Extracellular")[0]


def test_food_web_levels_follow_the_arrows():
    scene = parse_scene(CANONICAL["webinstruct-714899"])
    assert scene.parts[0].levels() == [0, 0, 1, 2, 2]


def test_nothing_unstated_is_drawn():
    """A membrane with concentrations stated draws no potential; a cell draws no volume; the
    dilution series draws no computed concentration."""
    for key in ("megascience-367927", "webinstruct-209337", "webinstruct-1113816"):
        _, measured = draw_and_measure(parse_scene(CANONICAL[key]))
        texts = {norm_text(t) for t in drawn_texts(measured)}
        assert not any(x in texts for x in ("60mV", "+60mV", "2.0μm³", "21.2", "0.3ppm"))
        assert texts == {norm_text(t) for t in parse_scene(CANONICAL[key]).labels()}


def test_lenient_null_texts_and_numbers():
    scene = ApparatusScene.model_validate(
        {
            "domain": "apparatus",
            "title": "none",
            "parts": [
                {
                    "kind": "cells",
                    "cells": [
                        {"name": "null", "inside": ["", "none", 2.5], "length": "", "diameter": 3}
                    ],
                },
                {
                    "kind": "chain",
                    "stages": ["DNA", "mRNA"],
                    "steps": ["null"],
                },
            ],
            "notes": "",
        }
    )
    assert scene.title is None
    assert scene.labels() == ["2.5", "3", "DNA", "mRNA"]


def test_mathtext_that_cannot_be_laid_out_is_drawn_escaped():
    data = {
        "domain": "apparatus",
        "title": r"$\frac{1}{$ broken",
        "parts": [
            {
                "kind": "membrane",
                "left": {"name": r"$A^{$", "lines": [r"$x_{$"]},
                "right": {"name": "B"},
                "crossings": [{"species": r"$\badcmd$", "to": "both"}],
            }
        ],
    }
    assert_draws_cleanly(ApparatusScene, data)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"parts": []}, "parts"),
        ({"parts": [{"kind": "microscope"}]}, "parts"),
        ({"parts": [{"kind": "chain", "stages": ["A"]}]}, "stages"),
        (
            {"parts": [{"kind": "chain", "stages": ["A", "B"], "steps": ["x", "y"]}]},
            "chain.steps",
        ),
        (
            {
                "parts": [
                    {
                        "kind": "food_web",
                        "organisms": ["Grass", "Rabbit"],
                        "feeds": [{"food": "Grass", "eater": "Fox"}],
                    }
                ]
            },
            "food_web.feeds",
        ),
        (
            {
                "parts": [
                    {
                        "kind": "food_web",
                        "organisms": ["A", "B"],
                        "feeds": [{"food": "A", "eater": "B"}, {"food": "B", "eater": "A"}],
                    }
                ]
            },
            "loop",
        ),
        (
            {
                "parts": [
                    {
                        "kind": "food_web",
                        "organisms": ["A", "a"],
                        "feeds": [{"food": "A", "eater": "a"}],
                    }
                ]
            },
            "food_web.organisms",
        ),
        ({"parts": [{"kind": "vessels", "vessels": [{"shape": "retort"}]}]}, "shape"),
        ({"parts": [{"kind": "titration", "titrant": [], "analyte": ["HCl"]}]}, "titrant"),
        (
            {
                "parts": [
                    {
                        "kind": "membrane",
                        "left": {"name": "in"},
                        "right": {"name": "out"},
                        "crossings": [{"species": "K+", "to": "up"}],
                    }
                ]
            },
            "to",
        ),
        ({"parts": [{"kind": "pyramid", "levels": [{"name": "P"}]}]}, "levels"),
        ({"parts": [{"kind": "cells", "cells": [{}], "colour": "red"}]}, "colour"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises(ValueError) as err:
        parse_scene({"domain": "apparatus", **data})
    assert field in str(err.value)
    with pytest.raises(ValidationError):
        ApparatusScene.model_validate({"domain": "apparatus", **data})


# ---------------------------------------------------------------------------------------------
# Random scenes
# ---------------------------------------------------------------------------------------------

_WORDS = ["Na+", "glucose 2.5 mM", "0.100 M NaOH", "$Ca^{2+}$", "Solution A", "Trophozoite",
          "RNA polymerase binds DNA", "25.0 mL", "x"]  # fmt: skip


def _w(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def _ws(rng: random.Random, most: int) -> list[str]:
    return [_w(rng) for _ in range(rng.randint(0, most))]


def _random_part(rng: random.Random) -> dict:
    kind = rng.choice(["cells", "membrane", "vessels", "titration", "chain", "food_web", "pyramid"])
    if kind == "cells":
        return {
            "kind": "cells",
            "cells": [
                {"name": rng.choice([None, "Cell X", "Neuron"]),
                 "shape": rng.choice(["round", "rod"]), "inside": _ws(rng, 3),
                 "organelles": rng.sample(["nucleus", "mitochondrion", "chloroplast", "ribosome"],
                                          rng.randint(0, 3)),
                 "proteins": _ws(rng, 2), "length": rng.choice([None, "2.1 μm"]),
                 "diameter": rng.choice([None, "1.1 μm"])}
                for _ in range(rng.randint(1, 3))
            ],
            "outside": _ws(rng, 2),
        }  # fmt: skip
    if kind == "membrane":
        return {
            "kind": "membrane",
            "left": {"name": _w(rng), "lines": _ws(rng, 3)},
            "right": {"name": _w(rng), "lines": _ws(rng, 3)},
            "crossings": [
                {"species": _w(rng)[:16], "to": rng.choice(["left", "right", "both"]),
                 "via": rng.choice(["channel", "pump", "carrier", "membrane"]),
                 "label": rng.choice([None, "Na+/K+ pump"])}
                for _ in range(rng.randint(0, 3))
            ],
            "notes": _ws(rng, 3),
        }  # fmt: skip
    if kind == "vessels":
        shapes = ["beaker", "flask", "test_tube", "cylinder", "calorimeter", "tank", "balance"]
        return {
            "kind": "vessels",
            "vessels": [
                {"shape": rng.choice(shapes), "name": rng.choice([None, "HCl", "Soil sample"]),
                 "lines": _ws(rng, 3), "transfer": rng.choice([None, "1 mL aliquot"])}
                for _ in range(rng.randint(1, 4))
            ],
        }  # fmt: skip
    if kind == "titration":
        return {"kind": "titration", "titrant": [_w(rng)] + _ws(rng, 2),
                "analyte": [_w(rng)] + _ws(rng, 2), "readings": _ws(rng, 3)}  # fmt: skip
    if kind == "chain":
        n = rng.randint(2, 8)
        cycle = rng.random() < 0.4
        return {"kind": "chain", "stages": [_w(rng) for _ in range(n)],
                "steps": [w[:24] for w in _ws(rng, n - 1)], "cycle": cycle}  # fmt: skip
    if kind == "food_web":
        names = rng.sample(["Grass", "Rabbit", "Fox", "Hawk", "Algae", "Krill", "Whale",
                            "Orange roughy", "Small fish"], rng.randint(2, 9))  # fmt: skip
        feeds = [{"food": names[i], "eater": names[j]}
                 for i in range(len(names)) for j in range(i + 1, len(names))
                 if rng.random() < 0.3][:14] or [{"food": names[0], "eater": names[1]}]  # fmt: skip
        return {"kind": "food_web",
                "organisms": [{"name": n, "value": rng.choice([None, "1000 kJ"])} for n in names],
                "feeds": feeds}  # fmt: skip
    return {"kind": "pyramid",
            "levels": [{"name": rng.choice(["Producers", "Primary consumers", "Hawks"]),
                        "value": rng.choice([None, "10000 kJ", "10 %"])}
                       for _ in range(rng.randint(2, 5))]}  # fmt: skip


def _random_scene(rng: random.Random) -> dict:
    n = rng.choice([1, 1, 2])
    for _ in range(30):  # two parts must each fit in half the canvas: draw until valid
        scene = {
            "domain": "apparatus",
            "title": rng.choice([None, "Coffee-cup calorimeter", "Transcription and translation"]),
            "parts": [_random_part(rng) for _ in range(n)],
            "notes": rng.choice([[], ["Ka = 7.2 × 10^-4"], ["T = 37 °C", "2.3 RT/F = 60 mV"]]),
        }
        try:
            ApparatusScene.model_validate(scene)
            return scene
        except ValidationError:
            continue
    return {"domain": "apparatus", "parts": [{"kind": "chain", "stages": ["A", "B"]}]}


@random_scenes(max_examples=20)
def test_random_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(ApparatusScene, _random_scene(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(CANONICAL["webinstruct-2045928"])
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_a_magnification_is_no_cell_size():
    # seed 30: "viewed at 1,000× magnification" written as the cell's length "1000"
    scene = parse_scene(
        {
            "domain": "apparatus",
            "parts": [
                {"kind": "cells", "cells": [{"name": "cell", "length": "1000", "diameter": "4 μm"}]}
            ],
        }
    )
    question = "A smear viewed at 1,000× magnification shows one large mononuclear cell."
    (cell,) = scene.aligned_to(question).parts[0].cells
    assert (cell.length, cell.diameter) == (None, "4 μm")
    (kept,) = scene.aligned_to("A cell 1000 nm long.").parts[0].cells
    assert kept.length == "1000"
