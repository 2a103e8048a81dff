"""A bare repository's objects and refs, written the way GitHub's Git Data API writes them.

Usable without HTTP: the GitHub fake's git handlers (github_git_handlers.py) and in-memory
fakes call it directly. A refusal is a GitDataError carrying what GitHub would answer.

Commits GitHub makes itself (no `committer` given) it signs as "GitHub <noreply@github.com>"
(the web-flow key): they get a `gpgsig` header, as on GitHub, and their shas are kept in
`signed` and, for git_remote.py's pre-receive hook, in ``fake-github/signed-commits`` of the
bare repository. The signature is the fake's own, not one `git verify-commit` accepts.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import git_trees
from .git_commit_text import parse_commit, web_flow_signature, with_signature

ZERO = "0" * 40
SIGNED_FILE = "fake-github/signed-commits"  # what the pre-receive hook reads
REQUIRED_FILE = "fake-github/signatures-required"
# GitHub's words when a ruleset refuses an update (the API's 422, the push's GH013).
SIGNATURE_RULE = "Commits must have verified signatures."
RULE_VIOLATION = f"Repository rule violations found\n\n{SIGNATURE_RULE}\n\n"
_SHA = re.compile(r"[0-9a-f]{40}")
_TYPE_OF_MODE = {
    "100644": "blob",
    "100755": "blob",
    "120000": "blob",  # a symlink: the blob holds its target
    "040000": "tree",
    "160000": "commit",  # a submodule: the commit need not exist here
}


class GitDataError(Exception):
    """What GitHub answers instead: `status` (422 or 404) and its `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a create-tree request."""

    path: str
    mode: str  # "100644" | "100755" | "040000" | "160000" | "120000"
    type: str  # "blob" | "tree" | "commit"
    sha: str | None  # None deletes the path from base_tree (GitHub's `"sha": null`)


class GitObjects:
    """The object store of one bare repository, written the way GitHub's Git Data API writes it."""

    def __init__(self, bare: Path, signer: tuple[str, str]) -> None:
        self.bare, self.signer = bare, signer  # signer: (name, email) GitHub commits as
        self.signed: set[str] = set()  # commits GitHub would have signed
        self.signatures_required: set[str] = set()  # full refs under "Require signed commits"
        # Called with (full ref, sha) after each ref the API creates or moves.
        self.ref_listeners: list[Callable[[str, str], None]] = []
        self._lock = threading.RLock()
        # sha -> kind of objects seen to exist: an object's kind never changes, and the
        # fake never deletes one (a missing sha is asked again: it may be written later).
        self._kinds: dict[str, str] = {}

    # ---- objects ------------------------------------------------------------------------
    def write_blob(self, content: bytes) -> str:
        return self._git("hash-object", "-w", "--no-filters", "--stdin", input=content).strip()

    def read_blob(self, sha: str) -> bytes:
        if self.kind(sha) != "blob":
            raise GitDataError(404, "Not Found")
        return self._run(["cat-file", "blob", sha]).stdout

    def kind(self, sha: str) -> str | None:
        """ "blob", "tree" or "commit" (or "tag"); None if there is no such object."""
        if not _SHA.fullmatch(sha):
            return None
        known = self._kinds.get(sha)
        if known is None:
            known = self._git("cat-file", "-t", sha, check=False).strip()
            if known:
                self._kinds[sha] = known
        return known or None

    def tree_entries(self, tree: str) -> list[dict[str, Any]]:
        """The top level of `tree`: path, mode, type, sha and (blobs) size."""
        found = []
        for line in self._git("ls-tree", "-l", "-z", tree).split("\0"):
            if line:
                info, _, path = line.partition("\t")
                mode, kind, sha, size = info.split()
                entry = {"path": path, "mode": mode, "type": kind, "sha": sha}
                found.append(entry | ({"size": int(size)} if kind == "blob" else {}))
        return found

    def write_tree(self, base_tree: str | None, entries: Sequence[TreeEntry]) -> str:
        """`entries` applied on top of `base_tree` (nothing when None); nested paths create
        or replace inside subtrees, and a folder left empty disappears."""
        if base_tree is not None and self.kind(base_tree) != "tree":
            raise GitDataError(422, "base_tree is not a valid tree oid")
        changes: list[tuple[str, git_trees.Item | None]] = []
        for entry in entries:
            if entry.sha is not None:
                self._check_entry(entry)
            item = None if entry.sha is None else (entry.mode, entry.type, entry.sha)
            changes.append((_checked(entry.path), item))
        try:
            return git_trees.build(
                lambda argv, stdin: self._git(*argv, input=stdin), base_tree, changes
            )
        except git_trees.Missing:  # GitHub: an error for a file that does not exist
            raise GitDataError(422, "GitRPC::BadObjectState") from None

    def write_commit(
        self,
        *,
        message: str,
        tree: str,
        parents: Sequence[str],
        author: Mapping[str, str] | None,
        committer: Mapping[str, str] | None,
        signature: str | None = None,
    ) -> str:
        """A commit; author/committer: {"name", "email", "date" (ISO 8601, optional)}.
        Without `committer` (and `signature`) GitHub commits as `signer`, now, and signs it;
        without `author` the author is the committer. A `signature` given is written as the
        commit's `gpgsig`, which the fake cannot verify."""
        if self.kind(tree) != "tree":
            raise GitDataError(422, "Tree SHA does not exist")
        if any(self.kind(p) != "commit" for p in parents):
            raise GitDataError(422, "Parent SHA does not exist or is not a commit object")
        signs = committer is None and signature is None
        committer = committer or {"name": self.signer[0], "email": self.signer[1]}
        author = author or committer
        env: dict[str, str] = {}
        for role, who in (("AUTHOR", author), ("COMMITTER", committer)):
            env |= {f"GIT_{role}_NAME": who["name"], f"GIT_{role}_EMAIL": who["email"]}
            env[f"GIT_{role}_DATE"] = who.get("date") or _git_now()
        argv = ["commit-tree", "--no-gpg-sign", tree, *(a for p in parents for a in ("-p", p))]
        sha = self._git(*argv, input=message.encode(), env=env).strip()
        if signature is not None or signs:
            unsigned = self._run(["cat-file", "commit", sha]).stdout
            signature = signature or web_flow_signature(unsigned)
            raw = with_signature(unsigned, signature)
            sha = self._git("hash-object", "-t", "commit", "-w", "--stdin", input=raw).strip()
        if signs:
            with self._lock:
                self.signed.add(sha)
                signed = self.bare / SIGNED_FILE
                signed.parent.mkdir(exist_ok=True)
                with signed.open("a", encoding="ascii") as f:
                    f.write(sha + "\n")
        return sha

    def commit_info(self, sha: str) -> dict[str, Any]:
        """What get-commit shows: tree, parents, author, committer ({name, email, date}),
        message, signed, and the `signature` and signed `payload` when it has a gpgsig."""
        if self.kind(sha) != "commit":
            raise GitDataError(404, "Not Found")
        info = parse_commit(self._run(["cat-file", "commit", sha]).stdout)
        return {"sha": sha, **info, "signed": sha in self.signed}

    # ---- refs ---------------------------------------------------------------------------
    def ref(self, ref: str) -> str | None:
        """The sha `ref` ("heads/x" or "refs/heads/x") points at; None without that ref."""
        full = _full(ref)
        return self._git("show-ref", "--verify", "--hash", full, check=False).strip() or None

    def create_ref(self, ref: str, sha: str) -> None:
        if not ref.startswith("refs/") or ref.count("/") < 2 or not self._valid_name(ref):
            raise GitDataError(422, f"{ref} is not a valid ref name.")  # the fake's wording
        with self._lock:
            if self.ref(ref) is not None:
                raise GitDataError(422, "Reference already exists")
            self._move(ref, sha, ZERO)
        self._moved(ref, sha)

    def update_ref(self, ref: str, sha: str, *, force: bool) -> None:
        full = _full(ref)
        with self._lock:
            old = self.ref(full)
            if old is None:
                raise GitDataError(422, "Reference does not exist")
            if self.kind(sha) is None:
                raise GitDataError(422, "Object does not exist")
            if not force and not self._is_ancestor(old, sha):
                raise GitDataError(422, "Update is not a fast forward")
            self._move(full, sha, old)
        self._moved(full, sha)

    def require_signatures(self, branch: str) -> None:
        """From now on `branch` takes only commits GitHub signed, by the API and by push."""
        with self._lock:
            self.signatures_required.add(f"refs/heads/{branch}")
            (self.bare / SIGNED_FILE).parent.mkdir(exist_ok=True)
            (self.bare / SIGNED_FILE).touch()
            text = "".join(f"{r}\n" for r in sorted(self.signatures_required))
            (self.bare / REQUIRED_FILE).write_text(text, encoding="utf-8")

    # ---- helpers ------------------------------------------------------------------------
    def _move(self, full: str, sha: str, old: str) -> None:
        if self.kind(sha) is None:
            raise GitDataError(422, "Object does not exist")
        if full in self.signatures_required and self.kind(sha) == "commit":
            # the commits the update brings to the branch (to the repository, for a new one)
            new = self._git("rev-list", sha, "--not", old if old != ZERO else "--all").split()
            if any(c not in self.signed for c in new):
                raise GitDataError(422, RULE_VIOLATION)
        if not self._succeeds("update-ref", full, sha, old):
            raise GitDataError(422, "Reference update failed")

    def _moved(self, full: str, sha: str) -> None:
        for listener in list(self.ref_listeners):
            listener(_full(full), sha)

    def _is_ancestor(self, old: str, new: str) -> bool:
        return self._succeeds("merge-base", "--is-ancestor", old, new)

    def _valid_name(self, ref: str) -> bool:
        return self._succeeds("check-ref-format", ref)

    def _check_entry(self, entry: TreeEntry) -> None:
        sha = entry.sha or ""
        if _TYPE_OF_MODE.get(entry.mode) != entry.type:  # the fake's wording
            raise GitDataError(422, f"tree.mode {entry.mode} is not a mode of a {entry.type}")
        if entry.type == "commit" and not _SHA.fullmatch(sha):
            raise GitDataError(422, f"tree.sha {sha} is not a valid commit")
        if entry.type != "commit" and self.kind(sha) != entry.type:
            raise GitDataError(422, f"tree.sha {sha} is not a valid {entry.type}")

    def _files(self, tree: str) -> dict[str, tuple[str, str]]:
        files = {}
        for line in self._git("ls-tree", "-r", "-z", "--full-tree", tree).split("\0"):
            if line:
                info, _, path = line.partition("\t")
                mode, _, sha = info.split()
                files[path] = (mode, sha)
        return files

    def _git(
        self,
        *argv: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> str:
        """git's output; a failure raises with `check`, else gives ""."""
        done = self._run(argv, input, env)
        if done.returncode != 0 and check:
            raise RuntimeError(f"git {' '.join(argv)}: {done.stderr.decode().strip()}")
        return done.stdout.decode(errors="surrogateescape") if done.returncode == 0 else ""

    def _succeeds(self, *argv: str) -> bool:
        return self._run(argv).returncode == 0

    def _run(
        self, argv: Sequence[str], input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """The one place this module runs git: in the bare repository, whatever the caller's
        GIT_DIR or index."""
        return subprocess.run(
            ["git", f"--git-dir={self.bare}", *argv],
            input=input,
            capture_output=True,
            env={**os.environ, **env} if env else None,
            check=False,
        )


def _full(ref: str) -> str:
    return ref if ref.startswith("refs/") else f"refs/{ref}"


def _checked(path: str) -> str:
    if not path or any(part in ("", ".", "..", ".git") for part in path.split("/")):
        raise GitDataError(422, "tree.path contains a malformed path component")
    return path


def _git_now() -> str:
    return f"{int(datetime.now(UTC).timestamp())} +0000"  # git's own date format
