"""Output file names are injective over problem ids, and `sciray eval` finds what `sciray imgcoder`
wrote."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

from PIL import Image

from sciray.cli.imgcoder_cmd import write_outputs
from sciray.cli.main import main
from sciray.data.names import file_stem
from sciray.evaluation.images import find_images

IDS = ["a/b", "a_b", "a:b"]


def test_distinct_ids_get_distinct_stems_and_safe_ids_keep_their_name():
    assert len({file_stem(i) for i in IDS}) == 3
    assert (
        file_stem("a_b") == "a_b"
        and file_stem("1751") == "1751"
        and file_stem("p-1.v2") == "p-1.v2"
    )
    assert file_stem("a/b") == file_stem("a/b")  # stable
    hostile = [
        "",
        ".",
        "..",
        "../x",
        "x" * 151,
        "x" * 150 + "y",
        "é" * 150,
        "a b",
        "a\x00b",
        "\ud800",
    ]
    stems = [file_stem(i) for i in hostile]
    assert len(set(stems)) == len(hostile)
    assert all(
        s and "/" not in s and not s.startswith(".") and len(s.encode()) <= 240 for s in stems
    )
    # a safe id shaped like a hashed stem cannot take the file of the id it imitates
    assert file_stem(file_stem("a/b")) != file_stem("a/b")


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _record(result) -> dict:
    """A stand-in for the ``<id>.json`` record, with a scene description eval should find."""
    return {"id": result.problem.id, "scene_spec": {"domain": "toy", "id": result.problem.id}}


def _result(pid: str, png: bytes):
    best = SimpleNamespace(code="# code", language="python", image=SimpleNamespace(bytes=png))
    return SimpleNamespace(best=best, problem=SimpleNamespace(id=pid))


def test_imgcoder_outputs_for_colliding_ids_are_three_files_that_eval_tells_apart(
    tmp_path, monkeypatch
):
    from sciray.cli import imgcoder_cmd

    monkeypatch.setattr(imgcoder_cmd, "candidate_record", _record)
    out = tmp_path / "images"
    out.mkdir()
    pngs = {pid: _png(colour) for pid, colour in zip(IDS, ["red", "green", "blue"])}
    for pid in IDS:
        write_outputs(_result(pid, pngs[pid]), out)
    assert len(list(out.glob("*.png"))) == 3 and len(list(out.glob("*.json"))) == 3
    entries = find_images(str(out), IDS)
    assert {pid: entries[pid].data for pid in IDS} == pngs
    # the scene description beside each image reaches eval (validator.mode=scene reads it)
    assert {pid: entries[pid].scene_spec["id"] for pid in IDS} == {pid: pid for pid in IDS}


def _eval(tmp_path, images, capsys) -> dict:
    problems = tmp_path / "problems.jsonl"
    problems.write_text(
        "".join(json.dumps({"id": pid, "question": f"Draw {pid}."}) + "\n" for pid in IDS)
    )
    out = tmp_path / f"eval-{images.name}"
    rc = main(
        [
            "eval",
            "--problems",
            str(problems),
            "--images",
            str(images),
            "--metrics",
            "checks",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    return json.loads((out / "summary.json").read_text())


def test_eval_counts_the_images_imgcoder_wrote_for_each_id(tmp_path, monkeypatch, capsys):
    from sciray.cli import imgcoder_cmd

    monkeypatch.setattr(imgcoder_cmd, "candidate_record", _record)
    some, every = tmp_path / "some", tmp_path / "every"
    for folder, ids in ((some, ["a/b", "a:b"]), (every, IDS)):
        folder.mkdir()
        for pid in ids:
            write_outputs(_result(pid, _png("red")), folder)
    # 'a_b' has no image: it must not be credited with the image of 'a/b' or 'a:b'
    summary = _eval(tmp_path, some, capsys)
    assert summary["n_images"] == 2 and summary["n_missing"] == 1 and "a_b" in summary["missing"]
    assert len(list(every.glob("*.png"))) == 3
    summary = _eval(tmp_path, every, capsys)
    assert summary["n_images"] == 3 and summary["n_missing"] == 0
