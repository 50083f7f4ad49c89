"""Records by digest from the event index, in exactly the shape the gateway path gives.

Used when the background indexer is current (`IndexService.current`); otherwise, or with
the index off, the chain answers (`presenters.records_of`). Every field is derived from
the indexed events as the contract derives it: the record is its latest notarisation
(a record notarised again after a void shows the new terms and the acts after it), the
counters count the standing (not voided) acts of each intent, an act is valid when it was
not voided and its key was authorised at its time under the registry's rule
(`SignerKey.authorised_at`, applied to the key windows as the registry events left them),
and `supersededBy` is the ledger's, as its SupersededByChanged events set it.

Blocking (database) code: routes run it in the thread pool.
"""

from __future__ import annotations

from typing import Any

from notary.api import presenters
from notary.api.deps import Services
from notary.api.schemas import RecordLink, RecordsOut, UploadOut, VerdictOut
from notary.chain.head import Head
from notary.index import IndexReader
from notary.index.normalise import terms_from_dict
from notary.lifecycle import popcount
from notary.models import Attestation, Intent, Record, SignerKey, Status
from notary.verify import Policy

CHAIN, INDEX = "chain", "index"


def _bytes32(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x")) if text else bytes(32)


class _Keys:
    """The key windows of the parties a request touches, read once each."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._by_party: dict[str, dict[str, SignerKey]] = {}

    def __call__(self, party: str, signer: str) -> SignerKey | None:
        if party not in self._by_party:
            self._by_party[party] = {
                k["key"].lower(): SignerKey(
                    party, k["key"], k["valid_from"], k["valid_until"], k["revoked_at"], k["added_at"]
                )
                for k in self.reader.keys(party)
            }
        return self._by_party[party].get(signer.lower())


#: States in which a record has executed (the ledger's `executed` flag is set).
_EXECUTED = frozenset({Status.EXECUTED, Status.IN_FORCE, Status.SUPERSEDED, Status.ANNULLED, Status.TERMINATED})


def record_from_index(reader: IndexReader, row: dict[str, Any], keys: _Keys) -> Record:
    """The `Record` (with attestations and their health) an index row and its acts describe.

    As the gateway builds it: the acts of the latest notarisation in chain order, voided ones
    marked and never valid; the party sets are those of the acts that stand (each party has
    at most one standing act per intent), from which the counters follow as the ledger's."""
    parties = tuple(row["parties"])
    bits = {p: 1 << i for i, p in enumerate(parties)}
    standing = dict.fromkeys(Intent, 0)
    acts = []
    for a in reader.attestations(row["record_id"]):
        intent = Intent[a["intent"].upper()]
        key = keys(a["party"], a["signer"])
        voided = bool(a["voided"])
        if not voided:
            standing[intent] |= bits.get(a["party"], 0)
        acts.append(
            Attestation(
                party=a["party"],
                intent=intent,
                signer=a["signer"],
                time=int(a["time"]),
                valid=not voided and key is not None and key.authorised_at(int(a["time"])),
                reason=a["reason"],
                transaction=a["tx_hash"],
                block_number=int(a["block_number"]),
                voided=voided,
                deadline=int(a["deadline"]),
                signature=bytes.fromhex(a["signature"].removeprefix("0x")),
            )
        )
    signed, withdrawn = standing[Intent.SIGNATURE], standing[Intent.WITHDRAWAL]
    annulled, ratified = standing[Intent.ANNULMENT], standing[Intent.RATIFICATION]
    bound = signed & ~withdrawn
    status = Status[row["status"].upper().replace("-", "_")]
    return Record(
        record_id=_bytes32(row["record_id"]),
        digest=bytes.fromhex(row["digest"]),
        hash_algorithm=row["hash_algorithm"],
        kind=row["kind"],
        submitter=row["submitter"],
        parties=parties,
        quorum=int(row["quorum"]),
        supersedes=_bytes32(row["supersedes"]),
        superseded_by=_bytes32(row["superseded_by"] or ""),
        metadata_hash=_bytes32(row["metadata_hash"]),
        ratification_required=bool(row["ratification_required"]),
        status=status,
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
        signatures=popcount(signed),
        ratifications=popcount(ratified & bound),
        annulments=popcount(annulled & bound),
        withdrawals=popcount(withdrawn & signed),
        attestations=tuple(acts),
        terms=terms_from_dict(row["terms"]) if row["terms"] else None,
        masks=(signed, withdrawn, annulled, ratified),
        executed=status in _EXECUTED,
    )


def _link(reader: IndexReader, rid: bytes) -> RecordLink | None:
    row = reader.record_link("0x" + rid.hex())
    return None if row is None else presenters.link(row["record_id"], row["digest"], row["submitter"], row["status"])


def records_of(
    svc: Services, digest: bytes, submitter: str | None = None, at: Reading | None = None
) -> tuple[RecordsOut, str]:
    """The records of a digest, and which source answered: "index" when current, else "chain"."""
    head, reader = at or reading(svc)
    context = presenters.chain_context(svc.gateway, head)
    if reader is None:
        return presenters.records_of(svc.gateway, digest, submitter, context), CHAIN
    keys = _Keys(reader)
    rows = reader.records(digest=digest.hex())
    records = presenters.select([record_from_index(reader, row, keys) for row in rows], digest, submitter)
    out = [presenters.shape_record(r, context.block, keys, lambda rid: _link(reader, rid)) for r in records]
    return RecordsOut(digest=digest.hex(), records=out, chain=context), INDEX


def verdict_of(
    svc: Services,
    digest: bytes,
    upload: UploadOut | None = None,
    policy: Policy | None = None,
    at: Reading | None = None,
) -> tuple[VerdictOut, str]:
    """The verdict on a digest, and which source answered: "index" when current (no node call but the
    head's), else "chain". Both apply `notary.verify`'s rules to the same facts: the same answer."""
    from notary.api.indexed_ledger import IndexedLedger

    head, reader = at or reading(svc)
    context = presenters.chain_context(svc.gateway, head)
    if reader is None:
        out = presenters.verdict_of(svc.gateway, digest, upload, policy, svc.published, context=context)
        return out, CHAIN
    ledger = IndexedLedger(reader)
    out = presenters.verdict_of(
        svc.gateway, digest, upload, policy, svc.published,
        ledger=ledger, key_of=ledger.keys, link_of=lambda rid: _link(reader, rid), context=context,
    )  # fmt: skip
    return out, INDEX


Reading = tuple[Head, IndexReader | None]


def reading(svc: Services) -> Reading:
    """The head now, and the index reader if the index may answer for it (else None: the chain)."""
    head = svc.head()
    return head, svc.index.current_at(head) if svc.index is not None else None
