"""PyGithub's errors, as the bot says them: ``GitHubError`` with a hint a maintainer can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from github import GithubException

from bot.errors import GitHubError


def _hint(status: int, message: str) -> str:
    if status == 401:
        return "The token was rejected: check github_token."
    if status == 403 and "rate limit" in message.lower():
        return "GitHub is rate limiting this token; run the job again later."
    if status in (403, 404):
        return (
            "The token lacks a permission: give the workflow 'contents: write', "
            "'issues: write' and 'pull-requests: write' under permissions:."
        )
    if status >= 500:
        return "GitHub had a server error; run the job again."
    return ""


def as_error(exc: GithubException, action: str) -> GitHubError:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc)
    details = "; ".join(
        str(e.get("message")) for e in data.get("errors", []) if isinstance(e, dict)
    )
    text = f"{message} ({details})" if details else message
    return GitHubError(
        f"GitHub refused to {action}: {exc.status} {text}", hint=_hint(exc.status, text)
    )


@contextmanager
def translated(action: str) -> Iterator[None]:
    try:
        yield
    except GithubException as exc:
        raise as_error(exc, action) from None
    except requests.RequestException as exc:  # GitHub not reached at all
        raise GitHubError(f"GitHub could not be reached to {action}: {exc}") from None
