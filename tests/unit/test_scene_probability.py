"""Sets and probability scenes (sciray.scene.probability): real SciGenBench problems render
faithfully (Venn, trees, urns, grids, cards), random scenes never overlap or leave the canvas,
invalid scenes are refused with the field named, and nothing but the scene's own texts is
drawn (no computed region count, complement probability or product)."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.measure import draw_and_measure
from sciray.scene.probability import ProbabilityScene, _parse_region, _share
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # amthinking-312812: 500 students, 120 own cats, 200 own dogs, 40 own both
    "amthinking-312812": {
        "domain": "probability",
        "parts": [
            {
                "kind": "venn",
                "universe": "500 students",
                "sets": [{"name": "Cats", "total": "120"}, {"name": "Dogs", "total": "200"}],
                "regions": [{"region": "Cats&Dogs", "label": "40"}],
            }
        ],
    },
    # amthinking-190538: a binary channel as a two-stage tree
    "amthinking-190538": {
        "domain": "probability",
        "parts": [
            {
                "kind": "tree",
                "stages": ["Sent", "Received"],
                "branches": [
                    {
                        "outcome": "0",
                        "p": "0.6",
                        "then": [{"outcome": "1", "p": "0.1"}, {"outcome": "0"}],
                    },
                    {
                        "outcome": "1",
                        "p": "0.4",
                        "then": [{"outcome": "0", "p": "0.2"}, {"outcome": "1"}],
                    },
                ],
            }
        ],
    },
    # webinstruct-253005: three symbols sent, each received as 0, 1 or 2
    "webinstruct-253005": {
        "domain": "probability",
        "parts": [
            {
                "kind": "tree",
                "stages": ["Sent", "Received"],
                "branches": [
                    {
                        "outcome": "0",
                        "p": "0.3",
                        "then": [
                            {"outcome": "1", "p": "0.2"},
                            {"outcome": "2", "p": "0.1"},
                            {"outcome": "0"},
                        ],
                    },
                    {
                        "outcome": "1",
                        "p": "0.4",
                        "then": [
                            {"outcome": "0", "p": "0.2"},
                            {"outcome": "2", "p": "0.1"},
                            {"outcome": "1"},
                        ],
                    },
                    {
                        "outcome": "2",
                        "p": "0.3",
                        "then": [
                            {"outcome": "0", "p": "0.2"},
                            {"outcome": "1", "p": "0.1"},
                            {"outcome": "2"},
                        ],
                    },
                ],
            }
        ],
        "notes": ["A: 1 is received,  B: 1 is sent"],
    },
    # amthinking-488468: two strategies with their chances and returns
    "amthinking-488468": {
        "domain": "probability",
        "title": "Investment: $100,000",
        "parts": [
            {
                "kind": "tree",
                "branches": [
                    {
                        "outcome": "Strategy A",
                        "then": [
                            {"outcome": "15% return", "p": "70%"},
                            {"outcome": "5% return", "p": "30%"},
                        ],
                    },
                    {
                        "outcome": "Strategy B",
                        "then": [
                            {"outcome": "20% return", "p": "50%"},
                            {"outcome": "0% return", "p": "50%"},
                        ],
                    },
                ],
            }
        ],
    },
    # amthinking-485395: 5 red, 4 white, 3 blue marbles; red, white, blue drawn in turn
    "amthinking-485395": {
        "domain": "probability",
        "parts": [
            {
                "kind": "urns",
                "containers": [
                    {
                        "name": "Bag",
                        "shape": "bag",
                        "balls": [
                            {"color": "red", "count": 5},
                            {"color": "white", "count": 4},
                            {"color": "blue", "count": 3},
                        ],
                    }
                ],
                "drawn": ["red", "white", "blue"],
            }
        ],
        "notes": ["3 marbles drawn without replacement"],
    },
    # webinstruct-702972: a 2x2 payoff matrix
    "webinstruct-702972": {
        "domain": "probability",
        "parts": [
            {
                "kind": "grid",
                "rows": ["U", "D"],
                "cols": ["L", "R"],
                "cells": [["0,0", "3,1"], ["1,3", "0,0"]],
            }
        ],
    },
    # amthinking-61931: a deck of 52 cards in four suits of 13
    "amthinking-61931": {
        "domain": "probability",
        "parts": [
            {"kind": "cards", "faces": ["♥", "♦", "♠", "♣"], "caption": "52 cards: 4 suits of 13"}
        ],
    },
    # webinstruct2_2-2007822: urns A and B with 3 red and 2 green balls, and P
    "webinstruct2_2-2007822": {
        "domain": "probability",
        "parts": [
            {
                "kind": "urns",
                "containers": [
                    {"name": "Urn A", "shape": "urn", "balls": [{"color": "red", "count": 3}]},
                    {"name": "Urn B", "shape": "urn", "balls": [{"color": "green", "count": 2}]},
                ],
            },
            {
                "kind": "grid",
                "corner": "P",
                "rows": ["0", "1", "2"],
                "cols": ["0", "1", "2"],
                "cells": [["0", "2/3", "1/3"], ["1/3", "2/3", "0"], ["1", "0", "0"]],
            },
        ],
        "notes": ["$X_0 = 2$"],
    },
}


PROBLEMS = {
    "amthinking-312812": (
        "In a high school, 500 students participated in a survey to determine pet "
        "ownership. It was found that 120 students own cats, and 200 students own dogs. "
        "Moreover, 40 students own both cats and dogs. What percent of the students own "
        "only cats?",
        "\\boxed{16\\%}",
    ),
    "amthinking-190538": (
        "As a dedicated electrical engineering teaching assistant, you often help "
        "students understand complex concepts through practical examples. One of your "
        "students is struggling with the concept of probability in the context of signal "
        "processing. To help them, you decide to create a challenging problem that "
        "combines probability with signal processing.\n\n**Problem:**\n\nIn a digital "
        "communication system, a signal is transmitted through a noisy channel. The "
        "signal can be either a 0 or a 1. The probability of the signal being a 0 is 0.6, "
        "and the probability of it being a 1 is 0.4. The channel introduces errors, and "
        "the probability of a 0 being flipped to a 1 is 0.1, while the probability of a 1 "
        "being flipped to a 0 is 0.2.\n\n1. Calculate the probability that a received "
        "signal is a 1, given that the transmitted signal was a 0.\n2. Given that the "
        "received signal is a 1, what is the probability that the transmitted signal was "
        "actually a 1?",
        "### Final Answers:\n1. \\(\\boxed{0.1}\\)  \n2. \\(\\boxed{\\dfrac{16}{19}}\\)",
    ),
    "amthinking-485395": (
        "A bag contains 5 red marbles, 4 white marbles, and 3 blue marbles. Three marbles "
        "are drawn sequentially without replacement. What is the probability that the "
        "first marble is red, the second marble is white, and the third marble is blue?",
        "\\boxed{\\frac{1}{22}}",
    ),
    "webinstruct-702972": (
        "Find all Nash equilibria of the following game:\n\n  L R\nU0,0 3,1\nD1, 30,0",
        "(U, R), (D, L)",
    ),
    "amthinking-61931": (
        "In a standard deck of 52 cards, which is divided into 4 suits with 13 cards "
        "each, two suits (hearts and diamonds) are red, while the other two suits (spades "
        "and clubs) are black. The cards are randomly ordered through shuffling. What is "
        "the probability that the first two cards drawn from the deck are both red?",
        "\\boxed{\\frac{25}{102}}",
    ),
    "amthinking-488468": (
        "A loyal reader in their early 50s has been following a financial advisor’s "
        "articles for several years, actively applying the advice to manage their "
        "retirement savings. They are considering two investment strategies for their "
        "retirement fund, each with different probabilities of success and potential "
        "returns.\n\n1. Strategy A has a 70% chance of yielding a 15% return and a 30% "
        "chance of yielding a 5% return.\n2. Strategy B has a 50% chance of yielding a 20% "
        "return and a 50% chance of yielding a 0% return.\n\nGiven that the reader has a "
        "total of $100,000 to invest, and they want to maximize their expected return, "
        "which strategy should they choose, and what is the expected return for that "
        "strategy? Additionally, if they decide to split their investment equally between "
        "the two strategies, what is the overall expected return on their total "
        "investment?",
        (
            "### Final Answers:\n- Strategy to choose: \\(\\boxed{A}\\)\n"
            "- Expected return for Strategy A: \\(\\boxed{12\\%}\\)\n"
            "- Overall expected return when splitting equally: \\(\\boxed{11\\%}\\)"
        ),
    ),
    "webinstruct2_2-2007822": (
        "In the two urns A and B there are three red balls and two green balls. One ball "
        "is drawn from the urn containing three balls and it is placed in the other urn. "
        "Define, Xn= the number of green balls in the urn that after n draws contains two "
        "balls, n=1,2,... X0=2 b) Determine the initial probabilities and the transition "
        "matrix P. So the transition matrix is: P=[ 0 (2/3) (1/3); (1/3) (2/3) 0; (1) 0 "
        "0] But why? I read the matrix such as, lets say I have Xn=2, two green balls in "
        "urn B and go to state Xn=0, in other words p20 to p00, how can i start with two "
        "green balls in urn B and by taking one ball from urn A end up with 0 green balls "
        "in urn B with one draw?",
        "P=[ 0 (2/3) (1/3); (1/3) (2/3) 0; (1) 0 0]",
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


def test_routes_probability_type():
    assert route("Math - Set & Probability") == "probability"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, ProbabilityScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    assert 400 <= measured.size[0] <= 1000 and 300 <= measured.size[1] <= 800


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_exactly_its_labels(rendered, key):
    """Every stated label is drawn, and nothing else: no computed region, product or
    complement."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(
        id=key, question=question, answer=answer, image_type="Math - Set & Probability"
    )
    report = run_checks(problem, rendered[key][2], rendered=True)
    if key == "webinstruct-702972":  # "D1, 30,0" is (1,3) and (0,0); the checks read a 30
        assert [g.text for g in report.missing] == ["30"]
    else:
        assert report.label_recall is None or report.label_recall >= 0.8, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_canonical_scenes_show_the_given_values(rendered):
    drawn = {k: {norm_text(t) for t in drawn_texts(m)} for k, (_, _, m) in rendered.items()}
    assert {"Cats(120)", "Dogs(200)", "40", "500students"} <= drawn["amthinking-312812"]
    assert {"0.6", "0.4", "0.1", "0.2", "Sent", "Received"} <= drawn["amthinking-190538"]
    assert {"5red", "4white", "3blue"} <= drawn["amthinking-485395"]
    assert {"U", "D", "L", "R", "0,0", "3,1", "1,3"} <= drawn["webinstruct-702972"]
    assert {"2/3", "1/3", "UrnA", "UrnB", "3red", "2green"} <= drawn["webinstruct2_2-2007822"]


