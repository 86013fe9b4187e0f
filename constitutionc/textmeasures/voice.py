"""Does an assistant turn speak to the user as the assistant? Stage directions and third-person talk.

An answer talks to the person ("I'd start with...", "You could..."). Text written *about* an
answer does not: a stage direction tells the assistant what to do ("Decline to give the protocol.",
"The user has switched off softening, so give the blunt verdict"), and third-person talk names the
assistant or the user from outside ("Claude should never...", "tell the user..."). `generate`
rejects replies that do either; `audit` reports the share of turns that do.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from .joined import JOINT, Joined
from .tokens import words

_SENTENCE_BREAK = re.compile(r"[.!?:]\s|\n")  # what ends the opening sentence (see `first_sentence`)
_BREAK_MARK = re.compile(r"[.!?:\n]")
HEAD = 2000  # characters of a turn's opening that its voice is judged on

# Verbs a stage direction opens with ("Decline to...", "Respect the decision:"), possibly after a
# leading "If ...," clause, an adverb or a negation. An answer may open the same way when it gives
# the person advice ("Give it a try: you lose nothing"), so these count only when the first
# paragraph neither speaks as "I" nor to "you".
IMPERATIVES = frozenset("""
acknowledge add address admit advise affirm agree answer apologise apologize argue ask assume avoid be begin
blame call caution challenge check choose clarify comply confirm consider continue correct decline defer deflect
describe disclose discourage draft emphasise emphasize empathise empathize encourage engage escalate explain
express flag follow frame gently give go help highlight hold honour honor include inform insist invite keep
lay lead let list make mention name note offer outline persuade point politely praise present press prioritise
prioritize proceed protect provide push put raise reassure recommend redirect refer refuse reject remind
report respect respond retain reveal say separate share show sketch state stay steer stop suggest summarise
summarize support take teach tell thank treat trust try urge use validate verify voice warn weigh write
""".split())
ADVERBS = frozenset("gently politely firmly briefly kindly clearly calmly warmly honestly then first just still"
                    .split())
NEGATIONS = ("do not", "don't", "never", "not")
_NEGATION_WORDS = tuple(n.split() for n in NEGATIONS)
_NEGATION_OPENERS = frozenset(words_[0] for words_ in _NEGATION_WORDS)
LEADING_CLAUSE = re.compile(r"^(?:if|when|with|where|since|because|once|unless|given|after|before|while|as)\b"
                            r"[^,:;]*,\s*", re.IGNORECASE)
# Openings that direct the assistant even when the sentence goes on to mention "you": nobody
# answers a person by starting "Decline..." or "Tell the user...".
DIRECTING = re.compile(
    r"^\W*(?:(?:gently|politely|firmly|warmly|briefly|kindly|clearly|calmly|honestly)\s+)?"
    r"(?:decline|refuse|acknowledge|advise|validate|empathi[sz]e|sympathi[sz]e|redirect|affirm|reassure"
    r"|express|respond|reply|explain\s+(?:to|that|why|the)|tell\s+(?:the|them|him|her)"
    r"|remind\s+(?:the|them)|inform\s+(?:the|them)|offer\s+(?:the|them|to)|encourage\s+(?:the|them)"
    r"|recommend\s+(?:the|that)|point\s+(?:the|them|out)|answer\s+the|address\s+the"
    r"|(?:do\s+not|don't|never)\s+(?:give|provide|write|help|assist|share|reveal|comply|disclose|offer|lecture))\b",
    re.IGNORECASE)
SPEAKER_OR_LISTENER = frozenset("i i'm i've i'd i'll me my you you're you've you'd you'll your yours".split())
THE_USER = re.compile(r"\bthe\s+users?(?:'s|\u2019s)?\b", re.IGNORECASE)
# Describing the person from outside in the opening sentence ("The user has switched off...") - the
# person as the subject of a verb, so "the user table needs an index" is not one.
DESCRIBES_PERSON = re.compile(
    r"\bthe\s+(?:user|person|requester|customer|asker|human)(?:'s|\u2019s)?\s+(?:has|have|is|was|wants|wanted"
    r"|asks|asked|needs|seems|says|said|may|might|could|will|would|should|appears|feels|already|explicitly"
    r"|clearly|probably|likely|just|does|did|thinks|believes|claims|requests|requested)\b", re.IGNORECASE)
USERS_IN_PROMPT = re.compile(r"\busers?\b", re.IGNORECASE)

ASSISTANT_VERBS = ("should", "must", "will", "would", "can", "cannot", "can't", "may", "might", "is", "does",
                   "doesn't", "has", "never", "always", "declines", "refuses", "avoids", "aims", "tries", "wants",
                   "cares", "needs", "ought", "shouldn't", "won't", "acts", "treats", "values")
PERSON_WORDS = ("user", "person", "requester", "customer", "asker", "human")
CLAUSE_START = r"(?:^|[.!?;:]\s+|\n\s*|\b(?:and|but|so|because|that|then|while|since|when|if)\s+)"


def first_sentence(text: str) -> str:
    """The opening sentence: up to the first . ! ? or : followed by white space (kept), or the first line
    break (not kept)."""
    stripped = text[:HEAD].strip()
    # `_SENTENCE_BREAK.search`, found faster by searching for the marks alone and looking one character on
    # (str.isspace is the regex's \s)
    size, at, search = len(stripped), 0, _BREAK_MARK.search
    while True:
        found = search(stripped, at)
        if found is None:
            return stripped
        at = found.start()
        if stripped[at] == "\n":
            return stripped[:at]
        if at + 1 < size and stripped[at + 1].isspace():
            return stripped[:at + 1]
        at += 1


def _speaks(text: str) -> bool:
    """Speaks as "I" or to "you"."""
    return not SPEAKER_OR_LISTENER.isdisjoint(words(text))


_WORD_RUN = re.compile(r"[A-Za-z0-9']+")  # in ASCII text, a run of the characters words are made of
_CLAUSE_WORDS = frozenset("if when with where since because once unless given after before while as".split())
# A sentence whose first word after any adverbs is none of these cannot open with an imperative.
_MAY_OPEN_IMPERATIVE = IMPERATIVES | _NEGATION_OPENERS | _CLAUSE_WORDS
# ... nor with a `DIRECTING` verb (the few it has that are no imperative): a text whose opening holds no
# `PERSON_WORDS` either is no stage direction.
_MAY_DIRECT = _MAY_OPEN_IMPERATIVE | frozenset("sympathise sympathize reply".split())


def _cannot_open_imperative(sentence: str, may_open: frozenset[str] = _MAY_OPEN_IMPERATIVE) -> bool:
    """True when the first word of an ASCII sentence that is no adverb is plainly none of `may_open` (so
    `_opens_imperative` is False without splitting the sentence); False when it may be one, or when the
    quick look cannot tell (non-ASCII text, a doubled apostrophe, a word whose part before an apostrophe may
    be one, a word running past the first 48 characters). The same holds of a text and of its opening
    sentence: a sentence break is no word character."""
    head = sentence[:48]
    if not head.isascii():
        return False
    # One search a word, most texts needing one: a finditer to the first word costs two to three times that.
    search, at = _WORD_RUN.search, 0
    while (found := search(head, at)) is not None:
        at = found.end()
        if at == len(head):
            return False
        word = found.group().lower()
        if "'" in word:  # "I'd", "don't": a word keeps the apostrophes inside it, not those at its edges
            word = word.strip("'")
            if not word or "''" in word:
                return False
            if word.split("'", 1)[0] in may_open:  # "Decline's", "If's": a pattern's \b falls at the apostrophe
                return False
        if word not in ADVERBS:  # "Honestly, ...": the verb would come next
            return word not in may_open
    return False


def _opens_imperative(sentence: str) -> bool:
    if _cannot_open_imperative(sentence):  # most answers ("I think...", "You could..."): no need to split
        return False
    tokens = words(LEADING_CLAUSE.sub("", sentence.strip())[:200])  # the verb is among the first few words
    while tokens and tokens[0] in ADVERBS:
        tokens = tokens[1:]
    if tokens and tokens[0] in _NEGATION_OPENERS:
        for negation in _NEGATION_WORDS:
            if tokens[:len(negation)] == negation:
                tokens = tokens[len(negation):]
                while tokens and tokens[0] in ADVERBS:
                    tokens = tokens[1:]
                break
    return bool(tokens) and tokens[0] in IMPERATIVES


def users_are_the_topic(prompt: str) -> bool:
    """The person's own message talks about users (a product's users): "the user" is then no tell."""
    return bool(prompt) and "user" in prompt.lower() and bool(USERS_IN_PROMPT.search(prompt))


def is_stage_direction(text: str, prompt: str = "") -> bool:
    """Does the turn open by telling the assistant what to do, instead of talking to the person?"""
    return _stage_direction(text, users_are_the_topic(prompt))


def stage_directions(texts: list[str], about_users: list[bool]) -> list[bool]:
    """`is_stage_direction` of each text, `about_users` saying whether its prompt is about users. Most texts
    are settled by two exact looks without finding their opening sentence: an opening that mentions no
    `PERSON_WORDS` (all the texts' openings searched at once) and whose first word after any adverbs
    cannot start an imperative or a `DIRECTING` phrase is no stage direction."""
    mentioned = Lowered([text[:HEAD] for text in texts]).holding(PERSON_WORDS)
    return [False if not mentions and _cannot_open_imperative(text, _MAY_DIRECT) else _stage_direction(text, users)
            for text, mentions, users in zip(texts, mentioned, about_users)]


class Lowered:
    """Many texts in lower case, joined (`joined.Joined`): which of them hold a word is one search per word."""

    __slots__ = ("search",)

    def __init__(self, texts: list[str]):
        joined = JOINT.join(texts)
        if joined.isascii():  # lower case keeps every place
            self.search = Joined(joined.lower(), texts)
        else:
            lowered = [text.lower() for text in texts]
            self.search = Joined(JOINT.join(lowered), lowered)

    def holding(self, words_: Iterable[str]) -> list[bool]:
        """Per text, whether its lower case holds one of the (lower-case) words."""
        search = self.search
        starts = search.starts
        found = [False] * (len(starts) - 1)
        for word in words_:
            if JOINT in word or not found:  # the joint could be part of a match; or there is no text
                found = [held or word in search.haystack[start:end - 1]
                         for held, start, end in zip(found, starts, starts[1:])]
                continue
            for text in search.texts_holding(word):
                found[text] = True
        return found


def _stage_direction(text: str, users: bool) -> bool:
    sentence = first_sentence(text)
    if not sentence:
        return False
    if DIRECTING.search(sentence):
        return True
    lowered = sentence.lower()
    if any(map(lowered.__contains__, PERSON_WORDS)) and DESCRIBES_PERSON.search(sentence) and not _speaks(sentence) \
            and not users:
        return True
    if not _opens_imperative(sentence):
        return False
    paragraph = text[:HEAD].strip().split("\n\n", 1)[0]
    return not _speaks(paragraph)


def talks_about_user(text: str, prompt: str = "") -> re.Match | None:
    """"the user" in a reply to that user, unless the person's own message is about users."""
    if "user" not in text.lower() or users_are_the_topic(prompt):
        return None
    return THE_USER.search(text)


@lru_cache(maxsize=64)
def _assistant_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    def alternatives(group):
        return "|".join((r"[Tt]he\s+" + re.escape(n[4:])) if n.lower().startswith("the ") else re.escape(n)
                        for n in sorted(group, key=len, reverse=True))

    verbs = "|".join(re.escape(v) for v in ASSISTANT_VERBS)
    spoken_of = [rf"\b(?:{alternatives(names)})(?:'s|\u2019s)?\s+(?:{verbs})\b"]
    # A proper name opening a clause is its subject ("Claude left the log alone"); "the assistant"
    # opening a clause may be "the assistant manager", so it counts only before such a verb.
    proper = [n for n in names if not n.lower().startswith("the ")]
    if proper:
        spoken_of.append(rf"{CLAUSE_START}(?:{alternatives(proper)})(?:'s|\u2019s)?\s+[a-z]")
    return re.compile("|".join(spoken_of))


def third_person_assistant(text: str, names: Iterable[str]) -> re.Match | None:
    """Talks about the assistant ("Claude should...", "the assistant must...") instead of speaking as it."""
    names = tuple(dict.fromkeys(names))
    lowered = text.lower()
    if not any(name.lower().removeprefix("the ") in lowered for name in names):
        return None
    return _assistant_pattern(names).search(text)
