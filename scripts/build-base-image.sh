#!/usr/bin/env bash
# Build a small Debian base image with Python, git and CA certificates from Debian's
# packages, for machines that cannot pull images from a registry. Usage:
#   bash scripts/build-base-image.sh [TAG]     (default: local/python-base:bookworm)
# Then: docker build --build-arg BASE_IMAGE=TAG .
# Debian bookworm's python3 is 3.11, which the project supports (requires-python >=3.11).
set -euo pipefail

tag="${1:-local/python-base:bookworm}"
suite="${BASE_SUITE:-bookworm}"

if ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "installing mmdebstrap" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
fi

# Certificate authorities this machine added to its trust store (a TLS-inspecting
# proxy, say) are added to the image's too, so pip and uv can install in a build.
hooks=()
extra_cas=(/usr/local/share/ca-certificates/*.crt)
if [[ -e ${extra_cas[0]} ]]; then
    hooks+=(--customize-hook="copy-in ${extra_cas[*]} /usr/local/share/ca-certificates/")
    # shellcheck disable=SC2016  # "$1" is the new root, expanded by mmdebstrap's hook shell
    hooks+=(--customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1')
fi

# minbase: essential packages and apt only; the lists apt downloaded are dropped so the
# image holds nothing that goes stale. SOURCE_DATE_EPOCH makes file times reproducible.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1735689600}"
# shellcheck disable=SC2016  # "$1" is the new root, expanded by mmdebstrap's hook shell
mmdebstrap --quiet --variant=minbase \
    --include=python3,python3-venv,git,ca-certificates \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "${hooks[@]}" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    "$suite" - |
    docker import \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["python3"]' \
        - "$tag" >/dev/null
echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
