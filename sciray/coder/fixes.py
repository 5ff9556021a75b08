"""Deterministic fixes for the mistakes small models make in diagram code, tried before asking
the model again.

Pure functions. Each returns the new code and the names of the fixes it applied (short
snake_case strings the caller records with the candidate):

- ``numpy2_names``: names removed in NumPy 2 (``np.trapz``, ``np.float``, ``np.NaN``...).
- ``gca_projection``: ``fig.gca(projection='3d')``, gone since Matplotlib 3.6.
- ``axes_3d``: 3-D calls (``plot_surface``, ``set_zlabel``...) on an axes made without
  ``projection='3d'``.
- ``mpl_removed_names``: ``cm.get_cmap`` (gone in 3.9) and ``ax.w_xaxis`` (gone in 3.8).
- ``seaborn_style``: ``plt.style.use('seaborn-...')``, renamed ``seaborn-v0_8-...`` in 3.6.
- ``format_string``: an invalid ``plot`` format string such as ``'b-o-'``.
- ``call_entry_point``: a script that defines ``main()`` (or similar) and never calls it.
- ``fit_view``: patches drawn far outside the default 0..1 view with no limits set.
- ``givens_legend``: given values a rendered diagram still does not show after the model's
  attempts, written in a "Given:" strip added under the drawing (ImgCoder applies it last).
- ``latex_escapes``: a LaTeX command in a non-raw string with ``$`` (``"$\\frac{1}{2}$"``,
  ``"$\\theta$"``) that Python reads as an escape (form feed, tab) or rejects (``\\xi``).
- ``text_3d``: ``ax.text(x, y, "label")`` on 3-D axes, which take ``(x, y, z, s)``.
- ``canvas_size``: a canvas over the pixel cap (a figure size or dpi computed from the data, a
  ``savefig(bbox_inches='tight')`` around far-away text): sizes clamped, the script's own
  ``savefig`` calls dropped (the renderer saves the figure itself).
- ``truncated_tail``: a program cut off at the token limit (an unclosed bracket or string near
  its end): its longest prefix that parses, when that keeps most of it.
- ``fstring_latex``: LaTeX braces in an f-string (``f"${\\Delta x}$ = {dx}"``) that Python 3.11
  reads as a replacement field and rejects for its backslash: made literal braces.
- ``undefined_axes``: ``ax`` or ``fig`` used without being defined: bound to the current axes
  or figure just before the line that failed.
- ``unknown_kwarg``: a keyword argument the called function rejects (``arrow_length_ratio`` on a
  2-D quiver, ``head_width`` on a 3-D line): dropped from the calls in the statement that failed.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from sciray.types import RenderFailure

__all__ = [
    "ERROR_FIXES",
    "ERROR_FIX_NAMES",
    "ErrorFix",
    "apply_fit_view",
    "apply_givens_legend",
    "error_fixes",
    "fix_outcomes",
    "fit_view_postlude",
    "needs_fit_view",
    "static_fixes",
    "valid_format",
]


# ---------------------------------------------------------------------------------------------
# Helpers


def _parse(code: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" in LaTeX labels
            return ast.parse(code)
    except Exception:  # SyntaxError, ValueError (NUL bytes), RecursionError
        return None


def _aliases(code: str, module: str, default: str) -> list[str]:
    """How ``module`` is spelled in ``code``: the usual alias, the full name, any ``as`` names."""
    parent, _, last = module.rpartition(".")
    found = re.findall(
        rf"^[ \t]*import[ \t]+{re.escape(module)}[ \t]+as[ \t]+(\w+)", code, re.MULTILINE
    )
    if parent:
        found += re.findall(
            rf"^[ \t]*from[ \t]+{re.escape(parent)}[ \t]+import[ \t]+{last}"
            rf"(?:[ \t]+as[ \t]+(\w+))?",
            code,
            re.MULTILINE,
        )
        found = [f or last for f in found]
    return list(dict.fromkeys([*found, default, module]))


def _pyplot_name(code: str) -> str | None:
    """The name pyplot is bound to in ``code``, or None when it is never imported."""
    found = [
        a
        for a in _aliases(code, "matplotlib.pyplot", "plt")
        if re.search(
            rf"\bimport[ \t]+(?:matplotlib\.pyplot[ \t]+as[ \t]+)?{re.escape(a)}\b|"
            rf"\bas[ \t]+{re.escape(a)}\b|^[ \t]*import[ \t]+{re.escape(a)}\b",
            code,
            re.MULTILINE,
        )
    ]
    return found[0] if found else None


class _Source:
    """Maps ast positions (1-based line, UTF-8 byte column) to string offsets and applies edits."""

    def __init__(self, code: str):
        self.code = code
        self.starts = [0]
        for i, ch in enumerate(code):
            if ch == "\n":
                self.starts.append(i + 1)
        self.edits: list[tuple[int, int, str]] = []

    def offset(self, line: int, col: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.code)
        text = self.code[start:end]
        return start + len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),
            self.offset(node.end_lineno, node.end_col_offset),
        )

    def text(self, node: ast.AST) -> str:
        a, b = self.span(node)
        return self.code[a:b]

    def replace(self, node: ast.AST, new: str) -> None:
        a, b = self.span(node)
        self.edits.append((a, b, new))

    def insert(self, at: int, new: str) -> None:
        self.edits.append((at, at, new))

    def apply(self) -> str:
        out, last = self.code, None
        for a, b, new in sorted(set(self.edits), reverse=True):
            if last is not None and b > last:
                continue  # overlapping edit: keep the later one only
            out, last = out[:a] + new + out[b:], a
        return out


# ---------------------------------------------------------------------------------------------
# numpy2_names


_NUMPY_RENAMES = {
    "trapz": "{np}.trapezoid",
    "float": "float",
    "int": "int",
    "bool": "bool",
    "object": "object",
    "str": "str",
    "complex": "complex",
    "NaN": "{np}.nan",
    "NAN": "{np}.nan",
    "Inf": "{np}.inf",
    "Infinity": "{np}.inf",
    "PINF": "{np}.inf",
    "infty": "{np}.inf",
    "NINF": "-{np}.inf",
    "product": "{np}.prod",
    "cumproduct": "{np}.cumprod",
    "alltrue": "{np}.all",
    "sometrue": "{np}.any",
    "row_stack": "{np}.vstack",
    "in1d": "{np}.isin",
    "float_": "{np}.float64",
    "complex_": "{np}.complex128",
    "cfloat": "{np}.complex128",
    "unicode_": "{np}.str_",
    "string_": "{np}.bytes_",
    "round_": "{np}.round",
    "mat": "{np}.asmatrix",
}


def _close_paren(code: str, open_at: int) -> int | None:
    """Index of the parenthesis closing the one at ``open_at`` (strings skipped), or None."""
    depth, i, quote = 0, open_at, None
    while i < len(code):
        c = code[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _has_top_level_comma(args: str) -> bool:
    depth, quote = 0, None
    for c in args:
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            return True
    return False


def _fix_asfarray(code: str, alias: str) -> str:
    """``np.asfarray(x)`` -> ``np.asarray(x, dtype=float)``; a given dtype is kept."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(alias)}\.asfarray\s*\(")
    while (m := pattern.search(code)) is not None:
        close = _close_paren(code, m.end() - 1)
        head = f"{alias}.asarray("
        if close is None:
            return code[: m.start()] + head + code[m.end() :]
        args = code[m.end() : close]
        extra = "" if _has_top_level_comma(args) or not args.strip() else ", dtype=float"
        code = code[: m.start()] + head + args + extra + code[close:]
    return code


