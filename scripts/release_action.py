"""Rewrite action.yml for a release: the prebuilt image, by digest, instead of the Dockerfile.

Usage: python3 scripts/release_action.py action.yml ghcr.io/OWNER/NAME@sha256:DIGEST

A tagged commit cannot contain its own image's digest, so the release workflow builds
and pushes the image first, then commits this rewrite and tags that commit. Everything
but `runs.image` stays as in development (tests/test_release.py checks it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_DOCKERFILE = re.compile(r"^  image: Dockerfile$", re.MULTILINE)
_IMAGE = re.compile(r"ghcr\.io/[a-z0-9][a-z0-9._/-]*@sha256:[0-9a-f]{64}")


def released(action_yml: str, image: str) -> str:
    """``action_yml`` naming ``image`` (a ghcr.io reference by digest) instead."""
    if not _IMAGE.fullmatch(image):
        raise ValueError(f"not an image by digest on ghcr.io: {image!r}")
    text, count = _DOCKERFILE.subn(f"  image: docker://{image}", action_yml)
    if count != 1:
        raise ValueError("action.yml must name `image: Dockerfile` exactly once")
    return text


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(released(path.read_text(), argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
