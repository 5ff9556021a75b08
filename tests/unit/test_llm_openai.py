"""The openai engine against a real local HTTP server with scripted answers."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sciray.config.models import LLMConfig
from sciray.llm import make_engine
from sciray.llm.base import ChatRequest, EngineConfigError, user_message
from sciray.llm.openai_engine import OpenAIEngine


@dataclass
class Planned:
    """One scripted answer to a chat completion."""

    status: int = 200
    body: object = None  # dict -> JSON, str -> raw text, None -> echo success
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class FakeServer:
    """An OpenAI-compatible server on 127.0.0.1. ``script[prompt]`` lists answers to that prompt, in
    order; prompts with no (remaining) script get an echo after ``echo_delay``."""

    def __init__(self):
        self.script: dict[str, list[Planned]] = {}
        self.echo_delay = 0.0
        self.models = ["m-small", "m-large"]
        self.requests: list[dict] = []  # {"path", "headers", "body"}
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def calls(self, prompt: str | None = None) -> list[dict]:
        return [
            r
            for r in self.requests
            if r["path"].endswith("/chat/completions")
            and (prompt is None or r["body"]["messages"][-1]["content"] == prompt)
        ]

    def _answer(self, path: str, body: dict) -> Planned:
        if path == "/v1/models":
            return Planned(body={"object": "list", "data": [{"id": m} for m in self.models]})
        if path != "/v1/chat/completions":
            return Planned(status=404, body={"detail": "Not Found"})
        prompt = body["messages"][-1]["content"]
        with self.lock:
            queue = self.script.get(prompt)
            plan = queue.pop(0) if queue else Planned(delay=self.echo_delay)
        if plan.status == 200 and plan.body is None:
            plan.body = {
                "choices": [
                    {
                        "message": {"role": "assistant", "content": f"echo:{prompt}"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 5},
            }
        return plan

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self, body: dict):
                with server.lock:
                    server.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    plan = server._answer(self.path, body)
                    time.sleep(plan.delay)
                    raw = plan.body if isinstance(plan.body, str) else json.dumps(plan.body)
                    data = raw.encode()
                    self.send_response(plan.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in plan.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                self._serve(json.loads(self.rfile.read(n) or b"{}"))

            def do_GET(self):
                self._serve({})

        return Handler

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def make(server: FakeServer, **overrides) -> OpenAIEngine:
    cfg = dict(
        engine="openai",
        model="m-small",
        base_url=server.url + "/",
        timeout_s=0.3,
        max_retries=2,
        max_concurrency=4,
        seed=None,
    )
    cfg.update(overrides)
    return OpenAIEngine(LLMConfig(**cfg), backoff_s=0.01)


def req(prompt: str, **kw) -> ChatRequest:
    return ChatRequest(messages=[user_message(prompt)], request_id=f"id-{prompt}", **kw)


def test_batch_keeps_order_and_bounds_concurrency(server):
    server.echo_delay = 0.05
    engine = make(server, max_concurrency=3)
    prompts = [f"p{i}" for i in range(12)]
    results = engine.generate([req(p) for p in prompts])
    assert [r.text for r in results] == [f"echo:{p}" for p in prompts]
    assert [r.request_id for r in results] == [f"id-{p}" for p in prompts]
    assert all(r.status == "ok" and r.usage.completion_tokens == 5 for r in results)
    assert all(r.latency_ms > 0 for r in results)
    assert 2 <= server.max_in_flight <= 3


def test_registry_builds_the_engine(server):
    engine = make_engine(LLMConfig(engine="openai", model="m-small", base_url=server.url))
    assert engine.name == "openai" and engine.model == "m-small"
    assert engine.generate([]) == []
    engine.close()


def test_request_body_uses_config_and_omits_unset_fields(server):
    engine = make(server, max_tokens=77, temperature=0.4, top_p=0.9)
    assert engine.generate([req("a")])[0].status == "ok"
    body = server.calls("a")[0]["body"]
    assert body["model"] == "m-small" and body["max_tokens"] == 77
    assert body["temperature"] == 0.4 and body["top_p"] == 0.9
    assert "seed" not in body and "stop" not in body
    assert body["messages"] == [{"role": "user", "content": "a"}]


def test_request_fields_override_config(server):
    engine = make(server, seed=3)
    engine.generate([req("b", max_tokens=20, temperature=0.0, stop=["END"])])
    body = server.calls("b")[0]["body"]
    assert body["max_tokens"] == 20 and body["temperature"] == 0.0
    assert body["stop"] == ["END"] and body["seed"] == 3


def test_finish_reason_and_usage_mapping(server):
    def answer(reason, content="x", usage=None):
        body = {"choices": [{"message": {"content": content}, "finish_reason": reason}]}
        return [Planned(body=body | ({"usage": usage} if usage else {}))]

    server.script = {
        "len": answer("length", usage={"prompt_tokens": 9, "completion_tokens": 16}),
        "odd": answer("eos_token"),
        "null": answer(None, content=None),
    }
    r_len, r_odd, r_null = make(server).generate([req("len"), req("odd"), req("null")])
    assert r_len.finish_reason == "length" and r_len.usage.prompt_tokens == 9
    assert r_odd.finish_reason == "stop" and r_odd.usage.prompt_tokens == 0
    assert r_null.status == "ok" and r_null.text == ""


SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def test_a_json_schema_travels_as_response_format(server):
    engine = make(server)
    assert engine.generate([req("s", json_schema=SCHEMA)])[0].status == "ok"
    assert engine.generate([req("plain")])[0].status == "ok"
    assert server.calls("s")[0]["body"]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": SCHEMA},
    }
    assert "response_format" not in server.calls("plain")[0]["body"]


def test_a_server_without_structured_outputs_gets_the_schema_in_the_prompt_only(server):
    refusal = {"error": {"message": "response_format json_schema is not supported"}}
    server.script = {"s": [Planned(status=400, body=refusal)]}
    engine = make(server)
    (first,) = engine.generate([req("s", json_schema=SCHEMA)])
    assert first.status == "ok" and first.text == "echo:s"  # the same request, sent again bare
    bodies = [c["body"] for c in server.calls("s")]
    assert "response_format" in bodies[0] and "response_format" not in bodies[1]
    assert engine.schema_unsupported
    engine.generate([req("t", json_schema=SCHEMA)])  # remembered: no second refusal needed
    assert "response_format" not in server.calls("t")[0]["body"]
    # a 400 about something else is that request's failure, schema or not
    server.script = {"u": [Planned(status=400, body={"error": {"message": "bad temperature"}})]}
    fresh = make(server)
    (failed,) = fresh.generate([req("u", json_schema=SCHEMA)])
    assert failed.status == "error" and "bad temperature" in failed.error
    assert not fresh.schema_unsupported


def test_429_then_ok_honours_retry_after(server):
    too_many = Planned(
        status=429, headers={"Retry-After": "1"}, body={"error": {"message": "slow"}}
    )
    server.script = {"a": [too_many]}
    start = time.perf_counter()
    (result,) = make(server).generate([req("a")])
    assert result.status == "ok" and result.text == "echo:a"
    assert time.perf_counter() - start >= 0.95  # backoff alone would be ~0.01 s
    assert len(server.calls("a")) == 2


def test_503_twice_then_ok(server):
    server.script = {"a": [Planned(status=503, body="busy"), Planned(status=503, body="busy")]}
    (result,) = make(server, max_retries=2).generate([req("a")])
    assert result.status == "ok" and len(server.calls("a")) == 3


def test_retries_exhausted_is_a_failed_result(server):
    server.script = {"a": [Planned(status=502, body="bad gateway")] * 3}
    (result,) = make(server, max_retries=2).generate([req("a")])
    assert result.status == "error" and result.finish_reason == "error"
    assert "3 attempt" in result.error and "HTTP 502" in result.error
    assert result.request_id == "id-a"


def test_slow_response_is_retried(server):
    server.script = {"a": [Planned(delay=0.6)]}
    (result,) = make(server, max_retries=1).generate([req("a")])
    assert result.status == "ok" and len(server.calls("a")) == 2


def test_slow_response_that_stays_slow_fails_not_raises(server):
    server.script = {"a": [Planned(delay=0.6), Planned(delay=0.6)]}
    start = time.perf_counter()
    (result,) = make(server, max_retries=1).generate([req("a")])
    assert time.perf_counter() - start < 1.5
    assert result.status == "error" and "timed out" in result.error and "2 attempt" in result.error


def test_connection_refused_fails_after_retries():
    cfg = LLMConfig(
        engine="openai", model="m", base_url="http://127.0.0.1:9/v1", timeout_s=0.3, max_retries=1
    )
    (result,) = OpenAIEngine(cfg, backoff_s=0.01).generate([req("a")])
    assert result.status == "error" and "2 attempt" in result.error


def test_malformed_json_fails_only_that_request(server):
    server.script = {"bad": [Planned(body="{not json")], "empty": [Planned(body={"choices": []})]}
    batch = [req("g1"), req("bad"), req("empty"), req("g2")]
    good1, bad, empty, good2 = make(server).generate(batch)
    assert good1.text == "echo:g1" and good2.text == "echo:g2"
    assert bad.status == "error" and "malformed JSON" in bad.error and bad.request_id == "id-bad"
    assert empty.status == "error" and "choices[0].message.content" in empty.error
    assert len(server.calls("bad")) == 1  # not retried


def test_other_4xx_is_a_failed_result_with_server_message(server):
    msg = "This model's maximum context length is 4096 tokens. " + "x" * 500
    server.script = {"long": [Planned(status=400, body={"error": {"message": msg}})]}
    (result,) = make(server).generate([req("long")])
    assert result.status == "error" and "HTTP 400" in result.error
    assert "maximum context length" in result.error and len(result.error) < 330
    assert len(server.calls("long")) == 1


def test_401_raises_config_error(server, monkeypatch):
    monkeypatch.setenv("SCIRAY_TEST_KEY", "wrong")
    server.script = {"a": [Planned(status=401, body={"error": {"message": "bad key"}})]}
    with pytest.raises(EngineConfigError, match="api_key_env"):
        make(server, api_key_env="SCIRAY_TEST_KEY").generate([req("a"), req("b")])


def test_model_not_found_names_model_and_lists_served_ids(server):
    vllm_404 = {"object": "error", "message": "The model `m-tiny` does not exist.", "code": 404}
    server.script = {"a": [Planned(status=404, body=vllm_404)]}
    with pytest.raises(EngineConfigError) as info:
        make(server, model="m-tiny").generate([req("a")])
    text = str(info.value)
    assert "'m-tiny'" in text and "coder.model" in text
    assert "m-small" in text and "m-large" in text


def test_wrong_path_is_an_endpoint_error(server):
    engine = make(server, base_url=server.url.replace("/v1", "/v2"))
    with pytest.raises(EngineConfigError, match="no OpenAI-compatible endpoint.*coder.base_url"):
        engine.generate([req("a")])


def test_missing_base_url():
    with pytest.raises(EngineConfigError, match="coder.base_url"):
        OpenAIEngine(LLMConfig(engine="openai", model="m"))


def test_missing_api_key_env_var(server, monkeypatch):
    monkeypatch.delenv("SCIRAY_NO_SUCH_KEY", raising=False)
    with pytest.raises(EngineConfigError, match="SCIRAY_NO_SUCH_KEY"):
        make(server, api_key_env="SCIRAY_NO_SUCH_KEY")


def test_authorization_header_only_with_key(server, monkeypatch):
    monkeypatch.setenv("SCIRAY_TEST_KEY", "sk-123")
    make(server, api_key_env="SCIRAY_TEST_KEY").generate([req("with")])
    make(server).generate([req("without")])
    headers = {k.lower(): v for k, v in server.calls("with")[0]["headers"].items()}
    assert headers["authorization"] == "Bearer sk-123"
    assert "authorization" not in {k.lower() for k in server.calls("without")[0]["headers"]}


def test_generate_inside_running_event_loop(server):
    engine = make(server)

    async def main():
        sync = engine.generate([req("a"), req("b")])  # as in a Ray async actor or Jupyter
        return sync, await engine.agenerate([req("c")])

    sync, async_ = asyncio.run(main())
    assert [r.text for r in sync] == ["echo:a", "echo:b"]
    assert async_[0].text == "echo:c"


def test_probe_fails_fast_on_an_unreachable_server():
    import socket

    from sciray.config.models import LLMConfig
    from sciray.llm.base import EngineConfigError
    from sciray.llm.openai_engine import OpenAIEngine

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = OpenAIEngine(
        LLMConfig(engine="openai", base_url=f"http://127.0.0.1:{port}/v1", model="m")
    )
    with pytest.raises(EngineConfigError, match="cannot reach"):
        engine.probe(timeout_s=2)


def test_synth_with_an_unreachable_engine_stops_in_seconds(tmp_path, capsys):
    import socket
    import time

    from sciray.cli.main import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    problems = tmp_path / "p.jsonl"
    problems.write_text('{"id": "a", "question": "A 2 kg block."}\n')
    started = time.perf_counter()
    rc = main(
        [
            "synth",
            "--problems",
            str(problems),
            "--out",
            str(tmp_path / "run"),
            "--set",
            "coder.engine=openai",
            "--set",
            f"coder.base_url=http://127.0.0.1:{port}/v1",
        ]
    )
    assert rc == 2 and time.perf_counter() - started < 15
    assert "cannot reach the OpenAI-compatible server" in capsys.readouterr().err
