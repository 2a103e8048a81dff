"""A failed CI job's log, read for a repair: the failing step's output, bounded. Pure.

The log is ``GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs``: each line starts
with a timestamp, a step opens with ``##[group]Run <command>`` and errors are
``##[error]`` lines. Code in the pull request wrote most of it, so it is data, never
instructions: the excerpt is plain text for the caller to fence, without escape sequences
or invisible characters, and with the run's secrets taken out before anything is cut.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.forge import CiJob
from bot.git_text import redact
from bot.progress_events import one_line


@dataclass(frozen=True)
class Excerpt:
    job: CiJob
    text: str  # what Codex reads: the failing step's output around its errors, bounded
    errors: tuple[str, ...]  # the most telling error lines (at most 5), timestamps stripped
    runner_error: str | None  # why this is the machine's fault, not the code's


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")
# CSI (colours, cursor moves), OSC (titles, hyperlinks) and the two-character escapes.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0 and C1 controls but tab and newline; zero-width, bidirectional and other format
# characters; the Unicode line separators; surrogates; the invisible "tag" characters.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_STEP = re.compile(r"##\[group\]Run (.*)")
# The runner's own lines that end a step's output: post steps and the last clean-up.
_STEPS_END = ("Post job cleanup.", "Cleaning up orphan processes")
# Lines that say what failed, in the spellings of common tools.
_NAMING = re.compile(
    r"##\[error\]|FAILED |ERROR[: ]|FAIL |--- FAIL: |npm ERR! |npm error |Error: "
    r"|.*?(?:\berror(?:\[\w+\])?: |: error TS\d+: |panicked at )"
)
# Lines that explain a failure named elsewhere: pytest's "E   " lines, an exception.
_DETAIL = re.compile(r"E {3}|[A-Za-z_][\w.]*(?:Error|Exception)(?::|$)")
_GENERIC = re.compile(r"##\[error\]Process completed with exit code \d+\.")
# What GitHub's runner and hosted-runner service write when the machine, not the code,
# failed (actions/runner and actions/runner-images issues, e.g. runner#2040, #2427,
# runner-images#10401; the disk warning is runner#873).
_RUNNER_FAULTS = (
    (r"the runner has received a shutdown signal", "the runner received a shutdown signal"),
    (r"lost communication with the server", "the runner lost communication with GitHub"),
    (r"the hosted runner encountered an error", "the hosted runner failed while it ran the job"),
    (r"received request to deprovision", "the hosted runner was taken away mid-job"),
    (r"an error occurred while provisioning resources", "GitHub could not provision a runner"),
    (r"no space left on device|you are running out of disk space", "the runner ran out of disk"),
    (r"has exceeded the maximum execution time", "the job ran past its time limit"),
    (r"^##\[error\]the operation was canceled\.", "the job was cancelled while it ran"),
)
_NOT_THE_CODE = {
    "cancelled": "was cancelled",
    "timed_out": "ran out of time",
    "startup_failure": "could not start",
}
# A step's head: the command and a few lines of its settings.
_HEAD_LINES = 6
# Lines kept before and after each error line chosen, and after the last error.
_BEFORE, _AFTER = 3, 1
_ERRORS = 5
_LINE_LIMIT = 1_000
# Room for the "… N lines left out …" lines: at most one per gap between the head, the
# error lines' neighbourhoods and the tail, each at most this long.
_GAPS, _GAP_LIMIT = _ERRORS + 3, 40
_MIN_LIMIT = 1_000


def _clean(log: str, secrets: Sequence[str] = ()) -> list[str]:
    """The log's lines without timestamps, escape sequences, overwritten progress output
    or invisible characters, and with each secret as ``***``."""
    lines = []
    for line in _ANSI.sub("", log).split("\n"):
        if found := _TIMESTAMP.match(line):
            line = line[found.end() :]
        # A carriage return rewrites the line on a terminal: keep what was shown last.
        parts = [part for part in line.split("\r") if part]
        lines.append(parts[-1] if parts else "")
    # Cleaned before redacting, so a secret broken up by invisible characters is found;
    # redacted before cutting, so a cut cannot leave part of one.
    return redact(_HIDDEN.sub("", "\n".join(lines)), secrets).rstrip("\n").split("\n")


def _kind(line: str) -> int | None:
    """0 for a line that names a failure, 1 for one that explains it, 2 for the runner's
    bare "Process completed with exit code"; None for any other line."""
    if _GENERIC.match(line):
        return 2
    if _NAMING.match(line):
        return 0
    return 1 if _DETAIL.match(line) else None


def _section(lines: list[str], step: str | None) -> tuple[int, int]:
    """The lines of the failing step's output, as ``excerpt`` finds them."""
    bounds = [i for i, line in enumerate(lines) if _STEP.match(line) or line.startswith(_STEPS_END)]
    edges = [0, *bounds, len(lines)]
    sections = [(s, e) for s, e in itertools.pairwise(edges) if s < e]
    failed = [i for i, line in enumerate(lines) if line.startswith("##[error]")]
    if step:
        wanted = {f"##[group]{' '.join(step.split())}", f"##[group]Run {' '.join(step.split())}"}
        named = [(s, e) for s, e in sections if " ".join(lines[s].split()) in wanted]
        # The same command may run twice: the run of it that failed comes first.
        named.sort(key=lambda n: not any(n[0] <= i < n[1] for i in failed))
        if named:
            return named[0]
    if failed:
        return next((s, e) for s, e in sections if s <= failed[0] < e)
    return 0, len(lines)


def _clip(line: str) -> str:
    return line if len(line) <= _LINE_LIMIT else line[: _LINE_LIMIT - 1] + "…"


