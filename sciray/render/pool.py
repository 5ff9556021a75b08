"""Worker side of the sandbox: start fork-servers, hand them renders, judge the results.

``ForkServer`` owns one server process; ``RenderPool`` keeps N of them warm and renders many
snippets concurrently (one in flight per server). A crashed or silent server is restarted and
the render that was in flight reports an error; nothing else is affected.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import socket
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
from sciray.render.decide import decide, max_result_bytes
from sciray.render.result import RenderResult
from sciray.render.supervise import remove_tree
from sciray.types import RenderFailure

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
    if os.environ.get("SCIRAY_RENDER_IDENTITY"):  # see sciray.render.confine.render_identity
        env["SCIRAY_RENDER_IDENTITY"] = os.environ["SCIRAY_RENDER_IDENTITY"]
    return env


class ForkServer:
    """One warm fork-server process and the worker's side of every render it runs.

    Per render the worker hands the server two descriptors over the control socket: a memfd
    with the code and the write end of a fresh pipe. The child reads the first and writes its
    frame to the second; the worker reads the frame while the server watches the child, then
    ``decide`` turns both into the result. One render at a time per server.
    """

    # A server that answers nothing this long past the render's own deadline is restarted.
    GRACE_S = 30.0

    def __init__(
        self, cfg: RenderConfig, scratch_root: str | None = None, language: str = "python"
    ):
        self.cfg = cfg
        self.language = language
        self._own_root = scratch_root is None
        self.scratch_root = scratch_root or tempfile.mkdtemp(prefix="sciray-scratch-")
        os.chmod(self.scratch_root, 0o711)
        self._lock = threading.Lock()
        self.sandbox: list[str] = []
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self._start()

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sciray.render.forkserver", str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                env=clean_env(self.scratch_root),
                close_fds=True,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.sock = ours
        try:
            protocol.send(
                ours,
                {
                    "config": self.cfg.model_dump(mode="json"),
                    "scratch_root": self.scratch_root,
                    "language": self.language,
                },
            )
            ready, _ = protocol.receive(ours, max_fds=0)
        except (protocol.ProtocolError, OSError):
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
                outcome, data, overflow = self._exchange(
                    code, started + self.cfg.timeout_s + self.GRACE_S
                )
            except (protocol.ProtocolError, OSError, TimeoutError) as exc:
                log.error("render worker failed (%s); restarting it", exc)
                self._restart()
                failure = RenderFailure(
                    kind="crash", message=f"render worker crashed and was restarted ({exc})"
                )
                return RenderResult(
                    status="error",
                    language=self.language,
                    error=failure.text,
                    failure=failure,
                    ms=(time.perf_counter() - started) * 1000,
                    sandbox=self.sandbox,
                )
        return decide(
            outcome,
            data,
            overflow=overflow,
            cfg=self.cfg,
            language=self.language,
            sandbox=self.sandbox,
            ms=(time.perf_counter() - started) * 1000,
        )

    def _exchange(self, code: str, deadline: float) -> tuple[dict, bytes, bool]:
        """Send one render and collect (the server's outcome, the child's bytes, overflow)."""
        code_fd = os.memfd_create("diagram", os.MFD_CLOEXEC)
        read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        try:
            protocol.write_all(code_fd, code.encode("utf-8", errors="replace"))
            os.lseek(code_fd, 0, os.SEEK_SET)
            protocol.send(self.sock, {"op": "render"}, [code_fd, write_fd])
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(code_fd)
            os.close(write_fd)
        limit = max_result_bytes(self.cfg)
        buffer, overflow, outcome = bytearray(), False, None
        try:
            while outcome is None or read_fd >= 0:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError("render worker stopped answering")
                watch = [
                    fd for fd in (read_fd, self.sock.fileno() if outcome is None else -1) if fd >= 0
                ]
                ready, _, _ = select.select(watch, [], [], min(remaining, 1.0))
                if read_fd in ready:
                    chunk = os.read(read_fd, 1 << 16)
                    buffer += chunk
                    if not chunk or len(buffer) > limit:
                        overflow = len(buffer) > limit  # stop reading: the child's writes fail
                        os.close(read_fd)
                        read_fd = -1
                if outcome is None and self.sock.fileno() in ready:
                    outcome, _ = protocol.receive(self.sock, max_fds=0)
                    if "error" in outcome and "exit_code" not in outcome:
                        raise protocol.ProtocolError(outcome["error"])
        finally:
            if read_fd >= 0:
                os.close(read_fd)
        return outcome, bytes(buffer), overflow

    def _restart(self) -> None:
        self._terminate()
        self._start()

    def _terminate(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                protocol.send(self.sock, {"op": "exit"})
                self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired, ValueError, protocol.ProtocolError):
            self.proc.kill()
            self.proc.wait()
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.proc = None

    def close(self) -> None:
        self._terminate()
        if self._own_root:
            remove_tree(self.scratch_root)


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
