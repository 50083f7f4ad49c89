"""Process helpers for the local node: is a pid ours and alive, signal, spawn, ports.

Private to `notary.chain.node` and its supervisor.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import BinaryIO


def alive(pid: int, name: str = "anvil") -> bool:
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
        reap(pid)
        return False
    return name.encode() in cmdline or comm == name[:15]


def reap(pid: int, timeout: float = 1.0) -> None:
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


def signal_group(pid: int, sig: int) -> None:
    """Signal anvil's process group (it leads its own session), or the pid alone."""
    with contextlib.suppress(ProcessLookupError):
        if hasattr(os, "killpg") and os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def kill_popen(proc: subprocess.Popen[bytes]) -> None:
    signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def spawn_detached(argv: list[str], log: BinaryIO, env: dict[str, str] | None = None) -> int:
    """Start `argv` in its own session with output to `log`; return its pid.

    posix_spawn rather than Popen: the node is meant to outlive this process, and a
    Popen object would warn about a still-running child when collected.
    """
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
        (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
    ]
    environment = dict(os.environ) if env is None else env
    return os.posix_spawn(argv[0], argv, environment, file_actions=actions, setsid=True)


def poll_pid(pid: int) -> int | None:
    """Exit code of our child `pid` if it has exited (reaping it), else None."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None if alive(pid) else -1
    return os.waitstatus_to_exitcode(status) if done == pid else None


def kill_pid(pid: int) -> None:
    signal_group(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def port_in_use(host: str, port: int) -> bool:
    """True if something listens on host:port (bind as anvil would, with SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
