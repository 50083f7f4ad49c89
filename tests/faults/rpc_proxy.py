"""A fault-injecting JSON-RPC proxy on 127.0.0.1 in front of a real node (anvil).

Each request is forwarded to the node unless a fault is drawn for it. Faults, and when
the node sees the request:

  reset          the connection is reset (RST) before forwarding: the node never sees it
  http429        "429 Too Many Requests" before forwarding
  http500        "500" before forwarding
  delay          forwarded after 50-300 ms
  http500-after  forwarded, then "500" instead of the node's answer
  truncated      forwarded, then the first half of the node's answer
  lost           forwarded, then the connection is reset: the answer is lost after the
                 node acted (a send that succeeded, reported as a failure)
  wrong-chain    eth_chainId only: answered 0x1

`rate` draws faults at random (seeded); `script` queues faults for the next requests of a
method (e.g. {"eth_sendRawTransaction": ["lost"]}), which take precedence. Loopback only;
the proxy stops with its context.
"""

from __future__ import annotations

import http.client
import io
import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FAULTS = ("reset", "http429", "http500", "delay", "http500-after", "truncated", "lost", "wrong-chain")


class FaultProxy:
    """`with FaultProxy(anvil_url, rate=0.2, seed=1).running() as url:` … `proxy.injected`."""

    def __init__(
        self,
        upstream: str,
        *,
        rate: float = 0.0,
        seed: int = 0,
        faults: Sequence[str] = FAULTS,
        script: dict[str, list[str]] | None = None,
    ) -> None:
        target = urlsplit(upstream)
        assert target.hostname in ("127.0.0.1", "localhost"), "loopback only"
        self.upstream = (target.hostname, target.port or 80)
        self.rate, self.faults = rate, tuple(faults)
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.injected: Counter[tuple[str, str]] = Counter()  # (fault, method) -> count
        self.forwarded: Counter[str] = Counter()  # method -> requests the node saw
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self, method: str) -> str | None:
        with self._lock:
            queued = self.script.get(method)
            if queued:
                fault: str | None = queued.pop(0)
            elif self._rng.random() < self.rate:
                usable = [f for f in self.faults if f != "wrong-chain" or method == "eth_chainId"]
                fault = self._rng.choice(usable)
            else:
                fault = None
            if fault is not None:
                self.injected[(fault, method)] += 1
            return fault

    def total(self, fault: str | None = None) -> int:
        return sum(n for (f, _), n in self.injected.items() if fault is None or f == fault)

    def forward(self, body: bytes) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            conn.request("POST", "/", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    @contextmanager
    def running(self) -> Iterator[str]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    request = json.loads(body)
                    if isinstance(request, list):  # a batch: drawn for as its first request's method
                        request = request[0] if request else {}
                    method = str(request.get("method", ""))
                except (ValueError, AttributeError):
                    method = ""
                fault = proxy.draw(method)
                if fault == "reset":
                    return self._reset()
                if fault in ("http429", "http500"):
                    return self._answer(429 if fault == "http429" else 500, b"busy")
                if fault == "wrong-chain":
                    request_id = request.get("id")
                    return self._answer(200, json.dumps({"jsonrpc": "2.0", "id": request_id, "result": "0x1"}).encode())
                if fault == "delay":
                    time.sleep(proxy._rng.uniform(0.05, 0.3))
                status, answer = proxy.forward(body)
                with proxy._lock:
                    proxy.forwarded[method] += 1
                if fault == "lost":
                    return self._reset()
                if fault == "http500-after":
                    return self._answer(500, b"internal error")
                if fault == "truncated":
                    return self._answer(status, answer[: len(answer) // 2])
                self._answer(status, answer)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _reset(self) -> None:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.wfile = io.BytesIO()  # what the handler still flushes goes nowhere
                self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:  # a reset connection: expected
                pass

        server = Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
