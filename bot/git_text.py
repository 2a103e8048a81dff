"""What the bot says about git's own words: secrets taken out, a hint added. Pure."""

from __future__ import annotations

from collections.abc import Iterable

# Checked in order, the most specific first, each key a phrase git or GitHub prints:
# a bare "403" would also match a commit id or a port number in the same output.
_HINTS = {
    "verified signatures": "The branch requires signed commits: leave sign_commits on.",
    "Authentication failed": "Check that the token may push (contents: write).",
    "could not read Username": "The remote refused the token: check github_token.",
    "returned error: 403": (
        "The token may not push here: grant 'contents: write' under permissions:."
    ),
    "refusing to allow": "Workflow files need a token with the 'workflows' permission.",
    "non-fast-forward": "The branch moved on the remote while the bot worked; run again.",
    "fetch first": "The branch moved on the remote while the bot worked; run again.",
    "not a git repository": "Point it at a git clone (in a workflow, run actions/checkout first).",
}


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret with ***, the longest first (one may contain another)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def hint_for(stderr: str) -> str:
    """What to do about a git failure, from what git printed."""
    return next((hint for key, hint in _HINTS.items() if key in stderr), "")
