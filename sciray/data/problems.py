"""Load problems from JSON Lines, JSON arrays and Parquet; quarantine bad rows, never stop.

A bad row (invalid JSON, undecodable bytes, missing question, wrong types, an impossible quiz, a
duplicate id, an oversized row) becomes a ``Quarantined`` record with its file, line and reason;
everything else becomes a ``Problem``. ``total`` counts every non-blank line or row read, so
``total == valid + quarantined`` always holds.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow.parquet as pq
from pydantic import ValidationError

from sciray.data.sources import SourceFile, expand
from sciray.errors import UserError
from sciray.types import LENIENT, Problem

DEFAULT_MAX_ROW_BYTES = 1_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
_RAW_KEEP = 500  # characters of a bad row kept in its quarantine record


@dataclass
class Quarantined:
    """A row that could not become a Problem."""

    file: str
    line: int
    """1-based line (JSON Lines, JSON arrays) or row number (Parquet)."""
    reason: str
    raw: str | None = None
    """The start of the offending row, for humans."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoadReport:
    """Everything a load produced; counts add up: total == len(problems) + len(quarantined)."""

    problems: list[Problem] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    total: int = 0

    def by_image_type(self) -> dict[str, int]:
        counts = Counter(p.image_type or "unspecified" for p in self.problems)
        return dict(sorted(counts.items()))


@dataclass
class _RawRow:
    file: str
    line: int
    value: Any = None
    error: str | None = None
    raw: str | None = None


