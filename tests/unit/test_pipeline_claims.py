"""IdClaims and settle_claims: an id held by another file is quarantined as it is read."""

from __future__ import annotations

from sciray.cluster.source import problem_rows, settle_claims
from sciray.pipeline.claims import IdClaims


def test_first_claim_owns_the_id_and_a_retry_of_the_same_rows_is_not_a_duplicate():
    claims = IdClaims()
    assert claims.claim([("a", "x.jsonl:1"), ("b", "x.jsonl:2")]) == [None, None]
    assert claims.claim([("b", "y.jsonl:7"), ("c", "y.jsonl:8")]) == ["x.jsonl:2", None]
    # a read task that is retried claims its own rows again: still the owner
    assert claims.claim([("a", "x.jsonl:1"), ("c", "y.jsonl:8")]) == [None, None]
    assert len(claims) == 3


def _write(path, ids):
    path.write_text(
        "".join(f'{{"id": "{i}", "question": "A mass of {n} kg."}}\n' for n, i in enumerate(ids))
    )
    return str(path)


def test_rows_from_two_files_become_one_problem_and_one_quarantined_duplicate(tmp_path):
    claims = IdClaims()
    a = list(problem_rows(_write(tmp_path / "a.jsonl", ["p1", "p2"])))
    b = list(problem_rows(_write(tmp_path / "b.jsonl", ["p3", "p1"])))
    assert [r["source"] for r in a] == [f"{tmp_path}/a.jsonl:1", f"{tmp_path}/a.jsonl:2"]
    settle_claims(a, claims.claim)
    settled = settle_claims(b, claims.claim)
    assert [r["kind"] for r in a] == ["problem", "problem"]
    assert [r["kind"] for r in settled] == ["problem", "quarantined"]
    dup = settled[1]
    assert dup["problem_id"] == "p1" and dup["source"] == f"{tmp_path}/b.jsonl:2"
    assert dup["reason"] == f"duplicate id 'p1' (first seen at {tmp_path}/a.jsonl:1)"
    assert dup["problem"] is None and dup["state"] is None  # no work carried for it


def test_quarantined_rows_are_not_claimed(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{not json\n{"id": "q1", "question": "x = 3"}\n')
    calls = []
    rows = settle_claims(
        list(problem_rows(str(path))), lambda pairs: calls.append(pairs) or [None] * len(pairs)
    )
    assert [r["kind"] for r in rows] == ["quarantined", "problem"]
    assert calls == [[("q1", f"{path}:2")]]
