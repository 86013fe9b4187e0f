"""The wire under the language server: frames of bounded size, and an answer to every request.

pygls reads a frame's body with one `read(Content-Length)`, so a frame announcing terabytes
ended the session with a MemoryError, and a request whose parameters do not fit the protocol
got no reply at all (the client waited forever). `BoundedInput` streams an oversized body away
and hands pygls a small notice instead, which the server answers with an error; `Protocol`
answers a malformed request with the JSON-RPC error for its id.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol

# The largest frame read: a 50 MB document (the compiler's limit on a file), JSON-escaped, with room.
MAX_FRAME_BYTES = 128 << 20
MAX_HEADER_LINE = 8 << 10
DISCARD_CHUNK = 1 << 20
HEADER = re.compile(rb"^Content-Length: (\d+)\r\n$")
FRAME_TOO_LARGE = "$/constitutionc/frameTooLarge"
INVALID_REQUEST = -32600


class BoundedInput:
    """stdin as pygls reads it (`readline`, `read`), with header lines and bodies bounded.

    An oversized frame's body is replaced by a notice (answered at once) and skipped, in chunks,
    before the next header is read."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self._announced: int | None = None  # of the oversized frame whose header is being read
        self._skip = 0  # body bytes still to throw away

    def readline(self) -> bytes:
        if self._skip and not self._discard():
            return b""
        line = self.raw.readline(MAX_HEADER_LINE)
        match = HEADER.fullmatch(line)
        if match and (len(match.group(1)) > 12 or int(match.group(1)) > MAX_FRAME_BYTES):
            self._announced = int(match.group(1)) if len(match.group(1)) <= 30 else -1
            return b"Content-Length: %d\r\n" % len(self._notice())
        return line

    def read(self, n: int) -> bytes:
        if self._announced is None:
            return self.raw.read(n)
        announced, self._announced = self._announced, None
        self._skip = announced if announced > 0 else -1
        return self._notice(announced)

    def _discard(self) -> bool:
        """Throw the skipped body away; False when the client closed the stream first."""
        while self._skip:
            want = DISCARD_CHUNK if self._skip < 0 else min(self._skip, DISCARD_CHUNK)
            chunk = self.raw.read(want)
            if not chunk:
                return False
            if self._skip > 0:
                self._skip -= len(chunk)
        return True

    @staticmethod
    def _notice(announced: int = 0) -> bytes:
        # Fixed width, so the substituted Content-Length is known before the size is.
        return json.dumps({"jsonrpc": "2.0", "method": FRAME_TOO_LARGE,
                           "params": {"bytes": f"{announced:>40}"}}).encode("ascii")


class Protocol(LanguageServerProtocol):
    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            request_id = data.get("id")
            if "method" in data and isinstance(request_id, (int, str)) and not isinstance(request_id, bool):
                self._send_response(request_id, error=types.ResponseError(
                    code=error.code, message=f"{error.message}: the parameters of `{str(data['method'])[:100]}` "
                                             "do not have the shape the protocol gives them"))
            # Not a message pygls acts on (its version does not match): logged and dropped.
            return SimpleNamespace(jsonrpc="answered")


def register(server) -> None:
    @server.feature(FRAME_TOO_LARGE)
    def frame_too_large(params) -> None:
        size = str(getattr(params, "bytes", "")).strip()
        message = (f"a message of {size} bytes is larger than the {MAX_FRAME_BYTES >> 20} MB limit; "
                   "it was not read")
        # The request's id was in the body that was not read: JSON-RPC answers such errors with id null.
        server.protocol._send_data({"jsonrpc": "2.0", "id": None,
                                    "error": {"code": INVALID_REQUEST, "message": message}})
        server.log(f"constitutionc: {message}", types.MessageType.Error)
