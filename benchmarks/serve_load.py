"""Load test of the Serve app (HTTP on 127.0.0.1) against the same plain classes in-process.

Closed loop: ``--concurrency`` clients each send their next request as soon as the last one was
answered, until ``--requests`` are done. Two ways, one after the other, same concurrency:

  inprocess  RenderService / DiagramService called from a thread pool (no Ray, no HTTP), admitted
             first come, first served like Serve does (``FairGate``; --raw-inprocess adds a run
             without it)
  serve      the Serve app (ingress -> render / coder / validator) over HTTP with httpx

Before each loaded run ``--probe`` requests go one at a time both ways: the per-request cost of
the Serve path (proxy, ingress, render replica, JSON + base64) without queueing.

Then an above-capacity burst (``--above-factor`` x the render deployment's capacity of
max_ongoing x replicas + max_queued clients) must be answered with 503s (Retry-After), no other
5xx, and the service must still be healthy after it.

Engines are scripted (no model); every request is unique so the cache never answers.
Last line: one JSON object (requests, concurrency, p50_ms, p99_ms, p99_overhead_ms, rps,
errors_5xx, rejected_503, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SNIPPET = (
    "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1])\nplt.title('t')\n# request {i}\n"
)
QUESTION = (
    "A block of mass 2 kg rests on a ramp inclined at 30 degrees. "
    "Find the normal force on the block. (case {i})"
)
GOOD = """## Plan
### Image content
The ramp and the block.
### Labels
2 kg, 30
## Code
```python
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([0, 4, 4, 0], [0, 0, 2.3, 0], color="k")
ax.text(2, 1.4, "2 kg")
ax.text(0.6, 0.1, "30°")
ax.axis("off")
```
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(name: str, latencies_s: list[float], wall_s: float, statuses: list[int]) -> dict:
    ms = [x * 1000 for x in latencies_s]
    out = {
        "way": name,
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "rps": round(len(ms) / wall_s, 2) if wall_s > 0 else 0.0,
        "ok": sum(s == 200 for s in statuses),
        "errors_5xx": sum(s >= 500 for s in statuses),
        "rejected_503": sum(s == 503 for s in statuses),
        "other": sum(s != 200 and s < 500 for s in statuses),
    }
    print(
        f"{name:>10}: n={out['n']} p50={out['p50_ms']} ms p95={out['p95_ms']} ms "
        f"p99={out['p99_ms']} ms rps={out['rps']} ok={out['ok']} 5xx={out['errors_5xx']} "
        f"(503={out['rejected_503']}) other={out['other']}",
        flush=True,
    )
    return out


def body_for(route: str, i: int) -> dict:
    if route == "render":
        return {"code": SNIPPET.format(i=i)}
    return {"question": QUESTION.format(i=i), "attempts": 1}


# --- in-process ----------------------------------------------------------------------------------


class FairGate:
    """At most ``n`` callers inside, the rest admitted strictly first come, first served.

    The render pool's idle-server queue lets a thread that just returned a server take it again
    (barging), so with many more threads than servers a few threads starve for minutes. Serve
    admits requests in order; the gate gives the in-process baseline the same order, so the
    latency comparison measures the Serve path and not the pool's unfairness."""

    def __init__(self, n: int):
        from collections import deque

        self._free, self._waiting, self._lock = n, deque(), threading.Lock()

    def __enter__(self):
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()
        return self

    def __exit__(self, *exc):
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # hand the slot over
            else:
                self._free += 1


def run_inprocess(args, cfg, script: Path, fair: bool = True):
    from sciray.config.models import CoderConfig
    from sciray.llm.scripted import ScriptedEngine
    from sciray.serve.handlers import DiagramService, LanguageRenderer, RenderService

    service = RenderService(cfg.render, workers=args.workers * args.render_replicas)
    coder = None
    if args.route == "diagrams":
        ccfg = CoderConfig(engine="scripted", script=str(script))
        coder = DiagramService(
            ccfg, ScriptedEngine(ccfg), lambda lang: LanguageRenderer(service, lang)
        )

    gate = FairGate(args.workers * args.render_replicas) if fair else None

    def work(body: dict) -> bool:
        if coder is None:
            return service.render(body["code"]).status == "ok"
        return coder.diagram(body)["response"]["status"] == "ok"

    def call(i: int) -> tuple[float, int]:
        t0 = time.perf_counter()
        body = body_for(args.route, i)
        if gate is not None:
            with gate:
                ok = work(body)
        else:
            ok = work(body)
        return time.perf_counter() - t0, 200 if ok else 500

    for i in range(args.warmup):
        call(-1 - i)
    probe = [call(30_000_000 + i) for i in range(args.probe)]  # one at a time: per-request cost
    probe_summary = summary(
        "inproc c=1", [r[0] for r in probe], sum(r[0] for r in probe), [r[1] for r in probe]
    )
    counter = iter(range(args.requests))
    lock = threading.Lock()
    results: list[tuple[float, int]] = []

    def client():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            results.append(call(i))

    start = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        for f in [pool.submit(client) for _ in range(args.concurrency)]:
            f.result()
    wall = time.perf_counter() - start
    service.close()
    name = "inprocess" if fair else "inproc raw"
    return summary(name, [r[0] for r in results], wall, [r[1] for r in results]), probe_summary


