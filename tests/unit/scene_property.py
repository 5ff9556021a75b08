"""Property tests of the scene domains run on hypothesis: each test receives ``rng``, a
``random.Random`` whose every draw hypothesis makes (and shrinks to a smallest failing scene).
Derandomized, so CI sees the same examples on every run; no example database is written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def random_scenes(max_examples: int = 20):
    """Decorator: run the test on ``max_examples`` random scenes drawn through ``rng``."""

    def wrap(fn):
        return settings(
            max_examples=max_examples,
            deadline=None,  # a render takes ~0.1-1 s on a busy machine
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )(given(rng=st.randoms(use_true_random=False))(fn))

    return wrap


def assert_draws_cleanly(scene_cls, data: dict) -> None:
    """``data`` validates as ``scene_cls`` and draws on a canvas of a sane size with nothing
    blank, overlapping or off the canvas (what the checks need of every valid scene)."""
    from sciray.scene.measure import draw_and_measure

    _, measured = draw_and_measure(scene_cls.model_validate(data))
    assert not measured.blank, data
    assert measured.overlaps == [], (data, measured.overlaps)
    assert measured.outside == [], data
    assert 400 <= measured.size[0] <= 1000 and 300 <= measured.size[1] <= 800


def norm_text(text: str) -> str:
    """A drawn or stated text compared as written: no math dollars (escaped or not), spaces or
    line breaks (a renderer may wrap a label or set it in mathtext)."""
    return text.replace("\\$", "").replace("$", "").replace(" ", "").replace("\n", "")


def drawn_texts(measured) -> list[str]:
    """The texts a measured scene draws, tick labels left out."""
    return [t.text for t in measured.texts if t.kind != "tick"]
