"""Crystal-structure scenes (sciray.scene.crystal): real SciGenBench problems render with their
given values, atoms sit where the structure type puts them, random scenes never overlap or leave
the canvas, invalid scenes are refused naming the field, and nothing but the scene's texts is
drawn."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from sciray.checks.run import run_checks
from sciray.scene import parse_scene, route
from sciray.scene.crystal import CrystalScene, _direction, _plane_polygon, _sizes
from sciray.scene.measure import draw_and_measure
from sciray.types import Problem
from tests.unit.scene_property import assert_draws_cleanly, drawn_texts, norm_text, random_scenes

CANONICAL = {
    # webinstruct-586867: impurity of radius r in the FCC octahedral site (0 1/2 1), host R
    "webinstruct-586867": {
        "domain": "crystal",
        "structure": "fcc",
        "species": [
            {"name": "host atom", "radius_label": "R"},
            {"name": "impurity", "radius_label": "r", "sites": ["none"]},
        ],
        "points": [{"at": [0, "1/2", 1], "species": "impurity", "label": "(0, 1/2, 1)"}],
    },
    # webinstruct-1075269: CsCl, Cs+ 0.170 nm, Cl- 0.181 nm, touching along the cube diagonal
    "webinstruct-1075269": {
        "domain": "crystal",
        "structure": "cscl",
        "species": [
            {"name": "Cs+", "radius": 0.170, "radius_label": "0.170 nm"},
            {"name": "Cl-", "radius": 0.181, "radius_label": "0.181 nm"},
        ],
        "lines": [{"kind": "body_diagonal"}],
    },
    # webinstruct-256076: FCC Cu, 35 MPa along [001], slip on (111) in [10-1]
    "webinstruct-256076": {
        "domain": "crystal",
        "structure": "fcc",
        "species": [{"name": "Cu"}],
        "planes": [{"hkl": [1, 1, 1], "label": "(1 1 1)"}],
        "directions": [
            {"uvw": [0, 0, 1], "label": "[0 0 1], σ = 35 MPa"},
            {"uvw": [1, 0, -1], "label": "[1 0 -1]"},
        ],
    },
    # webinstruct-1397896: pyrolusite, BCC Mn with 2 oxide ions inside and 2 on each of 2 faces
    "webinstruct-1397896": {
        "domain": "crystal",
        "structure": "bcc",
        "species": [{"name": "Mn"}, {"name": "O2-", "sites": ["none"]}],
        "points": [
            {"at": [0.3, 0.3, 0], "species": "O2-"},
            {"at": [0.7, 0.7, 0], "species": "O2-"},
            {"at": [0.3, 0.3, 1], "species": "O2-"},
            {"at": [0.7, 0.7, 1], "species": "O2-"},
            {"at": [0.8, 0.2, 0.5], "species": "O2-"},
            {"at": [0.2, 0.8, 0.5], "species": "O2-"},
        ],
    },
    # webinstruct-15621: simple cubic array of spheres of radius r, the interior sphere (hole)
    "webinstruct-15621": {
        "domain": "crystal",
        "structure": "simple_cubic",
        "species": [{"name": "sphere", "radius_label": "r"}],
        "points": [{"at": [0.5, 0.5, 0.5], "label": "interior sphere (cubic hole)"}],
    },
    # webinstruct-1328987: FCC metal X, r = 125 pm, M = 42.3 g/mol
    "webinstruct-1328987": {
        "domain": "crystal",
        "structure": "fcc",
        "title": "Metal X: face-centered cubic",
        "species": [{"name": "Metal X", "radius_label": "r = 125 pm"}],
        "edge_label": "a",
        "notes": ["atomic weight = 42.3 g/mol"],
    },
    # webinstruct-971073: FCC silver, a = 4.077 × 10⁻⁸ cm, density 10.5
    "webinstruct-971073": {
        "domain": "crystal",
        "structure": "fcc",
        "species": [{"name": "Ag"}],
        "edge_label": "a = 4.077 × 10$^{-8}$ cm",
        "notes": ["density = 10.5 g cm$^{-1}$"],
    },
    # webinstruct-2017326: FCC lead, r = 175 pm
    "webinstruct-2017326": {
        "domain": "crystal",
        "structure": "fcc",
        "species": [{"name": "Pb", "radius_label": "r = 175 pm"}],
        "lines": [{"kind": "face_diagonal"}],
    },
}

PROBLEMS = {
    "webinstruct-586867": (
        "Compute the radius r of an impurity atom that will just fit into an FCC octahedral site "
        "(coordinates: 0 1/2 1) in terms of the atomic radius R of the host atom (without "
        "introducing lattice strains).",
        "r = 0.414R",
    ),
    "webinstruct-256076": (
        "A single crystal of FCC Copper is oriented such that a tensile stress of 35 MPa is "
        "applied along the 0 0 1 direction. Calculate the magnitude (absolute value) of the "
        "resolved shear stress on the 1 1 1 plane in the 1 0 -1 direction.\n\n"
        "(answer format X.X)",
        "14.3",
    ),
    "webinstruct-1328987": (
        "The atomic radius of metal X is 125 picometers (pm), and a crystal of metal X has a unit "
        "cell that is face-centered cubic. Calculate the density of metal X (atomic weight = "
        "42.3 g/mol).",
        "3.20 g/cm^3",
    ),
    "webinstruct-2017326": (
        "Lead crystallizes in a face-centered cubic unit cell. The radius of a lead atom is 175 "
        "pm. Determine the density of lead in g/cm{eq}^3{/eq}.",
        "11.6 g/cm^3",
    ),
    "webinstruct-971073": (
        "Silver crystallizes in FCC lattice. If the edge length of the cell is {eq}4.077 \\times "
        "10^{-8}\n\n{/eq} cm and density is 10.5 g cm{eq}^{-1}\n\n{/eq}, calculate the atomic "
        "mass of silver.",
        "107.13 g/mol",
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


def test_routes_crystal_type():
    assert route("Chemistry - Crystal Structure") == "crystal"


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_round_trips(key):
    scene = parse_scene(json.dumps(CANONICAL[key]))
    assert isinstance(scene, CrystalScene)
    assert parse_scene(scene.model_dump_json()) == scene


@pytest.mark.parametrize("key", sorted(CANONICAL))
def test_canonical_scene_renders_cleanly_with_only_its_labels(rendered, key):
    scene, png, measured = rendered[key]
    assert png.startswith(b"\x89PNG")
    assert not measured.blank
    assert measured.overlaps == []
    assert measured.outside == []
    # every label drawn once; nothing derived (no density, packing factor, radius ratio)
    assert sorted(norm_text(t) for t in drawn_texts(measured)) == sorted(
        norm_text(t) for t in scene.labels()
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_real_problem_checks(rendered, key):
    question, answer = PROBLEMS[key]
    problem = Problem(
        id=key, question=question, answer=answer, image_type="Chemistry - Crystal Structure"
    )
    report = run_checks(problem, rendered[key][2], rendered=True)
    assert report.label_recall is None or report.label_recall >= 0.8, report.missing
    assert report.leak is None
    assert report.scores["no_overlaps"] == 1.0 and report.scores["inside_canvas"] == 1.0


def _count(scene: dict) -> dict:
    out: dict = {}
    for _, idx, _ in CrystalScene.model_validate(scene).placed():
        out[idx] = out.get(idx, 0) + 1
    return out


def test_structure_types_put_atoms_at_their_lattice_sites():
    two = [{"name": "A+"}, {"name": "B-"}]
    assert _count({"structure": "simple_cubic", "species": two[:1]}) == {0: 8}
    assert _count({"structure": "bcc", "species": two[:1]}) == {0: 9}
    assert _count({"structure": "fcc", "species": two[:1]}) == {0: 14}
    assert _count({"structure": "nacl", "species": two}) == {0: 13, 1: 14}
    assert _count({"structure": "cscl", "species": two}) == {0: 1, 1: 8}
    assert _count({"structure": "zinc_blende", "species": two}) == {0: 4, 1: 14}
    assert _count({"structure": "fluorite", "species": two}) == {0: 14, 1: 8}
    three = two + [{"name": "O2-"}]
    assert _count({"structure": "perovskite", "species": three}) == {0: 8, 1: 1, 2: 6}
    # a stated site replaces the lattice atom there; an empty cube holds only stated sites
    scene = CANONICAL["webinstruct-586867"]
    assert _count(scene) == {0: 14, 1: 1}
    assert _count({"structure": "cube", "points": [{"at": [0.5, 0.5, 0.5]}]}) == {None: 1}
    # the CsCl body centre is the cation, the corners the anion
    pos = {
        idx: p
        for p, idx, _ in CrystalScene.model_validate({"structure": "cscl", "species": two}).placed()
    }
    assert np.allclose(pos[0], 0.5)


def test_stated_radii_set_the_size_ratio_and_ions_default_by_charge():
    cscl = CrystalScene.model_validate(CANONICAL["webinstruct-1075269"])
    cs, cl = _sizes(cscl)
    assert cs / cl == pytest.approx(0.170 / 0.181) and cl == pytest.approx(0.12)
    nacl = CrystalScene.model_validate(
        {"structure": "nacl", "species": [{"name": "Na+"}, {"name": "Cl-"}]}
    )
    na, cl = _sizes(nacl)
    assert na < cl


def test_miller_planes_and_directions_in_the_cell():
    tri = _plane_polygon([1, 1, 1])
    assert len(tri) == 3 and np.allclose(sorted(map(tuple, tri)), [(0, 0, 1), (0, 1, 0), (1, 0, 0)])
    face = _plane_polygon([1, 0, 0])
    assert len(face) == 4 and np.allclose(face[:, 0], 1)
    half = _plane_polygon([2, 0, 0])
    assert np.allclose(half[:, 0], 0.5)
    rect = _plane_polygon([1, 1, 0])
    assert len(rect) == 4 and np.allclose(rect[:, 0] + rect[:, 1], 1)
    neg = _plane_polygon([0, -1, 0])  # origin moved to y = 1: the plane y = 0
    assert np.allclose(neg[:, 1], 0)
    start, tip = _direction([1, 0, -1])
    assert np.allclose(start, [0, 0, 1]) and np.allclose(tip, [1, 0, 0])
    start, tip = _direction([1, 1, 2])
    assert np.allclose(start, 0) and np.allclose(tip, [0.5, 0.5, 1])


def test_invalid_scenes_are_refused_naming_the_field():
    bad = {
        "colour": {"domain": "crystal", "colour": "red"},
        "structure": {"domain": "crystal", "structure": "hexagonal_diamond"},
        "species": {"domain": "crystal", "structure": "nacl", "species": [{"name": "Na+"}]},
        "species[1].name": {"domain": "crystal", "species": [{"name": "Fe"}, {"name": "Fe"}]},
        "species[1].sites": {"domain": "crystal", "species": [{"name": "Fe"}, {"name": "C"}]},
        "points[0].species": {
            "domain": "crystal",
            "points": [{"at": [0, 0, 0], "species": "Zn"}],
        },
        "points.0.at": {"domain": "crystal", "points": [{"at": [0, 2, 0]}]},
        "planes.0.hkl": {"domain": "crystal", "planes": [{"hkl": [0, 0, 0]}]},
        "directions.0.uvw": {"domain": "crystal", "directions": [{"uvw": [1, 1]}]},
        "lines.0.kind": {"domain": "crystal", "lines": [{"kind": "space_diagonal"}]},
        "species.0.radius": {"domain": "crystal", "species": [{"name": "Fe", "radius": "1e999"}]},
    }
    for where, data in bad.items():
        with pytest.raises(ValidationError) as err:
            CrystalScene.model_validate(data)
        assert where.split(".")[0].split("[")[0] in str(err.value), (where, str(err.value))


def test_empty_and_none_labels_mean_no_label_and_nothing_unstated_is_drawn():
    scene = CrystalScene.model_validate(
        {
            "domain": "crystal",
            "structure": "bcc",
            "edge_label": "none",
            "lines": [{"kind": "body_diagonal", "label": ""}],
            "planes": [{"hkl": [1, 1, 0], "label": "null"}],
            "directions": [{"uvw": [1, 1, 1]}],
        }
    )
    # only the axis names that give (hkl) and [uvw] a meaning
    assert scene.labels() == ["x", "y", "z"]
    _, measured = draw_and_measure(scene)
    assert sorted(drawn_texts(measured)) == ["x", "y", "z"] and not measured.blank
    bare = scene.model_copy(update={"planes": [], "directions": []})
    assert bare.labels() == []
    _, measured = draw_and_measure(bare)
    assert drawn_texts(measured) == [] and not measured.blank
    # a species' radius symbol is no number; its label is written as given
    sp = scene.model_validate({"species": [{"name": "Fe", "radius": "R", "radius_label": "R"}]})
    assert sp.species[0].radius is None and sp.labels() == ["Fe: R"]


_SPECIES = ["Na+", "Cl-", "Cs$^+$", "O2-", "host atom", "Metal X", "Zn2+", "$\\sqrt{bad"]


def _random_scene(rng: random.Random) -> dict:
    structure = rng.choice(
        [
            "simple_cubic",
            "bcc",
            "fcc",
            "nacl",
            "cscl",
            "zinc_blende",
            "fluorite",
            "perovskite",
            "cube",
        ]
    )
    need = {"nacl": 2, "cscl": 2, "zinc_blende": 2, "fluorite": 2, "perovskite": 3}.get(
        structure, 1
    )
    names = rng.sample(_SPECIES, rng.randint(need, 4)) if need > 1 or rng.random() < 0.8 else []
    names = [] if rng.random() < 0.15 else names  # a bare structure: no legend
    species = []
    for i, n in enumerate(names):
        sp: dict = {"name": n}
        if rng.random() < 0.5:
            sp["radius"] = round(rng.uniform(0.02, 0.3), 3)
        if rng.random() < 0.5:
            sp["radius_label"] = rng.choice(["R", "r = 175 pm", "0.181 nm", "$r_{+}$"])
        if i >= need or structure == "cube":
            sp["sites"] = rng.sample(
                ["corners", "body_centre", "face_centres", "edge_centres", "tetrahedral", "none"],
                rng.randint(1, 2),
            )
        species.append(sp)
    points = []
    for _ in range(rng.randint(0, 3)):
        at = [rng.choice([0, 0.25, 0.5, 0.75, 1]) for _ in range(3)]
        p: dict = {"at": at, "label": rng.choice([None, "(0, 1/2, 1)", "hole", "octahedral site"])}
        if species and rng.random() < 0.5:
            p["species"] = rng.choice(species)["name"]
        points.append(p)
    hkl = lambda: [rng.randint(-2, 2) for _ in range(2)] + [rng.choice([1, 2, -1])]  # noqa: E731
    scene = {
        "domain": "crystal",
        "structure": structure,
        "species": species,
        "points": points,
        "lines": [
            {"kind": k, "label": rng.choice([None, "4r", "$\\sqrt{3}a$"])}
            for k in rng.sample(["body_diagonal", "face_diagonal", "edge"], rng.randint(0, 2))
        ],
        "planes": [
            {"hkl": hkl(), "label": rng.choice([None, "(111)"])} for _ in range(rng.randint(0, 2))
        ],
        "directions": [
            {"uvw": hkl(), "label": rng.choice([None, "[001]", "σ = 35 MPa"])}
            for _ in range(rng.randint(0, 2))
        ],
        "edge_label": rng.choice([None, "a", "a = 4.077 × 10$^{-8}$ cm", "0.361 nm"]),
    }
    if rng.random() < 0.4:
        scene["notes"] = rng.sample(
            ["ρ = 8.90 g/cm³", "M = 42.3 g/mol", "73 wt% Cr - 27 wt% Ta alloy"], 2
        )
    if rng.random() < 0.3:
        scene["title"] = "Unit cell of a metal with a rather long caption to wrap"
    return scene


@random_scenes(18)
def test_random_crystals_render_without_overlap(rng: random.Random) -> None:
    assert_draws_cleanly(CrystalScene, _random_scene(rng))


def test_rendering_is_deterministic():
    scene = parse_scene(json.dumps(CANONICAL["webinstruct-256076"]))
    first, _ = draw_and_measure(scene)
    second, _ = draw_and_measure(scene)
    assert first == second


def test_a_bare_ionic_structure_draws_both_sublattices_without_a_legend():
    scene = CrystalScene.model_validate({"domain": "crystal", "structure": "nacl"})
    assert _count(scene.model_dump()) == {0: 13, 1: 14}
    _, measured = draw_and_measure(scene)
    assert drawn_texts(measured) == [] and not measured.blank


def test_disagreements_name_a_structure_type_the_problem_contradicts():
    fcc = CrystalScene.model_validate(CANONICAL["webinstruct-2017326"])
    assert fcc.disagreements(PROBLEMS["webinstruct-2017326"][0]) == []
    reasons = fcc.disagreements("Iron has a body-centered cubic (BCC) unit cell.")
    assert len(reasons) == 1 and "bcc" in reasons[0] and "fcc" in reasons[0]
    cscl = CrystalScene.model_validate(CANONICAL["webinstruct-1075269"])
    assert cscl.disagreements("packing factor for cesium chloride, ions touch") == []
    assert cscl.disagreements("Sodium chloride has the rock salt structure.") != []
    # close-packed, not hexagonal, is the cubic one: gold's fcc contradicts nothing
    assert fcc.disagreements("Gold has a close-packed structure.") == []
    assert fcc.disagreements("Magnesium is hexagonal close-packed.") == []  # hcp: not drawable


def test_the_metal_lattice_the_problem_names_is_drawn():
    """Seed 33: gold's "close-packed structure ... spheres occupying 0.74 of the total
    volume" drawn as bcc, which then cost a repair."""
    gold = "Gold has a close-packed structure which can be viewed as spheres occupying 0.74"
    bcc = CrystalScene.model_validate({"domain": "crystal", "structure": "bcc",
                                        "species": [{"name": "Au"}]})  # fmt: skip
    assert bcc.aligned_to(gold).structure == "fcc"
    assert bcc.aligned_to("Iron has a body-centered cubic (BCC) unit cell.").structure == "bcc"
    assert bcc.aligned_to("Polonium is simple cubic.").structure == "simple_cubic"
    assert bcc.aligned_to("Magnesium is hexagonal close-packed.").structure == "bcc"
    cscl = CrystalScene.model_validate(CANONICAL["webinstruct-1075269"])
    assert cscl.aligned_to("It has the rock salt structure.").structure == cscl.structure  # ionic


