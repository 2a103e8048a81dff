"""What the scripted model answers: a step played as Responses API output, whole or as SSE."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator

from .scripted_steps import Call, Fail, Hang, Item, Json, Role, Say, Step

# Tool names only Codex offers; the orchestrator's MCP tools are named codex and codex-reply.
CODEX_TOOLS = frozenset({"exec", "exec_command", "shell", "shell_command", "apply_patch"})


def classify(body: Json) -> Role:
    """Codex's requests offer its own tools; everything else is the orchestrator's."""
    return "codex" if _tool_names(body) & CODEX_TOOLS else "orchestrator"


def _tool_names(body: Json) -> set[str]:
    # Code-mode models (Codex's default slug) get their tools in an `additional_tools` input
    # item, grouped in namespaces, instead of the top-level `tools` array.
    names: set[str] = set()
    pending = list(body.get("tools") or [])
    if isinstance(inputs := body.get("input"), list):
        pending += [t for i in inputs if i.get("type") == "additional_tools" for t in i["tools"]]
    while pending:
        tool = pending.pop()
        names.add(str(tool.get("name")))
        pending.extend(tool.get("tools") or [])
    return names


def answer(step: Step | None, role: Role, body: Json) -> tuple[int, str, list[Json]]:
    """The HTTP status, error message and output items that play `step`; 0 sends nothing."""
    if isinstance(step, Fail):
        return step.status, step.message, []
    if isinstance(step, Hang):
        return 0, "", []
    if step is None and role == "orchestrator":
        return 500, "orchestrator script exhausted", []
    items = step if isinstance(step, list) else [step or Say("done")]
    try:
        return 200, "", [_output_item(item, body) for item in items]
    except ValueError as error:
        return 500, f"cannot play {step!r} for the {role}: {error}", []


THREAD_ID = "$THREAD_ID"  # in Call arguments: the threadId of the latest tool output
# In Call arguments: the thread id the request's text names (a follow-up's context).
EARLIER_THREAD_ID = "$EARLIER_THREAD_ID"


def _named_thread_id(body: Json) -> str:
    found = re.search(r"Codex thread of this pull request: ([0-9A-Za-z-]+)", json.dumps(body))
    if not found:
        raise ValueError("no earlier thread named in the request")
    return found.group(1)


def _latest_thread_id(body: Json) -> str:
    """The threadId the last ``codex`` call returned, read from the request's input."""
    for entry in reversed(body.get("input") or []):
        if isinstance(entry, dict) and entry.get("type") == "function_call_output":
            output = entry.get("output")
            text = output if isinstance(output, str) else json.dumps(output)
            found = re.search(r'threadId\\?"\s*:\s*\\?"([^"\\]+)', text)
            if found:
                return found.group(1)
    raise ValueError("no threadId in any earlier tool output")


def _output_item(item: Item, body: Json) -> Json:
    if isinstance(item, Call):
        fill = {THREAD_ID: _latest_thread_id, EARLIER_THREAD_ID: _named_thread_id}
        played = {
            key: fill[value](body) if isinstance(value, str) and value in fill else value
            for key, value in item.arguments.items()
        }
        return _item("function_call", name=item.name, arguments=json.dumps(played))
    if isinstance(item, Say):
        text = {"type": "output_text", "text": item.text, "annotations": [], "logprobs": []}
        return _item("message", role="assistant", content=[text])
    # The shell tool Codex offers depends on the model slug; answer in the shape it asked for.
    names = _tool_names(body)
    waits = {} if item.wait_ms is None else {"yield_time_ms": item.wait_ms}
    timeout = {} if item.wait_ms is None else {"timeout_ms": item.wait_ms}
    if "exec" in names:  # code mode: a JavaScript cell that calls the nested shell tool
        call = json.dumps({"cmd": item.command, **waits})
        source = f"text(await tools.exec_command({call}));"
        return _item("custom_tool_call", name="exec", input=source)
    for name, arguments in [
        ("exec_command", {"cmd": item.command, **waits}),
        ("shell_command", {"command": item.command, **timeout}),
        ("shell", {"command": ["bash", "-lc", item.command], **timeout}),
    ]:
        if name in names:
            return _item("function_call", name=name, arguments=json.dumps(arguments))
    raise ValueError(f"no shell tool among {sorted(names)}")


def _item(kind: str, **fields: object) -> Json:
    prefix = {"message": "msg", "function_call": "fc", "custom_tool_call": "ctc"}[kind]
    call = {} if kind == "message" else {"call_id": _id("call")}
    return {"type": kind, "id": _id(prefix), **call, "status": "completed", **fields}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def response(body: Json, output: list[Json], status: str) -> Json:
    """The whole response carrying `output`, with token counts roughly like real ones."""
    tokens_in = len(json.dumps(body.get("input", ""))) // 4 + 1  # roughly, and never zero
    tokens_out = len(json.dumps(output)) // 4 + 1
    return {
        "id": _id("resp"),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": body.get("model", "scripted"),
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "usage": {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def _event(kind: str, **fields: object) -> Json:
    return {"type": f"response.{kind}", **fields}


def sse_events(body: Json, output: list[Json]) -> Iterator[Json]:
    """The same response as the server-sent events a streaming client reads."""
    yield _event("created", response=response(body, [], "in_progress"))
    for index, item in enumerate(output):
        at: Json = {"output_index": index, "item_id": item["id"]}
        started = {**item, "status": "in_progress"}
        if item["type"] == "message":
            part, in_part = item["content"][0], {**at, "content_index": 0}
            yield _event("output_item.added", output_index=index, item={**started, "content": []})
            yield _event("content_part.added", **in_part, part={**part, "text": ""})
            yield _event("output_text.delta", **in_part, delta=part["text"], logprobs=[])
            yield _event("output_text.done", **in_part, text=part["text"], logprobs=[])
            yield _event("content_part.done", **in_part, part=part)
        else:
            field = "input" if item["type"] == "custom_tool_call" else "arguments"
            kind = "custom_tool_call_input" if field == "input" else "function_call_arguments"
            yield _event("output_item.added", output_index=index, item={**started, field: ""})
            yield _event(f"{kind}.delta", **at, delta=item[field])
            yield _event(f"{kind}.done", **at, **{field: item[field]})
        yield _event("output_item.done", output_index=index, item=item)
    yield _event("completed", response=response(body, output, "completed"))
