"""The agent's parts in one process: TTL bounds, framing, the peer check, folder permissions, the key ring,
and the signing interface the callers use (`ledger.sign`, `sign_transaction`) through a real socket."""

from __future__ import annotations

import os
import socket
import stat
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from notary import eip712, ledger
from notary.agent import protocol, sockets
from notary.agent.client import AgentClient
from notary.agent.errors import (
    AgentKeyHeldError,
    AgentKeyMissingError,
    AgentPeerError,
    AgentRefusedError,
    AgentStaleSocketError,
    AgentUnreachableError,
    AgentUnsafePathError,
)
from notary.agent.keyring import KeyRing
from notary.agent.server import AgentServer
from notary.agent.signer import AgentAccount, agent_account
from notary.agent.ttl import DEFAULT_TTL, MAX_TTL, duration_text, parse_ttl
from notary.errors import InvalidInputError
from notary.models import Notarisation

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


# --------------------------------------------------------------------- TTL


@pytest.mark.parametrize(("text", "seconds"), [("15m", 900), ("2h", 7200), ("1h30m", 5400), ("90s", 90), ("45", 45)])
def test_ttls_read_as_people_write_them(text: str, seconds: int) -> None:
    """Durations in h, m, s (or plain seconds) become seconds."""
    assert parse_ttl(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "15x", "-5m", "0", "0s", "8h1s", "9h", "1d"])
def test_a_ttl_outside_the_bounds_or_unreadable_is_an_input_error(text: str) -> None:
    """Zero, anything above the 8 h maximum, and non-durations are refused with a hint."""
    with pytest.raises(InvalidInputError) as caught:
        parse_ttl(text)
    assert caught.value.hint


def test_the_bounds_are_fifteen_minutes_by_default_and_eight_hours_at_most() -> None:
    assert (DEFAULT_TTL, MAX_TTL) == (900, 28800)
    assert parse_ttl("8h") == MAX_TTL
    assert [duration_text(s) for s in (28800, 900, 5400, 45, 125, 0)] == ["8h", "15m", "1h 30m", "45s", "2m 5s", "0s"]


# --------------------------------------------------------------------- framing


def _pair() -> tuple[socket.socket, socket.socket]:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.settimeout(5)
    b.settimeout(5)
    return a, b


def test_a_frame_round_trips_with_bytes_as_hex() -> None:
    a, b = _pair()
    with a, b:
        protocol.send(a, {"op": "ping", "data": b"\x01\xff"})
        assert protocol.receive(b) == {"op": "ping", "data": "0x01ff"}


def test_an_oversized_frame_is_refused_before_it_is_read() -> None:
    """A length header above the limit is refused without reading (or allocating) the body."""
    a, b = _pair()
    with a, b:
        a.sendall(struct.pack(">I", protocol.MAX_MESSAGE + 1))
        with pytest.raises(AgentRefusedError, match="exceeds the agent's limit"):
            protocol.receive(b)
    with pytest.raises(AgentRefusedError, match="the limit is"):
        protocol.encode({"data": "x" * protocol.MAX_MESSAGE})


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b"\xff\xfe"])
def test_a_frame_that_is_not_a_json_object_is_refused(body: bytes) -> None:
    a, b = _pair()
    with a, b:
        a.sendall(struct.pack(">I", len(body)) + body)
        with pytest.raises(AgentRefusedError, match="not a JSON object|not JSON"):
            protocol.receive(b)


def test_a_truncated_frame_is_refused() -> None:
    a, b = _pair()
    with b:
        a.sendall(struct.pack(">I", 10) + b"{}")
        a.close()
        with pytest.raises(AgentRefusedError, match="closed after 2 of 10 bytes"):
            protocol.receive(b)


# --------------------------------------------------------------------- the peer check (SO_PEERCRED)


def test_the_peer_check_passes_this_user_and_names_the_peer_pid() -> None:
    a, b = _pair()
    with a, b:
        assert sockets.check_peer(a) == os.getpid()
        assert sockets.peer_credentials(b)[1] == os.getuid()


