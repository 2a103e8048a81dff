"""A scripted OpenAI Responses API server standing in for the model of the bot and of Codex."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

if not __package__:  # run as a script: import the sibling modules as package "tests.rig"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.rig"

from .scripted_responses import EARLIER_THREAD_ID as EARLIER_THREAD_ID  # re-exported
from .scripted_responses import THREAD_ID as THREAD_ID  # re-exported
from .scripted_responses import answer, classify, response, sse_events
from .scripted_steps import Call as Call  # re-exported, as are the other steps
from .scripted_steps import Fail as Fail
from .scripted_steps import Hang as Hang
from .scripted_steps import Json, Role, Step, decode
from .scripted_steps import Say as Say
from .scripted_steps import Shell as Shell


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received, and how it was answered."""

    role: Role
    path: str
    headers: dict[str, str]
    body: Json
    status: int  # the HTTP status we answered with; 0 for Hang, which sends nothing
    step: Step | None  # None when no scripted step was played (401, 404, script exhausted)


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
                status, problem, output = answer(step, role, body)
            # Record before answering, so a test sees a Hang request while it hangs.
            model._record(RecordedRequest(role, self.path, headers, body, status, step))
            if isinstance(step, Hang):
                model._stopping.wait(step.seconds)
                self.close_connection = True
            elif status != 200:
                self._error(status, problem)
            elif not body.get("stream"):
                self._send(200, json.dumps(response(body, output, "completed")))
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")  # the body ends when the socket closes
                self.end_headers()
                self.close_connection = True
                for number, event in enumerate(sse_events(body, output)):
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--script", required=True, help='JSON: {"orchestrator": [...], ...}')
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default="sk-test-scripted-key")
    parser.add_argument("--record", help="on exit, write every request here as JSON lines")
    args = parser.parse_args(argv)
    with open(args.script, encoding="utf-8") as file:
        script = json.load(file)
    # Block the signals before any thread starts so that only sigwait sees them (also as PID 1).
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    model = ScriptedModel(
        orchestrator=[decode(s) for s in script.get("orchestrator", [])],
        codex=[decode(s) for s in script.get("codex", [])],
        api_key=args.api_key,
        host=args.host,
        port=args.port,
    )
    with model:
        print(f"READY {model.base_url}", flush=True)
        signal.sigwait(signals)
    if args.record:
        with open(args.record, "w", encoding="utf-8") as file:
            for request in model.requests:
                record = {"role": request.role, "status": request.status, "body": request.body}
                file.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
