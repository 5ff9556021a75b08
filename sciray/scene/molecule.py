"""Molecule and reaction scenes: structures from SMILES (drawn by RDKit), reaction equations.

The model gives molecules as SMILES with an optional name, or a reaction as reactant and product
species (each a SMILES structure or a formula such as "H2O"), stoichiometric coefficients, states
and the conditions written over the arrow. The renderer draws each structure with RDKit into an
image placed on the figure, and writes every name, formula, coefficient, "+", condition and
given amount as a Matplotlib text in its own reserved box (so the label checks see them and no
two overlap). Structures share one bond length, chosen to fit the canvas.
"""

from __future__ import annotations

import io
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from sciray.scene.base import SceneSpec, register
from sciray.scene.lewis import central_structure_smiles, formula_charge, formula_counts
from sciray.scene.text import mathtext_ok

__all__ = ["Molecule", "MoleculeScene", "Species"]

MAX_SMILES = 200
MAX_ATOMS = 120  # atoms drawn per structure, hydrogens included when shown
MAX_MOLECULES = 6
MAX_SPECIES = 5  # per side of a reaction

Text40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Text60 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


def _parse_smiles(smiles: str, show_hydrogens: bool = False):
    """The RDKit molecule of ``smiles``; ValueError naming it when RDKit cannot read it."""
    from rdkit import Chem

    mol = _rdkit_mol(smiles)
    if mol is None:
        raise ValueError(f"invalid SMILES {smiles!r}: RDKit cannot parse it")
    if show_hydrogens:
        mol = Chem.AddHs(mol)
    if mol.GetNumAtoms() > MAX_ATOMS:
        raise ValueError(f"SMILES {smiles!r} has {mol.GetNumAtoms()} atoms; at most {MAX_ATOMS}")
    return mol


def _rdkit_mol(smiles: str):
    """RDKit's molecule of ``smiles``, None when it cannot parse it (its log kept quiet)."""
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        return Chem.MolFromSmiles(smiles)


def _check_smiles(v: str) -> str:
    if v:
        try:
            _parse_smiles(v)
        except ValueError:
            if _is_formula(v) and _rdkit_mol(v) is None:
                # small models write "O2" or "C2H6O" where SMILES belongs: say how to write it
                raise ValueError(
                    f"{v!r} is a formula, not SMILES: write the structure's SMILES (O2 is "
                    "'O=O', SO2 is 'O=S=O', CCl4 is 'ClC(Cl)(Cl)Cl'), or give a reaction's "
                    "species as formula"
                ) from None
            raise
    return v


def _is_formula(text: str) -> bool:
    """Does ``text`` read as a chemical formula of real elements ("O2", "CCl4", "Fe^3+")?"""
    if not _FORMULA.fullmatch(text):
        return False
    symbols = re.findall(r"[A-Z][a-z]?", text)
    return bool(symbols) and all(_is_element(s) for s in symbols)


def _is_element(symbol: str) -> bool:
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        try:
            return Chem.GetPeriodicTable().GetAtomicNumber(symbol) > 0
        except RuntimeError:
            return False


# Groups of a linear condensed structural formula, longest first, and their SMILES.
_CONDENSED_GROUPS = (
    ("C6H5", "c1ccccc1"),
    ("COOH", "C(=O)O"),
    ("COO", "C(=O)O"),
    ("CHO", "C=O"),
    ("CO", "C(=O)"),
    ("CH3", "C"),
    ("CH2", "C"),
    ("CH", "C"),
    ("NH2", "N"),
    ("NH", "N"),
    ("OH", "O"),
    ("SH", "S"),
    ("Cl", "Cl"),
    ("Br", "Br"),
    ("C", "C"),
    ("N", "N"),
    ("O", "O"),
    ("S", "S"),
    ("F", "F"),
    ("I", "I"),
    ("=", "="),
    ("≡", "#"),
)


def condensed_smiles(text: str) -> str | None:
    """The SMILES of a condensed structural formula ("CH3CH2CH2CH2OH" -> "CCCCO", "CH3COOH" ->
    "CC(=O)O", "(CH3)2CHOH" -> "CC(C)O", "C2H5Br" -> "CCBr", "CO2" -> "O=C=O"), or None when
    ``text`` is not one. Small models write these where SMILES belongs; the result counts only
    when its molecular formula is the text's own."""
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula

    # TeX subscripts as the problem writes them ("C_2H_5Br"); C2H5 is always the ethyl group
    text = _without_tex_marks(text).replace("C2H5", "CH3CH2")
    formula = _hill_formula(text)
    # the readers in order; the first whose structure has the text's own formula counts
    for read in (_linear_condensed_smiles, branched_condensed_smiles, _star_smiles):
        if read is branched_condensed_smiles and "C" not in text:
            continue
        smiles = read(text)
        mol = _rdkit_mol(smiles) if smiles else None
        if mol is not None and CalcMolFormula(mol) == formula:
            return smiles
    return None


# Bond orders a terminal atom makes to the atom it hangs on; the valences a centre may have.
_TERMINAL_ORDER = {"H": 1, "F": 1, "Cl": 1, "Br": 1, "I": 1, "O": 2, "S": 2, "N": 3}
_CENTRE_VALENCES = {"C": (4,), "N": (3,), "O": (2,), "S": (2, 4, 6), "P": (3, 5), "B": (3,)}
_BOND = {1: "", 2: "=", 3: "#"}


