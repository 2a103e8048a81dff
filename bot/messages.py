"""Every sentence a person reads: branch names, commits, PR text, comments, summaries.

Pure functions, written as what happened, why, and what to do next.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot import spend_text
from bot.gitrepo import Identity
from bot.limits import BODY_BUDGET, cut, fitting, github_length
from bot.report import Conclusion, Report

BOT_NAME = "codex-pr-bot"
BOT_EMAIL = "codex-pr-bot@users.noreply.github.com"
BOT_IDENTITY = Identity(BOT_NAME, BOT_EMAIL)
_SLUG = re.compile(r"[^a-z0-9]+")
# Room for the note that says text was cut, and the most a quoted request or a summary
# may take of a pull request's description (the agent's description gets the rest).
_NOTE_ROOM = 120
_QUOTED_LIMIT = 10_000


def slug(text: str, limit: int = 40) -> str:
    words = _SLUG.sub("-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "change"


def branch_for_issue(prefix: str, number: int) -> str:
    return f"{prefix}issue-{number}"


def branch_for_task(prefix: str, name: str) -> str:
    """Named by the task, not its text: editing the task file keeps its pull request."""
    return f"{prefix}task-{slug(name)}"


def branch_for_pull(prefix: str, number: int) -> str:
    """A follow-up that cannot go to its pull request's branch; later ones continue it."""
    return f"{prefix}pr-{number}"


def branch_for_prompt(prefix: str, prompt: str, kind: str = "task") -> str:
    """The same prompt gives the same branch, so a re-run updates instead of duplicating."""
    digest = hashlib.sha256(prompt.strip().encode()).hexdigest()[:8]
    return f"{prefix}{kind}-{slug(prompt, 30)}-{digest}"


def noreply_email(login: str, user_id: int | None) -> str:
    return (
        f"{user_id}+{login}@users.noreply.github.com"
        if user_id
        else (f"{login}@users.noreply.github.com")
    )


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``: the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def shortened(text: str, limit: int, where: str = "a comment") -> str:
    """``text`` within ``limit``, cut with a note that says so when it is longer."""
    if github_length(text) <= limit:
        return text
    kept, dropped = cut(text, max(0, limit - _NOTE_ROOM))
    return f"{kept}\n\n… ({dropped:,} more characters left out: GitHub limits the size of {where}.)"


def listed(items: Sequence[str], *, most: int = 20, limit: int = 2_000, sep: str = ", ") -> str:
    """``items`` joined, as many as fit, then "… and 120 more"."""
    shown = fitting(items, limit=limit, most=most, separator=sep)
    more = [f"… and {len(items) - shown:,} more"] if shown < len(items) else []
    return sep.join([*items[:shown], *more])


def fit_comment(body: str) -> str:
    """Any comment body, within what GitHub accepts with room for the hidden marker."""
    return shortened(body, BODY_BUDGET)


def _within(render: Callable[[str], str], text: str, where: str) -> str:
    """``render(text)``, with the free ``text`` shortened until the whole fits the budget."""
    whole = render(text)
    excess = github_length(whole) - BODY_BUDGET
    if excess <= 0:
        return whole
    return render(shortened(text, github_length(text) - excess, where))


def pr_body(
    *,
    body: str,
    summary: str,
    request: str,
    requester: str | None,
    thread_number: int | None,
    closes_issue: bool,
    run_url: str | None,
    thread_id: str | None = None,
) -> str:
    who = f"@{requester}" if requester else "A maintainer"
    where = "a pull request's description"
    asked = quote(shortened(request, _QUOTED_LIMIT, where))
    summary = shortened(summary.strip(), _QUOTED_LIMIT, where)

    def render(body: str) -> str:
        parts = [summary, "", body.strip(), "", f"{who} asked:", "", asked]
        if thread_number is not None:
            parts += ["", f"{'Closes' if closes_issue else 'Refs'} #{thread_number}"]
        if run_url:
            parts += ["", f"Made by {BOT_NAME} in [this workflow run]({run_url})."]
        parts += ["", PULL_MARK] + (["", thread_marker(thread_id)] if thread_id else [])
        return "\n".join(parts).strip() + "\n"

    return _within(render, body, where)


def thread_marker(thread_id: str) -> str:
    """Hidden in the pull request: the Codex thread a follow-up can try to resume."""
    return f"{OWN_COMMENT_MARK}codex-thread={thread_id} -->"


def thread_from(body: str) -> str | None:
    found = re.search(re.escape(OWN_COMMENT_MARK) + r"codex-thread=([0-9A-Za-z-]+) -->", body)
    return found.group(1) if found else None


def local_report(*, branch: str, sha: str, title: str, body: str, pushed: bool) -> str:
    where = "committed and pushed to origin" if pushed else "committed locally (use --push)"
    return "\n".join(
        [f"Branch {branch} ({sha[:12]}) {where}.", "", f"Title: {title}", "", body.strip(), ""]
    )


NO_CHANGES = "Codex made no changes to the repository, so there is nothing to commit."


def usage_reply(trigger: str) -> str:
    return (
        f"Tell me what to change after `{trigger}`, for example:\n\n"
        f"```\n{trigger} add a --verbose flag to the CLI and document it in the README\n```\n"
    )


def refused_reply(reason: str) -> str:
    return f"Sorry, I can't act on this request: {reason}"


_REDIRECTED = {
    "merged": "Pull request #{n} is merged, so I left its branch alone and started from `{base}`",
    "closed": "Pull request #{n} is closed, so I left its branch alone and started from `{base}`",
    "default_branch": "Pull request #{n} comes from `{head}`, the default branch, which I "
    "never push to directly",
    "protected": "Pull request #{n} comes from `{head}`, a protected branch, which I never "
    "push to directly",
    "rules": "Pull request #{n} comes from `{head}`, which repository rules guard ({rules}), "
    "so I did not push to it",
}


