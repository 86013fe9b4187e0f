"""Principle coverage of a build: what the dataset teaches, what the probes test, and what is stale."""

from __future__ import annotations

from .compute import below_threshold, compute_coverage
from .render import FORMATS, RenderOptions, render
from .scan import CoverageInputError
from .schema import coverage_schema

__all__ = ["FORMATS", "CoverageInputError", "RenderOptions", "below_threshold", "compute_coverage",
           "coverage_schema", "render"]
