"""The ``workflow_run`` trigger: a workflow run of one of the bot's own pull requests failed.

Only a run of a branch of this repository under the bot's prefix, with an open pull
request, is taken up here; whether that pull request is the bot's own, and whether to
repair, stop or stay silent, is decided with the forge (``bot.ci_repair``). Pushing a
branch here needs write access, so the run's sender is no one to authorise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.authz import trusted
from bot.errors import EventError
from bot.events import Answer, Destination, FollowUp, Parsed, Person, Skip, Trigger, person
from bot.events import default_branch as default_branch_of
from bot.forge import CiRun, Forge, Thread
from bot.trigger_base import Complete, EventInputs, TriggerSpec

if TYPE_CHECKING:
    from bot import ci_repair

# A run that ended so may be the code's fault; "cancelled" is a person's or a newer run's.
FAILED = frozenset({"failure", "timed_out", "startup_failure"})


@dataclass(frozen=True)
class CiFailure(Complete):
    """A failed run of a pull request's head, before the forge says whose it is."""

    thread: Thread
    run: CiRun
    head_branch: str
    sender: Person
    most: int
    default_branch: str | None = None
    trigger: Trigger = field(default=Trigger.WORKFLOW_RUN, init=False)
    requester: Person | None = field(default=None, init=False)
    prompt: str = field(default="", init=False)

    def admit(self, forge: Forge) -> ci_repair.CiFix | Answer | Skip:  # type: ignore[override]
        # Imported when a CI repair is asked for: the first feedback never waits for it.
        from bot import ci_repair

        return ci_repair.automatic(
            forge, self.thread, self.run, self.head_branch, self.most, self.sender
        )

    def destination(self, branch_prefix: str) -> Destination:
        return FollowUp(self.thread.number)

    def context(self) -> str:
        return ""

    def acknowledge(self, forge: Forge) -> None:
        """Nothing to react to."""

    def retry_hint(self) -> str:
        return "comment `/codex fix-ci` to try again"


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def parse(payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
    run, repository = payload.get("workflow_run"), payload.get("repository")
    if not isinstance(run, Mapping) or not isinstance(repository, Mapping):
        raise EventError("The workflow_run event lacks 'workflow_run' or 'repository'.")
    conclusion = _text(run, "conclusion")
    if conclusion not in FAILED:
        return Skip(f"The run ended '{conclusion}': nothing to repair.")
    head_repo = run.get("head_repository")
    head = _text(head_repo, "full_name") if isinstance(head_repo, Mapping) else ""
    if head != _text(repository, "full_name"):
        return Skip("The run is of a fork's branch: the bot never pushes there.")
    branch = _text(run, "head_branch")
    if not branch.startswith(inputs.branch_prefix):
        return Skip(
            f"The run's branch '{branch}' is not one of the bot's ({inputs.branch_prefix}…)."
        )
    pulls = [p for p in run.get("pull_requests") or [] if isinstance(p, Mapping)]
    numbers = [p["number"] for p in pulls if isinstance(p.get("number"), int)]
    if not numbers:
        return Skip(f"No open pull request follows '{branch}'.")
    workflow = payload.get("workflow")
    name = _text(run, "name") or (_text(workflow, "name") if isinstance(workflow, Mapping) else "")
    run_id = run.get("id")
    if not isinstance(run_id, int):
        raise EventError("The workflow_run event lacks the run's id.")
    ci = CiRun(run_id, name or "CI", _text(run, "head_sha"), conclusion, _text(run, "html_url"))
    return CiFailure(
        Thread(numbers[0], is_pull_request=True),
        ci,
        branch,
        person(payload.get("sender")),
        inputs.max_fix_attempts,
        default_branch_of(payload),
    )


TRIGGER = TriggerSpec(
    Trigger.WORKFLOW_RUN, "workflow_run", parse, actions=frozenset({"completed"}), trust=trusted
)
