"""A run's ``report.html``: acceptance funnel, per-subject rates, examples with their reasons."""

from __future__ import annotations

import html
from typing import Any


def _thumb(png: bytes, side: int = 200) -> str:
    from sciray.evaluation.report import thumbnail_data_url

    return thumbnail_data_url(png, side) or ""


def render_run_report(manifest: dict[str, Any], examples: dict[str, list[dict]]) -> str:
    counts = manifest["counts"]
    funnel = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in counts.items())
    subjects = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{c.get('accepted', 0)}</td><td>{c.get('rejected', 0)}</td>"
        f"<td>{100 * c.get('accepted', 0) / max(1, c.get('accepted', 0) + c.get('rejected', 0)):.1f}%</td></tr>"
        for name, c in manifest.get("by_subject", {}).items()
    )
    reasons = "".join(
        f"<li>{html.escape(k)}: {v}</li>" for k, v in manifest.get("rejected_by_reason", {}).items()
    )
    failed = "".join(
        f"<li>{html.escape(k)}: {v}</li>" for k, v in manifest.get("failed_by_stage", {}).items()
    )
    parts = [
        "<!doctype html><meta charset='utf-8'><title>SciRay run</title><body style='font-family:sans-serif'>",
        f"<h1>SciRay synthesis run</h1><p>engine <code>{html.escape(manifest['engine'])}</code>; validator: "
        f"{html.escape(manifest['validator'])}; config <code>{manifest['config_hash']}</code>; "
        f"{manifest['wall_seconds']} s</p>",
        f"<h2>Funnel</h2><table border=1 cellpadding=4>{funnel}</table>"
        f"<p>counts add up: <b>{manifest['counts_add_up']}</b></p>",
        f"<h2>By subject</h2><table border=1 cellpadding=4><tr><th>subject</th><th>accepted</th><th>rejected</th>"
        f"<th>rate</th></tr>{subjects}</table>",
        f"<h2>Rejected by reason</h2><ul>{reasons or '<li>none</li>'}</ul>",
        f"<h2>Failed by stage</h2><ul>{failed or '<li>none</li>'}</ul>",
    ]
    for kind in ("accepted", "rejected"):
        cells = "".join(
            f"<div style='display:inline-block;width:210px;margin:6px;vertical-align:top'>"
            f"<img src='{_thumb(e['png'])}'><br><code>{html.escape(e['id'])}</code><br>"
            f"<small>{html.escape(str(e.get('reason') or ''))[:200]}</small></div>"
            for e in examples.get(kind, [])
        )
        parts.append(f"<h2>{kind.capitalize()} examples</h2>{cells or '<p>none</p>'}")
    return "\n".join(parts) + "</body>"
