"""An engine hosted in a Ray actor looks like a plain engine to ImgCoder."""

from __future__ import annotations

from sciray.config.models import LLMConfig
from sciray.llm.base import ChatRequest, user_message


def test_remote_engine_keeps_order_and_results(ray_cluster, tmp_path):
    import json

    from sciray.actors.llm import RemoteEngine, engine_actor_options

    script = tmp_path / "s.json"
    script.write_text(json.dumps([{"match": "two", "text": "2"}, {"text": "other"}]))
    cfg = LLMConfig(engine="scripted", script=str(script), model="m")
    engine = RemoteEngine(cfg)
    try:
        out = engine.generate(
            [ChatRequest(messages=[user_message(t)], request_id=t) for t in ("one", "two")]
        )
        assert [(r.text, r.request_id) for r in out] == [("other", "one"), ("2", "two")]
        assert (engine.name, engine.model) == ("scripted", "m")
    finally:
        engine.close()
    assert engine_actor_options(LLMConfig(engine="vllm", num_gpus=2)) == {
        "num_gpus": 2,
        "num_cpus": 1,
    }
    assert engine_actor_options(cfg)["num_gpus"] == 0
