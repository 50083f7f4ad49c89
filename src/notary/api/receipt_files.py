"""Portable receipts over HTTP: the record's receipt (read from the chain now), as canonical bytes.

`GET /v1/records/{digest}/receipt` answers with the very bytes `notary receipt DIGEST -o R`
writes (RFC 8785, media type `application/vnd.notary.receipt+json`): a file that verifies
offline with `notary verify FILE --receipt R --offline`.
"""

from __future__ import annotations

from typing import Any

from notary import receipts
from notary.api.problems import AmbiguousRecordError
from notary.chain.gateway import LedgerGateway
from notary.errors import RecordNotFoundError
from notary.hashing import metadata_hash
from notary.published import PublishedStore
from notary.receipts.build import record_receipt

MEDIA_TYPE = receipts.MEDIA_TYPE
#: OpenAPI description of a receipt body (its format is documented in the README and `notary.receipts`).
OK: dict[str, Any] = {
    "description": "The receipt (save it as R.receipt.json)",
    "content": {
        MEDIA_TYPE: {
            "schema": {
                "type": "object",
                "description": f"A notary receipt, version {receipts.MAJOR_VERSION} (protocol v2, RFC 8785).",
            }
        }
    },
}


def resolve(gw: LedgerGateway, digest: bytes, submitter: str | None) -> bytes:
    """The id of the record of `digest` by `submitter`, or the only one; 404 or 409 otherwise."""
    records = [gw.record(i, with_attestations=False) for i in gw.records_of_digest(digest)]
    if submitter is not None:
        records = [r for r in records if r.submitter == submitter.strip().upper()]
    if not records:
        who = f" by {submitter.strip().upper()}" if submitter else ""
        raise RecordNotFoundError(f"digest {digest.hex()} is not notarised{who} on this ledger")
    if len(records) > 1:
        raise AmbiguousRecordError(
            f"digest {digest.hex()} has {len(records)} records (submitted by "
            f"{', '.join(r.submitter for r in records)})",
            hint="say whose with ?submitter=PARTY",
        )
    return records[0].record_id


def record_receipt_bytes(
    gw: LedgerGateway, digest: bytes, submitter: str | None, published: PublishedStore | None = None
) -> bytes:
    """The record's receipt; an instrument whose manifest was published lists its texts (each verifies)."""
    rid = resolve(gw, digest, submitter)
    manifest = published.instrument(digest) if published is not None else None
    metadata = None
    if manifest is not None and gw.record(rid, with_attestations=False).metadata_hash == metadata_hash(
        manifest.metadata
    ):
        metadata = manifest.metadata
    return receipts.dumps(record_receipt(gw, rid, metadata=metadata))


def disposition(digest: bytes, suffix: str = "") -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{digest.hex()[:16]}{suffix}.receipt.json"'}
