"""Model-written formulas ("x**2 - 3*x + 2", "sin(x)", "exp(-x/2)") read safely into SymPy.

Nothing here evaluates the text: it is parsed with ``ast.parse(text, mode="eval")``, every node
is checked against a whitelist (numbers, the allowed variables, ``pi``/``e``, ``+ - * / **``,
unary signs, calls to a few named functions) and the SymPy expression is built node by node.
``sympy.sympify``/``parse_expr`` are never called on the text (they run ``eval``). Bounds: the
text's length, the number of AST nodes, the magnitude of literals and of constant exponents, so a
hostile formula cannot make SymPy compute a huge integer or a deep tree. ``^`` is read as ``**``
(problems write ``x^2``); ``ln`` is ``log``; a product may be written the way problems write it
(``2x``, ``3(x + 1)``, ``(x + 1)(x - 1)``, and ``xy`` for ``x*y`` where x and y are variables).
Anything else raises ``ValueError`` saying what.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "FUNCTIONS",
    "MAX_CHARS",
    "MAX_EXPONENT",
    "MAX_NODES",
    "check_expr",
    "compile_expr",
    "evaluate",
    "free_names",
    "parse_expr",
]

MAX_CHARS = 200
"""Longest formula text accepted."""
MAX_NODES = 80
"""Most AST nodes in one formula."""
MAX_LITERAL = 1e12
"""Largest magnitude of a number literal."""
MAX_EXPONENT = 12
"""Largest magnitude of a constant exponent (x**12 is fine, x**100 and 9**9**9 are not)."""
FUNCTIONS = (
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "ln",
    "sqrt",
    "abs",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
)
"""Functions a formula may call (one argument each; ``ln`` is the natural log like ``log``)."""
CONSTANTS = ("pi", "e")

_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_UNARY = (ast.UAdd, ast.USub)


def _sympy_functions() -> dict[str, Any]:
    import sympy

    return {
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tan": sympy.tan,
        "exp": sympy.exp,
        "log": sympy.log,
        "ln": sympy.log,
        "sqrt": sympy.sqrt,
        "abs": sympy.Abs,
        "asin": sympy.asin,
        "acos": sympy.acos,
        "atan": sympy.atan,
        "sinh": sympy.sinh,
        "cosh": sympy.cosh,
        "tanh": sympy.tanh,
    }


# a number or a closing bracket right before a name or an opening bracket: "2x", "3(x+1)",
# ")(" (never the exponent of "2e5" / "1E-3")
_IMPLICIT = re.compile(r"(?<![A-Za-z_])(\d+\.?\d*|\))\s*(?![eE][+-]?\d)(?=[A-Za-z_(])")
_WORD = re.compile(r"[A-Za-z_]\w*")


def _products(source: str, variables: Sequence[str]) -> str:
    """``source`` with the products problems write without ``*`` spelt out."""
    source = _IMPLICIT.sub(r"\1*", source)
    letters = {v for v in variables if len(v) == 1}

    def split(m: re.Match) -> str:
        word = m.group(0)
        known = word in variables or word in FUNCTIONS or word in CONSTANTS
        if known or len(word) < 2 or not set(word) <= letters:
            return word
        return "*".join(word)  # "xy" of variables x and y is x*y

    return _WORD.sub(split, source)


def _read(text: str, variables: Sequence[str] = ()) -> ast.expression:
    if not isinstance(text, str):
        raise ValueError(f"a formula is text, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"formula is {len(text)} characters long; at most {MAX_CHARS} allowed")
    source = _products(text.strip().replace("^", "**"), variables)
    if not source:
        raise ValueError("formula is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        raise ValueError(
            f"formula {text!r} is not a valid expression ({detail}); write Python-style "
            "arithmetic such as 3*x**2 - sin(x)"
        ) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ValueError(f"formula has {count} syntax nodes; at most {MAX_NODES} allowed")
    return tree


def _constant_value(node: ast.AST) -> float | None:
    """The value of a constant sub-expression made of literals and + - * / (None otherwise)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if isinstance(node.value, bool):
            return None
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
        inner = _constant_value(node.operand)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        a, b = _constant_value(node.left), _constant_value(node.right)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        return a / b if b != 0 else None
    return None


