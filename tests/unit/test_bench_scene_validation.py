"""benchmarks/scene_validation.py: the scene proxy and the OCR proxy answer the same quizzes on
the same images of a run, and their agreement is reported."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import fsspec
from PIL import Image

from sciray.coder.imgcoder import CoderResult
from sciray.pipeline.writer import ShardWriter, shard_row, shard_verdict
from sciray.types import Candidate, ImageRef, Problem, Scene, SceneText

ROOT = Path(__file__).resolve().parents[2]
QUIZZES = [
    {"question": "Mass?", "options": {"A": "2 kg", "B": "3 kg"}, "correct_option": "A"},
    {"question": "Angle?", "options": {"A": "30", "B": "45"}, "correct_option": "A"},
]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _state(pid: str, spec: dict | None) -> CoderResult:
    problem = Problem.model_validate({"id": pid, "question": "A 2 kg block.", "quizzes": QUIZZES})
    best = Candidate(
        problem_id=pid,
        status="ok",
        language="scene" if spec else "python",
        image=ImageRef(bytes=_png()),
        render_status="ok",
        scene=Scene(texts=[SceneText(text="2 kg", bbox=[8, 24, 40, 36])], size=[96, 64]),
        scene_spec=spec,
    )
    return CoderResult(problem=problem, attempts=[best])


def _run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    writer = ShardWriter(fsspec.filesystem("file"), str(run / "accepted"), shard_rows=8)
    spec = {"domain": "mechanics", "bodies": [{"kind": "block", "label": "2 kg"}]}
    for pid, scene_spec in (("s1", spec), ("s2", spec), ("code", None)):
        verdict = shard_verdict({"accepted": True})
        writer.add(shard_row(_state(pid, scene_spec), verdict, "h", "{}"))
    writer.flush()
    return run


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scene_validation.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_both_proxies_answer_the_same_quizzes_and_agreement_is_counted(tmp_path: Path) -> None:
    script = tmp_path / "script.jsonl"
    # the OCR proxy answers A then B for every problem; the scene proxy always A
    script.write_text(
        "\n".join(
            json.dumps(e)
            for e in (
                {"match": "Description of the figure", "text": "A"},
                {"match": "Text read from the figure[\\s\\S]*Mass", "text": "A"},
                {"match": "Text read from the figure[\\s\\S]*Angle", "text": "B"},
            )
        )
    )
    out = tmp_path / "rows.jsonl"
    proc = _bench(
        "--run",
        str(_run(tmp_path)),
        "--set",
        "validator.engine=scripted",
        "--set",
        f"validator.script={script}",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["problems"] == 2 and result["quizzes"] == 4  # the code-drawn row is left out
    assert result["r_inv_ocr_proxy"] == 0.5 and result["r_inv_scene_proxy"] == 1.0
    assert result["answer_agreement"] == 0.5 and result["correct_agreement"] == 0.5
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["ocr_proxy"] == ["A", "B"] and rows[0]["scene_proxy"] == ["A", "A"]


def test_a_run_without_scene_rows_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _bench("--run", str(empty))
    assert proc.returncode == 2 and "coder.mode=scene" in proc.stderr
    assert "Traceback" not in proc.stderr