def _numpy2_names(code: str) -> str:
    for alias in _aliases(code, "numpy", "np"):
        names = "|".join(sorted(map(re.escape, _NUMPY_RENAMES), key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w.]){re.escape(alias)}\.({names})(?![\w])")
        code = pattern.sub(lambda m, a=alias: _NUMPY_RENAMES[m.group(1)].format(np=a), code)
        code = _fix_asfarray(code, alias)
    return code


# ---------------------------------------------------------------------------------------------
# gca_projection, mpl_removed_names, seaborn_style


def _gca_projection(code: str) -> str:
    """``X.gca(projection='3d')`` -> ``X.add_subplot(projection='3d')`` (``plt`` -> ``plt.gcf()``)."""
    pyplot = _aliases(code, "matplotlib.pyplot", "plt")

    def fix(m: re.Match) -> str:
        owner = m.group(1)
        owner = f"{owner}.gcf()" if owner in pyplot else owner
        return f"{owner}.add_subplot({m.group(2)}"

    return re.sub(r"(?<![\w.])(\w[\w.]*(?:\(\))?)\.gca\(\s*(projection\s*=)", fix, code)


def _mpl_removed_names(code: str) -> str:
    # cm.get_cmap(name, lut) is gone; pyplot.get_cmap still takes both arguments.
    plt = _pyplot_name(code) or '__import__("matplotlib.pyplot", fromlist=["get_cmap"])'
    code = re.sub(r"(?<![\w.])(?:[\w.]+\.)?cm\.get_cmap\s*\(", lambda _: f"{plt}.get_cmap(", code)
    return re.sub(r"\.w_([xyz])axis\b", r".\1axis", code)


def _seaborn_style(code: str) -> str:
    return re.sub(
        r"""(['"])seaborn(?!-v0_8)(-[\w-]+)?\1""",
        lambda m: f"{m.group(1)}seaborn-v0_8{m.group(2) or ''}{m.group(1)}",
        code,
    )


