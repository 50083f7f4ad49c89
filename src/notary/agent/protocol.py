"""The agent's wire format: one request and one answer per connection, each a framed JSON object.

A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON (an object).
Frames above MAX_MESSAGE are refused before they are read, and so are trailing bytes.

Requests: ``{"v": 1, "op": OP, ...}`` with OP one of

- ``ping`` → ``{"pid", "defaultTtl", "expiresAt", "keys"}``
- ``add`` (``name``, ``privateKey`` hex, ``ttl`` seconds or null) → ``{"name", "address", "expiresAt"}``
- ``list`` → ``{"keys": [{"name", "address", "expiresAt"}]}``
- ``remove`` (``name``) → ``{"name", "address"}``
- ``stop`` → ``{"forgot": N}``
- ``sign-hash`` (``name``, ``hash``: 32 bytes hex) → ``{"signature"}`` (65 bytes r‖s‖v hex, v in {27, 28})
- ``sign-transaction`` (``name``, ``transaction``: a transaction dict, bytes as hex) →
  ``{"rawTransaction", "hash", "r", "s", "v"}``

Answers: ``{"ok": true, "result": {...}}`` or ``{"ok": false, "error": {"code", "message", "hint"}}``.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

from notary.agent.errors import AgentConnectionClosedError, AgentRefusedError

VERSION = 1
#: A deployment transaction carries the ledger's init code (up to 48 KiB, 96 KiB as hex).
MAX_MESSAGE = 256 * 1024
#: How long either end waits for the other's frame.
IO_TIMEOUT = 10.0
OPS = frozenset({"ping", "add", "list", "remove", "stop", "sign-hash", "sign-transaction"})

_HEADER = struct.Struct(">I")


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), default=_hex).encode()
    if len(body) > MAX_MESSAGE:
        raise AgentRefusedError(
            f"a message to or from the agent would be {len(body)} bytes; the limit is {MAX_MESSAGE}",
            hint="the request is too large for the key agent",
        )
    return _HEADER.pack(len(body)) + body


def send(conn: socket.socket, message: dict[str, Any]) -> None:
    conn.sendall(encode(message))


def receive(conn: socket.socket) -> dict[str, Any]:
    """One frame as a JSON object; AgentRefusedError if it is oversized, truncated or not an object."""
    (size,) = _HEADER.unpack(_read(conn, _HEADER.size))
    if size > MAX_MESSAGE:
        raise AgentRefusedError(f"a message of {size} bytes exceeds the agent's limit of {MAX_MESSAGE}")
    body = _read(conn, size)
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AgentRefusedError("a message to or from the agent is not JSON") from None
    if not isinstance(message, dict):
        raise AgentRefusedError("a message to or from the agent is not a JSON object")
    return message


def _read(conn: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = conn.recv(min(65536, size - len(chunks)))
        if not chunk:
            raise AgentConnectionClosedError(len(chunks), size)
        chunks += chunk
    return bytes(chunks)


def _hex(value: Any) -> str:
    """bytes (and HexBytes) travel as 0x-prefixed hex."""
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def ok(result: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "result": result}


def failure(code: str, message: str, hint: str | None = None) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message, "hint": hint}}


def hex_bytes(value: Any, what: str, length: int | None = None) -> bytes:
    """Bytes from a request's 0x hex field; AgentRefusedError if malformed or of the wrong length."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise AgentRefusedError(f"{what} must be 0x-prefixed hex")
    try:
        data = bytes.fromhex(value[2:])
    except ValueError:
        raise AgentRefusedError(f"{what} is not valid hex") from None
    if length is not None and len(data) != length:
        raise AgentRefusedError(f"{what} must be {length} bytes, not {len(data)}")
    return data
