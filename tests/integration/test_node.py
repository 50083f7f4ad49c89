"""The local anvil node: start, stop, status, and state that survives a restart (kills: test_node_durability)."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from notary.chain.node import LocalNode, ephemeral_anvil, find_anvil, json_rpc
from notary.errors import ChainUnreachableError, NodeError

pytestmark = pytest.mark.anvil

ONE_ETHER = 10**18


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def node(tmp_path: Path) -> Iterator[LocalNode]:
    """A LocalNode on a free port in a fresh data directory, stopped after the test."""
    try:
        find_anvil()
    except NodeError as exc:
        pytest.skip(f"anvil is not available: {exc}")
    local = LocalNode(tmp_path / "anvil", port=free_port())
    yield local
    local.stop()


def transfer(url: str, wei: int) -> tuple[str, str]:
    """Send `wei` from anvil's first dev account to its second; return (tx hash, recipient)."""
    sender, recipient = json_rpc(url, "eth_accounts")[:2]
    tx = json_rpc(url, "eth_sendTransaction", [{"from": sender, "to": recipient, "value": hex(wei)}])
    deadline = time.monotonic() + 10
    while (receipt := json_rpc(url, "eth_getTransactionReceipt", [tx])) is None:
        assert time.monotonic() < deadline, f"transaction {tx} was not mined"
        time.sleep(0.05)
    assert int(receipt["status"], 16) == 1
    return tx, recipient


def balance(url: str, address: str) -> int:
    return int(json_rpc(url, "eth_getBalance", [address, "latest"]), 16)


def test_state_survives_stop_and_start(node: LocalNode) -> None:
    """A transfer made before stop is still there, with its block, after start."""
    status = node.start()
    assert status.running and status.pid is not None
    assert status.chain_id == 31337
    assert status.block_number == 0
    assert status.url == f"http://127.0.0.1:{node.port}"

    tx, recipient = transfer(node.url, ONE_ETHER)
    before = balance(node.url, recipient)
    assert node.status().block_number == 1

    assert node.stop() is True
    after_stop = node.status()
    assert not after_stop.running and after_stop.pid is None and after_stop.block_number is None
    assert not node.pid_file.exists()
    assert node.state_file is not None and node.state_file.name.endswith("-block-1.json")
    assert after_stop.saved_block == 1

    restarted = node.start()
    assert restarted.running and restarted.chain_id == 31337
    assert restarted.block_number == 1
    assert balance(node.url, recipient) == before
    assert json_rpc(node.url, "eth_getTransactionReceipt", [tx])["blockNumber"] == "0x1"
    assert node.stop() is True


def test_state_interval_saves_state_before_a_crash(node: LocalNode) -> None:
    """With --state-interval, a node killed with SIGKILL keeps blocks older than the interval."""
    pid = node.start().pid
    assert pid is not None
    _, recipient = transfer(node.url, ONE_ETHER)
    expected = balance(node.url, recipient)
    time.sleep(node.state_interval + 1.0)
    os.kill(pid, signal.SIGKILL)

    deadline = time.monotonic() + 5
    while node.status().running:  # until the killed process is gone
        assert time.monotonic() < deadline, "the killed node still runs"
        time.sleep(0.05)
    assert not node.pid_file.exists()
    node.start()
    assert balance(node.url, recipient) == expected
    assert node.status().block_number == 1


def test_start_twice_is_refused(node: LocalNode) -> None:
    """A second start for the same data directory raises NodeError and leaves the first alone."""
    first = node.start()
    with pytest.raises(NodeError, match="already running"):
        LocalNode(node.data_dir, port=free_port()).start()
    assert node.status().pid == first.pid


def test_status_finds_the_node_whatever_port_is_asked(node: LocalNode) -> None:
    """status and stop use the pid file's URL, not the port they were constructed with."""
    node.start()
    other = LocalNode(node.data_dir, port=1)
    assert other.status().url == node.url
    assert other.status().chain_id == 31337
    assert other.stop() is True
    assert node.status().running is False


