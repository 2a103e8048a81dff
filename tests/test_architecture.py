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
    "github": {
        "github_api.py",
        "github_actions.py",
        "github_errors.py",
        "github_git.py",
        "github_issues.py",
    },
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


# The composition roots of the bot's processes: the only modules that read the
# environment. ``secret_env`` is the roots' own tool for it (re-exec without secrets).
ROOTS = {"cli.py", "action.py", "local.py", "mcp_server.py", "fleet_cli.py", "secret_env.py"}
# Pure readers a root hands the environment mapping to, and nothing else may take it.
READERS = {"settings.py"}
ENTRY = {"cli.py", "__main__.py"}


_ENVIRONMENT = frozenset({"environ", "environb", "getenv"})


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found = node.value.id == "os" and node.attr in _ENVIRONMENT
        elif isinstance(node, ast.ImportFrom):
            found = node.module == "os" and bool({a.name for a in node.names} & _ENVIRONMENT)
        else:
            found = False
        if found:
            return True
    return False


def _takes_the_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            if "environ" in names:
                return True
    return False


def test_only_the_roots_read_the_environment() -> None:
    readers = {p.name for p in BOT.glob("*.py") if _reads_environment(ast.parse(p.read_text()))}
    assert readers <= ROOTS, f"below the root: {sorted(readers - ROOTS)}"


def test_the_raw_environment_goes_no_deeper_than_its_readers() -> None:
    takers = {p.name for p in BOT.glob("*.py") if _takes_the_environment(ast.parse(p.read_text()))}
    assert takers <= ROOTS | READERS, f"takes environ: {sorted(takers - ROOTS - READERS)}"


def test_nothing_below_a_root_imports_it() -> None:
    roots = {f"bot.{name.removesuffix('.py')}" for name in ROOTS - {"secret_env.py"}}
    for path in BOT.glob("*.py"):
        if path.name in ENTRY:
            continue
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
        mine = f"bot.{path.stem}"
        assert not (imported & roots) - {mine}, f"{path.name} imports {imported & roots}"


def test_the_checks_above_catch_a_module_that_reads_the_environment() -> None:
    assert _reads_environment(ast.parse("import os\nx = os.environ.get('HOME')"))
    assert _reads_environment(ast.parse("from os import getenv"))
    assert _takes_the_environment(ast.parse("def f(environ): pass"))
    assert not _reads_environment(ast.parse("import os\nx = os.getcwd()"))


def test_the_architecture_map_names_every_module() -> None:
    documented = (BOT.parent / "docs" / "architecture.md").read_text()
    modules = sorted(p.stem for p in BOT.glob("*.py") if p.stem != "__init__")
    assert [m for m in modules if f"`{m}`" not in documented] == []
