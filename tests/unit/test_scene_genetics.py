"""Genetics scenes (sciray.scene.genetics): real SciGenBench problems render faithfully
(pedigrees, crosses, Punnett squares, DNA strands, gels, progeny counts), random scenes never
overlap or leave the canvas, invalid scenes are refused with the field named, and nothing but
the scene's own texts is drawn (no offspring filled into a Punnett square, no ratio)."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.genetics import GeneticsScene, _generations, _order
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    "webinstruct-1129782": {
        "domain": "genetics",
        "pedigree": {
            "people": [
                {"name": "GGF", "sex": "male"},
                {"name": "GGM", "sex": "female"},
                {"name": "Daughter", "sex": "female", "status": "affected", "deceased": True},
                {"name": "Grandfather", "sex": "male"},
                {"name": "J. father", "sex": "male"},
                {"name": "J. mother", "sex": "female"},
                {"name": "Brother", "sex": "male", "status": "affected", "deceased": True},
                {"name": "John", "sex": "male"},
                {"name": "Sarah", "sex": "female"},
                {"name": "Grandmother", "sex": "female"},
                {"name": "Father", "sex": "male"},
                {"name": "Mother", "sex": "female"},
                {"name": "?", "sex": "unknown"},
            ],
            "couples": [
                {"partners": ["GGF", "GGM"], "children": ["Daughter", "Grandfather"]},
                {"partners": ["Grandfather", "Grandmother"], "children": ["Father"]},
                {"partners": ["Father", "Mother"], "children": ["Sarah"]},
                {"partners": ["J. father", "J. mother"], "children": ["Brother", "John"]},
                {"partners": ["John", "Sarah"], "children": ["?"]},
            ],
        },
        "notes": ["Tay-Sachs: lethal by the age of 2 or 3"],
    },
    "webinstruct-941707": {
        "domain": "genetics",
        "cross": {"rows": [{"generation": "P", "items": ["NnMm", "Nnmm"]}]},
        "punnett": {
            "top_gametes": ["NM", "Nm", "nM", "nm"],
            "side_gametes": ["Nm", "nm"],
            "top_parent": "NnMm",
            "side_parent": "Nnmm",
            "cells": [],
        },
    },
    "webinstruct-1960747": {
        "domain": "genetics",
        "strands": [
            {"name": "Normal", "bases": "A—C—T—G—G—A—T"},
            {"name": "a", "bases": "A—C—T—G—C—G—A—T"},
            {"name": "b", "bases": "A—C—T—G—A—T"},
            {"name": "c", "bases": "A—G—T—G—G—A—T"},
            {"name": "d", "bases": "A—C—U—G—G—A—U"},
        ],
    },
    "webinstruct-1741296": {
        "domain": "genetics",
        "strands": [{"name": "Given strand", "bases": "CGCTAA"}],
        "notes": ["Options: CGCAUU, TATCGG, ATAGCC, GCGAT"],
    },
    "megascience-366012": {
        "domain": "genetics",
        "title": "3.0-kb BamHI fragment",
        "gel": {
            "unit": "kb",
            "lanes": [
                {"name": "EcoRI", "bands": ["1.5", "1.5"]},
                {"name": "HpaII", "bands": [1.0, 1.0, 1.0]},
                {"name": "EcoRI+HpaII", "bands": [0.5, 0.5, 1.0, 1.0]},
            ],
        },
    },
    "megascience-48393": {
        "domain": "genetics",
        "cross": {"rows": [{"generation": "P", "items": ["$LlC^C$", "$LlC^C$"]}]},
        "progeny": [
            {"kind": "short cream", "count": 50},
            {"kind": "short yellow", "count": 21},
            {"kind": "short white", "count": 23},
            {"kind": "long cream", "count": 21},
            {"kind": "long yellow", "count": 7},
            {"kind": "long white", "count": 6},
        ],
    },
    "megascience-525508": {
        "domain": "genetics",
        "cross": {
            "rows": [
                {"generation": "P", "items": ["AACC (colored)", "aacc (colorless)"]},
                {"generation": "F1", "items": ["AaCc (colored)"], "crossed": False},
                {"generation": "F2", "items": ["3300 colored", "2460 colorless"], "crossed": False},
            ]
        },
        "notes": ["Expected ratio 9:7"],
    },
    "webinstruct-841999": {
        "domain": "genetics",
        "pedigree": {
            "people": [
                {"name": "His father", "sex": "male"},
                {"name": "His mother", "sex": "female"},
                {"name": "Her father", "sex": "male"},
                {"name": "Her mother", "sex": "female", "label": "brachydactyly"},
                {"name": "Man", "sex": "male", "status": "affected", "label": "hemophilia"},
                {
                    "name": "Woman",
                    "sex": "female",
                    "status": "dot_carrier",
                    "label": "brachydactyly",
                },
            ],
            "couples": [
                {"partners": ["His father", "His mother"], "children": ["Man"]},
                {"partners": ["Her father", "Her mother"], "children": ["Woman"]},
                {"partners": ["Man", "Woman"], "children": []},
            ],
        },
    },
}

PROBLEMS = {
    "megascience-366012": (
        "You wish to make a restriction map of a 3.0-kb BamHI restriction "
        "fragment. You digest three samples of the fragment with EcoRI, HpaII, "
        "and a mixture of EcoRI and HpaII. You then separate the fragments by "
        "gel electrophoresis and visualize the DNA bands by staining with "
        "ethidium bromide. The results are as follows:\n"
        "- EcoRI digest: 1.5 kb and 1.5 kb fragments.\n"
        "- HpaII digest: 1.0 kb, 1.0 kb, and 1.0 kb fragments.\n"
        "- EcoRI + HpaII double digest: 0.5 kb, 0.5 kb, 1.0 kb, and 1.0 kb "
        "fragments.  \n"
        "From these results, draw a restriction map that shows the relative "
        "positions of the EcoRI and HpaII recognition sites and the distances "
        "in kilobases (kb) between them.",
        "BamHI --- 1.0 kb --- HpaII --- 0.5 kb --- EcoRI --- 0.5 kb --- HpaII --- 1.0 kb --- BamHI",
    ),
    "megascience-48393": (
        "In guinea pigs, a dominant allele \\( L \\) governs short hair, and "
        "its recessive allele \\( l \\) governs long hair. Codominant alleles "
        "at an independently assorting locus govern hair color, such that \\( "
        "C^Y \\) = yellow, \\( C^C \\) = cream, and \\( C^W \\) = white. From "
        "the cross \\( LlC^C \\times LlC^C \\), the following progeny were "
        "obtained: 50 short cream, 21 short yellow, 23 short white, 21 long "
        "cream, 7 long yellow, and 6 long white. Are the data consistent with "
        "the genetic hypothesis of independent assortment and codominance?",
        "Yes, the data are consistent with the genetic hypothesis.",
    ),
    "megascience-525508": (
        "In corn, colored aleurone is hypothesized to be produced by the "
        "interaction of two dominant genes (A and C), such that the genotype "
        "A-C- results in colored aleurone, while all other genotypes produce "
        "colorless aleurone. A homozygous colored strain (AACC) is testcrossed "
        "to a pure colorless strain (aacc). The F₁ generation exhibits only "
        "kernels with colored aleurone (AaCc). The F₂ generation exhibits 3300 "
        "colored and 2460 colorless kernels. Perform a chi-square test to "
        "analyze whether the observed data fit the expected 9:7 ratio for this "
        "genetic hypothesis.",
        "Accept the 9:7 ratio hypothesis",
    ),
    "webinstruct-1129782": (
        "John and Sarah are contemplating having children, but both have a "
        "family history of Tay Sach's disease, which is lethal by the age of "
        "2 or 3. John had a brother die of Tay Sach's and Sarah's great "
        "grandparents (on her father's side) had a daughter die of the "
        "disease. All other members of the family are healthy. What is the "
        "probability that John and Sarah's first child will be affected?",
        "1/36",
    ),
    "webinstruct-1741296": (
        "A single strand of DNA helix has the code CGCTAA. Which would be the "
        "complementary code on the other strand of the helix?\n"
        " \n"
        "\n"
        "CGCAUU\n"
        "TATCGG\n"
        "ATAGCC\n"
        "GCGAT",
        "C",
    ),
    "webinstruct-1960747": (
        "This is the normal nucleotide sequence on a DNA strand: "
        "A—C—T—G—G—A—T What is a substitution?\n"
        " \n"
        "\n"
        "A—C—T—G—C—G—A—T \n"
        "A—C—T—G—A—T \n"
        "A—G—T—G—G—A—T \n"
        "A—C—U—G—G—A—U",
        "C",
    ),
    "webinstruct-841999": (
        "Hemophilia (a blood clotting disorder) is determined by an X-linked "
        "recessive gene (alleles are H and h). Brachydactyly (abnormally short "
        "digits) is caused by an autosomal gene (allele is B). A man who has "
        "hemophilia and normal digits is married to a woman who displays "
        "brachydactyly. A genetic test indicated that she is a carrier for "
        "hemophilia. The man's mother and father were phenotypically normal. "
        "The woman's mother displayed brachydactyly (but was otherwise "
        "normal), and her father was completely normal for these traits.\n"
        "\n"
        "What is the probability that their first child will be a "
        "phenotypically normal girl? Explain.",
        "25% probability of their first child to be a girl with normal digits and no hemophilia.",
    ),
    "webinstruct-941707": (
        "The parental cross is NnMm {eq}\\times\n"
        "\n"
        "{/eq} Nnmm. Use the Punnett square in order to determine the "
        "frequency of the phenotype nnmm for the next generation.",
        "0.125",
    ),
}


def _centre(measured, text: str) -> tuple[float, float]:
    box = next(t.bbox for t in measured.texts if norm_text(t.text) == text)
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


@pytest.fixture(scope="module")
def rendered():
    out = {}
    for key, data in CANONICAL.items():
        scene = parse_scene(json.dumps(data))
        png, measured = draw_and_measure(scene)
        out[key] = (scene, png, measured)
    return out


def test_routes_genetics_type():
    assert route("Biology - Genetics") == "genetics"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, GeneticsScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly(rendered, key):
    _, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    assert 400 <= measured.size[0] <= 1000 and 300 <= measured.size[1] <= 800


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_exactly_its_labels(rendered, key):
    """Every stated label is drawn, and nothing else: no offspring, ratio or complement."""
    scene, _, measured = rendered[key]
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(id=key, question=question, answer=answer, image_type="Biology - Genetics")
    report = run_checks(problem, rendered[key][2], rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.8, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_canonical_scenes_show_the_given_values(rendered):
    drawn = {k: {norm_text(t) for t in drawn_texts(m)} for k, (_, _, m) in rendered.items()}
    assert {"NnMm", "Nnmm", "NM", "nm", "P", "×"} <= drawn["webinstruct-941707"]
    assert {"ACTGGAT", "ACTGCGAT", "ACTGAT", "AGTGGAT", "ACUGGAU"} <= drawn["webinstruct-1960747"]
    assert {"1.5kb", "1.0kb", "0.5kb", "EcoRI", "HpaII", "EcoRI+HpaII"} <= drawn[
        "megascience-366012"
    ]
    assert {"shortcream", "50", "longwhite", "6"} <= drawn["megascience-48393"]
    assert {"3300colored", "2460colorless", "F1", "F2"} <= drawn["megascience-525508"]
    assert {"John", "Sarah", "Brother", "I", "V"} <= drawn["webinstruct-1129782"]


def test_punnett_cells_stay_empty_unless_stated(rendered):
    """The square of NnMm x Nnmm has its gametes only: no offspring genotype is written."""
    drawn = sorted(norm_text(t) for t in drawn_texts(rendered["webinstruct-941707"][2]))
    gametes = ["NM", "Nm", "nM", "nm", "Nm", "nm"]
    assert drawn == sorted(["P", "×", "NnMm", "Nnmm", "NnMm", "Nnmm", *gametes])


def test_punnett_cells_are_drawn_when_stated():
    data = {
        "domain": "genetics",
        "punnett": {
            "top_gametes": ["B", "b"],
            "side_gametes": ["X", "Y"],
            "cells": [["BX", "bX"], ["BY", "none"]],
        },
    }
    scene = parse_scene(data)
    assert scene.punnett.cells[1][1] == ""  # "none": an empty cell
    _, m = draw_and_measure(scene)
    assert sorted(drawn_texts(m)) == sorted(["B", "b", "X", "Y", "BX", "bX", "BY"])
    # a cell sits in its gamete's column and row: right of the side gamete, below the top one
    bx, by = _centre(m, "bX"), _centre(m, "BY")
    assert abs(bx[0] - _centre(m, "b")[0]) < 2 and abs(bx[1] - _centre(m, "X")[1]) < 2
    assert abs(by[0] - _centre(m, "B")[0]) < 2 and abs(by[1] - _centre(m, "Y")[1]) < 2
    assert by[0] > _centre(m, "Y")[0] and by[1] > _centre(m, "B")[1]


def test_pedigree_generations_follow_the_relations(rendered):
    """Children sit one row below their parents, siblings share a row, founders marry in on
    their partner's row, and partners stand side by side."""
    scene = rendered["webinstruct-1129782"][0]
    gens = _generations(scene.pedigree)
    assert gens["GGF"] == 0 and gens["Grandfather"] == 1 and gens["Father"] == 2
    assert gens["Sarah"] == gens["John"] == gens["Brother"] == 3 and gens["?"] == 4
    assert gens["J. father"] == 2  # pulled down to one row above their children
    rows = _order(scene.pedigree, gens)
    row = rows[3]
    assert abs(row.index("Sarah") - row.index("John")) == 1
    m = rendered["webinstruct-1129782"][2]
    assert _centre(m, "John")[1] > _centre(m, "Grandfather")[1]  # lower on the page
    assert abs(_centre(m, "John")[1] - _centre(m, "Sarah")[1]) < 2


