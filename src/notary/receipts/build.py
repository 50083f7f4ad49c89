"""Write receipts from the chain: the evidence of every act, read where it was recorded.

For each act of a record's current notarisation (the ActRecorded events after its latest
RecordNotarised, whoever relayed them): the event gives the party, intent, reason, time,
the signed payload's deadline and signature, and its position; the record's terms (from
its RecordNotarised event, checked against the stored terms hash) complete the payload
(`ledger.payload_of_act`); an ActVoided event marks an act the ledger voided. For a batch,
its BatchAnchored event gives the signed payload, its block the time. The registry, read
with eth_call at the act's block, gives the signer's key entry as the contract saw it.

State proofs (`notary.receipts.proofs`): for each act's block and the observed block, the
block's header and the `eth_getProof` nodes of the registry's key entries and the ledger's
stored record (or batch) read there. A node that cannot serve them (eth-tester), a header this
code cannot rebuild to its hash, or proofs that would pass the receipt's size limit give a
receipt without state proofs (`stateProofs: null`), never a partial set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from notary import instruments
from notary.chain.gateway import LedgerGateway
from notary.codes import bytes32_to_text, party_code
from notary.errors import InvalidInputError
from notary.hashing import metadata_hash
from notary.ledger import payload_of_act
from notary.models import Act, BatchAnchor, Intent, Notarisation, Record, Terms, anchor_id
from notary.receipts import (
    MAX_ATTESTATIONS,
    BatchPart,
    ChainRef,
    Document,
    Evidence,
    Receipt,
    RecordPart,
    Text,
    Void,
    dumps,
    storage_layout,
)
from notary.receipts.proofs import BlockProof, StateProofs


def chain_ref(gw: LedgerGateway) -> ChainRef:
    return ChainRef(gw.chain.chain_id, gw.deployment.ledger.address, gw.deployment.registry.address)


def _position(log: dict[str, Any]) -> tuple[int, int]:
    return int(log["blockNumber"]), int(log["logIndex"])


def _evidence(
    gw: LedgerGateway,
    log: dict[str, Any],
    intent: str,
    payload: Notarisation | Act | BatchAnchor,
    time: int,
    observed: int,
    voided: Void | None = None,
) -> Evidence:
    code = bytes(log["party"])
    signer = str(log["signer"])
    block = int(log["blockNumber"])
    return Evidence(
        party=bytes32_to_text(code),
        intent=intent,
        reason=str(log.get("reason", "")),
        time=time,
        payload=payload,
        signer=signer,
        signature=bytes(log["signature"]),
        contract_signer=gw.is_contract(signer, block),
        signer_key=gw.signer_key_at(code, signer, block),
        signer_key_observed=gw.signer_key_at(code, signer, observed),
        transaction=log["transaction"],
        block_number=block,
        block_hash=log["blockHash"],
        log_index=int(log["logIndex"]),
        voided=voided,
    )


def _void_of(log: dict[str, Any]) -> Void:
    return Void(int(log["time"]), log["transaction"], int(log["blockNumber"]), log["blockHash"], int(log["logIndex"]))


def act_evidence(gw: LedgerGateway, record_id: bytes, terms: Terms, head: int) -> list[Evidence]:
    """The evidence of every act of the record's current notarisation up to block `head`, in chain
    order, each payload rebuilt from its ActRecorded event and the terms, voided acts marked."""
    notarised = gw.notarised_logs(record_id, to_block=head)
    if not notarised:
        raise InvalidInputError(f"record 0x{record_id.hex()} is not notarised on this ledger")
    start = _position(notarised[-1])  # acts before it belong to an earlier, void notarisation
    acts = [x for x in gw.act_logs(record_id, to_block=head) if _position(x) > start]
    voids = [x for x in gw.void_logs(record_id, to_block=head) if _position(x) > start]
    if len(acts) > MAX_ATTESTATIONS:
        raise InvalidInputError(
            f"record 0x{record_id.hex()} has {len(acts)} acts; a receipt holds at most {MAX_ATTESTATIONS}"
        )
    # Each ActVoided names the act it voids by (party, intent, signer, time): the latest such act before it.
    voided: dict[int, Void] = {}
    for v in voids:
        key = (bytes(v["party"]), int(v["intent"]), str(v["signer"]), int(v["actTime"]))
        for i in range(len(acts) - 1, -1, -1):
            a = acts[i]
            same = (bytes(a["party"]), int(a["intent"]), str(a["signer"]), int(a["time"])) == key
            if same and i not in voided and _position(a) < _position(v):
                voided[i] = _void_of(v)
                break
    out = []
    for i, log in enumerate(acts):
        intent = Intent(int(log["intent"]))
        payload = payload_of_act(terms, bytes(log["party"]), intent, str(log["reason"]), int(log["deadline"]))
        out.append(_evidence(gw, log, intent.label, payload, int(log["time"]), head, voided.get(i)))
    return out


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
    terms = record.terms if record.terms is not None else gw.terms(record_id)
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
    part = RecordPart(
        record_id=record_id,
        terms=terms,
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
        attestations=tuple(act_evidence(gw, record_id, terms, head)),
    )
    document = Document(record.digest, record.hash_algorithm, texts)
    stored = ("_terms", "_states", "_supersededBy", "_history")
    proofs = state_proofs(gw, part.attestations, head, [storage_layout.ledger_slot(v, record_id) for v in stored])
    return _within_limit(Receipt(chain_ref(gw), document, metadata, record=part, proofs=proofs))


def state_proofs(
    gw: LedgerGateway, acts: Sequence[Evidence], observed: int, ledger_slots: Sequence[bytes]
) -> StateProofs | None:
    """Headers and trie nodes proving each act's key entry at its block, and at block `observed` the
    key entries and the ledger's `ledger_slots`; None if the node cannot serve them."""
    from eth_hash.auto import keccak

    from notary.receipts.state_proofs import ProofError, encode_header

    registry, ledger = gw.deployment.registry.address, gw.deployment.ledger.address
    wanted: dict[int, dict[str, set[bytes]]] = {observed: {registry: set(), ledger: set(ledger_slots)}}
    for e in acts:
        slot = storage_layout.signer_key_slot(party_code(e.party), e.signer)
        for number in (e.block_number, observed):
            wanted.setdefault(number, {registry: set()})[registry].add(slot)
    blocks = []
    for number in sorted(wanted):
        fields = gw.block_fields(number)
        try:
            header = encode_header(fields)
        except ProofError:
            return None
        if keccak(header) != bytes(fields["hash"]):
            return None  # a header layout this code does not know: no proofs rather than wrong ones
        nodes: set[bytes] = set()
        for address, slots in wanted[number].items():
            got = gw.proof_nodes(address, sorted(slots), number)
            if got is None:
                return None
            nodes.update(got)
        blocks.append(BlockProof(number, "0x" + keccak(header).hex(), header, tuple(sorted(nodes))))
    return StateProofs(observed, tuple(blocks))


