"""The bot's errors: each knows its exit code and what the user should do."""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot reports to a person."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ConfigError(BotError):
    """A setting or the runner's environment is missing or wrong; nothing was done."""

    exit_code = 2


class EventError(BotError):
    """The event file is missing or malformed; nothing was done."""

    exit_code = 2


class GitError(BotError):
    """A git command failed; the message carries git's stderr with secrets redacted."""


class BranchMoved(GitError):
    """The remote branch moved on while the bot worked: the push was not a fast-forward."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message, hint="The branch moved on the remote while the bot worked; run again."
        )


class GitHubError(BotError):
    """A GitHub API call failed."""


class PullRequestsNotAllowed(GitHubError):
    """The repository or its organisation does not let this token open pull requests."""


class AgentError(BotError):
    """The agent or Codex failed to produce a result."""


class UnsafeChange(BotError):
    """The change contains something that must not be pushed."""
