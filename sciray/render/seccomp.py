"""The seccomp filter for render children (libseccomp through ``pyseccomp``).

Default-allow with a deny list: CPython, NumPy and Matplotlib need a long and version-dependent
list of ordinary syscalls, while what a diagram must never do is short and stable: make
sockets, start programs or processes, trace or signal others, change namespaces, mounts, ids or
limits, or load kernel code. Denied calls fail with EPERM (the program sees a PermissionError).
"""

from __future__ import annotations

import errno
import os

# Imported here, in the fork-server: pyseccomp locates libc on import (running tools and
# writing temp files), which a confined child may no longer do.
import pyseccomp as sc

CLONE_THREAD = 0x00010000

DENIED = (
    # network
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # new programs and processes
    "execve", "execveat", "fork", "vfork",
    # other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "tkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    # namespaces, mounts, identity, limits, kernel
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
    "fsopen", "fsmount", "fsconfig", "setuid", "setgid", "setreuid", "setregid", "setresuid",
    "setresgid", "setgroups", "setfsuid", "setfsgid", "capset", "setrlimit", "prlimit64",
    "personality", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "init_module", "finit_module",
    "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct",
    "settimeofday", "clock_settime", "adjtimex", "iopl", "ioperm", "quotactl", "mknod", "mknodat",
    "symlink", "symlinkat", "link", "linkat", "memfd_create", "seccomp",
)


EXEC = ("execve", "execveat")


def install(own_pid: int | None = None, *, allow_exec: bool = False) -> list[str]:
    """Load the filter into this process (irreversible); returns the mechanism names.

    ``allow_exec`` lets ``execve`` through for a child that must become a tool (pdflatex);
    Landlock's EXECUTE right then decides which files it may run, and fork stays denied.
    """
    own_pid = os.getpid() if own_pid is None else own_pid
    deny = sc.ERRNO(errno.EPERM)
    f = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED:
        if allow_exec and name in EXEC:
            continue
        try:
            f.add_rule(deny, name)
        except (RuntimeError, ValueError, OSError):
            continue  # a syscall this architecture does not have
    # Signals only to itself; threads only (clone without CLONE_THREAD is a fork).
    f.add_rule(deny, "kill", sc.Arg(0, sc.NE, own_pid))
    f.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, own_pid))
    f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    # clone3 passes its flags in memory, out of seccomp's sight: ENOSYS makes libc use clone.
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    f.load()
    return ["seccomp"]