def _star_smiles(text: str) -> str | None:
    """A small molecule's formula that fixes its structure: a diatomic ("N2" -> "N#N") or one
    centre with terminal atoms ("CO2" -> "O=C=O", "H2O", "SO2", "HCN"), each terminal atom
    bonded to the centre with all its valence; None when no such reading exists."""
    if len(text) > 12 or not re.fullmatch(r"(?:[A-Z][a-z]?\d?)+", text):
        return None
    counts = formula_counts(text)
    if sum(counts.values()) > 9:
        return None
    if len(counts) == 1:
        ((element, n),) = counts.items()
        order = _TERMINAL_ORDER.get(element)
        if n != 2 or order is None:
            return None
        atom = "[H]" if element == "H" else element
        return f"{atom}{_BOND[order]}{atom}"
    centres = [e for e, n in counts.items() if n == 1 and e in _CENTRE_VALENCES]
    if not centres:
        return None
    centre = max(centres, key=lambda e: max(_CENTRE_VALENCES[e]))  # first of the highest
    terminals = [(e, n) for e, n in counts.items() if e != centre]
    if any(e not in _TERMINAL_ORDER for e, _n in terminals):
        return None
    if sum(_TERMINAL_ORDER[e] * n for e, n in terminals) not in _CENTRE_VALENCES[centre]:
        return None
    branches = "".join(f"({_BOND[_TERMINAL_ORDER[e]]}{e})" * n for e, n in terminals if e != "H")
    hydrogens = counts.get("H", 0)
    # explicit hydrogens on the centre: its valence is then exactly what the formula says
    atom = f"[{centre}H{hydrogens}]" if hydrogens else f"[{centre}]"
    mol = _rdkit_mol(atom + branches)
    if mol is None:
        return None
    from rdkit import Chem

    return Chem.MolToSmiles(mol)


def _linear_condensed_smiles(text: str) -> str | None:
    """A chain of the groups above, one after another, or None."""
    rest, out = text.strip(), []
    if rest.startswith("H") and not rest.startswith("Hg"):
        rest = rest[1:]  # "HCOOH": the leading H belongs to the next carbon
    while rest:
        group = next(((g, sm) for g, sm in _CONDENSED_GROUPS if rest.startswith(g)), None)
        if group is None:
            return None
        out.append(group[1])
        rest = rest[len(group[0]) :]
    smiles = "".join(out)
    return smiles if smiles and "C" in text and _rdkit_mol(smiles) is not None else None


# Valences of the atoms a condensed formula's backbone and branches are made of.
_VALENCE = {"C": 4, "N": 3, "O": 2, "S": 2, "P": 3, "F": 1, "Cl": 1, "Br": 1, "I": 1}
# Groups whose letters would otherwise read as a chain: (heavy atom, its H, branches) in order.
# Each applies only where the next character is not one of its "unless" (CHOH is C(H)-OH, not
# an aldehyde; CO followed by H or O is not a ketone).
_CONDENSED_SPECIAL = (
    ("COOH", "", [("C", 0, [("O", 0)]), ("O", 1, [])]),
    ("COO", "H", [("C", 0, [("O", 0)]), ("O", 0, [])]),
    ("CHO", "HO", [("C", 1, [("O", 0)])]),
    ("CO", "HO", [("C", 0, [("O", 0)])]),
)


def _special_group(rest: str):
    for group, unless, parts in _CONDENSED_SPECIAL:
        after = rest[len(group) : len(group) + 1]
        if rest.startswith(group) and not (after and after in unless):
            return group, parts
    return None


_ATOM = re.compile(r"(Cl|Br|[CNOSPFI])(?:H(\d?))?(\d*)")


def branched_condensed_smiles(text: str) -> str | None:
    """The SMILES of a condensed structural formula with branches ("(CH3)3CC(O)CH2CCH" ->
    2,2-dimethylhex-5-yn-3-one, "CH3CH(CH3)CH3" -> isobutane), or None when ``text`` is not one.

    Each backbone atom carries its hydrogens; a parenthesized group with a count hangs that many
    copies of itself on the atom before it (on the next atom at the start); bond orders follow
    from the valences left over ("C(O)" is C=O, "CCH" at the end a triple bond), taken along the
    chain in order. Any atom left with a free valence means the text is no such formula. The text
    is model-written: its length, nesting, counts and atoms are bounded before anything is built."""
    from rdkit import Chem

    text = text.strip()
    if len(text) > 80 or text.count("(") > 8 or any(int(n) > 12 for n in re.findall(r"\d+", text)):
        return None
    atoms: list[list] = []  # [symbol, hydrogens]
    bonds: dict[tuple[int, int], int] = {}

    class TooBig(Exception):
        pass

    def add(symbol: str, hydrogens: int, to: int | None) -> int:
        if len(atoms) >= 60:
            raise TooBig
        atoms.append([symbol, hydrogens])
        if to is not None:
            bonds[(to, len(atoms) - 1)] = 1
        return len(atoms) - 1

    def chain(rest: str, attach: int | None) -> tuple[int | None, str] | None:
        """Parse a chain from ``rest`` until ")" or the end; its first atom bonds to ``attach``."""
        prev, pending, order, started = attach, [], 1, False
        while rest and not rest.startswith(")"):
            if rest[0] in "=≡":
                order, rest = (2 if rest[0] == "=" else 3), rest[1:]
                continue
            if rest.startswith("("):
                inner = chain_group(rest[1:])
                if inner is None:
                    return None
                text_inside, rest = inner
                count = re.match(r"\d*", rest).group()
                rest = rest[len(count) :]
                for _ in range(int(count or 1)):
                    if not started:  # "(CH3)3C...": the groups hang on the chain's first atom
                        pending.append(text_inside)
                    elif chain(text_inside, prev) is None:
                        return None
                continue
            special = _special_group(rest)
            if special is not None:
                units, rest = special[1], rest[len(special[0]) :]
            else:
                m = _ATOM.match(rest)
                if m is None:
                    return None
                symbol, count = m.group(1), int(m.group(3) or 1)
                if count > 1 and (_VALENCE[symbol] != 1 or prev is None):
                    return None  # "C2H5": a molecular formula's count, not a structure
                hydrogens = int(m.group(2) or 1) if "H" in m.group(0) else 0
                # "CF2Cl2", "CHCl3": each halogen hangs on the carbon before it
                units, rest = [(symbol, hydrogens, [])] * count, rest[m.end() :]
            for k, (symbol, hydrogens, branches) in enumerate(units):
                index = add(symbol, hydrogens, prev)
                if prev is not None and order > 1:
                    bonds[(prev, index)] = order
                order = 1
                for b_symbol, b_h in branches:
                    add(b_symbol, b_h, index)
                for group in pending:
                    if chain(group, index) is None:
                        return None
                pending, started = [], True
                # OH, Cl, NH2 in mid-chain ("CH3CHOHCH3") hang on the atom before them
                ends = _VALENCE[symbol] - hydrogens - (prev is not None) == 0
                more = k < len(units) - 1 or (rest and rest[0] not in ")=≡")
                if not (ends and prev is not None and more):
                    prev = index
        return (prev, rest) if not pending else None

    def chain_group(rest: str) -> tuple[str, str] | None:
        depth = 1
        for i, ch in enumerate(rest):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                return rest[:i], rest[i + 1 :]
        return None

    try:
        parsed = chain(text, None)
    except TooBig:
        return None
    if parsed is None or parsed[1] or not atoms:
        return None

    def free(i: int) -> int:
        used = atoms[i][1] + sum(o for (a, b), o in bonds.items() if i in (a, b))
        return _VALENCE[atoms[i][0]] - used

    for pair in sorted(bonds, key=lambda p: (min(free(p[0]), free(p[1])) != 1, p)):
        extra = min(free(pair[0]), free(pair[1]), 3 - bonds[pair])
        if extra > 0:
            bonds[pair] += extra
    if any(free(i) != 0 for i in range(len(atoms))):
        return None
    mol = Chem.RWMol()
    for symbol, hydrogens in atoms:
        atom = Chem.Atom(symbol)
        atom.SetNumExplicitHs(hydrogens)
        atom.SetNoImplicit(True)
        mol.AddAtom(atom)
    kinds = {1: Chem.BondType.SINGLE, 2: Chem.BondType.DOUBLE, 3: Chem.BondType.TRIPLE}
    for (a, b), order in bonds.items():
        mol.AddBond(a, b, kinds[order])
    try:
        Chem.SanitizeMol(mol)
    except Exception:  # RDKit raises several kinds for a structure it cannot make sense of
        return None
    return Chem.MolToSmiles(mol)


