"""The scripted model server against the real clients: openai, the Agents SDK and Codex."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest
from agents import Agent, OpenAIResponsesModel, RunConfig, Runner, function_tool
from openai.types.responses import Response, ResponseStreamEvent
from openai_codex import ApprovalMode, Codex, CodexConfig, Sandbox
from openai_codex.types import TurnStatus
from pydantic import BaseModel, TypeAdapter

from tests.rig.scripted_model import Call, Fail, Hang, Say, ScriptedModel, Shell

RIG = Path(__file__).parent / "rig" / "scripted_model.py"
# openai-codex 0.163.0's Codex.close() never closes the app-server's stdout/stderr pipes.
sdk_leaks_pipes = pytest.mark.filterwarnings(
    "ignore:unclosed file <_io.TextIOWrapper:ResourceWarning"
)


class Sum(BaseModel):
    total: int


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel() as server:
        yield server


def client(
    server: ScriptedModel, api_key: str | None = None, timeout: float = 10
) -> openai.AsyncOpenAI:
    # No retries: a scripted failure must reach the test, and be recorded once.
    return openai.AsyncOpenAI(
        base_url=server.base_url,
        api_key=api_key or server.api_key,
        max_retries=0,
        timeout=timeout,
    )


def create(server: ScriptedModel, api_key: str | None = None, timeout: float = 10) -> object:
    async def call() -> object:
        async with client(server, api_key, timeout) as api:
            return await api.responses.create(model="m", input="hi")

    return asyncio.run(call())


@pytest.mark.parametrize("sse", [False, True], ids=["json", "sse"])
def test_agent_calls_a_function_tool_then_answers_structured(
    model: ScriptedModel, sse: bool
) -> None:
    calls: list[tuple[int, int]] = []

    @function_tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        calls.append((a, b))
        return a + b

    model.add("orchestrator", Call("add", {"a": 2, "b": 3}), Say('{"total": 5}'))

    async def run() -> object:
        async with client(model) as api:
            agent = Agent(
                name="adder",
                instructions="Add.",
                model=OpenAIResponsesModel("scripted", api),
                tools=[add],
                output_type=Sum,
            )
            config = RunConfig(tracing_disabled=True)
            if not sse:
                return (await Runner.run(agent, "2+3?", run_config=config)).final_output
            streamed = Runner.run_streamed(agent, "2+3?", run_config=config)
            async for _ in streamed.stream_events():
                pass
            return streamed.final_output

    assert asyncio.run(run()) == Sum(total=5)
    assert calls == [(2, 3)]
    first, second = model.requests
    assert (first.role, second.role) == ("orchestrator", "orchestrator")
    assert first.body.get("stream", False) is sse
    assert first.body["text"]["format"]["type"] == "json_schema"
    outputs = [i for i in second.body["input"] if i.get("type") == "function_call_output"]
    assert [o["output"] for o in outputs] == ["5"]


def write_codex_home(home: Path, base_url: str) -> Path:
    home.mkdir()
    (home / "config.toml").write_text(
        f"""model_provider = "local"

[model_providers.local]
name = "local"
base_url = "{base_url}"
wire_api = "responses"
env_key = "LOCAL_MODEL_KEY"
request_max_retries = 0
stream_max_retries = 0

