"""The warm fork-server: imports Matplotlib once, then forks one confined child per render.

Runs as its own single-threaded process (``python -m sciray.render.forkserver``) started by a
worker with a clean environment, so forking is safe even when the worker is a threaded Ray
actor, and no secret from the worker's environment reaches diagram code. Speaks the framing in
``protocol``: an init message, then one request/response per render.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
import tempfile
import time
from typing import Any

from sciray.config.models import RenderConfig
from sciray.render import child, protocol
from sciray.render.confine import confine, read_only_paths
from sciray.render.supervise import supervise

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
    fig.add_subplot(122, projection="3d").plot_surface(numpy.zeros((2, 2)), numpy.zeros((2, 2)), numpy.zeros((2, 2)))
    import io

    fig.savefig(io.BytesIO(), format="png")
    from sciray.render.scene import figure_scene

    figure_scene(fig)
    plt.close("all")
    child._created.clear()
    read_only_paths()


def _child_main(write_fd: int, scratch: str, code: str, cfg: RenderConfig) -> None:
    header: dict[str, Any]
    png = b""
    forked = time.perf_counter()
    try:
        devnull = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 1 << 16)
        os.chdir(scratch)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the file-size limit: EFBIG, not death
        mechanisms = confine(scratch, cpu_s=cfg.cpu_s, memory_mb=cfg.memory_mb, file_mb=cfg.scratch_mb,
                             open_files=cfg.open_files, require_landlock=not cfg.allow_without_landlock)
        mechanisms += ["pixel-cap", "scratch-quota", "wall-timeout", "bounded-output", "no-dumpable"]
        _max_pixels[0] = cfg.max_pixels
        setup_ms = round((time.perf_counter() - forked) * 1000, 2)
        header, png = child.run(code, dpi=cfg.dpi, allowed_imports=cfg.allowed_imports,
                                max_output=cfg.max_output_kb * 1024)
        header["sandbox"] = mechanisms
        header["timings"]["setup_ms"] = setup_ms
    except BaseException as exc:  # set-up failed: the code never ran
        header, png = {"status": "error", "error": f"sandbox set-up failed: {exc}"}, b""
    try:
        protocol.write_all(write_fd, protocol.encode(header, png))
    finally:
        os._exit(0)


def render_in_child(code: str, cfg: RenderConfig, scratch_root: str) -> tuple[dict, bytes]:
    started = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix="render-", dir=scratch_root)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child_main(write_fd, scratch, code, cfg)
    os.close(write_fd)
    try:
        outcome = supervise(pid, scratch, cfg, started + cfg.timeout_s, read_fd=read_fd,
                            max_bytes=_MAX_HEADER + cfg.max_png_mb * (1 << 20) + 16)
    finally:
        os.close(read_fd)
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = (time.perf_counter() - started) * 1000
    if outcome.killed:
        return {"status": outcome.killed[0], "error": outcome.killed[1], "ms": elapsed}, b""
    if outcome.signal_name:
        if outcome.signal_name in ("SIGXCPU", "SIGKILL"):
            return {"status": "timeout", "error": f"CPU time limit of {cfg.cpu_s} s reached", "ms": elapsed}, b""
        return {"status": "error", "error": f"render process died of {outcome.signal_name}", "ms": elapsed}, b""
    try:
        header, png = protocol.decode(outcome.data, _MAX_HEADER, cfg.max_png_mb << 20)
    except (protocol.ProtocolError, ValueError):
        return {"status": "error", "error": f"render process exited without a result (exit code {outcome.exit_code})",
                "ms": elapsed}, b""
    header["ms"] = elapsed
    return header, png


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
print(results)
"""


def self_test(cfg: RenderConfig, scratch_root: str) -> tuple[list[str], list[str]]:
    """Fork one restricted child that must fail to read a foreign file, open a socket, fork and
    signal its parent. Returns (mechanisms, escapes); any escape means refuse to serve."""
    foreign = tempfile.NamedTemporaryFile("w", prefix="sciray-selftest-", suffix=".txt", delete=False)
    foreign.write("secret")
    foreign.close()
    probe = cfg.model_copy(update={"allowed_imports": ["*"]})
    try:
        header, _ = render_in_child(f"FOREIGN = {foreign.name!r}\n" + SELF_TEST_CODE, probe, scratch_root)
    finally:
        os.unlink(foreign.name)
    if header.get("status") != "error" or "drew no figure" not in (header.get("error") or ""):
        return header.get("sandbox", []), [f"self-test did not run: {header.get('error')}"]
    import ast

    outcome = ast.literal_eval(header.get("stdout", "{}").strip() or "{}")
    expected = {"read_foreign_file", "socket", "fork", "kill_parent"}
    escapes = sorted(name for name, ok in outcome.items() if ok)
    if set(outcome) != expected:
        escapes.append(f"self-test incomplete: {sorted(outcome)}")
    return header.get("sandbox", []), escapes


def main() -> int:
    stdin = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints must never reach the protocol stream
    init, _ = protocol.read_message(stdin)
    cfg = RenderConfig.model_validate(init["config"])
    scratch_root = init["scratch_root"]
    language = init.get("language", "python")
    if language == "tikz":
        from sciray.render import tex

        try:
            tools = tex.prepare(cfg, scratch_root)
        except tex.TexUnavailable as exc:
            protocol.write_message(out, {"ready": False, "error": str(exc), "sandbox": []})
            return 3

        def render(code: str) -> tuple[dict, bytes]:
            return tex.render_tex(code, cfg, scratch_root, tools)

        def test() -> tuple[list[str], list[str]]:
            return tex.exec_self_test(cfg, scratch_root, tools)
    else:
        _warm_up(cfg)

        def render(code: str) -> tuple[dict, bytes]:
            return render_in_child(code, cfg, scratch_root)

        def test() -> tuple[list[str], list[str]]:
            return self_test(cfg, scratch_root)
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # children cannot read our /proc entries
    gc.collect()
    gc.freeze()  # keep copy-on-write pages shared with the children
    mechanisms, escapes = test()
    if escapes:
        protocol.write_message(out, {"ready": False, "error": "sandbox self-test failed: " + ", ".join(escapes),
                                     "sandbox": mechanisms})
        return 3
    if "landlock-fs" not in mechanisms:
        print("WARNING: SciRay renders WITHOUT Landlock (render.allow_without_landlock is set): "
              "filesystem isolation is weaker", file=sys.stderr, flush=True)
    extra = (["scratch-quota", "wall-timeout", "no-dumpable", "tex-no-shell-escape", "tex-paranoid-paths"]
             if language == "tikz" else [])
    protocol.write_message(out, {"ready": True, "sandbox": mechanisms + extra, "pid": os.getpid()})
    while True:
        try:
            request, _ = protocol.read_message(stdin)
        except protocol.ProtocolError:
            return 0  # the worker went away
        if request.get("op") == "exit":
            return 0
        header, png = render(request["code"])
        if language == "tikz":
            header["sandbox"] = mechanisms + extra
        protocol.write_message(out, header, png)


if __name__ == "__main__":
    sys.exit(main())
