#!/usr/bin/env bash
# Build the action's image and smoke-test it offline against the test rig on 127.0.0.1
# (the containers use --network host to reach it; nothing leaves the machine):
#
#   (a) skills: `codex-pr-bot local "Use $mcp-skill-smoke ..."` in the container on a
#       throwaway repository. The scripted model's Codex turn runs the skill's script;
#       checks that Codex's model request carried SKILL.md (the skill was loaded), that
#       skill-smoke.txt holds the marker and was committed. Then again with a changed
#       copy of the skills mounted read-only over /app/.codex/skills, and once with
#       seccomp unconfined, where Codex keeps its workspace-write sandbox (elsewhere
#       the entrypoint must find it unusable, warn, and fall back to danger-full-access).
#       With OPENAI_API_KEY set (and OPENAI_BASE_URL, if any), (a) talks to that API
#       instead of the scripted model and reads the proof from Codex's session file.
#   (b) end to end: a `/codex` comment, the container started the way the runner starts
#       a container action: as root under Docker's default seccomp profile, the
#       daemon's socket (root:docker 660, as on hosted runners) mounted, every input
#       (INPUT_* defaults from action.yml) and the runner's variables and tokens in its
#       environment, and the workspace, event file, runner home and file-command files
#       owned by the runner's uid 1001; against the GitHub fake and the git remote.
#       (b1) an ordinary request: checks the exit code, the outputs, the branch on the
#       remote, the pull request and replies in the fake, and that the runner would run
#       no workflow command in the output but the bot's.
#       (b2) a hostile Codex (scripts/docker_attacks.py) tries, in the same setting, to
#       read the container's environment through the Docker socket, read secrets in
#       /proc, plant programs the bot or a later step runs, redirect or replace .git,
#       leave a fork-hopping process behind, write the file-command files, and forge
#       workflow commands; each attempt is recorded in a mounted evidence folder, and
#       each check proves the attempt ran and failed, while the run still ends in a
#       pull request. (b3) it commits a .env and a key itself, and hides a key in a
#       binary file behind `-diff`: nothing is pushed, and the run fails saying why.
#
# Works from a fresh clone as root: installs docker.io (and mmdebstrap) and starts
# dockerd when needed; without a pullable base image it builds one from Debian's
# packages (scripts/build-base-image.sh). Set BASE_IMAGE to use another base.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IMAGE=${IMAGE:-codex-pr-bot:smoke}
LOCAL_BASE=local/python-base:bookworm
DEFAULT_BASE=$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)
REPO_NAME=Codertocat/Hello-World # the repository of the webhook fixture
TOKEN=ghs_smokeTestToken0123456789
MODEL_KEY=sk-test-scripted-key # the scripted model's default key
MARKER="mcp-skill-smoke: OK"
export UV_SYSTEM_CERTS=${UV_SYSTEM_CERTS:-1}
started=$(date +%s)

work=$(mktemp -d)
pids=()
dockerd_pid=""
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n $dockerd_pid ]]; then
        kill "$dockerd_pid" 2>/dev/null || true
        wait "$dockerd_pid" 2>/dev/null || true
    fi
    # Containers left root's files in the mounts; as another user, take them back first.
    if ((EUID != 0)) && docker image inspect "$IMAGE" >/dev/null 2>&1; then
        docker run --rm --network none -v "$work:/work" --entrypoint chown "$IMAGE" \
            -R "$(id -u):$(id -g)" /work 2>/dev/null || true
    fi
    chmod -R u+w "$work" 2>/dev/null || true
    if [[ -n ${KEEP_WORK:-} ]]; then
        echo "kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
ok() { printf 'ok: %s\n' "$*"; }