# ---------------------------------------------------------------------------------------------
# axes_3d


_THREE_D = frozenset(
    {
        "plot_surface",
        "plot_wireframe",
        "plot3D",
        "scatter3D",
        "set_zlabel",
        "set_zlim",
        "view_init",
        "plot_trisurf",
        "contour3D",
        "contourf3D",
        "bar3d",
        "text3D",
        "add_collection3d",
        "set_zticks",
        "set_zticklabels",
    }
)
_FIG_ONLY_SUBPLOTS_KW = frozenset(
    {"sharex", "sharey", "squeeze", "width_ratios", "height_ratios", "subplot_kw", "gridspec_kw"}
)


def _is_3d_call(node: ast.AST, only: str | None) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    attr = node.func.attr
    if attr == "quiver":
        return only in (None, "quiver") and len(node.args) >= 6  # 2-D quiver takes at most 5
    return attr == only if only is not None else attr in _THREE_D


def _receivers_3d(tree: ast.Module, only: str | None) -> set[str]:
    """Source text of every object a 3-D method is called on ("ax", "self.ax")."""
    out = set()
    for node in ast.walk(tree):
        if _is_3d_call(node, only):
            out.add(ast.unparse(node.func.value))
    return out


def _add_projection(src: _Source, call: ast.Call) -> None:
    if any(k.arg == "projection" for k in call.keywords):
        return
    _, end = src.span(call)
    before = src.code[: end - 1].rstrip()
    sep = "" if before.endswith(("(", ",")) else ", "
    src.insert(end - 1, f"{sep}projection='3d'")


def _rewrite_subplots(src: _Source, stmt: ast.Assign, call: ast.Call, fig: str, ax: str) -> None:
    module = src.text(call.func.value)
    if any(not (isinstance(a, ast.Constant) and a.value == 1) for a in call.args):
        return  # a grid of axes: ax is an array, not the 3-D axes itself
    special = [k for k in call.keywords if k.arg in _FIG_ONLY_SUBPLOTS_KW or k.arg is None]
    if special:
        if not any(k.arg == "subplot_kw" for k in call.keywords):
            _, end = src.span(call)
            src.insert(end - 1, ", subplot_kw={'projection': '3d'}")
        return
    kwargs = ", ".join(src.text(k) for k in call.keywords if k.arg not in ("nrows", "ncols"))
    start, _ = src.span(stmt)
    line_head = src.code[src.code.rfind("\n", 0, start) + 1 : start]
    newline = "\r\n" if "\r\n" in src.code else "\n"
    joint = newline + line_head if not line_head.strip() else "; "
    src.replace(
        stmt, f"{fig} = {module}.figure({kwargs}){joint}{ax} = {fig}.add_subplot(projection='3d')"
    )


def _rewrite_creation(src: _Source, stmt: ast.Assign, target: str, pyplot: list[str]) -> None:
    call = stmt.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return
    method, owner = call.func.attr, src.text(call.func.value)
    if method in ("add_subplot", "subplot", "axes", "add_axes"):
        _add_projection(src, call)
    elif method == "gca" and not call.args and not call.keywords:
        owner = f"{owner}.gcf()" if owner in pyplot else owner
        src.replace(call, f"{owner}.add_subplot(projection='3d')")
    elif method == "subplots" and isinstance(stmt.targets[0], ast.Tuple):
        names = [ast.unparse(e) for e in stmt.targets[0].elts]
        if len(names) == 2 and names[1] == target:
            _rewrite_subplots(src, stmt, call, names[0], target)


def _axes_3d(code: str, *, force: bool = False, only: str | None = None) -> str:
    """Give a 3-D projection to the axes that 3-D methods are called on."""
    if not force and (re.search(r"""['"]3d['"]""", code, re.IGNORECASE) or "Axes3D(" in code):
        return code
    tree = _parse(code)
    if tree is None:
        return code
    receivers = _receivers_3d(tree, only)
    if not receivers:
        return code
    pyplot = _aliases(code, "matplotlib.pyplot", "plt")
    src = _Source(code)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        elts = target.elts if isinstance(target, ast.Tuple) else [target]
        names = [ast.unparse(e) for e in elts]
        for name in set(names) & receivers:
            _rewrite_creation(src, node, name, pyplot)
    return src.apply()


# ---------------------------------------------------------------------------------------------
# static_fixes


# ---------------------------------------------------------------------------------------------
# latex_escapes

