"""The GitHub fake's REST API without its HTTP server: record, route to the repository the
path names, check and answer."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .github_actions import LOG_PREFIX
from .github_actions_handlers import serve_log
from .github_handlers import HANDLERS
from .github_openapi import Route, SpecRequest, SpecResponse, describe, spec
from .github_state import DOCS, GitHubState, HTTPError

# Statuses GitHub sends on any operation although the spec lists them only on some.
UNDOCUMENTED_OK = frozenset({401, 403, 404, 429, 500, 502, 503, 504})
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes "
    "before you try again. If you reach out to GitHub Support for help, "
    "please include the request ID FAKE:1."
)


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
    # owner/name of the repository the path names (as the fake spells it when it serves
    # that repository); "" for a path without one (/user, /rate_limit)
    repository: str = ""


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int
    repository: str | None  # only requests for this repository (lowercase); None: any

    def matches(self, rec: Recorded) -> bool:
        return (
            self.method == rec.method
            and bool(self.pattern.search(rec.path))
            and self.repository in (None, rec.repository.lower())
        )


def _error(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "documentation_url": DOCS, "status": str(status)}


def _token(header: str | None) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") else None


_REPO_PATH = re.compile(r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)")


class RestApi:
    """Answers requests for `state` and the repositories added to it (`repositories`) under
    `prefix`, recording each one and every way a request or an answer strays from the spec.
    The repository is the one the path names (404 for one never added, as GitHub answers for a
    repository the token cannot see); `state`, the first, also answers the paths without one.
    All of them share `state.lock`."""

    def __init__(self, state: GitHubState, *, token: str, prefix: str) -> None:
        self.state, self.token, self.prefix = state, token, prefix
        self.repositories: dict[str, GitHubState] = {state.full_name.lower(): state}
        self.requests: list[Recorded] = []
        self.validation_errors: list[str] = []
        self.validation_seconds, self.validations = 0.0, 0  # time spent in openapi-core
        self._faults: list[_Fault] = []
        self.api_url = ""  # set by the server once it has a port

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        times: int = 1,
        *,
        repository: str | None = None,
    ) -> None:
        """Answer the next `times` requests whose path (no prefix, no query) matches
        `path_regex` (re.search), for `repository` (owner/name) if given, with this status
        instead of handling them."""
        if body is None:
            body = _error(status, SECONDARY_RATE_LIMIT if status in (403, 429) else "Fake error")
        scope = repository.lower() if repository is not None else None
        with self.state.lock:
            self._faults.append(
                _Fault(
                    method.upper(),
                    re.compile(path_regex),
                    status,
                    dict(headers or {}),
                    body,
                    times,
                    scope,
                )
            )

    def served(self, full_name: str) -> GitHubState | None:
        """The state of repository `full_name` (any case), None if it is not served."""
        return self.repositories.get(full_name.lower())

    # ---- one request --------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: Headers, raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        if url.path.startswith(LOG_PREFIX):  # blob storage, not the API: nothing to check
            with self.state.lock:
                name = url.path.removeprefix(LOG_PREFIX)
                holder = (s for s in self.repositories.values() if name in s.actions.links)
                return serve_log(next(holder, self.state), url.path, url.query, headers)
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
        spec_path = raw_path[len(self.prefix) :]
        named = _REPO_PATH.match(rec.path)
        if named is not None:
            full_name = f"{named['owner']}/{named['repo']}"
            st = self.served(full_name)
            rec.repository = st.full_name if st is not None else full_name
        # Matched before unquoting: a branch "feature/x" may come as "feature%2Fx" or as
        # it is (PyGithub), and either way is one path parameter; openapi-core finds the
        # path only with it encoded.
        for r in routes:
            m = r.pattern.match(spec_path)
            if r.method == rec.method and m:
                params = {k: unquote(v) for k, v in m.groupdict().items()}
                route, rec.operation = r, r.operation
                for name in sorted(params, key=m.start, reverse=True):
                    value = quote(params[name], safe="")
                    spec_path = spec_path[: m.start(name)] + value + spec_path[m.end(name) :]
                break
        if route is None:
            self.validation_errors.append(
                f"{rec.method} {rec.path}: no such operation in the OpenAPI subset"
            )
        fault = next((f for f in self._faults if f.matches(rec)), None)
        # Answers given before the request is checked are checked against the path only.
        bare = SpecRequest(
            rec.method.lower(), spec_path, None, "application/json", RequestParameters()
        )
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            rec.injected = True
            return self._reply(rec, route, bare, fault.status, fault.body, fault.headers)
        if rec.token != self.token:  # GitHub would serve some reads anonymously: not here
            message = "Requires authentication" if rec.token is None else "Bad credentials"
            return self._reply(rec, route, bare, 401, _error(401, message), extra)
        if route is None:
            return self._reply(rec, None, None, 404, _error(404, "Not Found"), extra)
        request = SpecRequest(
            rec.method.lower(),
            spec_path,
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
            st = self.served(f"{params['owner']}/{params['repo']}") if "owner" in params else None
            if st is None and "owner" in params:
                raise HTTPError(404, "Not Found")
            status, data, extra = HANDLERS[route.operation](
                st or self.state, params, rec.query, rec.body
            )
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
        request: SpecRequest | None,
        status: int,
        data: Any,
        extra: Mapping[str, str],
    ) -> tuple[int, dict[str, str], bytes]:
        body = b"" if data is None else json.dumps(data).encode()  # None: no body (a 302)
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
        if (
            route is not None
            and request is not None
            and (status in route.statuses or status not in UNDOCUMENTED_OK)
        ):
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
        request: SpecRequest,
        status: int,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        response = SpecResponse(
            status, body, Headers(list(headers.items())), headers["Content-Type"]
        )
        _, strict, lenient, _ = spec()
        api = strict if route.strict else lenient
        errors = self._timed(lambda: list(api.iter_response_errors(request, response)))
        if errors:
            self.validation_errors.append(
                f"{rec.method} {rec.path} ({route.operation}) response {status}"
                f"{' (fail_next)' if rec.injected else ' (bug in the fake)'}: "
                + "; ".join(describe(e) for e in errors)
            )