def _build(node: ast.AST, symbols: dict[str, Any], text: str) -> Any:
    import sympy

    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(
                f"formula {text!r}: only numbers are allowed as literals, not {value!r}"
            )
        if not abs(value) <= MAX_LITERAL:
            raise ValueError(f"formula {text!r}: number {value!r} is larger than {MAX_LITERAL:g}")
        if isinstance(value, int):
            return sympy.Integer(value)
        return sympy.Float(value) if value != int(value) else sympy.Integer(int(value))
    if isinstance(node, ast.Name):
        if node.id in symbols:
            return symbols[node.id]
        if node.id == "pi":
            return sympy.pi
        if node.id == "e":
            return sympy.E
        allowed = ", ".join([*symbols, *CONSTANTS])
        raise ValueError(f"formula {text!r}: unknown name {node.id!r} (allowed: {allowed})")
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise ValueError(f"formula {text!r}: operator {type(node.op).__name__} not allowed")
        inner = _build(node.operand, symbols, text)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINARY):
            raise ValueError(
                f"formula {text!r}: operator {type(node.op).__name__} not allowed "
                "(use + - * / and ** or ^)"
            )
        if isinstance(node.op, ast.Pow):
            exponent = _constant_value(node.right)
            base_const = _constant_value(node.left)
            if exponent is not None and abs(exponent) > MAX_EXPONENT:
                raise ValueError(
                    f"formula {text!r}: exponent {exponent:g} is too large (at most {MAX_EXPONENT})"
                )
            if exponent is None and base_const is not None and abs(base_const) > 1e3:
                raise ValueError(f"formula {text!r}: base {base_const:g} of a power is too large")
        left = _build(node.left, symbols, text)
        right = _build(node.right, symbols, text)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise ValueError(f"formula {text!r}: division by zero")
            return left / right
        if right.is_Number and abs(float(right)) > MAX_EXPONENT:
            raise ValueError(f"formula {text!r}: exponent is too large (at most {MAX_EXPONENT})")
        if left.is_Number and right.is_Number and abs(float(left)) > MAX_LITERAL:
            raise ValueError(f"formula {text!r}: constant power is too large")
        return left**right
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None:
            raise ValueError(f"formula {text!r}: only plain function names may be called")
        if name not in FUNCTIONS:
            raise ValueError(
                f"formula {text!r}: function {name!r} is not allowed "
                f"(allowed: {', '.join(FUNCTIONS)})"
            )
        if node.keywords or len(node.args) != 1:
            raise ValueError(f"formula {text!r}: {name}() takes exactly one argument")
        return _sympy_functions()[name](_build(node.args[0], symbols, text))
    if isinstance(node, ast.Attribute):
        raise ValueError(f"formula {text!r}: attribute access is not allowed")
    raise ValueError(f"formula {text!r}: {type(node).__name__} is not allowed in a formula")


def _names(variables: Sequence[str]) -> tuple[str, ...]:
    names = tuple(variables)
    for name in names:
        if not name.isidentifier() or name in FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"{name!r} cannot be a formula variable")
    return names


def parse_expr(text: str, variables: Sequence[str] = ("x",)) -> Any:
    """The SymPy expression ``text`` writes in ``variables`` (``ValueError`` if not allowed)."""
    import sympy

    names = _names(variables)
    tree = _read(text, names)
    symbols = {name: sympy.Symbol(name, real=True) for name in names}
    try:
        expr = _build(tree.body, symbols, text)
    except (RecursionError, OverflowError, MemoryError, ZeroDivisionError) as exc:
        raise ValueError(f"formula {text!r} cannot be built ({type(exc).__name__})") from None
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ValueError(f"formula {text!r} is undefined (it divides by zero or is infinite)")
    return expr


def free_names(text: str) -> set[str]:
    """The names ``text`` uses that are no function or constant: its variables, allowed or not
    (``ValueError`` if it does not parse)."""
    names = {node.id for node in ast.walk(_read(text)) if isinstance(node, ast.Name)}
    return names - set(FUNCTIONS) - set(CONSTANTS)


def check_expr(text: str, variables: Sequence[str] = ("x",)) -> str:
    """``text`` if it is an allowed formula (for pydantic validators), else ``ValueError``."""
    parse_expr(text, variables)
    return text


def compile_expr(text: str, variables: Sequence[str] = ("x",)) -> Callable[..., np.ndarray]:
    """A NumPy function of ``variables`` computing ``text`` (float arrays; NaN where undefined)."""
    import sympy

    names = _names(variables)
    expr = parse_expr(text, names)
    symbols = [sympy.Symbol(name, real=True) for name in names]
    raw = sympy.lambdify(symbols, expr, modules="numpy")

    def fn(*args: Any) -> np.ndarray:
        arrays = [np.asarray(a, dtype=float) for a in args]
        shape = np.broadcast(*arrays).shape if arrays else ()
        with np.errstate(all="ignore"):
            try:
                out = raw(*arrays)
            except (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError):
                return np.full(shape, np.nan)
            out = np.asarray(out)
            if np.iscomplexobj(out):
                out = np.where(np.abs(out.imag) < 1e-12, out.real, np.nan)
            out = np.broadcast_to(out.astype(float), shape).copy()
        out[~np.isfinite(out)] = np.nan
        return out

    return fn


def evaluate(text: str, x: Any) -> np.ndarray:
    """``text`` (a formula in ``x``) at the points ``x``, NaN where undefined."""
    return compile_expr(text)(x)
