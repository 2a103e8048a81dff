"""The Codex runner against app-servers that never answer: a call must end, not hang."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.codex_policy import CodexCall, ReplyCall
from bot.codex_runner import CodexFailure, CodexRunner

# The SDK's close() ends the app-server but leaves its stdout and stderr pipes to the
# garbage collector; in this process (not in the server's) that shows as a warning.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning"
)

# Answers `initialize` like `codex app-server`, then reads every other request and
# never answers it.
ANSWERS_ONLY_INITIALIZE = """
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("method") == "initialize":
        result = {"userAgent": "codex_cli_rs/0.0.0", "serverInfo": {"name": "x", "version": "0"}}
        print(json.dumps({"id": message["id"], "result": result}), flush=True)
"""


def fake_codex(tmp_path: Path, body: str) -> str:
    path = tmp_path / "codex"
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return str(path)


def runner(codex_bin: str) -> CodexRunner:
    return CodexRunner(
        env={}, config_overrides=(), turn_timeout=60, answer_timeout=0.5, codex_bin=codex_bin
    )


def timed_failure(attempt: Coroutine[Any, Any, object]) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(CodexFailure) as failure:
        asyncio.run(attempt)
    return str(failure.value), time.perf_counter() - started


def test_an_app_server_that_never_starts_is_reported(tmp_path: Path) -> None:
    codex = runner(fake_codex(tmp_path, "import time\ntime.sleep(60)\n"))

    message, seconds = timed_failure(codex.reply(ReplyCall(thread_id="t", prompt="more")))

    assert message == "Codex could not start: no answer within 0.5 s"
    assert seconds < 3


def test_a_resume_that_never_answers_is_bounded(tmp_path: Path) -> None:
    codex = runner(fake_codex(tmp_path, ANSWERS_ONLY_INITIALIZE))

    message, seconds = timed_failure(codex.reply(ReplyCall(thread_id="t", prompt="more")))

    assert "did not answer within 0.5 s when resuming the thread" in message
    assert seconds < 3


def test_a_thread_start_that_never_answers_is_bounded(tmp_path: Path) -> None:
    codex = runner(fake_codex(tmp_path, ANSWERS_ONLY_INITIALIZE))
    call = CodexCall(prompt="x", cwd=tmp_path, sandbox="read-only", approval_policy="never")

    message, seconds = timed_failure(codex.start(call))

    assert "did not answer within 0.5 s when starting a thread" in message
    assert seconds < 3
