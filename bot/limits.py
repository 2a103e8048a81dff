"""GitHub's size limits on text, measured the way that never undercounts. Pure.

GitHub refuses a comment, issue or pull-request body longer than 65,536 characters
with 422 "body is too long (maximum is 65536 characters)", and a job summary over
1 MiB is not shown. A status comment refused for its size would lose the final reply,
so text is fitted before it is sent; the sentences that say so are in ``messages``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

BODY_LIMIT = 65_536
# Issue titles are refused past 256 characters; pull-request titles are held to the same.
TITLE_LIMIT = 256
# What the bot's own texts aim for: the margin holds the hidden status marker and any
# difference between our count and GitHub's.
BODY_BUDGET = 60_000
# Each long text of the job summary (its limit is 1 MiB in bytes): the request, the
# summary and the file list stay under it together at 3 UTF-8 bytes per counted unit.
SUMMARY_TEXT_BUDGET = 100_000
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# How far back from the limit a cut looks for a line break or a space to end on.
_BOUNDARY_WINDOW = 400


def _cost(char: str) -> int:
    # Counted as UTF-16 code units (two for a character outside the BMP, such as most
    # emoji), and a newline as two in case it is stored as CRLF: never less than the
    # characters GitHub counts, however it counts them.
    if char == "\n":
        return 2
    return 2 if ord(char) > 0xFFFF else 1


def github_length(text: str) -> int:
    """The length of ``text`` as GitHub's limits count it, or a little more."""
    return len(text) + text.count("\n") + len(_ASTRAL.findall(text))


def cut(text: str, limit: int) -> tuple[str, int]:
    """The longest start of ``text`` within ``limit``, ended at a line break or a space
    when one is near; and how many characters were left out (0 when all fits)."""
    if github_length(text) <= limit:
        return text, 0
    used, end = 0, len(text)
    for index, char in enumerate(text):
        used += _cost(char)
        if used > limit:
            end = index
            break
    kept = text[:end]
    for boundary in ("\n", " "):
        at = kept.rfind(boundary, max(0, end - _BOUNDARY_WINDOW))
        if at > 0:
            kept = kept[:at]
            break
    kept = kept.rstrip()
    return kept, len(text) - len(kept)


def fitting(items: Sequence[str], *, limit: int, most: int, separator: str = ", ") -> int:
    """How many of ``items``, joined by ``separator``, fit within ``limit`` (at most ``most``)."""
    used = count = 0
    for item in items[:most]:
        used += github_length(item) + (github_length(separator) if count else 0)
        if used > limit:
            break
        count += 1
    return count


def title(text: str) -> str:
    """A title within ``TITLE_LIMIT``, ending in "…" when it had to be cut."""
    if github_length(text) <= TITLE_LIMIT:
        return text
    kept, _ = cut(text, TITLE_LIMIT - 1)
    return kept + "…"
