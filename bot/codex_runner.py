"""Codex through the official ``openai-codex`` SDK: the only module that imports it.

One ``codex app-server`` per process; each call runs one turn, logs Codex's progress
as readable lines, and is bounded by a deadline. The values that decide Codex's
powers arrive already checked (see ``codex_policy``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from openai_codex import ApprovalMode, AsyncCodex, AsyncTurnHandle, CodexConfig, Sandbox
from openai_codex.errors import CodexError
from openai_codex.generated.v2_all import (
    AgentMessageThreadItem,
    CommandExecutionThreadItem,
    FileChangeThreadItem,
    ItemCompletedNotification,
    ItemStartedNotification,
    PatchApplyStatus,
    ThreadTokenUsageUpdatedNotification,
    TurnCompletedNotification,
    TurnPlanStepStatus,
    TurnPlanUpdatedNotification,
    TurnStatus,
)

from bot import progress_events as events
from bot.codex_policy import CodexCall, ReplyCall
from bot.progress_events import one_line as _line

log = logging.getLogger("codex")

_SANDBOXES = {
    "read-only": Sandbox.read_only,
    "workspace-write": Sandbox.workspace_write,
    "danger-full-access": Sandbox.full_access,
}
_APPROVALS = {"never": ApprovalMode.deny_all, "on-request": ApprovalMode.auto_review}
# What a command prints when the machine, not the code, stopped it: a workspace it may
# not write, or a sandbox that cannot start. Codex reports such a turn as a success.
_ENVIRONMENT_FAILURE = re.compile(
    r"Permission denied|Read-only file system|Operation not permitted|^bwrap: .*",
    re.MULTILINE,
)


T = TypeVar("T")
# Where a turn's progress goes as it happens (the MCP server's caller).
Notify = Callable[[events.Event], Awaitable[None]]
_STEP_STATUS: dict[TurnPlanStepStatus, events.StepStatus] = {
    TurnPlanStepStatus.pending: "pending",
    TurnPlanStepStatus.in_progress: "in_progress",
    TurnPlanStepStatus.completed: "completed",
}


class CodexFailure(RuntimeError):
    """A Codex turn did not complete; the message says why and what to do."""


@dataclass(frozen=True)
class TurnOutcome:
    thread_id: str
    final_message: str
    commands: int
    files_changed: tuple[str, ...]
    input_tokens: int
    output_tokens: int
    environment_errors: tuple[str, ...] = ()


class CodexRunner:
    """Owns the Codex app-server process and runs turns on it."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        config_overrides: Sequence[str],
        turn_timeout: float,
        answer_timeout: float = 30.0,
        codex_bin: str | None = None,
    ) -> None:
        self._config = CodexConfig(
            codex_bin=codex_bin,
            config_overrides=tuple(config_overrides),
            env=dict(env),
        )
        self._turn_timeout = turn_timeout
        # Starting, resuming a thread or a turn takes Codex milliseconds; only a turn
        # itself takes minutes. Past this, something is stuck: say so at once.
        self._answer_timeout = answer_timeout
        self._codex: AsyncCodex | None = None
        self._starting = asyncio.Lock()
        self._start_failure: CodexFailure | None = None

    async def _client(self) -> AsyncCodex:
        async with self._starting:
            if self._start_failure is not None:
                # A second try only fails with a broken pipe; repeat the real reason.
                raise self._start_failure
            if self._codex is None:
                codex = AsyncCodex(config=self._config)
                try:
                    async with asyncio.timeout(self._answer_timeout):
                        await codex.__aenter__()
                except (CodexError, OSError, TimeoutError) as exc:
                    await codex.close()
                    reason = str(exc) or f"no answer within {self._answer_timeout:g} s"
                    self._start_failure = CodexFailure(f"Codex could not start: {reason}")
                    raise self._start_failure from exc
                self._codex = codex
            return self._codex

    async def warm_up(self) -> None:
        """Start the app-server now, while the caller's model thinks about its first call."""
        try:
            await self._client()
        except CodexFailure as exc:
            log.warning("%s", exc)  # the first tool call reports it to the caller

    async def close(self) -> None:
        """Stop the app-server; this also ends any command Codex still runs."""
        if self._codex is not None:
            codex, self._codex = self._codex, None
            await codex.close()

    async def start(self, call: CodexCall, notify: Notify | None = None) -> TurnOutcome:
        codex = await self._client()
        try:
            thread = await self._answer(
                "starting a thread",
                codex.thread_start(
                    cwd=str(call.cwd),
                    sandbox=_SANDBOXES[call.sandbox],
                    approval_mode=_APPROVALS[call.approval_policy],
                    model=call.model,
                    config=_json_object(call.config) or None,
                    base_instructions=call.base_instructions,
                    developer_instructions=call.developer_instructions,
                ),
            )
            log.info("thread %s started in %s (sandbox %s)", thread.id, call.cwd, call.sandbox)
            turn = await self._answer("starting a turn", thread.turn(call.prompt))
            return await self._run(thread.id, turn, notify)
        except CodexError as exc:
            raise CodexFailure(f"Codex refused the request: {exc}") from exc

    async def reply(self, call: ReplyCall, notify: Notify | None = None) -> TurnOutcome:
        codex = await self._client()
        approval = _APPROVALS[call.approval_policy] if call.approval_policy else None
        try:
            # Resuming works for threads of this process and for rollout files
            # another process left in CODEX_HOME/sessions.
            thread = await self._answer(
                "resuming the thread",
                codex.thread_resume(
                    call.thread_id,
                    cwd=str(call.cwd) if call.cwd else None,
                    sandbox=_SANDBOXES[call.sandbox] if call.sandbox else None,
                    approval_mode=approval,
                ),
            )
            turn = await self._answer("starting a turn", thread.turn(call.prompt))
            return await self._run(thread.id, turn, notify)
        except CodexError as exc:
            raise CodexFailure(
                f"Codex could not continue thread {call.thread_id}: {exc}. "
                "Start a new session with the 'codex' tool."
            ) from exc

    async def _answer(self, step: str, request: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._answer_timeout):
                return await request
        except TimeoutError:
            await self.close()  # the next call starts a fresh app-server
            raise CodexFailure(
                f"Codex did not answer within {self._answer_timeout:g} s when {step}, "
                "and was stopped. Try again; if it persists, check Codex's configuration."
            ) from None

    async def _run(
        self, thread_id: str, turn: AsyncTurnHandle, notify: Notify | None
    ) -> TurnOutcome:
        progress = _Progress()
        try:
            async with asyncio.timeout(self._turn_timeout):
                async for event in turn.stream():
                    for news in progress.observe(event.payload):
                        if notify is not None:
                            await notify(news)
                    if progress.completed is not None:
                        break
        except TimeoutError:
            log.warning("turn exceeded %.0f s; stopping Codex", self._turn_timeout)
            try:
                await asyncio.wait_for(turn.interrupt(), 5)
            finally:
                await self.close()
            raise CodexFailure(
                f"Codex did not finish within {self._turn_timeout:.0f} s and was stopped. "
                "Split the task or raise the timeout."
            ) from None
        return progress.outcome(thread_id)


