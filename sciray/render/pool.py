"""Worker side of the sandbox: start fork-servers and hand them renders.

``ForkServer`` owns one server process; ``RenderPool`` keeps N of them warm and renders many
snippets concurrently (one in flight per server). A crashed server is restarted and the render
that was in flight reports an error; nothing else is affected.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from sciray.config.models import RenderConfig
from sciray.errors import SciRayError
from sciray.render import protocol
from sciray.render.result import RenderResult

log = logging.getLogger(__name__)


class SandboxError(SciRayError):
    """The sandbox could not be set up safely; the worker refuses to render."""


def clean_env(scratch_root: str) -> dict[str, str]:
    """The fork-server's whole environment: nothing inherited, so no secret reaches a render."""
    import matplotlib

    import sciray

    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": scratch_root,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": matplotlib.get_cachedir(),  # reuse the font cache instead of rebuilding it
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(sciray.__file__))),
    }
    return env


class ForkServer:
    """One warm fork-server process."""

    def __init__(self, cfg: RenderConfig, scratch_root: str | None = None, language: str = "python"):
        self.cfg = cfg
        self.language = language
        self._own_root = scratch_root is None
        self.scratch_root = scratch_root or tempfile.mkdtemp(prefix="sciray-scratch-")
        os.chmod(self.scratch_root, 0o711)
        self._lock = threading.Lock()
        self.sandbox: list[str] = []
        self.proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sciray.render.forkserver"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=clean_env(self.scratch_root), close_fds=True, start_new_session=True,
        )
        protocol.write_message(self.proc.stdin, {"config": self.cfg.model_dump(mode="json"),
                                                 "scratch_root": self.scratch_root, "language": self.language})
        try:
            ready, _ = protocol.read_message(self.proc.stdout)
        except protocol.ProtocolError:
            raise SandboxError(f"render worker failed to start: {self._stderr_tail()}") from None
        if not ready.get("ready"):
            self.close()
            raise SandboxError(ready.get("error") or "render worker refused to start")
        self.sandbox = list(ready.get("sandbox", []))

    def _stderr_tail(self) -> str:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {self.proc.returncode if self.proc else '?'}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def render(self, code: str) -> RenderResult:
        started = time.perf_counter()
        with self._lock:
            try:
                protocol.write_message(self.proc.stdin, {"code": code})
                header, png = protocol.read_message(self.proc.stdout)
            except (protocol.ProtocolError, BrokenPipeError, OSError) as exc:
                log.error("render worker died (%s); restarting it", exc)
                self._restart()
                return RenderResult(status="error", language=self.language, error=f"render worker crashed and was restarted ({exc})",
                                    ms=(time.perf_counter() - started) * 1000, sandbox=self.sandbox)
        return RenderResult(
            status=header["status"], language=self.language, error=header.get("error"), png=png or None,
            ms=(time.perf_counter() - started) * 1000,
            timings={"child_ms": header.get("ms", 0.0), **header.get("timings", {})},
            scene=header.get("scene"), sandbox=header.get("sandbox") or self.sandbox,
            stdout=header.get("stdout", ""), stderr=header.get("stderr", ""),
        )

    def _restart(self) -> None:
        self._terminate()
        self._start()

    def _terminate(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                protocol.write_message(self.proc.stdin, {"op": "exit"})
                self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc = None

    def close(self) -> None:
        self._terminate()
        if self._own_root:
            import shutil

            shutil.rmtree(self.scratch_root, ignore_errors=True)


class RenderPool:
    """N warm fork-servers rendering concurrently."""

    def __init__(self, cfg: RenderConfig, workers: int | None = None, language: str = "python"):
        self.cfg = cfg
        self.language = language
        self.workers = workers or cfg.workers or os.cpu_count() or 1
        with ThreadPoolExecutor(self.workers) as ex:  # start them side by side
            futures = [ex.submit(ForkServer, cfg, None, language) for _ in range(self.workers)]
        errors = [f.exception() for f in futures if f.exception()]
        self._servers = [f.result() for f in futures if not f.exception()]
        if errors:
            self.close()
            raise errors[0]
        self._idle: queue.Queue[ForkServer] = queue.Queue()
        for server in self._servers:
            self._idle.put(server)

    @property
    def sandbox(self) -> list[str]:
        return self._servers[0].sandbox if self._servers else []

    def render(self, code: str) -> RenderResult:
        server = self._idle.get()
        try:
            return server.render(code)
        finally:
            self._idle.put(server)

    def render_many(self, codes: Iterable[str]) -> list[RenderResult]:
        """Render in order; up to ``workers`` at once."""
        with ThreadPoolExecutor(self.workers) as ex:
            return list(ex.map(self.render, codes))

    def close(self) -> None:
        for server in self._servers:
            server.close()
        self._servers = []

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
