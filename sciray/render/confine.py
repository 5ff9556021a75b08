"""Confine the current (freshly forked) process: rlimits, privileges, Landlock, seccomp.

Order matters: identity, then limits (setuid/setrlimit are denied later), then Landlock
(filesystem, TCP, signal scope), then seccomp. Returns the mechanisms actually in force.
"""

from __future__ import annotations

import ctypes
import os
import resource
import stat
import sys
import sysconfig
from functools import cache

from sciray.render import landlock, seccomp

NOBODY = 65534
_PR_CAPBSET_DROP = 24


@cache  # computed in the fork-server before any fork: children only read the answer
def read_only_paths() -> tuple[str, ...]:
    """What a render may read: the Python installation, its packages, Matplotlib data, fonts."""
    import matplotlib

    paths = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        matplotlib.get_data_path(),
        matplotlib.get_cachedir(),
    }
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(sysconfig.get_paths()[key])
    paths.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    paths.update(
        (
            "/usr/share/fonts",
            "/usr/local/share/fonts",
            "/usr/lib",
            "/lib",
            "/usr/lib64",
            "/lib64",
            "/dev/urandom",
            "/dev/null",
            "/etc/localtime",
        )
    )
    return tuple(sorted(p for p in paths if os.path.exists(p)))


def set_rlimits(*, cpu_s: int, memory_mb: int, file_mb: int, open_files: int) -> None:
    """Soft == hard, so the render cannot raise them again."""
    limits = {
        resource.RLIMIT_CPU: (cpu_s, cpu_s),
        resource.RLIMIT_AS: (memory_mb << 20, memory_mb << 20),
        resource.RLIMIT_FSIZE: (file_mb << 20, file_mb << 20),
        resource.RLIMIT_NOFILE: (open_files, open_files),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_NPROC: (0, 0),
    }
    for which, value in limits.items():
        resource.setrlimit(which, value)


def _reachable_by_nobody(path: str) -> bool:
    path = os.path.abspath(path)
    while True:
        mode = os.stat(path).st_mode
        if not mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


_CAP_CHOWN, _CAP_SETGID, _CAP_SETUID = 0, 6, 7


def effective_capabilities() -> int:
    """This process's effective capability mask (``CapEff`` in /proc/self/status)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return 0


@cache  # decided in the fork-server before any fork: children only read the answer
def render_identity(needed: tuple[str, ...] | None = None) -> str:
    """How a render drops its identity: 'unprivileged' (not root: nothing to drop), 'uid-nobody'
    (root that may change ids, and 'nobody' can reach everything a render reads: the Python
    installation, its standard library and packages) or 'no-capabilities' (uid 0 with every
    capability dropped). Set ``SCIRAY_RENDER_IDENTITY=no-capabilities`` to force the last one
    (a container whose Python only root can read behaves so)."""
    if os.geteuid() != 0:
        return "unprivileged"
    forced = os.environ.get("SCIRAY_RENDER_IDENTITY")
    if forced == "no-capabilities":
        return forced
    caps = effective_capabilities()
    may_switch = all(caps >> bit & 1 for bit in (_CAP_CHOWN, _CAP_SETGID, _CAP_SETUID))
    paths = read_only_paths() if needed is None else needed
    if may_switch and all(_reachable_by_nobody(p) for p in paths if os.path.exists(p)):
        return "uid-nobody"
    return "no-capabilities"


def _drop_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last capability: ignored

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def drop_privileges(scratch: str, identity: str) -> list[str]:
    """Become the render identity chosen by ``render_identity``. A root without capabilities
    cannot bypass file permissions, signal other users or undo the sandbox; it still owns every
    root-owned file, which is why that identity is only used together with Landlock."""
    if identity == "uid-nobody":
        os.chown(scratch, NOBODY, NOBODY)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    elif identity == "no-capabilities":
        _drop_capabilities()
    return [identity]


def confine(
    scratch: str,
    *,
    cpu_s: int,
    memory_mb: int,
    file_mb: int,
    open_files: int,
    require_landlock: bool = True,
    read_paths: tuple[str, ...] | None = None,
    exec_paths: tuple[str, ...] = (),
) -> list[str]:
    """Apply every layer to this process; the scratch folder is the only writable place.

    ``read_paths`` defaults to the Python installation (a Python render). ``exec_paths`` are
    the only files this process may execute (Landlock EXECUTE); when given, seccomp lets
    ``execve`` through so the process can become that tool, and nothing else runs.
    """
    mechanisms = ["fork-server", "clean-env"]
    identity = render_identity(tuple(read_paths or ()) + exec_paths if exec_paths else None)
    if identity == "no-capabilities" and landlock.abi_version() < 1:
        # uid 0 keeps owner rights on every root-owned file: only Landlock fences it in.
        raise landlock.LandlockError(
            95,
            "renders would run as root without Landlock (Python is not "
            "readable by 'nobody' or ids cannot be changed); refusing",
        )
    # Identity before limits: setuid with RLIMIT_NPROC already 0 would make execve fail (EAGAIN).
    if identity == "uid-nobody" and not _reachable_by_nobody(
        os.path.dirname(os.path.abspath(scratch))
    ):
        identity = "no-capabilities"
    mechanisms += drop_privileges(scratch, identity)
    os.umask(0o077)  # before seccomp denies umask: new files and folders stay the render's own
    set_rlimits(cpu_s=cpu_s, memory_mb=memory_mb, file_mb=file_mb, open_files=open_files)
    mechanisms.append("rlimits")
    if landlock.abi_version() >= 1:
        ruleset = landlock.Ruleset()
        for path in read_only_paths() if read_paths is None else read_paths:
            ruleset.allow(path, landlock.READ_ONLY)
        for path in exec_paths:
            ruleset.allow(path, landlock.READ_ONLY | landlock.EXECUTE)
        ruleset.allow(scratch, landlock.SCRATCH)
        ruleset.restrict_self()
        mechanisms += ruleset.mechanisms
    elif require_landlock:
        raise landlock.LandlockError(95, "Landlock is not available")
    mechanisms += seccomp.install(os.getpid(), allow_exec=bool(exec_paths))
    return mechanisms
