"""What a run spends on the model, and the cap it may not pass. Pure, thread-safe.

The model proxy asks ``Ledger.admit`` before it forwards a request and tells
``Ledger.record`` the usage of each answer; the ledger keeps the totals per layer (the
orchestrator, Codex) and trips once a cap is reached, so the run stops like at its
deadline. A run can pass its cap by at most the requests already in flight.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from bot.errors import BotError
from bot.usage_meter import Usage

LAYERS = ("orchestrator", "codex")


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    cached_input: float
    output: float

    def cost(self, usage: Usage) -> float:
        fresh = usage.input_tokens - usage.cached_input_tokens
        return (
            fresh * self.input
            + usage.cached_input_tokens * self.cached_input
            + usage.output_tokens * self.output
        ) / 1_000_000


# OpenAI's published prices (USD per million input, cached-input and output tokens) for
# the models the README names; any other model is priced by the ``model_prices`` input.
# https://platform.openai.com/docs/pricing
BUILT_IN_PRICES: Mapping[str, Price] = {
    "gpt-4.1": Price(2.00, 0.50, 8.00),
    "gpt-4.1-mini": Price(0.40, 0.10, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.025, 0.40),
    "gpt-5": Price(1.25, 0.125, 10.00),
    "gpt-5-mini": Price(0.25, 0.025, 2.00),
    "gpt-5-nano": Price(0.05, 0.005, 0.40),
    "gpt-5-codex": Price(1.25, 0.125, 10.00),
}
# A dated snapshot (``gpt-4.1-2025-04-14``) costs what its model costs.
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def price_of(model: str, prices: Mapping[str, Price]) -> Price | None:
    """The price of ``model``: the user's table first, then the built-in one."""
    for name in (model, _SNAPSHOT.sub("", model)):
        found = prices.get(name) or BUILT_IN_PRICES.get(name)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Budget:
    max_tokens: int | None = None
    max_cost_usd: float | None = None

    @property
    def capped(self) -> bool:
        return self.max_tokens is not None or self.max_cost_usd is not None


