"""The job summary: what a run did, for the workflow run's summary page. Pure."""

from __future__ import annotations

from bot import spend_text
from bot.limits import SUMMARY_TEXT_BUDGET
from bot.messages import cost_line, listed, quote, shortened
from bot.report import Report


def unsigned_warning(report: Report) -> str:
    reason = shortened(report.unsigned, 1000, "a reason")
    return f"The commit was pushed with git, unsigned: GitHub could not make it ({reason})."


def job_summary(report: Report) -> str:
    """Markdown for the job's summary page."""
    rows = [
        ("Result", f"`{report.conclusion.value}`"),
        ("Asked by", f"@{report.requester}" if report.requester else "this workflow"),
    ]
    if report.branch:
        rows.append(("Branch", f"`{report.branch}`"))
    if report.pr_url:
        rows.append(("Pull request", report.pr_url))
    if report.compare_url:
        rows.append(("Open the pull request", report.compare_url))
    if report.commit:
        signed = "made and signed by GitHub (Verified)" if report.signed else "pushed with git"
        rows.append(("Commit", f"`{report.commit[:12]}`, {signed}"))
    if report.review_url:
        rows.append(("Review", f"{report.review_url} ({report.review_comments} new comments)"))
    lines = ["## codex-pr-bot", "", "| | |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    where = "a job summary"
    if report.prompt:
        lines += [
            "",
            "**Request**",
            "",
            quote(shortened(report.prompt, SUMMARY_TEXT_BUDGET, where)),
        ]
    lines += ["", shortened(report.summary, SUMMARY_TEXT_BUDGET, where), "", cost_line(report)]
    if report.unsigned:
        lines += ["", f"⚠️ {unsigned_warning(report)}"]
    if report.unposted:
        lines += ["", f"⚠️ **The reply could not be posted:** {report.unposted}"]
    lines += spend_text.table(report.layers)
    if report.files:
        files = [f"`{path}`" for path in report.files]
        lines += ["", f"**Files changed ({len(report.files)})**", ""]
        lines += ["- " + listed(files, most=200, limit=SUMMARY_TEXT_BUDGET, sep="\n- ")]
    if report.left_out:
        left_out = [f"`{path}`" for path in report.left_out]
        lines += ["", f"**Left out: changed before the agent started ({len(left_out)})**", ""]
        lines += ["- " + listed(left_out, most=200, limit=SUMMARY_TEXT_BUDGET, sep="\n- ")]
    return "\n".join(lines) + "\n"
