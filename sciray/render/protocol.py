"""Framing between a worker, its fork-server and the render children.

The worker and its fork-server talk over a ``SOCK_SEQPACKET`` Unix socket: one small JSON
message per packet, and a render request carries two descriptors (the code to read, the pipe
to write the result to), so neither code nor result ever passes through the fork-server.

A render's result is a frame: a 4-byte big-endian length and a JSON header, then a length and
the PNG bytes (possibly empty). JSON, never pickle: the child runs hostile code, and unpickling
its output would hand it the reader. The reader treats every frame as hostile: ``decode``
raises only ``ProtocolError``, whatever the bytes.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from typing import Any, BinaryIO

_LEN = struct.Struct(">I")


class ProtocolError(Exception):
    pass


def encode(header: dict[str, Any], blob: bytes = b"") -> bytes:
    head = json.dumps(header, ensure_ascii=False, default=str).encode()
    return _LEN.pack(len(head)) + head + _LEN.pack(len(blob)) + blob


def write_message(stream: BinaryIO, header: dict[str, Any], blob: bytes = b"") -> None:
    stream.write(encode(header, blob))
    stream.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise ProtocolError(f"stream ended after {0 if not data else len(data)} of {n} bytes")
    return data


def read_message(
    stream: BinaryIO, max_header: int = 16 << 20, max_blob: int = 1 << 30
) -> tuple[dict, bytes]:
    (n,) = _LEN.unpack(_read_exact(stream, 4))
    if n > max_header:
        raise ProtocolError(f"header of {n} bytes is over {max_header}")
    header = json.loads(_read_exact(stream, n))
    (m,) = _LEN.unpack(_read_exact(stream, 4))
    if m > max_blob:
        raise ProtocolError(f"payload of {m} bytes is over {max_blob}")
    return header, _read_exact(stream, m)


def decode(buffer: bytes, max_header: int, max_blob: int) -> tuple[dict, bytes]:
    """Parse one message from a complete buffer (what a child wrote to its pipe)."""
    if len(buffer) < 4:
        raise ProtocolError("no result")
    (n,) = _LEN.unpack_from(buffer, 0)
    if n > max_header or 8 + n > len(buffer):
        raise ProtocolError("truncated or oversized header")
    try:
        header = json.loads(buffer[4 : 4 + n])
    except RecursionError:
        raise ProtocolError("header is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ProtocolError(f"header is not JSON ({type(exc).__name__})") from None
    (m,) = _LEN.unpack_from(buffer, 4 + n)
    if m > max_blob:
        raise ProtocolError(f"payload of {m} bytes is over {max_blob}")
    blob = buffer[8 + n : 8 + n + m]
    if len(blob) != m:
        raise ProtocolError("truncated payload")
    if len(buffer) != 8 + n + m:
        raise ProtocolError("bytes after the payload")
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header, blob


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


MAX_CONTROL = 1 << 20  # one control packet: the init message (config) is the largest


def send(
    sock: socket.socket, message: dict[str, Any], fds: list[int] | tuple[int, ...] = ()
) -> None:
    """One control packet, with ``fds`` passed alongside (SCM_RIGHTS)."""
    data = json.dumps(message).encode()
    if len(data) > MAX_CONTROL:
        raise ProtocolError(f"control message of {len(data)} bytes is over {MAX_CONTROL}")
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.sendall(data)


def receive(sock: socket.socket, max_fds: int = 2) -> tuple[dict[str, Any], list[int]]:
    """The next control packet and the descriptors that came with it; ProtocolError when the
    peer has gone."""
    try:
        data, fds, flags, _ = socket.recv_fds(sock, MAX_CONTROL, max_fds)
    except OSError as exc:
        raise ProtocolError(f"control socket failed: {exc}") from None
    if not data:
        for fd in fds:
            os.close(fd)
        raise ProtocolError("peer closed the control socket")
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            os.close(fd)
        raise ProtocolError("control message was truncated")
    message = json.loads(data)
    if not isinstance(message, dict):
        raise ProtocolError("control message is not an object")
    return message, fds
