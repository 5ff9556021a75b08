"""A small accepted run made from real problems without any model: for CPU demos and tests.

Each problem gets a plain Matplotlib figure that labels the numbers given in its question, a
plan that says so, and a verdict with an r_inv spread over [0.5, 1]; the rows go through the same
``shard_row`` and ``ShardWriter`` as ``sciray synth``, so the shards have the real format.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from fsspec.core import url_to_fs

from sciray.lineage import package_versions
from sciray.pipeline.writer import ShardWriter, shard_row, shard_verdict
from sciray.train.samples import hash_share
from sciray.types import Candidate, ImageRef, Plan, Problem

_NUMBER = re.compile(
    r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s?(?:kg|m/s|m|cm|N|J|s|K|V|A|Hz|°|%|ly|km))?"
)


def _figure(problem: Problem, labels: list[str]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.2, 2.4), dpi=50)
    ax.add_patch(plt.Rectangle((0.1, 0.1), 0.8, 0.5, fill=False))
    for i, text in enumerate(labels[:4]):
        ax.text(0.15 + 0.4 * (i % 2), 0.7 + 0.12 * (i // 2), text, fontsize=9)
    ax.text(0.15, 0.3, (problem.image_type or "").split(" - ")[-1], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def write_demo_run(problems: list[Problem], out: str, shard_rows: int = 64) -> list[str]:
    """Write ``out/accepted/part-*.parquet`` for ``problems``; returns the shard paths."""
    from sciray.coder.imgcoder import CoderResult

    fs, root = url_to_fs(out)
    writer = ShardWriter(fs, f"{root}/accepted", shard_rows)
    versions = json.dumps(package_versions())
    for problem in problems:
        labels = list(dict.fromkeys(m.group().strip() for m in _NUMBER.finditer(problem.question)))[
            :4
        ]
        plan = Plan(
            content=f"A diagram of: {problem.question[:120]}",
            layout="labels above a frame",
            labels=", ".join(labels),
            considerations="Do not show the answer.",
        )
        candidate = Candidate(
            problem_id=problem.id,
            status="ok",
            engine="demo",
            model="matplotlib",
            prompt_version="demo",
            plan=plan,
            code="",
            render_status="ok",
            image=ImageRef(bytes=_figure(problem, labels), path=f"{problem.id}.png"),
            checks={"rendered": 1.0},
            score=1.0,
        )
        r_inv = round(0.5 + 0.5 * hash_share("demo-r_inv", problem.id), 2)
        verdict = shard_verdict({"accepted": True, "reason": f"r_inv {r_inv:.2f}", "r_inv": r_inv})
        writer.add(
            shard_row(CoderResult(problem=problem, attempts=[candidate]), verdict, "demo", versions)
        )
    writer.flush()
    return writer.shards


def load_problems(path: str | Path, limit: int) -> list[Problem]:
    """The first ``limit`` problems of a JSON Lines file that have an answer."""
    out = []
    with open(path) as f:
        for line in f:
            problem = Problem.model_validate_json(line, context={"lenient": True})
            if problem.answer:
                out.append(problem)
            if len(out) >= limit:
                break
    return out
