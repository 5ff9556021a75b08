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
        click.echo(
            f"sciray: warning: serving on {s.host} without auth; set serve.token_env", err=True
        )

    from sciray.cluster.runtime import init_ray  # first: it keeps a local Ray on loopback

    if not cfg.ray.address:
        apply_serve_env(s.throughput_optimized)  # read by Serve's processes when they start

    import ray
    from ray import serve as ray_serve

    from sciray.serve.app import build_app, url_of

    app = build_app({"sciray": cfg.model_dump(mode="json")})  # config errors before Ray starts
    started_ray = not ray.is_initialized()
    init_ray(cfg.ray)
    stopper = _Stopper()
    previous = {sig: signal.signal(sig, stopper) for sig in (signal.SIGTERM, signal.SIGINT)}
    interrupted = False
    try:
        try:
            ray_serve.start(http_options={"host": s.host, "port": s.port})
            # waits until every deployment is healthy: forever when one cannot be scheduled
            ray_serve.run(app, name=s.app_name, route_prefix=s.route_prefix, blocking=False)
        except _Stop:
            raise
        except Exception as exc:  # noqa: BLE001 - Ray wraps the cause (RayActorError, RayTaskError...)
            if stopper.signum is not None:
                # the handler's _Stop raised inside C code surfaces as a SystemError ("returned
                # a result with an exception set"): it is still the signal, not a start failure
                raise _Stop(stopper.signum) from None
            raise UserError(_start_error(exc, s.host, s.port)) from None
        stopper.started()
        url = url_of(cfg)
        click.echo(f"serving on {url} (API docs: {url}docs); SIGTERM or Ctrl-C stops it", err=False)
        while not stopper.stop.wait(0.5):
            pass
        click.echo("stopping", err=True)
    except _Stop as stop:
        interrupted = True
        click.echo(
            f"stopping ({signal.Signals(stop.signum).name} while the deployments were starting)",
            err=True,
        )
    finally:
        stopper.started()  # a signal during shutdown must not interrupt it (it is bounded)
        try:
            # Serve's graceful shutdown waits ~20 s for replicas that never started; a local Ray
            # of our own that never served anything is simply shut down with all of Serve in it
            if not (started_ray and interrupted):
                _bounded(ray_serve.shutdown, SHUTDOWN_TIMEOUT_S)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if started_ray:
                ray.shutdown()


class _Stop(BaseException):
    """Raised in the main thread by the first SIGTERM / SIGINT while Serve is starting. A
    BaseException, so Ray's and our ``except Exception`` let it through."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Stopper:
    """The SIGTERM / SIGINT handler. Once Serve runs, a signal only sets ``stop`` (the main loop
    polls it). Before that the main thread is inside ``serve.run``, which polls the deployments'
    status with no timeout and never looks at a flag, so the first signal raises ``_Stop`` there
    instead (Python runs handlers in the main thread, and Ray's waits check for signals)."""

    def __init__(self):
        self.stop = threading.Event()
        self.signum: int | None = None
        """The first signal received."""
        self._interrupt = True

    def started(self) -> None:
        self._interrupt = False

    def __call__(self, signum, frame) -> None:
        if self.stop.is_set():
            return  # already stopping; the shutdown is bounded
        self.signum = signum
        self.stop.set()
        if self._interrupt:
            self._interrupt = False
            raise _Stop(signum)


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
        click.echo(
            f"sciray: warning: Serve did not shut down within {timeout_s:g}s; exiting anyway",
            err=True,
        )
