"""The pipeline's stages as plain callable classes (``sciray.actors.stages`` runs them as Ray Data
actor pools; tests call them directly).

Each stage works on the active rows of a batch and passes the rest through. An exception on a
batch is retried ``retries`` times; after that every row of the batch ends in ``failed`` with the
stage and the error, and the run goes on. ``EngineConfigError`` (bad key, unknown model,
unreachable endpoint) is raised at once: every row would fail the same way.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pyarrow as pa

from sciray.llm.base import EngineConfigError
from sciray.pipeline.rows import (
    active,
    add_time,
    from_rows,
    read_problem,
    read_state,
    read_verdict,
    to_rows,
    write_problem,
    write_state,
    write_verdict,
)
from sciray.pipeline.writer import shard_verdict

log = logging.getLogger(__name__)


# Every stage reads these to skip rows it does not own, and may fail a row or add its time.
COMMON_READS = frozenset({"problem_id", "kind", "failed_stage", "timings"})
COMMON_WRITES = frozenset({"failed_stage", "error", "timings"})


class Stage:
    """Base: subclasses implement ``process(rows)`` on the active rows of one batch and declare
    the row columns they read and write beyond the common ones (``check_stage_order`` checks a
    pipeline against them when it is built, as Ray's own LLM stages do)."""

    name = "stage"
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()

    def __init__(self, retries: int = 2):
        self.retries = retries

    def wanted(self, row: dict[str, Any]) -> bool:
        return active(row)

    def process(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def __call__(self, batch: pa.Table) -> pa.Table:
        names = batch.column_names if isinstance(batch, pa.Table) else list(batch)
        missing = (self.reads | COMMON_READS) - set(names)
        if missing:  # a pipeline built around check_stage_order never gets here
            raise KeyError(f"stage {self.name!r} needs columns {sorted(missing)} the batch lacks")
        rows = to_rows(batch)
        work = [r for r in rows if self.wanted(r)]
        if work:
            started = time.perf_counter()
            self._process_with_retries(work)
            per_row = (time.perf_counter() - started) / len(work)
            for row in work:
                add_time(row, self.name, per_row)
        return from_rows(rows)

    def _process_with_retries(self, work: list[dict[str, Any]]) -> None:
        for attempt in range(self.retries + 1):
            try:
                self.process(work)
                return
            except EngineConfigError:
                raise
            except Exception as exc:  # a stage bug or a flaky dependency: retry, then fail the rows
                error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning(
                    "%s failed on a batch of %d (attempt %d): %s",
                    self.name,
                    len(work),
                    attempt + 1,
                    error,
                )
        for row in work:
            row["failed_stage"], row["error"] = self.name, error


class _CoderRounds(Stage):
    """Base of the ImgCoder stages: carries each row's ``CoderResult`` in and out of ``advance``.

    An engine is built when the stage generates (``uses_engine``) and a renderer when it renders
    (``render`` given); a stage holding only one of them never touches the other. The visual
    critic (``coder.critique_rounds``, ``validator`` given) runs where pictures are rendered: it
    judges a problem's picture as its rounds finish.
    """

    uses_engine = True
    reads = frozenset({"problem", "state", "images", "done"})
    writes = frozenset({"state", "images", "done"})

    def __init__(
        self,
        coder: dict[str, Any],
        render: dict[str, Any] | None = None,
        retries: int = 2,
        workers: int = 1,
        engine=None,
        validator: dict[str, Any] | None = None,
    ):
        super().__init__(retries)
        from sciray.coder.critic import build_critic
        from sciray.coder.imgcoder import ImgCoder
        from sciray.config.models import CoderConfig, RenderConfig, ValidatorConfig

        cfg = CoderConfig.model_validate(coder)
        self.engine, self.renderer = None, None
        if self.uses_engine:
            from sciray.llm import make_engine

            self.engine = engine or make_engine(cfg)
        if render is not None:
            from sciray.render import coder_renderer

            self.renderer = coder_renderer(cfg, RenderConfig.model_validate(render), workers)
        critic = None
        if render is not None and validator is not None:
            critic = build_critic(cfg, ValidatorConfig.model_validate(validator))
        self.coder = ImgCoder(cfg, self.engine, self.renderer, critic)

    def wanted(self, row):
        return active(row) and not row.get("done")

    def advance(self, states) -> None:
        raise NotImplementedError

    def process(self, rows):
        states = [read_state(r) for r in rows]
        self.advance(states)
        for row, state in zip(rows, states):
            write_state(row, state)

    def __del__(self):
        try:
            if self.renderer is not None:
                self.renderer.close()
        except Exception:
            pass


class CoderStage(_CoderRounds):
    """One coder half-round: the engine writes (or repairs) the code of every active slot."""

    name = "coder"

    def __init__(self, coder: dict[str, Any], retries: int = 2, engine=None):
        super().__init__(coder, None, retries, engine=engine)

    def advance(self, states):
        self.coder.code_round(states)


class RenderStage(_CoderRounds):
    """The other half-round: render pending candidates in the sandbox, check, fix, decide."""

    name = "render"
    uses_engine = False

    def __init__(
        self,
        coder: dict[str, Any],
        render: dict[str, Any],
        retries: int = 2,
        workers: int = 1,
        validator: dict[str, Any] | None = None,
    ):
        super().__init__(coder, render, retries, workers, validator=validator)

    def advance(self, states):
        self.coder.render_round(states)


class ImgCoderStage(_CoderRounds):
    """Every round of ImgCoder in one actor (engine + sandbox): the default layout, fewest actors.

    The engine here is usually remote anyway (``openai`` against a vLLM / Ray Serve endpoint on
    the GPU nodes) or the local CPU engine; ``synth.layout=split`` separates the two halves into
    a GPU coder pool and a CPU render pool instead.
    """

    name = "imgcoder"

    def advance(self, states):
        while not all(s.done for s in states):
            self.coder.code_round(states)
            self.coder.render_round(states)


class ValidateStage(Stage):
    """Decide each problem: the best candidate, its checks, and (when configured) the quiz
    validator's R_inv, against the acceptance rule. Writes ``verdict``.

    With ``synth.accept.cascade`` and a vision validator, a cheap OCR-proxy validator answers
    first and only candidates reaching ``min_cheap_r_inv`` (or that it cannot score) go on to
    the vision model (``sciray.validate.Cascade``). A row whose repair loop did not finish never
    gets a verdict as if it had: it fails in the coder stage.
    """

    name = "validate"
    reads = frozenset({"problem", "state", "images", "done"})
    writes = frozenset({"verdict"})

    def __init__(
        self,
        accept: dict[str, Any],
        validator: dict[str, Any] | None = None,
        retries: int = 2,
        engine=None,
    ):
        super().__init__(retries)
        from sciray.config.models import AcceptConfig, ValidatorConfig

        self.accept = AcceptConfig.model_validate(accept)
        self.quiz = self.cascade = None
        if self.accept.min_r_inv is not None:
            from sciray.llm import make_engine
            from sciray.validate import QuizValidator
            from sciray.validate.cascade import Cascade

            vcfg = ValidatorConfig.model_validate(validator or {})
            engine = engine or make_engine(vcfg)
            self.quiz = QuizValidator(vcfg, engine)
            if self.accept.cascade and vcfg.mode == "vision":  # a gate before the costly model
                cheap = QuizValidator(vcfg.model_copy(update={"mode": "ocr"}), engine)
                self.cascade = Cascade(
                    self.quiz,
                    cheap,
                    cheap_threshold=self.accept.min_cheap_r_inv,
                    vision_threshold=self.accept.min_r_inv,
                )

    def process(self, rows):
        unfinished = [r for r in rows if not r.get("done")]
        for row in unfinished:
            row["failed_stage"] = "coder"
            row["error"] = "unfinished: the coder rounds ended before ImgCoder finished the problem"
        rows = [r for r in rows if r.get("done")]
        states = [read_state(r) for r in rows]
        verdicts = [self._precheck(s) for s in states]
        todo = [i for i, v in enumerate(verdicts) if v is None]
        if self.quiz is not None and todo:
            items = [
                (s.problem, s.best.image.bytes, s.best.scene, s.best.scene_spec)
                for s in (states[i] for i in todo)
            ]
            if self.cascade is not None:
                report = self.cascade.run([(*item[:3], True) for item in items])
                for i, decision in zip(todo, report.decisions):
                    verdicts[i] = self._decide_cascade(decision)
            else:
                for i, result in zip(todo, self.quiz.validate(items)):
                    verdicts[i] = self._decide_quiz(result)
        for i, state in enumerate(states):
            if verdicts[i] is None:  # checks only
                verdicts[i] = {
                    "accepted": True,
                    "reason": "checks passed" if self.accept.require_checks else "rendered",
                    "validator": "checks-only",
                }
            best = state.best
            verdicts[i].update(
                checks=best.checks if best else {},
                check_reasons=best.check_reasons if best else [],
                label_recall=best.label_recall if best else None,
            )
            write_verdict(rows[i], shard_verdict(verdicts[i]))

    def _precheck(self, state) -> dict[str, Any] | None:
        best = state.best
        if best is None or best.render_status != "ok" or not (best.image and best.image.bytes):
            status = best.status if best else "no_attempt"
            return {
                "accepted": False,
                "reason": status if status != "ok" else "render_failed",
                "stage": "coder",
            }
        if self.accept.require_checks and best.status != "ok":
            return {
                "accepted": False,
                "reason": "checks_failed: " + "; ".join(best.check_reasons)[:300],
                "stage": "checks",
            }
        return None

    def _quiz_fields(self, result) -> dict[str, Any]:
        return {
            "r_inv": result.accuracy,
            "validator": result.mode,
            "quiz_status": result.status,
            "quiz_answers": [a.model_dump() for a in result.answers],
        }

    def _decide_quiz(self, result) -> dict[str, Any]:
        verdict = self._quiz_fields(result)
        if result.accuracy is None:
            return {
                **verdict,
                "accepted": False,
                "reason": f"validator: {result.status}",
                "stage": "validate",
            }
        if result.accuracy < self.accept.min_r_inv:
            return {
                **verdict,
                "accepted": False,
                "stage": "validate",
                "reason": f"r_inv {result.accuracy:.2f} < {self.accept.min_r_inv:.2f}",
            }
        return {**verdict, "accepted": True, "reason": f"r_inv {result.accuracy:.2f}"}

    def _decide_cascade(self, decision) -> dict[str, Any]:
        cheap = decision.cheap
        verdict = {"cascade": decision.stopped_at, "cheap_r_inv": cheap.accuracy if cheap else None}
        if decision.vision is None:  # stopped by the cheap gate: the vision model was not asked
            return {
                **verdict,
                "r_inv": None,
                "validator": "ocr-proxy",
                "accepted": False,
                "stage": "validate",
                "reason": f"cascade: {decision.reason}",
            }
        verdict.update(self._quiz_fields(decision.vision))
        if decision.accepted:
            return {**verdict, "accepted": True, "reason": f"r_inv {decision.vision.accuracy:.2f}"}
        return {**verdict, "accepted": False, "stage": "validate", "reason": decision.reason}


class JudgeStage(Stage):
    """The LMM judge (``judge.enabled``): scores each rendered best candidate on the five
    dimensions, puts the scores in the verdict and, with ``synth.accept.min_judge_total``,
    rejects accepted candidates scoring less. A judge that cannot score (unparseable answer,
    engine error) records its status; with a threshold that rejects, without one it only notes."""

    name = "judge"
    reads = frozenset({"problem", "state", "images", "verdict"})
    writes = frozenset({"verdict"})

    def __init__(
        self, judge: dict[str, Any], accept: dict[str, Any], retries: int = 2, engine=None
    ):
        super().__init__(retries)
        from sciray.config.models import AcceptConfig, JudgeConfig
        from sciray.llm import make_engine
        from sciray.validate.judge import Judge

        cfg = JudgeConfig.model_validate(judge)
        self.accept = AcceptConfig.model_validate(accept)
        self.judge = Judge(cfg, engine or make_engine(cfg))

    def wanted(self, row):
        return active(row) and row.get("verdict") is not None

    def process(self, rows):
        states = [read_state(r) for r in rows]
        verdicts = [read_verdict(r).model_dump(exclude={"status"}) for r in rows]
        todo = [i for i, s in enumerate(states) if s.best and s.best.image and s.best.image.bytes]
        results = self.judge.score([(states[i].problem, states[i].best.image.bytes) for i in todo])
        threshold = self.accept.min_judge_total
        for i, result in zip(todo, results):
            verdict = verdicts[i]
            scores = result.scores.model_dump() if result.scores else None
            total = sum(scores.values()) if scores else None
            verdict.update(judge=scores, judge_total=total, judge_status=result.status)
            if threshold is not None and verdict.get("accepted"):
                if total is None:
                    verdict.update(
                        accepted=False,
                        stage="judge",
                        reason=f"judge: {result.status} ({result.reason})"[:300],
                    )
                elif total < threshold:
                    verdict.update(
                        accepted=False, stage="judge", reason=f"judge total {total} < {threshold:g}"
                    )
        for row, verdict in zip(rows, verdicts):
            write_verdict(row, shard_verdict(verdict))


class QuizGenStage(Stage):
    """Write quizzes for problems that have none (only when acceptance needs R_inv), from the
    problem text before the coder."""

    name = "quizgen"
    reads = frozenset({"problem"})
    writes = frozenset({"problem"})

    def __init__(self, coder: dict[str, Any], retries: int = 2, engine=None):
        super().__init__(retries)
        from sciray.config.models import CoderConfig
        from sciray.llm import make_engine

        cfg = CoderConfig.model_validate(coder)
        self.cfg, self.engine = cfg, engine or make_engine(cfg)

    def wanted(self, row):
        return active(row) and not read_problem(row).quizzes

    def scenes(self, rows) -> list[dict[str, Any] | None]:
        return [None] * len(rows)

    def process(self, rows):
        from sciray.coder.quizgen import generate_quizzes

        problems = [read_problem(r) for r in rows]
        results = generate_quizzes(
            self.engine, problems, max_tokens=self.cfg.max_tokens, scenes=self.scenes(rows)
        )
        for row, problem, result in zip(rows, problems, results):
            if result.quizzes:
                # the problem travels once: the coder state reads it from this column
                write_problem(row, problem.model_copy(update={"quizzes": result.quizzes}))


class SceneQuizGenStage(QuizGenStage):
    """``synth.quizgen_from=scene``: quizzes after the coder, grounded in the scene description
    each problem's best picture was drawn from (a picture drawn from code: the problem text)."""

    name = "quizgen"  # the same pool and accounting as the text-grounded stage
    reads = frozenset({"problem", "state"})

    def scenes(self, rows) -> list[dict[str, Any] | None]:
        out = []
        for row in rows:
            best = read_state(row).best if row.get("state") else None
            out.append(best.scene_spec if best is not None and best.render_status == "ok" else None)
        return out


def check_stage_order(stages: list[type[Stage]], source_columns: frozenset[str]) -> None:
    """Raise ValueError when a stage reads a column that neither the source nor an earlier stage
    writes (a pipeline assembled in the wrong order fails when it is built, not mid-run)."""
    available = set(source_columns)
    for stage in stages:
        missing = (stage.reads | COMMON_READS) - available - COMMON_WRITES
        if missing:
            raise ValueError(
                f"stage {stage.name!r} reads {sorted(missing)}, which nothing before it writes"
            )
        available |= stage.writes | COMMON_WRITES
