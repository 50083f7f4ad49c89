"""The ledger reads `notary.verify` makes, answered from a current event index instead of the node.

`IndexedLedger` has the gateway methods the verdict rules call (`records_of_digest`,
`record`, `signer_key`, `batch`, `verify_inclusion`), each derived from the indexed events as
the contracts derive it (records as in `api.indexed`, key windows as the registry events left
them, a batch from its BatchAnchored event, an inclusion proof folded as OpenZeppelin's
`MerkleProof`), so the verdict is the same as the chain's: the API serves `/v1/verify` from
here when the index is current and from the chain otherwise (tests compare both answers).
One index read per record and per party touched; no node call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from notary import merkle
from notary.api.indexed import _Keys, record_from_index
from notary.codes import bytes32_to_text
from notary.errors import NotaryUnknownAnchorError, NotaryUnknownRecordError
from notary.index import IndexReader
from notary.index import schema as s
from notary.models import Record, SignerKey


class IndexedLedger:
    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.keys = _Keys(reader)
        self._records: dict[bytes, Record] = {}

    def records_of_digest(self, digest: bytes) -> list[bytes]:
        return [bytes.fromhex(row["record_id"][2:]) for row in self.reader.records(digest=digest.hex())]

    def record(self, record_id: bytes, with_attestations: bool = True) -> Record:
        if record_id not in self._records:
            rows = self.reader.records(record_id="0x" + record_id.hex(), limit=1)
            if not rows:
                raise NotaryUnknownRecordError({"recordId": "0x" + record_id.hex()})
            self._records[record_id] = record_from_index(self.reader, rows[0], self.keys)
        return self._records[record_id]

    def signer_key(self, code: bytes, key: str) -> SignerKey:
        party = bytes32_to_text(code)
        found = self.keys(party, key)
        return found if found is not None else SignerKey(party, key, 0, 0, 0, 0)

    def _anchor(self, anchor_id: bytes) -> dict[str, Any]:
        e = s.events.c
        query = (
            select(e.digest, e.party, e.signer, e.time)
            .where(e.event == "BatchAnchored", e.record == "0x" + anchor_id.hex())
            .order_by(e.block_number.desc(), e.log_index.desc())
        )
        with self.reader.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotaryUnknownAnchorError({"anchorId": "0x" + anchor_id.hex()})
        return dict(row)

    def batch(self, anchor_id: bytes) -> dict[str, Any]:
        """As `LedgerGateway.batch`: root and party, the stored signer and time, and whether the key was
        authorised when it anchored, as the registry holds it now."""
        a = self._anchor(anchor_id)
        key = self.keys(a["party"], a["signer"])
        return {
            "root": bytes.fromhex(a["digest"]),
            "party": a["party"],
            "signer": a["signer"],
            "time": int(a["time"]),
            "valid": key is not None and key.authorised_at(int(a["time"])),
        }

    def verify_inclusion(self, anchor_id: bytes, digest: bytes, proof: Sequence[bytes]) -> bool:
        return merkle.verify(digest, proof, bytes.fromhex(self._anchor(anchor_id)["digest"]))
