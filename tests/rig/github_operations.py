"""The registry of the GitHub fake's operation handlers, keyed by operationId."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .github_state import GitHubState, Reply

# (state, path parameters, query, JSON body) -> (status, JSON, extra headers); see
# github_handlers.py for what a handler may expect of its arguments.
Handler = Callable[[GitHubState, dict[str, str], dict[str, str], Any], Reply]
HANDLERS: dict[str, Handler] = {}


def op(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register
