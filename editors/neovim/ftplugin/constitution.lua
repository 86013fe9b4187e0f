-- constitutionc .cdl buffers: comments, word characters, and the language server `constitutionc lsp`.
-- Works on Neovim 0.7 and later (vim.lsp.start where it exists, start_client before 0.8).
-- Settings, all optional, before the buffer opens:
--   vim.g.constitutionc_cmd = { "/path/to/.venv/bin/constitutionc", "lsp" }
--   vim.g.constitutionc_init_options = { debounceMs = 150, lint = true }
--   vim.g.constitutionc_no_lsp = true   -- highlighting and comments only
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

vim.bo.commentstring = "# %s"
vim.bo.comments = ":#"
vim.opt_local.iskeyword:append(".")
vim.opt_local.iskeyword:append("-")
vim.b.undo_ftplugin = "setlocal commentstring< comments< iskeyword<"

if vim.g.constitutionc_no_lsp then
  return
end

local cmd = vim.g.constitutionc_cmd or { "constitutionc", "lsp" }
if vim.fn.executable(cmd[1]) ~= 1 then
  return -- no server on PATH: highlighting still works
end

local function root_dir(buffer)
  local start = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buffer), ":p:h")
  for _, marker in ipairs({ "constitutionc.toml", "pyproject.toml" }) do
    local found = vim.fn.findfile(marker, start .. ";")
    if found ~= "" then
      return vim.fn.fnamemodify(found, ":p:h")
    end
  end
  local git = vim.fn.finddir(".git", start .. ";")
  if git ~= "" then
    return vim.fn.fnamemodify(git, ":p:h:h")
  end
  return start
end

local config = {
  name = "constitutionc",
  cmd = cmd,
  root_dir = root_dir(0),
  init_options = vim.g.constitutionc_init_options or { debounceMs = 150, lint = true },
}

if vim.lsp.start then
  vim.lsp.start(config)
else
  -- Neovim 0.7: one client per root, attached to every .cdl buffer under it.
  _G.constitutionc_clients = _G.constitutionc_clients or {}
  local id = _G.constitutionc_clients[config.root_dir]
  if not id or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    _G.constitutionc_clients[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(0, id)
  end
end
