"""The plain classes behind the Serve deployments (no Ray here; unit-testable in-process).

- ``RenderService``: warm sandbox pools (one per language, started lazily) -> ``RenderResult``;
- ``DiagramService``: ImgCoder (plan -> code -> render -> checks -> repair) for one request;
- ``EvaluateService``: quiz answering from an image (``QuizValidator``) plus the checks;
- ``render_payload`` / ``validation_payload`` / ``checks_payload``: JSON-ready answers;
- ``ServiceError``: a failure that maps to an HTTP status (it survives pickling across Ray).

Each Serve deployment in ``app.py`` wraps one of these classes and nothing more.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sciray.checks import run_checks
from sciray.coder.imgcoder import CoderResult, ImgCoder
from sciray.config.models import CoderConfig, RenderConfig, ValidatorConfig
from sciray.errors import SciRayError
from sciray.render.result import RenderResult
from sciray.serve.schemas import DiagramRequest
from sciray.types import Problem, Scene
from sciray.validate.quiz import QuizValidator, ValidationResult

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A request that cannot be served, with the HTTP status to answer (e.g. 503 for a renderer
    that cannot start). Its args are (status_code, message) so it pickles across Ray."""

    def __init__(self, status_code: int, message: str):
        super().__init__(status_code, message)
        self.status_code = status_code
        self.message = message

    def __str__(self) -> str:
        return self.message


def b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data else None


def _scene_dict(scene: Any) -> dict | None:
    if scene is None:
        return None
    return scene.model_dump(mode="json") if isinstance(scene, Scene) else dict(scene)


# --- render ------------------------------------------------------------------------------------


def render_payload(result: RenderResult) -> dict[str, Any]:
    """The JSON answer of /v1/render for one ``RenderResult``."""
    return {
        "image_base64": b64(result.png),
        "status": result.status,
        "error": result.error,
        "scene": _scene_dict(result.scene),
        "sandbox": list(result.sandbox),
        "ms": round(float(result.ms), 1),
        "language": result.language,
    }


class RenderService:
    """Warm sandboxed renderers, one pool per language; python starts at once, tikz on first use.

    ``render`` is thread-safe and blocks until one of the pool's ``workers`` fork-servers is free.
    """

    def __init__(
        self,
        cfg: RenderConfig | None = None,
        workers: int = 1,
        warm: tuple[str, ...] = ("python",),
        renderers: dict[str, Any] | None = None,
    ):
        self.cfg = cfg or RenderConfig()
        self.workers = workers
        self._renderers: dict[str, Any] = dict(renderers or {})
        self._lock = threading.Lock()
        for language in warm:
            self.renderer(language)

    def renderer(self, language: str):
        """The (started) renderer of ``language``; ServiceError 503 when it cannot start."""
        with self._lock:
            renderer = self._renderers.get(language)
            if renderer is None:
                from sciray.render import make_renderer

                try:
                    renderer = make_renderer(language, self.cfg, workers=self.workers)
                except (SciRayError, OSError) as exc:
                    raise ServiceError(
                        503, f"the {language} renderer is unavailable here: {exc}"
                    ) from None
                self._renderers[language] = renderer
            return renderer

    @property
    def sandbox(self) -> list[str]:
        renderer = self._renderers.get("python")
        return list(renderer.sandbox) if renderer is not None else []

    def render(self, code: str, language: str = "python") -> RenderResult:
        return self.renderer(language).render(code)

    def render_many(self, codes: list[str], language: str = "python") -> list[RenderResult]:
        return self.renderer(language).render_many(codes)

    def healthy(self) -> bool:
        """True while every started pool still has its fork-servers."""
        return all(
            getattr(getattr(r, "pool", None), "_servers", True) for r in self._renderers.values()
        )

    def close(self) -> None:
        with self._lock:
            for renderer in self._renderers.values():
                renderer.close()
            self._renderers.clear()


class LanguageRenderer:
    """``RenderService`` seen as ImgCoder's renderer for one language (``render_many``)."""

    def __init__(self, service: RenderService, language: str):
        self.service, self.language = service, language

    @property
    def sandbox(self) -> list[str]:
        return self.service.sandbox

    def render(self, code: str) -> RenderResult:
        return self.service.render(code, self.language)

    def render_many(self, codes: list[str]) -> list[RenderResult]:
        return self.service.render_many(list(codes), self.language)


# --- diagrams ----------------------------------------------------------------------------------


class _SerializedEngine:
    """Engines that are not thread-safe (in-process vLLM) get one call at a time."""

    def __init__(self, engine):
        self._engine, self._lock = engine, threading.Lock()
        self.name, self.model = engine.name, engine.model

    def generate(self, requests):
        with self._lock:
            return self._engine.generate(requests)

    def close(self) -> None:
        self._engine.close()


