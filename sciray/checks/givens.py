"""The values and names a problem states, which a faithful diagram should label.

``extract_givens`` is deliberately conservative: a missed given only weakens label recall a
little, while a false one (a year, a sub-question number, an option's value, the "A" of
"A block") would punish every faithful diagram of that problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from sciray.checks.latex import to_plain
from sciray.checks.numbers import Num, find_numbers

# ---------------------------------------------------------------------------------------------
# Text that is no part of the statement proper
# ---------------------------------------------------------------------------------------------

# Asymptote drawing code pasted into AoPS-style problems: its numbers are coordinates and pens.
_ASY_BLOCK = re.compile(r"\[asy\].*?(?:\[/asy\]|$)", re.S | re.I)
# An explicit header before multiple-choice options ("options:", "Answer choices:").
_OPTIONS_HEADER = re.compile(r"(?im)^[ \t]*(?:options|choices|answer choices)[ \t]*:")
# One option marker: "A.", "A)", "(A)", "a).", "A:", "A、" at a line start or after a space,
# "?" or ":". The letter group tells the chain (A, B, C...) apart from prose.
_OPTION_MARK = re.compile(r"(?:^|(?<=[\s?:：]))[(\[]?(?P<letter>[A-Ja-j])(?:\)\.|[.)\]:、])")
# Option texts that read like sub-questions ("a) Find ...", "b) If x = 2, calculate ..."): kept.
_SUBQUESTION_START = re.compile(
    r"\s*(?i:find|calculate|compute|determine|show|prove|explain|what|how|why|which|simplify|"
    r"provide|investigate|if|use|using|draw|sketch|write|describe|estimate|evaluate|solve|"
    r"state|derive|obtain|give|list|identify|graph|plot|suppose|assume|let|in\b|the\b)"
)
MAX_OPTION_CHARS = 150
OPTIONS_TAIL_CHARS = 12 * (MAX_OPTION_CHARS + 8)
MAX_QUESTION_CHARS = 20_000  # longer texts (pasted logs, code) are read up to here


def _option_chain_start(text: str) -> int | None:
    """Where appended multiple-choice options start, or None.

    A chain is markers A, B, C... (one case) in order, reaching the end of the text, every
    option short and none reading like a sub-question; a repeated letter ("d). none of the
    above" after "d).") is tolerated. At least two options.
    """
    # A chain of at most 10 short options reaching the end lies in the text's tail: look only
    # there, which keeps this linear on long texts.
    tail_start = max(0, len(text) - OPTIONS_TAIL_CHARS)
    marks = list(_OPTION_MARK.finditer(text, tail_start))
    best = None
    for k, first in enumerate(marks):
        if first.group("letter") not in "Aa":
            continue
        chain = [first]
        for m in marks[k + 1 :]:
            want = chr(ord(chain[-1].group("letter")) + 1)
            if (
                m.group("letter") in (want, chain[-1].group("letter"))
                and m.start() > chain[-1].end()
            ):
                chain.append(m)
        if len(chain) < 2 or len({m.group("letter") for m in chain}) < 2:
            continue
        ends = [m.start() for m in chain[1:]] + [len(text)]
        bodies = [text[m.end() : end] for m, end in zip(chain, ends)]
        if any(len(b.strip()) > MAX_OPTION_CHARS or "?" in b for b in bodies):
            continue
        if any(_SUBQUESTION_START.match(b) for b in bodies):
            continue
        if (
            not _line_start_or_spaced(text, chain[0].start())
            and not any(_line_start_or_spaced(text, m.start()) for m in chain[1:])
            and max(len(b.strip()) for b in bodies) > 40
        ):
            continue  # inline markers in running prose with long bodies: not options
        best = chain[0].start()
        break
    return best


def _line_start_or_spaced(text: str, pos: int) -> bool:
    before = text[:pos]
    line = before.rsplit("\n", 1)[-1]
    return not line.strip() or before.endswith(("  ", "\t")) or before.rstrip().endswith(("?", ":"))


def strip_options(question: str) -> str:
    """``question`` without Asymptote code and without multiple-choice options appended to it."""
    text = _ASY_BLOCK.sub(" ", question)
    header = _OPTIONS_HEADER.search(text)
    if header:
        text = text[: header.start()]
    start = _option_chain_start(text)
    return text if start is None else text[:start]


# ---------------------------------------------------------------------------------------------
# Numbers that are not givens
# ---------------------------------------------------------------------------------------------

# A reference before a number: "Fig. 8.1", "Table 2", "Eq. (3)", "Problem 4", Chinese 图/题/例.
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?i:figs?|figures?|tables?|tab|eqs?|equations?|chapters?|ch|sections?|sec|problems?|"
    r"examples?|exercises?|questions?|parts?|steps?|cases?|lemma|theorem|page|pp?)|[图表题例式§])"
    r"\.?\s*\(?\s*(?:\d+(?:\.\d+)*\s*[-.]\s*)?$"  # the "7-" of "习题 7-55"
)
# A sub-question marker at a line start: "1.", "2)", "3、" followed by a space (or the end).
_LINE_ENUM_AFTER = re.compile(r"[.)、:](?:\s|$)")
_MONTHS = (
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
# Words before a year ("in 1905", "since 2010", "May 31, 2013").
_YEAR_BEFORE = re.compile(
    r"(?:\b(?i:in|since|until|till|year|years|during|by|before|after|from|of|circa|c\.)"
    r"|\b(?i:" + "|".join(_MONTHS) + r")\.?(?:\s+\d{1,2})?,?)\s*$"
)
# A unit right after a number: then "in 1500 kg" is a mass, not a year.
_UNIT_AFTER = re.compile(r"\s*(?:[kmcμnM]?(?:g|m|s|N|J|W|K|L|l|Pa|Hz|V|A|Ω|mol|C|F|T)\b|°|%)")


def _is_enumeration(plain: str, num: Num) -> bool:
    if "." in num.text or "/" in num.text or "e" in num.text or num.value < 0 or num.value > 99:
        return False
    before, after = plain[: num.start], plain[num.end :]
    # "(1)" / "（1）" not attached to a function name: f(4) keeps its 4.
    if before.endswith("(") and after.startswith(")"):
        glued = before[-2:-1]
        if not (glued.isascii() and (glued.isalnum() or glued == "_")):
            return True
    line = before.rsplit("\n", 1)[-1]
    return not line.strip() and bool(_LINE_ENUM_AFTER.match(after))


def _is_reference(plain: str, num: Num) -> bool:
    return bool(_REFERENCE_BEFORE.search(plain[max(0, num.start - 16) : num.start]))


def _is_year(plain: str, num: Num) -> bool:
    if not (1800 <= num.value <= 2100) or num.text != str(int(num.value)):
        return False
    if plain[num.end : num.end + 1] == "年":
        return True
    after_year_word = _YEAR_BEFORE.search(plain[max(0, num.start - 24) : num.start])
    return bool(after_year_word) and not _UNIT_AFTER.match(plain, num.end)


# ---------------------------------------------------------------------------------------------
# Symbols: geometry point names and subscripted quantities
# ---------------------------------------------------------------------------------------------

_POINT = r"[A-Z](?:_?\d{1,2})?'*"  # A, A1, A_1, A'
# A run of point names written together (ABC, A_1B_1C_1), ending at a word boundary.
_POINT_RUN = rf"(?:{_POINT}){{1,8}}(?![A-Za-z0-9_])"
# Between runs of a list: "A, B and C", "A、B", "P-ABCD" (a pyramid's apex).
_LIST_SEP = (
    r"(?:\s*(?:,|，|、|&|\band\b|\bor\b|和|与|及)\s*"
    r"(?:(?i:the\s+)?(?i:points?|vertex|vertices)\s+)?|-)"
)
_POINT_LIST = rf"{_POINT_RUN}(?:{_LIST_SEP}{_POINT_RUN}){{0,12}}"  # bounded: linear on long text
# Words after which capitals are point names: "triangle ABC", "point P", "∠ABC", "线段AB".
_GEOMETRY_WORDS = (
    r"points?|vertex|vertices|triangles?|quadrilaterals?|squares?|rectangles?|parallelograms?|"
    r"rhombus|trapezoids?|trapezium|pentagons?|hexagons?|polygons?|tetrahedron|pyramid|prism|"
    r"cuboid|cube|segments?|lines?|sides?|edges?|chords?|arcs?|rays?|diagonals?|angles?|"
    r"circles?|cent(?:er|re)|origin|midpoint|foot|planes?|faces?|rod|bar|track|wire|"
    r"incenter|circumcenter|centroid|orthocenter|tangent"
)
_GEOMETRY_MARKS = (
    r"∠|△|⊙|▱|点|三角形|线段|直线|射线|棒|边|角|圆|四边形|正方形|矩形|平行四边形|梯形|"
    r"顶点|中点|圆心|平面"
)
_KEYWORD_POINTS = re.compile(
    rf"(?:\b(?i:(?P<word>{_GEOMETRY_WORDS}))\b|(?P<mark>{_GEOMETRY_MARKS}))"
    rf"\s*(?P<list>{_POINT_LIST})"
)
# Chinese puts the word after the name: "A 点" (point A), "R 处" (at R).
_POINTS_BEFORE_MARK = re.compile(rf"(?<![A-Za-z0-9_])(?P<list>{_POINT_LIST})\s*(?:点|处)(?!电荷)")
# Lengths name two points at least: "radius OA", "distance AB" (but "radius R" is a quantity).
_TWO_POINT_WORDS = re.compile(
    rf"\b(?i:radius|radii|diameter|distance|length)\s+(?P<list>(?:{_POINT}){{2,8}}(?![A-Za-z0-9_]))"
)
# Segment relations: "AB = BC", "AB ∥ CD", "AB ⊥ CD".
_SEGMENT_RELATION = re.compile(
    r"(?<![A-Za-z0-9_])([A-Z]{2})\s*(?:=|∥|⊥|≅)\s*([A-Z]{2})(?![A-Za-z0-9_])"
)
# A math segment that is only point names: "$OAB$", "$AB$", "\(ABC\)" (raw text, 2-5 points).
_MATH_POINTS = re.compile(
    r"(?:\$|\\\(|\{eq\})\s*(?:\\overline\{|\\triangle\s*|\\angle\s*)?"
    r"(?P<list>(?:[A-Z]'?\s*){2,5})\}?\s*(?:\$|\\\)|\{/eq\})"  # no subscripts: C_2H_2 is a formula
)
# All-capital abbreviations that are not point names when they stand alone in math.
_NOT_POINTS = {
    "AC",
    "DC",
    "RC",
    "LC",
    "RL",
    "LR",
    "RLC",
    "LCR",
    "EMF",
    "DNA",
    "RNA",
    "ATP",
    "ADP",
    "PV",
    "NMR",
    "IR",
    "UV",
    "CO",
    "NO",
    "HF",
    "HI",
    "CN",
    "OH",
    "SO",
    "NH",
    "CH",
    "KI",
    "CS",
    "BF",
    "SI",
    "TV",
    "GDP",
    "CPI",
    "USA",
    "UK",
    "IS",
    "LM",
    "BP",
    "MC",
    "MR",
    "ATC",
    "AVC",
    "AFC",
    "PPF",
    "ID",
    "OK",
    "PE",
    "KE",
    "GPE",
    "EM",
}
# Keywords after which a lone "I" may be a point (elsewhere "I" is the pronoun or a current).
_I_POINT_WORDS = {"point", "points", "vertex", "vertices", "incenter", "center", "centre", "点"}

# A subscripted quantity with a numeric index: R_1, m_2, q_1, λ_0 (plain form). Letters or
# digits glued before or after mean a chemical formula (C_2H_5OH, GeO_2, K_2Cr_2O_7).
_SUBSCRIPTED = re.compile(
    r"(?<![A-Za-z0-9_'\u0370-\u03ff])(?P<base>[A-Za-z\u0370-\u03ff])_(?P<index>\d{1,2})"
    r"(?![A-Za-z0-9_(\u0370-\u03ff])"
)
# Physical constants written with a subscript: not quantities of the problem.
_CONSTANTS = {"ε0", "μ0", "ϵ0"}
# Chemistry wording: then H_2, O_2, N_2... are molecules, not quantities.
_CHEMISTRY = re.compile(
    r"\b(?i:mol|moles?|molar|molecules?|Lewis|reactions?|compounds?|formula|gas(?:es)?)\b|\((?:g|aq)\)"
)
_ELEMENTS = set("HBCNOFPSKIVWYU")


def _points_of(run_list: str) -> list[str]:
    return [p.replace("_", "") for p in re.findall(_POINT, re.sub(r"[\s{}\\]", "", run_list))]


def _symbol_givens(raw: str, plain: str) -> list[tuple[int, str, str]]:
    """(position, name, snippet) of every point name and subscripted quantity."""
    found: list[tuple[int, str, str]] = []
    for m in _KEYWORD_POINTS.finditer(plain):
        word = (m.group("word") or m.group("mark") or "").lower()
        for name in _points_of(m.group("list")):
            if name == "I" and word not in _I_POINT_WORDS:
                continue
            found.append((m.start(), name, m.group(0)))
    for m in _POINTS_BEFORE_MARK.finditer(plain):
        found.extend((m.start(), name, m.group(0)) for name in _points_of(m.group("list")))
    for m in _TWO_POINT_WORDS.finditer(plain):
        found.extend((m.start(), name, m.group(0)) for name in _points_of(m.group("list")))
    for m in _SEGMENT_RELATION.finditer(plain):
        found.extend((m.start(), name, m.group(0)) for name in _points_of(m.group(1) + m.group(2)))
    for m in _MATH_POINTS.finditer(raw):
        names = _points_of(m.group("list"))
        if len(set(names)) == len(names) and "".join(names) not in _NOT_POINTS:
            # raw positions do not line up with plain ones: order these after the rest
            found.extend((len(plain) + m.start(), name, m.group(0)) for name in names)
    chemistry = bool(_CHEMISTRY.search(plain))
    for m in _SUBSCRIPTED.finditer(plain):
        name = m.group("base") + m.group("index")
        if chemistry and m.group("base") in _ELEMENTS and m.group("index") != "1":
            continue
        if name not in _CONSTANTS:
            found.append((m.start(), name, m.group(0)))
    return found


# ---------------------------------------------------------------------------------------------
# The public API
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """One value or name the problem states."""

    kind: Literal["number", "symbol"]
    text: str
    """Normalized as it should appear in a label: "30", "2.5", "3e8", "1/2", "A", "R1"."""
    raw: str
    """The source snippet it was read from (in plain form: LaTeX markup removed)."""
    value: float | None = field(default=None, compare=False)
    """The numeric value of a number (0.5 for "1/2"); None for a symbol."""
    labelled: bool = field(default=True, compare=False)
    """Whether a faithful figure writes it: not a bare 0 ("y >= 0", "x = 0", "0 <= t <= 2"),
    which bounds or starts something that the axes or the drawn shape already show."""


# A unit written right after a number: "kg", "m/s^2", "°", "%" (a word of 1-5 letters).
_UNIT_SNIPPET = re.compile(r"\s*(?:°|%|[A-Za-zμΩÅ]{1,5}(?![A-Za-z])(?:[/·^][\w^-]{1,5})*)")


def _number_snippet(plain: str, num: Num) -> str:
    """The number with the unit written right after it, for humans: "2 kg", "30°"."""
    m = _UNIT_SNIPPET.match(plain, num.end)
    return plain[num.start : m.end() if m else num.end].strip()


def extract_givens(question: str) -> list[Given]:
    """Every numeric value and point/quantity name ``question`` states, numbers first, each once."""
    if not question or not question.strip():
        return []
    raw = strip_options(question[:MAX_QUESTION_CHARS])
    plain = to_plain(raw)
    givens: list[Given] = []
    values: dict[str, int] = {}
    for num in find_numbers(plain):
        if _is_enumeration(plain, num) or _is_reference(plain, num) or _is_year(plain, num):
            continue
        bare_zero = num.text == "0" and not _UNIT_AFTER.match(plain, num.end)
        key = f"{num.value:.9g}"  # the same value stated twice ("2 kg ... 2.0 kg") counts once
        if key in values:
            first = givens[values[key]]
            if not (bare_zero or first.labelled):  # "x = 0 ... at t = 0 s": the 0 s is a value
                givens[values[key]] = replace(first, raw=_number_snippet(plain, num), labelled=True)
            continue
        values[key] = len(givens)
        snippet = _number_snippet(plain, num)
        givens.append(Given("number", num.text, snippet, num.value, labelled=not bare_zero))
    seen: set[str] = set()
    for _, name, snippet in sorted(_symbol_givens(raw, plain), key=lambda t: t[0]):
        if name not in seen:
            seen.add(name)
            givens.append(Given("symbol", name, snippet.strip()))
    return givens
