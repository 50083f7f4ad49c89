"""The local node never loses its ledger: kill -9 at any moment, torn saves, restarts.

Real anvil, real SIGKILL, real files. The quick tier kills a handful of times; the deep
tier (`make test-deep`) kills 20 times under a load of transactions and reports the most
blocks and seconds one kill lost.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from notary.chain.node import LocalNode, find_anvil, json_rpc
from notary.chain.node_state import StateStore, dump_block, generations, recover, state_block
from notary.errors import ChainError, NodeError

INTERVAL = 0.2  # seconds between saves in these tests
# Init code that deploys a contract whose runtime code returns 42.
MARKER_INIT = "0x600a600c600039600a6000f3602a60005260206000f3"
MARKER_CODE = "0x602a60005260206000f3"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def anvil_or_skip() -> None:
    try:
        find_anvil()
    except NodeError as exc:
        pytest.skip(f"anvil is not available: {exc}")


@pytest.fixture
def node(tmp_path: Path) -> Iterator[LocalNode]:
    """A LocalNode saving every 0.2 s on a free port in a fresh data directory, stopped after."""
    anvil_or_skip()
    local = LocalNode(tmp_path / "anvil", port=free_port(), state_interval=INTERVAL)
    yield local
    local.stop()


def wait_receipt(url: str, tx: str) -> dict[str, str]:
    deadline = time.monotonic() + 10
    while (receipt := json_rpc(url, "eth_getTransactionReceipt", [tx])) is None:
        assert time.monotonic() < deadline, f"transaction {tx} was not mined"
        time.sleep(0.02)
    assert int(receipt["status"], 16) == 1
    return dict(receipt)


def deploy_marker(url: str) -> str:
    """Deploy the marker contract; return its address."""
    sender = json_rpc(url, "eth_accounts")[0]
    tx = json_rpc(url, "eth_sendTransaction", [{"from": sender, "data": MARKER_INIT}])
    return wait_receipt(url, tx)["contractAddress"]


def transfer(url: str) -> int:
    """One transfer between dev accounts (one block under automine); return its block number."""
    sender, recipient = json_rpc(url, "eth_accounts")[:2]
    tx = json_rpc(url, "eth_sendTransaction", [{"from": sender, "to": recipient, "value": "0x1"}])
    return int(wait_receipt(url, tx)["blockNumber"], 16)


def height(url: str) -> int:
    return int(json_rpc(url, "eth_blockNumber"), 16)


def durable_block(data_dir: Path) -> int:
    """The block of the newest complete generation on disk now (-1 if none)."""
    newest = next((g for g in generations(data_dir) if not g.legacy), None)
    return newest.block if newest and newest.block is not None else -1


def wait_saved(node: LocalNode, block: int) -> None:
    deadline = time.monotonic() + 10
    while durable_block(node.data_dir) < block:
        assert time.monotonic() < deadline, f"no generation reached block {block}"
        time.sleep(0.02)


def anvil_pid(supervisor: int) -> int:
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    assert len(children) == 1, f"the supervisor {supervisor} has children {children}"
    return int(children[0])


def node_pid(node: LocalNode) -> int:
    """The supervisor's pid from the pid file (status() would also ask the node, which may be frozen)."""
    return int(json.loads(node.pid_file.read_text())["pid"])


def kill_node(node: LocalNode, how: str) -> float:
    """SIGKILL the node (its process group, the supervisor alone, or anvil alone); wait until it is
    gone; return the monotonic time of the kill."""
    pid = node_pid(node)
    target = anvil_pid(pid) if how == "anvil" else pid
    killed_at = time.monotonic()
    if how == "group":
        os.killpg(pid, signal.SIGKILL)
    else:
        os.kill(target, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while node.status().running:
        assert time.monotonic() < deadline, "the killed node still runs"
        time.sleep(0.02)
    return killed_at


def temporaries(data_dir: Path) -> list[str]:
    return [name for name in os.listdir(data_dir) if name.endswith(".tmp")]


def kill_during_write(node: LocalNode, how: str, saves: int = 25) -> tuple[bool, float]:
    """SIGKILL the node (`group` or `supervisor`) while a save's temporary file is half written.

    When a temporary appears, the whole node is frozen (SIGSTOP) and the temporary looked
    for again: if it is still there the write is provably unfinished, and the kill lands
    mid-write; otherwise the node is thawed and the next save is tried. Returns whether a
    kill landed mid-write within `saves` attempts (it kills the node either way) and when.
    """
    pid = node_pid(node)
    assert how in ("group", "supervisor")
    for _ in range(saves):
        deadline = time.monotonic() + 5
        while not temporaries(node.data_dir):
            assert time.monotonic() < deadline, "no save started within 5 s"
            time.sleep(0.0005)  # leave the cores to the node: a busy loop here would slow its saves
        os.killpg(pid, signal.SIGSTOP)
        if temporaries(node.data_dir):
            return True, kill_node(node, how)  # SIGKILL also ends stopped processes
        os.killpg(pid, signal.SIGCONT)
    return False, kill_node(node, how)


@dataclass
class Load:
    """Transfers sent back to back from a thread; remembers when each block was mined."""

    url: str
    mined: dict[int, float] = field(default_factory=dict)  # block -> monotonic time seen
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Load:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.mined[transfer(self.url)] = time.monotonic()
            except (ChainError, AssertionError):
                return  # the node was killed

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=15)


