"""The GitHub fake's handlers for a pull request's files, reviews and review comments (their
replies, edits and reactions too).

The files come from the git remote (`diff_files`). As on GitHub, every comment of a review
must point at a line its file's patch shows, or the whole review is refused with a 422 whose
`errors` hold one sentence: the first failing comment's problems, joined the way GitHub
(Rails' `to_sentence`) joins them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .git_diff import DiffFile, Row, at_position, diff_hunk, find
from .github_issue_handlers import react
from .github_operations import op
from .github_review_shapes import (
    diff_entry_json,
    legacy_review_comment_json,
    review_comment_json,
    review_json,
)
from .github_state import (
    JSON,
    MAX_BODY,
    GitHubState,
    HTTPError,
    Issue,
    Reply,
    Review,
    ReviewComment,
    not_found,
    now,
    unprocessable,
)

DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
_THREAD = "Pull request review thread"
OUTSIDE_DIFF = f"{_THREAD} line must be part of the diff"
_NO_HUNK = f"{_THREAD} diff hunk can't be blank"
_STATES = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


@dataclass(frozen=True)
class Place:
    """Where on a file's diff a comment goes, checked against the patch."""

    path: str
    line: int
    side: str
    start_line: int | None
    start_side: str | None
    row: Row
    diff_hunk: str


def _sentence(parts: list[str]) -> str:
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + ", and " + parts[-1]


def _refused(*parts: str) -> HTTPError:
    return unprocessable(_sentence(list(parts)), docs=DOCS)


def locate(files: dict[str, DiffFile], wanted: JSON) -> Place:
    """Where comment `wanted` (`path`, `line`/`side`, `start_line`/`start_side`, or the
    legacy `position`) goes; a 422 like GitHub's when its file's patch does not show it."""
    f = files.get(wanted["path"])
    if f is None:
        raise _refused(f"{_THREAD} path is invalid", _NO_HUNK)
    side = wanted.get("side", "RIGHT")
    if side not in ("LEFT", "RIGHT"):
        raise _refused(f"{_THREAD} side is not included in the list")
    row, line = None, wanted.get("line", 0)
    if "line" in wanted:
        row = find(f.patch, line, side)
    elif "position" in wanted:  # lines below the first "@@"; it picks the side too
        row = at_position(f.patch, wanted["position"])
        if row is not None:
            side = "RIGHT" if row.new is not None else "LEFT"
            line = row.new if row.new is not None else row.old or 0
    problems = [] if row else [OUTSIDE_DIFF]
    start_line, start_side = wanted.get("start_line"), None
    if start_line is not None:
        start_side = str(wanted.get("start_side", side))
        start = find(f.patch, start_line, start_side)
        precedes = start.position < row.position if start and row else start_line < line
        if not precedes:
            problems.append(f"{_THREAD} start line must precede the end line.")
        elif start is None or row is None or start.hunk != row.hunk:
            problems.append(f"{_THREAD} start line must be part of the same hunk as the line.")
    if row is None:
        problems.append(_NO_HUNK)
    if problems or row is None or f.patch is None:
        raise _refused(*problems)
    return Place(f.filename, line, side, start_line, start_side, row, diff_hunk(f.patch, row))


def add_review(
    st: GitHubState, pull: Issue, login: str, body: str, state: str, commit: str
) -> Review:
    ts, rid = now(), st.next_id()
    html = f"{st.web}/{st.full_name}/pull/{pull.number}#pullrequestreview-{rid}"
    submitted = None if state == "PENDING" else ts
    review = Review(rid, pull.number, login, body, state, commit, submitted, html)
    st.reviews[review.id] = review
    if review.submitted_at:
        pull.updated_at = ts
    return review


def add_thread(st: GitHubState, review: Review, place: Place, body: str) -> ReviewComment:
    """A new thread of `review` at `place`, its first comment saying `body`."""
    ts = now()
    c = ReviewComment(
        st.next_id(),
        review.pull_number,
        review.id,
        place.path,
        place.line,
        place.side,
        place.start_line,
        place.start_side,
        place.row.position,
        place.diff_hunk,
        review.commit_id,
        body,
        review.user,
        ts,
        ts,
    )
    st.review_comments[c.id] = c
    return c


