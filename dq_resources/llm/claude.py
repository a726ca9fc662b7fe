"""Claude proposes rules through the Messages API, answering only through the `propose_rules` tool."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import dagster as dg

from dq_checks.proposing.model import (
    CandidateCheck,
    DroppedCandidate,
    ProposalContext,
    ProposerError,
    ProposerOutput,
    RuleCandidate,
)
from dq_checks.proposing.prompt import (
    SYSTEM_PROMPT,
    TOOL,
    TOOL_NAME,
    candidates_from_tool_input,
    repair_message,
    user_message,
)

if TYPE_CHECKING:
    import anthropic

_USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
_PREVIEW_CHARS = 300


class ClaudeRuleProposer(dg.ConfigurableResource):
    """Asks Claude for candidate rules, with one repair turn for the ones that fail `check`.

    The API key comes from the environment (`dg.EnvVar("ANTHROPIC_API_KEY")`) and is never
    written into an error message. The SDK retries timeouts, connection errors, 429 and 5xx
    (`max_retries` times); what still fails becomes a ProposerError.
    """

    model: str = "claude-sonnet-5-5"
    api_key: str
    base_url: str | None = None
    timeout_seconds: float = 60.0
    max_retries: int = 2
    max_tokens: int = 4096

    @property
    def proposed_by(self) -> str:
        """The model id, recorded with each proposal."""
        return self.model

    def propose(self, context: ProposalContext, check: CandidateCheck) -> ProposerOutput:
        """Candidates that pass `check`; the rest are sent back once for repair, then dropped."""
        client = self._client()
        usage: dict[str, int] = {}
        messages: list[dict[str, Any]] = [{"role": "user", "content": user_message(context)}]
        response = self._call(client, messages, usage)
        tool_uses = self._tool_uses(response)
        candidates, dropped = self._candidates(response, tool_uses[0].input)

        kept: list[RuleCandidate] = []
        problems: list[tuple[str, str]] = [(d.rule, d.reason) for d in dropped]
        for candidate in candidates:
            problem = check(candidate)
            if problem is None:
                _keep(kept, candidate)
            else:
                problems.append((candidate.rule, problem))
        if not problems:
            return ProposerOutput(tuple(kept), (), usage)

        messages += [
            {"role": "assistant", "content": [_block_param(block) for block in response.content]},
            {"role": "user", "content": _tool_results(tool_uses, repair_message(problems))},
        ]
        final_dropped: list[DroppedCandidate] = []
        try:
            repair = self._call(client, messages, usage)
            replacements, malformed = self._candidates(repair, self._tool_uses(repair)[0].input)
        except ProposerError as error:
            # The first answer's valid rules stand; the invalid ones are dropped with what went wrong.
            reason = f"; the repair turn failed: {error}"
            final_dropped = [DroppedCandidate(rule, problem + reason) for rule, problem in problems]
            return ProposerOutput(tuple(kept), tuple(final_dropped), usage)

        final_dropped += [DroppedCandidate(d.rule, f"{d.reason} (on the repair turn)") for d in malformed]
        for candidate in replacements:
            problem = check(candidate)
            if problem is None:
                _keep(kept, candidate)
            else:
                final_dropped.append(DroppedCandidate(candidate.rule, f"{problem} (on the repair turn)"))
        answered = len(replacements) + len(malformed)
        final_dropped += [
            DroppedCandidate(rule, f"{problem}; no replacement on the repair turn")
            for rule, problem in problems[answered:]
        ]
        return ProposerOutput(tuple(kept), tuple(final_dropped), usage)

    def summarize(self, facts: Mapping[str, Any]) -> tuple[str, dict[str, int]]:
        """An executive summary written from the report's facts (untrusted data, delimited); and usage."""
        import anthropic

        from dq_checks.reports.summary_prompt import MAX_SUMMARY_CHARS, SUMMARY_SYSTEM_PROMPT, summary_message

        client = self._client()
        try:
            response = client.messages.create(
                model=self.model,
                max_tokens=min(self.max_tokens, 800),
                system=SUMMARY_SYSTEM_PROMPT,
                messages=[{"role": "user", "content": summary_message(facts)}],
            )
        except anthropic.APIError as error:
            raise ProposerError(self._redact(self._describe(error))) from None
        except anthropic.AnthropicError as error:
            raise ProposerError(self._redact(f"{self.model}: {type(error).__name__}: {error}")) from None
        usage: dict[str, int] = {}
        _add_usage(usage, response.usage)
        text = "".join(block.text for block in response.content if block.type == "text").strip()
        if not text:
            raise ProposerError(f"{self.model}: answered the summary request without text")
        return _cut(text, MAX_SUMMARY_CHARS), usage

    def _client(self) -> anthropic.Anthropic:
        import anthropic

        if not self.api_key:
            raise ProposerError(f"{self.model}: no API key (set ANTHROPIC_API_KEY)")
        # Strict validation: an answer that is not a Messages API response (a proxy's HTML login
        # page, random bytes, JSON of another shape) is an APIResponseValidationError, not a str
        # or a half-built Message that breaks later.
        return anthropic.Anthropic(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout_seconds,
            max_retries=self.max_retries,
            _strict_response_validation=True,
        )

    # --- one call ---------------------------------------------------------------------------

    def _call(
        self, client: anthropic.Anthropic, messages: list[dict[str, Any]], usage: dict[str, int]
    ) -> anthropic.types.Message:
        """One `messages.create` forcing the tool; SDK errors become a ProposerError."""
        import anthropic

        try:
            response = client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=SYSTEM_PROMPT,
                messages=messages,  # type: ignore[arg-type]
                tools=[TOOL],  # type: ignore[list-item]
                tool_choice={"type": "tool", "name": TOOL_NAME, "disable_parallel_tool_use": True},
            )
        except anthropic.APIError as error:
            raise ProposerError(self._redact(self._describe(error))) from None
        except anthropic.AnthropicError as error:
            raise ProposerError(self._redact(f"{self.model}: {type(error).__name__}: {error}")) from None
        _add_usage(usage, response.usage)
        return response

    def _describe(self, error: anthropic.APIError) -> str:
        import anthropic

        attempts = self.max_retries + 1
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        where = self.base_url or "the Anthropic API"
        if isinstance(error, anthropic.APITimeoutError):
            return f"{self.model}: the request timed out after {self.timeout_seconds:g}s ({tries})"
        if isinstance(error, anthropic.APIConnectionError):
            cause = error.__cause__
            detail = f": {type(cause).__name__}" if cause is not None else ""
            return f"{self.model}: could not connect to {where}{detail} ({tries})"
        if isinstance(error, anthropic.APIResponseValidationError):
            return f"{self.model}: {_not_a_message(error.response)}"
        if isinstance(error, anthropic.OverloadedError):
            return f"{self.model}: the API is overloaded (HTTP 529) after {tries}; try again later"
        if isinstance(error, anthropic.RateLimitError):
            return f"{self.model}: rate limited (HTTP 429) after {tries}"
        if isinstance(error, anthropic.APIStatusError):
            detail = error.api_message or error.type or _cut(str(error.body), _PREVIEW_CHARS)
            return f"{self.model}: the API answered HTTP {error.status_code}: {detail}"
        return f"{self.model}: {type(error).__name__}: {_cut(error.message, _PREVIEW_CHARS)}"

    def _redact(self, text: str) -> str:
        return text.replace(self.api_key, "<api key>") if self.api_key else text

    # --- the answer -------------------------------------------------------------------------

    def _tool_uses(self, response: anthropic.types.Message) -> list[Any]:
        """The `propose_rules` tool_use blocks; an answer without one is a ProposerError."""
        uses = [b for b in response.content if b.type == "tool_use" and b.name == TOOL_NAME]
        if uses:
            return uses
        shown = "; ".join(
            f"text {_cut(block.text, _PREVIEW_CHARS)!r}" if block.type == "text" else block.type
            for block in response.content
        )
        raise ProposerError(
            self._redact(
                f"{self.model}: answered without calling {TOOL_NAME} "
                f"(stop_reason {response.stop_reason}): {shown or 'no content'}"
            )
        )

    def _candidates(
        self, response: anthropic.types.Message, data: object
    ) -> tuple[list[RuleCandidate], list[DroppedCandidate]]:
        try:
            return candidates_from_tool_input(data)
        except ProposerError as error:
            hint = (
                f" (the answer hit max_tokens={self.max_tokens})"
                if response.stop_reason == "max_tokens"
                else ""
            )
            raise ProposerError(self._redact(f"{self.model}: {error}{hint}")) from None


