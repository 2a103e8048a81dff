"""The run's budget: usage read from real answers, prices, and the proxy's hard stop."""

from __future__ import annotations

import json
import random
from typing import Any

import openai
import pytest

from bot.model_proxy import ModelProxy
from bot.settings import load_settings
from bot.spend import Budget, BudgetStop, Ledger, Price, price_of
from bot.usage_meter import Usage, UsageMeter, usage_of
from tests.rig.scripted_model import Say, ScriptedModel
from tests.rig.scripted_responses import response, sse_events

KEY = "sk-real-upstream-key-for-the-budget-test"
TEXT = {"type": "output_text", "text": "hi", "annotations": [], "logprobs": []}
ANSWER = [
    {"type": "message", "id": "m1", "status": "completed", "role": "assistant", "content": [TEXT]}
]


def _sse(body: dict[str, Any]) -> bytes:
    events = sse_events(body, ANSWER)
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def test_usage_is_read_from_a_stream_cut_anywhere() -> None:
    body = {"input": "x" * 4000, "model": "gpt-4.1"}
    raw = _sse(body)
    expected = usage_of(response(body, ANSWER, "completed")["usage"])
    for _ in range(20):
        meter = UsageMeter(streamed=True)
        cuts = sorted(random.sample(range(1, len(raw)), 12))
        for start, end in zip([0, *cuts], [*cuts, len(raw)], strict=True):
            meter.feed(raw[start:end])
        assert meter.finish() == expected


def test_usage_of_both_apis_whole_and_streamed() -> None:
    whole = UsageMeter(streamed=False)
    whole.feed(json.dumps({"usage": {"input_tokens": 9, "output_tokens": 3}}).encode())
    assert whole.finish() == Usage(9, 0, 3)
    chat = {
        "prompt_tokens": 50,
        "completion_tokens": 7,
        "prompt_tokens_details": {"cached_tokens": 40},
    }
    assert usage_of(chat) == Usage(50, 40, 7)
    last_chunk = f"data: {json.dumps({'choices': [], 'usage': chat})}\r\n\r\ndata: [DONE]\r\n\r\n"
    stream = UsageMeter(streamed=True)
    stream.feed(last_chunk.encode())
    assert stream.finish() == Usage(50, 40, 7)
    # Garbage and lies cost nothing: no usage, no crash, never a negative count.
    junk = UsageMeter(streamed=True)
    junk.feed(b'data: {"usage": \n\ndata: {"usage": {"input_tokens": -5}}\n\n')
    assert junk.finish() == Usage(0, 0, 0)


def test_prices_the_docs_name_and_the_users_own() -> None:
    assert price_of("gpt-4.1", {}) == Price(2.00, 0.50, 8.00)
    assert price_of("gpt-4.1-2025-04-14", {}) == Price(2.00, 0.50, 8.00)  # a snapshot
    assert price_of("mystery-1", {}) is None
    assert price_of("mystery-1", {"mystery-1": Price(1, 0.1, 4)}) == Price(1, 0.1, 4)
    # Cached input is billed at its own price: 1,000 fresh, 9,000 cached, 500 out.
    assert Price(2.0, 0.5, 8.0).cost(Usage(10_000, 9_000, 500)) == pytest.approx(0.0105)
    settings = load_settings(
        {"INPUT_MODEL_PRICES": '{"m": {"input": 1, "cached_input": 0, "output": 2}}'}
    )
    assert settings.model_prices == {"m": Price(1.0, 0.0, 2.0)}


def test_the_ledger_trips_once_at_the_cap_and_refuses_from_then_on() -> None:
    ledger = Ledger(Budget(max_tokens=1_000))
    heard: list[BudgetStop] = []
    ledger.on_stop(heard.append)
    assert ledger.admit("orchestrator", "gpt-4.1") is None
    ledger.record("orchestrator", "gpt-4.1", Usage(600, 0, 100))
    assert heard == []
    assert ledger.admit("codex", "gpt-4.1") is None
    ledger.record("codex", "gpt-4.1", Usage(400, 0, 50))  # the one in flight passes the cap
    assert len(heard) == 1
    assert heard[0].reached
    assert "1,150 tokens used of 1,000" in heard[0].reason
    refusal = ledger.admit("codex", "gpt-4.1")
    assert refusal is heard[0]
    assert ledger.spent().tokens == 1_150
    late: list[BudgetStop] = []
    ledger.on_stop(late.append)  # a listener that comes late still hears it
    assert late == heard


def test_a_cost_cap_refuses_a_model_it_cannot_price() -> None:
    ledger = Ledger(Budget(max_cost_usd=1.0))
    refusal = ledger.admit("codex", "mystery-1")
    assert refusal is not None
    assert not refusal.reached
    assert "'mystery-1'" in refusal.reason
    assert "model_prices" in refusal.reason
    with pytest.raises(BudgetStop, match="model_prices"):
        Ledger(Budget(max_cost_usd=1.0)).check_named("gpt-4.1", "mystery-1")
    # Without a cost cap an unpriced model is counted in tokens; its cost is unknown.
    free = Ledger(Budget(max_tokens=10**9))
    assert free.admit("codex", "mystery-1") is None
    free.record("codex", "mystery-1", Usage(10, 0, 1))
    assert free.spent().cost_usd is None
    assert free.spent().tokens == 11


def test_the_proxy_counts_each_layer_and_refuses_past_the_cap_without_retries() -> None:
    with ScriptedModel(api_key=KEY) as upstream:
        upstream.add("orchestrator", Say("one"), Say("two"), Say("three"))
        # Each answer is about 150 tokens: the second passes the cap, the third is refused.
        ledger = Ledger(Budget(max_tokens=200))
        with ModelProxy(api_key=KEY, upstream=upstream.base_url, ledger=ledger) as proxy:
            # The SDK retries 429 and 5xx twice by default: the refusal must not be one.
            client = openai.OpenAI(api_key=proxy.nonce_for("orchestrator"), base_url=proxy.base_url)
            codex = openai.OpenAI(api_key=proxy.nonce_for("codex"), base_url=proxy.base_url)
            first = client.responses.create(model="gpt-4.1", input="x" * 400)
            streamed = codex.responses.create(model="gpt-4.1", input="y" * 400, stream=True)
            usage = next(e.response.usage for e in streamed if e.type == "response.completed")
            with pytest.raises(openai.APIStatusError) as refused:
                client.responses.create(model="gpt-4.1", input="z")
            client.close()
            codex.close()
    assert refused.value.status_code == 402
    assert "stopped at the budget" in str(refused.value)
    assert len(upstream.requests) == 2  # the third never went upstream, and was not retried
    layers = dict(ledger.spent().layers)
    assert first.usage is not None
    assert layers["orchestrator"].usage == Usage(
        first.usage.input_tokens, 0, first.usage.output_tokens
    )
    assert usage is not None
    assert layers["codex"].usage == Usage(usage.input_tokens, 0, usage.output_tokens)
    assert ledger.stopped is not None
