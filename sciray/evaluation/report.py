"""``report.html``: leaderboard row, per-subject bars, score histograms, worst examples."""

from __future__ import annotations

import base64
import html
import io

from sciray.evaluation.leaderboard import leaderboard
from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image


def _png_data_url(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def thumbnail_data_url(
    data: bytes | None, side: int = 220, max_pixels: int = DEFAULT_MAX_PIXELS
) -> str | None:
    """A PNG thumbnail as a data URL; None for missing, corrupt or over-``max_pixels`` images
    (the last refused from the header, never decoded; never raises)."""
    if not data:
        return None
    try:
        image = open_image(data, max_pixels=max_pixels)
    except ImageRejected:
        return None
    try:
        with image:
            image = image.convert("RGB")
            image.thumbnail((side, side))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
    except Exception:  # noqa: BLE001 - a corrupt image is shown as missing, never breaks the report
        return None
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _charts(summary: dict, rows: list[dict]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = []
    by_subject = {
        k: v["r_inv"]
        for k, v in (summary.get("by_subject") or {}).items()
        if v.get("r_inv") is not None
    }
    if by_subject:
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(by_subject) + 1))
        names = sorted(by_subject, key=by_subject.get)
        ax.barh(names, [by_subject[n] for n in names], color="#4c72b0")
        ax.set_xlabel("R_inv (%)")
        ax.set_xlim(0, 100)
        charts.append(("R_inv by subject", _png_data_url(fig)))
        plt.close(fig)
    for key, title, bins in (
        ("accuracy", "quiz accuracy per image", 10),
        ("judge_total", "judge total (0-10)", 11),
        ("ssim", "SSIM vs reference", 20),
    ):
        values = [r[key] for r in rows if r.get(key) is not None]
        if values:
            fig, ax = plt.subplots(figsize=(5, 2.6))
            ax.hist(values, bins=bins, color="#55a868")
            ax.set_title(title)
            charts.append((title, _png_data_url(fig)))
            plt.close(fig)
    return charts


def render_report(
    summary: dict, rows: list[dict], images: dict[str, bytes | None], worst: int = 12
) -> str:
    """The whole HTML page; ``rows`` are per-image dicts (problem_id, accuracy, judge_total, ...)."""
    table_md, table_rows = leaderboard([summary])
    head = "".join(f"<th>{html.escape(k)}</th>" for k in table_rows[0])
    body = "".join(
        f"<td>{html.escape('-' if v is None else (f'{v:.2f}' if isinstance(v, float) else str(v)))}</td>"
        for v in table_rows[0].values()
    )
    parts = [
        f"<h1>SciGenBench evaluation: {html.escape(str(summary.get('name')))}</h1>",
        f"<table border=1 cellpadding=4><tr>{head}</tr><tr>{body}</tr></table>",
    ]
    proxy = {"ocr-proxy": "OCR / scene text", "scene-proxy": "the scene description drawn"}
    if summary.get("validator_mode") in proxy:
        parts.append(
            "<p><b>R_inv here is a proxy</b>: a text model answered the quizzes from "
            f"{proxy[summary['validator_mode']]}, not a vision model from the image.</p>"
        )
    for title, url in _charts(summary, rows):
        parts.append(f"<h2>{html.escape(title)}</h2><img src='{url}'>")
    ranked = sorted(
        (r for r in rows if r.get("accuracy") is not None),
        key=lambda r: (r["accuracy"], r["problem_id"]),
    )
    cells = []
    for r in ranked[:worst]:
        thumb = thumbnail_data_url(images.get(r["problem_id"]))
        img = f"<img src='{thumb}'>" if thumb else "<i>no image</i>"
        cells.append(
            f"<div style='display:inline-block;margin:6px;width:230px;vertical-align:top'>{img}<br>"
            f"<code>{html.escape(r['problem_id'])}</code><br>accuracy {r['accuracy']:.2f}</div>"
        )
    if cells:
        parts.append("<h2>Worst examples</h2>" + "".join(cells))
    missing = dict(summary.get("missing") or {})
    missing.update(
        {
            r["problem_id"]: r.get("error") or "unreadable image"
            for r in rows
            if r.get("status") == "bad_image"
        }
    )
    if missing:
        items = "".join(
            f"<li><code>{html.escape(k)}</code>: {html.escape(v)}</li>"
            for k, v in list(missing.items())[:200]
        )
        parts.append(f"<h2>Missing or unreadable images ({len(missing)})</h2><ul>{items}</ul>")
    parts.append(f"<pre>{html.escape(table_md)}</pre>")
    return (
        "<!doctype html><meta charset='utf-8'><title>SciRay eval</title><body style='font-family:sans-serif'>"
        + "\n".join(parts)
        + "</body>"
    )