def _centre(measured, text: str) -> tuple[float, float]:
    box = next(t.bbox for t in measured.texts if norm_text(t.text) == text)
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_tree_reads_left_to_right(rendered):
    """Each stage lies right of the one before; a branch's probability sits between them."""
    _, _, m = rendered["amthinking-488468"]
    a, ret, p = _centre(m, "StrategyA"), _centre(m, "15%return"), _centre(m, "70%")
    assert a[0] < p[0] < ret[0]


def test_venn_intersection_label_sits_between_the_set_names(rendered):
    _, _, m = rendered["amthinking-312812"]
    cats, dogs, both = (_centre(m, t) for t in ("Cats(120)", "Dogs(200)", "40"))
    assert cats[0] < both[0] < dogs[0]


def test_region_names_are_read_by_membership():
    names = ["Cats", "Dogs", "C"]
    assert _parse_region("Cats only", names) == frozenset({"Cats"})
    assert _parse_region("cats&dogs", names) == frozenset({"Cats", "Dogs"})
    assert _parse_region("Cats ∩ Dogs ∩ C", names) == frozenset(names)
    assert _parse_region("none", names) == frozenset()
    assert _parse_region("Birds", names) is None


def test_sector_shares_are_read_as_stated():
    assert _share("1/4") == 0.25
    assert _share("25%") == 0.25
    assert _share("90°") == 0.25
    assert _share("0.25") == 0.25
    assert _share("abc") is None


