"""The trigger registry: which trigger claims an event, and who may use each one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.authz import trusted
from bot.events import Answer, FollowUp, NewBranch, Parsed, Person, PlanReply, Skip, Trigger
from bot.forge import Access, Thread
from bot.messages import OWN_COMMENT_MARK
from bot.plan_requests import GoRequest, PlanRequest
from bot.review_requests import ReviewRequest
from bot.trigger_base import EventInputs, TriggerSpec
from bot.trigger_comment import CommentRequest
from bot.trigger_label import LabelRequest
from bot.trigger_review import ADDRESS_ALL, ChangesRequest, triggers_itself
from bot.trigger_review_comment import ReviewCommentRequest
from bot.triggers import REGISTRY, Registry, parse_event
from tests.payloads import comment_event, label_event, payload, review_comment_event, review_event

reader = Person("octocat", 1)
writer = Person("hubot", 2)
PERMISSIONS = {"octocat": Access.READ, "hubot": Access.WRITE}


class Permissions:
    """Answers like the collaborator-permission API and counts the questions."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, person: Person) -> Access:
        self.asked.append(person.login)
        return PERMISSIONS.get(person.login, Access.NONE)


def _new_request(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    return LabelRequest("anything", requester=reader, thread=Thread(1), label="x")


def test_a_trigger_that_says_nothing_about_trust_needs_a_writer() -> None:
    newcomer = Registry(TriggerSpec(Trigger.ISSUE_LABELED, "issues", _new_request))
    permissions = Permissions()
    refused = newcomer.authorize(Trigger.ISSUE_LABELED, reader, permissions, ())
    assert not refused.allowed
    assert "write access" in refused.reason
    assert newcomer.authorize(Trigger.ISSUE_LABELED, writer, permissions, ()).allowed
    # Without a sender no one vouches for the event: refused too.
    assert not newcomer.authorize(Trigger.ISSUE_LABELED, None, permissions, ()).allowed
    assert permissions.asked == ["octocat", "hubot"]


def test_trusted_must_be_said_and_then_asks_no_permission() -> None:
    manual = Registry(TriggerSpec(Trigger.SCHEDULE, "schedule", _new_request, trust=trusted))
    permissions = Permissions()
    assert manual.authorize(Trigger.SCHEDULE, reader, permissions, ()).allowed
    assert permissions.asked == []


@pytest.mark.parametrize(
    ("kind", "trusts_readers"),
    [
        (Trigger.ISSUE_COMMENT, False),
        (Trigger.ISSUE_LABELED, False),
        (Trigger.WORKFLOW_DISPATCH, True),
        (Trigger.SCHEDULE, True),
    ],
)
def test_only_manual_and_scheduled_runs_are_trusted(kind: Trigger, trusts_readers: bool) -> None:
    decision = REGISTRY.authorize(kind, reader, Permissions(), ())
    assert decision.allowed is trusts_readers


def test_the_allow_list_admits_a_reader() -> None:
    assert REGISTRY.authorize(Trigger.ISSUE_LABELED, reader, Permissions(), ("octocat",)).allowed


def test_a_trigger_may_declare_its_own_rule() -> None:
    from bot.authz import Decision

    def only_hubot(person: Person | None, permission_of: Any, allowed: Any) -> Decision:
        return Decision(person == writer, "only hubot")

    own = Registry(TriggerSpec(Trigger.ISSUE_LABELED, "issues", _new_request, trust=only_hubot))
    assert own.authorize(Trigger.ISSUE_LABELED, writer, Permissions(), ()).allowed
    assert not own.authorize(Trigger.ISSUE_LABELED, reader, Permissions(), ()).allowed


def test_two_triggers_cannot_claim_one_event() -> None:
    spec = TriggerSpec(Trigger.ISSUE_LABELED, "issues", _new_request)
    with pytest.raises(ValueError, match="same event"):
        Registry(spec, spec)


def test_an_event_no_trigger_claims_is_skipped_in_one_line() -> None:
    parsed = parse_event("pull_request", payload("pull_request.opened.12"), **_settings())
    assert isinstance(parsed, Skip)
    assert "'pull_request' event is not handled" in parsed.reason
    assert "\n" not in parsed.reason


def _settings() -> dict[str, Any]:
    return {"trigger": "/codex", "configured_prompt": None}


def test_reserved_words_are_subcommands_not_prompts() -> None:
    parsed = parse_event("issue_comment", comment_event("/codex fix-ci the docs"), **_settings())
    assert isinstance(parsed, Answer)
    assert "`/codex fix-ci` works in a pull request" in parsed.reply
    assert parsed.trigger is Trigger.ISSUE_COMMENT


def test_review_is_a_request_on_a_pull_request_and_explained_on_an_issue() -> None:
    on_pull = comment_event("/codex review the error handling", on_pull_request=True)
    parsed = parse_event("issue_comment", on_pull, **_settings())
    assert isinstance(parsed, ReviewRequest)
    assert parsed.prompt == "the error handling"
    bare = parse_event(
        "issue_comment", comment_event("/codex review", on_pull_request=True), **_settings()
    )
    assert isinstance(bare, ReviewRequest)
    assert bare.prompt == "Review this pull request."
    on_issue = parse_event("issue_comment", comment_event("/codex review it"), **_settings())
    assert isinstance(on_issue, Answer)
    assert "reviews a pull request: comment it on one" in on_issue.reply


def test_plan_and_go_are_requests_of_their_own() -> None:
    plan = parse_event("issue_comment", comment_event("/codex plan add a flag"), **_settings())
    assert isinstance(plan, PlanRequest)
    assert plan.prompt == "add a flag"
    assert plan.destination("codex/") == PlanReply()
    go = parse_event("issue_comment", comment_event("/codex go in Rust"), **_settings())
    assert isinstance(go, GoRequest)
    assert go.prompt == "in Rust"
    bare = parse_event("issue_comment", comment_event("/codex plan"), **_settings())
    assert isinstance(bare, Answer)
    assert "/codex plan add a --verbose flag" in bare.reply


def test_double_dash_forces_a_prompt() -> None:
    parsed = parse_event("issue_comment", comment_event("/codex -- review the docs"), **_settings())
    assert isinstance(parsed, CommentRequest)
    assert parsed.prompt == "review the docs"
    bare = parse_event("issue_comment", comment_event("/codex --"), **_settings())
    assert isinstance(bare, Answer)
    assert bare.summary == "Empty request: replied with usage."


def test_a_word_that_only_starts_like_a_subcommand_is_a_prompt() -> None:
    parsed = parse_event("issue_comment", comment_event("/codex reviewed docs: fix"), **_settings())
    assert isinstance(parsed, CommentRequest)
    assert parsed.prompt == "reviewed docs: fix"


def test_the_trigger_label_on_an_issue_is_a_request_from_the_labeller() -> None:
    parsed = parse_event("issues", label_event(login="hubot"), **_settings())
    assert isinstance(parsed, LabelRequest)
    assert parsed.trigger is Trigger.ISSUE_LABELED
    assert parsed.thread.number == 1
    assert parsed.prompt.startswith("Spelling error in the README file\n\n")
    assert "accidently" in parsed.prompt
    assert parsed.requester == Person("hubot", 21031067)
    assert parsed.label == "codex"
    assert parsed.default_branch == "main"
    assert "add the label `codex` again" in parsed.retry_hint()


def test_githubs_own_example_labels_bug_which_is_not_the_trigger() -> None:
    parsed = parse_event("issues", payload("issues.labeled.9"), **_settings())
    assert isinstance(parsed, Skip)
    assert "'bug'" in parsed.reason


def test_the_trigger_label_is_a_setting() -> None:
    parsed = parse_event("issues", label_event("agent"), trigger_label="agent", **_settings())
    assert isinstance(parsed, LabelRequest)
    assert parsed.label == "agent"


@pytest.mark.parametrize(
    "event",
    [
        label_event(action="unlabeled"),
        label_event(action="opened"),
        label_event(on_pull_request=True),
    ],
)
def test_other_issue_events_and_pull_requests_are_skipped(event: dict[str, Any]) -> None:
    assert isinstance(parse_event("issues", event, **_settings()), Skip)


def test_each_trigger_names_its_branch_and_context() -> None:
    label = parse_event("issues", label_event(), **_settings())
    assert isinstance(label, LabelRequest)
    assert label.destination("codex/") == NewBranch("codex/issue-1")
    assert label.context() == ""  # the issue is the request itself
    comment = parse_event("issue_comment", comment_event("/codex fix it"), **_settings())
    assert isinstance(comment, CommentRequest)
    assert comment.context().startswith("Issue #")
    assert comment.retry_hint() == "comment again to retry"


@pytest.mark.parametrize("action", ["edited", "deleted"])
def test_an_action_no_trigger_answers_is_skipped_in_one_line(action: str) -> None:
    parsed = parse_event("issue_comment", comment_event("/codex x", action=action), **_settings())
    assert isinstance(parsed, Skip)
    assert f"action '{action}' is not handled; only created" in parsed.reason


def test_a_reply_in_a_review_thread_is_a_request_about_its_lines() -> None:
    event = review_comment_event(
        "Looks odd.\n/codex use a constant here", pull_number=4, comment_id=77, in_reply_to=70,
        path="src/app.py", line=9, start_line=7, diff_hunk="@@ -5,3 +5,5 @@\n+x = 3",
    )  # fmt: skip
    parsed = parse_event("pull_request_review_comment", event, **_settings())
    assert isinstance(parsed, ReviewCommentRequest)
    assert parsed.prompt == "use a constant here"
    assert parsed.thread.number == 4
    assert parsed.thread.review_comment == 70  # replies go to the thread's first comment
    assert parsed.comment_id == 77
    assert "src/app.py, line(s) 7-9" in parsed.context()
    assert "+x = 3" in parsed.context()
    assert parsed.destination("codex/") == FollowUp(4)


def test_the_first_comment_of_a_thread_is_its_own_thread() -> None:
    event = review_comment_event("/codex fix", comment_id=81)
    parsed = parse_event("pull_request_review_comment", event, **_settings())
    assert isinstance(parsed, ReviewCommentRequest)
    assert parsed.thread.review_comment == 81


@pytest.mark.parametrize(
    ("body", "action", "kind"),
    [
        ("please have a look", "created", Skip),
        (f"/codex fix {OWN_COMMENT_MARK}x -->", "created", Skip),
        ("/codex fix", "edited", Skip),
        ("/codex review", "created", Answer),
        ("/codex", "created", Answer),
    ],
)
def test_what_a_review_comment_does_not_ask_for(body: str, action: str, kind: type) -> None:
    event = review_comment_event(body) | {"action": action}
    parsed = parse_event("pull_request_review_comment", event, **_settings())
    assert isinstance(parsed, kind)
    if isinstance(parsed, Answer):
        assert "In a review thread" in parsed.reply


def test_a_review_requesting_changes_with_the_trigger_asks_for_them() -> None:
    event = review_event("/codex and keep the tests green", pull_number=6, review_id=900)
    parsed = parse_event("pull_request_review", event, **_settings())
    assert isinstance(parsed, ChangesRequest)
    assert (parsed.thread.number, parsed.review_id) == (6, 900)
    assert parsed.prompt == "and keep the tests green"
    assert parsed.destination("codex/") == FollowUp(6)
    bare = parse_event("pull_request_review", review_event("/codex"), **_settings())
    assert isinstance(bare, ChangesRequest)
    assert bare.prompt == ADDRESS_ALL


@pytest.mark.parametrize(
    ("body", "state", "action", "kind"),
    [
        ("/codex", "commented", "submitted", Skip),  # only a request for changes asks
        ("/codex", "approved", "submitted", Skip),
        ("Please fix these.", "changes_requested", "submitted", Skip),
        (None, "changes_requested", "submitted", Skip),
        ("/codex", "changes_requested", "dismissed", Skip),
        ("/codex review", "changes_requested", "submitted", Answer),
    ],
)
def test_what_a_review_does_not_ask_for(
    body: str | None, state: str, action: str, kind: type
) -> None:
    event = review_event(body, state=state) | {"action": action}
    assert isinstance(parse_event("pull_request_review", event, **_settings()), kind)


def test_only_a_review_that_asks_itself_claims_its_comments() -> None:
    assert triggers_itself("CHANGES_REQUESTED", "/codex", "/codex")
    assert not triggers_itself("COMMENTED", "/codex", "/codex")
    assert not triggers_itself("CHANGES_REQUESTED", "Please fix.", "/codex")
    assert not triggers_itself("CHANGES_REQUESTED", "/codex review", "/codex")
