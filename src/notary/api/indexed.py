"""Records by digest from the event index, in exactly the shape the gateway path gives.

Used when the background indexer is current (`IndexService.current`); otherwise, or with
the index off, the chain answers (`presenters.records_of`). Every field is derived from
the indexed events as the contract derives it: the counters count the acts of each
intent (each party acts at most once per intent), an act is valid when its key was
authorised at its time under the registry's rule (`SignerKey.authorised_at`, applied to
the key windows as the registry events left them), and `supersededBy` is the amendment
that executed.

Blocking (database) code: routes run it in the thread pool.
"""

from __future__ import annotations

from typing import Any

from notary.api import presenters
from notary.api.deps import Services
from notary.api.schemas import RecordLink, RecordsOut
from notary.index import IndexReader
from notary.models import Attestation, Intent, Record, SignerKey, Status

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


def record_from_index(reader: IndexReader, row: dict[str, Any], keys: _Keys) -> Record:
    """The `Record` (with attestations and their health) an index row and its acts describe."""
    acts = []
    for a in reader.attestations(row["record_id"]):
        key = keys(a["party"], a["signer"])
        acts.append(
            Attestation(
                party=a["party"],
                intent=Intent[a["intent"].upper()],
                signer=a["signer"],
                time=int(a["time"]),
                valid=key is not None and key.authorised_at(int(a["time"])),
                reason=a["reason"],
                transaction=a["tx_hash"],
                block_number=int(a["block_number"]),
            )
        )
    count = {i: sum(1 for a in acts if a.intent is i) for i in Intent}
    return Record(
        record_id=_bytes32(row["record_id"]),
        digest=bytes.fromhex(row["digest"]),
        hash_algorithm=row["hash_algorithm"],
        kind=row["kind"],
        submitter=row["submitter"],
        parties=tuple(row["parties"]),
        quorum=int(row["quorum"]),
        supersedes=_bytes32(row["supersedes"]),
        superseded_by=_bytes32(reader.superseded_by(row["record_id"]) or ""),
        metadata_hash=_bytes32(row["metadata_hash"]),
        ratification_required=bool(row["ratification_required"]),
        status=Status[row["status"].upper().replace("-", "_")],
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
        signatures=count[Intent.SIGNATURE],
        ratifications=count[Intent.RATIFICATION],
        annulments=count[Intent.ANNULMENT],
        withdrawals=count[Intent.WITHDRAWAL],
        attestations=tuple(acts),
    )


def _link(reader: IndexReader, rid: bytes) -> RecordLink | None:
    row = reader.record_link("0x" + rid.hex())
    return None if row is None else presenters.link(row["record_id"], row["digest"], row["submitter"], row["status"])


def records_of(svc: Services, digest: bytes, submitter: str | None = None) -> tuple[RecordsOut, str]:
    """The records of a digest, and which source answered: "index" when current, else "chain"."""
    context = presenters.chain_context(svc.gateway)
    reader = svc.index.current(context.block) if svc.index is not None else None
    if reader is None:
        return presenters.records_of(svc.gateway, digest, submitter, context), CHAIN
    keys = _Keys(reader)
    rows = reader.records(digest=digest.hex())
    records = presenters.select([record_from_index(reader, row, keys) for row in rows], digest, submitter)
    out = [presenters.shape_record(r, context.block, keys, lambda rid: _link(reader, rid)) for r in records]
    return RecordsOut(digest=digest.hex(), records=out, chain=context), INDEX
