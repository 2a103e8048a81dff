"""What the numbers were measured on."""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> list[tuple[str, str]]:
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()}" + (f" ({usable} usable)" if usable != os.cpu_count() else "")
    return [
        ("CPU", _cpu_model()),
        ("Cores", cores),
        ("RAM", _ram()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("git", git.stdout.strip().removeprefix("git version ")),
        (
            "Packages",
            ", ".join(
                f"{name} {_version(name)}"
                for name in ("openai-agents", "openai-codex", "mcp", "PyGithub")
            ),
        ),
        (
            "Bytecode",
            "PYTHONDONTWRITEBYTECODE="
            + os.environ.get("PYTHONDONTWRITEBYTECODE", "unset")
            + " (site-packages precompiled: "
            + ("yes" if _precompiled() else "no")
            + ")",
        ),
    ]


def _precompiled() -> bool:
    spec = importlib.util.find_spec("agents")
    if spec is None or spec.origin is None:
        return False
    return any((Path(spec.origin).parent / "__pycache__").glob("run.*.pyc"))
