"""Which events become requests, decided on GitHub's real payloads."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import EventError
from bot.events import Answer, Batch, FollowUp, NewBranch, Skip, Trigger, find_prompt
from bot.forge import Thread
from bot.trigger_comment import CommentRequest
from bot.trigger_manual import ManualRequest, ScheduledRequest
from bot.triggers import parse_event
from tests.payloads import comment_event, dispatch_event, payload, schedule_event


def parse(event: str, data: dict[str, Any], prompt: str | None = None) -> object:
    return parse_event(event, data, trigger="/codex", configured_prompt=prompt)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/codex fix the typo", "fix the typo"),
        ("Thanks!\n/codex fix the typo\nand add a test", "fix the typo\nand add a test"),
        ("  /codex indented trigger", "indented trigger"),
        ("/codex", ""),
        ("/codex   \n", ""),
        ("please run /codex fix it", None),
        ("> /codex quoted by someone\nsure", None),
        ("```\n/codex inside a fence\n```", None),
        ("~~~\n/codex inside a tilde fence\n~~~\n/codex after it", "after it"),
        ("/codexify the thing", None),
        ("/CODEX shouting", None),
    ],
)
def test_find_prompt(body: str, expected: str | None) -> None:
    assert find_prompt(body, "/codex") == expected


@pytest.mark.parametrize(
    "name",
    [
        "issue_comment.created.1",
        "issue_comment.created.2",
        "issue_comment.created.3",
        "issue_comment.created.4",
    ],
)
def test_github_examples_without_trigger_are_skipped(name: str) -> None:
    result = parse("issue_comment", payload(name))
    assert isinstance(result, Skip)
    assert "/codex" in result.reason


@pytest.mark.parametrize("name", ["issue_comment.edited.7", "issue_comment.deleted.5"])
def test_edited_and_deleted_comments_do_nothing(name: str) -> None:
    event = payload(name)
    event["comment"]["body"] = "/codex do it"
    result = parse("issue_comment", event)
    assert isinstance(result, Skip)
    assert event["action"] in result.reason


def test_comment_on_issue_becomes_request_with_context() -> None:
    result = parse("issue_comment", comment_event("/codex fix the spelling", comment_id=7))
    assert isinstance(result, CommentRequest)
    assert result.trigger is Trigger.ISSUE_COMMENT
    assert result.prompt == "fix the spelling"
    assert result.requester.login == "Codertocat"
    assert result.requester.id == 21031067
    assert result.thread.number == 1
    assert result.comment_id == 7
    assert result.thread.title == "Spelling error in the README file"
    assert not result.thread.is_pull_request
    assert result.default_branch == "main"
    assert result.destination("codex/") == NewBranch("codex/issue-1")
    assert result.context().startswith("Issue #1: Spelling error")


def test_comment_on_pull_request_is_marked() -> None:
    result = parse("issue_comment", comment_event("/codex rename it", on_pull_request=True))
    assert isinstance(result, CommentRequest)
    assert result.thread.is_pull_request
    assert result.destination("codex/") == FollowUp(1)


def test_bare_trigger_asks_for_usage() -> None:
    result = parse("issue_comment", comment_event("/codex"))
    assert isinstance(result, Answer)
    assert result.thread == Thread(1, result.thread.title, result.thread.body)
    assert "Tell me what to change after `/codex`" in result.reply


def test_bot_sender_is_flagged() -> None:
    result = parse("issue_comment", comment_event("/codex x", login="dep[bot]", user_type="Bot"))
    assert isinstance(result, CommentRequest)
    assert result.requester.is_bot


def test_custom_trigger() -> None:
    event = comment_event("@bot please do it")
    result = parse_event("issue_comment", event, trigger="@bot", configured_prompt=None)
    assert isinstance(result, CommentRequest)
    assert result.prompt == "please do it"


def test_manual_run_takes_the_event_input_first() -> None:
    result = parse("workflow_dispatch", dispatch_event("update deps"), prompt="input prompt")
    assert isinstance(result, ManualRequest)
    assert result.trigger is Trigger.WORKFLOW_DISPATCH
    assert result.prompt == "update deps"
    assert result.requester is not None


@pytest.mark.parametrize("name", ["workflow_dispatch.event.0", "workflow_dispatch.event.1"])
def test_manual_run_falls_back_to_prompt_input(name: str) -> None:
    result = parse("workflow_dispatch", payload(name), prompt="from INPUT_PROMPT")
    assert isinstance(result, ManualRequest)
    assert result.prompt == "from INPUT_PROMPT"


def test_manual_run_without_any_prompt_is_skipped() -> None:
    result = parse("workflow_dispatch", dispatch_event(None))
    assert isinstance(result, Skip)
    assert "prompt" in result.reason


def test_schedule_uses_configured_prompt() -> None:
    result = parse("schedule", schedule_event(), prompt="tidy the changelog")
    assert isinstance(result, ScheduledRequest)
    assert result.trigger is Trigger.SCHEDULE
    assert result.requester is None
    assert result.default_branch is None  # the payload does not say; the API will
    assert isinstance(parse("schedule", schedule_event()), Skip)


def test_other_events_are_skipped_with_reason() -> None:
    result = parse("pull_request", payload("pull_request.opened.12"))
    assert isinstance(result, Skip)
    assert "pull_request" in result.reason


def test_malformed_comment_event_is_an_error() -> None:
    with pytest.raises(EventError):
        parse("issue_comment", {"action": "created"})


def test_schedule_with_tasks_is_a_batch_in_order() -> None:
    result = parse_event(
        "schedule",
        schedule_event(),
        trigger="/codex",
        configured_prompt="ignored",
        tasks=[("changelog", "Tidy it."), ("deps", "Bump them.")],
    )
    assert isinstance(result, Batch)
    assert all(isinstance(r, ScheduledRequest) for r in result.requests)
    assert [(getattr(r, "task", None), r.prompt) for r in result.requests] == [
        ("changelog", "Tidy it."),
        ("deps", "Bump them."),
    ]


def test_the_bots_own_comment_is_never_a_request() -> None:
    body = (
        "Tell me what to change after `/codex`:\n/codex example\n<!-- codex-pr-bot status run=1 -->"
    )
    result = parse(
        "issue_comment", comment_event(body, login="github-actions[bot]", user_type="Bot")
    )
    assert isinstance(result, Skip)
    assert "own" in result.reason
