"""How Serve's own processes run: Ray Serve's throughput mode and a loopback-only data plane.

Ray Serve reads its tuning flags from environment variables when each of its processes imports
it, so they must be in the environment of the Ray that hosts Serve: set here before a local Ray
starts (``sciray serve``, the tests, ``benchmarks/serve_load.py``), and on the nodes of a cluster
(the RayService manifest sets the same variables).

Ray Serve 2.60 starts an inter-deployment gRPC server in every replica on ``[::]:0``, on all
interfaces, whatever the HTTP host, and has no setting for it (ray-project/ray#64544). A local
SciRay must not listen beyond 127.0.0.1, so on a node whose Ray address is loopback each SciRay
deployment binds that server on 127.0.0.1 instead (``keep_replica_grpc_on_loopback``, called
first in each deployment's constructor, which Serve runs before it starts the server). On a
real cluster the node address is not loopback and nothing is changed: other nodes must reach it.
"""

from __future__ import annotations

import os

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")

THROUGHPUT_ENV = {
    # gRPC between replicas, user code and the router on the replica's own event loop, request
    # logs buffered and not on stderr, the garbage collector frozen after start-up
    "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
    # Direct ingress only pays off behind HAProxy (RAY_SERVE_ENABLE_HA_PROXY=1), which binds
    # every replica on all interfaces; without it each ingress replica would open an HTTP port
    # that nothing uses.
    "RAY_SERVE_ENABLE_DIRECT_INGRESS": "0",
}


def serve_env(throughput_optimized: bool) -> dict[str, str]:
    """The environment variables Serve's processes should start with for this setting."""
    return dict(THROUGHPUT_ENV) if throughput_optimized else {}


def apply_serve_env(throughput_optimized: bool, environ=None) -> dict[str, str]:
    """Put ``serve_env`` into ``environ`` (default ``os.environ``) before a local Ray starts; a
    variable the user already set wins. Returns what was set."""
    environ = os.environ if environ is None else environ
    added = {k: v for k, v in serve_env(throughput_optimized).items() if k not in environ}
    environ.update(added)
    return added


def loopback_address(address: str) -> str:
    """``[::]:PORT`` / ``0.0.0.0:PORT`` (every interface) -> ``127.0.0.1:PORT``; others unchanged."""
    for wildcard in ("[::]:", "0.0.0.0:"):
        if address.startswith(wildcard):
            return "127.0.0.1:" + address[len(wildcard) :]
    return address


def keep_replica_grpc_on_loopback(node_ip: str | None = None) -> bool:
    """On a loopback-only node, make this replica process bind Serve's inter-deployment gRPC
    server on 127.0.0.1. Returns whether it did (False on a cluster node, or when the Ray Serve
    version no longer has the hook, which a test notices)."""
    if node_ip is None:
        import ray

        node_ip = ray.util.get_node_ip_address()
    if node_ip not in LOOPBACK_HOSTS:
        return False
    from ray.serve._private import replica

    bind = getattr(replica, "add_port_to_grpc_server", None)
    if bind is None:
        return False
    if getattr(bind, "sciray_loopback", False):
        return True

    def bind_on_loopback(server, address):
        return bind(server, loopback_address(address))

    bind_on_loopback.sciray_loopback = True
    replica.add_port_to_grpc_server = bind_on_loopback
    return True
