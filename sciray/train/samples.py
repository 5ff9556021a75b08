"""Accepted shard rows -> chat samples (pure functions).

A row gives a ``qa`` sample (image + the problem's ``multimodal_question``, else its question ->
the reference answer) and, for a deterministic share of rows, a ``caption`` sample (image -> the
coder's plan of what the figure shows). Which rows are kept, held out for evaluation or captioned
is decided by config and a hash of the problem id, so every worker and every rerun agrees.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from typing import Any

from sciray.config.models import TrainDataConfig
from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image

log = logging.getLogger(__name__)

LIGHT_COLUMNS = ["problem_id", "status", "subject", "r_inv", "problem", "plan"]
"""Shard columns that decide whether and how a row is used (everything but the image)."""

CAPTION_PROMPT = "Describe what this scientific figure shows, including every labelled value."

Sample = dict[str, Any]
"""{sample_id, problem_id, task, image (PNG bytes), prompt, answer}."""


def hash_share(*parts: Any) -> float:
    """A stable number in [0, 1) for ``parts`` (the same on every machine and Python run)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_holdout(problem_id: str, share: float, seed: int = 0) -> bool:
    """Whether the problem is held out for evaluation."""
    return share > 0 and hash_share("holdout", seed, problem_id) < share


def _problem(row: dict[str, Any]) -> dict[str, Any]:
    raw = row.get("problem")
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}


def keep_row(row: dict[str, Any], cfg: TrainDataConfig) -> bool:
    """The config's filters: accepted rows only, minimum r_inv, subjects."""
    if row.get("status") not in (None, "accepted"):
        return False
    if cfg.min_r_inv is not None:
        r_inv = row.get("r_inv")
        if r_inv is None or math.isnan(r_inv) or r_inv < cfg.min_r_inv:
            return False
    if cfg.subjects:
        wanted = {s.strip().lower() for s in cfg.subjects}
        if (row.get("subject") or "").strip().lower() not in wanted:
            return False
    return True


def question_text(problem: dict[str, Any], prefer_multimodal: bool = True) -> str | None:
    """The question a sample asks: the figure-reliant rewrite when there is one."""
    mm = (problem.get("multimodal_question") or "").strip()
    if prefer_multimodal and mm:
        return mm
    return (problem.get("question") or "").strip() or None


def caption_text(plan_json: str | dict | None) -> str | None:
    """What the figure shows, from the coder's plan (the shard's struct, or JSON text from older
    shards): its content and the labelled values."""
    try:
        plan = (
            plan_json
            if isinstance(plan_json, dict)
            else json.loads(plan_json)
            if plan_json
            else None
        )
    except (TypeError, ValueError):
        return None
    if not isinstance(plan, dict):
        return None
    content = (plan.get("content") or "").strip()
    labels = (plan.get("labels") or "").strip()
    if not content:
        return None
    return f"{content}\nLabels: {labels}" if labels else content


def row_tasks(row: dict[str, Any], cfg: TrainDataConfig, seed: int = 0) -> list[str]:
    """The tasks a kept row gives (its image is not looked at)."""
    problem = _problem(row)
    tasks = []
    if question_text(problem, cfg.multimodal_question) and str(problem.get("answer") or "").strip():
        tasks.append("qa")
    if (
        cfg.caption_share > 0
        and caption_text(row.get("plan"))
        and hash_share("caption", seed, row.get("problem_id")) < cfg.caption_share
    ):
        tasks.append("caption")
    return tasks


def image_bytes(row: dict[str, Any]) -> bytes | None:
    image = row.get("image")
    if isinstance(image, dict):
        image = image.get("bytes")
    return bytes(image) if image else None


def image_problem(image: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> str | None:
    """Why ``image`` cannot be trained on (not an image, over ``max_pixels``), from its header
    alone (nothing decoded); None when it looks fine."""
    try:
        open_image(image, max_pixels=max_pixels).close()
    except ImageRejected as exc:
        return str(exc)
    return None


def row_to_samples(
    row: dict[str, Any], cfg: TrainDataConfig, seed: int = 0, tasks: tuple[str, ...] | None = None
) -> list[Sample]:
    """The samples of one shard row (none without an image, or with one that is unreadable or
    over the pixel cap: that row is skipped and logged with the reason)."""
    image = image_bytes(row)
    if image is None:
        return []
    why = image_problem(image)
    if why is not None:
        log.warning("skipping row %s: %s", row.get("problem_id"), why)
        return []
    problem = _problem(row)
    pid = str(row.get("problem_id") or problem.get("id"))
    out = []
    for task in row_tasks(row, cfg, seed):
        if tasks is not None and task not in tasks:
            continue
        if task == "qa":
            prompt = question_text(problem, cfg.multimodal_question)
            answer = str(problem["answer"]).strip()
        else:
            prompt, answer = CAPTION_PROMPT, caption_text(row.get("plan"))
        out.append(
            {
                "sample_id": f"{pid}:{task}",
                "problem_id": pid,
                "task": task,
                "image": image,
                "prompt": prompt,
                "answer": answer,
            }
        )
    return out


def messages(sample: Sample, with_answer: bool = True) -> list[dict[str, Any]]:
    """The sample as chat messages (one image, then the text; the answer as the assistant turn)."""
    chat = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": sample["prompt"]}]}
    ]
    if with_answer:
        chat.append({"role": "assistant", "content": [{"type": "text", "text": sample["answer"]}]})
    return chat