# --------------------------------------------------------------------- generations on disk


def a_state(block: int, blocks: int | None = None) -> bytes:
    """A minimal state in anvil's compact shape, best block `block`, holding blocks 0..`blocks`."""
    held = [{"header": {"number": hex(n)}} for n in range(block + 1 if blocks is None else blocks + 1)]
    state = {"block": {"number": hex(block)}, "accounts": {}, "best_block_number": block, "blocks": held}
    return json.dumps(state, separators=(",", ":")).encode()


def test_store_writes_atomically_and_keeps_the_newest_generations(tmp_path: Path) -> None:
    """Each write is a complete file named by order and block; only the newest `keep` remain."""
    store = StateStore(tmp_path, keep=3)
    for block in range(5):
        store.write(a_state(block), block)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["state-00000002-block-2.json", "state-00000003-block-3.json", "state-00000004-block-4.json"]
    assert state_block((tmp_path / names[-1]).read_bytes()) == 4
    assert StateStore(tmp_path).write(a_state(9), 9).seq == 5  # a new store continues the order


def test_dump_block_reads_the_block_of_a_dump_without_a_full_parse() -> None:
    """The fast path finds best_block_number; a dump that is not an object, or lacks its best block, is refused."""
    assert dump_block(a_state(41)) == 41
    assert dump_block(b'{"block": {"number": "0x7"}, "accounts": {}, "blocks": []}') == 7  # no best_block_number
    with pytest.raises(ValueError, match="not an anvil state object"):
        dump_block(a_state(3)[:-1])
    with pytest.raises(ValueError, match="best block 4 is not among its blocks"):  # dumped mid-mining
        dump_block(a_state(4, blocks=3))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not JSON"),
        (b'{"block": {"number": ', "not JSON"),
        (b"[1, 2]", "not an anvil state object"),
        (b'{"block": {}, "accounts": {}}', "no blocks"),
        (b"\xff\xfe{}", "not UTF-8"),
        (a_state(7), "its name says block 8, it holds block 7"),
        (a_state(8, blocks=7), "inconsistent: its best block 8 is not among its blocks"),
        (a_state(8).replace(b'"number":"0x8"', b'"number":"0x7"', 1), "block environment is at block 7"),
    ],
)
def test_recover_skips_each_kind_of_damage(tmp_path: Path, content: bytes, reason: str) -> None:
    """A damaged newest generation is reported with its reason and the previous one is chosen."""
    store = StateStore(tmp_path)
    store.write(a_state(5), 5)
    damaged = store.write(a_state(8), 8).path
    damaged.write_bytes(content)
    recovery = recover(tmp_path)
    assert recovery.loaded is not None and recovery.loaded_block == 5
    assert [g.path.name for g, _ in recovery.damaged] == [damaged.name]
    assert reason in recovery.damaged[0][1]
    assert "LOST: blocks 6-8" in "\n".join(recovery.messages())
    assert not damaged.exists() and damaged.with_name(damaged.name + ".damaged").exists()


def test_recover_removes_a_cut_short_write_and_says_what_it_lost(tmp_path: Path) -> None:
    """A leftover temporary is removed; the blocks it had reached are reported lost."""
    StateStore(tmp_path).write(a_state(3), 3)
    (tmp_path / "state-00000001-block-11.json.tmp").write_bytes(a_state(11)[:10])
    recovery = recover(tmp_path)
    assert recovery.loaded_block == 3 and recovery.interrupted == (11,)
    assert temporaries(tmp_path) == []
    assert "LOST: blocks 4-11" in "\n".join(recovery.messages())


