"""A stateful fake of GitHub's REST API on 127.0.0.1 that checks every request it receives and
every response it sends against GitHub's OpenAPI description (tests/fixtures/github-rest).

    with GitHubFake() as gh:
        g = Github(auth=Auth.Token(gh.token), base_url=gh.api_url, retry=None,
                   seconds_between_requests=0, seconds_between_writes=0)
        ...
        assert gh.validation_errors == []

More repositories on the same server, each with its own state (and git remote):
`api = gh.add_repository("octo-org/api", remote=remote)`; `api` has the same helpers, its
`requests` are those whose path named it (each `Recorded` says its `repository`).

Standalone (Docker smoke test): python tests/rig/github_fake.py --port N --state state.json
[--dump final.json]; prints "READY <api_url>" and writes the dump on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if not __package__:  # run as a script: import the sibling modules as package "tests.rig"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.rig"

from werkzeug.datastructures import Headers

from .git_diff import DiffFile
from .git_objects import GitObjects
from .github_actions import ActionsHelpers
from .github_openapi import SPEC_PATH as SPEC_PATH  # re-exported: the tests read the spec
from .github_openapi import spec
from .github_repository import GitHubRepository as GitHubRepository  # re-exported
from .github_repository import RepositoryHelpers
from .github_rest import SECONDARY_RATE_LIMIT as SECONDARY_RATE_LIMIT  # re-exported
from .github_rest import Recorded as Recorded  # re-exported: the benchmarks replay these
from .github_rest import RestApi
from .github_state import GitHubState, fake_sha

if TYPE_CHECKING:
    from .git_remote import GitRemote


class GitHubFake(RepositoryHelpers, ActionsHelpers, RestApi):
    """The REST API of a repository, served over HTTP, with helpers for tests (those of
    workflow runs in github_actions.py); `add_repository` serves more on the same server."""

    def __init__(
        self,
        *,
        owner: str = "octo-org",
        repo: str = "hello-world",
        default_branch: str = "main",
        token: str = "ghs_test_fake_token",  # noqa: S107
        app_login: str = "github-actions[bot]",
        private: bool = False,
        branch_sha: Callable[[str], str | None] | None = None,
        commits_between: Callable[[str, str], int] | None = None,
        pull_head: Callable[[int], str | None] | None = None,
        track_pull: Callable[[int, str], None] | None = None,
        diff_files: Callable[[str, str], list[DiffFile]] | None = None,
        git_objects: GitObjects | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/api/v3",
    ) -> None:
        self.host, self.port = host, port
        state = GitHubState(
            owner=owner,
            repo=repo,
            default_branch=default_branch,
            app_login=app_login,
            private=private,
            branch_sha=branch_sha or fake_sha,
            commits_between=commits_between or (lambda base, head: 1),
            # refs/pull/N/head and a pull request's files (GitRemote's methods of these
            # names); without them no pull request has files.
            pull_head=pull_head or (lambda number: None),
            track_pull=track_pull or (lambda number, branch: None),
            diff_files=diff_files or (lambda base, head: []),
            git_objects=git_objects,  # the Git Data API's store (GitRemote.objects)
        )
        super().__init__(state, token=token, prefix=prefix.rstrip("/"))
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.api_url = self.server_url = ""

    # ---- more repositories --------------------------------------------------------------
    def add_repository(
        self,
        full_name: str,
        *,
        remote: GitRemote | None = None,
        default_branch: str | None = None,
        private: bool = False,
    ) -> GitHubRepository:
        """Serve repository `full_name` ("owner/name") too, from now on: its own issues,
        comments, pull requests, permissions, rules and workflow runs, the same token, app
        and server. With `remote` (a GitRemote of that name) its branches, pull requests'
        heads and files and its Git Data API are that remote's, as the `github` fixture wires
        the first; without it, branches are made up (`fake_sha`) and pull requests have no
        files. The default branch is the remote's, else "main". Returns its handle."""
        owner, _, repo = full_name.partition("/")
        if not owner or not repo or "/" in repo:
            raise ValueError(f"not owner/name: {full_name!r}")
        if remote is not None and remote.full_name.lower() != full_name.lower():
            raise ValueError(f"the remote serves {remote.full_name}, not {full_name}")
        wired: dict[str, Any] = {"branch_sha": fake_sha, "commits_between": lambda b, h: 1}
        if remote is not None:
            wired = {
                "branch_sha": remote.branch_sha,
                "commits_between": remote.commits_between,
                "pull_head": remote.pull_head,
                "track_pull": remote.track_pull,
                "diff_files": remote.diff_files,
                "git_objects": remote.objects,
            }
        state = GitHubState(
            owner=owner,
            repo=repo,
            default_branch=default_branch or (remote.default_branch if remote else "main"),
            app_login=self.state.app_login,
            private=private,
            sibling=self.state,
            **wired,
        )
        with self.state.lock:
            if self.served(full_name) is not None:
                raise ValueError(f"{full_name} is served already")
            state.api, state.web = self.api_url, self.server_url
            self.repositories[full_name.lower()] = state
        return GitHubRepository(self, state)

    def repository(self, full_name: str) -> GitHubRepository:
        """The handle of a repository this fake serves (the first one too); KeyError if none."""
        state = self.served(full_name)
        if state is None:
            raise KeyError(f"the fake does not serve {full_name}")
        return GitHubRepository(self, state)

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> GitHubFake:
        spec()
        server = _Server((self.host, self.port), _Handler)
        server.fake = self
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host  # noqa: S104
        self.server_url = f"http://{host}:{server.server_address[1]}"
        self.api_url = self.server_url + self.prefix
        with self.state.lock:
            for state in self.repositories.values():
                state.api, state.web = self.api_url, self.server_url
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> GitHubFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> dict[str, Any]:
        with self.state.lock:
            return {
                "issues": [asdict(i) for i in self.state.issues.values()],
                "comments": [asdict(c) for c in self.state.comments.values()],
                "reactions": {
                    f"{k}:{n}": [asdict(r) for r in v] for (k, n), v in self.state.reactions.items()
                },
                "reviews": [asdict(r) for r in self.state.reviews.values()],
                "review_comments": [asdict(c) for c in self.state.review_comments.values()],
                "permissions": dict(self.state.permissions),
                "requests": [asdict(r) for r in self.requests],
                "validation_errors": list(self.validation_errors),
            }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: GitHubFake


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: without it each call costs ~40 ms
    server: _Server

    def _serve(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, headers, body = fake.handle(
            self.command, self.path, Headers(list(self.headers.items())), raw
        )
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the GitHub REST fake.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument(
        "--state",
        help="JSON: owner, repo, token, app_login, private, "
        "permissions {login: perm}, issues [{title, body, user}], "
        "comments [{issue, body, user, user_type}], protected [branch], "
        "rules {branch: [{type, parameters}]}",
    )
    ap.add_argument("--dump", help="write the final state here on SIGTERM/SIGINT")
    args = ap.parse_args(argv)
    cfg = json.loads(Path(args.state).read_text(encoding="utf-8")) if args.state else {}
    keys = ("owner", "repo", "default_branch", "token", "app_login", "private")
    fake = GitHubFake(host=args.host, port=args.port, **{k: cfg[k] for k in keys if k in cfg})
    for login, perm in cfg.get("permissions", {}).items():
        fake.set_permission(login, perm)
    for i in cfg.get("issues", []):
        fake.add_issue(i["title"], i.get("body"), i.get("user", "octocat"))
    for c in cfg.get("comments", []):
        fake.add_comment(
            c["issue"], c["body"], c.get("user", "octocat"), c.get("user_type", "User")
        )
    for branch in cfg.get("protected", []):
        fake.protect_branch(branch)
    for branch, rules in cfg.get("rules", {}).items():
        fake.set_branch_rules(branch, *rules)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake.start()
    print(f"READY {fake.api_url}", flush=True)
    while not stop.wait(0.2):
        pass
    fake.stop()
    if args.dump:
        Path(args.dump).write_text(json.dumps(fake.snapshot(), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