def _within_limit(r: Receipt) -> Receipt:
    """The receipt, without its state proofs if they would pass the file's size limit."""
    from notary.receipts import ReceiptTooLargeError

    if r.proofs is None:
        return r
    try:
        dumps(r)
    except ReceiptTooLargeError:
        return replace(r, proofs=None)
    return r


def anchor_payload_of(log: dict[str, Any]) -> BatchAnchor:
    """The payload a BatchAnchored event's signature is over."""
    return BatchAnchor(
        bytes(log["root"]), bytes(log["party"]), bytes(log["hashAlgorithm"]), bytes(log["metadataHash"]),
        int(log["deadline"]),
    )  # fmt: skip


def anchor_evidence(gw: LedgerGateway, root: bytes, party: str, observed: int | None = None) -> Evidence:
    """The evidence of a batch anchor: its event's signed payload and signature, its block's time
    (the event has none) and the signer's key entry (observed at block `observed`, default the head)."""
    aid = anchor_id(root, party_code(party))
    log = gw.anchor_log(aid)
    if log is None:
        raise InvalidInputError(f"no batch 0x{aid.hex()} (root {root.hex()} by {party}) on this ledger")
    time = gw.block_time(int(log["blockNumber"]))
    head = gw.chain.block_number() if observed is None else observed
    return _evidence(gw, log, "anchor", anchor_payload_of(log), time, head)


def anchor_proofs(gw: LedgerGateway, anchor: Evidence, observed: int) -> StateProofs | None:
    """State proofs for a batch anchor's evidence observed at block `observed` (as `anchor_evidence`
    read it): its key entry at its block and then, and the ledger's stored batch then."""
    p = anchor.payload
    assert isinstance(p, BatchAnchor)
    return state_proofs(gw, (anchor,), observed, [storage_layout.ledger_slot("_batches", anchor_id(p.root, p.party))])


def batch_receipt(
    chain: ChainRef,
    anchor: Evidence,
    digest: bytes,
    proof: Sequence[bytes],
    metadata: dict[str, Any] | None = None,
    proofs: StateProofs | None = None,
) -> Receipt:
    """A receipt for one document of an anchored batch (no chain access needed; `proofs` from
    `anchor_proofs`, or none)."""
    p = anchor.payload
    assert isinstance(p, BatchAnchor)
    _check_metadata(metadata, p.metadata_hash)
    if metadata is None and p.metadata_hash == bytes(32):
        metadata = {}
    part = BatchPart(
        anchor_id=anchor_id(p.root, p.party),
        root=p.root,
        party=bytes32_to_text(p.party),
        hash_algorithm=bytes32_to_text(p.hash_algorithm),
        metadata_hash=p.metadata_hash,
        proof=tuple(proof),
        anchor=anchor,
    )
    return _within_limit(Receipt(chain, Document(digest, "sha256"), metadata, batch=part, proofs=proofs))
