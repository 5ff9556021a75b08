"""Load problems from JSON Lines, JSON arrays and Parquet; quarantine bad rows, never stop.

A bad row (invalid JSON, undecodable bytes, missing question, wrong types, an impossible quiz, a
duplicate id, an oversized or too deeply nested row) becomes a ``Quarantined`` record with its
file, line and reason; everything else becomes a ``Problem``. What cannot be read row by row (a
compressed file that expands past the cap, an unreadable Parquet row group) becomes one record
for its rows. ``total`` counts every non-blank line or row read and each such record, so
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
from fsspec.utils import infer_compression
from pydantic import ValidationError

from sciray.data.names import file_stem
from sciray.data.nesting import extent, may_exceed, too_deep
from sciray.data.sources import SourceFile, expand
from sciray.errors import UserError
from sciray.types import LENIENT, Problem

DEFAULT_MAX_ROW_BYTES = 1_000_000
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_DECOMPRESSED_MB = 256
_MIB = 1 << 20
_PEEK = 64 * 1024  # bytes read to tell a JSON array from JSON Lines
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


@dataclass(frozen=True)
class _Limits:
    row_bytes: int
    depth: int
    file_bytes: int
    """Most bytes read from a compressed file (decompressed) or from a JSON array file (read whole)."""


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


def _open(src: SourceFile):
    return src.fs.open(src.path, "rb", compression="infer")


def _compressed(src: SourceFile) -> bool:
    return infer_compression(src.path) is not None


def _expands(cap: int, line: int) -> str:
    return (
        f"the file decompresses to more than {cap // _MIB} MiB, so line {line} and the rest were not "
        "read (a guard against decompression bombs); raise problems.max_decompressed_mb if the file is genuine"
    )


def _iter_jsonl(src: SourceFile, lim: _Limits) -> Iterator[_RawRow]:
    # Streamed row by row, so only a compressed file needs a cap on what it expands to.
    cap = lim.file_bytes if _compressed(src) else None
    with _open(src) as f:
        line_no = read = 0
        while True:
            chunk = f.readline(lim.row_bytes + 1)
            if not chunk:
                return
            line_no += 1
            read += len(chunk)
            if len(chunk) > lim.row_bytes and not chunk.endswith(b"\n"):
                size = len(chunk)
                while chunk and not chunk.endswith(b"\n") and (cap is None or read <= cap):
                    chunk = f.readline(_MIB)  # skip the rest of the oversized line
                    size += len(chunk)
                    read += len(chunk)
                if cap is not None and read > cap:
                    yield _RawRow(src.name, line_no, error=_expands(cap, line_no))
                    return
                yield _RawRow(src.name, line_no, error=_oversized(size, lim.row_bytes))
                continue
            if cap is not None and read > cap:
                yield _RawRow(src.name, line_no, error=_expands(cap, line_no))
                return
            if line_no == 1 and chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
            if not chunk.strip():
                continue
            yield _decode_json(src.name, line_no, chunk, lim)


def _oversized(size: int, cap: int) -> str:
    return (
        f"row is {size} bytes, over the cap of {cap}; raise problems.max_row_bytes "
        "if such rows are expected"
    )


def _too_deep(depth: int, cap: int) -> str:
    return (
        f"row nests {depth} levels deep, over the cap of {cap}; raise problems.max_depth "
        "if such rows are expected"
    )


def _decode_json(file: str, line: int, data: bytes, lim: _Limits) -> _RawRow:
    if len(data.rstrip(b"\r\n")) > lim.row_bytes:
        return _RawRow(file, line, error=_oversized(len(data), lim.row_bytes), raw=_trim(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _RawRow(
            file, line, error=f"bytes are not valid UTF-8 (at byte {exc.start})", raw=_trim(data)
        )
    depth = too_deep(text, lim.depth)  # json recurses: a 100k-deep row would raise RecursionError
    if depth is not None:
        return _RawRow(file, line, error=_too_deep(depth, lim.depth), raw=_trim(text))
    try:
        return _RawRow(file, line, value=json.loads(text), raw=text)
    except json.JSONDecodeError as exc:
        return _RawRow(
            file, line, error=f"invalid JSON: {exc.msg} (column {exc.colno})", raw=_trim(text)
        )
    except RecursionError:  # only when problems.max_depth is set beyond what Python can parse
        return _RawRow(file, line, error=_unparsable_depth(lim.depth), raw=_trim(text))


def _unparsable_depth(cap: int) -> str:
    return f"row nests too deeply for the JSON parser; lower problems.max_depth (now {cap})"


def _iter_json(src: SourceFile, lim: _Limits) -> Iterator[_RawRow]:
    # An array is read whole: at most lim.file_bytes of it, read in bounded chunks.
    with _open(src) as f:
        chunks = [f.read(_PEEK)]
        head = chunks[0].removeprefix(b"\xef\xbb\xbf").lstrip()
        lines = bool(head) and not head.startswith(b"[")
        size = len(chunks[0])
        while not lines and chunks[-1] and size <= lim.file_bytes:
            chunks.append(f.read(min(_MIB, lim.file_bytes + 1 - size)))
            size += len(chunks[-1])
    if lines:
        # A .json file holding one object per line is common: read it as JSON Lines (streamed).
        yield from _iter_jsonl(src, lim)
        return
    if size > lim.file_bytes:
        what = "decompresses to" if _compressed(src) else "is"
        yield _RawRow(
            src.name,
            1,
            error=(
                f"JSON array file {what} more than {lim.file_bytes // _MIB} MiB, the most read whole; "
                "convert it to JSON Lines (read row by row) or raise problems.max_decompressed_mb"
            ),
        )
        return
    data = b"".join(chunks)
    del chunks
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield _RawRow(src.name, 1, error=f"file is not valid UTF-8 (at byte {exc.start})")
        return
    del data
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] != "[":
        yield from _iter_jsonl(src, lim)  # only blank so far: let JSON Lines report it
        return
    yield from _iter_json_array(src.name, text, start + 1, lim)


def _iter_json_array(name: str, text: str, pos: int, lim: _Limits) -> Iterator[_RawRow]:
    """Elements of a JSON array with the line each starts on; a syntax error ends the array."""
    decoder = json.JSONDecoder()
    n = len(text)
    check_depth = may_exceed(
        text, lim.depth + 1
    )  # +1: the array itself; else no element can be too deep

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
        end, depth = extent(text, pos) if check_depth and text[pos] in "[{" else (pos, 0)
        if depth > lim.depth:  # skipped by its brackets, never parsed (json would recurse)
            yield _RawRow(
                name,
                elem_line,
                error=_too_deep(depth, lim.depth),
                raw=_trim(text[pos : pos + _RAW_KEEP]),
            )
            pos = skip_ws(end)
            if pos >= n:
                break
        else:
            try:
                value, end = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                yield _RawRow(
                    name,
                    exc.lineno,
                    error=f"invalid JSON: {exc.msg} (column {exc.colno}); "
                    "the rest of the array could not be read",
                    raw=_trim(text[pos : pos + _RAW_KEEP]),
                )
                return
            except RecursionError:
                yield _RawRow(
                    name,
                    elem_line,
                    error=_unparsable_depth(lim.depth) + "; the rest of the array "
                    "could not be read",
                    raw=_trim(text[pos : pos + _RAW_KEEP]),
                )
                return
            size = len(text[pos:end].encode("utf-8"))
            if size > lim.row_bytes:
                yield _RawRow(name, elem_line, error=_oversized(size, lim.row_bytes))
            else:
                yield _RawRow(name, elem_line, value=value, raw=text[pos:end])
            pos = skip_ws(end)
        if pos < n and text[pos] == ",":
            pos = skip_ws(pos + 1)
        elif pos < n and text[pos] == "]":
            return
        else:
            yield _RawRow(
                name,
                line_at(pos),
                error="invalid JSON: expected ',' or ']' after an array element; "
                "the rest of the array could not be read",
                raw=_trim(text[pos : pos + _RAW_KEEP]),
            )
            return
    yield _RawRow(
        name, 1 + text.count("\n"), error="invalid JSON: the array is not closed with ']'"
    )


def _iter_parquet(src: SourceFile, lim: _Limits) -> Iterator[_RawRow]:
    """Row group by row group: a group that cannot be read (corrupt page, over the size cap) is one
    quarantine record for its unread rows; the other groups still load."""
    with src.fs.open(src.path, "rb") as f:
        try:
            parquet = pq.ParquetFile(f, page_checksum_verification=True)
            meta = parquet.metadata
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a corrupt footer
            yield _RawRow(src.name, 0, error=f"not a readable Parquet file: {_one_line(exc)}")
            return
        last = 0
        for group in range(meta.num_row_groups):
            first, last = last + 1, last + meta.row_group(group).num_rows
            if last < first:
                continue
            unpacked = meta.row_group(group).total_byte_size
            if unpacked > lim.file_bytes:
                yield _RawRow(
                    src.name,
                    first,
                    error=(
                        f"rows {first}-{last} (row group {group}) are {unpacked // _MIB} MiB uncompressed, over "
                        f"the cap of {lim.file_bytes // _MIB} MiB; "
                        "raise problems.max_decompressed_mb if the file is genuine"
                    ),
                )
                continue
            row_no = first
            try:
                for batch in parquet.iter_batches(batch_size=1024, row_groups=[group]):
                    for value in batch.to_pylist():
                        yield _parquet_row(src.name, row_no, value, lim)
                        row_no += 1
            except Exception as exc:  # noqa: BLE001 - corrupt pages raise OSError, ArrowInvalid, ...
                yield _RawRow(
                    src.name,
                    row_no,
                    error=(
                        f"rows {row_no}-{last} (row group {group}) cannot be read: {_one_line(exc)}; "
                        "the file is damaged, the other row groups were read"
                    ),
                )


def _one_line(exc: BaseException) -> str:
    """An exception as one short printable line (pyarrow messages quote raw bytes and span lines)."""
    text = "".join(ch if ch.isprintable() else " " for ch in " ".join(str(exc).split()))
    return (text[:300] + "...") if len(text) > 300 else text or type(exc).__name__


def _parquet_row(file: str, row_no: int, value: Any, lim: _Limits) -> _RawRow:
    try:
        encoded = json.dumps(value, default=str, ensure_ascii=False)
    except (RecursionError, ValueError) as exc:
        return _RawRow(file, row_no, error=f"row cannot be represented as JSON: {_one_line(exc)}")
    if len(encoded.encode("utf-8")) > lim.row_bytes:
        return _RawRow(file, row_no, error=_oversized(len(encoded), lim.row_bytes))
    depth = too_deep(encoded, lim.depth)
    if depth is not None:
        return _RawRow(file, row_no, error=_too_deep(depth, lim.depth), raw=_trim(encoded))
    return _RawRow(file, row_no, value=value, raw=encoded)


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
        raise UserError(
            f"reference image folder {folder!r} does not exist; pass a folder of <id>.png files"
        )
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    index = {}
    for p in sorted(fs.ls(path, detail=False)):
        base = p.rsplit("/", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        if dot and f".{ext.lower()}" in IMAGE_SUFFIXES:
            index.setdefault(
                stem, posixpath.normpath(p) if protocol == "file" else fs.unstrip_protocol(p)
            )
    return index


def iter_problems(location: str, **options: Any) -> Iterator[Problem | Quarantined]:
    """Stream every row at ``location`` as a Problem or a Quarantined record, in file order; the
    options are those of ``iter_located``."""
    for item, _ in iter_located(location, **options):
        yield item


def iter_located(
    location: str,
    *,
    reference_images: str | None = None,
    max_row_bytes: int = DEFAULT_MAX_ROW_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_decompressed_mb: int = DEFAULT_MAX_DECOMPRESSED_MB,
    storage_options: dict | None = None,
) -> Iterator[tuple[Problem | Quarantined, str]]:
    """``iter_problems`` with each item's ``file:line``, for records that must say where a row came
    from. The caps are the ``problems.*`` config keys of the same names."""
    sources = expand(location, storage_options)
    references = _reference_index(reference_images, storage_options) if reference_images else {}
    limits = _Limits(
        row_bytes=max_row_bytes, depth=max_depth, file_bytes=max_decompressed_mb * _MIB
    )
    seen: dict[str, str] = {}
    for src in sources:
        for row in _READERS[src.format](src, limits):
            where = f"{row.file}:{row.line}"
            if row.error is not None:
                yield Quarantined(row.file, row.line, row.error, row.raw), where
                continue
            if not isinstance(row.value, dict):
                kind = type(row.value).__name__
                yield (
                    Quarantined(
                        row.file,
                        row.line,
                        f"row is a JSON {kind}, expected an object",
                        _trim(row.raw or ""),
                    ),
                    where,
                )
                continue
            try:
                problem = Problem.model_validate(row.value, context=LENIENT)
            except ValidationError as exc:
                yield (
                    Quarantined(row.file, row.line, _validation_reason(exc), _trim(row.raw or "")),
                    where,
                )
                continue
            if problem.id in seen:
                yield (
                    Quarantined(
                        row.file,
                        row.line,
                        f"duplicate id {problem.id!r} (first seen at {seen[problem.id]})",
                        _trim(row.raw or ""),
                    ),
                    where,
                )
                continue
            seen[problem.id] = where
            reference = references.get(problem.id) or references.get(file_stem(problem.id))
            if problem.reference_image is None and reference:
                problem = problem.model_copy(update={"reference_image": reference})
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
