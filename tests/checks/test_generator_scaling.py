"""Generator checks stay linear in the size of the grid (issue 16 item 4).

An axis of 40,000 values once cost 15 s (each value counted against the whole list), and a
generator with 10 slots walked its 100,000 combinations once per slot. The walk is counted with a
spy that delegates to the real function, so the test measures work, not time.
"""

from __future__ import annotations

from constitutionc import axes
from constitutionc.api import load


def test_a_long_axis_is_checked_once_per_value(tmp_path):
    values = " | ".join(f"v{i}" for i in range(40_000))
    path = tmp_path / "long.cdl"
    path.write_text('principle p.a { text: "t" why: "w" }\n'
                    f'dilemma d teaches p.a {{\n  vary a: {values} | v7 | v7\n  user: "{{a}}"\n  stance: "s"\n}}\n',
                    encoding="utf-8")
    result = load([path])
    duplicates = [d for d in result.diagnostics if d.code == "CDL305"]
    assert len(duplicates) == 1 and "'v7'" in duplicates[0].message, [d.message for d in result.diagnostics]


def test_slots_share_one_walk_of_the_combinations(tmp_path, monkeypatch):
    walks = []
    real = axes.combinations

    def counting(generator):
        walks.append(generator.id)
        return real(generator)

    monkeypatch.setattr(axes, "combinations", counting)
    axis_lines = "".join(f"  vary a{i}: " + " | ".join(f"x{j}" for j in range(10)) + "\n" for i in range(5))
    slot_lines = "".join(f'  slot s{i} from a{i % 5} {{ x0: "zero" otherwise: "other {{a{i % 5}}}" }}\n'
                         for i in range(10))
    uses = " ".join(f"{{s{i}}}" for i in range(10))
    path = tmp_path / "grid.cdl"
    path.write_text('principle p.a { text: "t" why: "w" }\n'
                    f'dilemma d teaches p.a {{\n{axis_lines}{slot_lines}  user: "{uses}"\n  stance: "s"\n}}\n',
                    encoding="utf-8")
    result = load([path])
    assert result.ok, [d.message for d in result.diagnostics]
    # One walk to see the rules leave a combination, one for the values slots can meet: not one per slot.
    assert walks.count("d") <= 2, walks
