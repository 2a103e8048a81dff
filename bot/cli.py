"""The ``codex-pr-bot`` command: ``local``, ``mcp-server`` and ``action``.

Each subcommand imports its own modules, so ``--help`` and early errors come fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

USAGE = """\
usage: codex-pr-bot <command> [options]

commands:
  local "<prompt>" [--repo PATH] [--push]   make a change in a local clone
  mcp-server [options]                      serve Codex's codex/codex-reply tools on stdio
  action                                    run as the GitHub Action (what `python -m bot` does)
  fleet plan FLEET_YML | fleet rollup DIR   a fleet's matrix, and its night's tracking issue

Run `codex-pr-bot <command> --help` for a command's options.
"""


def main(argv: Sequence[str] | None = None, *, default: str | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else default
    if command == "local":
        from bot.local import main as run_local

        return run_local(args, _clean_environ())
    if command == "mcp-server":
        from bot.mcp_server import main as run_server

        return run_server(args)
    if command == "action":
        from bot.action import main as run_action

        return run_action(args, _clean_environ())
    if command == "fleet":
        from bot.fleet_cli import main as run_fleet

        # No agent runs here, so nothing could read the token from /proc: no re-exec.
        return run_fleet(args, dict(os.environ))
    stream = sys.stdout if command in ("-h", "--help") else sys.stderr
    print(USAGE, file=stream, end="")
    return 0 if stream is sys.stdout else 2


def _clean_environ() -> dict[str, str]:
    """Hide secrets from /proc/self/environ (by re-executing), then return them."""
    from bot.secret_env import environ_with_secrets, reexec_without_secrets

    reexec_without_secrets()
    return environ_with_secrets()


if __name__ == "__main__":
    raise SystemExit(main())
