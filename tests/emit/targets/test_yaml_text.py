"""The YAML writer round-trips any JSON-like value through a real YAML parser."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from constitutionc.emit.targets import yaml_text

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
multiline = st.lists(st.sampled_from(["", "a", "  b", "c ", "#x", "- y", "k: v", "\t", "é “q”", "'", '"']),
                     min_size=1, max_size=5).map("\n".join)
scalars = st.none() | st.booleans() | st.integers() | texts | multiline | \
    st.sampled_from(["", "yes", "no", "null", "~", "1.0", "- a", "a: b", "|", ">", "@x", "`", "0x1F", "\n", "\n\n"])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(texts | st.sampled_from(["on", "null", "a b", "1"]), inner, max_size=4),
                      max_leaves=12)


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(texts, values, max_size=5) | st.lists(values, max_size=5))
def test_documents_round_trip(value):
    assert yaml.safe_load(yaml_text.dump(value)) == value


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dictionaries(texts, values, min_size=1, max_size=4), min_size=1, max_size=4))
def test_streamed_list_items_form_one_list(items):
    text = "".join(yaml_text.list_item(item) for item in items)
    assert yaml.safe_load(text) == items


def test_multi_line_text_is_written_as_a_literal_block():
    text = yaml_text.dump({"rubric": "line one\n\nline two"})
    assert text == "rubric: |-\n  line one\n\n  line two\n"
