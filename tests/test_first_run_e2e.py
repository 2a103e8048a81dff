"""The first run on a new repository, where GitHub does not let Actions open pull
requests: the paid-for change is kept, and the reply opens the pull request by hand."""

from __future__ import annotations

from tests.action_rig import Runner
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.github_fake import GitHubFake
from tests.rig.scripted_model import Say, Shell

NOT_PERMITTED = "GitHub Actions is not permitted to create or approve pull requests."


def test_a_refused_pull_request_keeps_the_branch_and_says_how_to_open_it(
    runner: Runner, github: GitHubFake
) -> None:
    number = github.add_issue("Greet visitors", "The README should greet people.", "Codertocat")
    comment = github.add_comment(number, "/codex add a greeting file", "Codertocat")
    runner.model.add("orchestrator", delegate(), finish())
    runner.model.add("codex", Shell("printf 'hello\\n' > hello.txt"), Say("Created hello.txt."))
    refusal = {"message": NOT_PERMITTED, "documentation_url": "https://docs.github.com/rest"}
    github.fail_next("POST", r"/pulls$", 403, body=refusal | {"status": "403"})

    run = runner.run(
        "issue_comment",
        comment_event("/codex add a greeting file", issue_number=number, comment_id=comment),
    )

    assert run.returncode == 1  # the step fails: someone must act
    assert run.outputs["conclusion"] == "pushed"
    branch = f"codex/issue-{number}"
    assert run.outputs["branch"] == branch
    assert runner.remote.show(branch, "hello.txt") == "hello\n"  # nothing is lost
    assert github.pulls == []
    compare = f"{github.server_url}/octo-org/hello-world/compare/main...{branch}?expand=1"
    reply = github.comments(number)[-1].body
    assert f"[Open the pull request]({compare})" in reply
    assert '"Allow GitHub Actions to create and approve pull requests"' in reply
    assert "actions/create-github-app-token" in reply
    assert "permissions:" not in reply  # not the wrong fix
    assert compare in run.summary
    assert f"::error title=codex-pr-bot::I pushed the change to `{branch}`" in run.stdout
