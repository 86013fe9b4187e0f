"""The language server (`constitutionc lsp`) and the symbol index it is built on.

`index` (definitions and references by id, from the syntax tree) and `context`
(where a cursor sits in raw text) need no server; `server` wires document sync,
`checking` (diagnostics) and the `features` modules to pygls.
"""