# LaTeX commands whose first letter starts a Python escape (\a \b \f \n \r \t \v \x \u \U \N):
# in a non-raw string "\frac" holds a form feed and "\xi" does not even compile.
_ESCAPED_COMMANDS = frozenset(
    """
alpha approx angle ast arctan arcsin arccos aleph
beta bar bf bullet binom boldsymbol big bigg bot bmod backslash
frac forall flat frown
nu nabla neq ne neg not nearrow newline nwarrow ni notin nmid
rho right rightarrow rm rangle rceil rfloor rightleftharpoons rightharpoonup
theta tau times text textbf textrm textit tan tanh tilde triangle to top tfrac therefore
vec varepsilon varphi vartheta varrho varsigma vee vdots vert
xi
uparrow updownarrow underline upsilon
Uparrow Upsilon Updownarrow Nu
""".split()
)
_COMMAND_AT = re.compile(r"[A-Za-z]+")


def double_latex_backslashes(body: str, escape_letters: str | None = None) -> str:
    """``body`` (a string literal's source between its quotes) with a backslash doubled before
    each LaTeX command Python would read as an escape; ``\\`` pairs are left as they are.
    With ``escape_letters`` (a grammar that refuses every other escape, such as JSON's
    "bfnrtu"), a backslash before a word starting with any other letter is doubled too."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if body[i + 1 : i + 2] == "\\":
            out.append("\\\\")
            i += 2
            continue
        m = _COMMAND_AT.match(body, i + 1)
        word = m.group(0) if m else ""
        refused = escape_letters is not None and word and word[0] not in escape_letters
        out.append("\\\\" if word in _ESCAPED_COMMANDS or refused else "\\")
        i += 1
    return "".join(out)


def _rewrite_strings(code: str, rewrite) -> str:
    """``code`` with each string literal's body replaced by ``rewrite(prefix, body)`` (None keeps
    it)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    starts = [0]
    for line in io.StringIO(code).readlines():  # tokenize's own line split (not str.splitlines)
        starts.append(starts[-1] + len(line))
    edits = []
    for tok in tokens:
        if tok.type != tokenize.STRING:
            continue
        prefix = re.match(r"[A-Za-z]*", tok.string).group(0)
        quote = tok.string[len(prefix) : len(prefix) + 3]
        quote = quote if quote in ('"""', "'''") else quote[0]
        body = tok.string[len(prefix) + len(quote) : len(tok.string) - len(quote)]
        fixed = rewrite(prefix.lower(), body)
        if fixed is not None and fixed != body:
            start = starts[tok.start[0] - 1] + tok.start[1]
            end = starts[tok.end[0] - 1] + tok.end[1]
            edits.append((start, end, prefix + quote + fixed + quote))
    for start, end, text in reversed(edits):
        code = code[:start] + text + code[end:]
    return code


def _latex_escapes(code: str) -> str:
    def rewrite(prefix: str, body: str) -> str | None:
        if "$" not in body or "\\" not in body or set(prefix) & {"r", "b"}:
            return None  # raw strings are what the model meant; bytes are not labels
        return double_latex_backslashes(body)

    return _rewrite_strings(code, rewrite)


# ---------------------------------------------------------------------------------------------
# fstring_latex


def _literal_braces(body: str) -> str | None:
    """An f-string body with every replacement field that holds a backslash (LaTeX braces such as
    ``{\\Delta x}``, which Python 3.11 rejects) turned into literal braces."""
    out, i, changed = [], 0, False
    while i < len(body):
        if body.startswith(("{{", "}}"), i):
            out.append(body[i : i + 2])
            i += 2
            continue
        if body[i] != "{":
            out.append(body[i])
            i += 1
            continue
        depth, j = 0, i
        while j < len(body):
            depth += {"{": 1, "}": -1}.get(body[j], 0)
            if depth == 0:
                break
            j += 1
        field = body[i : j + 1]
        if "\\" in field:
            field, changed = field.replace("{", "{{").replace("}", "}}"), True
        out.append(field)
        i = j + 1
    return "".join(out) if changed else None


def _fstring_latex(code: str) -> str | None:
    fixed = _rewrite_strings(
        code, lambda prefix, body: _literal_braces(body) if "f" in prefix else None
    )
    return fixed if fixed != code else None


_STATIC = (
    ("latex_escapes", _latex_escapes),
    ("numpy2_names", _numpy2_names),
    ("gca_projection", _gca_projection),
    ("axes_3d", _axes_3d),
    ("mpl_removed_names", _mpl_removed_names),
    ("seaborn_style", _seaborn_style),
)


def static_fixes(code: str, language: str) -> tuple[str, list[str]]:
    """Fixes applied to every script before its first render: (new code, fix names)."""
    if language != "python":
        return code, []
    applied = []
    for name, fix in _STATIC:
        fixed = fix(code)
        if fixed != code:
            code, applied = fixed, [*applied, name]
    return code, applied


