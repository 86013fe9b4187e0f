"""Principle coverage: join a build's records back to the current constitution.

The result is one JSON-ready document (shape in docs/coverage.md, schema in
`schema.py`); every renderer reads that document, so the terminal, Markdown and
HTML reports always show the JSON's numbers.

Decisions (documented for users in docs/coverage.md):
- A record cites the principles in its `sources`. A citation whose sha256 still
  equals the clause's current hash is *fresh* and counts towards coverage; one
  whose hash differs (the clause was edited) or whose clause no longer exists is
  *stale*: it is reported, and does not count.
- A tension is covered when at least one record of a kind that argues tensions (briefs, responses:
  see `argues` in the kind registry) lists it in `tensions`
  with fresh citations of both its principles. Records citing both principles
  without discussing the tension are reported as `co_cited`, for information.
- Each principle row keeps two counts apart, and says which is which: `focused`
  (records whose focus is the principle: they alone decide taught and tested)
  and `citing` (every fresh record that cites it, focused on it or citing it as
  context).
- Section and value roll-ups count principles taught, tested and covered, and
  the distinct records citing their principles (`citing`: a record citing two
  principles of one section counts once there); sections include their
  sub-sections.
- Criteria (`kind: criterion`) are judged by, never taught or tested: they are
  reported apart, with the families judged by them and those families' records,
  and are no principle row, gap or roll-up member.
"""

from __future__ import annotations

import statistics
from collections import Counter
from fractions import Fraction
from pathlib import Path

from ..emit import kinds as record_kinds
from ..emit.writer import AUDIT_REPORTS
from .. import provenance
from ..ir import Constitution, Principle

CRITERION = "criterion"
from .results import read_results, violation_table
from .scan import ScanContext, Tally, scan_data_dir

SCHEMA_VERSION = 2
VARIANTS = ("justified", "bare", "preference")


def compute_coverage(constitution: Constitution, data_dir: Path, results_path: Path | None = None,
                     workers: int | None = None, min_records: int = 1) -> dict:
    results = read_results(results_path) if results_path else None
    context = ScanContext(current_hashes={p.id: p.sha256 for p in constitution.principles},
                          wanted_probes=frozenset(results.by_probe) if results else frozenset(),
                          current_parts=provenance.current_parts(constitution))
    tally, warnings = scan_data_dir(Path(data_dir), context, workers)
    document = build_document(constitution, tally, str(data_dir), min_records)
    document["warnings"] = constitution_mismatch(constitution, Path(data_dir)) + warnings + placeholder_warnings(tally)
    document["audit"] = audit_reports(Path(data_dir))
    if results is not None:
        document["results"] = violation_table(results, tally.probe_citations,
                                              {p.id for p in constitution.principles})
    return document


def percent(covered: int, total: int) -> float:
    """Informational only: thresholds compare `covered` and `total` exactly (see `below_threshold`)."""
    return 100.0 if total == 0 else float(Fraction(covered, total) * 100)


def coverage_fraction(totals: dict) -> Fraction:
    return Fraction(1) if totals["principles"] == 0 else Fraction(totals["covered"], totals["principles"])


class _PrincipleCounts:
    __slots__ = ("kinds", "variants", "stale", "axes", "generators", "focused")

    def __init__(self) -> None:
        self.kinds: Counter = Counter()  # record kind -> fresh records citing the principle
        self.focused: Counter = Counter()  # kind -> those of them whose focus is this principle
        self.variants: Counter = Counter()  # response variant -> records
        self.stale = 0
        self.axes: dict[str, set[str]] = {}
        self.generators: set[str] = set()

    @property
    def dilemmas(self) -> int:
        return self.kinds["dilemma"]

    @property
    def responses(self) -> int:
        return self.kinds["response"]

    @property
    def probes(self) -> int:
        return self.kinds["probe"]

    def by_role(self, role: str) -> int:
        """Records focused on the principle, of the kinds the registry gives this coverage role."""
        return sum(self.focused[kind] for kind in record_kinds.names(role))


