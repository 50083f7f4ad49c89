"""`notary agent …` as separate processes: the background agent, its socket's permissions, expiry, stop,
stale sockets, the `--json` forms, and (as root) a process of another uid kept out."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from agent_helpers import (
    alive,
    base_env,
    make_key,
    notary,
    notary_json,
    password_file,
    poll,
    running_agent,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return base_env(home)


def test_start_prints_the_socket_and_how_to_use_it_with_safe_permissions(home: Path, env: dict[str, str]) -> None:
    """A background agent on a 0600 socket in a 0700 folder; human, --json and --sh forms agree."""
    sock = home / "run" / "agent.sock"
    with running_agent(env, sock, "--ttl", "20m") as info:
        assert info["socket"] == str(sock)
        assert info["env"] == {"NOTARY_AGENT_SOCK": str(sock)}
        assert (info["ttl"], info["alreadyRunning"]) == (1200, False)
        assert alive(info["pid"]) and info["pid"] != os.getpid()
        assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
        assert stat.S_ISSOCK(sock.stat().st_mode) and stat.S_IMODE(sock.stat().st_mode) == 0o600
        again = notary(env, "agent", "start", "--socket", str(sock))
        assert f"already runs at {sock} (pid {info['pid']})" in again.stdout
        assert f"export NOTARY_AGENT_SOCK={sock}" in again.stdout
        assert (
            notary(env, "agent", "start", "--socket", str(sock), "--sh").stdout == f"export NOTARY_AGENT_SOCK={sock}\n"
        )
        shell = subprocess.run(
            ["sh", "-c", f'eval "$(notary agent start --socket {sock} --sh)"; echo "$NOTARY_AGENT_SOCK"'],
            env={**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"},
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert shell.stdout.strip() == str(sock), shell.stderr


def test_the_default_socket_is_in_the_notary_data_folder(home: Path, env: dict[str, str]) -> None:
    info = notary_json(env, "agent", "start", "--ttl", "5m")
    try:
        assert info["socket"] == str(home / "data" / "agent" / "agent.sock")
    finally:
        notary(env, "agent", "stop", "--socket", info["socket"])


def test_start_refuses_a_folder_others_can_open(home: Path, env: dict[str, str]) -> None:
    folder = home / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    done = notary(env, "agent", "start", "--socket", str(folder / "agent.sock"), expect=3)
    assert "mode 0777: other users could open the socket" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (folder / "agent.sock").exists()


def test_add_list_remove_and_their_json(home: Path, env: dict[str, str]) -> None:
    """A key unlocked once is held with its address and expiry; removed, it is gone."""
    address = make_key(home, "fra")
    sock = home / "a" / "agent.sock"
    with running_agent(env, sock):
        flags = ("--socket", str(sock))
        held = notary_json(
            env, "agent", "add", "fra", "--ttl", "10m", "--password-file", str(password_file(home)), *flags
        )
        assert (held["name"], held["address"], held["socket"]) == ("fra", address, str(sock))
        listed = notary_json(env, "agent", "list", *flags)
        assert listed["keys"] == [{"name": "fra", "address": address, "expiresAt": held["expiresAt"]}]
        human = notary(env, "agent", "list", *flags).stdout
        assert "fra" in human and address in human
        assert "(in 9m" in human or "(in 10m" in human
        gone = notary_json(env, "agent", "remove", "fra", *flags)
        assert (gone["name"], gone["removed"]) == ("fra", True)
        assert notary_json(env, "agent", "list", *flags)["keys"] == []
        missing = notary(env, "agent", "remove", "fra", *flags, expect=3)
        assert "does not hold key 'fra'" in missing.stderr


def test_add_refuses_a_ttl_above_the_maximum_before_asking_for_the_password(home: Path, env: dict[str, str]) -> None:
    make_key(home, "fra")
    sock = home / "a" / "agent.sock"
    with running_agent(env, sock):
        done = notary(env, "agent", "add", "fra", "--ttl", "9h", "--socket", str(sock), expect=3)
        assert "longer than the agent's maximum of 8h" in done.stderr
        assert "Password" not in done.stderr
    refused = notary(env, "agent", "start", "--ttl", "12h", "--socket", str(sock), expect=3)
    assert "maximum of 8h" in refused.stderr


def test_add_with_a_wrong_password_hands_nothing_to_the_agent(home: Path, env: dict[str, str]) -> None:
    make_key(home, "fra")
    sock = home / "a" / "agent.sock"
    wrong = home / "wrong"
    wrong.write_text("not the password\n")
    with running_agent(env, sock):
        done = notary(env, "agent", "add", "fra", "--password-file", str(wrong), "--socket", str(sock), expect=3)
        assert "wrong password for key 'fra'" in done.stderr
        assert notary_json(env, "agent", "list", "--socket", str(sock))["keys"] == []


def test_a_key_is_forgotten_at_its_ttl(home: Path, env: dict[str, str]) -> None:
    """A key held for 1 s disappears from the agent's list (polled: no clock is asserted)."""
    make_key(home, "fra")
    sock = home / "a" / "agent.sock"
    flags = ("--socket", str(sock))
    with running_agent(env, sock, "--ttl", "10m") as info:
        notary(env, "agent", "add", "fra", "--ttl", "1s", "--password-file", str(password_file(home)), *flags)
        assert poll(lambda: notary_json(env, "agent", "list", *flags)["keys"] == [])
        assert alive(info["pid"])  # holding no key before its own TTL, it stays
        done = notary(env, "agent", "remove", "fra", *flags, expect=3)
        assert "the agent's hold on key 'fra' expired at" in done.stderr


