"""What must never be pushed: known secrets, private keys, credential files, protected
paths. Pure: the caller streams every new blob's bytes through a ``Scanner``.

Blobs are read as bytes, whatever ``.gitattributes`` or a NUL byte say about them,
in chunks with an overlap, so a large file costs bounded memory and a secret that
spans two chunks is still found.
"""

from __future__ import annotations

import base64
import fnmatch
import posixpath
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote, quote_plus

# File names that hold credentials whatever their content.
CREDENTIAL_FILES = (
    ".env",
    ".env.*",
    "auth.json",
    "credentials.json",
    "gha-creds-*.json",
    ".git-credentials",
    ".netrc",
    "_netrc",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
)
# Paths (the last components) that hold credentials.
CREDENTIAL_PATHS = (".aws/credentials", ".docker/config.json", ".kube/config")
# Config files that are ordinary unless they carry a credential.
_TOKEN_CONFIGS = {
    ".npmrc": re.compile(rb"_auth(Token)?\s*=|:_password\s*="),
    ".pypirc": re.compile(rb"(?m)^\s*password\s*="),
}
_NOT_SECRET = (".env.example", ".env.sample", ".env.template")
_PRIVATE_KEY = re.compile(rb"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----")


def is_credential_file(path: str) -> bool:
    name = posixpath.basename(path)
    if name in _NOT_SECRET:
        return False
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in CREDENTIAL_FILES):
        return True
    return any(path == p or path.endswith("/" + p) for p in CREDENTIAL_PATHS)


def _base64_forms(secret: bytes) -> Iterable[bytes]:
    """The part of the base64 text that encodes ``secret`` at each of 3 byte offsets."""
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + secret)
        first = -(-offset * 8 // 6)  # the first character made only of the secret's bits
        last = (offset + len(secret)) * 8 // 6
        core = encoded[first:last]
        yield core
        yield core.replace(b"+", b"-").replace(b"/", b"_")


def secret_forms(secrets: Sequence[str]) -> list[bytes]:
    """Each secret as it could appear in a file: plain, base64 and URL-encoded."""
    forms: set[bytes] = set()
    for secret in secrets:
        if len(secret) < 8:
            continue  # short values would match ordinary text
        raw = secret.encode()
        forms |= {raw, quote(secret, safe="").encode(), quote_plus(secret).encode()}
        forms |= {core for core in _base64_forms(raw) if len(core) >= 8}
    return sorted(forms, key=len, reverse=True)


class Scanner:
    """Looks through one blob after another for secrets and private keys."""

    def __init__(self, secrets: Sequence[str]) -> None:
        self._forms = secret_forms(secrets)
        self._overlap = max([len(f) for f in self._forms] + [64])
        self.secret_in: list[str] = []
        self.key_in: list[str] = []

    def scan(self, path: str, chunks: Iterable[bytes]) -> None:
        """Feed one blob's bytes, in any chunking."""
        tail = b""
        found_secret = found_key = False
        head = b""
        for chunk in chunks:
            window = tail + chunk
            if len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            found_secret = found_secret or any(form in window for form in self._forms)
            found_key = found_key or _PRIVATE_KEY.search(window) is not None
            tail = window[-self._overlap :]
        if found_secret:
            self.secret_in.append(path)
        if found_key:
            self.key_in.append(path)
        name = posixpath.basename(path)
        if name in _TOKEN_CONFIGS and _TOKEN_CONFIGS[name].search(head):
            self.key_in.append(path)

    def reasons(self) -> list[str]:
        reasons = []
        if self.secret_in:
            reasons.append(
                "the change contains the value of a secret given to the bot (a token or "
                f"key), in {_listed(self.secret_in)}"
            )
        if self.key_in:
            reasons.append(
                f"the change contains a private key or credential in {_listed(self.key_in)}"
            )
        return reasons


def _shown(path: str) -> str:
    """A path as text that cannot break a line: control characters are escaped."""
    return repr(path) if any(not ch.isprintable() for ch in path) else path


def _listed(paths: Sequence[str], most: int = 10) -> str:
    shown = ", ".join(_shown(p) for p in paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


def path_reasons(
    *,
    written: Sequence[str],
    touched: Sequence[str],
    protected: Sequence[str],
    allow_protected: bool,
) -> list[str]:
    """Refusals that depend on paths alone: ``written`` are added or changed files,
    ``touched`` also counts deletions."""
    reasons = []
    credential_files = [path for path in written if is_credential_file(path)]
    if credential_files:
        reasons.append(f"the change adds credential files: {_listed(credential_files)}")
    if not allow_protected:
        hits = [p for p in touched if any(fnmatch.fnmatchcase(p, g) for g in protected)]
        if hits:
            reasons.append(
                f"the change touches protected paths ({_listed(hits)}); set "
                "allow_protected_paths to true to let the bot change them (a workflow's "
                "own token cannot push workflow files anyway)"
            )
    return reasons
