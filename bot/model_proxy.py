"""A loopback proxy that holds the model key, so Codex never has it.

Codex's commands can read what Codex can read (its environment, its files; under
``danger-full-access`` even other processes' environments). So Codex gets a one-run
nonce instead of the key and talks to this proxy on 127.0.0.1, which checks the nonce,
puts the real key in its place and streams the upstream answer back unchanged.
The same idea as openai/codex-action's ``codex-responses-api-proxy``.
"""

from __future__ import annotations

import hmac
import http.client
import logging
import secrets
import socket
import ssl
import threading
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

    def do_POST(self) -> None:
        self._forward()

    def do_GET(self) -> None:
        self._forward()

    def _forward(self) -> None:
        proxy = self.server.proxy
        given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), proxy.nonce.encode()):
            self._plain(401, b'{"error": {"message": "unknown client"}}')
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
        self.close_connection = True

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
