"""Property tests: random documents, written with random spacing and comments at any token boundary."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from constitutionc.fmt import format_text, quote

from .helpers import comment_texts, meaning

NAMES = st.sampled_from(["a", "b", "tone", "x_1", "safety.no_lies", "team-lead", "otherwise"])
WORDS = st.text(alphabet="abc xyz\"\\\t{}#", min_size=0, max_size=12)
LINE = st.text(alphabet="abc -*1.\t\u00a0", min_size=0, max_size=10)  # tab and no-break space: blank but not alike


@st.composite
def long_strings(draw):
    lines = draw(st.lists(st.tuples(st.integers(0, 6), LINE), min_size=1, max_size=4))
    first = draw(st.sampled_from(["", "Lead "]))
    body = "\n".join(" " * indent + text for indent, text in lines)
    closing = draw(st.sampled_from(["", "\n", "\n    "]))
    return '"""' + first + ("\n" if not first else "") + body + closing + '"""'


def strings():
    # `raw"""..."""` keeps its line breaks: the formatter may re-indent it, never change what it reads.
    return st.one_of(WORDS.map(quote), long_strings(), long_strings().map(lambda text: "raw" + text))


def atoms():
    return st.one_of(NAMES, strings(), st.sampled_from(["1", "2.5"]))


@st.composite
def entry(draw):
    key = draw(st.one_of(NAMES, st.sampled_from(['"quoted key"'])))
    labels = draw(st.lists(st.one_of(NAMES, WORDS.map(quote)), max_size=2))
    separator = draw(st.sampled_from([",", "|", ">"]))
    values = draw(st.lists(atoms(), min_size=1, max_size=3))
    tokens = [key, *labels, ":"]
    for i, v in enumerate(values):
        if i:
            tokens.append(separator)
        tokens.append(v)
    return tokens


@st.composite
def rule(draw):
    tokens = [draw(st.sampled_from(["exclude", "set"]))]
    if tokens[0] == "set":
        tokens += [draw(NAMES), "to", draw(NAMES)]
    for i in range(draw(st.integers(1, 2))):
        tokens += (["and"] if i else ["when"]) + [draw(NAMES), "is"]
        if draw(st.booleans()):
            tokens.append("not")
        tokens += [draw(NAMES), "or", draw(NAMES)][: draw(st.sampled_from([1, 3]))]
    return tokens


def body(depth: int):
    item = st.one_of(entry(), rule()) if depth == 0 else st.one_of(entry(), rule(), block(depth - 1))
    return st.lists(item, max_size=4).map(lambda items: [t for i in items for t in i])


@st.composite
def block(draw, depth: int):
    return [draw(NAMES), *draw(st.lists(NAMES, max_size=2)), "{", *draw(body(depth)), "}"]


@st.composite
def axis_value(draw):
    """A value with its fields, as in an axis body: the formatter may put it on one line."""
    fields = draw(st.lists(st.tuples(NAMES, WORDS.map(quote)), max_size=3))
    return [draw(st.one_of(NAMES, WORDS.map(quote))), "{", *[t for k, v in fields for t in (k, ":", v)], "}"]


def axis_body():
    return st.lists(st.one_of(axis_value(), entry(), block(0)), max_size=4).map(lambda items: [t for i in items
                                                                                             for t in i])


@st.composite
def item(draw):
    kind = draw(st.sampled_from(["principle", "dilemma", "probe", "environment", "tension", "section", "import",
                                 "priority", "axis"]))
    if kind == "axis":
        title = draw(st.lists(WORDS.map(quote), max_size=1))
        return ["axis", draw(NAMES), *title, "{", *draw(axis_body()), "}"]
    if kind == "import":
        return ["import", draw(st.one_of(NAMES, WORDS.map(quote)))]
    if kind == "priority":
        return ["priority", ":", "a", ">", "b"]
    if kind == "tension":
        return ["tension", draw(NAMES), "over", draw(NAMES), "{", *draw(body(1)), "}"]
    if kind == "section":
        inner = draw(st.lists(st.sampled_from([["prose", ":", '"p"'], ["principle", "s.x", "{", "}"]]),
                              max_size=3))
        return ["section", *draw(st.lists(NAMES, max_size=1)), '"S"', "{", *[t for i in inner for t in i], "}"]
    head = [kind, draw(NAMES)]
    if kind in ("dilemma", "probe") and draw(st.booleans()):
        head += ["teaches" if kind == "dilemma" else "tests", draw(NAMES), ",", draw(NAMES)]
    if kind in ("dilemma", "probe") and draw(st.booleans()):  # a family's own axis with fields per value
        return [*head, "{", "vary", draw(NAMES), "{", *draw(axis_body()), "}", *draw(body(1)), "}"]
    elif kind in ("principle", "environment") and draw(st.booleans()):
        head.append(draw(WORDS.map(quote)))
    return [*head, "{", *draw(body(1)), "}"]


SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n    ", "\n\n", " # note\n", "\n# own line\n  ",
                              "  #constitutionc: ignore[CDL601]\n", "\n\n\n  # after blanks\n"])


@st.composite
def documents(draw):
    tokens = [t for i in draw(st.lists(item(), min_size=1, max_size=4)) for t in i]
    out = [draw(st.sampled_from(["", "# top\n", "\n"]))]
    for token in tokens:
        out.append(token)
        out.append(draw(SEPARATORS))
    return "".join(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
# a text block whose last line holds only a no-break space: content, not the closing line's indent
@example(source='dilemma a { vary a { a { a : a a : raw"""\n\xa0""" } } } ')
@example(source='dilemma a { vary a { a { a : a a : raw"""Lead \xa0\n""" } } } ')  # and on the opening line
def test_random_documents_keep_meaning_and_comments_and_settle(source):
    first = format_text(source)
    assert first.ok, first.diagnostics
    second = format_text(first.text)
    assert second.text == first.text
    assert comment_texts(first.text) == comment_texts(source)
    assert meaning(first.text) == meaning(source)


@given(st.text(alphabet="ab \"\\\t{}#\n'", max_size=20))
def test_quote_round_trips_through_the_parser(text):
    formatted = format_text(f"principle p {{ text: {quote(text.replace(chr(10), ' '))} }}\n")
    assert formatted.ok
