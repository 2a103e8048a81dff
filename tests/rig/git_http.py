"""Smart HTTP for the test git remote, like GitHub's: ``git http-backend`` behind token auth.

Clients authenticate as ``x-access-token:<token>`` with HTTP basic auth (what the bot
sends); anything else gets 401 and is recorded on the remote.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol


class Served(Protocol):
    """What the server needs of the remote it serves (git_remote.GitRemote)."""

    root: Path
    token: str
    auth_headers: list[str]
    rejected: int

    def sync_pull_heads(self) -> None: ...


@cache
def _backend() -> str:
    done = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True)
    return str(Path(done.stdout.strip()) / "git-http-backend")


class GitHttpServer(ThreadingHTTPServer):
    """Serves `remote`'s repositories on `address` until shut down."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], remote: Served) -> None:
        super().__init__(address, _Handler)
        self.remote = remote


class _Handler(BaseHTTPRequestHandler):
    server: GitHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        remote = self.server.remote
        expected = base64.b64encode(f"x-access-token:{remote.token}".encode()).decode()
        auth = self.headers.get("Authorization", "")
        remote.auth_headers.append(auth)
        if auth != f"Basic {expected}":
            remote.rejected += 1
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = {
            "GIT_PROJECT_ROOT": str(remote.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "PATH": os.environ.get("PATH", os.defpath),  # for the hooks
        }
        encoding = self.headers.get("Content-Encoding", "")
        if encoding:
            env["HTTP_CONTENT_ENCODING"] = encoding
        done = subprocess.run([_backend()], input=body, env=env, capture_output=True, check=False)
        if path.endswith("/git-receive-pack") and done.returncode == 0:
            remote.sync_pull_heads()  # before answering: the pusher may look at once
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status = 200
        headers: list[tuple[str, str]] = []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
