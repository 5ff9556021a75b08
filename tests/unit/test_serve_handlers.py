"""The service's plain classes and its FastAPI app in-process (no Ray): render / diagram /
evaluate services, auth, body limit, strict bodies, cache, 503 / 504 mapping."""

from __future__ import annotations

import asyncio
import base64
import threading

import pytest
from fastapi.testclient import TestClient

from sciray.config.models import CoderConfig, RenderConfig, SciRayConfig, ValidatorConfig
from sciray.llm.scripted import ScriptedEngine
from sciray.serve.handlers import (
    DiagramService,
    EvaluateService,
    LanguageRenderer,
    RenderService,
    ServiceError,
)
from sciray.serve.http import (
    Gateway,
    LocalBackend,
    LRUCache,
    make_api,
    request_key,
    token_digest,
    token_ok,
)
from sciray.serve.schemas import DiagramRequest, RenderRequest
from sciray.testing import BENIGN_CODE, GOOD_ANSWER, INCLINE_QUESTION

QUESTION = INCLINE_QUESTION
GOOD = GOOD_ANSWER
QUIZ = {
    "question": "What is the mass of the block?",
    "options": {"A": "2 kg", "B": "5 kg"},
    "correct_option": "A",
}
BENIGN = BENIGN_CODE
TOKEN = "unit-test-token-8c1f"


@pytest.fixture(scope="module")
def render_service():
    service = RenderService(RenderConfig(timeout_s=5, cpu_s=2), workers=1)
    yield service
    service.close()


@pytest.fixture(scope="module")
def backend(render_service):
    ccfg = CoderConfig(engine="scripted", attempts=2)
    coder = DiagramService(
        ccfg,
        ScriptedEngine(ccfg, responses=[GOOD]),
        lambda lang: LanguageRenderer(render_service, lang),
    )
    vcfg = ValidatorConfig(engine="scripted", mode="vision")
    evaluator = EvaluateService(vcfg, ScriptedEngine(vcfg, responses=["A"]))
    return LocalBackend(render_service, coder, evaluator)


def _client(backend, **serve) -> TestClient:
    cfg = SciRayConfig(
        serve={"max_body_kb": 64, "request_timeout_s": 30, **serve},
        coder={"engine": "scripted"},
        validator={"engine": "scripted", "mode": "vision"},
    )
    digest = token_digest(TOKEN) if serve.get("token_env") else None
    return TestClient(make_api(cfg, Gateway(cfg, backend), digest))


# --- plain services ------------------------------------------------------------------------------


def test_render_service_renders_and_contains(render_service):
    ok = render_service.render(BENIGN)
    assert ok.status == "ok" and ok.png.startswith(b"\x89PNG") and "seccomp" in ok.sandbox
    bad = render_service.render("print(open('/etc/passwd').read())")
    assert bad.status == "violation" and "root:x:0:0" not in (bad.stdout + (bad.error or ""))
    assert render_service.render(BENIGN).status == "ok" and render_service.healthy()


def test_render_service_unknown_language_is_a_service_error(render_service):
    with pytest.raises(ServiceError, match="cobol"):
        render_service.render(BENIGN, "cobol")
    err = ServiceError(503, "down")
    import pickle

    again = pickle.loads(pickle.dumps(err))
    assert again.status_code == 503 and str(again) == "down"


def test_diagram_service_returns_the_best_candidate(backend):
    out = backend.coder.diagram({"question": QUESTION, "answer": "16.97 N", "samples": 1})
    r = out["response"]
    assert r["status"] == "ok" and r["label_recall"] == 1.0 and r["checks"]["rendered"] == 1.0
    assert base64.b64decode(r["image_base64"]).startswith(b"\x89PNG") and out["png"].startswith(
        b"\x89PNG"
    )
    assert (
        r["plan"]["labels"].startswith("2 kg")
        and "ax.text" in r["code"]
        and r["engine"] == "scripted"
    )
    assert out["scene"]["texts"] and out["problem"]["id"].startswith("req-")
    assert backend.coder.coder_config(DiagramRequest(question="q", attempts=1)).attempts == 1


INCLINE_SCENE = (
    '{"domain": "mechanics", "bodies": [{"name": "ramp", "kind": "incline", "angle_deg": 30, '
    '"angle_label": "30 degrees"}, {"name": "b", "kind": "block", "on": "ramp", "label": "2 kg"}]}'
)


