"""What the bot says about what a run spent. Pure."""

from __future__ import annotations

from bot.spend import LayerSpend


def cost(cost_usd: float | None) -> str:
    """``$0.42``; a run with a model the bot cannot price says so rather than guess."""
    return "cost unknown" if cost_usd is None else f"${cost_usd:.2f}"


def table(layers: tuple[tuple[str, LayerSpend], ...]) -> list[str]:
    """Markdown lines: tokens and cost per layer (the orchestrator, Codex)."""
    used = [(name, spend) for name, spend in layers if spend.requests]
    if not used:
        return []
    lines = ["", "| Layer | Requests | Input tokens (cached) | Output tokens | Cost |"]
    lines.append("|---|---:|---:|---:|---:|")
    for name, spend in used:
        usage = spend.usage
        price = cost(None if spend.unpriced else spend.cost_usd)
        if spend.unpriced:
            price += f" ({', '.join(f'`{m}`' for m in sorted(spend.unpriced))} not priced)"
        lines.append(
            f"| {name} | {spend.requests} | {usage.input_tokens:,} ({usage.cached_input_tokens:,})"
            f" | {usage.output_tokens:,} | {price} |"
        )
    return lines
