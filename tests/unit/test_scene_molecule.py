"""Molecule scenes: real SciGenBench structure and reaction problems render faithfully (RDKit
structures, formula equations), random scenes render without overlaps, bad SMILES and hostile
scenes are refused."""

from __future__ import annotations

import json
import random
import re

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.measure import draw_and_measure
from sciray.scene.molecule import MoleculeScene, stated_structures
from sciray.types import Problem
from tests.unit.scene_property import random_scenes


def _norm(text: str) -> str:
    return re.sub(r"[\s$]", "", text)


def _drawn(scene):
    png, measured = draw_and_measure(scene)
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    texts = {_norm(t.text) for t in measured.texts}
    for label in scene.labels():
        assert _norm(label) in texts, f"label {label!r} not drawn"
    return png, measured


# Real problems (SciGenBench "Chemistry - Molecular Structure" / "Chemistry - Reaction Scheme"):
# question (verbatim), answer, image type, and the scene a model should write for it.
MS, RS = "Chemistry - Molecular Structure", "Chemistry - Reaction Scheme"
REAL = {
    # webinstruct-783491: five C7H7Br isomers, each named
    "webinstruct-783491": (
        "How do you name and draw 5 compounds that have the formula #C_7H_7Br#?",
        "2-methyl-bromobenzene, 3-methyl-bromobenzene, 4-methyl-bromobenzene, "
        "5-\u200b(1-\u200bbromoethylidene)\u200b-1,\u200b3-cyclopentadiene, benzyl bromide",
        MS,
        {
            "domain": "molecule",
            "title": "C7H7Br",
            "molecules": [
                {"smiles": "BrCc1ccccc1", "name": "benzyl bromide"},
                {"smiles": "Cc1ccccc1Br", "name": "2-bromotoluene"},
                {"smiles": "Cc1cccc(Br)c1", "name": "3-bromotoluene"},
                {"smiles": "Cc1ccc(Br)cc1", "name": "4-bromotoluene"},
                {"smiles": "BrC1C=CC=CC=C1", "name": "7-bromocyclohepta-1,3,5-triene"},
            ],
        },
    ),
    # webinstruct2_2-2076277: one named structure with two E double bonds
    "webinstruct2_2-2076277": (
        "Draw the structural formula of (2E, 4E)-1-chloro-3-methyl-2, 4-hexadiene.",
        "/cimages/multimages/16/ezezes8825343092461068698.jpg",
        MS,
        {
            "domain": "molecule",
            "molecules": [
                {"smiles": "ClC/C=C(\\C)/C=C/C", "name": "(2E,4E)-1-chloro-3-methyl-2,4-hexadiene"}
            ],
        },
    ),
    # webinstruct-1155339: a Lewis-style structure with every hydrogen drawn
    "webinstruct-1155339": (
        "Draw the Lewis dot structure for {eq}C_2H_4Cl_2\n\n{/eq}.",
        "The Lewis structures of this compound are shown below. In these compounds, the "
        "position of chlorine atoms is different.\nGiven Compounds\n<img>/cimages/multimages/"
        "16/c2h22226759880946777598568.jpg</img>",
        MS,
        {
            "domain": "molecule",
            "molecules": [{"smiles": "ClCCCl", "name": "C2H4Cl2", "show_hydrogens": True}],
        },
    ),
    # webinstruct-159163: a balanced equation of formulas with a stated amount
    "webinstruct-159163": (
        "How many grams of {eq}H_2O\n\n{/eq} will be produced from 3.2 moles of {eq}O_2\n\n{/eq} "
        "and an excess of {eq}H_2S\n\n{/eq} according to the following reaction?\n\n"
        "{eq}2H_2S + 3O_2 \\to 2H_2O + 2SO_2\n\n{/eq}",
        "38 g",
        RS,
        {
            "domain": "molecule",
            "reactants": [
                {"formula": "H2S", "coefficient": 2, "amount": "excess"},
                {"formula": "O2", "coefficient": 3, "amount": "3.2 mol"},
            ],
            "products": [
                {"formula": "H2O", "coefficient": 2},
                {"formula": "SO2", "coefficient": 2},
            ],
        },
    ),
    # webinstruct-68778: an equilibrium with states, a temperature over the arrow and notes
    "webinstruct-68778": (
        "Calculating Equilibrium Constants\n\nThe following reaction was performed in a sealed "
        "vessel at  {eq}752^\\circ  C\n\n{/eq}:\n\n{eq}H_2(g)+I_2(g) \\rightleftharpoons 2HI(g)"
        "\n\n{/eq}\n\nInitially, only  {eq}H_2\n\n{/eq} and  {eq}I_2\n\n{/eq} were present at "
        "concentrations of  {eq}[H_2 ] = 3.75 \\ M\n\n{/eq} and  {eq}[I_2] = 3.00 \\ M.\n\n{/eq} "
        "The equilibrium concentration of  {eq}I_2\n\n{/eq} is  {eq}0.0900 \\ M\n\n{/eq}. What is "
        "the equilibrium constant,  {eq}K_c\n\n{/eq} , for the reaction at this temperature?",
        "448.05",
        RS,
        {
            "domain": "molecule",
            "reactants": [{"formula": "H2", "state": "g"}, {"formula": "I2", "state": "g"}],
            "products": [{"formula": "HI", "coefficient": 2, "state": "g"}],
            "arrow": "equilibrium",
            "conditions": "752 °C",
            "notes": ["initial: [H2] = 3.75 M, [I2] = 3.00 M", "equilibrium: [I2] = 0.0900 M"],
        },
    ),
    # webinstruct-888562: structures from SMILES in an equation, with names, states, masses
    "webinstruct-888562": (
        "Diethyl ether is produced from ethanol according to the following equation:\n\n"
        "{eq}2CH_3CH_2OH(l) \\rightarrow CH_3CH_2OCH_2CH_3(l) + H_2O(l)\n\n{/eq}\n\nCalculate "
        "the percent yield if 55.5 g of ethanol reacts to produce 20.6 g of ether.",
        "46.1%",
        RS,
        {
            "domain": "molecule",
            "reactants": [
                {
                    "smiles": "CCO",
                    "name": "CH3CH2OH",
                    "coefficient": 2,
                    "state": "l",
                    "amount": "55.5 g",
                }
            ],
            "products": [
                {"smiles": "CCOCC", "name": "CH3CH2OCH2CH3", "state": "l", "amount": "20.6 g"},
                {"formula": "H2O", "state": "l"},
            ],
        },
    ),
    # webinstruct-1962711: chrysene drawn from SMILES in a combustion, 298 K over the arrow
    "webinstruct-1962711": (
        "Balance the combustion reaction of chrysene:\n\n{eq}(C_{18}H_{12}) \\ at  \\ 298K.  "
        "\\\\\n\nC_{18}H_{12}{_{(s)}}+ O_2{_{(g)}} \\longrightarrow CO_2{_{(g)}} + H_2O_{(l)}"
        "\n\n{/eq}\n\nWhat is the value of ng for the combustion reaction?\n\nng =_____  mol.",
        "46 mol",
        RS,
        {
            "domain": "molecule",
            "reactants": [
                {"smiles": "c1ccc2c(c1)ccc1c2ccc2ccccc21", "name": "C18H12", "state": "s"},
                {"formula": "O2", "state": "g"},
            ],
            "products": [{"formula": "CO2", "state": "g"}, {"formula": "H2O", "state": "l"}],
            "conditions": "298 K",
        },
    ),
}


