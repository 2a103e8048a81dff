"""A checked commit made again through the forge's Git Data API, so that the forge signs it.

The commit the bot checked stays the truth. The forge gets only the files it changes,
and the tree it builds must be that commit's tree: git names a tree by its content, so
the same sha means the same bytes, modes and names, and nothing the diff guard did not
see can reach the branch. The message, the author and the date are the commit's; only
the committer differs — the forge, which signs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot import git_change
from bot.errors import GitHubError
from bot.forge import GitData, HttpCredentials, MadeCommit, Signature, TreeChange
from bot.gitrepo import Repository

# UTF-8 text goes inside the tree request, up to this much in all: one request instead of
# one per file. Binary files, and text git would not round-trip through JSON unchanged
# (NUL, CR), are uploaded as blobs, base64-encoded.
_INLINE_BUDGET = 4 << 20
# Larger files go with git: the API takes a blob in one JSON request, a third bigger.
BLOB_LIMIT = 40 << 20


class NotSignable(Exception):
    """Why the forge cannot make this commit; it is pushed with git instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LocalCommit:
    tree: str
    parent: str
    author: Signature
    message: str


def _iso(stamp: str, zone: str) -> str:
    sign = -1 if zone.startswith("-") else 1
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
    when = datetime.datetime.fromtimestamp(int(stamp), datetime.timezone(offset))
    return when.isoformat().replace("+00:00", "Z")


def read_commit(repo: Repository, sha: str) -> LocalCommit:
    """The parts of ``sha`` the forge needs to make the same commit."""
    raw = repo.run("cat-file", "commit", sha)
    head, _, message = raw.partition("\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, _, value = line.partition(" ")
        fields.setdefault(key, []).append(value)
    if len(fields.get("parent", [])) != 1:
        raise NotSignable("the commit does not have exactly one parent")
    person, _, rest = fields["author"][0].rpartition(" <")
    email, _, when = rest.partition("> ")
    stamp, zone = when.split(" ")
    author = Signature(person, email, _iso(stamp, zone))
    return LocalCommit(fields["tree"][0], fields["parent"][0], author, message)


def tree_changes(repo: Repository, parent: str, sha: str) -> tuple[list[TreeChange], list[str]]:
    """What ``sha`` changes against ``parent``, as tree entries; and which of the entries'
    blobs the forge cannot have yet (new content, not a rename or a mode change)."""
    out = repo.run("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", parent, sha)
    fields = out.split("\0")
    changes, known = [], set()
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(":"):
            continue
        old_mode, new_mode, old_sha, new_sha, status = meta[1:].split(" ")
        known.add(old_sha)
        if status == "D":
            changes.append(TreeChange(path, old_mode))
        else:
            changes.append(TreeChange(path, new_mode, new_sha))
    new = [c.sha for c in changes if c.sha and c.mode != "160000" and c.sha not in known]
    return changes, list(dict.fromkeys(new))


def _contents(repo: Repository, blobs: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    for sha, chunks in git_change.blob_chunks(repo, [(sha, sha) for sha in blobs]):
        data = bytearray()
        for chunk in chunks:
            data += chunk
            if len(data) > BLOB_LIMIT:
                raise NotSignable(f"a file is larger than {BLOB_LIMIT >> 20} MiB")
        yield sha, bytes(data)


def _as_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\0" in text or "\r" in text else text


def upload(repo: Repository, git: GitData, changes: list[TreeChange], blobs: Sequence[str]) -> (
    list[TreeChange]
):  # fmt: skip
    """The changes with each new blob either stored on the forge or carried as text."""
    texts: dict[str, str] = {}
    budget = _INLINE_BUDGET
    for sha, data in _contents(repo, blobs):
        text = _as_text(data)
        if text is not None and len(data) <= budget:
            texts[sha] = text
            budget -= len(data)
        elif git.write_blob(data) != sha:
            raise NotSignable("GitHub stored a file with other bytes than the commit's")
    return [TreeChange(c.path, c.mode, text=texts[c.sha]) if c.sha in texts else c for c in changes]


def signed_object(made: MadeCommit) -> bytes | None:
    """The commit object the forge made, from what it says it signed and the signature —
    git puts the ``gpgsig`` header last, each further line indented by a space; None
    when the forge did not say."""
    if made.payload is None or made.signature is None:
        return None
    head, found, message = made.payload.partition("\n\n")
    if not found:
        return None
    gpgsig = "gpgsig " + made.signature.rstrip("\n").replace("\n", "\n ")
    return f"{head}\n{gpgsig}\n\n{message}".encode()


def adopt(repo: Repository, branch: str, made: MadeCommit, auth: HttpCredentials) -> None:
    """Make the forge's commit the tip of the local ``branch``, over the same tree as the
    checked commit: written from what the forge said, when that gives its sha (git names
    an object by its content, so it is the very commit), fetched otherwise."""
    raw = signed_object(made)
    stored = "" if raw is None else repo.run(
        "hash-object", "-t", "commit", "-w", "--stdin", stdin=[raw]
    ).strip()  # fmt: skip
    if stored != made.sha:
        repo.fetch(f"refs/heads/{branch}", f"refs/remotes/origin/{branch}", auth)
    moves = [f"update refs/heads/{branch} {made.sha}\n"]
    moves += [f"update refs/remotes/origin/{branch} {made.sha}\n"]
    repo.run("update-ref", "--stdin", stdin=[line.encode() for line in moves])


def remake(repo: Repository, git: GitData, sha: str) -> MadeCommit:
    """The forge's signed copy of ``sha`` (same parent, tree, message and author); its sha.
    No branch moves yet."""
    commit = read_commit(repo, sha)
    changes, blobs = tree_changes(repo, commit.parent, sha)
    base_tree = repo.run("rev-parse", f"{commit.parent}^{{tree}}").strip()
    try:
        entries = upload(repo, git, changes, blobs)
        tree = git.write_tree(base_tree, entries)
        if tree != commit.tree:
            raise NotSignable("GitHub built a different tree than the checked commit's")
        return git.write_commit(
            message=commit.message, tree=tree, parent=commit.parent, author=commit.author
        )
    except GitHubError as exc:
        raise NotSignable(exc.message) from None
