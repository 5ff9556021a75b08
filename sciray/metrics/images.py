"""Decoding generated and reference images into same-size RGB arrays (never raises)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image

ImageInput = bytes | bytearray | memoryview | str | Path | None

# A bound on decoded pixels so that a hostile "image" cannot exhaust memory; checked from the
# header before any pixel is decoded (the same cap as everywhere else SciRay decodes images).
MAX_PIXELS = DEFAULT_MAX_PIXELS


def _read(data: ImageInput) -> tuple[bytes | None, str | None]:
    """The raw bytes of ``data`` (bytes, a local path, or an fsspec URL), or None and why."""
    if data is None:
        return None, "no image"
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        return (raw, None) if raw else (None, "empty image bytes")
    if isinstance(data, Path) or (isinstance(data, str) and "://" not in data):
        path = Path(data)
        if not str(data):
            return None, "empty image path"
        if not path.is_file():
            return None, f"file not found: {path}"
        try:
            return path.read_bytes(), None
        except OSError as exc:
            return None, f"cannot read {path}: {exc.strerror or exc}"
    if isinstance(data, str):
        try:
            import fsspec

            with fsspec.open(data, "rb") as fh:
                return fh.read(), None
        except Exception as exc:  # noqa: BLE001 - any fetch failure is a reason, never an exception
            return None, f"cannot read {data}: {type(exc).__name__}: {exc}"
    return None, f"unsupported image input of type {type(data).__name__}"


def load_rgb(
    data: ImageInput, size: int, max_pixels: int = MAX_PIXELS
) -> tuple[np.ndarray | None, str | None]:
    """Decode PNG/JPEG/... bytes, a path or a URL into a ``size x size x 3`` uint8 RGB array.

    Transparent images (RGBA, LA, palette with transparency) are composited on white, the way
    a diagram is shown; the image is resized to ``size x size`` with bicubic resampling (the
    aspect ratio is not kept: every pixel of both images is compared). Returns
    ``(array, None)``, or ``(None, reason)`` for a missing, empty or undecodable input, or one
    over ``max_pixels`` (seen in its header, nothing decoded); it never raises.
    """
    raw, why = _read(data)
    if raw is None:
        return None, why
    from PIL import Image

    try:
        img = open_image(raw, max_pixels=max_pixels)
    except ImageRejected as exc:
        if isinstance(
            exc.__context__, Image.UnidentifiedImageError
        ):  # PIL's text names a memory address
            return None, f"cannot decode image: not a recognised image format ({len(raw)} bytes)"
        return None, f"cannot decode image: {exc}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with img:
                img.load()
                if (
                    img.mode in ("RGBA", "LA", "PA")
                    or (img.mode == "P" and "transparency" in img.info)
                    or (img.mode in ("RGB", "L") and "transparency" in img.info)
                ):
                    rgba = img.convert("RGBA")
                    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                    rgb = Image.alpha_composite(white, rgba).convert("RGB")
                elif img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                    # 16-bit / float greyscale: scale to 8 bits instead of clipping at 255
                    arr = np.asarray(img, dtype=np.float64)
                    top = 65535.0 if img.mode.startswith("I;16") or arr.max() > 255 else 255.0
                    grey = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
                    rgb = Image.fromarray(grey, "L").convert("RGB")
                else:
                    rgb = img.convert("RGB")
            if rgb.size != (size, size):
                rgb = rgb.resize((size, size), Image.Resampling.BICUBIC)
            out = np.asarray(rgb, dtype=np.uint8)
    except Exception as exc:  # noqa: BLE001 - a corrupt image is a reason, never an exception
        return None, f"cannot decode image: {type(exc).__name__}: {exc}".rstrip(": ")
    if out.shape != (size, size, 3):
        return None, f"unexpected decoded shape {out.shape}"
    return np.ascontiguousarray(out), None