# ---------------------------------------------------------------------------------------------
# format_string


_COLORS = "bgrcmykw"
_MARKERS = ".,ov^<>1234sp*hH+xXDd|_P8"
_STYLES = ("--", "-.", "-", ":")
_COLOR_WORDS = {
    "red": "r",
    "green": "g",
    "blue": "b",
    "cyan": "c",
    "magenta": "m",
    "yellow": "y",
    "black": "k",
    "white": "w",
}


def valid_format(fmt: str) -> str:
    """The first color, marker and line style of a Matplotlib format string, in that order."""
    color = marker = style = ""
    word = re.match(r"[A-Za-z]{3,}", fmt)
    if word:  # "red--", "orange-o": a color name, never valid next to a style
        color, fmt = _COLOR_WORDS.get(word.group(0).lower(), ""), fmt[word.end() :]
    i = 0
    while i < len(fmt):
        two = fmt[i : i + 2]
        if two in ("--", "-."):
            style, i = style or two, i + 2
            continue
        c = fmt[i]
        if c in "-:":
            style = style or c
        elif c == "C" and fmt[i + 1 : i + 2].isdigit():
            color, i = color or fmt[i : i + 2], i + 1
        elif c in _MARKERS:
            marker = marker or c
        elif c in _COLORS:
            color = color or c
        i += 1
    return (color + marker + style) or "-"


_BAD_FORMAT = re.compile(r"""['"](.*?)['"] is not a valid format string""")


def _format_string(code: str, failure: RenderFailure) -> str | None:
    m = _BAD_FORMAT.search(failure.message)
    if not m:
        return None
    bad, good = m.group(1), valid_format(m.group(1))
    literal = re.compile(r"""(['"])""" + re.escape(bad) + r"\1")
    fixed = literal.sub(lambda q: f"{q.group(1)}{good}{q.group(1)}", code)
    return fixed if fixed != code else None


# ---------------------------------------------------------------------------------------------
# call_entry_point


_ENTRY = re.compile(r"^(?:main|draw|plot|make|create|build|generate|render)", re.IGNORECASE)


def _call_entry_point(code: str) -> str | None:
    """Append ``main()`` when the script defines its drawing function and never calls it."""
    tree = _parse(code)
    if tree is None:
        return None
    referenced = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    uncalled = [
        f
        for f in tree.body
        if isinstance(f, ast.FunctionDef)
        and f.name not in referenced
        and len(f.args.args) == len(f.args.defaults)
        and not f.args.posonlyargs
        and all(d is not None for d in f.args.kw_defaults)
        and re.search(r"\b(plt|fig|ax|matplotlib)\b", ast.unparse(f))
    ]
    entries = [f for f in uncalled if _ENTRY.match(f.name)]
    pick = (
        uncalled
        if len(uncalled) == 1
        else [f for f in entries if f.name == "main"] or (entries if len(entries) == 1 else [])
    )
    if len(pick) != 1:
        return None
    return code.rstrip("\n") + f"\n\n{pick[0].name}()\n"


# ---------------------------------------------------------------------------------------------
# text_3d, canvas_size, truncated_tail, undefined_axes


def _calls_at(tree: ast.Module, line: int | None, attr: str) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == attr
        and (line is None or n.lineno <= line <= n.end_lineno)
    ]


def _text_3d(code: str, failure: RenderFailure) -> str | None:
    """``z=0`` for every 3-positional-argument ``text`` call on the receiver that failed."""
    tree = _parse(code)
    if tree is None:
        return None
    failed = _calls_at(tree, failure.line, "text")
    receivers = {ast.unparse(c.func.value) for c in failed}
    src = _Source(code)
    for call in _calls_at(tree, None, "text"):
        if (
            ast.unparse(call.func.value) in receivers
            and len(call.args) == 3
            and not any(isinstance(a, ast.Starred) for a in call.args)
        ):
            start, _ = src.span(call.args[2])
            src.insert(start, "0, ")
    fixed = src.apply()
    return fixed if fixed != code else None


_SIZE_CALLS = frozenset({"savefig", "set_size_inches", "set_figwidth", "set_figheight", "set_dpi"})
_MAX_INCHES, _MAX_DPI = 20, 200


def _small_numbers(node: ast.AST, limit: float) -> bool:
    values = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
    return all(
        isinstance(v, ast.Constant) and isinstance(v.value, (int, float)) and 0 < v.value <= limit
        for v in values
    )


