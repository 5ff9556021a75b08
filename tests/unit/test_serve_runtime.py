"""Serve's process settings: the throughput-mode variables and the loopback gRPC bind (no Ray
started)."""

from __future__ import annotations

import pytest

from sciray.serve.runtime import (
    THROUGHPUT_ENV,
    apply_serve_env,
    keep_replica_grpc_on_loopback,
    loopback_address,
    serve_env,
)


@pytest.mark.parametrize(
    "address, expected",
    [
        ("[::]:0", "127.0.0.1:0"),
        ("[::]:50051", "127.0.0.1:50051"),
        ("0.0.0.0:9000", "127.0.0.1:9000"),
        ("127.0.0.1:0", "127.0.0.1:0"),
        ("10.1.2.3:0", "10.1.2.3:0"),
        ("[::1]:7", "[::1]:7"),
    ],
)
def test_loopback_address_rewrites_only_every_interface_binds(address, expected):
    assert loopback_address(address) == expected


def test_serve_env_follows_the_setting():
    assert serve_env(True) == THROUGHPUT_ENV and serve_env(True) is not THROUGHPUT_ENV
    assert THROUGHPUT_ENV["RAY_SERVE_THROUGHPUT_OPTIMIZED"] == "1"
    assert (
        THROUGHPUT_ENV["RAY_SERVE_ENABLE_DIRECT_INGRESS"] == "0"
    )  # needs HAProxy, which binds every interface
    assert serve_env(False) == {}


def test_apply_serve_env_never_overrides_what_the_user_set():
    environ = {"RAY_SERVE_ENABLE_DIRECT_INGRESS": "1", "PATH": "/bin"}
    added = apply_serve_env(True, environ)
    assert added == {"RAY_SERVE_THROUGHPUT_OPTIMIZED": "1"}
    assert environ == {
        "RAY_SERVE_ENABLE_DIRECT_INGRESS": "1",
        "PATH": "/bin",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
    }
    off = {}
    assert apply_serve_env(False, off) == {} and off == {}


def test_grpc_bind_is_kept_on_loopback_only_on_a_loopback_node(monkeypatch):
    from ray.serve._private import replica

    calls = []
    original = replica.add_port_to_grpc_server
    monkeypatch.setattr(
        replica, "add_port_to_grpc_server", lambda server, address: calls.append(address) or 4242
    )

    assert (
        keep_replica_grpc_on_loopback("10.0.0.5") is False
    )  # a cluster node: other nodes must reach it
    assert replica.add_port_to_grpc_server("srv", "[::]:0") == 4242 and calls == ["[::]:0"]

    assert keep_replica_grpc_on_loopback("127.0.0.1") is True
    patched = replica.add_port_to_grpc_server
    assert (
        keep_replica_grpc_on_loopback("127.0.0.1") is True
        and replica.add_port_to_grpc_server is patched
    )  # once
    assert patched("srv", "[::]:0") == 4242 and calls[-1] == "127.0.0.1:0"
    assert original is not patched
