"""Start or join a Ray cluster as the config says, keeping local clusters on 127.0.0.1."""

from __future__ import annotations

import logging

from sciray.cluster import LOCAL_RAY_ENV, arrow_wire
from sciray.config.models import RayConfig

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


def local_ray_env() -> dict[str, str]:
    """Environment variables every local Ray (driver, tests, workers) must start with."""
    return dict(LOCAL_RAY_ENV)


def _keep_local_ray_on_loopback() -> None:
    # If Ray was imported before sciray.cluster, its constant was read with the default and
    # Ray would resolve 127.0.0.1 to the machine's public address; correct it before starting.
    from ray._private import ray_constants

    if getattr(ray_constants, "ENABLE_RAY_CLUSTER", False):
        log.warning("ray was imported before sciray.cluster; forcing a loopback-only local Ray")
        ray_constants.ENABLE_RAY_CLUSTER = False


def init_ray(cfg: RayConfig, **extra):
    """``ray.init`` for ``cfg``: join ``cfg.address``, or start a local Ray bound to 127.0.0.1."""
    import ray

    if ray.is_initialized():
        return ray.get_runtime_context()
    kwargs = dict(namespace=cfg.namespace, log_to_driver=True, **extra)
    kwargs["runtime_env"] = _with_arrow_wire(kwargs.get("runtime_env"))
    if cfg.address:
        log.info("joining Ray cluster at %s", cfg.address)
        context = ray.init(address=cfg.address, **kwargs)
        arrow_wire.install()
        return context
    _keep_local_ray_on_loopback()
    object_store = cfg.object_store_memory_mb * 1024 * 1024 if cfg.object_store_memory_mb else None
    context = ray.init(
        num_cpus=cfg.num_cpus,
        num_gpus=cfg.num_gpus,
        object_store_memory=object_store,
        include_dashboard=cfg.include_dashboard,
        dashboard_host=LOOPBACK,
        _node_ip_address=LOOPBACK,
        _system_config={"worker_niceness": cfg.worker_niceness},
        **kwargs,
    )
    arrow_wire.install()
    return context


def _with_arrow_wire(runtime_env: dict | None) -> dict:
    """``runtime_env`` with the Arrow IPC serializer as every worker's setup hook, unless the
    job (``ray job submit --runtime-env``) or the caller already has a hook of its own: two
    cannot be merged, and the IPC form is only faster, not needed."""
    import json
    import os

    from ray._private.runtime_env.constants import RAY_JOB_CONFIG_JSON_ENV_VAR

    runtime_env = dict(runtime_env or {})
    job = json.loads(os.environ.get(RAY_JOB_CONFIG_JSON_ENV_VAR) or "{}")
    if "worker_process_setup_hook" in ((job.get("runtime_env") or {}) | runtime_env):
        log.info("a worker_process_setup_hook is set already; Arrow blocks keep Ray's reducer")
        return runtime_env
    runtime_env["worker_process_setup_hook"] = arrow_wire.HOOK
    return runtime_env
