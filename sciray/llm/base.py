"""The engine contract: batched chat requests in OpenAI message format, texts and usage out.

Every back-end (``openai``, ``vllm``, ``local``, ``scripted``) implements ``Engine``. A request
that fails for its own reasons (a timeout after all retries, a malformed body, a context overflow)
comes back as a ``ChatResult`` with ``status="error"``; only problems that would fail every
request (bad credentials, unknown model, missing install) raise ``EngineConfigError``.
"""

from __future__ import annotations

import base64
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from sciray.errors import UserError
from sciray.types import TokenUsage

Message = dict[str, Any]
"""One OpenAI chat message: ``{"role": ..., "content": str | [{"type": "text"|"image_url", ...}]}``."""


class ChatRequest(BaseModel):
    """One chat completion to run."""

    model_config = ConfigDict(extra="forbid")

    messages: list[Message]
    """OpenAI-format messages; images as ``{"type": "image_url", "image_url": {"url":
    "data:image/png;base64,..."}}``."""
    max_tokens: int = Field(default=1024, ge=1)
    """Most tokens to generate."""
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    """Sampling temperature; 0 is greedy."""
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    """Nucleus sampling mass."""
    seed: int | None = None
    """Sampling seed, for engines that honour one."""
    stop: list[str] = Field(default_factory=list)
    """Stop sequences."""
    request_id: str | None = None
    """Caller's id, echoed in the result."""
    json_schema: dict[str, Any] | None = None
    """When set, the answer is one JSON object valid against this schema: decoding is
    constrained to it where the engine can (``local``: a llama.cpp grammar; ``vllm``: structured
    outputs; ``openai``: ``response_format``, or only the prompt where a server lacks it, so the
    caller still validates)."""


FinishReason = Literal["stop", "length", "error", "content_filter", "tool_calls"]


class ChatResult(BaseModel):
    """What an engine returned for one request."""

    model_config = ConfigDict(extra="forbid")

    text: str = ""
    """The generated text (empty on error)."""
    finish_reason: FinishReason = "stop"
    """Why generation ended: 'length' means it hit max_tokens."""
    usage: TokenUsage = Field(default_factory=TokenUsage)
    """Prompt and completion tokens."""
    status: Literal["ok", "error"] = "ok"
    """'error' when the request failed after retries; ``error`` says why."""
    error: str | None = None
    """One line: what went wrong with this request."""
    latency_ms: float = 0.0
    """Wall-clock time of the request, retries included."""
    request_id: str | None = None

    @classmethod
    def failed(
        cls, error: str, request_id: str | None = None, latency_ms: float = 0.0
    ) -> ChatResult:
        return cls(
            status="error",
            finish_reason="error",
            error=error,
            request_id=request_id,
            latency_ms=latency_ms,
        )


class EngineConfigError(UserError):
    """A problem that would fail every request (credentials, model name, install): fix and rerun."""


@runtime_checkable
class Engine(Protocol):
    """A chat engine. ``generate`` keeps order: result i answers request i."""

    name: str
    model: str

    def generate(self, requests: list[ChatRequest]) -> list[ChatResult]: ...

    def close(self) -> None: ...


def image_data_url(png: bytes, mime: str = "image/png") -> str:
    """An image as the data URL OpenAI-format messages carry."""
    return f"data:{mime};base64,{base64.b64encode(png).decode()}"


def user_message(text: str, images: list[bytes] = ()) -> Message:
    """A user message with text and optional PNG images."""
    if not images:
        return {"role": "user", "content": text}
    parts: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": image_data_url(p)}} for p in images
    ]
    parts.append({"type": "text", "text": text})
    return {"role": "user", "content": parts}
