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
