"""A local anvil node run for the user: find the binary, start, stop, report status.

`LocalNode` keeps one anvil per data directory, and its ledger survives any kill.
anvil never writes the state itself (its `--state` file is rewritten in place, so a kill
mid-write used to lose the whole ledger). Instead `start` runs a small supervisor
(`notary.chain.node_supervisor`) that starts anvil as its child and, every
`state_interval` seconds, saves anvil's state (`anvil_dumpState`) as a new generation,
written atomically and rotated (`notary.chain.node_state`). So:

* a SIGKILL of the node (supervisor, anvil or both) or a power loss loses at most the
  blocks of the last `state_interval` seconds plus one save, never the whole ledger;
* `start` removes temporaries left by a cut-short save, loads the newest intact
  generation (`--load-state`), falls back to an older one if the newest is damaged, and
  says which blocks were lost; it refuses to start an empty chain over damaged state;
* `stop` sends SIGTERM to the supervisor, which saves a final generation, then stops anvil.

`ephemeral_anvil` runs a throwaway node (no state file) on a free port, for tests.
Nothing here imports web3: JSON-RPC is spoken with urllib.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import notary
from notary.chain._process import (
    alive,
    free_port,
    kill_pid,
    kill_popen,
    poll_pid,
    port_in_use,
    signal_group,
    spawn_detached,
)
from notary.chain.node_state import clear_clean_stop, latest_generation, recover, stopped_cleanly
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
    *,
    name: str = "anvil",
) -> None:
    """Poll eth_chainId until the node (`name`: anvil, hardhat) answers; raise NodeError with
    the log tail otherwise.

    `poll` returns the process's exit code once it has exited; `kill` ends and reaps it.
    """
    deadline = time.monotonic() + timeout
    while True:
        if (code := poll()) is not None:
            raise NodeError(
                f"{name} exited with code {code} while starting\n{_tail(log, offset)}",
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
                f"{name} did not answer on {url} within {timeout:g} s\n{_tail(log, offset)}",
                hint=f"see {log}",
            )
        time.sleep(0.1)


def _hint_from_log(log: Path, offset: int) -> str:
    text = _tail(log, offset, lines=50)
    if "failed to parse json file" in text:
        return (
            "anvil could not read the saved state it was given; move that generation aside "
            "(the next start falls back to the previous one)"
        )
    if "Address already in use" in text:
        return "another program listens on that port; choose another with --port"
    return f"see {log}"


# --------------------------------------------------------------------- the local node

_SUPERVISOR = "notary.chain.node_supervisor"


@dataclass(frozen=True)
class NodeStatus:
    """What `LocalNode.status` found (and, after `start`, what recovering the state said)."""

    running: bool
    pid: int | None
    url: str
    chain_id: int | None
    block_number: int | None
    state_file: Path | None  # the newest saved generation, None before the first save
    log_file: Path
    saved_block: int | None = None  # the block the newest generation reached
    saved_age: float | None = None  # seconds since it was written
    recovery: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "pid": self.pid,
            "url": self.url,
            "chain_id": self.chain_id,
            "block_number": self.block_number,
            "state_file": str(self.state_file) if self.state_file else None,
            "saved_block": self.saved_block,
            "saved_seconds_ago": round(self.saved_age, 3) if self.saved_age is not None else None,
            "log_file": str(self.log_file),
            "recovery": list(self.recovery),
        }


class LocalNode:
    """One supervised anvil node whose state generations, log and pid file live in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 8545,
        chain_id: int = 31337,
        *,
        state_interval: float = 1,
        generations: int = 3,
        anvil: Path | None = None,
    ) -> None:
        if not state_interval > 0:
            raise NodeError(f"the state interval must be positive, not {state_interval}")
        if generations < 2:
            raise NodeError(f"keep at least 2 state generations (a fallback), not {generations}")
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.chain_id = chain_id
        self.state_interval = state_interval
        self.generations = generations
        self._anvil = anvil

    @property
    def state_file(self) -> Path | None:
        """The newest saved generation (by name), or None."""
        newest = latest_generation(self.data_dir)
        return newest.path if newest else None

    @property
    def log_file(self) -> Path:
        return self.data_dir / "anvil.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "anvil.pid"

    @property
    def url(self) -> str:
        return _client_url(self.host, self.port)

    def argv(self, anvil: Path, load_state: Path | None = None) -> list[str]:
        """anvil's command line: no --state (the supervisor saves), --load-state if given."""
        argv = [
            str(anvil),
            "--host", self.host,
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
        ]  # fmt: skip
        return [*argv, "--load-state", str(load_state)] if load_state else argv

    def supervisor_argv(self, anvil: Path, load_state: Path | None = None) -> list[str]:
        return [
            sys.executable, "-m", _SUPERVISOR,
            "--data-dir", str(self.data_dir),
            "--url", self.url,
            "--interval", f"{self.state_interval:g}",
            "--keep", str(self.generations),
            "--", *self.argv(anvil, load_state),
        ]  # fmt: skip

    # The pid file holds JSON: the supervisor's pid plus the URL and chain id the node was
    # started with, so `status` and `stop` find it whatever --port they are given. A record
    # without "process" is an anvil started directly by an older notary.
    def _read_pid_file(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.pid_file.read_text())
            int(record["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if alive(int(record["pid"]), _process_name(record)):
            return record
        self.pid_file.unlink(missing_ok=True)  # stale: the process is gone
        return None

    def start(self, timeout: float = 15) -> NodeStatus:
        """Recover the saved state, start the supervised anvil and wait until it answers."""
        running = self._read_pid_file()
        if running:
            raise NodeError(
                f"anvil is already running for {self.data_dir} (pid {running['pid']}, {running['url']})",
                hint="stop it first with `notary node stop`",
            )
        clean = stopped_cleanly(self.data_dir)
        killed = not clean and latest_generation(self.data_dir) is not None
        self._wait_port_free(2.0 if killed else 0.0)  # a killed node's anvil may take a moment to go
        anvil = self._anvil or find_anvil()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        recovery = recover(self.data_dir)
        messages = recovery.messages()
        if not clean and recovery.loaded is not None and not recovery.loaded.legacy:
            messages.append(
                f"the node was not stopped cleanly: blocks it mined after block {recovery.loaded_block}, "
                "within one save interval before it stopped, are lost if there were any"
            )
        load = recovery.loaded.path if recovery.loaded else None
        with self.log_file.open("ab") as log:
            started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            log.write(f"\n--- notary: starting anvil at {started}\n".encode())
            log.writelines(f"--- notary: {line}\n".encode() for line in messages)
            log.flush()
            offset = log.tell()
            clear_clean_stop(self.data_dir)
            try:
                pid = spawn_detached(self.supervisor_argv(anvil, load), log, env=_supervisor_env())
            except OSError as exc:
                raise NodeError(f"cannot run {sys.executable}: {exc}", hint=_INSTALL_HINT) from exc
        record = {
            "pid": pid,
            "process": _SUPERVISOR,
            "url": self.url,
            "chain_id": self.chain_id,
            "anvil": str(anvil),
            "state_interval": self.state_interval,
        }
        self.pid_file.write_text(json.dumps(record) + "\n")
        try:
            _wait_until_answering(
                lambda: poll_pid(pid),
                lambda: kill_pid(pid),
                self.url,
                self.chain_id,
                timeout,
                self.log_file,
                offset,
            )
        except NodeError:
            self.pid_file.unlink(missing_ok=True)
            raise
        return dataclasses.replace(self.status(), recovery=tuple(messages))

    def _wait_port_free(self, grace: float) -> None:
        """Refuse a port another program holds; a killed node's anvil gets `grace` s to let go."""
        deadline = time.monotonic() + grace
        while port_in_use(self.host, self.port):
            if time.monotonic() >= deadline:
                raise NodeError(
                    f"port {self.port} on {self.host} is already in use by another program",
                    hint="choose another port with --port, or stop that program",
                )
            time.sleep(0.05)

    def stop(self, timeout: float = 30) -> bool:
        """Stop the node: SIGTERM to the supervisor, which saves a final generation and stops
        anvil (SIGKILL to both as a last resort). Returns False if no node was running."""
        record = self._read_pid_file()
        if record is None:
            return False
        pid, name = int(record["pid"]), _process_name(record)
        if record.get("process") == _SUPERVISOR:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # the supervisor alone: anvil must answer its last dump
        else:
            signal_group(pid, signal.SIGTERM)
        clean = self._wait_gone(pid, name, timeout)
        if not clean:
            signal_group(pid, signal.SIGKILL)
            self._wait_gone(pid, name, 5)
        self.pid_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def _wait_gone(pid: int, name: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive(pid, name):  # also reaps it if it is our child
                return True
            time.sleep(0.05)
        return not alive(pid, name)

    def status(self) -> NodeStatus:
        """Report whether this data directory's node runs, what it answers, and its newest save."""
        record = self._read_pid_file()
        url = str(record["url"]) if record else self.url
        chain_id = block_number = None
        if record:
            with contextlib.suppress(ChainError, ValueError, TypeError):
                chain_id = int(json_rpc(url, "eth_chainId", timeout=2), 16)
                block_number = int(json_rpc(url, "eth_blockNumber", timeout=2), 16)
        newest = latest_generation(self.data_dir)
        saved_age = None
        if newest is not None:
            with contextlib.suppress(OSError):
                saved_age = max(0.0, time.time() - newest.path.stat().st_mtime)
        return NodeStatus(
            running=record is not None,
            pid=int(record["pid"]) if record else None,
            url=url,
            chain_id=chain_id,
            block_number=block_number,
            state_file=newest.path if newest else None,
            log_file=self.log_file,
            saved_block=newest.block if newest else None,
            saved_age=saved_age,
        )


def _process_name(record: dict[str, Any]) -> str:
    return str(record.get("process") or Path(str(record.get("anvil", "anvil"))).name)


def _supervisor_env() -> dict[str, str]:
    """The environment with this notary package importable by a fresh interpreter."""
    env = dict(os.environ)
    root = str(Path(notary.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


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
            port = free_port()
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
                    functools.partial(kill_popen, proc),
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
            signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill_popen(proc)