def test_pedigree_symbols_carry_the_stated_status():
    import matplotlib
    from matplotlib.patches import Circle, Rectangle, Wedge

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = {
        "domain": "genetics",
        "pedigree": {
            "people": [
                {"name": "A", "sex": "male", "status": "affected"},
                {"name": "B", "sex": "female", "status": "heterozygous"},
                {"name": "C", "sex": "M"},
            ],
            "couples": [{"partners": ["A", "B"], "children": ["C"]}],
        },
    }
    scene = parse_scene(data)
    assert scene.pedigree.people[1].status == "carrier" and scene.pedigree.people[2].sex == "male"
    fig = plt.figure(figsize=(6.4, 4.8))
    try:
        scene.draw(fig)
        patches = fig.axes[0].patches
        filled_squares = [
            p for p in patches if isinstance(p, Rectangle) and p.get_facecolor()[0] < 0.5
        ]
        assert len(filled_squares) == 1  # only A is affected
        assert sum(isinstance(p, Wedge) for p in patches) == 1  # B is half filled
        assert sum(isinstance(p, Circle) for p in patches) == 1
    finally:
        plt.close(fig)


def test_strand_ends_codons_and_marks():
    data = {
        "domain": "genetics",
        "strands": [
            {
                "name": "mRNA",
                "bases": "5'-AUG GCA UUU-3'",
                "ends": "5' to 3'",
                "codons": True,
                "marks": [{"position": 4, "length": 1, "kind": "substitution", "note": "G→C"}],
            }
        ],
    }
    scene = parse_scene(data)
    strand = scene.strands[0]
    assert strand.bases == "AUGGCAUUU" and strand.ends == "5-3"
    _, m = draw_and_measure(scene)
    texts = drawn_texts(m)
    assert "AUG GCA UUU" in texts and "G→C" in texts
    assert _centre(m, "5'")[0] < _centre(m, "AUGGCAUUU")[0] < _centre(m, "3'")[0]


