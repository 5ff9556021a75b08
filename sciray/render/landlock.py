"""Landlock (Linux >= 5.13) through its three syscalls.

Written against the kernel ABI directly rather than a binding because the Python packages on
PyPI (``landlock`` 1.0.0.dev*) cover only filesystem rules; we also need TCP rules (ABI 4) and
signal / abstract-socket scoping (ABI 6). Each feature is used when the running kernel has it,
and ``Ruleset.mechanisms`` says which ones are in force.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform

_SYSCALLS = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights and the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ_ONLY = READ_FILE | READ_DIR
SCRATCH = (
    READ_FILE | READ_DIR | WRITE_FILE | REMOVE_FILE | REMOVE_DIR | MAKE_DIR | MAKE_REG | TRUNCATE
)
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class LandlockError(OSError):
    pass


def _nr() -> tuple[int, int, int]:
    return _SYSCALLS.get(platform.machine(), (444, 445, 446))


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable or disabled."""
    create, _, _ = _nr()
    version = _libc.syscall(
        create, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION)
    )
    return max(int(version), 0)


class Ruleset:
    """Deny every handled access except the paths allowed, then ``restrict_self()``."""

    def __init__(self, abi: int | None = None):
        self.abi = abi_version() if abi is None else abi
        if self.abi < 1:
            raise LandlockError(errno.EOPNOTSUPP, "Landlock is not available in this kernel")
        fs = max(v for k, v in _FS_BY_ABI.items() if k <= self.abi)
        net = NET_BIND_TCP | NET_CONNECT_TCP if self.abi >= 4 else 0
        scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if self.abi >= 6 else 0
        attr = _RulesetAttr(fs, net, scoped)
        size = ctypes.sizeof(_RulesetAttr) if self.abi >= 6 else (16 if self.abi >= 4 else 8)
        create, _, _ = _nr()
        fd = _libc.syscall(create, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
        if fd < 0:
            err = ctypes.get_errno()
            raise LandlockError(err, f"landlock_create_ruleset: {os.strerror(err)}")
        self.fd = int(fd)
        self.handled_fs = fs
        self.mechanisms = (
            ["landlock-fs"]
            + (["landlock-net"] if net else [])
            + (["landlock-scope"] if scoped else [])
        )

    def allow(self, path: str, access: int) -> bool:
        """Allow ``access`` beneath ``path``; False when the path does not exist."""
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            if not os.path.isdir(path):
                access &= _FILE_RIGHTS
            attr = _PathBeneathAttr(access & self.handled_fs, fd)
            _, add_rule, _ = _nr()
            if (
                _libc.syscall(
                    add_rule,
                    ctypes.c_int(self.fd),
                    ctypes.c_int(RULE_PATH_BENEATH),
                    ctypes.byref(attr),
                    ctypes.c_uint32(0),
                )
                < 0
            ):
                err = ctypes.get_errno()
                raise LandlockError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
        finally:
            os.close(fd)
        return True

    def restrict_self(self) -> None:
        """Apply to this thread (and what it forks) for good; sets no_new_privs first."""
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise LandlockError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        _, _, restrict = _nr()
        if _libc.syscall(restrict, ctypes.c_int(self.fd), ctypes.c_uint32(0)) < 0:
            err = ctypes.get_errno()
            raise LandlockError(err, f"landlock_restrict_self: {os.strerror(err)}")
        os.close(self.fd)
