"""Publish a multi-text instrument's manifest, so each text and annex is found by its own digest.

The manifest is the metadata the submitter signed the hash of when notarising the
instrument: `{"title": …, "texts": [{"name", "role", "sha256"}, …]}` (a receipt of the
instrument carries it; `read_manifest` takes either). Accepted only when:

1. it lists a valid instrument (at least two texts, no file twice);
2. the instrument digest its texts give is notarised on this ledger;
3. one of that digest's records commits to exactly this manifest (its metadata hash).

Publishing the same instrument again changes nothing and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notary import instruments
from notary.chain.gateway import LedgerGateway
from notary.errors import InvalidInputError, RecordNotFoundError
from notary.hashing import metadata_hash

from .store import PublishedStore

#: A manifest (or the receipt carrying it) is small; a larger file is refused unread.
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class PublishedInstrument:
    digest: str
    title: str
    texts: tuple[tuple[str, str, str], ...]  # (name, role, sha256 hex)
    record_id: str
    already: bool


def manifest_of(raw: bytes) -> dict[str, Any]:
    """The manifest in `raw`: a receipt of the instrument (its metadata), or the manifest itself."""
    from notary import receipts

    if len(raw) > MAX_BYTES:
        raise InvalidInputError(f"a manifest or receipt is at most {MAX_BYTES} bytes; this one is {len(raw)}")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"not UTF-8 JSON: {exc}") from None
    if isinstance(body, dict) and body.get("mediaType") == receipts.MEDIA_TYPE:
        metadata = receipts.loads(raw).metadata
        if not metadata or "texts" not in metadata:
            raise InvalidInputError(
                "this receipt does not list an instrument's texts",
                hint="make it with `notary receipt … --text FILE --annex FILE --title T`, or give the manifest",
            )
        return metadata
    if not isinstance(body, dict) or not isinstance(body.get("texts"), list):
        raise InvalidInputError(
            'not an instrument manifest: expected {"title": …, "texts": [{"name", "role", "sha256"}, …]} '
            "or a receipt of the instrument"
        )
    return body


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidInputError(f"{path} is {size} bytes; a manifest or receipt is at most {MAX_BYTES}")
        return manifest_of(path.read_bytes())
    except FileNotFoundError:
        raise InvalidInputError(f"{path} does not exist") from None


def publish_manifest(
    gw: LedgerGateway, store: PublishedStore, manifest: dict[str, Any], by: str = "cli"
) -> PublishedInstrument:
    """Check `manifest` against the ledger (the module's steps) and store its texts by digest."""
    # Step 1.
    instrument = instruments.from_metadata(manifest)
    digest = instrument.digest
    texts = tuple((t.name, t.role, t.digest.hex()) for t in instrument.texts)
    title = str(manifest.get("title", ""))
    # Step 2.
    ids = gw.records_of_digest(digest)
    if not ids:
        raise RecordNotFoundError(
            f"the instrument its texts make ({digest.hex()}) is not notarised on this ledger",
            hint="notarise it first (`notary notarise --text … --annex …`), with the same texts in the same order",
        )
    # Step 3.
    expected = metadata_hash(manifest)
    committed = [rid for rid in ids if gw.record(rid, with_attestations=False).metadata_hash == expected]
    if not committed:
        raise InvalidInputError(
            f"no record of instrument {digest.hex()} commits to this manifest (its metadata hash "
            f"0x{expected.hex()} is not the one signed)",
            hint="publish the manifest exactly as notarised (same title, names, roles and order), "
            "e.g. from a receipt of the instrument",
        )
    record_id = "0x" + committed[0].hex()
    if store.instrument(digest) is not None:
        return PublishedInstrument(digest.hex(), title, texts, record_id, already=True)
    store.add_instrument(digest, manifest, expected, [(t.name, t.role, t.digest) for t in instrument.texts], by)
    return PublishedInstrument(digest.hex(), title, texts, record_id, already=False)
