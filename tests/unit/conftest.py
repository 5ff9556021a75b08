"""tests/unit never starts Ray: any ray.init fails the test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _forbid_ray(monkeypatch):
    try:
        import ray
    except ImportError:
        yield
        return

    def refuse(*args, **kwargs):
        pytest.fail("tests/unit must not start Ray; move this test to tests/ray")

    already_running = ray.is_initialized()  # a tests/ray session cluster, when run together
    monkeypatch.setattr(ray, "init", refuse)
    yield
    if ray.is_initialized() and not already_running:
        pytest.fail("a Ray cluster is running after a unit test; tests/unit must not start Ray")
