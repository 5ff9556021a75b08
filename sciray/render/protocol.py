"""Framing between a worker, its fork-server and the render children.

Frames are a 4-byte big-endian length and a payload; a message is a JSON header frame and a
bytes frame (the PNG, possibly empty). JSON, never pickle: the child runs hostile code, and
unpickling its output would hand it the server.
"""

from __future__ import annotations

import json
import os
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


def read_message(stream: BinaryIO, max_header: int = 16 << 20, max_blob: int = 1 << 30) -> tuple[dict, bytes]:
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
    header = json.loads(buffer[4:4 + n])
    (m,) = _LEN.unpack_from(buffer, 4 + n)
    if m > max_blob:
        raise ProtocolError(f"payload of {m} bytes is over {max_blob}")
    blob = buffer[8 + n:8 + n + m]
    if len(blob) != m:
        raise ProtocolError("truncated payload")
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header, blob


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
