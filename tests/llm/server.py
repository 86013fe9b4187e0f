"""A local model server for tests: the real wire protocols on 127.0.0.1, answered by a script.

What it speaks (what the `anthropic` and `openai` SDKs send when given `base_url=server.url`):
  POST /v1/messages                       Anthropic Messages (text, tool_use, thinking blocks, usage with
                                          cache_creation_input_tokens / cache_read_input_tokens); with
                                          `"stream": true`, the same message as server-sent events
  POST /v1/messages/count_tokens          {"input_tokens": N}; free (not counted as paid)
  POST /v1/messages/batches               create; GET /v1/messages/batches/{id} retrieve;
  GET  /v1/messages/batches/{id}/results  JSONL lines {"custom_id", "result": {"type": "succeeded",
                                          "message": {...}} | {"type": "errored", "error": {...}} |
                                          {"type": "expired"} | {"type": "canceled"}}
  POST /v1/messages/batches/{id}/cancel
  POST /v1/chat/completions               OpenAI-compatible chat with tools (function calls), usage with
                                          prompt_tokens_details.cached_tokens

Using it (the `model_server` fixture in tests/conftest.py starts one per test; `with ModelServer(script) as
server:` starts one for a block):

    def test_something(model_server):
        model_server.script = lambda call: "hello"          # every answer is the text "hello"
        client = anthropic.Anthropic(api_key="test", base_url=model_server.url)

The script is a callable `(Call) -> reply`, run for every paid request (each Messages call, each chat
completion, each batch item). `Call` gives the request in the Anthropic Messages shape whichever API it came
through: `call.api` ("anthropic" | "openai"), `call.model`, `call.system` (text), `call.messages`,
`call.tools` (Anthropic shape), `call.tool_choice`, `call.offers(name)`, `call.body` (the raw wire body), `call.batch` (True for a
batch item), `call.attempt` (1 the first time this exact body arrives, 2 for its first repeat, ...), and
helpers `call.last_user_text()`, `call.tool_results()`.

The Messages routes answer a body that forces a tool choice (`{"type": "tool"}` or `{"type": "any"}`) on a
model that refuses one (`constitutionc.models.rejects_forced_tool_choice`: claude-sonnet-5-5, claude-opus-5-5
and later point releases, Fable/Mythos 5.1 on) with the API's 400 invalid_request_error (a batch item:
errored), before the script sees it. Scripts know a structured request by the tool it offers
(`call.offers(name)`), not by its tool choice.

A reply is one of:
  "text"                                      an end_turn message with that text
  Reply(content=[...blocks], stop_reason=...) any content; helpers `text_block`, `tool_use_block`,
                                              `thinking_block`; stop_reason defaults to tool_use when a
                                              tool_use block is present, else end_turn
  say(text), call_tool(name, input, call_id)  a text reply; a reply that is one tool call
  Fault.status(429, retry_after="1")          an API error with the real error body (also 500, 529, 400...)
  Fault.drop()                                the connection is closed without an answer
  Fault.delay(seconds, then=reply)            answer late (a client timeout shorter than this fires)
  Fault.malformed()                           HTTP 200 with a truncated JSON body
  Fault.expired()                             (batch items) the item expires; elsewhere a 500

Counters (all thread-safe): `paid` (answers the model produced: successful messages and batch items),
`repeated` (of those, answers to a body already answered once: the number a resumable client should keep at
the number in flight when it was killed), `http_requests`, `batches_created`, `token_counts`,
`max_in_flight`, `in_flight` (requests received whose answer is not yet made and counted), `batch_retrieves`,
`bodies` (every paid body received, in order), `posts` ((path, body) of every authorised POST, in order;
`posted(path)` gives the bodies sent to one path). `batch_polls` (default 1) is how many retrieves a new
batch answers `in_progress` before it ends; items are answered when it ends, and results are listed in
reverse order (the API promises no order).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from constitutionc.models import rejects_forced_tool_choice

FORCED_CHOICE_REFUSED = ("tool_choice forces a tool, which {model} does not support; "
                         "use tool_choice {{\"type\": \"auto\"}}")


def refused_choice(body: dict) -> str | None:
    """The API's complaint about a Messages body that forces a tool on a model that refuses it, if any."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("tool", "any") \
            and rejects_forced_tool_choice(str(body.get("model", ""))):
        return FORCED_CHOICE_REFUSED.format(model=body.get("model"))
    return None


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 408: "timeout_error", 409: "conflict_error", 413: "request_too_large",
               429: "rate_limit_error", 500: "api_error", 502: "api_error", 503: "api_error",
               504: "timeout_error", 529: "overloaded_error"}


