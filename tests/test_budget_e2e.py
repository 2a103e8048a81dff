"""A run stopped by its budget in the middle of a Codex turn: real Codex, MCP, Agents SDK.

The scripted model reports usage the way the API does; each of Codex's requests here
carries about 14,000 input tokens (its instructions, skills and the conversation).
"""

from __future__ import annotations

import time

from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell


def test_the_budget_stops_codex_mid_turn_and_keeps_what_exists(
    runner: Runner, github: GitHubFake
) -> None:
    number = github.add_issue("Greet visitors", "The README should greet people.", "Codertocat")
    comment = github.add_comment(number, "/codex add greeting files", "Codertocat")
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add(
        "codex",
        Shell("printf 'half\\n' > half.txt"),  # its answer stays under the cap
        Shell("printf 'more\\n' > more.txt"),  # its answer passes it: the run stops
        Say("Created both files."),  # never asked for
    )
    # The orchestrator's first request and Codex's first fit; Codex's second passes.
    runner.inputs["INPUT_MAX_TOKENS"] = "20000"

    started = time.monotonic()
    run = runner.run("issue_comment", comment_event("/codex add greeting files",
                     issue_number=number, comment_id=comment))  # fmt: skip
    took = time.monotonic() - started

    assert run.returncode == 1, run.stderr  # the step fails, like at the deadline
    assert run.outputs["conclusion"] == "pr_opened"
    codex_requests = [r for r in runner.model.requests if r.role == "codex"]
    assert len(codex_requests) == 2  # nothing went upstream once the cap was reached
    used = int(run.outputs["tokens"])
    assert 20_000 <= used < 60_000
    [pull] = github.pulls
    assert pull.draft
    assert pull.title is not None
    assert pull.title.startswith("[partial]")
    assert pull.head is not None
    assert runner.remote.show(pull.head, "half.txt") == "half\n"
    reply = github.comments(number)[-1].body
    assert f"stopped at the budget: {used:,} tokens used of 20,000" in reply
    assert "Stopped early" in reply
    # The job summary tells each layer's share.
    assert "| orchestrator | 1 |" in run.summary
    assert "| codex | 2 |" in run.summary
    assert took < 60
