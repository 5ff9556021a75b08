"""``sciray serve``: on-demand diagrams over HTTP (Ray Serve + FastAPI) until SIGTERM / SIGINT."""

from __future__ import annotations

import signal
import threading

import click

from sciray.cli.options import config_option, set_option

SHUTDOWN_TIMEOUT_S = 30.0


@click.command("serve")
@config_option
@set_option
def serve(config, set_) -> None:
    """Serve /v1/diagrams, /v1/render, /v1/evaluate, /v1/models, /healthz and /docs at
    serve.host:serve.port (127.0.0.1:8000 by default) on a local Ray, or on the cluster in
    ray.address. Set serve.token_env to require a bearer token. For vLLM coders deploy
    ray.serve.llm and point coder.engine=openai / coder.base_url at its OpenAI routes."""
    from sciray.config import load_config
    from sciray.errors import UserError
    from sciray.serve.runtime import LOOPBACK_HOSTS, apply_serve_env

    cfg = load_config(config, set_)
    s = cfg.serve
    if s.token_env is None and s.host not in LOOPBACK_HOSTS:
        click.echo(f"sciray: warning: serving on {s.host} without auth; set serve.token_env", err=True)

    from sciray.cluster.runtime import init_ray  # first: it keeps a local Ray on loopback

    if not cfg.ray.address:
        apply_serve_env(s.throughput_optimized)  # read by Serve's processes when they start

    import ray
    from ray import serve as ray_serve

    from sciray.serve.app import build_app, url_of

    app = build_app({"sciray": cfg.model_dump(mode="json")})  # config errors before Ray starts
    started_ray = not ray.is_initialized()
    init_ray(cfg.ray)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            ray_serve.start(http_options={"host": s.host, "port": s.port})
            ray_serve.run(app, name=s.app_name, route_prefix=s.route_prefix, blocking=False)
        except Exception as exc:  # noqa: BLE001 - Ray wraps the cause (RayActorError, RayTaskError...)
            raise UserError(_start_error(exc, s.host, s.port)) from None
        url = url_of(cfg)
        click.echo(f"serving on {url} (API docs: {url}docs); SIGTERM or Ctrl-C stops it", err=False)
        while not stop.wait(0.5):
            pass
        click.echo("stopping", err=True)
    finally:
        try:
            _bounded(ray_serve.shutdown, SHUTDOWN_TIMEOUT_S)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if started_ray:
                ray.shutdown()


def _start_error(exc: Exception, host: str, port: int) -> str:
    text = str(exc)
    if "Address already in use" in text:
        return f"{host}:{port} is already in use; pick another port with --set serve.port=N"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f"could not start the service on {host}:{port}: {lines[-1] if lines else type(exc).__name__}"


def _bounded(fn, timeout_s: float) -> None:
    """Run ``fn`` for at most ``timeout_s`` (a Ray whose processes were killed with the same
    signal cannot answer; the process then exits instead of hanging)."""
    done = threading.Thread(target=fn, name="sciray-serve-shutdown", daemon=True)
    done.start()
    done.join(timeout_s)
    if done.is_alive():
        click.echo(f"sciray: warning: Serve did not shut down within {timeout_s:g}s; exiting anyway", err=True)