def _hill_formula(text: str) -> str | None:
    """The Hill-order molecular formula of a formula written with element symbols and counts."""
    counts = formula_counts(text)
    order = ["C", "H"] if "C" in counts else []
    order += sorted(k for k in counts if k not in order)
    return "".join(f"{k}{counts[k] if counts[k] > 1 else ''}" for k in order if k in counts)


class Molecule(BaseModel):
    """One structure to draw."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _condensed_formula(cls, data: Any) -> Any:
        # "CH3CH2OH" where SMILES belongs: draw its structure, and write it as given beneath
        if isinstance(data, dict):
            text = str(data.get("smiles") or "").strip()
            # the cheap tokenizer first: a real SMILES is parsed again only when it reads as one
            smiles = condensed_smiles(text) if text else None
            if smiles and _rdkit_mol(text) is None:
                return {**data, "smiles": smiles, "name": data.get("name") or text[:60]}
            if not smiles and text and _rdkit_mol(text) is None:
                # "PH3", "SF4", "NO3^-" where SMILES belongs: the one-centre structure
                centred = central_structure_smiles(text)
                if centred:
                    return {**data, "smiles": centred, "name": data.get("name") or text[:60]}
            name = str(data.get("name") or "").strip()
            if not smiles and name and (not text or _rdkit_mol(text) is None):
                # garbage in the SMILES field but the formula as its name (seen: "CCl3H5Br"
                # named "C2H5Br"): the name says which structure is meant
                smiles = condensed_smiles(name)
                if smiles:
                    return {**data, "smiles": smiles}
        return data

    smiles: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SMILES)
    ]
    """SMILES of the structure, e.g. "CCO" (ethanol), "[O-][N+](=O)[O-]" (nitrate)."""
    name: Text60 = ""
    """Name or formula written under it, e.g. "ethanol" or "C2H5OH"; empty for none."""
    show_hydrogens: bool = False
    """True to draw every H atom (Lewis-style) instead of implicit hydrogens."""

    @field_validator("smiles")
    @classmethod
    def _smiles_ok(cls, v: str) -> str:
        return _check_smiles(v)

    @model_validator(mode="after")
    def _atoms_bounded(self) -> Molecule:
        _parse_smiles(self.smiles, self.show_hydrogens)
        return self


class Species(BaseModel):
    """One reactant or product of a reaction."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    formula: Text40 = ""
    """Formula as written, e.g. "H2O", "Cu(NO3)2", "Fe^3+", "NH4^+" (digits become subscripts,
    a charge follows ^), or a word such as "oxygen"; empty when smiles is given."""
    smiles: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SMILES)] = ""
    """SMILES to draw its structure instead of the formula, e.g. "CCO"; empty for none."""
    name: Text40 = ""
    """A name written under a drawn structure, e.g. "ethanol"; empty for none."""
    coefficient: int = Field(1, ge=1, le=99)
    """Stoichiometric coefficient as stated (1 is not written)."""
    state: Literal["", "s", "l", "g", "aq"] = ""
    """Physical state if stated: s, l, g or aq; empty for none."""
    amount: Text40 = ""
    """A stated amount of it written under it, e.g. "89.7 g", "65.5 L"; empty for none."""

    @model_validator(mode="before")
    @classmethod
    def _formula_in_smiles(cls, data: Any) -> Any:
        # a species only needs its formula written: a formula given as SMILES moves to formula
        if isinstance(data, dict) and not data.get("formula"):
            smiles = str(data.get("smiles") or "").strip()
            if smiles and _is_formula(smiles) and _rdkit_mol(smiles) is None:
                return {**data, "formula": smiles[:40], "smiles": ""}
        return data

    @field_validator("smiles")
    @classmethod
    def _smiles_ok(cls, v: str) -> str:
        return _check_smiles(v)

    @model_validator(mode="after")
    def _something_to_show(self) -> Species:
        if not self.formula and not self.smiles:
            raise ValueError("a species needs a formula or a smiles")
        return self