def test_port_taken_by_another_program_is_refused(node: LocalNode) -> None:
    """Start refuses a port some other program listens on, naming the port."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", node.port))
        squatter.listen()
        with pytest.raises(NodeError, match=f"port {node.port}"):
            node.start()
    assert not node.pid_file.exists()


def test_stop_when_not_running_returns_false(node: LocalNode) -> None:
    """Stopping a data directory without a node reports False."""
    assert node.stop() is False


def test_stale_pid_file_is_cleaned_up(node: LocalNode) -> None:
    """A pid file whose process is gone reads as not running and is removed."""
    node.data_dir.mkdir(parents=True)
    pid = os.fork()  # a pid that surely names no process: a reaped child
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    node.pid_file.write_text(json.dumps({"pid": pid, "url": node.url, "chain_id": 31337}))
    assert node.status().running is False
    assert not node.pid_file.exists()
    assert node.stop() is False


def test_damaged_state_file_is_refused_with_a_hint(node: LocalNode) -> None:
    """A truncated state.json (written by an older notary) and nothing else: start refuses, with a hint."""
    node.data_dir.mkdir(parents=True)
    legacy = node.data_dir / "state.json"
    legacy.write_text('{"block": {"number": ')
    with pytest.raises(NodeError, match="every saved state .* is damaged") as info:
        node.start()
    assert info.value.hint is not None and "backup" in info.value.hint
    assert not node.pid_file.exists()
    assert legacy.read_text() == '{"block": {"number": '


def test_state_json_of_an_older_notary_is_loaded(node: LocalNode) -> None:
    """A data directory from before generations (state.json) starts with its chain, then saves generations."""
    node.start()
    _, recipient = transfer(node.url, ONE_ETHER)
    expected = balance(node.url, recipient)
    node.stop()
    assert node.state_file is not None
    node.state_file.rename(node.data_dir / "state.json")

    status = node.start()
    assert status.block_number == 1 and balance(node.url, recipient) == expected
    assert "loaded state.json (block 1)" in status.recovery
    node.stop()
    assert node.state_file is not None and node.state_file.name.startswith("state-")


def test_find_anvil_rejects_missing_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """NOTARY_ANVIL naming a file that does not exist raises NodeError with a hint."""
    monkeypatch.setenv("NOTARY_ANVIL", str(tmp_path / "no-such-anvil"))
    with pytest.raises(NodeError, match="NOTARY_ANVIL") as info:
        find_anvil()
    assert info.value.hint


def test_find_anvil_honours_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """NOTARY_ANVIL naming an executable wins over every other location."""
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("NOTARY_ANVIL", str(fake))
    assert find_anvil() == fake


def test_find_anvil_finds_the_npm_platform_binary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without an override, the binary of the project's npm platform package is found."""
    monkeypatch.delenv("NOTARY_ANVIL", raising=False)
    monkeypatch.chdir(tmp_path)  # only the walk up from the package's own location can succeed
    found = find_anvil()
    assert found.parts[-5:-3] == ("node_modules", "@foundry-rs") or found.name == "anvil"
    assert os.access(found, os.X_OK)


def test_ephemeral_anvil_answers_then_goes_away() -> None:
    """ephemeral_anvil yields a live node on a free port and terminates it on exit."""
    try:
        find_anvil()
    except NodeError as exc:
        pytest.skip(f"anvil is not available: {exc}")
    with ephemeral_anvil() as url:
        assert int(json_rpc(url, "eth_chainId"), 16) == 31337
        _, recipient = transfer(url, 1)
        assert int(json_rpc(url, "eth_blockNumber"), 16) == 1
    with pytest.raises(ChainUnreachableError):
        json_rpc(url, "eth_chainId", timeout=1)


def test_anvil_url_fixture_serves_dev_accounts(anvil_url: str) -> None:
    """The session's shared anvil has anvil's ten funded dev accounts (first: the well-known one); a test
    that impersonated an account earlier in the session adds it after them."""
    accounts = json_rpc(anvil_url, "eth_accounts")
    assert len(accounts) >= 10 and accounts[0].lower() == "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert balance(anvil_url, accounts[9]) > 0
