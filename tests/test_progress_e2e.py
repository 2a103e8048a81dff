"""Live progress end to end: Codex's plan and commands reach the status comment.

The real Codex reports its events to the bot's MCP server, which sends them as MCP
progress notifications through the Agents SDK to the bot, which edits the comment on
the GitHub fake; the first edit may come 10 s after the comment was posted.
"""

from __future__ import annotations

from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Call, Say, Shell

PLAN: dict[str, object] = {
    "plan": [
        {"step": "Look around, then tell @octocat", "status": "completed"},
        {"step": "Write the greeting", "status": "in_progress"},
    ]
}


def test_the_status_comment_shows_codexs_plan_and_command_while_it_works(
    runner: Runner, github: GitHubFake
) -> None:
    number = github.add_issue("Greet visitors", "The README should greet people.", "Codertocat")
    comment = github.add_comment(number, "/codex add a greeting", "Codertocat")
    runner.model.add("orchestrator", delegate(), finish())
    slow = "sleep 12 && printf 'hello\\n' > hello.txt"
    steps = Call("update_plan", PLAN), Shell(slow, wait_ms=30_000), Say("Created hello.txt.")
    runner.model.add("codex", *steps)

    event = comment_event("/codex add a greeting", issue_number=number, comment_id=comment)
    run = runner.run("issue_comment", event)

    assert run.returncode == 0, run.stderr
    edits = [
        r.body["body"]
        for r in github.requests
        if r.operation == "issues/update-comment" and r.status == 200
    ]
    during, final = edits[:-1], edits[-1]
    assert during, "the comment was not edited while Codex worked"
    shown = during[0]
    assert "✅ Look around, then tell @\u200boctocat" in shown  # no one is mentioned
    assert "⏳ Write the greeting" in shown
    assert "sleep 12 && printf" in shown
    assert "(running)" in shown
    assert "Spent so far: " in shown
    assert final.startswith(f"Opened {github.server_url}/octo-org/hello-world/pull/")
