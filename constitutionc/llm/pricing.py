"""Prices as data (`prices.toml` in the package, or the file named by CONSTITUTIONC_PRICES), costs and budgets."""

from __future__ import annotations

import fnmatch
import os
import threading
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .request import Usage

PRICES_ENV = "CONSTITUTIONC_PRICES"


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_write: float
    cache_read: float


def parse_price(text: str) -> Price:
    """`IN,OUT`: USD per million input and output tokens (`3,15`); cache writes cost 1.25 times the input
    price and cache reads 0.1 times, as in `prices.toml` when a row leaves them out. ValueError if unreadable."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2:
        raise ValueError("give two numbers, IN,OUT (USD per million input and output tokens), e.g. 3,15")
    try:
        input_price, output_price = (float(part) for part in parts)
    except ValueError:
        raise ValueError(f"{text!r} is not two numbers IN,OUT (e.g. 3,15)") from None
    if not all(0 <= value < float("inf") for value in (input_price, output_price)):
        raise ValueError("prices are numbers of dollars, zero or more")
    return Price(input_price, output_price, input_price * 1.25, input_price * 0.1)


class PricesError(ValueError):
    """The price table named by CONSTITUTIONC_PRICES (or given) cannot be read: the message names the file and
    what is wrong (commands: one line, exit 2, nothing sent)."""


class PriceTable:
    """Prices by model name. `fallback`, when given (`--price-per-mtok`), prices every model no row matches."""

    def __init__(self, rows: list[tuple[str, Price]], batch_discount: float = 0.5, source: str = "built-in",
                 fallback: Price | None = None):
        self.rows = rows
        self.batch_discount = batch_discount
        self.source = source
        self.fallback = fallback

    def with_fallback(self, price: Price | None) -> "PriceTable":
        return PriceTable(self.rows, self.batch_discount, self.source, price)

    @classmethod
    def load(cls, path: Path | str | None = None) -> "PriceTable":
        path = path or os.environ.get(PRICES_ENV)
        where = f"price table {path} (${PRICES_ENV})" if path else "the built-in price table"
        try:
            if path:
                text, source = Path(path).read_text(encoding="utf-8"), str(path)
            else:
                text = resources.files(__package__).joinpath("prices.toml").read_text(encoding="utf-8")
                source = "built-in"
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError) as e:
            raise PricesError(f"{where}: cannot be read ({getattr(e, 'strerror', None) or e})") from None
        except tomllib.TOMLDecodeError as e:
            raise PricesError(f"{where}: not TOML ({e})") from None
        rows = []
        for number, row in enumerate(data.get("model", []), 1):
            try:
                input_price = float(row["input"])
                rows.append((str(row["match"]), Price(input_price, float(row["output"]),
                                                      float(row.get("cache_write", input_price * 1.25)),
                                                      float(row.get("cache_read", input_price * 0.1)))))
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise PricesError(f"{where}: [[model]] entry {number} needs `match`, `input` and `output` "
                                  f"(numbers of USD per million tokens): {e!r}") from None
        try:
            discount = float(data.get("batch_discount", 0.5))
        except (TypeError, ValueError):
            raise PricesError(f"{where}: batch_discount is not a number") from None
        return cls(rows, discount, source)

    def price(self, model: str) -> Price | None:
        for pattern, price in self.rows:
            if fnmatch.fnmatchcase(model, pattern):
                return price
        return self.fallback

    def unpriced(self, models) -> list[str]:
        """The models among `models` with no price (so no dollar budget can limit them), in order, once each."""
        return [m for m in dict.fromkeys(models) if self.price(m) is None]

    def cost(self, model: str, usage: Usage, batch: bool = False) -> float:
        """USD of one answer; 0 for a model the table does not know (self-hosted models)."""
        price = self.price(model)
        if price is None:
            return 0.0
        usd = (usage.input_tokens * price.input + usage.output_tokens * price.output
               + usage.cache_creation_input_tokens * price.cache_write
               + usage.cache_read_input_tokens * price.cache_read) / 1_000_000
        return usd * (self.batch_discount if batch else 1.0)

    def worst_case(self, model: str, input_tokens: int, max_tokens: int, batch: bool = False) -> float:
        """The most a request can cost: every input token written to the cache, every output token used."""
        price = self.price(model)
        if price is None:
            return 0.0
        usd = (input_tokens * max(price.input, price.cache_write) + max_tokens * price.output) / 1_000_000
        return usd * (self.batch_discount if batch else 1.0)


@dataclass(frozen=True)
class BudgetStop:
    """The budget would be exceeded by the next request, so it was not sent."""

    reason: str  # "max-requests" | "max-usd"
    limit: float
    answered: int
    spent_usd: float

    def message(self, total: int | None = None) -> str:
        limit = f"{int(self.limit)} requests" if self.reason == "max-requests" else f"${self.limit:.2f}"
        done = f"{self.answered} of {total}" if total is not None else f"{self.answered}"
        return (f"budget reached (--{self.reason} {limit}): {done} requests answered, ${self.spent_usd:.4f} spent; "
                "rerun the same command to continue")


class Budget:
    """Paid requests and dollars a run may spend; a request is sent only if its worst case still fits.

    A request counts once however many times it is retried; cache hits are free.
    """

    def __init__(self, max_requests: int | None = None, max_usd: float | None = None):
        self.max_requests = max_requests
        self.max_usd = max_usd
        self.requests = 0
        self.spent_usd = 0.0
        self.reserved_usd = 0.0
        self.stop: BudgetStop | None = None
        self._lock = threading.Lock()

    def reserve(self, worst_usd: float) -> bool:
        with self._lock:
            if self.stop is not None:
                return False
            if self.max_requests is not None and self.requests + 1 > self.max_requests:
                self.stop = BudgetStop("max-requests", self.max_requests, self.requests, self.spent_usd)
                return False
            if self.max_usd is not None and self.spent_usd + self.reserved_usd + worst_usd > self.max_usd:
                self.stop = BudgetStop("max-usd", self.max_usd, self.requests, self.spent_usd)
                return False
            self.requests += 1
            self.reserved_usd += worst_usd
            return True

    def settle(self, reserved_usd: float, actual_usd: float) -> None:
        with self._lock:
            self.reserved_usd -= reserved_usd
            self.spent_usd += actual_usd
