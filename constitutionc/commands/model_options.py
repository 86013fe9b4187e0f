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


def _parse_price(ctx, param, value):
    if value is None:
        return None
    from ..llm.pricing import parse_price

    try:
        return parse_price(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def concurrency_option():
    return click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
                        help="Requests in flight at most (lowered automatically under rate limits).")


def spending_options(command):
    """`--max-requests`, `--max-usd` and `--price-per-mtok`, in that order: the limits every paid command takes."""
    command = price_option()(command)
    command = click.option("--max-usd", type=click.FloatRange(min=0), default=None,
                           help="Stop before spending more.")(command)
    return click.option("--max-requests", type=click.IntRange(min=1), default=None,
                        help="Stop before sending more requests.")(command)


def price_option():
    return click.option("--price-per-mtok", "price", metavar="IN,OUT", default=None, callback=_parse_price,
                        help="USD per million input and output tokens (e.g. 3,15) of a model the price table "
                             "(constitutionc/llm/prices.toml, or $CONSTITUTIONC_PRICES) does not know; "
                             "--max-usd needs a price for every model of the run.")


def require_prices(models, max_usd: float | None, price) -> None:
    """`--max-usd` with a model that has no price could never stop it (its answers would cost $0): a usage
    error (exit 2) before anything is sent, unless `--price-per-mtok` gives the price."""
    if max_usd is None:
        return
    from ..llm.pricing import PriceTable, PricesError

    try:
        unpriced = PriceTable.load().with_fallback(price).unpriced(models)
    except PricesError as e:
        raise click.UsageError(str(e)) from None
    if unpriced:
        raise click.UsageError(
            f"no price known for {', '.join(unpriced)}, so --max-usd {max_usd:g} could not limit its spending; "
            "give the price with --price-per-mtok IN,OUT (USD per million input and output tokens) or drop "
            "--max-usd (--max-requests limits requests)")


def cost_text(usd: float, unpriced) -> str:
    """A dry run's dollar figure: never $0.00 for requests whose model has no price."""
    if not unpriced:
        return f"at most ${usd:.2f}"
    names = ", ".join(unpriced)
    if usd:
        return f"at most ${usd:.2f} for the priced models, no price known for {names}"
    return f"no price known for {names} (--price-per-mtok IN,OUT gives one)"
