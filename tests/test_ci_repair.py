"""When CI repair repairs, stops with one comment, or stays silent: the decisions, each
attacked, against the in-memory forge over the real remote's commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import ci_repair, ci_text
from bot.events import Answer, Person, Skip
from bot.forge import CiJob, CiRun, Pull, Thread
from bot.messages import BOT_IDENTITY, PULL_MARK
from tests.fakes import BOT_LOGIN, Comment, FakeForge
from tests.rig.git_remote import GitRemote, git

BRANCH = "codex/issue-3"
THREAD = Thread(2, is_pull_request=True)
SENDER = Person("github-actions[bot]", is_bot=True)
FAILED_TEST = "E       AssertionError: assert 1 == 2"
LOG = f"##[group]Run pytest\npytest\n##[endgroup]\n{FAILED_TEST}\n##[error]Process completed with exit code 1.\n"  # noqa: E501


def pushed(remote: GitRemote, tmp_path: Path, author: tuple[str, str]) -> str:
    work = remote.clone(tmp_path / f"w-{author[0]}")
    git("switch", "-q", "-c", BRANCH, cwd=work)
    (work / "a.txt").write_text(author[0])
    git("add", "-A", cwd=work)
    git("-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}", "commit", "-qm", "x",
        cwd=work)  # fmt: skip
    git("push", "-q", "-f", str(remote.bare), BRANCH, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


@pytest.fixture
def head(remote: GitRemote, tmp_path: Path) -> str:
    return pushed(remote, tmp_path, (BOT_IDENTITY.name, BOT_IDENTITY.email))


def failing(forge: FakeForge, sha: str, log: str = LOG, conclusion: str = "failure") -> CiRun:
    """The bot's pull request #2 at ``sha``, and a run of it with one failed job."""
    body = f"Greets.\n\n{PULL_MARK}\n"
    forge.pulls[2] = Pull(2, "https://x/pull/2", BRANCH, forge.repository, "main", "T", body,
                          head_sha=sha, author=BOT_LOGIN)  # fmt: skip
    run = CiRun(len(forge.jobs) + 10, "CI", sha, "failure", "https://x/runs")
    forge.jobs[run.id] = [CiJob("CI", "test", run.id + 1000, conclusion, "Run pytest", "")]
    forge.logs[run.id + 1000] = log
    return run


def said(forge: FakeForge, body: str, author: str = BOT_LOGIN) -> None:
    forge.written[len(forge.written) + 100] = Comment(2, body, author=author)


def admit(forge: FakeForge, run: CiRun) -> ci_repair.CiFix | Answer | Skip:
    return ci_repair.automatic(forge, THREAD, run, BRANCH, 2, SENDER)


def test_the_first_failure_is_attempt_one_with_the_log_as_context(
    forge: FakeForge, head: str
) -> None:
    fix = admit(forge, failing(forge, head))
    assert isinstance(fix, ci_repair.CiFix)
    assert (fix.attempt, fix.most) == (1, 2)
    assert FAILED_TEST in fix.context()
    assert "Run pytest" in fix.prompt
    assert FAILED_TEST not in fix.prompt  # the log is context, never the request
    assert "attempt 1 of 2" in fix.reply_note()


def test_attempts_are_counted_and_bounded(forge: FakeForge, head: str) -> None:
    run = failing(forge, head)
    said(forge, ci_text.attempt_note([], 1, 2, "a" * 16))
    said(forge, ci_text.attempt_note([], 2, 2, "b" * 16))
    stop = admit(forge, run)
    assert isinstance(stop, Answer)
    assert "after 2 attempts" in stop.reply
    said(forge, stop.reply)
    assert isinstance(admit(forge, run), Skip)  # said once, then silent


def test_markers_in_someone_elses_comments_count_for_nothing(forge: FakeForge, head: str) -> None:
    run = failing(forge, head)
    said(forge, ci_text.stop("Stop!", 9, "0"), author="mallory")
    said(forge, ci_text.attempt_note([], 9, 2, "c" * 16), author="mallory")
    fix = admit(forge, run)
    assert isinstance(fix, ci_repair.CiFix)
    assert fix.attempt == 1


def test_a_person_who_pushed_since_gets_the_branch_left_to_them(
    forge: FakeForge, remote: GitRemote, tmp_path: Path, head: str
) -> None:
    theirs = pushed(remote, tmp_path, ("Mona", "mona@example.com"))
    stop = admit(forge, failing(forge, theirs))
    assert isinstance(stop, Answer)
    assert "Someone else pushed to this branch" in stop.reply


@pytest.mark.parametrize(
    ("conclusion", "log"),
    [
        ("timed_out", LOG),
        ("cancelled", LOG),
        ("failure", "##[error]The runner has received a shutdown signal.\n"),
    ],
)
def test_a_failure_that_is_not_the_codes_stops_with_a_reason(
    forge: FakeForge, head: str, conclusion: str, log: str
) -> None:
    stop = admit(forge, failing(forge, head, log, conclusion))
    assert isinstance(stop, Answer)
    assert "not because of the code" in stop.reply


def test_a_run_of_an_older_commit_or_without_the_marker_is_left_alone(
    forge: FakeForge, head: str
) -> None:
    run = failing(forge, head)
    old = CiRun(run.id, "CI", "0" * 40, "failure", "")
    assert isinstance(admit(forge, old), Skip)
    forge.pulls[2] = Pull(2, "u", BRANCH, forge.repository, "main", "T", "A person's.",
                          head_sha=head, author="Codertocat")  # fmt: skip
    assert isinstance(admit(forge, run), Skip)
    assert forge.written == {}
