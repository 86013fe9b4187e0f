"""Model providers, registered by name: `anthropic` (Messages, token counting, Message Batches) and
`openai-compatible` (chat completions: vLLM, llama.cpp server, Ollama, OpenAI)."""

from .base import PROVIDERS, BatchState, Provider, get_provider, heuristic_tokens

PROVIDER_NAMES = ("anthropic", "openai-compatible")

__all__ = ["PROVIDERS", "PROVIDER_NAMES", "BatchState", "Provider", "get_provider", "heuristic_tokens"]