[features]
plugins = false
""",
        encoding="utf-8",
    )
    return home


def start_codex(tmp_path: Path, server: ScriptedModel) -> tuple[Codex, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    home = write_codex_home(tmp_path / "codex-home", server.base_url)
    env = {"CODEX_HOME": str(home), "LOCAL_MODEL_KEY": server.api_key}
    return Codex(config=CodexConfig(cwd=str(repo), env=env)), repo


# None is Codex's default slug (a code-mode model: one JavaScript `exec` tool); gpt-5.5 gets
# the classic `exec_command` function tool.
@sdk_leaks_pipes
@pytest.mark.parametrize("slug", [None, "gpt-5.5"], ids=["default-slug", "gpt-5.5"])
def test_codex_runs_a_shell_command_then_answers(
    model: ScriptedModel, tmp_path: Path, slug: str | None
) -> None:
    model.add("codex", Shell("echo hi > hello.txt"), Say("created hello.txt"))
    codex, repo = start_codex(tmp_path, model)
    with codex:
        thread = codex.thread_start(
            cwd=str(repo),
            model=slug,
            sandbox=Sandbox.workspace_write,
            approval_mode=ApprovalMode.deny_all,
        )
        result = thread.run("make hello.txt")

    assert result.final_response == "created hello.txt"
    assert (repo / "hello.txt").read_text() == "hi\n"
    assert [r.role for r in model.requests] == ["codex", "codex"]
    tool_output = model.requests[1].body["input"][-1]
    expected = "function_call_output" if slug else "custom_tool_call_output"
    assert tool_output["type"] == expected
    output = tool_output["output"]
    text = output if isinstance(output, str) else "".join(part["text"] for part in output)
    # The two shapes word it differently.
    assert re.search(r'Process exited with code 0|"exit_code":0', text)


@sdk_leaks_pipes
def test_codex_reports_a_scripted_failure(model: ScriptedModel, tmp_path: Path) -> None:
    model.add("codex", Fail(400, "bad request from the script"))
    codex, repo = start_codex(tmp_path, model)
    with codex:
        thread = codex.thread_start(
            cwd=str(repo), sandbox=Sandbox.workspace_write, approval_mode=ApprovalMode.deny_all
        )
        with pytest.raises(RuntimeError, match="bad request from the script"):
            thread.run("anything")
    assert [(r.role, r.status) for r in model.requests] == [("codex", 400)]


@sdk_leaks_pipes
def test_codex_waits_on_a_hung_model_until_interrupted(
    model: ScriptedModel, tmp_path: Path
) -> None:
    # Codex 0.163.0 never gives up on a model that sends no response headers (measured: not
    # even with stream_idle_timeout_ms = 300), so only an interrupt ends such a turn.
    model.add("codex", Hang(), Say("after the hang"))
    codex, repo = start_codex(tmp_path, model)
    with codex:
        thread = codex.thread_start(
            cwd=str(repo), sandbox=Sandbox.workspace_write, approval_mode=ApprovalMode.deny_all
        )
        turn = thread.turn("anything")
        timer = threading.Timer(0.3, turn.interrupt)
        timer.start()
        try:
            assert turn.run().status == TurnStatus.interrupted
        finally:
            timer.cancel()
        assert thread.run("again").final_response == "after the hang"
    assert [r.status for r in model.requests] == [0, 200]


def test_fail_answers_with_an_openai_error(model: ScriptedModel) -> None:
    model.add("orchestrator", Fail(), Fail(429, "slow down"))
    with pytest.raises(openai.InternalServerError, match="scripted failure") as failure:
        create(model)
    assert failure.value.body == {
        "message": "scripted failure",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.RateLimitError, match="slow down"):
        create(model)
    assert [r.status for r in model.requests] == [500, 429]


def test_exhausted_orchestrator_script_is_a_visible_500(model: ScriptedModel) -> None:
    with pytest.raises(openai.InternalServerError, match="orchestrator script exhausted"):
        create(model)
    [request] = model.requests
    assert (request.status, request.step) == (500, None)


def test_wrong_api_key_gets_401_and_consumes_no_step(model: ScriptedModel) -> None:
    model.add("orchestrator", Say("hello"))
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key"):
        create(model, api_key="sk-wrong")
    response = create(model)
    assert isinstance(response, openai.types.responses.Response)
    assert response.output_text == "hello"
    assert response.usage is not None
    assert response.usage.total_tokens > 0
    assert [r.status for r in model.requests] == [401, 200]
    assert model.requests[0].headers["authorization"] == "Bearer sk-wrong"


def test_hang_sends_nothing_until_the_client_gives_up(model: ScriptedModel) -> None:
    model.add("orchestrator", Hang())
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        create(model, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    assert [(r.status, r.step) for r in model.requests] == [(0, Hang())]


def post(server: ScriptedModel, body: dict[str, object]) -> tuple[str | None, str]:
    """POST a raw request; return the response's content type and text."""
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    try:
        headers = {"Authorization": f"Bearer {server.api_key}"}
        connection.request("POST", "/v1/responses", json.dumps({"model": "m", **body}), headers)
        response = connection.getresponse()
        return response.getheader("content-type"), response.read().decode()
    finally:
        connection.close()