@pytest.mark.parametrize("pid", sorted(REAL))
def test_real_problem_renders_faithfully(pid):
    question, answer, image_type, data = REAL[pid]
    scene = parse_scene(json.dumps(data))
    assert isinstance(scene, MoleculeScene)
    assert parse_scene(scene.model_dump_json()) == scene  # round trip
    _, measured = _drawn(scene)
    assert measured.artists.get("AxesImage", 0) == sum(1 for m in scene.molecules) + sum(
        1 for s in (*scene.reactants, *scene.products) if s.smiles
    )
    problem = Problem(id=pid, question=question, image_type=image_type, answer=answer)
    report = run_checks(problem, measured, rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None
    assert report.passed


def test_route_and_schema():
    assert route("Chemistry - Molecular Structure") == "molecule"
    assert route("Chemistry - Reaction Scheme") == "molecule"
    schema = MoleculeScene.model_json_schema()
    assert {"molecules", "reactants", "products", "conditions"} <= set(schema["properties"])
    assert schema["$defs"]["Species"]["properties"]["formula"]["description"]


def test_formulas_get_subscripts_and_charges():
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [
                {"formula": "Fe^2+", "coefficient": 6, "state": "aq"},
                {"formula": "Cr2O7^2-", "state": "aq"},
                {"formula": "H^+", "coefficient": 14, "state": "aq"},
            ],
            "products": [
                {"formula": "Fe^3+", "coefficient": 6, "state": "aq"},
                {"formula": "Cr^3+", "coefficient": 2, "state": "aq"},
                {"formula": "H2O", "coefficient": 7, "state": "l"},
            ],
        }
    )
    _, measured = _drawn(scene)
    texts = [t.text for t in measured.texts]
    assert "$\\mathrm{Cr_{2}O_{7}}^{2-}$(aq)" in texts
    assert "6$\\mathrm{Fe}^{2+}$(aq)" in texts
    assert "7$\\mathrm{H_{2}O}$(l)" in texts


