"""LaTeX, Unicode and web-markup text turned into one plain form that the number and symbol
scanners read, so a question, an answer and a drawn label all look alike.

Conventions of the plain form (the scanners rely on them):

- math delimiters (``$``, ``\\(``, ``{eq}``, ``#``) and font wrappers (``\\mathrm{..}``) are gone;
- a subscript is ``_x`` (simple) or ``_(...)``; a superscript ``^x`` or ``^(...)``, so an
  exponent can be told from a value; Unicode sub/superscripts (R₁, m²) take the same form;
- degrees are ``°``, primes ``'``, products ``×`` or ``·``, minus ``-``;
- ``\\frac{1}{2}`` is ``1/2`` (``(a)/(b)`` when a part is not a plain number);
- Greek letters are Unicode (``\\lambda`` -> ``λ``), other commands keep their bare name.
"""

from __future__ import annotations

import re
import unicodedata

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾", "0123456789+-()")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋₍₎", "0123456789+-()")
# A run of Unicode superscript / subscript characters (m², 10⁻³, R₁).
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾]+")
_SUBSCRIPT_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉₊₋₍₎]+")

# Characters NFKC would get wrong or leave alone, mapped before it runs.
_CHAR_MAP = str.maketrans(
    {
        "−": "-",
        "–": "-",
        "‒": "-",
        "﹣": "-",
        "º": "°",
        "˚": "°",  # ordinal indicator / ring above, both used as degree signs
        "′": "'",
        "″": "''",
        "’": "'",
        "⁄": "/",
        "∕": "/",  # fraction slash (½ -> 1⁄2 under NFKC)
        "✕": "×",
        "⨯": "×",
        "∙": "·",
        "⋅": "·",
    }
)

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "θ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "π",
    "rho": "ρ",
    "varrho": "ρ",
    "sigma": "σ",
    "varsigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}

_SYMBOLS = {
    "times": "×",
    "cdot": "·",
    "circ": "°",
    "degree": "°",
    "textdegree": "°",
    "prime": "'",
    "pm": "±",
    "mp": "∓",
    "leq": "≤",
    "le": "≤",
    "leqslant": "≤",
    "geq": "≥",
    "ge": "≥",
    "geqslant": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "simeq": "≈",
    "sim": "~",
    "equiv": "≡",
    "propto": "∝",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "Rightarrow": "⇒",
    "leftarrow": "←",
    "in": "∈",
    "parallel": "∥",
    "perp": "⊥",
    "angle": "∠",
    "triangle": "△",
    "odot": "⊙",
    "partial": "∂",
    "nabla": "∇",
    "cdots": "…",
    "ldots": "…",
    "dots": "…",
    "%": "%",
    "$": "$",
    "&": "&",
    "#": "#",
    "{": "{",
    "}": "}",
    "_": " ",
    "lt": "<",
    "gt": ">",
    "hbar": "ħ",
    "ell": "ℓ",
    "AA": "Å",
    "ohm": "Ω",
    "micro": "μ",
    "div": "÷",
}

# Commands whose one argument is kept as plain content (fonts, text, accents, decorations).
_WRAPPERS = {
    "mathrm",
    "text",
    "textrm",
    "textit",
    "textbf",
    "textsf",
    "texttt",
    "mathbf",
    "mathit",
    "mathsf",
    "mathtt",
    "mathcal",
    "mathbb",
    "mathfrak",
    "boldsymbol",
    "bm",
    "mathnormal",
    "operatorname",
    "mbox",
    "hbox",
    "emph",
    "vec",
    "hat",
    "bar",
    "tilde",
    "dot",
    "ddot",
    "overline",
    "underline",
    "overrightarrow",
    "overleftarrow",
    "widehat",
    "widetilde",
    "overset",
    "underset",
    "unit",
    "si",
    "ce",
    "pu",
    "boxed",
    "fbox",
}
# Commands that only switch style or size: dropped, their neighbours stay.
_SWITCHES = {
    "rm",
    "bf",
    "it",
    "sf",
    "tt",
    "cal",
    "displaystyle",
    "textstyle",
    "scriptstyle",
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "limits",
    "nolimits",
    "nonumber",
    "notag",
    "middle",
}
_SPACES = {
    ",",
    ";",
    ":",
    "!",
    " ",
    "quad",
    "qquad",
    "enspace",
    "thinspace",
    "medspace",
    "thickspace",
    "\\",
    "newline",
    "(",
    ")",
    "[",
    "]",
    "hfill",
    "noindent",
    "cr",
}
_FRACS = {"frac", "dfrac", "tfrac", "cfrac"}
# Big operators whose sub/superscripts are bounds (values), not indices or exponents.
_BOUNDED = {
    "int": "∫",
    "iint": "∬",
    "iiint": "∭",
    "oint": "∮",
    "sum": "∑",
    "prod": "∏",
    "lim": "lim",
    "max": "max",
    "min": "min",
}

_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.S)
# A plain (possibly signed, decimal) number: the only fraction parts written as a/b.
_SIMPLE_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# A sub/superscript that needs no parentheses: one signed word (R_1, m^2, s^-1, Fe^2+).
_SIMPLE_SCRIPT = re.compile(r"[+-]?[\w']+[+-]?")
# A script written without braces in plain text: a signed digit run (s^-1, R_12, 10^-5).
_BARE_SCRIPT = re.compile(r"\s*([+-]?\d+)")
# A bound of a big operator, possibly after \limits: the "_" of \int_{0}^{1}.
_BOUND_SCRIPT = re.compile(r"\s*(?:\\(?:no)?limits\s*)?([_^])")
# A dollar-math (or \( \)) segment made only of spaced capitals, such as Chinese rows' "$A B$".
_SPACED_CAPITALS = re.compile(r"(\$+|\\\()\s*([A-Z](?:\s+[A-Z])+)\s*(\$+|\\\))")
# Markup the web sources wrap math in: {eq}..{/eq} (WebInstruct), #..# (Socratic).
_WEB_MATH = re.compile(r"\{/?eq\}|#")


