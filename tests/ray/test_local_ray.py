"""A local Ray started by SciRay stays on 127.0.0.1 and can read our Parquet schema."""

from __future__ import annotations

import pyarrow.parquet as pq

from sciray.data.schema import to_table
from sciray.testing import ray_listeners_beyond_loopback
from sciray.types import Problem


def test_local_ray_binds_loopback_only(ray_cluster):
    ray = ray_cluster
    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert [n["NodeManagerAddress"] for n in nodes] == ["127.0.0.1"]
    assert ray.cluster_resources()["CPU"] == 4

    @ray.remote
    def double(x):
        return 2 * x

    assert ray.get([double.remote(i) for i in range(8)]) == [2 * i for i in range(8)]

    listening, exposed = ray_listeners_beyond_loopback()
    assert listening, "found no Ray listening sockets to check"
    assert not exposed, f"Ray listens beyond loopback: {exposed}"


def test_ray_data_reads_problem_shards(ray_cluster, tmp_path):
    import ray.data

    problems = [
        Problem(id=str(i), question=f"q{i}", image_type="Math - Geometry") for i in range(50)
    ]
    pq.write_table(to_table(problems[:25]), tmp_path / "a.parquet")
    pq.write_table(to_table(problems[25:]), tmp_path / "b.parquet")
    ds = ray.data.read_parquet(str(tmp_path))
    assert ds.count() == 50
    ids = sorted(int(r["id"]) for r in ds.take_all())
    assert ids == list(range(50))


def test_workers_of_a_local_ray_run_at_the_drivers_priority_and_threads_follow_the_reservation(
    ray_cluster,
):
    """Ray nices its workers to 15: on a shared machine the coder then crawls behind any other
    process. A local Ray started by SciRay keeps them at 0, and llama.cpp in an actor uses the CPUs
    the actor reserved (its spinning threads beyond that only slow decoding down)."""
    import os

    from sciray.llm.local_engine import default_threads

    ray = ray_cluster

    @ray.remote
    def probe():
        return os.nice(0), default_threads()

    one_cpu = ray.get(probe.options(num_cpus=1).remote())
    half_cpu = ray.get(probe.options(num_cpus=0.5).remote())
    assert one_cpu == (os.nice(0), 1)
    assert half_cpu[1] == 1
    if (os.cpu_count() or 1) >= 2:
        assert ray.get(probe.options(num_cpus=2).remote())[1] == 2
    assert default_threads() == (os.cpu_count() or 1)  # the driver is not an actor


def test_arrow_blocks_cross_between_ray_processes_as_ipc(ray_cluster, monkeypatch):
    """Every worker of a job SciRay starts serializes ``pa.Table`` as Arrow IPC (its setup hook;
    Ray's own reducer walks a row's nested structs in Python), a one-row slice of a pipeline
    batch travels as that row alone, and a job that brings a hook of its own keeps it."""
    import json

    import pyarrow as pa
    import ray.cloudpickle as cloudpickle

    from sciray.cluster.arrow_wire import HOOK, table_to_ipc
    from sciray.cluster.runtime import _with_arrow_wire
    from sciray.pipeline.rows import from_rows, new_row, read_problem, to_rows, write_problem

    ray = ray_cluster

    @ray.remote
    def reducer_and_echo(table):
        import pyarrow as pa
        import ray.cloudpickle as cloudpickle

        reduced = cloudpickle.CloudPickler.dispatch[pa.Table](table)
        return reduced[0].__name__, table

    rows = []
    for i in range(200):
        row = new_row(problem_id=f"p{i}", kind="problem", source=f"x.jsonl:{i}")
        write_problem(row, Problem(id=f"p{i}", question=f"q{i} " * 50, image_type="Math"))
        rows.append(row)
    batch = from_rows(rows)
    one = batch.slice(7, 1)
    name, back = ray.get(reducer_and_echo.remote(one))
    assert name == "table_from_ipc"  # in the worker
    assert cloudpickle.CloudPickler.dispatch[pa.Table](one)[0].__name__ == "table_from_ipc"
    assert back.num_rows == 1 and read_problem(to_rows(back)[0]).id == "p7"
    assert back.equals(one)
    # the slice's rows, not its parent's buffers
    assert len(table_to_ipc(one)) < len(table_to_ipc(batch.slice(0, 10))) < len(table_to_ipc(batch))

    assert _with_arrow_wire(None) == {"worker_process_setup_hook": HOOK}
    own = {"worker_process_setup_hook": "mine.setup"}
    assert _with_arrow_wire(own) == own
    job = {"runtime_env": {"worker_process_setup_hook": "job.setup"}}
    monkeypatch.setenv("RAY_JOB_CONFIG_JSON_ENV_VAR", json.dumps(job))
    assert _with_arrow_wire({"env_vars": {"A": "1"}}) == {"env_vars": {"A": "1"}}
