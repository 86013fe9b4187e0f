"""Rendering diagnostics: one renderer per output format, in a registry."""

from __future__ import annotations

from .registry import RENDERERS, Renderer, render, renderer

__all__ = ["RENDERERS", "Renderer", "render", "renderer"]

# Importing the modules registers their renderers.
from . import formats  # noqa: E402,F401