def test_unstated_venn_regions_stay_empty():
    """Only the stated intersection is written: "Cats only" (80) is never computed."""
    scene = parse_scene(json.dumps(CANONICAL["amthinking-312812"]))
    _, measured = draw_and_measure(scene)
    texts = {norm_text(t) for t in drawn_texts(measured)}
    assert "80" not in texts and "160" not in texts and "260" not in texts


def test_unstated_tree_probabilities_are_not_filled_in():
    scene = parse_scene(json.dumps(CANONICAL["amthinking-190538"]))
    _, measured = draw_and_measure(scene)
    texts = {norm_text(t) for t in drawn_texts(measured)}
    assert "0.9" not in texts and "0.8" not in texts  # complements the problem leaves unstated
    assert not any(t in texts for t in ("0.06", "0.54", "0.08", "0.32"))  # products


def test_lenient_null_texts():
    scene = ProbabilityScene.model_validate(
        {
            "domain": "probability",
            "title": "none",
            "parts": [
                {
                    "kind": "tree",
                    "root": "null",
                    "branches": [{"outcome": "H", "p": "", "result": "none"}],
                },
                {
                    "kind": "venn",
                    "universe": "",
                    "sets": [{"name": "A", "total": "null"}, {"name": "B"}],
                },
            ],
        }
    )
    assert scene.title is None
    assert scene.labels() == ["H", "A", "B"]