def _canvas_size(code: str) -> str | None:
    """Clamp figure sizes and dpi that are not small constants; drop the script's own savefig and
    resize calls (statements only: their value is never used)."""
    tree = _parse(code)
    if tree is None:
        return None
    src = _Source(code)

    def visit(node: ast.AST) -> None:
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, (ast.Attribute, ast.Name))
        ):
            func = node.value.func
            if (func.attr if isinstance(func, ast.Attribute) else func.id) in _SIZE_CALLS:
                src.replace(node, "None")
                return  # nothing inside a dropped call needs clamping
        if (
            isinstance(node, ast.keyword)
            and node.arg == "figsize"
            and not _small_numbers(node.value, _MAX_INCHES)
        ):
            src.replace(node.value, "(8, 6)")
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "dpi"
            and not _small_numbers(node.value, _MAX_DPI)
        ):
            src.replace(node.value, "100")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    fixed = src.apply()
    return fixed if fixed != code else None


_MIN_KEPT = 0.6  # a cut that keeps less than this share of the lines is not a truncation


def _truncated_tail(code: str) -> str | None:
    """The longest prefix of whole lines that parses, if it keeps most of the program and draws."""
    lines = code.splitlines(keepends=True)
    while lines and not lines[-1].strip():
        lines.pop()
    floor = max(1, int(len(lines) * _MIN_KEPT + 0.999))
    for k in range(len(lines) - 1, floor - 1, -1):
        prefix = "".join(lines[:k])
        if _parse(prefix) is not None and re.search(r"\b(plt|ax|fig)\b", prefix):
            return prefix
    return None


def _simple_statements_at(tree: ast.Module, line: int) -> list[ast.stmt]:
    """The statements without a body (no ``if``/``for``/``def``...) that span ``line``."""
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.stmt) and not hasattr(n, "body") and n.lineno <= line <= n.end_lineno
    ]


_UNDEFINED = re.compile(r"name '(ax|fig)' is not defined")


def _undefined_axes(code: str, failure: RenderFailure) -> str | None:
    """Bind ``ax``/``fig`` to pyplot's current axes/figure just before the statement that failed."""
    m, line = _UNDEFINED.search(failure.message), failure.line
    tree = _parse(code)
    if m is None or line is None or tree is None:
        return None
    simple = _simple_statements_at(tree, line)
    if not simple:
        return None
    stmt = max(simple, key=lambda n: (n.lineno, n.col_offset))
    pyplot = _pyplot_name(code)
    src = _Source(code)
    at = src.offset(stmt.lineno, 0)
    indent = src.code[at : src.offset(stmt.lineno, stmt.col_offset)]
    if indent.strip():  # a statement after ';' on the same line: no clean place to insert
        return None
    getter = "gca" if m.group(1) == "ax" else "gcf"
    binding = f"{m.group(1)} = {pyplot or 'plt'}.{getter}()"
    if pyplot is None:
        binding = f"import matplotlib.pyplot as plt; {binding}"
    src.insert(at, f"{indent}{binding}\n")
    return src.apply()


_UNKNOWN_KWARG = re.compile(r"\w+\(\) got an unexpected keyword argument '(\w+)'")


def _unknown_kwarg(code: str, failure: RenderFailure) -> str | None:
    """Drop ``name=...`` from the calls in the failing statement that pass it (the model mixed up
    two APIs: ``arrow_length_ratio`` of 3-D quivers on a 2-D one, ``head_width`` on a 3-D line).
    Python reports the statement's first line, while the keyword may sit in a nested call
    (``arrowprops=dict(..., head_width=...)``) further down."""
    m, line = _UNKNOWN_KWARG.search(failure.message), failure.line
    tree = _parse(code)
    if m is None or line is None or tree is None:
        return None
    name = m.group(1)
    changed = [
        n
        for stmt in _simple_statements_at(tree, line)
        for n in ast.walk(stmt)
        if isinstance(n, ast.Call) and any(k.arg == name for k in n.keywords)
    ]
    for call in changed:
        call.keywords = [k for k in call.keywords if k.arg != name]
    src = _Source(code)
    for call in changed:  # the outermost changed calls: their text already holds the inner changes
        if not any(other is not call and _inside(call, other) for other in changed):
            src.replace(call, ast.unparse(call))
    fixed = src.apply()
    return fixed if fixed != code else None


def _inside(inner: ast.AST, outer: ast.AST) -> bool:
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and (
        inner.end_lineno,
        inner.end_col_offset,
    ) <= (outer.end_lineno, outer.end_col_offset)


# ---------------------------------------------------------------------------------------------
# error_fixes


_MISSING_ATTR = re.compile(r"object has no attribute '(\w+)'")


def _axes_3d_for_error(code: str, failure: RenderFailure) -> str | None:
    attr = _MISSING_ATTR.search(failure.message)
    if attr and attr.group(1) in _THREE_D:
        fixed = _axes_3d(code, force=True, only=attr.group(1))
    elif "quiver() takes" in failure.message:
        fixed = _axes_3d(code, force=True, only="quiver")
    else:
        return None
    return fixed if fixed != code else None


