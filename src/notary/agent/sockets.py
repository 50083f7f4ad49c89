"""Where the agent's socket lives and who may open it.

The socket sits in a folder of mode 0700 owned by the user, and is itself mode 0600; on
every connection both ends read the peer's uid from the kernel (SO_PEERCRED) and refuse
another user's process. Only Linux reports peer credentials this way: elsewhere the check
fails closed.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import struct
from pathlib import Path

from notary.agent.errors import AgentPeerError, AgentUnsafePathError
from notary.errors import ConfigError

#: The environment variable that points commands at an agent.
ENV = "NOTARY_AGENT_SOCK"
SOCKET_NAME = "agent.sock"
#: sun_path holds 108 bytes on Linux, the terminating NUL included.
MAX_PATH_BYTES = 107


def default_socket(data_dir: Path) -> Path:
    """`$XDG_RUNTIME_DIR/notary-agent/agent.sock` (a per-user tmpfs), else `<data dir>/agent/agent.sock`."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "notary-agent" / SOCKET_NAME
    return data_dir / "agent" / SOCKET_NAME


def check_path_length(path: Path) -> None:
    if len(os.fsencode(str(path))) > MAX_PATH_BYTES:
        raise ConfigError(
            f"socket path {path} is {len(os.fsencode(str(path)))} bytes long; a Unix socket path holds at most "
            f"{MAX_PATH_BYTES}",
            hint="give a shorter --socket PATH",
        )


def prepare_folder(path: Path) -> Path:
    """Create the socket's folder (mode 0700) if missing; refuse one that other users can open."""
    folder = path.parent
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # made meanwhile: checked below like any other
            folder.mkdir(mode=0o700)
    check_folder(folder)
    return folder


def check_folder(folder: Path) -> None:
    """The folder is a real directory (not a link), owned by this user, closed to group and others."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        raise AgentUnsafePathError(f"the agent's folder {folder} does not exist") from None
    if not stat.S_ISDIR(info.st_mode):
        raise AgentUnsafePathError(
            f"{folder} is not a directory (a symbolic link or a file)",
            hint="give --socket a path in a folder of your own, mode 0700",
        )
    if info.st_uid != os.getuid():
        raise AgentUnsafePathError(
            f"the agent's folder {folder} belongs to uid {info.st_uid}, not to you (uid {os.getuid()})",
            hint="give --socket a path in a folder of your own, mode 0700",
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise AgentUnsafePathError(
            f"the agent's folder {folder} has mode {mode:04o}: other users could open the socket",
            hint=f"chmod 700 {folder}, or give --socket a path in a folder only you can open",
        )


def check_socket_file(path: Path) -> None:
    """A file already at the socket path is this user's own socket (which a new agent may replace)."""
    info = os.lstat(path)
    if not stat.S_ISSOCK(info.st_mode):
        raise AgentUnsafePathError(f"{path} exists and is not a socket", hint="remove it, or give another --socket")
    if info.st_uid != os.getuid():
        raise AgentUnsafePathError(f"the socket {path} belongs to uid {info.st_uid}, not to you (uid {os.getuid()})")


def peer_credentials(conn: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end of a connected Unix socket, from the kernel."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        raise AgentPeerError(
            "this system does not report a socket peer's user (SO_PEERCRED)",
            hint="the key agent runs on Linux only",
        )
    raw = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return pid, uid, gid


def check_peer(conn: socket.socket, expected_uid: int | None = None, role: str = "connected to") -> int:
    """The peer's pid, if it runs as `expected_uid` (default: this process's uid); else AgentPeerError.

    `role` says where the peer is: "connected to" the agent's socket (the agent's check) or
    "listening on" it (the client's)."""
    want = os.getuid() if expected_uid is None else expected_uid
    pid, uid, _ = peer_credentials(conn)
    if uid != want:
        raise AgentPeerError(
            f"the process {role} the agent's socket (pid {pid}) runs as uid {uid}, not uid {want}: refused",
            hint="only the agent's own user may use it; check NOTARY_AGENT_SOCK points at your own agent",
        )
    return pid
