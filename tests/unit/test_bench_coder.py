"""benchmarks/coder.py compares modes on one sample in one run and writes a contact sheet with
each problem's text beside every mode's image."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sciray.testing import GOOD_ANSWER

ROOT = Path(__file__).resolve().parents[2]

SCENE = {
    "domain": "mechanics",
    "bodies": [
        {"name": "ramp", "kind": "incline", "angle_deg": 30, "angle_label": "30 degrees"},
        {"name": "b", "kind": "block", "on": "ramp", "label": "2 kg"},
    ],
}


def test_modes_side_by_side_with_a_contact_sheet(tmp_path: Path) -> None:
    problems = tmp_path / "problems.jsonl"
    problems.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"p{i}",
                    "question": f"Block {name}: a block of mass 2 kg rests on a ramp inclined at "
                    "30 degrees. Find the normal force.",
                    "image_type": "Physics - Mechanical",
                }
            )
            + "\n"
            for i, name in enumerate("AB")
        )
    )
    script = tmp_path / "script.jsonl"
    script.write_text(
        json.dumps({"match": "JSON object", "text": json.dumps(SCENE)})
        + "\n"
        + json.dumps({"text": GOOD_ANSWER})
        + "\n"
    )
    sheet, images = tmp_path / "sheet.html", tmp_path / "images"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "coder.py"),
            "--problems",
            str(problems),
            "--limit",
            "2",
            "--modes",
            "code,scene",
            "--set",
            "coder.engine=scripted",
            "--set",
            f"coder.script={script}",
            "--set",
            "render.workers=1",
            "--images",
            str(images),
            "--sheet",
            str(sheet),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    compared = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(compared["modes"]) == {"code", "scene"}
    scene = compared["modes"]["scene"]
    assert scene["render_success"] == 1.0 and scene["model_calls_per_problem"] == 1.0
    assert compared["seconds_vs_code"]["scene"] > 0
    assert sorted(p.name for p in (images / "scene").iterdir()) == ["p0.png", "p1.png"]
    page = sheet.read_text()
    assert page.count("data:image/png;base64,") == 4  # two problems x two modes
    assert "<th>code</th><th>scene</th>" in page and "Block B: a block" in page
    assert "Physics - Mechanical" in page


def test_an_unknown_mode_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "coder.py"), "--modes", "code,scnee"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "unknown mode 'scnee'" in proc.stderr


def test_domains_pick_the_sample_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from coder import sample_problems
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    problems = tmp_path / "problems.jsonl"
    types = ["Physics - Optical Ray", "Physics - Waveform", "Physics - Circuit", "Biology - X"]
    problems.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "question": f"Problem {i}.", "image_type": types[i % 4]})
            + "\n"
            for i in range(12)
        )
    )
    sample = sample_problems(str(problems), 10, domains=("optics", "wave"))
    assert len(sample) == 6
    assert {p.image_type for p in sample} == {"Physics - Optical Ray", "Physics - Waveform"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "coder.py"), "--domains", "optix"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "did you mean 'optics'" in proc.stderr


def _bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import coder
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return coder


class _Recorder:
    name, model = "rec", "rec"

    def __init__(self):
        self.requests = []

    def generate(self, requests):
        self.requests += requests
        return []


def test_warming_evaluates_each_system_message_the_mode_will_send_once() -> None:
    from sciray.coder import prompts, scene_prompts
    from sciray.config.models import CoderConfig
    from sciray.types import Problem

    types = ["Physics - Optical Ray", "Physics - Waveform", "Physics - Optical Ray", "Biology - X"]
    problems = [Problem(id=f"p{i}", question="Q.", image_type=t) for i, t in enumerate(types)]
    bench = _bench()
    systems = {}
    for mode in ("code", "scene", "auto"):
        engine = _Recorder()
        n = bench.warm_prompts(engine, CoderConfig(mode=mode), problems)
        assert n == len(engine.requests) and all(r.max_tokens == 1 for r in engine.requests)
        systems[mode] = [r.messages[0]["content"] for r in engine.requests]
    code = prompts.SYSTEM
    optics, wave = (scene_prompts.system_message(d)["content"] for d in ("optics", "wave"))
    assert systems == {"code": [code], "scene": [optics, wave], "auto": [code, optics, wave]}


def test_one_engine_for_several_modes_is_loaded_with_the_scene_prompt_cache() -> None:
    from sciray.config.models import CoderConfig

    bench = _bench()
    code = CoderConfig(mode="code")
    assert bench.engine_config(code, ["code", "auto"]).mode == "auto"
    assert bench.engine_config(code, ["code"]).mode == "code"
    assert bench.engine_config(CoderConfig(mode="scene"), ["code", "auto"]).mode == "scene"
