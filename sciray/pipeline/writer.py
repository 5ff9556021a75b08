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

from sciray.types import Candidate

SHARD_SCHEMA = pa.schema(
    [
        ("problem_id", pa.string()),
        ("config_hash", pa.string()),
        ("subject", pa.string()),
        ("image_type", pa.string()),
        ("question", pa.string()),
        ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("language", pa.string()),
        ("code", pa.string()),
        ("plan", pa.string()),
        ("scene", pa.string()),
        # a list of (name, score) structs, not an Arrow map: Hugging Face datasets cannot load map columns
        ("checks", pa.list_(pa.struct([("name", pa.string()), ("score", pa.float64())]))),
        ("label_recall", pa.float64()),
        ("r_inv", pa.float64()),
        ("verdict", pa.string()),
        ("attempts", pa.string()),
        (
            "lineage",
            pa.struct(
                [
                    ("engine", pa.string()),
                    ("model", pa.string()),
                    ("prompt_version", pa.string()),
                    ("config_hash", pa.string()),
                    ("package_versions", pa.string()),
                    ("sandbox", pa.list_(pa.string())),
                ]
            ),
        ),
        ("problem", pa.string()),
    ]
)


def _attempt_record(c: Candidate) -> dict[str, Any]:
    """An attempt without its image bytes (the chosen image is stored once, in ``image``)."""
    data = c.model_dump(mode="json", exclude={"image"})
    data["has_image"] = bool(c.image and c.image.bytes)
    return data


def shard_row(
    state, verdict: dict[str, Any], config_hash: str, versions_json: str
) -> dict[str, Any]:
    """One output row for a finished problem (``state`` is its ``CoderResult``)."""
    problem, best = state.problem, state.best
    image = (
        {"bytes": best.image.bytes, "path": f"{problem.id}.png"}
        if best and best.image and best.image.bytes
        else None
    )
    return {
        "problem_id": problem.id,
        "config_hash": config_hash,
        "subject": (problem.image_type or "Unknown").split(" - ")[0],
        "image_type": problem.image_type,
        "question": problem.question,
        "image": image,
        "status": "accepted" if verdict.get("accepted") else "rejected",
        "reason": verdict.get("reason"),
        "language": best.language if best else None,
        "code": best.code if best else None,
        "plan": best.plan.model_dump_json() if best and best.plan else None,
        "scene": best.scene.model_dump_json() if best and best.scene else None,
        "checks": [{"name": k, "score": v} for k, v in (best.checks or {}).items()]
        if best
        else None,
        "label_recall": best.label_recall if best else None,
        "r_inv": verdict.get("r_inv"),
        "verdict": json.dumps(verdict),
        "attempts": json.dumps([_attempt_record(c) for c in state.attempts]),
        "lineage": {
            "engine": best.engine if best else None,
            "model": best.model if best else None,
            "prompt_version": best.prompt_version if best else None,
            "config_hash": config_hash,
            "package_versions": versions_json,
            "sandbox": list(best.sandbox) if best else [],
        },
        "problem": problem.model_dump_json(),
    }


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
