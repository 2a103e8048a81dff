"""The GitHub fake's handlers of the Git Data API (blobs, trees, commits, refs), writing to the
real bare repository through the fake's GitObjects (git_objects.py). Without one they
answer 404, as for a repository the token cannot see."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .git_objects import GitDataError, GitObjects, TreeEntry
from .github_operations import op
from .github_shapes import user_json
from .github_state import JSON, GitHubState, HTTPError, Reply, invalid, not_found, now

_BOTH = "Must supply either tree.sha or tree.content. Request will be rejected if both are present."


def _git(st: GitHubState) -> GitObjects:
    if st.git_objects is None:
        raise not_found()
    return st.git_objects


def _refused(e: GitDataError) -> HTTPError:
    if e.status == 404:
        return not_found()
    error = HTTPError(e.status, e.message)
    del error.body["status"]  # `validation-error`, GitHub's 422 here, has no `status`
    return error


def commit_json(st: GitHubState, info: JSON) -> JSON:
    sha, api = info["sha"], f"{st.repo_api}/git/commits/{info['sha']}"
    signed = info["signed"]
    # Unsigned, GitHub's own signature, or one given by the client the fake cannot check.
    reason = "valid" if signed else "unsigned" if info["signature"] is None else "unknown_key"
    verification = {
        "verified": signed,
        "reason": reason,
        "signature": info["signature"],
        "payload": info["payload"],
        "verified_at": info["committer"]["date"] if signed else None,
    }
    return {
        "sha": sha,
        "node_id": f"C_{sha[:16]}",
        "url": api,
        "html_url": f"{st.web}/{st.full_name}/commit/{sha}",
        "author": info["author"],
        "committer": info["committer"],
        "tree": {"sha": info["tree"], "url": f"{st.repo_api}/git/trees/{info['tree']}"},
        "message": info["message"],
        "parents": [
            {
                "sha": p,
                "url": f"{st.repo_api}/git/commits/{p}",
                "html_url": f"{st.web}/{st.full_name}/commit/{p}",
            }
            for p in info["parents"]
        ],
        "verification": verification,
    }


def _ref_json(st: GitHubState, ref: str, sha: str) -> JSON:
    kind = _git(st).kind(sha) or "commit"
    return {
        "ref": ref,
        "node_id": f"REF_{sha[:16]}",
        "url": f"{st.repo_api}/git/{ref}",
        "object": {"type": kind, "sha": sha, "url": f"{st.repo_api}/git/{kind}s/{sha}"},
    }


@op("git/create-blob")
def create_blob(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    encoding, text = body.get("encoding", "utf-8"), body["content"]
    if encoding not in ("utf-8", "utf8", "base64"):
        raise invalid({"resource": "Blob", "code": "invalid", "field": "encoding"})
    try:
        content = base64.b64decode(text) if encoding == "base64" else text.encode()
    except binascii.Error:
        raise invalid({"resource": "Blob", "code": "invalid", "field": "content"}) from None
    sha = _git(st).write_blob(content)
    url = f"{st.repo_api}/git/blobs/{sha}"
    return 201, {"url": url, "sha": sha}, {"Location": url}


@op("git/get-blob")
def get_blob(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    try:
        content = _git(st).read_blob(p["file_sha"])
    except GitDataError as e:
        raise _refused(e) from None
    encoded = base64.b64encode(content).decode()  # in lines of 60, as GitHub (Ruby) sends it
    text = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    return (
        200,
        {
            "sha": p["file_sha"],
            "node_id": f"B_{p['file_sha'][:16]}",
            "url": f"{st.repo_api}/git/blobs/{p['file_sha']}",
            "size": len(content),
            "content": text,
            "encoding": "base64",
        },
        {},
    )


@op("git/create-tree")
def create_tree(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    git, entries = _git(st), []
    for item in body["tree"]:
        has_sha, content = "sha" in item, item.get("content")
        if has_sha == (content is not None) or not {"path", "mode", "type"} <= item.keys():
            raise _refused(GitDataError(422, _BOTH))
        sha = git.write_blob(content.encode()) if content is not None else item["sha"]
        entries.append(TreeEntry(item["path"], item["mode"], item["type"], sha))
    try:
        tree = git.write_tree(body.get("base_tree"), entries)
    except GitDataError as e:
        raise _refused(e) from None
    url = f"{st.repo_api}/git/trees/{tree}"
    shown = [
        e | {"url": f"{st.repo_api}/git/{e['type']}s/{e['sha']}"} if e["type"] != "commit" else e
        for e in git.tree_entries(tree)
    ]
    return 201, {"sha": tree, "url": url, "tree": shown, "truncated": False}, {"Location": url}


@op("git/create-commit")
def create_commit(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    author = body.get("author")
    if author is None:  # GitHub: the authenticated user, now
        login = st.app_login
        email = f"{user_json(st, login)['id']}+{login}@users.noreply.github.com"
        author = {"name": login, "email": email, "date": now()}
    try:
        git = _git(st)
        sha = git.write_commit(
            message=body["message"],
            tree=body["tree"],
            parents=body.get("parents", []),
            author=author,
            committer=body.get("committer"),
            signature=body.get("signature"),
        )
        info = git.commit_info(sha)
    except GitDataError as e:
        raise _refused(e) from None
    url = f"{st.repo_api}/git/commits/{sha}"
    return 201, commit_json(st, info), {"Location": url}


@op("git/get-commit")
def get_commit(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    try:
        return 200, commit_json(st, _git(st).commit_info(p["commit_sha"])), {}
    except GitDataError as e:
        raise _refused(e) from None


@op("git/get-ref")
def get_ref(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    ref = p["ref"]  # "heads/x"; "refs/heads/x" is no ref name here, as on GitHub
    sha = None if ref.startswith("refs/") else _git(st).ref(ref)
    if sha is None:
        raise not_found()
    return 200, _ref_json(st, f"refs/{ref}", sha), {}


@op("git/create-ref")
def create_ref(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    try:
        _git(st).create_ref(body["ref"], body["sha"])
    except GitDataError as e:
        raise _refused(e) from None
    url = f"{st.repo_api}/git/{body['ref']}"
    return 201, _ref_json(st, body["ref"], body["sha"]), {"Location": url}


@op("git/update-ref")
def update_ref(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    ref = p["ref"]
    try:
        if ref.startswith("refs/"):  # GitHub wants "heads/x" here
            raise GitDataError(422, "Reference does not exist")
        _git(st).update_ref(ref, body["sha"], force=bool(body.get("force", False)))
    except GitDataError as e:
        raise _refused(e) from None
    return 200, _ref_json(st, f"refs/{ref}", body["sha"]), {}
