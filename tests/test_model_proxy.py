"""The model proxy forwards only what the model clients use, to a real upstream."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.model_proxy import ModelProxy, is_allowed

KEY = "sk-real-upstream-key-for-the-proxy-test"


@dataclass
class Upstream:
    """An HTTP server on 127.0.0.1 that answers everything and records what reached it."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/gateway/v1"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    recorder = Upstream()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def __getattr__(self, name: str) -> Any:
            if name.startswith("do_"):
                return self._answer
            raise AttributeError(name)

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            recorder.seen.append((self.command, self.path, self.headers["Authorization"]))
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.server = server
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


def send(proxy: ModelProxy, method: str, target: str, body: bytes = b"") -> tuple[int, Any]:
    """One raw request line to the proxy, the target exactly as given."""
    host, port = proxy.base_url.removeprefix("http://").split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", f"{host}:{port}")
        connection.putheader("Authorization", f"Bearer {proxy.nonce}")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read() or b"null")
    finally:
        connection.close()


FORWARDED = [
    ("POST", "/v1/responses", "/gateway/v1/responses"),
    ("POST", "/v1/chat/completions", "/gateway/v1/chat/completions"),
    ("GET", "/v1/models", "/gateway/v1/models"),
    ("GET", "/v1/models?client_version=0.163.0", "/gateway/v1/models?client_version=0.163.0"),
    ("GET", "/v1/models/gpt-4.1-mini", "/gateway/v1/models/gpt-4.1-mini"),
    ("GET", "/v1/models/ft:gpt-4o:acme:x1", "/gateway/v1/models/ft:gpt-4o:acme:x1"),
]

REFUSED = [
    ("POST", "/v1/files"),
    ("GET", "/v1/files/file-abc/content"),
    ("DELETE", "/v1/models/gpt-4.1-mini"),
    ("PUT", "/v1/responses"),
    ("GET", "/v1/responses"),
    ("POST", "/v1/models"),
    ("POST", "/v1/responses/compact"),
    ("POST", "/v1/responses/resp_123/cancel"),
    ("POST", "/v1/../../admin"),
    ("GET", "/v1/models/.."),
    ("GET", "/v1/models/../../secrets"),
    ("GET", "/v1/models/%2e%2e"),
    ("GET", "/v1/models/%2E%2E%2Fadmin"),
    ("POST", "/v1/responses%2f..%2f..%2fadmin"),
    ("POST", "/v1/%72esponses"),
    ("POST", "/v1/responses/"),
    ("POST", "/v1/responses?x=%2e%2e%2f"),
    ("POST", "/v1/responses?next=/admin"),
    ("POST", "http://attacker.example/v1/responses"),
    ("POST", "/V1/responses"),
    ("PATCH", "/v1/chat/completions"),
    ("OPTIONS", "*"),
]


@pytest.mark.parametrize(("method", "target", "upstream_path"), FORWARDED)
def test_what_the_model_clients_use_is_forwarded_with_the_key(
    upstream: Upstream, method: str, target: str, upstream_path: str
) -> None:
    with ModelProxy(api_key=KEY, upstream=upstream.base_url) as proxy:
        status, body = send(proxy, method, target, b"{}" if method == "POST" else b"")

    assert (status, body) == (200, {"ok": True})
    assert upstream.seen == [(method, upstream_path, f"Bearer {KEY}")]


@pytest.mark.parametrize(("method", "target"), REFUSED)
def test_anything_else_is_refused_and_never_reaches_upstream(
    upstream: Upstream, method: str, target: str
) -> None:
    assert not is_allowed(method, target)
    with ModelProxy(api_key=KEY, upstream=upstream.base_url) as proxy:
        status, body = send(proxy, method, target, b"{}")
        # The proxy still works afterwards.
        assert send(proxy, "GET", "/v1/models")[0] == 200

    assert status == 403
    assert f"refuses {method} {target}:" in body["error"]["message"]
    assert "POST /v1/responses" in body["error"]["message"]
    assert upstream.seen == [("GET", "/gateway/v1/models", f"Bearer {KEY}")]


def test_a_doubled_leading_slash_is_not_a_route() -> None:
    # http.server already folds "//v1/responses" into "/v1/responses" (no escape there);
    # the rule itself does not rely on that.
    assert not is_allowed("POST", "//v1/responses")
    assert not is_allowed("GET", "/v1/models//x")


def test_a_stranger_is_refused_before_the_path_is_looked_at(upstream: Upstream) -> None:
    with ModelProxy(api_key=KEY, upstream=upstream.base_url) as proxy:
        stranger = ModelProxy(api_key="x", upstream=upstream.base_url)
        stranger.start()
        try:
            # The other proxy's nonce is not this one's.
            host_port = proxy.base_url.removeprefix("http://").split("/")[0]
            connection = http.client.HTTPConnection(host_port, timeout=10)
            connection.request(
                "POST", "/v1/responses", b"{}", {"Authorization": f"Bearer {stranger.nonce}"}
            )
            assert connection.getresponse().status == 401
            connection.close()
        finally:
            stranger.stop()
    assert upstream.seen == []