def test_the_named_compounds_ions_replace_another_with_the_tables_radius():
    # seeds 28 and 31: "the atomic packing factor for cesium chloride using the ionic radii in
    # the table" drawn with I-, the anion listed beside Cs+ in that table
    question = (
        "Compute the atomic packing factor for cesium chloride using the ionic radii given in "
        "the table. Cation Ionic radius (nm) Anion Ionic radius(nm) Ba2+ 0.136 Cl- 0.181 "
        "Cs+ 0.170 I- 0.220"
    )
    scene = parse_scene(
        {
            "domain": "crystal",
            "structure": "cscl",
            "species": [
                {"name": "Cs+", "radius": 0.17, "radius_label": "0.170 nm"},
                {"name": "I-", "radius": 0.22, "radius_label": "0.220 nm"},
            ],
        }
    )
    got = [(s.name, s.radius, s.radius_label) for s in scene.aligned_to(question).species]
    assert got == [("Cs+", 0.17, "0.170 nm"), ("Cl-", 0.181, "0.181 nm")]
    # named by the compound's words, or a compound the problem does not name: unchanged
    worded = scene.model_copy(
        update={
            "species": [scene.species[0].model_copy(update={"name": "caesium"}), scene.species[1]]
        }
    )
    assert worded.aligned_to(question).species[0].name == "caesium"
    assert scene.aligned_to("the packing factor of CsI") == scene