def test_wide_reaction_wraps_or_grows_and_stays_clean():
    big = "CCCCCCCCCCCCCCCC(=O)OCC(COC(=O)CCCCCCCCCCCCCCC)OC(=O)CCCCCCCCCCCCCCC"
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [
                {"smiles": big, "name": "tripalmitin"},
                {"formula": "KOH", "coefficient": 3, "amount": "463.0 g"},
            ],
            "products": [
                {"smiles": "OCC(O)CO", "name": "glycerol"},
                {
                    "smiles": "CCCCCCCCCCCCCCCC(=O)[O-].[K+]",
                    "name": "C15H31CO2K",
                    "coefficient": 3,
                    "amount": "319.9 g",
                },
            ],
            "conditions": "heat",
        }
    )
    _drawn(scene)


# --------------------------------------------------------------------------------------------
# Random valid scenes
# --------------------------------------------------------------------------------------------

POOL = [
    "C",
    "CCO",
    "c1ccccc1",
    "CC(=O)O",
    "O=C=O",
    "N#N",
    "CC(C)(C)O",
    "C1CCCCC1",
    "Oc1ccccc1",
    "CC=CC",
    "[NH4+]",
    "[O-][N+](=O)[O-]",
    "OCC(O)CO",
    "CCN(CC)CC",
    "c1ccc2ccccc2c1",
    "ClC(Cl)(Cl)Cl",
    "C#CC",
    "O=S(=O)(O)O",
]
FORMULAS = ["H2O", "O2", "CO2", "NaCl", "Ca(OH)2", "Fe^3+", "SO4^2-", "NH3", "C6H12O6", "HCl"]


def _random_scene(rng: random.Random) -> dict:
    if rng.random() < 0.4:
        mols = []
        for _ in range(rng.randint(1, 6)):
            m = {"smiles": rng.choice(POOL)}
            if rng.random() < 0.7:
                m["name"] = rng.choice(
                    [
                        "ethanol",
                        "benzene",
                        "acetic acid",
                        "C2H5OH",
                        "a rather long systematic name-2,3-diol",
                    ]
                )
            if rng.random() < 0.2:
                m["show_hydrogens"] = True
            mols.append(m)
        data = {"domain": "molecule", "molecules": mols}
    else:

        def species() -> dict:
            sp: dict = {}
            if rng.random() < 0.4:
                sp["smiles"] = rng.choice(POOL)
                if rng.random() < 0.6:
                    sp["name"] = rng.choice(["ethanol", "CH3COOH", "glycerol"])
            else:
                sp["formula"] = rng.choice(FORMULAS)
            if rng.random() < 0.5:
                sp["coefficient"] = rng.randint(1, 12)
            if rng.random() < 0.5:
                sp["state"] = rng.choice(["s", "l", "g", "aq"])
            if rng.random() < 0.3:
                sp["amount"] = f"{rng.uniform(0.1, 500):.3g} g"
            return sp

        data = {
            "domain": "molecule",
            "reactants": [species() for _ in range(rng.randint(1, 3))],
            "products": [species() for _ in range(rng.randint(1, 3))],
            "arrow": rng.choice(["forward", "equilibrium"]),
        }
        if rng.random() < 0.5:
            data["conditions"] = rng.choice(["Δ", "H2SO4, 170 °C", "hν", "Pt catalyst"])
        if rng.random() < 0.3:
            data["conditions_below"] = "298 K"
    if rng.random() < 0.3:
        data["notes"] = ["T = 298 K", "P = 1 atm"][: rng.randint(1, 2)]
    if rng.random() < 0.2:
        data["title"] = "Reaction"
    return data


