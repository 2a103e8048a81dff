"""The runner's files and workflow commands, as the runner parses them."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.actions_runtime import SUMMARY_LIMIT, Runtime
from tests.action_rig import read_outputs


def test_outputs_survive_newlines_and_delimiter_lookalikes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    Runtime(output_path=out, summary_path=None).set_outputs(
        {"summary": "line one\nEOF\nghadelimiter_x\nline four", "pr_number": "7"}
    )
    assert read_outputs(out) == {
        "summary": "line one\nEOF\nghadelimiter_x\nline four",
        "pr_number": "7",
    }


def test_untrusted_text_cannot_issue_commands() -> None:
    stream = io.StringIO()
    Runtime(output_path=None, summary_path=None, stream=stream).print_untrusted(
        "done\n::add-mask::nothing\n::set-output name=x::y"
    )
    lines = stream.getvalue().splitlines()
    token = re.fullmatch(r"::stop-commands::(\w+)", lines[0])
    assert token is not None
    assert lines[-1] == f"::{token.group(1)}::"
    assert token.group(1) not in "\n".join(lines[1:-1])


def test_masks_and_escaped_annotations() -> None:
    stream = io.StringIO()
    runtime = Runtime(output_path=None, summary_path=None, stream=stream)
    runtime.mask(["sk-abc", "two\nlines"])
    runtime.error("50% failed\nsee log")
    assert stream.getvalue().splitlines() == [
        "::add-mask::sk-abc",
        "::add-mask::two",
        "::add-mask::lines",
        "::error title=codex-pr-bot::50%25 failed%0Asee log",
    ]


def test_summary_is_capped(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    runtime = Runtime(output_path=None, summary_path=summary)
    runtime.add_summary("x" * (SUMMARY_LIMIT + 10))
    assert summary.stat().st_size <= SUMMARY_LIMIT
    assert "truncated" in summary.read_text()
