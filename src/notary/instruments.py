"""Multi-text instruments: several equally authentic texts (and annexes) notarised as one digest.

The instrument digest is the root of `merkle.MerkleTree` over the texts' SHA-256 digests
(OpenZeppelin's StandardMerkleTree since protocol v2: the tree sorts its leaves, so the digest
does not depend on the order of the texts); its hash algorithm is recorded on chain as
"merkle-sha256". Texts come first, then annexes, each in the order given: that order, the
names and the roles are bound by the off-chain metadata the submitter signs the hash of:
`{"title": …, "texts": [{"name", "role", "sha256"}, …]}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notary import merkle
from notary.errors import InvalidInputError
from notary.hashing import sha256_file

ALGORITHM = "merkle-sha256"
TEXT, ANNEX = "text", "annex"


@dataclass(frozen=True)
class InstrumentText:
    name: str
    role: str
    digest: bytes


@dataclass(frozen=True)
class Instrument:
    texts: tuple[InstrumentText, ...]
    tree: merkle.MerkleTree

    @property
    def digest(self) -> bytes:
        return self.tree.root

    def proof(self, index: int) -> tuple[bytes, ...]:
        return tuple(self.tree.proof(index))

    def metadata(self, title: str = "") -> dict[str, Any]:
        """The off-chain metadata committing to the texts' names, roles and digests."""
        listed = [{"name": t.name, "role": t.role, "sha256": t.digest.hex()} for t in self.texts]
        return {"title": title.strip(), "texts": listed} if title.strip() else {"texts": listed}


def build(texts: Sequence[InstrumentText]) -> Instrument:
    if len(texts) < 2:
        raise InvalidInputError(
            "a multi-text instrument has at least two texts",
            hint="give each language version with --text and each annex with --annex",
        )
    seen: dict[bytes, str] = {}
    for t in texts:
        if t.digest in seen:
            raise InvalidInputError(f"{t.name} and {seen[t.digest]} are the same file (same SHA-256)")
        seen[t.digest] = t.name
    return Instrument(tuple(texts), merkle.MerkleTree([t.digest for t in texts]))


def from_files(texts: Sequence[Path], annexes: Sequence[Path] = ()) -> Instrument:
    """Hash each file: texts first, then annexes, in the order given."""
    if not texts:
        raise InvalidInputError("an instrument needs at least one --text (annexes alone are not an instrument)")
    items = [InstrumentText(p.name, TEXT, sha256_file(p)) for p in texts]
    items += [InstrumentText(p.name, ANNEX, sha256_file(p)) for p in annexes]
    return build(items)


def from_metadata(metadata: dict[str, Any]) -> Instrument:
    """The instrument described by its metadata (as kept in a receipt)."""
    listed = metadata.get("texts")
    if not isinstance(listed, list):
        raise InvalidInputError("the metadata does not list the instrument's texts")
    try:
        items = [InstrumentText(str(t["name"]), str(t["role"]), bytes.fromhex(str(t["sha256"]))) for t in listed]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"the metadata's list of texts is malformed: {exc}") from None
    return build(items)
