"""Electron scenes (sciray.scene.electron): real SciGenBench electron-configuration and orbital
problems render faithfully (orbital boxes filled by Hund's rule, energy ladders with stated
transitions, a Bohr model, an MO diagram, orbital shapes), random scenes never overlap or leave
the canvas, invalid scenes are refused with the field named, and nothing but the scene's own
texts is drawn."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import draw_scene, parse_scene, route
from sciray.scene.electron import ElectronScene, Subshell
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

_O2_MOS = [
    {"label": "σ2s", "electrons": 2},
    {"label": "σ*2s", "electrons": 2},
    {"label": "σ2p", "electrons": 2},
    {"label": "π2p", "orbitals": 2, "electrons": 4},
    {"label": "π*2p", "orbitals": 2, "electrons": 2},
    {"label": "σ*2p"},
]

# id -> (scene, question, answer, names_only). names_only: the subshell names themselves (1s,
# 2p) carry numbers the problem leaves to the reader (an element's name only); the checks pass
# them as the scene's notation.
CANONICAL = {
    "webinstruct-1042220": (
        {"domain": "electron", "title": "Nitrogen", "subshells": ["1s2", "2s2", "2p3"]},
        "Draw and explain the orbital-filling diagram for nitrogen.",
        "Nitrogen\n1s: ↑↓\n2s: ↑↓\n2p: ↑\t↑\t↑",
        False,
    ),
    "webinstruct2_2-2040137": (
        {
            "domain": "electron",
            "title": "Br (Z = 35)",
            "layout": "energy",
            "subshells": ["1s2", "2s2", "2p6", "3s2", "3p6", "4s2", "3d10", "4p5"],
        },
        "Give the orbital diagram of a bromine (Br) atom (Z= 35).",
        "The orbital diagram of Br is 1s²2s²2p⁶3s²3p⁶4s²3d¹⁰4p⁵",
        False,
    ),
    "webinstruct2_2-609384": (
        {
            "domain": "electron",
            "title": "Mo3+",
            "core": "[Kr]",
            "subshells": [{"label": "5s", "electrons": 0}, {"label": "4d", "electrons": 3}],
        },
        "Write orbital diagram for Mo3+ .\n\nUse the buttons at the top of the tool to add "
        "orbitals. Add them in order of increasing orbital energy. Click within the orbital to "
        "add electrons",
        "[Kr] 4d3",
        False,
    ),
    "webinstruct2_2-1632607": (
        {
            "domain": "electron",
            "title": "Manosium",
            "levels": [
                {"n": 1, "label": "Level 1"},
                {"n": 2, "label": "Level 2"},
                {"n": 3, "label": "Level 3"},
            ],
            "transitions": [
                {"from_n": 3, "to_n": 1, "label": "500 nm"},
                {"from_n": 2, "to_n": 3, "label": "700 nm"},
                {"from_n": 2, "to_n": 1, "label": "λ = ?"},
            ],
        },
        "An Atom of the element of Manosium has energy levels 1, 2, and 3 with successively "
        "higher energy. When the atom makes the transition from level 3 to level 1, it emits a "
        "photon with wavelength of 500nm. When it makes the transition from level 2 to level 3, "
        "it absorbs a photon with a wavelength of 700 nm. What wavelength photon is emitted by "
        "the transition from level 2 to level 1?",
        "1744 nm",
        True,
    ),
    "webinstruct-741278": (
        {
            "domain": "electron",
            "levels": [
                {"n": 2, "label": "2s", "energy": -12.98, "energy_label": "-12.98 eV"},
                {"n": 3, "label": "3s", "energy": -10.84, "energy_label": "-10.84 eV"},
            ],
            "transitions": [{"from_n": 2, "to_n": 3, "label": "absorbed photon"}],
        },
        "The energy of the electron in the 2s state is -12.98 eV, the energy in the 3s state "
        "-10.84 eV. What is the wavelength of the absorbed photon?",
        "9.23e-8 m",
        True,
    ),
    "webinstruct-1314364": (
        {"domain": "electron", "title": "N", "bohr": {"nucleus": "7p⁺ 7n", "shells": [2, 5]}},
        "How do you draw and label a Bohr model for N?",
        "1. Draw a small circle representing the nucleus.",
        False,  # the 7 protons and neutrons are the element's, not the problem's, numbers
    ),
    "webinstruct-60958": (
        {
            "domain": "electron",
            "mo": {
                "left_atom": "O",
                "right_atom": "O",
                "molecule": "O₂",
                "left": ["2s2", "2p4"],
                "right": ["2s2", "2p4"],
                "middle": _O2_MOS,
            },
        },
        "How do I write the electron configuration of an oxygen molecule?",
        "(σ_text(1s))^2 (σ_text(1s)* )^2 (σ_text(2s))^2",
        False,
    ),
    "webinstruct-801646": (
        {
            "domain": "electron",
            "orbitals": [{"kind": "py", "label": "n = 3, l = 1, ml = -1"}],
            "notes": ["ms = -1/2"],
        },
        "Draw an orbital that has the following quantum numbers.\n\n{eq}\\text{n=3, l=1,}"
        "{{\\text{m}}_{\\text{l}}}\\text{ = -1}\n\n{/eq} and {eq}{{\\text{m}}_{s}}=-\\frac{1}{2}"
        "\n\n{/eq}",
        "3p",
        True,
    ),
}


@pytest.fixture(scope="module")
def rendered():
    out = {}
    for key, (data, *_rest) in CANONICAL.items():
        scene = parse_scene(json.dumps(data))
        png, measured = draw_and_measure(scene)
        out[key] = (scene, png, measured)
    return out


def test_routes_both_image_types():
    assert route("Chemistry - Electron Config") == "electron"
    assert route("Chemistry - Orbital / Quantum") == "electron"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key][0]))
    assert isinstance(scene, ElectronScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_draws_exactly_its_labels(rendered, key):
    """Every label drawn once, nothing else: no unpaired count, no photon energy."""
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG") and not measured.blank
    assert measured.overlaps == [] and measured.outside == []
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_real_problem_checks(rendered, key):
    _, question, answer, _names_only = CANONICAL[key]
    problem = Problem(id=key, question=question, answer=answer, image_type="Chemistry")
    scene = parse_scene(CANONICAL[key][0])
    report = run_checks(
        problem, rendered[key][2], rendered=True, stated_only=True, notation=scene.notation()
    )
    assert report.label_recall is None or report.label_recall >= 0.9, report.missing
    assert report.leak is None  # subshell names are notation: "2s" gives no answer away
    assert report.scores.get("stated_values_only", 1.0) == 1.0, report.reasons
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def test_the_given_values_are_drawn():
    texts = {
        key: {norm_text(t) for t in drawn_texts(draw_and_measure(parse_scene(d))[1])}
        for key, (d, *_r) in CANONICAL.items()
    }
    assert {"500nm", "700nm", "Level1", "Level3"} <= texts["webinstruct2_2-1632607"]
    assert {"-12.98eV", "-10.84eV", "2s", "3s"} <= texts["webinstruct-741278"]
    assert {"[Kr]", "4d", "Mo3+"} <= texts["webinstruct2_2-609384"]
    assert {"n=3,l=1,ml=-1", "ms=-1/2"} <= texts["webinstruct-801646"]
    assert "3p" not in texts["webinstruct-801646"]  # the answer is not written


def test_hunds_rule_places_the_arrows():
    def arrows(label: str, n: int) -> list[int]:
        return Subshell(label=label, electrons=n).arrows()

    assert arrows("2p", 3) == [1, 1, 1]
    assert arrows("2p", 4) == [2, 1, 1]
    assert arrows("3d", 7) == [2, 2, 1, 1, 1]
    assert arrows("1s", 1) == [1]
    assert arrows("4f", 0) == [0] * 7
    assert Subshell(label="π*2p", orbitals=2, electrons=2).arrows() == [1, 1]
    assert Subshell(label="σ2s", electrons=2).boxes() == 1
    assert Subshell(label="σ*2p").boxes() == 1 and Subshell(label="π2p").boxes() == 2


def _harpoons(data: dict) -> int:
    """Number of half-arrows drawn (each a 3-point polyline)."""
    import matplotlib.pyplot as plt

    fig = draw_scene(parse_scene(data))
    try:
        return sum(1 for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) == 3)
    finally:
        plt.close(fig)


def test_one_arrow_per_stated_electron():
    assert _harpoons(CANONICAL["webinstruct-1042220"][0]) == 7
    assert _harpoons(CANONICAL["webinstruct2_2-2040137"][0]) == 35
    assert _harpoons(CANONICAL["webinstruct-60958"][0]) == 12 + 12


def test_lenient_readings():
    scene = ElectronScene.model_validate(
        {
            "title": "none",
            "subshells": "1s2, 2s2 2p^4 3d¹⁰",
            "levels": [1, {"n": 3, "label": ""}],
            "transitions": [{"from": 3, "to": 1, "label": "null"}],
            "bohr": {},
            "notes": ["", "1s² 2s² 2p⁴"],
            "orbitals": [{"kind": "3d_x²-y²"}, {"kind": "2p"}],
        }
    )
    assert scene.title is None and scene.bohr is None
    assert [(s.label, s.electrons) for s in scene.subshells] == [
        ("1s", 2),
        ("2s", 2),
        ("2p", 4),
        ("3d", 10),
    ]
    assert [lv.text() for lv in scene.levels] == ["n = 1", "n = 3"]
    assert (scene.transitions[0].from_n, scene.transitions[0].to_n) == (3, 1)
    assert scene.transitions[0].label is None
    assert [o.kind for o in scene.orbitals] == ["dx2-y2", "pz"]
    assert scene.notes == ["1s² 2s² 2p⁴"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "a scene needs"),
        ({"subshells": [{"label": "2p", "electrons": 7}]}, "electrons"),
        ({"subshells": [{"label": "1s", "electrons": 2, "spin": "up"}]}, "spin"),
        ({"subshells": [{"label": "2p", "box_labels": ["2px", "2py"]}]}, "box_labels"),
        ({"levels": [{"n": 1}, {"n": 1}]}, "levels"),
        ({"levels": [{"n": 1}], "transitions": [{"from_n": 4, "to_n": 1}]}, "transitions"),
        ({"levels": [{"n": 1}, {"n": 2}], "transitions": [{"from_n": 2, "to_n": 2}]}, "differ"),
        ({"levels": [{"n": 1, "energy": -13.6}, {"n": 2}]}, "energy"),
        ({"levels": [{"n": 0}]}, "n"),
        ({"bohr": {"shells": [3]}}, "shells"),
        ({"bohr": {"shells": []}}, "shells"),
        ({"orbitals": [{"kind": "f"}]}, "kind"),
        ({"mo": {"middle": []}}, "middle"),
        ({"core": "[Ne]", "levels": [{"n": 1}]}, "core"),
        ({"subshells": [{"label": "x" * 20}]}, "label"),
        ({"levels": [{"n": 1, "energy": float("inf")}]}, "energy"),
    ],
)
def test_invalid_scenes_are_refused_with_the_field_named(data, field):
    with pytest.raises(ValidationError, match=field):
        ElectronScene.model_validate(data)


_LABELS = [None, "λ = 656 nm", "-13.6 eV", "$E_2$", "$\\frac{broken", "absorbed photon"]
_SUBS = ["1s", "2s", "2p", "3d", "4f", "σ2p", "π*2p", "5s"]


def _sub(rng: random.Random) -> dict:
    label = rng.choice(_SUBS)
    n = Subshell(label=label).boxes()
    out = {"label": label, "electrons": rng.randint(0, 2 * n)}
    if rng.random() < 0.2:
        out["box_labels"] = [rng.choice(["-1", "0", "+1", "2px", "ml=+3"]) for _ in range(n)]
    return out


def _random_scene(rng: random.Random) -> dict:
    data: dict = {"domain": "electron"}
    kinds = rng.sample(["subshells", "levels", "bohr", "mo", "orbitals"], rng.choice([1, 1, 2]))
    if "subshells" in kinds:
        data["subshells"] = [_sub(rng) for _ in range(rng.randint(1, 12))]
        data["layout"] = rng.choice(["row", "energy"])
        data["core"] = rng.choice([None, "[Ar]"])
    if "levels" in kinds:
        ns = sorted(rng.sample(range(1, 12), rng.randint(2, 8)))
        energies = rng.random() < 0.4
        data["levels"] = [
            {
                "n": n,
                "energy": -13.6 / n**2 if energies else None,
                "energy_label": rng.choice(_LABELS),
            }
            for n in ns
        ]
        data["transitions"] = [
            {"from_n": a, "to_n": b, "label": rng.choice(_LABELS)}
            for a, b in (rng.sample(ns, 2) for _ in range(rng.randint(0, 4)))
        ]
    if "bohr" in kinds:
        k = rng.randint(1, 5)
        data["bohr"] = {
            "nucleus": rng.choice([None, "Na", "11p⁺ 12n"]),
            "shells": [rng.randint(0, min(2 * (i + 1) ** 2, 18)) for i in range(k)],
            "show_counts": rng.random() < 0.5,
        }
    if "mo" in kinds:
        data["mo"] = {
            "left_atom": "O",
            "right_atom": rng.choice([None, "C"]),
            "molecule": rng.choice([None, "CO"]),
            "left": ["2s2", "2p4"][: rng.randint(0, 2)],
            "right": ["2s2", "2p2"][: rng.randint(0, 2)],
            "middle": _O2_MOS[: rng.randint(1, 6)],
        }
    if "orbitals" in kinds:
        kinds_ = ["s", "px", "py", "pz", "dxy", "dxz", "dyz", "dx2-y2", "dz2"]
        data["orbitals"] = [
            {"kind": rng.choice(kinds_), "label": rng.choice([None, "3p (ml = -1)", "4s"])}
            for _ in range(rng.randint(1, 6))
        ]
    data["title"] = rng.choice([None, "Orbital diagram of a transition metal ion"])
    data["notes"] = rng.sample(
        ["1s² 2s² 2p⁶", "Z = 35", "a long stated note " * 4], rng.randint(0, 2)
    )
    return data


@random_scenes(max_examples=20)
def test_random_scenes_draw_cleanly(rng):
    assert_draws_cleanly(ElectronScene, _random_scene(rng))


@random_scenes(max_examples=6)
def test_random_scenes_draw_only_their_labels(rng):
    scene = ElectronScene.model_validate(_random_scene(rng))
    _, measured = draw_and_measure(scene)
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


def test_the_schema_documents_every_field():
    from sciray.scene import prompt_schema

    schema = prompt_schema("electron")
    for name, prop in schema["properties"].items():
        if name != "domain":
            assert prop.get("description"), name
    assert {"subshells", "levels", "transitions", "orbitals", "notes"} <= set(schema["required"])


def test_orbital_names_are_notation_not_unstated_values():
    scene, question, answer, _ = CANONICAL["webinstruct-1042220"]
    spec = parse_scene(scene)
    _, measured = draw_and_measure(spec)
    problem = Problem(id="n", question=question, answer=answer)
    strict = run_checks(problem, measured, rendered=True, stated_only=True)
    assert "values the problem does not state" in " ".join(strict.reasons)
    named = run_checks(problem, measured, rendered=True, stated_only=True, notation=spec.notation())
    assert named.scores["stated_values_only"] == 1.0
    assert "answer 2 drawn" in " ".join(strict.reasons) and named.leak is None


def test_a_bohr_model_whose_shells_do_not_hold_its_protons_disagrees_with_a_neutral_atom():
    copied = parse_scene({"domain": "electron", "bohr": {"shells": [2, 8, 1], "nucleus": "7p⁺ 7n"}})
    (reason,) = copied.disagreements("How do you draw and label a Bohr model for N?")
    assert "7 protons" in reason and "11 electrons" in reason
    assert copied.disagreements("Draw the Bohr model of the N3- ion.") == []
    right = parse_scene({"domain": "electron", "bohr": {"shells": [2, 5], "nucleus": "7p⁺ 7n"}})
    assert right.disagreements("How do you draw and label a Bohr model for N?") == []


def test_the_configuration_the_problem_writes_out_is_drawn_and_an_atom_gets_no_mo_ladder():
    """Seed 34: the problem's worked example "1s^2 2s^2 2p^2" (carbon) drawn as 1s¹ 2s² 2p²
    beside an MO ladder labelled "Ca" for a question about one atom's configuration."""
    question = (
        "For example, consider a carbon atom having an atomic number of 6. This electron "
        "configuration can be written as 1s{eq}^2{/eq}2s{eq}^2{/eq}2p{eq}^2{/eq}. Write the "
        "electron configuration for Ca. For example, 1s22s2 should be entered as "
        "1s{eq}^2{/eq}2s{eq}^2{/eq}."
    )
    mo = {"middle": [{"label": "σ2s", "electrons": 2}, {"label": "σ*2s", "electrons": 2}],
          "molecule": "Ca"}  # fmt: skip
    scene = parse_scene(
        {
            "domain": "electron",
            "subshells": [
                {"label": "1s", "electrons": 1},
                {"label": "2s", "electrons": 2},
                {"label": "2p", "electrons": 2},
            ],  # fmt: skip
            "mo": mo,
        }
    )
    aligned = scene.aligned_to(question)
    assert [s.electrons for s in aligned.subshells] == [2, 2, 2] and aligned.mo is None
    assert scene.aligned_to("The MO diagram of O2 and the 2p orbitals").mo is not None
    other = "Nitrogen is 1s^2 2s^2 2p^3 and O is 1s^2 2s^2 2p^4."  # two of these names: unknown
    assert [s.electrons for s in scene.aligned_to(other).subshells] == [1, 2, 2]