def redirect_note(number: int, why: str, *, head: str, base: str, rules: Sequence[str] = ()) -> str:
    """Why a follow-up's change is in a pull request of its own (follow_up.Why values)."""
    reason = _REDIRECTED[why].format(n=number, head=head, base=base, rules=", ".join(rules))
    return f"{reason}: the change is in a separate pull request into `{base}`."


def fork_reply(pr_number: int) -> str:
    return (
        f"Sorry, pull request #{pr_number} comes from a fork, and I never push to forks or "
        "run the agent with this repository's secrets on a fork's code. A maintainer can "
        "ask on an issue instead, or push the fork's branch here first."
    )


def unexpected_error(message: str) -> str:
    return (
        f"The bot hit an unexpected error ({message}). This is a bug in codex-pr-bot; "
        "the run's log has the details."
    )


def run_link(run_url: str | None) -> str:
    return f" ([workflow run]({run_url}))" if run_url else ""


# Hidden in every comment the bot writes, so it never answers itself.
OWN_COMMENT_MARK = f"<!-- {BOT_NAME} "
# In the body of every pull request the bot opens: CI repair follows only these.
PULL_MARK = f"{OWN_COMMENT_MARK}pull -->"


def pull_not_opened(report: Report) -> str:
    """The first run on a new repository: pushed, but no pull request allowed."""
    return (
        f"I pushed the change to `{report.branch}`, but GitHub does not let this workflow open "
        f"pull requests here. [Open the pull request]({report.compare_url}) by hand; nothing "
        'is lost. So that the bot can open it next time, turn on "Allow GitHub Actions to '
        "create and approve pull requests\" (the repository's Settings → Actions → General; "
        "an organisation can also forbid it there), or run the bot with a GitHub App token "
        "(actions/create-github-app-token)."
    )


def addressed_in(report: Report) -> str:
    """The reply in each thread of a review whose changes one commit made."""
    return (
        f"Addressed in [{report.commit[:7]}]({report.commit_url}), one commit for the whole "
        f"review{run_link(report.run_url)}.\n\n{OWN_COMMENT_MARK}addressed -->\n"
    )


def status_marker(run_id: str) -> str:
    """Hidden in each status comment: finds it again on a re-run, and marks it as ours."""
    return f"{OWN_COMMENT_MARK}status run={run_id} -->"


def working_status(run_url: str | None) -> str:
    return f"👀 Working on it{run_link(run_url)}. I'll update this comment when I'm done."


def cost_line(report: Report) -> str:
    files = f"{len(report.files)} file{'s' if len(report.files) != 1 else ''} changed, "
    spent = f"{report.tokens:,} tokens ({spend_text.cost(report.cost_usd)})"
    return f"{files}{spent}, {report.duration_seconds:.0f} s."


def final_reply(report: Report, retry_hint: str = "comment again to retry") -> str:
    """The comment that tells the requester how their request ended, within GitHub's limit."""
    return _within(
        lambda text: _final_reply(replace(report, summary=text), retry_hint),
        report.summary,
        "a comment",
    )


def _final_reply(report: Report, retry_hint: str) -> str:
    link = run_link(report.run_url)
    note = f"\n\n{report.note}" if report.note else ""
    match report.conclusion:
        case Conclusion.PR_OPENED | Conclusion.PR_UPDATED if report.partial:
            head = (
                f"⏱️ Stopped early{link}: {report.summary} "
                f"What existed so far is in the draft {report.pr_url}{note}"
            )
        case Conclusion.PR_OPENED:
            head = f"Opened {report.pr_url}{link}.{note}\n\n{report.summary}"
        case Conclusion.PR_UPDATED:
            head = f"Updated {report.pr_url}{link}.{note}\n\n{report.summary}"
        case Conclusion.PUSHED if report.unopened:
            head = f"{pull_not_opened(report)}{link}\n\n{report.summary}"
        case Conclusion.PUSHED:
            commit = (
                f"[{report.commit[:7]}]({report.commit_url})" if report.commit_url else "a commit"
            )
            head = f"Pushed {commit} to `{report.branch}`{link}.{note}\n\n{report.summary}"
        case Conclusion.PLANNED:
            head = f"📋 A plan{link}; nothing was changed.\n\n{report.plan}"
        case Conclusion.REVIEWED:
            comments = f"{report.review_comments} new comment(s) on the diff"
            head = f"🔎 Reviewed{link}: {report.review_url} ({comments}).\n\n{report.summary}"
        case Conclusion.NO_CHANGES:
            head = f"{NO_CHANGES}{link}{note}\n\n{report.summary}".strip()
        case Conclusion.FAILED:
            return (
                f"I could not finish this request{link}.{note}\n\n{report.summary}\n\n"
                f"Nothing was pushed. Fix the cause above and {retry_hint}.\n"
            )
        case _:
            return report.summary + "\n"
    return f"{head}\n\n{cost_line(report)}\n"


def partial_title(prompt: str) -> str:
    first = " ".join(prompt.split())[:60]
    return f"[partial] {first}"


def partial_body(*, reason: str, request: str, run_url: str | None) -> str:
    request = shortened(request, _QUOTED_LIMIT, "a pull request's description")
    return (
        f"The bot was stopped before it finished: {reason}. This draft holds the changes "
        f"made until then, unreviewed by the agent{run_link(run_url)}.\n\n"
        f"The request was:\n\n{quote(request)}\n\n{PULL_MARK}\n"
    )
