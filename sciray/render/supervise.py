"""Watch one confined child from the fork-server: collect its output, enforce time and disk.

Used for both kinds of children: Python renders (which write a framed result to a pipe) and
executed tools such as pdflatex (which only exit). The wait is on a pidfd, so a child that
closes its pipe and then sleeps forever is still killed at the deadline.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import time
from dataclasses import dataclass

from sciray.config.models import RenderConfig


@dataclass
class ChildOutcome:
    """How a supervised child ended."""

    status: int
    """The raw wait status (``os.waitpid``)."""
    data: bytes = b""
    """Everything the child wrote to the result pipe."""
    killed: tuple[str, str] | None = None
    """(render status, error) when the child was killed: timeout or a limit."""

    @property
    def signal_name(self) -> str | None:
        if not os.WIFSIGNALED(self.status):
            return None
        number = os.WTERMSIG(self.status)
        try:
            return signal.Signals(number).name
        except ValueError:
            return f"signal {number}"

    @property
    def exit_code(self) -> int | None:
        return os.WEXITSTATUS(self.status) if os.WIFEXITED(self.status) else None

    def to_message(self) -> dict:
        """What the fork-server tells the worker about a render child: how it ended, never
        what it wrote."""
        return {
            "exit_code": self.exit_code,
            "signal": self.signal_name,
            "killed": list(self.killed) if self.killed else None,
        }

    def describe(self) -> str:
        if self.killed:
            return self.killed[1]
        if self.signal_name:
            return f"died of {self.signal_name}"
        return f"exit code {self.exit_code}"


def remove_tree(path: str) -> None:
    """Delete a scratch folder whatever modes the render left in it (a folder without owner
    rights is given them back first; the render's seccomp filter already denies chmod)."""

    def retry(_function, target, _exc) -> None:
        try:
            os.chmod(os.path.dirname(target), 0o700)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, 0o700)
                shutil.rmtree(target, onerror=retry)
            elif os.path.lexists(target):
                os.unlink(target)
        except OSError:
            pass

    shutil.rmtree(path, onerror=retry)


def scratch_usage(path: str, max_entries: int) -> tuple[int, int]:
    """(bytes, entries) under ``path``; stops counting past ``max_entries``."""
    total, entries, stack = 0, 0, [path]
    while stack and entries <= max_entries:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    entries += 1
                    st = entry.stat(follow_symlinks=False)
                    total += max(st.st_size, st.st_blocks * 512)
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total, entries


def supervise(
    pid: int,
    scratch: str,
    cfg: RenderConfig,
    deadline: float,
    *,
    read_fd: int | None = None,
    max_bytes: int = 0,
) -> ChildOutcome:
    """Wait for ``pid`` until it exits or ``deadline`` (a ``perf_counter`` time) passes,
    reading ``read_fd`` until EOF; kill it on timeout, oversized output or a scratch folder
    over quota. Always reaps the child."""
    pidfd = os.pidfd_open(pid)
    buffer = bytearray()
    killed: tuple[str, str] | None = None
    reading = read_fd is not None
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                killed = ("timeout", f"render took longer than {cfg.timeout_s:g} s (wall clock)")
                break
            watch = [read_fd, pidfd] if reading else [pidfd]
            ready, _, _ = select.select(watch, [], [], min(remaining, 0.1))
            if reading and read_fd in ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    reading = False  # EOF: now wait for the exit, still under the deadline
                    continue
                buffer += chunk
                if len(buffer) > max_bytes:
                    killed = ("limit", f"result is over {cfg.max_png_mb} MiB")
                    break
            elif pidfd in ready:
                if reading:  # exited: drain what is left in the pipe
                    while chunk := os.read(read_fd, 1 << 16):
                        buffer += chunk
                        if len(buffer) > max_bytes:
                            break
                break
            else:
                size, entries = scratch_usage(scratch, cfg.max_files)
                if size > cfg.scratch_mb << 20 or entries > cfg.max_files:
                    killed = (
                        "limit",
                        f"scratch quota exceeded ({size >> 20} MiB, {entries} entries; "
                        f"limits {cfg.scratch_mb} MiB, {cfg.max_files} entries)",
                    )
                    break
        if killed:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(pidfd)
    return ChildOutcome(status=status, data=bytes(buffer), killed=killed)
