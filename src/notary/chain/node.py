"""A local anvil node run for the user: find the binary, start, stop, report status.

`LocalNode` keeps one anvil per data directory. Its chain state lives in
`<data_dir>/state.json` and survives stop/start, so a ministry's local ledger persists:

* ``--state FILE`` loads the file at start-up (if it exists) and dumps to it on exit
  (anvil dumps on SIGTERM, which `stop` sends);
* ``--state-interval N`` also dumps every N seconds, so a crash or SIGKILL loses at most
  N seconds of blocks. anvil rewrites the whole file in place (truncate, then write),
  so a kill in mid-write leaves it truncated; anvil then refuses to start, and `stop`
  keeps a copy taken at each clean shutdown in `state.json.bak` to restore from.

`ephemeral_anvil` runs a throwaway node (no state file) on a free port, for tests.
Nothing here imports web3: JSON-RPC is spoken with urllib.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from notary.errors import ChainError, ChainUnreachableError, NodeError

__all__ = ["LocalNode", "NodeStatus", "ephemeral_anvil", "find_anvil", "json_rpc"]

_INSTALL_HINT = "run `npm ci` in the project, or set NOTARY_ANVIL to the anvil binary"
_PLATFORMS = {"linux": "linux", "darwin": "darwin", "win32": "win32"}
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


# --------------------------------------------------------------------- finding anvil


def _platform_package() -> str:
    system = _PLATFORMS.get(sys.platform, sys.platform)
    arch = _ARCHES.get(platform.machine().lower(), platform.machine().lower())
    return f"anvil-{system}-{arch}"


def find_anvil() -> Path:
    """Locate the anvil binary: $NOTARY_ANVIL, then the npm platform package, then PATH."""
    override = os.environ.get("NOTARY_ANVIL")
    if override:
        path = Path(override).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise NodeError(
            f"NOTARY_ANVIL is set to {override}, which is not an executable file",
            hint="point NOTARY_ANVIL at the anvil binary, or unset it",
        )
    exe = "anvil.exe" if sys.platform == "win32" else "anvil"
    relative = Path("node_modules", "@foundry-rs", _platform_package(), "bin", exe)
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for directory in (start, *start.parents):
            candidate = directory / relative
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise NodeError(
        f"anvil not found (looked for NOTARY_ANVIL, {relative.as_posix()} above the current "
        "directory and the notary package, and `anvil` on PATH)",
        hint=_INSTALL_HINT,
    )


# --------------------------------------------------------------------- JSON-RPC


def json_rpc(url: str, method: str, params: Sequence[Any] = (), *, timeout: float = 5.0) -> Any:
    """Call one JSON-RPC method and return its result.

    Raises ChainUnreachableError if nothing answers, ChainError on an error reply.
    """
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ChainUnreachableError(f"no JSON-RPC answer from {url} to {method}: {exc}") from exc
    if not isinstance(reply, dict):
        raise ChainError(f"{url} sent a malformed JSON-RPC reply to {method}: {reply!r:.200}")
    if "error" in reply:
        raise ChainError(f"{method} failed on {url}: {reply['error']}")
    return reply.get("result")


# --------------------------------------------------------------------- process helpers


def _alive(pid: int, name: str = "anvil") -> bool:
    """True if `pid` is a live process running `name` (a zombie child counts as gone)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc_dir = Path(f"/proc/{pid}")
    if not proc_dir.is_dir():
        return True  # no procfs (macOS): trust the signal probe
    # Linux: a zombie is gone, and a recycled pid is not ours. An exiting process has an
    # empty cmdline but keeps its comm (and its port) until it becomes a zombie.
    try:
        stat = (proc_dir / "stat").read_text()
        cmdline = (proc_dir / "cmdline").read_bytes()
        comm, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
    except (OSError, ValueError, IndexError):
        return False
    if state in "ZX":  # the leader is a zombie, but its other threads may still hold the port
        if _any_task_running(proc_dir):
            return True
        _reap(pid)
        return False
    return name.encode() in cmdline or comm == name[:15]


def _reap(pid: int, timeout: float = 1.0) -> None:
    """Collect the exit status of a dead child of ours (no-op for other processes)."""
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ChildProcessError, OSError):
        while os.waitpid(pid, os.WNOHANG)[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)


