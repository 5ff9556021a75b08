"""What ``sciray eval`` writes: ``scores.parquet`` (typed, one row per problem), ``summary.json``
and ``report.html``; each written to a temp name and renamed, so a folder never holds half a
file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sciray.data.schema import arrow_schema, to_arrow_row
from sciray.evaluation.report import render_report
from sciray.types import ScoreRow

SCORES_SCHEMA = arrow_schema(ScoreRow)
"""Derived from ``ScoreRow``; no Arrow map column, so Hugging Face ``datasets`` loads it."""


def _row(values: dict) -> dict:
    """An evaluation row as a typed ``ScoreRow`` (keys it does not name are the report's only)."""
    known = {k: v for k, v in values.items() if k in ScoreRow.model_fields}
    return to_arrow_row(ScoreRow.model_validate(known))


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def write_eval(
    out_dir: str, rows: list[dict], summary: dict, images: dict[str, bytes | None]
) -> dict[str, str]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([_row(r) for r in rows], schema=SCORES_SCHEMA)
    paths = {
        "scores": out / "scores.parquet",
        "summary": out / "summary.json",
        "report": out / "report.html",
    }
    _atomic_write(paths["scores"], lambda p: pq.write_table(table, p))
    _atomic_write(
        paths["summary"], lambda p: p.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    )
    html = render_report(summary, rows, images)
    _atomic_write(paths["report"], lambda p: p.write_text(html, encoding="utf-8"))
    return {k: str(v) for k, v in paths.items()}