def text_block(text: str) -> dict:
    return {"type": "text", "text": text}


def tool_use_block(name: str, input: dict, id: str | None = None) -> dict:
    return {"type": "tool_use", "id": id or f"toolu_{uuid.uuid4().hex[:20]}", "name": name, "input": input}


def thinking_block(thinking: str) -> dict:
    return {"type": "thinking", "thinking": thinking, "signature": "sig-" + uuid.uuid4().hex[:16]}


@dataclass
class Reply:
    content: list[dict]
    stop_reason: str | None = None
    output_tokens: int | None = None


def say(text: str) -> Reply:
    return Reply([text_block(text)])


def call_tool(name: str, input: dict, call_id: str | None = None) -> Reply:
    return Reply([tool_use_block(name, input, id=call_id)])


@dataclass
class Fault:
    kind: str
    code: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    then: Any = None
    message: str = "injected fault"

    @classmethod
    def status(cls, code: int, retry_after: str | None = None, message: str = "injected fault") -> "Fault":
        return cls("status", code=code, retry_after=retry_after, message=message)

    @classmethod
    def drop(cls) -> "Fault":
        return cls("drop")

    @classmethod
    def delay(cls, seconds: float, then: Any = "late answer") -> "Fault":
        return cls("delay", seconds=seconds, then=then)

    @classmethod
    def malformed(cls) -> "Fault":
        return cls("malformed")

    @classmethod
    def expired(cls) -> "Fault":
        return cls("expired")


@dataclass
class Call:
    api: str
    body: dict
    model: str
    system: str
    messages: list[dict]
    tools: list[dict]
    tool_choice: dict | None
    max_tokens: int
    attempt: int
    batch: bool = False

    def offers(self, name: str) -> bool:
        """Whether the request offers a tool named `name`: how a script knows a structured request (a
        judge's, a generator's) whatever its tool choice (models that refuse a forced one get `auto`)."""
        return any(tool.get("name") == name for tool in self.tools)

    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message["role"] == "user":
                return _text_of(message["content"])
        return ""

    def tool_results(self) -> list[dict]:
        out = []
        for message in self.messages:
            if message["role"] == "user" and isinstance(message["content"], list):
                out += [b for b in message["content"] if b.get("type") == "tool_result"]
        return out


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")


def _estimate_tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, sort_keys=True)) // 4)


def default_script(call: Call) -> str:
    return f"echo: {call.last_user_text()}"


class HoldAfter:
    """A script that answers the first `answered` calls through `answer` and holds every later one
    until `release()`: the kill tests' way of leaving exactly the held requests in flight."""

    def __init__(self, answered: int, answer):
        self.answered, self.answer = answered, answer
        self._gate, self._lock, self._served = threading.Event(), threading.Lock(), 0

    def __call__(self, call):
        with self._lock:
            self._served += 1
            mine = self._served
        if mine > self.answered and not self._gate.is_set():
            self._gate.wait()
        return self.answer(call)

    def release(self) -> None:
        self._gate.set()


