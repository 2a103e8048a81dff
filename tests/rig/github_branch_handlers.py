"""The GitHub fake's handlers for branches and the repository rules that apply to them.

A branch exists when the fake's `branch_sha` knows it (the real git remote in the end-to-end
tests). Classic protection is a flag per branch; rules are set per branch name, as
`GET /rules/branches/{branch}` reports the active rules that apply to one branch.
"""

from __future__ import annotations

import zlib
from typing import Any

from .github_operations import op
from .github_shapes import user_json
from .github_state import JSON, GitHubState, HTTPError, Reply

# The fake knows no commit's details: each branch's tip is shown as this account's.
_LOGIN = "octocat"
_AUTHOR = {"name": "The Octocat", "email": "octocat@example.com", "date": "2026-11-02T09:14:00Z"}


def commit_json(st: GitHubState, sha: str) -> JSON:
    api = f"{st.repo_api}/commits/{sha}"
    return {
        "sha": sha,
        "node_id": f"C_{sha[:16]}",
        "url": api,
        "html_url": f"{st.web}/{st.full_name}/commit/{sha}",
        "comments_url": f"{api}/comments",
        "commit": {
            "url": f"{st.repo_api}/git/commits/{sha}",
            "author": dict(_AUTHOR),
            "committer": dict(_AUTHOR),
            "message": "Update the project",
            "comment_count": 0,
            "tree": {"sha": sha[::-1], "url": f"{st.repo_api}/git/trees/{sha[::-1]}"},
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "author": user_json(st, _LOGIN),
        "committer": user_json(st, _LOGIN),
        "parents": [],
    }


def branch_json(st: GitHubState, name: str, sha: str) -> JSON:
    api = f"{st.repo_api}/branches/{name}"
    protected = name in st.protected
    # What a token without administration rights sees of the protection: whether it is on,
    # and the status-check part; the rest needs GET .../protection, which it cannot read.
    protection = {
        "enabled": protected,
        "required_status_checks": {
            "enforcement_level": "non_admins" if protected else "off",
            "contexts": [],
            "checks": [],
        },
    }
    return {
        "name": name,
        "commit": commit_json(st, sha),
        "_links": {"self": api, "html": f"{st.web}/{st.full_name}/tree/{name}"},
        "protected": protected,
        "protection": protection,
        "protection_url": f"{api}/protection",
    }


@op("repos/get-branch")
def get_branch(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    sha = st.branch_sha(p["branch"])
    if sha is None:
        raise HTTPError(404, "Branch not found")
    return 200, branch_json(st, p["branch"], sha), {}


@op("repos/get-branch-rules")
def get_branch_rules(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    # Rules apply to a ref name whether or not the branch exists yet: no 404 here.
    found = [
        {
            "ruleset_source_type": "Repository",
            "ruleset_source": st.full_name,
            "ruleset_id": zlib.crc32(rule["type"].encode()) % 100_000 + 1,
            **rule,
        }
        for rule in st.rules.get(p["branch"], [])
    ]
    return st.paginate(found, f"/repos/{st.full_name}/rules/branches/{p['branch']}", q)
