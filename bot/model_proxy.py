"""A loopback proxy that holds the model key, so Codex never has it.

Codex's commands can read what Codex can read (its environment, its files; under
``danger-full-access`` even other processes' environments). So Codex gets a one-run
nonce instead of the key and talks to this proxy on 127.0.0.1, which checks the nonce,
puts the real key in its place and streams the upstream answer back unchanged.
The same idea as openai/codex-action's ``codex-responses-api-proxy``. The orchestrator
comes through it too, with a nonce of its own: it is the one place that sees every
model request of the run, so it counts their usage and enforces the run's budget
(``bot.spend``), which no prompt can talk its way around.

Only what the model clients use is forwarded: Codex 0.163 calls ``POST /responses``
(remote compaction too goes through it) and ``GET /models?client_version=...``; another
MCP server may use chat completions or read one model. Anything else, such as the files
endpoints or a path that climbs out of ``/v1`` on a gateway, is refused here and never
reaches upstream with the key.
"""

from __future__ import annotations

import hmac
import http.client
import json
import logging
import queue
import re
import secrets
import select
import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.spend import LAYERS, Budget, BudgetStop, Ledger
from bot.usage_meter import UsageMeter, model_request

log = logging.getLogger("proxy")

# Hop-by-hop and framing headers are the proxy's own business on each side.
_DROP = {
    "host",
    "authorization",
    "connection",
    "keep-alive",
    "content-length",
    "transfer-encoding",
    "accept-encoding",  # asking for identity keeps streaming simple
    "proxy-authorization",
    "te",
    "upgrade",
}


_ROUTES = {
    ("POST", "/v1/responses"),
    ("POST", "/v1/chat/completions"),
    ("GET", "/v1/models"),
}
# A model id: letters, digits and the punctuation real ids use (``ft:gpt-4o:org:x``),
# never a slash, a percent sign or a dot-only segment.
_MODEL_ID = re.compile(r"/v1/models/(?!\.+$)[A-Za-z0-9._:-]+")
# Plain query parameters such as ``client_version=0.163.0``; no escapes, no paths.
_QUERY = re.compile(r"[A-Za-z0-9._~=&-]*")
ALLOWED = "POST /v1/responses, POST /v1/chat/completions, GET /v1/models, GET /v1/models/{id}"


def is_allowed(method: str, target: str) -> bool:
    """Whether the request line ``method target`` is one the model clients send.

    ``target`` is the raw request target: an absolute-form URL, ``..``, a percent
    escape or a doubled slash never matches.
    """
    path, _, query = target.partition("?")
    if not _QUERY.fullmatch(query):
        return False
    if (method, path) in _ROUTES:
        return True
    return method == "GET" and ".." not in path and _MODEL_ID.fullmatch(path) is not None


# The error code of a budget refusal, which the bot recognises in a client's error.
_REFUSED = "codex_pr_bot_budget"