def test_diagram_service_draws_a_scene_and_render_redraws_it(render_service):
    ccfg = CoderConfig(engine="scripted", attempts=2, mode="code")
    service = DiagramService(
        ccfg,
        ScriptedEngine(ccfg, responses=[INCLINE_SCENE]),
        lambda lang: LanguageRenderer(render_service, lang),
    )
    request = {"question": QUESTION, "image_type": "Physics - Mechanical", "mode": "scene"}
    out = service.diagram(request)
    r = out["response"]
    assert r["status"] == "ok" and r["language"] == "scene" and r["model_calls"] == 1
    assert r["scene_spec"]["bodies"][1]["label"] == "2 kg" and r["label_recall"] == 1.0
    assert {t["text"] for t in out["scene"]["texts"]} >= {"2 kg", "30 degrees"}
    # the returned scene, edited, is redrawn by the scene renderer
    edited = {**r["scene_spec"], "title": "edited"}
    import json

    redrawn = render_service.render(json.dumps(edited), "scene")
    assert redrawn.status == "ok" and "edited" in {t.text for t in redrawn.scene.texts}
    # the server's mode stays code for requests that do not ask
    assert service.coder_config(DiagramRequest(question="q")).mode == "code"


def test_evaluate_service_answers_quizzes_and_checks(backend):
    out = backend.coder.diagram({"question": QUESTION})
    problem = {**out["problem"], "quizzes": [QUIZ]}
    ev = backend.evaluator.evaluate(problem, out["png"], out["scene"])
    assert ev["validation"]["status"] == "ok" and ev["validation"]["r_inv"] == 1.0
    assert ev["checks"]["passed"] and ev["checks"]["label_recall"] == 1.0
    no_scene = backend.evaluator.evaluate(problem, out["png"], None)
    assert no_scene["checks"] is None and "scene" in no_scene["checks_reason"]


def test_cache_and_request_key():
    cache = LRUCache(2)
    for k in "abc":
        cache.put(k, k.encode())
    assert cache.get("a") is None and cache.get("c") == b"c" and len(cache) == 2
    assert LRUCache(0).get("x") is None
    a = request_key(
        "render", RenderRequest.model_validate_json('{"language": "python", "code": "x"}')
    )
    b = request_key("render", RenderRequest.model_validate_json('{ "code" : "x" }'))
    assert a == b != request_key("render", RenderRequest(code="y"))


def test_token_check():
    digest = token_digest(TOKEN)
    assert token_ok(f"Bearer {TOKEN}", digest) and token_ok(f"bearer  {TOKEN}", digest)
    assert (
        not token_ok(None, digest)
        and not token_ok(TOKEN, digest)
        and not token_ok("Bearer nope", digest)
    )
    assert not token_ok(f"Bearer {TOKEN}", b"")


# --- the FastAPI app over the plain services ------------------------------------------------------


def test_routes_in_process(backend):
    client = _client(backend)
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/v1/models").json()["coder"]["engine"] == "scripted"
    r = client.post("/v1/render", json={"code": BENIGN})
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.headers["x-cache"] == "miss"
    again = client.post("/v1/render", json={"language": "python", "code": BENIGN})
    assert again.headers["x-cache"] == "hit" and again.content == r.content
    d = client.post(
        "/v1/diagrams", json={"question": QUESTION, "quizzes": [QUIZ], "validate": True}
    )
    body = d.json()
    assert d.status_code == 200 and body["status"] == "ok" and body["validation"]["r_inv"] == 1.0
    assert set(body["timings"]) == {"coder_ms", "validate_ms", "total_ms"}
    ev = client.post(
        "/v1/evaluate",
        json={
            "image_base64": body["image_base64"],
            "problem": {"question": QUESTION, "quizzes": [QUIZ]},
        },
    )
    assert ev.status_code == 200 and ev.json()["validation"]["r_inv"] == 1.0
    assert "/v1/diagrams" in client.get("/openapi.json").json()["paths"]