@random_scenes()
def test_random_scenes_render_cleanly(rng: random.Random) -> None:
    _drawn(parse_scene(_random_scene(rng)))


# --------------------------------------------------------------------------------------------
# Invalid scenes
# --------------------------------------------------------------------------------------------


def test_coefficients_the_problem_states_replace_the_models():
    """Seen from the 1.5B coder (seed 11): the problem's "4 NH_3 (g) + 3 O_2 (g) -> 2 N_2(g) +
    6 H_2O(g)" drawn with one O2 and one N2. The problem is the authority on its equation."""
    from sciray.scene.molecule import stated_coefficients

    question = (
        r"{eq}\rm 4 NH_3 (g) + 3 O_2 (g) \to 2 N_2(g) + 6 H_2O(g).{/eq} If {eq}\rm N_2{/eq} "
        "forms at 0.63 mol/s, how fast is NH_3 used? (3.2 moles of O_2, x^2 H2, 2 Ways)"
    )
    assert stated_coefficients(question) == {"NH3": 4, "O2": 3, "N2": 2, "H2O": 6}
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [{"formula": "NH3", "coefficient": 4}, {"formula": "O_2", "state": "g"}],
            "products": [{"formula": "N2"}, {"formula": "H2O", "coefficient": 6}],
        }
    )
    aligned = scene.aligned_to(question)
    assert [sp.coefficient for sp in aligned.reactants + aligned.products] == [4, 3, 2, 6]
    # a formula the problem writes with two coefficients, or not at all, keeps the model's
    both = "2 H2 + O2 -> 2 H2O; then 4 H2 react"
    assert stated_coefficients(both) == {"H2O": 2}
    assert scene.aligned_to("no equation here") == scene
    # the coefficient right after a {eq} marker, no space (webinstruct's usual writing)
    ether = r"{eq}2CH_3CH_2OH(l) \rightarrow CH_3CH_2OCH_2CH_3(l) + H_2O(l){/eq}"
    assert stated_coefficients(ether) == {"CH3CH2OH": 2}


def test_amounts_the_problem_states_are_written_under_their_species():
    """Seed 29: "1.0 moles of Li and 1.0 moles of F_2 react" drawn as 2Li + F2 -> 2LiF with no
    amounts, so its first answer failed label recall and cost a repair."""
    from sciray.scene.molecule import stated_amounts

    question = (
        "For the following reaction, find the limiting reagent when 1.0 moles of {eq}Li\n\n"
        "{/eq} and 1.0 moles of {eq}F_2\n\n{/eq} react.\n\n{eq}2Li(s) + F_2(g) \\to 2LiF(s){/eq}"
    )
    assert stated_amounts(question) == {"Li": "1.0 moles", "F2": "1.0 moles"}
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [{"formula": "Li", "coefficient": 2}, {"formula": "F2"}],
            "products": [{"formula": "LiF", "coefficient": 2, "amount": "0.5 mol"}],
        }
    )
    aligned = scene.aligned_to(question)
    assert [sp.amount for sp in aligned.reactants + aligned.products] == [
        "1.0 moles",
        "1.0 moles",
        "0.5 mol",  # the model's own amount is left to the stated-values check
    ]
    names = "25.0 g of sodium chloride in 0.5 L of water; 2.0 g of magnesium reacts"
    assert stated_amounts(names) == {"sodium chloride": "25.0 g", "water": "0.5 L",
                                     "magnesium": "2.0 g"}  # fmt: skip
    assert stated_amounts("2.0 g of Mg, then 3.0 g of Mg") == {}  # two amounts: which is meant?


