"""tests/ray: one local Ray cluster per session, bound to 127.0.0.1."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ray_cluster():
    from sciray.cluster.runtime import init_ray
    from sciray.config.models import RayConfig, ServeConfig
    from sciray.serve.runtime import apply_serve_env

    apply_serve_env(ServeConfig().throughput_optimized)  # Serve's tests run in sciray serve's mode

    import ray

    init_ray(RayConfig(num_cpus=4))
    yield ray
    ray.shutdown()
