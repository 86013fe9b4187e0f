"""The JSON coverage document, as computed (schema: `constitutionc schema coverage`)."""

from __future__ import annotations

import json


def render(document: dict, options) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
