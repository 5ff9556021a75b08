"""``sciray eval`` end to end with a scripted validator, and ``sciray leaderboard``."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest
from PIL import Image, ImageDraw

from sciray.cli.main import main


def _quiz(question: str, correct: str) -> dict:
    return {
        "question": question,
        "options": {"A": "1 kg", "B": "2 kg", "C": "3 kg", "D": "4 kg"},
        "correct_option": correct,
        "evidence_snippet": "mass",
    }


PROBLEMS = [
    {
        "id": "p1",
        "question": "A block of mass 2 kg on a 30 degree ramp.",
        "image_type": "Physics - Mechanics",
        "answer": "9.8 N",
        "quizzes": [_quiz("Which mass is labelled on the block?", "B"), _quiz("Second mass?", "C")],
    },
    {
        "id": "p2",
        "question": "Two masses of 3 kg hang from a pulley.",
        "image_type": "Physics - Mechanics",
        "answer": "0",
        "quizzes": [_quiz("Which mass hangs left?", "C")],
    },
    {
        "id": "p3",
        "question": "Triangle ABC with AB = 4.",
        "image_type": "Math - Geometry",
        "answer": "6",
        "quizzes": [_quiz("Which mass is shown?", "A")],
    },
    {
        "id": "p4",
        "question": "A circuit with R = 5 ohm.",
        "image_type": "Physics - Circuits",
        "answer": "2 A",
        "quizzes": [_quiz("Which resistance?", "A")],
    },
]


def _png(text: str) -> bytes:
    image = Image.new("RGB", (160, 120), "white")
    ImageDraw.Draw(image).text((10, 50), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def setup(tmp_path):
    problems = tmp_path / "problems.jsonl"
    problems.write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    images = tmp_path / "images"
    images.mkdir()
    (images / "p1.png").write_bytes(_png("m = 2 kg"))
    (images / "p2.png").write_bytes(_png("3 kg"))
    (images / "p3.png").write_bytes(b"\x89PNG not really a png")  # corrupt
    # p4 has no image at all
    # The scripted "vision model" answers B to the first quiz of p1, C elsewhere.
    script = tmp_path / "answers.json"
    script.write_text(
        json.dumps(
            [
                {"match": "Which mass is labelled", "text": "The answer is **B**."},
                {"match": ".", "text": "C"},
            ]
        )
    )
    return problems, images, script, tmp_path


def test_eval_writes_scores_summary_and_report(setup, capsys):
    problems, images, script, tmp_path = setup
    out = tmp_path / "eval"
    rc = main(
        [
            "eval",
            "--problems",
            str(problems),
            "--images",
            str(images),
            "--name",
            "scripted-vlm",
            "--metrics",
            "checks,quiz",
            "--out",
            str(out),
            "--json",
            "--set",
            "validator.engine=scripted",
            "--set",
            f"validator.script={script}",
            "--set",
            "validator.mode=vision",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    # p1: 2/2 right, p2: 1/1 right; p3 corrupt and p4 missing have no accuracy
    assert summary["r_inv"] == pytest.approx(100.0)
    assert summary["n_images"] == 3 and summary["n_missing"] == 1 and "p4" in summary["missing"]
    assert summary["validator_mode"] == "vision" and summary["name"] == "scripted-vlm"
    table = pq.read_table(out / "scores.parquet").to_pylist()
    by_id = {r["problem_id"]: r for r in table}
    assert [a["answer"] for a in by_id["p1"]["quiz_answers"]] == ["B", "C"]
    assert by_id["p1"]["quiz_answers"][0]["raw"] == "The answer is **B**."
    assert by_id["p3"]["accuracy"] is None and by_id["p3"]["quiz_status"] == "bad_image"
    assert by_id["p4"]["status"] == "missing_image" and by_id["p4"]["accuracy"] is None
    checks = {c["name"]: c["score"] for c in by_id["p1"]["checks"]}
    assert checks["not_blank"] == 1.0
    report = (out / "report.html").read_text()
    assert "scripted-vlm" in report and "data:image/png;base64" in report and "p4" in report


def test_leaderboard_merges_summaries(setup, tmp_path, capsys):
    for name, r_inv in (("weak", 40.0), ("strong", 75.5)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "summary.json").write_text(
            json.dumps(
                {
                    "name": name,
                    "n_images": 10,
                    "n_missing": 0,
                    "r_inv": r_inv,
                    "validator_mode": "vision",
                    "judge": {"CF": 1.5, "LP": 1.0, "RO": 1.2, "SP": 1.8, "ER": 0.9},
                    "psnr": 12.0,
                    "ssim": 0.5,
                    "clip": None,
                    "fid": None,
                }
            )
        )
    assert main(["leaderboard", str(tmp_path / "weak"), str(tmp_path / "strong")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("| model | images | R_inv (%)")
    assert lines[2].startswith("| strong | 10 | 75.50") and lines[3].startswith("| weak")
    assert main(["leaderboard", str(tmp_path / "nothing-here")]) == 2


def test_eval_bad_usage(setup, capsys):
    problems, images, _, tmp_path = setup
    assert (
        main(
            [
                "eval",
                "--problems",
                str(problems),
                "--images",
                str(tmp_path / "nope"),
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    assert (
        main(
            [
                "eval",
                "--problems",
                str(problems),
                "--images",
                str(images),
                "--metrics",
                "quizz",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "did you mean 'quiz'" in capsys.readouterr().err
