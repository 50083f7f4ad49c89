"""The chain's head (number, hash, time) for one request, in one cheap JSON-RPC call.

Every answer of the API names the block it was read at (`chain.block`, `chainTime`) and the
index answers only when its checkpoint is that head's block or close behind. Reading the head
through web3 cost two calls (`eth_blockNumber`, then the latest block for its time), each
through web3's middleware and requests' proxy lookups: more than the rest of an index-served
answer. `HeadReader.read()` sends one `eth_getBlockByNumber("latest")` over a keep-alive
connection of its own (one per thread: routes run in the thread pool), so number, hash and
time come from the same block. Any failure of that path (or an in-process chain, or a node URL
with credentials) reads through the gateway instead, whose typed errors become the usual 503.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

from notary.chain.gateway import LedgerGateway

_REQUEST = json.dumps(
    {"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": ["latest", False]}
).encode()  # bytes: http.client sends headers and body in one segment (no Nagle/delayed-ACK stall)
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True)
class Head:
    number: int
    hash: str  # 0x-hex, lower case
    timestamp: int


class HeadReader:
    """Reads the head of the gateway's chain; one HTTP connection per thread, kept open."""

    def __init__(self, gateway: LedgerGateway, timeout: float = 10.0) -> None:
        self.gateway = gateway
        self.timeout = timeout
        self._local = threading.local()
        self._target = _plain_http_target(gateway)

    def read(self) -> Head:
        if self._target is not None:
            try:
                return self._read_raw(*self._target)
            except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
                self._drop()  # the gateway's path below retries reads and types the error
        return gateway_head(self.gateway)

    def _read_raw(self, https: bool, host: str, port: int, path: str) -> Head:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
            conn = self._local.conn = kind(host, port, timeout=self.timeout)
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.request("POST", path, _REQUEST, _HEADERS)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise ValueError(f"HTTP {response.status}")
        block: dict[str, Any] = json.loads(body)["result"]
        return Head(int(block["number"], 16), str(block["hash"]).lower(), int(block["timestamp"], 16))

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()


def gateway_head(gateway: LedgerGateway) -> Head:
    """The head read through web3 (its retries and typed errors)."""
    block = gateway.chain.w3.eth.get_block("latest")
    return Head(int(block["number"]), "0x" + bytes(block["hash"]).hex(), int(block["timestamp"]))


def _plain_http_target(gateway: LedgerGateway) -> tuple[bool, str, int, str] | None:
    """(https, host, port, path) of the node's URL when the raw path can reach it, else None."""
    chain = gateway.chain
    if chain.is_in_process:
        return None
    uri = str(getattr(chain.w3.provider, "endpoint_uri", "") or "")
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme == "https", parts.hostname, port, path