def seed_review_comment(
    st: GitHubState, pull: Issue, wanted: JSON, body: str, login: str, review_id: int | None
) -> ReviewComment:
    """`login`'s comment at `wanted` (as in create-review's `comments`), in review
    `review_id` or in a review of its own; ValueError where create-review would be a 422."""
    review = st.reviews.get(review_id) if review_id is not None else None
    if review_id is not None and (review is None or review.pull_number != pull.number):
        raise ValueError(f"no review {review_id} on pull request #{pull.number}")
    commit = review.commit_id if review else st.sha(pull, "head")
    (place,) = _places(st, pull, commit, [wanted])
    review = review or add_review(st, pull, login, "", "COMMENTED", commit)
    return add_thread(st, review, place, body)


def _places(st: GitHubState, pull: Issue, commit: str, wanted: list[JSON]) -> list[Place]:
    """Where each of `wanted` goes on the diff at `commit`; ValueError, with GitHub's reason,
    for the first the diff does not show."""
    if not wanted:
        return []
    files = {f.filename: f for f in st.files(pull, commit)}
    places = []
    for w in wanted:
        try:
            places.append(locate(files, w))
        except HTTPError as e:
            raise ValueError(f"{w['path']}:{w.get('line')}: {e.body['errors'][0]}") from None
    return places


def seed_review(
    st: GitHubState, pull: Issue, login: str, body: str, state: str, comments: list[JSON]
) -> Review:
    """`login`'s review in `state` (PENDING, COMMENTED, CHANGES_REQUESTED or APPROVED) with a
    thread for each of `comments` (as in create-review's `comments`, each with its `body`).
    All or nothing: ValueError where create-review would be a 422."""
    if state not in (*_STATES.values(), "PENDING"):
        raise ValueError(f"unknown review state {state!r}")
    if state in ("APPROVED", "CHANGES_REQUESTED") and login == pull.user:
        raise ValueError(f"{login} cannot {state.lower()} their own pull request")
    if state in ("COMMENTED", "CHANGES_REQUESTED") and not body and not comments:
        raise ValueError(f"a {state} review needs a body or a comment")
    commit = st.sha(pull, "head")
    places = _places(st, pull, commit, comments)
    review = add_review(st, pull, login, body, state, commit)
    for place, c in zip(places, comments, strict=True):
        add_thread(st, review, place, c["body"])
    return review


def _visible(st: GitHubState, review_id: int) -> bool:
    """Pending reviews and their comments are seen only by their author (the token's)."""
    r = st.reviews[review_id]
    return r.state != "PENDING" or r.user == st.app_login


