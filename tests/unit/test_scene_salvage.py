"""Invalid scenes made valid by leaving out the items their errors name (sciray.scene.salvage),
on the answers the 1.5B coder wrote on seeds 26-28."""

from __future__ import annotations

import pytest

from sciray.scene import SceneError, parse_scene
from sciray.scene.plot import PlotScene
from sciray.scene.salvage import MAX_STEPS, salvage

# seed 28, webinstruct-507274 (abridged): labels for "points" y, x, z and t that no step builds
RADAR = {
    "domain": "geometry",
    "steps": [{"kind": "triangle", "points": ["O", "R", "P"], "sides": [3, 4, None]}],
    "segments": [{"points": ["O", "R"], "label": "3 mi"}],
    "points": [
        {"name": "P", "text": "P (plane)"},
        {"name": "y", "text": "y (altitude)"},
        {"name": "x", "text": "x (distance from station)"},
        {"name": "y", "text": "y (altitude)"},
        {"name": "t", "text": "t (time)"},
    ],
}


def test_labels_of_points_no_step_builds_are_left_out():
    with pytest.raises(SceneError, match="point y is not defined"):
        parse_scene(RADAR)
    spec, dropped = salvage(RADAR)
    assert dropped == ["points naming 'y'", "points naming 'x'", "points naming 't'"]
    assert [p.name for p in spec.points] == ["P"]
    assert [s.points for s in spec.steps] == [["O", "R", "P"]]  # the construction is kept
    assert len(RADAR["points"]) == 5  # the input is not changed


def test_an_indexed_item_is_left_out_and_the_rest_kept():
    # seed 26: a dimension between the axis names 'x' and 'y' beside a charge that can be drawn
    data = {
        "domain": "fields",
        "charges": [{"name": "q", "q": 2, "label": "q = 2 μC"}],
        "dims": [{"a": "x", "b": "y", "label": "1 cm"}],
    }
    spec, dropped = salvage(data)
    assert dropped == ["dims[0]"] and spec.dims == [] and [c.name for c in spec.charges] == ["q"]


def test_the_field_an_error_names_goes_before_its_item():
    # seed 29: a sphere "on" the origin, which is no solid: the sphere stays, standing alone
    data = {
        "domain": "solid",
        "solids": [{"kind": "sphere", "dims": [{"of": "radius", "value": 2}], "on": "origin"}],
    }
    spec, dropped = salvage(data)
    assert dropped == ["solids[0].on"] and spec.solids[0].kind == "sphere"
    assert spec.solids[0].on is None
    # a number out of range: the body keeps its place without it
    ramp = {"name": "ramp", "kind": "incline", "angle_deg": 95, "angle_label": "95°"}
    data = {"domain": "mechanics", "bodies": [ramp, {"name": "b", "kind": "block", "on": "ramp"}]}
    spec, dropped = salvage(data)
    assert dropped == ["bodies[0].angle_deg"] and [b.name for b in spec.bodies] == ["ramp", "b"]
    # a field the item cannot do without: the item goes next
    data = {"domain": "analytic", "curves": [{"expr": "x"}, {"expr": "x +* 2"}]}
    spec, dropped = salvage(data)
    assert dropped[-1] == "curves[1]" and [c.expr for c in spec.curves] == ["x"]


def test_the_innermost_item_on_the_path_is_the_one_left_out():
    # a wave in a panel, not the panel: the other wave stays
    waves = [
        {"expr": "0.2*sin(4*pi*x)", "label": "y1"},
        {"expr": "sin(k*x)", "label": "y2", "travel": "+x"},
    ]
    data = {"domain": "wave", "panels": [{"waves": waves}]}
    spec, dropped = salvage(data)
    assert dropped == ["panels[0].waves[1].expr"]  # the field goes first: y2 takes the default
    assert [w.label for w in spec.panels[0].waves] == ["y1", "y2"]
    assert (
        spec.panels[0].waves[0].expr == "0.2*sin(4*pi*x)" and spec.panels[0].waves[1].expr is None
    )


def test_an_item_located_by_pydantic_is_left_out():
    data = {
        "domain": "analytic",
        "curves": [{"expr": "x**2", "label": "y = x²"}, {"expr": "__import__('os')"}],
    }
    spec, dropped = salvage(data)
    assert dropped == ["curves[1]"] and [c.expr for c in spec.curves] == ["x**2"]


def test_a_name_used_twice_keeps_its_first_item():
    data = {
        "domain": "astronomy",
        "bodies": [
            {"name": "Earth", "kind": "planet", "label": "Earth"},
            {"name": "Moon", "kind": "moon"},
            {"name": "Earth", "kind": "planet", "label": "Earth again"},
        ],
        "orbits": [{"body": "Moon", "around": "Earth"}],
    }
    with pytest.raises(SceneError, match="used twice"):
        parse_scene(data)
    spec, dropped = salvage(data)
    assert [b.label for b in spec.bodies if b.name == "Earth"] == ["Earth"]
    assert len(dropped) == 1


def test_nothing_is_salvaged_from_a_scene_with_nothing_left_or_no_item_named():
    # seed 26, webinstruct-1965439: every item names the axes; dropping them leaves nothing
    axes_only = {
        "domain": "fields",
        "dims": [{"a": "x", "b": "y", "label": "1 cm"}, {"a": "y", "b": "z", "label": "2 cm"}],
    }
    assert salvage(axes_only) is None
    # an error that names no item is left to a repair
    grounds = {
        "domain": "mechanics",
        "bodies": [{"name": "g1", "kind": "ground"}, {"name": "g2", "kind": "ground"}],
    }
    with pytest.raises(SceneError, match="at most one ground"):
        parse_scene(grounds)
    assert salvage(grounds) is None
    # a valid scene needs no salvage, and an unknown domain has none
    assert salvage({"domain": "analytic", "curves": [{"expr": "x"}]}) is None
    assert salvage({"domain": "nope", "items": []}) is None


def test_salvage_stops_after_its_rounds():
    many = {**RADAR, "points": [{"name": f"u{i}", "text": "?"} for i in range(MAX_STEPS + 1)]}
    assert salvage(many) is None
    few = {**RADAR, "points": [{"name": f"u{i}", "text": "?"} for i in range(MAX_STEPS)]}
    assert salvage(few) is not None


MATRIX = (
    "Let $A \\in \\mathbb{R}^{5 \\times 5}$ be the matrix $$\\begin{bmatrix} a&a&a&a&b\\\\a&a&a&b&a"
    "\\\\a&a&b&a&a\\\\a&b&a&a&a\\\\b&a&a&a&a\\end{bmatrix}$$ Find the determinant of $A$."
)


def test_an_empty_plot_of_a_problem_that_writes_out_a_matrix_is_that_matrix():
    """Seed 32: the 5x5 determinant's matrix answered twice with empty axes."""
    empty = {"domain": "plot", "curves": [], "series": [], "x_label": "x", "x_min": -1, "x_max": 1}
    with pytest.raises(SceneError, match="needs curves, series"):
        parse_scene(empty)
    spec, notes = salvage(empty, MATRIX)
    assert notes == ["filled table"] and spec.table.header == []
    assert spec.table.rows[0] == ["a", "a", "a", "a", "b"] and len(spec.table.rows) == 5
    assert salvage(empty) is None  # no problem text: nothing to fill it from
    assert salvage(empty, "Find the determinant of a 2x2 matrix.") is None  # none written out
    drawn = {**empty, "curves": [{"expr": "x**2"}]}
    assert PlotScene.completed_by(drawn, MATRIX) is None  # a plot with content is its own
