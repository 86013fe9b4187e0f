"""The same input builds the same bytes whatever the process's hash seed, locale, time zone or working
directory (issue 16's determinism checks; directories also in test_paths). A constitution with text
in several scripts goes through every target, and coverage's JSON report is compared too.
"""

from __future__ import annotations

import shutil

from .conftest import QUICKSTART, run_command, scale, tree_bytes

# Through the real entry point, which sets up the output streams.
CLI = "import sys; from constitutionc.cli import main; main(sys.argv[1:])"

ENVIRONMENTS = [
    {"PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8", "TZ": "UTC"},
    {"PYTHONHASHSEED": "4242", "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "TZ": "Pacific/Kiritimati"},
    {"PYTHONHASHSEED": "random", "LC_ALL": "POSIX", "TZ": "America/St_Johns", "PYTHONIOENCODING": "latin-1"},
    {"PYTHONHASHSEED": "17", "LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8", "TZ": "Asia/Kathmandu"},
]


def test_builds_and_reports_are_identical_across_hash_seeds_locales_and_time_zones(tmp_path):
    source = tmp_path / "c.cdl"
    text = QUICKSTART.read_text(encoding="utf-8")
    # Letters whose case or collation differs by locale (Turkish dotted I), and other scripts.
    source.write_text(text.replace("Never coerce", "Never coerce: İı Ǆǅǆ ß Ω ж 中文 ّعربي"), encoding="utf-8")
    targets = [arg for name in ("anthropic", "hf", "inspect", "openai", "promptfoo") for arg in ("--target", name)]
    results = []
    for number, env in enumerate(ENVIRONMENTS[:scale(3, len(ENVIRONMENTS))]):
        # Each run in its own directory with the same layout: the report names the paths it was given.
        run_dir = tmp_path / f"run{number}"
        run_dir.mkdir()
        shutil.copy(source, run_dir / "c.cdl")
        built = run_command(CLI, ["build", "c.cdl", "-o", "out", *targets], run_dir, **env)
        assert built.returncode == 0, built.stderr
        report = run_command(CLI, ["coverage", "c.cdl", "--data", "out", "--format", "json"], run_dir, **env)
        assert report.returncode == 0, report.stderr
        results.append((tree_bytes(run_dir / "out"), report.stdout))
    for other in results[1:]:
        assert other[0] == results[0][0]
        assert other[1] == results[0][1]
