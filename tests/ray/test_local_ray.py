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
