"""The warm fork-server: imports Matplotlib once, then forks one confined child per render.

Runs as its own single-threaded process (``python -m sciray.render.forkserver FD``) started by
a worker with a clean environment, so forking is safe even when the worker is a threaded Ray
actor, and no secret from the worker's environment reaches diagram code. Speaks ``protocol``'s
control packets on the socket FD: an init message, then per render a request carrying two
descriptors (code in, result out) and an answer saying how the child ended. The server never
sees a render's code or result, so no later child can find them in the memory it inherits; the
worker reads the result and decides what it is worth (``sciray.render.decide``).
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import socket
import sys
import tempfile
import time
from typing import Any

from sciray.config.models import RenderConfig
from sciray.render import child, protocol
from sciray.render.confine import confine, read_only_paths
from sciray.render.supervise import ChildOutcome, remove_tree, supervise

PR_SET_DUMPABLE = 4
_MAX_HEADER = 8 << 20
_max_pixels = [16_000_000]


def _warm_up(cfg: RenderConfig) -> None:
    """Import and exercise what diagrams use, so children start with it all in memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.patches  # noqa: F401
    import matplotlib.pyplot as plt
    import numpy  # noqa: F401
    from mpl_toolkits.mplot3d import Axes3D  # noqa: F401

    for optional in ("networkx", "schemdraw", "rdkit.Chem.Draw", "scipy.integrate"):
        if optional.split(".")[0] in cfg.allowed_imports or "*" in cfg.allowed_imports:
            try:
                __import__(optional)
            except Exception:
                pass
    plt.rcParams["figure.dpi"] = cfg.dpi
    child.install_matplotlib_hooks(_max_pixels)
    fig = plt.figure(figsize=(3, 2))
    ax = fig.add_subplot(121)
    ax.plot([0, 1], [0, 1], label="x")
    ax.set_title(r"$\alpha = 30^\circ$")
    ax.legend()
    ax.table(cellText=[["1"]], loc="bottom")
    fig.add_subplot(122, projection="3d").plot_surface(
        numpy.zeros((2, 2)), numpy.zeros((2, 2)), numpy.zeros((2, 2))
    )
    import io

    fig.savefig(io.BytesIO(), format="png")
    from sciray.render.scene import figure_scene

    figure_scene(fig)
    plt.close("all")
    child._created.clear()
    read_only_paths()


_shared_fds: tuple[int, ...] = ()  # set once after the warm-up, before any render


def shareable_fds() -> tuple[int, ...]:
    """Descriptors this server holds on files a render may read anyway, opened read-only: the
    font files Matplotlib keeps open. Children keep them, since the fonts cached in memory
    read glyphs through them (closing them breaks text at a size not drawn before)."""
    import fcntl
    import stat

    allowed = [p.rstrip("/") + "/" for p in read_only_paths()]
    keep = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if (
                not stat.S_ISREG(os.fstat(fd).st_mode)
                or fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
            ):
                continue
            path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if any(path.startswith(prefix) for prefix in allowed):
            keep.append(fd)
    return tuple(sorted(keep))


