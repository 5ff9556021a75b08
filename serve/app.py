"""The Ray Serve application: thin deployments over the plain classes of ``handlers`` / ``http``.

    ingress (FastAPI: /v1/diagrams, /v1/render, /v1/evaluate, /v1/models, /healthz, /docs)
      |-> coder      ImgCoder + the coder.* engine; renders through the render deployment
      |-> render     warm sandbox pools; autoscales between serve.render_min/max_replicas
      '-> validator  quiz answering (R_inv) and the deterministic checks

``build_app(args)`` binds the graph (nothing is bound at import). ``args`` (from
``serve run``/RayService YAML or ``sciray serve``): ``config`` (a YAML config file), ``set`` (a list
of ``key=value`` overrides) or ``sciray`` (a whole config as a dict); ``SCIRAY_*`` env vars apply.

Backpressure: every deployment has ``max_ongoing_requests`` (per replica) and
``max_queued_requests`` (per caller); past them a call raises Serve's ``BackPressureError``,
which the ingress answers with 503 + Retry-After (the proxy does the same for the ingress).

vLLM coders: deploy ``ray.serve.llm`` (``build_openai_app``) as a second application, e.g. under
route prefix /llm, and point ``coder.engine=openai`` / ``coder.base_url=http://<host>:<port>/llm/v1``
at its OpenAI routes; ``coder.engine=vllm`` in a coder replica also works but serializes calls.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ray import serve as ray_serve
from ray.serve.config import BackpressureConfig
from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError

from sciray.config.models import CoderConfig, RenderConfig, SciRayConfig, ValidatorConfig
from sciray.errors import UserError
from sciray.serve.handlers import DiagramService, EvaluateService, RenderService
from sciray.serve.http import Gateway, make_api, resolve_token_digest
from sciray.serve.runtime import keep_replica_grpc_on_loopback

log = logging.getLogger(__name__)

OVERLOAD_ERRORS = (BackPressureError, DeploymentUnavailableError)


async def _await(response):
    """Await a DeploymentResponse; cancel the downstream request when this caller is cancelled
    (request timeout, client gone)."""
    try:
        return await response
    except asyncio.CancelledError:
        response.cancel()
        raise


class _Threads:
    """Blocking plain-class calls run on a pool sized to the replica's max_ongoing_requests."""

    def __init__(self, n: int):
        self._pool = ThreadPoolExecutor(max(1, n), thread_name_prefix="sciray-serve")

    async def run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)


# --- deployments ---------------------------------------------------------------------------------


@ray_serve.deployment(name="render")
class RenderDeployment:
    """``RenderService`` (warm sandboxed fork-servers) as an autoscaling deployment."""

    def __init__(self, render: dict, workers: int, max_ongoing: int):
        keep_replica_grpc_on_loopback()  # runs before Serve starts the replica's gRPC server
        self.service = RenderService(RenderConfig.model_validate(render), workers=workers)
        self._threads = _Threads(max_ongoing)

    async def render(self, code: str, language: str = "python"):
        return await self._threads.run(self.service.render, code, language)

    def check_health(self) -> None:
        if not self.service.healthy():
            raise RuntimeError("the render pool lost its fork-servers")

    def __del__(self):
        service = getattr(self, "service", None)
        if service is not None:
            service.close()


class HandleRenderer:
    """The render deployment as ImgCoder's renderer. ImgCoder calls it from a worker thread of
    the coder replica; the handle calls are made on the replica's event loop, where Serve's
    router lives when it does not run in a loop of its own (throughput mode)."""

    def __init__(self, handle, language: str, loop: asyncio.AbstractEventLoop):
        self._handle, self.language, self._loop = handle, language, loop

    def render(self, code: str):
        return self.render_many([code])[0]

    def render_many(self, codes):
        async def render_all():
            return await asyncio.gather(
                *(self._handle.render.remote(code, self.language) for code in codes)
            )

        return asyncio.run_coroutine_threadsafe(render_all(), self._loop).result()


@ray_serve.deployment(name="coder")
class CoderDeployment:
    """``DiagramService`` (ImgCoder with the coder.* engine) rendering through the render
    deployment; with ``validator`` (critique rounds configured) its visual critic too."""

    def __init__(self, coder: dict, render_handle, max_ongoing: int, validator: dict | None = None):
        keep_replica_grpc_on_loopback()  # runs before Serve starts the replica's gRPC server
        from sciray.coder.critic import build_critic
        from sciray.config.models import ValidatorConfig
        from sciray.llm import make_engine

        cfg = CoderConfig.model_validate(coder)
        critic = None
        if validator is not None:
            critic = build_critic(cfg, ValidatorConfig.model_validate(validator))
        self._loop: asyncio.AbstractEventLoop | None = (
            None  # the replica's, known once a request runs
        )
        self.service = DiagramService(
            cfg,
            make_engine(cfg),
            lambda lang: HandleRenderer(render_handle, lang, self._loop),
            critic=critic,
        )
        self._threads = _Threads(max_ongoing)

    async def diagram(self, request: dict) -> dict[str, Any]:
        self._loop = asyncio.get_running_loop()
        return await self._threads.run(self.service.diagram, request)


@ray_serve.deployment(name="validator")
class ValidatorDeployment:
    """``EvaluateService``: quiz answering with the validator.* engine, plus the checks."""

    def __init__(self, validator: dict, min_label_recall: float, max_ongoing: int):
        keep_replica_grpc_on_loopback()  # runs before Serve starts the replica's gRPC server
        from sciray.llm import make_engine

        cfg = ValidatorConfig.model_validate(validator)
        self.service = EvaluateService(cfg, make_engine(cfg), min_label_recall)
        self._threads = _Threads(max_ongoing)

    async def evaluate(
        self, problem: dict, image: bytes | None, scene: dict | None
    ) -> dict[str, Any]:
        return await self._threads.run(self.service.evaluate, problem, image, scene)


