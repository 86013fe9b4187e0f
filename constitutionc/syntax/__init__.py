"""Source text to syntax tree: the parser, the syntax tree and its builder."""
