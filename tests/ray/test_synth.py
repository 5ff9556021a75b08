"""The synthesis pipeline (``sciray synth`` / ``run_synthesis``) end to end on the session's local Ray.

Engines are real: the ``openai`` engine against an OpenAI-compatible HTTP server on 127.0.0.1 (coder
and vision validator), or the ``scripted`` engine from a JSON file; rendering is the real sandbox.
Covers: counts adding up with bad rows and failing snippets, the Parquet shards (pyarrow and
Hugging Face ``datasets``), resume, a killed driver rerun, a killed pool actor, ``stage_kwargs``.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sciray.config import load_config
from sciray.testing import BROKEN_ANSWER, GOOD_ANSWER, INCLINE_QUESTION

# GOOD renders and passes the checks for QUESTION (it labels "2 kg" and "30°" and not the
# answer); BROKEN fails to render (NameError). See sciray.testing.
GOOD = GOOD_ANSWER
BROKEN = BROKEN_ANSWER

QUESTION = INCLINE_QUESTION
MARKER = "(BREAKME)"  # a problem whose text has it gets BROKEN code from the fake coder
HOLD = "(HOLD)"  # the fake coder answers a problem whose text has it only once released
TRUE_OPTIONS = {"2 kg", "30 degrees"}  # the fake validator answers the option that reads like this
QUIZZES = [
    {
        "question": "What is the mass of the block?",
        "options": {"A": "1 kg", "B": "2 kg", "C": "3 kg", "D": "5 kg"},
        "correct_option": "B",
        "evidence": "A block of mass 2 kg",
    },
    {
        "question": "At what angle is the ramp inclined?",
        "options": {"A": "15 degrees", "B": "45 degrees", "C": "60 degrees", "D": "30 degrees"},
        "correct_option": "D",
        "evidence": "inclined at 30 degrees",
    },
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def problem(pid: str, broken: bool = False, quizzes: bool = True) -> dict:
    row = {
        "id": pid,
        "question": QUESTION + (f" {MARKER}" if broken else ""),
        "answer": "16.97 N",
        "image_type": "Physics - Mechanical",
    }
    if quizzes:
        row["quizzes"] = QUIZZES
    return row


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


class FakeLLM:
    """One OpenAI-compatible server on 127.0.0.1 for the coder and the vision validator.

    Coder prompts (text) get GOOD, or BROKEN when the problem text has MARKER; quiz prompts (an
    image plus text) get the letter of the option in TRUE_OPTIONS. ``delay`` seconds per coder answer.
    """

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.release = threading.Event()  # lets the answers to HOLD problems go
        self.lock = threading.Lock()
        self.coder_calls = 0
        self.quiz_calls = 0
        self.quiz_images: list[str] = []  # the start of each image URL a quiz request carried
        self.quiz_without_image = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, body: dict) -> str:
        content = body["messages"][-1]["content"]
        if isinstance(content, list):  # a quiz: image part(s) + text
            urls = [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
            text = "\n".join(p.get("text", "") for p in content if p.get("type") == "text")
            with self.lock:
                self.quiz_calls += 1
                if urls:
                    self.quiz_images.extend(u[:40] for u in urls)
                else:
                    self.quiz_without_image += 1
            for letter, option in re.findall(r"^([A-D])\. (.+)$", text, flags=re.MULTILINE):
                if option.strip() in TRUE_OPTIONS:
                    return letter
            return "I cannot tell."
        with self.lock:
            self.coder_calls += 1
        if self.delay:
            time.sleep(self.delay)
        if HOLD in content:
            self.release.wait(timeout=300)
        return BROKEN if MARKER in content else GOOD

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(
                    200, {"object": "list", "data": [{"id": "fake-coder"}, {"id": "fake-vlm"}]}
                )

            def do_POST(self):
                body = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"
                )
                if self.path != "/v1/chat/completions":
                    self._send(404, {"detail": "Not Found"})
                    return
                text = server.answer(body)
                self._send(
                    200,
                    {
                        "choices": [
                            {
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": len(text.split())},
                    },
                )

        return Handler

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def openai_overrides(url: str) -> list[str]:
    return [
        "coder.engine=openai",
        "coder.mode=code",  # the fake coder answers with programs
        f"coder.base_url={url}",
        "coder.model=fake-coder",
        "coder.attempts=2",
        "coder.timeout_s=60",
        "validator.engine=openai",
        f"validator.base_url={url}",
        "validator.model=fake-vlm",
        "validator.mode=vision",
        "synth.accept.min_r_inv=1.0",
        "render.workers=1",
        "render.timeout_s=30",
    ]


def scripted_overrides(script: Path) -> list[str]:
    return [
        "coder.engine=scripted",
        f"coder.script={script}",
        "coder.attempts=2",
        "render.workers=1",
        "render.timeout_s=30",
    ]


@pytest.fixture(scope="module")
def script_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("script") / "answers.json"
    path.write_text(json.dumps([{"match": re.escape(MARKER), "text": BROKEN}, {"text": GOOD}]))
    return path


def shard_ids(out: Path, kinds=("accepted", "rejected")) -> list[str]:
    ids: list[str] = []
    for kind in kinds:
        for path in sorted(glob.glob(str(out / kind / "part-*.parquet"))):
            ids += pq.read_table(path, columns=["problem_id"]).column("problem_id").to_pylist()
    return ids


def log_records(out: Path, name: str) -> list[dict] | None:
    """The records of a run's ``name`` log (quarantine, failed): ``name.jsonl``, or JSON Lines parts
    ``name/part-*.jsonl``; None when neither exists."""
    files = sorted(glob.glob(str(out / name / "part-*.jsonl")))
    if (out / f"{name}.jsonl").is_file():
        files.append(str(out / f"{name}.jsonl"))
    if not files:
        return None
    return [
        json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line.strip()
    ]


def adds_up(counts: dict) -> bool:
    return (
        counts["input"]
        == counts["quarantined"] + counts["accepted"] + counts["rejected"] + counts["failed"]
    )


# --- 1 + 2: openai coder and vision validator over HTTP; the shards
# ---------------------------------


@pytest.fixture(scope="module")
def e2e(ray_cluster, tmp_path_factory):
    from sciray.cluster.synthesize import run_synthesis

    tmp = tmp_path_factory.mktemp("e2e")
    server = FakeLLM()
    write_jsonl(
        tmp / "a.jsonl",
        [
            problem("p1"),
            problem("p2"),
            "{not json",
            problem("p3"),
            problem("p4"),
            {"id": "empty-q", "question": "   ", "quizzes": QUIZZES},
            problem("p5-broken", broken=True),
        ],
    )
    write_jsonl(
        tmp / "b.jsonl", [problem("p6"), problem("p1"), problem("p7")]
    )  # p1 again: a duplicate
    cfg = load_config(None, openai_overrides(server.url) + ["synth.shard_rows=4"])
    out = tmp / "run"
    manifest = run_synthesis(cfg, str(tmp / "*.jsonl"), str(out), progress=False)
    yield manifest, out, server
    server.close()


def test_openai_coder_and_vision_validator_counts_add_up(e2e):
    manifest, out, server = e2e
    counts = manifest["counts"]
    assert counts == {
        "input": 10,
        "quarantined": 3,
        "accepted": 6,
        "rejected": 1,
        "failed": 0,
        "resumed_from_earlier_runs": 0,
    }
    assert manifest["counts_add_up"] and adds_up(counts)
    assert manifest["rejected_by_reason"] == {"render_failed": 1}
    assert manifest["failed_by_stage"] == {}
    assert manifest["validator"].startswith("vision validator openai:fake-vlm")
    assert manifest["engine"] == "openai:fake-coder"
    for name in ("manifest.json", "report.html"):
        assert (out / name).is_file(), name
    assert json.loads((out / "manifest.json").read_text())["counts"] == counts
    report = (out / "report.html").read_text()
    assert "counts add up: <b>True</b>" in report and "data:image/png;base64," in report
    quarantined = log_records(out, "quarantine")
    assert quarantined is not None, (
        "no quarantine log (quarantine.jsonl or quarantine/part-*.jsonl)"
    )
    reasons = " | ".join(q["reason"] for q in quarantined)
    assert len(quarantined) == 3
    assert "duplicate id 'p1'" in reasons and "question" in reasons and "JSON" in reasons, reasons
    # the duplicate is caught as it is read (IdClaims), with both places named: either file may win
    dup = next(q for q in quarantined if "duplicate" in q["reason"])
    places = {f"{out.parent}/a.jsonl:1", f"{out.parent}/b.jsonl:2"}
    assert dup["source"] in places and any(p in dup["reason"] for p in places - {dup["source"]}), (
        dup
    )
    assert not log_records(out, "failed")
    # every rendered problem was validated from its image: two quizzes each, every one with a PNG
    # data URL (6 rendered rows: the duplicate p1 never reached the coder); before that the
    # visual critic (on by default with a vision validator) read each finished picture once, and
    # the fake VLM read every one right, so no revision followed
    assert server.quiz_without_image == 0
    assert server.quiz_calls == 2 * (2 * 6) and len(server.quiz_images) == server.quiz_calls
    assert all(u.startswith("data:image/png;base64,") for u in server.quiz_images)
    # BROKEN twice (first answer + one repair) for the broken problem, one GOOD each for the others
    assert server.coder_calls == 6 + 2


def test_shards_load_with_pyarrow(e2e):
    manifest, out, _ = e2e
    accepted = sorted(glob.glob(str(out / "accepted" / "part-*.parquet")))
    rejected = sorted(glob.glob(str(out / "rejected" / "part-*.parquet")))
    assert accepted and len(rejected) == 1
    assert sorted(manifest["shards"]["accepted"]) == accepted
    # the driver flushes after every batch of shard_rows rows: a shard never holds more than that
    assert all(pq.ParquetFile(p).metadata.num_rows <= 4 for p in accepted)
    table = pq.read_table(accepted)
    rows = table.to_pylist()
    assert sorted(r["problem_id"] for r in rows) == ["p1", "p2", "p3", "p4", "p6", "p7"]
    for row in rows:
        assert (
            row["image"]["bytes"].startswith(PNG_MAGIC)
            and row["image"]["path"] == f"{row['problem_id']}.png"
        )
        assert (
            row["status"] == "accepted"
            and row["r_inv"] == 1.0
            and row["config_hash"] == manifest["config_hash"]
        )
        lineage = row["lineage"]
        assert lineage["engine"] == "openai" and lineage["model"] == "fake-coder"
        assert (
            lineage["prompt_version"] == "imgcoder-v3"
            and lineage["config_hash"] == manifest["config_hash"]
        )
        assert "seccomp" in lineage["sandbox"]
        assert row["verdict"]["quiz_status"] == "ok"
        assert {c["name"]: c["score"] for c in row["checks"]}["rendered"] == 1.0 and row[
            "label_recall"
        ] == 1.0
    (bad,) = pq.read_table(rejected).to_pylist()
    assert (
        bad["problem_id"] == "p5-broken"
        and bad["reason"] == "render_failed"
        and bad["image"] is None
    )
    assert len(bad["attempts"]) >= 2


def test_shards_load_with_hf_datasets(e2e, tmp_path):
    try:
        import datasets
    except ImportError:  # pragma: no cover - the test extra installs it
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "datasets", "-c", "constraints/cpu.txt"],
            cwd=Path(__file__).resolve().parents[2],
            check=True,
        )
        import datasets
    from PIL import Image

    _, out, _ = e2e
    files = sorted(glob.glob(str(out / "accepted" / "part-*.parquet")))
    ds = datasets.load_dataset(
        "parquet", data_files=files, split="train", cache_dir=str(tmp_path / "hf")
    )
    ds = ds.cast_column("image", datasets.Image())
    assert len(ds) == 6
    first = ds[0]
    image = first["image"]
    assert isinstance(image, Image.Image)
    with Image.open(io.BytesIO(pq.read_table(files).to_pylist()[0]["image"]["bytes"])) as raw:
        assert image.size == raw.size
    assert image.size == (400, 300)  # figsize (4, 3) at the default 100 dpi
    assert first["lineage"]["engine"] == "openai"
    assert {c["name"]: c["score"] for c in first["checks"]}["rendered"] == 1.0


# --- 3: resume, and once through the CLI
# -----------------------------------------------------------


@pytest.mark.timeout(600)
def test_finished_problems_reach_the_shards_while_a_slow_one_still_runs(ray_cluster, tmp_path):
    """A few problems and one the coder takes forever on: the finished ones are written (and so
    survive a kill) before it ends. Before, the validate stage waited for a batch of 8 rows (so
    README's 5-problem run showed 0/5 for 35 minutes, then 5/5 at once), and setting any key of
    synth.coder (here num_cpus) reset its batch_size to 8, so one actor call took every problem."""
    from sciray.cluster.synthesize import run_synthesis

    server = FakeLLM()
    rows = [problem(f"f{i}") for i in range(3)]
    rows.append({**problem("slow"), "question": QUESTION + f" {HOLD}"})
    problems = write_jsonl(tmp_path / "p.jsonl", rows)
    out = tmp_path / "run"
    cfg = load_config(
        None,
        openai_overrides(server.url)
        + [
            "synth.shard_flush_s=0.5",
            "synth.coder.concurrency=2",
            "synth.coder.num_cpus=0.5",
            "coder.timeout_s=400",
        ],
    )
    done: dict = {}
    runner = threading.Thread(
        target=lambda: done.update(m=run_synthesis(cfg, str(problems), str(out), progress=False)),
        daemon=True,
    )
    runner.start()
    try:
        deadline = time.monotonic() + 240
        while len(shard_ids(out, ("accepted",))) < 1 and time.monotonic() < deadline:
            assert runner.is_alive(), "the run ended before the slow problem was released"
            time.sleep(0.2)
        written = shard_ids(out, ("accepted",))
        assert written and "slow" not in written, "nothing was written while one problem ran"
    finally:
        server.release.set()
        runner.join(timeout=300)
        server.close()
    assert sorted(shard_ids(out)) == ["f0", "f1", "f2", "slow"]
    assert done["m"]["counts"]["accepted"] == 4


def test_resume_writes_only_the_rest(ray_cluster, tmp_path, script_file, capsys):
    from sciray.cli.main import main
    from sciray.cluster.synthesize import run_synthesis

    problems = write_jsonl(
        tmp_path / "p.jsonl",
        [
            problem("r1", quizzes=False),
            problem("r2", quizzes=False),
            "[1, 2",
            problem("r3", quizzes=False),
            problem("r4", broken=True, quizzes=False),
            {"id": "r-empty", "question": ""},
            problem("r5", quizzes=False),
            problem("r6", quizzes=False),
        ],
    )
    out = tmp_path / "run"
    overrides = scripted_overrides(script_file) + ["synth.shard_rows=2"]
    first = run_synthesis(
        load_config(None, overrides), str(problems), str(out), limit=2, progress=False
    )
    assert first["counts"] == {
        "input": 4,
        "quarantined": 2,
        "accepted": 2,
        "rejected": 0,
        "failed": 0,
        "resumed_from_earlier_runs": 0,
    }
    assert sorted(shard_ids(out)) == ["r1", "r2"]
    before = set(glob.glob(str(out / "*" / "part-*.parquet")))

    args = ["synth", "--problems", str(problems), "--out", str(out), "--json"]
    for o in overrides:
        args += ["--set", o]
    capsys.readouterr()
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    second = json.loads((out / "manifest.json").read_text())
    assert printed["counts"] == second["counts"] and printed["counts_add_up"] is True
    assert second["counts"] == {
        "input": 8,
        "quarantined": 2,
        "accepted": 5,
        "rejected": 1,
        "failed": 0,
        "resumed_from_earlier_runs": 2,
    }
    assert second["counts_add_up"] and adds_up(second["counts"])
    assert second["rejected_by_reason"] == {"render_failed": 1}
    # the second run wrote only the rest, in new shards
    new = set(glob.glob(str(out / "*" / "part-*.parquet"))) - before
    assert sorted(second["shards"]["accepted"] + second["shards"]["rejected"]) == sorted(new)
    new_ids = [
        pid
        for path in new
        for pid in pq.read_table(path, columns=["problem_id"]).column("problem_id").to_pylist()
    ]
    assert sorted(new_ids) == ["r3", "r4", "r5", "r6"]
    ids = shard_ids(out)
    assert sorted(ids) == ["r1", "r2", "r3", "r4", "r5", "r6"] and len(ids) == len(set(ids))
    # the quarantine log describes the latest run: the two bad rows once each, not once per run
    quarantined = log_records(out, "quarantine")
    assert sorted(q["source"] for q in quarantined) == [f"{problems}:3", f"{problems}:6"]


# --- 4: the driver killed mid-run, then rerun -----------------------------------------------------


def _driver(problems: Path, out: Path, script: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_ADDRESS")}
    env.update(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_USAGE_STATS_ENABLED="0")
    cmd = [
        sys.executable,
        "-m",
        "sciray.cluster.synthesize",
        "--problems",
        str(problems),
        "--out",
        str(out),
    ]
    # shard_rows far above the run: only the time-based checkpoint (every finished row, with
    # shard_flush_s=0) can put finished problems on disk before the kill
    overrides = ["ray.num_cpus=4", "synth.shard_rows=1000", "synth.shard_flush_s=0"]
    for o in scripted_overrides(script) + overrides:
        cmd += ["--set", o]
    # its own session, so the whole tree it starts (its local Ray) can be cleaned up by process
    # group
    return subprocess.Popen(
        cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _reap(proc: subprocess.Popen) -> None:
    """Whatever is left of the process group this test started (its local Ray's processes)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_killed_driver_rerun_writes_each_problem_once(tmp_path, script_file):
    n = 40
    valid = [f"k{i:02d}" for i in range(n)]
    problems = write_jsonl(
        tmp_path / "p.jsonl", [problem(pid, quizzes=False) for pid in valid] + ["{oops"]
    )
    out = tmp_path / "run"
    log = tmp_path / "driver1.log"
    proc = _driver(problems, out, script_file, log)
    try:
        deadline = time.monotonic() + 300
        while not glob.glob(str(out / "accepted" / "part-*.parquet")):
            assert proc.poll() is None, (
                f"the driver ended before writing a shard:\n{log.read_text()[-3000:]}"
            )
            assert time.monotonic() < deadline, f"no shard after 300 s:\n{log.read_text()[-3000:]}"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        _reap(proc)
    assert not (out / "manifest.json").exists()  # it did not finish
    written = shard_ids(out)
    assert 1 <= len(written) < n and len(written) == len(set(written))
    # a shard half-written when the driver died stays a hidden .tmp: plant one, it must not count
    (out / "accepted" / ".part-deadbeef0000.parquet.tmp").write_bytes(b"PAR1 half a shard")

    log2 = tmp_path / "driver2.log"
    proc = _driver(problems, out, script_file, log2)
    try:
        assert proc.wait(timeout=420) == 0, log2.read_text()[-3000:]
    finally:
        _reap(proc)
    counts = json.loads(log2.read_text().strip().splitlines()[-1])
    assert counts["resumed_from_earlier_runs"] == len(written)
    assert counts == {
        "input": n + 1,
        "quarantined": 1,
        "accepted": n,
        "rejected": 0,
        "failed": 0,
        "resumed_from_earlier_runs": len(written),
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts_add_up"]
    assert not any(
        p.endswith(".tmp") for p in manifest["shards"]["accepted"] + manifest["shards"]["rejected"]
    )
    ids = shard_ids(out)
    assert sorted(ids) == valid and len(ids) == len(set(ids))  # every valid problem exactly once
    assert len(glob.glob(str(out / "accepted" / "part-*.parquet"))) > 2  # written as they finished


# --- 5: a pool actor killed mid-run ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_killed_imgcoder_actor_loses_nothing(ray_cluster, tmp_path):
    # the GCS actor table (the ray.util.state API needs the dashboard, which the session Ray does
    # not run)
    from ray._private.state import actors as actor_table

    from sciray.cluster.synthesize import run_synthesis

    server = FakeLLM(delay=0.4)
    ids = [f"a{i:02d}" for i in range(12)]
    problems = write_jsonl(tmp_path / "p.jsonl", [problem(pid, quizzes=False) for pid in ids])
    out = tmp_path / "run"
    overrides = [
        o for o in openai_overrides(server.url) if not o.startswith(("validator.", "synth.accept"))
    ]
    cfg = load_config(None, overrides + ["synth.shard_rows=2", "synth.coder.batch_size=2"])
    result: dict = {}

    def run():
        try:
            result["manifest"] = run_synthesis(cfg, str(problems), str(out), progress=False)
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    killed = None
    try:
        deadline = time.monotonic() + 240
        while killed is None:
            assert thread.is_alive(), f"the run ended before the actor was killed: {result}"
            assert time.monotonic() < deadline, "no busy ImgCoderStage actor found"
            if server.coder_calls >= 1:  # the actor is working on a batch
                live = [
                    a
                    for a in actor_table(actor_state_name="ALIVE").values()
                    if "ImgCoderStage" in a["ActorClassName"] and a["Pid"]
                ]
                if live:
                    killed = live[0]
                    os.kill(
                        killed["Pid"], signal.SIGKILL
                    )  # the worker process dies: Ray restarts the actor
                    calls_at_kill = server.coder_calls
                    break
            time.sleep(0.05)
        thread.join(timeout=420)
        assert not thread.is_alive(), "the run did not finish after the actor was killed"
    finally:
        server.close()
    assert "error" not in result, result.get("error")
    manifest = result["manifest"]
    assert manifest["counts"] == {
        "input": 12,
        "quarantined": 0,
        "accepted": 12,
        "rejected": 0,
        "failed": 0,
        "resumed_from_earlier_runs": 0,
    }
    assert manifest["counts_add_up"]
    written = shard_ids(out)
    assert sorted(written) == ids and len(written) == len(set(written))
    assert calls_at_kill < 12  # killed mid-run: not every problem had been asked for yet
    after = actor_table(actor_id=killed["ActorID"])
    assert after["NumRestarts"] >= 1 and after["Pid"] != killed["Pid"], (
        after
    )  # the same actor, restarted


# --- 6: stage resources
# ----------------------------------------------------------------------------


def test_stage_kwargs_gpu_and_autoscaling_pool():
    from ray.data import ActorPoolStrategy

    from sciray.actors.stages import stage_kwargs
    from sciray.config.models import StageResources

    gpu = StageResources(
        concurrency=(1, 3), num_cpus=2, num_gpus=1, accelerator_type="H100", batch_size=16
    )
    kwargs = stage_kwargs(gpu, {"x": 1})
    assert (
        kwargs["num_gpus"] == 1 and kwargs["accelerator_type"] == "H100" and kwargs["num_cpus"] == 2
    )
    assert kwargs["batch_size"] == 16 and kwargs["fn_constructor_kwargs"] == {"x": 1}
    compute = kwargs["compute"]
    assert isinstance(compute, ActorPoolStrategy) and (compute.min_size, compute.max_size) == (1, 3)
    cpu = stage_kwargs(StageResources(concurrency=2), {})
    assert "num_gpus" not in cpu and "accelerator_type" not in cpu
    assert (cpu["compute"].min_size, cpu["compute"].max_size) == (2, 2)
    # as config: concurrency given as a [min, max] list in YAML / --set
    cfg = load_config(
        None,
        [
            "synth.coder.concurrency=[1, 4]",
            "synth.coder.num_gpus=1",
            "synth.coder.accelerator_type=A100",
        ],
    )
    k = stage_kwargs(cfg.synth.coder, {})
    assert (k["compute"].min_size, k["compute"].max_size) == (1, 4)
    assert k["num_gpus"] == 1 and k["accelerator_type"] == "A100"
    # the stages that render take two batches at once, each in its own thread; the rest one
    assert k["compute"].max_concurrent_calls_per_actor == 2
    assert k["compute"].enable_true_multi_threading is True
    render = stage_kwargs(cfg.synth.render, {})["compute"]
    assert render.max_concurrent_calls_per_actor == 2 and render.enable_true_multi_threading
    validate = stage_kwargs(cfg.synth.validate_stage, {})["compute"]
    assert validate.max_concurrent_calls_per_actor == 1
    assert not validate.enable_true_multi_threading
    one = load_config(None, ["synth.coder.concurrent_batches=1"]).synth.coder
    assert stage_kwargs(one, {})["compute"].max_concurrent_calls_per_actor == 1


def test_split_layout_with_vllm_builds_rays_llm_processor(ray_cluster):
    """The GPU coder of the split layout is Ray's own vLLM processor, one per best-of-n sample
    per round, configured from coder.* and synth.coder (vLLM itself is not installed here: the
    plan is built, never run)."""
    import ray

    from sciray.actors.stages import build_pipeline
    from sciray.pipeline.llm_processor import build_coder_processors

    cfg = load_config(
        None,
        [
            "synth.layout=split",
            "coder.engine=vllm",
            "coder.model=/models/qwen-coder",
            "coder.tensor_parallel_size=2",
            "coder.samples=2",
            "synth.coder.concurrency=3",
            "synth.coder.batch_size=16",
        ],
    )
    processors = build_coder_processors(cfg)
    assert len(processors) == 2
    config = processors[0].config
    assert config.model_source == "/models/qwen-coder" and config.concurrency == 3
    assert config.batch_size == 16 and config.engine_kwargs["tensor_parallel_size"] == 2
    assert config.should_continue_on_error
    assert any("vLLMEngine" in name for name in processors[0].list_stage_names())
    ds = build_pipeline(ray.data.from_items([{"problem_id": "a"}]), cfg, needs_quizzes=False)
    assert ds is not None  # the whole split plan (rounds of processors and renders) builds


# --- 6: the split layout gives what the fused one gives ----------------------------------------

PLAN_ONLY = GOOD.split("## Code")[0]  # an answer that plans and runs out before its code
GOOD_CODE = "```python" + GOOD.split("```python")[1]


def _equivalence_script(path: Path) -> Path:
    """Per problem marker: PLANMARK plans first and gets its code from the follow-up;
    PLANBROKENMARK plans, gets broken code from the follow-up and a good repair (3 rounds with
    attempts=2); BREAKME is broken until repaired; the rest are good at once."""
    entries = [
        {"match": "fails to render", "text": GOOD},
        {"match": "(?s)PLANBROKENMARK.*Plan for the diagram:", "text": BROKEN},
        {"match": "Plan for the diagram:", "text": GOOD_CODE},
        {"match": "PLANMARK|PLANBROKENMARK", "text": PLAN_ONLY},
        {"match": re.escape(MARKER), "text": BROKEN},
        {"text": GOOD},
    ]
    path.write_text(json.dumps(entries))
    return path


def _outcomes(out: Path) -> dict[str, tuple]:
    rows = {}
    for kind in ("accepted", "rejected"):
        for path in glob.glob(str(out / kind / "part-*.parquet")):
            table = pq.read_table(path).to_pylist()
            for row in table:
                attempts = row["attempts"]
                attempts = json.loads(attempts) if isinstance(attempts, str) else attempts
                rows[row["problem_id"]] = (kind, row["reason"], len(attempts), row["code"])
    return rows


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_split_layout_gives_the_fused_layouts_results(ray_cluster, tmp_path):
    from sciray.cluster.synthesize import run_synthesis

    script = _equivalence_script(tmp_path / "script.json")
    rows = [problem("good", quizzes=False), problem("broken", broken=True, quizzes=False)]
    for pid, mark in (("plan", "PLANMARK"), ("plan-broken", "PLANBROKENMARK")):
        row = problem(pid, quizzes=False)
        row["question"] += f" {mark}"
        rows.append(row)
    problems = write_jsonl(tmp_path / "p.jsonl", rows)
    results = {}
    for layout in ("fused", "split"):
        # split: 3 rounds of coder and render pools plus validation on a 4-CPU Ray
        small = ["synth.coder.num_cpus=0.25", "synth.render.num_cpus=0.25"]
        small += ["synth.validate_stage.num_cpus=0.25"]
        cfg = load_config(None, scripted_overrides(script) + [f"synth.layout={layout}", *small])
        out = tmp_path / layout
        manifest = run_synthesis(cfg, str(problems), str(out), progress=False)
        assert manifest["counts_add_up"] and manifest["counts"]["failed"] == 0, manifest["counts"]
        results[layout] = _outcomes(out)
    assert results["split"] == results["fused"]
    fused = results["fused"]
    assert set(fused) == {"good", "broken", "plan", "plan-broken"}
    # the problem that needed the follow-up and a repair finished, and was accepted, in both
    assert fused["plan-broken"][0] == "accepted" and fused["plan-broken"][2] >= 3
    assert fused["plan"][0] == "accepted"
