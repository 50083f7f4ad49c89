"""Connections: the in-process chain (eth-tester + py-evm) or any JSON-RPC node."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import Wei

from notary.errors import ChainIdMismatchError, ChainUnreachableError, ConfigError

IN_PROCESS = "in-process"
DEV_FUNDING_WEI = 10**18  # 1 ether on development chains: anvil's dev account holds 10,000


@dataclass
class Chain:
    """A live connection. `tester` is set for the in-process chain only."""

    w3: Web3
    chain_id: int
    url: str
    tester: Any = field(default=None, repr=False)

    @property
    def is_in_process(self) -> bool:
        return self.tester is not None

    def latest_timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def block_number(self) -> int:
        return int(self.w3.eth.block_number)

    def has_code(self, address: str) -> bool:
        """Whether a contract is deployed at `address`."""
        return bool(self.w3.eth.get_code(Web3.to_checksum_address(address)))

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(Web3.to_checksum_address(address)))

    def block_timestamp(self, number: int) -> int:
        return int(self.w3.eth.get_block(number)["timestamp"])

    def gas_used(self, tx_hash: str) -> int:
        return int(self.w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])  # type: ignore[arg-type]

    def fund(self, address: str, wei: int = DEV_FUNDING_WEI) -> None:
        """Give `address` gas money from the node's first unlocked account (dev chains only)."""
        accounts = self.w3.eth.accounts
        if not accounts:
            raise ConfigError(
                f"the node at {self.url} has no unlocked account to fund {address} from",
                hint="fund the relayer account yourself, or use the in-process chain or anvil",
            )
        tx = self.w3.eth.send_transaction(
            {"from": accounts[0], "to": Web3.to_checksum_address(address), "value": Wei(wei)}
        )
        self.w3.eth.wait_for_transaction_receipt(tx, timeout=30)

    def time_travel(self, timestamp: int) -> None:
        """Move the in-process chain's clock forward (tests and demos)."""
        if self.tester is None:
            self.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
            self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        else:
            self.tester.time_travel(timestamp)


def in_process() -> Chain:
    """A fresh in-process chain (eth-tester, py-evm); nothing to start, gone at exit."""
    from eth_tester import EthereumTester, PyEVMBackend

    tester = EthereumTester(PyEVMBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    return Chain(w3=w3, chain_id=int(w3.eth.chain_id), url=IN_PROCESS, tester=tester)


def rpc(url: str, expected_chain_id: int | None = None, timeout: float = 10.0) -> Chain:
    """Connect to a JSON-RPC node, checking it answers and serves the expected chain."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:  # requests/aiohttp/OS errors all mean the same to the user
        raise ChainUnreachableError(
            f"RPC {url} not reachable ({type(exc).__name__})",
            hint="start a local node with `notary node start`, or check NOTARY_RPC_URL",
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainIdMismatchError(
            f"RPC {url} serves chain {chain_id}, but the deployment is on chain {expected_chain_id}",
            hint="point NOTARY_RPC_URL at the node of that chain, or use that chain's manifest",
        )
    return Chain(w3=w3, chain_id=chain_id, url=url)


def connect(url: str, expected_chain_id: int | None = None) -> Chain:
    """`in-process` for the embedded chain, else a JSON-RPC URL."""
    return in_process() if url == IN_PROCESS else rpc(url, expected_chain_id)
