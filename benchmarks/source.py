"""Which bot is measured: the working tree (default), ``bot/`` as of a git revision, or
a ``bot`` package in another directory (a patched copy, to try a fix before making it).

For ``--rev REV`` the package is exported with ``git archive`` (read-only). For ``--rev``
and ``--bot-dir`` it runs under the interpreter of a small virtual environment whose
only path entries are that package and this project's site-packages: the bot starts its
MCP server with ``sys.executable`` and an allow-listed environment, so a PYTHONPATH
would not reach the server, but the interpreter does.
"""

from __future__ import annotations

import io
import subprocess
import sys
import sysconfig
import tarfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BotSource:
    python: str  # the interpreter that runs ``python -m bot``
    description: str
    path: Path  # the directory holding the ``bot`` package


def working_tree() -> BotSource:
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    # Read-only checks (``git describe --dirty`` would rewrite the index).
    changed = subprocess.run(
        ["git", "diff", "--quiet", "HEAD", "--", "bot"], cwd=PROJECT, check=False
    ).returncode
    untracked = _git("ls-files", "--others", "--exclude-standard", "--", "bot")
    state = "with uncommitted changes to bot/" if changed or untracked else "clean bot/"
    return BotSource(sys.executable, f"working tree at {head}, {state}", PROJECT)


def at_revision(rev: str, dest: Path) -> BotSource:
    commit = _git("rev-parse", "--short", f"{rev}^{{commit}}")
    if not commit:
        raise SystemExit(f"scripts/bench: unknown revision {rev!r}")
    src = dest / "src"
    src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "bot"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(src, filter="data")
    return from_directory(src, dest, f"`bot/` at {rev} ({commit})")


def from_directory(src: Path, dest: Path, description: str = "") -> BotSource:
    """Measure the ``bot`` package in ``src`` (e.g. a patched copy, to try a fix)."""
    src = src.resolve()
    if not (src / "bot" / "__main__.py").is_file():
        raise SystemExit(f"scripts/bench: no bot package in {src}")
    venv = dest / "venv"
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(sysconfig.get_paths()["purelib"])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    pth = venv / "lib" / version / "site-packages" / "codex_pr_bot_bench.pth"
    pth.write_text(f"{src}\n{purelib}\n")
    # The bench process imports bot modules too (floor, git work): the same package.
    if "bot" in sys.modules:
        raise RuntimeError("choose the bot source before anything imports bot")
    sys.path.insert(0, str(src))
    return BotSource(str(venv / "bin" / "python"), description or f"`bot/` from {src}", src)


def _git(*argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=PROJECT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""