def test_strict_bodies_name_the_field(backend):
    client = _client(backend)
    r = client.post("/v1/render", json={"code": BENIGN, "colour": "red"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "colour"]
    r = client.post("/v1/diagrams", json={"question": QUESTION, "validtae": True})
    assert r.status_code == 422 and "validtae" in r.text
    r = client.post("/v1/evaluate", json={"image_base64": "%%%", "problem": {"question": "q"}})
    assert r.status_code == 422 and "image_base64" in r.text


def test_auth(backend):
    client = _client(backend, token_env="SCIRAY_UNIT_TOKEN")
    assert client.post("/v1/render", json={"code": BENIGN}).status_code == 401
    wrong = client.post(
        "/v1/render", json={"code": BENIGN}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    ok = client.get("/v1/models", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert (
        client.get("/healthz").status_code == 200 and client.get("/openapi.json").status_code == 200
    )


def test_docs_behind_the_token_when_not_public(backend):
    client = _client(backend, token_env="SCIRAY_UNIT_TOKEN", public_docs=False)
    for path in ("/docs", "/openapi.json", "/redoc"):
        assert client.get(path).status_code == 401, path
    assert (
        client.get("/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    )
    assert client.get("/healthz").status_code == 200  # liveness probes carry no token


def test_cache_control_asks_for_a_fresh_answer(backend):
    client = _client(backend)
    code = BENIGN + "# cache-control\n"
    first = client.post("/v1/render", json={"code": code})
    assert first.headers["x-cache"] == "miss"
    fresh = client.post("/v1/render", json={"code": code}, headers={"Cache-Control": "no-cache"})
    assert fresh.status_code == 200 and fresh.headers["x-cache"] == "bypass"
    assert client.post("/v1/render", json={"code": code}).headers["x-cache"] == "hit"
    # no-store: computed afresh and not kept
    other = BENIGN + "# no-store\n"
    assert (
        client.post(
            "/v1/render", json={"code": other}, headers={"Cache-Control": "no-store"}
        ).headers["x-cache"]
        == "bypass"
    )
    assert client.post("/v1/render", json={"code": other}).headers["x-cache"] == "miss"


def test_body_limit_from_header_and_from_body(backend):
    client = _client(backend)
    big = {"code": "# " + "x" * (70 * 1024)}
    assert client.post("/v1/render", json=big).status_code == 413

    def chunks():  # no Content-Length: the middleware counts what it reads
        for _ in range(80):
            yield b"x" * 1024

    r = client.post("/v1/render", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


class _Busy:
    """A backend that is overloaded, slow, or broken."""

    class BackPressureError(Exception):
        retry_after_s = 2.0

    def __init__(self, mode):
        self.mode = mode

    async def render(self, code, language="python"):
        if self.mode == "busy":
            raise self.BackPressureError("queue full")
        if self.mode == "slow":
            await asyncio.sleep(5)
        raise RuntimeError("boom")


def test_overload_timeout_and_internal_errors_map_to_status():
    cfg = SciRayConfig(serve={"request_timeout_s": 0.3})
    busy = TestClient(make_api(cfg, Gateway(cfg, _Busy("busy"), (_Busy.BackPressureError,))))
    r = busy.post("/v1/render", json={"code": BENIGN})
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    slow = TestClient(make_api(cfg, Gateway(cfg, _Busy("slow"))))
    assert slow.post("/v1/render", json={"code": BENIGN}).status_code == 504
    broken = TestClient(make_api(cfg, Gateway(cfg, _Busy("broken"))))
    r = broken.post("/v1/render", json={"code": BENIGN})
    assert r.status_code == 500 and "RuntimeError" in r.json()["detail"] and "boom" not in r.text


def test_failed_requests_are_not_cached():
    cfg = SciRayConfig()
    gateway = Gateway(cfg, _Busy("broken"))
    client = TestClient(make_api(cfg, gateway))
    for _ in range(2):
        assert client.post("/v1/render", json={"code": BENIGN}).status_code == 500
    assert len(gateway.cache) == 0


def test_render_service_is_thread_safe(render_service):
    results = []

    def go(i):
        results.append(render_service.render(BENIGN + f"# {i}\n").status)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 3


def test_serve_config_yaml_builds_without_starting_ray():
    from pathlib import Path

    import yaml
    from ray.serve.schema import ServeDeploySchema

    from sciray.errors import UserError
    from sciray.serve.app import build_app

    data = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "serve" / "config.yaml").read_text()
    )
    schema = ServeDeploySchema.model_validate(data)
    assert schema.http_options.host == "127.0.0.1"
    (app,) = [a for a in data["applications"] if a["import_path"] == "sciray.serve.app:build_app"]
    assert type(build_app(app["args"])).__name__ == "Application"
    with pytest.raises(UserError, match="SCIRAY_UNSET_TOKEN"):
        build_app({"set": ["serve.token_env=SCIRAY_UNSET_TOKEN"]})
    with pytest.raises(UserError, match="unknown build_app args"):
        build_app({"confg": "x.yaml"})