def test_the_peer_check_refuses_a_process_of_another_uid() -> None:
    """A peer whose kernel-reported uid is not the expected one is refused with a hint."""
    a, b = _pair()
    with a, b, pytest.raises(AgentPeerError, match=f"runs as uid {os.getuid()}, not uid {os.getuid() + 1}"):
        sockets.check_peer(a, expected_uid=os.getuid() + 1)


# --------------------------------------------------------------------- folder and socket permissions


def test_the_socket_folder_is_made_mode_0700(tmp_path: Path) -> None:
    folder = sockets.prepare_folder(tmp_path / "deep" / "agent" / "agent.sock")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o701, 0o1777])
def test_a_folder_others_can_open_is_refused(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(AgentUnsafePathError, match="other users could open the socket") as caught:
        sockets.prepare_folder(folder / "agent.sock")
    assert "chmod 700" in str(caught.value.hint)


def test_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(AgentUnsafePathError, match="not a directory"):
        sockets.check_folder(tmp_path / "link")


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder to another uid needs root")
def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    with pytest.raises(AgentUnsafePathError, match="belongs to uid 65534"):
        sockets.check_folder(folder)


def test_a_socket_path_too_long_for_the_kernel_is_a_config_error(tmp_path: Path) -> None:
    from notary.errors import ConfigError

    with pytest.raises(ConfigError, match="holds at most 107"):
        sockets.check_path_length(tmp_path / ("x" * 120) / "agent.sock")


# --------------------------------------------------------------------- the key ring


def test_a_key_is_forgotten_at_its_expiry_and_the_refusal_says_when() -> None:
    now = [1_000.0]
    ring = KeyRing(60, clock=lambda: now[0])
    held = ring.add("fra", KEY, 30)
    assert ring.get("fra").account.address == held.account.address
    now[0] += 30
    assert ring.held() == []
    with pytest.raises(AgentKeyMissingError, match="expired at") as caught:
        ring.get("fra")
    assert caught.value.hint == "add it again: notary agent add fra"


def test_the_ring_refuses_bad_names_keys_and_ttls() -> None:
    ring = KeyRing(60)
    with pytest.raises(AgentRefusedError, match="not valid"):
        ring.add("../etc", KEY, None)
    with pytest.raises(AgentRefusedError, match="not a valid secp256k1"):
        ring.add("fra", bytes(32), None)
    with pytest.raises(InvalidInputError, match="longer than the agent's maximum"):
        ring.add("fra", KEY, MAX_TTL + 1)
    with pytest.raises(AgentKeyMissingError, match=r"holds: none"):
        ring.get("sgp")


# --------------------------------------------------------------------- a real server on a real socket


@pytest.fixture
def served(tmp_path: Path) -> Iterator[AgentServer]:
    """An agent server bound in a temp folder, serving in a thread of this process."""
    server = AgentServer(tmp_path / "agent" / "agent.sock", 600)
    server.bind()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server
    if server.path.exists():
        AgentClient(server.path).stop()
    thread.join(10)
    assert not thread.is_alive()


def test_the_bound_socket_is_mode_0600_in_a_0700_folder(served: AgentServer) -> None:
    assert stat.S_IMODE(os.stat(served.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(served.path.parent).st_mode) == 0o700


def test_the_agent_signs_what_ledger_sign_signs_without_giving_out_the_key(served: AgentServer) -> None:
    """`ledger.sign` through the agent gives the very bytes `eip712.sign` gives with the key itself."""
    client = AgentClient(served.path)
    client.add("fra", KEY, None)
    account = agent_account(served.path, "fra")
    local = Account.from_key(KEY)
    assert account.address == local.address
    payload = Notarisation(
        digest=bytes(range(32)), hash_algorithm=b"sha256".ljust(32, b"\0"), kind=b"mou".ljust(32, b"\0"),
        party=b"FRA".ljust(32, b"\0"), parties=(b"FRA".ljust(32, b"\0"),), quorum=1, supersedes=bytes(32),
        metadata_hash=bytes(32), ratification_required=False, deadline=2_000_000_000,
    )  # fmt: skip
    domain = eip712.Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    expected = eip712.sign(payload, domain, KEY)
    assert ledger.sign(payload, domain, local).signature == expected  # the library path, key in process
    assert ledger.sign(payload, domain, account).signature == expected  # the agent path
    with pytest.raises(AgentKeyHeldError, match="never gives out the key"):
        _ = account.key
    with pytest.raises(AgentKeyHeldError):
        bytes(account)


def test_the_agent_signs_a_transaction_as_the_key_would(served: AgentServer) -> None:
    AgentClient(served.path).add("fra", KEY, None)
    account = agent_account(served.path, "fra")
    local = Account.from_key(KEY)
    tx = {
        "from": local.address, "to": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "value": 0, "nonce": 7,
        "gas": 100_000, "maxFeePerGas": 2 * 10**9, "maxPriorityFeePerGas": 10**9, "chainId": 31337,
        "data": "0x" + "ab" * 100,
    }  # fmt: skip
    mine, theirs = local.sign_transaction(tx), account.sign_transaction(tx)
    assert (theirs.raw_transaction, theirs.hash, theirs.v) == (mine.raw_transaction, mine.hash, mine.v)
    with pytest.raises(AgentRefusedError, match="could not sign the transaction"):
        account.sign_transaction({**tx, "from": "0x0000000000000000000000000000000000000001"})


def test_requests_the_agent_refuses_come_back_as_typed_errors(served: AgentServer) -> None:
    client = AgentClient(served.path)
    with pytest.raises(AgentKeyMissingError, match="does not hold key 'nobody'"):
        client.sign_hash("nobody", bytes(32))
    client.add("fra", KEY, None)
    with pytest.raises(AgentRefusedError, match="must be 32 bytes"):
        client.request("sign-hash", name="fra", hash="0x00")
    with pytest.raises(AgentRefusedError, match="unknown agent operation 'export'"):
        client.request("export", name="fra")
    with pytest.raises(AgentRefusedError, match="protocol version"):
        client.request("ping", v=2)
    assert [k["name"] for k in client.list_keys()] == ["fra"]
    assert client.remove("fra")["address"] == Account.from_key(KEY).address
    assert client.list_keys() == []


def test_stop_forgets_every_key_and_removes_the_socket(served: AgentServer) -> None:
    client = AgentClient(served.path)
    client.add("fra", KEY, None)
    client.add("sgp", bytes.fromhex("11" * 32), None)
    assert client.stop() == {"forgot": 2}
    for _ in range(200):
        if not served.path.exists():
            break
        threading.Event().wait(0.05)
    assert not served.path.exists()
    assert len(served.keys) == 0
    with pytest.raises(AgentUnreachableError, match="no such socket"):
        client.ping()


def test_a_socket_whose_agent_has_gone_is_reported_stale(tmp_path: Path) -> None:
    folder = tmp_path / "agent"
    folder.mkdir(mode=0o700)
    path = folder / "agent.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays, nothing listens
    with pytest.raises(AgentStaleSocketError, match="stale") as caught:
        AgentClient(path).ping()
    assert "notary agent start" in str(caught.value.hint)
    server = AgentServer(path, 60)  # a new agent replaces the stale socket
    server.bind()
    server.close()


def test_an_agent_account_of_a_key_never_added_is_missing(served: AgentServer) -> None:
    with pytest.raises(AgentKeyMissingError, match="does not hold key 'fra'"):
        agent_account(served.path, "fra")
    assert isinstance(AgentAccount(AgentClient(served.path), "x", Account.from_key(KEY).address).address, str)


# --------------------------------------------------------------------- context.unlock: agent first, keystore after


@pytest.fixture
def keystore_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A keystore with key 'fra' (the KEY above) in an isolated notary home; the password in the environment."""
    from agent_helpers import PASSWORD, make_key

    from notary.cli import context

    for name in [n for n in os.environ if n.startswith("NOTARY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NOTARY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NOTARY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NOTARY_PASSWORD", PASSWORD)
    make_key(tmp_path, "fra", KEY)
    context.reset()
    return tmp_path


def test_unlock_uses_the_agent_when_it_holds_the_key(
    keystore_home: Path, served: AgentServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from notary.cli import context

    AgentClient(served.path).add("fra", KEY, None)
    monkeypatch.setenv("NOTARY_AGENT_SOCK", str(served.path))
    monkeypatch.delenv("NOTARY_PASSWORD")  # no password is needed
    account = context.unlock("fra", None)
    assert isinstance(account, AgentAccount) and account.address == Account.from_key(KEY).address
    assert capsys.readouterr().err == ""


def test_unlock_falls_back_to_the_keystore_with_a_one_line_notice(
    keystore_home: Path, served: AgentServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agent lacking the key, one holding another key under the name, and no agent at all: each a notice."""
    from notary.cli import context

    monkeypatch.setenv("NOTARY_AGENT_SOCK", str(served.path))
    account = context.unlock("fra", None)
    assert not isinstance(account, AgentAccount) and account.key == KEY
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"notice: the key agent at {served.path} does not hold key 'fra'")

    AgentClient(served.path).add("fra", bytes.fromhex("22" * 32), None)  # another key under the same name
    assert context.unlock("fra", None).key == KEY
    assert "the keystore's is " + Account.from_key(KEY).address in capsys.readouterr().err

    monkeypatch.setenv("NOTARY_AGENT_SOCK", str(keystore_home / "none" / "agent.sock"))
    assert context.unlock("fra", None).key == KEY
    assert capsys.readouterr().err.startswith("notice: no key agent at ")


def test_unlock_refuses_an_agent_running_as_another_user(
    keystore_home: Path, served: AgentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A peer of another uid is an error, not a fallback: someone else's process listens there."""
    from notary.cli import context

    AgentClient(served.path).add("fra", KEY, None)
    monkeypatch.setenv("NOTARY_AGENT_SOCK", str(served.path))
    real = sockets.peer_credentials
    with monkeypatch.context() as patched, pytest.raises(AgentPeerError, match="process listening on the agent's"):
        patched.setattr(sockets, "peer_credentials", lambda conn: (lambda p, u, g: (p, u + 1, g))(*real(conn)))
        context.unlock("fra", None)


def test_an_agent_already_listening_is_not_replaced(served: AgentServer) -> None:
    from notary.agent.errors import AgentRunningError

    with pytest.raises(AgentRunningError, match="already listens"):
        AgentServer(served.path, 60).bind()
    assert AgentClient(served.path).ping()["pid"] == os.getpid()


def test_a_file_at_the_socket_path_is_not_taken_for_a_socket(tmp_path: Path) -> None:
    folder = tmp_path / "agent"
    folder.mkdir(mode=0o700)
    (folder / "agent.sock").write_text("not a socket")
    with pytest.raises(AgentUnsafePathError, match="is not a socket"):
        AgentServer(folder / "agent.sock", 60).bind()
    with pytest.raises(AgentUnreachableError, match="is not a socket"):
        AgentClient(folder / "agent.sock").ping()


def test_the_agent_process_refuses_core_dumps_and_ptrace() -> None:
    """After `harden()`, the process is not dumpable (no ptrace or /proc/PID/mem by the same user) and
    writes no core file."""
    import subprocess
    import sys

    code = (
        "import ctypes, resource\n"
        "from notary.agent.server import harden\n"
        "harden()\n"
        "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0), resource.getrlimit(resource.RLIMIT_CORE))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split("\n")[0] == "0 (0, 0)"
