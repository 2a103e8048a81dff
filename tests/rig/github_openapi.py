"""GitHub's OpenAPI description as the GitHub fake checks its traffic against it."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

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
from werkzeug.datastructures import Headers

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures/github-rest/api.github.com.subset.json"
# GitHub takes the slashes of a parameter the spec marks `x-multi-segment` (a branch, a ref
# "heads/feature/x") as they are (PyGithub sends "feature/x" so) or encoded: it is the rest of
# the path.
_MULTI_SEGMENT = "x-multi-segment"
SPEC_SERVER = "https://api.github.com"  # the spec's `servers`: requests are checked as if sent here


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


def _has_all_of(node: Any, components: dict[str, Any], seen: set[str]) -> bool:
    """Whether `node`, following its references, uses allOf anywhere."""
    if isinstance(node, list):
        return any(_has_all_of(v, components, seen) for v in node)
    if not isinstance(node, dict):
        return False
    ref = node.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        seen.add(ref)
        _, _, kind, name = ref.split("/")
        if _has_all_of(components[kind][name], components, seen):
            return True
    return "allOf" in node or any(_has_all_of(v, components, seen) for v in node.values())


def _path_pattern(path: str, operation: dict[str, Any], components: dict[str, Any]) -> str:
    multi = set()
    for p in operation.get("parameters", []):
        if "$ref" in p:
            p = components["parameters"][p["$ref"].rsplit("/", 1)[1]]
        if p.get(_MULTI_SEGMENT):
            multi.add(p["name"])
    return "/".join(
        f"(?P<{s[1:-1]}>{'.+' if s[1:-1] in multi else '[^/]+'})"
        if s.startswith("{")
        else re.escape(s)
        for s in path.split("/")
    )


@cache
def spec() -> tuple[OpenAPI, OpenAPI, OpenAPI, tuple[Route, ...]]:
    """(requests, responses, lenient responses) OpenAPI objects and the routes, built once
    per process (~5 ms; checking the spec itself with openapi-spec-validator would add
    ~0.2 s and is left to the tests). Lenient (open schemas) is only for responses under
    `allOf`, which closed schemas cannot express."""
    data = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    routes = []
    for path, item in data["paths"].items():
        for method, o in item.items():
            if isinstance(o, dict) and "operationId" in o:
                rx = _path_pattern(path, o, data["components"])
                statuses = frozenset(int(s) for s in o["responses"] if s.isdigit())
                strict = not _has_all_of(o["responses"], data["components"], set())
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
class SpecRequest:  # openapi_core.protocols.Request
    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters
    host_url: str = SPEC_SERVER


@dataclass
class SpecResponse:  # openapi_core.protocols.Response
    status_code: int
    data: bytes | None
    headers: Headers
    content_type: str


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
