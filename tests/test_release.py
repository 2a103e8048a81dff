"""The released action.yml (the prebuilt image by digest) and the development one (the
Dockerfile) stay in agreement: only ``runs.image`` differs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).parent.parent
IMAGE = "ghcr.io/octo-org/codex-pr-bot@sha256:" + "ab" * 32


def release_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "release_action", ROOT / "scripts/release_action.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_released_action_differs_only_in_its_image() -> None:
    development = (ROOT / "action.yml").read_text()
    released = yaml.safe_load(release_script().released(development, IMAGE))
    expected = yaml.safe_load(development)
    assert expected["runs"]["image"] == "Dockerfile"
    assert released["runs"].pop("image") == f"docker://{IMAGE}"
    expected["runs"].pop("image")
    assert released == expected


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/octo-org/codex-pr-bot:v1",  # a tag can move: only a digest is pinned
        "docker.io/octo-org/codex-pr-bot@sha256:" + "ab" * 32,
        IMAGE + "\n  evil: true",
    ],
)
def test_only_a_ghcr_image_by_digest_is_accepted(image: str) -> None:
    with pytest.raises(ValueError, match="not an image by digest"):
        release_script().released((ROOT / "action.yml").read_text(), image)


def test_the_release_workflow_uses_the_script_and_both_platforms() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    steps = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    text = "\n".join(steps)
    assert "python3 scripts/release_action.py action.yml" in text
    assert "--platform linux/amd64,linux/arm64" in text
    assert "--sbom=true" in text
    assert "--provenance=mode=max" in text