def _trim(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text[:_RAW_KEEP].decode("utf-8", errors="replace")
    return text[:_RAW_KEEP]


def _iter_jsonl(src: SourceFile, max_row_bytes: int) -> Iterator[_RawRow]:
    with src.fs.open(src.path, "rb", compression="infer") as f:
        line_no = 0
        while True:
            chunk = f.readline(max_row_bytes + 1)
            if not chunk:
                return
            line_no += 1
            if len(chunk) > max_row_bytes and not chunk.endswith(b"\n"):
                size = len(chunk)
                while chunk and not chunk.endswith(b"\n"):  # skip the rest of the oversized line
                    chunk = f.readline(1 << 20)
                    size += len(chunk)
                yield _RawRow(src.name, line_no, error=_oversized(size, max_row_bytes))
                continue
            if line_no == 1 and chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
            if not chunk.strip():
                continue
            yield _decode_json(src.name, line_no, chunk, max_row_bytes)


def _oversized(size: int, cap: int) -> str:
    return (
        f"row is {size} bytes, over the cap of {cap}; raise problems.max_row_bytes "
        "if such rows are expected"
    )


def _decode_json(file: str, line: int, data: bytes, max_row_bytes: int) -> _RawRow:
    if len(data.rstrip(b"\r\n")) > max_row_bytes:
        return _RawRow(file, line, error=_oversized(len(data), max_row_bytes), raw=_trim(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _RawRow(
            file, line, error=f"bytes are not valid UTF-8 (at byte {exc.start})", raw=_trim(data)
        )
    try:
        return _RawRow(file, line, value=json.loads(text), raw=text)
    except json.JSONDecodeError as exc:
        return _RawRow(file, line, error=f"invalid JSON: {exc.msg} (column {exc.colno})", raw=_trim(text))


def _iter_json(src: SourceFile, max_row_bytes: int) -> Iterator[_RawRow]:
    with src.fs.open(src.path, "rb", compression="infer") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield _RawRow(src.name, 1, error=f"file is not valid UTF-8 (at byte {exc.start})")
        return
    start = len(text) - len(text.lstrip())
    if not text[start:start + 1] == "[":
        # A .json file holding one object per line is common: read it as JSON Lines.
        yield from _iter_jsonl(src, max_row_bytes)
        return
    yield from _iter_json_array(src.name, text, start + 1, max_row_bytes)


def _iter_json_array(name: str, text: str, pos: int, max_row_bytes: int) -> Iterator[_RawRow]:
    """Elements of a JSON array with the line each starts on; a syntax error ends the array."""
    decoder = json.JSONDecoder()
    n = len(text)

    def skip_ws(i: int) -> int:
        while i < n and text[i] in " \t\r\n":
            i += 1
        return i

    line, counted = 1, 0  # running line count, so each element costs O(its size)

    def line_at(i: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, i)
        counted = i
        return line

    pos = skip_ws(pos)
    if pos < n and text[pos] == "]":
        return
    while pos < n:
        elem_line = line_at(pos)
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield _RawRow(name, exc.lineno, error=f"invalid JSON: {exc.msg} (column {exc.colno}); "
                          "the rest of the array could not be read", raw=_trim(text[pos:]))
            return
        size = len(text[pos:end].encode("utf-8"))
        if size > max_row_bytes:
            yield _RawRow(name, elem_line, error=_oversized(size, max_row_bytes))
        else:
            yield _RawRow(name, elem_line, value=value, raw=text[pos:end])
        pos = skip_ws(end)
        if pos < n and text[pos] == ",":
            pos = skip_ws(pos + 1)
        elif pos < n and text[pos] == "]":
            return
        else:
            yield _RawRow(name, line_at(pos),
                          error="invalid JSON: expected ',' or ']' after an array element; "
                          "the rest of the array could not be read", raw=_trim(text[pos:]))
            return
    yield _RawRow(name, 1 + text.count("\n"), error="invalid JSON: the array is not closed with ']'")


def _iter_parquet(src: SourceFile, max_row_bytes: int) -> Iterator[_RawRow]:
    with src.fs.open(src.path, "rb") as f:
        try:
            parquet = pq.ParquetFile(f)
        except Exception as exc:  # pyarrow raises several types for a corrupt footer
            yield _RawRow(src.name, 0, error=f"not a readable Parquet file: {exc}")
            return
        row_no = 0
        for batch in parquet.iter_batches(batch_size=1024):
            for value in batch.to_pylist():
                row_no += 1
                encoded = json.dumps(value, default=str, ensure_ascii=False)
                if len(encoded.encode("utf-8")) > max_row_bytes:
                    yield _RawRow(src.name, row_no, error=_oversized(len(encoded), max_row_bytes))
                else:
                    yield _RawRow(src.name, row_no, value=value, raw=encoded)


_READERS = {"jsonl": _iter_jsonl, "json": _iter_json, "parquet": _iter_parquet}


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "row"
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def _reference_index(folder: str, storage_options: dict | None) -> dict[str, str]:
    """Problem id -> reference image path for the image files in ``folder``."""
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(folder, **(storage_options or {}))
    if not fs.isdir(path):
        raise UserError(f"reference image folder {folder!r} does not exist; pass a folder of <id>.png files")
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    index = {}
    for p in sorted(fs.ls(path, detail=False)):
        base = p.rsplit("/", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        if dot and f".{ext.lower()}" in IMAGE_SUFFIXES:
            index.setdefault(stem, posixpath.normpath(p) if protocol == "file" else fs.unstrip_protocol(p))
    return index


def iter_problems(
    location: str,
    *,
    reference_images: str | None = None,
    max_row_bytes: int = DEFAULT_MAX_ROW_BYTES,
    storage_options: dict | None = None,
) -> Iterator[Problem | Quarantined]:
    """Stream every row at ``location`` as a Problem or a Quarantined record, in file order."""
    for item, _ in iter_located(location, reference_images=reference_images, max_row_bytes=max_row_bytes,
                                storage_options=storage_options):
        yield item


def iter_located(
    location: str,
    *,
    reference_images: str | None = None,
    max_row_bytes: int = DEFAULT_MAX_ROW_BYTES,
    storage_options: dict | None = None,
) -> Iterator[tuple[Problem | Quarantined, str]]:
    """``iter_problems`` with each item's ``file:line``, for records that must say where a row came from."""
    sources = expand(location, storage_options)
    references = _reference_index(reference_images, storage_options) if reference_images else {}
    seen: dict[str, str] = {}
    for src in sources:
        for row in _READERS[src.format](src, max_row_bytes):
            where = f"{row.file}:{row.line}"
            if row.error is not None:
                yield Quarantined(row.file, row.line, row.error, row.raw), where
                continue
            if not isinstance(row.value, dict):
                kind = type(row.value).__name__
                yield Quarantined(row.file, row.line, f"row is a JSON {kind}, expected an object",
                                  _trim(row.raw or "")), where
                continue
            try:
                problem = Problem.model_validate(row.value, context=LENIENT)
            except ValidationError as exc:
                yield Quarantined(row.file, row.line, _validation_reason(exc), _trim(row.raw or "")), where
                continue
            if problem.id in seen:
                yield Quarantined(
                    row.file, row.line, f"duplicate id {problem.id!r} (first seen at {seen[problem.id]})",
                    _trim(row.raw or ""),
                ), where
                continue
            seen[problem.id] = where
            if problem.reference_image is None and problem.id in references:
                problem = problem.model_copy(update={"reference_image": references[problem.id]})
            yield problem, where


def load_problems(location: str, **kwargs: Any) -> LoadReport:
    """All problems at ``location`` with the quarantine; see ``iter_problems`` for options."""
    report = LoadReport()
    for item in iter_problems(location, **kwargs):
        report.total += 1
        if isinstance(item, Quarantined):
            report.quarantined.append(item)
        else:
            report.problems.append(item)
    return report
