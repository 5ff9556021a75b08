"""Scene prompts: every built-in domain has worked examples that themselves draw cleanly and
pass the checks, and a call shows the one nearest to its problem; calls for one domain share
their whole system message (llama.cpp keeps that prefix evaluated); answers that miss the routed
domain or write formulas as SMILES are read as meant."""

from __future__ import annotations

import json

import pytest

from sciray.checks.run import run_checks
from sciray.coder import scene_prompts
from sciray.scene import domains, parse_scene, prompt_schema
from sciray.scene.examples import EXAMPLES, nearest_example
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem


def test_every_domain_has_an_example() -> None:
    built_in = {n for n, cls in domains().items() if cls.__module__.startswith("sciray.scene.")}
    assert set(EXAMPLES) == built_in


@pytest.mark.parametrize(
    ("domain", "index"), [(d, i) for d in sorted(EXAMPLES) for i in range(len(EXAMPLES[d]))]
)
def test_example_scene_draws_cleanly_and_passes_the_checks(domain: str, index: int) -> None:
    question, data = EXAMPLES[domain][index]
    scene = parse_scene(data)
    assert scene.domain == domain
    _png, measured = draw_and_measure(scene)
    assert not measured.blank
    assert measured.overlaps == [] and measured.outside == []
    problem = Problem(id=f"example-{domain}-{index}", question=question)
    report = run_checks(problem, measured, rendered=True, stated_only=True)
    assert report.scores["stated_values_only"] == 1.0, report.reasons
    assert report.leak is None
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing


def test_calls_for_a_domain_share_the_system_message_and_the_problem_comes_last() -> None:
    a = Problem(id="a", question="A 2 kg block slides down a 40° incline.")
    b = Problem(id="b", question="A 5 kg cart on a frictionless track is pushed by 10 N.")
    first_a = scene_prompts.first_messages(a, "mechanics")
    first_b = scene_prompts.first_messages(b, "mechanics")
    repair = scene_prompts.repair_messages(
        a, "mechanics", '{"domain": "mechanics"}', "bodies: Field required", failed_render=True
    )
    assert first_a[0] == first_b[0] == repair[0]
    system = first_a[0]["content"]
    assert "  bodies: Body[]" in system and a.question not in system
    # the nearest worked example is an earlier exchange, then the problem comes last
    assert [m["role"] for m in first_a] == ["system", "user", "assistant", "user"]
    assert a.question in first_a[-1]["content"] and '"kind": "incline"' in first_a[2]["content"]
    assert '"kind": "cart"' in first_b[2]["content"]
    assert first_a[1:3] == repair[1:3] and "bodies: Field required" in repair[-1]["content"]
    assert scene_prompts.system_message("plot") != first_a[0]


@pytest.mark.parametrize(
    ("question", "domain", "kind"),
    [
        (
            "A 2 kg mass on a vertical spring (k = 50 N/m) oscillates up and down.",
            "mechanics",
            "spring",
        ),
        ("A ball is launched at 20 m/s at 35° above the horizontal.", "mechanics", "angle"),
        ("A simple pendulum 1.2 m long swings through 10°.", "mechanics", "pendulum"),
        (
            "Draw the tree diagram for the chain rule of w = f(u, v), u = u(s), v = v(s).",
            "graph",
            "z",
        ),
        (
            "Draw the flowchart of an algorithm that reads x and checks if x > 0.",
            "graph",
            "diamond",
        ),
        ("Draw a bar chart of the sales: Mon 4, Tue 7, Wed 5.", "plot", "bar"),
        ("A tangent from P touches a circle with centre O at T.", "geometry", "tangent"),
    ],
)
def test_the_nearest_example_is_shown(question: str, domain: str, kind: str) -> None:
    """A small model copies the shape of the example it sees: a spring problem gets the spring
    example, a chain rule its tree, a tangent the tangent construction."""
    problem_text, scene = nearest_example(domain, question)
    assert kind in json.dumps(scene), problem_text
    messages = scene_prompts.first_messages(Problem(id="q", question=question), domain)
    assert messages[1]["content"].count(problem_text) == 1


def test_a_problem_near_no_example_gets_the_first_one() -> None:
    assert nearest_example("plot", "Zzz qqq.") == EXAMPLES["plot"][0]
    assert nearest_example("no-such-domain", "anything") is None


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
        # the ethyl group, TeX subscripts (seed 10: the Lewis structure of "C_2H_5Br")
        ("C2H5OH", "CCO"),
        ("C_2H_5Br", "CCBr"),
        # small molecules whose formula fixes the structure (seed 11: "N2" for its Lewis
        # structure): a diatomic, or one centre with every terminal atom's valence on it
        ("N2", "N#N"),
        ("O2", "O=O"),
        ("CO2", "O=C=O"),
        ("H2O", "O"),
        ("SO2", "O=S=O"),
        ("HCN", "C#N"),
        ("CH2O", "C=O"),
        ("BF3", "FB(F)F"),
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


