"""Pull-request files, reviews and review comments in the JSON shapes the GitHub fake answers
with (`diff-entry`, `pull-request-review`, `pull-request-review-comment`, and the legacy
`review-comment` that listing one review's comments is described with)."""

# Built from the required fields of GitHub's OpenAPI schemas, not copied from its examples;
# the server validates every one of them against the spec.

from __future__ import annotations

from urllib.parse import quote

from .git_diff import DiffFile
from .github_issue_shapes import rollup_json
from .github_shapes import user_json
from .github_state import JSON, GitHubState, Review, ReviewComment


def diff_entry_json(st: GitHubState, f: DiffFile, head_sha: str) -> JSON:
    # GitHub links a pull request's files at its head commit in the base repository, where
    # refs/pull/N/head keeps even a fork's commits.
    path = quote(f.filename)
    d: JSON = {
        "sha": f.sha,
        "filename": f.filename,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
        "blob_url": f"{st.web}/{st.full_name}/blob/{head_sha}/{path}",
        "raw_url": f"{st.web}/{st.full_name}/raw/{head_sha}/{path}",
        "contents_url": f"{st.repo_api}/contents/{path}?ref={head_sha}",
    }
    if f.patch is not None:  # none for a binary file
        d["patch"] = f.patch
    if f.previous_filename is not None:
        d["previous_filename"] = f.previous_filename
    return d


def review_json(st: GitHubState, r: Review) -> JSON:
    html, pull_api = r.html_url, f"{st.repo_api}/pulls/{r.pull_number}"
    d: JSON = {
        "id": r.id,
        "node_id": f"PRR_{r.id}",
        "user": user_json(st, r.user),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": pull_api,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_api}},
        "commit_id": r.commit_id,
        "author_association": st.association(r.user),
    }
    if r.submitted_at is not None:  # a pending review has not been submitted
        d["submitted_at"] = r.submitted_at
    return d


def review_comment_json(st: GitHubState, c: ReviewComment) -> JSON:
    api = f"{st.repo_api}/pulls/comments/{c.id}"
    html = f"{st.web}/{st.full_name}/pull/{c.pull_number}#discussion_r{c.id}"
    pull_api = f"{st.repo_api}/pulls/{c.pull_number}"
    d: JSON = {
        "url": api,
        "pull_request_review_id": c.review_id,
        "id": c.id,
        "node_id": f"PRRC_{c.id}",
        "diff_hunk": c.diff_hunk,
        "path": c.path,
        "position": c.position,
        "original_position": c.position,
        "commit_id": c.commit_id,
        "original_commit_id": c.commit_id,
        "user": user_json(st, c.user),
        "body": c.body,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": st.association(c.user),
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "pull_request": {"href": pull_api},
        },
        "start_line": c.start_line,
        "original_start_line": c.start_line,
        "line": c.line,
        "original_line": c.line,
        "side": c.side,
        "subject_type": "line",
        "reactions": rollup_json(st, f"{api}/reactions", ("review_comment", c.id)),
    }
    if c.start_side is not None:  # GitHub sends null, which the spec's enum does not allow
        d["start_side"] = c.start_side
    if c.in_reply_to_id is not None:  # GitHub leaves the field out of a thread's first
        d["in_reply_to_id"] = c.in_reply_to_id
    return d


def legacy_review_comment_json(st: GitHubState, c: ReviewComment) -> JSON:
    """`c` as `review-comment` ("Legacy Review Comment"), the schema of one review's comments
    (pulls/list-comments-for-review). It has the same properties as
    `pull-request-review-comment`, only looser (a nullable `user` and `position`, `position`
    and `original_position` required, which review_comment_json always sends), so the same
    JSON fits both. Its `start_side` is nullable, but null is still not in its enum, which
    OpenAPI 3.0.3 requires: a single-line comment leaves the field out here too."""
    return review_comment_json(st, c)