class HandleBackend:
    """The three deployment handles, shaped like ``http.LocalBackend``."""

    def __init__(self, render, coder, validator):
        self._render, self._coder, self._validator = render, coder, validator

    async def render(self, code: str, language: str = "python"):
        return await _await(self._render.render.remote(code, language))

    async def diagram(self, request: dict):
        return await _await(self._coder.diagram.remote(request))

    async def evaluate(self, problem: dict, image: bytes | None, scene: dict | None):
        return await _await(self._validator.evaluate.remote(problem, image, scene))


@ray_serve.deployment(name="ingress")
@ray_serve.ingress()
class Ingress:
    """The HTTP entry: a FastAPI app (``http.make_api``) built on the replica at start-up."""

    def __init__(self, cfg: dict, render, coder, validator, token_digest: bytes | None):
        keep_replica_grpc_on_loopback()  # runs before Serve starts the replica's gRPC server
        self._cfg = SciRayConfig.model_validate(cfg)
        # The token is read from this replica's environment when it has it (a Kubernetes secret),
        # else the SHA-256 taken where the app was built is used; never the token itself.
        self._digest = resolve_token_digest(self._cfg.serve.token_env, token_digest)
        self._gateway = Gateway(self._cfg, HandleBackend(render, coder, validator), OVERLOAD_ERRORS)

    def __serve_build_asgi_app__(self):
        return make_api(self._cfg, self._gateway, self._digest)


# --- the application -----------------------------------------------------------------------------


def _queue(n: int) -> int:
    return (
        1 if n == 0 else n
    )  # Ray's smallest bound is 1; 0 in our config means "as small as possible"


def load_app_config(args: dict | None) -> SciRayConfig:
    """The config ``build_app`` args describe (see the module doc)."""
    from sciray.config import load_config

    args = dict(args or {})
    unknown = set(args) - {"config", "set", "sciray"}
    if unknown:
        raise UserError(
            f"unknown build_app args {sorted(unknown)}; use 'config', 'set' or 'sciray'"
        )
    if args.get("sciray") is not None:
        return SciRayConfig.model_validate(args["sciray"])
    overrides = args.get("set") or []
    if isinstance(overrides, str):
        overrides = [overrides]
    return load_config(args.get("config"), list(overrides))


def build_app(args: dict | None = None):
    """The bound Serve application (ingress -> coder / render / validator) for ``args``."""
    cfg = load_app_config(args)
    s = cfg.serve
    if s.render_min_replicas > s.render_max_replicas:
        raise UserError(
            f"serve.render_min_replicas ({s.render_min_replicas}) is above "
            f"serve.render_max_replicas ({s.render_max_replicas})"
        )
    digest = None
    if s.token_env:
        digest = resolve_token_digest(s.token_env)
        if not digest:
            raise UserError(
                f"serve.token_env names {s.token_env} but it is not set here: "
                f"export {s.token_env}=<a long random token> (or leave serve.token_env empty)"
            )
    backpressure = BackpressureConfig(status_code=503, retry_after_s=s.retry_after_s)

    render = RenderDeployment.options(
        autoscaling_config={
            "min_replicas": s.render_min_replicas,
            "max_replicas": s.render_max_replicas,
            "initial_replicas": max(1, s.render_min_replicas),
            "target_ongoing_requests": s.render_workers,
        },
        max_ongoing_requests=s.render_max_ongoing_requests,
        max_queued_requests=_queue(s.render_max_queued_requests),
        backpressure_config=backpressure,
        ray_actor_options={"num_cpus": s.render_num_cpus},
    ).bind(cfg.render.model_dump(mode="json"), s.render_workers, s.render_max_ongoing_requests)
    coder = CoderDeployment.options(
        num_replicas=s.coder_replicas,
        max_ongoing_requests=s.coder_max_ongoing_requests,
        max_queued_requests=_queue(s.coder_max_queued_requests),
        backpressure_config=backpressure,
        ray_actor_options={"num_cpus": s.coder_num_cpus, "num_gpus": s.coder_num_gpus},
    ).bind(
        cfg.coder.model_dump(mode="json"),
        render,
        s.coder_max_ongoing_requests,
        cfg.validator.model_dump(mode="json") if cfg.coder.critique_rounds else None,
    )
    validator = ValidatorDeployment.options(
        num_replicas=s.validator_replicas,
        max_ongoing_requests=s.validator_max_ongoing_requests,
        max_queued_requests=_queue(s.validator_max_queued_requests),
        backpressure_config=backpressure,
        ray_actor_options={"num_cpus": s.validator_num_cpus},
    ).bind(
        cfg.validator.model_dump(mode="json"),
        cfg.coder.min_label_recall,
        s.validator_max_ongoing_requests,
    )
    return Ingress.options(
        num_replicas=s.ingress_replicas,
        max_ongoing_requests=s.ingress_max_ongoing_requests,
        max_queued_requests=_queue(s.ingress_max_queued_requests),
        backpressure_config=backpressure,
        ray_actor_options={"num_cpus": 0},
    ).bind(cfg.model_dump(mode="json"), render, coder, validator, digest)


def url_of(cfg: SciRayConfig) -> str:
    s = cfg.serve
    prefix = s.route_prefix if s.route_prefix.endswith("/") else s.route_prefix + "/"
    return f"http://{s.host}:{s.port}{prefix}"