def test_a_bare_set_name_region_is_the_sets_size():
    """{"region": "Cats", "label": "120"} states how many own cats, not how many own only
    cats: it is drawn as the set's size, never in the "Cats only" region."""
    scene = ProbabilityScene.model_validate(
        {
            "domain": "probability",
            "parts": [
                {
                    "kind": "venn",
                    "sets": [{"name": "Cats"}, {"name": "Dogs"}],
                    "regions": [
                        {"region": "Cats", "label": "120"},
                        {"region": "cats&dogs", "label": "40"},
                    ],
                }
            ],
        }
    )
    venn = scene.parts[0]
    assert venn.sets[0].total == "120"
    assert [r.label for r in venn.regions] == ["40"]
    assert scene.labels() == ["Cats (120)", "Dogs", "40"]


def test_numbers_written_as_numbers_are_read_as_texts():
    scene = ProbabilityScene.model_validate(
        {
            "domain": "probability",
            "parts": [
                {"kind": "tree", "branches": [{"outcome": "H", "p": 0.5}, {"outcome": "T"}]},
                {"kind": "grid", "rows": [1, 2], "cols": ["a"], "cells": [[0.25], [3]]},
            ],
        }
    )
    assert scene.labels() == ["H", "0.5", "T", "1", "2", "a", "0.25", "3"]


def test_mathtext_that_cannot_be_laid_out_is_drawn_escaped():
    data = {
        "domain": "probability",
        "title": r"$\frac{1}{$ broken",
        "parts": [
            {
                "kind": "tree",
                "branches": [{"outcome": r"$\badcmd{A}$", "p": r"$\frac{1}{3$"}, {"outcome": "B"}],
            },
            {
                "kind": "venn",
                "sets": [{"name": r"$A^{$"}, {"name": "B"}],
                "regions": [{"region": "none", "label": r"$x_{$"}],
            },
        ],
    }
    assert_draws_cleanly(ProbabilityScene, data)


