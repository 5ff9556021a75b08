"""Numbers in plain text (see ``latex.to_plain``): scanning, canonical text, tolerant comparison.

One scanner serves questions, answers and labels, so "3 × 10^8", "3e8" and "300,000,000" are
the same value everywhere. The scanner already refuses digits that are not values of their own:
identifier parts (R1, Cheops5), subscripts (R_1), exponents (m/s^2) and ordinals (3rd).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# One numeric value: optional sign, a mantissa (thousands groups, decimals, or a bare ".5"),
# then optionally an e-exponent (3e8), a "× 10^n" power (3 × 10^8, 1.25 x 10^25), or a
# "/ integer" making a fraction (1/2, 15/8).
NUMBER = re.compile(
    r"""
    (?P<sign>[-+])?
    (?P<mant>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+\.\d+|\d+|\.\d+)
    (?:
        [eE](?P<eexp>[+-]?\d+)(?![\w.])
      | \s*[×x*·]\s*10\s*\^\s*\(?\s*(?P<pexp>[+-]?\d+)\s*\)?
      | \^\s*\(?\s*(?P<tenexp>[+-]?\d+)\s*\)?          # only kept when the mantissa is 10
      | /(?P<den>\d+(?:\.\d+)?)(?![\d./])
    )?
    """,
    re.VERBOSE,
)
# What may stand right before a minus that is a sign, not a subtraction ("at -10", "(-4", "=-3").
_SIGN_CONTEXT = set(" \t\n([{=,:;<>≤≥≈~∈$") | {""}
# A character that glues a following digit into an identifier or a script: R1, R_1, m^2, 2.5.1.
_GLUE = re.compile(r"[A-Za-z0-9_^.\u0370-\u03ff'\\]")
_ORDINAL = re.compile(r"(?:st|nd|rd|th)\b|-?D\b")  # 3rd, 10th, 2D, 3-D


@dataclass(frozen=True)
class Num:
    """One number found in plain text."""

    value: float
    text: str
    """Canonical text: "30", "2.5", "3e8", "1/2", "-10"."""
    start: int
    end: int
    decimals: int
    """Digits written after the point (of the mantissa), for display-rounding matches."""
    significant: int
    """Significant digits written (of the mantissa)."""


def _canonical_mantissa(mant: str) -> str:
    mant = mant.replace(",", "")
    if mant.startswith("."):
        mant = "0" + mant
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    mant = mant.lstrip("0") or "0"
    return "0" + mant if mant.startswith(".") else mant


def _significant(mant: str) -> int:
    digits = mant.replace(",", "").replace(".", "").lstrip("0")
    return max(len(digits), 1)


def _preceded_by_glue(text: str, start: int) -> bool:
    """True when the number at ``start`` continues an identifier, script or longer number."""
    if start == 0:
        return False
    if _GLUE.match(text[start - 1]):
        return True
    j = start - 1  # look back through a sign and an opening bracket: ^-1, ^(-1), _(12)
    if text[j] in "+-":
        j -= 1
    if j >= 0 and text[j] in "({":
        j -= 1
    return j >= 0 and text[j] in "^_"


def find_numbers(text: str) -> list[Num]:
    """Every standalone number of plain ``text``, in order."""
    found: list[Num] = []
    for m in NUMBER.finditer(text):
        start = m.start("mant")
        if _preceded_by_glue(text, start):
            continue
        if _ORDINAL.match(text, m.end("mant")) and not m.group("den"):
            continue
        sign = m.group("sign") or ""
        if sign and text[m.start() - 1 : m.start()] not in _SIGN_CONTEXT:
            sign = ""  # "x-1", "2-3": a subtraction or range, not a negative number
            start_all = m.start("mant")
        else:
            start_all = m.start()
        sign = "" if sign == "+" else sign
        mant = m.group("mant")
        canon = _canonical_mantissa(mant)
        value = float(mant.replace(",", ""))
        exp = m.group("eexp") or m.group("pexp")
        text_out = canon
        end = m.end()
        if m.group("tenexp") is not None:
            if canon == "10":  # a bare power of ten: 10^-3
                exp_i = int(m.group("tenexp"))
                value, text_out = 10.0**exp_i, f"1e{exp_i}"
            else:  # 2^10: keep the base, the exponent is no value of its own
                end = m.end("mant")
        elif exp is not None:
            exp_i = int(exp)
            value *= 10.0**exp_i
            text_out = f"{canon}e{exp_i}"
        elif m.group("den") is not None:
            den = float(m.group("den"))
            if den == 0:
                end = m.end("mant")
            else:
                value /= den
                text_out = f"{canon}/{_canonical_mantissa(m.group('den'))}"
        decimals = len(mant.split(".", 1)[1]) if "." in mant else 0
        if sign == "-":
            value, text_out = -value, "-" + text_out
        if not math.isfinite(value):
            continue
        found.append(Num(value, text_out, start_all, end, decimals, _significant(mant)))
    return found


def same_value(given: float, shown: Num, allow_sign_flip: bool = True) -> bool:
    """Whether the number ``shown`` in a label shows the value ``given``.

    Equal within a relative 1e-6, or ``shown`` is ``given`` rounded to the decimals the label
    writes (9.81 drawn as "9.8", 1/3 as "0.333"); rounding counts only when the label writes
    decimals and two significant digits at least, so "3" never stands for 2.5 nor "12" for 12.4.
    A drawn magnitude matches a negative given (an arrow labelled "5 m/s" for v = -5 m/s)
    unless ``allow_sign_flip`` is False.
    """
    plain_decimal = "e" not in shown.text and "/" not in shown.text
    rounds = plain_decimal and shown.decimals >= 1 and shown.significant >= 2
    half_step = 0.5 * 10.0**-shown.decimals
    for v in (shown.value, -shown.value) if allow_sign_flip else (shown.value,):
        if math.isclose(given, v, rel_tol=1e-6, abs_tol=1e-12):
            return True
        if rounds and abs(given - v) <= half_step * (1 + 1e-9) and abs(given) >= 2 * half_step:
            return True
    return False
