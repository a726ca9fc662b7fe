"""The LLM behind rule proposals: offline (nothing to check), or one cheap real call to Claude.

The call is what the proposer would do, on the same settings (the configured model, the key in
`ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`): a one-token `messages.create`, with no retries and a
short timeout. Each way it can fail (a bad key, an unknown model, an overloaded API, nothing
listening) has its own fix, so they are told apart.
"""

from __future__ import annotations

import os

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.model import Finding, error, ok, skipped, warn

LLM = "llm"
TIMEOUT_SECONDS = 15.0
BASE_URL_ENV = "ANTHROPIC_BASE_URL"


def check_llm(context: DoctorContext) -> list[Finding]:
    """Skipped without a key (the offline proposer is used); else one real call."""
    from dq_assets.proposals.settings import API_KEY_ENV, rule_proposer_resource
    from dq_resources.llm.claude import ClaudeRuleProposer

    if not os.environ.get(API_KEY_ENV):
        return [skipped(LLM, f"offline proposer in use ({API_KEY_ENV} is unset)")]
    proposer = rule_proposer_resource().process_config_and_initialize()
    if not isinstance(proposer, ClaudeRuleProposer):
        return [skipped(LLM, f"{type(proposer).__name__} in use: no model to call")]
    return [_call(proposer.model, proposer.api_key, proposer.base_url)]


def _call(model: str, api_key: str, base_url: str | None) -> Finding:
    import anthropic

    client = anthropic.Anthropic(api_key=api_key, base_url=base_url, timeout=TIMEOUT_SECONDS, max_retries=0)
    where = str(client.base_url).rstrip("/")
    try:
        response = client.messages.create(
            model=model, max_tokens=1, messages=[{"role": "user", "content": "Reply with one word: ok"}]
        )
    except anthropic.APIError as raised:
        return _failure(raised, model, where, api_key)
    answered = getattr(response, "model", None) or model
    return ok(LLM, f"{answered} answered through {where} (1-token call)")


def _failure(raised: Exception, model: str, where: str, api_key: str) -> Finding:
    """One finding per kind of failure, each with its fix."""
    import anthropic

    gateway = f"{BASE_URL_ENV}={where}" if os.environ.get(BASE_URL_ENV) else where
    message = getattr(raised, "api_message", None) or getattr(raised, "message", None) or str(raised)
    text = _redact(" ".join(str(message).split()), api_key)
    if isinstance(raised, anthropic.AuthenticationError):
        return error(
            LLM,
            f"{where} rejected the API key (HTTP 401): {text}",
            "set ANTHROPIC_API_KEY to a valid key (Claude Console, API keys), or unset it to use the "
            "offline proposer",
        )
    if isinstance(raised, anthropic.PermissionDeniedError):
        return error(
            LLM,
            f"the key may not use {model} (HTTP 403): {text}",
            f"use a key whose workspace may call {model}, or configure ClaudeRuleProposer(model=...)",
        )
    if isinstance(raised, anthropic.NotFoundError):
        return error(
            LLM,
            f"unknown model {model!r} at {where} (HTTP 404): {text}",
            "configure ClaudeRuleProposer(model=...) with a model id your key can use, and check that "
            f"{BASE_URL_ENV} is the API's root (without /v1)",
        )
    if isinstance(raised, anthropic.OverloadedError):
        return warn(
            LLM,
            f"{where} is overloaded (HTTP 529): key and model not confirmed",
            "transient: run `dq doctor` again later; proposals made meanwhile fail with the same error",
        )
    if isinstance(raised, anthropic.RateLimitError):
        return warn(
            LLM,
            f"rate limited (HTTP 429): {text}",
            "wait and run `dq doctor` again; raise the key's rate limit if proposals hit it too",
        )
    if isinstance(raised, anthropic.APITimeoutError):
        return error(
            LLM,
            f"no answer from {where} within {TIMEOUT_SECONDS:g} s",
            f"check the network path to {gateway} (a proxy: HTTPS_PROXY)",
        )
    if isinstance(raised, anthropic.APIConnectionError):
        cause = raised.__cause__
        reason = f": {type(cause).__name__}: {' '.join(str(cause).split())}" if cause is not None else ""
        if os.environ.get(BASE_URL_ENV):
            fix = f"start the gateway at {where} or correct {BASE_URL_ENV} (unset it for api.anthropic.com)"
        else:
            fix = f"check the network path to {where} (a proxy: HTTPS_PROXY)"
        return error(LLM, f"cannot connect to {where}{_redact(reason, api_key)}", fix)
    if isinstance(raised, anthropic.APIStatusError):
        return error(
            LLM,
            f"{where} answered HTTP {raised.status_code}: {text}",
            "read the API's message above; unset ANTHROPIC_API_KEY to fall back to the offline proposer",
        )
    return error(
        LLM, f"{type(raised).__name__}: {text}", "unset ANTHROPIC_API_KEY to use the offline proposer"
    )


def _redact(text: str, api_key: str) -> str:
    return text.replace(api_key, "<api key>") if api_key else text
