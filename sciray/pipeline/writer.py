"""The run directory: ``accepted/`` and ``rejected/`` Parquet shards, ``failed/`` and
``quarantine/`` JSON Lines parts, and the resume index.

Shards are written under a temporary name and renamed when complete (a reader never sees half a
shard); each row carries ``problem_id`` and ``config_hash``, which is what a rerun reads to skip
problems already written. Paths may be local or any fsspec URL.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from sciray.data.schema import arrow_schema, to_arrow_row
from sciray.types import LENIENT, Attempt, Candidate, ImageRef, Lineage, ShardRow, ShardVerdict

SHARD_SCHEMA = arrow_schema(ShardRow)
"""Derived from ``ShardRow``: typed structs (plan, scene, verdict, attempts, problem, lineage),
the image as Hugging Face's {bytes, path}, dicts as lists of {name, value} (no Arrow maps)."""


def attempt_record(c: Candidate) -> Attempt:
    """An attempt without its image bytes (the chosen image is stored once, in ``image``)."""
    return Attempt.model_validate(
        {**c.model_dump(exclude={"image"}), "has_image": bool(c.image and c.image.bytes)}
    )


def shard_verdict(verdict: dict[str, Any]) -> ShardVerdict:
    """The pipeline's verdict dict as a typed record: missing keys take their defaults, keys the
    record does not name are kept in ``meta``."""
    status = "accepted" if verdict.get("accepted") else "rejected"
    return ShardVerdict.model_validate({**verdict, "status": status}, context=LENIENT)


def shard_row(state, verdict: ShardVerdict, config_hash: str, versions_json: str) -> dict[str, Any]:
    """One output row for a finished problem (``state`` is its ``CoderResult``), in the form
    ``pa.Table.from_pylist(..., schema=SHARD_SCHEMA)`` takes."""
    problem, best = state.problem, state.best
    record = ShardRow(
        problem_id=problem.id,
        config_hash=config_hash,
        subject=(problem.image_type or "Unknown").split(" - ")[0],
        image_type=problem.image_type,
        question=problem.question,
        image=ImageRef(bytes=best.image.bytes, path=f"{problem.id}.png")
        if best and best.image and best.image.bytes
        else None,
        status=verdict.status,
        reason=verdict.reason,
        language=best.language if best else None,
        code=best.code if best else None,
        plan=best.plan if best else None,
        scene=best.scene if best else None,
        scene_spec=best.scene_spec if best else None,
        checks=best.checks if best else None,
        label_recall=best.label_recall if best else None,
        r_inv=verdict.r_inv,
        verdict=verdict,
        attempts=[attempt_record(c) for c in state.attempts],
        lineage=Lineage(
            engine=best.engine if best else None,
            model=best.model if best else None,
            prompt_version=best.prompt_version if best else None,
            config_hash=config_hash,
            package_versions=json.loads(versions_json) if versions_json else {},
            sandbox=list(best.sandbox) if best else [],
        ),
        problem=problem,
    )
    return to_arrow_row(record)


class ShardWriter:
    """Buffers rows of one kind (accepted or rejected) and writes a shard every ``shard_rows``."""

    def __init__(self, fs: fsspec.AbstractFileSystem, folder: str, shard_rows: int):
        self.fs, self.folder, self.shard_rows = fs, folder, shard_rows
        self.fs.makedirs(folder, exist_ok=True)
        self.rows: list[dict[str, Any]] = []
        self.shards: list[str] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.shard_rows:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        table = pa.Table.from_pylist(self.rows, schema=SHARD_SCHEMA)
        name = f"part-{uuid.uuid4().hex[:12]}.parquet"
        final, tmp = f"{self.folder}/{name}", f"{self.folder}/.{name}.tmp"
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        with self.fs.open(tmp, "wb") as f:
            f.write(buffer.getvalue())
        self.fs.mv(tmp, final)  # complete shards only: a killed run leaves at most a .tmp behind
        self.shards.append(final)
        self.rows = []


class JsonlLog:
    """Failed or quarantined rows as JSON Lines parts (``folder/part-*.jsonl``, one per flush):
    appending is not possible on object stores, and rewriting one file would grow quadratically."""

    def __init__(self, fs: fsspec.AbstractFileSystem, folder: str):
        self.fs, self.folder = fs, folder
        self._lines: list[str] = []

    def add(self, record: dict[str, Any]) -> None:
        self._lines.append(json.dumps(record, ensure_ascii=False))

    def clear(self) -> int:
        """Remove the parts an earlier run wrote; returns how many. Failed and quarantined rows are
        read (and retried) again by every run, so their logs describe the latest run only."""
        parts = self.fs.glob(f"{self.folder}/part-*.jsonl") + self.fs.glob(
            f"{self.folder}/.part-*.jsonl.tmp"
        )
        for path in parts:
            self.fs.rm(path)
        return len(parts)

    def flush(self) -> None:
        if not self._lines:
            return
        self.fs.makedirs(self.folder, exist_ok=True)
        name = f"part-{uuid.uuid4().hex[:12]}.jsonl"
        with self.fs.open(f"{self.folder}/.{name}.tmp", "w") as f:
            f.write("".join(line + "\n" for line in self._lines))
        self.fs.mv(f"{self.folder}/.{name}.tmp", f"{self.folder}/{name}")
        self._lines = []


def written(fs: fsspec.AbstractFileSystem, root: str, config_hash: str) -> dict[str, set[str]]:
    """Problem ids already written under ``root`` with ``config_hash``, per kind (accepted,
    rejected): what a rerun skips, and what its manifest counts from earlier runs."""
    done: dict[str, set[str]] = {"accepted": set(), "rejected": set()}
    for kind, ids in done.items():
        for path in fs.glob(f"{root}/{kind}/part-*.parquet"):
            with fs.open(path, "rb") as f:
                table = pq.read_table(f, columns=["problem_id", "config_hash"])
            for pid, h in zip(
                table.column("problem_id").to_pylist(), table.column("config_hash").to_pylist()
            ):
                if h == config_hash:
                    ids.add(pid)
    return done
