"""Expand a user-given location (path, fsspec URL, folder or glob) into the files to read."""

from __future__ import annotations

from dataclasses import dataclass

import fsspec
from fsspec.core import url_to_fs

from sciray.errors import UserError

# Suffix (after any compression suffix) -> reader format.
FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class SourceFile:
    """One file to read: its filesystem, path, display name and format."""

    fs: fsspec.AbstractFileSystem
    path: str
    name: str
    format: str


def file_format(path: str) -> str | None:
    """'jsonl' | 'json' | 'parquet' from the file name, ignoring a compression suffix."""
    lower = path.lower()
    for comp in COMPRESSIONS:
        if lower.endswith(comp):
            lower = lower[: -len(comp)]
            break
    for suffix, fmt in FORMATS.items():
        if lower.endswith(suffix):
            return fmt
    return None


def expand(location: str, storage_options: dict | None = None) -> list[SourceFile]:
    """The files at ``location``, sorted; raises UserError when there are none."""
    try:
        fs, path = url_to_fs(location, **(storage_options or {}))
    except (ImportError, ValueError) as exc:
        raise UserError(
            f"cannot open {location!r}: {exc}; for s3://, gs:// and similar URLs install the "
            "matching fsspec driver (s3fs, gcsfs, ...)"
        ) from exc
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]

    def display(p: str) -> str:
        return p if protocol == "file" else fs.unstrip_protocol(p)

    if any(c in path for c in _GLOB_CHARS):
        paths = [p for p in fs.glob(path) if not fs.isdir(p)]
        explicit = False
    elif fs.isdir(path):
        paths = fs.find(path)
        explicit = False
    elif fs.exists(path):
        paths = [path]
        explicit = True
    else:
        raise UserError(
            f"{location!r} does not exist; give a file, a folder or a glob of problem files"
        )

    files = []
    for p in sorted(paths):
        fmt = file_format(p)
        if fmt is None:
            if explicit:
                raise UserError(
                    f"{location!r} has an unknown format; use .jsonl, .json (array or lines) "
                    "or .parquet (optionally compressed: .gz, .bz2, .xz, .zst)"
                )
            continue
        files.append(SourceFile(fs=fs, path=p, name=display(p), format=fmt))
    if not files:
        raise UserError(
            f"no problem files (.jsonl, .json, .parquet) found at {location!r}; check the path or glob"
        )
    return files
