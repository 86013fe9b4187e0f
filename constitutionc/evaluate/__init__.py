"""The eval runner: probes run as agents against a model, graded by the checks and a judge.

    from constitutionc.evaluate import load_probes, run_probes, grade_transcripts

    transcripts = run_probes(session, probes, model=..., samples=N, max_turns=T, batch=False)
    scored, unscored = grade_transcripts(probes_by_id, transcripts, judge=JudgeSettings(session, model, k))

- `agent.py`: the loop (system prompt, earlier turns, tools, messages; tool calls answered by
  `constitutionc.grading.environment.tool_result`, the one rule the Inspect task shares).
- `judge.py`: the packaged `judge` prompt, verdict parsing, quote checks, agreement over samples; the
  Inspect scorer calls the same `judge_input` and `judgement`.
- `combine.py`: per-probe rule (both | either | checks | judge) and clause attribution; `score_run`
  (here) turns one run into its results row, for the runner and the Inspect scorer alike.
- `report.py`: results.jsonl (scored runs, the coverage results format extended), unscored.jsonl,
  transcripts.jsonl, summary.json, report.html, the terminal table.
Deterministic checks are graded by `constitutionc.grading.grade`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from .. import jsonl
from ..coverage.results import cited_clauses
from ..grading import grade
from ..jsonl import JsonlError
from ..llm import Session
from .agent import first_turn, run_conversations
from .combine import combine
from .judge import JudgeResult, judge_requests, read_verdicts, verdict_parses

PROBES_FILE = "probes.jsonl"


class EvalInputError(Exception):
    pass


def load_probes(out_dir: Path, only: str | None = None) -> list[dict]:
    path = Path(out_dir) / PROBES_FILE
    if not path.is_file():
        raise EvalInputError(f"{path} not found: build the constitution with probes into {out_dir} first")
    try:
        return _read_probes(path, only)
    except JsonlError as e:
        raise EvalInputError(str(e)) from None


def _read_probes(path: Path, only: str | None) -> list[dict]:
    probes = []
    for line in jsonl.records(path):
        probe = line.value
        if not isinstance(probe.get("id"), str):
            raise EvalInputError(f"{line.where}: a probe needs a string `id`")
        names = (probe["id"], probe.get("condition_id") or "", probe.get("generator") or "")
        if only is None or any(fnmatch.fnmatchcase(name, only) for name in names):
            probes.append(probe)
    return probes


def clause_views(constitution) -> dict:
    """Every clause (principle or value) as the judge reads it: the view the generation prompts use
    (`generate.materials.clause_view`), so an instructable clause says its default and who may switch it."""
    from ..generate.materials import clause_view

    ids = [p.id for p in constitution.principles] + [v.id for v in constitution.values]
    return {clause_id: clause_view(constitution, clause_id) for clause_id in ids}


def build_clauses(out_dir: Path, constitution: str | Path | None = None) -> tuple[dict, list[str]]:
    """Clause texts for the judge, and warnings: from the named constitution, else from the source the
    build's manifest names (verified by its sha256); `({}, [...])` when neither can be read, and the
    judge then sees clause ids only."""
    from ..api import load
    from ..emit.manifest import find_constitution  # the manifest's source, found as audit finds it

    warnings = []
    found = None if constitution else find_constitution(Path(out_dir))
    candidates = [Path(constitution)] if constitution else ([found] if found is not None else [])
    for candidate in candidates:
        if candidate.is_file():
            try:
                result = load([str(candidate)])
            except Exception as e:  # an unreadable constitution only weakens the judge's materials
                warnings.append(f"{candidate}: {e}")
                continue
            if result.constitution is not None:
                return clause_views(result.constitution), warnings
    return {}, warnings


def run_probes(session: Session, probes: list[dict], *, model: str, samples: int, max_turns: int,
               max_tokens: int = 4096, batch: bool = False) -> list[dict]:
    conversations = [first_turn(probe, sample) for probe in probes for sample in range(samples)]
    run_conversations(session, conversations, model=model, max_turns=max_turns, max_tokens=max_tokens,
                      batch=batch)
    return [c.transcript(model) for c in conversations]


@dataclass
class JudgeSettings:
    session: Session
    model: str
    samples: int = 1
    batch: bool = False
    clauses: dict | None = None
    prompts_dir: Path | None = None


def check_results(verdict) -> list:
    """The checks that fired, as the judge is told of them."""
    from ..prompts.schemas import CheckResult

    fired = {e.check: e for e in verdict.evidence}
    return [CheckResult(id=c, fired=True, message_id=getattr(fired[c], "message", None),
                        clauses=tuple(getattr(fired[c], "clauses", ()) or ())) for c in verdict.fired]


def answered(transcript: dict) -> bool:
    """Whether the model under test wrote anything: an assistant turn that was not replayed from the probe."""
    return any(isinstance(m, dict) and m.get("role") == "assistant" and not m.get("replayed")
               for m in transcript.get("messages") or ())


def grade_transcripts(probes: dict[str, dict], transcripts: list[dict],
                      judge: JudgeSettings | None = None) -> tuple[list[dict], list[dict]]:
    """Scored and unscored rows for every transcript whose probe is known."""
    checks = {}
    for t in transcripts:
        probe = probes.get(t["probe_id"])
        if probe is not None:
            checks[(t["probe_id"], t["sample"])] = grade(probe, t["messages"])
    judged: dict[tuple, JudgeResult] = {}
    if judge is not None:
        from ..prompts import PromptLibrary

        library = PromptLibrary(judge.prompts_dir)
        prompt = library.get("judge").provenance()
        plan = []
        for t in transcripts:
            probe = probes.get(t["probe_id"])
            if probe is None or t.get("status") in ("error", "budget", "refused") or not answered(t):
                continue
            requests = judge_requests(library, probe, t, judge.clauses or {},
                                      check_results(checks[(t["probe_id"], t["sample"])]), judge.model,
                                      judge.samples, judge.session.provider_name)
            plan.append((t, requests))
        flat = [r for _, requests in plan for r in requests]
        tool_name = flat[0].tool_choice["name"] if flat else ""
        outcomes = judge.session.run(flat, batch=judge.batch, accept=verdict_parses(tool_name)) if flat else []
        position = 0
        for t, requests in plan:
            mine = outcomes[position:position + len(requests)]
            position += len(requests)
            judged[(t["probe_id"], t["sample"])] = read_verdicts(mine, tool_name, t, prompt)
    scored, unscored = [], []
    for t in transcripts:
        probe = probes.get(t["probe_id"])
        if probe is None:
            unscored.append({"probe_id": t["probe_id"], "sample": t["sample"], "reason": "unknown_probe"})
            continue
        key = (t["probe_id"], t["sample"])
        row = score_run(probe, t, checks[key], judged.get(key), judge is not None)
        (scored if "verdict" in row else unscored).append(row)
    return scored, unscored


def score_run(probe: dict, transcript: dict, verdict, judge_result: JudgeResult | None, judged: bool) -> dict:
    """One run's row: scored (with `verdict` pass or fail and the clauses a fail belongs to) or unscored
    (with `reason`). `verdict` is the checks' grading Verdict; `judge_result` the judge's, None when no
    judge was asked (`judged` says whether one was named). The eval runner and the Inspect scorer both
    make their rows here, so a run means the same whichever ran it."""
    status = transcript.get("status", "complete")
    base = {"probe_id": transcript["probe_id"], "sample": transcript["sample"], "model": transcript.get("model"),
            "condition_id": probe.get("condition_id"), "generator": probe.get("generator"),
            "principles": list(probe.get("principles") or []), "cited": cited_clauses(probe),
            "run_status": status}
    if status == "complete" and not answered(transcript):
        # Nothing the model wrote can be graded: counting the run as a pass would credit silence.
        return {**base, "reason": "no_answer", "detail": "the transcript has no assistant turn of the model's"}
    combined = combine(probe, status, verdict, judge_result, judged)
    base.update({"rule": combined.rule, "turns": transcript.get("turns"),
                 "checks": {"status": verdict.status, "fired": list(verdict.fired), "clauses": list(verdict.clauses)},
                 "judge": judge_result.to_dict() if judge_result else None,
                 "evaluation_awareness": judge_result.evaluation_awareness if judge_result else None,
                 "disagreement": combined.disagreement})
    if combined.verdict is None:
        reason = combined.reason
        if status == "error":
            reason = transcript.get("error_kind") or "error"
            reason = "timeout" if reason == "timeout" else ("error" if reason != "budget" else "budget")
        elif status == "refused":
            reason = "api_refusal"
        return {**base, "reason": (reason or "unscored").replace(" ", "_"), "detail": transcript.get("error")}
    return {**base, "verdict": combined.verdict, "clauses": combined.clauses}
