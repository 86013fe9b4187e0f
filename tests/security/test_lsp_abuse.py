"""The language server under abuse (issue 16 item 7): the compiler's import root, bounded frames, and an
answer to every request. A real `constitutionc lsp` process is driven over raw stdio, since the bad
frames are ones no well-behaved client library would send.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import command_env

SECRET = "SECRET-OUTSIDE-THE-WORKSPACE"


class RawClient:
    def __init__(self, cwd: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "constitutionc", "lsp"], cwd=cwd, env=command_env(),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._buffer = b""
        self._next_id = 100

    def send_bytes(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params) -> dict:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self.reply_to(self._next_id)

    def reply_to(self, request_id, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self._messages():
                if "method" not in message and message.get("id") == request_id:
                    return message
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                if not chunk:
                    break
                self._buffer += chunk
        raise AssertionError(f"no reply to {request_id!r} (server {'alive' if self.alive() else 'exited'})")

    def _messages(self):
        while b"\r\n\r\n" in self._buffer:
            header, rest = self._buffer.split(b"\r\n\r\n", 1)
            length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            if len(rest) < length:
                return
            self._buffer = rest[length:]
            yield json.loads(rest[:length])

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def workspace(tmp_path) -> Path:
    (tmp_path / "outside.cdl").write_text(f'principle hidden "Hidden" {{ text: "{SECRET}" why: "w" }}\n',
                                          encoding="utf-8")
    inside = tmp_path / "ws"
    inside.mkdir()
    return inside


@pytest.fixture
def client(workspace):
    client = RawClient(workspace)
    reply = client.request("initialize", {"capabilities": {}, "rootUri": workspace.as_uri(),
                                          "workspaceFolders": [{"uri": workspace.as_uri(), "name": "ws"}],
                                          "initializationOptions": {"debounceMs": 0, "lint": False}})
    assert "result" in reply
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    yield client
    client.close()


DOCUMENT = ('import "../outside.cdl"\nimport "/etc/passwd"\nimport "std:/etc/passwd"\n'
            'dilemma d teaches hidden {\n  user: "u"\n  stance: "s"\n}\n')


def _open(client: RawClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "cdl", "version": 1, "text": text}}})
    return uri


def test_imports_outside_the_root_are_never_opened(client, workspace):
    uri = _open(client, workspace / "doc.cdl", DOCUMENT)
    where = {"textDocument": {"uri": uri}}
    hover = client.request("textDocument/hover", {**where, "position": {"line": 3, "character": 21}})
    assert SECRET not in json.dumps(hover)
    assert client.request("textDocument/definition", {**where, "position": {"line": 3, "character": 21}})["result"] \
        in ([], None)
    for line in range(3):  # each import: no link, no definition, no hover naming the file's contents
        position = {"line": line, "character": 10}
        assert client.request("textDocument/definition", {**where, "position": position})["result"] in ([], None)
        assert SECRET not in json.dumps(client.request("textDocument/hover", {**where, "position": position}))
    links = client.request("textDocument/documentLink", where)["result"]
    assert links == [], links


MALFORMED = [{"textDocument": 5, "position": "x"}, None, [], {"textDocument": {"uri": 7}, "position": {"line": -1}},
             {"textDocument": {"uri": "file:///x.cdl"}, "position": {"line": "a", "character": None}}]


def test_malformed_parameters_get_an_error_reply(client):
    for params in MALFORMED:
        for method in ("textDocument/hover", "textDocument/completion", "textDocument/definition"):
            reply = client.request(method, params)
            assert reply.get("error", {}).get("code") == -32602, (params, reply)
    assert "result" in client.request("shutdown", None)


def test_a_frame_of_absurd_length_is_answered_not_read(client):
    # 10**40 bytes: more digits than any size; answered at once, and the server stays up.
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % 10 ** 40)
    reply = client.reply_to(None)
    assert reply["error"]["code"] == -32600 and "larger than" in reply["error"]["message"]
    assert client.alive()


def test_the_session_continues_after_an_oversized_frame(client):
    from constitutionc.lsp.wire import MAX_FRAME_BYTES

    size = MAX_FRAME_BYTES + 1
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % size)
    assert client.reply_to(None)["error"]["code"] == -32600
    chunk = b" " * (1 << 20)
    sent = 0
    while sent < size:
        part = chunk[: min(len(chunk), size - sent)]
        client.send_bytes(part)
        sent += len(part)
    assert "result" in client.request("shutdown", None)
    assert client.alive()
