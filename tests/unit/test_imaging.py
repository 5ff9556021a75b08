"""sciray.imaging: PNG headers checked before decoding, and PIL images opened under a pixel cap."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image, png_size, verify_png


def encode(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kw)
    return buffer.getvalue()


def with_ihdr_size(png: bytes, width: int, height: int, fix_crc: bool = True) -> bytes:
    """``png`` with its IHDR declaring ``width x height`` (the CRC recomputed unless told not to)."""
    body = bytearray(png[12 : 12 + 4 + 13])
    struct.pack_into(">II", body, 4, width, height)
    crc = zlib.crc32(bytes(body)) if fix_crc else struct.unpack_from(">I", png, 29)[0]
    return png[:12] + bytes(body) + struct.pack(">I", crc) + png[33:]


PNG = encode(Image.new("RGB", (40, 30), "white"))


def test_verify_png_accepts_a_normal_png_and_returns_its_size():
    assert verify_png(PNG) == (40, 30) == png_size(PNG)
    assert verify_png(PNG, max_pixels=1200, max_bytes=len(PNG)) == (40, 30)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "not a PNG"),
        (b"GIF89a" + b"\0" * 40, "not a PNG"),
        (encode(Image.new("RGB", (4, 4)), "JPEG"), "not a PNG"),
        (PNG[:20], "truncated"),
        (with_ihdr_size(PNG, 41, 30, fix_crc=False), "checksum"),
        (with_ihdr_size(PNG, 0, 30), "impossible dimensions"),
    ],
)
def test_verify_png_rejects_what_is_not_a_sound_png_header(data, reason):
    with pytest.raises(ImageRejected, match=reason):
        verify_png(data)


def test_verify_png_rejects_over_the_pixel_cap_and_over_max_bytes():
    huge = with_ihdr_size(PNG, 20000, 20000)  # a valid header declaring 400 MP, 100-odd bytes
    with pytest.raises(ImageRejected, match=r"20000x20000 pixels is over the cap of 16000000"):
        verify_png(huge)
    with pytest.raises(ImageRejected, match="over the cap of 1199 pixels"):
        verify_png(PNG, max_pixels=1199)
    with pytest.raises(ImageRejected, match=f"{len(PNG)} bytes is over the cap of 10 bytes"):
        verify_png(PNG, max_bytes=10)


def test_open_image_checks_the_cap_before_decoding():
    image = open_image(PNG)
    assert image.size == (40, 30) and image.convert("RGB").getpixel((0, 0)) == (255, 255, 255)
    with pytest.raises(ImageRejected, match="10000x10000 pixels is over the cap"):
        open_image(with_ihdr_size(PNG, 10000, 10000))  # under PIL's own bomb error, over our cap
    with pytest.raises(ImageRejected, match="decompression bomb"):
        open_image(with_ihdr_size(PNG, 20000, 20000))  # PIL refuses it first; still ImageRejected
    with pytest.raises(ImageRejected, match="over the cap of 1000"):
        open_image(PNG, max_pixels=1000)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"certainly not an image", "cannot read image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "cannot read image"),
        ("a string", "not bytes"),
    ],
)
def test_open_image_rejects_garbage_with_a_one_line_reason(data, reason):
    with pytest.raises(ImageRejected, match=reason) as exc:
        open_image(data)
    assert "\n" not in str(exc.value)


def test_open_image_rejects_an_over_cap_jpeg():
    jpeg = encode(Image.new("L", (5000, 4000), 255), "JPEG", quality=10)  # 20 MP, a few hundred KB
    assert len(jpeg) < 1024 * 1024
    with pytest.raises(ImageRejected, match="5000x4000 pixels is over the cap"):
        open_image(jpeg)
    assert open_image(jpeg, max_pixels=20_000_000).size == (5000, 4000)
    assert DEFAULT_MAX_PIXELS < 5000 * 4000