def test_invalid_smiles_names_it():
    with pytest.raises(ValueError, match=re.escape("C1CC(")):
        parse_scene({"domain": "molecule", "molecules": [{"smiles": "C1CC("}]})
    with pytest.raises(ValueError, match="Xx"):
        parse_scene(
            {
                "domain": "molecule",
                "reactants": [{"smiles": "[Xx]"}],
                "products": [{"formula": "H2O"}],
            }
        )


def test_hostile_scenes_are_refused():
    ok = {"domain": "molecule", "molecules": [{"smiles": "CCO"}]}
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate({**ok, "colour": "red"})
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate(
            {"domain": "molecule", "molecules": [{"smiles": "CCO", "x": 1.0}]}
        )
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate({"domain": "molecule", "molecules": [{"smiles": "CCO"}] * 7})
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate({"domain": "molecule", "molecules": [{"smiles": "C" * 201}]})
    with pytest.raises(ValidationError, match="atoms"):
        MoleculeScene.model_validate({"domain": "molecule", "molecules": [{"smiles": "C" * 150}]})
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate(
            {
                "domain": "molecule",
                "reactants": [{"formula": "H2", "coefficient": 0}],
                "products": [{"formula": "H2O"}],
            }
        )
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate(
            {
                "domain": "molecule",
                "reactants": [{"formula": "H2", "coefficient": 100}],
                "products": [{"formula": "H2O"}],
            }
        )
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate(
            {
                "domain": "molecule",
                "reactants": [{"formula": "H2"}] * 6,
                "products": [{"formula": "H2O"}],
            }
        )
    with pytest.raises(ValidationError, match="reactant and one product"):
        MoleculeScene.model_validate({"domain": "molecule", "reactants": [{"formula": "H2"}]})
    # a reaction with its species listed again as molecules (seen, seed 13): the reaction stays
    both = MoleculeScene.model_validate(
        {**ok, "reactants": [{"formula": "H2"}], "products": [{"formula": "H2O"}]}
    )
    assert both.molecules == [] and both.reactants[0].formula == "H2"
    with pytest.raises(ValidationError, match="not both"):  # molecules and half a reaction
        MoleculeScene.model_validate({**ok, "reactants": [{"formula": "H2"}]})
    with pytest.raises(ValidationError, match="formula or a smiles"):
        MoleculeScene.model_validate(
            {"domain": "molecule", "reactants": [{"state": "g"}], "products": [{"formula": "H2O"}]}
        )
    with pytest.raises(ValidationError):
        MoleculeScene.model_validate({"domain": "molecule"})


def test_hostile_text_cannot_break_the_render():
    scene = parse_scene(
        {
            "domain": "molecule",
            "molecules": [{"smiles": "CCO", "name": "$\\frac{1}{$ ethanol"}],
            "notes": ["$\\sqrt{$"],
        }
    )
    _drawn(scene)


# --------------------------------------------------------------------------------------------
# Nothing derived
# --------------------------------------------------------------------------------------------


def test_no_derived_value_is_drawn():
    # an unnamed structure gets no computed formula, name or mass; coefficients of 1 and
    # unstated states are not written
    _, measured = _drawn(parse_scene({"domain": "molecule", "molecules": [{"smiles": "CCO"}]}))
    assert [t.text for t in measured.texts] == []
    _, measured = _drawn(
        parse_scene(
            {
                "domain": "molecule",
                "reactants": [{"formula": "H2"}, {"formula": "Cl2"}],
                "products": [{"formula": "HCl"}],
            }
        )
    )
    joined = " ".join(t.text for t in measured.texts)
    assert "2HCl" not in joined and "(g)" not in joined  # no balancing, no invented state
    assert "46" not in joined and "g/mol" not in joined
    # the answer of a real problem never shows
    _, _, _, data = REAL["webinstruct-159163"]
    _, measured = _drawn(parse_scene(json.dumps(data)))
    assert not any("38" in t.text for t in measured.texts)