def _rerun(fix):
    """An error fix from a static one: rerun it on the failed code."""

    def run(code: str, failure: RenderFailure) -> str | None:
        fixed = fix(code)
        return fixed if fixed != code else None

    return run


def _whole(fix):
    """An error fix that needs only the code."""
    return lambda code, failure: fix(code)


@dataclass(frozen=True)
class ErrorFix:
    """One mechanical repair: tried on a failed Python render whose failure ``kind`` is one of
    ``kinds`` and whose message matches ``message`` (when given); ``fix`` returns the new code or
    None when it does not apply after all."""

    name: str
    kinds: frozenset[str]
    fix: Callable[[str, RenderFailure], str | None]
    message: re.Pattern | None = None

    def applies(self, failure: RenderFailure) -> bool:
        return failure.kind in self.kinds and (
            self.message is None or self.message.search(failure.message) is not None
        )


def _k(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


# In the order they are tried; benchmarks/coder.py counts how often each fired and how often the
# re-render then succeeded, so one that never earns its place can be seen and removed.
ERROR_FIXES: tuple[ErrorFix, ...] = (
    ErrorFix(
        "format_string", _k("ValueError"), _format_string, re.compile("is not a valid format")
    ),
    ErrorFix(
        "numpy2_names",
        _k("AttributeError"),
        _rerun(_numpy2_names),
        re.compile(r"module 'numpy' has no attribute|NumPy 2\.0 release"),
    ),
    ErrorFix(
        "gca_projection",
        _k("TypeError"),
        _rerun(_gca_projection),
        re.compile(r"gca\(\) got an unexpected keyword argument"),
    ),
    ErrorFix(
        "mpl_removed_names",
        _k("AttributeError"),
        _rerun(_mpl_removed_names),
        re.compile(r"has no attribute '(?:get_cmap|w_[xyz]axis)'"),
    ),
    ErrorFix(
        "seaborn_style",
        _k("OSError", "ValueError"),
        _rerun(_seaborn_style),
        re.compile(r"seaborn.*is not a valid package style|is not a valid package style.*seaborn"),
    ),
    ErrorFix("axes_3d", _k("AttributeError", "TypeError"), _axes_3d_for_error),
    ErrorFix("call_entry_point", _k("no_figure"), _whole(_call_entry_point)),
    ErrorFix(
        "text_3d",
        _k("TypeError"),
        _text_3d,
        re.compile(r"text\(\) missing 1 required positional argument: 's'"),
    ),
    ErrorFix("canvas_size", _k("pixel_cap"), _whole(_canvas_size)),
    ErrorFix(
        "truncated_tail",
        _k("SyntaxError", "IndentationError"),
        _whole(_truncated_tail),
        re.compile(r"never closed|unterminated|unexpected EOF|expected an indented block"),
    ),
    ErrorFix(
        "fstring_latex",
        _k("SyntaxError"),
        lambda code, failure: _fstring_latex(code),
        re.compile(r"f-string"),
    ),
    ErrorFix("undefined_axes", _k("NameError"), _undefined_axes, _UNDEFINED),
    # Artist.set() reports an unknown property as an AttributeError, plain calls as a TypeError
    ErrorFix("unknown_kwarg", _k("TypeError", "AttributeError"), _unknown_kwarg, _UNKNOWN_KWARG),
)
ERROR_FIX_NAMES = tuple(f.name for f in ERROR_FIXES)


def error_fixes(code: str, failure: RenderFailure, language: str) -> tuple[str, list[str]] | None:
    """The first registered fix that applies to ``failure`` and changes ``code``: (new code,
    [its name]), or None."""
    if language != "python" or not code:
        return None
    for entry in ERROR_FIXES:
        if entry.applies(failure):
            fixed = entry.fix(code, failure)
            if fixed is not None and fixed != code:
                return fixed, [entry.name]
    return None


def fix_outcomes(candidates) -> dict[str, dict[str, int]]:
    """Per error fix (and ``givens_legend``): how often it fired (made a new candidate) and how
    often that candidate then rendered, over ``candidates`` (``Candidate`` records). Every
    registered fix is listed, the ones that never fired with zeros."""
    counts = {name: {"fired": 0, "rendered": 0} for name in (*ERROR_FIX_NAMES, "givens_legend")}
    for cand in candidates:
        if cand.fixed_by is None:
            continue
        entry = counts.setdefault(cand.fixed_by, {"fired": 0, "rendered": 0})
        entry["fired"] += 1
        entry["rendered"] += cand.render_status == "ok"
    return counts


# ---------------------------------------------------------------------------------------------
# fit_view


_PATCHES = re.compile(
    r"\b(?:add_patch|add_artist|Circle|Rectangle|Polygon|FancyArrow|FancyArrowPatch|Arc|Wedge|"
    r"Ellipse|RegularPolygon|FancyBboxPatch|PathPatch|CirclePolygon)\s*\("
)
_LIMITS = re.compile(
    r"\b(?:set_xlim|set_ylim|xlim|ylim|set_xbound|set_ybound|autoscale|autoscale_view|relim|"
    r"update_datalim)\s*\("
    r"|\baxis\s*\(\s*(?!['\")])"  # axis([x0, x1, y0, y1]) or axis(xmin=...), not axis('off')
    r"|\b[xy]lim\s*="  # ax.set(xlim=...)
)

_POSTLUDE = """

# --- sciray fit_view: show patches drawn outside the default 0..1 view ---
def _sciray_fit_axes(ax):
    if ax.name != "rectilinear" or not (ax.get_autoscalex_on() and ax.get_autoscaley_on()):
        return
    if tuple(ax.get_xlim()) != (0.0, 1.0) or tuple(ax.get_ylim()) != (0.0, 1.0):
        return
    aspect = ax.get_aspect()
    ax.relim()
    for patch in ax.patches:  # add_artist() patches take no part in relim()
        trf = patch.get_transform()
        if trf.contains_branch(ax.transData):
            ext = patch.get_path().get_extents(trf - ax.transData)
            ax.update_datalim(ext.get_points())
    x0, y0, x1, y1 = ax.dataLim.extents
    if not all(abs(v) < float("inf") for v in (x0, y0, x1, y1)) or (x1 - x0) + (y1 - y0) <= 0:
        return
    ax.margins(0.05)  # the 5% pad, whatever the style's default margins
    ax.autoscale_view()
    ax.set_xlim(ax.get_xlim())  # freeze: a later autoscale must not undo the fit
    ax.set_ylim(ax.get_ylim())
    ax.set_aspect(aspect)


def _sciray_fit():
    import matplotlib.pyplot as _sciray_plt
    nums = _sciray_plt.get_fignums()
    if not nums:
        return
    current = _sciray_plt.gcf()
    for num in nums:
        for ax in _sciray_plt.figure(num).axes:
            try:
                _sciray_fit_axes(ax)
            except Exception:
                pass  # one odd axes must not stop the others
    _sciray_plt.figure(current)


try:
    _sciray_fit()
except Exception:
    pass  # never let the fix break a script that drew
"""


def fit_view_postlude() -> str:
    """Python source appended to a script: fit every untouched 0..1 axes to what was drawn."""
    return _POSTLUDE


def needs_fit_view(code: str) -> bool:
    """True when the script adds patches/artists and never sets or recomputes its limits."""
    if "_sciray_fit" in code:
        return False
    return bool(_PATCHES.search(code)) and not _LIMITS.search(code)


def apply_fit_view(code: str) -> tuple[str, list[str]]:
    """The script with the fit_view postlude appended when it needs it."""
    if not needs_fit_view(code):
        return code, []
    return code.rstrip("\n") + "\n" + _POSTLUDE, ["fit_view"]


# ---------------------------------------------------------------------------------------------
# givens_legend

_LEGEND = """

# --- sciray givens_legend: given values the drawing does not show ---
def _sciray_givens_legend(text):
    import textwrap
    import matplotlib.pyplot as _sciray_plt
    if not _sciray_plt.get_fignums():
        return
    fig = _sciray_plt.gcf()
    w, h = fig.get_size_inches()
    lines = textwrap.wrap(text, width=max(30, int(w * 11)))
    strip = 0.25 + 0.2 * len(lines)  # inches added under the drawing
    total = h + strip
    for ax in fig.axes:  # the drawing keeps its size, moved up into the old area
        x0, y0, aw, ah = ax.get_position().bounds
        ax.set_position([x0, (strip + y0 * h) / total, aw, ah * h / total])
    for t in fig.texts:
        x, y = t.get_position()
        t.set_position((x, (strip + y * h) / total))
    fig.set_size_inches(w, total)
    fig.text(0.03, strip / 2 / total, "\\n".join(lines), ha="left", va="center", fontsize=10)


try:
    _sciray_givens_legend({text!r})
except Exception:
    pass  # never let the fix break a script that drew
"""


def apply_givens_legend(code: str, missing: list[str]) -> tuple[str, list[str]]:
    """The script with a "Given: ..." strip listing ``missing`` (values as the problem states them,
    e.g. "0.5 cm") added under its drawing; unchanged when nothing is missing or it has one."""
    if not missing or "_sciray_givens_legend" in code:
        return code, []
    text = "Given: " + "; ".join(m.replace("$", "\\$") for m in missing)
    return code.rstrip("\n") + "\n" + _LEGEND.format(text=text), ["givens_legend"]
