"""The whole ``/codex`` → pull request pipeline, offline: ``python -m bot`` started the way
the Actions runner starts the container, against the rig's GitHub fake, git remote and a
scripted model that answers at once. What remains is the bot's own overhead.

One ``World`` (servers) serves every run; each run gets a new issue, comment, checkout,
HOME and CODEX_HOME, like a fresh job.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.proctree import Peak, TreeSampler
from benchmarks.util import base_env
from tests.action_rig import read_outputs
from tests.agent_scripts import delegate, finish
from tests.payloads import comment_event
from tests.rig.git_remote import GitRemote
from tests.rig.github_fake import GitHubFake, Recorded
from tests.rig.scripted_model import RecordedRequest, Say, ScriptedModel, Shell

TOKEN = "ghs_bench_fake_token_0123456789abcdef"  # noqa: S105 - the fake's
REPOSITORY = "octo-org/hello-world"
REQUESTER = "Codertocat"
PROMPT = "/codex add a greeting file"
CODEX_TASK = "printf 'hello\\n' > hello.txt"


class TimedModel(ScriptedModel):
    """The scripted model, also noting when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def _record(self, request: RecordedRequest) -> None:
        self.times.append(time.time())
        super()._record(request)

    def clear_scripts(self) -> None:
        with self._lock:
            for script in self._scripts.values():
                script.clear()