# ---- Docker --------------------------------------------------------------------------------
apt_install() {
    [[ -n ${apt_updated:-} ]] || { apt-get update -qq && apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

start_docker() {
    if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
        apt_install docker.io
    fi
    docker info >/dev/null 2>&1 && return
    step "starting dockerd (stopped again at the end)"
    # As on hosted runners, the socket is root:docker 660: dockerd gives it the group
    # named by --group, which Debian's docker.io creates; create it where it is missing.
    getent group docker >/dev/null || groupadd --system docker
    # No bridge: containers use --network none or host only.
    dockerd --group docker --bridge=none --iptables=false --ip6tables=false \
        --storage-driver=overlay2 >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && return
        sleep 0.5
    done
    tail -n 20 "$work/dockerd.log" >&2
    fail "dockerd did not start"
}

choose_base() {
    if [[ -n ${BASE_IMAGE:-} ]]; then
        echo "$BASE_IMAGE"
    elif docker image inspect "$DEFAULT_BASE" >/dev/null 2>&1 ||
        timeout 120 docker pull -q "$DEFAULT_BASE" >/dev/null 2>&1; then
        echo "$DEFAULT_BASE"
    else
        if ! docker image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
            local base_start=$SECONDS
            command -v mmdebstrap >/dev/null || apt_install mmdebstrap
            bash scripts/build-base-image.sh "$LOCAL_BASE" >&2
            echo "ok: $DEFAULT_BASE cannot be pulled: built $LOCAL_BASE from Debian's" \
                "packages in $((SECONDS - base_start)) s" >&2
        fi
        echo "$LOCAL_BASE"
    fi
}

# ---- the rig on the host ---------------------------------------------------------------
# Starts a server in the background; sets READY to the URL it prints on "READY <url>".
serve() {
    local name=$1
    shift
    : >"$work/$name.out"
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    for _ in $(seq 300); do
        READY=$(awk '/^READY /{print $2; exit}' "$work/$name.out")
        [[ -z $READY ]] || return 0
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$work/$name.err" >&2
    fail "$name did not start"
}

# Stops the server started last (so it writes its record or dump).
stop_last() {
    local pid=${pids[-1]}
    kill -TERM "$pid"
    wait "$pid" || true
    unset 'pids[-1]'
}

# Checks, in Python for the JSON; each prints what it proved or exits non-zero.
cat >"$work/check.py" <<'PY'
import json
import sys
from pathlib import Path


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def skill_lines(skill_md):
    return [line.strip() for line in Path(skill_md).read_text().splitlines() if line.strip()]


def carried_skill(texts, skill_md):
    text = "\n".join(texts)
    missing = [line for line in skill_lines(skill_md) if line not in text]
    return missing


def requests(record):
    return [json.loads(line) for line in Path(record).read_text().splitlines()]


def skill_in_requests(record, skill_md):
    codex = [r for r in requests(record) if r["role"] == "codex"]
    if not codex:
        sys.exit("Codex sent no request to the model")
    if any(r["status"] != 200 for r in requests(record)):
        sys.exit(f"the model answered errors: {[r['status'] for r in requests(record)]}")
    first = list(strings(codex[0]["body"].get("input")))
    if not any("$mcp-skill-smoke" in t for t in first):
        sys.exit("Codex's first request does not carry the prompt naming $mcp-skill-smoke")
    missing = carried_skill(first, skill_md)
    if missing:
        sys.exit(f"Codex's request lacks these SKILL.md lines: {missing}")
    print(f"Codex's first model request carried all {len(skill_lines(skill_md))} "
          f"lines of {skill_md} ({len(codex)} Codex requests)")


def skill_in_sessions(sessions, skill_md):
    texts = []
    for path in Path(sessions).rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            texts.extend(strings(json.loads(line)))
    missing = carried_skill(texts, skill_md)
    if not texts or missing:
        sys.exit(f"Codex's session files lack these SKILL.md lines: {missing or 'all'}")
    print(f"Codex's session file carried all lines of {skill_md}")


def outputs(path):
    """Parse GITHUB_OUTPUT (name=value lines and name<<DELIMITER heredocs) to JSON."""
    lines, found = iter(Path(path).read_text().splitlines()), {}
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value = []
            for item in lines:
                if item == delimiter:
                    break
                value.append(item)
            found[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    print(json.dumps(found))


def event(fixture, api_url, token, repository, body, out):
    """The fixture's issue_comment event, pointed at the fake's issue #1 and its comment."""
    from urllib.request import Request, urlopen

    request = Request(f"{api_url}/repos/{repository}/issues/1/comments",
                      headers={"Authorization": f"Bearer {token}"})
    with urlopen(request, timeout=10) as response:  # noqa: S310 - the fake on 127.0.0.1
        [comment] = json.load(response)
    payload = json.loads(Path(fixture).read_text())
    payload["comment"].update(id=comment["id"], body=body)
    payload["issue"]["number"] = 1
    # The served repository's default branch, as GitHub's event for it would say.
    payload["repository"]["default_branch"] = "main"
    assert payload["repository"]["full_name"] == repository
    Path(out).write_text(json.dumps(payload))


def fake_state(dump, branch, expected_comment):
    state = json.loads(Path(dump).read_text())
    if state["validation_errors"]:
        sys.exit(f"the GitHub fake saw invalid traffic: {state['validation_errors']}")
    pulls = [i for i in state["issues"] if i.get("head")]
    if [(p["head"], p["base"]) for p in pulls] != [(branch, "main")]:
        sys.exit(f"expected one pull request {branch} -> main, the fake holds {pulls}")
    replies = [c for c in state["comments"] if c["issue_number"] == 1 and str(c["id"]) != expected_comment]
    if not replies:
        sys.exit("the bot did not reply on issue #1")
    if not any(state["reactions"].values()):
        sys.exit("the bot did not react to the /codex comment")
    pull = pulls[0]
    print(f"the fake holds PR #{pull['number']} {pull['head']} -> {pull['base']} "
          f"'{pull['title']}', {len(replies)} reply on #1, a reaction, "
          f"{len(state['requests'])} valid API calls")


def no_secrets_to_model(record, *secrets):
    """No model request carried a secret, though Codex's command tried to read them all."""
    records = requests(record)
    if not any("leak-probe-42" in json.dumps(r["body"]) for r in records):
        sys.exit("the leak probe's output did not reach the model: the check proves nothing")
    leaked = [s[:6] + "…" for s in secrets if any(s in json.dumps(r["body"]) for r in records)]
    if leaked:
        sys.exit(f"Codex's command read secrets and sent them to the model: {leaked}")
    print(f"Codex's command searched its environment and /proc/*/environ for secrets; "
          f"none of the {len(records)} model requests carried the token or the model key")


def runner_inputs(action_yml):
    """-e INPUT_<NAME>=<default> for each input, as the runner passes them."""
    import yaml

    inputs = yaml.safe_load(Path(action_yml).read_text())["inputs"]
    for name, spec in inputs.items():
        default = str(spec.get("default", ""))
        if "${{" not in default:
            print(f"INPUT_{name.upper()}={default}")


def action_outputs(action_yml):
    """The outputs action.yml declares, comma-separated: the only ones the bot may write."""
    import yaml

    print(",".join(yaml.safe_load(Path(action_yml).read_text())["outputs"]))


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY

step "rig and tools"
uv sync --quiet --compile-bytecode
PY=$(uv run --quiet python -c 'import sys; print(sys.executable)')
check() { PYTHONPATH=$ROOT "$PY" "$work/check.py" "$@"; }
start_docker

# ---- build -----------------------------------------------------------------------------
step "building $IMAGE"
base=$(choose_base)
build_start=$(date +%s)
if ! docker build --network host --build-arg "BASE_IMAGE=$base" -t "$IMAGE" . \
    >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    fail "docker build"
fi
build_seconds=$(($(date +%s) - build_start))
ok "built $IMAGE on $base in ${build_seconds} s"

# A throwaway repository, owned by another uid as the runner's checkout is, unless $2 is
# "mine" (bubblewrap, inside its user namespace, cannot add its mount points to a
# directory of another uid, so Codex's sandbox needs the repository to be root's).
new_repo() {
    local dir=$1 owner=${2:-}
    git init -q -b main "$dir"
    printf '# smoke\n' >"$dir/README.md"
    git -C "$dir" add README.md
    git -C "$dir" -c user.name=Smoke -c user.email=smoke@example.com commit -qm "Initial commit"
    # (As a user other than root, the files are already another uid's than the container's.)
    [[ $owner == mine ]] || ((EUID != 0)) || chown -R 1001:1001 "$dir"
}

agent_result='{"title": "Run the mcp-skill-smoke skill", "body": "Ran the skill.", "commit_message": "Add skill-smoke.txt\n\nWritten by the mcp-skill-smoke skill.", "summary": "Codex ran the mcp-skill-smoke skill.", "findings": []}'

# ---- (a) skills -------------------------------------------------------------------------
# $1: name; $2: the skills directory to mount read-only ("" for the baked-in skills);
# $3: the marker the skill's script writes; $4: "sandboxed" to allow the namespaces
# bubblewrap needs, so Codex keeps its workspace-write sandbox.
skill_smoke() {
    local name=$1 skills=$2 marker=$3 sandboxed=${4:-}
    local repo=$work/$1-repo sessions=$work/$1-sessions
    local skill_md=${skills:-$ROOT/.codex/skills}/mcp-skill-smoke/SKILL.md
    # shellcheck disable=SC2016  # $mcp-skill-smoke is how a prompt names a skill
    local prompt='Use $mcp-skill-smoke to run its script, then report what skill-smoke.txt says.'
    local mounts=(-v "$repo:/github/workspace" -v "$sessions:/app/.codex/sessions")
    [[ -z $skills ]] || mounts+=(-v "$skills:/app/.codex/skills:ro")
    local env=() options=()
    [[ -z $sandboxed ]] || options=(--security-opt seccomp=unconfined)
    step "(a) skill smoke: $name"
    new_repo "$repo" "${sandboxed:+mine}"
    mkdir -p "$sessions"
    if [[ -z ${OPENAI_API_KEY:-} ]]; then
        cat >"$work/$name.json" <<EOF
{"orchestrator": [{"call": "codex", "arguments": {"prompt": "$prompt"}},
                  {"say": $(printf '%s' "$agent_result" | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()))')}],
 "codex": [{"shell": "bash /app/.codex/skills/mcp-skill-smoke/scripts/smoke.sh"},
           {"say": "skill-smoke.txt says: $marker"}]}
EOF
        serve "$name-model" "$PY" "$ROOT/tests/rig/scripted_model.py" \
            --script "$work/$name.json" --record "$work/$name.requests.jsonl"
        # Quoted, as some .env files write it: the entrypoint strips the quotes.
        env=(-e "OPENAI_API_KEY=\"$MODEL_KEY\"" -e "OPENAI_BASE_URL=$READY")
    else
        echo "OPENAI_API_KEY is set: the real model API instead of the scripted model"
        env=(-e OPENAI_API_KEY)
        [[ -z ${OPENAI_BASE_URL:-} ]] || env+=(-e OPENAI_BASE_URL)
    fi
    local rc=0
    docker run --rm --network host "${options[@]}" "${env[@]}" "${mounts[@]}" "$IMAGE" \
        local "$prompt" --repo /github/workspace --branch codex/skill-smoke \
        >"$work/$name.stdout" 2>"$work/$name.stderr" || rc=$?
    if [[ -z ${OPENAI_API_KEY:-} ]]; then stop_last; fi
    if ((rc != 0)); then
        cat "$work/$name.stdout" >&2
        tail -n 30 "$work/$name.stderr" >&2
        fail "$name: the container exited $rc"
    fi
    local mode
    mode=$(sed -n 's/.*started in .* (sandbox \(.*\))$/\1/p' "$work/$name.stderr" | head -n 1)
    if grep -q '^::warning title=codex-pr-bot::' "$work/$name.stdout"; then
        [[ $mode == danger-full-access ]] || fail "$name: warned, yet Codex ran in '$mode'"
        ok "the entrypoint found no usable sandbox, warned, and Codex ran in $mode"
        # Some hosts forbid user namespaces whatever the container may do (AppArmor on
        # Ubuntu 24.04, say): then the sandboxed variant can only show the fallback.
        [[ -z $sandboxed ]] ||
            echo "note: even with seccomp unconfined this host allows no sandbox: $(
                sed -n 's/^::warning title=codex-pr-bot:://p' "$work/$name.stdout")"
    else
        [[ $mode == workspace-write ]] || fail "$name: Codex ran in '$mode' without a warning"
        ok "the sandbox works here: Codex ran in $mode"
    fi
    [[ $(cat "$repo/skill-smoke.txt" 2>/dev/null) == "$marker" ]] ||
        fail "$name: skill-smoke.txt does not hold '$marker'"
    [[ $(git -c safe.directory="*" -C "$repo" show codex/skill-smoke:skill-smoke.txt) == "$marker" ]] ||
        fail "$name: skill-smoke.txt is not committed on codex/skill-smoke"
    ok "skill-smoke.txt holds '$marker', committed on codex/skill-smoke"
    local proof
    if [[ -z ${OPENAI_API_KEY:-} ]]; then
        proof=$(check skill-in-requests "$work/$name.requests.jsonl" "$skill_md") || fail "$name"
    else
        proof=$(check skill-in-sessions "$sessions" "$skill_md") || fail "$name"
    fi
    ok "$proof"
}

skill_smoke baked "" "$MARKER"

# The same with a changed copy mounted read-only over the baked-in skills.
mounted=$work/skills-mounted
mkdir -p "$mounted"
cp -r "$ROOT/.codex/skills/." "$mounted/"
printf '\nThis copy was mounted read-only from the host.\n' >>"$mounted/mcp-skill-smoke/SKILL.md"
sed -i 's/^marker=.*/marker="mcp-skill-smoke: OK (mounted)"/' \
    "$mounted/mcp-skill-smoke/scripts/smoke.sh"
chmod -R a-w "$mounted"
skill_smoke mounted "$mounted" "mcp-skill-smoke: OK (mounted)"

# Where namespaces are allowed the probe keeps the sandbox, and the skill still works in it.
skill_smoke sandboxed "" "$MARKER" sandboxed

# ---- (b) end to end ---------------------------------------------------------------------
# Each run: a fresh clone of the remote as the workspace, a fresh GitHub fake and a
# scripted model, the container started as the runner starts it (see the top).
step "(b) end to end: a /codex comment, run as the runner runs a container action"
socket=/var/run/docker.sock
[[ $(stat -L -c '%a %U %G' "$socket") == "660 root docker" ]] ||
    fail "$socket is $(stat -L -c '%a %U %G' "$socket"), not 660 root docker as on hosted runners"
docker_gid=$(getent group docker | cut -d: -f3)
RUNNER_UID=1001
((EUID == 0)) || RUNNER_UID=$EUID # only root can give files away
serve git-remote "$PY" tests/rig/git_remote.py --root "$work/remote" \
    --full-name "$REPO_NAME" --token "$TOKEN"
remote_url=$READY
bare=$work/remote/$REPO_NAME.git
# Every ref update the remote accepts, with the time it arrived.
: >"$work/pushes.log"
cat >"$bare/hooks/pre-receive" <<EOF
#!/bin/sh
while read -r old new ref; do echo "\$(date +%s.%N) \$ref \$old \$new" >>"$work/pushes.log"; done
EOF
chmod 755 "$bare/hooks/pre-receive"

request="/codex Add hello.txt that says hello from codex."
cat >"$work/github-state.json" <<EOF
{"owner": "${REPO_NAME%/*}", "repo": "${REPO_NAME#*/}", "token": "$TOKEN",
 "permissions": {"Codertocat": "admin"},
 "issues": [{"title": "Say hello", "body": "We need a greeting.", "user": "Codertocat"}],
 "comments": [{"issue": 1, "body": "$request", "user": "Codertocat"}]}
EOF

# The runner's own secrets are in a container action's environment too.
RUNTIME_TOKEN=runtimeTok-0123456789abcdefABCDEF
ID_TOKEN=idReqTok-0123456789abcdefABCDEF
secrets_json=$(
    "$PY" -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
        INPUT_GITHUB_TOKEN "$TOKEN" INPUT_OPENAI_API_KEY "$MODEL_KEY" \
        ACTIONS_RUNTIME_TOKEN "$RUNTIME_TOKEN" ACTIONS_ID_TOKEN_REQUEST_TOKEN "$ID_TOKEN"
)
masks_json=$("$PY" -c 'import json,sys; print(json.dumps(list(json.loads(sys.argv[1]).values())))' \
    "$secrets_json")
attacks() { "$PY" "$ROOT/scripts/docker_attacks.py" "$@"; }

# What the runner passes: every input (defaults from action.yml), its own variables.
mapfile -t inputs < <(check runner-inputs action.yml)
runner_env=()
for input in "${inputs[@]}"; do runner_env+=(-e "$input"); done
runner_env+=(
    -e "INPUT_GITHUB_TOKEN=$TOKEN" -e "INPUT_OPENAI_API_KEY='$MODEL_KEY'"
    -e HOME=/github/home -e GITHUB_ACTIONS=true -e CI=true
    -e GITHUB_EVENT_NAME=issue_comment -e GITHUB_EVENT_PATH=/github/workflow/event.json
    -e GITHUB_WORKSPACE=/github/workspace -e "GITHUB_REPOSITORY=$REPO_NAME"
    -e GITHUB_RUN_ID=4242 -e GITHUB_ACTOR=Codertocat
    -e "ACTIONS_RUNTIME_TOKEN=$RUNTIME_TOKEN" -e "ACTIONS_ID_TOKEN_REQUEST_TOKEN=$ID_TOKEN"
    -e ACTIONS_ID_TOKEN_REQUEST_URL=http://127.0.0.1:9/token
)

# $1: the run's name, $2: the scripted model's script; the rest: more `docker run`
# arguments. Leaves the run's files in $work/$1 and sets RC and OUTPUTS (JSON).
runner_run() {
    local name=$1 script=$2
    shift 2
    local dir=$work/$name
    local commands=$dir/runner/file_commands id=5e0d6a7c-4b1f-4f6e-9a57-$RANDOM$RANDOM
    mkdir -p "$dir/runner/workflow" "$dir/runner/home" "$commands"
    git clone -q "$bare" "$dir/workspace"
    git -C "$dir/workspace" remote set-url origin "$remote_url"
    serve "$name-github" "$PY" tests/rig/github_fake.py --state "$work/github-state.json" \
        --dump "$dir/github-dump.json"
    local api_url=$READY
    check event tests/fixtures/webhooks/issue_comment.created.1.json "$api_url" "$TOKEN" \
        "$REPO_NAME" "$request" "$dir/runner/workflow/event.json"
    COMMENT_ID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["comment"]["id"])' \
        "$dir/runner/workflow/event.json")
    serve "$name-model" "$PY" "$ROOT/tests/rig/scripted_model.py" \
        --script "$script" --record "$dir/requests.jsonl"
    local model_url=$READY
    # The file-command files, empty and named as the runner names them.
    local env=(-e "OPENAI_BASE_URL=$model_url" -e "GITHUB_API_URL=$api_url"
        -e "GITHUB_SERVER_URL=${api_url%/api/v3}")
    local file variable
    for file in set_env:GITHUB_ENV add_path:GITHUB_PATH set_output:GITHUB_OUTPUT \
        save_state:GITHUB_STATE step_summary:GITHUB_STEP_SUMMARY; do
        variable=${file#*:}
        file=${file%%:*}_$id
        : >"$commands/$file"
        chmod 644 "$commands/$file"
        env+=(-e "$variable=/github/file_commands/$file")
    done
    ((EUID != 0)) || chown -R "$RUNNER_UID:$RUNNER_UID" "$dir/workspace" "$dir/runner"
    attacks git-listing "$dir/workspace/.git" "$dir/git-before.json"
    WORKSPACE_BEFORE=$(stat -c '%a %u:%g' "$dir/workspace")
    RC=0
    attacks stamp "$dir/out" -- docker run --rm --network host --workdir /github/workspace \
        "${runner_env[@]}" "${env[@]}" -v "$socket:/var/run/docker.sock" \
        -v "$dir/runner/home:/github/home" -v "$dir/runner/workflow:/github/workflow" \
        -v "$commands:/github/file_commands" -v "$dir/workspace:/github/workspace" \
        "$@" "$IMAGE" || RC=$?
    stop_last # the model
    stop_last # the GitHub fake, which writes its dump
    attacks git-listing "$dir/workspace/.git" "$dir/git-after.json"
    OUTPUTS=$(check outputs "$commands/set_output_$id") || OUTPUTS="{}"
}
output() { "$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$OUTPUTS" "$1"; }
show_run() {
    cat "$work/$1/out.stdout" >&2
    tail -n 40 "$work/$1/out.stderr" >&2
}

# -- (b1) the ordinary request
step "(b1) an ordinary request"
# A hostile turn would try to read the secrets: Codex's command searches its own
# environment and every process environment it can read for anything that looks like
# one, and the output goes to the model. (Short output: Codex truncates long output.)
leak_probe="{ env; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\\\000' '\\\\n'; } | grep -E 'TOKEN|KEY|SECRET|PASSWORD|ghs_|sk-'; echo leak-probe-\$((6 * 7))"
e2e_result='{"title": "Add hello.txt", "body": "Adds hello.txt with a greeting.", "commit_message": "Add hello.txt\n\nA greeting, as asked in #1.", "summary": "Added hello.txt with a greeting.", "findings": []}'
as_json() { "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()))'; }
cat >"$work/e2e.json" <<EOF
{"orchestrator": [{"call": "codex", "arguments": {"prompt": "Create hello.txt containing the line: hello from codex"}},
                  {"say": $(printf '%s' "$e2e_result" | as_json)}],
 "codex": [{"shell": "printf 'hello from codex\\\\n' > hello.txt"},
           {"shell": "$leak_probe"},
           {"say": "Created hello.txt."}]}
EOF
run_start=$SECONDS
runner_run e2e "$work/e2e.json"
if ((RC != 0)); then
    show_run e2e
    fail "end to end: the container exited $RC"
fi
ok "the container exited 0 in $((SECONDS - run_start)) s"

head -n 1 "$work/e2e/out.stdout" | grep -q '^::add-mask::' || fail "the first line is not a mask"
if grep -v '^::add-mask::' "$work/e2e/out.stdout" "$work/e2e/out.stderr" |
    grep -qF -e "$TOKEN" -e "$MODEL_KEY" -e "$RUNTIME_TOKEN" -e "$ID_TOKEN"; then
    fail "a secret was printed unmasked"
fi
ok "secrets masked before anything else and never printed"

[[ $(output conclusion) == pr_opened ]] || fail "conclusion is not pr_opened: $OUTPUTS"
branch=$(output branch)
ok "outputs: conclusion=pr_opened branch=$branch pr_number=$(output pr_number) pr_url=$(output pr_url)"
[[ -s $(echo "$work"/e2e/runner/file_commands/step_summary_*) ]] || fail "no job summary"
[[ $(git --git-dir "$bare" show "$branch:hello.txt") == "hello from codex" ]] ||
    fail "the remote's $branch lacks hello.txt"
ok "the remote has $branch with hello.txt: $(git --git-dir "$bare" log -1 --format='%s (%an)' "$branch")"
proof=$(check fake-state "$work/e2e/github-dump.json" "$branch" "$COMMENT_ID") || fail "end to end"
ok "$proof"
proof=$(check no-secrets-to-model "$work/e2e/requests.jsonl" "$TOKEN" "$MODEL_KEY") ||
    fail "end to end"
ok "$proof"
proof=$(attacks check-forged-commands "$work/e2e/out.lines.jsonl" "$masks_json") || fail "end to end"
ok "$proof"
proof=$(attacks check-git-owner "$work/e2e/workspace/.git" "$RUNNER_UID") || fail "$proof"
ok "$proof"

# -- (b2) a hostile Codex: every way out of its user, all in one turn
step "(b2) a hostile Codex tries every way out, in the same setting"
# The model's own answer carries workflow commands too; the bot prints its summary.
hostile_result='{"title": "Add hostile-run.txt", "body": "Adds hostile-run.txt.", "commit_message": "Add hostile-run.txt", "summary": "Added hostile-run.txt.\n::error title=pwned::summary\n##[error]pwned-summary", "findings": []}'
attacks script escape "$hostile_result" >"$work/escape.json"
evidence=$work/escape-evidence
mkdir -p "$evidence"
chmod 1777 "$evidence"
run_start=$SECONDS
runner_run escape "$work/escape.json" -v "$evidence:/evidence"
if ((RC != 0)) || [[ $(output conclusion) != pr_opened ]]; then
    show_run escape
    fail "the hostile run did not end in a pull request (exit $RC): $OUTPUTS"
fi
branch=$(output branch)
ok "the hostile run still ended in a pull request (exit 0, $branch, PR #$(output pr_number)) in $((SECONDS - run_start)) s"
agent_uid=$(attacks check-identity "$evidence") || fail "identity"
ok "Codex's commands ran as uid $agent_uid: no supplementary groups, no_new_privs, no capabilities"
attack() {
    local number=$1 what=$2 proof
    shift 2
    proof=$(attacks "$@") || fail "attack $number ($what) succeeded or was not proven; see above"
    ok "attack $number, $what: $proof"
}
git --git-dir "$bare" log --all -p >"$work/remote-content.txt"
attack 1 "the Docker socket" check-socket "$evidence" "$docker_gid"
attack 1 "no secret anywhere" check-no-secrets "$secrets_json" "$evidence" \
    "$work/escape/requests.jsonl" "$work/escape/out.stdout" "$work/escape/out.stderr" \
    "$work/escape/github-dump.json" "$work/escape/runner" "$work/remote-content.txt"
attack 2 "/proc/*/environ and cmdline" check-proc "$evidence" "$work/escape/requests.jsonl" \
    "$secrets_json"
attack 3 "PATH planting" check-plant "$evidence" "$bare" "$branch" hostile-run.txt
attack 4 ".git redirect" check-git-dir "$evidence" "$work/escape/git-before.json" \
    "$work/escape/git-after.json" "$work/e2e/git-before.json" "$work/e2e/git-after.json"
attack 4 "the workspace handed back" check-handed-back "$evidence" "$work/escape/workspace" \
    "$RUNNER_UID" "$WORKSPACE_BEFORE"
attack 5 "a fork-hopping survivor" check-survivor "$evidence" "$work/escape/out.lines.jsonl" \
    "$work/pushes.log" "$agent_uid"
attack 6 "GITHUB_ENV/PATH/OUTPUT/STATE/STEP_SUMMARY" check-file-commands "$evidence" \
    "$work/escape/runner/file_commands" "$RUNNER_UID" "$(check action-outputs action.yml)"
attack 9 "forged workflow commands" check-forged-commands "$work/escape/out.lines.jsonl" \
    "$masks_json" "$evidence"

# -- (b3) a hostile Codex smuggles credentials into the change
step "(b3) a hostile Codex commits a .env and hides a key, in the same setting"
smuggle_result='{"title": "Add deployment configuration", "body": "Adds configuration.", "commit_message": "Add deployment configuration", "summary": "Added the deployment configuration.", "findings": []}'
attacks script smuggle "$smuggle_result" >"$work/smuggle.json"
evidence=$work/smuggle-evidence
mkdir -p "$evidence"
chmod 1777 "$evidence"
git --git-dir "$bare" for-each-ref --format='%(refname) %(objectname)' >"$work/refs-before"
cp "$work/pushes.log" "$work/pushes-before"
run_start=$SECONDS
runner_run smuggle "$work/smuggle.json" -v "$evidence:/evidence"
((RC != 0)) || fail "the run that smuggled credentials exited 0: $OUTPUTS"
ok "the run exited $RC in $((SECONDS - run_start)) s"
attack 7 "its own commit of a .env and a key" check-own-commit "$evidence" "$OUTPUTS" "$bare" \
    "$work/refs-before" "$work/pushes.log" "$work/pushes-before" "$work/smuggle/github-dump.json"
attack 8 "a key hidden by -diff and a NUL byte" check-hidden-key "$evidence" "$OUTPUTS"
attack 9 "a forged file name in the refusal" check-forged-commands \
    "$work/smuggle/out.lines.jsonl" "$masks_json" refusal
attack "7, 8" "no secret anywhere" check-no-secrets "$secrets_json" "$evidence" \
    "$work/smuggle/requests.jsonl" "$work/smuggle/out.stdout" "$work/smuggle/out.stderr" \
    "$work/smuggle/github-dump.json" "$work/smuggle/runner"

# ---- done -------------------------------------------------------------------------------
step "summary"
size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
echo "image: $IMAGE on $base, $((size / 1000000)) MB, built in ${build_seconds} s"
echo "all Docker smoke tests passed in $(($(date +%s) - started)) s"
