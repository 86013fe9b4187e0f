"""Prices are data: the shipped table, an override file, costs of real usage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from constitutionc.llm import PriceTable, Usage


def test_shipped_table_prices_the_default_models():
    table = PriceTable.load()
    sonnet = table.price("claude-sonnet-5-5")
    assert (sonnet.input, sonnet.output) == (2.0, 10.0)
    assert table.price("claude-opus-4-1-20250805").input == 15.0  # the older Opus is not the newer one's price
    assert table.price("claude-opus-4-7").input == 5.0
    assert table.price("llama-3-70b") is None


def test_cost_counts_every_kind_of_token():
    table = PriceTable.load()
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000, cache_creation_input_tokens=200_000,
                  cache_read_input_tokens=500_000)
    assert table.cost("claude-sonnet-5-5", usage) == pytest.approx(2.0 + 1.0 + 0.5 + 0.1)
    assert table.cost("claude-sonnet-5-5", usage, batch=True) == pytest.approx(1.8)
    assert table.cost("llama-3-70b", usage) == 0.0


def test_an_override_file_replaces_the_table(tmp_path, monkeypatch):
    prices = tmp_path / "prices.toml"
    prices.write_text('batch_discount = 0.4\n[[model]]\nmatch = "llama-*"\ninput = 0.1\noutput = 0.2\n')
    monkeypatch.setenv("CONSTITUTIONC_PRICES", str(prices))
    table = PriceTable.load()
    assert table.source == str(prices) and table.price("claude-sonnet-5-5") is None
    assert table.cost("llama-3", Usage(input_tokens=10_000_000), batch=True) == pytest.approx(0.4)


def test_the_model_layer_imports_no_sdk_until_a_provider_is_made():
    code = ("import sys, constitutionc.llm, constitutionc.cli, constitutionc.api, constitutionc.emit; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('anthropic', 'openai')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_a_given_price_prices_only_the_models_the_table_does_not_know():
    from constitutionc.llm import parse_price

    price = parse_price("0.5, 1.5")
    assert (price.input, price.output, price.cache_write, price.cache_read) == pytest.approx((0.5, 1.5, 0.625, 0.05))
    table = PriceTable.load().with_fallback(price)
    assert table.cost("llama-3-70b", Usage(input_tokens=2_000_000, output_tokens=1_000_000)) == pytest.approx(2.5)
    assert table.price("claude-sonnet-5-5").input == 2.0, "a known model keeps its own price"
    assert PriceTable.load().unpriced(["llama-3-70b", "claude-sonnet-5-5", "llama-3-70b"]) == ["llama-3-70b"]
    assert table.unpriced(["llama-3-70b"]) == []
    for bad in ("3", "3,15,1", "a,b", "-1,2", "inf,1", ""):
        with pytest.raises(ValueError):
            parse_price(bad)