def close_all_but(keep: set[int]) -> None:
    """Close every descriptor from 3 up except ``keep``."""
    low = 3
    for fd in sorted(f for f in keep if f >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def read_code(fd: int, limit: int = 16 << 20) -> str:
    """The diagram code from the descriptor the worker passed (read whole, then closed)."""
    chunks, size = [], 0
    try:
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise ValueError(f"code is over {limit} bytes")
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _child_main(
    code_fd: int, result_fd: int, scratch: str, cfg: RenderConfig, report_sandbox: bool
) -> None:
    """In the forked child: take the code, confine, run, write the frame, exit. Never returns."""
    header: dict[str, Any]
    png = b""
    forked = time.perf_counter()
    try:
        devnull = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        close_all_but({code_fd, result_fd, *_shared_fds})
        code = read_code(code_fd)
        os.chdir(scratch)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the file-size limit: EFBIG, not death
        signal.signal(
            signal.SIGPIPE, signal.SIG_IGN
        )  # the worker stopped reading: EPIPE, then exit
        mechanisms = confine(
            scratch,
            cpu_s=cfg.cpu_s,
            memory_mb=cfg.memory_mb,
            file_mb=cfg.scratch_mb,
            open_files=cfg.open_files,
            require_landlock=not cfg.allow_without_landlock,
        )
        _max_pixels[0] = cfg.max_pixels
        setup_ms = round((time.perf_counter() - forked) * 1000, 2)
        header, png = child.run(
            code,
            dpi=cfg.dpi,
            allowed_imports=cfg.allowed_imports,
            max_output=cfg.max_output_kb * 1024,
        )
        header["timings"]["setup_ms"] = setup_ms
        if report_sandbox:  # the self-test's own code: what confine() put in force
            header["sandbox"] = mechanisms + CHILD_MECHANISMS
    except BaseException as exc:  # set-up failed: the code never ran
        header, png = {"status": "error", "error": f"sandbox set-up failed: {exc}"}, b""
    try:
        protocol.write_all(result_fd, protocol.encode(header, png))
    finally:
        os._exit(0)


# Enforced around every child by the fork-server and the worker (not by confine()).
CHILD_MECHANISMS = [
    "pixel-cap",
    "scratch-quota",
    "wall-timeout",
    "bounded-output",
    "no-dumpable",
    "private-result-channel",
    "supervisor-verified",
]


def spawn_render(
    code_fd: int,
    result_fd: int,
    cfg: RenderConfig,
    scratch_root: str,
    *,
    report_sandbox: bool = False,
) -> ChildOutcome:
    """Fork one confined child that reads ``code_fd`` and writes its frame to ``result_fd``; wait
    for it under the wall-clock deadline and the scratch quota. The fork-server never reads
    either descriptor: it closes its copies right after the fork."""
    started = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix="render-", dir=scratch_root)
    try:
        pid = os.fork()
        if pid == 0:
            _child_main(code_fd, result_fd, scratch, cfg, report_sandbox)
        os.close(code_fd)
        os.close(result_fd)
        return supervise(pid, scratch, cfg, started + cfg.timeout_s)
    finally:
        remove_tree(scratch)


def render_in_child(code: str, cfg: RenderConfig, scratch_root: str) -> tuple[ChildOutcome, bytes]:
    """Render trusted code (the self-test) and read its frame here. Tenant code never comes
    this way: its result goes straight to the worker."""
    code_fd = os.memfd_create("diagram")
    protocol.write_all(code_fd, code.encode())
    os.lseek(code_fd, 0, os.SEEK_SET)
    read_fd, write_fd = os.pipe()
    try:
        outcome = spawn_render(code_fd, write_fd, cfg, scratch_root, report_sandbox=True)
        with os.fdopen(os.dup(read_fd), "rb") as stream:
            data = stream.read(1 << 20)
    finally:
        os.close(read_fd)
    return outcome, data


SELF_TEST_CODE = """
import os, socket
results = {}
def attempt(name, fn):
    try:
        fn()
        results[name] = True
    except Exception:
        results[name] = False
attempt("read_foreign_file", lambda: open(FOREIGN).read())
attempt("socket", lambda: socket.socket())
def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
attempt("fork", _fork)
attempt("kill_parent", lambda: os.kill(os.getppid(), 0))
def _sysv_ipc():
    import ctypes
    assert ctypes.CDLL(None).shmget(0, 4096, 0o600) >= 0  # IPC_PRIVATE
attempt("sysv_ipc", _sysv_ipc)
attempt("renice_parent", lambda: os.setpriority(os.PRIO_PROCESS, os.getppid(), os.getpriority(os.PRIO_PROCESS, os.getppid())))
print(results)
"""


def self_test(cfg: RenderConfig, scratch_root: str) -> tuple[list[str], list[str]]:
    """Fork one restricted child that must fail to read a foreign file, open a socket, fork,
    signal or renice its parent and make a System V IPC object. Returns (mechanisms, escapes);
    any escape means refuse to serve."""
    foreign = tempfile.NamedTemporaryFile(
        "w", prefix="sciray-selftest-", suffix=".txt", delete=False
    )
    foreign.write("secret")
    foreign.close()
    probe = cfg.model_copy(update={"allowed_imports": ["*"]})
    try:
        outcome, data = render_in_child(
            f"FOREIGN = {foreign.name!r}\n" + SELF_TEST_CODE, probe, scratch_root
        )
    finally:
        os.unlink(foreign.name)
    try:
        header, _ = protocol.decode(data, _MAX_HEADER, 0)
    except protocol.ProtocolError as exc:
        return [], [f"self-test did not run: {outcome.describe() or exc}"]
    if header.get("status") != "error" or "drew no figure" not in (header.get("error") or ""):
        return header.get("sandbox", []), [f"self-test did not run: {header.get('error')}"]
    import ast

    outcome = ast.literal_eval(header.get("stdout", "{}").strip() or "{}")
    expected = {"read_foreign_file", "socket", "fork", "kill_parent", "sysv_ipc", "renice_parent"}
    escapes = sorted(name for name, ok in outcome.items() if ok)
    if set(outcome) != expected:
        escapes.append(f"self-test incomplete: {sorted(outcome)}")
    return header.get("sandbox", []), escapes


