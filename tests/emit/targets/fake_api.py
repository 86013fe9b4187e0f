"""A tiny local stand-in for the Anthropic HTTP API, so real clients can be exercised offline.

It records every JSON body it receives and answers with well-formed Messages
and Message Batches responses (streamed as server-sent events when asked); what a message reply contains is decided by a
`reply` function of the request body, so a test can script a model's turns.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Reply = Callable[[dict], tuple[list[dict], str]]


def stream_events(message: dict) -> list[tuple[str, dict]]:
    """The server-sent events that stream `message`, as the Messages API sends them."""
    head = dict(message, content=[], stop_reason=None, usage={"input_tokens": 10, "output_tokens": 0})
    events = [("message_start", {"type": "message_start", "message": head})]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            start, delta = dict(block, text=""), {"type": "text_delta", "text": block["text"]}
        else:
            start = dict(block, input={})
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events += [("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
                   ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
                   ("content_block_stop", {"type": "content_block_stop", "index": index})]
    events += [("message_delta", {"type": "message_delta", "usage": {"output_tokens": 5},
                                  "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None}}),
               ("message_stop", {"type": "message_stop"})]
    return events


def say(text: str) -> tuple[list[dict], str]:
    return [{"type": "text", "text": text}], "end_turn"


def call_tool(name: str, arguments: dict, call_id: str = "toolu_01") -> tuple[list[dict], str]:
    return [{"type": "tool_use", "id": call_id, "name": name, "input": arguments}], "tool_use"


class FakeAnthropic:
    def __init__(self, reply: Reply = lambda body: say("Understood.")):
        self.reply = reply
        self.received: list[tuple[str, dict]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def bodies(self, path: str) -> list[dict]:
        return [body for p, body in self.received if p == path]

    def __enter__(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def answer(self, path: str, body: dict) -> tuple[int, dict]:
        if path == "/v1/messages":
            content, stop_reason = self.reply(body)
            return 200, {"id": f"msg_{len(self.received):04d}", "type": "message", "role": "assistant",
                         "model": body.get("model", "test"), "content": content, "stop_reason": stop_reason,
                         "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 5}}
        if path == "/v1/messages/batches":
            return 200, {"id": "msgbatch_test", "type": "message_batch", "processing_status": "in_progress",
                         "request_counts": {"processing": len(body.get("requests", [])), "succeeded": 0,
                                            "errored": 0, "canceled": 0, "expired": 0},
                         "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
                         "ended_at": None, "cancel_initiated_at": None, "archived_at": None,
                         "results_url": None}
        return 404, {"type": "error", "error": {"type": "not_found_error", "message": path}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.split("?", 1)[0]
                fake.received.append((path, body))
                status, payload = fake.answer(path, body)
                if body.get("stream") and status == 200:
                    self.send_sse(stream_events(payload))
                    return
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def send_sse(self, events):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.end_headers()
                for name, data in events:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode("utf-8"))
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):  # keep test output quiet
                pass

        return Handler
