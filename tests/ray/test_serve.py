"""The Serve application over real HTTP on 127.0.0.1 (scripted coder and validator engines).

Two apps, one after the other on one Serve instance: ``TestOpenApp`` (no auth, default limits)
and ``TestStrictApp`` (bearer token, a render deployment that takes one request at a time and
queues one more, so concurrent slow renders overflow into 503s; a 6 s request timeout).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from sciray.config.models import SciRayConfig
from sciray.testing import BENIGN_CODE, GOOD_ANSWER, INCLINE_QUESTION

QUESTION = INCLINE_QUESTION
GOOD = GOOD_ANSWER
QUIZ = {
    "question": "What is the mass of the block?",
    "options": {"A": "2 kg", "B": "5 kg"},
    "correct_option": "A",
}
BENIGN = BENIGN_CODE
SLOW = "import time\ntime.sleep(1.5)\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\n# request {i}\n"
TOKEN_ENV = "SCIRAY_TEST_SERVE_TOKEN"
TOKEN = "test-token-3f9a0c7e5b1d4e2a"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def serve_port(ray_cluster):
    from ray import serve as ray_serve

    port = _free_port()
    ray_serve.start(http_options={"host": "127.0.0.1", "port": port})
    yield port
    ray_serve.shutdown()


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-scripts")
    (folder / "coder.json").write_text(json.dumps([{"text": GOOD}]))
    (folder / "validator.json").write_text(json.dumps([{"text": "A"}]))
    return folder


def _config(scripts, port: int, **serve) -> SciRayConfig:
    return SciRayConfig(
        coder={"engine": "scripted", "script": str(scripts / "coder.json"), "attempts": 2},
        validator={
            "engine": "scripted",
            "script": str(scripts / "validator.json"),
            "mode": "vision",
        },
        render={"timeout_s": 4, "cpu_s": 2},
        serve={
            "port": port,
            "render_min_replicas": 1,
            "render_max_replicas": 1,
            "render_workers": 1,
            "render_num_cpus": 0.5,
            "coder_num_cpus": 0.1,
            "validator_num_cpus": 0.1,
            "max_body_kb": 64,
            "request_timeout_s": 60,
            **serve,
        },
    )


def _deploy(cfg: SciRayConfig, name: str):
    from ray import serve as ray_serve

    from sciray.serve.app import build_app

    ray_serve.run(
        build_app({"sciray": cfg.model_dump(mode="json")}),
        name=name,
        route_prefix="/",
        blocking=False,
    )
    url = f"http://127.0.0.1:{cfg.serve.port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the Serve app did not answer /healthz within 60 s")


def _png(body: dict) -> bytes:
    return base64.b64decode(body["image_base64"])


class TestOpenApp:
    @pytest.fixture(scope="class")
    def url(self, serve_port, scripts):
        from ray import serve as ray_serve

        yield _deploy(_config(scripts, serve_port), "sciray-open")
        ray_serve.delete("sciray-open")

    def test_health_models_and_docs(self, url):
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
        models = httpx.get(f"{url}/v1/models").json()
        assert models["coder"]["engine"] == "scripted" and models["validator"]["mode"] == "vision"
        paths = httpx.get(f"{url}/openapi.json").json()["paths"]
        assert {"/v1/diagrams", "/v1/render", "/v1/evaluate", "/v1/models", "/healthz"} <= set(
            paths
        )
        docs = httpx.get(f"{url}/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()

    def test_serve_listens_on_loopback_only(self, url):
        # Ray Serve 2.60 binds each replica's inter-deployment gRPC server on every interface;
        # SciRay's deployments move it to 127.0.0.1 on a local Ray (sciray.serve.runtime)
        from sciray.testing import ray_listeners_beyond_loopback

        listening, exposed = ray_listeners_beyond_loopback()
        assert listening >= 5, "found too few Ray listening sockets to check"
        assert not exposed, f"Serve listens beyond loopback: {exposed}"
        assert (
            os.environ.get("RAY_SERVE_THROUGHPUT_OPTIMIZED") == "1"
        )  # the mode sciray serve runs in

    def test_render_then_cache_hit(self, url):
        code = BENIGN + "# cache test\n"
        t0 = time.perf_counter()
        first = httpx.post(f"{url}/v1/render", json={"code": code}, timeout=30)
        miss_s = time.perf_counter() - t0
        body = first.json()
        assert first.status_code == 200 and first.headers["x-cache"] == "miss"
        assert body["status"] == "ok" and _png(body).startswith(b"\x89PNG")
        assert [t["text"] for t in body["scene"]["texts"] if t["kind"] == "title"] == ["ok"]
        assert "seccomp" in body["sandbox"] and body["ms"] > 0
        t0 = time.perf_counter()
        again = httpx.post(
            f"{url}/v1/render", json={"language": "python", "code": code}, timeout=30
        )
        hit_s = time.perf_counter() - t0
        assert again.status_code == 200 and again.headers["x-cache"] == "hit"
        assert again.json() == body and hit_s < miss_s

    def test_diagram_with_validation(self, url):
        r = httpx.post(
            f"{url}/v1/diagrams",
            json={"question": QUESTION, "answer": "16.97 N", "quizzes": [QUIZ], "validate": True},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ok" and _png(body).startswith(b"\x89PNG")
        assert body["plan"]["labels"].startswith("2 kg") and "ax.text" in body["code"]
        assert body["checks"]["rendered"] == 1.0 and body["label_recall"] == 1.0
        assert (
            body["validation"]["r_inv"] == 1.0 and body["validation"]["answers"][0]["answer"] == "A"
        )
        assert set(body["timings"]) == {"coder_ms", "validate_ms", "total_ms"}

    def test_evaluate(self, url):
        rendered = httpx.post(
            f"{url}/v1/render",
            json={"code": GOOD.split("```python\n")[1].split("```")[0]},
            timeout=30,
        ).json()
        problem = {"question": QUESTION, "answer": "16.97 N", "quizzes": [QUIZ]}
        r = httpx.post(
            f"{url}/v1/evaluate",
            json={
                "image_base64": rendered["image_base64"],
                "problem": problem,
                "scene": rendered["scene"],
            },
            timeout=30,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["validation"]["status"] == "ok" and body["validation"]["r_inv"] == 1.0
        assert body["checks"]["passed"] and body["checks"]["label_recall"] == 1.0

    def test_unknown_field_is_422_naming_it(self, url):
        r = httpx.post(f"{url}/v1/render", json={"code": BENIGN, "colour": "red"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "colour"]
        r = httpx.post(f"{url}/v1/diagrams", json={"question": QUESTION, "sampels": 2})
        assert r.status_code == 422 and "sampels" in r.text

    def test_big_body_is_413(self, url):
        r = httpx.post(f"{url}/v1/render", json={"code": "# " + "x" * (100 * 1024)})
        assert r.status_code == 413

        def chunks():  # no Content-Length
            for _ in range(100):
                yield b"x" * 1024

        r = httpx.post(
            f"{url}/v1/render", content=chunks(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413

    @pytest.mark.parametrize(
        "code, expected",
        [
            ("print(open('/etc/passwd').read())", {"violation"}),
            ("import os\nwhile True:\n    os.fork()", {"violation"}),
            ("while True:\n    pass", {"timeout", "limit"}),
        ],
        ids=["read_etc_passwd", "fork_bomb", "infinite_loop"],
    )
    def test_hostile_code_is_contained(self, url, code, expected):
        r = httpx.post(f"{url}/v1/render", json={"code": code}, timeout=30)
        assert r.status_code == 200 and r.json()["status"] in expected, r.text
        assert "root:x:0:0" not in r.text and r.json()["image_base64"] is None
        assert httpx.get(f"{url}/healthz").status_code == 200
        after = httpx.post(
            f"{url}/v1/render", json={"code": BENIGN + f"# after {hash(code)}\n"}, timeout=30
        )
        assert after.status_code == 200 and after.json()["status"] == "ok"


class TestStrictApp:
    @pytest.fixture(scope="class")
    def url(self, serve_port, scripts):
        from ray import serve as ray_serve

        os.environ[TOKEN_ENV] = TOKEN  # read where the app is built
        try:
            cfg = _config(
                scripts,
                serve_port,
                token_env=TOKEN_ENV,
                render_max_ongoing_requests=1,
                render_max_queued_requests=0,
                retry_after_s=3,
                request_timeout_s=6,
            )
            cfg = cfg.model_copy(
                update={"render": cfg.render.model_copy(update={"timeout_s": 10.0, "cpu_s": 5})}
            )
            yield _deploy(cfg, "sciray-strict")
        finally:
            os.environ.pop(TOKEN_ENV, None)
            ray_serve.delete("sciray-strict")

    def test_auth(self, url):
        code = {"code": BENIGN + "# auth\n"}
        assert httpx.post(f"{url}/v1/render", json=code, timeout=30).status_code == 401
        wrong = httpx.post(
            f"{url}/v1/render", json=code, timeout=30, headers={"Authorization": "Bearer wrong"}
        )
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert httpx.get(f"{url}/v1/models").status_code == 401
        ok = httpx.post(
            f"{url}/v1/render", json=code, timeout=30, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert ok.status_code == 200 and ok.json()["status"] == "ok"
        assert httpx.get(f"{url}/healthz").status_code == 200

    def test_overload_is_503_with_retry_after(self, url):
        headers = {"Authorization": f"Bearer {TOKEN}"}

        def fire(i):
            return httpx.post(
                f"{url}/v1/render", json={"code": SLOW.format(i=i)}, headers=headers, timeout=60
            )

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(fire, range(6)))
        codes = [a.status_code for a in answers]
        assert 503 in codes and 200 in codes, codes
        assert set(codes) <= {200, 503}, codes
        assert all(a.headers.get("retry-after") == "3" for a in answers if a.status_code == 503)
        assert all(a.json()["status"] == "ok" for a in answers if a.status_code == 200)
        # Still serving after the burst.
        after = httpx.post(
            f"{url}/v1/render",
            json={"code": BENIGN + "# after burst\n"},
            headers=headers,
            timeout=30,
        )
        assert after.status_code == 200

    def test_request_timeout_is_504(
        self, url
    ):  # last: the cancelled render keeps its worker a while
        headers = {"Authorization": f"Bearer {TOKEN}"}
        code = "import time\ntime.sleep(9)\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\n"
        t0 = time.perf_counter()
        r = httpx.post(f"{url}/v1/render", json={"code": code}, headers=headers, timeout=30)
        assert r.status_code == 504 and "request_timeout_s" in r.json()["detail"]
        assert 5 < time.perf_counter() - t0 < 9
        assert httpx.get(f"{url}/healthz").status_code == 200