def read_arg(s: str, i: int) -> tuple[str, int]:
    """The macro argument starting at ``s[i]``: a balanced ``{...}`` group, a command or one char."""
    n = len(s)
    while i < n and s[i] in " \t\n":
        i += 1
    if i >= n:
        return "", i
    if s[i] == "{":
        depth = 0
        for j in range(i, n):
            if s[j] == "{" and (j == 0 or s[j - 1] != "\\"):
                depth += 1
            elif s[j] == "}" and s[j - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return s[i + 1 : j], j + 1
        return s[i + 1 :], n  # unbalanced: take the rest
    if s[i] == "\\":
        m = _COMMAND.match(s, i)
        return (m.group(0), m.end()) if m else ("", n)
    return s[i], i + 1


def _frac(num: str, den: str) -> str:
    num, den = num.strip(), den.strip()
    if _SIMPLE_NUMBER.fullmatch(num) and _SIMPLE_NUMBER.fullmatch(den):
        return f" {num}/{den} "
    wrap = lambda x: x if re.fullmatch(r"[\w.']+", x) else f"({x})"  # noqa: E731
    return f" {wrap(num)}/{wrap(den)} "


def _script(marker: str, content: str, prev: str) -> str:
    """A converted sub/superscript: degrees and primes become symbols, the rest keeps its marker."""
    c = content.strip()
    if not c:
        return ""
    if marker == "^":
        if c in ("°", "o") and (prev[-1:].isdigit() or prev[-1:] in " )"):
            return "°"
        if re.fullmatch(r"(?:'|prime)+", c):
            return "'" * max(c.count("'"), c.count("prime"))
    if _SIMPLE_SCRIPT.fullmatch(c):
        return marker + c
    return f"{marker}({c})"


MAX_DEPTH = 40  # nested macro arguments read; deeper text is kept as it is (hostile input)


def _convert(s: str, depth: int = 0) -> str:
    if depth > MAX_DEPTH:
        return s
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            m = _COMMAND.match(s, i)
            if m is None:  # a lone backslash at the very end
                break
            name, i = m.group(1), m.end()
            if name in _FRACS:
                num, i = read_arg(s, i)
                den, i = read_arg(s, i)
                out.append(_frac(_convert(num, depth + 1), _convert(den, depth + 1)))
            elif name == "sqrt":
                if i < n and s[i] == "[":  # \sqrt[3]{x}: the root's degree is no given value
                    close = s.find("]", i)
                    i = close + 1 if close > 0 else n
                arg, i = read_arg(s, i)
                out.append(f"√({_convert(arg, depth + 1)})")
            elif name in _BOUNDED:
                out.append(f" {_BOUNDED[name]}")
                bounds = []
                while True:  # \int_{a}^{b}, possibly with \limits in between
                    m2 = _BOUND_SCRIPT.match(s, i)
                    if not m2:
                        break
                    arg, i = read_arg(s, m2.end())
                    bounds.append(_convert(arg, depth + 1).strip())
                if bounds:
                    out.append("[" + " , ".join(bounds) + "] ")
            elif name in _WRAPPERS:
                if name in ("overset", "underset"):  # \overset{above}{base}: keep the base
                    _, i = read_arg(s, i)
                arg, i = read_arg(s, i)
                out.append(_convert(arg, depth + 1))
            elif name in _SPACES:
                out.append(" ")
            elif name in _SWITCHES:
                out.append(" " if name in ("left", "right") else "")
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            elif name in GREEK:
                out.append(GREEK[name])
            else:  # \sin, \ln, \log...: the bare name, kept apart from a preceding word
                prev = out[-1][-1:] if out and out[-1] else ""
                out.append((" " if prev.isalnum() else "") + name + " ")
        elif c in "_^":
            bare = _BARE_SCRIPT.match(s, i + 1)  # plain-text R_12, s^-1: a whole signed number
            arg, i = (bare.group(1), bare.end()) if bare else read_arg(s, i + 1)
            prev = "".join(out[-2:])
            out.append(_script(c, _convert(arg, depth + 1), prev))
        elif c in "{}":  # a bare group only groups: drop its braces, keep its content
            i += 1
        elif c == "~":
            out.append(" ")
            i += 1
        elif c == "$":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _unicode_scripts(text: str) -> str:
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}", text)
    return _SUBSCRIPT_RUN.sub(lambda m: "_{" + m.group(0).translate(_SUBSCRIPTS) + "}", text)


def to_plain(text: str) -> str:
    """``text`` (LaTeX, Unicode or web markup) in the plain form described in the module doc."""
    if not text:
        return ""
    text = text.translate(_CHAR_MAP)
    text = _unicode_scripts(text)
    text = unicodedata.normalize("NFKC", text)  # full-width digits/brackets, µ -> μ, Ω sign
    text = text.translate(_CHAR_MAP)  # again: NFKC makes new ones (½ -> 1⁄2)
    text = _WEB_MATH.sub(" ", text)
    text = _SPACED_CAPITALS.sub(
        lambda m: (
            m.group(1)
            + m.group(2).replace(" ", "").replace("\t", "").replace("\n", "")
            + m.group(3)
        ),
        text,
    )
    text = text.replace("{,}", ",")  # LaTeX's decimal/thousands comma
    plain = _convert(text)
    plain = plain.replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", plain)
