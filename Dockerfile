# The codex-pr-bot container action: Python, git, the bot, and Codex (the codex, rg and
# bwrap binaries come in the openai-codex-cli-bin wheel; no Node).
#
# On a machine that cannot pull images, build a base from Debian's packages first:
#   bash scripts/build-base-image.sh local/python-base:bookworm
#   docker build --build-arg BASE_IMAGE=local/python-base:bookworm -t codex-pr-bot .
# Any base with python3 (>= 3.11, with venv) and a Debian userland works.
ARG BASE_IMAGE=python:3.12.12-slim-bookworm

# ---- build: a virtual environment with the bot and its pinned dependencies -------------
FROM ${BASE_IMAGE} AS build
ARG UV_VERSION=0.13.9
# No lock file is committed: dependencies are pinned in pyproject.toml and resolution is
# bounded by its [tool.uv] exclude-newer, so a rebuild resolves the same versions.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_SYSTEM_CERTS=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --quiet "uv==${UV_VERSION}"
WORKDIR /src
# Dependencies first, so editing the bot does not reinstall Codex (a 136 MB wheel).
COPY pyproject.toml README.md ./
RUN /opt/uv/bin/uv sync --quiet --no-dev --no-install-project --python python3
COPY bot ./bot
RUN /opt/uv/bin/uv sync --quiet --no-dev --no-editable --python python3

# ---- runtime ----------------------------------------------------------------------------
FROM ${BASE_IMAGE}
# git is the only system package the bot needs; a base that has it skips apt entirely.
# The runner mounts the workspace owned by another uid: git must accept it.
# hadolint ignore=DL3008
RUN if ! command -v git >/dev/null; then \
        apt-get update -qq \
        && apt-get install -y -qq --no-install-recommends git ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && git config --system --add safe.directory '*'
ENV PATH=/app/.venv/bin:$PATH \
    CODEX_HOME=/app/.codex \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /app/.venv /app/.venv
# Skills Codex loads from CODEX_HOME; mount your own with -v DIR:/app/.codex/skills:ro.
COPY .codex/skills /app/.codex/skills
COPY scripts/entrypoint.sh /app/scripts/entrypoint.sh
RUN chmod 0755 /app/scripts/entrypoint.sh
# The runner overrides this with the workspace it mounts at /github/workspace.
WORKDIR /github/workspace
ENTRYPOINT ["/app/scripts/entrypoint.sh"]
