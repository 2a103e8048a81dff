"""A scripted OpenAI Responses API server standing in for the model of the bot and of Codex."""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, TypeAlias


@dataclass(frozen=True)
class Shell:
    """Codex runs this shell command (a string run by bash)."""

    command: str


@dataclass(frozen=True)
class Call:
    """Call a function tool, e.g. Call("codex", {"prompt": "..."})."""

    name: str
    arguments: dict[str, object]


@dataclass(frozen=True)
class Say:
    """A final assistant message (for structured output: the JSON string)."""

    text: str


@dataclass(frozen=True)
class Fail:
    """Answer with an HTTP error shaped like OpenAI's."""

    status: int = 500
    message: str = "scripted failure"


@dataclass(frozen=True)
class Hang:
    """Accept the request, then send nothing for `seconds`."""

    seconds: float = 3600


Role = Literal["orchestrator", "codex"]
Item: TypeAlias = Shell | Call | Say
Step: TypeAlias = Item | Fail | Hang | list[Item]
Json: TypeAlias = dict[str, Any]

# Tool names only Codex offers; the orchestrator's MCP tools are named codex and codex-reply.
CODEX_TOOLS = frozenset({"exec", "exec_command", "shell", "shell_command", "apply_patch"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received, and how it was answered."""

    role: Role
    path: str
    headers: dict[str, str]
    body: Json
    status: int  # the HTTP status we answered with; 0 for Hang, which sends nothing
    step: Step | None  # None when no scripted step was played (401, 404, script exhausted)


def classify(body: Json) -> Role:
    """Codex's requests offer its own tools; everything else is the orchestrator's."""
    return "codex" if _tool_names(body) & CODEX_TOOLS else "orchestrator"


def _tool_names(body: Json) -> set[str]:
    # Code-mode models (Codex's default slug) get their tools in an `additional_tools` input
    # item, grouped in namespaces, instead of the top-level `tools` array.
    names: set[str] = set()
    pending = list(body.get("tools") or [])
    if isinstance(inputs := body.get("input"), list):
        pending += [t for i in inputs if i.get("type") == "additional_tools" for t in i["tools"]]
    while pending:
        tool = pending.pop()
        names.add(str(tool.get("name")))
        pending.extend(tool.get("tools") or [])
    return names


def _answer(step: Step | None, role: Role, body: Json) -> tuple[int, str, list[Json]]:
    """The HTTP status, error message and output items that play `step`; 0 sends nothing."""
    if isinstance(step, Fail):
        return step.status, step.message, []
    if isinstance(step, Hang):
        return 0, "", []
    if step is None and role == "orchestrator":
        return 500, "orchestrator script exhausted", []
    items = step if isinstance(step, list) else [step or Say("done")]
    try:
        return 200, "", [_output_item(item, body) for item in items]
    except ValueError as error:
        return 500, f"cannot play {step!r} for the {role}: {error}", []


THREAD_ID = "$THREAD_ID"  # in Call arguments: the threadId of the latest tool output
# In Call arguments: the thread id the request's text names (a follow-up's context).
EARLIER_THREAD_ID = "$EARLIER_THREAD_ID"


def _named_thread_id(body: Json) -> str:
    found = re.search(r"Codex thread of this pull request: ([0-9A-Za-z-]+)", json.dumps(body))
    if not found:
        raise ValueError("no earlier thread named in the request")
    return found.group(1)


def _latest_thread_id(body: Json) -> str:
    """The threadId the last ``codex`` call returned, read from the request's input."""
    for entry in reversed(body.get("input") or []):
        if isinstance(entry, dict) and entry.get("type") == "function_call_output":
            output = entry.get("output")
            text = output if isinstance(output, str) else json.dumps(output)
            found = re.search(r'threadId\\?"\s*:\s*\\?"([^"\\]+)', text)
            if found:
                return found.group(1)
    raise ValueError("no threadId in any earlier tool output")


def _output_item(item: Item, body: Json) -> Json:
    if isinstance(item, Call):
        fill = {THREAD_ID: _latest_thread_id, EARLIER_THREAD_ID: _named_thread_id}
        played = {
            key: fill[value](body) if isinstance(value, str) and value in fill else value
            for key, value in item.arguments.items()
        }
        return _item("function_call", name=item.name, arguments=json.dumps(played))
    if isinstance(item, Say):
        text = {"type": "output_text", "text": item.text, "annotations": [], "logprobs": []}
        return _item("message", role="assistant", content=[text])
    # The shell tool Codex offers depends on the model slug; answer in the shape it asked for.
    names = _tool_names(body)
    if "exec" in names:  # code mode: a JavaScript cell that calls the nested shell tool
        source = f"text(await tools.exec_command({json.dumps({'cmd': item.command})}));"
        return _item("custom_tool_call", name="exec", input=source)
    for name, arguments in [
        ("exec_command", {"cmd": item.command}),
        ("shell_command", {"command": item.command}),
        ("shell", {"command": ["bash", "-lc", item.command]}),
    ]:
        if name in names:
            return _item("function_call", name=name, arguments=json.dumps(arguments))
    raise ValueError(f"no shell tool among {sorted(names)}")


def _item(kind: str, **fields: object) -> Json:
    prefix = {"message": "msg", "function_call": "fc", "custom_tool_call": "ctc"}[kind]
    call = {} if kind == "message" else {"call_id": _id("call")}
    return {"type": kind, "id": _id(prefix), **call, "status": "completed", **fields}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _response(body: Json, output: list[Json], status: str) -> Json:
    tokens_in = len(json.dumps(body.get("input", ""))) // 4 + 1  # roughly, and never zero
    tokens_out = len(json.dumps(output)) // 4 + 1
    return {
        "id": _id("resp"),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": body.get("model", "scripted"),
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "usage": {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def _event(kind: str, **fields: object) -> Json:
    return {"type": f"response.{kind}", **fields}


def _sse_events(body: Json, output: list[Json]) -> Iterator[Json]:
    yield _event("created", response=_response(body, [], "in_progress"))
    for index, item in enumerate(output):
        at: Json = {"output_index": index, "item_id": item["id"]}
        started = {**item, "status": "in_progress"}
        if item["type"] == "message":
            part, in_part = item["content"][0], {**at, "content_index": 0}
            yield _event("output_item.added", output_index=index, item={**started, "content": []})
            yield _event("content_part.added", **in_part, part={**part, "text": ""})
            yield _event("output_text.delta", **in_part, delta=part["text"], logprobs=[])
            yield _event("output_text.done", **in_part, text=part["text"], logprobs=[])
            yield _event("content_part.done", **in_part, part=part)
        else:
            field = "input" if item["type"] == "custom_tool_call" else "arguments"
            kind = "custom_tool_call_input" if field == "input" else "function_call_arguments"
            yield _event("output_item.added", output_index=index, item={**started, field: ""})
            yield _event(f"{kind}.delta", **at, delta=item[field])
            yield _event(f"{kind}.done", **at, **{field: item[field]})
        yield _event("output_item.done", output_index=index, item=item)
    yield _event("completed", response=_response(body, output, "completed"))


class ScriptedModel:
    """Answers each request with the next step of its role's script, in a background thread."""

    def __init__(
        self,
        *,
        orchestrator: Sequence[Step] = (),
        codex: Sequence[Step] = (),
        api_key: str = "sk-test-scripted-key",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._scripts: dict[Role, deque[Step]] = {
            "orchestrator": deque(orchestrator),
            "codex": deque(codex),
        }
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for the serving loop to notice, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        bound_host, bound_port = self._server.server_address[:2]
        self.base_url = f"http://{bound_host!s}:{bound_port}/v1"

    def add(self, role: Role, *steps: Step) -> None:
        """Append steps to a role's script."""
        with self._lock:
            self._scripts[role].extend(steps)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in Hang
        if self._thread.is_alive():  # shutdown() would wait forever for a loop never started
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> ScriptedModel:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _next(self, role: Role) -> Step | None:
        with self._lock:
            script = self._scripts[role]
            return script.popleft() if script else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _make_handler(model: ScriptedModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Without this every small response waits ~40 ms on delayed ACKs.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # e.g. a WebSocket upgrade: recorded, so a test can see it
            headers = {k.lower(): v for k, v in self.headers.items()}
            model._record(RecordedRequest("orchestrator", self.path, headers, {}, 404, None))
            self._error(404, f"no route for GET {self.path}")

        def do_POST(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = json.loads(self.rfile.read(int(headers.get("content-length") or 0)))
            except ValueError:
                body = None
            body = body if isinstance(body, dict) else {}
            role = classify(body)
            step: Step | None = None
            output: list[Json] = []
            if headers.get("authorization") != f"Bearer {model.api_key}":
                status, problem = 401, "Incorrect API key provided."
            elif self.path.split("?")[0] != "/v1/responses":
                status, problem = 404, f"no route for POST {self.path}"
            elif not body:
                status, problem = 400, "the request body is not a JSON object"
            else:
                step = model._next(role)
                status, problem, output = _answer(step, role, body)
            # Record before answering, so a test sees a Hang request while it hangs.
            model._record(RecordedRequest(role, self.path, headers, body, status, step))
            if isinstance(step, Hang):
                model._stopping.wait(step.seconds)
                self.close_connection = True
            elif status != 200:
                self._error(status, problem)
            elif not body.get("stream"):
                self._send(200, json.dumps(_response(body, output, "completed")))
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")  # the body ends when the socket closes
                self.end_headers()
                self.close_connection = True
                for number, event in enumerate(_sse_events(body, output)):
                    data = json.dumps({**event, "sequence_number": number})
                    self.wfile.write(f"event: {event['type']}\ndata: {data}\n\n".encode())

        def _error(self, status: int, message: str) -> None:
            kind = "server_error" if status >= 500 else "invalid_request_error"
            code = {401: "invalid_api_key", 404: "unknown_url"}.get(status)
            error = {"message": message, "type": kind, "param": None, "code": code}
            self._send(status, json.dumps({"error": error}))

        def _send(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _decode(raw: object) -> Step:
    if isinstance(raw, list):
        items = [_decode(r) for r in raw]
        if not all(isinstance(i, Shell | Call | Say) for i in items):
            raise ValueError(f"only shell/call/say can share a response: {raw!r}")
        return [i for i in items if isinstance(i, Shell | Call | Say)]
    if isinstance(raw, dict):
        if "shell" in raw:
            return Shell(str(raw["shell"]))
        if "call" in raw:
            return Call(str(raw["call"]), dict(raw.get("arguments") or {}))
        if "say" in raw:
            return Say(str(raw["say"]))
        if "fail" in raw:
            return Fail(int(raw["fail"]), str(raw.get("message", "scripted failure")))
        if "hang" in raw:
            return Hang(float(raw["hang"]))
    raise ValueError(f"unknown step: {raw!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--script", required=True, help='JSON: {"orchestrator": [...], ...}')
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default="sk-test-scripted-key")
    args = parser.parse_args(argv)
    with open(args.script, encoding="utf-8") as file:
        script = json.load(file)
    # Block the signals before any thread starts so that only sigwait sees them (also as PID 1).
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    model = ScriptedModel(
        orchestrator=[_decode(s) for s in script.get("orchestrator", [])],
        codex=[_decode(s) for s in script.get("codex", [])],
        api_key=args.api_key,
        host=args.host,
        port=args.port,
    )
    with model:
        print(f"READY {model.base_url}", flush=True)
        signal.sigwait(signals)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
