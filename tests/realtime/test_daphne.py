"""`/ws` served by a real daphne, read off the wire with a minimal RFC 6455 client.

`WebsocketCommunicator` stops at the ASGI boundary, so it cannot see what daphne does
with a close code; daphne (through autobahn) refuses to send 1008 unless
`realtime.routing` lets it. These paths need no database.
"""

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


class WireClient:
    """Just enough of a WebSocket client: handshake, masked text frames, frame reads."""

    def __init__(self, port: int, headers: tuple[str, ...] = ()) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /ws HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *headers,
        ]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self._read(1)
        self.status = int(response.split(b" ")[1])

    def send_json(self, content: object) -> None:
        data, mask = json.dumps(content).encode(), os.urandom(4)
        assert len(data) < 126
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(data))
        self.sock.sendall(bytes([0x81, 0x80 | len(data)]) + mask + masked)

    def receive(self) -> tuple[int, bytes]:
        """The next frame as (opcode, payload)."""
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack(">H", self._read(2))
        return first & 0x0F, self._read(length)

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            assert chunk, "connection closed"
            data += chunk
        return data


@pytest.fixture(scope="module")
def daphne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('daphne') / 'unused.sqlite3'}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "drift.asgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "daphne exited"
                assert time.monotonic() < deadline, "daphne did not start"
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_daphne_closes_with_1008_on_a_bad_token(daphne: int) -> None:
    client = WireClient(daphne)
    assert client.status == 101
    client.send_json({"type": "auth", "token": "not-a-jwt"})
    opcode, payload = client.receive()
    assert opcode == 0x8
    assert struct.unpack(">H", payload[:2])[0] == 1008


def test_daphne_refuses_a_browser_from_another_origin(daphne: int) -> None:
    assert WireClient(daphne, ("Origin: https://evil.example",)).status == 403


def test_daphne_accepts_an_allowed_origin(daphne: int) -> None:
    client = WireClient(daphne, ("Origin: http://localhost:5173",))
    assert client.status == 101
    client.send_json({"type": "ping"})
    assert client.receive() == (0x1, b'{"type":"pong"}')
