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
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

if not __package__:  # run as a script: import the sibling modules as package "tests.rig"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.rig"

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.schemas import (
    oas30_read_schema_validators_factory,
    oas30_write_schema_validators_factory,
)
from openapi_core.validation.schemas._validators import (
    build_forbid_unspecified_additional_properties_validator,
)
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .github_handlers import HANDLERS, add_comment, add_issue, add_pull
from .github_state import DOCS, Comment, GitHubState, HTTPError, Issue, Reaction, fake_sha

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures/github-rest/api.github.com.subset.json"
SPEC_SERVER = "https://api.github.com"  # the spec's `servers`: requests are checked as if sent here
# Statuses GitHub sends on any operation although the spec lists them only on some.
UNDOCUMENTED_OK = frozenset({401, 403, 404, 429, 500, 502, 503, 504})
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes "
    "before you try again. If you reach out to GitHub Support for help, "
    "please include the request ID FAKE:1."
)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation: str
    statuses: frozenset[int]
    strict: bool  # responses checked with additionalProperties forbidden (not under allOf)


class _ClosedSchemas(SchemaValidatorsFactory):
    """Validators that treat every schema without `additionalProperties` as closed, so a
    misspelt request field is an error (GitHub would silently ignore it) and the fake cannot
    send undocumented fields. Same rule as openapi-core's
    `additional_properties_default_policy="forbid"`, but that rebuilds the validator class
    and copies the format checker on every call (+1 ms); here both are built once."""

    def __init__(self, base: SchemaValidatorsFactory) -> None:
        checker = copy.deepcopy(base.format_checker)
        checker.checks("timestamp")(lambda v: isinstance(v, int))  # GitHub's own format
        super().__init__(
            build_forbid_unspecified_additional_properties_validator(base.schema_validator_cls),
            checker,
        )

    def get_format_checker(
        self, format_validators: Any = None, extra_format_validators: Any = None
    ) -> Any:
        return self.format_checker


@cache
def spec() -> tuple[OpenAPI, OpenAPI, OpenAPI, tuple[Route, ...]]:
    """(requests, responses, lenient responses) OpenAPI objects and the routes, built once
    per process (~5 ms; checking the spec itself with openapi-spec-validator would add
    ~0.2 s and is left to the tests). Lenient (open schemas) is only for responses under
    `allOf`, which closed schemas cannot express."""
    data = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    routes = []
    for path, item in data["paths"].items():
        rx = "/".join(
            f"(?P<{s[1:-1]}>[^/]+)" if s.startswith("{") else re.escape(s) for s in path.split("/")
        )
        for method, o in item.items():
            if isinstance(o, dict) and "operationId" in o:
                statuses = frozenset(int(s) for s in o["responses"] if s.isdigit())
                strict = '"allOf"' not in json.dumps(o["responses"])
                routes.append(
                    Route(method.upper(), re.compile(rx + "$"), o["operationId"], statuses, strict)
                )
    routes.sort(key=lambda r: r.pattern.pattern.count("(?P"))  # literal segments first
    apis = [
        OpenAPI.from_dict(
            data, config=Config(spec_validator_cls=None, schema_validators_factory=factory)
        )
        for factory in (
            _ClosedSchemas(oas30_write_schema_validators_factory),
            _ClosedSchemas(oas30_read_schema_validators_factory),
            None,
        )
    ]
    return apis[0], apis[1], apis[2], tuple(routes)


@dataclass
class _Request:  # openapi_core.protocols.Request
    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters
    host_url: str = SPEC_SERVER


@dataclass
class _Response:  # openapi_core.protocols.Response
    status_code: int
    data: bytes | None
    headers: Headers
    content_type: str


@dataclass
class Recorded:
    method: str
    path: str  # without the API prefix and the query
    query: dict[str, str]
    status: int
    body: Any  # the JSON the client sent, None without a body
    response: Any  # the JSON the fake answered
    token: str | None  # the token in the Authorization header, whether right or wrong
    operation: str | None  # operationId, None when the path is not in the spec subset
    time: float
    injected: bool = False  # answered by fail_next()


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int


def describe(err: Exception) -> str:
    """One readable line per schema error of an openapi-core error."""
    cause = err.__cause__
    found = list(getattr(cause, "schema_errors", None) or [])
    if not found:
        return f"{type(err).__name__}: {err}" + (f" ({cause})" if cause else "")
    where = str(err).split(" not valid", 1)[0].split(": Value", 1)[0]
    parts = []
    for e in found:
        context = getattr(e, "context", None) or []
        why = f" [{'; '.join(c.message[:120] for c in context[:3])}]" if context else ""
        at = "/".join(map(str, e.absolute_path)) or "<root>"
        parts.append(f"{at}: {e.message[:200]}{why}")
    return f"{type(err).__name__} ({where}): " + " | ".join(parts)


def _error(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "documentation_url": DOCS, "status": str(status)}


def _token(header: str | None) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") else None


