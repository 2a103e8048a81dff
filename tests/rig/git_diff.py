"""A pull request's files as GitHub lists them, read from git's own output, and the lines of
a file's patch that a review comment may point at. Pure: git runs in git_remote.py.

GitHub's `patch` of a file is git's unified diff (3 lines of context) from the first "@@"
line on, without the `diff --git`, `index`, `---` and `+++` headers and without the final
newline; a binary file has none.
https://docs.github.com/rest/pulls/pulls#list-pull-requests-files
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# git's --raw status letters -> GitHub's `status` (copies are not detected: no -C)
_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "T": "changed"}
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_NO_BLOB = "0" * 40
# One file of `git diff --raw`: status letter, old blob, new blob, path, previous path.
_Raw = tuple[str, str, str, str, str | None]


@dataclass(frozen=True)
class DiffFile:
    """One file of a pull request's diff, the fields of GitHub's `diff-entry`."""

    filename: str
    status: str  # added, removed, modified, renamed, changed (mode only)
    sha: str  # the blob at the head; at the base for a removed file
    additions: int
    deletions: int
    patch: str | None  # None for a binary file or one without hunks (empty, mode only)
    previous_filename: str | None = None  # renamed files only


@dataclass(frozen=True)
class Row:
    """A line of a patch that a review comment can be on (not a "@@" line, not a
    "\\ No newline at end of file")."""

    hunk: int  # which hunk of the patch, from 0
    offset: int  # its index in the hunk's lines, the "@@" line being 0
    position: int  # GitHub's legacy `position`: lines below the patch's first "@@"
    old: int | None  # its number in the base's file (LEFT); None for an added line
    new: int | None  # in the head's file (RIGHT); None for a removed line


def parse_diff(raw_z: str, patches: str) -> list[DiffFile]:
    """The files of `git diff --raw -z --no-abbrev -M A B` with the patches of
    `git diff -p -M A B` (same commits, so the same files in the same order)."""
    entries = _raw_entries(raw_z)
    chunks = _file_chunks(patches)
    if len(entries) != len(chunks):
        raise ValueError(f"{len(entries)} files in --raw but {len(chunks)} in the patch")
    return [_diff_file(e, c) for e, c in zip(entries, chunks, strict=True)]


def _raw_entries(raw_z: str) -> list[_Raw]:
    fields = raw_z.split("\0")
    found: list[_Raw] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        _, _, old, new, status = fields[i][1:].split(" ")
        if status[0] in "RC":  # two paths: from, to
            found.append((status[0], old, new, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            found.append((status[0], old, new, fields[i + 1], None))
            i += 2
    return found


def _file_chunks(patches: str) -> list[list[str]]:
    # A hunk's lines start with " ", "+", "-", "@" or "\\": a line starting "diff --git " is
    # always the header of the next file, whatever its name.
    chunks: list[list[str]] = []
    for line in patches.split("\n"):
        if line.startswith("diff --git "):
            chunks.append([])
        elif chunks:
            chunks[-1].append(line)
    return chunks


def _diff_file(entry: _Raw, lines: list[str]) -> DiffFile:
    letter, old, new, path, previous = entry
    first = next((i for i, line in enumerate(lines) if line.startswith("@@")), None)
    body = lines[first:] if first is not None else []
    while body and body[-1] == "":  # the patch's final newline
        body.pop()
    return DiffFile(
        filename=path,
        status=_STATUS.get(letter, "modified"),
        sha=new if new != _NO_BLOB else old,
        additions=sum(line.startswith("+") for line in body),
        deletions=sum(line.startswith("-") for line in body),
        patch="\n".join(body) if body else None,
        previous_filename=previous,
    )


def hunks(patch: str) -> list[list[str]]:
    """The patch's hunks, each its "@@" line and the lines under it."""
    found: list[list[str]] = []
    for line in patch.split("\n"):
        if line.startswith("@@") or not found:
            found.append([])
        found[-1].append(line)
    return found


def rows(patch: str) -> list[Row]:
    """Every line of the patch a comment can be on, in order."""
    found, position = [], -1
    for h, lines in enumerate(hunks(patch)):
        m = _HUNK.match(lines[0])
        if m is None:
            raise ValueError(f"not a hunk header: {lines[0]!r}")
        old, new = int(m[1]), int(m[2])
        position += 1  # the "@@" line: position 0 for the first hunk, counted for the others
        for offset, line in enumerate(lines[1:], start=1):
            position += 1
            kind = line[:1]
            if kind in (" ", "-", "+"):
                found.append(
                    Row(
                        h,
                        offset,
                        position,
                        old if kind != "+" else None,
                        new if kind != "-" else None,
                    )
                )
                old += kind != "+"
                new += kind != "-"
    return found


def find(patch: str | None, line: int, side: str) -> Row | None:
    """The row of `line` on `side`: RIGHT is an added or context line by the head's numbers,
    LEFT a removed or context line by the base's; None when the diff does not show it."""
    found = rows(patch) if patch else []
    return next((r for r in found if (r.new if side == "RIGHT" else r.old) == line), None)


def at_position(patch: str | None, position: int) -> Row | None:
    return next((r for r in rows(patch) if r.position == position), None) if patch else None


def diff_hunk(patch: str, row: Row) -> str:
    """GitHub's `diff_hunk` of a comment: its hunk from the "@@" line down to its line."""
    return "\n".join(hunks(patch)[row.hunk][: row.offset + 1])
