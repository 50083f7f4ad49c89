"""Batch anchoring: hash many documents on every core, anchor one signed root, prove membership.

Gas does not grow with the batch: the chain stores one root. What a document's holder
needs later is its Merkle path, so anchoring writes a *bundle*: the anchor's evidence and
the index of documents (name and SHA-256, in the order they were anchored; the tree sorts
the leaves itself, as OpenZeppelin's `StandardMerkleTree` does: see `notary.merkle`).
`prove` rebuilds the tree from the index, checks it yields the anchored root, and writes
the document's receipt.

The number of documents is not part of the signed anchor (the chain could not check it):
the bundle's index says it, and `anchor_metadata` puts it in the metadata the anchor's
metadata hash commits to. Nothing rejects a proof by a count.

Bundle format: JSON, media type `application/vnd.notary.batch-bundle+json`, major version
2 (protocol v2: its anchor evidence is as in a v2 receipt; a version 1 bundle was made for
protocol v1), at most 2 GiB and 16,777,216 documents, names at most 4,096 characters;
strictly read (unknown version or fields, trailing data, oversize: each a `BundleFormatError`):

    {"mediaType": …, "version": 2, "chain": {…}, "metadata": null | {…},
     "anchor": {…evidence as in a receipt…}, "documents": [["name", "0x…digest"], …]}
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notary import merkle
from notary.errors import InvalidInputError
from notary.hashing import sha256_file

if TYPE_CHECKING:  # kept out of the hashing workers' imports
    from notary.models import BatchAnchor
    from notary.receipts import ChainRef, Evidence, Receipt
    from notary.receipts.proofs import StateProofs

MEDIA_TYPE = "application/vnd.notary.batch-bundle+json"
MAJOR_VERSION = 2
MAX_BYTES = 2 * 1024**3
MAX_DOCUMENTS = 2**24
MAX_NAME = 4096
#: Below this many files, hashing in this process beats starting workers.
POOL_THRESHOLD = 64
#: How long this process hashes alone before deciding whether a pool pays (`hash_files`).
SAMPLE_SECONDS = 0.25
#: A pool is tried only for work that would take this process alone longer than this.
POOL_MIN_SECONDS = 3.0
#: After this long, a pool slower than the sample's rate stops getting chunks.
JUDGE_SECONDS = 1.0

Progress = Callable[[int], None]


class BundleFormatError(InvalidInputError):
    """A batch bundle file does not follow the format."""

    code = "bundle-format"


# --------------------------------------------------------------------- hashing


def collect(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """(name, path) of every document: files as given, directories walked in sorted order."""
    out: list[tuple[str, Path]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file())
            out += [(f.relative_to(p).as_posix(), f) for f in found]
        elif p.is_file():
            out.append((str(p), p))
        else:
            raise InvalidInputError(f"{p} is neither a file nor a directory")
    if not out:
        raise InvalidInputError("no documents to anchor", hint="give files, or a directory that holds some")
    if len(out) > MAX_DOCUMENTS:
        raise InvalidInputError(f"{len(out)} documents; one batch holds at most {MAX_DOCUMENTS}")
    return out


def _hash_chunk(paths: list[str]) -> list[bytes]:
    return [sha256_file(Path(p)) for p in paths]


def hash_files(paths: Sequence[Path], workers: int | None = None, progress: Progress | None = None) -> list[bytes]:
    """SHA-256 of each file, in order.

    `workers=1` hashes in this process; `workers=N` uses a pool of N processes for what a
    first sample leaves. `None` (the default) chooses by measurement: this process hashes
    the files for `SAMPLE_SECONDS`; if the rest would take it less than `POOL_MIN_SECONDS`,
    or there is one core, it goes on alone. Otherwise a pool of every core takes the rest,
    and if after `JUDGE_SECONDS` the pool hashes fewer files per second than the sample did
    (many small files: opening them, not hashing, is the cost, and the pool only adds its
    start-up and transfers), the chunks it has not started are hashed here instead.
    """
    tick = progress or (lambda n: None)
    cores = os.cpu_count() or 1
    out: list[bytes] = []
    started = time.perf_counter()
    sample_for = float("inf") if workers == 1 or cores == 1 or len(paths) < POOL_THRESHOLD else SAMPLE_SECONDS
    if workers not in (None, 1):
        sample_for = 0.0
    for p in paths:
        if out and time.perf_counter() - started >= sample_for:
            break
        out.append(sha256_file(p))
        tick(1)
    if len(out) == len(paths):
        return out
    rate = len(out) / max(time.perf_counter() - started, 1e-9)  # files per second, alone
    rest = [str(p) for p in paths[len(out) :]]
    if workers is None and len(rest) / rate < POOL_MIN_SECONDS:
        return out + _serial(rest, tick)
    judge = workers is None
    return out + _pooled(rest, workers or cores, tick, rate if judge else 0.0)


def _serial(names: list[str], tick: Progress) -> list[bytes]:
    out = []
    for name in names:
        out.append(sha256_file(Path(name)))
        tick(1)
    return out


def _pooled(names: list[str], workers: int, tick: Progress, serial_rate: float) -> list[bytes]:
    """Hash `names` on a pool; with `serial_rate`, chunks not started when the pool proves slower go serial."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, wait

    size = max(16, min(2048, len(names) // (workers * 16)))
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    results: list[list[bytes] | None] = [None] * len(chunks)
    # forkserver: workers never inherit this process's threads (progress bar, node clients).
    context = multiprocessing.get_context("forkserver")
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_hash_chunk, chunk): i for i, chunk in enumerate(chunks)}
        pending, hashed, judged = set(futures), 0, serial_rate <= 0
        while pending:
            done, pending = wait(pending, timeout=JUDGE_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                i = futures[future]
                if not future.cancelled():
                    results[i] = future.result()
                    hashed += len(chunks[i])
                    tick(len(chunks[i]))
            elapsed = time.perf_counter() - started
            if not judged and elapsed >= JUDGE_SECONDS:
                judged = True
                if hashed / elapsed < serial_rate:  # slower than this process alone: stop feeding it
                    for future in pending:
                        future.cancel()
    for i, chunk in enumerate(chunks):
        if results[i] is None:
            results[i] = _serial(chunk, tick)
    return [d for chunk_digests in results for d in chunk_digests or ()]


def tree_of(digests: Sequence[bytes]) -> merkle.MerkleTree:
    """The batch's Merkle tree (the fast builder; same rules and root as `merkle.MerkleTree`).

    Proofs are asked for by a document's index in `digests`; the tree maps it to its sorted leaf.
    """
    return merkle.FastMerkleTree(digests)


def depth(count: int) -> int:
    """The longest proof in a batch of `count`: ceil(log2(count)) siblings (each has that or one fewer).

    For information only: neither the chain nor the offline check ties a proof's length to the
    batch's count (a proof that passes OpenZeppelin's `MerkleProof` passes offline too).
    """
    return max(0, (count - 1).bit_length())


def anchor_metadata(count: int, title: str = "") -> dict[str, Any]:
    """The batch's off-chain metadata: how many documents it holds (the chain cannot check that
    claim, so it is not a signed field: the metadata hash commits to it) and an optional title."""
    out: dict[str, Any] = {"documents": count}
    if title.strip():
        out["title"] = title.strip()
    return out


def prepare_anchor(root: bytes, party: str, deadline: int, metadata: dict[str, Any] | None = None) -> BatchAnchor:
    """The payload a party signs to anchor a batch of SHA-256 digests under `root`."""
    from notary.codes import party_code, text_to_bytes32
    from notary.hashing import DEFAULT_ALGORITHM, metadata_hash
    from notary.models import BatchAnchor

    algorithm = text_to_bytes32(DEFAULT_ALGORITHM)
    return BatchAnchor(root, party_code(party), algorithm, metadata_hash(metadata or {}), deadline)


# --------------------------------------------------------------------- the bundle


@dataclass(frozen=True)
class Bundle:
    """An anchored batch: the anchor's evidence and the documents in the order anchored."""

    chain: ChainRef
    metadata: dict[str, Any] | None
    anchor: Evidence
    names: tuple[str, ...]
    digests: tuple[bytes, ...]

    @property
    def payload(self) -> BatchAnchor:
        from notary.models import BatchAnchor

        assert isinstance(self.anchor.payload, BatchAnchor)
        return self.anchor.payload

    def tree(self) -> merkle.MerkleTree:
        """Rebuild the tree; it must give the anchored root, or the bundle is not this batch's."""
        tree = tree_of(self.digests)
        if tree.root != self.payload.root:
            raise BundleFormatError(
                f"the bundle's {len(self.digests)} documents do not rebuild the anchored root "
                f"{self.payload.root.hex()}: the index was altered"
            )
        return tree

    def index_of(self, digest: bytes) -> int:
        try:
            return self.digests.index(digest)
        except ValueError:
            raise InvalidInputError(
                f"no document with SHA-256 {digest.hex()} in this batch of {len(self.digests)}",
                hint="check the file is the one that was anchored (any change alters its digest)",
            ) from None

    def receipt(self, index: int, tree: merkle.MerkleTree, proofs: StateProofs | None = None) -> Receipt:
        """The receipt of document `index` (with the anchor's state proofs, if given)."""
        from notary.receipts.build import batch_receipt

        return batch_receipt(self.chain, self.anchor, self.digests[index], tree.proof(index), self.metadata, proofs)

    def to_json(self) -> bytes:
        from notary.receipts import evidence_json

        body = {
            "mediaType": MEDIA_TYPE,
            "version": MAJOR_VERSION,
            "chain": {"chainId": self.chain.chain_id, "ledger": self.chain.ledger, "registry": self.chain.registry},
            "metadata": self.metadata,
            "anchor": evidence_json(self.anchor),
            "documents": [[n, "0x" + d.hex()] for n, d in zip(self.names, self.digests, strict=True)],
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Bundle:
        from notary.models import BatchAnchor
        from notary.receipts.parse import parse_chain, parse_evidence, parse_metadata

        if len(raw) > MAX_BYTES:
            raise BundleFormatError(f"bundle is {len(raw)} bytes; the limit is {MAX_BYTES}")
        try:
            text = raw.decode("utf-8")
            body, end = json.JSONDecoder().raw_decode(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BundleFormatError(f"bundle is not UTF-8 JSON: {exc}") from None
        if text[end:].strip():
            raise BundleFormatError(f"bundle has trailing data after the JSON value (at character {end})")
        if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
            raise BundleFormatError(f"not a batch bundle (mediaType must be {MEDIA_TYPE})")
        if body.get("version") == 1:
            raise BundleFormatError("this bundle (version 1) was made for protocol v1; re-issue it")
        if body.get("version") != MAJOR_VERSION:
            raise BundleFormatError(
                f"bundle version {body.get('version')!r} is not supported (this notary reads {MAJOR_VERSION})"
            )
        expected = {"mediaType", "version", "chain", "metadata", "anchor", "documents"}
        if set(body) != expected:
            raise BundleFormatError(f"bundle fields differ from the format: {sorted(set(body) ^ expected)}")
        anchor = parse_evidence(body["anchor"], "anchor")
        if not isinstance(anchor.payload, BatchAnchor):
            raise BundleFormatError("the bundle's anchor is not a BatchAnchor")
        docs = body["documents"]
        if not isinstance(docs, list) or not 0 < len(docs) <= MAX_DOCUMENTS:
            raise BundleFormatError(f"bundle documents must be a list of 1 to {MAX_DOCUMENTS} entries")
        names, digests = [], []
        for i, entry in enumerate(docs):
            ok = isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and len(entry[0]) <= MAX_NAME
            digest = entry[1] if ok else None
            if not (isinstance(digest, str) and len(digest) == 66 and digest.startswith("0x")):
                raise BundleFormatError(f"bundle document {i} must be [name, 0x-digest]")
            try:
                digests.append(bytes.fromhex(digest[2:]))
            except ValueError:
                raise BundleFormatError(f"bundle document {i}'s digest is not hex") from None
            names.append(entry[0])
        return cls(parse_chain(body["chain"]), parse_metadata(body["metadata"]), anchor, tuple(names), tuple(digests))

    def write(self, path: Path) -> int:
        from notary.files import write_atomic

        return write_atomic(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> Bundle:
        try:
            return cls.from_json(path.read_bytes())
        except FileNotFoundError:
            raise InvalidInputError(f"bundle file {path} does not exist") from None
