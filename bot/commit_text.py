"""A commit's message: the agent's words and the trailers the bot adds. Pure."""

from __future__ import annotations

from bot.messages import BOT_EMAIL, BOT_NAME


def commit_message(
    message: str,
    *,
    co_author: tuple[str, str] | None,
    signoff: bool = False,
    run_url: str | None = None,
) -> str:
    """The agent's message and its trailers: the requester as ``Co-authored-by``, the
    bot's ``Signed-off-by`` (matching the commit's author) for projects that require a DCO,
    and the workflow run that made it."""
    text = message.strip() or "Apply requested change"
    trailers = []
    if co_author is not None:
        name, email = co_author
        trailers.append(f"Co-authored-by: {name} <{email}>")
    if signoff:
        trailers.append(f"Signed-off-by: {BOT_NAME} <{BOT_EMAIL}>")
    if run_url:
        trailers.append(f"Workflow-run: {run_url}")
    return "\n\n".join([text, "\n".join(trailers)]) if trailers else text
