"""Authoring helpers: a starter project, Markdown import and skeletons for new families.

Each produces CDL text that `check` accepts (with warnings where an author still has
something to write) and that the formatter leaves unchanged.
"""
