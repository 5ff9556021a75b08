"""``sciray serve``'s signal handler: the first signal interrupts a start that may never finish."""

from __future__ import annotations

import signal

import pytest

from sciray.cli.serve_cmd import _Stop, _Stopper


def test_first_signal_while_starting_raises_and_later_ones_only_flag():
    stopper = _Stopper()
    with pytest.raises(_Stop) as exc:
        stopper(signal.SIGTERM, None)  # inside serve.run's unbounded wait: break out of it
    assert exc.value.signum == signal.SIGTERM and stopper.stop.is_set()
    assert stopper.signum == signal.SIGTERM  # what a _Stop wrapped by C code is rebuilt from
    assert not isinstance(exc.value, Exception)  # Ray's and our `except Exception` let it through
    stopper(signal.SIGINT, None)  # during the (bounded) shutdown: nothing to interrupt


def test_signal_once_serving_only_sets_the_flag():
    stopper = _Stopper()
    stopper.started()
    stopper(signal.SIGINT, None)
    assert stopper.stop.is_set()
