"""What ``sciray eval`` writes: ``scores.parquet`` (typed, one row per problem), ``summary.json``
and ``report.html``; each written to a temp name and renamed, so a folder never holds half a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sciray.evaluation.report import render_report

_QUIZ = pa.struct(
    [
        ("index", pa.int32()),
        ("raw", pa.string()),
        ("answer", pa.string()),
        ("correct", pa.bool_()),
        ("status", pa.string()),
    ]
)
_JUDGE = pa.struct([(k, pa.int8()) for k in ("CF", "LP", "RO", "SP", "ER")])
SCORES_SCHEMA = pa.schema(
    [
        ("problem_id", pa.string()),
        ("subject", pa.string()),
        ("image_type", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("accuracy", pa.float64()),
        ("r_inv", pa.float64()),
        ("quiz_status", pa.string()),
        ("validator_mode", pa.string()),
        ("quiz_answers", pa.list_(_QUIZ)),
        ("image_sent", pa.string()),
        ("judge", _JUDGE),
        ("judge_total", pa.int16()),
        ("judge_status", pa.string()),
        ("psnr", pa.float64()),
        ("ssim", pa.float64()),
        ("clip", pa.float64()),
        ("metrics_error", pa.string()),
        ("label_recall", pa.float64()),
        ("checks_passed", pa.bool_()),
        ("checks", pa.map_(pa.string(), pa.float64())),
        ("check_reasons", pa.list_(pa.string())),
    ]
)


def _row(values: dict) -> dict:
    row = {name: values.get(name) for name in SCORES_SCHEMA.names}
    if row["checks"] is not None:
        row["checks"] = list(row["checks"].items())
    if row["image_sent"] is not None:
        row["image_sent"] = json.dumps(row["image_sent"])
    if row["quiz_answers"] is not None:
        row["quiz_answers"] = [
            {k: a.get(k) for k in ("index", "raw", "answer", "correct", "status")}
            for a in row["quiz_answers"]
        ]
    return row


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