@register
class MoleculeScene(SceneSpec):
    """Molecular structures, or one reaction equation."""

    domain: Literal["molecule"] = "molecule"
    molecules: list[Molecule] = Field(default_factory=list, max_length=MAX_MOLECULES)
    """Structures to draw side by side (leave reactants and products empty)."""
    reactants: list[Species] = Field(default_factory=list, max_length=MAX_SPECIES)
    """Left side of a reaction, in the order written."""
    products: list[Species] = Field(default_factory=list, max_length=MAX_SPECIES)
    """Right side of a reaction, in the order written."""
    arrow: Literal["forward", "equilibrium"] = "forward"
    """forward (→) or equilibrium (⇌)."""
    conditions: Text40 = ""
    """Text written over the arrow, e.g. "H2SO4, Δ" or "752 °C"; empty for none."""
    conditions_below: Text40 = ""
    """Text written under the arrow, e.g. "298 K"; empty for none."""
    notes: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    ] = Field(default_factory=list, max_length=4)
    """Other stated values, one line each, e.g. "[H2] = 3.75 M"; empty for none."""

    image_types: ClassVar[tuple[str, ...]] = (
        "chemistry - molecular structure",
        "chemistry - reaction scheme",
    )

    @model_validator(mode="before")
    @classmethod
    def _reaction_wins(cls, data: Any) -> Any:
        # a reaction with its species listed again as molecules (seen, seed 13): the reaction is
        # the figure, its species already drawn in it
        if isinstance(data, dict) and data.get("molecules"):
            if data.get("reactants") and data.get("products"):
                return {**data, "molecules": []}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> MoleculeScene:
        reaction = bool(self.reactants or self.products)
        if reaction and self.molecules:
            raise ValueError(
                "give either molecules or a reaction (reactants and products), not both"
            )
        if reaction and not (self.reactants and self.products):
            raise ValueError("a reaction needs at least one reactant and one product")
        if not reaction and not self.molecules:
            raise ValueError("give at least one molecule, or reactants and products")
        return self

    def _species_texts(self, sp: Species) -> list[str]:
        out = []
        if sp.smiles:
            if sp.coefficient > 1:
                out.append(str(sp.coefficient))
            under = _species_under(sp)
            if under:
                out.append(under)
        else:
            out.append(_species_inline(sp))
        if sp.amount:
            out.append(_plain(sp.amount))
        return out

    def labels(self) -> list[str]:
        out = []
        if self.title:
            out.append(_formula_text(self.title))
        for m in self.molecules:
            if m.name:
                out.append(_formula_text(m.name))
        for k, sp in enumerate(self.reactants):
            if k:
                out.append("+")
            out.extend(self._species_texts(sp))
        if self.conditions:
            out.append(_formula_text(self.conditions))
        if self.conditions_below:
            out.append(_formula_text(self.conditions_below))
        for k, sp in enumerate(self.products):
            if k:
                out.append("+")
            out.extend(self._species_texts(sp))
        out.extend(_formula_text(n) for n in self.notes)
        return out

    def draw(self, fig: Any) -> None:
        _draw(self, fig)

    def aligned_to(self, question: str) -> MoleculeScene:
        scene = self._with_stated_structure(question)
        # a balanced equation in the problem fixes every coefficient it states (seen, seed 11:
        # "4 NH3 + 3 O2 -> 2 N2 + 6 H2O" drawn with 1 O2 and 1 N2)
        stated = stated_coefficients(question)
        # and the amounts it gives each species (seen, seed 29: "1.0 moles of Li and 1.0 moles
        # of F2" left off the equation)
        amounts = stated_amounts(question)
        if not (stated or amounts):
            return scene

        def aligned(species: list[Species]) -> list[Species]:
            out = []
            for sp in species:
                update: dict[str, Any] = {}
                n = stated.get(_bare_formula(sp.formula))
                if n:
                    update["coefficient"] = n
                amount = amounts.get(_bare_formula(sp.formula)) or amounts.get(
                    sp.name.strip().lower()
                )
                if amount and not sp.amount:
                    update["amount"] = amount
                out.append(sp.model_copy(update=update) if update else sp)
            return out

        return scene.model_copy(
            update={"reactants": aligned(scene.reactants), "products": aligned(scene.products)}
        )

    def _with_stated_structure(self, question: str) -> MoleculeScene:
        # a problem about one condensed formula ("Draw the Lewis structure of (CH3)3CC(O)CH2CCH")
        # is about that structure: a lone molecule of another formula becomes it (seen, seed 17:
        # the worked example's acetic acid written instead)
        if self.reactants or self.products or len(self.molecules) != 1:
            return self
        stated = stated_structures(question)
        centred = not stated and stated_formula_count(question) == 1
        if centred:
            # a problem about one small species ("the Lewis structure of PH3", "the geometry of
            # ClNO"): its one-centre structure (seen, seed 22: ClNO drawn as Cl-N-OH)
            stated = stated_central_structures(question)
        if len(stated) != 1:
            return self
        text, smiles = stated[0]
        drawn = self.molecules[0]
        if _smiles_formula(drawn.smiles) == _smiles_formula(smiles):
            # the model's structure, named as the problem names it: a name the model adds
            # can be wrong (seen, seed 24: SF2 drawn right and named "Sulfur Dioxide")
            if drawn.name == text[:60] or (drawn.name and drawn.name.lower() in question.lower()):
                return self
            return self.model_copy(
                update={"molecules": [drawn.model_copy(update={"name": text[:60]})]}
            )
        kept = drawn.model_dump(exclude_none=True)
        if centred:  # a small species is drawn as its Lewis structure: every atom shown
            kept["show_hydrogens"] = True
        molecule = Molecule.model_validate({**kept, "smiles": smiles, "name": text[:60]})
        return self.model_copy(update={"molecules": [molecule]})


_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_STATED_COEFFICIENT = re.compile(
    r"(?<![\w.^])(\d{1,2})\s*([A-Z][A-Za-z0-9]*(?:\([A-Z][A-Za-z0-9]*\)\d*)?)"
)


def _without_tex_marks(text: str) -> str:
    """``text`` with TeX's subscript marks and braces gone: "N_{2}" -> "N2", "H_2O" -> "H2O"."""
    return re.sub(r"[_{}]", "", text)


def _bare_formula(text: str) -> str:
    """A formula without TeX subscripts, spaces or a trailing state: "NH_3 (g)" -> "NH3"."""
    text = re.sub(r"\s", "", _without_tex_marks(text))
    return re.sub(r"\((?:s|l|g|aq)\)$", "", text)


# a condensed structural formula as a problem writes it: at least two groups ("CH3CH2OH",
# "(CH3)3CC(O)CH2CCH"), carbon in it
_CONDENSED = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z(])(?=[A-Za-z0-9()=≡]*C)[A-Za-z0-9()=≡]+")


