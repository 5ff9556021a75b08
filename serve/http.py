"""The HTTP side of the service, without Ray: FastAPI app, guards, cache and error mapping.

``make_api(cfg, gateway)`` builds the FastAPI app (routes, OpenAPI page at /docs); the ingress
deployment builds it on its replica, and tests build it in-process over ``LocalBackend``.

- ``GuardMiddleware`` (pure ASGI, runs before any parsing): bearer-token auth (401) and the
  body size limit (413, from Content-Length and from the bytes actually read);
- ``Gateway``: one method per route; a content-hash LRU cache (``X-Cache: hit|miss|bypass``), the
  per-request timeout (504) and the mapping of overload errors to 503 + Retry-After;
- a backend is any object with ``async render(code, language)``, ``async diagram(request)`` and
  ``async evaluate(problem, image, scene)``: Serve handles in ``app.py``, plain classes here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import os
import time
from collections import OrderedDict
from typing import Any, get_args

from sciray.config.models import SciRayConfig
from sciray.scene import domains
from sciray.serve.handlers import (
    DiagramService,
    EvaluateService,
    RenderService,
    ServiceError,
    render_payload,
)
from sciray.serve.schemas import (
    DiagramRequest,
    DiagramResponse,
    EvaluateRequest,
    EvaluateResponse,
    Language,
    RenderRequest,
    RenderResponse,
)

log = logging.getLogger(__name__)

DOC_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
"""The API description (no data): open unless ``serve.public_docs`` is false."""
OPEN_PATHS = frozenset({"/healthz"}) | DOC_PATHS
"""Paths served without a token by default: liveness and the API description."""


# --- auth --------------------------------------------------------------------------------------


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def resolve_token_digest(token_env: str | None, fallback: bytes | None = None) -> bytes | None:
    """SHA-256 of the token in ``$token_env`` (read here), else ``fallback`` (the digest read
    where the app was built). None means auth is off; auth on with no token at all denies all."""
    if not token_env:
        return None
    token = os.environ.get(token_env, "")
    if token:
        return token_digest(token)
    return fallback if fallback is not None else b""  # b"" never matches: fail closed


def token_ok(header: str | None, digest: bytes) -> bool:
    """Whether an Authorization header carries the token whose SHA-256 is ``digest``."""
    if not header or not digest:
        return False
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return False
    return hmac.compare_digest(token_digest(value.strip()), digest)


# --- guards ------------------------------------------------------------------------------------


async def _send_json(send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


class GuardMiddleware:
    """Auth, then the body limit, before the app sees the request (pure ASGI).

    The body is read here (at most ``max_body_bytes`` + one chunk) and replayed to the app, so a
    lying or missing Content-Length (chunked upload) cannot get a bigger body through.
    """

    def __init__(
        self,
        app,
        max_body_bytes: int,
        digest: bytes | None = None,
        open_paths: frozenset[str] = OPEN_PATHS,
    ):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.digest = digest
        self.open_paths = open_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        if (
            self.digest is not None
            and path not in self.open_paths
            and not token_ok(headers.get("authorization"), self.digest)
        ):
            return await _send_json(
                send,
                401,
                {"detail": "missing or wrong bearer token"},
                {"WWW-Authenticate": "Bearer"},
            )
        limit = self.max_body_bytes
        too_big = {
            "detail": f"request body is larger than the limit of {limit // 1024} KiB (serve.max_body_kb)"
        }
        declared = headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                return await _send_json(send, 400, {"detail": "bad Content-Length header"})
            if size > limit:
                return await _send_json(send, 413, too_big)
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                return await _send_json(send, 413, too_big)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


# --- cache -------------------------------------------------------------------------------------


class LRUCache:
    """A bounded least-recently-used map (size 0 keeps nothing)."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: str) -> bytes | None:
        value = self._data.get(key)
        if value is None:
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: str, value: bytes) -> None:
        if self.size <= 0:
            return
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


