"""The structure of a small molecule or ion with one central atom, from its formula.

Molecular-structure problems mostly name a small inorganic species by formula ("Predict the
molecular geometry of ClNO (N is the central atom)", "the Lewis structure of NO_3^-", "PH3",
"OCF_2"). A 1.5B model writes such a formula where SMILES belongs ("ClNO" reads as Cl-N-OH)
or draws its worked example instead, and cannot work out the bond orders. The textbook rules
give the skeleton: the central atom is the one the problem names, else the least
electronegative atom that occurs once (never H); every other atom bonds to it, except that the
hydrogens of an oxyacid sit on its oxygens (HNO3, H2SO4, HOCl). RDKit's
``DetermineBondOrders`` (the xyz2mol algorithm) then places the double and triple bonds and
formal charges for the species' charge. Hypervalent species RDKit takes with single bonds (SF4,
XeF4, PCl5) are drawn so; ones it cannot sanitize (ClF3, BrF6^-) give None. A neutral radical
whose single bonds leave one unpaired electron, on the centre, is written with that atom's
hydrogens fixed ("CHCl2" -> "Cl[CH]Cl"): plain SMILES would fill it up to CH2Cl2.
"""

from __future__ import annotations

import re

__all__ = ["MAX_TERMINALS", "central_structure_smiles", "formula_charge", "formula_counts"]

MAX_TERMINALS = 8
"""Atoms around the centre at most (IF7 has seven)."""

# Pauling electronegativities of the main-group elements small-molecule problems use
_PAULING = {
    "H": 2.20, "Li": 0.98, "Be": 1.57, "B": 2.04, "C": 2.55, "N": 3.04, "O": 3.44, "F": 3.98,
    "Na": 0.93, "Mg": 1.31, "Al": 1.61, "Si": 1.90, "P": 2.19, "S": 2.58, "Cl": 3.16,
    "K": 0.82, "Ca": 1.00, "Ga": 1.81, "Ge": 2.01, "As": 2.18, "Se": 2.55, "Br": 2.96,
    "Kr": 3.00, "Sn": 1.96, "Sb": 2.05, "Te": 2.10, "I": 2.66, "Xe": 2.60,
}  # fmt: skip

# metals whose compounds with nonmetals are ionic (drawn as ions, not as one structure)
_IONIC = frozenset({"Li", "Na", "K", "Mg", "Ca"})

_CHARGE = re.compile(r"\^?\{?\(?(\d*)([+\-−])(\d*)\)?\}?$")
_BODY = re.compile(r"(?:[A-Z][a-z]?\d*)+")


def formula_charge(text: str) -> tuple[str, int]:
    """(the formula without its charge, the charge) of "NO3^-", "SO_4^{2-}", "NH4+", "ICl2^1+",
    "NO3^-1"; charge 0 when none is written."""
    text = re.sub(r"[\s_{}$\[\]]", "", text)
    m = _CHARGE.search(text)
    if not m or m.start() == 0:
        return text, 0
    before, sign, after = m.groups()
    size = int(before or after or 1)
    return text[: m.start()], -size if sign in "-−" else size


def formula_counts(text: str) -> dict[str, int]:
    """Element counts of a formula, with parenthesized groups times their count."""
    counts: dict[str, int] = {}
    stack = [counts]
    i = 0
    while i < len(text):
        if text[i] == "(":
            stack.append({})
            i += 1
            continue
        if text[i] == ")":
            m = re.match(r"\d*", text[i + 1 :]).group()
            if len(stack) == 1:  # a ")" without its "(": not a group
                i += 1 + len(m)
                continue
            group, n = stack.pop(), int(m or 1)
            for k, v in group.items():
                stack[-1][k] = stack[-1].get(k, 0) + v * n
            i += 1 + len(m)
            continue
        m = re.match(r"([A-Z][a-z]?)(\d*)", text[i:])
        if m is None:
            i += 1
            continue
        stack[-1][m.group(1)] = stack[-1].get(m.group(1), 0) + int(m.group(2) or 1)
        i += m.end()
    return counts


def central_structure_smiles(formula: str, central: str | None = None) -> str | None:
    """SMILES of the one-centre species ``formula`` ("ClNO" -> "O=NCl", "NO3^-" ->
    "O=[N+]([O-])[O-]", "HOCl" -> "OCl"), with ``central`` as its central atom when given;
    None when the formula has no single centre (C2H6, a salt), more than ``MAX_TERMINALS``
    atoms around it, an element outside the table, or RDKit finds no valid structure."""
    body, charge = formula_charge(formula)
    if not _BODY.fullmatch(body):
        return None
    counts = formula_counts(body)
    if any(s not in _PAULING for s in counts) or sum(counts.values()) - 1 > MAX_TERMINALS:
        return None
    centre = central if central in counts and counts.get(central) == 1 else _centre(counts)
    if centre is None:
        return None
    return _bonded(centre, counts, charge)