def _formula_plain(question: str) -> str:
    """A problem's text as formulas are read from it: webinstruct's {eq}...{/eq} markers and
    TeX commands part words; TeX subscripts join ("NH_3" -> "NH3")."""
    plain = re.sub(r"\{/?eq\}", " ", question)
    return _without_tex_marks(_TEX_COMMAND.sub(" ", plain))


def stated_structures(question: str) -> list[tuple[str, str]]:
    """(text, SMILES) of every distinct condensed formula ``question`` writes that reads as one
    structure of three or more heavy atoms ("CH3CH2OH" -> "CCO"; water and single atoms left
    out), in order."""
    plain = _formula_plain(question)
    found: dict[str, str] = {}
    for token in _CONDENSED.findall(plain):
        token = token.strip("()") if token.count("(") != token.count(")") else token
        if len(token) < 3 or token in found or not re.search(r"\d|\)", token):
            continue
        smiles = condensed_smiles(token)
        mol = _rdkit_mol(smiles) if smiles else None
        if mol is not None and mol.GetNumHeavyAtoms() >= 3:
            found[token] = smiles
    return list(found.items())


# a formula token as a problem writes a small species: two or more element groups, an optional
# charge ("ClNO", "NO3^-", "[ICl2]^{1+}" once TeX marks are gone, "BrF6^-"); not a piece of a
# condensed formula ("CH_2=CHOCH_3")
_CENTRAL_TOKEN = re.compile(
    r"(?<![A-Za-z0-9=≡()\-])\[?((?:[A-Z][a-z]?\d*){2,})\]?(\^\(?\d*[+\-−]\d*\)?)?"
    r"(?![A-Za-z0-9=≡(])"
)
_NAMED_CENTRE = re.compile(r"\b([A-Z][a-z]?) (?:is|as) the central atom")
# TeX that only sets type ("\text{BrF}{{\text{I}}_{\text{2}}}" is BrFI2) and the spaces it
# leaves inside brackets ("\left[ SeF_5 \right]^-")
_TYPE_COMMAND = re.compile(
    r"\\(?:text|rm|mathrm|mathbf|textbf|displaystyle|left|right)(?![A-Za-z])\s*"
)


def _species_plain(question: str) -> str:
    plain = _formula_plain(_TYPE_COMMAND.sub("", re.sub(r"\{/?eq\}", "", question)))
    return re.sub(r"\[\s+", "[", re.sub(r"\s+\]", "]", plain))


def stated_formula_count(question: str) -> int:
    """How many distinct formulas ``question`` writes ("O2", "NaOH", "NH3"; a lone element
    symbol such as "I" or "Cu" does not count)."""
    # a coefficient may come first ("4NH_3(g) + 5O_2(g)")
    tokens = set(
        re.findall(
            r"(?<![A-Za-z])\d*((?:[A-Z][a-z]?\d*)+)(?![A-Za-z0-9])", _species_plain(question)
        )
    )
    return sum(
        1
        for t in tokens
        if _is_formula(t) and (re.search(r"\d", t) or len(re.findall(r"[A-Z]", t)) > 1)
    )


def stated_central_structures(question: str) -> list[tuple[str, str]]:
    """(formula, SMILES) of every distinct one-centre species ``question`` writes by formula
    ("ClNO", "NO_3^-1" as "NO3^-", "PH3"; ``sciray.scene.lewis``), with the central atom the
    problem names ("N is the central atom"), in order."""
    plain = _species_plain(question)
    named = _NAMED_CENTRE.search(plain)
    found: dict[str, str] = {}
    for m in _CENTRAL_TOKEN.finditer(plain):
        text = m.group(1) + (m.group(2) or "")
        name = _charged_name(text)
        if name in found or not _is_formula(m.group(1)):
            continue
        smiles = central_structure_smiles(text, named.group(1) if named else None)
        if smiles is None and named:
            smiles = central_structure_smiles(text)
        if smiles:
            found[name] = smiles
    return list(found.items())


def _charged_name(formula: str) -> str:
    """A species' formula as its name is drawn: "NO3^-1" -> "NO3^-", "SO4^{2-}" -> "SO4^2-"."""
    body, charge = formula_charge(formula)
    if not charge:
        return body
    return f"{body}^{abs(charge) if abs(charge) > 1 else ''}{'+' if charge > 0 else '-'}"


def _smiles_formula(smiles: str) -> str | None:
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula

    mol = _rdkit_mol(smiles)
    return CalcMolFormula(mol) if mol is not None else None


def stated_coefficients(question: str) -> dict[str, int]:
    """Formula -> the one coefficient ``question`` writes before it ("4 NH_3 (g) + 3 O_2" ->
    {"NH3": 4, "O2": 3}); a formula stated with two different coefficients is left out."""
    plain = _formula_plain(question)
    found: dict[str, set[int]] = {}
    for n, formula in _STATED_COEFFICIENT.findall(plain):
        if _is_formula(formula) and int(n) > 0:
            found.setdefault(formula, set()).add(int(n))
    return {f: ns.pop() for f, ns in found.items() if len(ns) == 1}


# "1.0 moles of Li", "25.0 g of NaCl", "0.5 L of water": an amount and what it is of.
_STATED_AMOUNT = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(moles?|mol|mmol|grams?|g|kg|mg|mL|L|liters?|litres?)"
    r"\s+(?:of\s+)?([A-Za-z][A-Za-z0-9()]*(?:\s+[a-z]+)?)"
)


_NOT_NAME_WORDS = {"and", "are", "as", "at", "for", "in", "is", "of", "or", "react", "reacts",
                   "to", "was", "were", "with"}  # fmt: skip


def stated_amounts(question: str) -> dict[str, str]:
    """Formula or lower-case name -> the one amount ``question`` states of it ("1.0 moles of
    Li" -> {"Li": "1.0 moles"}, "25 g of sodium chloride" -> {"sodium chloride": "25 g"});
    one stated with two different amounts is left out."""
    found: dict[str, set[str]] = {}
    for number, unit, what in _STATED_AMOUNT.findall(_formula_plain(question)):
        amount = f"{number} {unit}"
        words = what.split()
        if _is_formula(words[0]) or len(words) == 1 or words[1] in _NOT_NAME_WORDS:
            key = words[0] if _is_formula(words[0]) else words[0].lower()
        else:
            key = what.lower()  # "sodium chloride"
        found.setdefault(key, set()).add(amount)
    return {k: v.pop() for k, v in found.items() if len(v) == 1}


