"""The render stage as a Ray Data actor pool and as a Ray actor."""

from __future__ import annotations

from sciray.config.models import RenderConfig

GOOD = "import matplotlib.pyplot as plt\nplt.plot([0, {i}])\nplt.title('n = {i}')\n"


def test_map_batches_actor_pool_renders_every_row(ray_cluster):
    import ray.data

    from sciray.actors.render import render_dataset

    rows = [
        {"id": i, "code": GOOD.format(i=i) if i % 3 else "1/0", "language": "python"}
        for i in range(9)
    ]
    ds = render_dataset(
        ray.data.from_items(rows), RenderConfig(timeout_s=10), concurrency=2, batch_size=3
    )
    out = sorted(ds.take_all(), key=lambda r: r["id"])
    assert [r["id"] for r in out] == list(range(9))
    assert [r["render_status"] for r in out] == ["error" if i % 3 == 0 else "ok" for i in range(9)]
    assert all(r["png"].startswith(b"\x89PNG") for r in out if r["render_status"] == "ok")
    assert "seccomp" in list(out[1]["sandbox"])


def test_render_actor(ray_cluster):
    from sciray.actors.render import RenderActor

    actor = RenderActor.remote({"timeout_s": 10})
    result = ray_cluster.get(actor.render.remote(GOOD.format(i=2)))
    assert result.status == "ok" and [t.text for t in result.scene.texts if t.kind == "title"] == [
        "n = 2"
    ]
    assert "landlock-fs" in ray_cluster.get(actor.sandbox.remote())
    ray_cluster.kill(actor)
