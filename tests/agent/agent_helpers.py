"""Run `notary agent …` and other `notary` commands as separate processes, isolated from the user's setup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

NOTARY = shutil.which("notary", path=str(Path(sys.executable).parent)) or "notary"
PASSWORD = "agent test passphrase"
#: Generous bounds for polling a background process (never asserted: a slow machine waits longer).
POLL_LIMIT = 60.0


def base_env(home: Path) -> dict[str, str]:
    """The user's environment without any notary setting, pointed at `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_") and k != "XDG_RUNTIME_DIR"}
    env.update({"NOTARY_CONFIG_DIR": str(home / "config"), "NOTARY_DATA_DIR": str(home / "data"), "COLUMNS": "200"})
    return env


def notary(env: dict[str, str], *args: str, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
    """`notary ARGS` with stdin closed (no password can be typed); checks the exit code unless `expect` is None."""
    done = subprocess.run(
        [NOTARY, *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180
    )
    if expect is not None:
        assert done.returncode == expect, f"notary {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def notary_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(notary(env, *args, "--json").stdout)


def make_key(home: Path, name: str, private_key: bytes | None = None) -> str:
    """A keystore file for `name` with a cheap scrypt cost (the file stays a standard scrypt keystore)."""
    from eth_account import Account

    account = Account.from_key(private_key) if private_key is not None else Account.create()
    folder = home / "config" / "keystore"
    folder.mkdir(parents=True, exist_ok=True)
    body = Account.encrypt(account.key, PASSWORD, kdf="scrypt", iterations=2**10)
    (folder / f"{name}.json").write_text(json.dumps(body))
    (folder / f"{name}.json").chmod(0o600)
    return str(account.address)


def password_file(home: Path) -> Path:
    path = home / "password"
    path.write_text(PASSWORD + "\n")
    return path


def poll(condition: Callable[[], bool], limit: float = POLL_LIMIT) -> bool:
    """Whether `condition` became true before `limit` seconds (a bound against hanging, not a speed check)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its new parent) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@contextmanager
def running_agent(env: dict[str, str], socket: Path, *flags: str) -> Iterator[dict[str, Any]]:
    """`notary agent start --socket SOCKET FLAGS --json`; stopped (or killed) on the way out."""
    info = notary_json(env, "agent", "start", "--socket", str(socket), *flags)
    try:
        yield info
    finally:
        if alive(int(info["pid"])):
            notary(env, "agent", "stop", "--socket", str(socket), expect=None)
        if alive(int(info["pid"])):
            os.kill(int(info["pid"]), 9)