class GitHubFake:
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
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/api/v3",
    ) -> None:
        self.token, self.host, self.port, self.prefix = token, host, port, prefix.rstrip("/")
        self.state = GitHubState(
            owner=owner,
            repo=repo,
            default_branch=default_branch,
            app_login=app_login,
            private=private,
            branch_sha=branch_sha or fake_sha,
            commits_between=commits_between or (lambda base, head: 1),
        )
        self.requests: list[Recorded] = []
        self.validation_errors: list[str] = []
        self.validation_seconds, self.validations = 0.0, 0  # time spent in openapi-core
        self._faults: list[_Fault] = []
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

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests whose path (no prefix, no query) matches
        `path_regex` (re.search) with this status instead of handling them."""
        if body is None:
            body = _error(status, SECONDARY_RATE_LIMIT if status in (403, 429) else "Fake error")
        with self.state.lock:
            self._faults.append(
                _Fault(
                    method.upper(), re.compile(path_regex), status, dict(headers or {}), body, times
                )
            )

    def snapshot(self) -> dict[str, Any]:
        with self.state.lock:
            return {
                "issues": [asdict(i) for i in self.state.issues.values()],
                "comments": [asdict(c) for c in self.state.comments.values()],
                "reactions": {
                    f"{k}:{n}": [asdict(r) for r in v] for (k, n), v in self.state.reactions.items()
                },
                "permissions": dict(self.state.permissions),
                "requests": [asdict(r) for r in self.requests],
                "validation_errors": list(self.validation_errors),
            }

    # ---- one request --------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: Headers, raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        path = unquote(url.path)
        rec = Recorded(
            method,
            path,
            query,
            0,
            None,
            None,
            _token(headers.get("Authorization")),
            None,
            time.time(),
        )
        with self.state.lock:
            self.requests.append(rec)
            return self._handle(rec, url.path, url.query, headers, raw)

    def _handle(
        self, rec: Recorded, raw_path: str, raw_query: str, headers: Headers, raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        api, _, _, routes = spec()
        extra: dict[str, str] = {}
        route, params, request = None, {}, None
        try:
            rec.body = json.loads(raw) if raw else None
        except ValueError:
            return self._reply(rec, None, None, 400, _error(400, "Problems parsing JSON"), extra)
        if not raw_path.startswith(self.prefix + "/"):
            self.validation_errors.append(f"{rec.method} {rec.path}: outside {self.api_url}")
            return self._reply(rec, None, None, 404, _error(404, "Not Found"), extra)
        rec.path = rec.path[len(self.prefix) :]
        for r in routes:
            m = r.pattern.match(rec.path)
            if r.method == rec.method and m:
                route, params, rec.operation = r, m.groupdict(), r.operation
                break
        if route is None:
            self.validation_errors.append(
                f"{rec.method} {rec.path}: no such operation in the OpenAPI subset"
            )
        fault = next(
            (f for f in self._faults if f.method == rec.method and f.pattern.search(rec.path)), None
        )
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            rec.injected = True
            return self._reply(rec, route, None, fault.status, fault.body, fault.headers)
        if rec.token != self.token:  # GitHub would serve some reads anonymously: not here
            message = "Requires authentication" if rec.token is None else "Bad credentials"
            return self._reply(rec, route, None, 401, _error(401, message), extra)
        if route is None:
            return self._reply(rec, None, None, 404, _error(404, "Not Found"), extra)
        request = _Request(
            rec.method.lower(),
            raw_path[len(self.prefix) :],
            raw or None,
            (headers.get("Content-Type") or "application/json").lower(),
            RequestParameters(query=ImmutableMultiDict(parse_qsl(raw_query)), header=headers),
        )
        errors = self._timed(lambda: list(api.iter_request_errors(request)))
        if errors:
            text = "; ".join(describe(e) for e in errors)
            self.validation_errors.append(
                f"{rec.method} {rec.path} ({route.operation}) request: {text}"
            )
            body = {"message": f"Invalid request.\n\n{text}", "documentation_url": DOCS}
            return self._reply(rec, None, None, 422, body, extra)  # already reported
        try:
            if "owner" in params and (params["owner"].lower(), params["repo"].lower()) != (
                self.state.owner.lower(),
                self.state.repo.lower(),
            ):
                raise HTTPError(404, "Not Found")
            status, data, extra = HANDLERS[route.operation](self.state, params, rec.query, rec.body)
        except HTTPError as e:
            status, data = e.status, e.body
        except Exception as e:  # a bug in the fake: answer like GitHub's 500 and say so
            self.validation_errors.append(f"{rec.method} {rec.path}: fake crashed: {e!r}")
            status, data = 500, _error(500, "Server Error")
        return self._reply(rec, route, request, status, data, extra)

    def _reply(
        self,
        rec: Recorded,
        route: Route | None,
        request: _Request | None,
        status: int,
        data: Any,
        extra: Mapping[str, str],
    ) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(data).encode()
        used = len(self.requests)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": f"FAKE:{used}",
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(max(0, 5000 - used)),
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
            **extra,
        }
        rec.status, rec.response = status, data
        if route is not None and (status in route.statuses or status not in UNDOCUMENTED_OK):
            self._check_response(rec, route, request, status, body, headers)
        return status, headers, body

    def _timed(self, check: Callable[[], list[Exception]]) -> list[Exception]:
        started = time.perf_counter()
        try:
            return check()
        finally:
            self.validation_seconds += time.perf_counter() - started
            self.validations += 1

    def _check_response(
        self,
        rec: Recorded,
        route: Route,
        request: _Request | None,
        status: int,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        if request is None:  # answered before request validation: check against the path only
            request = _Request(
                rec.method.lower(), rec.path, None, "application/json", RequestParameters()
            )
        response = _Response(status, body, Headers(list(headers.items())), headers["Content-Type"])
        _, strict, lenient, _ = spec()
        api = strict if route.strict else lenient
        errors = self._timed(lambda: list(api.iter_response_errors(request, response)))
        if errors:
            self.validation_errors.append(
                f"{rec.method} {rec.path} ({route.operation}) response {status}"
                f"{' (fail_next)' if rec.injected else ' (bug in the fake)'}: "
                + "; ".join(describe(e) for e in errors)
            )


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
        "comments [{issue, body, user, user_type}]",
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
