"""What became of one request: its answer, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Failure
from .request import Request, Response


@dataclass
class Outcome:
    request: Request
    key: str
    response: Response | None = None
    failure: Failure | None = None
    cached: bool = False
    cost_usd: float = 0.0

    @property
    def ok(self) -> bool:
        return self.response is not None