class TimedList(list[str]):
    """The git remote's list of auth headers, also noting when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: str) -> None:
        self.times.append(time.time())
        super().append(item)


@dataclass
class World:
    """The servers a run talks to; start once, use for every run."""

    root: Path
    python: str = sys.executable  # runs ``python -m bot``
    remote: GitRemote = field(init=False)
    github: GitHubFake = field(init=False)
    model: TimedModel = field(init=False)
    pushes: TimedList = field(init=False)
    _runs: int = 0

    def __enter__(self) -> World:
        self.remote = GitRemote(self.root / "remote", full_name=REPOSITORY, token=TOKEN)
        self.remote.seed(
            {"README.md": "# Hello World\n\nA greeting.\n", "src/app.py": "print('hi')\n"}
        )
        self.pushes = TimedList()
        self.remote.auth_headers = self.pushes
        self.remote.start()
        self.github = GitHubFake(
            token=TOKEN,
            branch_sha=self.remote.branch_sha,
            commits_between=self.remote.commits_between,
            git_objects=self.remote.objects,
        ).start()
        self.github.set_permission(REQUESTER, "write")
        self.model = TimedModel()
        self.model.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.model.stop()
        self.github.stop()
        self.remote.stop()

    def fresh_dir(self, name: str) -> Path:
        self._runs += 1
        path = self.root / f"{name}-{self._runs}"
        path.mkdir()
        return path

    def new_request(self) -> tuple[int, int]:
        number = self.github.add_issue("Greet visitors", "The README should greet people.")
        return number, self.github.add_comment(number, PROMPT, REQUESTER)


@dataclass(frozen=True)
class Event:
    at: float  # seconds after the process was started
    what: str


@dataclass
class BotRun:
    started: float  # time.time() when the process was spawned
    wall: float
    requests: list[Recorded]  # GitHub REST requests, in order
    model_requests: list[RecordedRequest]
    events: list[Event]  # milestones, in time order
    branch: str
    issue: int
    comment: int
    peak: Peak | None
    stderr: str

    def first(self, what: str) -> float | None:
        return next((e.at for e in self.events if e.what == what), None)

    @property
    def reaction(self) -> float | None:
        return next(
            (e.at for e in self.events if e.what.startswith("POST") and "reactions" in e.what),
            None,
        )

    @property
    def first_write(self) -> tuple[float, str] | None:
        for e in self.events:
            if e.what.split(" ", 1)[0] in ("POST", "PATCH", "PUT", "DELETE"):
                return e.at, e.what
        return None


def route(rec: Recorded) -> str:
    query = "?" + "&".join(f"{k}={v}" for k, v in rec.query.items()) if rec.query else ""
    return f"{rec.method} {rec.path}{query}"


def run_bot(world: World, *, sample_memory: bool = False) -> BotRun:
    """One ``python -m bot`` run on an ``issue_comment`` event, timed from its start."""
    run_dir = world.fresh_dir("run")
    workspace = world.remote.clone(run_dir / "workspace")
    number, comment = world.new_request()
    world.model.clear_scripts()
    world.model.add("orchestrator", delegate(), finish())
    world.model.add("codex", Shell(CODEX_TASK), Say("Created hello.txt."))
    event = comment_event(PROMPT, issue_number=number, comment_id=comment)
    event["issue"]["body"] = "The README should greet people."
    event_path = run_dir / "event.json"
    event_path.write_text(json.dumps(event))
    output, summary = run_dir / "github_output", run_dir / "step_summary"
    output.write_text("")
    summary.write_text("")
    env = base_env(
        HOME=str(run_dir / "home"),
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="issue_comment",
        GITHUB_EVENT_PATH=str(event_path),
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_REPOSITORY=REPOSITORY,
        GITHUB_API_URL=world.github.api_url,
        GITHUB_SERVER_URL=world.github.server_url,
        GITHUB_RUN_ID="4242",
        GITHUB_ACTOR=REQUESTER,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        INPUT_GITHUB_TOKEN=TOKEN,
        INPUT_OPENAI_API_KEY=world.model.api_key,
        OPENAI_BASE_URL=world.model.base_url,
        CODEX_HOME=str(run_dir / "codex-home"),
    )
    marks = len(world.github.requests), len(world.model.requests), len(world.pushes)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.time()
        process = subprocess.Popen(
            [world.python, "-m", "bot"], cwd=workspace, env=env, stdout=out, stderr=err
        )
        peak = None
        if sample_memory:
            with TreeSampler(process.pid) as sampler:
                process.wait(timeout=180)
            peak = sampler.peak
        else:
            process.wait(timeout=180)
        wall = time.time() - started
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    outputs = read_outputs(output)
    branch = f"codex/issue-{number}"
    if process.returncode != 0 or outputs.get("conclusion") != "pr_opened":
        raise RuntimeError(
            f"the bot did not open a pull request (exit {process.returncode}, "
            f"outputs {outputs}):\n{stderr[-3000:]}"
        )
    requests = world.github.requests[marks[0] :]
    model_requests = world.model.requests[marks[1] :]
    events = [Event(r.time - started, route(r)) for r in requests]
    for request, at in zip(model_requests, world.model.times[marks[1] :], strict=True):
        events.append(Event(at - started, f"model call ({request.role})"))
    events += [Event(at - started, "git HTTP request") for at in world.pushes.times[marks[2] :]]
    events.append(Event(wall, "process exit"))
    events.sort(key=lambda e: e.at)
    return BotRun(
        started, wall, requests, model_requests, events, branch, number, comment, peak, stderr
    )


_HINTS = {
    "first REST request": "interpreter start, imports, settings, event",
    "👀 reaction": "authorization check; PyGithub's request spacing",
    "status comment posted": "",
    "1st orchestrator call": "MCP server process start (its imports), tools/list",
    "1st Codex call": "MCP tools/call → codex app-server start, thread start",
    "last Codex call": "the Codex turn",
    "last orchestrator call": "Codex's answer back to the agent",
    "push starts": "MCP server and proxy shutdown, stage, diff check, commit",
    "first REST request after the push": "the push",
    "last REST request": "PR lookup and creation, final status",
    "exit": "teardown",
}


def milestones(run: BotRun) -> list[tuple[str, float]]:
    """The moments the servers saw, in time order (missing ones left out)."""
    ev = run.events
    rest = [e.at for e in ev if e.what.split(" ", 1)[0] in ("GET", "POST", "PATCH", "PUT")]
    orch = [e.at for e in ev if e.what == "model call (orchestrator)"]
    codex = [e.at for e in ev if e.what == "model call (codex)"]
    pushes = [e.at for e in ev if e.what == "git HTTP request"]
    status = [
        e.at
        for e in ev
        if e.what.startswith("POST") and e.what.endswith("/comments") and orch and e.at < orch[0]
    ]
    found: list[tuple[str, float | None]] = [
        ("start", 0.0),
        ("first REST request", rest[0] if rest else None),
        ("👀 reaction", run.reaction),
        ("status comment posted", status[0] if status else None),
        ("1st orchestrator call", orch[0] if orch else None),
        ("1st Codex call", codex[0] if codex else None),
        ("last Codex call", codex[-1] if len(codex) > 1 else None),
        ("last orchestrator call", orch[-1] if len(orch) > 1 else None),
        ("push starts", pushes[0] if pushes else None),
        (
            "first REST request after the push",
            next((t for t in rest if pushes and t > pushes[-1]), None),
        ),
        ("last REST request", rest[-1] if rest else None),
        ("exit", run.wall),
    ]
    return sorted(((name, at) for name, at in found if at is not None), key=lambda m: m[1])


def phases(run: BotRun) -> list[tuple[str, str, float, float]]:
    """(phase, what happens in it, start, end) between consecutive milestones."""
    marks = milestones(run)
    return [
        (f"{a} → {b}", _HINTS.get(b, ""), start, end)
        for (a, start), (b, end) in itertools.pairwise(marks)
    ]


def orchestrator_cost(run: BotRun) -> dict[str, dict[str, int]]:
    """Per role: model calls, request bytes, and input tokens as the scripted model counts
    them (len(json(input)) // 4 + 1, what it reports in ``usage``)."""
    cost: dict[str, dict[str, int]] = {}
    for request in run.model_requests:
        row = cost.setdefault(request.role, {"calls": 0, "bytes": 0, "tokens": 0})
        row["calls"] += 1
        row["bytes"] += len(json.dumps(request.body).encode())
        row["tokens"] += len(json.dumps(request.body.get("input", ""))) // 4 + 1
    return cost


def orchestrator_breakdown(run: BotRun) -> list[tuple[str, int]]:
    """Bytes of each top-level field over all orchestrator requests, largest first."""
    sizes: dict[str, int] = {}
    for request in run.model_requests:
        if request.role != "orchestrator":
            continue
        for key, value in request.body.items():
            sizes[key] = sizes.get(key, 0) + len(json.dumps(value).encode())
    return sorted(sizes.items(), key=lambda kv: -kv[1])
