"""The scene proxy against the OCR proxy on the same images (``validator.mode=scene`` vs ``ocr``).

Reads a ``sciray synth`` run (its accepted/ and rejected/ shards), keeps the problems whose image
was drawn from a scene description and that have quizzes, and lets the configured validator
engine answer every quiz twice: from the texts the renderer drew (the OCR proxy with
``ocr_engine=scene``) and from the scene description (the scene proxy). Both are proxies for a
vision model; where they agree, a cheap text model reading the description is as good a judge
as reading the figure's texts.

    python benchmarks/scene_validation.py --run runs/scene [--config F] [--set k=v]... [--out F]

Prints one JSON line: problems, quizzes, R_inv of each proxy, how often both chose the same
letter (``answer_agreement``), how often both were right or both wrong
(``correct_agreement``), and the problems' R_inv correlation.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any


def load_items(run: Path) -> list[tuple]:
    """``(problem, image, scene, scene_spec)`` of every shard row drawn from a scene description
    whose problem has quizzes."""
    import pyarrow.parquet as pq

    from sciray.data.schema import from_arrow_row
    from sciray.types import ShardRow

    items = []
    for path in sorted(run.glob("*/part-*.parquet")):
        for raw in pq.read_table(path).to_pylist():
            row = from_arrow_row(ShardRow, raw)
            if row.scene_spec and row.image and row.image.bytes and row.problem.quizzes:
                items.append((row.problem, row.image.bytes, row.scene, row.scene_spec))
    return items


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sx * sy), 3)


def compare(ocr: list, scene: list) -> dict[str, Any]:
    """Agreement of two lists of ``ValidationResult`` for the same items."""
    quizzes = same_letter = same_grade = 0
    r_ocr, r_scene = [], []
    for a, b in zip(ocr, scene):
        if a.accuracy is not None and b.accuracy is not None:
            r_ocr.append(a.accuracy)
            r_scene.append(b.accuracy)
        for x, y in zip(a.answers, b.answers):
            quizzes += 1
            same_letter += x.answer is not None and x.answer == y.answer
            same_grade += bool(x.correct) == bool(y.correct)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    return {
        "problems": len(ocr),
        "quizzes": quizzes,
        "scored_by_both": len(r_ocr),
        "r_inv_ocr_proxy": mean(r_ocr),
        "r_inv_scene_proxy": mean(r_scene),
        "answer_agreement": round(same_letter / quizzes, 3) if quizzes else None,
        "correct_agreement": round(same_grade / quizzes, 3) if quizzes else None,
        "r_inv_correlation": _pearson(r_ocr, r_scene),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, help="A sciray synth run folder.")
    parser.add_argument("--config")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="K=V")
    parser.add_argument("--out", help="Write per-problem rows (JSON Lines) here.")
    args = parser.parse_args(argv)

    from sciray.config import load_config
    from sciray.errors import UserError
    from sciray.llm import make_engine
    from sciray.validate import QuizValidator

    try:
        cfg = load_config(args.config, args.overrides)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run = Path(args.run)
    if not run.is_dir():
        print(f"error: {run} is not a folder; pass a sciray synth run (--run DIR)", file=sys.stderr)
        return 2
    items = load_items(run)
    if not items:
        print(
            f"error: {run} has no scene-drawn rows with quizzes; make one with sciray synth "
            "--set coder.mode=scene",
            file=sys.stderr,
        )
        return 2
    engine = make_engine(cfg.validator)
    try:
        ocr_cfg = cfg.validator.model_copy(update={"mode": "ocr", "ocr_engine": "scene"})
        ocr = QuizValidator(ocr_cfg, engine).validate(items)
        scene = QuizValidator(cfg.validator.model_copy(update={"mode": "scene"}), engine).validate(
            items
        )
    finally:
        getattr(engine, "close", lambda: None)()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for item, a, b in zip(items, ocr, scene):
                f.write(
                    json.dumps(
                        {
                            "id": item[0].id,
                            "domain": item[3].get("domain"),
                            "ocr_proxy": [x.answer for x in a.answers],
                            "scene_proxy": [x.answer for x in b.answers],
                            "correct": [q.correct_option for q in item[0].quizzes],
                        }
                    )
                    + "\n"
                )
    print(
        json.dumps(
            {"engine": cfg.validator.engine, "model": cfg.validator.model, **compare(ocr, scene)}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
