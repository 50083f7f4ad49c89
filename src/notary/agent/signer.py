"""`AgentAccount`: what `notary.cli.context.unlock` returns when the key agent holds the key.

It stands in for eth-account's `LocalAccount` wherever the code signs: `address`,
`unsafe_sign_hash` (the EIP-712 digest that `notary.ledger.sign` signs) and
`sign_transaction` (what `notary.chain.tx.send` calls) are forwarded to the agent, which
signs and answers; the private key never leaves the agent. Anything that needs the key
itself (`key`, `encrypt`, `bytes(account)`) raises `AgentKeyHeldError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from eth_account.datastructures import SignedMessage, SignedTransaction
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, Hash32, HexAddress, HexStr
from hexbytes import HexBytes

from notary.agent import protocol, sockets
from notary.agent.client import AgentClient
from notary.agent.errors import AgentKeyHeldError, AgentKeyMissingError, AgentRefusedError


class AgentAccount(LocalAccount):
    """A key held by the agent at `client.path` under `name`, with its address."""

    def __init__(self, client: AgentClient, name: str, address: str) -> None:  # no key: LocalAccount's is not called
        self.client = client
        self.name = name
        self._agent_address = ChecksumAddress(HexAddress(HexStr(address)))

    def __repr__(self) -> str:
        return f"AgentAccount({self.name!r}, {self._agent_address}, agent={str(self.client.path)!r})"

    @property
    def address(self) -> ChecksumAddress:
        return self._agent_address

    @property
    def key(self) -> NoReturn:  # type: ignore[override]
        raise AgentKeyHeldError(
            f"key {self.name!r} is held by the key agent, which signs digests and transactions but never gives "
            "out the key",
            hint=f"unset {sockets.ENV} to unlock the key from the keystore for this command",
        )

    def __bytes__(self) -> bytes:
        return self.key

    def unsafe_sign_hash(self, message_hash: Hash32 | bytes) -> SignedMessage:
        digest = bytes(message_hash)
        signature = self.client.sign_hash(self.name, digest)
        self._check(digest, signature)
        r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
        return SignedMessage(HexBytes(digest), r, s, v, HexBytes(signature))

    def sign_transaction(self, transaction_dict: Any, blobs: Any = None) -> SignedTransaction:
        if blobs is not None:
            raise AgentRefusedError("the key agent does not sign blob transactions")
        result = self.client.sign_transaction(self.name, dict(transaction_dict))
        raw = protocol.hex_bytes(result.get("rawTransaction"), "the agent's signed transaction")
        tx_hash = protocol.hex_bytes(result.get("hash"), "the agent's transaction hash", 32)
        r, s, v = (result.get(k) for k in ("r", "s", "v"))
        if not (isinstance(r, int) and isinstance(s, int) and isinstance(v, int)):
            raise AgentRefusedError("the agent's signed transaction lacks r, s or v")
        from eth_account import Account

        if Account.recover_transaction(raw) != self._agent_address:
            raise AgentRefusedError(
                f"the agent signed the transaction with another key than {self._agent_address}",
                hint="stop the agent and add the key again",
            )
        return SignedTransaction(HexBytes(raw), HexBytes(tx_hash), r, s, v)

    def _check(self, digest: bytes, signature: bytes) -> None:
        """The agent's signature recovers to this account's address (fail closed)."""
        from notary.eip712 import check_signature_form, recover_hash

        check_signature_form(signature)
        if recover_hash(digest, signature) != self._agent_address:
            raise AgentRefusedError(
                f"the agent's signature for key {self.name!r} does not recover to {self._agent_address}",
                hint="stop the agent and add the key again",
            )


def agent_account(path: Path, name: str) -> AgentAccount:
    """The agent-backed account for key `name`; AgentKeyMissingError if the agent does not hold it."""
    client = AgentClient(path)
    for held in client.list_keys():
        if held.get("name") == name and isinstance(held.get("address"), str):
            return AgentAccount(client, name, held["address"])
    raise AgentKeyMissingError(
        f"the key agent at {path} does not hold key {name!r}", hint=f"add it: notary agent add {name}"
    )
