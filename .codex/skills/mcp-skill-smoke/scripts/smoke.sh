#!/usr/bin/env bash
# The mcp-skill-smoke skill's script: write skill-smoke.txt in the current directory
# with a known marker, then print it. Proof that Codex ran a script shipped in a skill.
set -euo pipefail
marker="mcp-skill-smoke: OK"
printf '%s\n' "$marker" >skill-smoke.txt
cat skill-smoke.txt
