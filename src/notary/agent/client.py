"""Talking to a running agent: one request per connection, the agent's uid checked every time."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path
from typing import Any

from notary.agent import errors, protocol, sockets


class AgentClient:
    """A client of the agent at `path`. Each call opens a connection, checks the peer, asks, closes."""

    def __init__(self, path: Path, timeout: float = protocol.IO_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        with self._connect() as conn:
            try:
                protocol.send(conn, {"v": protocol.VERSION, "op": op, **fields})
                answer = protocol.receive(conn)
            except TimeoutError:
                raise errors.AgentUnreachableError(
                    f"the agent at {self.path} did not answer within {self.timeout:g} s",
                    hint="stop it (notary agent stop, or kill its pid) and start a new one",
                ) from None
            except errors.AgentConnectionClosedError as exc:
                if exc.received:
                    raise
                raise errors.AgentRefusedError(
                    f"the process at {self.path} closed the connection without an answer",
                    hint="it may not be a notary agent, or one of another version: check NOTARY_AGENT_SOCK",
                ) from None
            except OSError as exc:
                raise errors.AgentUnreachableError(
                    f"the connection to the agent at {self.path} failed: {exc.strerror or exc}"
                ) from None
        if answer.get("ok") is True and isinstance(answer.get("result"), dict):
            return answer["result"]  # type: ignore[no-any-return]
        raise errors.from_answer(answer.get("error"), f"the agent refused {op!r} without saying why")

    def _connect(self) -> socket.socket:
        sockets.check_path_length(self.path)
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise errors.AgentUnreachableError(
                f"no key agent at {self.path} (no such socket)",
                hint="start one with `notary agent start`, or check NOTARY_AGENT_SOCK",
            ) from None
        except PermissionError:
            raise errors.AgentUnsafePathError(
                f"cannot reach {self.path}: permission denied (its folder is another user's?)",
                hint="point NOTARY_AGENT_SOCK at your own agent",
            ) from None
        if not stat.S_ISSOCK(info.st_mode):
            raise errors.AgentUnreachableError(
                f"{self.path} is not a socket", hint="point NOTARY_AGENT_SOCK at the path `notary agent start` printed"
            )
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(self.timeout)
        try:
            conn.connect(str(self.path))
        except ConnectionRefusedError:
            conn.close()
            raise errors.AgentStaleSocketError(
                f"the socket {self.path} is stale: its agent has exited",
                hint="start a new agent with `notary agent start` (it replaces the stale socket)",
            ) from None
        except PermissionError:
            conn.close()
            raise errors.AgentUnsafePathError(
                f"cannot open the socket {self.path}: permission denied (another user's agent?)",
                hint="point NOTARY_AGENT_SOCK at your own agent",
            ) from None
        except OSError as exc:
            conn.close()
            raise errors.AgentUnreachableError(f"cannot connect to the agent at {self.path}: {exc.strerror}") from None
        try:
            sockets.check_peer(conn, role="listening on")
        except BaseException:
            conn.close()
            raise
        return conn

    # ------------------------------------------------------------------ the operations

    def ping(self) -> dict[str, Any]:
        return self.request("ping")

    def add(self, name: str, private_key: bytes, ttl: int | None) -> dict[str, Any]:
        return self.request("add", name=name, privateKey="0x" + private_key.hex(), ttl=ttl)

    def list_keys(self) -> list[dict[str, Any]]:
        return list(self.request("list")["keys"])

    def remove(self, name: str) -> dict[str, Any]:
        return self.request("remove", name=name)

    def stop(self) -> dict[str, Any]:
        return self.request("stop")

    def sign_hash(self, name: str, digest: bytes) -> bytes:
        result = self.request("sign-hash", name=name, hash="0x" + digest.hex())
        return protocol.hex_bytes(result.get("signature"), "the agent's signature", 65)

    def sign_transaction(self, name: str, transaction: dict[str, Any]) -> dict[str, Any]:
        return self.request("sign-transaction", name=name, transaction=transaction)
