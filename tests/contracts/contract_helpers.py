"""Helpers shared by the contract tests (protocol v2): receipts, decoded events, signed payloads,
typed reverts, keys and the stored record state."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import is_address, to_checksum_address
from web3.logs import DISCARD

from notary import eip712, ledger
from notary.chain import tx
from notary.chain.tx import TxResult
from notary.codes import party_code, text_to_bytes32
from notary.errors import ContractRevertError
from notary.models import Act, ActEntry, BatchAnchor, Intent, Notarisation, Status, Terms, record_id
from notary.testing import World

ZERO32 = bytes(32)
ZERO_ADDRESS = "0x" + "00" * 20
SHA256 = text_to_bytes32("sha256")
FOREVER = 2**63
HOURS = 3600
#: The registry's default repudiation window (a controller alone may back-date this far).
WINDOW = 72 * HOURS


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


def statuses(world: World, result: TxResult) -> list[tuple[bytes, Status, Status, int]]:
    """(recordId, previous, current, time) of every StatusChanged in `result`, in log order."""
    return [
        (e["recordId"], Status(e["previous"]), Status(e["current"]), e["time"])
        for e in events(world, result, world.gw.ledger.events.StatusChanged)
    ]


def acts(world: World, result: TxResult) -> list[tuple[bytes, bytes, Intent, str, str, int]]:
    """(recordId, party, intent, signer, reason, time) of every ActRecorded in `result`."""
    return [
        (e["recordId"], e["party"], Intent(e["intent"]), e["signer"], e["reason"], e["time"])
        for e in events(world, result, world.gw.ledger.events.ActRecorded)
    ]


def voids(world: World, result: TxResult) -> list[tuple[bytes, bytes, Intent, str, int, int]]:
    """(recordId, party, intent, signer, actTime, time) of every ActVoided in `result`."""
    return [
        (e["recordId"], e["party"], Intent(e["intent"]), e["signer"], e["actTime"], e["time"])
        for e in events(world, result, world.gw.ledger.events.ActVoided)
    ]


def supersessions(world: World, result: TxResult) -> list[tuple[bytes, bytes, int]]:
    """(recordId, newId, time) of every SupersededByChanged in `result`."""
    return [
        (e["recordId"], e["newId"], e["time"])
        for e in events(world, result, world.gw.ledger.events.SupersededByChanged)
    ]


def block_time(world: World, result: TxResult) -> int:
    """The timestamp of the block that mined `result`."""
    return int(world.chain.w3.eth.get_block(result.block_number)["timestamp"])


def pending_time(world: World) -> int:
    """The timestamp the next block (and a gas estimate) runs at."""
    return int(world.chain.w3.eth.get_block("pending")["timestamp"])


def travel(world: World, seconds: int) -> None:
    """Move the chain's clock `seconds` forward (the next block is mined at least that much later)."""
    world.chain.time_travel(world.gw.now() + seconds)


def revert_args(error: ContractRevertError) -> dict[str, Any]:
    """A revert's decoded arguments with addresses checksummed, for exact comparison."""
    return {
        k: to_checksum_address(v) if isinstance(v, str) and is_address(v) else v for k, v in error.args_by_name.items()
    }


@contextmanager
def reverts(name: str, **args: Any) -> Iterator[pytest.ExceptionInfo[ContractRevertError]]:
    """Expect the custom error `name` with exactly the arguments `args`; nothing is mined."""
    with pytest.raises(ContractRevertError) as info:
        yield info
    assert type(info.value).solidity_name == name, f"{type(info.value).solidity_name} {info.value.args_by_name}"
    assert revert_args(info.value) == args, f"{name}: {revert_args(info.value)} != {args}"


def new_account(world: World, fund: bool = True) -> LocalAccount:
    """A fresh key, funded for gas unless `fund` is false."""
    account: LocalAccount = Account.create()
    if fund:
        world.chain.fund(account.address)
    return account


def add_key(world: World, party: str, valid_from: int = 0, valid_until: int = FOREVER) -> LocalAccount:
    """A fresh key authorised for `party` by its controller; it becomes the party's signer."""
    key = new_account(world, fund=False)
    world.gw.add_signer(world.controllers[party], code(party), key.address, valid_from, valid_until)
    world.signers[party] = key
    return key


def revoke(world: World, party: str, key: LocalAccount | str, effective_at: int) -> TxResult:
    """`party`'s controller revokes `key` from `effective_at` (a past time declares a compromise)."""
    address = key if isinstance(key, str) else key.address
    return world.gw.revoke_signer(world.controllers[party], code(party), address, effective_at)


def void(world: World, rid: bytes, party: str, intent: Intent, sender: LocalAccount | None = None) -> TxResult:
    """Anyone (the relayer by default) voids `party`'s `intent` act on the record."""
    return world.gw.void_act(sender or world.relayer, world.gw.terms(rid), code(party), intent)


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
    record: bytes | Terms,
    party: str,
    intent: Intent | int = Intent.SIGNATURE,
    reason: str = "",
    deadline: int | None = None,
) -> Act:
    """A hand-built act on a record (its id: its terms are fetched) or on any `Terms` given,
    with any intent value and no reason check."""
    terms = record if isinstance(record, Terms) else world.gw.terms(record)
    return Act(
        terms=terms,
        party=code(party),
        intent=intent,  # type: ignore[arg-type]
        reason=reason,
        deadline=world.deadline() if deadline is None else deadline,
    )


def anchor_payload(
    world: World,
    root: bytes,
    party: str = "FRA",
    count: int | None = None,
    metadata_hash: bytes = ZERO32,
    deadline: int | None = None,
) -> BatchAnchor:
    """A batch anchor. `count` is accepted and ignored: v2 signs no document count."""
    del count
    return BatchAnchor(
        root=root,
        party=code(party),
        hash_algorithm=SHA256,
        metadata_hash=metadata_hash,
        deadline=world.deadline() if deadline is None else deadline,
    )


# ------------------------------------------------------------------ the stored state


def stored(world: World, rid: bytes) -> dict[str, Any]:
    """The raw `record(id)` view: termsHash, the RecordState fields by name, historyHash, supersededBy."""
    terms_hash, state, history_hash, superseded_by = tx.call(world.gw.ledger.functions.record(rid))
    names = (
        "status", "signed", "withdrawn", "annulled", "ratified", "quorum", "partyCount",
        "ratificationRequired", "executed", "superseded", "updatedAt",
    )  # fmt: skip
    values = list(state.values()) if isinstance(state, dict) else list(state)
    out = dict(zip(names, values, strict=True))
    out["status"] = Status(out["status"])
    out.update(termsHash=bytes(terms_hash), historyHash=bytes(history_hash), supersededBy=bytes(superseded_by))
    return out


def history_hash(entries: Sequence[ActEntry]) -> bytes:
    """The ledger's hash chain over act-history entries: h = keccak(abi.encode(h, party, intent, signer, time))."""
    h = ZERO32
    for e in entries:
        h = keccak(
            encode(["bytes32", "bytes32", "uint8", "address", "uint64"], [h, e.party, e.intent, e.signer, e.time])
        )
    return h


def masks(world: World, rid: bytes) -> dict[str, set[str]]:
    """The stored party sets of a record, by party code: signed, withdrawn, annulled, ratified."""
    r = world.gw.record(rid, with_attestations=False)
    return {
        name: {p for i, p in enumerate(r.parties) if mask >> i & 1}
        for name, mask in zip(("signed", "withdrawn", "annulled", "ratified"), r.masks, strict=True)
    }
