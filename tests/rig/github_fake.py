"""A stateful fake of GitHub's REST API on 127.0.0.1 that checks every request it receives and
every response it sends against GitHub's OpenAPI description (tests/fixtures/github-rest).

    with GitHubFake() as gh:
        g = Github(auth=Auth.Token(gh.token), base_url=gh.api_url, retry=None,
                   seconds_between_requests=0, seconds_between_writes=0)
        ...
        assert gh.validation_errors == []

Standalone (Docker smoke test): python tests/rig/github_fake.py --port N --state state.json
[--dump final.json]; prints "READY <api_url>" and writes the dump on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import copy
import json
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: import the sibling modules as package "tests.rig"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.rig"

from werkzeug.datastructures import Headers

from .git_diff import DiffFile
from .git_objects import GitObjects
from .github_actions import ActionsHelpers
from .github_handlers import add_comment, add_issue, add_pull
from .github_issue_handlers import set_state
from .github_openapi import SPEC_PATH as SPEC_PATH  # re-exported: the tests read the spec
from .github_openapi import spec
from .github_rest import SECONDARY_RATE_LIMIT as SECONDARY_RATE_LIMIT  # re-exported
from .github_rest import Recorded as Recorded  # re-exported: the benchmarks replay these
from .github_rest import RestApi
from .github_review_handlers import seed_reply, seed_review, seed_review_comment
from .github_state import (
    Comment,
    GitHubState,
    Issue,
    Reaction,
    Review,
    ReviewComment,
    fake_sha,
)


class GitHubFake(ActionsHelpers, RestApi):
    """The REST API of one repository, served over HTTP, with helpers for tests (those of
    workflow runs in github_actions.py)."""

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

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> GitHubFake:
        spec()
        server = _Server((self.host, self.port), _Handler)
        server.fake = self
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host  # noqa: S104
        self.server_url = f"http://{host}:{server.server_address[1]}"
        self.api_url = self.server_url + self.prefix
        self.state.api, self.state.web = self.api_url, self.server_url
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

    # ---- state helpers for tests --------------------------------------------------------
    def set_permission(self, login: str, perm: str) -> None:
        if perm not in ("admin", "maintain", "write", "triage", "read", "none"):
            raise ValueError(f"unknown permission {perm!r}")
        with self.state.lock:
            self.state.see(login)
            self.state.permissions[login] = perm

    def add_issue(self, title: str, body: str | None = None, user_login: str = "octocat") -> int:
        with self.state.lock:
            self.state.see(user_login)
            return add_issue(self.state, title, body, user_login).number

    def add_comment(
        self, issue_number: int, body: str, user_login: str, user_type: str = "User"
    ) -> int:
        with self.state.lock:
            self.state.see(user_login, user_type)
            return add_comment(
                self.state, self.state.issue(issue_number).number, body, user_login
            ).id

    def add_label(self, issue_number: int, name: str) -> None:
        """The label on the issue, as a person adding it in the web interface would leave it."""
        with self.state.lock:
            labels = self.state.issue(issue_number).labels
            if name not in labels:
                labels.append(name)

    def add_pull(
        self,
        head: str,
        base: str,
        title: str,
        body: str | None = None,
        user_login: str = "octocat",
        head_repo_full_name: str | None = None,
    ) -> int:
        with self.state.lock:
            self.state.see(user_login)
            if head_repo_full_name:
                self.state.see(head_repo_full_name.split("/")[0])
            return add_pull(
                self.state, head, base, title, body, user_login, head_repo_full_name
            ).number

    def protect_branch(self, branch: str, protected: bool = True) -> None:
        """Turn classic branch protection of `branch` on or off."""
        with self.state.lock:
            (self.state.protected.add if protected else self.state.protected.discard)(branch)

    def set_branch_rules(self, branch: str, *rules: dict[str, Any]) -> None:
        """The rules of rulesets that apply to `branch`, each `{"type": ..., "parameters": ...}`
        in the shape of GitHub's `repository-rule-*` schemas."""
        with self.state.lock:
            self.state.rules[branch] = [dict(rule) for rule in rules]

    def require_signatures(self, branch: str) -> None:
        """A ruleset's "Require signed commits" on `branch`: `GET /rules/branches/{branch}`
        reports the `required_signatures` rule, and the git objects (GitRemote.objects, with
        the `github` fixture) refuse commits GitHub did not sign, by the API and by push."""
        with self.state.lock:
            rules = self.state.rules.setdefault(branch, [])
            if {"type": "required_signatures"} not in rules:
                rules.append({"type": "required_signatures"})
            if self.state.git_objects is not None:
                self.state.git_objects.require_signatures(branch)

    def close_pull(self, number: int, *, merged: bool = False, by: str = "octocat") -> None:
        """Close a pull request, as merged by `by` when `merged`."""
        with self.state.lock:
            pull = self.state.issue(number, pull=True)
            set_state(self.state, pull, "closed")
            if merged:
                self.state.see(by)
                pull.merged_at, pull.merged_by = pull.closed_at, by

    @property
    def issues(self) -> list[Issue]:
        """All issues, pull requests included (`is_pull`), as copies."""
        with self.state.lock:
            return copy.deepcopy(list(self.state.issues.values()))

    @property
    def pulls(self) -> list[Issue]:
        return [i for i in self.issues if i.is_pull]

    def comments(self, issue_number: int) -> list[Comment]:
        with self.state.lock:
            return copy.deepcopy(
                [c for c in self.state.comments.values() if c.issue_number == issue_number]
            )

    def reactions(self, comment_id: int) -> list[Reaction]:
        with self.state.lock:
            return copy.deepcopy(self.state.reactions.get(("comment", comment_id), []))

    def issue_reactions(self, issue_number: int) -> list[Reaction]:
        with self.state.lock:
            return copy.deepcopy(self.state.reactions.get(("issue", issue_number), []))

    def review_comment_reactions(self, comment_id: int) -> list[Reaction]:
        with self.state.lock:
            return copy.deepcopy(self.state.reactions.get(("review_comment", comment_id), []))

    def reviews(self, pull_number: int) -> list[Review]:
        with self.state.lock:
            return copy.deepcopy(
                [r for r in self.state.reviews.values() if r.pull_number == pull_number]
            )

    def review_comments(self, pull_number: int) -> list[ReviewComment]:
        with self.state.lock:
            return copy.deepcopy(
                [c for c in self.state.review_comments.values() if c.pull_number == pull_number]
            )

    def add_review_comment(
        self,
        pull_number: int,
        path: str,
        line: int,
        body: str,
        login: str,
        *,
        start_line: int | None = None,
        side: str = "RIGHT",
        review_id: int | None = None,
    ) -> int:
        """A person's comment on `line` (through `line` from `start_line`) of `path` as the
        pull request's diff shows it, in review `review_id` or, like a single comment made in
        the web interface, in a review of its own. ValueError if the diff does not show the
        lines, with GitHub's reason."""
        wanted: dict[str, Any] = {"path": path, "line": line, "side": side}
        if start_line is not None:
            wanted |= {"start_line": start_line, "start_side": side}
        with self.state.lock:
            self.state.see(login)
            pull = self.state.issue(pull_number, pull=True)
            return seed_review_comment(self.state, pull, wanted, body, login, review_id).id

    def add_review(
        self,
        pull_number: int,
        login: str,
        *,
        state: str = "CHANGES_REQUESTED",
        body: str = "",
        comments: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """A person's review, submitted in `state` (COMMENTED, CHANGES_REQUESTED, APPROVED;
        PENDING leaves it unsubmitted, seen by no one else), with a thread for each of
        `comments`: `{"path", "line", "body"}` and optionally `"start_line"` and `"side"`
        (RIGHT unless told), on the pull request's diff. Returns the review's id. ValueError,
        and nothing added, if the diff does not show a comment's lines (with GitHub's reason)
        or GitHub would refuse the review."""
        wanted = []
        for c in comments:
            w: dict[str, Any] = {"side": "RIGHT", **c}
            if w.get("start_line") is not None:
                w.setdefault("start_side", w["side"])
            wanted.append(w)
        with self.state.lock:
            self.state.see(login)
            pull = self.state.issue(pull_number, pull=True)
            return seed_review(self.state, pull, login, body, state, wanted).id

    def add_review_reply(self, comment_id: int, body: str, login: str) -> int:
        """A person's reply in the review thread of `comment_id`, as the web interface posts
        it: in a review of its own, pointing at the thread's first comment."""
        with self.state.lock:
            self.state.see(login)
            replied = self.state.review_comments[comment_id]
            return seed_reply(self.state, replied, body, login).id

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
