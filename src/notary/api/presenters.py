"""Read the ledger for a digest or a party and shape the answer as the API's models.

Blocking (web3) code: routes run these in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from notary import registry
from notary.chain.gateway import LedgerGateway
from notary.chain.head import Head, gateway_head
from notary.codes import party_code
from notary.errors import NotaryUnknownRecordError, RecordNotFoundError
from notary.models import Record, SignerKey, timestamp_text
from notary.verify import BatchVerdict, LedgerReads, Policy, RecordVerdict, TextVerdict, verify_digest
from notary.views import record_dict

from .schemas import (
    BatchMemberOut,
    ChainContext,
    InstrumentTextOut,
    PartyOut,
    PolicyOut,
    RecordLink,
    RecordOut,
    RecordsOut,
    RecordVerdictOut,
    UploadOut,
    VerdictOut,
)

if TYPE_CHECKING:
    from notary.published import PublishedStore

ZERO = bytes(32)


def chain_context(gw: LedgerGateway, head: Head | None = None) -> ChainContext:
    """The chain an answer was read from: chain id, ledger, and the head's number and time
    (`head`, else read now)."""
    head = head or gateway_head(gw)
    return ChainContext.model_construct(
        chainId=gw.chain.chain_id,
        ledger=gw.deployment.ledger.address,
        block=head.number,
        chainTime=timestamp_text(head.timestamp),
    )


KeyOf = Callable[[str, str], SignerKey | None]
LinkOf = Callable[[bytes], RecordLink | None]


def link(record_id: str, digest: str, submitter: str, status: str) -> RecordLink:
    href = f"/v1/records/{digest}"
    return RecordLink(recordId=record_id, digest=digest, submitter=submitter, status=status, href=href)


def _link(gw: LedgerGateway, rid: bytes) -> RecordLink | None:
    try:
        r = gw.record(rid, with_attestations=False)
    except NotaryUnknownRecordError:
        return None
    return link(r.record_id_hex, r.digest.hex(), r.submitter, r.status.label)


def shape_record(record: Record, head: int, key_of: KeyOf, link_of: LinkOf) -> RecordOut:
    """A record with confirmations, detailed health of invalid acts, and supersession links,
    whichever source (`key_of`, `link_of`) answers: the gateway or the index."""
    keys: dict[tuple[str, str], SignerKey] = {}
    for a in record.attestations:
        if not a.valid and (a.party, a.signer) not in keys:
            key = key_of(a.party, a.signer)
            if key is not None:
                keys[(a.party, a.signer)] = key
    data: dict[str, Any] = record_dict(record, head, keys)
    links = {
        "supersedes": None if record.supersedes == ZERO else link_of(record.supersedes),
        "supersededBy": None if record.superseded_by == ZERO else link_of(record.superseded_by),
    }
    return RecordOut.model_validate({**data, "links": links})


def record_out(gw: LedgerGateway, record: Record, head: int) -> RecordOut:
    """`shape_record` reading the chain."""
    return shape_record(
        record, head, lambda party, signer: gw.signer_key(party_code(party), signer), lambda rid: _link(gw, rid)
    )


def select(records: list[Record], digest: bytes, submitter: str | None) -> list[Record]:
    """The records of `submitter` (all without one); none is a 404."""
    if submitter is not None:
        records = [r for r in records if r.submitter == submitter.strip().upper()]
    if not records:
        who = f" by {submitter.strip().upper()}" if submitter else ""
        raise RecordNotFoundError(
            f"digest {digest.hex()} is not notarised{who} on this ledger",
            hint="check that you hashed the exact file (SHA-256), or verify it with POST /v1/verify",
        )
    return records


def records_of(
    gw: LedgerGateway, digest: bytes, submitter: str | None = None, context: ChainContext | None = None
) -> RecordsOut:
    context = context or chain_context(gw)
    records = select([gw.record(i) for i in gw.records_of_digest(digest)], digest, submitter)
    out = [record_out(gw, r, context.block) for r in records]
    return RecordsOut(digest=digest.hex(), records=out, chain=context)


Shape = Callable[[Record], RecordOut]


def _record_verdict(shape: Shape, v: RecordVerdict) -> RecordVerdictOut:
    return RecordVerdictOut(
        recordId=v.record.record_id_hex,
        status=v.record.status.label,
        effectiveStatus=(v.effective_status or v.record.status).label,
        submitter=v.record.submitter,
        ok=v.ok,
        bound=list(v.bound),
        unsigned=list(v.unsigned),
        withdrawn=list(v.withdrawn),
        annulledBy=list(v.annulled_by),
        ratifiedBy=list(v.ratified_by),
        reasons=list(v.reasons),
        warnings=list(v.warnings),
        record=shape(v.record),
    )


def _batch_member(b: BatchVerdict, digest: bytes) -> BatchMemberOut:
    m = b.membership
    return BatchMemberOut(
        anchorId=m.batch.anchor_id,
        root=m.batch.root,
        party=m.batch.party,
        title=m.batch.title,
        count=m.batch.count,
        index=m.ordinal,
        name=m.name,
        proof=["0x" + h.hex() for h in m.proof],
        signer=b.signer,
        anchoredAt=timestamp_text(b.time) if b.time is not None else None,
        anchorTransaction=str(m.batch.anchor["transaction"]),
        included=b.included,
        ok=b.ok,
        reasons=list(b.reasons),
        receipt=f"/v1/proofs/{digest.hex()}/receipt?anchor={m.batch.anchor_id}",
    )


def _instrument_text(shape: Shape, t: TextVerdict) -> InstrumentTextOut:
    v = t.instrument
    return InstrumentTextOut(
        instrumentDigest=t.text.instrument.digest,
        title=t.text.instrument.title,
        name=t.text.name,
        role=t.text.role,  # type: ignore[arg-type]
        index=t.text.ordinal,
        verified=v.ok,
        verdict=v.state,  # type: ignore[arg-type]
        reasons=list(v.reasons),
        records=[_record_verdict(shape, r) for r in v.records],
        receipt=f"/v1/records/{t.text.instrument.digest}/receipt",
    )


def verdict_of(
    gw: LedgerGateway,
    digest: bytes,
    upload: UploadOut | None = None,
    policy: Policy | None = None,
    published: PublishedStore | None = None,
    *,
    ledger: LedgerReads | None = None,
    key_of: KeyOf | None = None,
    link_of: LinkOf | None = None,
    context: ChainContext | None = None,
) -> VerdictOut:
    """The verdict on `digest`, read through `ledger` (default: the node; `api.indexed` passes a current
    index and its `key_of`/`link_of`) with the chain context of the node."""
    context = context or chain_context(gw)
    verdict = verify_digest(ledger or gw, digest, policy, published)
    head = context.block
    if key_of is not None and link_of is not None:
        k, lk = key_of, link_of

        def shape(r: Record) -> RecordOut:
            return shape_record(r, head, k, lk)
    else:

        def shape(r: Record) -> RecordOut:
            return record_out(gw, r, head)

    return VerdictOut(
        digest=digest.hex(),
        verified=verdict.ok,
        verdict=verdict.state,  # type: ignore[arg-type]
        disputedBy=list(verdict.disputed_by),
        policy=PolicyOut(
            signedBy=list(verdict.policy.signed_by),
            inForce=verdict.policy.in_force,
            submitter=verdict.policy.submitter,
        ),
        notarised=verdict.notarised,
        reasons=list(verdict.reasons),
        records=[_record_verdict(shape, v) for v in verdict.records],
        batches=[_batch_member(b, digest) for b in verdict.batches],
        instrumentTexts=[_instrument_text(shape, t) for t in verdict.texts],
        file=upload,
        chain=context,
    )


def party_of(gw: LedgerGateway, code: str) -> PartyOut:
    view = registry.show_party(gw, code)
    data = registry.party_document(view, gw.now(), lambda at, block: registry.revocation_is_compromise(gw, at, block))
    return PartyOut.model_validate(data)