class ModelServer:
    def __init__(self, script: Callable[[Call], Any] = default_script, batch_polls: int = 1):
        self.script = script
        self.batch_polls = batch_polls
        self._lock = threading.RLock()  # batch processing answers items while holding it
        self._answered: dict[str, int] = {}
        self._received: dict[str, int] = {}
        self._prefixes: set[str] = set()
        self.batches: dict[str, dict] = {}
        self.paid = 0
        self.repeated = 0
        self.http_requests = 0
        self.batches_created = 0
        self.token_counts = 0
        self.batch_retrieves = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.bodies: list[dict] = []
        self.posts: list[tuple[str, dict]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> "ModelServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "ModelServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def posted(self, path: str) -> list[dict]:
        """The bodies POSTed to `path` (say "/v1/messages"), in order."""
        with self._lock:
            return [body for where, body in self.posts if where == path]

    # -- bookkeeping -------------------------------------------------------------------------------
    def _attempt(self, body: dict) -> int:
        key = json.dumps(body, sort_keys=True)
        with self._lock:
            self._received[key] = self._received.get(key, 0) + 1
            return self._received[key]

    def _count_answer(self, body: dict) -> None:
        key = json.dumps(body, sort_keys=True)
        with self._lock:
            self.paid += 1
            if self._answered.get(key):
                self.repeated += 1
            self._answered[key] = self._answered.get(key, 0) + 1

    def _usage(self, body: dict, system: Any, messages: list, tools: list, output: int) -> dict:
        total = _estimate_tokens([system, messages, tools])
        prefix = _cached_prefix(tools, system, messages)
        usage = {"input_tokens": total, "output_tokens": output,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        if prefix is not None:
            tokens = min(total, _estimate_tokens(prefix))
            key = json.dumps(prefix, sort_keys=True)
            with self._lock:
                seen = key in self._prefixes
                self._prefixes.add(key)
            usage["cache_read_input_tokens" if seen else "cache_creation_input_tokens"] = tokens
            usage["input_tokens"] = total - tokens
        return usage

    def _reply_to_message(self, reply: Any, body: dict, model: str, chat: bool = False) -> dict:
        if isinstance(reply, str):
            reply = Reply([text_block(reply)])
        stop = reply.stop_reason or ("tool_use" if any(b["type"] == "tool_use" for b in reply.content)
                                     else "end_turn")
        output = reply.output_tokens if reply.output_tokens is not None else _estimate_tokens(reply.content)
        return {"id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant", "model": model,
                "content": reply.content, "stop_reason": stop, "stop_sequence": None,
                "usage": self._usage(body, body.get("system"),
                                     body.get("messages", []), body.get("tools", []), output)
                if not chat else self._chat_usage(body, output)}

    def _chat_usage(self, body: dict, output: int) -> dict:
        """The chat API caches long prompt prefixes by itself: here, the system messages past 1,024 chars."""
        total = _estimate_tokens([body.get("messages", []), body.get("tools", [])])
        system = [m for m in body.get("messages", []) if m.get("role") in ("system", "developer")]
        usage = {"input_tokens": total, "output_tokens": output,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        if system and len(json.dumps(system)) >= 1024:
            key = "chat:" + json.dumps(system, sort_keys=True)
            with self._lock:
                seen = key in self._prefixes
                self._prefixes.add(key)
            if seen:
                usage["cache_read_input_tokens"] = min(total, _estimate_tokens(system))
                usage["input_tokens"] = total - usage["cache_read_input_tokens"]
        return usage


def _cached_prefix(tools: list, system: Any, messages: list) -> list | None:
    """Everything up to the last block marked with cache_control, in the API's order: tools, system, messages."""
    sequence: list = list(tools or [])
    if isinstance(system, list):
        sequence += system
    for message in messages:
        content = message.get("content")
        sequence += content if isinstance(content, list) else [content]
    last = None
    for index, block in enumerate(sequence):
        if isinstance(block, dict) and block.get("cache_control"):
            last = index
    return None if last is None else sequence[: last + 1]


def _anthropic_call(body: dict, attempt: int, batch: bool = False) -> Call:
    system = body.get("system") or ""
    return Call(api="anthropic", body=body, model=body.get("model", ""), system=_text_of(system),
                messages=body.get("messages", []), tools=body.get("tools", []),
                tool_choice=body.get("tool_choice"), max_tokens=body.get("max_tokens", 0),
                attempt=attempt, batch=batch)


def _openai_call(body: dict, attempt: int) -> Call:
    system, messages = [], []
    for message in body.get("messages", []):
        role = message["role"]
        if role in ("system", "developer"):
            system.append(_text_of(message["content"]))
        elif role == "tool":
            block = {"type": "tool_result", "tool_use_id": message["tool_call_id"],
                     "content": _text_of(message["content"])}
            if messages and messages[-1]["role"] == "user" and isinstance(messages[-1]["content"], list):
                messages[-1]["content"].append(block)
            else:
                messages.append({"role": "user", "content": [block]})
        elif role == "assistant":
            blocks = [text_block(message["content"])] if message.get("content") else []
            for tool_call in message.get("tool_calls") or []:
                blocks.append({"type": "tool_use", "id": tool_call["id"], "name": tool_call["function"]["name"],
                               "input": json.loads(tool_call["function"]["arguments"] or "{}")})
            messages.append({"role": "assistant", "content": blocks})
        else:
            messages.append({"role": "user", "content": message["content"]})
    tools = [{"name": t["function"]["name"], "description": t["function"].get("description", ""),
              "input_schema": t["function"].get("parameters", {})} for t in body.get("tools", [])]
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        tool_choice = {"type": "tool", "name": choice["function"]["name"]}
    elif choice == "required":
        tool_choice = {"type": "any"}
    elif choice == "auto":
        tool_choice = {"type": "auto"}
    else:
        tool_choice = None
    return Call(api="openai", body=body, model=body.get("model", ""), system="\n".join(system), messages=messages,
                tools=tools, tool_choice=tool_choice,
                max_tokens=body.get("max_completion_tokens") or body.get("max_tokens") or 0, attempt=attempt)


FINISH = {"end_turn": "stop", "tool_use": "tool_calls", "max_tokens": "length", "stop_sequence": "stop",
          "refusal": "content_filter"}


def _message_to_chat(message: dict, body: dict) -> dict:
    text = "".join(b["text"] for b in message["content"] if b["type"] == "text")
    reasoning = "".join(b["thinking"] for b in message["content"] if b["type"] == "thinking")
    tool_calls = [{"id": b["id"], "type": "function",
                   "function": {"name": b["name"], "arguments": json.dumps(b["input"])}}
                  for b in message["content"] if b["type"] == "tool_use"]
    out_message: dict = {"role": "assistant", "content": text or None}
    if tool_calls:
        out_message["tool_calls"] = tool_calls
    if reasoning:
        out_message["reasoning_content"] = reasoning
    usage = message["usage"]
    prompt = usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"]
    return {"id": "chatcmpl-" + uuid.uuid4().hex[:24], "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": out_message, "finish_reason": FINISH[message["stop_reason"]],
                         "logprobs": None}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": usage["output_tokens"],
                      "total_tokens": prompt + usage["output_tokens"],
                      "prompt_tokens_details": {"cached_tokens": usage["cache_read_input_tokens"]}}}


def stream_events(message: dict) -> list[tuple[str, dict]]:
    """The server-sent events of a streamed Messages answer: `message` told block by block."""
    usage = message["usage"]
    head = dict(message, content=[], stop_reason=None, usage=dict(usage, output_tokens=0))
    events = [("message_start", {"type": "message_start", "message": head})]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            start, deltas = dict(block, text=""), [{"type": "text_delta", "text": block["text"]}]
        elif block["type"] == "thinking":
            start = dict(block, thinking="", signature="")
            deltas = [{"type": "thinking_delta", "thinking": block["thinking"]},
                      {"type": "signature_delta", "signature": block["signature"]}]
        else:
            start, deltas = dict(block, input={}), [{"type": "input_json_delta",
                                                     "partial_json": json.dumps(block["input"])}]
        events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                               "content_block": start}))
        events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
                   for delta in deltas]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events += [("message_delta", {"type": "message_delta", "usage": {"output_tokens": usage["output_tokens"]},
                                  "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None}}),
               ("message_stop", {"type": "message_stop"})]
    return events


def _handler_for(server: ModelServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        # -- plumbing ----------------------------------------------------------------------------
        def _send(self, status: int, payload: Any, headers: dict | None = None, raw: bytes | None = None,
                  content_type: str = "application/json") -> None:
            data = raw if raw is not None else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", "req_" + uuid.uuid4().hex[:20])
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _send_events(self, events: list[tuple[str, dict]]) -> None:
            # No length is known ahead of a stream: the end of the connection ends it.
            self.close_connection = True
            try:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.send_header("request-id", "req_" + uuid.uuid4().hex[:20])
                self.end_headers()
                for name, data in events:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _error(self, status: int, message: str, retry_after: str | None = None) -> None:
            headers = {"retry-after": retry_after} if retry_after is not None else {}
            if self.path.startswith("/v1/chat"):
                payload = {"error": {"message": message, "type": ERROR_TYPES.get(status, "api_error"),
                                     "param": None, "code": None}}
            else:
                payload = {"type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"),
                                                      "message": message}}
            self._send(status, payload, headers)

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _body(self) -> dict:
            length = int(self.headers.get("content-length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _authorised(self) -> bool:
            if self.path.startswith("/v1/chat"):
                ok = (self.headers.get("authorization") or "").startswith("Bearer ")
            else:
                ok = bool(self.headers.get("x-api-key") or self.headers.get("authorization"))
            if not ok:
                self._error(401, "missing credentials")
            return ok

        # -- routes --------------------------------------------------------------------------------
        def do_POST(self):
            with server._lock:
                server.http_requests += 1
            body = self._body()
            if not self._authorised():
                return
            path = self.path.split("?")[0]
            with server._lock:
                server.posts.append((path, body))
            refused = refused_choice(body) if path.startswith("/v1/messages") else None
            if refused is not None:
                self._error(400, refused)
            elif path == "/v1/messages":
                self._paid(body, _anthropic_call(body, server._attempt(body)), self._reply_message)
            elif path == "/v1/chat/completions":
                self._paid(body, _openai_call(body, server._attempt(body)), self._reply_chat)
            elif path == "/v1/messages/count_tokens":
                with server._lock:
                    server.token_counts += 1
                self._send(200, {"input_tokens": _estimate_tokens(
                    [body.get("system") or "", body.get("messages", []), body.get("tools", [])])})
            elif path == "/v1/messages/batches":
                self._create_batch(body)
            elif path.startswith("/v1/messages/batches/") and path.endswith("/cancel"):
                self._cancel_batch(path.split("/")[4])
            else:
                self._error(404, f"no route {path}")

        def do_GET(self):
            with server._lock:
                server.http_requests += 1
            if not self._authorised():
                return
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[:3] == ["v1", "messages", "batches"] and len(parts) == 4:
                self._retrieve_batch(parts[3])
            elif parts[:3] == ["v1", "messages", "batches"] and len(parts) == 5 and parts[4] == "results":
                self._batch_results(parts[3])
            else:
                self._error(404, f"no route {self.path}")

        # -- paid requests -------------------------------------------------------------------------
        def _paid(self, body: dict, call: Call, answer) -> None:
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
                server.bodies.append(body)
            # A request stops being in flight once its answer is made and counted, before it is written:
            # a client that has read an answer must never see the server still counting that request.
            left = False

            def leave() -> None:
                nonlocal left
                if not left:
                    left = True
                    with server._lock:
                        server.in_flight -= 1

            try:
                reply = server.script(call)
                while isinstance(reply, Fault) and reply.kind == "delay":
                    time.sleep(reply.seconds)
                    reply = reply.then
                if isinstance(reply, Fault):
                    self._fault(reply, body)
                    return
                payload = answer(body, reply)
                leave()
                if body.get("stream") is True and call.api == "anthropic":
                    self._send_events(stream_events(payload))
                else:
                    self._send(200, payload)
            finally:
                leave()

        def _fault(self, fault: Fault, body: dict) -> None:
            if fault.kind == "drop":
                self._drop()
            elif fault.kind == "malformed":
                server._count_answer(body)  # the model did the work; the answer was spoiled on the way
                self._send(200, None, raw=b'{"id": "msg_01", "type": "message", "content": [{"type": "te')
            elif fault.kind == "status":
                self._error(fault.code, fault.message, fault.retry_after)
            else:
                self._error(500, f"fault {fault.kind} outside a batch")

        def _reply_message(self, body: dict, reply: Any) -> dict:
            message = server._reply_to_message(reply, body, body.get("model", ""))
            server._count_answer(body)
            return message

        def _reply_chat(self, body: dict, reply: Any) -> dict:
            message = server._reply_to_message(reply, body, body.get("model", ""), chat=True)
            server._count_answer(body)
            return _message_to_chat(message, body)

        # -- batches -------------------------------------------------------------------------------
        def _batch_view(self, batch: dict) -> dict:
            counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
            if batch["status"] == "ended":
                for line in batch["results"]:
                    counts[line["result"]["type"]] += 1
            else:
                counts["processing"] = len(batch["requests"])
            return {"id": batch["id"], "type": "message_batch", "processing_status": batch["status"],
                    "request_counts": counts, "created_at": batch["created_at"], "expires_at": batch["created_at"],
                    "ended_at": batch["created_at"] if batch["status"] == "ended" else None,
                    "cancel_initiated_at": None, "archived_at": None,
                    "results_url": (f"{server.url}/v1/messages/batches/{batch['id']}/results"
                                    if batch["status"] == "ended" else None)}

        def _create_batch(self, body: dict) -> None:
            requests = body.get("requests") or []
            ids = [r.get("custom_id") for r in requests]
            if not requests or len(ids) != len(set(ids)) or len(requests) > 100_000:
                self._error(400, "requests must be 1..100000 with unique custom_id values")
                return
            batch_id = "msgbatch_" + uuid.uuid4().hex[:24]
            batch = {"id": batch_id, "requests": requests, "status": "in_progress", "polls": server.batch_polls,
                     "created_at": "2026-01-01T00:00:00Z", "results": []}
            with server._lock:
                server.batches[batch_id] = batch
                server.batches_created += 1
            self._send(200, self._batch_view(batch))

        def _process(self, batch: dict, canceled: bool) -> None:
            for item in batch["requests"]:
                params = item["params"]
                if canceled:
                    result: dict = {"type": "canceled"}
                elif refused_choice(params) is not None:
                    result = {"type": "errored", "error": {"type": "error", "error": {
                        "type": "invalid_request_error", "message": refused_choice(params)}}}
                else:
                    call = _anthropic_call(params, server._attempt(params), batch=True)
                    with server._lock:
                        server.bodies.append(params)
                    reply = server.script(call)
                    while isinstance(reply, Fault) and reply.kind == "delay":
                        reply = reply.then
                    if isinstance(reply, Fault) and reply.kind == "expired":
                        result = {"type": "expired"}
                    elif isinstance(reply, Fault):
                        status = reply.code if reply.kind == "status" else 500
                        result = {"type": "errored", "error": {
                            "type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"),
                                                       "message": reply.message}}}
                    else:
                        message = server._reply_to_message(reply, params, params.get("model", ""))
                        server._count_answer(params)
                        result = {"type": "succeeded", "message": message}
                batch["results"].append({"custom_id": item["custom_id"], "result": result})
            batch["status"] = "ended"

        def _retrieve_batch(self, batch_id: str) -> None:
            batch = server.batches.get(batch_id)
            if batch is None:
                self._error(404, f"no batch {batch_id}")
                return
            with server._lock:
                server.batch_retrieves += 1
                if batch["status"] == "canceling":
                    self._process(batch, canceled=True)
                elif batch["status"] == "in_progress":
                    if batch["polls"] > 0:
                        batch["polls"] -= 1
                    else:
                        self._process(batch, canceled=False)
            self._send(200, self._batch_view(batch))

        def _batch_results(self, batch_id: str) -> None:
            batch = server.batches.get(batch_id)
            if batch is None or batch["status"] != "ended":
                self._error(404, f"batch {batch_id} has no results yet")
                return
            # Reversed: the API does not promise request order, so clients must match by custom_id.
            data = "".join(json.dumps(line) + "\n" for line in reversed(batch["results"])).encode()
            self._send(200, None, raw=data, content_type="application/binary")

        def _cancel_batch(self, batch_id: str) -> None:
            batch = server.batches.get(batch_id)
            if batch is None:
                self._error(404, f"no batch {batch_id}")
                return
            with server._lock:
                if batch["status"] == "in_progress":
                    batch["status"] = "canceling"
            self._send(200, self._batch_view(batch))

    return Handler


def main() -> None:
    """`python -m tests.llm.server`: the server on a free port of 127.0.0.1 with the default script (every
    answer is `echo: ` and the last user text), for watching `generate` and `eval` run without a model. It
    prints its URL and serves until interrupted. Nothing it answers is usable data: generate's checks
    reject every echoed reply, and eval's judge cannot decide."""
    with ModelServer() as server:
        print(f"serving the Messages API at {server.url} and chat completions at {server.url}/v1 "
              "(Ctrl-C stops it)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
