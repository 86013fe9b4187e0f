"""The audit report as text, JSON, Markdown or HTML: one registry of renderers."""

from __future__ import annotations

import html
import shlex
from dataclasses import dataclass
from typing import Callable

import orjson


@dataclass(frozen=True)
class Links:
    """Where the report goes, for the links a page makes: the coverage report's address relative to the
    audit page, when one exists there (a link to a missing page is a dead end; the command is printed instead)."""

    coverage_page: str | None = None
    coverage_target: str = "coverage.html"  # where a coverage page beside the audit page would be written


RENDERERS: dict[str, Callable[[dict, Links], str]] = {}


def renderer(name: str):
    def register(fn):
        RENDERERS[name] = fn
        return fn

    return register


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _pair(a: float | None, b: float | None) -> str:
    return " / ".join("-" if v is None else f"{v:.3f}" for v in (a, b))


NO_TRAINING = "no training items (voice, preference, diversity, overlap and specificity are undefined)"


def _training_lines(report: dict) -> list[tuple[str, str, str]]:
    v, p, d = report["voice"], report["preference"], report["diversity"]
    c, s = report["contamination"], report["specificity"]
    worst = p["worst"]
    return [
        ("voice", "assistant turns", f"{v['assistant_turns']:,}"),
        ("voice", "speak to the user as the assistant", _pct(v["speaks_as_assistant"])),
        ("voice", "stage directions", _pct(v["stage_direction"])),
        ("voice", "assistant in the third person", _pct(v["third_person_assistant"])),
        ("voice", "user in the third person", _pct(v["third_person_user"])),
        ("voice", "words pasted from the constitution (mean)",
         _pct(v["pasted_constitution_mean"]) if v["pasted_constitution_available"] else "constitution not given"),
        ("preference", "pairs", f"{p['pairs']:,}"),
        ("preference", "best single-feature classifier",
         f"{worst['feature']}, {worst['direction']}: {_pct(worst['accuracy'])}" if worst else "-"),
        ("preference", "median rejected/chosen length", "-" if p["length_ratio_median"] is None
         else f"{p['length_ratio_median']:.2f}"),
        *_pair_file_lines(p),
        ("diversity", "distinct prompts", f"{d['distinct_prompts']:,}"),
        ("diversity", "distinct-1 / distinct-2 of prompts", _pair(d["distinct_1"], d["distinct_2"])),
        ("diversity", "distinct-1 / distinct-2 of answers", _pair(d["answers_distinct_1"], d["answers_distinct_2"])),
        ("diversity", f"near-duplicate prompts ({d['near_duplicate_method']})", _pct(d["near_duplicate_share"])),
        ("diversity", "words of distinct user text", f"{d['user_words']:,}"),
        ("contamination", "probe texts", f"{c['probe_texts']:,}"),
        ("contamination", "training items sharing 8+ words with a probe",
         f"{c['overlap_8']['items']:,} ({_pct(c['overlap_8']['share'])})"),
        ("contamination", "training items sharing 13+ words with a probe",
         f"{c['overlap_13']['items']:,} ({_pct(c['overlap_13']['share'])})"),
        ("specificity", "answers given word for word to different prompts", _pct(s["shared_across_prompts"])),
    ]


def _pair_file_lines(preference: dict) -> list[tuple[str, str, str]]:
    """One row per file holding pairs: its worst single-feature classifier and its length ratio."""
    rows = []
    for f in preference["files"]:
        worst = f["worst"]
        tell = f"{worst['feature']}, {worst['direction']}: {worst['accuracy']:.1%}" if worst else "-"
        label = "ablation pairs (longer chosen by construction)" if f["ablation"] else "pairs"
        median = "-" if f["length_ratio_median"] is None else f"{f['length_ratio_median']:.2f}"
        rows.append(("preference", f"{f['path']}: {f['pairs']:,} {label}", f"{tell}; median length ratio {median}"))
    return rows


def _semantic_lines(semantic: dict | None) -> list[tuple[str, str, str]]:
    if semantic is None:
        return [("semantic", "near-duplicates and probe contamination by meaning", "not measured (--embeddings)")]
    return [
        ("semantic", "model", f"{semantic['model']} (same meaning at cosine >= {semantic['similarity']:g})"),
        ("semantic", f"sampled prompts meaning the same as another ({semantic['prompt_sample']:,})",
         _pct(semantic["near_duplicate_share"])),
        ("semantic", f"sampled training texts meaning the same as a probe ({semantic['training_sample']:,})",
         f"{semantic['contaminated_texts']:,} ({_pct(semantic['contaminated_share'])})"),
    ]


def _summary_lines(report: dict) -> list[tuple[str, str, str]]:
    """(section, figure, value) rows shared by the text, Markdown and HTML forms.

    With no training item every training figure is undefined (null in JSON); the report says so in
    one row instead of printing zeros that would read as a perfectly diverse, uncontaminated set.
    """
    e, ph = report["environments"], report["placeholders"]
    rows = [("counts", "training items (distinct)", f"{report['counts']['training_items']:,}")]
    if report["counts"]["training_items"]:
        rows += _training_lines(report)
    else:
        rows += [("training", "figures", NO_TRAINING),
                 ("contamination", "probe texts", f"{report['contamination']['probe_texts']:,}")]
    rows += [
        ("environments", "system prompts: training / probes / shared",
         f"{e['training_system_prompts']} / {e['probe_system_prompts']} / {e['shared_system_prompts']}"),
        ("environments", "tool sets: training / probes", f"{e['training_tool_sets']} / {e['probe_tool_sets']}"),
        ("placeholders", "records holding TODO, TBD, [insert ...] or lorem ipsum",
         f"{ph['items']:,} ({ph['training_items']:,} training items, {ph['prompt_records']:,} prompts, "
         f"{ph['probes']:,} probes)"),
    ]
    rows += _semantic_lines(report["semantic"])
    # Keep each section's rows together (specificity after environments, as before).
    order = {name: i for i, name in enumerate(
        ("counts", "training", "voice", "preference", "diversity", "contamination", "environments", "specificity",
         "placeholders", "semantic"))}
    return sorted(rows, key=lambda row: order[row[0]])


