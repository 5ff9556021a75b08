"""Live progress of a long command on stderr: done/total, outcomes, rate, ETA, time per stage.

``RunProgress`` is used by every command. It writes to stderr only (stdout may carry ``--json``
output) and writes nothing at all when disabled. On a terminal it is a live ``rich`` line that
refreshes itself; elsewhere (logs, CI, ``ray job submit`` output) it prints one plain line every
``plain_every_s`` seconds (also while nothing has finished yet, so a slow first item never looks
like a hang) and a final summary line::

    with RunProgress("imgcoder", len(problems), enabled=not as_json) as progress:
        for result in results:
            progress.stage("render", result.render_seconds)
            progress.advance(result.status)

Call it from one thread (the main one). A stage's time is shown as seconds per finished item:
the stage's total time divided by ``done``, so batched stages read as their cost per item.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

PLAIN_EVERY_S = 30.0


def format_duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _rate(per_min: float) -> str:
    return f"{per_min:.1f}/min" if per_min < 100 else f"{per_min:.0f}/min"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class RunProgress:
    """Progress of one run of ``total`` items (``None`` when unknown); see the module doc."""

    def __init__(
        self,
        title: str,
        total: int | None,
        *,
        enabled: bool = True,
        stream: IO[str] | None = None,
        refresh_s: float = 0.5,
        plain_every_s: float = PLAIN_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.title = title
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.refresh_s = refresh_s
        self.plain_every_s = plain_every_s
        self._clock = clock
        self._total = total
        self._counts: dict[str, int] = {}
        self._stages: dict[str, float] = {}
        self._note = ""
        self._lock = threading.Lock()  # rich's refresh thread reads what the main thread writes
        self._live = None
        self._started = clock()
        self._last_line = self._started
        self.live = enabled and _is_terminal(self.stream)
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    # --- the API -------------------------------------------------------------------------

    def __enter__(self) -> RunProgress:
        self._started = self._last_line = self._clock()
        if self.live:
            self._start_live()
        elif self.enabled and self.plain_every_s > 0:  # 0: a line on every change only
            # a line every plain_every_s even while nothing finishes: a slow first item (minutes
            # on a busy machine) must not look like a hang
            self._heartbeat = threading.Thread(target=self._beat, name="progress", daemon=True)
            self._heartbeat.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
            self._heartbeat = None
        if self._live is not None:
            self._live.stop()
            self._live = None
        failed = bool(exc) and exc[0] is not None
        # after an error only a run that got somewhere says so: a one-line usage error stays one
        # line
        if self.enabled and (not failed or self.done > 0):
            self._write(self.status_line(final=True, stopped=failed))

    def advance(self, outcome: str, n: int = 1) -> None:
        """``n`` more items done, counted under ``outcome``."""
        if n < 0:
            raise ValueError(f"advance by a negative count ({n})")
        with self._lock:
            if n:
                self._counts[outcome] = self._counts.get(outcome, 0) + n
        self._changed()

    def stage(self, name: str, seconds: float) -> None:
        """Add ``seconds`` spent in stage ``name``."""
        with self._lock:
            self._stages[name] = self._stages.get(name, 0.0) + max(0.0, float(seconds))
        self._changed()

    def note(self, text: str) -> None:
        """A short free text shown after the counts (``loss 2.31``) from the next line on; empty
        hides it."""
        with self._lock:
            self._note = text

    def set_total(self, total: int | None) -> None:
        with self._lock:
            self._total = total
        self._changed()

    @property
    def done(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    @property
    def total(self) -> int | None:
        return self._total

    def counts(self) -> dict[str, int]:
        """Items done per outcome, in the order the outcomes first appeared."""
        with self._lock:
            return dict(self._counts)

    # --- numbers -------------------------------------------------------------------------

    def elapsed(self) -> float:
        return max(0.0, self._clock() - self._started)

    def rate_per_min(self) -> float | None:
        """Items per minute so far (None before the first item or the first instant)."""
        elapsed, done = self.elapsed(), self.done
        return done * 60.0 / elapsed if done and elapsed > 0 else None

    def eta_s(self) -> float | None:
        """Seconds left at the rate so far (None while the total or the rate is unknown)."""
        total, done, elapsed = self._total, self.done, self.elapsed()
        if total is None or done <= 0 or elapsed <= 0:
            return None
        return max(0, total - done) * elapsed / done

    def stage_means(self) -> dict[str, float]:
        """Seconds per finished item of each stage (its total while nothing is finished)."""
        with self._lock:
            stages = dict(self._stages)
        done = self.done
        return {name: seconds / done if done else seconds for name, seconds in stages.items()}

    def status_line(self, final: bool = False, stopped: bool = False) -> str:
        """The one line shown: ``title: 12/30 (40%) | ok 10, failed 2 | 4.8/min | ETA 3m45s |
        elapsed 2m30s | code 3.20s, render 1.10s per item``."""
        with self._lock:
            total, counts, note = self._total, dict(self._counts), self._note
        done = sum(counts.values())
        head = f"{done}/{total}" if total is not None else f"{done}"
        if total:
            head += f" ({100 * done / total:.0f}%)"
        if final:
            head = ("stopped at " if stopped else "done ") + head
        parts = [f"{self.title}: {head}"]
        if counts:
            parts.append(", ".join(f"{k} {v}" for k, v in counts.items()))
        if note:
            parts.append(note)
        rate = self.rate_per_min()
        if rate is not None:
            parts.append(_rate(rate))
        eta = self.eta_s()
        if eta is not None and not final and total is not None and done < total:
            parts.append(f"ETA {format_duration(eta)}")
        parts.append(f"elapsed {format_duration(self.elapsed())}")
        means = self.stage_means()
        if means:
            per = " per item" if done else ""
            parts.append(", ".join(f"{k} {v:.2f}s" for k, v in means.items()) + per)
        return " | ".join(parts)

    # --- output --------------------------------------------------------------------------

    def _changed(self) -> None:
        if not self.enabled or self.live:
            return  # the live display refreshes itself
        now = self._clock()
        with self._lock:  # the heartbeat and the caller's thread may both get here
            due = now - self._last_line >= self.plain_every_s
            if due:
                self._last_line = now
        if due:
            self._write(self.status_line())

    def _beat(self) -> None:
        while not self._stop.wait(self.plain_every_s):
            self._changed()

    def _write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr never fails the run
            pass

    def _start_live(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner
        from rich.text import Text

        spinner = Spinner("dots")

        def render():
            spinner.update(text=Text(self.status_line()))
            return spinner

        own_stderr = self.stream is sys.stderr
        self._live = Live(
            console=Console(file=self.stream, force_terminal=True),
            get_renderable=render,
            refresh_per_second=1.0 / max(self.refresh_s, 0.05),
            transient=True,
            # what others print to a terminal goes above the line; a piped stdout stays untouched
            redirect_stdout=own_stderr and _is_terminal(sys.stdout),
            redirect_stderr=own_stderr,
        )
        self._live.start()
