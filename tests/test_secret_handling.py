"""Secrets leave the process environment, and the model key stays behind a proxy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import openai
import pytest

from bot.model_proxy import ModelProxy
from tests.rig.scripted_model import Say, ScriptedModel

PROBE = """
import json
from bot.secret_env import environ_with_secrets, reexec_without_secrets
reexec_without_secrets()
environ = environ_with_secrets()
with open('/proc/self/environ', 'rb') as f:
    visible = f.read().decode()
print(json.dumps({'visible': visible, 'token': environ.get('INPUT_GITHUB_TOKEN'),
                  'path': 'PATH' in environ}))
"""


def test_secrets_are_handed_over_but_not_visible_in_proc() -> None:
    env = {**os.environ, "INPUT_GITHUB_TOKEN": "ghs_handover_value_1234", "MY_API_KEY": "k-5678"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)
    assert seen["token"] == "ghs_handover_value_1234"
    assert seen["path"]
    assert "ghs_handover_value_1234" not in seen["visible"]
    assert "k-5678" not in seen["visible"]


def test_proxy_swaps_the_nonce_for_the_key_and_refuses_strangers() -> None:
    with ScriptedModel(api_key="sk-real-upstream-key") as upstream:
        upstream.add("orchestrator", Say("pong"), Say("pong"))
        with ModelProxy(api_key="sk-real-upstream-key", upstream=upstream.base_url) as proxy:
            assert proxy.nonce != "sk-real-upstream-key"
            client = openai.OpenAI(api_key=proxy.nonce, base_url=proxy.base_url, max_retries=0)
            reply = client.responses.create(model="m", input="ping")
            assert reply.output_text == "pong"
            streamed = client.responses.create(model="m", input="ping", stream=True)
            kinds = [event.type for event in streamed]
            assert kinds[0] == "response.created"
            assert kinds[-1] == "response.completed"
            stranger = openai.OpenAI(api_key="guess", base_url=proxy.base_url, max_retries=0)
            with pytest.raises(openai.AuthenticationError):
                stranger.responses.create(model="m", input="ping")
            client.close()
            stranger.close()
        assert [r.headers["authorization"] for r in upstream.requests] == [
            "Bearer sk-real-upstream-key"
        ] * 2
