"""A fake OpenAI-compatible chat completions server for tests: real HTTP on loopback,
answering as the test tells it and recording every request it receives."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "test-key-for-the-fake-model"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw)

    @property
    def everything(self) -> str:
        """Headers and body as one text, to search for what must never arrive."""
        return json.dumps(self.headers) + self.raw.decode()


class ChatServer:
    """`POST /v1/chat/completions`. By default a completion whose message is `content`
    (or what `content` makes of the request's body); `status` and `body` replace the
    whole response, `delay` holds it back."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.content: str | Callable[[dict[str, Any]], str] | None = json.dumps({"matches": []})
        self.refusal: str | None = None
        self.tokens = 321
        self.status = 200
        self.body: bytes | None = None
        self.content_type = "application/json"
        self.delay = 0.0
        self.released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                server.requests.append(Received(self.path, headers, raw))
                server.released.wait(server.delay)
                body = server.body
                if body is None:
                    body = server.completion(json.loads(raw))
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", server.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (the timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, *matches: dict[str, Any]) -> None:
        """Answer with these `{"taskId", "confidence", "reason"}` proposals."""
        self.content = json.dumps({"matches": list(matches)})

    def completion(self, request: dict[str, Any]) -> bytes:
        content = self.content(request) if callable(self.content) else self.content
        message = {"role": "assistant", "content": content, "refusal": self.refusal}
        return json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "fake-model",
                "choices": [
                    {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
                ],
                "usage": {
                    "prompt_tokens": self.tokens - 21,
                    "completion_tokens": 21,
                    "total_tokens": self.tokens,
                },
            }
        ).encode()

    def close(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serving(settings: Any) -> Iterator[ChatServer]:
    """A fake model, with DRIFT's settings pointing the hybrid matcher at it. POST
    /api/submissions waits for the match however it runs (in-process or on a worker)."""
    server = ChatServer()
    settings.MATCHER = "hybrid"
    settings.OPENAI_API_KEY = API_KEY
    settings.OPENAI_BASE_URL = server.url
    settings.LLM_TIMEOUT = 5.0
    settings.MATCH_WAIT_MS = 10_000
    try:
        yield server
    finally:
        server.close()
