"""A pull request's diff as a review reads it: the lines a comment may sit on, and the
diff with their numbers for Codex to cite. Pure.

GitHub accepts a review comment only on a line of the diff — on the new side, an added
or an unchanged line inside a hunk; anything else fails the whole review with 422. A
hunk's new-side lines are one run of numbers, so a hunk is a ``range``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.forge import ChangedFile
from bot.messages import fence
from bot.progress_events import one_line

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
# A review reads the diff and the files, not an unbounded dump of them.
DIFF_LIMIT = 120_000
FILE_LIMIT = 40_000
FILES_LIMIT = 120_000


def new_side(patch: str) -> list[range]:
    """The new-side lines of each hunk of ``patch``."""
    hunks = []
    # Only "\n" ends a diff line: str.splitlines would also split at a form feed or
    # U+2028 in the code and shift every number after it.
    for line in patch.split("\n"):
        if found := _HUNK.match(line):
            start, count = int(found[1]), int(found[2] or 1)
            hunks.append(range(start, start + count))
    return hunks


def commentable(files: Sequence[ChangedFile]) -> dict[str, list[range]]:
    return {f.path: new_side(f.patch) for f in files if f.patch}


def on_diff(hunks: Mapping[str, list[range]], path: str, line: int, start: int | None) -> bool:
    """Whether lines ``start``..``line`` of ``path`` lie in one hunk (GitHub's rule)."""
    return any(line in hunk and (start is None or start in hunk) for hunk in hunks.get(path, []))


def numbered(patch: str) -> str:
    """The patch with each new-side line's number in front: what a finding cites."""
    out, number = [], 0
    for line in patch.split("\n"):
        if found := _HUNK.match(line):
            number = int(found[1])
            out.append(line)
        elif line.startswith(("-", "\\")):
            out.append(f"{'':>6} {line}")
        else:
            out.append(f"{number:>6} {line}")
            number += 1
    return "\n".join(out)


def _name(path: str) -> str:
    """A file name on one line, control characters escaped: it cannot fake a header."""
    return one_line(repr(path)[1:-1], 300)


def on_lines(path: str, line: int | None, start_line: int | None, diff_hunk: str) -> str:
    """Where a review comment sits, for the agent: the file, the lines and the hunk."""
    lines = f"{start_line}-{line}" if start_line else f"{line}"
    mark = fence(diff_hunk)
    return f"{path}, line(s) {lines}:\n{mark}diff\n{diff_hunk}\n{mark}"


def diff_text(files: Sequence[ChangedFile]) -> str:
    """Every file's numbered diff, bounded; what is left out is said."""
    parts, size, left_out = [], 0, []
    for changed in files:
        body = numbered(changed.patch) if changed.patch else "(no text diff: binary or too large)"
        if size + len(body) > DIFF_LIMIT:
            left_out.append(changed.path)
            continue
        size += len(body)
        mark = fence(body)
        parts.append(f"### {_name(changed.path)} ({changed.status})\n{mark}diff\n{body}\n{mark}")
    if left_out:
        parts.append(f"(Diff of {len(left_out)} more file(s) left out for size.)")
    return "\n\n".join(parts)


def files_text(contents: Mapping[str, str]) -> str:
    """The changed files as they are after the change, bounded."""
    parts, size = [], 0
    for path, text in contents.items():
        if len(text) > FILE_LIMIT or size + len(text) > FILES_LIMIT:
            parts.append(f"### {_name(path)}\n(left out for size: {len(text):,} characters)")
            continue
        size += len(text)
        mark = fence(text)
        parts.append(f"### {_name(path)}\n{mark}\n{text}\n{mark}")
    return "\n\n".join(parts)
