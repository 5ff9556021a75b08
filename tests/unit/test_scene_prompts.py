"""Scene prompts: every built-in domain shows a worked example that itself draws cleanly and
passes the checks; calls for one domain share their whole system message (llama.cpp keeps that
prefix evaluated); answers that miss the routed domain or write formulas as SMILES are read as
meant."""

from __future__ import annotations

import pytest

from sciray.checks.run import run_checks
from sciray.coder import scene_prompts
from sciray.scene import domains, parse_scene, prompt_schema
from sciray.scene.examples import EXAMPLES
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem


def test_every_domain_has_an_example() -> None:
    built_in = {n for n, cls in domains().items() if cls.__module__.startswith("sciray.scene.")}
    assert set(EXAMPLES) == built_in


@pytest.mark.parametrize("domain", sorted(EXAMPLES))
def test_example_scene_draws_cleanly_and_passes_the_checks(domain: str) -> None:
    question, data = EXAMPLES[domain]
    scene = parse_scene(data)
    assert scene.domain == domain
    _png, measured = draw_and_measure(scene)
    assert not measured.blank
    assert measured.overlaps == [] and measured.outside == []
    problem = Problem(id=f"example-{domain}", question=question)
    report = run_checks(problem, measured, rendered=True, stated_only=True)
    assert report.scores["stated_values_only"] == 1.0, report.reasons
    assert report.leak is None
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing


def test_calls_for_a_domain_share_the_system_message_and_the_problem_comes_last() -> None:
    a = Problem(id="a", question="A 2 kg block slides down a 40° incline.")
    b = Problem(id="b", question="A 5 kg cart is pushed by 10 N.")
    first_a = scene_prompts.first_messages(a, "mechanics")
    first_b = scene_prompts.first_messages(b, "mechanics")
    repair = scene_prompts.repair_messages(
        a, "mechanics", '{"domain": "mechanics"}', "bodies: Field required", failed_render=True
    )
    assert first_a[0] == first_b[0] == repair[0]
    system = first_a[0]["content"]
    assert EXAMPLES["mechanics"][0] in system and '"kind": "incline"' in system
    assert a.question not in system and a.question in first_a[1]["content"]
    assert "bodies: Field required" in repair[1]["content"]
    assert scene_prompts.system_message("plot") != first_a[0]


def test_decoding_schema_requires_the_domain() -> None:
    for name in EXAMPLES:
        assert prompt_schema(name)["required"][0] == "domain"


def test_an_answer_without_its_domain_takes_the_routed_one() -> None:
    text = '{"nodes": [{"name": "a"}, {"name": "b"}], "edges": [{"src": "a", "dst": "b"}]}'
    scene, why = scene_prompts.parse_scene_answer(text, "graph")
    assert why is None and scene.domain == "graph"
    scene, why = scene_prompts.parse_scene_answer(text)
    assert scene is None and "unknown scene domain" in why


def test_formulas_written_as_smiles() -> None:
    # a reaction's species only need their formula written: it moves there
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [{"smiles": "SO2", "coefficient": 2}, {"smiles": "O2"}],
            "products": [{"smiles": "SO3", "coefficient": 2}],
        }
    )
    assert [(s.formula, s.smiles) for s in scene.reactants] == [("SO2", ""), ("O2", "")]
    # a structure needs real SMILES: the error says how to write it
    with pytest.raises(ValueError, match="is a formula, not SMILES.*'O=O'"):
        parse_scene({"domain": "molecule", "molecules": [{"smiles": "C2H6O"}]})
    # a formula that is also valid SMILES stays a structure
    scene = parse_scene(
        {"domain": "molecule", "reactants": [{"smiles": "CO"}], "products": [{"smiles": "C"}]}
    )
    assert scene.reactants[0].smiles == "CO"


