"""Checking image bytes before anyone decodes them.

Images reach SciRay from render children (hostile code), shards, folders and HTTP clients. A
small file can declare a huge canvas (a 20000x20000 PNG compresses to a few hundred KiB), so
every decoder first reads the header alone and refuses dimensions over a pixel cap; only then
are pixels decoded. ``DEFAULT_MAX_PIXELS`` matches ``render.max_pixels``.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

DEFAULT_MAX_PIXELS = 16_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR = struct.Struct(">I4sIIBBBBB")


class ImageRejected(ValueError):
    """The bytes are not an acceptable image; the message is a one-line reason."""


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, its CRC checked; decodes no pixels.

    Raises ``ImageRejected`` for anything that is not a well-formed PNG header.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise ImageRejected("not a PNG (bad signature)")
    if len(data) < len(PNG_SIGNATURE) + _IHDR.size + 4:
        raise ImageRejected("truncated PNG header")
    length, kind, width, height, depth, colour, compression, filtering, interlace = (
        _IHDR.unpack_from(data, 8)
    )
    if length != 13 or kind != b"IHDR":
        raise ImageRejected("PNG does not start with an IHDR chunk")
    (crc,) = struct.unpack_from(">I", data, 8 + 8 + 13)
    if zlib.crc32(data[12 : 12 + 4 + 13]) != crc:
        raise ImageRejected("PNG header checksum is wrong")
    if width < 1 or height < 1 or width > 2**31 - 1 or height > 2**31 - 1:
        raise ImageRejected(f"PNG has impossible dimensions {width}x{height}")
    if (
        depth not in (1, 2, 4, 8, 16)
        or colour not in (0, 2, 3, 4, 6)
        or compression
        or filtering
        or interlace > 1
    ):
        raise ImageRejected("PNG header has invalid fields")
    return width, height


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageRejected(
            f"image of {width}x{height} pixels is over the cap of {max_pixels} pixels"
        )


def verify_png(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_bytes: int | None = None
) -> tuple[int, int]:
    """Check ``data`` is a PNG within the size and pixel caps, reading its header only.

    Returns (width, height); raises ``ImageRejected`` with the reason otherwise.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageRejected(f"image of {len(data)} bytes is over the cap of {max_bytes} bytes")
    width, height = png_size(data)
    check_pixels(width, height, max_pixels)
    return width, height


def open_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS):
    """A ``PIL.Image`` for ``data`` (any format PIL reads) whose dimensions were checked against
    ``max_pixels`` before any pixel was decoded. The caller decodes (``load``/``convert``).

    Raises ``ImageRejected`` for bytes PIL cannot identify or dimensions over the cap.
    """
    from PIL import Image

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageRejected(f"image is a {type(data).__name__}, not bytes")
    if not data:
        raise ImageRejected("image is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our cap decides
            image = Image.open(io.BytesIO(bytes(data)))  # reads the header only
    except Image.DecompressionBombError as exc:
        raise ImageRejected(" ".join(str(exc).split())[:200]) from None
    except Image.UnidentifiedImageError:  # its text names a BytesIO's memory address
        raise ImageRejected(
            f"cannot read image ({len(data)} bytes): not a format PIL knows"
        ) from None
    except Exception as exc:  # noqa: BLE001 - PIL raises many types for corrupt data
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ImageRejected(f"cannot read image ({len(data)} bytes): {reason}") from None
    if image.width < 1 or image.height < 1:
        raise ImageRejected(f"image has no pixels ({image.width}x{image.height})")
    check_pixels(image.width, image.height, max_pixels)
    return image
