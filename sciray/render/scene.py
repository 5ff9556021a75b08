"""What a rendered image contains: texts with pixel boxes, overlaps, off-canvas texts, blankness.

``figure_scene`` reads a drawn Matplotlib figure; ``is_blank`` works on any RGB(A) array, so the
TikZ back-end uses it on its PNG too. Boxes are [x0, y0, x1, y1] in pixels, origin top-left.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

import numpy as np

MAX_TEXTS = 2000
MIN_OVERLAP_PX2 = 4.0
BLANK_SHARE = 0.0005  # below this share of non-background pixels the image is blank


def is_blank(pixels: np.ndarray, tolerance: int = 8) -> bool:
    """True when almost every pixel has the background (top-left corner) colour."""
    rgb = np.asarray(pixels)
    if rgb.size == 0:
        return True
    background = rgb[0, 0, :3].astype(np.int16)
    differs = np.zeros(rgb.shape[:2], dtype=bool)
    for c in range(3):  # per channel, in uint8: ~10x faster than one int16 difference array
        channel = rgb[..., c]
        differs |= channel < max(int(background[c]) - tolerance, 0)
        differs |= channel > min(int(background[c]) + tolerance, 255)
    return bool(np.count_nonzero(differs) < BLANK_SHARE * differs.size)


def overlapping_pairs(boxes: list[list[float]], candidates: list[int]) -> list[list[int]]:
    """Index pairs among ``candidates`` whose boxes intersect by more than a few pixels."""
    pairs = []
    for i, j in combinations(candidates, 2):
        a, b = boxes[i], boxes[j]
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        if w > 0 and h > 0 and w * h > MIN_OVERLAP_PX2:
            pairs.append([i, j])
    return pairs


def outside_canvas(
    boxes: list[list[float]], candidates: list[int], width: int, height: int
) -> list[int]:
    return [
        i
        for i in candidates
        if boxes[i][0] < -1
        or boxes[i][1] < -1
        or boxes[i][2] > width + 1
        or boxes[i][3] > height + 1
    ]


DRAWN_TICKS = "_sciray_drawn_ticks"
_hooked = False


def install_tick_hook() -> None:
    """Remember on each axis the ticks its last draw showed, so the scene need not recompute
    them (``Axis._update_ticks`` is the costliest part of a scene otherwise)."""
    from matplotlib.axis import Axis

    original = getattr(Axis, "_update_ticks", None)
    if original is None or getattr(original, "_sciray", False):
        return

    def remembering(self):
        ticks = original(self)
        setattr(self, DRAWN_TICKS, ticks)
        return ticks

    remembering._sciray = True
    Axis._update_ticks = remembering
    global _hooked
    _hooked = True


def forget_drawn_ticks(fig) -> None:
    """Drop what earlier draws remembered; call right before the draw the scene describes."""
    for ax in fig.axes:
        for name in ("xaxis", "yaxis", "zaxis"):
            axis = getattr(ax, name, None)
            if axis is not None and DRAWN_TICKS in axis.__dict__:
                delattr(axis, DRAWN_TICKS)


def _text_kinds(fig) -> dict[int, str]:
    kinds: dict[int, str] = {}
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None:
        kinds[id(suptitle)] = "title"
    for ax in fig.axes:
        for attr in ("title", "_left_title", "_right_title"):
            if getattr(ax, attr, None) is not None:
                kinds[id(getattr(ax, attr))] = "title"
        for axis in (getattr(ax, name, None) for name in ("xaxis", "yaxis", "zaxis")):
            if axis is None:
                continue
            kinds[id(axis.label)] = "axis_label"
            kinds[id(axis.get_offset_text())] = "tick"
            # Only ticks that exist: touching the lazy lists would create (slowly) new ones.
            for tick in (
                *axis.__dict__.get("majorTicks", ()),
                *axis.__dict__.get("minorTicks", ()),
            ):
                for label in (tick.label1, tick.label2):
                    kinds[id(label)] = "hidden"  # beyond the view limits: never drawn
            drawn = getattr(
                axis, DRAWN_TICKS, None
            )  # what the last draw showed (see install_tick_hook)
            if drawn is None:
                if _hooked:  # the axis was not drawn (turned off): none of its ticks show
                    drawn = []
                else:
                    drawn = (
                        axis._update_ticks()
                        if hasattr(axis, "_update_ticks")
                        else axis.get_major_ticks()
                    )
            for tick in drawn:
                for label in (tick.label1, tick.label2):
                    kinds[id(label)] = "tick"
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                kinds[id(text)] = "legend"
        for table in getattr(ax, "tables", []):
            for cell in table.get_celld().values():
                kinds[id(cell.get_text())] = "table"
    for legend in getattr(fig, "legends", []):
        for text in legend.get_texts():
            kinds[id(text)] = "legend"
    return kinds


def _all_artists(fig) -> list:
    """Every artist under ``fig`` (like ``fig.findobj()``), but an axis contributes only the
    ticks that exist: ``Axis.get_children`` would compute and create ticks for axes never drawn."""
    from matplotlib.axis import Axis

    found, stack = [], [fig]
    while stack:
        artist = stack.pop()
        found.append(artist)
        if isinstance(artist, Axis):
            children = [
                artist.label,
                artist.offsetText,
                *artist.__dict__.get("majorTicks", ()),
                *artist.__dict__.get("minorTicks", ()),
            ]
        else:
            children = artist.get_children()
        stack.extend(reversed(children))
    return found


def figure_scene(fig, pixels: np.ndarray | None = None) -> dict[str, Any]:
    """The scene of a figure that has just been drawn at its current dpi."""
    from matplotlib.patches import Patch
    from matplotlib.text import Annotation, Text

    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    kinds = _text_kinds(fig)
    texts, boxes, label_idx = [], [], []
    artists = _all_artists(fig)
    for artist in artists:
        if not isinstance(artist, Text):
            continue
        if len(texts) >= MAX_TEXTS:
            break
        content = artist.get_text()
        if not content or not content.strip() or not artist.get_visible():
            continue
        if artist.axes is not None and not artist.axes.get_visible():
            continue
        try:  # the text's own box: Text's method, so an annotation's arrow is not included
            bb = Text.get_window_extent(artist, renderer)
        except Exception:  # a text that cannot be laid out is not on the image
            continue
        if not np.all(np.isfinite([bb.x0, bb.y0, bb.x1, bb.y1])) or bb.width <= 0 or bb.height <= 0:
            continue
        kind = kinds.get(id(artist), "annotation" if isinstance(artist, Annotation) else "text")
        if kind == "hidden":
            continue
        box = [round(bb.x0, 1), round(height - bb.y1, 1), round(bb.x1, 1), round(height - bb.y0, 1)]
        if kind != "tick":
            label_idx.append(len(texts))
        texts.append({"text": content, "bbox": box, "kind": kind})
        boxes.append(box)
    counts = Counter()
    for artist in artists:
        name = type(artist).__name__
        if name in ("Line2D", "Text", "Annotation", "AxesImage") or name.endswith(
            ("Collection", "Axes", "3D")
        ):
            counts[name] += 1
        elif isinstance(artist, Patch):
            counts["Patch"] += 1
    return {
        "texts": texts,
        "overlaps": overlapping_pairs(boxes, label_idx),
        "outside": outside_canvas(boxes, label_idx, width, height),
        "blank": is_blank(pixels) if pixels is not None else False,
        "artists": dict(sorted(counts.items())),
        "size": [width, height],
    }
