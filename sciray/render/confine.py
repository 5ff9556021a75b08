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

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, matplotlib.get_data_path(), matplotlib.get_cachedir()}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(sysconfig.get_paths()[key])
    paths.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    paths.update(("/usr/share/fonts", "/usr/local/share/fonts", "/usr/lib", "/lib", "/usr/lib64", "/lib64",
                  "/dev/urandom", "/dev/null", "/etc/localtime"))
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


def _drop_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last capability: ignored

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def drop_privileges(scratch: str, needed: tuple[str, ...]) -> list[str]:
    """As root: become nobody when everything in ``needed`` is reachable to it, else keep uid 0
    with every capability dropped (a root without capabilities cannot bypass permissions,
    signal other users or undo the sandbox). Not root: nothing to drop."""
    if os.geteuid() != 0:
        return ["unprivileged"]
    if all(_reachable_by_nobody(p) for p in (*needed, os.path.dirname(os.path.abspath(scratch)))):
        os.chown(scratch, NOBODY, NOBODY)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        return ["uid-nobody"]
    _drop_capabilities()
    return ["no-capabilities"]


def confine(scratch: str, *, cpu_s: int, memory_mb: int, file_mb: int, open_files: int,
            require_landlock: bool = True, read_paths: tuple[str, ...] | None = None,
            exec_paths: tuple[str, ...] = ()) -> list[str]:
    """Apply every layer to this process; the scratch folder is the only writable place.

    ``read_paths`` defaults to the Python installation (a Python render). ``exec_paths`` are
    the only files this process may execute (Landlock EXECUTE); when given, seccomp lets
    ``execve`` through so the process can become that tool, and nothing else runs.
    """
    mechanisms = ["fork-server", "clean-env"]
    # Identity before limits: setuid with RLIMIT_NPROC already 0 would make execve fail (EAGAIN).
    mechanisms += drop_privileges(scratch, needed=(*exec_paths,) if exec_paths else (sys.prefix,))
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
