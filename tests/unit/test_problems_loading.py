from __future__ import annotations

import gzip
import json

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sciray.data.problems import Quarantined, iter_problems, load_problems
from sciray.errors import UserError

QUIZ = {
    "question": "q?",
    "options": {"A": "a", "B": "b", "C": "c", "D": "d"},
    "correct_option": "A",
}


def good(i, **extra):
    return {
        "id": f"p{i}",
        "question": f"question {i}",
        "image_type": "Math - Geometry",
        "quizzes": [QUIZ],
        **extra,
    }


def test_real_scigenbench_file_loads_as_is(scigen_dir):
    report = load_problems(str(scigen_dir / "scigen.jsonl"))
    assert report.total == 845
    assert report.total == len(report.problems) + len(report.quarantined)
    # The published file has a few quizzes whose correct option key was corrupted ('|C', '0'...).
    assert all("not among its options" in q.reason for q in report.quarantined)
    assert 0 < len(report.quarantined) < 10
    assert len(report.by_image_type()) == 25
    assert sum(report.by_image_type().values()) == len(report.problems)


def test_seephys_rows_find_their_reference_images(scigen_dir):
    report = load_problems(
        str(scigen_dir / "seephys.jsonl"), reference_images=str(scigen_dir / "seephys_images")
    )
    assert report.total == 257 and not report.quarantined
    first = report.problems[0]
    assert first.id == "1751" and first.reference_image.endswith("seephys_images/1751.png")
    assert all(p.reference_image for p in report.problems)


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path):
    lines = [
        json.dumps(good(1)).encode(),  # 1 ok
        b"{not json",  # 2 invalid JSON
        json.dumps({"id": "p3"}).encode(),  # 3 missing question
        json.dumps({"id": "p4", "question": ""}).encode(),  # 4 empty question
        json.dumps({"id": "p5", "question": ["a"]}).encode(),  # 5 wrong type
        json.dumps(
            good(6, quizzes=[{**QUIZ, "correct_option": "E"}])
        ).encode(),  # 6 impossible quiz
        json.dumps(good(1)).encode(),  # 7 duplicate id
        b'{"id": "p8", "question": "caf\xe9"}',  # 8 not UTF-8
        b"",  # 9 blank: not a row
        json.dumps(good(10, elements=["x" * 5000])).encode(),  # 10 oversized
        b"[1, 2]",  # 11 not an object
        json.dumps(good(12)).encode(),  # 12 ok
    ]
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = load_problems(str(path), max_row_bytes=2048)
    assert [p.id for p in report.problems] == ["p1", "p12"]
    reasons = {q.line: q.reason for q in report.quarantined}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 10, 11]
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3] == "question: Field required"
    assert "question is empty" in reasons[4]
    assert reasons[5].startswith("question: Input should be a valid string")
    assert "not among its options" in reasons[6]
    assert reasons[7] == f"duplicate id 'p1' (first seen at {path}:1)"
    assert "not valid UTF-8" in reasons[8]
    assert "over the cap of 2048" in reasons[10] and "problems.max_row_bytes" in reasons[10]
    assert "expected an object" in reasons[11]
    assert report.total == 11  # blank lines are not rows


def test_an_oversized_line_is_skipped_without_reading_it_whole(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps(good(1, answer="y" * 300_000)) + "\n" + json.dumps(good(2)) + "\n")
    report = load_problems(str(path), max_row_bytes=4096)
    assert [p.id for p in report.problems] == ["p2"]
    assert report.quarantined[0].line == 1 and "300" in report.quarantined[0].reason


def test_json_array_rows_report_their_line(tmp_path):
    rows = [good(1), {"id": "p2"}, good(3)]
    path = tmp_path / "p.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r, indent=1) for r in rows) + "\n]\n")
    report = load_problems(str(path))
    assert [p.id for p in report.problems] == ["p1", "p3"]
    starts = [i + 1 for i, line in enumerate(path.read_text().splitlines()) if line == "{"]
    assert report.quarantined[0].line == starts[1]


def test_broken_json_array_quarantines_the_rest(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[{"id": "a", "question": "q"},\n {"id": "b", "question": ')
    report = load_problems(str(path))
    assert [p.id for p in report.problems] == ["a"]
    assert report.quarantined[0].line == 2 and "rest of the array" in report.quarantined[0].reason


def test_json_file_with_one_object_per_line(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(good(1)) + "\n" + json.dumps(good(2)) + "\n")
    assert [p.id for p in load_problems(str(path)).problems] == ["p1", "p2"]


def test_parquet_folder_glob_and_compression(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    pq.write_table(
        pa.Table.from_pylist([{"id": "a", "question": "qa"}, {"id": "b", "question": None}]),
        folder / "x.parquet",
    )
    with gzip.open(folder / "y.jsonl.gz", "wt") as f:
        f.write(json.dumps({"id": 7, "question": "q7"}) + "\n")
    (folder / "notes.txt").write_text("ignored")
    report = load_problems(str(folder))
    assert sorted(p.id for p in report.problems) == ["7", "a"]
    assert report.quarantined[0].line == 2 and report.quarantined[0].file.endswith("x.parquet")
    assert [p.id for p in load_problems(str(folder / "*.jsonl.gz")).problems] == ["7"]


def test_fsspec_memory_urls():
    fs = fsspec.filesystem("memory")
    with fs.open("/sciray-test/p.jsonl", "w") as f:
        f.write(json.dumps(good(1)) + "\n")
    report = load_problems("memory://sciray-test/p.jsonl")
    assert [p.id for p in report.problems] == ["p1"]
    assert report.quarantined == []


def test_streaming_yields_in_file_order(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(good(1)) + "\nnope\n" + json.dumps(good(2)) + "\n")
    kinds = [type(x).__name__ for x in iter_problems(str(path))]
    assert kinds == ["Problem", "Quarantined", "Problem"]
    assert isinstance(list(iter_problems(str(path)))[1], Quarantined)


@pytest.mark.parametrize("name", ["missing.jsonl", "*.nothing"])
def test_nothing_to_read_is_a_user_error(tmp_path, name):
    with pytest.raises(UserError):
        load_problems(str(tmp_path / name))


def test_unknown_extension_is_a_user_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,question\n")
    with pytest.raises(UserError, match="unknown format"):
        load_problems(str(path))


def test_corrupt_parquet_is_quarantined_not_fatal(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"PAR1garbage")
    (tmp_path / "ok.jsonl").write_text(json.dumps(good(1)) + "\n")
    report = load_problems(str(tmp_path))
    assert [p.id for p in report.problems] == ["p1"]
    assert "Parquet" in report.quarantined[0].reason
