"""The yardstick for `check` on a large file: a bare Lark LALR parse of it, whole process.

    python bench/bare_parse.py FILE.cdl

The same grammar, `propagate_positions=True` (the spans `check` must produce), Lark's own on-disk
cache (`cache=True`, in the temporary directory; warm after the first run). Nothing else: no tree
building, lowering, checks or report. `bench/bench_check.py` compares `constitutionc check` with it.
"""

import sys
from pathlib import Path

from lark import Lark

GRAMMAR = Path(__file__).resolve().parents[1] / "constitutionc" / "syntax" / "constitution.lark"

parser = Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True, cache=True)
parser.parse(Path(sys.argv[1]).read_text(encoding="utf-8"))
