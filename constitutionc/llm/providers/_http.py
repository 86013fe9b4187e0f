"""What both SDK-backed providers share: reading raw answers and turning SDK exceptions into our errors."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

from ..errors import ProviderError, is_retryable_status, transient_kind


def parse_retry_after(headers: Any) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, `retry-after` in seconds, or an HTTP date."""
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else max(0.0, email.utils.mktime_tz(parsed) - time.time())


def raw_json(raw: Any) -> dict:
    """The body of a raw SDK response as a JSON object; anything else is a malformed (retryable) answer."""
    text = raw.text() if callable(raw.text) else raw.text
    try:
        data = json.loads(text)
    except ValueError:
        raise ProviderError("malformed", f"the answer is not JSON ({len(text)} bytes)") from None
    if not isinstance(data, dict):
        raise ProviderError("malformed", "the answer is not a JSON object")
    return data


def status_error(status: int, headers: Any, message: str) -> ProviderError:
    if is_retryable_status(status):
        return ProviderError(transient_kind(status), f"HTTP {status}: {message}", status,
                             parse_retry_after(headers))
    return ProviderError("error", f"HTTP {status}: {message}", status)


def error_message(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("message") or error.get("type") or error)
    return str(body)[:200]
