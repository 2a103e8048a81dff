"""No untrusted text becomes a workflow command, judged by the runner's own rules.

``runner_commands`` mirrors how actions/runner reads a step's output:
src/Runner.Common/ActionCommand.cs (``TryParseV2`` trims leading whitespace and
needs ``::name ...::``; the legacy ``TryParse`` finds ``##[name ...]`` anywhere in a
line) and src/Runner.Worker/ActionCommandManager.cs (``stop-commands`` registers its
data as the only command that resumes, in either form, case-insensitively). Lines end
at ``\\n``, ``\\r`` or ``\\r\\n`` (.NET ``ReadLine``).
"""

from __future__ import annotations

import io
import logging
import os
import re

import pytest

from bot.actions_runtime import InertFormatter, Runtime, inert_lines
from tests.action_rig import Runner
from tests.agent_scripts import finish
from tests.payloads import dispatch_event
from tests.rig.scripted_model import Call, Say, Shell

# The runner's command extensions (Runner.Worker), plus stop-commands.
REGISTERED = {
    "stop-commands",
    "add-mask",
    "add-path",
    "set-env",
    "set-output",
    "save-state",
    "add-matcher",
    "remove-matcher",
    "echo",
    "debug",
    "notice",
    "warning",
    "error",
    "group",
    "endgroup",
}


def _name(info: str) -> str:
    return info.split(" ", 1)[0].lower()


def parse_command(line: str, registered: set[str]) -> tuple[str, str] | None:
    """(command, data) if the runner would take ``line`` for a command."""
    trimmed = line.lstrip()
    if trimmed.startswith("::"):
        end = trimmed.find("::", 2)
        if end >= 0 and _name(trimmed[2:end]) in registered:
            return _name(trimmed[2:end]), trimmed[end + 2 :]
    start = line.find("##[")
    if start >= 0:
        end = line.find("]", start)
        if end >= 0 and _name(line[start + 3 : end]) in registered:
            return _name(line[start + 3 : end]), line[end + 1 :]
    return None


def runner_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def runner_commands(text: str) -> list[tuple[str, str]]:
    """The commands the runner would carry out, in order, stop-commands honoured."""
    registered = set(REGISTERED)
    token: str | None = None
    done: list[tuple[str, str]] = []
    for line in runner_lines(text):
        command = parse_command(line, registered)
        if command is None:
            continue
        name, data = command
        if token is not None:
            if name == token:
                registered.discard(token)
                token = None
            continue
        if name == "stop-commands":
            token = data.lower()
            registered.add(token)
            continue
        done.append(command)
    return done


