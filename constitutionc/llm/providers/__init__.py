"""Model providers, registered by name: `anthropic` (Messages, token counting, Message Batches) and
`openai-compatible` (chat completions: vLLM, llama.cpp server, Ollama, OpenAI).

Importing a provider module registers it without importing its SDK; constructing one imports the SDK.
"""

from . import anthropic, openai_compatible  # noqa: F401  (registration)
from .base import PROVIDERS, BatchProvider, BatchState, Provider, heuristic_tokens

PROVIDER_NAMES = tuple(PROVIDERS)


def sampling_params(provider: str, temperature: float | None) -> dict:
    """The sampling parameters a request to `provider` carries for a prompt's temperature: the one rule
    for every stage (generate, the eval judge, the Inspect judge). A provider whose API takes no
    temperature gets none; a name this package does not know (an Inspect model API such as `openai`
    or `vllm`) gets it, except `anthropic`, which is ours."""
    known = PROVIDERS.get(provider)
    if temperature is None or (known is not None and not known.takes_temperature):
        return {}
    return {"temperature": temperature}


def get_provider(name: str, **options) -> Provider:
    try:
        cls = PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r} (known: {', '.join(sorted(PROVIDERS))})") from None
    return cls(**options)


__all__ = ["PROVIDERS", "PROVIDER_NAMES", "BatchProvider", "BatchState", "Provider", "get_provider", "heuristic_tokens",
           "sampling_params"]
