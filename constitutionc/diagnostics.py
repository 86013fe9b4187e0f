"""Diagnostics as values, and the one registry of their codes.

A diagnostic never escapes as an exception: every stage returns a list of
`Diagnostic`, and the command line, the language server and the reports
render the same values. Codes are stable; a code once published is never
reused for a different problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from pydantic import BaseModel, ConfigDict

from .ir import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    severity: Severity
    category: str
    summary: str
    rationale: str = ""
    example: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # False for lint rules that are off unless a user turns them on.
    enabled: bool = True
    # False for errors that leave nothing trustworthy to work on (the text did not parse, a file
    # could not be read or imported): a suppression comment cannot silence them.
    suppressible: bool = True

    @property
    def help_uri(self) -> str:
        return f"https://constitutionc.dev/rules#{self.code.lower()}"


CODES: dict[str, Code] = {}


def register(code: str, name: str, severity: Severity, category: str, summary: str,
             rationale: str = "", example: str = "", *, enabled: bool = True, suppressible: bool = True) -> Code:
    if code in CODES:
        raise ValueError(f"diagnostic code {code} registered twice")
    if not suppressible and severity is not Severity.ERROR:
        raise ValueError(f"diagnostic code {code}: only errors can be unsuppressible")
    entry = Code(code, name, severity, category, summary, rationale, example, enabled=enabled,
                 suppressible=suppressible)
    CODES[code] = entry
    return entry


class Diagnostic(BaseModel):
    # Built on the first diagnostic, not at import: a clean check never needs the schema.
    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    severity: Severity
    message: str
    span: Span | None = None
    notes: tuple[str, ...] = ()
    # Replacement text a quick fix may put in place of `span` (e.g. a spelling suggestion).
    fix: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.column, self.code) if s else ("", 0, 0, self.code)

    def to_json(self) -> dict:
        s = self.span
        return {
            "code": self.code,
            "name": CODES[self.code].name if self.code in CODES else self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": s.file if s else None,
            "line": s.line if s else None,
            "column": s.column if s else None,
            "end_line": s.end_line if s else None,
            "end_column": s.end_column if s else None,
            "notes": list(self.notes),
        }


def diag(code: str, message: str, span: Span | None = None, *, notes: Iterable[str] = (),
         severity: Severity | None = None, fix: str | None = None) -> Diagnostic:
    """Make a diagnostic with its code's default severity."""
    entry = CODES[code]
    return Diagnostic(code=code, severity=severity or entry.severity, message=message,
                      span=span, notes=tuple(notes), fix=fix)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    if len(a) < len(b):
        a, b = b, a
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def close_enough(word: str, candidate: str) -> bool:
    """A suggestion a person would recognise as their word mistyped: a few edits, relative to its length.

    Dotted ids share long prefixes (`safety.no_`), which makes unrelated ids look similar to a ratio;
    counting edits over the whole id does not flatter them.
    """
    return edit_distance(word.lower(), candidate.lower()) <= max(2, len(word) // 4)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    import difflib  # only when a name is unknown

    matches = [m for m in difflib.get_close_matches(word, list(candidates), n=5, cutoff=0.6)
               if close_enough(word, m)]
    if not matches:
        return None
    # Among equally close candidates prefer the one that differs in the fewest places
    # (a mistyped letter, `CDL6O1` for `CDL601`, rather than swapped ones).
    best = difflib.SequenceMatcher(None, word, matches[0]).ratio()
    tied = [m for m in matches if difflib.SequenceMatcher(None, word, m).ratio() == best]
    # Then the one that differs only by look-alike characters (`O` for `0`, `l` for `1`).
    plain = word.lower().translate(_LOOK_ALIKE)
    return max(tied, key=lambda m: (len(m) == len(word), m.lower().translate(_LOOK_ALIKE) == plain,
                                    sum(a == b for a, b in zip(word, m))))


_LOOK_ALIKE = str.maketrans({"o": "0", "l": "1", "i": "1"})


def unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics without repeats (same code, message and place), in their order."""
    seen: set = set()
    out = []
    for d in diagnostics:
        key = (d.code, d.message, d.sort_key())
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def code_names() -> dict[str, str]:
    """Rule name -> code, for suppressions and selectors written by name."""
    return {entry.name: code for code, entry in CODES.items()}


def apply_suppressions(suppressions: Iterable, diagnostics: Iterable[Diagnostic], *,
                       report_problems: bool = True) -> list[Diagnostic]:
    """Drop diagnostics silenced by `# constitutionc: ignore[CODE]` on their line or the line above.

    `suppressions` are `ir.Suppression`s (file, line, codes, span). A code that does not exist is
    reported (CDL501); an error that makes the input unusable is kept and the suppression naming
    it reported (CDL502). `report_problems=False` leaves those reports out (for a second pass
    over the same suppressions, as lint makes).
    """
    names = code_names()
    silenced: dict[tuple[str, int], set[str]] = {}
    problems: list[Diagnostic] = []
    for s in suppressions:
        for code in s.codes:
            resolved = code if code in CODES else names.get(code)
            if resolved is None:
                problems.append(diag(UNKNOWN_SUPPRESSION.code, f"`{code}` is not a diagnostic code", s.span))
                continue
            if not CODES[resolved].suppressible:
                problems.append(diag(UNSUPPRESSIBLE.code,
                                     f"`{code}` ({CODES[resolved].name}) cannot be suppressed: the input it "
                                     "reports cannot be used as written; fix the cause instead", s.span))
                continue
            for line in (s.line, s.line + 1):
                silenced.setdefault((s.file, line), set()).add(resolved)
    kept = [d for d in diagnostics
            if d.span is None or d.code not in silenced.get((d.span.file, d.span.line), ())]
    return kept + problems if report_problems else kept


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

# --- input and syntax -------------------------------------------------------
SYNTAX = register("CDL001", "syntax-error", E, "syntax",
                  "The text does not follow the grammar of the language.", suppressible=False)
BAD_INPUT = register("CDL002", "unreadable-input", E, "syntax",
                     "The file cannot be read as UTF-8 text, or is nested too deeply to process.",
                     suppressible=False)
INTERNAL = register("CDL009", "internal-error", E, "syntax",
                    "The compiler hit a bug while processing this file; please report it.", suppressible=False)

# --- structure and names ----------------------------------------------------
DUPLICATE_ID = register("CDL101", "duplicate-id", E, "names",
                        "Two definitions share one id, so references to it are ambiguous.")
UNRESOLVED = register("CDL102", "unresolved-reference", E, "names",
                      "A reference names a principle, value, environment or tool that is not defined.")
UNKNOWN_KEY = register("CDL103", "unknown-key", E, "structure",
                       "A field name is not one this construct accepts (often a misspelling).")
INVALID_VALUE = register("CDL104", "invalid-value", E, "structure",
                         "A field holds a value of the wrong form, or one outside its allowed set.")
MISPLACED = register("CDL105", "misplaced-construct", E, "structure",
                     "A construct appears where it has no meaning (e.g. an import inside a section).")
DUPLICATE_KEY = register("CDL106", "duplicate-key", E, "structure",
                         "A field is given twice in one block; only one can be meant.")

# --- principles, values, tensions ------------------------------------------
MISSING_TEXT = register("CDL201", "principle-without-text", E, "principles",
                        "A principle has no text, so nothing can cite it verbatim.")
MISSING_WHY = register("CDL202", "principle-without-why", E, "principles",
                       "A principle has no why; justified responses must convey its reasoning.")
PRIORITY_CYCLE = register("CDL203", "priority-cycle", E, "principles",
                          "The priority order among core values contradicts itself.")
CONTRADICTORY_TENSION = register(
    "CDL204", "contradictory-tension", E, "principles",
    "Two tensions say opposite things about the same pair of principles under the same conditions.")
TENSION_SELF = register("CDL205", "self-tension", E, "principles",
                        "A tension between a principle and itself has no meaning.")
PLACEHOLDER_TEXT = register(
    "CDL206", "placeholder-text", W, "principles",
    "A text is still the `TODO` placeholder that `import-md` or `new` wrote; records would quote it as it is.",
    "An imported document rarely says why each of its rules matters, and justified responses quote the "
    "`why` verbatim, so the importer marks each missing one instead of inventing it. The mark is a warning, "
    "not an error, so a freshly imported constitution checks cleanly while the writing goes on.",
    'why: "TODO: why this matters, in the document\'s words"')
AUTHORITY_REPEATS = register("CDL207", "authority-order-repeats", E, "principals",
                            "A principal appears twice in the authority order, so it both outranks and yields to "
                            "another.")
SWITCH_SKIPS_AUTHORITY = register(
    "CDL208", "switch-skips-authority", W, "principals",
    "A principal may switch a behaviour that a principal above it in the authority order may not.",
    "Authority flows down: what a user may change, the developer who deployed the model can usually change "
    "too. A behaviour switchable by a lower principal alone is most often a forgotten name in `switchable_by`.",
    "authority: developer > user\n...\nswitchable_by: user")
CRITERION_TAUGHT = register(
    "CDL209", "criterion-taught", E, "principles",
    "A family teaches or tests a judging criterion (or judges by something that is not one).",
    "A criterion (`kind: criterion`) is a comparison a judge or a preference labeller applies, \"choose the "
    "response that...\"; quoted into a justification as a rule of behaviour it would read as nonsense. Families "
    "name criteria in `judged_by:` and teach or test ordinary principles.",
    "dilemma d teaches criteria.more_helpful { ... }")

CONSTRAINT_READS_AS_INSTRUCTION = register(
    "CDL210", "constraint-reads-as-instruction", W, "principles",
    "A hard constraint's text states no prohibition: it reads as an instruction to do what it forbids.",
    "A document often lists its prohibitions under one lead-in (\"Claude should never:\") and each item then "
    "names the act itself (\"Create cyberweapons...\"). Quoted alone, the item tells the model to do it, and "
    "every brief, prompt and record that prints it says so. Quote the lead-in with `lead_in:` so the text "
    "reads as the prohibition it is; both parts stay verbatim.",
    'lead_in: "Claude should never:"\ntext: "Create cyberweapons or malicious code."')

# --- generators ------------------------------------------------------------
UNBOUND_SLOT = register("CDL301", "unbound-slot", E, "generators",
                        "A template slot `{name}` is not filled by any axis or slot definition.")
UNUSED_AXIS = register("CDL302", "unused-axis", W, "generators",
                       "An axis no template uses multiplies the instances without changing them.")
PRODUCT_TOO_LARGE = register("CDL303", "axis-product-too-large", E, "generators",
                             "The cartesian product of a generator's axes exceeds the configured limit.")
TEACHES_NOTHING = register("CDL304", "generator-without-principles", E, "generators",
                           "A generator names no principle it teaches or tests, so its records trace to nothing.")
BAD_AXIS = register("CDL305", "invalid-axis", E, "generators",
                    "An axis is empty, repeats a value, or is declared twice.")
BAD_RULE = register("CDL306", "invalid-rule", E, "generators",
                    "A variation rule names an axis or a value that does not exist.")
EMPTY_EXPANSION = register("CDL307", "empty-expansion", E, "generators",
                           "The rules exclude every combination, so the generator produces nothing.")
MISSING_TEMPLATE = register("CDL308", "missing-template", E, "generators",
                            "A generator lacks a field it needs to produce records (e.g. a dilemma without `user`).")
AXIS_FIELD_MISSING = register("CDL309", "axis-value-missing-field", E, "generators",
                              "A value of an axis lacks a field its other values give, so `{axis.field}` would "
                              "read nothing for it.")
CONDITION_IDS_MERGE = register(
    "CDL310", "condition-ids-merge", E, "generators",
    "Two values of a probe's axis or slot give the same condition id, so results would pool two cells.",
    "A condition id names a cell of the eval grid in results, reports and `results compare`; the build writes "
    "each run of spaces or punctuation in it as `-`. Two values that differ only there (`team lead` and "
    "`team-lead`) would name two different cells with one id, and every figure by condition would mix them.",
    'vary role: "team lead" | team-lead')

# --- imports ---------------------------------------------------------------
IMPORT_NOT_FOUND = register("CDL401", "import-not-found", E, "imports",
                            "An imported file does not exist.", suppressible=False)
IMPORT_CYCLE = register("CDL402", "import-cycle", E, "imports",
                        "Files import each other in a cycle.", suppressible=False)
IMPORT_OUTSIDE_ROOT = register("CDL403", "import-outside-root", E, "imports",
                               "An import reaches outside the project root; it is refused and never read.",
                               suppressible=False)

# --- suppressions ----------------------------------------------------------
UNKNOWN_SUPPRESSION = register("CDL501", "unknown-code", W, "suppressions",
                               "A suppression comment or configuration names a code that does not exist.")
UNSUPPRESSIBLE = register("CDL502", "unsuppressible-code", W, "suppressions",
                          "A suppression names an error that makes the input unusable (a syntax error, an "
                          "unreadable file, a refused or missing import); such errors are always reported.")
