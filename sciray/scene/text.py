"""Text helpers shared by the domain renderers (labels are model-written input)."""

from __future__ import annotations


def mathtext_ok(text: str) -> bool:
    """True when Matplotlib's mathtext can lay ``text`` out (a label that cannot must be drawn
    with its ``$`` escaped, or the whole render fails)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    try:
        text_to_path.get_text_width_height_descent(text, FontProperties(size=10), ismath=True)
    except Exception:
        return False
    return True


NULL_TEXTS = frozenset({"", "none", "null", "nil", "n/a", "-"})
"""What a small model writes as text where it means JSON null ("no label"): each domain reads
these as no text (seen drawn: a cart labelled "null")."""


def is_null_text(value: object) -> bool:
    """Whether ``value`` is null spelt as text (case and surrounding spaces ignored)."""
    return isinstance(value, str) and value.strip().lower() in NULL_TEXTS


def none_if_null(value: object) -> object:
    """None for null spelt as text, anything else unchanged (a label's field validator)."""
    return None if is_null_text(value) else value


def text_or_none(value: object) -> object:
    """A label as the model wrote it: None for null spelt as text, a number as it would be
    written ("2.5", "3"), anything else unchanged (pydantic validates it next)."""
    import math

    value = none_if_null(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        from sciray.scene.plot import fmt_number

        return fmt_number(float(value))
    return value


def positive_or_none(value: object) -> object:
    """A stated size as the model wrote it: a positive number (or the number a text starts
    with, "4 cm" -> 4.0), None for a symbol, zero or nothing ("h", 0, "") - no value stated."""
    if isinstance(value, str):
        try:
            value = float(value.strip().split()[0]) if value.strip() else None
        except ValueError:
            return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
        return None
    return value
