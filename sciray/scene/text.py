"""Text helpers shared by the domain renderers (labels are model-written input)."""

from __future__ import annotations

import re


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


# A small model told in a repair what was wrong writes about the task into a scene's notes,
# which then sit under the figure as text: "The given values should be 6, not 4. The answer
# should be 4 drawn in the image.", "... is incorrect and should be removed. The text", "12 is
# the amount of KOH added" (seeds 24, 25).
_TASK_TALK = re.compile(
    r"\b(?:given values?|the answer|should be|is incorrect|be removed|the text|not given|"
    r"are provided|in the image|the figure|the scene|the problem|the question|json)\b",
    re.I,
)
_NUMBER_IS_THE = re.compile(r"^[-+]?\d[\d.,eE^×\s*-]*\s+(?:is|are)\s+the\b", re.I)


def is_commentary(note: str) -> bool:
    """Whether a free-text note talks about the task rather than stating something: words
    about the answer, the image or the given values, "12 is the amount ...", a sentence cut
    off at a comma, a lone word, nothing legible."""
    text = note.strip()
    if not re.search(r"\w", text) or re.fullmatch(r"[A-Za-z]+", text):
        return True
    return text.endswith((",", ":")) or bool(_TASK_TALK.search(text) or _NUMBER_IS_THE.match(text))


# "|V|=4", "m = 2.5", "$v_0 = 12$": a short symbol the problem sets equal to a number.
_SYMBOL_EQUALS = re.compile(r"(?<![\w|\\])(\|?\\?[A-Za-z][\w{}\\^']{0,8}\|?)\s*=\s*\$?\s*$")


def named_number(note: str, question: str) -> str | None:
    """'|V| = 4' for a note that is only the number 4 where the problem states it once as
    '|V|=4' (seed 32: notes '4' and '3' under a graph for |V| = 4, |E| = 3); None otherwise."""
    from sciray.checks.numbers import find_numbers

    note = note.strip()
    shown = find_numbers(note)
    if len(shown) != 1 or note != note[shown[0].start : shown[0].end]:
        return None
    text = plain_question(question)
    same = [n for n in find_numbers(text) if abs(n.value - shown[0].value) < 1e-12]
    if len(same) != 1:
        return None
    named = _SYMBOL_EQUALS.search(text[: same[0].start])
    return f"{named.group(1)} = {note}" if named else None


def plain_question(question: str) -> str:
    """A problem's text as values are read from it: webinstruct's {eq} markers, TeX braces and
    dollars become spaces ("14{eq}\\mu{/eq}F" stays apart from its digits; "70V" and "u=0.324"
    are read as written)."""
    return re.sub(r"\{/?eq\}|[{}$]", " ", question)
