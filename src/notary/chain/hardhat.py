"""Hardhat's node: a second, independent node implementation, for the tests (issue 11).

The client must not be tied to one node's quirks, so the node-backed suite also runs
against `hardhat node` (Nomic Foundation's EDR, written apart from anvil). Hardhat is an
npm dev dependency of the project (package.json); its configuration is
`tools/hardhat/hardhat.config.js` (chain id 31337, automine, no sources, no network).

`ephemeral_hardhat` runs a throwaway node on a free loopback port and yields its URL once
it answers `eth_chainId`. Nothing here imports web3: JSON-RPC is spoken with urllib.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from notary.chain._process import free_port, kill_popen, signal_group
from notary.chain.node import _client_url, _tail, _wait_until_answering
from notary.errors import NodeError

__all__ = ["HardhatInstall", "ephemeral_hardhat", "find_hardhat"]

INSTALL_HINT = "run `npm install` in the project (Hardhat is a dev dependency in package.json)"
_CLI = Path("node_modules", "hardhat", "internal", "cli", "cli.js")
_CONFIG = Path("tools", "hardhat", "hardhat.config.js")
#: Keeps Hardhat from asking about telemetry (it would wait for an answer) and from reporting.
_QUIET_ENV = {"HARDHAT_DISABLE_TELEMETRY_PROMPT": "true", "CI": "true", "NO_COLOR": "1"}


@dataclass(frozen=True)
class HardhatInstall:
    """Where Hardhat is: Node.js, Hardhat's command-line script and the project's config."""

    node: Path
    cli: Path
    config: Path

    def argv(self, port: int, host: str = "127.0.0.1") -> list[str]:
        return [
            str(self.node), str(self.cli), "node",
            "--config", str(self.config),
            "--hostname", host,
            "--port", str(port),
        ]  # fmt: skip


def find_hardhat() -> HardhatInstall:
    """Locate Node.js, then a project folder holding both Hardhat and its config, above the
    current directory or the notary package; raise NodeError saying how to install it."""
    node = shutil.which("node")
    if node is None:
        raise NodeError("Node.js (`node`) is not on PATH, and Hardhat runs on it", hint="install Node.js 20 or newer")
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for directory in (start, *start.parents):
            cli, config = directory / _CLI, directory / _CONFIG
            if cli.is_file() and config.is_file():
                return HardhatInstall(Path(node), cli, config)
    raise NodeError(
        f"Hardhat not found (looked for {_CLI.as_posix()} beside {_CONFIG.as_posix()} above the current "
        "directory and the notary package)",
        hint=INSTALL_HINT,
    )


@contextlib.contextmanager
def ephemeral_hardhat(
    *, chain_id: int = 31337, timeout: float = 90, install: HardhatInstall | None = None
) -> Iterator[str]:
    """Run `hardhat node` on a free local port; yield its URL; stop it on exit.

    Hardhat starts slowly (seconds, more on a loaded machine), hence the long timeout. The
    port is picked by binding to port 0; if another program grabs it first, a new one is
    tried (three attempts). Its log is kept in a temporary folder and shown if it fails.
    """
    hardhat = install or find_hardhat()
    env = {**os.environ, **_QUIET_ENV}
    with tempfile.TemporaryDirectory(prefix="notary-hardhat-") as tmp:
        log_path = Path(tmp, "hardhat.log")
        for attempt in range(3):
            port = free_port()
            url = _client_url("127.0.0.1", port)
            with log_path.open("ab") as log:
                offset = log.tell()
                proc = subprocess.Popen(
                    hardhat.argv(port),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=hardhat.config.parent,
                    env=env,
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
                    name="hardhat",
                )
                break
            except NodeError:
                if proc.poll() is None:
                    kill_popen(proc)
                if attempt == 2 or "EADDRINUSE" not in _tail(log_path, offset, lines=50):
                    raise
        try:
            yield url
        finally:
            signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill_popen(proc)
