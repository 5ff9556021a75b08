"""The ``scripted`` engine: deterministic answers from a file, a list or a function (tests only).

A script is a JSON array or JSON Lines of entries ``{"text": ..., "match": <regex>?,
"finish_reason": ...?, "error": ...?}``. For each request the first entry whose ``match`` is found
in the last user message answers it (entries with a match are reusable); otherwise the next
unmatched entry in order is used, and the last one repeats when they run out.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sciray.llm.base import ChatRequest, ChatResult, EngineConfigError
from sciray.types import TokenUsage

Responder = Callable[[ChatRequest], "str | ChatResult"]


def _last_user_text(request: ChatRequest) -> str:
    for message in reversed(request.messages):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return "\n".join(p.get("text", "") for p in content or [] if isinstance(p, dict))
    return ""


def load_script(path: str) -> list[dict[str, Any]]:
    """Entries of a JSON array or JSON Lines script file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EngineConfigError(
            f"cannot read the engine script {path!r}: {exc.strerror}; check coder.script"
        ) from None
    try:
        data = (
            json.loads(text)
            if text.lstrip().startswith("[")
            else [json.loads(line) for line in text.splitlines() if line.strip()]
        )
    except json.JSONDecodeError as exc:
        raise EngineConfigError(
            f"engine script {path!r} is not JSON / JSON Lines ({exc.msg}, line {exc.lineno})"
        ) from None
    entries = [{"text": e} if isinstance(e, str) else e for e in data]
    if not entries or not all(
        isinstance(e, dict) and ("text" in e or "error" in e) for e in entries
    ):
        raise EngineConfigError(f'engine script {path!r} needs a list of {{"text": ...}} entries')
    return entries


class ScriptedEngine:
    """Answers from a script; records every request in ``self.requests``."""

    name = "scripted"

    def __init__(
        self,
        cfg=None,
        *,
        responses: Sequence[str | dict[str, Any]] | None = None,
        responder: Responder | None = None,
    ):
        self.model = getattr(cfg, "model", None) or "scripted"
        if responder is None and responses is None:
            script = getattr(cfg, "script", None)
            if not script:
                raise EngineConfigError(
                    "the scripted engine needs coder.script (a JSON/JSONL file of answers)"
                )
            responses = load_script(script)
        self._responder = responder
        self._entries = [{"text": r} if isinstance(r, str) else dict(r) for r in (responses or [])]
        self._next = 0
        self._lock = threading.Lock()
        self.requests: list[ChatRequest] = []

    def _pick(self, request: ChatRequest) -> dict[str, Any]:
        prompt = _last_user_text(request)
        for entry in self._entries:
            if entry.get("match") and re.search(entry["match"], prompt):
                return entry
        unmatched = [e for e in self._entries if not e.get("match")]
        if not unmatched:
            return {"error": "no scripted answer matches this request"}
        entry = unmatched[min(self._next, len(unmatched) - 1)]
        self._next += 1
        return entry

    def _answer(self, request: ChatRequest) -> ChatResult:
        if self._responder is not None:
            out = self._responder(request)
            return out if isinstance(out, ChatResult) else self._result(str(out), "stop", request)
        entry = self._pick(request)
        if entry.get("error"):
            return ChatResult.failed(entry["error"], request.request_id)
        return self._result(entry["text"], entry.get("finish_reason", "stop"), request)

    @staticmethod
    def _result(text: str, finish: str, request: ChatRequest) -> ChatResult:
        words = len(_last_user_text(request).split())
        tokens = text.split()[: request.max_tokens]
        if len(text.split()) > request.max_tokens:
            text, finish = " ".join(tokens), "length"
        return ChatResult(
            text=text,
            finish_reason=finish,
            request_id=request.request_id,
            usage=TokenUsage(prompt_tokens=words, completion_tokens=len(tokens)),
        )

    def generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        with self._lock:
            self.requests.extend(requests)
            return [self._answer(r) for r in requests]

    def close(self) -> None:
        pass
