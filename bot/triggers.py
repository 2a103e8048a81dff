"""One registry from a GitHub event to the trigger that answers it, and who may use it.

Adding a trigger is one module (its request type and a ``TriggerSpec``) and one line in
``REGISTRY``; the use case asks the registry and never branches on the kind of trigger.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot import (
    trigger_comment,
    trigger_label,
    trigger_manual,
    trigger_review,
    trigger_review_comment,
    trigger_text,
    trigger_workflow_run,
)
from bot.authz import Decision, PermissionOf
from bot.events import Parsed, Person, Skip, Trigger
from bot.trigger_base import EventInputs, TriggerSpec


class Registry:
    """The triggers in use, by event name and by kind."""

    def __init__(self, *triggers: TriggerSpec) -> None:
        self._by_event = {t.event: t for t in triggers}
        self._by_kind = {t.kind: t for t in triggers}
        if len(self._by_event) != len(triggers) or len(self._by_kind) != len(triggers):
            raise ValueError("two triggers claim the same event or kind")

    def parse(self, event_name: str, payload: Mapping[str, Any], inputs: EventInputs) -> Parsed:
        """What the event asks for; an event no trigger claims is a ``Skip``."""
        spec = self._by_event.get(event_name)
        if spec is None:
            return Skip(trigger_text.unclaimed_event(event_name, self._by_event))
        action = payload.get("action")
        if spec.actions and action not in spec.actions:
            return Skip(trigger_text.unclaimed_action(event_name, action, spec.actions))
        return spec.parse(payload, inputs)

    def spec(self, kind: Trigger) -> TriggerSpec:
        return self._by_kind[kind]

    def authorize(
        self,
        kind: Trigger,
        person: Person | None,
        permission_of: PermissionOf,
        allowed_users: Collection[str],
    ) -> Decision:
        """The trigger's own trust rule; writers only unless it says otherwise."""
        return self._by_kind[kind].trust(person, permission_of, allowed_users)


REGISTRY = Registry(
    trigger_comment.TRIGGER,
    trigger_manual.DISPATCH,
    trigger_manual.SCHEDULE,
    trigger_label.TRIGGER,
    trigger_review_comment.TRIGGER,
    trigger_review.TRIGGER,
    trigger_workflow_run.TRIGGER,
)


def parse_event(
    event_name: str,
    payload: Mapping[str, Any],
    *,
    trigger: str,
    configured_prompt: str | None,
    tasks: Sequence[tuple[str, str]] = (),
    trigger_label: str = "codex",
    branch_prefix: str = "codex/",
    max_fix_attempts: int = 2,
    registry: Registry = REGISTRY,
) -> Parsed:
    """Decide what an event asks for.

    ``configured_prompt`` is the ``prompt`` input (or the text of ``prompt_file``),
    used by manual runs without an ``inputs.prompt`` and by scheduled runs; ``tasks``
    are the (name, prompt) pairs of ``tasks_dir``, which a scheduled run works through.
    """
    inputs = EventInputs(
        trigger, trigger_label, configured_prompt, tasks, branch_prefix, max_fix_attempts
    )
    return registry.parse(event_name, payload, inputs)