def coverage_command(report: dict, html_page: str | None = None) -> str:
    """The `constitutionc coverage` command for the same build: the constitution the manifest names, when found."""
    build = report["build"]
    entry = shlex.quote(build["constitution"]) if build["constitution"] else "CONSTITUTION.cdl"
    command = f"constitutionc coverage {entry} --data {shlex.quote(build['path'])}"
    if html_page:
        command += f" --format html -o {shlex.quote(html_page)}"
    return command


def _coverage_note(report: dict) -> str:
    if report["build"]["constitution"]:
        return ""
    return " (CONSTITUTION.cdl: the file the build came from; its manifest names none this audit could verify)"


def _findings_lines(report: dict) -> list[str]:
    if not report["findings"]:
        return ["no findings"]
    return [f"{f['level']}: {f['code']} {f['name']}: {f['message']}" for f in report["findings"]]


@renderer("json")
def render_json(report: dict, links: Links = Links()) -> str:
    return orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


@renderer("text")
def render_text(report: dict, links: Links = Links()) -> str:
    lines = []
    section = None
    for name, figure, value in _summary_lines(report):
        if name != section:
            lines.append(name)
            section = name
        lines.append(f"  {figure:<52} {value}")
    worst = report["contamination"]["worst"][:3]
    if worst:
        lines.append("  worst overlaps:")
        lines.extend(f"    {w['words']} words, {w['file']}:{w['line']} with probe {w['probe']}: \"{w['excerpt']}\""
                     for w in worst)
    examples = report["voice"]["examples"][:3]
    if examples:
        lines.append("  turns that do not speak as the assistant, e.g.:")
        lines.extend(f"    {x['file']}:{x['line']} ({'; '.join(x['reasons'])}): \"{x['excerpt']}\"" for x in examples)
    placeholders = report["placeholders"]["examples"][:3]
    if placeholders:
        lines.append("  placeholder text, e.g.:")
        lines.extend(f"    {x['file']}:{x['line']} ({x['placeholder']}): \"{x['excerpt']}\"" for x in placeholders)
    lines.append("")
    lines.extend(_findings_lines(report))
    lines.append(f"coverage of the same build: {coverage_command(report)}{_coverage_note(report)}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@renderer("markdown")
def render_markdown(report: dict, links: Links = Links()) -> str:
    lines = ["# Dataset audit", "", "| section | figure | value |", "|---|---|---|"]
    lines += [f"| {a} | {_md(b)} | {_md(c)} |" for a, b, c in _summary_lines(report)]
    lines += ["", "## Findings", ""]
    lines += [f"- **{f['level']}** `{f['code']}` {f['name']}: {_md(f['message'])}" for f in report["findings"]] \
        or ["No findings."]
    if report["contamination"]["worst"]:
        lines += ["", "## Worst overlaps with probes", "", "| words | item | probe | excerpt |", "|---|---|---|---|"]
        lines += [f"| {w['words']} | {_md(w['file'])}:{w['line']} | {_md(w['probe'])} | {_md(w['excerpt'])} |"
                  for w in report["contamination"]["worst"]]
    lines += ["", f"Coverage of the same build: `{coverage_command(report)}`{_coverage_note(report)}."]
    return "\n".join(lines) + "\n"


@renderer("html")
def render_html(report: dict, links: Links = Links()) -> str:
    e = html.escape
    if links.coverage_page:
        coverage = (f'<p class="links" id="coverage"><a href="{e(links.coverage_page)}">Coverage report</a> '
                    "of the same build</p>")
    else:
        coverage = ('<p class="links" id="coverage">No coverage report beside this page yet; write one with '
                    f"<code>{e(coverage_command(report, links.coverage_target))}</code>{e(_coverage_note(report))}</p>")
    body = ["<h1>Dataset audit</h1>", coverage, "<h2>Findings</h2>", "<ul id=\"findings\">"]
    body += [f'<li class="{e(f["level"])}"><b>{e(f["level"])}</b> <code>{e(f["code"])}</code> '
             f'{e(f["name"])}: {e(f["message"])}</li>' for f in report["findings"]] or ["<li>No findings.</li>"]
    body += ["</ul>", "<h2>Figures</h2>", '<table id="figures"><tr><th>section</th><th>figure</th><th>value</th></tr>']
    body += [f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td></tr>" for a, b, c in _summary_lines(report)]
    body += ["</table>"]
    if report["contamination"]["worst"]:
        body += ["<h2>Worst overlaps with probes</h2>", "<table><tr><th>words</th><th>item</th><th>probe</th>"
                 "<th>excerpt</th></tr>"]
        body += [f"<tr><td>{w['words']}</td><td>{e(w['file'])}:{w['line']}</td><td>{e(str(w['probe']))}</td>"
                 f"<td>{e(w['excerpt'])}</td></tr>" for w in report["contamination"]["worst"]]
        body += ["</table>"]
    style = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.error{color:#a00}.warning{color:#850}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dataset audit</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