def diagram_payload(result: CoderResult) -> dict[str, Any]:
    """The JSON part of a /v1/diagrams answer for one ImgCoder result (no validation, no timings)."""
    best = result.best
    image = best.image.bytes if best is not None and best.image is not None else None
    return {
        "problem_id": result.problem.id,
        "status": result.status,
        "image_base64": b64(image),
        "language": best.language if best else "python",
        "plan": best.plan.model_dump() if best is not None and best.plan is not None else None,
        "code": best.code if best else None,
        "scene_spec": best.scene_spec if best else None,
        "checks": dict(best.checks) if best else {},
        "check_reasons": list(best.check_reasons) if best else [],
        "label_recall": best.label_recall if best else None,
        "render_status": best.render_status if best else None,
        "render_error": best.render_error if best else None,
        "render_failure": best.render_failure if best else None,
        "model_calls": result.model_calls,
        "attempts": len(result.attempts),
        "engine": best.engine if best else None,
        "model": best.model if best else None,
    }


class _ByLanguage:
    """``renderer_for`` as ImgCoder's renderer: scenes and programs (auto's fallback) each go to
    their own language's renderer."""

    def __init__(self, renderer_for: Callable[[str], Any]):
        self.for_language = renderer_for


class DiagramService:
    """One /v1/diagrams request: ImgCoder with the server's coder config and the request's
    overrides (language, mode, samples, attempts), rendering through
    ``renderer_for(language)``."""

    def __init__(self, cfg: CoderConfig, engine, renderer_for: Callable[[str], Any], critic=None):
        self.cfg = cfg
        self.engine = engine if engine.name != "vllm" else _SerializedEngine(engine)
        self.renderer_for = renderer_for
        self.critic = critic
        """``coder.critique_rounds``: the visual critic (``sciray.coder.critic``), else None."""

    def coder_config(self, request: DiagramRequest) -> CoderConfig:
        update = {
            k: v
            for k, v in (
                ("language", request.language),
                ("mode", request.mode),
                ("samples", request.samples),
                ("attempts", request.attempts),
            )
            if v is not None
        }
        return self.cfg.model_copy(update=update) if update else self.cfg

    def diagram(self, request: DiagramRequest | dict) -> dict[str, Any]:
        """{"response": JSON-ready answer, "problem": problem dict, "png": bytes | None,
        "scene": dict | None}; the PNG and scene travel on to the validator."""
        request = DiagramRequest.model_validate(request)
        problem = request.to_problem()
        cfg = self.coder_config(request)
        started = time.perf_counter()
        coder = ImgCoder(cfg, self.engine, _ByLanguage(self.renderer_for), self.critic)
        result = coder.run([problem])[0]
        response = diagram_payload(result)
        response["timings"] = {"coder_ms": round((time.perf_counter() - started) * 1000, 1)}
        best = result.best
        return {
            "response": response,
            "problem": problem.model_dump(mode="json"),
            "png": best.image.bytes if best is not None and best.image is not None else None,
            "scene": _scene_dict(best.scene)
            if best is not None and best.render_status == "ok"
            else None,
        }

    def close(self) -> None:
        self.engine.close()


# --- evaluation --------------------------------------------------------------------------------


def validation_payload(result: ValidationResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "mode": result.mode,
        "r_inv": result.r_inv,
        "answers": [a.model_dump(mode="json") for a in result.answers],
        "reason": result.reason,
    }


def checks_payload(report) -> dict[str, Any]:
    return {
        "scores": dict(report.scores),
        "passed": report.passed,
        "score": report.score,
        "label_recall": report.label_recall,
        "reasons": list(report.reasons),
    }


class EvaluateService:
    """Quiz answers (R_inv) for an image of a problem, and the deterministic checks when the
    renderer's scene of that image is known."""

    def __init__(self, cfg: ValidatorConfig, engine, min_label_recall: float = 0.8):
        self.cfg = cfg
        self.engine = engine if engine.name != "vllm" else _SerializedEngine(engine)
        self.validator = QuizValidator(cfg, self.engine)
        self.min_label_recall = min_label_recall

    def evaluate(
        self, problem: Problem | dict, image: bytes | None, scene: Scene | dict | None = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        problem = problem if isinstance(problem, Problem) else Problem.model_validate(problem)
        if scene is not None and not isinstance(scene, Scene):
            scene = Scene.model_validate(scene)
        result = self.validator.validate([(problem, image, scene)])[0]
        out: dict[str, Any] = {
            "problem_id": problem.id,
            "validation": validation_payload(result),
            "checks": None,
            "checks_reason": "",
        }
        if scene is not None:
            report = run_checks(
                problem, scene, rendered=True, min_label_recall=self.min_label_recall
            )
            out["checks"] = checks_payload(report)
        else:
            out["checks_reason"] = (
                "no scene was sent; pass the scene /v1/render returned to run the checks"
            )
        out["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return out

    def close(self) -> None:
        self.engine.close()
