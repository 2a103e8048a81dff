"""Replies, pull-request bodies and the job summary stay within GitHub's limits."""

from __future__ import annotations

import pytest

from bot import limits, messages, summary_text
from bot.limits import BODY_BUDGET, BODY_LIMIT, cut, fitting, github_length
from bot.report import Conclusion, Report

RUN_URL = "https://github.com/octo-org/hello-world/actions/runs/4242"
MARKER = messages.status_marker("4242")
# What GitHub would refuse, in the count GitHub uses (characters).
TOO_LONG = BODY_LIMIT + 1


def refused_names(count: int) -> list[str]:
    return [f"config/deploy/service-{n:05d}/credentials/.env.production" for n in range(count)]


def status_comment(body: str) -> str:
    """What StatusComment.post sends for ``body``."""
    return f"{messages.fit_comment(body).rstrip()}\n\n{MARKER}\n"


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("abc", 3),
        ("é", 1),  # one character, two bytes in UTF-8
        ("👀", 2),  # outside the BMP: two UTF-16 code units
        ("a\nb", 4),  # a newline as CRLF
    ],
)
def test_length_never_undercounts(text: str, length: int) -> None:
    assert github_length(text) == length
    assert github_length(text) >= len(text)


@pytest.mark.parametrize(
    ("text", "limit", "kept", "dropped"),
    [
        ("short", 10, "short", 0),
        ("one two three", 9, "one two", 6),  # ends at a space, not inside a word
        ("line one\nline two", 12, "line one", 9),
        ("👀👀👀", 4, "👀👀", 1),
        ("x" * 50, 10, "x" * 10, 40),  # no boundary near: cut where the limit is
    ],
)
def test_cut(text: str, limit: int, kept: str, dropped: int) -> None:
    assert cut(text, limit) == (kept, dropped)


def test_fitting_counts_the_separators() -> None:
    assert fitting(["aaa", "bbb", "ccc"], limit=8, most=10) == 2  # "aaa, bbb"
    assert fitting(["aaa", "bbb", "ccc"], limit=100, most=2) == 2
    assert fitting(["a" * 50], limit=10, most=10) == 0


def test_a_long_list_is_shortened_with_how_many_more() -> None:
    names = refused_names(5_000)
    text = messages.listed(names, most=20)
    assert text.startswith(names[0] + ", ")
    assert text.endswith(", … and 4,980 more")
    assert github_length(text) < 2_100
    assert messages.listed(names[:3]) == ", ".join(names[:3])
    assert messages.listed(names, most=0) == "… and 5,000 more"


def test_five_thousand_refused_files_still_make_a_reply_github_accepts() -> None:
    # Any long reason: the bot's own lists are shorter, a model's summary need not be.
    reasons = [f"the change adds credential files: {', '.join(refused_names(5_000))}"]
    summary = f"Nothing was pushed: {'; '.join(reasons)}. Review the request."
    assert github_length(summary) > 4 * BODY_LIMIT
    report = Report(Conclusion.FAILED, summary, run_url=RUN_URL)

    reply = messages.final_reply(report)
    sent = status_comment(reply)

    assert len(sent) < BODY_LIMIT
    assert github_length(reply) <= BODY_BUDGET
    assert sent == f"{reply.rstrip()}\n\n{MARKER}\n"  # nothing left for the guard to cut
    assert reply.startswith(f"I could not finish this request ([workflow run]({RUN_URL})).")
    assert refused_names(1)[0] in reply
    assert "more characters left out: GitHub limits the size of a comment." in reply
    assert reply.endswith("Nothing was pushed. Fix the cause above and comment again to retry.\n")


@pytest.mark.parametrize("conclusion", [Conclusion.PR_OPENED, Conclusion.NO_CHANGES])
def test_a_long_summary_is_cut_and_the_rest_of_the_reply_kept(conclusion: Conclusion) -> None:
    report = Report(
        conclusion,
        "Done. " + "Every line explained at length. " * 5_000,
        pr_url="https://github.com/octo-org/hello-world/pull/7",
        run_url=RUN_URL,
        files=("a.txt",),
    )

    reply = messages.final_reply(report)

    assert github_length(reply) <= BODY_BUDGET
    assert reply.startswith(("Opened https://", "Codex made no changes"))
    assert "more characters left out" in reply
    assert reply.endswith(messages.cost_line(report) + "\n")


def test_a_short_reply_is_left_as_it_is() -> None:
    report = Report(Conclusion.PUSHED, "Added hello.txt.", branch="feature", run_url=RUN_URL)
    assert "left out" not in messages.final_reply(report)
    assert messages.fit_comment("Hi.") == "Hi."


def test_any_comment_body_is_fitted_before_it_is_sent() -> None:
    reason = "you are not on the list: " + ", ".join(refused_names(5_000))
    sent = status_comment(messages.refused_reply(reason))
    assert len(sent) < BODY_LIMIT
    assert sent.endswith(f"{MARKER}\n")


def test_pull_request_body_fits_and_keeps_its_ending() -> None:
    body = messages.pr_body(
        body="## What changed\n\n" + "\n".join(f"- `{name}`" for name in refused_names(5_000)),
        summary="Moved the settings. " * 2_000,
        request="please move every setting\n" * 3_000,
        requester="Codertocat",
        thread_number=12,
        closes_issue=True,
        run_url=RUN_URL,
        thread_id="thread-1",
    )

    assert github_length(body) <= BODY_BUDGET
    assert body.count("more characters left out: GitHub limits the size of a pull request") == 3
    assert "@Codertocat asked:" in body
    assert "Closes #12" in body
    assert messages.thread_from(body) == "thread-1"  # a later follow-up still finds it


def test_partial_body_quotes_a_long_request_shortened() -> None:
    body = messages.partial_body(
        reason="the deadline passed", request="do it\n" * 20_000, run_url=RUN_URL
    )
    assert github_length(body) <= BODY_BUDGET
    assert "left out" in body


def test_job_summary_lists_two_hundred_files_and_how_many_more() -> None:
    files = tuple(refused_names(5_000))
    report = Report(Conclusion.PR_OPENED, "x" * 300_000, prompt="y" * 300_000, files=files)

    summary = summary_text.job_summary(report)

    assert f"- `{files[199]}`\n- … and 4,800 more\n" in summary
    assert f"`{files[200]}`" not in summary
    assert "**Files changed (5000)**" in summary
    assert len(summary.encode()) < 1024 * 1024 // 2


@pytest.mark.parametrize("limit", [200, 1_000, BODY_BUDGET])
@pytest.mark.parametrize("where", ["a comment", "a pull request's description", "a job summary"])
def test_shortened_text_and_its_note_fit_the_limit(limit: int, where: str) -> None:
    text = "👀 many words and lines\n" * 10_000
    assert github_length(messages.shortened(text, limit, where)) <= limit


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Add a greeting", "Add a greeting"),
        ("x" * 256, "x" * 256),
        ("word " * 100, ("word " * 51).rstrip() + "…"),
        ("👀" * 200, "👀" * 127 + "…"),
    ],
)
def test_titles_stay_within_githubs_limit(given: str, expected: str) -> None:
    assert limits.title(given) == expected
    assert github_length(limits.title(given)) <= limits.TITLE_LIMIT
