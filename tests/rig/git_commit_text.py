"""Git commit objects as bytes: read one the way GitHub shows it, add a signature header."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

_IDENT = re.compile(r"(?P<name>.*) <(?P<email>.*)> (?P<epoch>\d+) (?P<tz>[+-]\d{4})")


def parse_commit(raw: bytes) -> dict[str, Any]:
    """tree, parents, author, committer ({name, email, date}), message, and the gpgsig
    `signature` with the `payload` it signs (the object without that header), both None
    for an unsigned commit."""
    head, _, body = raw.partition(b"\n\n")
    fields: list[tuple[str, str]] = []
    for line in head.decode(errors="replace").split("\n"):
        if line.startswith(" "):  # a header's next line (a signature's)
            fields[-1] = (fields[-1][0], fields[-1][1] + "\n" + line[1:])
        else:
            key, _, value = line.partition(" ")
            fields.append((key, value))
    info = dict(fields)
    message = body.decode(errors="replace")
    signature = info.get("gpgsig")
    kept = "\n".join(f"{k} {v}".replace("\n", "\n ") for k, v in fields if k != "gpgsig")
    return {
        "tree": info["tree"],
        "parents": [v for k, v in fields if k == "parent"],
        "author": _person(info["author"]),
        "committer": _person(info["committer"]),
        "message": message,
        "signature": signature,
        "payload": None if signature is None else f"{kept}\n\n{message}",
    }


def with_signature(raw: bytes, signature: str) -> bytes:
    """The commit `raw` with `signature` as its gpgsig header, where git puts it."""
    head, _, body = raw.partition(b"\n\n")
    gpgsig = "gpgsig " + signature.rstrip("\n").replace("\n", "\n ")
    return head + b"\n" + gpgsig.encode() + b"\n\n" + body


def web_flow_signature(payload: bytes) -> str:
    """An armored block standing for GitHub's signature of `payload`: the fake's own, not
    one `git verify-commit` accepts."""
    digest = base64.b64encode(hashlib.sha256(b"fake-github web-flow\n" + payload).digest())
    return (
        "-----BEGIN PGP SIGNATURE-----\n\n"
        f"wsBcBAABCAAQBQJ{digest.decode()}\n=FAKE\n"
        "-----END PGP SIGNATURE-----\n"
    )


def _person(ident: str) -> dict[str, str]:
    m = _IDENT.fullmatch(ident)
    if m is None:
        raise ValueError(f"not a git identity: {ident!r}")
    date = datetime.fromtimestamp(int(m["epoch"]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"name": m["name"], "email": m["email"], "date": date}
