"""The engine registry, the scripted engine and everything around vLLM that runs without a GPU."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from sciray.config.models import LLMConfig
from sciray.errors import UserError
from sciray.llm import ENGINES, make_engine
from sciray.llm.base import ChatRequest, ChatResult, Engine, EngineConfigError, user_message
from sciray.llm.scripted import ScriptedEngine
from sciray.llm.vllm_engine import VLLMEngine, engine_kwargs, sampling_kwargs, to_result


def _req(text: str, **kw) -> ChatRequest:
    return ChatRequest(messages=[user_message(text)], **kw)


def test_registry_is_lazy_and_suggests_names():
    assert ENGINES.names() == ["local", "openai", "scripted", "vllm"]
    with pytest.raises(UserError, match="did you mean 'openai'"):
        ENGINES.get("opnai")


def test_scripted_engine_from_a_file_matches_and_queues(tmp_path):
    script = tmp_path / "s.jsonl"
    script.write_text(
        "\n".join(
            json.dumps(e)
            for e in [
                {"match": "circuit", "text": "R = 5"},
                {"text": "first"},
                {"text": "second"},
                {"error": "boom"},
            ]
        )
    )
    engine = make_engine(LLMConfig(engine="scripted", script=str(script)))
    assert isinstance(engine, Engine)
    out = engine.generate(
        [_req("draw a circuit"), _req("a"), _req("b"), _req("c"), _req("d", request_id="x")]
    )
    assert [r.text for r in out[:3]] == ["R = 5", "first", "second"]
    assert out[3].status == "error" and out[4].status == "error" and out[4].request_id == "x"
    assert engine.generate([_req("circuit again")])[0].text == "R = 5"
    long = ScriptedEngine(responses=["w " * 50]).generate([_req("x", max_tokens=10)])[0]
    assert long.finish_reason == "length" and long.usage.completion_tokens == 10


def test_scripted_engine_bad_script(tmp_path):
    with pytest.raises(EngineConfigError, match="coder.script"):
        ScriptedEngine(LLMConfig(engine="scripted"))
    bad = tmp_path / "bad.json"
    bad.write_text("[{not json")
    with pytest.raises(EngineConfigError, match="not JSON"):
        ScriptedEngine(LLMConfig(engine="scripted", script=str(bad)))


def test_user_message_carries_images_as_data_urls():
    message = user_message("what is shown?", [b"\x89PNG..."])
    assert message["content"][0]["image_url"]["url"].startswith("data:image/png;base64,iVBOR")
    assert message["content"][-1] == {"type": "text", "text": "what is shown?"}


def test_vllm_arguments_from_config_and_request():
    cfg = LLMConfig(
        engine="vllm", model="/models/qwen", tensor_parallel_size=2, max_model_len=4096, seed=3
    )
    kwargs = engine_kwargs(cfg)
    assert (
        kwargs["tensor_parallel_size"] == 2
        and kwargs["max_model_len"] == 4096
        and kwargs["seed"] == 3
    )
    assert sampling_kwargs(_req("x", max_tokens=7, temperature=0.0, top_p=0.5)) == {
        "max_tokens": 7,
        "temperature": 0.0,
        "top_p": 1.0,
    }
    assert sampling_kwargs(_req("x", temperature=0.7, top_p=0.9, stop=["```"], seed=1)) == {
        "max_tokens": 1024,
        "temperature": 0.7,
        "top_p": 0.9,
        "stop": ["```"],
        "seed": 1,
    }
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    # the structured-outputs key Ray's vLLM processor reads, and VLLMEngine converts
    assert sampling_kwargs(_req("x", json_schema=schema))["structured_outputs"] == {"json": schema}


def test_vllm_engine_around_an_injected_llm():
    class FakeLLM:
        def chat(self, conversations, params, use_tqdm):
            self.seen = (conversations, params)
            return [
                SimpleNamespace(
                    prompt_token_ids=[1, 2, 3],
                    outputs=[
                        SimpleNamespace(
                            text=f"answer {i}",
                            finish_reason="length" if i else "stop",
                            token_ids=[9] * (i + 1),
                        )
                    ],
                )
                for i, _ in enumerate(conversations)
            ]

    fake = FakeLLM()
    engine = VLLMEngine(LLMConfig(engine="vllm", model="m"), llm=fake)
    results = [
        to_result(o, r, 1.0)
        for o, r in zip(fake.chat([[1], [2]], None, False), [_req("a"), _req("b")])
    ]
    assert [r.text for r in results] == ["answer 0", "answer 1"]
    assert results[1].finish_reason == "length" and results[1].usage.completion_tokens == 2
    assert results[0].usage.prompt_tokens == 3
    assert (
        to_result(SimpleNamespace(outputs=[], prompt_token_ids=[]), _req("a"), 0).status == "error"
    )
    assert engine.model == "m"


def test_vllm_engine_without_vllm_says_how_to_install():
    try:
        import vllm  # noqa: F401
    except ImportError:
        with pytest.raises(EngineConfigError, match=r"sciray\[gpu\]"):
            VLLMEngine(LLMConfig(engine="vllm", model="m"))
    else:
        pytest.skip("vLLM is installed here")


def test_chat_result_failed_helper():
    r = ChatResult.failed("timed out", "id1", 5.0)
    assert (r.status, r.finish_reason, r.request_id, r.text) == ("error", "error", "id1", "")