def test_recover_refuses_when_every_state_is_damaged(tmp_path: Path) -> None:
    """With state files but none intact, recovery raises instead of starting an empty chain."""
    (tmp_path / "state-00000000-block-2.json").write_bytes(b"{")
    (tmp_path / "state.json").write_bytes(b"")
    with pytest.raises(NodeError, match="every saved state") as info:
        recover(tmp_path)
    assert info.value.hint and "backup" in info.value.hint
    assert (tmp_path / "state-00000000-block-2.json").exists()  # left in place for a second look


# --------------------------------------------------------------------- real node, real SIGKILL


@pytest.mark.anvil
def test_kill_9_again_and_again_never_loses_the_ledger(node: LocalNode) -> None:
    """Eight SIGKILLs (group, supervisor, anvil; four in mid-save): the chain and its contract survive."""
    node.start()
    marker = deploy_marker(node.url)
    wait_saved(node, 1)  # the contract is durable: from here on no kill may lose it
    # (how to kill, whether to aim at a save in progress)
    ways = [("group", True), ("anvil", False), ("supervisor", True), ("group", False)] * 2
    mid_write = 0
    for how, aim in ways:
        with Load(node.url):
            time.sleep(random.uniform(0.05, 0.5))
            if aim:
                landed, _ = kill_during_write(node, how)
                assert landed and temporaries(node.data_dir), "no kill landed in the middle of a save"
                mid_write += 1
            else:
                kill_node(node, how)
        durable = durable_block(node.data_dir)
        status = node.start()
        assert temporaries(node.data_dir) == []
        assert status.block_number is not None and status.block_number >= durable >= 1
        assert json_rpc(node.url, "eth_getCode", [marker, "latest"]) == MARKER_CODE
        assert any("not stopped cleanly" in line for line in status.recovery)
        if aim:  # the cut-short save was removed and its blocks reported
            assert any("cut short" in line for line in status.recovery)
        transfer(node.url)  # the restarted chain takes new blocks
    print(f"\n{len(ways)} kills, {mid_write} during a save")


