"""The model proxy's added latency per request, on loopback.

Run by the measured bot's interpreter (``python benchmarks/proxy.py``, so ``--rev``
compares proxies): a keep-alive upstream answers a small Responses API body with usage
at once; the same requests go once straight to it and once through ``ModelProxy``,
interleaved. Prints JSON: the medians, and how many upstream connections the proxy opened.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BODY = json.dumps(
    {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4.1",
     "output": [], "usage": {"input_tokens": 120, "output_tokens": 30, "total_tokens": 150,
                             "input_tokens_details": {"cached_tokens": 0}}}
).encode()  # fmt: skip
REQUEST = json.dumps({"model": "gpt-4.1", "input": "ping"}).encode()


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections = 0

    def setup(self) -> None:
        super().setup()
        # As production HTTP servers do: headers and body are written apart.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        type(self).connections += 1

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def _post(host: str, port: int, path: str, key: str) -> float:
    """One request on a new client connection (as Codex makes them), in seconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection.request("POST", path, REQUEST, headers)
    reply = connection.getresponse()
    reply.read()
    connection.close()
    if reply.status != 200:
        raise RuntimeError(f"status {reply.status}")
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    from bot.model_proxy import ModelProxy

    requests = int(argv[0]) if argv else 300
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    host, port = str(server.server_address[0]), int(server.server_address[1])
    direct, proxied = [], []
    with ModelProxy(api_key="sk-bench", upstream=f"http://{host}:{port}/v1") as proxy:
        p_host, p_port = proxy.base_url.removeprefix("http://").split("/")[0].split(":")
        for _ in range(20):  # warm both paths up
            _post(host, port, "/v1/responses", "sk-bench")
            _post(p_host, int(p_port), "/v1/responses", proxy.nonce)
        _Upstream.connections = 0
        for _ in range(requests):
            direct.append(_post(host, port, "/v1/responses", "sk-bench"))
            proxied.append(_post(p_host, int(p_port), "/v1/responses", proxy.nonce))
    server.shutdown()
    added = [p - d for p, d in zip(proxied, direct, strict=True)]
    print(json.dumps({
        "requests": requests,
        "direct_ms": statistics.median(direct) * 1000,
        "proxied_ms": statistics.median(proxied) * 1000,
        "added_ms": statistics.median(added) * 1000,
        # Direct requests open one each; the proxy's share is what is left.
        "upstream_connections_by_proxy": _Upstream.connections - requests,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
