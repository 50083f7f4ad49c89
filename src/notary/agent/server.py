"""The agent process: holds unlocked keys in memory and signs with them on request.

Run by `notary agent start` as `python -m notary.agent.server --socket PATH --ttl SECONDS`.
It binds the socket (folder 0700, socket 0600), prints one JSON line saying it is ready
(or why it is not), detaches its output, and serves one request per connection after
checking the peer's uid. Keys expire at their TTL; the agent exits once it holds none
and its own TTL (counted from its start) has passed, or when stopped (`stop` request,
SIGTERM, SIGINT, SIGHUP). It never logs and never writes a key anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from eth_typing import Hash32

from notary.agent import protocol, sockets
from notary.agent.errors import AgentError, AgentRefusedError, AgentRunningError, AgentUnsafePathError
from notary.agent.keyring import KeyRing
from notary.errors import NotaryError

#: The longest the loop sleeps between looks at the keys' expiry.
TICK = 0.5


class _Stop(Exception):
    """A signal or a `stop` request: leave the loop, forget the keys, remove the socket."""


class AgentServer:
    def __init__(self, path: Path, default_ttl: int) -> None:
        self.path = path
        self.keys = KeyRing(default_ttl)
        self.started = time.time()
        self.own_deadline = self.started + default_ttl
        self._listener: socket.socket | None = None
        self._inode: int | None = None
        self._stopping = False

    # ------------------------------------------------------------------ binding

    def bind(self) -> None:
        """Listen on the socket, replacing a stale one; refuse if another agent answers there."""
        sockets.check_path_length(self.path)
        sockets.prepare_folder(self.path)
        if os.path.lexists(self.path):
            sockets.check_socket_file(self.path)
            if _answers(self.path):
                raise AgentRunningError(
                    f"an agent already listens at {self.path}",
                    hint=f"use it (export {sockets.ENV}={self.path}), or stop it with `notary agent stop`",
                )
            os.unlink(self.path)  # stale: its agent has exited
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        listener.listen(16)
        self._listener = listener
        self._inode = os.stat(self.path).st_ino

    # ------------------------------------------------------------------ serving

    def serve(self) -> None:
        assert self._listener is not None, "bind() first"
        try:
            while not self._stopping:
                self.keys.purge()
                now = time.time()
                if not len(self.keys) and now >= self.own_deadline:
                    return
                self._listener.settimeout(self._wait(now))
                try:
                    conn, _ = self._listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    self.handle(conn)
        except _Stop:
            return
        finally:
            self.close()

    def _wait(self, now: float) -> float:
        until = self.keys.next_expiry()
        if until is None:
            until = self.own_deadline
        return max(0.01, min(TICK, until - now))

    def handle(self, conn: socket.socket) -> None:
        """One request: check the peer, read, dispatch, answer; a failure is answered, never raised."""
        conn.settimeout(protocol.IO_TIMEOUT)
        try:
            sockets.check_peer(conn)
        except AgentError:
            return  # another user's process: no answer at all
        try:
            request = protocol.receive(conn)
            answer = protocol.ok(self.dispatch(request))
        except NotaryError as exc:
            answer = protocol.failure(exc.code, exc.message, exc.hint)
        except OSError:
            return  # the client went away
        with contextlib.suppress(OSError, AgentRefusedError):
            protocol.send(conn, answer)

    def dispatch(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("v") != protocol.VERSION:
            raise AgentRefusedError(
                f"protocol version {request.get('v')!r} is not this agent's ({protocol.VERSION})",
                hint="restart the agent with this notary: notary agent stop; notary agent start",
            )
        op = request.get("op")
        if op not in protocol.OPS:
            raise AgentRefusedError(f"unknown agent operation {op!r}")
        if op == "ping":
            return {
                "pid": os.getpid(),
                "defaultTtl": self.keys.default_ttl,
                "expiresAt": int(self.own_deadline),
                "keys": len(self.keys.held()),
            }
        if op == "add":
            ttl = request.get("ttl")
            if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool)):
                raise AgentRefusedError("ttl must be a whole number of seconds or null")
            key = protocol.hex_bytes(request.get("privateKey"), "privateKey", 32)
            return self.keys.add(request.get("name"), key, ttl).describe()
        if op == "list":
            return {"keys": [k.describe() for k in self.keys.held()]}
        if op == "remove":
            return self.keys.remove(request.get("name")).describe()
        if op == "stop":
            self._stopping = True
            return {"forgot": self.keys.clear()}
        held = self.keys.get(request.get("name"))
        if op == "sign-hash":
            digest = protocol.hex_bytes(request.get("hash"), "hash", 32)
            signed = held.account.unsafe_sign_hash(Hash32(digest))
            return {"signature": "0x" + bytes(signed.signature).hex()}
        transaction = request.get("transaction")
        if not isinstance(transaction, dict):
            raise AgentRefusedError("transaction must be a JSON object")
        try:
            signed_tx = held.account.sign_transaction(transaction)
        except (TypeError, ValueError, KeyError) as exc:
            raise AgentRefusedError(f"the agent could not sign the transaction: {exc}") from None
        return {
            "rawTransaction": "0x" + bytes(signed_tx.raw_transaction).hex(),
            "hash": "0x" + bytes(signed_tx.hash).hex(),
            "r": signed_tx.r,
            "s": signed_tx.s,
            "v": signed_tx.v,
        }

    def close(self) -> None:
        """Forget every key, close the listener, and remove the socket if it is still this agent's."""
        self.keys.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with contextlib.suppress(OSError):
            if self._inode is not None and os.stat(self.path).st_ino == self._inode:
                os.unlink(self.path)


def _answers(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(2.0)
    try:
        probe.connect(str(path))
    except OSError as exc:
        if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):
            return False
        raise AgentUnsafePathError(f"cannot probe the socket {path}: {exc.strerror}") from None
    finally:
        probe.close()
    return True


def harden() -> None:
    """No core dumps, no ptrace or /proc/PID/mem by other processes of the user (as ssh-agent)."""
    import resource

    os.umask(0o077)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop()


def _detach_output() -> None:
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notary.agent.server", description="The notary key agent.")
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--ttl", required=True, type=int, help="seconds: the default hold of a key, and the agent's")
    parser.add_argument("--foreground", action="store_true", help="keep stdout and stderr (for debugging)")
    args = parser.parse_args(argv)
    harden()
    try:
        server = AgentServer(args.socket.absolute(), args.ttl)
        server.bind()
    except NotaryError as exc:
        print(json.dumps({"error": {"code": exc.code, "message": exc.message, "hint": exc.hint}}), flush=True)
        return 1
    except OSError as exc:
        print(json.dumps({"error": {"code": "agent", "message": f"cannot listen at {args.socket}: {exc}"}}), flush=True)
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    print(json.dumps({"ready": {"pid": os.getpid(), "socket": str(server.path)}}), flush=True)
    os.chdir("/")
    if not args.foreground:
        _detach_output()
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
