"""Live progress: counts, rate, ETA and per-stage time; plain lines off a terminal; silent when
disabled; the imgcoder / eval / train hooks that feed it."""

from __future__ import annotations

import io

import pytest

from sciray.progress import RunProgress, format_duration


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_counts_rate_eta_and_stage_means():
    clock = Clock()
    out = io.StringIO()
    with RunProgress("synth", 10, stream=out, clock=clock, plain_every_s=1e9) as p:
        clock.now += 60
        p.advance("accepted", 3)
        p.advance("rejected")
        p.stage("coder", 40.0)
        p.stage("render", 8.0)
        assert p.done == 4
        assert p.counts() == {"accepted": 3, "rejected": 1}
        assert p.rate_per_min() == pytest.approx(4.0)
        assert p.eta_s() == pytest.approx(90.0)  # 6 left at 4/min
        assert p.stage_means() == {"coder": 10.0, "render": 2.0}
        line = p.status_line()
    assert line.startswith("synth: 4/10 (40%) | accepted 3, rejected 1 | 4.0/min | ETA 1m30s")
    assert "coder 10.00s, render 2.00s per item" in line
    final = out.getvalue().strip().splitlines()
    assert final == [final[-1]] and final[-1].startswith("synth: done 4/10")


def test_plain_lines_come_at_most_every_interval_and_only_on_change():
    clock = Clock()
    out = io.StringIO()
    p = RunProgress("eval", None, stream=out, clock=clock, plain_every_s=30)
    with p:
        p.advance("ok")  # at t=0: too soon
        clock.now += 31
        p.advance("ok")
        clock.now += 5
        p.advance("ok")  # 5 s after the last line: too soon
        p.note("loss 1.2500")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("eval: 2 | ok 2")
    assert lines[1].startswith("eval: done 3 | ok 3 | loss 1.2500")


def test_disabled_writes_nothing_and_errors_stay_one_line():
    out = io.StringIO()
    with RunProgress("x", 3, enabled=False, stream=out) as p:
        p.advance("ok")
    assert out.getvalue() == ""
    out = io.StringIO()
    with pytest.raises(ValueError), RunProgress("x", 3, stream=out):
        raise ValueError("bad input")
    assert out.getvalue() == ""  # nothing done: the error's own line is all the user sees
    with pytest.raises(ValueError), RunProgress("x", 3, stream=out) as p:
        p.advance("ok")
        raise ValueError("later")
    assert out.getvalue().startswith("x: stopped at 1/3")
    with pytest.raises(ValueError):
        p.advance("ok", -1)


def test_a_broken_stderr_never_fails_the_run():
    out = io.StringIO()
    p = RunProgress("x", 1, stream=out, plain_every_s=0)
    out.close()
    with p:
        p.advance("ok")  # writes to a closed stream: swallowed


def test_durations():
    assert [format_duration(s) for s in (0, 42, 185, 7620)] == ["0s", "42s", "3m05s", "2h07m"]


def test_train_step_progress_counts_rank_zero_steps_once(capsys):
    from sciray.train.plan import StepProgress

    shown = StepProgress(4, plain_every_s=0)
    shown.on_report([{"step": 1, "loss": 2.5}, {"step": 1, "loss": 2.5}])
    shown.on_report([{"step": 1, "loss": 2.5}])  # the same step again (checkpoint report)
    shown.on_report([{"step": 3, "loss": 1.25}])
    shown.on_report([{"eval_after": 0.5}])  # no step: ignored
    shown.on_report([{"step": 4, "loss": 1.0}])
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("train: 1/4 (25%) | steps 1 | loss 2.5000")
    assert err[1].startswith("train: 3/4 (75%) | steps 3 | loss 1.2500")
    assert err[-1].startswith("train: done 4/4 (100%) | steps 4 | loss 1.0000")
    quiet = StepProgress(4, enabled=False)
    quiet.on_report([{"step": 2, "loss": 1.0}])
    assert capsys.readouterr().err == ""


def test_imgcoder_reports_each_problem_once_as_it_finishes():
    from sciray.coder.imgcoder import ImgCoder
    from sciray.config.models import CoderConfig, RenderConfig
    from sciray.llm.scripted import ScriptedEngine
    from sciray.render import make_renderer
    from sciray.testing import GOOD_ANSWER, INCLINE_QUESTION
    from sciray.types import Problem

    problems = [
        Problem(id=pid, question=INCLINE_QUESTION, image_type="Physics - Mechanics")
        for pid in ("a", "b")
    ]
    seen = []
    cfg = CoderConfig(engine="scripted", attempts=2)
    with make_renderer("python", RenderConfig(workers=1, timeout_s=30)) as renderer:
        results = ImgCoder(cfg, ScriptedEngine(responses=[GOOD_ANSWER]), renderer).run(
            problems, on_done=lambda r, s: seen.append((r.problem.id, r.done, s > 0))
        )
    assert sorted(seen) == [("a", True, True), ("b", True, True)]
    assert [r.status for r in results] == ["ok", "ok"]


def test_plain_lines_keep_coming_while_nothing_finishes():
    """Off a terminal a heartbeat line comes every interval even before the first item is done
    (a first problem can take minutes), and stops with the run."""
    import time

    out = io.StringIO()
    with RunProgress("synth", 5, stream=out, plain_every_s=0.05):
        time.sleep(0.4)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 3 and all(line.startswith("synth: 0/5 (0%)") for line in lines[:-1])
    assert lines[-1].startswith("synth: done 0/5")
    time.sleep(0.2)
    assert out.getvalue().splitlines() == lines  # nothing after the run ended
