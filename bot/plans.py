"""Plan, then approve: what a plan comment holds, and how ``/codex go`` finds it. Pure.

``/codex plan <request>`` ends with the status comment holding the plan between hidden
markers, marked ready. ``/codex go`` runs the latest ready plan that the bot itself
wrote in the thread — told apart from a look-alike by its author, the same identity as
the go run's own status comment — and marks it used: a plan is used once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.forge import ThreadComment
from bot.git_text import redact
from bot.messages import OWN_COMMENT_MARK
from bot.status import own_author

READY = f"{OWN_COMMENT_MARK}plan ready -->"
USED = f"{OWN_COMMENT_MARK}plan used -->"
_BEGIN = f"{OWN_COMMENT_MARK}plan begins -->"
_END = f"{OWN_COMMENT_MARK}plan ends -->"

# The bot's own framing of a planning run (trusted text, outside the request's markers).
PLAN_TASK = (
    "This run only plans; nothing is committed. Ask Codex to read the repository and work "
    "out how to carry out the request, changing no files. Return the plan as `body`: "
    "Markdown, a short numbered list of concrete steps naming the files involved. Give it "
    "a `title`, a one-sentence `summary` and an empty `commit_message`."
)

# A mention that would notify someone, and a hidden comment that could fake a marker.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_HTML_COMMENT = re.compile(r"<!--")


def neutral(text: str, secrets: Iterable[str]) -> str:
    """Model-written text made safe for a comment: no secret, no one mentioned, no marker."""
    text = redact(text, secrets)
    text = _MENTION.sub("@\u200b", text)
    return _HTML_COMMENT.sub("&lt;!--", text)


def ready_block(plan: str, trigger_word: str) -> str:
    """The plan as the reply shows it: between its markers, with how to carry it out."""
    return (
        f"{_BEGIN}\n{plan.strip()}\n{_END}\n\nTo carry it out, comment `{trigger_word} go` "
        "(words after it are added to the plan's instructions). A plan is used once.\n"
        f"{READY}"
    )


def latest_ready(
    comments: Sequence[ThreadComment], own_comment: int | None
) -> ThreadComment | None:
    """The newest ready plan written by the bot itself, if any."""
    me = own_author(comments, own_comment)
    if not me:
        return None
    ready = [c for c in comments if c.author == me and READY in c.body and c.id != own_comment]
    return ready[-1] if ready else None


def plan_in(body: str) -> str:
    start, end = body.find(_BEGIN), body.find(_END)
    if start < 0 or end < start:
        return ""
    return body[start + len(_BEGIN) : end].strip()


def marked_used(body: str) -> str:
    return body.replace(READY, USED)


def go_prompt(plan: str, extra: str) -> str:
    prompt = f"Carry out this plan, made earlier for this thread:\n\n{plan}"
    if extra.strip():
        prompt += f"\n\nAlso: {extra.strip()}"
    return prompt
