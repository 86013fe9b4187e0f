"""The per-text numbers the audit's figures are built from: their fast forms against their definitions."""

import re
import struct

import pytest
import xxhash

from constitutionc.audit import measures
from constitutionc.audit.features import SURFACE_FEATURES, pair_votes, surface
from constitutionc.audit.measures import KeySet, TextFacts, _key, _text_key


def defined_key(*parts):
    """`_key` as its docstring defines it: XXH3-64 of each part's UTF-8 (b"\\x01" for None), zero-separated."""
    data = b"\x00".join(b"\x01" if p is None else p.encode("utf-8", "surrogatepass") for p in parts) + b"\x00"
    return xxhash.xxh3_64_intdigest(data)


@pytest.mark.parametrize("parts", [(), ("",), ("a", None, "b"), (None,), ("naïve", "“quoted”"), ("\ud800", "\udc00"),
                                   ("x\x00y", "")])
def test_keys_are_the_documented_hash(parts):
    assert _key(*parts) == defined_key(*parts)
    if len(parts) == 1 and parts[0] is not None:
        assert _text_key(parts[0]) == defined_key(*parts)


def test_a_key_is_the_same_number_on_every_run():
    # Samples are chosen by these values: a change to them changes every report.
    assert xxhash.xxh3_64_intdigest(b"") == 0x2D06800538D394C2  # XXH3-64's published value for no input
    assert (_key(""), _key("hello", None)) == (0xC44BDFF4074EECDB, 0xB7F0DD2CC6DCA083)


def test_an_item_key_is_the_documented_hash_of_its_texts_keys():
    from constitutionc.audit.rows import Row

    row = Row("f", 1, system=None, prompt="Can you help?", assistant=["Sure, I can."], chosen=None, rejected=None)
    packed = struct.pack("<6Q", 1 | 1 << 32 | 1 << 33 | 1 << 34, 0, _text_key("Can you help?"), 0, 0,
                         _text_key("Sure, I can."))
    assert measures.item_key(row) == xxhash.xxh3_64_intdigest(packed)
    assert measures.item_key(row) == 0x72E61D3AD5DD83B3  # samples are chosen by it: a change moves them


def test_item_keys_tell_apart_what_a_plain_join_of_the_texts_would_not():
    from constitutionc.audit.rows import Row

    def key(**fields):
        return measures.item_key(Row("f", 1, **fields))

    base = dict(system="Be kind.", prompt="Hi", assistant=["Hello"])
    assert key(**base) == key(**base)
    assert key(**{**base, "system": None}) != key(**{**base, "system": ""})  # no system prompt, an empty one
    assert key(**{**base, "assistant": ["Hello", "again"]}) != key(**{**base, "assistant": ["Hello again"]})
    assert key(**{**base, "prompt": "Hi\nHello", "assistant": []}) != key(**{**base, "assistant": ["Hello"]})
    assert key(**base, chosen="a", rejected="b") != key(**base, chosen="b", rejected="a")
    assert key(**base, chosen="", rejected=None) != key(**base, chosen=None, rejected="")
    assert measures.pair_key(_text_key("a"), _text_key("b")) != measures.pair_key(_text_key("b"), _text_key("a"))


HEADER = re.compile(r"^\s{0,3}#", re.MULTILINE)
BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s", re.MULTILINE)
DEFINED = {  # each feature as the plain expression it stands for
    "paragraphs": lambda t: len([p for p in t.split("\n\n") if p.strip()]),
    "header lines": lambda t: len(HEADER.findall(t)),
    "list items": lambda t: len(BULLET.findall(t)),
    "digits": lambda t: len(re.findall(r"\d", t)),
}
TEXTS = ["", "   ", "plain words", "# Title", "   # three spaces", "    # four", "a\n# b\n  ## c", "- one", "-no",
         "1. first\n2) second\n3 third", "\n\n- after blanks", "* star\n• dot", "x\n\n\ny\n\n", "\n\n", "12 and 3,4",
         "Arabic ٣ and Devanagari ५ digits 7", "1.5 litres", "#"]


@pytest.mark.parametrize("name", sorted(DEFINED))
@pytest.mark.parametrize("text", TEXTS)
def test_fast_surface_features_count_what_their_expressions_count(name, text):
    facts = TextFacts(0, 0, 0, 0, None, None)
    assert SURFACE_FEATURES[name](text, facts) == DEFINED[name](text)


@pytest.mark.parametrize("text", TEXTS + ["Two? Really? 42!", 'He said "no" and “yes” **twice**', "I\n\n- you\n# x"])
def test_surface_gives_every_feature_in_the_order_of_the_dict(text):
    facts = TextFacts(0, 7, 3, 5, None, None)
    assert surface(text, facts) == tuple(feature(text, facts) for feature in SURFACE_FEATURES.values())


def test_pair_votes_say_which_side_has_more_of_each_feature():
    chosen, rejected = "Two? Really? 42.", "One?"
    votes = pair_votes(chosen, TextFacts(0, 3, 2, 0, None, None), rejected, TextFacts(0, 1, 2, 0, None, None))
    by_name = dict(zip(SURFACE_FEATURES, votes))
    assert by_name["characters"] == 2 and by_name["question marks"] == 2 and by_name["digits"] == 2
    assert by_name["words"] == 2 and by_name["first person (I)"] == 1 and by_name["exclamation marks"] == 1
    assert pair_votes(rejected, TextFacts(0, 1, 0, 0, None, None), chosen, TextFacts(0, 3, 0, 0, None, None))[0] == 0


def test_a_key_set_holds_exactly_the_keys_added_across_merges():
    import numpy as np

    rng = np.random.default_rng(7)
    keys = rng.permutation(np.arange(1, 5001, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    held = KeySet()
    for start in range(0, 5000, 300):
        batch = keys[start:start + 300]
        new = held.add_new(np.concatenate((batch, keys[:10])) if start else batch)
        assert new[:len(batch)].all() and (start == 0 or not new[len(batch):].any())
    assert held.size == 5000 and held.holds(keys).all()
    assert all((block[1:] > block[:-1]).all() for block in held.blocks)
    assert not held.holds(np.array([2, 3], dtype=np.uint64)).any()
    assert measures.KeySet().holds(keys[:3]).tolist() == [False] * 3
