"""A loopback proxy that holds the model key, so Codex never has it.

Codex's commands can read what Codex can read (its environment, its files; under
``danger-full-access`` even other processes' environments). So Codex gets a one-run
nonce instead of the key and talks to this proxy on 127.0.0.1, which checks the nonce,
puts the real key in its place and streams the upstream answer back unchanged.
The same idea as openai/codex-action's ``codex-responses-api-proxy``.

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
import re
import secrets
import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

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
        if not hmac.compare_digest(given.encode(), proxy.nonce.encode()):
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
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _DROP}
        headers["Authorization"] = f"Bearer {proxy.api_key}"
        connection = proxy.connect()
        try:
            connection.request(
                self.command, proxy.path + self.path.removeprefix("/v1"), body, headers
            )
            reply = connection.getresponse()
            self.send_response(reply.status)
            for name, value in reply.getheaders():
                if name.lower() not in _DROP:
                    self.send_header(name, value)
            # Streamed answers (SSE) have no known length: end them by closing.
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := reply.read1(65536):
                self.wfile.write(chunk)
                self.wfile.flush()
        except (OSError, http.client.HTTPException) as exc:
            log.warning("model API unreachable: %s", type(exc).__name__)
            self._plain(502, b'{"error": {"message": "model API unreachable"}}')
        finally:
            connection.close()

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ModelProxy:
    """Forwards ``/v1/...`` on 127.0.0.1 to ``upstream`` (``.../v1``) with the real key."""

    def __init__(self, *, api_key: str, upstream: str) -> None:
        self.api_key = api_key
        parts = urlsplit(upstream.rstrip("/"))
        self._scheme, self._host, self._port = parts.scheme, parts.hostname or "", parts.port
        self.path = parts.path
        self.nonce = "codex-pr-bot-" + secrets.token_urlsafe(24)
        self._tls = ssl.create_default_context() if parts.scheme == "https" else None
        self._server: _Server | None = None

    def connect(self) -> http.client.HTTPConnection:
        if self._tls is not None:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=600, context=self._tls
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=600)

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

    def __enter__(self) -> ModelProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