@pytest.mark.anvil
def test_torn_newest_generation_falls_back_to_the_previous_one(node: LocalNode) -> None:
    """A newest generation torn on disk is detected; the previous one is loaded and the loss is said."""
    node.start()
    marker = deploy_marker(node.url)
    wait_saved(node, 1)
    older = transfer(node.url)
    wait_saved(node, older)
    newest = transfer(node.url)
    wait_saved(node, newest)
    kill_node(node, "group")
    torn = next(g for g in generations(node.data_dir) if g.block == newest).path
    torn.write_bytes(torn.read_bytes()[: torn.stat().st_size // 2])

    status = node.start()
    assert status.block_number == older
    assert json_rpc(node.url, "eth_getCode", [marker, "latest"]) == MARKER_CODE
    text = "\n".join(status.recovery)
    assert f"{torn.name} is damaged (not JSON" in text
    assert f"LOST: block {newest}" in text
    assert torn.with_name(torn.name + ".damaged").exists()
    assert f"LOST: block {newest}" in node.log_file.read_text()


@pytest.mark.anvil
def test_clean_stop_saves_a_final_generation(tmp_path: Path) -> None:
    """With saves far apart, stop still writes the newest blocks, and start loads them."""
    anvil_or_skip()
    node = LocalNode(tmp_path / "anvil", port=free_port(), state_interval=3600)
    try:
        node.start()
        block = transfer(node.url)
        assert durable_block(node.data_dir) == -1
        assert node.stop() is True
        assert durable_block(node.data_dir) == block
        status = node.start()
        assert status.block_number == block
        assert not any("not stopped cleanly" in line for line in status.recovery)
    finally:
        node.stop()


@pytest.mark.anvil
def test_anvil_killed_alone_takes_the_supervisor_down(node: LocalNode) -> None:
    """If anvil dies, its supervisor exits too and says so; the next start resumes from the saves."""
    node.start()
    block = transfer(node.url)
    wait_saved(node, block)
    kill_node(node, "anvil")
    assert "anvil exited by itself" in node.log_file.read_text()
    assert node.start().block_number == block


def notary(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NOTARY_DATA_DIR": str(home), "NOTARY_CONFIG_DIR": str(home / "config")}
    command = [sys.executable, "-m", "notary.cli.app", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.anvil
def test_cli_reports_the_loss_and_refuses_an_empty_chain(tmp_path: Path) -> None:
    """`notary node start` prints what it lost after a torn save, and exits 4 if no state is intact."""
    anvil_or_skip()
    port = str(free_port())
    started = notary("node", "start", "--port", port, "--state-interval", "0.2", "--json", home=tmp_path)
    assert started.returncode == 0, started.stderr
    url = json.loads(started.stdout)["url"]
    data_dir = tmp_path / "anvil"
    try:
        node = LocalNode(data_dir, port=int(port))
        blocks = []
        for _ in range(2):
            blocks.append(transfer(url))
            wait_saved(node, blocks[-1])
        kill_node(node, "group")
        for g in generations(data_dir):
            if g.block == blocks[-1]:
                g.path.write_bytes(b"")

        again = notary("node", "start", "--port", port, home=tmp_path)
        assert again.returncode == 0, again.stderr
        assert f"LOST: block {blocks[-1]}" in again.stderr
        assert "Traceback" not in again.stderr
        assert height(url) == blocks[0]
        stopped = notary("node", "stop", "--json", home=tmp_path)
        assert stopped.returncode == 0 and json.loads(stopped.stdout)["saved_block"] == blocks[0]

        for g in generations(data_dir):
            g.path.write_bytes(b"{")
        refused = notary("node", "start", "--port", port, home=tmp_path)
        assert refused.returncode == 4
        assert "every saved state" in refused.stderr and "Traceback" not in refused.stderr
        assert not (data_dir / "anvil.pid").exists()
    finally:
        notary("node", "stop", home=tmp_path)


# --------------------------------------------------------------------- deep tier


@pytest.mark.deep
@pytest.mark.anvil
def test_twenty_kills_under_load_lose_at_most_the_last_seconds(tmp_path: Path) -> None:
    """20 SIGKILLs under a transaction load (10 aimed at a save), default 1 s saves: the most one kill lost."""
    anvil_or_skip()
    node = LocalNode(tmp_path / "anvil", port=free_port())
    try:
        _twenty_kills(node)
    finally:
        node.stop()


def _twenty_kills(node: LocalNode) -> None:
    node.start()
    marker = deploy_marker(node.url)
    wait_saved(node, 1)  # the contract is durable: from here on no kill may lose it
    worst_blocks = worst_seconds = 0.0
    mid_write = 0
    blocks_per_kill: list[int] = []
    worst_kill = "none"
    ways = [("group", True), ("anvil", False), ("supervisor", True), ("group", False)] * 5
    for how, aim in ways:
        with Load(node.url) as load:
            time.sleep(random.uniform(0.5, 2.5))
            if aim:
                landed, killed_at = kill_during_write(node, how)
                mid_write += landed
            else:
                killed_at = kill_node(node, how)
        durable = durable_block(node.data_dir)
        status = node.start()
        assert status.block_number is not None and status.block_number >= durable
        assert json_rpc(node.url, "eth_getCode", [marker, "latest"]) == MARKER_CODE
        lost = [b for b in load.mined if b > status.block_number]
        worst_blocks = max(worst_blocks, len(lost))
        if lost and killed_at - load.mined[min(lost)] > worst_seconds:
            worst_seconds, worst_kill = killed_at - load.mined[min(lost)], f"{how}{' mid-save' if aim else ''}"
        blocks_per_kill.append(len(load.mined))
    interval = node.state_interval
    started = time.perf_counter()  # what one save costs on the final chain, against the interval
    raw = gzip.decompress(bytes.fromhex(json_rpc(node.url, "anvil_dumpState", timeout=60)[2:]))
    bench = node.data_dir.parent / "bench"
    bench.mkdir()
    StateStore(bench).write(raw, dump_block(raw))
    save = time.perf_counter() - started
    slow = [line.split(": ", 1)[1] for line in node.log_file.read_text().splitlines() if "a save took" in line]
    slowest = slow[-1] if slow else "within the interval"
    print(
        f"\n{len(ways)} kills ({mid_write} during a save), chain at block {height(node.url)}, "
        f"{sum(blocks_per_kill) / len(ways):.0f} blocks mined between kills on average; "
        f"save interval {interval:g} s: at most {worst_blocks:.0f} blocks lost by one kill, the oldest of them "
        f"mined {worst_seconds:.2f} s ({worst_seconds / interval:.2f} x the interval) before the kill ({worst_kill}); "
        f"one save of the final {len(raw) / 1e6:.1f} MB state took {save / interval:.2f} x the interval "
        f"(with the load stopped); slowest save under load: {slowest}"
    )
