"""GitHub's Git Data API: blobs, trees, commits and refs, written so that GitHub signs.

A commit made here without a committer is signed by GitHub and shows as Verified; the
token's identity is its committer. Each method is one request (two when a new branch
turns out to exist already). https://docs.github.com/rest/git
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from github.Requester import Requester

from bot.errors import BranchMoved, GitHubError
from bot.forge import MadeCommit, Signature, TreeChange
from bot.github_errors import translated


def _tree_entry(change: TreeChange) -> dict[str, Any]:
    kind = "commit" if change.mode == "160000" else "blob"
    entry: dict[str, Any] = {"path": change.path, "mode": change.mode, "type": kind}
    if change.text is not None:
        return entry | {"content": change.text}
    return entry | {"sha": change.sha}  # None deletes the path


class GitHubGit:
    """The Git Data API of one repository, on PyGithub's requester (its retries, its
    timeout, its authentication)."""

    def __init__(self, requester: Requester, repo_url: str) -> None:
        self._requester = requester
        self._url = f"{repo_url}/git"

    def _send(
        self, verb: str, path: str, body: dict[str, Any] | None, action: str
    ) -> dict[str, Any]:
        with translated(action):
            _, data = self._requester.requestJsonAndCheck(verb, self._url + path, input=body)
        if not isinstance(data, dict):
            raise GitHubError(f"GitHub's answer could not be read when asked to {action}.")
        return data

    @staticmethod
    def _sha(data: dict[str, Any], action: str) -> str:
        found = data.get("sha") or (data.get("object") or {}).get("sha")
        if not isinstance(found, str):
            raise GitHubError(f"GitHub's answer named no commit when asked to {action}.")
        return found

    def write_blob(self, content: bytes) -> str:
        body = {"content": base64.b64encode(content).decode(), "encoding": "base64"}
        action = "store a file of the commit"
        return self._sha(self._send("POST", "/blobs", body, action), action)

    def write_tree(self, base_tree: str, changes: Sequence[TreeChange]) -> str:
        body = {"base_tree": base_tree, "tree": [_tree_entry(c) for c in changes]}
        action = "build the commit's tree"
        return self._sha(self._send("POST", "/trees", body, action), action)

    def author_of(self, sha: str) -> str:
        action = f"read the commit {sha[:12]}"
        author = self._send("GET", f"/commits/{sha}", None, action).get("author") or {}
        return str(author.get("email") or "")

    def write_commit(
        self, *, message: str, tree: str, parent: str, author: Signature
    ) -> MadeCommit:
        who = {"name": author.name, "email": author.email, "date": author.date}
        body = {"message": message, "tree": tree, "parents": [parent], "author": who}
        action = "make the commit"
        data = self._send("POST", "/commits", body, action)
        signed = data.get("verification") or {}
        payload, signature = signed.get("payload"), signed.get("signature")
        return MadeCommit(
            self._sha(data, action),
            payload if isinstance(payload, str) else None,
            signature if isinstance(signature, str) else None,
        )

    def move_branch(self, branch: str, sha: str, *, force: bool) -> None:
        action = f"move the branch {branch}"
        update = f"/refs/heads/{quote(branch, safe='/')}"
        if force:
            # A new branch is the common case: creating first costs one request.
            try:
                self._send("POST", "/refs", {"ref": f"refs/heads/{branch}", "sha": sha}, action)
                return
            except GitHubError as exc:
                if "already exists" not in exc.message:
                    raise
        try:
            self._send("PATCH", update, {"sha": sha, "force": force}, action)
        except GitHubError as exc:
            if "fast forward" in exc.message:
                raise BranchMoved(f"'{branch}' moved on GitHub while the bot worked.") from None
            raise
