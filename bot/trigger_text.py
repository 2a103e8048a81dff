"""The sentences the trigger registry and its triggers say to people. Pure."""

from __future__ import annotations

from collections.abc import Iterable


def unclaimed_event(event_name: str, events: Iterable[str]) -> str:
    return f"The '{event_name}' event is not handled; use {', '.join(sorted(events))}."


def subcommand_not_here(trigger: str, word: str) -> str:
    return (
        f"`{trigger} {word}` is a command that does not apply here, so I "
        f"changed nothing. To ask for a change whose text starts with '{word}', write "
        f"`{trigger} -- {word} …`."
    )


def unclaimed_action(event_name: str, action: object, actions: Iterable[str]) -> str:
    return (
        f"The '{event_name}' event's action '{action}' is not handled; "
        f"only {', '.join(sorted(actions))}."
    )


def no_plan(trigger: str) -> str:
    return (
        f"There is no plan here to carry out, so I changed nothing. Ask for one with "
        f"`{trigger} plan <what to change>`, then comment `{trigger} go`."
    )


def review_needs_pull(trigger: str) -> str:
    return (
        f"`{trigger} review` reviews a pull request: comment it on one. To ask for a change "
        f"whose text starts with 'review', write `{trigger} -- review …`."
    )


def in_review_thread(trigger: str) -> str:
    return (
        f"In a review thread, `{trigger} <what to change>` changes the code these lines are "
        f"about; commands such as `{trigger} review` go in the pull request's conversation."
    )


def in_review(trigger: str) -> str:
    return (
        f"A review that requests changes with `{trigger}` (and optional words) has them made; "
        f"commands such as `{trigger} review` go in the pull request's conversation."
    )


def part_of_review() -> str:
    return (
        "This comment belongs to a review that requests changes with the trigger word: that "
        "review is handled as a whole, in its own run, so this one changes nothing."
    )


def other_label(name: object, label: str) -> str:
    return f"The label '{name}' is not the trigger label '{label}'."


LABEL_ON_PULL_REQUEST = "The trigger label asks only on issues, not on pull requests."