def _pick(lines: list[str], start: int, end: int, errors: list[int], budget: int) -> list[int]:
    """The lines kept: the head, each chosen error with its neighbours, then as much as
    fits before the last error, tail-biased. Each of these is one run of lines (a run
    ends where a line does not fit), so the gaps between them are few."""
    kept: set[int] = set()
    used = 0

    def take(indices: range) -> None:
        nonlocal used
        for index in indices:
            cost = 0 if index in kept else len(_clip(lines[index])) + 1
            if used + cost > budget:
                return
            kept.add(index)
            used += cost

    if _STEP.match(lines[start]):
        group_end = next((i for i in range(start, end) if lines[i] == "##[endgroup]"), start)
        take(range(start, min(group_end + 1, start + _HEAD_LINES)))
    stop = min(end, max(errors, default=end) + 1 + _AFTER)
    take(range(stop - 1, stop - 2, -1))
    for error in errors[:_ERRORS]:
        take(range(max(start, error - _BEFORE), min(end, error + 1 + _AFTER)))
    take(range(stop - 1, start - 1, -1))
    return sorted(kept)


def _render(lines: list[str], kept: list[int], start: int, end: int) -> str:
    out, at = [], start
    for index in [*kept, end]:
        if index > at:
            out.append(f"… {index - at} line{'s' if index - at > 1 else ''} left out …")
        if index < end:
            out.append(_clip(lines[index]))
        at = index + 1
    return "\n".join(out)


def _runner_error(lines: Sequence[str]) -> str | None:
    """Why the machine failed, if the log says so. A step can print these words too; then
    the bot only declines to repair, which is the safe mistake."""
    text = "\n".join(lines)
    for pattern, reason in _RUNNER_FAULTS:
        if re.search(pattern, text, re.IGNORECASE | re.MULTILINE):
            return reason
    return None


def excerpt(job: CiJob, log: str, *, secrets: Sequence[str] = (), limit: int = 6000) -> Excerpt:
    """The failing step's output from ``job``'s log, within ``limit`` characters.

    The step is ``job.step`` if the log has a step of that name (GitHub names a step
    without a name after its command, "Run pytest -q", and logs every step that way), else
    the step with the first ``##[error]``, else the end of the log. The excerpt keeps the
    step's head (the command), the lines around its most telling errors and, tail-biased,
    the lines up to just after its last error; each cut is a line ``… N lines left out …``.

    Errors, most telling first: lines that name a failure (``##[error]``, pytest's
    ``FAILED``/``ERROR``, ``FAIL``, go's ``--- FAIL:``, ``npm ERR!``/``npm error``,
    ``Error:``, a compiler's ``error:``/``error[E…]:``/``error TS…:``, Rust's ``panicked
    at``); then lines that explain one (pytest's ``E   `` lines, an exception's
    ``SomeError: …`` line, which says more than the ``Traceback`` above it); last the
    runner's bare ``Process completed with exit code N.``, which says only that it failed.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT} characters")
    lines = _clean(log, secrets)
    start, end = _section(lines, job.step)
    kinds = {i: kind for i in range(start, end) if (kind := _kind(lines[i])) is not None}
    ranked = sorted(kinds, key=lambda i: (kinds[i], i))
    kept = _pick(lines, start, end, ranked, limit - _GAPS * _GAP_LIMIT)
    return Excerpt(
        job=job,
        text=_render(lines, kept, start, end),
        errors=tuple(one_line(lines[i], 300) for i in ranked[:_ERRORS]),
        runner_error=_runner_error(lines),
    )


_NORMALISE = (
    # Timestamps and durations change with every run.
    (r"\d{4}-\d\d-\d\d[t ]\d\d:\d\d:\d\d(?:\.\d+)?(?:z|[+-]\d\d:?\d\d)?", ""),
    (r"\b\d+:\d\d:\d\d(?:\.\d+)?\b", ""),
    (r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\b", ""),
    # Temporary directories are named anew in each run.
    (r"(?:/home/runner/work/_temp|/private/var/folders|/var/folders|/tmp)/\S*", "<tmp>"),
    (r"[a-z]:\\users\\[^\\\s]+\\appdata\\local\\temp\\\S*", "<tmp>"),
    # Commit and object ids, run ids; then any other number.
    (r"\b(?:0x)?(?=[a-f]*\d)[0-9a-f]{7,}\b", "h"),
    (r"\b\d+\b", "0"),
    (r"\s+", " "),
)


def _normalised(error: str) -> str:
    text = error.lower()
    for pattern, replacement in _NORMALISE:
        text = re.sub(pattern, replacement, text)
    return text.strip()


def fingerprint(excerpts: Sequence[Excerpt]) -> str:
    """16 hex characters that stay the same when a re-run fails the same way: the jobs,
    their failing steps and their first three errors, without what changes run to run."""
    parts = sorted(
        "\x1f".join([e.job.workflow, e.job.name, e.job.step or "", *map(_normalised, e.errors[:3])])
        for e in excerpts
    )
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]


def not_the_code(excerpts: Sequence[Excerpt]) -> str | None:
    """Why these failures are no code's to fix, in a sentence; None when they may be."""
    for e in excerpts:
        # The names come from the workflow file, which the pull request may have changed.
        what = f"The job “{one_line(e.job.name, 100)}” of {one_line(e.job.workflow, 100)}"
        if e.job.conclusion in _NOT_THE_CODE:
            return (
                f"{what} {_NOT_THE_CODE[e.job.conclusion]}: that is not a failure a change "
                "to the code can fix. Run the workflow again, and look into it if it recurs."
            )
        if e.runner_error:
            return (
                f"{what} failed because {e.runner_error}, not because of the code. "
                "Run the workflow again, and look into the runner if it recurs."
            )
    return None
