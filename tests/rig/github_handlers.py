"""One handler per GitHub REST operation of the fake, keyed by operationId: the repository's
and users' here, those of issues, pull requests and reviews in github_issue_handlers.py,
github_pull_handlers.py and github_review_handlers.py, of the Git Data API in
github_git_handlers.py and of workflow runs in github_actions_handlers.py.

A handler gets the state (lock held), the path parameters, the query (plain strings) and the
parsed JSON body; it returns (status, JSON, extra headers) or raises HTTPError. Requests reach
it only after they passed OpenAPI validation and authentication.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Importing the handler modules registers their handlers in HANDLERS.
from . import github_actions_handlers as github_actions_handlers
from . import github_branch_handlers as github_branch_handlers
from . import github_git_handlers as github_git_handlers
from . import github_review_handlers as github_review_handlers
from .github_issue_handlers import add_comment as add_comment
from .github_issue_handlers import add_issue as add_issue
from .github_operations import HANDLERS as HANDLERS
from .github_operations import Handler as Handler
from .github_operations import op
from .github_pull_handlers import add_pull as add_pull
from .github_shapes import full_repository_json, user_json
from .github_state import LEGACY, GitHubState, HTTPError, Reply, not_found


@op("repos/get")
def get_repo(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, full_repository_json(st), {}


@op("repos/get-collaborator-permission-level")
def get_permission(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    login = next((u for u in st.user_types if u.lower() == p["username"].lower()), None)
    if login is None:  # GitHub: 404 for a login that does not exist
        raise not_found()
    # A user GitHub knows who is no collaborator: "read" on a public repository, else "none".
    role = st.permissions.get(login, "none" if st.private else "read")
    user = user_json(st, login) | {
        "role_name": role,
        "permissions": {
            "admin": role == "admin",
            "maintain": role in ("admin", "maintain"),
            "push": LEGACY[role] in ("admin", "write"),
            "triage": role not in ("read", "none"),
            "pull": role != "none",
        },
    }
    return 200, {"permission": LEGACY[role], "role_name": role, "user": user}, {}


@op("users/get-authenticated")
def get_user(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    if st.user_types.get(st.app_login) == "Bot":  # what an installation token (GITHUB_TOKEN) gets
        raise HTTPError(403, "Resource not accessible by integration")
    extra = {
        "bio": None,
        "blog": "",
        "company": None,
        "email": None,
        "followers": 0,
        "following": 0,
        "hireable": None,
        "location": None,
        "name": None,
        "public_gists": 0,
        "public_repos": 0,
        "created_at": st.created_at,
        "updated_at": st.created_at,
        "collaborators": 0,
        "disk_usage": 0,
        "owned_private_repos": 0,
        "private_gists": 0,
        "total_private_repos": 0,
        "two_factor_authentication": True,
        "user_view_type": "private",
    }
    return 200, user_json(st, st.app_login) | extra, {}


@op("rate-limit/get")
def rate_limit(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    core = {
        "limit": 5000,
        "remaining": 4999,
        "reset": int(datetime.now().timestamp()) + 3600,
        "used": 1,
    }
    resources = {k: dict(core) for k in ("core", "search", "graphql", "integration_manifest")}
    return 200, {"resources": resources, "rate": core}, {}