@pytest.mark.parametrize(
    ("condensed", "smiles"),
    [
        ("CH3CH2CH2CH2OH", "CCCCO"),
        ("CH3COOH", "CC(=O)O"),
        ("HCOOH", "C(=O)O"),
        ("CH3COCH3", "CC(=O)C"),
        ("CH3CHO", "CC=O"),
        ("CH2=CH2", "C=C"),
        ("C6H5OH", "c1ccccc1O"),
        # with branches (seen from the 1.5B coder, seed 8: "(CH3)3CC(O)CH2CCH")
        ("(CH3)3CC(O)CH2CCH", "C#CCC(=O)C(C)(C)C"),
        ("(CH3)2CHOH", "CC(C)O"),
        ("CH3CH(CH3)CH3", "CC(C)C"),
        ("((CH3)2CH)2CHOH", "CC(C)C(O)C(C)C"),
        ("CH3CHOHCH3", "CC(C)O"),
        ("CH3CH2C(O)OCH3", "CCC(=O)OC"),
        ("CH3COOCH2CH3", "CC(=O)OCC"),
        # halogens on one carbon (seed 9: "CF2Cl2", an electron-dot structure to draw)
        ("CF2Cl2", "FC(F)(Cl)Cl"),
        ("CHCl3", "ClC(Cl)Cl"),
        ("CCl4", "ClC(Cl)(Cl)Cl"),
    ],
)
def test_a_condensed_formula_given_as_smiles_is_drawn_as_its_structure(condensed, smiles):
    """Seen from the 1.5B coder: "CH3CH2CH2CH2OH" where a SMILES belongs. A linear condensed
    formula becomes its SMILES (only when the molecular formulas agree) and stays its name."""
    scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": condensed}]})
    assert (scene.molecules[0].smiles, scene.molecules[0].name) == (smiles, condensed)
    named = parse_scene(
        {"domain": "molecule", "molecules": [{"smiles": condensed, "name": "the alcohol"}]}
    )
    assert named.molecules[0].name == "the alcohol"


def test_what_is_not_a_condensed_formula_is_not_guessed():
    """A molecular formula, a formula whose atoms cannot all be bonded (a carbon with a free
    valence), unbalanced parentheses: no structure is made up."""
    from sciray.scene.molecule import condensed_smiles

    for text in ("C2H6O", "C2H5OH", "O2", "CCl2", "XYZ", "CH3CH2", "(CH3)3CC(O", "CH3C(CH3)3CH3"):
        assert condensed_smiles(text) is None, text
    # model-written text: a huge count, deep nesting or a long chain is refused before building
    for text in ("(CH3)99999999C", "(" * 500 + "CH3" + ")" * 500, "CH3" * 1000):
        assert condensed_smiles(text) is None, text[:20]


def test_every_domain_draws_in_the_real_sandbox() -> None:
    """The sandbox's allow-list and preloads cover every domain's libraries (RDKit, schemdraw,
    networkx, sympy): each example scene renders there, its labels measured."""
    import json

    from sciray.config.models import RenderConfig
    from sciray.render import make_renderer

    names = sorted(EXAMPLES)
    with make_renderer("scene", RenderConfig(timeout_s=60), workers=1) as renderer:
        results = renderer.render_many([json.dumps(EXAMPLES[n][1]) for n in names])
    for name, result in zip(names, results):
        assert result.status == "ok", (name, result.error)
        assert result.png.startswith(b"\x89PNG") and not result.scene.blank
        texts = " ".join(t.text for t in result.scene.texts)
        label = next(lab for lab in parse_scene(EXAMPLES[name][1]).labels() if "$" not in lab)
        assert label in texts, (name, label, texts)


def test_tex_style_subscripts_in_formulas_are_drawn_as_subscripts() -> None:
    scene = parse_scene(
        {
            "domain": "molecule",
            "reactants": [{"formula": "H_2S", "coefficient": 2}],
            "products": [{"formula": "SO_{2}"}],
            "conditions": "3.2 moles of O_2",
        }
    )
    labels = scene.labels()
    assert "2$\\mathrm{H_{2}S}$" in labels and "$\\mathrm{SO_{2}}$" in labels
    assert "3.2 moles of $\\mathrm{O_{2}}$" in labels


def test_a_ground_given_two_nodes_is_grounded_at_its_first() -> None:
    scene = parse_scene(
        {
            "domain": "circuit",
            "components": [
                {"kind": "battery", "node_a": "a", "node_b": "b", "value": "9 V"},
                {"kind": "resistor", "node_a": "a", "node_b": "b", "value": "3 Ω"},
                {"kind": "ground", "node_a": "b", "node_b": "0"},
            ],
        }
    )
    assert [(c.node_a, c.node_b) for c in scene.components if c.kind == "ground"] == [("b", "")]
    _png, measured = draw_and_measure(scene)
    assert not measured.blank and measured.outside == []
