"""The Neovim configuration in editors/neovim, in a real headless Neovim: filetype, ftplugin, syntax, server.

Skipped when Neovim is not installed (.ci/run installs Debian's package). The minimum version the
files support is 0.7, Debian bookworm's; the test records the version it ran against.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (apt-get install -y neovim)")
RUNTIME = REPO / "editors" / "neovim"

PROBE = """
local out = {}
local buffer = vim.api.nvim_get_current_buf()
out.filetype = vim.bo.filetype
out.commentstring = vim.bo.commentstring
out.syntax = vim.b.current_syntax
out.keyword_has_dot = vim.fn.matchstr("a.b", "\\\\k\\\\+") == "a.b"
local serving = not vim.g.constitutionc_no_lsp
out.attached = vim.wait(serving and 20000 or 500, function() return #vim.lsp.buf_get_clients(buffer) > 0 end, 50)
out.diagnostics = {}
if serving then vim.wait(30000, function() return #vim.diagnostic.get(buffer) > 0 end, 100) end
for _, d in ipairs(vim.diagnostic.get(buffer)) do
  table.insert(out.diagnostics, { line = d.lnum + 1, message = d.message, code = d.code })
end
out.version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor)
local file = io.open(vim.g.report_path, "w")
file:write(vim.fn.json_encode(out))
file:close()
vim.cmd("qa!")
"""


def _run(tmp_path: Path, source: str, *settings: str) -> dict:
    (tmp_path / ".git").mkdir(exist_ok=True)
    cdl = tmp_path / "policy.cdl"
    cdl.write_text(source, encoding="utf-8")
    probe = tmp_path / "probe.lua"
    probe.write_text(PROBE, encoding="utf-8")
    report = tmp_path / "report.json"
    command = [NVIM, "--headless", "--clean", "--cmd", f"set runtimepath^={RUNTIME}",
               "--cmd", f"let g:report_path = '{report}'",
               "--cmd", f"let g:constitutionc_cmd = ['{sys.executable}', '-m', 'constitutionc', 'lsp']",
               *(arg for setting in settings for arg in ("--cmd", setting)),
               str(cdl), "-c", f"luafile {probe}"]
    subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120, check=False,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                        "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")})
    assert report.is_file(), "Neovim did not run the probe"
    return json.loads(report.read_text())


def test_filetype_override_ftplugin_syntax_and_language_server(tmp_path):
    found = _run(tmp_path, 'principle a.b "B" {\n  text: "t"\n  why: "w"\n}\n\ndilemma d teaches a.c {\n'
                           '  user: "u"\n  stance: "s"\n}\n')
    assert found["filetype"] == "constitution"  # not Vim's unrelated `cdl`
    assert found["commentstring"] == "# %s" and found["syntax"] == "constitution" and found["keyword_has_dot"]
    assert found["attached"] is True
    assert [(d["line"], d["code"]) for d in found["diagnostics"]] == [(6, "CDL102")]
    major, minor = map(int, found["version"].split("."))
    assert (major, minor) >= (0, 7)


def test_highlighting_only_when_the_server_is_switched_off(tmp_path):
    found = _run(tmp_path, "# nothing\n", "let g:constitutionc_no_lsp = v:true")
    assert found["filetype"] == "constitution" and found["attached"] is False