def test_an_agent_holding_no_key_exits_after_its_own_ttl(home: Path, env: dict[str, str]) -> None:
    sock = home / "a" / "agent.sock"
    with running_agent(env, sock, "--ttl", "1s") as info:
        assert poll(lambda: not alive(info["pid"]))
        assert not sock.exists()


def test_stop_wipes_the_keys_and_ends_the_agent(home: Path, env: dict[str, str]) -> None:
    make_key(home, "fra")
    make_key(home, "sgp")
    sock = home / "a" / "agent.sock"
    flags = ("--socket", str(sock))
    with running_agent(env, sock) as info:
        for name in ("fra", "sgp"):
            notary(env, "agent", "add", name, "--password-file", str(password_file(home)), *flags)
        stopped = notary_json(env, "agent", "stop", *flags)
        assert stopped == {"socket": str(sock), "stopped": True, "forgot": 2}
        assert not sock.exists()
        assert poll(lambda: not alive(info["pid"]))
        done = notary(env, "agent", "list", *flags, expect=3)
        assert "no key agent at" in done.stderr and "notary agent start" in done.stderr


def test_a_killed_agent_leaves_a_stale_socket_that_is_reported_and_replaced(home: Path, env: dict[str, str]) -> None:
    sock = home / "a" / "agent.sock"
    with running_agent(env, sock) as info:
        os.kill(info["pid"], signal.SIGKILL)
        assert poll(lambda: not alive(info["pid"]))
        assert sock.exists()
        done = notary(env, "agent", "list", "--socket", str(sock), expect=3)
        assert "is stale: its agent has exited" in done.stderr and "hint:" in done.stderr
        with running_agent(env, sock) as fresh:
            assert fresh["alreadyRunning"] is False and fresh["pid"] != info["pid"]
            assert notary_json(env, "agent", "list", "--socket", str(sock))["keys"] == []


def test_sigterm_removes_the_socket(home: Path, env: dict[str, str]) -> None:
    sock = home / "a" / "agent.sock"
    with running_agent(env, sock) as info:
        os.kill(info["pid"], signal.SIGTERM)
        assert poll(lambda: not sock.exists())


_RAW_PING = """
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(sys.argv[1])
except PermissionError:
    print("EACCES"); sys.exit()
body = b'{"v":1,"op":"list"}'
try:
    s.sendall(struct.pack(">I", len(body)) + body)
    print("ANSWER" if s.recv(4) else "CLOSED")
except (ConnectionResetError, BrokenPipeError):
    print("CLOSED")
"""


@pytest.mark.skipif(os.getuid() != 0, reason="running a client as another uid needs root")
def test_a_process_of_another_uid_is_kept_out(env: dict[str, str]) -> None:
    """uid 65534 cannot open the 0600 socket; with the modes opened up, the agent's SO_PEERCRED check
    still closes the connection without an answer."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="notary-agent-uid-") as tmp:
        os.chmod(tmp, 0o755)  # so uid 65534 can reach the agent's folder inside
        sock = Path(tmp) / "a" / "agent.sock"

        def as_nobody() -> str:
            done = subprocess.run(
                ["/usr/bin/python3", "-I", "-c", _RAW_PING, str(sock)], user=65534, group=65534,
                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, cwd="/",
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        with running_agent(env, sock):
            assert as_nobody() == "EACCES"  # the folder (0700) and the socket (0600)
            sock.parent.chmod(0o755)
            sock.chmod(0o666)
            assert as_nobody() == "CLOSED"  # the peer check
            sock.parent.chmod(0o700)
            assert notary_json(env, "agent", "list", "--socket", str(sock))["keys"] == []  # its own user still in