def _no_delay(sock: socket.socket | None) -> None:
    """Requests leave at once: Nagle's wait would stall a kept connection by 40 ms."""
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: ModelProxy


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # request lines would be noise in the job log

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server looks up ``do_<METHOD>``: every method gets the same checks.
        if name.startswith("do_"):
            return self._forward
        raise AttributeError(name)

    def _forward(self) -> None:
        proxy = self.server.proxy
        self.close_connection = True
        given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        layer = proxy.layer_of(given)
        if layer is None:
            self._plain(401, b'{"error": {"message": "unknown client"}}')
            return
        if not is_allowed(self.command, self.path):
            shown = f"{self.command} {self.path}"[:300]
            log.warning("model proxy refused %s", shown)
            message = f"codex-pr-bot's model proxy refuses {shown}: it forwards only {ALLOWED}."
            refusal = {"error": {"message": message, "type": "forbidden", "code": "refused"}}
            self._plain(403, json.dumps(refusal).encode())
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        model, body = model_request(self.command, body, counted=proxy.ledger.budget.capped)
        if self.command == "POST":
            stop = proxy.ledger.admit(layer, model)
            if stop is not None:
                self._refuse(stop)
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _DROP}
        headers["Authorization"] = f"Bearer {proxy.api_key}"
        target = proxy.path + self.path.removeprefix("/v1")
        try:
            connection, reply = proxy.send(self.command, target, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            log.warning("model API unreachable: %s", type(exc).__name__)
            self._plain(502, b'{"error": {"message": "model API unreachable"}}')
            return
        meter = UsageMeter(streamed="event-stream" in (reply.getheader("Content-Type") or ""))
        reusable = False
        try:
            self.send_response(reply.status)
            for name, value in reply.getheaders():
                if name.lower() not in _DROP:
                    self.send_header(name, value)
            # Streamed answers (SSE) have no known length: end them by closing.
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := reply.read1(65536):
                meter.feed(chunk)
                self.wfile.write(chunk)
                self.wfile.flush()
            reusable = not reply.will_close
            reply.close()  # read to its end: the connection can carry the next request
        except (OSError, http.client.HTTPException) as exc:
            log.warning("model answer cut short: %s", type(exc).__name__)
        finally:
            proxy.release(connection, reusable)
            if self.command == "POST" and reply.status < 400:
                proxy.ledger.record(layer, model, meter.finish())

    def _refuse(self, stop: BudgetStop) -> None:
        # 402 and "do not retry": neither the OpenAI SDK nor Codex retries it, so a run
        # passes its cap by at most the requests already in flight.
        kind = "budget_exceeded" if stop.reached else "model_not_priced"
        error = {"message": f"codex-pr-bot: {stop.reason}", "type": kind, "code": _REFUSED}
        body = json.dumps({"error": error}).encode()
        self.send_response(402)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-should-retry", "false")
        self.end_headers()
        self.wfile.write(body)

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ModelProxy:
    """Forwards ``/v1/...`` on 127.0.0.1 to ``upstream`` (``.../v1``) with the real key.

    Each client layer gets its own nonce, so every answer is counted for the layer that
    asked; upstream connections are kept and reused.
    """

    def __init__(self, *, api_key: str, upstream: str, ledger: Ledger | None = None) -> None:
        self.api_key = api_key
        parts = urlsplit(upstream.rstrip("/"))
        self._scheme, self._host, self._port = parts.scheme, parts.hostname or "", parts.port
        self.path = parts.path
        self.ledger = ledger or Ledger(Budget())
        self._nonces = {layer: "codex-pr-bot-" + secrets.token_urlsafe(24) for layer in LAYERS}
        self.nonce = self._nonces["codex"]
        self._tls = ssl.create_default_context() if parts.scheme == "https" else None
        self._server: _Server | None = None
        self._idle: queue.SimpleQueue[http.client.HTTPConnection] = queue.SimpleQueue()

    def nonce_for(self, layer: str) -> str:
        return self._nonces[layer]

    def layer_of(self, given: str) -> str | None:
        for layer, nonce in self._nonces.items():
            if hmac.compare_digest(given.encode(), nonce.encode()):
                return layer
        return None

    def connect(self) -> http.client.HTTPConnection:
        if self._tls is not None:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=600, context=self._tls
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=600)

    def send(
        self, method: str, target: str, body: bytes, headers: dict[str, str]
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Send on a kept connection that is still open, else on a new one. A request is
        never sent twice: upstream may have acted on it."""
        connection = self._kept() or self.connect()
        try:
            if connection.sock is None:
                connection.connect()
                _no_delay(connection.sock)
            connection.request(method, target, body, headers)
            return connection, connection.getresponse()
        except BaseException:
            connection.close()
            raise

    def _kept(self) -> http.client.HTTPConnection | None:
        while True:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                return None
            # An idle connection with something to read has been closed upstream.
            sock = connection.sock
            if sock is not None and not select.select([sock], [], [], 0)[0]:
                return connection
            connection.close()

    def release(self, connection: http.client.HTTPConnection, reusable: bool) -> None:
        if reusable:
            self._idle.put(connection)
        else:
            connection.close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the proxy first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> ModelProxy:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.proxy = self
        self._server = server
        # A short poll interval keeps stop() quick; the cost is negligible.
        threading.Thread(
            target=server.serve_forever, args=(0.01,), name="model-proxy", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        while not self._idle.empty():
            self._idle.get_nowait().close()

    def __enter__(self) -> ModelProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
