"""Command-line options shared by the commands that call a model (generate, eval, grade).

The provider names and their abilities come from the provider registry, so a provider added there is
offered by every command without editing this file. Importing the registry loads no SDK.
"""

from __future__ import annotations

import click


def provider_option():
    from ..llm.providers import PROVIDER_NAMES

    return click.option("--provider", type=click.Choice(PROVIDER_NAMES), default="anthropic", show_default=True,
                        help="Which API to call: " + ", ".join(PROVIDER_NAMES) + ".")


def require_batches(provider: str, batch: bool) -> None:
    """`--batch` is a usage error (exit 2) with a provider that has no batch API, before anything is sent."""
    from ..llm.providers import PROVIDERS, BatchProvider

    if batch and not issubclass(PROVIDERS[provider], BatchProvider):
        able = ", ".join(name for name, cls in PROVIDERS.items() if issubclass(cls, BatchProvider))
        raise click.BadParameter(f"provider {provider!r} has no batch API; batches need --provider {able}",
                                 param_hint="--batch")
