"""Helpers shared by the contract tests: receipts, decoded events, signed payloads."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_checksum_address
from web3.logs import DISCARD

from notary import eip712, ledger
from notary.chain.tx import TxResult
from notary.codes import party_code, text_to_bytes32
from notary.errors import ContractRevertError
from notary.models import Act, BatchAnchor, Intent, Notarisation, record_id
from notary.testing import World

ZERO32 = bytes(32)
ZERO_ADDRESS = "0x" + "00" * 20
SHA256 = text_to_bytes32("sha256")


def digest(label: str) -> bytes:
    """A document digest: SHA-256 of `label`."""
    return hashlib.sha256(label.encode()).digest()


def code(text: str) -> bytes:
    """A party code as bytes32."""
    return party_code(text)


def receipt(world: World, result: TxResult) -> Any:
    return world.chain.w3.eth.get_transaction_receipt(result.transaction)  # type: ignore[arg-type]


def events(world: World, result: TxResult, event: Any) -> list[dict[str, Any]]:
    """The decoded args of every log of `event` (e.g. `gw.ledger.events.StatusChanged`) in `result`."""
    logs = event().process_receipt(receipt(world, result), errors=DISCARD)
    return [dict(log["args"]) for log in logs]


def block_time(world: World, result: TxResult) -> int:
    """The timestamp of the block that mined `result`."""
    return int(world.chain.w3.eth.get_block(result.block_number)["timestamp"])


def pending_time(world: World) -> int:
    """The timestamp the next block (and a gas estimate) runs at."""
    return int(world.chain.w3.eth.get_block("pending")["timestamp"])


def revert_args(error: ContractRevertError) -> dict[str, Any]:
    """A revert's decoded arguments with addresses checksummed, for exact comparison."""
    return {
        k: to_checksum_address(v) if isinstance(v, str) and is_address(v) else v for k, v in error.args_by_name.items()
    }


def new_account(world: World, fund: bool = True) -> LocalAccount:
    """A fresh key, funded for gas unless `fund` is false."""
    account: LocalAccount = Account.create()
    if fund:
        world.chain.fund(account.address)
    return account


def submit(
    world: World,
    payload: Notarisation | Act | BatchAnchor,
    key: LocalAccount,
    signer: str | None = None,
    signature: bytes | None = None,
) -> TxResult:
    """Sign `payload` with `key` for this ledger (unless `signature` is given) and relay it."""
    sig = eip712.sign(payload, world.gw.domain, key.key) if signature is None else signature
    signed = ledger.SignedPayload(payload, world.gw.domain, signer or key.address, sig)
    return ledger.submit(world.gw, world.relayer, signed)


def notarise_tx(
    world: World,
    doc: bytes,
    party: str = "FRA",
    key: LocalAccount | None = None,
    **kwargs: Any,
) -> tuple[bytes, TxResult]:
    """Notarise `doc` as `party` (World defaults otherwise); returns the record id and the tx."""
    n = world.notarisation(doc, party, **kwargs)
    return record_id(doc, code(party)), submit(world, n, key or world.signers[party])


def raw_notarisation(
    world: World,
    doc: bytes,
    party: str = "FRA",
    parties: Sequence[bytes] | None = None,
    quorum: int = 1,
    supersedes: bytes = ZERO32,
    deadline: int | None = None,
) -> Notarisation:
    """A hand-built notarisation that skips every Python-side check."""
    return Notarisation(
        digest=doc,
        hash_algorithm=SHA256,
        kind=text_to_bytes32("treaty"),
        party=code(party),
        parties=tuple(parties if parties is not None else (code(party),)),
        quorum=quorum,
        supersedes=supersedes,
        metadata_hash=ZERO32,
        ratification_required=False,
        deadline=world.deadline() if deadline is None else deadline,
    )


def act_payload(
    world: World,
    rid: bytes,
    party: str,
    intent: Intent | int = Intent.SIGNATURE,
    reason: str = "",
    deadline: int | None = None,
) -> Act:
    """A hand-built act (any intent value, no reason check)."""
    return Act(
        record_id=rid,
        party=code(party),
        intent=intent,  # type: ignore[arg-type]
        reason=reason,
        deadline=world.deadline() if deadline is None else deadline,
    )


def anchor_payload(
    world: World,
    root: bytes,
    party: str = "FRA",
    count: int = 1,
    metadata_hash: bytes = ZERO32,
    deadline: int | None = None,
) -> BatchAnchor:
    return BatchAnchor(
        root=root,
        party=code(party),
        count=count,
        hash_algorithm=SHA256,
        metadata_hash=metadata_hash,
        deadline=world.deadline() if deadline is None else deadline,
    )
