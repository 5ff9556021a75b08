"""A contact sheet for ImgCoder runs: each problem's text beside every mode's image, so a person
can judge faithfulness at a glance (written by ``benchmarks/coder.py --sheet``).

One self-contained HTML file (images inline as data URIs), grouped by image type; under each
image its status, label recall, model calls and, for a failure, why.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path


def _cell(result) -> str:
    if result is None:
        return "<td class=missing>not run</td>"
    best = result.best
    recall = "-" if best is None or best.label_recall is None else f"{best.label_recall:.2f}"
    caption = f"{html.escape(result.status)} · recall {recall} · {result.model_calls} calls" + (
        f" · {html.escape(best.language)}" if best is not None else ""
    )
    if best is not None and best.image is not None:
        data = base64.b64encode(best.image.bytes).decode("ascii")
        body = f'<img src="data:image/png;base64,{data}">'
    else:
        why = best.render_error if best is not None and best.render_error else "no image"
        body = f"<pre class=error>{html.escape(why[:600])}</pre>"
    return f"<td>{body}<div class=caption>{caption}</div></td>"


def render_sheet(problems, results_by_mode: dict[str, list]) -> str:
    """The sheet's HTML for ``problems`` and each mode's results (matched by problem id)."""
    modes = list(results_by_mode)
    by_id = {m: {r.problem.id: r for r in rs} for m, rs in results_by_mode.items()}
    rows, current_type = [], None
    for p in sorted(problems, key=lambda p: (p.image_type or "", p.id)):
        if p.image_type != current_type:
            current_type = p.image_type
            rows.append(
                f"<tr><th colspan={len(modes) + 1}>{html.escape(current_type or '(no type)')}</th></tr>"
            )
        text = html.escape(p.question[:3000])
        answer = (
            f"<div class=answer>answer: {html.escape(p.answer[:300])}</div>" if p.answer else ""
        )
        cells = "".join(_cell(by_id[m].get(p.id)) for m in modes)
        rows.append(
            f"<tr><td class=problem><b>{html.escape(p.id)}</b><p>{text}</p>{answer}</td>{cells}</tr>"
        )
    head = "".join(f"<th>{html.escape(m)}</th>" for m in modes)
    return (
        "<!doctype html><meta charset=utf-8><title>SciRay contact sheet</title><style>"
        "body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:6px;vertical-align:top}"
        "td.problem{width:360px;white-space:pre-wrap}img{width:420px}"
        ".caption{color:#444;margin-top:4px}.answer{color:#a00}"
        "pre.error{width:420px;white-space:pre-wrap;color:#a00}</style>"
        f"<table><tr><th>problem</th>{head}</tr>{''.join(rows)}</table>"
    )


def write_sheet(path: str, problems, results_by_mode: dict[str, list]) -> None:
    Path(path).write_text(render_sheet(problems, results_by_mode), encoding="utf-8")