def build_document(constitution: Constitution, tally: Tally, data_label: str, min_records: int = 1) -> dict:
    principles = constitution.principles
    hashes = {p.id: p.sha256 for p in principles}
    parts_now = provenance.current_parts(constitution)
    counts = {p.id: _PrincipleCounts() for p in principles}
    ancestors = _section_ancestors(constitution)
    # distinct records per roll-up group: ("section"|"value", id) -> Counter(kind)
    group_records: dict[tuple[str, str | None], Counter] = {}
    tension_ids = {t.id for t in constitution.tensions}
    discussed: Counter = Counter()
    co_cited: Counter = Counter()
    unknown_tensions: Counter = Counter()
    stale_counts: Counter = Counter()  # (clause, reason) -> records
    kinds: Counter = Counter()
    stale_records = 0

    for (kind, variant, generator, citations, tensions, focus, parts), n in tally.records.items():
        if kind not in record_kinds.KINDS:
            # The scan refuses such records; a tally made elsewhere must not slip one through either.
            raise ValueError(f"unknown record kind {kind!r} in the tally")
        kinds[kind] += n
        if kind == "response":
            kinds[f"response:{variant}"] += n
        fresh = []
        any_stale = False
        # A changed family, tension or environment outdates the whole record; a changed `why`, its citation.
        changed = [(part, "removed" if part not in parts_now else "changed")
                   for part, digest in parts if parts_now.get(part) != digest]
        for part, reason in changed:
            stale_counts[(part, reason)] += n
        whole = any(not part.startswith("why:") for part, _ in changed)
        stale_whys = {part[4:] for part, _ in changed if part.startswith("why:")}
        for clause, digest in dict.fromkeys(citations):
            current = hashes.get(clause)
            if current == digest and not whole and clause not in stale_whys:
                fresh.append(clause)
            elif current == digest:
                any_stale = True
                counts[clause].stale += n
            else:
                any_stale = True
                stale_counts[(clause, "removed" if current is None else "changed")] += n
                if current is not None:
                    counts[clause].stale += n
        fresh = list(dict.fromkeys(fresh))
        stale_records += n if any_stale else 0
        groups: set[tuple[str, str | None]] = set()
        for clause in fresh:
            entry = counts[clause]
            entry.kinds[kind] += n
            if kind == "response":
                entry.variants[variant] += n
            if generator is not None:
                entry.generators.add(generator)
            # A record teaches or tests the principle it is focused on; the others it cites are context.
            # (Records from builds before `focus` existed count for every principle they cite.)
            if focus is None or focus == clause:
                entry.focused[kind] += n
            principle = constitution.principle(clause)
            groups.update(("value", value) for value in (principle.values or (principle.value,)))
            for section in ancestors.get(principle.section, (principle.section,)):
                groups.add(("section", section))
        for group in groups:
            group_records.setdefault(group, Counter())[kind] += n
        fresh_set = set(fresh)
        for tension in constitution.tensions:
            if tension.prevails in fresh_set and tension.yields in fresh_set:
                co_cited[tension.id] += n
        for tension_id in tensions:
            if tension_id not in tension_ids:
                unknown_tensions[tension_id] += n
            elif all(side in fresh_set for side in tension_id.split(">", 1)):
                discussed[tension_id] += n

    for citations, pairs in tally.axes.items():
        fresh = [c for c, d in citations if hashes.get(c) == d]
        for clause in fresh:
            axes = counts[clause].axes
            for axis, value in pairs:
                axes.setdefault(axis, set()).add(str(value))

    principle_rows = [_principle_row(p, counts[p.id]) for p in principles if p.kind != CRITERION]
    criteria = _criterion_rows(constitution, tally)
    totals = {**_totals(principle_rows, kinds, stale_records), "criteria": len(criteria)}
    return {
        "schema_version": SCHEMA_VERSION,
        "constitution": constitution.header.title,
        "data": data_label,
        "totals": totals,
        "principles": principle_rows,
        "criteria": criteria,
        "min_records": min_records,
        "uncovered": [_gap(r, 1, kinds) for r in principle_rows if not r["covered"]],
        "under_covered": [_gap(r, min_records, kinds) for r in principle_rows
                          if r["covered"] and _gap(r, min_records, kinds)["missing"]],
        "sections": _section_rows(constitution, principle_rows, ancestors, group_records),
        "values": _value_rows(constitution, principle_rows, group_records),
        "tensions": [_tension_row(t, discussed, co_cited) for t in constitution.tensions],
        "unknown_tensions": [{"id": t, "records": n} for t, n in sorted(unknown_tensions.items())],
        "balance": _balance(principle_rows),
        "stale": [_stale_entry(key, reason, n, tally.stale_samples.get(key, []))
                  for (key, reason), n in sorted(stale_counts.items())],
        "results": None,
        "warnings": [],
        "audit": [],
    }