def _keep(kept: list[RuleCandidate], candidate: RuleCandidate) -> None:
    if all(k.rule != candidate.rule for k in kept):
        kept.append(candidate)


def _block_param(block: Any) -> dict[str, Any]:
    """A response content block, as the assistant turn of the next request."""
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "text":
        return {"type": "text", "text": block.text}
    return block.model_dump(mode="json", exclude_none=True)


def _tool_results(tool_uses: list[Any], message: str) -> list[dict[str, Any]]:
    """One tool_result per tool_use: the first carries the problems, any others are acknowledged."""
    results = [{"type": "tool_result", "tool_use_id": tool_uses[0].id, "is_error": True, "content": message}]
    results += [
        {"type": "tool_result", "tool_use_id": use.id, "content": "Ignored: only one call is read."}
        for use in tool_uses[1:]
    ]
    return results


def _add_usage(total: dict[str, int], usage: Any) -> None:
    for name in _USAGE_FIELDS:
        value = getattr(usage, name, None)
        if isinstance(value, int):
            total[name] = total.get(name, 0) + value


def _not_a_message(response: Any) -> str:
    """`http://proxy:8080 answered HTTP 200 with text/html (1,234 bytes), not a Messages API response`.

    The body is neither shown nor parsed: it may be anything, bytes included.
    """
    url = response.url
    where = f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    size = len(response.content)
    shape = "JSON of another shape" if kind.endswith("json") else kind
    return (
        f"{where} answered HTTP {response.status_code} with {shape} ({size:,} bytes), "
        "not a Messages API response; is ANTHROPIC_BASE_URL the API or a proxy that speaks it?"
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
