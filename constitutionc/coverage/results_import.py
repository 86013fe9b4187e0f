"""Eval logs of other tools as the results format (`results.py`): Inspect logs and promptfoo JSON output.

- Inspect: any log `inspect_ai.log.read_eval_log` reads (`.eval` or `.json`), from
  the task `constitutionc/probes` (or the generated `task.py`). One row per sample
  and epoch: the `probe_scorer` score's value (`C` pass, `I` fail, unscored (NaN): an
  `error` row with the `reason`), its metadata (the eval runner's row: `clauses`,
  `violations`, `judged`, `rule`, `judge`, `evaluation_awareness`, `disagreement`)
  and the sample's metadata (`condition_id`, `sources`). A sample that errored is
  an `error` row.
- A fail that no check explains (the rubric alone failed it) belongs to the probe's focus clause
  (`grading.judged_failure_clauses`), as in the eval runner, never to every clause it cites.
- promptfoo: the JSON that `promptfoo eval -o results.json` writes, from the suite
  `--target promptfoo` generates. One row per result: pass when promptfoo passed
  it (the suite writes each probe's `combine` rule as its assertions), `error`
  when promptfoo reports an error or a check the rule needed could not be
  graded, else fail; the checks that fired are the failed `check:ID`
  components, and their clauses come from the test's `metadata.check_clauses`. Results run with a prompt
  that is not one of the test's own `prompts` are left out.

Reading Inspect logs needs the `inspect-ai` package (the `inspect` extra).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..atomic_file import atomic_writer
from ..grading import judged_failure_clauses
from .results import AWARENESS, ResultsInputError, cited_clauses

FORMATS = ("auto", "inspect", "promptfoo")
SCORER = "probe_scorer"
# promptfoo's ResultFailureReason.ERROR
PROMPTFOO_ERROR = 2
# How grading.cjs reports a check it could not evaluate (javascript.py NOT_GRADED).
NOT_GRADED = "constitutionc: not graded: "


def detect_format(path: Path) -> str:
    if path.suffix == ".eval":
        return "inspect"
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError as e:
        raise ResultsInputError(f"cannot read {path}: {e.strerror}") from None
    text = head.decode("utf-8", "replace")
    if '"evalId"' in text or ('"results"' in text and '"testCase"' in text):
        return "promptfoo"
    if '"eval"' in text and ('"samples"' in text or '"version"' in text):
        return "inspect"
    raise ResultsInputError(f"{path}: neither an Inspect log nor promptfoo JSON output (say which with --format)")


def import_rows(path: Path, fmt: str = "auto") -> Iterator[dict]:
    fmt = detect_format(path) if fmt == "auto" else fmt
    return inspect_rows(path) if fmt == "inspect" else promptfoo_rows(path)


# --- Inspect ---------------------------------------------------------------------------------------

def _verdict(value: Any) -> str:
    if value in ("C", True) or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 1):
        return "pass"
    if value in ("I", False) or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0):
        return "fail"
    return "error"


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def inspect_rows(path: Path) -> Iterator[dict]:
    try:
        from inspect_ai.log import read_eval_log
    except ImportError:
        raise ResultsInputError("reading Inspect logs needs inspect-ai: pip install 'constitutionc[inspect]'") from None
    try:
        log = read_eval_log(str(path))
    except Exception as e:  # Inspect raises many kinds for a file that is not a log
        raise ResultsInputError(f"{path}: not a readable Inspect log ({type(e).__name__}: {e})") from None
    model = log.eval.model
    for sample in log.samples or []:
        metadata = sample.metadata if isinstance(sample.metadata, dict) else {}
        scores = sample.scores or {}
        score = scores.get(SCORER) or next(iter(scores.values()), None)
        score_meta = score.metadata if score is not None and isinstance(score.metadata, dict) else {}
        verdict = "error" if sample.error or score is None else _verdict(score.value)
        clauses = _strings(score_meta.get("clauses")) if verdict == "fail" else []
        if verdict == "fail" and not clauses and score_meta.get("judged"):
            # A log written before the task named a rubric failure's clause.
            clauses = judged_failure_clauses(metadata)
        row = {"probe_id": str(sample.id), "sample": max(0, int(sample.epoch or 1) - 1), "verdict": verdict,
               "condition_id": metadata.get("condition_id"), "cited": cited_clauses(metadata),
               "clauses": clauses,
               "fired": _strings(score_meta.get("violations")) if verdict == "fail" else [],
               "judged": score_meta.get("judged"), "model": model, "source": "inspect"}
        # What the judge read of the model's view of the scenario: the awareness split of `eval`.
        if score_meta.get("evaluation_awareness") in AWARENESS:
            row["evaluation_awareness"] = score_meta["evaluation_awareness"]
        for key in ("rule", "disagreement", "reason"):
            if key in score_meta:
                row[key] = score_meta[key]
        explanation = sample.error.message if sample.error else (score.explanation if score is not None else None)
        if explanation:
            row["explanation"] = explanation
        yield row


# --- promptfoo -------------------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    """A metadata string, joined again if the target split it (see `promptfoo.inert`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def _provider(row: dict) -> str | None:
    provider = row.get("provider")
    if isinstance(provider, dict):
        return _text(provider.get("label")) or _text(provider.get("id"))
    return _text(provider)


def _own_prompt(result: dict, case: dict) -> bool:
    """Whether the result ran with one of its test's own prompts (promptfoo before 0.120 ignores a
    test's `prompts` and runs it with every prompt; those other rows are not this probe's runs)."""
    wanted = case.get("prompts")
    prompt = result.get("prompt")
    if not isinstance(wanted, list) or not isinstance(prompt, dict) or not isinstance(prompt.get("label"), str):
        return True
    return prompt["label"] in wanted


def _promptfoo_results(data: Any) -> list:
    results = data.get("results") if isinstance(data, dict) else None
    if isinstance(results, dict):
        results = results.get("results")
    if not isinstance(results, list):
        raise ResultsInputError("promptfoo output has no `results.results` list")
    return results


def promptfoo_rows(path: Path) -> Iterator[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ResultsInputError(f"cannot read {path}: {e.strerror}") from None
    except (ValueError, RecursionError) as e:
        raise ResultsInputError(f"{path}: not JSON ({e})") from None
    seen: Counter = Counter()
    for result in _promptfoo_results(data):
        if not isinstance(result, dict):
            continue
        case = result.get("testCase") if isinstance(result.get("testCase"), dict) else {}
        metadata = case.get("metadata") if isinstance(case.get("metadata"), dict) else {}
        probe_id = _text(metadata.get("id"))
        if probe_id is None or not _own_prompt(result, case):
            continue
        model = _provider(result)
        grading = result.get("gradingResult") if isinstance(result.get("gradingResult"), dict) else {}
        components = grading.get("componentResults") if isinstance(grading.get("componentResults"), list) else []
        failed_components = [c for c in components
                             if isinstance(c, dict) and not c.get("pass") and isinstance(c.get("assertion"), dict)]
        not_graded = [c for c in failed_components if str(c.get("reason", "")).startswith(NOT_GRADED)]
        failed = [c["assertion"].get("metric") for c in failed_components if c not in not_graded]
        rule = _text(metadata.get("combine"))
        if result.get("failureReason") == PROMPTFOO_ERROR or (result.get("error") and not components):
            verdict = "error"
        elif result.get("success") is True or grading.get("pass") is True:
            verdict = "pass"
        elif not_graded and (not failed or rule == "both"):
            # Under `both` a failure needs the checks to say violated, and they could not say.
            verdict = "error"
        else:
            verdict = "fail"
        fired = [m[len("check:"):] for m in failed if isinstance(m, str) and m.startswith("check:")]
        check_clauses = metadata.get("check_clauses") if isinstance(metadata.get("check_clauses"), dict) else {}
        clauses = list(dict.fromkeys(c for f in fired for c in _strings(check_clauses.get(f))))
        if verdict == "fail" and not fired:
            # The rubric alone failed it: the probe's focus clause.
            clauses = judged_failure_clauses({"principles": _strings(metadata.get("principles")),
                                              "focus": _text(metadata.get("focus"))})
        cited = list(dict.fromkeys([*_strings(metadata.get("principles")), *_strings(metadata.get("clauses"))]))
        row = {"probe_id": probe_id, "sample": seen[(probe_id, model)], "verdict": verdict,
               "condition_id": _text(metadata.get("condition_id")), "cited": cited,
               "clauses": clauses if verdict == "fail" else [], "fired": fired if verdict == "fail" else [],
               "judged": any(c.get("assertion", {}).get("type") == "llm-rubric" for c in components
                             if isinstance(c, dict) and isinstance(c.get("assertion"), dict)),
               "model": model, "source": "promptfoo"}
        seen[(probe_id, model)] += 1
        reason = _text(result.get("error")) or _text(grading.get("reason"))
        if reason:
            row["explanation"] = reason
        yield row


def write_rows(rows: Iterable[dict], out: Path) -> int:
    """Write the rows as JSONL, atomically (a temporary file renamed over `out`); the count written."""
    count = 0
    with atomic_writer(out) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count