# =============================================================================================
# Text
# =============================================================================================

# A formula token: element symbols, digits, brackets, a hydrate dot, an optional charge.
_FORMULA = re.compile(
    r"(?P<body>(?:[A-Z][a-z]?|\d+|[()\[\]]|·)+?)(?P<charge>\^\{?\d*[+\-−]\}?|(?<=[A-Za-z)\]])[+\-])?"
)
_ELEMENT_RUN = re.compile(r"[A-Z][a-z]?|\d+|[()\[\]]|·")


def _plain(text: str) -> str:
    """A free text as drawn: a "$" never starts math (no label can break the render)."""
    return text.replace("$", r"\$")


def _formula_token(token: str) -> str | None:
    """mathtext of one formula token ("H2SO4", "Cu(NO3)2", "Fe^3+", "OH-"), None if the token
    is no formula (a word, a number)."""
    m = _FORMULA.fullmatch(token)
    if not m or not re.search(r"[A-Z]", token):
        return None
    body, charge = m.group("body"), m.group("charge") or ""
    if not re.search(r"\d|[()\[\]]", body) and not charge:
        return None  # "Cl", "Li", "NO": nothing to set in math
    parts, prev = [], ""
    for piece in _ELEMENT_RUN.findall(body):
        if piece.isdigit() and prev and (prev[-1].isalpha() or prev[-1] in ")]"):
            parts.append(f"_{{{piece}}}")
        else:
            parts.append(piece)
        prev = piece
    sup = ""
    if charge:
        c = charge.lstrip("^").strip("{}").replace("−", "-")
        sup = f"^{{{c}}}"
    return "$\\mathrm{" + "".join(parts) + "}" + sup + "$"


def _formula_text(text: str) -> str:
    """``text`` with each formula token set with subscripts (words and numbers stay plain); a
    TeX-style subscript as models write it ("H_2S", "O_{2}") counts as a plain digit."""
    text = re.sub(r"(?<=[A-Za-z)\]])_\{?(\d+)\}?", r"\1", text)
    out = []
    for token in re.split(r"(\s+|,|\+(?=\s)|\(aq\)|\([slg]\))", text):
        if not token:
            continue
        math = _formula_token(token) if token.strip() else None
        out.append(math if math else _plain(token))
    result = "".join(out).replace("$$", "")
    if "$" in result.replace(r"\$", "") and not mathtext_ok(result):
        return _plain(text)
    return result


def _state(sp: Species) -> str:
    return f"({sp.state})" if sp.state else ""


def _species_inline(sp: Species) -> str:
    coef = str(sp.coefficient) if sp.coefficient > 1 else ""
    return f"{coef}{_formula_text(sp.formula)}{_state(sp)}"


def _species_under(sp: Species) -> str:
    """The text under a drawn structure: its name (or formula) and state."""
    label = sp.name or sp.formula
    if not label:
        return _state(sp)
    return f"{_formula_text(label)}{_state(sp)}"


# =============================================================================================
# Structures
# =============================================================================================

PAD_IN = 0.2  # room around a structure for atom labels
BOND_RANGE = (0.12, 0.6)  # inches per bond
FONT_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0)
MARGIN = 0.2
FIG_MAX = (10.0, 8.0)
FIG_MIN = (4.0, 3.0)
DEFAULT_FIG = (6.4, 4.8)


class _Structure:
    """One molecule ready to draw: its RDKit mol with 2D coordinates and its extent in bonds."""

    def __init__(self, smiles: str, show_hydrogens: bool):
        from rdkit.Chem import rdDepictor

        self.mol = _parse_smiles(smiles, show_hydrogens)
        self.lewis = show_hydrogens
        rdDepictor.Compute2DCoords(self.mol)
        conf = self.mol.GetConformer()
        xs = [conf.GetAtomPosition(i).x for i in range(self.mol.GetNumAtoms())]
        ys = [conf.GetAtomPosition(i).y for i in range(self.mol.GetNumAtoms())]
        # RDKit's 2D bond length is 1.5: extents in bond lengths
        self.w = (max(xs) - min(xs)) / 1.5
        self.h = (max(ys) - min(ys)) / 1.5

    def size(self, bond: float) -> tuple[float, float]:
        """Width and height in inches at ``bond`` inches per bond."""
        return self.w * bond + 2 * PAD_IN + 0.1, self.h * bond + 2 * PAD_IN + 0.1

    def image(self, width_in: float, height_in: float, bond_in: float, dpi: float):
        """The structure as an RGB array of ``width_in`` x ``height_in`` inches."""
        from matplotlib.image import imread
        from rdkit.Chem.Draw import rdMolDraw2D

        scale = 2.0  # supersample: crisp lines when Matplotlib resamples
        wpx = max(16, min(2400, int(round(width_in * dpi * scale))))
        hpx = max(16, min(2400, int(round(height_in * dpi * scale))))
        drawer = rdMolDraw2D.MolDraw2DCairo(wpx, hpx)
        opts = drawer.drawOptions()
        opts.fixedBondLength = bond_in * dpi * scale
        opts.padding = 0.05
        opts.bondLineWidth = 4
        opts.scaleBondWidth = False
        if self.lewis:  # every atom named, carbons included, as a Lewis structure shows them
            for atom in self.mol.GetAtoms():
                if atom.GetSymbol() == "C":
                    opts.atomLabels[atom.GetIdx()] = "C"
        opts.minFontSize = int(9 * dpi * scale / 72)
        opts.maxFontSize = int(15 * dpi * scale / 72)
        opts.clearBackground = True
        rdMolDraw2D.PrepareAndDrawMolecule(drawer, self.mol)
        drawer.FinishDrawing()
        return imread(io.BytesIO(drawer.GetDrawingText()), format="png")


