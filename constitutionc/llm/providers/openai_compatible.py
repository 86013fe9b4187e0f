"""OpenAI-compatible chat completions (vLLM, llama.cpp server, Ollama, OpenAI) through the `openai` SDK.

Requests arrive in the Messages shape and are translated: the system prompt becomes a system message,
`tool_result` blocks become `tool` messages, `tool_use` blocks become `tool_calls`, tools become functions.
Answers come back as content blocks (a `reasoning_content` field, as vLLM returns it, becomes a thinking block).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from ..errors import MissingCredentials, ProviderError
from ..request import Request, Response, Usage
from ._http import raw_json
from .base import Provider

STOP_REASONS = {"stop": "end_turn", "tool_calls": "tool_use", "function_call": "tool_use",
                "length": "max_tokens", "content_filter": "refusal"}

# Parameters with the same meaning under another name; anything else is passed as it is.
PARAM_NAMES = {"stop_sequences": "stop"}
DROPPED_PARAMS = frozenset({"thinking", "metadata", "top_k"})


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if block.get("type") == "text")


def _messages(request: Request) -> list[dict]:
    out: list[dict] = []
    if request.system:
        out.append({"role": "system", "content": _text(request.system)})
    for message in request.messages:
        content = message["content"]
        if message["role"] == "assistant":
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            turn: dict = {"role": "assistant", "content": _text(blocks) or None}
            calls = [{"id": b["id"], "type": "function",
                      "function": {"name": b["name"], "arguments": json.dumps(b.get("input", {}))}}
                     for b in blocks if b.get("type") == "tool_use"]
            if calls:
                turn["tool_calls"] = calls
            out.append(turn)
            continue
        if isinstance(content, str):
            out.append({"role": "user", "content": content})
            continue
        for block in content:
            if block.get("type") == "tool_result":
                result = block.get("content", "")
                out.append({"role": "tool", "tool_call_id": block["tool_use_id"],
                            "content": result if isinstance(result, str) else _text(result)})
        text = _text(content)
        if text:
            out.append({"role": "user", "content": text})
    return out


def _tool_choice(choice: dict | None):
    if not choice:
        return None
    kind = choice.get("type")
    if kind == "tool":
        return {"type": "function", "function": {"name": choice["name"]}}
    return {"any": "required", "auto": "auto", "none": "none"}.get(kind)


def wire_body(request: Request) -> dict:
    body: dict = {"model": request.model, "messages": _messages(request), "max_tokens": request.max_tokens}
    if request.tools:
        body["tools"] = [{"type": "function", "function": {"name": t["name"], "description": t.get("description", ""),
                                                          "parameters": t.get("input_schema", {})}}
                         for t in request.tools]
    choice = _tool_choice(request.tool_choice)
    if choice is not None:
        body["tool_choice"] = choice
    for name, value in request.params.items():
        if name not in DROPPED_PARAMS:
            body[PARAM_NAMES.get(name, name)] = value
    return body


def response_from_completion(data: dict) -> Response:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0].get("message"), dict):
        raise ProviderError("malformed", "the answer has no choices")
    choice = choices[0]
    message = choice["message"]
    blocks: list[dict] = []
    if message.get("reasoning_content"):
        blocks.append({"type": "thinking", "thinking": message["reasoning_content"]})
    if message.get("content"):
        blocks.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        arguments = call.get("function", {}).get("arguments") or "{}"
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = {"_unparsed_arguments": arguments}
        blocks.append({"type": "tool_use", "id": call.get("id", ""), "name": call.get("function", {}).get("name", ""),
                       "input": parsed if isinstance(parsed, dict) else {"_value": parsed}})
    usage = data.get("usage") or {}
    cached = int(((usage.get("prompt_tokens_details") or {}).get("cached_tokens")) or 0)
    stop = STOP_REASONS.get(choice.get("finish_reason"), choice.get("finish_reason"))
    if message.get("refusal"):
        stop = "refusal"
    return Response(id=str(data.get("id", "")), model=str(data.get("model", "")), content=blocks, stop_reason=stop,
                    usage=Usage(input_tokens=max(0, int(usage.get("prompt_tokens") or 0) - cached),
                                output_tokens=int(usage.get("completion_tokens") or 0),
                                cache_read_input_tokens=cached))


class OpenAICompatibleProvider(Provider):
    name = "openai-compatible"
    key_variable = "OPENAI_API_KEY"

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float = 120.0,
                 env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        base_url = base_url or env.get("OPENAI_BASE_URL") or None
        key = api_key or env.get(self.key_variable)
        if not key:
            if base_url is None:
                raise MissingCredentials(self.key_variable)
            key = "unused"  # a self-hosted server (vLLM, llama.cpp, Ollama) takes any key
        import openai

        self._sdk = openai
        self._client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)

    def send(self, request: Request) -> Response:
        body = wire_body(request)
        extra = {name: body.pop(name) for name in list(body) if name not in ("model", "messages")}
        raw = self.call(self._client.chat.completions.with_raw_response.create, model=body["model"],
                        messages=body["messages"], extra_body=extra)
        return response_from_completion(raw_json(raw))

    def close(self) -> None:
        self._client.close()