@op("pulls/list-files")
def list_files(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    pull = st.issue(int(p["pull_number"]), pull=True)
    head = st.sha(pull, "head")
    status, items, headers = st.paginate(
        st.files(pull, head), f"/repos/{st.full_name}/pulls/{pull.number}/files", q
    )
    return status, [diff_entry_json(st, f, head) for f in items], headers


@op("pulls/list-review-comments")
def list_review_comments(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    number = st.issue(int(p["pull_number"]), pull=True).number
    found = [
        c
        for c in st.review_comments.values()
        if c.pull_number == number and _visible(st, c.review_id)
    ]
    if "since" in q:
        since = datetime.fromisoformat(q["since"])
        found = [c for c in found if datetime.fromisoformat(c.updated_at) >= since]
    if "sort" in q:  # without it: oldest first; `direction` is ignored then
        key = "updated_at" if q["sort"] == "updated" else "created_at"
        found.sort(key=lambda c: (getattr(c, key), c.id), reverse=q.get("direction") == "desc")
    status, items, headers = st.paginate(found, f"/repos/{st.full_name}/pulls/{number}/comments", q)
    return status, [review_comment_json(st, c) for c in items], headers


def _review_comment(st: GitHubState, comment_id: str) -> ReviewComment:
    c = st.review_comments.get(int(comment_id))
    if c is None or not _visible(st, c.review_id):
        raise not_found()
    return c


@op("pulls/get-review-comment")
def get_review_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    return 200, review_comment_json(st, _review_comment(st, p["comment_id"])), {}


@op("pulls/update-review-comment")
def update_review_comment(
    st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any
) -> Reply:
    # No length check: the spec documents no 422 here, so the fake could not answer one
    # that passes its own validation.
    c = _review_comment(st, p["comment_id"])
    c.body, c.updated_at = body["body"], now()
    return 200, review_comment_json(st, c), {}


@op("reactions/create-for-pull-request-review-comment")
def react_review_comment(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    # Keyed as review_comment_json's `reactions` rollup counts them.
    c = _review_comment(st, p["comment_id"])
    return react(st, ("review_comment", c.id), body["content"])


@op("pulls/get-review")
def get_review(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    r = st.reviews.get(int(p["review_id"]))
    if r is None or r.pull_number != int(p["pull_number"]) or not _visible(st, r.id):
        raise not_found()
    return 200, review_json(st, r), {}


@op("pulls/list-comments-for-review")
def list_comments_for_review(
    st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any
) -> Reply:
    number = st.issue(int(p["pull_number"]), pull=True).number
    r = st.reviews.get(int(p["review_id"]))
    if r is None or r.pull_number != number or not _visible(st, r.id):
        raise not_found()
    found = sorted(
        (c for c in st.review_comments.values() if c.review_id == r.id),
        key=lambda c: (c.created_at, c.id),
    )
    url = f"/repos/{st.full_name}/pulls/{number}/reviews/{r.id}/comments"
    status, items, headers = st.paginate(found, url, q)
    return status, [legacy_review_comment_json(st, c) for c in items], headers


@op("pulls/list-reviews")
def list_reviews(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    number = st.issue(int(p["pull_number"]), pull=True).number
    found = [r for r in st.reviews.values() if r.pull_number == number and _visible(st, r.id)]
    status, items, headers = st.paginate(found, f"/repos/{st.full_name}/pulls/{number}/reviews", q)
    return status, [review_json(st, r) for r in items], headers


def _check_event(st: GitHubState, pull: Issue, event: str | None, text: str, n: int) -> None:
    own = pull.user == st.app_login
    if event == "APPROVE" and own:
        raise unprocessable("Can not approve your own pull request", docs=DOCS)
    if event == "REQUEST_CHANGES" and own:
        raise unprocessable("Can not request changes on your own pull request", docs=DOCS)
    if event == "REQUEST_CHANGES" and not text and not n:
        raise unprocessable(
            "You need to leave a comment indicating the requested changes.", docs=DOCS
        )
    if event == "COMMENT" and not text and not n:
        raise unprocessable("Body can't be blank", docs=DOCS)
    if event is None and any(
        r.pull_number == pull.number and r.user == st.app_login and r.state == "PENDING"
        for r in st.reviews.values()
    ):
        raise unprocessable("User can only have one pending review per pull request", docs=DOCS)


@op("pulls/create-review")
def create_review(st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any) -> Reply:
    pull = st.issue(int(p["pull_number"]), pull=True)
    body = body or {}
    text, wanted = body.get("body") or "", body.get("comments") or []
    _check_event(st, pull, body.get("event"), text, len(wanted))
    if any(len(t) > MAX_BODY for t in (text, *(c["body"] for c in wanted))):
        raise unprocessable(f"Body is too long (maximum is {MAX_BODY} characters)", docs=DOCS)
    commit = body.get("commit_id") or st.sha(pull, "head")
    files = {f.filename: f for f in st.files(pull, commit)}
    places = [locate(files, c) for c in wanted]  # all or nothing, as on GitHub
    state = _STATES.get(body.get("event", ""), "PENDING")
    review = add_review(st, pull, st.app_login, text, state, commit)
    for place, c in zip(places, wanted, strict=True):
        add_thread(st, review, place, c["body"])
    return 200, review_json(st, review), {}


@op("pulls/create-reply-for-review-comment")
def reply_to_review_comment(
    st: GitHubState, p: dict[str, str], q: dict[str, str], body: Any
) -> Reply:
    pull = st.issue(int(p["pull_number"]), pull=True)
    replied = st.review_comments.get(int(p["comment_id"]))
    if replied is None or replied.pull_number != pull.number:
        raise not_found()
    data = review_comment_json(st, seed_reply(st, replied, body["body"], st.app_login))
    return 201, data, {"Location": data["url"]}


def seed_reply(st: GitHubState, replied: ReviewComment, body: str, login: str) -> ReviewComment:
    """`login`'s reply in the thread of `replied`, pointing at the thread's first comment."""
    first = st.review_comments[replied.in_reply_to_id or replied.id]
    pull = st.issue(first.pull_number, pull=True)
    # On GitHub each reply comes in a review of its own, submitted at once with no body.
    review = add_review(st, pull, login, "", "COMMENTED", st.sha(pull, "head"))
    ts = now()
    c = dataclasses.replace(
        first,
        id=st.next_id(),
        review_id=review.id,
        body=body,
        user=login,
        created_at=ts,
        updated_at=ts,
        in_reply_to_id=first.id,
    )
    st.review_comments[c.id] = c
    return c
