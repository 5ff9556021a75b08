"""Preparing an image for a vision model (pure): decode, downscale, re-encode, describe."""

from __future__ import annotations

import io

from PIL import Image

from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image

FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG"}
MIME = {"png": "image/png", "jpeg": "image/jpeg"}


class BadImage(ValueError):
    """The bytes are not a decodable image; the message is a one-line reason."""


def sniff_mime(data: bytes) -> str:
    """``image/png`` or ``image/jpeg`` from the magic bytes (PNG when unknown)."""
    return "image/jpeg" if data[:3] == b"\xff\xd8\xff" else "image/png"


def _decode(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """The decoded image; its header is checked against ``max_pixels`` before any pixel is read."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise BadImage(f"image is a {type(data).__name__}, not bytes")
    if not data:
        raise BadImage("image is empty (0 bytes)")
    try:
        img = open_image(data, max_pixels=max_pixels)
    except ImageRejected as exc:
        raise BadImage(f"cannot decode image: {exc}") from None
    try:
        img.load()
    except Exception as exc:  # noqa: BLE001 - PIL raises many types for corrupt data
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise BadImage(f"cannot decode image ({len(data)} bytes): {reason}") from None
    return img


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


def prepare_image(
    data: bytes,
    max_side: int,
    fmt: str = "png",
    quality: int = 90,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[bytes, dict]:
    """``data`` (PNG, JPEG, ...) downscaled so its longer side is at most ``max_side`` (aspect
    kept, never upscaled) and encoded as ``fmt``; JPEG gets transparency composited on white.

    Returns the bytes and the record stored with results: ``width``, ``height``, ``format``,
    ``quality`` (None for PNG), ``bytes``, ``source_width``, ``source_height``.
    Raises ``BadImage`` for undecodable input or one over ``max_pixels`` (refused from its header,
    nothing decoded), ``ValueError`` for an unknown ``fmt``.
    """
    key = fmt.lower()
    if key not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; use png or jpeg")
    if max_side < 1:
        raise ValueError(f"max_side must be >= 1, got {max_side}")
    key = "jpeg" if key == "jpg" else key
    img = _decode(data, max_pixels)
    src_w, src_h = img.size
    if max(src_w, src_h) > max_side:
        scale = max_side / max(src_w, src_h)
        size = (max(1, round(src_w * scale)), max(1, round(src_h * scale)))
        if img.mode not in ("RGB", "RGBA", "L", "LA"):
            img = img.convert("RGBA" if _has_alpha(img) else "RGB")
        img = img.resize(size, Image.LANCZOS)
    out = io.BytesIO()
    if key == "jpeg":
        if _has_alpha(img):
            rgba = img.convert("RGBA")
            base = Image.new("RGB", rgba.size, (255, 255, 255))
            base.paste(rgba, mask=rgba.getchannel("A"))
            img = base
        elif img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(out, format="JPEG", quality=int(quality))
    else:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            img = img.convert("RGBA" if _has_alpha(img) else "RGB")
        img.save(out, format="PNG", optimize=False)
    encoded = out.getvalue()
    record = {
        "width": img.width,
        "height": img.height,
        "format": key,
        "quality": int(quality) if key == "jpeg" else None,
        "bytes": len(encoded),
        "source_width": src_w,
        "source_height": src_h,
    }
    return encoded, record
