"""Scripts for the scripted model: what the orchestrator and Codex do in a test."""

from __future__ import annotations

import json

from tests.rig.scripted_model import Call, Say

RESULT = {
    "title": "Add a friendly greeting file",
    "body": "Adds `hello.txt` with a greeting, as requested.",
    "commit_message": "Add hello.txt\n\nA greeting for visitors.",
    "summary": "Added hello.txt with a greeting.",
    "findings": [],
}


def finish(**changes: object) -> Say:
    """The orchestrator's structured result (the agent's ``output_type``)."""
    return Say(json.dumps({**RESULT, **changes}))


def delegate(prompt: str = "Create hello.txt containing 'hello'.") -> Call:
    return Call("codex", {"prompt": prompt})