class _Canvas:
    """Boxes in figure inches (origin bottom-left) of everything drawn, then drawn at once."""

    def __init__(self, sizes: dict[str, tuple[float, float]]):
        self.sizes = sizes
        self.texts: list[tuple[str, float, float, str, str]] = []
        self.images: list[tuple[_Structure, tuple[float, float, float, float], float]] = []
        self.arrows: list[tuple[float, float, float, str]] = []  # x0, x1, y, kind
        self.boxes: list[tuple[float, float, float, float]] = []

    def text(self, s: str, x: float, y: float, ha: str = "center", va: str = "center") -> None:
        w, h = self.sizes[s]
        x0 = {"left": x, "center": x - w / 2, "right": x - w}[ha]
        y0 = {"bottom": y, "center": y - h / 2, "top": y - h}[va]
        self.boxes.append((x0, y0, x0 + w, y0 + h))
        self.texts.append((s, x, y, ha, va))

    def extent(self) -> tuple[float, float, float, float]:
        rects = list(self.boxes) + [r for _, r, _ in self.images]
        for x0, x1, y, _ in self.arrows:
            rects.append((x0, y - 0.1, x1, y + 0.1))
        return (
            min(r[0] for r in rects),
            min(r[1] for r in rects),
            max(r[2] for r in rects),
            max(r[3] for r in rects),
        )

    def shift(self, dx: float, dy: float) -> None:
        self.texts = [(s, x + dx, y + dy, ha, va) for s, x, y, ha, va in self.texts]
        self.images = [
            (st, (r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy), b) for st, r, b in self.images
        ]
        self.arrows = [(x0 + dx, x1 + dx, y + dy, k) for x0, x1, y, k in self.arrows]
        self.boxes = [(r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy) for r in self.boxes]


GAP = 0.18  # between neighbouring items of a row (inches)
LINE_GAP = 0.06


def _layout_molecules(scene: MoleculeScene, structs, sizes, bond: float) -> _Canvas:
    cv = _Canvas(sizes)
    n = len(structs)
    per_row = n if n <= 3 else (2 if n == 4 else 3)
    rows = [list(range(i, min(n, i + per_row))) for i in range(0, n, per_row)]
    y = 0.0
    for row in rows:
        cells = []
        for i in row:
            w, h = structs[i].size(bond)
            name = _formula_text(scene.molecules[i].name) if scene.molecules[i].name else ""
            tw, th = sizes[name] if name else (0.0, 0.0)
            cells.append((w, h, name, tw, th))
        row_h = max(c[1] + (c[4] + LINE_GAP if c[2] else 0) for c in cells)
        x = 0.0
        for i, (w, h, name, tw, th) in zip(row, cells):
            cell_w = max(w, tw)
            top = y
            img_y1 = top
            img_y0 = top - h
            cx = x + cell_w / 2
            cv.images.append((structs[i], (cx - w / 2, img_y0, cx + w / 2, img_y1), bond))
            if name:
                cv.text(name, cx, img_y0 - LINE_GAP, "center", "top")
            x += cell_w + 2 * GAP
        y -= row_h + 2 * GAP
    return cv


def _layout_reaction(
    scene: MoleculeScene, structs: dict, sizes, bond: float, wrap: bool
) -> _Canvas:
    """Reactants + ... -> products + ..., on one row (or two when ``wrap``), centred on y=0."""
    cv = _Canvas(sizes)
    row_items: list[list[tuple]] = [[]]

    def species_items(sp: Species, key) -> list[tuple]:
        items = []
        if sp.smiles:
            if sp.coefficient > 1:
                items.append(("text", str(sp.coefficient)))
            items.append(("struct", key, sp))
        else:
            items.append(("formula", sp))
        return items

    for k, sp in enumerate(scene.reactants):
        if k:
            row_items[-1].append(("text", "+"))
        row_items[-1].extend(species_items(sp, ("r", k)))
    row_items[-1].append(("arrow",))
    if wrap:
        row_items.append([])
    for k, sp in enumerate(scene.products):
        if k:
            row_items[-1].append(("text", "+"))
        row_items[-1].extend(species_items(sp, ("p", k)))

    y_mid = 0.0
    for row, items in enumerate(row_items):
        x = 0.0
        below_max = 0.0
        above_max = 0.0
        for item in items:
            if item[0] == "text":
                w, h = sizes[item[1]]
                cv.text(item[1], x + w / 2, y_mid, "center", "center")
                x += w + GAP
                above_max, below_max = max(above_max, h / 2), max(below_max, h / 2)
            elif item[0] == "formula":
                sp = item[1]
                s = _species_inline(sp)
                w, h = sizes[s]
                cw = w
                amount = _plain(sp.amount) if sp.amount else ""
                if amount:
                    cw = max(w, sizes[amount][0])
                cx = x + cw / 2
                cv.text(s, cx, y_mid, "center", "center")
                above_max = max(above_max, h / 2)
                below = h / 2
                if amount:
                    cv.text(amount, cx, y_mid - h / 2 - LINE_GAP, "center", "top")
                    below += LINE_GAP + sizes[amount][1]
                below_max = max(below_max, below)
                x += cw + GAP
            elif item[0] == "struct":
                _, key, sp = item
                st = structs[key]
                w, h = st.size(bond)
                lines = [
                    t for t in (_species_under(sp), _plain(sp.amount) if sp.amount else "") if t
                ]
                cw = max([w] + [sizes[t][0] for t in lines])
                cx = x + cw / 2
                cv.images.append((st, (cx - w / 2, y_mid - h / 2, cx + w / 2, y_mid + h / 2), bond))
                yy = y_mid - h / 2 - LINE_GAP
                for t in lines:
                    cv.text(t, cx, yy, "center", "top")
                    yy -= sizes[t][1] + LINE_GAP
                above_max = max(above_max, h / 2)
                below_max = max(below_max, y_mid - yy)
                x += cw + GAP
            else:  # the arrow with its conditions
                above = _formula_text(scene.conditions) if scene.conditions else ""
                under = _formula_text(scene.conditions_below) if scene.conditions_below else ""
                length = max([0.9] + [sizes[t][0] + 0.25 for t in (above, under) if t])
                x0, x1 = x + 0.05, x + 0.05 + length
                cv.arrows.append((x0, x1, y_mid, scene.arrow))
                if above:
                    cv.text(above, (x0 + x1) / 2, y_mid + 0.14, "center", "bottom")
                    above_max = max(above_max, 0.14 + sizes[above][1])
                if under:
                    cv.text(under, (x0 + x1) / 2, y_mid - 0.14, "center", "top")
                    below_max = max(below_max, 0.14 + sizes[under][1])
                x = x1 + 0.05 + GAP
        if row + 1 < len(row_items):
            # the next row starts below this one's lowest item
            nxt = row_items[row + 1]
            next_above = 0.5
            for it in nxt:
                if it[0] == "struct":
                    next_above = max(next_above, structs[it[1]].size(bond)[1] / 2)
            y_mid -= below_max + next_above + 2 * GAP
    return cv