def preload(allowed: list[str]) -> None:
    """Import every allowed top-level module now, so a render finds it in memory whatever its
    identity may read (a standard library only root can read stays importable)."""
    for name in allowed:
        if name != "*" and name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # not installed: the render's own import fails as it would anyway
                pass


def serve_tex(code_fd: int, result_fd: int, cfg: RenderConfig, scratch_root: str, tools) -> dict:
    """A TikZ render: the tools run in confined children that ``execve`` at once, so no tenant
    code ever runs in a process holding this one's memory; the frame goes to the worker."""
    from sciray.render import tex

    try:
        try:
            header, png = tex.render_tex(read_code(code_fd), cfg, scratch_root, tools)
        except ValueError as exc:
            header, png = {"status": "error", "error": str(exc)}, b""
        try:
            protocol.write_all(result_fd, protocol.encode(header, png))
        except OSError:
            pass  # the worker stopped reading (result over its cap): it knows
    finally:
        os.close(result_fd)
    return {"exit_code": 0, "signal": None, "killed": None}


def main() -> int:
    sock = socket.socket(fileno=int(sys.argv[1]))
    os.dup2(2, 1)  # stray prints go to the log, never to a peer
    init, _ = protocol.receive(sock, max_fds=0)
    cfg = RenderConfig.model_validate(init["config"])
    scratch_root = init["scratch_root"]
    language = init.get("language", "python")
    if language == "tikz":
        from sciray.render import tex

        try:
            tools = tex.prepare(cfg, scratch_root)
        except tex.TexUnavailable as exc:
            protocol.send(sock, {"ready": False, "error": str(exc), "sandbox": []})
            return 3

        def render(code_fd: int, result_fd: int) -> dict:
            return serve_tex(code_fd, result_fd, cfg, scratch_root, tools)

        def test() -> tuple[list[str], list[str]]:
            return tex.exec_self_test(cfg, scratch_root, tools)
    else:
        _warm_up(cfg)
        preload(cfg.allowed_imports)
        if language == "scene":  # the domain renderers and their libraries, before any render
            import sympy  # noqa: F401  (the plot domain's formulas; ~0.5 s per child otherwise)

            from sciray.scene import domains

            domains()
        global _shared_fds
        _shared_fds = shareable_fds()

        def render(code_fd: int, result_fd: int) -> dict:
            return spawn_render(code_fd, result_fd, cfg, scratch_root).to_message()

        def test() -> tuple[list[str], list[str]]:
            return self_test(cfg, scratch_root)

    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # children cannot read our /proc entries
    gc.collect()
    gc.freeze()  # keep copy-on-write pages shared with the children
    mechanisms, escapes = test()
    if escapes:
        protocol.send(
            sock,
            {
                "ready": False,
                "error": "sandbox self-test failed: " + ", ".join(escapes),
                "sandbox": mechanisms,
            },
        )
        return 3
    if "landlock-fs" not in mechanisms:
        print(
            "WARNING: SciRay renders WITHOUT Landlock (render.allow_without_landlock is set): "
            "filesystem isolation is weaker",
            file=sys.stderr,
            flush=True,
        )
    extra = (
        [
            "scratch-quota",
            "wall-timeout",
            "no-dumpable",
            "tex-no-shell-escape",
            "tex-paranoid-paths",
            "private-result-channel",
            "supervisor-verified",
        ]
        if language == "tikz"
        else []
    )
    protocol.send(sock, {"ready": True, "sandbox": mechanisms + extra, "pid": os.getpid()})
    # What this process holds from here on is the operator's config and nothing of any render:
    # requests carry only descriptors, and a forked child inherits no earlier render's data.
    while True:
        try:
            request, fds = protocol.receive(sock)
        except protocol.ProtocolError:
            return 0  # the worker went away
        if request.get("op") == "exit":
            return 0
        if request.get("op") != "render" or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            protocol.send(
                sock, {"error": f"bad request {request.get('op')!r} with {len(fds)} descriptors"}
            )
            continue
        began = time.perf_counter()
        answer = render(*fds)
        answer["ms"] = (time.perf_counter() - began) * 1000
        protocol.send(sock, answer)


if __name__ == "__main__":
    sys.exit(main())
