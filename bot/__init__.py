"""codex-pr-bot: turn a request into a reviewed pull request with OpenAI Codex."""