def _any_task_running(proc_dir: Path) -> bool:
    for task in proc_dir.glob("task/*/stat"):
        with contextlib.suppress(OSError, IndexError):
            stat = task.read_text()
            if stat[stat.rindex(")") + 2] not in "ZX":
                return True
    return False


def _signal(pid: int, sig: int) -> None:
    """Signal anvil's process group (it leads its own session), or the pid alone."""
    with contextlib.suppress(ProcessLookupError):
        if hasattr(os, "killpg") and os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def _kill_popen(proc: subprocess.Popen[bytes]) -> None:
    _signal(proc.pid, signal.SIGKILL)
    proc.wait()


def _spawn_detached(argv: list[str], log: BinaryIO) -> int:
    """Start `argv` in its own session with output to `log`; return its pid.

    posix_spawn rather than Popen: the node is meant to outlive this process, and a
    Popen object would warn about a still-running child when collected.
    """
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
        (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
    ]
    return os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=actions, setsid=True)


def _poll_pid(pid: int) -> int | None:
    """Exit code of our child `pid` if it has exited (reaping it), else None."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None if _alive(pid) else -1
    return os.waitstatus_to_exitcode(status) if done == pid else None


def _kill_pid(pid: int) -> None:
    _signal(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _port_in_use(host: str, port: int) -> bool:
    """True if something listens on host:port (bind as anvil would, with SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, offset: int = 0, lines: int = 20) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(log is empty)"


def _client_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _wait_until_answering(
    poll: Callable[[], int | None],
    kill: Callable[[], None],
    url: str,
    chain_id: int,
    timeout: float,
    log: Path,
    offset: int,
) -> None:
    """Poll eth_chainId until anvil answers; raise NodeError with the log tail otherwise.

    `poll` returns the process's exit code once it has exited; `kill` ends and reaps it.
    """
    deadline = time.monotonic() + timeout
    while True:
        if (code := poll()) is not None:
            raise NodeError(
                f"anvil exited with code {code} while starting\n{_tail(log, offset)}",
                hint=_hint_from_log(log, offset),
            )
        try:
            answered = int(json_rpc(url, "eth_chainId", timeout=0.5), 16)
        except ChainError:
            answered = None
        if answered is not None:
            if answered != chain_id:
                kill()
                raise NodeError(f"{url} answers chain id {answered}, expected {chain_id}")
            return
        if time.monotonic() > deadline:
            kill()
            raise NodeError(
                f"anvil did not answer on {url} within {timeout:g} s\n{_tail(log, offset)}",
                hint=f"see {log}",
            )
        time.sleep(0.1)


def _hint_from_log(log: Path, offset: int) -> str:
    text = _tail(log, offset, lines=50)
    if "failed to parse json file" in text:
        return (
            "the state file is damaged (an interrupted write?); restore state.json.bak, saved at "
            "the last clean stop, or move state.json aside to start an empty chain"
        )
    if "Address already in use" in text:
        return "another program listens on that port; choose another with --port"
    return f"see {log}"


# --------------------------------------------------------------------- the local node


@dataclass(frozen=True)
class NodeStatus:
    """What `LocalNode.status` found."""

    running: bool
    pid: int | None
    url: str
    chain_id: int | None
    block_number: int | None
    state_file: Path
    log_file: Path

    def to_json(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "pid": self.pid,
            "url": self.url,
            "chain_id": self.chain_id,
            "block_number": self.block_number,
            "state_file": str(self.state_file),
            "log_file": str(self.log_file),
        }


