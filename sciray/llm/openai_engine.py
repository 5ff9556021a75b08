"""The ``openai`` engine: any OpenAI-compatible ``/chat/completions`` server (vLLM, OpenAI, ...).

Requests run concurrently (at most ``max_concurrency`` in flight) and are retried with jittered
exponential backoff on 429, 5xx, timeouts and connection errors. A request that still fails comes
back as ``ChatResult.failed``; only errors that would fail every request (rejected key, wrong URL,
unknown model) raise ``EngineConfigError``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import time
from typing import Any, get_args

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from sciray.config.models import LLMConfig
from sciray.llm.base import ChatRequest, ChatResult, EngineConfigError, FinishReason
from sciray.types import TokenUsage

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 30.0
# Passed through as-is; "error" is ours (status="error"), so a server's "error" maps to "stop" too.
_FINISH_REASONS = set(get_args(FinishReason)) - {"error"}


class _Retryable(Exception):
    """One attempt failed in a way worth retrying; ``retry_after`` is the server's hint in seconds."""

    def __init__(self, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


class _NoResponseFormat(Exception):
    """The server refused the request's ``response_format`` (no structured outputs there)."""


class _Failed(Exception):
    """This request failed for its own reasons (not retried, not fatal)."""


class _WaitWithRetryAfter:
    """Jittered exponential backoff, but never shorter than the server's Retry-After."""

    def __init__(self, backoff_s: float):
        self._base = wait_random_exponential(multiplier=backoff_s, max=MAX_RETRY_AFTER_S)

    def __call__(self, retry_state) -> float:
        wait = self._base(retry_state)
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            wait = max(wait, min(exc.retry_after, MAX_RETRY_AFTER_S))
        return wait


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _server_message(resp: httpx.Response) -> str:
    """The error message in an OpenAI-style (or vLLM-style) error body, else the raw body."""
    try:
        body = resp.json()
    except ValueError:
        return _one_line(resp.text)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            return _one_line(err["message"])
        if isinstance(err, str):
            return _one_line(err)
        if body.get("message"):  # vLLM: {"object": "error", "message": ...}
            return _one_line(body["message"])
    return _one_line(resp.text)


def _error_code(resp: httpx.Response) -> str:
    try:
        err = resp.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return str(err.get("code") or "") if isinstance(err, dict) else ""


def _retry_after(resp: httpx.Response) -> float | None:
    """Retry-After in seconds (429/503 only); HTTP dates are ignored, backoff covers them."""
    if resp.status_code not in (429, 503):
        return None
    try:
        return max(0.0, float(resp.headers.get("retry-after", "")))
    except ValueError:
        return None


class OpenAIEngine:
    """Chat completions over HTTP against an OpenAI-compatible server."""

    name = "openai"

    def __init__(
        self,
        cfg: LLMConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff_s: float = 0.5,
    ):
        if not cfg.base_url:
            raise EngineConfigError(
                "engine 'openai' needs a server URL: set coder.base_url, e.g. http://127.0.0.1:8000/v1"
            )
        self.cfg = cfg
        self.model = cfg.model
        self.base_url = cfg.base_url.rstrip("/")
        self._url = f"{self.base_url}/chat/completions"
        self._transport = transport
        self._backoff_s = backoff_s
        self.schema_unsupported = False
        """Set once the server refused ``response_format``: schemas then travel in the prompt
        only, and the caller's validation catches what the model gets wrong."""
        self._headers: dict[str, str] = {}
        if cfg.api_key_env:
            # Read once, here, so a missing key fails before any work starts.
            key = os.environ.get(cfg.api_key_env, "")
            if not key:
                raise EngineConfigError(
                    f"environment variable {cfg.api_key_env} (named by coder.api_key_env) is not set "
                    f"or empty: export {cfg.api_key_env}=<your API key>"
                )
            self._headers["Authorization"] = f"Bearer {key}"

    # --- public API -------------------------------------------------------------------------

    def generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        """Run ``requests``; result i answers request i."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.agenerate(requests))
        # This thread already runs a loop (Ray async actor, Jupyter): asyncio.run would refuse,
        # so run a fresh loop on a helper thread and wait for it.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self.agenerate(requests)).result()

    async def agenerate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        """Async ``generate``."""
        if not requests:
            return []
        # One client and semaphore per call: both bind to the running loop, and generate() makes
        # a new loop per call.
        sem = asyncio.Semaphore(self.cfg.max_concurrency)
        async with httpx.AsyncClient(
            transport=self._transport, headers=self._headers, timeout=self.cfg.timeout_s
        ) as client:
            tasks = [asyncio.create_task(self._run_one(client, sem, r)) for r in requests]
            try:
                return list(await asyncio.gather(*tasks))
            except BaseException:
                # A fatal error fails the batch: stop the other requests before re-raising.
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise

    def probe(self, timeout_s: float = 5.0) -> None:
        """Fail fast when the server cannot be reached at all (a pipeline calls this once on the
        driver instead of letting every row spend its retries on a dead endpoint)."""
        try:
            httpx.get(f"{self.base_url}/models", headers=self._headers, timeout=timeout_s)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise EngineConfigError(
                f"cannot reach the OpenAI-compatible server at {self.base_url} ({type(exc).__name__}); "
                "start it or fix coder.base_url / validator.base_url"
            ) from None
        except httpx.HTTPError:
            pass  # reachable; what it answers is judged per request

    def close(self) -> None:
        """Nothing to release: clients live only for one generate() call."""

    # --- one request --------------------------------------------------------------------------

    def _body(self, req: ChatRequest) -> dict[str, Any]:
        # Sampling fields the caller did not set on the request come from the engine's config.
        def pick(field: str):
            return (
                getattr(req, field) if field in req.model_fields_set else getattr(self.cfg, field)
            )

        body: dict[str, Any] = {
            "model": self.model,
            "messages": req.messages,
            "max_tokens": pick("max_tokens"),
            "temperature": pick("temperature"),
            "top_p": pick("top_p"),
        }
        if req.stop:
            body["stop"] = req.stop
        seed = pick("seed")
        if seed is not None:
            body["seed"] = seed
        if req.json_schema is not None and not self.schema_unsupported:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": req.json_schema},
            }
        return body

    async def _run_one(
        self, client: httpx.AsyncClient, sem: asyncio.Semaphore, req: ChatRequest
    ) -> ChatResult:
        body = self._body(req)
        start = time.perf_counter()
        attempts = self.cfg.max_retries + 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=_WaitWithRetryAfter(self._backoff_s),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            try:
                data = await self._send(client, sem, body, retrying)
            except _NoResponseFormat:
                self.schema_unsupported = True  # this server has no structured outputs
                body.pop("response_format", None)
                data = await self._send(client, sem, body, retrying)
            result = self._parse(data)
        except _Retryable as exc:
            result = ChatResult.failed(f"failed after {attempts} attempt(s); last error: {exc}")
        except _Failed as exc:
            result = ChatResult.failed(str(exc))
        result.request_id = req.request_id
        result.latency_ms = (time.perf_counter() - start) * 1000
        return result

    async def _send(self, client, sem, body: dict[str, Any], retrying) -> Any:
        async for attempt in retrying:
            with attempt:
                # Hold a slot only while on the wire, not while backing off.
                async with sem:
                    return await self._attempt(client, body)

    async def _attempt(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Any:
        """One POST; the decoded JSON body on 200, else raises by error kind."""
        try:
            # httpx's timeout is per phase; this one bounds the whole request.
            async with asyncio.timeout(self.cfg.timeout_s):
                resp = await client.post(self._url, json=body)
        except (TimeoutError, httpx.TimeoutException):
            raise _Retryable(f"timed out after {self.cfg.timeout_s:g}s") from None
        except httpx.TransportError as exc:  # connection refused/reset, DNS, protocol errors
            detail = _one_line(str(exc)) or "connection failed"
            raise _Retryable(f"{type(exc).__name__}: {detail}") from None

        status = resp.status_code
        if status == 200:
            try:
                return resp.json()
            except ValueError:
                snippet = _one_line(resp.text, 120)
                raise _Failed(f"server returned malformed JSON: {snippet!r}") from None
        message = _server_message(resp)
        if status in RETRYABLE_STATUS:
            raise _Retryable(f"HTTP {status}: {message}", _retry_after(resp))
        if status in (401, 403):
            raise EngineConfigError(
                f"the server rejected the API key (HTTP {status}) at {self.base_url}: set the env var "
                f"named in coder.api_key_env (now {self.cfg.api_key_env!r}) to a valid key"
            )
        if status in (400, 422) and "response_format" in body:
            low = message.lower()
            if "response_format" in low or "json_schema" in low or "structured" in low:
                raise _NoResponseFormat(message)
        if status in (400, 404) and self._is_model_not_found(resp, message):
            raise EngineConfigError(await self._model_not_found(client, message))
        if status == 404:
            raise EngineConfigError(
                f"no OpenAI-compatible endpoint at {self._url}: check coder.base_url "
                "(it usually ends in /v1)"
            )
        raise _Failed(f"HTTP {status}: {message}")

    def _is_model_not_found(self, resp: httpx.Response, message: str) -> bool:
        if _error_code(resp) == "model_not_found":
            return True
        low = message.lower()
        # Generic 404 bodies say "Not Found" too, so also require the model to be mentioned.
        mentions_model = "model" in low or self.model.lower() in low
        return mentions_model and ("does not exist" in low or "not found" in low)

    async def _model_not_found(self, client: httpx.AsyncClient, message: str) -> str:
        text = (
            f"model {self.model!r} is not served at {self.base_url} ({message}): check coder.model"
        )
        ids = await self._list_models(client)
        if ids:
            text += f"; the server lists: {', '.join(ids[:5])}"
        return text

    async def _list_models(self, client: httpx.AsyncClient) -> list[str]:
        """Model ids from ``/models``; best-effort, [] on any failure."""
        try:
            resp = await client.get(
                f"{self.base_url}/models", timeout=min(self.cfg.timeout_s, 10.0)
            )
            data = resp.json().get("data", []) if resp.status_code == 200 else []
            return [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]
        except Exception:
            return []

    @staticmethod
    def _parse(data: Any) -> ChatResult:
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            snippet = _one_line(json.dumps(data), 200)
            raise _Failed(f"response has no choices[0].message.content: {snippet}") from None
        reason = choice.get("finish_reason")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return ChatResult(
            text=content if isinstance(content, str) else "",
            finish_reason=reason if reason in _FINISH_REASONS else "stop",
            usage=TokenUsage(
                prompt_tokens=usage.get("prompt_tokens") or 0,
                completion_tokens=usage.get("completion_tokens") or 0,
            ),
        )