def test_lenient_null_texts_and_numbers():
    data = {
        "domain": "genetics",
        "title": "none",
        "cross": {"rows": [{"generation": "null", "items": ["Aa", "aa"]}]},
        "progeny": [{"kind": "tall", "count": 15}],
        "gel": {"lanes": [{"name": "Cut", "bands": [1.0, 2]}]},
    }
    scene = parse_scene(data)
    assert scene.title is None and scene.cross.rows[0].generation is None
    assert scene.progeny[0].count == "15"
    assert scene.gel.lanes[0].band_texts("kb") == ["2 kb", "1.0 kb"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "scene"),
        (
            {"pedigree": {"people": [{"name": "A"}], "couples": [{"partners": ["A", "Z"]}]}},
            "pedigree.couples",
        ),
        ({"pedigree": {"people": [{"name": "A"}, {"name": "A"}]}}, "pedigree.people"),
        (
            {
                "pedigree": {
                    "people": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
                    "couples": [
                        {"partners": ["A", "B"], "children": ["C"]},
                        {"partners": ["C", "D"], "children": ["A"]},
                    ],
                }
            },
            "pedigree.couples",
        ),
        (
            {
                "pedigree": {
                    "people": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
                    "couples": [
                        {"partners": ["A", "B"], "children": ["C"]},
                        {"partners": ["C", "B"], "children": []},
                    ],
                }
            },
            "pedigree.couples",
        ),
        ({"pedigree": {"people": [{"name": f"P{i}"} for i in range(9)]}}, "pedigree.people"),
        ({"pedigree": {"people": [{"name": "A", "status": "sick-ish"}]}}, "status"),
        (
            {"punnett": {"top_gametes": ["A", "a"], "side_gametes": ["a"], "cells": [["Aa"]]}},
            "punnett.cells",
        ),
        ({"punnett": {"top_gametes": [], "side_gametes": ["a"]}}, "top_gametes"),
        ({"strands": [{"bases": "CGC?AA"}]}, "bases"),
        ({"strands": [{"bases": "ACGT" * 16}]}, "bases"),
        ({"strands": [{"bases": "ACG", "marks": [{"position": 3, "length": 2}]}]}, "marks"),
        ({"gel": {"lanes": [{"name": "X", "bands": ["-1"]}]}}, "bands"),
        ({"gel": {"lanes": [{"name": "X", "bands": ["big"]}]}}, "bands"),
        ({"cross": {"rows": [{"items": ["Aa", ""]}]}}, "items"),
        ({"progeny": [{"kind": "tall", "count": "3"}], "colour": "red"}, "colour"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises(ValueError) as err:
        parse_scene({"domain": "genetics", **data})
    assert field in str(err.value)
    with pytest.raises(ValidationError):
        GeneticsScene.model_validate({"domain": "genetics", **data})


# ---------------------------------------------------------------------------------------------
# Random scenes
# ---------------------------------------------------------------------------------------------

_NAMES = ["John", "Mary", "II-3", "?", "Grandmother", "Homer", "Ann", "Wolfgang", "Bo"]
_LABELS = [None, "Aa", "type AB", "$X^HX^h$", "brachydactyly", "carrier?"]


def _random_pedigree(rng: random.Random) -> dict:
    people, couples, k = [], [], 0

    def person(sex: str | None = None) -> str:
        nonlocal k
        k += 1
        name = f"{rng.choice(_NAMES)}{k}"
        people.append(
            {
                "name": name[:12],
                "sex": sex or rng.choice(["male", "female", "unknown"]),
                "status": rng.choice(["unaffected", "affected", "carrier", "dot_carrier"]),
                "deceased": rng.random() < 0.2,
                "label": rng.choice(_LABELS),
            }
        )
        return name[:12]

    founders = [person("male"), person("female")]
    frontier = [founders]
    for _ in range(rng.randint(0, 2)):
        nxt = []
        for a, b in frontier:
            kids = [person() for _ in range(rng.randint(1, 3))]
            couples.append({"partners": [a, b], "children": kids})
            if rng.random() < 0.7:
                spouse = person()
                nxt.append([kids[0], spouse])
        frontier = nxt[:1]
    for a, b in frontier:
        couples.append({"partners": [a, b], "children": []})
    return {"people": people, "couples": couples, "generation_numbers": rng.random() < 0.8}


def _random_parts(rng: random.Random) -> dict:
    gam = ["A", "a", "AB", "Ab", "aB", "ab", "$X^H$", "Y"]
    nx, ny = rng.randint(1, 4), rng.randint(1, 4)
    top, side = [rng.choice(gam) for _ in range(nx)], [rng.choice(gam) for _ in range(ny)]
    parts = {
        "cross": {
            "rows": [
                {
                    "generation": rng.choice([None, "P", "F1"]),
                    "items": [rng.choice(["AaBb", "aabb (white)", "$LlC^C$"]) for _ in range(2)],
                    "crossed": rng.random() < 0.7,
                }
                for _ in range(rng.randint(1, 3))
            ]
        },
        "punnett": {
            "top_gametes": top,
            "side_gametes": side,
            "top_parent": rng.choice([None, "AaBb"]),
            "side_parent": rng.choice([None, "Aabb (father)"]),
            "cells": [[rng.choice(["", "AA", "Aabb"]) for _ in top] for _ in side]
            if rng.random() < 0.4
            else [],
        },
        "strands": [
            {
                "name": rng.choice([None, "Normal", "(a)", "template strand"]),
                "bases": "".join(rng.choice("ACGT") for _ in range(n)),
                "ends": rng.choice(["5-3", "3-5", "none"]),
                "codons": rng.random() < 0.5,
                "marks": [
                    {
                        "position": rng.randint(1, n),
                        "kind": rng.choice(["substitution", "insertion", "deletion", "site"]),
                        "note": rng.choice([None, "G→C", "deleted A"]),
                    }
                    for _ in range(rng.randint(0, 2))
                ],
            }
            for n in [rng.randint(3, 60) for _ in range(rng.randint(1, 4))]
        ],
        "gel": {
            "lanes": [
                {
                    "name": rng.choice(["EcoRI", "HpaII", "EcoRI+HpaII", "M"]),
                    "bands": [
                        rng.choice(["0.5", "1.0", "1.5", "3", "0.25", "12"])
                        for _ in range(rng.randint(1, 6))
                    ],
                }
                for _ in range(rng.randint(1, 4))
            ]
        },  # fmt: skip
        "progeny": [
            {
                "kind": rng.choice(["short cream", "long white", "knotted leaf"]),
                "count": str(rng.randint(1, 3300)),
            }
            for _ in range(rng.randint(1, 8))
        ],  # fmt: skip
        "pedigree": _random_pedigree(rng),
    }
    return parts


def _random_scene(rng: random.Random) -> dict:
    parts = _random_parts(rng)
    chosen = rng.sample(sorted(parts), rng.choice([1, 1, 2, 3]))
    while True:  # a scene too large for one figure is refused: fewer parts then
        scene = {
            "domain": "genetics",
            "title": rng.choice([None, "Dihybrid cross of two beetles"]),
            **{k: parts[k] for k in chosen},
            "notes": rng.choice([[], ["A1A1 is lethal"], ["X-linked recessive", "9:7"]]),
        }
        try:
            GeneticsScene.model_validate(scene)
            return scene
        except ValidationError:
            if len(chosen) == 1:
                raise
            chosen = chosen[:-1]


@random_scenes(max_examples=20)
def test_random_scenes_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(GeneticsScene, _random_scene(rng))


@random_scenes(max_examples=10)
def test_random_pedigrees_render_without_overlap(rng: random.Random) -> None:
    data = {"domain": "genetics", "pedigree": _random_pedigree(rng)}
    assert_draws_cleanly(GeneticsScene, data)


def test_too_much_for_one_figure_is_refused_with_the_scene_named():
    data = {
        "domain": "genetics",
        "pedigree": _largest_pedigree(),
        "punnett": {
            "top_gametes": ["ABCDEFGH"] * 8,
            "side_gametes": ["abcdefgh"] * 8,
            "cells": [["AaBbCcDd"] * 8] * 8,
        },
        "strands": [{"name": "template strand", "bases": "ACG" * 20, "ends": "5-3"}] * 6,
        "cross": {"rows": [{"generation": "F2", "items": ["W" * 28] * 3}] * 4},
        "notes": ["A note of eighty characters or so, about as long as a note may be here."] * 4,
    }
    with pytest.raises(ValueError, match="scene: too much"):
        parse_scene(data)


def _largest_pedigree() -> dict:
    """Five generations (8, 6, 4, 4, 2 people: 24) with wide names and the longest labels
    (five full generations of 16-letter one-word names are refused as too much)."""
    sizes = [8, 6, 4, 4, 2]
    names = [[f"W{g}{i}WWWWWWWWW" for i in range(n)] for g, n in enumerate(sizes)]
    people = [{"name": n, "sex": "female" if i % 2 else "male", "label": "brachydactyly WW",
               "status": "affected"} for row in names for i, n in enumerate(row)]  # fmt: skip
    couples = [
        {"partners": names[g][2 * k : 2 * k + 2], "children": names[g + 1][2 * k : 2 * k + 2]}
        for g in range(4)
        for k in range(sizes[g + 1] // 2)
    ]
    return {"people": people, "couples": couples}


@pytest.mark.parametrize(
    "part",
    [
        {"pedigree": _largest_pedigree()},
        {
            "punnett": {
                "top_gametes": ["ABCDEFGH"] * 8,
                "side_gametes": ["abcdefgh"] * 8,
                "top_parent": "AaBbCcDd (mother)",
                "side_parent": "AaBbCcDd (father)",
                "cells": [["AaBbCcDd"] * 8] * 8,
            }
        },
        {
            "strands": [
                {
                    "name": "template strand",
                    "bases": "ACG" * 20,
                    "ends": "5-3",
                    "codons": True,
                    "marks": [{"position": 2, "note": "WWWWWWWWWWWWWW"}] * 3,
                }
            ]
            * 6
        },  # fmt: skip
        {
            "gel": {
                "lanes": [{"name": "EcoRI+HpaII", "bands": ["1234.5", "1234.6", "0.001"] * 2}] * 5
            }
        },
        {"progeny": [{"kind": "W" * 24, "count": "12345678"}] * 8},
        {"cross": {"rows": [{"generation": "F2", "items": ["W" * 28] * 3}] * 4}},
    ],
)
def test_each_part_at_its_largest_fits_alone(part):
    """Every part at its largest, with a title and notes, validates and draws cleanly."""
    data = {"domain": "genetics", "title": "A long caption " * 3, **part, "notes": ["9:7"] * 2}
    assert_draws_cleanly(GeneticsScene, data)


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-1129782"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_a_parents_gametes_follow_from_its_genotype():
    """Seed 26: AACC's gametes written AA, Aa, aA, aa (a gene's two alleles, not a gamete);
    seed 25: Nnmm's written as NnMm's. The gametes are the parent's; cells of wrong gametes go."""
    from sciray.scene.genetics import parent_gametes

    assert parent_gametes("AaCc") == ["AC", "Ac", "aC", "ac"]
    assert parent_gametes("AACC") == ["AC"] and parent_gametes("Nnmm") == ["Nm", "nm"]
    assert parent_gametes("X^AX^a") is None and parent_gametes("tall") is None
    scene = parse_scene(
        {
            "domain": "genetics",
            "punnett": {
                "top_parent": "AACC",
                "side_parent": "Nnmm",
                "top_gametes": ["AA", "Aa", "aA", "aa"],
                "side_gametes": ["NM", "Nm", "nM", "nm"],
                "cells": [["x"] * 4] * 4,
            },
        }
    )
    p = scene.punnett
    assert (p.top_gametes, p.side_gametes, p.cells) == (["AC"], ["Nm", "nm"], [])
    # gametes that are the parent's, in any order, stay as written
    kept = parse_scene(
        {
            "domain": "genetics",
            "punnett": {"top_parent": "Aa", "side_parent": "Aa", "top_gametes": ["a", "A"],
                        "side_gametes": ["A", "a"], "cells": [["Aa", "aa"], ["AA", "Aa"]]},
        }
    )  # fmt: skip
    assert kept.punnett.top_gametes == ["a", "A"] and kept.punnett.cells[0] == ["Aa", "aa"]
