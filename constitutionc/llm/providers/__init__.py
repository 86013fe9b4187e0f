"""Model providers, registered by name: `anthropic` (Messages, token counting, Message Batches) and
`openai-compatible` (chat completions: vLLM, llama.cpp server, Ollama, OpenAI).

Importing a provider module registers it without importing its SDK; constructing one imports the SDK.
"""

from . import anthropic, openai_compatible  # noqa: F401  (registration)
from .base import PROVIDERS, BatchProvider, BatchState, Provider, heuristic_tokens

PROVIDER_NAMES = tuple(PROVIDERS)


def get_provider(name: str, **options) -> Provider:
    try:
        cls = PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r} (known: {', '.join(sorted(PROVIDERS))})") from None
    return cls(**options)


__all__ = ["PROVIDERS", "PROVIDER_NAMES", "BatchProvider", "BatchState", "Provider", "get_provider", "heuristic_tokens"]
