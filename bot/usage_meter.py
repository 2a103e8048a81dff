"""Token usage read from a model API's answer as it streams past. Pure.

The Responses API reports usage on ``response.completed`` (and ``incomplete``/``failed``)
events when streamed, in ``usage`` when not; chat completions report it in ``usage``,
streamed only in the last chunk when the request asked for it
(``stream_options.include_usage``). Only events that mention ``"usage"`` are parsed.
https://platform.openai.com/docs/api-reference/responses-streaming
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

# A non-streamed answer is read whole to find its usage; past this size it is passed on
# but not parsed (no model answer is near it).
_MAX_WHOLE = 32 * 1024 * 1024


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    cached_input_tokens: int = 0  # part of input_tokens
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
        )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def usage_of(report: Any) -> Usage | None:
    """A ``usage`` object of either API, or None if it is not one."""
    if not isinstance(report, dict):
        return None
    details = report.get("input_tokens_details") or report.get("prompt_tokens_details") or {}
    cached = _count(details.get("cached_tokens")) if isinstance(details, dict) else 0
    if "input_tokens" in report or "output_tokens" in report:
        given, made = report.get("input_tokens"), report.get("output_tokens")
    elif "prompt_tokens" in report or "completion_tokens" in report:
        given, made = report.get("prompt_tokens"), report.get("completion_tokens")
    else:
        return None
    return Usage(_count(given), min(cached, _count(given)), _count(made))


def _usage_in(event: Any) -> Usage | None:
    if not isinstance(event, dict):
        return None
    response = event.get("response")
    if isinstance(response, dict) and response.get("usage") is not None:
        return usage_of(response.get("usage"))
    return usage_of(event.get("usage")) if event.get("usage") is not None else None


def model_request(method: str, body: bytes, *, counted: bool) -> tuple[str | None, bytes]:
    """The model a request asks for; with a cap, a streamed chat request also asks for
    its usage (chat completions report it only then)."""
    if method != "POST" or not body:
        return None, body
    try:
        request = json.loads(body)
    except ValueError:
        return None, body
    if not isinstance(request, dict):
        return None, body
    model = request.get("model") if isinstance(request.get("model"), str) else None
    if counted and request.get("stream") is True and "messages" in request:
        options = request.get("stream_options")
        if not (isinstance(options, dict) and options.get("include_usage")):
            request["stream_options"] = {**(options or {}), "include_usage": True}
            body = json.dumps(request).encode()
    return model, body


class UsageMeter:
    """Fed every byte of one answer; ``usage`` is what it reported (None if nothing)."""

    def __init__(self, *, streamed: bool) -> None:
        self._streamed = streamed
        self._buffer = bytearray()
        self._whole_too_big = False
        self.usage: Usage | None = None

    def feed(self, chunk: bytes) -> None:
        if not self._streamed:
            if len(self._buffer) + len(chunk) > _MAX_WHOLE:
                self._whole_too_big = True
                self._buffer.clear()
            elif not self._whole_too_big:
                self._buffer += chunk
            return
        self._buffer += chunk
        while True:
            end, size = _event_end(self._buffer)
            if end < 0:
                return
            event = bytes(self._buffer[:end])
            del self._buffer[: end + size]
            self._read_event(event)

    def finish(self) -> Usage | None:
        """The usage, once the answer ended (a last event may lack its blank line)."""
        if self._streamed:
            if self._buffer.strip():
                self._read_event(bytes(self._buffer))
        elif self._buffer:
            with suppress(ValueError):
                self.usage = _usage_in(json.loads(self._buffer)) or self.usage
        self._buffer.clear()
        return self.usage

    def _read_event(self, event: bytes) -> None:
        if b'"usage"' not in event:
            return
        data = b"\n".join(
            line[5:].strip() for line in event.splitlines() if line.startswith(b"data:")
        )
        try:
            found = _usage_in(json.loads(data))
        except ValueError:
            return
        if found is not None:
            self.usage = found


def _event_end(buffer: bytearray) -> tuple[int, int]:
    """Where the first complete server-sent event ends, and the separator's length."""
    ends = [(buffer.find(sep), len(sep)) for sep in (b"\n\n", b"\r\n\r\n")]
    found = [(at, size) for at, size in ends if at >= 0]
    return min(found) if found else (-1, 0)