def test_largest_scene_still_fits_the_canvas():
    big = "CCCCCCCCCCCCCCCC(=O)OCC(COC(=O)CCCCCCCCCCCCCCC)OC(=O)CCCCCCCCCCCCCCC"
    sp = {"smiles": big, "name": "N" * 40, "coefficient": 99, "amount": "a" * 40, "state": "aq"}
    formula = {
        "formula": "C6H12O6" * 5 + "H2O",
        "coefficient": 99,
        "state": "aq",
        "amount": "9" * 40,
    }
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [sp] * 5,
            "products": [formula] * 5,
            "conditions": "c" * 40,
            "notes": ["x" * 60] * 4,
            "title": "t" * 60,
        }
    )
    _drawn(scene)


def test_a_lone_molecule_of_another_formula_becomes_the_problems_condensed_formula():
    question = (
        r"Draw Lewis structure of the condensed formula of {eq}\rm (CH_3)_3CC(O)CH_2CCH {/eq}."
    )
    copied = parse_scene(
        {"domain": "molecule", "molecules": [{"smiles": "CC(=O)O", "name": "acetic acid"}]}
    )
    (mol,) = copied.aligned_to(question).molecules
    assert mol.smiles == "C#CCC(=O)C(C)(C)C" and mol.name == "(CH3)3CC(O)CH2CCH"
    # the right structure, two structures stated, or a reaction: left as written
    right = parse_scene({"domain": "molecule", "molecules": [{"smiles": "CC(C)(C)C(=O)CC#C"}]})
    assert right.aligned_to(question).molecules[0].smiles == "CC(C)(C)C(=O)CC#C"
    two = "Compare CH3CH2OH and CH3OCH3."
    assert copied.aligned_to(two).molecules[0].smiles == "CC(=O)O"
    assert stated_structures("4 NH_3 (g) + 3 O_2 (g) \\to 2 N_2(g) + 6 H_2O(g)") == []


@pytest.mark.parametrize(
    ("formula", "smiles"),
    [
        ("ClNO", "O=NCl"),  # N is the least electronegative atom that occurs once
        ("NO3^-", "O=[N+]([O-])[O-]"),
        ("SO_4^{2-}", "O=S(=O)([O-])[O-]"),
        ("HCN", "C#N"),
        ("HOCl", "OCl"),  # an oxyacid's hydrogen sits on its oxygen
        ("H2SO4", "O=S(=O)(O)O"),
        ("CO2", "O=C=O"),
        ("SF4", "FS(F)(F)F"),  # hypervalent, single bonds
        ("[ICl2]^{1+}", "Cl[I+]Cl"),
    ],
)
def test_a_one_centre_species_gets_its_textbook_structure(formula, smiles):
    from sciray.scene.lewis import central_structure_smiles

    assert central_structure_smiles(formula) == smiles


@pytest.mark.parametrize(
    "formula",
    ["C2H6", "H2O2", "N2O", "NaCl", "O2", "HCNO", "ClF3", "NO2", "OH", "Xx3", "CH3CH2OH"],
)
def test_what_has_no_single_centre_or_no_valid_structure_is_not_guessed(formula):
    # chains, salts, a lone element, a skeleton with no valid orders (HCNO as N-C-O), a radical
    # whose single bonds leave more than one unpaired electron (NO2), a two-atom "radical" (OH
    # in a problem is a group), an unknown element, an atom RDKit cannot give that valence
    from sciray.scene.lewis import central_structure_smiles

    assert central_structure_smiles(formula) is None


@pytest.mark.parametrize(
    ("formula", "smiles"), [("CHCl2", "Cl[CH]Cl"), ("CH3", "[CH3]"), ("CCl3", "Cl[C](Cl)Cl")]
)
def test_a_radical_keeps_its_hydrogens_and_its_unpaired_electron_on_the_centre(formula, smiles):
    # plain SMILES would fill the radical centre with hydrogens (CHCl2 read as CH2Cl2)
    from rdkit import Chem

    from sciray.scene.lewis import central_structure_smiles

    assert central_structure_smiles(formula) == smiles
    centre = next(a for a in Chem.MolFromSmiles(smiles).GetAtoms() if a.GetSymbol() == "C")
    assert centre.GetNumRadicalElectrons() == 1


