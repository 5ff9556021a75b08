"""The seccomp filter for render children (libseccomp through ``pyseccomp``).

Default-allow with a deny list: CPython, NumPy and Matplotlib need a long and version-dependent
list of ordinary syscalls, while what a diagram must never do is short and stable: make
sockets, start programs or processes, trace or signal others, change namespaces, mounts, ids or
limits, or load kernel code. Denied calls fail with EPERM (the program sees a PermissionError).

Renders of one worker pool share a uid, so everything that can reach another process of the
same uid is denied or limited to the caller itself: signals, priorities, CPU affinity and
scheduling policy, I/O priority, page migration, and the System V / POSIX IPC objects (shared
memory, message queues, semaphores) that would outlive a render and carry data to the next.
A render may not change file modes or its umask either, so it cannot hide files from the
scratch quota or its cleanup behind a folder nobody may read.
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
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    # new programs and processes
    "execve",
    "execveat",
    "fork",
    "vfork",
    # other processes
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "tkill",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    # namespaces, mounts, identity, limits, kernel
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsmount",
    "fsconfig",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "setfsuid",
    "setfsgid",
    "capset",
    "setrlimit",
    "prlimit64",
    "personality",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "adjtimex",
    "iopl",
    "ioperm",
    "quotactl",
    "mknod",
    "mknodat",
    "symlink",
    "symlinkat",
    "link",
    "linkat",
    "memfd_create",
    "seccomp",
    # System V and POSIX IPC: kernel objects that outlive the render and reach its siblings
    "shmget",
    "shmat",
    "shmctl",
    "shmdt",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "ipc",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    # other processes' memory placement
    "process_madvise",
    "process_mrelease",
    "migrate_pages",
    "move_pages",
    # file modes: an unreadable folder would hide files from the quota and survive cleanup
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "umask",
)

# (syscall, argument index holding the target pid): allowed only on the render itself.
SELF_ONLY = (
    ("sched_setaffinity", 0),
    ("sched_setscheduler", 0),
    ("sched_setparam", 0),
    ("sched_setattr", 0),
    ("setpriority", 1),
    ("ioprio_set", 1),
)
PRIO_PROCESS, IOPRIO_WHO_PROCESS = 0, 1
# mkdir modes without every owner right: a folder its supervisor could not list or clean.
_OWNER_RWX = 0o700


EXEC = ("execve", "execveat")


def _add(f, action, name: str, *args) -> None:
    try:
        f.add_rule(action, name, *args)
    except (RuntimeError, ValueError, OSError):
        pass  # a syscall this architecture (or this libseccomp) does not have


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
        _add(f, deny, name)
    # Signals only to itself; threads only (clone without CLONE_THREAD is a fork).
    f.add_rule(deny, "kill", sc.Arg(0, sc.NE, own_pid))
    f.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, own_pid))
    f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    # Priorities and scheduling of the render itself only (named by its pid; 0 is refused too,
    # since seccomp cannot compare one argument with two values in one rule).
    for name, index in SELF_ONLY:
        _add(f, deny, name, sc.Arg(index, sc.NE, own_pid))
    _add(f, deny, "setpriority", sc.Arg(0, sc.NE, PRIO_PROCESS))
    _add(f, deny, "ioprio_set", sc.Arg(0, sc.NE, IOPRIO_WHO_PROCESS))
    for owner in range(0, _OWNER_RWX, 0o100):
        _add(f, deny, "mkdir", sc.Arg(1, sc.MASKED_EQ, _OWNER_RWX, owner))
        _add(f, deny, "mkdirat", sc.Arg(2, sc.MASKED_EQ, _OWNER_RWX, owner))
    # clone3 passes its flags in memory, out of seccomp's sight: ENOSYS makes libc use clone.
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    f.load()
    return ["seccomp"]