# --- over HTTP -----------------------------------------------------------------------------------


async def http_load(
    url: str, route: str, n: int, concurrency: int, offset: int, headers: dict | None = None
) -> tuple[list[float], list[int], float, list[str]]:
    import httpx

    latencies: list[float] = []
    statuses: list[int] = []
    retry_after: list[str] = []
    next_i = iter(range(offset, offset + n))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=300, headers=headers
    ) as client:

        async def worker():
            for i in next_i:
                t0 = time.perf_counter()
                try:
                    r = await client.post(f"/v1/{route}", json=body_for(route, i))
                    status = r.status_code
                    if status == 200 and r.json().get("status") != "ok":
                        status = 299  # answered, but the diagram/render was not ok
                    if status == 503:
                        retry_after.append(r.headers.get("retry-after", ""))
                except httpx.HTTPError:
                    status = 599  # connection failure counts as a server error
                latencies.append(time.perf_counter() - t0)
                statuses.append(status)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return latencies, statuses, wall, retry_after


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_serve(args, cfg) -> tuple[dict, dict]:
    import httpx

    from sciray.cluster.runtime import init_ray
    from sciray.serve.runtime import apply_serve_env

    apply_serve_env(cfg.serve.throughput_optimized)  # before Ray (and Ray Serve) start
    from ray import serve as ray_serve

    from sciray.serve.app import build_app

    s = cfg.serve
    init_ray(cfg.ray)
    try:
        t0 = time.perf_counter()
        ray_serve.start(http_options={"host": "127.0.0.1", "port": s.port})
        ray_serve.run(
            build_app({"sciray": cfg.model_dump(mode="json")}),
            name="sciray-bench",
            route_prefix="/",
            blocking=False,
        )
        url = f"http://127.0.0.1:{s.port}"
        while httpx.get(f"{url}/healthz", timeout=10).status_code != 200:
            time.sleep(0.5)
        print(f"serve app up in {time.perf_counter() - t0:.1f}s at {url}", flush=True)
        asyncio.run(http_load(url, args.route, args.warmup, 1, 10_000_000))
        lat, st, wall, _ = asyncio.run(http_load(url, args.route, args.probe, 1, 30_000_000))
        probe = summary("serve c=1", lat, wall, st)
        lat, st, wall, _ = asyncio.run(
            http_load(url, args.route, args.requests, args.concurrency, 0)
        )
        main = summary("serve", lat, wall, st)
        main["probe"] = probe

        if args.above_factor <= 0:
            return main, {"ok": 0, "errors_5xx": 0, "rejected_503": None, "healthy_after": None}
        capacity = s.render_max_ongoing_requests * args.render_replicas + max(
            1, s.render_max_queued_requests
        )
        burst_c = max(args.concurrency + 1, int(capacity * args.above_factor))
        burst_n = max(args.above_requests, burst_c)
        lat, st, wall, retry = asyncio.run(http_load(url, args.route, burst_n, burst_c, 20_000_000))
        above = summary(f"above x{args.above_factor:g}", lat, wall, st)
        above["concurrency"], above["capacity"] = burst_c, capacity
        above["retry_after"] = sorted(set(retry))
        healthy = httpx.get(f"{url}/healthz", timeout=10).status_code == 200
        after = httpx.post(f"{url}/v1/render", json={"code": SNIPPET.format(i="after")}, timeout=60)
        above["healthy_after"] = (
            healthy and after.status_code == 200 and after.json()["status"] == "ok"
        )
        print(
            f"above capacity: {burst_c} clients vs capacity {capacity}; Retry-After {above['retry_after']}; "
            f"healthy after: {above['healthy_after']}",
            flush=True,
        )
        return main, above
    finally:
        ray_serve.shutdown()
        import ray

        ray.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--route", choices=["render", "diagrams"], default="render")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="fork-servers per render replica")
    parser.add_argument("--render-replicas", type=int, default=1)
    parser.add_argument(
        "--max-ongoing", type=int, default=32, help="serve.render_max_ongoing_requests"
    )
    parser.add_argument(
        "--max-queued",
        type=int,
        default=None,
        help="serve.render_max_queued_requests (default: enough for --concurrency)",
    )
    parser.add_argument(
        "--above-factor",
        type=float,
        default=3.0,
        help="burst concurrency as a multiple of the render capacity (0 skips the burst)",
    )
    parser.add_argument("--above-requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument(
        "--probe",
        type=int,
        default=30,
        help="requests sent one at a time, both ways (per-request overhead)",
    )
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--num-cpus", type=int, default=4, help="CPUs of the local Ray (ray.num_cpus)"
    )
    parser.add_argument(
        "--no-throughput-optimized",
        dest="throughput_optimized",
        action="store_false",
        help="serve.throughput_optimized=false: Ray Serve's default mode",
    )
    parser.add_argument("--skip-inprocess", action="store_true")
    parser.add_argument(
        "--raw-inprocess",
        action="store_true",
        help="also run the in-process way without the FIFO gate (shows the pool's unfairness)",
    )
    args = parser.parse_args(argv)

    from sciray.config.models import SciRayConfig

    max_queued = args.max_queued if args.max_queued is not None else args.concurrency + 8
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "coder.json"
        script.write_text(json.dumps([{"text": GOOD}]))
        (Path(tmp) / "validator.json").write_text(json.dumps([{"text": "A"}]))
        cfg = SciRayConfig(
            ray={"num_cpus": args.num_cpus},
            coder={"engine": "scripted", "script": str(script), "attempts": 1},
            validator={
                "engine": "scripted",
                "script": str(Path(tmp) / "validator.json"),
                "mode": "vision",
            },
            serve={
                "port": args.port or free_port(),
                "cache_size": 0,
                "throughput_optimized": args.throughput_optimized,
                "render_min_replicas": args.render_replicas,
                "render_max_replicas": args.render_replicas,
                "render_workers": args.workers,
                "render_max_ongoing_requests": args.max_ongoing,
                "render_max_queued_requests": max_queued,
                "coder_max_ongoing_requests": args.concurrency,
                "coder_max_queued_requests": args.concurrency + 8,
                "coder_num_cpus": 0.1,
                "validator_num_cpus": 0.1,
            },
        )
        print(
            f"route=/v1/{args.route} requests={args.requests} concurrency={args.concurrency} "
            f"workers={args.workers} x replicas={args.render_replicas} max_ongoing={args.max_ongoing} "
            f"max_queued={max_queued} ray_cpus={args.num_cpus} host_cpus={os.cpu_count()}",
            flush=True,
        )
        inproc, inproc_probe = (
            (None, None) if args.skip_inprocess else run_inprocess(args, cfg, script)
        )
        raw = run_inprocess(args, cfg, script, fair=False)[0] if args.raw_inprocess else None
        served, above = run_serve(args, cfg)

    overhead = round(served["p99_ms"] - inproc["p99_ms"], 1) if inproc else None
    probe = served["probe"]
    c1 = {
        "c1_p50_overhead_ms": round(probe["p50_ms"] - inproc_probe["p50_ms"], 1)
        if inproc_probe
        else None,
        "c1_p99_overhead_ms": round(probe["p99_ms"] - inproc_probe["p99_ms"], 1)
        if inproc_probe
        else None,
    }
    result = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "p50_ms": served["p50_ms"],
        "p99_ms": served["p99_ms"],
        "p99_overhead_ms": overhead,
        "rps": served["rps"],
        "errors_5xx": served["errors_5xx"],
        "rejected_503": above["rejected_503"],
        "route": args.route,
        "p95_ms": served["p95_ms"],
        "throughput_optimized": args.throughput_optimized,
        "inprocess_p50_ms": inproc["p50_ms"] if inproc else None,
        "inprocess_p99_ms": inproc["p99_ms"] if inproc else None,
        "inprocess_rps": inproc["rps"] if inproc else None,
        "above_concurrency": above.get("concurrency"),
        "above_other_5xx": above["errors_5xx"] - (above["rejected_503"] or 0),
        "above_ok": above["ok"],
        "healthy_after": above.get("healthy_after"),
        **c1,
        "inprocess_raw_p99_ms": raw["p99_ms"] if raw else None,
        "workers": args.workers,
        "render_replicas": args.render_replicas,
        "ray_cpus": args.num_cpus,
        "host_cpus": os.cpu_count(),
    }
    print(
        f"p99 overhead (serve - inprocess) at concurrency {args.concurrency} = {overhead} ms "
        f"(target <= 50 ms); one request at a time: p50 +{c1['c1_p50_overhead_ms']} ms, "
        f"p99 +{c1['c1_p99_overhead_ms']} ms",
        flush=True,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