def test_a_small_species_put_in_the_models_place_is_drawn_with_every_atom():
    """Seed 26: "the geometry of CHCl2" drawn as Cl-C-Cl (the model's carbene, no H); the
    problem's species is drawn Lewis-style, its H and C shown."""
    question = r"Predict the geometry of the species using the VSEPR method: {eq}\rm CHCl_2{/eq}."
    scene = parse_scene(
        {"domain": "molecule", "molecules": [{"smiles": "Cl[C]Cl", "name": "CHCl2"}]}
    )
    (mol,) = scene.aligned_to(question).molecules
    assert (mol.smiles, mol.name, mol.show_hydrogens) == ("Cl[CH]Cl", "CHCl2", True)
    _drawn(scene.aligned_to(question))


def test_the_named_central_atom_is_used():
    from sciray.scene.lewis import central_structure_smiles

    assert central_structure_smiles("OF2", "O") == "FOF"
    # a centre with no valid structure around it gives none (the caller then tries without)
    assert central_structure_smiles("ClNO", "Cl") is None


@pytest.mark.parametrize(
    ("question", "smiles", "name"),
    [
        ("Predict the molecular geometry of ClNO (where N is the central atom).", "O=NCl", "ClNO"),
        ("What is the Lewis structure of #NO_3^-1#?", "O=[N+]([O-])[O-]", "NO3^-"),
        (
            r"What is the Lewis structure of {eq}{\left[ SeF_5 \right]}^-  {/eq}?",
            "F[Se-](F)(F)(F)F",
            "SeF5^-",
        ),
        ("The molecular geometry of NO{eq}_2^-{/eq} is _____.", "O=N[O-]", "NO2^-"),
    ],
)
def test_a_lone_molecule_of_another_formula_becomes_the_problems_small_species(
    question, smiles, name
):
    # the 1.5B coder wrote "ClNO" as SMILES (Cl-N-OH) for the first (seed 22)
    for written in ("ClNO", "CC(=O)O"):
        scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": written}]})
        (mol,) = scene.aligned_to(question).molecules
        assert (mol.smiles, mol.name) == (smiles, name)
    _drawn(scene.aligned_to(question))


def test_a_problem_with_several_formulas_keeps_the_models_molecule():
    scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": "N"}]})
    # a reaction's one one-centre species among others is no reason to swap the molecule
    question = r"Consider {eq}\rm 4NH_3(g) + 5O_2(g) \to 4NO(g) + 6H_2O(g){/eq}."
    assert scene.aligned_to(question).molecules[0].smiles == "N"
    question = "When 50.0 mL of 2M NaOH was mixed with 150.0 mL of 1M HBr solution"
    assert scene.aligned_to(question).molecules[0].smiles == "N"


def test_a_formula_written_where_smiles_belongs_is_drawn_as_its_structure():
    scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": "PH3"}]})
    assert (scene.molecules[0].smiles, scene.molecules[0].name) == ("P", "PH3")
    scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": "SO4^2-"}]})
    assert scene.molecules[0].smiles == "O=S(=O)([O-])[O-]"


def test_the_right_structure_is_named_as_the_problem_names_it():
    question = r"Draw the diagram and write the geometry for {eq}\displaystyle \rm SF_2  {/eq}."
    # seen (seed 24): the structure right, the name made up
    wrong = parse_scene(
        {"domain": "molecule", "molecules": [{"smiles": "FSF", "name": "Sulfur Dioxide"}]}
    )
    (mol,) = wrong.aligned_to(question).molecules
    assert (mol.smiles, mol.name) == ("FSF", "SF2")
    unnamed = parse_scene({"domain": "molecule", "molecules": [{"smiles": "FSF"}]})
    assert unnamed.aligned_to(question).molecules[0].name == "SF2"
    # a name the problem itself uses stays
    named = "Draw the Lewis structure of phosphine, PH3."
    scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": "P", "name": "Phosphine"}]})
    assert scene.aligned_to(named).molecules[0].name == "Phosphine"