HOSTILE = [
    "a\n::error title=x::pwned",
    "##[error]pwned",
    "name\r  ::add-mask::pwned",
    "tab\n\t::set-output name=conclusion::pwned",
    "legacy in the middle ##[warning]pwned",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_parser_sees_the_hostile_text_as_commands(text: str) -> None:
    assert runner_commands(text) != []


@pytest.mark.parametrize("text", HOSTILE)
def test_no_log_line_is_a_command(text: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(InertFormatter("%(message)s"))
    logger = logging.getLogger("bot.test_output_safety")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("refused the file %s", text)
        try:
            raise RuntimeError(text)
        except RuntimeError:
            logger.exception("failed on %s", text)
    finally:
        logger.removeHandler(handler)

    written = stream.getvalue()
    assert "pwned" in written
    assert runner_commands(written) == []
    assert all(line.startswith("bot.test_output_safety: ") for line in written.splitlines())


@pytest.mark.parametrize("prefix", ["", "  ", "::x:: ", "##[error] "])
def test_a_prefix_that_would_not_protect_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="inert"):
        inert_lines("text", prefix)


def test_only_the_bots_own_commands_run_inside_the_block() -> None:
    stream = io.StringIO()
    runtime = Runtime(output_path=None, summary_path=None, stream=stream)
    runtime.mask(["s3cret-value"])
    with runtime.commands_stopped():
        stream.write("::add-mask::agent\n##[error]agent\n")
        stream.write("an unfinished line ::error::agent")  # no newline: must not eat ours
        runtime.error("50% of a\n::error::file name")
        with runtime.untrusted_output():  # already guarded: no second block
            stream.write("::warning::agent\n")
        runtime.mask(["later-secret"])
        stream.write("::error::agent again\n")

    text = stream.getvalue()
    assert runner_commands(text) == [
        ("add-mask", "s3cret-value"),
        ("error", "50%25 of a%0A::error::file name"),
        ("add-mask", "later-secret"),
    ]
    # Each resume uses a token that was never printed before its block.
    tokens = re.findall(r"::stop-commands::(\w+)", text)
    assert len(tokens) == len(set(tokens)) == 3
    # The block is closed at the end: later steps' commands work again.
    assert runner_commands(text + "\n::add-mask::next-step\n")[-1] == ("add-mask", "next-step")


def test_untrusted_output_alone_still_opens_its_own_block() -> None:
    stream = io.StringIO()
    Runtime(output_path=None, summary_path=None, stream=stream).print_untrusted(
        "::add-mask::x\n::error::y"
    )
    assert runner_commands(stream.getvalue()) == []
    assert stream.getvalue().startswith("::stop-commands::")


# Codex's command: workflow commands on its own output, and straight into the bot's
# stdout and stderr through /proc (what a command running without a sandbox can do);
# a file name the failure reply and log will name; a .env so that the run fails and
# the bot ends with its own ::error.
HOSTILE_COMMAND = r"""
printf '::add-mask::x\n::error::pwned-stdout\n'
printf '::error::pwned-stderr\n' >&2
touch "$(printf 'name\n::error title=x::pwned-name')"
echo 'API_TOKEN=abc' > .env
p=$$
while [ "$p" -gt 1 ]; do
  if tr '\0' ' ' < /proc/$p/cmdline | grep -q -- '-m bot $'; then
    printf 'partial ::error::pwned-fd1' > /proc/$p/fd/1
    printf '##[error]pwned-fd1\n::add-mask::x\n' > /proc/$p/fd/1
    printf '::error::pwned-fd2\n##[warning]pwned-fd2\n' > /proc/$p/fd/2
    touch reached-the-bot
  fi
  p=$(cut -d' ' -f4 /proc/$p/stat)
done
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="the agent's own user needs root")
def test_hostile_output_in_a_whole_run_is_never_a_command(runner: Runner) -> None:
    """The agent's commands print commands, and try to write into the bot's own stdout
    and stderr through /proc: as the agent's own user they cannot even open them."""
    runner.inputs["INPUT_SANDBOX"] = "danger-full-access"  # so /proc shows the bot
    runner.model.add(
        "orchestrator",
        Call("codex", {"prompt": "x"}),
        finish(summary="::error::pwned-summary\n##[error]pwned-summary"),
    )
    runner.model.add("codex", Shell(HOSTILE_COMMAND), Say("::error::pwned-message"))

    run = runner.run("workflow_dispatch", dispatch_event("print things"))

    assert run.returncode == 1
    assert (runner.workspace / "reached-the-bot").exists(), run.stderr
    assert "pwned-fd1" not in run.stdout
    assert "pwned-fd2" not in run.stderr
    lines = runner_lines(run.stdout)
    first_stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    assert all(line.startswith("::add-mask::") for line in lines[:first_stop])
    # From the first stop to the end, the runner reads commands only in the bot's own
    # short resumes (resume, the bot's command, stop again), and the last line resumes.
    windows = open_windows(lines[first_stop:])
    assert windows[:-1] == [["error"]], run.stdout
    assert windows[-1] == []
    # The runner feeds stdout and stderr to one command processor in an order the
    # test cannot see: stderr lines anywhere after the block opened must be inert.
    for at in (first_stop + 1, len(lines) - 2):
        merged = "\n".join([*lines[:at], run.stderr, *lines[at:]])
        executed = runner_commands(merged)
        assert [name for name, _ in executed if name != "add-mask"] == ["error"]
        assert not any("pwned" in data for _, data in executed)
        # The block is closed when the bot exits: the next step's commands work.
        assert runner_commands(merged + "\n::add-mask::next\n")[-1] == ("add-mask", "next")


def open_windows(lines: list[str]) -> list[list[str]]:
    """What the runner reads while commands run, per stretch between a resume and a stop.

    A bot command is listed by name; any other non-blank line as ``text: <line>``.
    """
    registered = set(REGISTERED)
    token: str | None = None
    windows: list[list[str]] = []
    for line in lines:
        command = parse_command(line, registered)
        if token is not None:
            if command is not None and command[0] == token:
                registered.discard(token)
                token = None
                windows.append([])
            continue
        if command is not None and command[0] == "stop-commands":
            token = command[1].lower()
            registered.add(token)
        elif windows and command is not None:
            windows[-1].append(command[0])
        elif windows and line.strip():
            windows[-1].append(f"text: {line}")
    return windows