def test_a_formula_named_beside_broken_smiles_is_drawn():
    """Seen from the 1.5B coder (seed 10): "CCl3H5Br" in the SMILES field, "C2H5Br" as its name.
    The name is the structure meant; a name that is no formula leaves the error standing."""
    scene = parse_scene(
        {"domain": "molecule", "molecules": [{"smiles": "CCl3H5Br", "name": "C2H5Br"}]}
    )
    assert (scene.molecules[0].smiles, scene.molecules[0].name) == ("CCBr", "C2H5Br")
    with pytest.raises(ValueError, match="is a formula, not SMILES"):
        parse_scene({"domain": "molecule", "molecules": [{"smiles": "CCl3H5Br", "name": "x"}]})
    # a valid SMILES is kept whatever the name says
    scene = parse_scene({"domain": "molecule", "molecules": [{"smiles": "CCO", "name": "CH3Cl"}]})
    assert scene.molecules[0].smiles == "CCO"


def test_what_is_not_a_condensed_formula_is_not_guessed():
    """A molecular formula, a formula whose atoms cannot all be bonded (a carbon with a free
    valence), unbalanced parentheses: no structure is made up."""
    from sciray.scene.molecule import condensed_smiles

    for text in (
        "C2H6O",
        "C3H7OH",
        "NO2",
        "H2O2",
        "C2H2",
        "CCl2",
        "XYZ",
        "CH3CH2",
        "(CH3)3CC(O",
        "CH3C(CH3)3CH3",
    ):
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
        results = renderer.render_many([json.dumps(EXAMPLES[n][0][1]) for n in names])
    for name, result in zip(names, results):
        assert result.status == "ok", (name, result.error)
        assert result.png.startswith(b"\x89PNG") and not result.scene.blank
        texts = " ".join(t.text for t in result.scene.texts)
        label = next(lab for lab in parse_scene(EXAMPLES[name][0][1]).labels() if "$" not in lab)
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


@pytest.mark.parametrize(
    "note",
    [
        "The given values should be 6, not 4. The answer should be 4 drawn in the image.",
        "H2 propositions are provided, but the values for 105 μm are not given. The text ",
        " is incorrect and should be removed. The text ",
        "12 is the amount of KOH added",
        "The area of a triangle with vertices A, ",
        " before ",
        " , ",
    ],
)
def test_notes_about_the_task_are_commentary(note: str) -> None:
    # what the 1.5B coder wrote into notes after repair prompts (seeds 24, 25)
    from sciray.scene.text import is_commentary

    assert is_commentary(note)


def test_stated_notes_are_kept_and_commentary_dropped() -> None:
    from sciray.scene.text import is_commentary

    stated = [
        "λ = 450 nm",
        "drawn with replacement",
        "0 ≤ t ≤ π",
        "52 cards, 4 suits, 13 cards each",
        "first two cards drawn from the deck are both red",
        "4.15 times smaller than the original image",
    ]
    assert not [n for n in stated if is_commentary(n)]
    # no worked example of ours has a note that reads as commentary
    for domain, examples in EXAMPLES.items():
        for _question, data in examples:
            notes = parse_scene(data).model_dump().get("notes") or []
            assert not [n for n in notes if is_commentary(n)], domain
    scene = parse_scene(
        {
            "domain": "probability",
            "parts": [{"kind": "normal", "mean": 70, "sd": 20}],
            "notes": ["μ = 70 μm", "The given values for the hair diameter are 110 μm. The H1,"],
        }
    )
    assert scene.without_commentary().notes == ["μ = 70 μm"]
    assert scene.without_commentary().without_commentary() == scene.without_commentary()


@pytest.mark.parametrize(
    ("note", "question", "named"),
    [
        ("4", "Given $|V|=4$ and $|E|=3$, how many graphs", "|V| = 4"),
        ("2.5", "a mass m = 2.5 kg hangs from 2 springs", "m = 2.5"),
        ("12", r"a ball thrown at $v_0 = 12$ m/s", "v_0 = 12"),
        ("2", "a mass m = 2.5 kg hangs from 2 springs", None),  # stated, but named nowhere
        ("3", "x = 3 and y = 3", None),  # stated twice: which name is meant is unknown
        ("4 kg", "m = 4", None),  # not a bare number: the model wrote what it is
        ("7", "m = 4", None),  # not stated at all: another check's business
    ],
)
def test_a_bare_number_note_takes_the_name_the_problem_gives_it(note, question, named) -> None:
    from sciray.scene.text import named_number

    assert named_number(note, question) == named


def test_tex_commands_written_with_one_backslash_survive_json() -> None:
    """Seed 33: a table header "$\\frac{dy}{dx}$" in the model's JSON read as a form feed and
    "rac", drawn as a box; \\theta, \\nu, \\beta would be a tab, a newline, a backspace."""
    from sciray.coder.scene_prompts import scene_data

    answer = (
        r'{"header": ["x", "$\frac{dy}{dx}$"], "angle": "\theta = 30°", "nu": "\nu",'
        r' "greek": "\alpha + \Delta", "escaped": "\\frac", "lines": "a\nb", "tab": "a\tb",'
        r' "unicode": "\u03bb = 2"}'
    )
    raw, why = scene_data(answer, "plot")
    assert why is None
    assert raw["header"] == ["x", "$\\frac{dy}{dx}$"] and raw["angle"] == "\\theta = 30°"
    assert raw["nu"] == "\\nu" and raw["greek"] == "\\alpha + \\Delta"
    assert raw["escaped"] == "\\frac"  # already escaped: unchanged
    assert raw["lines"] == "a\nb" and raw["tab"] == "a\tb"  # JSON's own escapes stay
    assert raw["unicode"] == "λ = 2" and raw["domain"] == "plot"