class BudgetStop(BotError):
    """The run must stop: its cap was reached, or a model it cannot price was asked for."""

    def __init__(self, reason: str, *, reached: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reached = reached  # True: the cap (keep what exists); False: a setting


def unpriced_message(model: str) -> str:
    return (
        f"max_cost_usd is set, but the price of the model '{model}' is unknown: add it to "
        'model_prices (JSON, e.g. {"' + model + '": [1.25, 0.125, 10.0]} — USD per million '
        "input, cached-input and output tokens) or choose a priced model."
    )


@dataclass(frozen=True)
class LayerSpend:
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    requests: int = 0
    unpriced: frozenset[str] = frozenset()

    def __add__(self, other: LayerSpend) -> LayerSpend:
        return LayerSpend(
            self.usage + other.usage,
            self.cost_usd + other.cost_usd,
            self.requests + other.requests,
            self.unpriced | other.unpriced,
        )

    def __sub__(self, earlier: LayerSpend) -> LayerSpend:
        usage = Usage(
            self.usage.input_tokens - earlier.usage.input_tokens,
            self.usage.cached_input_tokens - earlier.usage.cached_input_tokens,
            self.usage.output_tokens - earlier.usage.output_tokens,
        )
        return LayerSpend(
            usage, self.cost_usd - earlier.cost_usd, self.requests - earlier.requests, self.unpriced
        )


@dataclass(frozen=True)
class Spent:
    """What a run (or one request of it) spent, per layer."""

    layers: tuple[tuple[str, LayerSpend], ...] = ()

    @property
    def tokens(self) -> int:
        return sum(s.usage.total for _, s in self.layers)

    @property
    def cost_usd(self) -> float | None:
        """None when some answer came from a model without a price."""
        if any(s.unpriced for _, s in self.layers):
            return None
        return sum(s.cost_usd for _, s in self.layers)

    def __sub__(self, earlier: Spent) -> Spent:
        before = dict(earlier.layers)
        return Spent(tuple((n, s - before.get(n, LayerSpend())) for n, s in self.layers))


class Ledger:
    """One run's spend, per layer; ``on_stop`` hears (once) why the run must stop."""

    def __init__(self, budget: Budget, prices: Mapping[str, Price] | None = None) -> None:
        self.budget = budget
        self._prices = dict(prices or {})
        self._lock = threading.Lock()
        self._layers = {layer: LayerSpend() for layer in LAYERS}
        self._stop: BudgetStop | None = None
        self._listeners: list[Callable[[BudgetStop], None]] = []

    # ---- the proxy's side -----------------------------------------------------------
    def admit(self, layer: str, model: str | None) -> BudgetStop | None:
        """None if a request for ``model`` may go upstream; otherwise why not."""
        with self._lock:
            if self._stop is None:
                if self._over():
                    self._stop = BudgetStop(self._reached_reason(), reached=True)
                elif self.budget.max_cost_usd is not None and not self._priced(model):
                    self._stop = BudgetStop(unpriced_message(model or "?"), reached=False)
            stop = self._stop
        if stop is not None:
            self._tell(stop)
        return stop

    def record(self, layer: str, model: str | None, usage: Usage | None) -> None:
        """Count one answer; trips the stop when it reached the cap."""
        with self._lock:
            spend = self._layers[layer]
            spend = replace(spend, requests=spend.requests + 1)
            if usage is not None:
                price = price_of(model, self._prices) if model else None
                spend = replace(
                    spend,
                    usage=spend.usage + usage,
                    cost_usd=spend.cost_usd + (price.cost(usage) if price else 0.0),
                    unpriced=spend.unpriced | ({model or "?"} if price is None else set()),
                )
            self._layers[layer] = spend
            stop = None
            if self._stop is None and self._over():
                stop = self._stop = BudgetStop(self._reached_reason(), reached=True)
        if stop is not None:
            self._tell(stop)

    # ---- the bot's side -------------------------------------------------------------
    def on_stop(self, listener: Callable[[BudgetStop], None]) -> None:
        with self._lock:
            stop = self._stop
            if stop is None:
                self._listeners.append(listener)
        if stop is not None:
            listener(stop)

    def check_named(self, *models: str | None) -> None:
        """Fail before any request when a named model cannot be priced under a cost cap."""
        if self.budget.max_cost_usd is None:
            return
        for model in models:
            if model and price_of(model, self._prices) is None:
                raise BudgetStop(unpriced_message(model), reached=False)

    @property
    def stopped(self) -> BudgetStop | None:
        with self._lock:
            return self._stop

    def spent(self) -> Spent:
        with self._lock:
            return Spent(tuple(self._layers.items()))

    # ---- inside the lock ------------------------------------------------------------
    def _priced(self, model: str | None) -> bool:
        return model is not None and price_of(model, self._prices) is not None

    def _over(self) -> bool:
        tokens = sum(s.usage.total for s in self._layers.values())
        cost = sum(s.cost_usd for s in self._layers.values())
        limit_tokens, limit_cost = self.budget.max_tokens, self.budget.max_cost_usd
        return (limit_tokens is not None and tokens >= limit_tokens) or (
            limit_cost is not None and cost >= limit_cost
        )

    def _reached_reason(self) -> str:
        tokens = sum(s.usage.total for s in self._layers.values())
        cost = sum(s.cost_usd for s in self._layers.values())
        limit_tokens, limit_cost = self.budget.max_tokens, self.budget.max_cost_usd
        if limit_cost is not None and cost >= limit_cost:
            return f"stopped at the budget: ${cost:.2f} spent of ${limit_cost:.2f}"
        return f"stopped at the budget: {tokens:,} tokens used of {limit_tokens:,}"

    def _tell(self, stop: BudgetStop) -> None:
        with self._lock:
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener(stop)
