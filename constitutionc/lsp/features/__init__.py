"""Editor features, one module each; every module exposes `register(server)`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ...ir import Span
from ..index import Reference, Symbol
from ..project import Located, uri_of_path

if TYPE_CHECKING:
    from ..server import ConstitutionServer


def node_at(server: "ConstitutionServer", uri: str,
            position: types.Position) -> tuple[Path, Symbol | Reference | None]:
    """The definition name or reference under the cursor."""
    path = server.path_of(uri)
    line, column = server.lines(uri).location_of(position)
    return path, server.project.node_at(path, line, column)


def span_of(node: Symbol | Reference) -> Span:
    return node.name_span if isinstance(node, Symbol) else node.span


def location(server: "ConstitutionServer", found: Located) -> types.Location | None:
    lines = server.lines_of_path(found.path)
    if lines is None:
        return None
    return types.Location(uri=uri_of_path(found.path), range=lines.range(span_of(found.node)))
