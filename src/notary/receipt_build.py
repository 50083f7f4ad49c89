"""Write receipts from the chain: the evidence of every act, read where it was recorded.

For each act: its log (ActRecorded or BatchAnchored) gives the party, time and position;
the transaction input gives the exact signed payload and signature (the contract keeps
neither the deadline nor the signature); the registry, read with eth_call at the act's
block, gives the signer's key entry as the contract saw it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from notary import instruments
from notary.chain.gateway import LedgerGateway
from notary.codes import bytes32_to_text, party_code
from notary.errors import InvalidInputError
from notary.hashing import metadata_hash
from notary.models import Act, BatchAnchor, Intent, Notarisation, Record, anchor_id
from notary.receipts import BatchPart, ChainRef, Document, Evidence, Receipt, RecordPart, Text


def chain_ref(gw: LedgerGateway) -> ChainRef:
    return ChainRef(gw.chain.chain_id, gw.deployment.ledger.address, gw.deployment.registry.address)


def _evidence(gw: LedgerGateway, log: dict[str, Any], intent: str, observed: int) -> Evidence:
    payload, signer, signature = gw.signed_call(log["transaction"])
    code = bytes(log["party"])
    expected = (Notarisation, Act) if intent != "anchor" else (BatchAnchor,)
    if (
        not isinstance(payload, expected)
        or payload.party != code
        or signer != log["signer"]
        or (isinstance(payload, Act) and payload.intent.label != intent)
    ):
        raise InvalidInputError(f"transaction {log['transaction']} does not carry the {intent} it recorded")
    block = log["blockNumber"]
    return Evidence(
        party=bytes32_to_text(code),
        intent=intent,
        reason=str(log.get("reason", "")),
        time=int(log["time"]),
        payload=payload,
        signer=signer,
        signature=signature,
        contract_signer=gw.is_contract(signer, block),
        signer_key=gw.signer_key_at(code, signer, block),
        signer_key_observed=gw.signer_key_at(code, signer, observed),
        transaction=log["transaction"],
        block_number=block,
        block_hash=log["blockHash"],
        log_index=log["logIndex"],
    )


def _check_metadata(metadata: dict[str, Any] | None, expected: bytes) -> None:
    if metadata is not None and metadata_hash(metadata) != expected:
        raise InvalidInputError(
            "the title or texts given do not match the metadata hash on chain "
            f"({expected.hex()}); the receipt would not verify",
            hint="give exactly the --title (and texts) used when notarising, or leave them out",
        )


def instrument_texts(instrument: instruments.Instrument) -> tuple[Text, ...]:
    return tuple(Text(t.name, t.role, t.digest, instrument.proof(i)) for i, t in enumerate(instrument.texts))


def record_receipt(
    gw: LedgerGateway,
    record_id: bytes,
    *,
    metadata: dict[str, Any] | None = None,
    instrument: instruments.Instrument | None = None,
) -> Receipt:
    """A receipt for a record as the chain holds it now (pending records included)."""
    head = gw.chain.block_number()
    head_hash = gw.block_hash(head)
    record: Record = gw.record(record_id, with_attestations=False)
    _check_metadata(metadata, record.metadata_hash)
    if metadata is None and record.metadata_hash == bytes(32):
        metadata = {}
    texts: tuple[Text, ...] = ()
    if instrument is not None:
        if instrument.digest != record.digest:
            raise InvalidInputError(
                f"the texts given make instrument digest {instrument.digest.hex()}, "
                f"but the record's digest is {record.digest.hex()}",
                hint="give the same texts and annexes, in the same order, as when notarising",
            )
        texts = instrument_texts(instrument)
    elif metadata is not None and record.hash_algorithm == instruments.ALGORITHM and "texts" in metadata:
        texts = instrument_texts(instruments.from_metadata(metadata))
    evidence = []
    for log in gw.act_logs(record_id, to_block=head):
        evidence.append(_evidence(gw, log, Intent(log["intent"]).label, head))
    part = RecordPart(
        record_id=record_id,
        submitter=record.submitter,
        kind=record.kind,
        parties=record.parties,
        quorum=record.quorum,
        supersedes=record.supersedes,
        metadata_hash=record.metadata_hash,
        ratification_required=record.ratification_required,
        status=record.status,
        superseded_by=record.superseded_by,
        observed_block=head,
        observed_block_hash=head_hash or "",
        attestations=tuple(evidence),
    )
    document = Document(record.digest, record.hash_algorithm, texts)
    return Receipt(chain_ref(gw), document, metadata, record=part)


def anchor_evidence(gw: LedgerGateway, root: bytes, party: str) -> Evidence:
    """The evidence of a batch anchor: its log, signed payload, signature and key entry."""
    aid = anchor_id(root, party_code(party))
    log = gw.anchor_log(aid)
    if log is None:
        raise InvalidInputError(f"no batch 0x{aid.hex()} (root {root.hex()} by {party}) on this ledger")
    return _evidence(gw, log, "anchor", gw.chain.block_number())


def batch_receipt(
    chain: ChainRef,
    anchor: Evidence,
    digest: bytes,
    proof: Sequence[bytes],
    metadata: dict[str, Any] | None = None,
) -> Receipt:
    """A receipt for one document of an anchored batch (no chain access needed)."""
    p = anchor.payload
    assert isinstance(p, BatchAnchor)
    _check_metadata(metadata, p.metadata_hash)
    if metadata is None and p.metadata_hash == bytes(32):
        metadata = {}
    part = BatchPart(
        anchor_id=anchor_id(p.root, p.party),
        root=p.root,
        count=p.count,
        party=bytes32_to_text(p.party),
        hash_algorithm=bytes32_to_text(p.hash_algorithm),
        metadata_hash=p.metadata_hash,
        proof=tuple(proof),
        anchor=anchor,
    )
    return Receipt(chain, Document(digest, "sha256"), metadata, batch=part)
