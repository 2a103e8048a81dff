#!/usr/bin/env bash
# The container's entry point: hide the secrets, check that Codex's sandbox can work
# here, then hand over to the bot (`python -m bot [command] [args]`, action mode when
# no command is given).
set -euo pipefail

# A value written as "..." or '...' (some .env files quote them) loses one pair of
# quotes; the value is never printed, only masked.
unquote() {
    local value=$1 first last
    if ((${#value} >= 2)); then
        first=${value:0:1}
        last=${value: -1}
        if [[ $first == "$last" && ($first == '"' || $first == "'") ]]; then
            value=${value:1:${#value}-2}
        fi
    fi
    printf '%s' "$value"
}

# Masks first, before anything else is printed.
for name in INPUT_GITHUB_TOKEN GITHUB_TOKEN INPUT_OPENAI_API_KEY OPENAI_API_KEY; do
    value=${!name:-}
    [[ -n $value ]] || continue
    value=$(unquote "$value")
    export "$name=$value"
    while IFS= read -r line; do
        [[ -z ${line//[[:space:]]/} ]] || printf '::add-mask::%s\n' "$line"
    done <<<"$value"
done
unset name value line

# Codex sandboxes commands with bubblewrap, which needs new namespaces. Docker's default
# seccomp profile (what a container action gets) forbids them, and then every command
# Codex runs fails while its turn still reports success. So try the very sandbox Codex
# would use, and if it cannot start, run unsandboxed: the container is the boundary.
# The input (INPUT_SANDBOX, always set by the runner) wins over CODEX_SANDBOX_MODE.

# Prints why the sandbox cannot start and fails; succeeds silently when it works.
sandbox_refused() {
    local codex output
    # Without Codex the bot fails anyway, with a clearer message than ours.
    codex=$(python -c 'import codex_cli_bin; print(codex_cli_bin.bundled_codex_path())') ||
        return 0
    # `codex sandbox` runs a command the way Codex runs its tools (bwrap, seccomp).
    if output=$("$codex" sandbox -c "sandbox_mode=\"$1\"" -- true 2>&1 </dev/null); then
        return 0
    fi
    # The first sentence of the first error line, e.g. "bwrap: No permissions to create a
    # new namespace, likely because ...".
    output=$(grep -v '^WARNING' <<<"$output" | head -n 1)
    printf '%s' "${output%%. *}"
    return 1
}

requested=${INPUT_SANDBOX:-${CODEX_SANDBOX_MODE:-workspace-write}}
if [[ $requested == read-only || $requested == workspace-write ]]; then
    if ! reason=$(sandbox_refused "$requested"); then
        reason=${reason//%/%25}
        hint=""
        [[ $reason != *namespace* ]] ||
            hint=" Docker's default seccomp profile forbids the namespaces bubblewrap needs."
        if [[ $requested == read-only ]]; then
            # Read-only cannot be kept without the sandbox, and widening it silently would
            # betray the choice: the bot refuses the request and says why.
            export CODEX_PR_BOT_SANDBOX_UNAVAILABLE="${reason:-no reason given}.${hint}"
        else
            printf '::warning title=codex-pr-bot::%s\n' \
                "Codex's ${requested} sandbox cannot start in this container (${reason:-no reason given}).${hint} Codex runs with danger-full-access instead: the container is the boundary, and Codex's commands can change anything in it."
            export INPUT_SANDBOX=danger-full-access CODEX_SANDBOX_MODE=danger-full-access
        fi
    fi
fi

exec python -m bot "$@"
