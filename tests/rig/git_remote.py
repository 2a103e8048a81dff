"""A git remote over smart HTTP, like GitHub's: ``git http-backend`` behind token auth.

Clients authenticate as ``x-access-token:<token>`` with HTTP basic auth (what the
bot sends); anything else gets 401 and is recorded.

Like GitHub, it has ``refs/pull/<N>/head`` for pull requests: the GitHub fake tells it which
branch a same-repository pull request follows (``track_pull``) and the ref follows that
branch's pushes; a test makes a fork's by pushing there, ``git push <url> <sha>:refs/pull/N/head``
(GitHub would refuse that push: it alone writes refs/pull/*).

Standalone (Docker smoke test): python tests/rig/git_remote.py --root DIR
--full-name owner/repo --token T [--port N] seeds ``DIR/owner/repo.git`` unless it
exists, serves it until SIGTERM/SIGINT and prints "READY <clone url>".
"""

from __future__ import annotations

import argparse
import base64
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: import the sibling modules as package "tests.rig"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.rig"

from .git_diff import DiffFile, parse_diff


def git(*argv: str, cwd: Path | None = None, check: bool = True) -> str:
    """git's output; with ``check=False`` a failure is no error, just (usually) no output."""
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, check=check)
    return done.stdout


def committed(work: Path, message: str) -> str:
    """Everything in the working tree `work` committed by a test's author; its sha."""
    git("add", "-A", cwd=work)
    who = ["-c", "user.name=A Test", "-c", "user.email=test@example.com"]
    git(*who, "commit", "--quiet", "--message", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


# What GitHub's diffs look like whatever the local git config says: 3 lines of context,
# hunks not merged across unchanged lines, renames found, no colour or external tools.
_DIFF = (
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "-U3",
    "--inter-hunk-context=0",
    "--diff-algorithm=myers",
    "-M",
)


def _backend() -> str:
    exec_path = git("--exec-path").strip()
    return str(Path(exec_path) / "git-http-backend")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    remote: GitRemote


class _Handler(BaseHTTPRequestHandler):
    server: _Server

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


class GitRemote:
    """A bare repository ``<owner>/<repo>.git`` served over HTTP on 127.0.0.1."""

    def __init__(self, root: Path, *, full_name: str, token: str, default_branch: str = "main"):
        self.root = root
        self.full_name = full_name
        self.token = token
        self.default_branch = default_branch
        self.bare = root / f"{full_name}.git"
        self.auth_headers: list[str] = []
        self.rejected = 0
        self._server: _Server | None = None
        self._pull_branches: dict[int, str] = {}  # same-repository pull request -> its head
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/{self.full_name}.git"

    def seed(self, files: dict[str, str]) -> None:
        """Create the bare repository with one commit holding ``files``."""
        work = self.root / "seed"
        work.mkdir(parents=True)
        git("init", "-q", "-b", self.default_branch, cwd=work)
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)
        git("add", "-A", cwd=work)
        git(
            "-c",
            "user.name=Maintainer",
            "-c",
            "user.email=m@example.com",
            "commit",
            "-qm",
            "Initial commit",
            cwd=work,
        )
        self.bare.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "-q", "--bare", str(work), str(self.bare))
        git("config", "http.receivepack", "true", cwd=self.bare)
        shutil.rmtree(work)

    def clone(self, dest: Path) -> Path:
        """A checkout like actions/checkout leaves: origin points at the HTTP remote."""
        git("clone", "-q", str(self.bare), str(dest))
        git("remote", "set-url", "origin", self.url, cwd=dest)
        return dest

    def branch_sha(self, branch: str) -> str | None:
        out = git("for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}", cwd=self.bare)
        return out.strip() or None

    def commits_between(self, base: str, head: str) -> int:
        return int(git("rev-list", "--count", f"{base}..{head}", cwd=self.bare).strip())

    def pull_head(self, number: int) -> str | None:
        """The commit of ``refs/pull/<number>/head``, None without that ref."""
        out = git(
            "for-each-ref", "--format=%(objectname)", f"refs/pull/{number}/head", cwd=self.bare
        )
        return out.strip() or None

    def track_pull(self, number: int, branch: str) -> None:
        """Keep ``refs/pull/<number>/head`` at ``branch``'s tip from now on, as GitHub does for
        a pull request from a branch of this repository."""
        with self._lock:
            self._pull_branches[number] = branch
        self.sync_pull_heads()

    def sync_pull_heads(self) -> None:
        """Move each tracked ``refs/pull/N/head`` to its branch; a deleted branch leaves the
        ref where it was (GitHub keeps a merged pull request's head)."""
        with self._lock:
            for number, branch in self._pull_branches.items():
                sha = self.branch_sha(branch)
                if sha is not None and sha != self.pull_head(number):
                    git("update-ref", f"refs/pull/{number}/head", sha, cwd=self.bare)

    def diff_files(self, base_branch: str, head_sha: str) -> list[DiffFile]:
        """A pull request's files as GitHub lists them: ``head_sha`` against its merge base
        with ``base_branch``; none when either is unknown."""
        base = git("merge-base", f"refs/heads/{base_branch}", head_sha, cwd=self.bare, check=False)
        if not base.strip():
            return []
        commits = (base.strip(), head_sha)
        raw = git(*_DIFF, "--raw", "-z", "--no-abbrev", *commits, cwd=self.bare)
        return parse_diff(raw, git(*_DIFF, "-p", *commits, cwd=self.bare))

    def show(self, branch: str, path: str) -> str:
        return git("show", f"{branch}:{path}", cwd=self.bare)

    def log(self, branch: str, fmt: str = "%an <%ae>%n%B") -> str:
        return git("log", "-1", f"--format={fmt}", branch, cwd=self.bare)

    def start(self, port: int = 0) -> None:
        server = _Server(("127.0.0.1", port), _Handler)
        server.remote = self
        self._server = server
        # A short poll: stopping the server waits for one, and every test stops one.
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GitRemote:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a git remote over smart HTTP.")
    parser.add_argument("--root", type=Path, required=True, help="where the bare repo lives")
    parser.add_argument("--full-name", required=True, help="owner/repo")
    parser.add_argument("--token", required=True, help="the x-access-token password")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--default-branch", default="main")
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="PATH=TEXT",
        help="a file of the first commit (repeatable; default: a README.md)",
    )
    args = parser.parse_args(argv)
    remote = GitRemote(
        args.root.resolve(),
        full_name=args.full_name,
        token=args.token,
        default_branch=args.default_branch,
    )
    if not remote.bare.exists():
        files = dict(spec.split("=", 1) for spec in args.file)
        remote.seed(files or {"README.md": f"# {args.full_name}\n"})
    # Block the signals before the server thread starts so that only sigwait sees them.
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    remote.start(args.port)
    try:
        print(f"READY {remote.url}", flush=True)
        signal.sigwait(signals)
    finally:
        remote.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
