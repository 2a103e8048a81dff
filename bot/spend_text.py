"""What the bot says about what a run spent. Pure."""

from __future__ import annotations

from bot.spend import Budget, LayerSpend, Spent


def cost(cost_usd: float | None) -> str:
    """``$0.42``; a run with a model the bot cannot price says so rather than guess."""
    return "cost unknown" if cost_usd is None else f"${cost_usd:.2f}"


def so_far(spent: Spent, budget: Budget) -> str:
    """``12,345 tokens ($0.04) of at most $1.00``, while the run goes on."""
    line = f"{spent.tokens:,} tokens ({cost(spent.cost_usd)})"
    caps = []
    if budget.max_tokens is not None:
        caps.append(f"{budget.max_tokens:,} tokens")
    if budget.max_cost_usd is not None:
        caps.append(f"${budget.max_cost_usd:.2f}")
    return f"{line} of at most {' and '.join(caps)}" if caps else line


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
