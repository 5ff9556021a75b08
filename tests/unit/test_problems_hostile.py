"""Hostile problem files: each bad row or file is quarantined with a reason, the rest still loads,
and counts add up (total == valid + quarantined) in the loader, `sciray problems inspect` and the
synthesis source."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sciray.cli.main import main
from sciray.cluster.source import problem_rows
from sciray.data.problems import load_problems

DEEP = 100_000


def good(i: int) -> dict:
    return {"id": f"p{i}", "question": f"question {i}", "image_type": "Math - Geometry"}


def deep_row(depth: int = DEEP) -> str:
    return '{"id": "deep", "question": "q", "x": ' + "[" * depth + "]" * depth + "}"


def counts_add_up(report) -> bool:
    return report.total == len(report.problems) + len(report.quarantined)


def test_deeply_nested_jsonl_row_is_quarantined_not_a_recursion_error(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join([json.dumps(good(1)), deep_row(), json.dumps(good(3))]) + "\n")
    report = load_problems(str(path))
    assert [p.id for p in report.problems] == ["p1", "p3"]
    [bad] = report.quarantined
    assert bad.line == 2 and "nests" in bad.reason and "problems.max_depth" in bad.reason
    assert report.total == 3 and counts_add_up(report)


def test_brackets_inside_strings_do_not_count_and_the_cap_is_configurable(tmp_path):
    path = tmp_path / "p.jsonl"
    nested = good(1) | {"meta_x": [[[[1]]]]}
    path.write_text(json.dumps(good(2) | {"note": "[" * 5000}) + "\n" + json.dumps(nested) + "\n")
    assert [p.id for p in load_problems(str(path)).problems] == ["p2", "p1"]
    report = load_problems(str(path), max_depth=4)  # the row object + 4 lists = 5 levels
    assert [p.id for p in report.problems] == ["p2"]
    assert "5 levels deep, over the cap of 4" in report.quarantined[0].reason


def test_deeply_nested_element_of_a_json_array_is_quarantined_alone(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        "[\n" + json.dumps(good(1)) + ",\n" + deep_row() + ",\n" + json.dumps(good(3)) + "\n]\n"
    )
    report = load_problems(str(path))
    assert [p.id for p in report.problems] == ["p1", "p3"]
    [bad] = report.quarantined
    assert bad.line == 3 and "problems.max_depth" in bad.reason
    assert counts_add_up(report)


def test_a_json_array_nested_deep_as_a_whole_is_quarantined(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("[" * DEEP + "]" * DEEP)
    report = load_problems(str(path))
    assert report.problems == [] and len(report.quarantined) == 1
    assert "problems.max_depth" in report.quarantined[0].reason and counts_add_up(report)


def _bomb(path, head: bytes, mib: int) -> None:
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(head)
        block = b" " * (1 << 20)
        for _ in range(mib):
            f.write(block)


def test_gzip_bomb_json_array_is_quarantined_without_reading_it_whole(tmp_path):
    bomb = tmp_path / "bomb.json.gz"
    _bomb(bomb, b"[" + json.dumps(good(9)).encode() + b",", 64)  # 64 MiB of spaces, never closed
    (tmp_path / "ok.jsonl").write_text(json.dumps(good(1)) + "\n")
    tracemalloc.start()
    try:
        report = load_problems(str(tmp_path), max_decompressed_mb=4)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 << 20, f"read {peak >> 20} MiB of a 4 MiB cap"
    assert [p.id for p in report.problems] == ["p1"]
    [bad] = report.quarantined
    assert bad.file.endswith("bomb.json.gz") and "more than 4 MiB" in bad.reason
    assert "problems.max_decompressed_mb" in bad.reason and counts_add_up(report)


def test_gzip_bomb_jsonl_keeps_rows_before_the_cap_and_quarantines_the_rest(tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    _bomb(bomb, (json.dumps(good(1)) + "\n" + json.dumps(good(2)) + "\n").encode(), 64)
    report = load_problems(str(bomb), max_decompressed_mb=2, max_row_bytes=4096)
    assert [p.id for p in report.problems] == ["p1", "p2"]
    [bad] = report.quarantined
    assert bad.line == 3 and "decompresses to more than 2 MiB" in bad.reason
    assert report.total == 3 and counts_add_up(report)


def test_compressed_files_under_the_cap_and_max_row_bytes_still_work(tmp_path):
    path = tmp_path / "p.json.gz"
    with gzip.open(path, "wt") as f:
        json.dump([good(1), good(2) | {"answer": "y" * 5000}, good(3)], f)
    report = load_problems(str(path), max_row_bytes=2048, max_decompressed_mb=1)
    assert [p.id for p in report.problems] == ["p1", "p3"]
    assert "over the cap of 2048" in report.quarantined[0].reason


def _parquet(path, **options) -> pq.FileMetaData:
    rows = [good(i) | {"question": f"question number {i} " * 20} for i in range(6)]
    pq.write_table(
        pa.Table.from_pylist(rows), path, row_group_size=2, use_dictionary=False, **options
    )
    return pq.ParquetFile(path).metadata


def _damage(path, start: int, end: int) -> None:
    data = bytearray(path.read_bytes())
    data[start:end] = bytes(b ^ 0xFF for b in data[start:end])
    path.write_bytes(bytes(data))


def test_parquet_row_group_with_a_corrupt_data_page_is_quarantined(tmp_path):
    path = tmp_path / "p.parquet"
    column = _parquet(path, compression="snappy").row_group(1).column(1)  # 'question' of rows 3-4
    assert column.path_in_schema == "question"
    _damage(
        path,
        column.data_page_offset + column.total_compressed_size // 2,
        column.data_page_offset + column.total_compressed_size,
    )
    report = load_problems(str(path))
    assert [p.id for p in report.problems] == ["p0", "p1", "p4", "p5"]
    [bad] = report.quarantined
    assert bad.line == 3 and "rows 3-4 (row group 1) cannot be read" in bad.reason
    assert "\n" not in bad.reason and counts_add_up(report)


def test_parquet_page_checksums_catch_a_flipped_byte(tmp_path):
    path = tmp_path / "p.parquet"
    column = _parquet(path, write_page_checksum=True, write_statistics=False).row_group(2).column(1)
    end = column.data_page_offset + column.total_compressed_size
    _damage(path, end - 10, end - 9)  # one payload byte: without the checksum, silently wrong text
    report = load_problems(str(path))
    assert [p.id for p in report.problems] == ["p0", "p1", "p2", "p3"]
    assert report.quarantined[0].line == 5 and "row group 2" in report.quarantined[0].reason


def test_parquet_row_group_over_the_size_cap_is_not_read(tmp_path):
    path = tmp_path / "p.parquet"
    rows = [good(i) | {"answer": "x" * 600_000} for i in range(4)]
    pq.write_table(
        pa.Table.from_pylist(rows), path, row_group_size=2, use_dictionary=False
    )  # 1.2 MB a group
    assert path.stat().st_size < 1 << 20  # compressed, it looks small
    report = load_problems(str(path), max_decompressed_mb=1)
    assert report.problems == [] and [q.line for q in report.quarantined] == [1, 3]
    assert "problems.max_decompressed_mb" in report.quarantined[0].reason


@pytest.fixture
def hostile_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps(good(1)) + "\n" + deep_row() + "\n")
    path = folder / "b.parquet"
    column = _parquet(path, compression="snappy").row_group(0).column(1)
    _damage(path, column.data_page_offset, column.data_page_offset + column.total_compressed_size)
    _bomb(folder / "c.json.gz", b"[", 8)
    return folder


def test_inspect_reports_every_quarantine_and_counts_add_up(hostile_folder, capsys):
    rc = main(
        [
            "problems",
            "inspect",
            str(hostile_folder),
            "--json",
            "--set",
            "problems.max_decompressed_mb=2",
        ]
    )
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    data = json.loads(captured.out)
    assert data["valid"] == 1 + 4  # p1, and parquet rows 3-6
    reasons = {q["file"].rsplit("/", 1)[-1]: q["reason"] for q in data["quarantined"]}
    assert set(reasons) == {"a.jsonl", "b.parquet", "c.json.gz"}
    assert "max_depth" in reasons["a.jsonl"] and "row group 0" in reasons["b.parquet"]
    assert "max_decompressed_mb" in reasons["c.json.gz"]
    assert data["total"] == data["valid"] + len(data["quarantined"]) == 8


def test_synthesis_source_turns_them_into_quarantined_rows(hostile_folder):
    rows = [
        r
        for f in sorted(hostile_folder.iterdir())
        for r in problem_rows(str(f), max_decompressed_mb=2)
    ]
    quarantined = [r for r in rows if r["kind"] == "quarantined"]
    assert len(rows) == 8 and len(quarantined) == 3
    assert all(r["reason"] and r["source"] for r in quarantined)
