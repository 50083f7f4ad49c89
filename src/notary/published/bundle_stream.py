"""Read a batch bundle file as a stream: its documents one at a time, never the whole file in memory.

`notary.batch.Bundle.from_json` reads a bundle whole (fine for a receipt of one document);
a million-document bundle is some 100 MB of JSON and several hundred MB as Python objects.
`scan(path, on_document)` parses the file incrementally (ijson's C backend) in two passes:
the other sections (`Header`), checked exactly as `Bundle.from_json` checks them (media
type, version, the set of fields, the limits, no trailing data), then each document
`[name, 0x-digest]` handed to `on_document(ordinal, name, digest)` as it is read
(`documents(path)` is that second pass alone). Nothing but the current document is held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson

from notary.batch import MAJOR_VERSION, MAX_BYTES, MAX_DOCUMENTS, MAX_NAME, MEDIA_TYPE, BundleFormatError
from notary.errors import InvalidInputError

OnDocument = Callable[[int, str, bytes], None]
_FIELDS = {"mediaType", "version", "chain", "metadata", "anchor", "documents"}
_READ = 1 << 20


@dataclass(frozen=True)
class Header:
    """Everything a bundle holds but its documents (parsed as in a receipt), and how many documents."""

    chain: Any  # notary.receipts.ChainRef
    metadata: dict[str, Any] | None
    anchor: Any  # notary.receipts.Evidence of a BatchAnchor
    count: int
    raw_chain: dict[str, Any]
    raw_anchor: dict[str, Any]

    @property
    def payload(self) -> Any:
        return self.anchor.payload


def documents(path: Path) -> Iterator[tuple[int, str, bytes]]:
    """(ordinal, name, digest) of each document, in order, checked as `Bundle.from_json` checks them."""
    with path.open("rb") as f:
        i = -1
        for i, entry in enumerate(ijson.items(f, "documents.item", buf_size=_READ)):
            if i >= MAX_DOCUMENTS:
                raise BundleFormatError(f"bundle documents must be a list of 1 to {MAX_DOCUMENTS} entries")
            if not (type(entry) is list and len(entry) == 2 and type(entry[0]) is str and len(entry[0]) <= MAX_NAME):
                raise BundleFormatError(f"bundle document {i} must be [name, 0x-digest]")
            digest = entry[1]
            if not (type(digest) is str and len(digest) == 66 and digest.startswith("0x")):
                raise BundleFormatError(f"bundle document {i} must be [name, 0x-digest]")
            try:
                raw = bytes.fromhex(digest[2:])
            except ValueError:
                raise BundleFormatError(f"bundle document {i}'s digest is not hex") from None
            yield i, entry[0], raw


def scan(path: Path, on_document: OnDocument | None = None) -> Header:
    """Parse the bundle at `path`, calling `on_document` for each document in order; return its header."""
    from notary.models import BatchAnchor
    from notary.receipts.parse import parse_chain, parse_evidence, parse_metadata

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInputError(f"bundle file {path} does not exist") from None
    if size > MAX_BYTES:
        raise BundleFormatError(f"bundle is {size} bytes; the limit is {MAX_BYTES}")
    top: dict[str, Any] = {}
    builder: ijson.ObjectBuilder | None = None
    key, seen_documents, count = "", False, 0
    try:
        # Pass A: the top-level fields but `documents` (whose events are skipped here).
        with path.open("rb") as f:
            for prefix, kind, value in ijson.parse(f, use_float=True, buf_size=_READ):
                if prefix == "":
                    if kind == "map_key":
                        if value in top or (value == "documents" and seen_documents):
                            raise BundleFormatError(f"bundle has the field {value!r} twice")
                        key, builder = value, None if value == "documents" else ijson.ObjectBuilder()
                        seen_documents = seen_documents or value == "documents"
                    elif kind not in ("start_map", "end_map"):
                        raise BundleFormatError(f"not a batch bundle (mediaType must be {MEDIA_TYPE})")
                elif builder is not None:
                    builder.event(kind, value)
                    if prefix == key and kind not in ("start_map", "start_array"):
                        top[key] = builder.value
        # Pass B: the documents.
        for i, name, digest in documents(path):
            count = i + 1
            if on_document is not None:
                on_document(i, name, digest)
    except ijson.JSONError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BundleFormatError(f"bundle is not UTF-8 JSON, or has trailing data: {first}") from None
    if top.get("mediaType") != MEDIA_TYPE:
        raise BundleFormatError(f"not a batch bundle (mediaType must be {MEDIA_TYPE})")
    if top.get("version") == 1:
        raise BundleFormatError("this bundle (version 1) was made for protocol v1; re-issue it")
    if top.get("version") != MAJOR_VERSION:
        raise BundleFormatError(f"bundle version {top.get('version')!r} is not supported (this notary reads 2)")
    present = set(top) | ({"documents"} if seen_documents else set())
    if present != _FIELDS:
        raise BundleFormatError(f"bundle fields differ from the format: {sorted(present ^ _FIELDS)}")
    if count == 0:
        raise BundleFormatError(f"bundle documents must be a list of 1 to {MAX_DOCUMENTS} entries")
    anchor = parse_evidence(top["anchor"], "anchor")
    if not isinstance(anchor.payload, BatchAnchor):
        raise BundleFormatError("the bundle's anchor is not a BatchAnchor")
    chain = parse_chain(top["chain"])
    return Header(chain, parse_metadata(top["metadata"]), anchor, count, top["chain"], top["anchor"])
