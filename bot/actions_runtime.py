"""The GitHub Actions runtime contract: outputs, job summary, masks, annotations.

See https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects a step summary over 1 MiB.


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


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

    def _command(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()

    def mask(self, values: Iterable[str]) -> None:
        """Ask the runner to hide each value from the log; call before printing anything."""
        for value in values:
            for line in value.splitlines():
                if line.strip():
                    self._command(f"::add-mask::{line}")

    def error(self, message: str, *, title: str = "codex-pr-bot") -> None:
        self._command(f"::error title={_escape_property(title)}::{_escape_data(message)}")

    @contextmanager
    def untrusted_output(self) -> Iterator[None]:
        """While open, no line in the log runs as a workflow command.

        Wraps the agent's work: Codex's commands and messages are printed as they
        happen, and a model could write ``::add-mask::`` or worse into them.
        """
        token = secrets.token_hex(16)
        self._command(f"::stop-commands::{token}")
        try:
            yield
        finally:
            sys.stderr.flush()
            self._command(f"::{token}::")

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