class _Progress:
    """Folds a turn's notifications into log lines and a result."""

    def __init__(self) -> None:
        self.commands = 0
        self.files: dict[str, None] = {}
        self.final = ""
        self.input_tokens = 0
        self.output_tokens = 0
        self.environment_errors: list[str] = []
        self.completed: TurnCompletedNotification | None = None
        self._news: list[events.Event] = []

    def observe(self, payload: Any) -> list[events.Event]:
        """Takes in one notification; returns what the caller should hear of it now."""
        if isinstance(payload, ItemCompletedNotification):
            item = getattr(payload.item, "root", payload.item)
            if isinstance(item, CommandExecutionThreadItem):
                self.commands += 1
                self._news.append(events.CommandFinished(item.command, item.exit_code))
                log.info("ran: %s (exit %s)", _line(item.command, 160), item.exit_code)
                if item.exit_code not in (0, None) and item.aggregated_output:
                    log.info("  output ends: %s", _line(item.aggregated_output[-300:], 300))
                failure = _ENVIRONMENT_FAILURE.search(item.aggregated_output or "")
                if item.exit_code not in (0, None) and failure:
                    self.environment_errors.append(
                        f"`{_line(item.command, 60)}`: {_line(failure.group(0), 120)}"
                    )
            elif isinstance(item, FileChangeThreadItem):
                if item.status == PatchApplyStatus.failed:
                    paths = ", ".join(change.path for change in item.changes)
                    self.environment_errors.append(f"an edit of {_line(paths, 120)} failed")
                for change in item.changes:
                    self.files[change.path] = None
                    self._news.append(events.FileChanged(change.path))
                    log.info("edited: %s", change.path)
            elif isinstance(item, AgentMessageThreadItem):
                self.final = item.text
        elif isinstance(payload, ItemStartedNotification):
            item = getattr(payload.item, "root", payload.item)
            if isinstance(item, CommandExecutionThreadItem):
                self._news.append(events.CommandStarted(item.command))
        elif isinstance(payload, TurnPlanUpdatedNotification):
            steps = (events.PlanStep(s.step, _STEP_STATUS[s.status]) for s in payload.plan)
            self._news.append(events.PlanUpdated(tuple(steps)))
        elif isinstance(payload, ThreadTokenUsageUpdatedNotification):
            # `total` counts the whole thread (earlier turns, earlier runs); this turn
            # costs the sum of each model request's own usage.
            last = payload.token_usage.last
            self.input_tokens += last.input_tokens
            self.output_tokens += last.output_tokens
        elif isinstance(payload, TurnCompletedNotification):
            self.completed = payload
        news, self._news = self._news, []
        return news

    def outcome(self, thread_id: str) -> TurnOutcome:
        turn = self.completed.turn if self.completed else None
        if turn is None or turn.status != TurnStatus.completed:
            status = turn.status.value if turn else "unknown"
            reason = turn.error.message if turn and turn.error else "no reason given"
            raise CodexFailure(f"Codex's turn ended {status}: {reason}")
        log.info(
            "turn completed: %d command(s), %d file(s) edited, %d/%d tokens in/out",
            self.commands,
            len(self.files),
            self.input_tokens,
            self.output_tokens,
        )
        return TurnOutcome(
            thread_id=thread_id,
            final_message=self.final,
            commands=self.commands,
            files_changed=tuple(self.files),
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            environment_errors=tuple(self.environment_errors),
        )


def _json_object(config: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in config.items()}
