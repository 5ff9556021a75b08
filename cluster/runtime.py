"""Start or join a Ray cluster as the config says, keeping local clusters on 127.0.0.1."""

from __future__ import annotations

import logging

from sciray.cluster import LOCAL_RAY_ENV
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
    if cfg.address:
        log.info("joining Ray cluster at %s", cfg.address)
        return ray.init(address=cfg.address, **kwargs)
    _keep_local_ray_on_loopback()
    object_store = cfg.object_store_memory_mb * 1024 * 1024 if cfg.object_store_memory_mb else None
    return ray.init(
        num_cpus=cfg.num_cpus,
        num_gpus=cfg.num_gpus,
        object_store_memory=object_store,
        include_dashboard=cfg.include_dashboard,
        dashboard_host=LOOPBACK,
        _node_ip_address=LOOPBACK,
        _system_config={"worker_niceness": cfg.worker_niceness},
        **kwargs,
    )