def constitution_mismatch(constitution: Constitution, data_dir: Path) -> list[str]:
    """A warning when the build's manifest says it was made from another constitution than this one (its
    files' paths and hashes differ): its records then count against clauses they were not made from."""
    import json

    from ..emit.manifest import about

    try:
        recorded = json.loads((data_dir / "manifest.json").read_bytes())["constitution"]
        built_from = recorded["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no manifest (records gathered by hand), or one from before it named its constitution
    now = about(constitution)
    if built_from == now["sha256"]:
        return []
    was = f"\"{recorded.get('title')}\" {recorded.get('version') or ''}".rstrip()
    return [f"{data_dir} was built from another constitution ({was}, sha256 {str(built_from)[:12]}) than "
            f"\"{now['title']}\" ({now['sha256'][:12]}): records made from edited or other clauses count as "
            f"stale or not at all; rebuild, or name the constitution the build came from"]


def placeholder_warnings(tally: Tally) -> list[str]:
    """A probe holding placeholder text tests nothing: say which were left out of the counts."""
    if not tally.placeholder_probes:
        return []
    shown = ", ".join(f"{pid} ({focus}: {marker!r})" for pid, focus, marker in tally.placeholder_samples[:3])
    return [f"{tally.placeholder_probes} probes still hold placeholder text and count as testing nothing "
            f"(e.g. {shown}); write their texts and rebuild"]


def audit_reports(data_dir: Path) -> list[dict]:
    """The audit reports written into the build, so the coverage report can name them."""
    return [{"format": fmt, "path": (data_dir / name).as_posix()} for name, fmt in AUDIT_REPORTS.items()
            if (data_dir / name).is_file()]


def _principle_row(principle: Principle, entry: _PrincipleCounts) -> dict:
    taught = entry.by_role("taught") > 0
    tested = entry.by_role("tested") > 0
    return {
        "id": principle.id,
        "title": principle.title,
        "kind": principle.kind,
        "section": principle.section,
        "value": principle.value,
        "file": principle.span.file,
        "line": principle.span.line,
        # What decides taught and tested: records focused on this principle.
        "focused": {"dilemmas": entry.focused.get("dilemma", 0), "responses": entry.focused.get("response", 0),
                    "probes": entry.focused.get("probe", 0)},
        # Every fresh record citing it, focused on it or citing it as context.
        "citing": {"records": sum(entry.kinds.values()), "dilemmas": entry.dilemmas, "responses": entry.responses,
                   "responses_by_variant": {v: entry.variants.get(v, 0) for v in VARIANTS},
                   "probes": entry.probes},
        "stale": entry.stale,
        "taught": taught,
        "tested": tested,
        "covered": taught and tested,
        "axes": {axis: sorted(values) for axis, values in sorted(entry.axes.items())},
        "generators": sorted(entry.generators),
    }


def _criterion_rows(constitution: Constitution, tally: Tally) -> list[dict]:
    """Each criterion with the families that name it in `judged_by` and how many records those families have
    in the data: what judges and preference labels compare by, not a principle to teach or test."""
    records_by_generator: Counter = Counter()
    for (kind, _variant, generator, *_rest), n in tally.records.items():
        if generator is not None:
            records_by_generator[generator] += n
    rows = []
    for principle in constitution.principles:
        if principle.kind != CRITERION:
            continue
        families = sorted(g.id for g in constitution.generators if principle.id in g.judged_by)
        rows.append({"id": principle.id, "title": principle.title, "section": principle.section,
                     "file": principle.span.file, "line": principle.span.line, "judged_by": families,
                     "records": sum(records_by_generator[g] for g in families), "used": bool(families)})
    return rows


def _stale_entry(key: str, reason: str, records: int, sample_ids: list) -> dict:
    """One part that changed since the build: a clause's text (`key` is the clause id) or a `made_from` part."""
    part, _, name = key.partition(":") if ":" in key else ("text", "", key)
    return {"part": part, "name": name, "clause": name if part in ("text", "why") else None, "reason": reason,
            "records": records, "sample_ids": sample_ids}


def _gap(row: dict, needed: int, kinds: Counter) -> dict:
    """What a principle lacks to have `needed` records focused on it on each side, and how to add it.

    Teaching counts dilemma instances (their responses are the same instances again), or responses
    when the data holds no dilemmas at all; testing counts probes.
    """
    from ..authoring.skeletons import new_command

    focused = row["focused"]
    teaching = focused["dilemmas"] if kinds["dilemma"] else focused["responses"]
    testing = focused["probes"]
    missing = [kind for kind, have in (("dilemma", teaching), ("probe", testing)) if have < needed]
    return {"id": row["id"], "file": row["file"], "line": row["line"], "taught": row["taught"],
            "tested": row["tested"], "teaching": teaching, "testing": testing, "stale": row["stale"],
            "missing": missing,
            "commands": [new_command(kind, row["id"], row["file"]) for kind in missing]}


def _principle_counts(rows: list[dict]) -> dict:
    """How many of these principle rows there are, and how many are taught, tested and covered."""
    covered = sum(r["covered"] for r in rows)
    return {
        "principles": len(rows),
        "taught": sum(r["taught"] for r in rows),
        "tested": sum(r["tested"] for r in rows),
        "covered": covered,
        "percent": percent(covered, len(rows)),
    }


def _totals(rows: list[dict], kinds: Counter, stale_records: int) -> dict:
    return {
        **_principle_counts(rows),
        "records": sum(kinds[name] for name in record_kinds.KINDS),
        "dilemmas": kinds["dilemma"],
        "responses": kinds["response"],
        "responses_by_variant": {v: kinds[f"response:{v}"] for v in VARIANTS},
        "probes": kinds["probe"],
        # Every kind the data holds, in the registry's order, so model-written kinds are counted by name too.
        "by_kind": {kind.plural: kinds[name] for name, kind in record_kinds.KINDS.items() if kinds[name]},
        "stale_records": stale_records,
    }


def _section_ancestors(constitution: Constitution) -> dict[str | None, tuple[str, ...]]:
    """Each section id -> itself and its enclosing sections, innermost first."""
    parents = {s.id: s.parent for s in constitution.sections}
    chains: dict[str | None, tuple[str, ...]] = {}
    for section in constitution.sections:
        chain, current = [], section.id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[section.id] = tuple(chain)
    return chains


def _rollup(members: list[dict], records: Counter | None) -> dict:
    records = records or Counter()
    return {
        **_principle_counts(members),
        # Distinct records citing any member: how much data touches the group, not what it teaches.
        "citing": {"records": sum(records[name] for name in record_kinds.KINDS), "dilemmas": records["dilemma"],
                   "responses": records["response"], "probes": records["probe"]},
        "principle_ids": [r["id"] for r in members],
    }


def _section_rows(constitution: Constitution, rows: list[dict], ancestors: dict, group_records: dict) -> list[dict]:
    out = []
    for section in sorted(constitution.sections, key=lambda s: (s.span.file, s.span.line, s.span.column)):
        members = [r for r in rows if section.id in ancestors.get(r["section"], (r["section"],))]
        out.append({"id": section.id, "title": section.title, "parent": section.parent,
                    "file": section.span.file, "line": section.span.line,
                    **_rollup(members, group_records.get(("section", section.id)))})
    loose = [r for r in rows if r["section"] is None]
    if loose:
        out.append({"id": None, "title": "(outside any section)", "parent": None, "file": None, "line": None,
                    **_rollup(loose, group_records.get(("section", None)))})
    return out


def _value_rows(constitution: Constitution, rows: list[dict], group_records: dict) -> list[dict]:
    out = []
    for value in constitution.values:
        # A principle serving several values counts in each of their roll-ups.
        members = [r for r in rows if value.id in _values_of(constitution, r)]
        out.append({"id": value.id, "title": value.title,
                    **_rollup(members, group_records.get(("value", value.id)))})
    known = {v.id for v in constitution.values}
    loose = [r for r in rows if r["value"] not in known]
    if loose:
        out.append({"id": None, "title": "(no core value)",
                    **_rollup(loose, _merged(group_records, {r["value"] for r in loose}))})
    return out


def _values_of(constitution: Constitution, row: dict) -> tuple:
    principle = constitution.principle(row["id"])
    return principle.values if principle is not None and principle.values else (row["value"],)


def _merged(group_records: dict, value_ids: set) -> Counter:
    # Principles naming an undeclared value are rare (a check reports them); their records may then be
    # counted once per distinct undeclared value, which is acceptable for this informational row.
    merged: Counter = Counter()
    for value_id in value_ids:
        merged.update(group_records.get(("value", value_id), Counter()))
    return merged


def _tension_row(tension, discussed: Counter, co_cited: Counter) -> dict:
    return {"id": tension.id, "prevails": tension.prevails, "yields": tension.yields,
            "file": tension.span.file, "line": tension.span.line,
            "responses": discussed[tension.id], "co_cited": co_cited[tension.id],
            "covered": discussed[tension.id] > 0}


def _balance(rows: list[dict]) -> dict:
    if not rows:
        return {"min": 0, "median": 0, "max": 0, "largest": None, "largest_share": 0.0, "citations": 0}
    per_principle = [r["citing"]["records"] for r in rows]
    total = sum(per_principle)
    largest = max(rows, key=lambda r: r["citing"]["records"])
    return {"min": min(per_principle), "median": statistics.median(per_principle), "max": largest["citing"]["records"],
            "largest": largest["id"], "largest_share": largest["citing"]["records"] / total if total else 0.0,
            "citations": total}


def below_threshold(totals: dict, threshold: Fraction) -> bool:
    """Exact comparison: covered/total against the threshold percentage, no rounding anywhere."""
    return coverage_fraction(totals) * 100 < threshold
