"""The shape the code promises: one module per external system, nothing slow at start."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).parent.parent / "bot"

# Each external system is reached from exactly one module.
OWNERS = {
    "agents": {"agent.py"},
    "openai": {"agent.py"},
    "openai_codex": {"codex_runner.py"},
    "mcp": {"mcp_server.py"},
    "mcp_types": {"mcp_server.py", "agent.py"},
    "github": {"github_api.py"},
    # git, and the processes and files of the agent's own user.
    "subprocess": {"gitrepo.py", "agent_user.py", "agent_space.py"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_each_external_system_has_one_home(library: str) -> None:
    users = {p.name for p in BOT.glob("*.py") if library in imported_roots(p)}
    assert users <= OWNERS[library], f"{library} imported by {sorted(users - OWNERS[library])}"


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in BOT.glob("*.py")}
    assert max(sizes.values()) < 300, sizes


def test_start_up_path_has_no_heavy_imports() -> None:
    """Feedback must not wait for the Agents SDK or the Codex SDK to import."""
    code = (
        "import sys, bot.cli, bot.action, bot.settings, bot.events, bot.authz;"
        "print(','.join(m for m in ('agents','openai_codex','mcp','github') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