def _notes(scene: MoleculeScene, cv: _Canvas) -> None:
    x0, y0, x1, y1 = cv.extent()
    cx = (x0 + x1) / 2
    y = y0 - 0.22
    for note in scene.notes:
        s = _formula_text(note)
        cv.text(s, cx, y, "center", "top")
        y -= cv.sizes[s][1] + LINE_GAP
    if scene.title:
        s = _formula_text(scene.title)
        cv.text(s, cx, y1 + 0.2, "center", "bottom")


def _all_texts(scene: MoleculeScene) -> list[str]:
    texts = list(scene.labels())
    for sp in (*scene.reactants, *scene.products):
        if sp.smiles:
            texts.extend(t for t in (_species_under(sp),) if t)
    return [t for t in texts if t]


def _text_sizes(fig, texts: list[str], fontsize: float) -> dict[str, tuple[float, float]]:
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    sizes = {}
    for s in set(texts):
        t = Text(0, 0, s, fontsize=fontsize)
        t.set_figure(fig)
        bb = t.get_window_extent(renderer)
        sizes[s] = (bb.width / fig.dpi + 0.03, bb.height / fig.dpi + 0.02)
    return sizes


def _build(scene: MoleculeScene, fig):
    """The laid-out canvas, its font size and the figure size it needs."""
    if scene.molecules:
        structs = [_Structure(m.smiles, m.show_hydrogens) for m in scene.molecules]
    else:
        structs = {}
        for side, group in (("r", scene.reactants), ("p", scene.products)):
            for k, sp in enumerate(group):
                if sp.smiles:
                    structs[(side, k)] = _Structure(sp.smiles, False)
    texts = _all_texts(scene)
    bonds = [BOND_RANGE[1] * 0.85**i for i in range(12)]
    bonds = [b for b in bonds if b >= BOND_RANGE[0]] or [BOND_RANGE[0]]
    fallback = None
    for fontsize in FONT_SIZES:
        sizes = _text_sizes(fig, texts, fontsize)
        for wrap in (False, True) if not scene.molecules else (False,):
            for bond in bonds:
                if scene.molecules:
                    cv = _layout_molecules(scene, structs, sizes, bond)
                else:
                    cv = _layout_reaction(scene, structs, sizes, bond, wrap)
                _notes(scene, cv)
                x0, y0, x1, y1 = cv.extent()
                w, h = x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN
                if w <= DEFAULT_FIG[0] and h <= DEFAULT_FIG[1]:
                    return cv, fontsize, DEFAULT_FIG, 1.0
                if fallback is None and w <= FIG_MAX[0] and h <= FIG_MAX[1]:
                    fallback = (cv, fontsize, (max(FIG_MIN[0], w), max(FIG_MIN[1], h)), 1.0)
        if fallback is not None:
            return fallback
    # Too big for the biggest figure even at the smallest readable size: draw the last layout
    # scaled down as a whole (text, structures, arrows alike) rather than cut anything off.
    for _ in range(3):
        # text does not shrink exactly in proportion to its font size: lay out again with the
        # sizes the shrunk texts really have (in layout inches), until the layout fits
        scale = min(FIG_MAX[0] / w, FIG_MAX[1] / h)
        if scale >= 1.0:
            break
        real = _text_sizes(fig, texts, fontsize * scale)
        sizes = {t: (wh[0] / scale, wh[1] / scale) for t, wh in real.items()}
        if scene.molecules:
            cv = _layout_molecules(scene, structs, sizes, bond)
        else:
            cv = _layout_reaction(scene, structs, sizes, bond, True)
        _notes(scene, cv)
        x0, y0, x1, y1 = cv.extent()
        w, h = x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN
        if w * scale <= FIG_MAX[0] and h * scale <= FIG_MAX[1]:
            return cv, fontsize, FIG_MAX, scale
    return cv, fontsize, FIG_MAX, min(1.0, FIG_MAX[0] / w, FIG_MAX[1] / h)


def _draw(scene: MoleculeScene, fig) -> None:
    from matplotlib.patches import FancyArrowPatch

    cv, fontsize, size, scale = _build(scene, fig)
    if tuple(fig.get_size_inches()) != size:
        fig.set_size_inches(*size)
    # layout inches -> figure inches: ``scale`` (1 unless the layout had to be shrunk whole)
    size = (size[0] / scale, size[1] / scale)
    fontsize *= scale
    x0, y0, x1, y1 = cv.extent()
    cv.shift(size[0] / 2 - (x0 + x1) / 2, size[1] / 2 - (y0 + y1) / 2)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, size[0])
    ax.set_ylim(0, size[1])
    for st, (a0, b0, a1, b1), bond in cv.images:
        pixels = st.image((a1 - a0) * scale, (b1 - b0) * scale, bond * scale, fig.dpi)
        ax.imshow(pixels, extent=(a0, a1, b0, b1), interpolation="antialiased", zorder=1)
    ax.set_xlim(0, size[0])  # imshow resets the limits and the aspect
    ax.set_ylim(0, size[1])
    ax.set_aspect("auto")
    for a0, a1, y, kind in cv.arrows:
        style = dict(
            arrowstyle="-|>", mutation_scale=16 * scale, lw=1.6 * scale, color="black", zorder=3
        )
        if kind == "equilibrium":
            ax.add_patch(FancyArrowPatch((a0, y + 0.05), (a1, y + 0.05), **style))
            ax.add_patch(FancyArrowPatch((a1, y - 0.05), (a0, y - 0.05), **style))
        else:
            ax.add_patch(FancyArrowPatch((a0, y), (a1, y), **style))
    for s, x, y, ha, va in cv.texts:
        ax.text(x, y, s, ha=ha, va=va, fontsize=fontsize, clip_on=False, zorder=4)