def request_key(route: str, body) -> str:
    """Content hash of a validated request: defaults filled in, keys sorted, so requests that
    mean the same thing (key order, whitespace, explicit defaults) share one cache entry."""
    data = body.model_dump(mode="json", by_alias=True)
    text = json.dumps([route, data], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the routes' logic -------------------------------------------------------------------------


class HTTPFailure(Exception):
    """An error answer: status, detail, headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None):
        super().__init__(status, detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__


class Gateway:
    """The routes' logic over a backend; ``overload_errors`` are the exception types that mean
    "too busy, retry later" (Serve's BackPressureError / DeploymentUnavailableError)."""

    def __init__(
        self, cfg: SciRayConfig, backend, overload_errors: tuple[type[BaseException], ...] = ()
    ):
        self.cfg = cfg
        self.backend = backend
        self.overload_errors = tuple(overload_errors)
        self.cache = LRUCache(cfg.serve.cache_size)
        self.timeout_s = cfg.serve.request_timeout_s

    # -- errors ---------------------------------------------------------------------------------

    def failure(self, exc: BaseException) -> HTTPFailure:
        """The HTTP answer for an exception raised while serving a request."""
        retry = str(self.cfg.serve.retry_after_s)
        for cause in _causes(exc):
            if isinstance(cause, (TimeoutError, asyncio.TimeoutError)):
                return HTTPFailure(
                    504,
                    f"the request took longer than {self.timeout_s:g}s "
                    "(serve.request_timeout_s) and was cancelled",
                )
            if isinstance(cause, ServiceError) and isinstance(
                getattr(cause, "status_code", None), int
            ):
                status, message = (
                    cause.status_code,
                    getattr(cause, "message", "") or "the request failed",
                )
                return HTTPFailure(
                    status, message, {"Retry-After": retry} if status == 503 else None
                )
            if (self.overload_errors and isinstance(cause, self.overload_errors)) or type(
                cause
            ).__name__ in ("BackPressureError", "DeploymentUnavailableError"):
                after = getattr(cause, "retry_after_s", None)
                after = str(math.ceil(after)) if after else retry
                return HTTPFailure(
                    503, "the service is at capacity; retry later", {"Retry-After": after}
                )
        log.error("request failed", exc_info=exc)
        return HTTPFailure(500, f"internal error ({type(exc).__name__}); see the server log")

    async def _guarded(self, coro):
        try:
            return await asyncio.wait_for(coro, self.timeout_s)
        except HTTPFailure:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes an HTTP answer
            raise self.failure(exc) from None

    async def _cached(
        self, route: str, body, compute, cache_control: str | None = None
    ) -> tuple[bytes, str]:
        """The cached answer, else ``compute()``'s. ``Cache-Control: no-cache`` skips the lookup
        (a fresh sample of a sampled request) and ``no-store`` also keeps the answer out."""
        directives = {d.strip().split("=")[0].lower() for d in (cache_control or "").split(",")}
        fresh, store = bool(directives & {"no-cache", "no-store"}), "no-store" not in directives
        key = request_key(route, body)
        hit = None if fresh else self.cache.get(key)
        if hit is not None:
            return hit, "hit"
        out = await self._guarded(compute())
        data = json.dumps(out, ensure_ascii=False).encode("utf-8")
        if store:
            self.cache.put(key, data)
        return data, "bypass" if fresh else "miss"

    # -- routes ---------------------------------------------------------------------------------

    async def render(
        self, body: RenderRequest, cache_control: str | None = None
    ) -> tuple[bytes, str]:
        async def compute():
            return render_payload(await self.backend.render(body.code, body.language))

        return await self._cached("render", body, compute, cache_control)

    async def diagram(
        self, body: DiagramRequest, cache_control: str | None = None
    ) -> tuple[bytes, str]:
        async def compute():
            started = time.perf_counter()
            out = await self.backend.diagram(body.model_dump(mode="json", by_alias=True))
            response = dict(out["response"])
            timings = dict(response.get("timings") or {})
            response["validation"] = None
            if body.validate_:
                t0 = time.perf_counter()
                evaluated = await self.backend.evaluate(out["problem"], out["png"], out["scene"])
                response["validation"] = evaluated["validation"]
                timings["validate_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
            response["timings"] = timings
            return response

        return await self._cached("diagrams", body, compute, cache_control)

    async def evaluate(
        self, body: EvaluateRequest, cache_control: str | None = None
    ) -> tuple[bytes, str]:
        async def compute():
            scene = body.scene.model_dump(mode="json") if body.scene is not None else None
            return await self.backend.evaluate(
                body.problem.to_problem().model_dump(mode="json"), body.image_bytes(), scene
            )

        return await self._cached("evaluate", body, compute, cache_control)

    def models(self) -> dict[str, Any]:
        c, v = self.cfg.coder, self.cfg.validator
        return {
            "coder": {
                "engine": c.engine,
                "model": c.model,
                "language": c.language,
                "mode": c.mode,
                "base_url": c.base_url,
                "samples": c.samples,
                "attempts": c.attempts,
            },
            "validator": {
                "engine": v.engine,
                "model": v.model,
                "mode": v.mode,
                "base_url": v.base_url,
            },
            "render": {
                "languages": list(get_args(Language)),
                "scene_domains": sorted(domains()),
                "timeout_s": self.cfg.render.timeout_s,
            },
        }


# --- the FastAPI app ---------------------------------------------------------------------------


def make_api(cfg: SciRayConfig, gateway: Gateway, digest: bytes | None = None):
    """The FastAPI app of the service (built where it runs: on the ingress replica, or in a test)."""
    from fastapi import Depends, FastAPI, Header
    from fastapi.responses import JSONResponse, Response
    from fastapi.security import HTTPBearer

    from sciray import __version__

    app = FastAPI(
        title="SciRay diagrams",
        version=__version__,
        description=(
            "On-demand scientific diagrams: ImgCoder writes diagram code for a problem, the "
            "sandbox renders it, deterministic checks and quiz answering (R_inv) judge it. "
            "Send `Authorization: Bearer <token>` when the server sets serve.token_env."
        ),
    )
    open_paths = OPEN_PATHS if cfg.serve.public_docs else OPEN_PATHS - DOC_PATHS
    app.add_middleware(
        GuardMiddleware,
        max_body_bytes=cfg.serve.max_body_kb * 1024,
        digest=digest,
        open_paths=open_paths,
    )
    # Enforcement is GuardMiddleware's; this only shows the lock (and an Authorize button) in /docs.
    secured = [Depends(HTTPBearer(auto_error=False))] if digest is not None else []
    errors = {
        401: {"description": "missing or wrong bearer token"},
        413: {"description": "body over serve.max_body_kb"},
        503: {"description": "at capacity (Retry-After says when to retry)"},
        504: {"description": "over serve.request_timeout_s"},
    }

    def answer(data: bytes, cache: str) -> Response:
        return Response(content=data, media_type="application/json", headers={"X-Cache": cache})

    @app.exception_handler(HTTPFailure)
    async def failed(_request, f: HTTPFailure) -> JSONResponse:
        return JSONResponse({"detail": f.detail}, status_code=f.status, headers=f.headers)

    @app.post(
        "/v1/diagrams",
        response_model=DiagramResponse,
        dependencies=secured,
        responses=errors,
        summary="Draw a diagram for a problem (best candidate; optional quiz validation)",
    )
    async def diagrams(body: DiagramRequest, cache_control: str | None = Header(default=None)):
        return answer(*await gateway.diagram(body, cache_control))

    @app.post(
        "/v1/render",
        response_model=RenderResponse,
        dependencies=secured,
        responses=errors,
        summary="Render diagram code in the sandbox",
    )
    async def render(body: RenderRequest, cache_control: str | None = Header(default=None)):
        return answer(*await gateway.render(body, cache_control))

    @app.post(
        "/v1/evaluate",
        response_model=EvaluateResponse,
        dependencies=secured,
        responses=errors,
        summary="Answer a problem's quizzes from an image (R_inv) and run the checks on its scene",
    )
    async def evaluate(body: EvaluateRequest, cache_control: str | None = Header(default=None)):
        return answer(*await gateway.evaluate(body, cache_control))

    @app.get(
        "/v1/models", dependencies=secured, summary="The coder and validator engines and models"
    )
    async def models():
        return gateway.models()

    @app.get("/healthz", summary="Liveness (no auth)")
    async def healthz():
        return {"status": "ok", "cache_entries": len(gateway.cache)}

    return app


# --- an in-process backend (tests, the benchmark's baseline) -----------------------------------


class LocalBackend:
    """The plain services called in this process (a thread each), shaped like the Serve handles."""

    def __init__(
        self,
        render: RenderService,
        coder: DiagramService | None = None,
        evaluator: EvaluateService | None = None,
    ):
        self.render_service, self.coder, self.evaluator = render, coder, evaluator

    async def render(self, code: str, language: str = "python"):
        return await asyncio.to_thread(self.render_service.render, code, language)

    async def diagram(self, request: dict):
        if self.coder is None:
            raise ServiceError(501, "no coder configured")
        return await asyncio.to_thread(self.coder.diagram, request)

    async def evaluate(self, problem: dict, image: bytes | None, scene: dict | None):
        if self.evaluator is None:
            raise ServiceError(501, "no validator configured")
        return await asyncio.to_thread(self.evaluator.evaluate, problem, image, scene)
