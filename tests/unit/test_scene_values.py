"""Cutting values a scene should not show out of its texts (sciray.scene.values)."""

from __future__ import annotations

from sciray.scene import parse_scene
from sciray.scene.values import without_values

UNSTATED = {"12", "1/2", "4.077e-8"}


def _bad(n) -> bool:
    return n.text in UNSTATED


def test_a_label_is_cut_back_to_its_name_and_a_note_showing_the_value_is_dropped():
    spec = parse_scene(
        {
            "domain": "fields",
            "title": "Red (1/2)",
            "vectors": [
                {"label": "v = 12 m/s", "direction": "east"},
                {"label": "B = 45.6 μT", "direction": "north"},
            ],
            "notes": ["12 is the amount of KOH added", "B = 45.6 μT north"],
        }
    )
    cut = without_values(spec, _bad)
    assert cut.title == "Red"
    assert [v.label for v in cut.vectors] == ["v", "B = 45.6 μT"]
    assert cut.notes == ["B = 45.6 μT north"]
    assert type(cut) is type(spec)


def test_a_label_with_nothing_named_before_the_value_becomes_no_label():
    spec = parse_scene(
        {
            "domain": "fields",
            "title": "12.00 mL added",
            "vectors": [{"label": "v", "direction": "east"}],
        }
    )
    assert without_values(spec, _bad).title is None


def test_names_and_formulas_are_left_alone_and_a_scene_without_bad_values_is_none():
    # a plotted formula with an unstated coefficient: cutting it would draw another curve
    spec = parse_scene(
        {"domain": "plot", "curves": [{"expr": "12*x + 1", "label": "f"}], "x_label": "x"}
    )
    assert without_values(spec, _bad) is None
    assert without_values(spec, lambda n: False) is None


def test_a_cut_that_leaves_an_invalid_scene_is_no_fix():
    # a vector's label is required: a label that is only the value cannot be cut to nothing
    spec = parse_scene({"domain": "fields", "vectors": [{"label": "12 m/s", "direction": "east"}]})
    assert without_values(spec, _bad) is None


def test_a_vector_starting_at_auto_starts_at_the_default():
    """Seed 25: the 1.5B wrote "at": "auto" for a vector at no named thing (refused before)."""
    spec = parse_scene(
        {
            "domain": "fields",
            "points": [{"name": "P"}],
            "vectors": [
                {"label": "v", "direction": "east", "at": "auto"},
                {"label": "B", "direction": "north", "at": "P"},
                {"label": "F", "direction": "up", "at": "none"},
            ],
        }
    )
    assert [v.at for v in spec.vectors] == [None, "P", None]


def test_an_optional_number_field_showing_the_value_is_left_out():
    """Seed 26: water drawn as "water (n = 1.33)" where the problem gives glass's index only."""
    spec = parse_scene(
        {
            "domain": "optics",
            "media": [{"label": "glass", "n": 1.6}, {"label": "water", "n": 1.33}],
            "ray": {"angle": 31.2, "measured_from": "normal", "angle_label": "31.2°"},
        }
    )
    cut = without_values(spec, lambda n: n.text == "1.33")
    assert [(m.label, m.n) for m in cut.media] == [("glass", 1.6), ("water", None)]
    assert cut.ray.angle == 31.2


def test_a_number_the_figure_needs_stays_and_its_text_is_still_cut():
    # the ray's angle is required: it stays, while its label is cut
    spec = parse_scene(
        {
            "domain": "optics",
            "media": [{"label": "glass", "n": 1.6}, {"label": "water"}],
            "ray": {"angle": 31.2, "measured_from": "normal", "angle_label": "θ = 31.2°"},
        }
    )
    cut = without_values(spec, lambda n: n.text == "31.2")
    assert cut.ray.angle == 31.2 and cut.ray.angle_label == "θ"


def test_a_stated_size_field_is_text_too():
    """Seed 27: a cell drawn with a diameter of "4.0 μm" that the problem never gives."""
    spec = parse_scene(
        {
            "domain": "apparatus",
            "parts": [
                {"kind": "cells", "cells": [{"name": "Cell", "organelles": ["mitochondria"],
                                            "diameter": "4.0 μm"}]}
            ],
        }
    )  # fmt: skip
    cut = without_values(spec, lambda n: n.text == "4")
    assert cut.parts[0].cells[0].diameter is None
    assert cut.parts[0].cells[0].organelles == ["mitochondria"]