class LocalNode:
    """One anvil node whose state, log and pid file live in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 8545,
        chain_id: int = 31337,
        *,
        state_interval: int = 1,
        anvil: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.chain_id = chain_id
        self.state_interval = state_interval
        self._anvil = anvil

    @property
    def state_file(self) -> Path:
        return self.data_dir / "state.json"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "anvil.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "anvil.pid"

    @property
    def url(self) -> str:
        return _client_url(self.host, self.port)

    def argv(self, anvil: Path) -> list[str]:
        return [
            str(anvil),
            "--host", self.host,
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--state", str(self.state_file),
            "--state-interval", str(self.state_interval),
        ]  # fmt: skip

    # The pid file holds JSON: the pid plus the URL and chain id the node was started
    # with, so `status` and `stop` find it whatever --port they are given.
    def _read_pid_file(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.pid_file.read_text())
            int(record["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if _alive(int(record["pid"]), Path(str(record.get("anvil", "anvil"))).name):
            return record
        self.pid_file.unlink(missing_ok=True)  # stale: the process is gone
        return None

    def start(self, timeout: float = 15) -> NodeStatus:
        """Start anvil in the background and wait until it answers JSON-RPC."""
        running = self._read_pid_file()
        if running:
            raise NodeError(
                f"anvil is already running for {self.data_dir} (pid {running['pid']}, {running['url']})",
                hint="stop it first with `notary node stop`",
            )
        if _port_in_use(self.host, self.port):
            raise NodeError(
                f"port {self.port} on {self.host} is already in use by another program",
                hint="choose another port with --port, or stop that program",
            )
        anvil = self._anvil or find_anvil()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            log.write(f"\n--- notary: starting anvil at {started}\n".encode())
            log.flush()
            offset = log.tell()
            try:
                pid = _spawn_detached(self.argv(anvil), log)
            except OSError as exc:
                raise NodeError(f"cannot run {anvil}: {exc}", hint=_INSTALL_HINT) from exc
        record = {"pid": pid, "url": self.url, "chain_id": self.chain_id, "anvil": str(anvil)}
        self.pid_file.write_text(json.dumps(record) + "\n")
        try:
            _wait_until_answering(
                lambda: _poll_pid(pid),
                lambda: _kill_pid(pid),
                self.url,
                self.chain_id,
                timeout,
                self.log_file,
                offset,
            )
        except NodeError:
            self.pid_file.unlink(missing_ok=True)
            raise
        return self.status()

    def stop(self, timeout: float = 10) -> bool:
        """Stop anvil (SIGTERM, so it dumps its state; SIGKILL as a last resort).

        Returns False if no node was running.
        """
        record = self._read_pid_file()
        if record is None:
            return False
        pid, name = int(record["pid"]), Path(str(record.get("anvil", "anvil"))).name
        _signal(pid, signal.SIGTERM)
        clean = self._wait_gone(pid, name, timeout)
        if not clean:
            _signal(pid, signal.SIGKILL)
            self._wait_gone(pid, name, 5)
        self.pid_file.unlink(missing_ok=True)
        if clean and self.state_file.is_file():
            # anvil rewrites state.json in place; keep the copy from a clean exit.
            shutil.copy2(self.state_file, self.state_file.with_suffix(".json.bak"))
        return True

    @staticmethod
    def _wait_gone(pid: int, name: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid, name):  # also reaps it if it is our child
                return True
            time.sleep(0.05)
        return not _alive(pid, name)

    def status(self) -> NodeStatus:
        """Report whether this data directory's anvil runs, and what it answers."""
        record = self._read_pid_file()
        url = str(record["url"]) if record else self.url
        chain_id = block_number = None
        if record:
            with contextlib.suppress(ChainError, ValueError, TypeError):
                chain_id = int(json_rpc(url, "eth_chainId", timeout=2), 16)
                block_number = int(json_rpc(url, "eth_blockNumber", timeout=2), 16)
        return NodeStatus(
            running=record is not None,
            pid=int(record["pid"]) if record else None,
            url=url,
            chain_id=chain_id,
            block_number=block_number,
            state_file=self.state_file,
            log_file=self.log_file,
        )


# --------------------------------------------------------------------- throwaway node


@contextlib.contextmanager
def ephemeral_anvil(*, chain_id: int = 31337, timeout: float = 15, anvil: Path | None = None) -> Iterator[str]:
    """Run an anvil without a state file on a free local port; yield its URL.

    The port is picked by binding to port 0; if another program grabs it before anvil
    does, a new port is tried (three attempts).
    """
    binary = anvil or find_anvil()
    with tempfile.TemporaryDirectory(prefix="notary-anvil-") as tmp:
        log_path = Path(tmp, "anvil.log")
        for attempt in range(3):
            port = _free_port()
            url = _client_url("127.0.0.1", port)
            argv = [
                str(binary),
                "--host", "127.0.0.1",
                "--port", str(port),
                "--chain-id", str(chain_id),
            ]  # fmt: skip
            with log_path.open("ab") as log:
                offset = log.tell()
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                _wait_until_answering(
                    proc.poll,
                    functools.partial(_kill_popen, proc),
                    url,
                    chain_id,
                    timeout,
                    log_path,
                    offset,
                )
                break
            except NodeError:
                if attempt == 2 or "Address already in use" not in _tail(log_path, offset):
                    raise
        try:
            yield url
        finally:
            _signal(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_popen(proc)
