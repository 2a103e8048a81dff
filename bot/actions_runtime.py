"""The GitHub Actions runtime contract: outputs, job summary, masks, annotations.

See https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects a step summary over 1 MiB.
# The legacy command form; the runner looks for it anywhere in a line
# (actions/runner src/Runner.Common/ActionCommand.cs, TryParse).
_LEGACY_PREFIX = "##["


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def inert_lines(text: str, prefix: str) -> str:
    """``text`` with ``prefix`` before every line, so that no line is a workflow command.

    The runner trims a line's leading whitespace and runs it if it then starts with
    ``::``, or if ``##[`` occurs anywhere in it; it splits lines at ``\\n`` and ``\\r``.
    A non-blank prefix defeats the first form, and ``##[`` is broken up everywhere.
    """
    if not prefix.strip() or prefix.lstrip().startswith(("::", _LEGACY_PREFIX)):
        raise ValueError(f"prefix {prefix!r} would not keep a line inert")
    lines = text.replace(_LEGACY_PREFIX, "## [").splitlines() or [""]
    return "\n".join(prefix + line for line in lines)


class InertFormatter(logging.Formatter):
    """Formats a record (message, traceback and all) so that no line of it is a command."""

    def format(self, record: logging.LogRecord) -> str:
        return inert_lines(super().format(record), f"{record.name}: ")


def configure_logging(stream: TextIO | None = None) -> None:
    """The bot's log on stderr: every line of every record starts with the logger's name."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(InertFormatter("%(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


class Runtime:
    """Writes to the files and the log the runner reads. Paths may be absent outside CI."""

    def __init__(
        self,
        *,
        output_path: Path | None,
        summary_path: Path | None,
        stream: TextIO = sys.stdout,
    ) -> None:
        self._output_path = output_path
        self._summary_path = summary_path
        self._stream = stream
        # While set, the runner ignores every command but ``::<token>::``.
        self._stop_token: str | None = None

    def _write(self, text: str) -> None:
        # One write of a short text is one write(2) on a pipe (atomic up to PIPE_BUF),
        # so another writer of the same pipe cannot land inside it.
        sys.stderr.flush()
        self._stream.flush()
        self._stream.write(text)
        self._stream.flush()

    def _commands(self, lines: list[str]) -> None:
        if not lines:
            return
        if self._stop_token is None:
            self._write("".join(line + "\n" for line in lines))
            return
        # Resume, run ours, stop again with a fresh token: a token seen in the log is
        # stale by then. The leading newline ends any unfinished line another writer
        # left on the pipe, which would otherwise swallow the resume.
        fresh = secrets.token_hex(16)
        block = [f"::{self._stop_token}::", *lines, f"::stop-commands::{fresh}"]
        self._write("\n" + "".join(line + "\n" for line in block))
        self._stop_token = fresh

    def stop_commands(self) -> None:
        """From now on no line in the log runs as a workflow command, except the bot's own.

        Call right after the masks: whatever is printed afterwards (file names, error
        messages, the agent's and Codex's output) is only text to the runner.
        """
        if self._stop_token is None:
            self._stop_token = secrets.token_hex(16)
            self._write(f"::stop-commands::{self._stop_token}\n")

    def resume_commands(self) -> None:
        """End the block; the runner's command state outlives this step, so always call it."""
        if self._stop_token is not None:
            token, self._stop_token = self._stop_token, None
            self._write(f"\n::{token}::\n")

    @contextmanager
    def commands_stopped(self) -> Iterator[None]:
        """``stop_commands`` for the duration of the block, resumed on every way out."""
        self.stop_commands()
        try:
            yield
        finally:
            self.resume_commands()

    def mask(self, values: Iterable[str]) -> None:
        """Ask the runner to hide each value from the log; call before printing anything."""
        self._commands(
            [
                f"::add-mask::{line}"
                for value in values
                for line in value.splitlines()
                if line.strip()
            ]
        )

    def error(self, message: str, *, title: str = "codex-pr-bot") -> None:
        self._commands([f"::error title={_escape_property(title)}::{_escape_data(message)}"])

    def warning(self, message: str, *, title: str = "codex-pr-bot") -> None:
        self._commands([f"::warning title={_escape_property(title)}::{_escape_data(message)}"])

    @contextmanager
    def untrusted_output(self) -> Iterator[None]:
        """While open, no line in the log runs as a workflow command.

        Wraps the agent's work: Codex's commands and messages are printed as they
        happen, and a model could write ``::add-mask::`` or worse into them. Inside
        ``commands_stopped`` (action mode) the log is already guarded.
        """
        if self._stop_token is not None:
            try:
                yield
            finally:
                sys.stderr.flush()
                self._stream.flush()
            return
        with self.commands_stopped():
            yield

    def print_untrusted(self, text: str) -> None:
        """Print text from the agent so that no line of it runs as a workflow command."""
        with self.untrusted_output():
            self._stream.write(text.rstrip("\n") + "\n")

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        if self._output_path is None:
            return
        with self._output_path.open("a", encoding="utf-8") as file:
            for name, value in outputs.items():
                delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
                file.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")

    def add_summary(self, markdown: str) -> None:
        if self._summary_path is None:
            return
        encoded = markdown.encode()
        if len(encoded) > SUMMARY_LIMIT:
            cut = encoded[: SUMMARY_LIMIT - 200].decode(errors="ignore")
            markdown = cut + "\n\n…(summary truncated: GitHub allows 1 MiB)\n"
        with self._summary_path.open("a", encoding="utf-8") as file:
            file.write(markdown)
