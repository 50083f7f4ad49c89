"""Starting an agent in the background (`notary agent start`), as ssh-agent forks itself."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from notary.agent import sockets
from notary.agent.errors import AgentError, from_answer
from notary.agent.ttl import check_ttl

#: How long `start` waits for the new agent to say it listens (its start-up imports eth-account).
START_TIMEOUT = 30.0


def launch(path: Path, ttl: int) -> dict[str, Any]:
    """Start `python -m notary.agent.server` detached (own session, no terminal); its ready line.

    Raises the agent's own error (unsafe folder, an agent already there, ...) if it could not listen.
    """
    check_ttl(ttl)
    sockets.check_path_length(path)
    sockets.prepare_folder(path)  # the folder's errors are raised here, in the user's process
    proc = subprocess.Popen(
        [sys.executable, "-m", "notary.agent.server", "--socket", str(path), "--ttl", str(ttl)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
        env={k: v for k, v in os.environ.items() if k != "NOTARY_PASSWORD"},
    )
    assert proc.stdout is not None
    line = _first_line(proc, START_TIMEOUT)
    proc.stdout.close()
    try:
        message = json.loads(line) if line else {}
    except json.JSONDecodeError:
        message = {}
    if isinstance(message.get("ready"), dict):
        return dict(message["ready"])
    error = message.get("error") if isinstance(message.get("error"), dict) else None
    if error is None:
        proc.kill()
        status = proc.wait(timeout=5)
        raise AgentError(
            f"the key agent did not start (exit status {status}, no ready line within {START_TIMEOUT:g} s)",
            hint="run `python -m notary.agent.server --socket PATH --ttl 900 --foreground` to see why",
        )
    proc.wait(timeout=5)
    raise from_answer(error, "the key agent did not start")


def _first_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The child's first line of output, or "" if it exits or stays silent for `timeout` seconds."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0].decode(errors="replace")