def test_dice_pips_are_not_text_and_cards_are():
    scene = ProbabilityScene.model_validate(
        {
            "domain": "probability",
            "parts": [{"kind": "dice", "faces": ["3", "6"]}, {"kind": "cards", "faces": ["K♥"]}],
        }
    )
    assert scene.labels() == ["K♥"]
    _, measured = draw_and_measure(scene)
    assert [t for t in drawn_texts(measured)] == ["K♥"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"parts": []}, "parts"),
        ({"parts": [{"kind": "pie"}]}, "parts"),
        ({"parts": [{"kind": "venn", "sets": [{"name": "A"}]}]}, "sets"),
        (
            {
                "parts": [
                    {
                        "kind": "venn",
                        "sets": [{"name": "A"}, {"name": "B"}],
                        "regions": [{"region": "A&C", "label": "3"}],
                    }
                ]
            },
            "venn.regions",
        ),
        (
            {"parts": [{"kind": "venn", "sets": [{"name": "A"}, {"name": "a"}]}]},
            "venn.sets",
        ),
        (
            {
                "parts": [
                    {
                        "kind": "venn",
                        "sets": [{"name": "A"}, {"name": "B"}],
                        "regions": [
                            {"region": "A only", "label": "3"},
                            {"region": "only A", "label": "4"},
                        ],
                    }
                ]
            },
            "listed twice",
        ),
        (
            {
                "parts": [
                    {
                        "kind": "spinner",
                        "sectors": [{"label": "A", "share": "3/4"}, {"label": "B", "share": "1/2"}],
                    }
                ]
            },
            "spinner.sectors",
        ),
        (
            {
                "parts": [
                    {
                        "kind": "tree",
                        "branches": [
                            {
                                "outcome": "H",
                                "then": [
                                    {"outcome": "H", "then": [{"outcome": c} for c in "abcd"]}
                                    for _ in range(4)
                                ],
                            },
                            {"outcome": "T", "then": [{"outcome": "x"}]},
                        ],
                    }
                ]
            },
            "tree.branches",
        ),
        (
            {"parts": [{"kind": "grid", "rows": ["a"], "cells": [["1"], ["2"]]}]},
            "grid.cells",
        ),
        ({"parts": [{"kind": "grid"}]}, "grid"),
        (
            {
                "parts": [
                    {"kind": "urns", "containers": [{"balls": [{"color": "red", "count": 99}]}]}
                ]
            },
            "count",
        ),
        ({"parts": [{"kind": "dice", "faces": ["1"] * 9}]}, "faces"),
        ({"parts": [{"kind": "coins", "faces": ["H"]}], "colour": "red"}, "colour"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises(ValueError) as err:
        parse_scene({"domain": "probability", **data})
    assert field in str(err.value)
    with pytest.raises(ValidationError):
        ProbabilityScene.model_validate({"domain": "probability", **data})


# ---------------------------------------------------------------------------------------------
# Random scenes
# ---------------------------------------------------------------------------------------------

_WORDS = ["Red", "Blue", "Sent 0", "Defective", "Good demand", "H", "T", "Pass", "$A^c$", "Win"]
_PROBS = ["0.3", "1/3", r"$\frac{2}{7}$", "40%", "0.125", "p", "1-p", None]


def _leaf(rng: random.Random, depth: int, last: int) -> dict:
    out = {"outcome": rng.choice(_WORDS), "p": rng.choice(_PROBS)}
    if depth < last:
        out["then"] = [
            _leaf(rng, depth + 1, last) for _ in range(rng.randint(2, 3 if depth else 4))
        ]
    elif rng.random() < 0.4:
        out["result"] = rng.choice(["RR: 9/25", "$2.5 million", "0.06", "Lose"])
    return out


def _random_tree(rng: random.Random) -> dict:
    for _ in range(20):
        last = rng.randint(1, 3)
        tree = {
            "kind": "tree",
            "root": rng.choice([None, "Start", "Tire blowout"]),
            "stages": rng.choice([[], ["1st draw", "2nd draw", "3rd draw"][:last]]),
            "branches": [_leaf(rng, 1, last) for _ in range(rng.randint(1, 3))],
        }
        try:
            ProbabilityScene.model_validate({"domain": "probability", "parts": [tree]})
            return tree
        except ValidationError:
            continue
    return {"kind": "tree", "branches": [{"outcome": "H"}, {"outcome": "T"}]}


def _random_venn(rng: random.Random) -> dict:
    names = rng.sample(["A", "B", "C", "Cats", "Dogs", "Football", "Music lovers"], 3)
    names = names[: rng.choice([2, 3])]
    combos = [f"{n} only" for n in names] + ["&".join(names[:2]), "&".join(names), "none"]
    combos = list(dict.fromkeys(combos))
    regions = [
        {"region": r, "label": rng.choice(["12", "x", "40", "2x+1", None]),
         "shade": rng.random() < 0.3}
        for r in rng.sample(combos, rng.randint(0, len(combos)))
    ]  # fmt: skip
    return {
        "kind": "venn",
        "universe": rng.choice([None, "U", "500 students"]),
        "sets": [{"name": n, "total": rng.choice([None, "120", "35"])} for n in names],
        "regions": regions,
    }


def _random_grid(rng: random.Random) -> dict:
    n_r, n_c = rng.randint(1, 6), rng.randint(1, 6)
    cells = rng.choice(["none", "some", "all"])
    return {
        "kind": "grid",
        "corner": rng.choice([None, "Die 1 \\ Die 2", "P"]),
        "rows": [str(i + 1) for i in range(n_r)],
        "cols": [rng.choice(["L", "R", "10", "Dropped"]) for _ in range(n_c)],
        "cells": []
        if cells == "none"
        else [
            [rng.choice(["", "(1,1)", "7", "1/3", "0,0"]) for _ in range(n_c)] for _ in range(n_r)
        ],
    }


def _random_other(rng: random.Random) -> dict:
    kind = rng.choice(["urns", "spinner", "dice", "coins", "cards"])
    if kind == "urns":
        return {
            "kind": "urns",
            "containers": [
                {
                    "name": rng.choice([None, "Urn A", "Box 2"]),
                    "shape": rng.choice(["bag", "urn", "box", "jar"]),
                    "balls": [
                        {"color": rng.choice(["red", "white", "green", "teal"]),
                         "count": rng.randint(0, 12)}
                        for _ in range(rng.randint(0, 3))
                    ],
                }
                for _ in range(rng.randint(1, 3))
            ],
            "drawn": [rng.choice(["red", "blue"]) for _ in range(rng.randint(0, 3))],
        }  # fmt: skip
    if kind == "spinner":
        n = rng.randint(2, 8)
        share = rng.choice([None, None, "1/8", "10%"])
        return {
            "kind": "spinner",
            "sectors": [
                {"label": rng.choice(["1", "Red", "Lose", "A"]), "share": share,
                 "color": rng.choice([None, "red", "yellow"])}
                for _ in range(n)
            ],
        }  # fmt: skip
    faces = {"dice": ["", "1", "5", "6"], "coins": ["H", "T", ""], "cards": ["K♥", "10♠", "A"]}
    return {
        "kind": kind,
        "faces": [rng.choice(faces[kind]) for _ in range(rng.randint(1, 5))],
        "caption": rng.choice([None, "52 cards: 4 suits of 13", "two fair dice"]),
    }


def _random_scene(rng: random.Random) -> dict:
    makers = [_random_tree, _random_venn, _random_grid, _random_other]
    n = rng.choice([1, 1, 2])
    for _ in range(30):  # two parts must each fit in about half the canvas
        scene = {
            "domain": "probability",
            "title": rng.choice([None, "Two draws without replacement"]),
            "parts": [rng.choice(makers)(rng) for _ in range(n)],
            "notes": rng.choice([[], ["P(A) = 0.3"], ["A: 1 is received", "B: 1 is sent"]]),
        }
        try:
            ProbabilityScene.model_validate(scene)
            return scene
        except ValidationError:
            continue
    return {**scene, "parts": scene["parts"][:1]}


@random_scenes(max_examples=20)
def test_random_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(ProbabilityScene, _random_scene(rng))


@random_scenes(max_examples=10)
def test_random_trees_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(ProbabilityScene, {"domain": "probability", "parts": [_random_tree(rng)]})


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-253005"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


GLASS = (
    "Find the probability that the mean of 56 families will be between 16.6 and 17.6 pounds, "
    "given that the American family generated an average of 17.2 pounds of glass garbage each "
    "year with a standard deviation of 2.5 pounds."
)


def test_a_normal_curve_shades_the_stated_interval_and_writes_only_stated_values():
    part = {
        "kind": "normal",
        "mean": 17.2,
        "sd": 2.5,
        "mean_label": "μ = 17.2",
        "sd_label": "σ = 2.5",
        "shade_from": 17.6,  # written from its right end: the same interval
        "shade_to": 16.6,
        "x_label": "pounds of glass per year",
    }
    spec = parse_scene({"domain": "probability", "parts": [part], "notes": ["n = 56"]})
    normal = spec.parts[0]
    assert (normal.shade_from, normal.shade_to) == (16.6, 17.6)
    _, measured = draw_and_measure(spec)
    texts = {t.text for t in measured.texts if t.kind != "tick"}
    assert {"μ = 17.2", "σ = 2.5", "16.6", "17.6", "pounds of glass per year"} <= texts
    assert measured.overlaps == [] and measured.outside == []
    report = run_checks(Problem(id="g", question=GLASS), measured, rendered=True, stated_only=True)
    assert report.passed and report.label_recall == 1.0, report.reasons


@random_scenes(max_examples=15)
def test_random_normal_curves_draw_cleanly(rng):
    mean, sd = round(rng.uniform(-100, 100), 2), round(rng.uniform(0.1, 50), 2)
    ends = [rng.choice([None, round(mean + rng.uniform(-3, 3) * sd, 2)]) for _ in range(2)]
    part = {
        "kind": "normal",
        "mean": mean,
        "sd": sd,
        "shade_from": ends[0],
        "shade_to": ends[1],
        "sd_label": rng.choice([None, f"σ = {sd}"]),
        "x_label": rng.choice([None, "score", "a long axis label in several words"]),
    }
    assert_draws_cleanly(ProbabilityScene, {"domain": "probability", "parts": [part]})