def _centre(counts: dict[str, int]) -> str | None:
    if sum(counts.values()) < 2 or any(s in _IONIC for s in counts):
        return None  # a lone atom, or a salt (NaCl is no molecule)
    once = [s for s, n in counts.items() if n == 1 and s != "H"]
    if not once:
        return None  # a chain or pair of one element (H2O2, O2, C2H6)
    best = min(once, key=lambda s: _PAULING[s])
    # every other heavy atom is terminal: an element less electronegative than the centre
    # would sit between (N2O's N-N-O), so there is no single centre
    if any(_PAULING[s] < _PAULING[best] for s in counts if s not in (best, "H")):
        return None
    return best


def _bonded(centre: str, counts: dict[str, int], charge: int) -> str | None:
    from rdkit import Chem, rdBase
    from rdkit.Chem import rdDetermineBonds
    from rdkit.Geometry import Point3D

    mol = Chem.RWMol()
    c = mol.AddAtom(Chem.Atom(centre))
    oxygens = []
    hydrogens = counts.get("H", 0)
    for symbol, n in counts.items():
        for _ in range(n - (symbol == centre)):
            if symbol == "H":
                continue
            i = mol.AddAtom(Chem.Atom(symbol))
            mol.AddBond(c, i, Chem.BondType.SINGLE)
            if symbol == "O":
                oxygens.append(i)
    # an oxyacid's hydrogens are on its oxygens (one each); elsewhere they are on the centre
    on_oxygen = centre not in ("C", "O") and 0 < hydrogens <= len(oxygens)
    for k in range(hydrogens):
        h = mol.AddAtom(Chem.Atom("H"))
        mol.AddBond(oxygens[k] if on_oxygen else c, h, Chem.BondType.SINGLE)
    frozen = mol.GetMol()
    for atom in frozen.GetAtoms():
        atom.SetNoImplicit(True)
    # xyz2mol reads a conformer for its own bookkeeping; the positions play no part here
    conformer = Chem.Conformer(frozen.GetNumAtoms())
    for i in range(frozen.GetNumAtoms()):
        conformer.SetAtomPosition(i, Point3D(float(i), 0.0, 0.0))
    frozen.AddConformer(conformer)
    skeleton = Chem.Mol(frozen)  # DetermineBondOrders changes ``frozen`` in place
    with rdBase.BlockLogs():
        try:
            rdDetermineBonds.DetermineBondOrders(frozen, charge=charge)
            smiles = Chem.MolToSmiles(Chem.RemoveHs(frozen))
        except Exception:  # RDKit raises several kinds for a structure with no valid orders
            frozen.GetAtomWithIdx(0).SetFormalCharge(charge)
            smiles = Chem.MolToSmiles(frozen)
        checked = Chem.MolFromSmiles(smiles)
    if checked is None or Chem.GetFormalCharge(checked) != charge:
        return _radical(skeleton, centre, counts, charge)
    # a skeleton with no valid bond orders keeps a radical, which SMILES fills with hydrogens
    # (HCNO as N-C-O would read H2N-CH2-OH): only the formula itself counts
    if _atom_counts(checked) == counts:
        return Chem.MolToSmiles(checked)
    return _radical(skeleton, centre, counts, charge)


def _radical(skeleton, centre: str, counts: dict[str, int], charge: int) -> str | None:
    """The single-bond skeleton as a radical with its one unpaired electron on the centre
    ("CHCl2" -> "Cl[CH]Cl", "CH3" -> "[CH3]"), or None when it is no such radical (NO2's
    single bonds would leave three unpaired electrons: its structure needs a double bond)."""
    from rdkit import Chem, rdBase

    if charge or skeleton.GetNumAtoms() < 3:  # "OH" in a problem is rather a group than a radical
        return None
    with rdBase.BlockLogs():
        try:
            mol = Chem.MolFromSmiles(Chem.MolToSmiles(Chem.RemoveHs(skeleton)))
        except Exception:  # a skeleton over an atom's valence (ClO2's Cl) is no radical
            return None
    if mol is None:
        return None
    unpaired = [(a.GetSymbol(), a.GetNumRadicalElectrons()) for a in mol.GetAtoms()]
    if [u for u in unpaired if u[1]] != [(centre, 1)]:
        return None
    return Chem.MolToSmiles(mol) if _atom_counts(mol) == counts else None


def _atom_counts(mol) -> dict[str, int]:
    """Element -> atoms of ``mol``, its hydrogens included."""
    from rdkit import Chem

    counts: dict[str, int] = {}
    for atom in Chem.AddHs(mol).GetAtoms():
        counts[atom.GetSymbol()] = counts.get(atom.GetSymbol(), 0) + 1
    return counts
