"""Every prompt constitutionc sends: its id, what it is given, what it must return and the tool it answers with.

A prompt's text lives in `files/<id>.md` (overridable with `--prompts DIR`); its shape lives
here, in code, because the generation stage and the quality checks depend on it. Adding a
prompt is one entry here, one input and one output model in `schemas.py`, and its file.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from . import schemas as s


@dataclass(frozen=True)
class PromptKind:
    id: str
    input: type[BaseModel]
    output: type[BaseModel]
    tool_name: str
    tool_description: str


def _kinds(*kinds: PromptKind) -> dict[str, PromptKind]:
    return {k.id: k for k in kinds}


PROMPTS: dict[str, PromptKind] = _kinds(
    PromptKind("response_justified_inline", s.ResponseInput, s.JustifiedInline, "submit_response",
               "Submit the assistant's reply, with the deliberation woven into it."),
    PromptKind("response_justified_separate", s.ResponseInput, s.JustifiedSeparate, "submit_response",
               "Submit the assistant's private reasoning and the reply the user sees."),
    PromptKind("response_bare", s.BareInput, s.BareResponse, "submit_response",
               "Submit the reply without its reasons."),
    PromptKind("response_rejected", s.RejectedInput, s.RejectedResponse, "submit_response",
               "Submit the misaligned reply (and its reasoning when the chosen reply has separate reasoning)."),
    PromptKind("dilemma_draft", s.DilemmaInput, s.DraftedDilemma, "submit_dilemma",
               "Submit one new situation for the dataset."),
    PromptKind("document", s.DocumentInput, s.Document, "submit_document",
               "Submit the document."),
    PromptKind("story", s.StoryInput, s.Story, "submit_story",
               "Submit the story."),
    PromptKind("episode", s.EpisodeInput, s.Episode, "submit_episode",
               "Submit the whole episode: system prompt, tools, task and every step."),
    PromptKind("critique", s.CritiqueInput, s.Critique, "submit_critique",
               "Submit the critique of the draft against one clause."),
    PromptKind("revision", s.RevisionInput, s.Revision, "submit_revision",
               "Submit the revised reply."),
    PromptKind("judge", s.JudgeInput, s.Verdict, "submit_verdict",
               "Submit the verdict on the transcript."),
)
