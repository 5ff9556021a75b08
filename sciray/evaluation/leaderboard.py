"""The paper's leaderboard table from one or more ``summary.json`` files."""

from __future__ import annotations

import json
from pathlib import Path

from sciray.errors import UserError

COLUMNS = (
    ("r_inv", "R_inv (%)"),
    ("CF", "CF"),
    ("LP", "LP"),
    ("RO", "RO"),
    ("SP", "SP"),
    ("ER", "ER"),
    ("psnr", "PSNR"),
    ("ssim", "SSIM"),
    ("clip", "CLIP"),
    ("fid", "FID"),
)


def load_summary(location: str) -> dict:
    path = Path(location)
    path = path / "summary.json" if path.is_dir() else path
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(
            f"no summary.json in {location}; pass folders written by 'sciray eval'"
        ) from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path} is not valid JSON ({exc.msg}); re-run 'sciray eval' for it"
        ) from None


def row(summary: dict) -> dict:
    """One leaderboard row: flat numbers, proxy validation marked in the name."""
    judge = summary.get("judge") or {}
    name = summary.get("name") or "?"
    proxy = {"ocr-proxy": " (OCR proxy)", "scene-proxy": " (scene proxy)"}
    name += proxy.get(summary.get("validator_mode"), "")
    out = {"name": name, "n_images": summary.get("n_images"), "n_missing": summary.get("n_missing")}
    for key, _ in COLUMNS:
        out[key] = judge.get(key) if key in ("CF", "LP", "RO", "SP", "ER") else summary.get(key)
    return out


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def leaderboard(summaries: list[dict]) -> tuple[str, list[dict]]:
    """(markdown table, rows) sorted by R_inv, best first (rows without R_inv last)."""
    rows = sorted(
        (row(s) for s in summaries), key=lambda r: (r["r_inv"] is None, -(r["r_inv"] or 0.0))
    )
    header = "| model | images | " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "| --- | ---: | " + " | ".join("---:" for _ in COLUMNS) + " |"
    lines = [header, rule]
    for r in rows:
        images = f"{r['n_images']}" + (f" ({r['n_missing']} missing)" if r.get("n_missing") else "")
        lines.append(
            f"| {r['name']} | {images} | " + " | ".join(_cell(r[k]) for k, _ in COLUMNS) + " |"
        )
    return "\n".join(lines), rows
