"""`notary.chain.hardhat`: find Hardhat, run a throwaway node, stop it, fail with its log."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardhat_helpers import HARDHAT_CLIENT, require_hardhat

from notary.chain import hardhat
from notary.chain._process import port_in_use
from notary.chain.hardhat import HardhatInstall, ephemeral_hardhat, find_hardhat
from notary.chain.node import json_rpc
from notary.errors import ChainUnreachableError, NodeError

#: The first dev account of the "test test … junk" mnemonic, anvil's and Hardhat's alike.
FIRST_DEV_ACCOUNT = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"


def test_the_session_node_is_hardhat_on_chain_31337_with_anvils_dev_accounts(hardhat_url: str) -> None:
    """The node the reused tests get is Hardhat (not anvil), chain 31337, the same funded dev accounts."""
    assert str(json_rpc(hardhat_url, "web3_clientVersion")).startswith(HARDHAT_CLIENT)
    assert int(json_rpc(hardhat_url, "eth_chainId"), 16) == 31337
    accounts = json_rpc(hardhat_url, "eth_accounts")
    assert accounts[0].lower() == FIRST_DEV_ACCOUNT
    assert int(json_rpc(hardhat_url, "eth_getBalance", [accounts[0], "latest"]), 16) > 10**21


def test_a_throwaway_node_answers_on_loopback_and_is_gone_after(tmp_path: Path) -> None:
    """ephemeral_hardhat yields a 127.0.0.1 URL that answers; on exit the node stops and its port is free."""
    require_hardhat()
    with ephemeral_hardhat() as url:
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        assert int(json_rpc(url, "eth_blockNumber"), 16) == 0
    with pytest.raises(ChainUnreachableError):
        json_rpc(url, "eth_chainId", timeout=1)
    assert not port_in_use("127.0.0.1", port)  # nothing listens there any more


def test_a_node_that_dies_while_starting_is_a_node_error_with_its_log(tmp_path: Path) -> None:
    """A Hardhat that exits at once: NodeError naming hardhat, its exit code and the last lines it printed."""
    require_hardhat()
    real = find_hardhat()
    broken = tmp_path / "cli.js"
    broken.write_text('console.error("HH8: There is one or more errors in your config file"); process.exit(7);\n')
    with (
        pytest.raises(NodeError, match="hardhat exited with code 7") as info,
        ephemeral_hardhat(install=HardhatInstall(real.node, broken, real.config), timeout=30),
    ):
        pass
    assert "errors in your config file" in info.value.message


def test_without_hardhat_the_error_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing above the current folder or the package: NodeError whose hint is `npm install`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(hardhat, "__file__", str(tmp_path / "site-packages" / "notary" / "chain" / "hardhat.py"))
    with pytest.raises(NodeError, match="Hardhat not found") as info:
        find_hardhat()
    assert info.value.hint is not None and "npm install" in info.value.hint


def test_the_tests_skip_without_hardhat_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """require_hardhat turns a missing Hardhat into a skip whose reason names `npm install`."""

    def missing() -> HardhatInstall:
        raise NodeError("Hardhat not found (looked for …)", hint=hardhat.INSTALL_HINT)

    monkeypatch.setattr(hardhat, "find_hardhat", missing)
    with pytest.raises(pytest.skip.Exception, match=r"Hardhat is not available: .*npm install"):
        require_hardhat()
