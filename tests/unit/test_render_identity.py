"""Which identity a render takes, and the start-up self-test that refuses weak isolation."""

from __future__ import annotations

import os

from sciray.config.models import RenderConfig
from sciray.render import confine as confine_mod
from sciray.render import landlock, seccomp

identity = confine_mod.render_identity.__wrapped__  # uncached
ALL_CAPS = (1 << 41) - 1
READABLE = ("/usr/lib", "/usr/share")


def test_not_root_has_nothing_to_drop(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert identity(READABLE) == "unprivileged"


def test_root_with_capabilities_and_a_readable_python_becomes_nobody(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(confine_mod, "effective_capabilities", lambda: ALL_CAPS)
    monkeypatch.delenv("SCIRAY_RENDER_IDENTITY", raising=False)
    assert identity(READABLE) == "uid-nobody"


def test_root_that_cannot_change_ids_keeps_uid_0_without_capabilities(monkeypatch):
    """A container with every capability dropped: becoming nobody would fail (chown EPERM)."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(confine_mod, "effective_capabilities", lambda: 0)
    assert identity(READABLE) == "no-capabilities"


def test_a_standard_library_nobody_cannot_read_keeps_uid_0(monkeypatch, tmp_path):
    """A venv nobody can read over a base Python it cannot: as nobody, allowed stdlib modules
    would fail to import."""
    private = tmp_path / "private"
    (private / "lib" / "python3").mkdir(parents=True)
    os.chmod(private, 0o700)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(confine_mod, "effective_capabilities", lambda: ALL_CAPS)
    monkeypatch.delenv("SCIRAY_RENDER_IDENTITY", raising=False)
    assert identity((*READABLE, str(private / "lib" / "python3"))) == "no-capabilities"


def test_every_read_path_of_a_python_render_is_checked():
    import sysconfig

    paths = confine_mod.read_only_paths()
    for key in ("stdlib", "platstdlib", "purelib"):
        assert any(sysconfig.get_paths()[key].startswith(p) for p in paths), key


def test_root_without_capabilities_and_without_landlock_refuses_to_render(tmp_path):
    """uid 0 keeps owner rights on root-owned files: without Landlock it must not run code."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # in a child: confine() is irreversible when it does not refuse
        os.close(read_fd)
        verdict = b"ran"
        try:
            landlock.abi_version = lambda: 0
            confine_mod.render_identity = lambda *a: "no-capabilities"
            confine_mod.confine(
                str(tmp_path),
                cpu_s=5,
                memory_mb=2048,
                file_mb=4,
                open_files=64,
                require_landlock=False,
            )
        except landlock.LandlockError as exc:
            verdict = b"refused: " + str(exc).encode()
        except BaseException as exc:  # noqa: BLE001
            verdict = repr(exc).encode()
        os.write(write_fd, verdict)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as f:
        verdict = f.read().decode()
    os.waitpid(pid, 0)
    assert verdict.startswith("refused") and "root without Landlock" in verdict, verdict


def test_python_self_test_passes_and_catches_sysv_ipc(tmp_path, monkeypatch):
    from sciray.render import forkserver

    os.chmod(tmp_path, 0o711)
    cfg = RenderConfig(timeout_s=20)
    mechanisms, escapes = forkserver.self_test(cfg, str(tmp_path))
    assert escapes == []
    assert {"seccomp", "rlimits", "supervisor-verified", "private-result-channel"} <= set(
        mechanisms
    )
    # A filter that (wrongly) lets System V IPC through: the self-test says so.
    monkeypatch.setattr(
        seccomp, "DENIED", tuple(n for n in seccomp.DENIED if not n.startswith("shm"))
    )
    _, escapes = forkserver.self_test(cfg, str(tmp_path))
    assert escapes == ["sysv_ipc"]
    assert os.listdir(tmp_path) == []