def stream(server: ScriptedModel, request: dict[str, object]) -> list[dict[str, Any]]:
    """POST a streaming request like Codex's and return the SSE events' data."""
    content_type, text = post(server, {"stream": True, "input": [], **request})
    assert content_type == "text/event-stream"
    lines = text.splitlines()
    return [json.loads(line.removeprefix("data: ")) for line in lines if line.startswith("data:")]


def offers(name: str) -> dict[str, object]:
    return {"tools": [{"type": "function", "name": name, "parameters": {}}]}


# What Codex 0.163.0 sends for its default, code-mode slug: no `tools`, one JavaScript tool.
CODE_MODE: dict[str, object] = {
    "input": [
        {
            "type": "additional_tools",
            "role": "developer",
            "tools": [
                {
                    "type": "namespace",
                    "name": "functions",
                    "tools": [
                        {"type": "custom", "name": "exec"},
                        {"type": "function", "name": "wait"},
                    ],
                }
            ],
        }
    ]
}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (offers("exec_command"), {"name": "exec_command", "arguments": '{"cmd": "ls"}'}),
        (offers("shell"), {"name": "shell", "arguments": '{"command": ["bash", "-lc", "ls"]}'}),
        (offers("shell_command"), {"name": "shell_command", "arguments": '{"command": "ls"}'}),
        (CODE_MODE, {"name": "exec", "input": 'text(await tools.exec_command({"cmd": "ls"}));'}),
    ],
    ids=["exec_command", "shell", "shell_command", "code-mode"],
)
def test_shell_step_uses_the_shell_tool_codex_offers(
    model: ScriptedModel, request_: dict[str, object], expected: dict[str, str]
) -> None:
    model.add("codex", Shell("ls"))
    events = stream(model, request_)
    [call] = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert {key: call[key] for key in expected} == expected
    assert model.requests[0].role == "codex"


def test_sse_events_and_the_end_of_a_codex_script(model: ScriptedModel) -> None:
    events = stream(model, offers("exec_command"))
    assert [e["type"].removeprefix("response.") for e in events] == [
        "created",
        "output_item.added",
        "content_part.added",
        "output_text.delta",
        "output_text.done",
        "content_part.done",
        "output_item.done",
        "completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "done"
    assert [(r.role, r.status, r.step) for r in model.requests] == [("codex", 200, None)]


def test_events_and_responses_validate_against_the_openai_types(model: ScriptedModel) -> None:
    model.add("codex", [Shell("ls"), Say("listed")])
    model.add("orchestrator", [Call("f", {"a": 1}), Say("called")])
    events = stream(model, CODE_MODE)
    for event in events:
        TypeAdapter(ResponseStreamEvent).validate_python(event)
    assert [item["type"] for item in events[-1]["response"]["output"]] == [
        "custom_tool_call",
        "message",
    ]
    content_type, text = post(model, {"input": "hi", "tools": [{"type": "function", "name": "f"}]})
    assert content_type == "application/json"
    response = Response.model_validate_json(text)
    assert [item.type for item in response.output] == ["function_call", "message"]


def test_a_step_the_client_cannot_take_is_a_500(model: ScriptedModel) -> None:
    model.add("orchestrator", Shell("ls"))
    with pytest.raises(openai.InternalServerError, match="no shell tool"):
        create(model)


def test_standalone_process_plays_a_json_script(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"orchestrator": [[{"say": "one"}, {"say": "two"}]]}))
    command = [sys.executable, str(RIG), "--port", "0", "--script", str(script)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            ready, base_url = process.stdout.readline().split()
            assert ready == "READY"

            async def call() -> str:
                api_key = "sk-test-scripted-key"
                async with openai.AsyncOpenAI(base_url=base_url, api_key=api_key) as api:
                    return (await api.responses.create(model="m", input="hi")).output_text

            assert asyncio.run(call()) == "onetwo"
        finally:
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
