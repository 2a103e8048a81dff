"""The floor of one run: the work a ``/codex`` run cannot avoid, each part done directly.

1. interpreter start with the imports the job needs (agents, openai_codex, github, mcp);
2. ``codex app-server`` start and one scripted turn, through the ``openai_codex`` SDK;
3. ``git checkout -b && git add -A && git commit && git push`` with the token header;
4. the REST calls the bot made in its own run, replayed one by one through PyGithub's
   requester (no throttling, no retries).

Parts 2 to 4 run in this (warm) process against the same servers as the bot.
"""

from __future__ import annotations

import base64
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.pipeline import CODEX_TASK, TOKEN, BotRun, World
from benchmarks.util import base_env, git, time_command
from tests.rig.github_fake import Recorded
from tests.rig.scripted_model import Say, Shell

FLOOR_IMPORTS = "import agents, openai_codex, github, mcp"


def import_time(python: str, code: str, tmp: Path) -> float:
    """``python -c CODE`` from spawn to exit, with the rig's small environment."""
    return time_command([python, "-c", code], base_env(HOME=str(tmp)))


def codex_turn(world: World) -> float:
    """Start ``codex app-server`` and run one scripted turn (a shell command, an answer)."""
    from openai_codex import ApprovalMode, Codex, CodexConfig, Sandbox

    from bot.codex_setup import MODEL_KEY_VARIABLE, codex_overrides

    work = world.fresh_dir("codex-floor")
    repo = work / "repo"
    repo.mkdir()
    git("init", "-q", str(repo), cwd=str(work))
    home = work / "codex-home"
    home.mkdir()
    env = {
        **base_env(),
        "HOME": str(work),
        "CODEX_HOME": str(home),
        MODEL_KEY_VARIABLE: world.model.api_key,
    }
    overrides = codex_overrides(base_url=world.model.base_url, workspace=repo)
    world.model.clear_scripts()
    world.model.add("codex", Shell(CODEX_TASK), Say("Created hello.txt."))
    started = time.perf_counter()
    with Codex(config=CodexConfig(cwd=str(repo), env=env, config_overrides=tuple(overrides))) as cx:
        thread = cx.thread_start(
            cwd=str(repo), sandbox=Sandbox.workspace_write, approval_mode=ApprovalMode.deny_all
        )
        result = thread.run("Create hello.txt containing 'hello'.")
    elapsed = time.perf_counter() - started
    if result.final_response != "Created hello.txt." or not (repo / "hello.txt").exists():
        raise RuntimeError(f"the floor's Codex turn did not do the job: {result!r}")
    return elapsed


def auth_header(token: str) -> str:
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"Authorization: Basic {basic}"


def plain_git(world: World) -> tuple[float, str]:
    """Commit and push a one-file change the plain way; returns (seconds, branch)."""
    work = world.fresh_dir("git-floor")
    repo = world.remote.clone(work / "workspace")
    (repo / "hello.txt").write_text("hello\n")
    branch = f"floor/{work.name}"
    commands = [
        ("checkout", "-q", "-b", branch),
        ("add", "-A"),
        ("-c", "user.name=floor", "-c", "user.email=floor@example.com", "commit", "-qm", "Hi"),
        ("-c", f"http.extraHeader={auth_header(TOKEN)}", "push", "-q", "origin", branch),
    ]
    started = time.perf_counter()
    for argv in commands:
        git(*argv, cwd=str(repo))
    elapsed = time.perf_counter() - started
    shutil.rmtree(work)
    return elapsed, branch


def replay_rest(world: World, bot: BotRun, branch: str) -> tuple[float, list[Recorded]]:
    """The REST calls of ``bot``'s run, made again directly through PyGithub, for a new
    issue and comment and for ``branch`` (pushed by ``plain_git``). Ids the bot's run
    created (its status comment, its pull request) are mapped to the replay's own. The
    signed commit's Git Data calls are left out: the floor's push is plain git's."""
    from github import Auth, Github

    number, comment = world.new_request()
    ids = {
        f"/issues/{bot.issue}/": f"/issues/{number}/",
        f"/comments/{bot.comment}/": f"/comments/{comment}/",
        bot.branch: branch,
    }
    gh = Github(
        auth=Auth.Token(TOKEN),
        base_url=world.github.api_url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=None,
    )
    mark = len(world.github.requests)
    elapsed = 0.0
    try:
        for rec in _not_git(bot.requests):
            method, path, query, body = _retarget(rec, ids)
            started = time.perf_counter()
            _, data = gh.requester.requestJsonAndCheck(
                method, path, parameters=query or None, input=body
            )
            elapsed += time.perf_counter() - started
            created = isinstance(rec.response, dict) and isinstance(data, dict)
            if method == "POST" and created and "id" in rec.response and "id" in data:
                for kind in ("comments", "pulls"):
                    ids[f"/{kind}/{rec.response['id']}"] = f"/{kind}/{data['id']}"
        return elapsed, world.github.requests[mark:]
    finally:
        gh.close()


def _retarget(rec: Recorded, ids: dict[str, str]) -> tuple[str, str, dict[str, str], object]:
    def swap(text: str) -> str:
        for old, new in ids.items():
            text = text.replace(old, new)
        return text

    query = {key: swap(value) for key, value in rec.query.items()}
    body = rec.body
    if isinstance(body, dict):
        body = {k: swap(v) if isinstance(v, str) else v for k, v in body.items()}
    # A trailing slash lets "/issues/N/" match a path that ends with the number.
    return rec.method, swap(rec.path + "/")[:-1], query, body


def check_same_calls(bot: BotRun, replayed: Sequence[Recorded]) -> bool:
    """Whether the replay made the same operations as the bot, in the same order."""
    return [r.operation for r in _not_git(bot.requests)] == [r.operation for r in replayed]


def _not_git(requests: Sequence[Recorded]) -> list[Recorded]:
    return [r for r in requests if not (r.operation or "").startswith("git/")]
