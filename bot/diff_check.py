"""What must never be pushed: known secrets, credential files, protected paths. Pure."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterable, Sequence

# File names that hold credentials whatever their content.
CREDENTIAL_FILES = (
    ".env",
    ".env.*",
    "auth.json",
    ".git-credentials",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
)
_PRIVATE_KEY_MARK = "-----BEGIN"
_PRIVATE_KEY_KINDS = ("PRIVATE KEY-----", "OPENSSH PRIVATE KEY-----")


def _is_credential_file(path: str) -> bool:
    name = posixpath.basename(path)
    if name in (".env.example", ".env.sample", ".env.template"):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in CREDENTIAL_FILES)


def _added_lines(diff: str) -> Iterable[str]:
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            yield line[1:]


def unsafe_reasons(
    *,
    files: Sequence[str],
    diff: str,
    secrets: Sequence[str],
    protected: Sequence[str],
    allow_protected: bool,
) -> list[str]:
    """Why the staged change must not be pushed; empty when it may be."""
    reasons: list[str] = []
    added = "\n".join(_added_lines(diff))
    if any(secret and len(secret) >= 8 and secret in added for secret in secrets):
        reasons.append(
            "the change contains the value of a secret given to the bot (a token or key)"
        )
    if _PRIVATE_KEY_MARK in added and any(kind in added for kind in _PRIVATE_KEY_KINDS):
        reasons.append("the change contains a private key")
    credential_files = [path for path in files if _is_credential_file(path)]
    if credential_files:
        reasons.append(f"the change adds credential files: {', '.join(credential_files)}")
    if not allow_protected:
        touched = [p for p in files if any(fnmatch.fnmatchcase(p, g) for g in protected)]
        if touched:
            reasons.append(
                f"the change touches protected paths ({', '.join(touched)}); set "
                "allow_protected_paths to true to let the bot change them (a workflow's "
                "own token cannot push workflow files anyway)"
            )
    return reasons
