"""Evaluate a set of images against their problems: checks, quizzes (R_inv), judge, metrics.

``Evaluator`` is a plain class; engines and the metrics object are built from config (or
injected in tests). Every problem gets one row, with a status when its image is missing or
unreadable; nothing is fatal per image.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sciray.evaluation.images import ImageEntry
from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image
from sciray.types import Problem, Scene

ALL_METRICS = ("checks", "quiz", "judge", "standard")


def subject_of(problem: Problem) -> str:
    return (problem.image_type or "Unknown").split(" - ")[0].strip() or "Unknown"


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


@dataclass
class EvalOutput:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    images: dict[str, bytes | None] = field(default_factory=dict)


class Evaluator:
    """Runs the chosen metric families over (problem, image) pairs."""

    def __init__(
        self,
        cfg,
        metrics: tuple[str, ...] = ALL_METRICS,
        *,
        validator=None,
        judge=None,
        image_metrics=None,
    ):
        unknown = sorted(set(metrics) - set(ALL_METRICS))
        if unknown:
            from sciray.errors import UserError, did_you_mean

            raise UserError(
                f"unknown metric family {unknown[0]!r}{did_you_mean(unknown[0], ALL_METRICS)}; "
                f"choose from {','.join(ALL_METRICS)}"
            )
        self.cfg, self.metrics = cfg, tuple(metrics)
        self._validator, self._judge, self._image_metrics = validator, judge, image_metrics
        self._engines: list = []

    # Engines are built only for the families asked for, so '--metrics checks,standard' needs no
    # model.
    def _engine(self, llm_cfg):
        from sciray.llm import make_engine

        engine = make_engine(llm_cfg)
        self._engines.append(engine)
        return engine

    def validator(self):
        if self._validator is None:
            from sciray.validate import QuizValidator

            self._validator = QuizValidator(self.cfg.validator, self._engine(self.cfg.validator))
        return self._validator

    def judge(self):
        if self._judge is None:
            from sciray.validate import Judge

            self._judge = Judge(self.cfg.judge, self._engine(self.cfg.judge))
        return self._judge

    def image_metrics(self):
        if self._image_metrics is None:
            from sciray.metrics import ImageMetrics

            self._image_metrics = ImageMetrics(self.cfg.metrics)
        return self._image_metrics

    def close(self) -> None:
        for engine in self._engines:
            engine.close()

    def evaluate(
        self,
        problems: list[Problem],
        entries: dict[str, ImageEntry],
        name: str,
        on_stage: Callable[[str, float], None] | None = None,
    ) -> EvalOutput:
        """Score every problem's image with ``self.metrics``; ``on_stage(family, seconds)`` is
        called as each metric family finishes (live progress)."""
        rows = {
            p.id: {
                "problem_id": p.id,
                "subject": subject_of(p),
                "image_type": p.image_type,
                **_image_status(entries[p.id]),
            }
            for p in problems
        }
        present = [p for p in problems if entries[p.id].data]
        timed = _Timed(on_stage)
        if "checks" in self.metrics:
            with timed("checks"):
                self._checks(present, entries, rows)
        validation = []
        if "quiz" in self.metrics:
            with timed("quiz"):
                validation = self._quizzes(problems, entries, rows)
        if "judge" in self.metrics:
            with timed("judge"):
                self._judge_scores(present, entries, rows)
        standard = None
        if "standard" in self.metrics:
            with timed("standard"):
                standard = self._standard(problems, entries, rows)
        summary = self._summary(name, problems, entries, rows, validation, standard)
        return EvalOutput(
            rows=[rows[p.id] for p in problems],
            summary=summary,
            images={p.id: entries[p.id].data for p in problems},
        )

    def _checks(self, problems, entries, rows) -> None:
        from sciray.checks import run_checks

        for p in problems:
            scene = _scene_or_none(entries[p.id].scene)
            if (
                scene is None
            ):  # an image from elsewhere: no texts known, only the pixel checks apply
                scene = _pixel_scene(entries[p.id].data)
                pixels_only = True
            else:
                pixels_only = False
            report = run_checks(p, scene, rendered=scene is not None)
            scores, reasons = dict(report.scores), list(report.reasons)
            if pixels_only:
                scores = {k: v for k, v in scores.items() if k in ("rendered", "not_blank")}
                reasons = [r for r in reasons if "blank" in r or "render" in r]
                if scene is None and rows[p.id]["status"] == "bad_image":
                    reasons = [f"unreadable image: {rows[p.id]['error']}"]
            rows[p.id].update(
                checks=scores,
                check_reasons=reasons,
                label_recall=None if pixels_only else report.label_recall,
                checks_passed=all(v == 1.0 for v in scores.values())
                if pixels_only
                else report.passed,
            )

    def _quizzes(self, problems, entries, rows) -> list:
        items = [
            (p, entries[p.id].data, _scene_or_none(entries[p.id].scene), entries[p.id].scene_spec)
            for p in problems
            if p.quizzes
        ]
        results = self.validator().validate(items) if items else []
        for result in results:
            rows[result.problem_id].update(
                quiz_answers=[a.model_dump() for a in result.answers],
                accuracy=result.accuracy,
                r_inv=None if result.accuracy is None else round(100 * result.accuracy, 2),
                quiz_status=result.status,
                validator_mode=result.mode,
                image_sent=result.image,
            )
        for p in problems:
            if not p.quizzes:
                rows[p.id].update(quiz_status="no_quizzes", accuracy=None, r_inv=None)
        return results

    def _judge_scores(self, problems, entries, rows) -> None:
        results = (
            self.judge().score([(p, entries[p.id].data) for p in problems]) if problems else []
        )
        for result in results:
            scores = result.scores.model_dump() if result.scores else None
            rows[result.problem_id].update(
                judge=scores,
                judge_status=result.status,
                judge_total=sum(scores.values()) if scores else None,
            )

    def _standard(self, problems, entries, rows):
        from sciray.metrics import MetricPair

        pairs = [
            MetricPair(
                id=p.id, image=entries[p.id].data, reference=p.reference_image, text=p.question
            )
            for p in problems
            if p.reference_image and entries[p.id].data
        ]
        if not pairs:
            return None
        result = self.image_metrics().compute(pairs)
        for pid, values in result.per_image.items():
            rows[pid].update({k: values.get(k) for k in ("psnr", "ssim", "clip")})
        for pid, why in result.missing.items():
            rows[pid].setdefault("metrics_error", why)
        return result

    def _summary(self, name, problems, entries, rows, validation, standard) -> dict[str, Any]:
        from sciray.validate import r_inv, r_inv_by

        missing = {
            p.id: entries[p.id].error or "missing" for p in problems if not entries[p.id].data
        }
        summary: dict[str, Any] = {
            "name": name,
            "n_problems": len(problems),
            "n_images": len(problems) - len(missing),
            "n_missing": len(missing),
            "metrics": list(self.metrics),
            "missing": missing,
        }
        if "quiz" in self.metrics:
            summary["r_inv"] = r_inv(validation)
            summary["by_subject"] = r_inv_by(validation, problems, "subject")
            summary["by_image_type"] = r_inv_by(validation, problems, "image_type")
            modes = {v.mode for v in validation}
            summary["validator_mode"] = (
                modes.pop() if len(modes) == 1 else ("mixed" if modes else None)
            )
            summary["validator_model"] = f"{self.cfg.validator.engine}:{self.cfg.validator.model}"
        if "judge" in self.metrics:
            judged = [r["judge"] for r in rows.values() if r.get("judge")]
            summary["judge"] = {
                k: _mean([j[k] for j in judged]) for k in ("CF", "LP", "RO", "SP", "ER")
            }
            summary["judge_model"] = f"{self.cfg.judge.engine}:{self.cfg.judge.model}"
        if "checks" in self.metrics:
            recalls = [
                r["label_recall"] for r in rows.values() if r.get("label_recall") is not None
            ]
            summary["label_recall"] = _mean(recalls)
            summary["checks_passed"] = _mean(
                [float(r["checks_passed"]) for r in rows.values() if "checks_passed" in r]
            )
        if "standard" in self.metrics:
            means = standard.means if standard else {}
            summary.update(
                psnr=means.get("psnr"),
                ssim=means.get("ssim"),
                clip=means.get("clip"),
                fid=standard.fid if standard else None,
                metrics_reasons=dict(standard.reasons)
                if standard
                else {"all": "no problem has both an image and a reference image"},
            )
        return summary


def _image_status(entry: ImageEntry, max_pixels: int = DEFAULT_MAX_PIXELS) -> dict[str, Any]:
    """The row's status and error from the image's header alone (nothing decoded): an unreadable
    or over-cap image is the row's ``bad_image`` with the reason; each metric family still
    reports it in its own way (quiz ``bad_image``, checks 'did not render', metrics_error)."""
    if not entry.data:
        return {"status": "missing_image", "error": entry.error}
    try:
        open_image(entry.data, max_pixels=max_pixels).close()
    except ImageRejected as exc:
        return {"status": "bad_image", "error": str(exc)}
    return {"status": "ok", "error": entry.error}


def _scene_or_none(scene) -> Scene | None:
    if scene is None or isinstance(scene, Scene):
        return scene
    return Scene.model_validate(scene)


def _pixel_scene(data: bytes | None, max_pixels: int = DEFAULT_MAX_PIXELS) -> Scene | None:
    """A scene with only size and blankness, for images that did not come from our renderer;
    None for a missing, corrupt or over-cap image (refused from its header, never decoded)."""
    import numpy as np

    from sciray.render.scene import is_blank

    try:
        with open_image(data, max_pixels=max_pixels) as image:
            pixels = np.asarray(image.convert("RGB"))
    except Exception:  # noqa: BLE001 - ImageRejected or a decode error: the image did not render
        return None
    return Scene(blank=is_blank(pixels), size=[int(pixels.shape[1]), int(pixels.shape[0])])


class _Timed:
    """``with timed("quiz"):`` reports the block's seconds to ``on_stage`` (if any)."""

    def __init__(self, on_stage: Callable[[str, float], None] | None):
        self.on_stage = on_stage

    @contextmanager
    def __call__(self, family: str):
        started = time.monotonic()
        yield
        if self.on_stage is not None:
            self.on_stage(family, time.monotonic() - started)
