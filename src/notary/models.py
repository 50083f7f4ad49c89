"""Immutable value types shared by the use cases, the chain layer and the edges."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime

from notary.codes import bytes32_to_text


class Status(enum.IntEnum):
    """A record's lifecycle state (mirrors `INotaryLedger.Status`)."""

    NONE = 0
    OPEN = 1
    EXECUTED = 2
    IN_FORCE = 3
    CANCELLED = 4
    SUPERSEDED = 5
    ANNULLED = 6
    TERMINATED = 7
    #: The submitter's notarisation was signed by a key not authorised at that time: no record.
    VOID = 8

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class Intent(enum.IntEnum):
    """What a party's signed act means (mirrors `INotaryLedger.Intent`)."""

    SIGNATURE = 0
    RATIFICATION = 1
    ANNULMENT = 2
    WITHDRAWAL = 3
    CANCELLATION = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Intent:
        from notary.errors import InvalidInputError

        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(i.label for i in cls)
            raise InvalidInputError(f"intent {text!r} is unknown", hint=f"use one of {names}") from None


def timestamp_text(ts: int) -> str:
    """UTC ISO 8601 text for a UNIX time, e.g. 2026-11-27T10:00:00Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------- signed payloads


@dataclass(frozen=True)
class Terms:
    """Everything the parties to a record agree to (EIP-712 type `Terms`); the ledger stores its hash."""

    digest: bytes
    hash_algorithm: bytes
    kind: bytes
    submitter: bytes
    parties: tuple[bytes, ...]
    quorum: int
    supersedes: bytes
    metadata_hash: bytes
    ratification_required: bool

    @property
    def record_id(self) -> bytes:
        return record_id(self.digest, self.submitter)


@dataclass(frozen=True)
class Notarisation:
    """The request to notarise a digest, as signed by the submitting party (EIP-712
    `Notarisation(Terms terms,uint64 deadline)`; `party` is the terms' submitter)."""

    digest: bytes
    hash_algorithm: bytes
    kind: bytes
    party: bytes
    parties: tuple[bytes, ...]
    quorum: int
    supersedes: bytes
    metadata_hash: bytes
    ratification_required: bool
    deadline: int

    @property
    def terms(self) -> Terms:
        return Terms(
            self.digest,
            self.hash_algorithm,
            self.kind,
            self.party,
            self.parties,
            self.quorum,
            self.supersedes,
            self.metadata_hash,
            self.ratification_required,
        )

    @classmethod
    def of(cls, terms: Terms, deadline: int) -> Notarisation:
        t = terms
        return cls(
            t.digest, t.hash_algorithm, t.kind, t.submitter, t.parties, t.quorum, t.supersedes,
            t.metadata_hash, t.ratification_required, deadline,
        )  # fmt: skip


@dataclass(frozen=True)
class Act:
    """A party's act on a record, as signed (EIP-712): it binds the record's full terms."""

    terms: Terms
    party: bytes
    intent: Intent
    reason: str
    deadline: int

    @property
    def record_id(self) -> bytes:
        return self.terms.record_id


@dataclass(frozen=True)
class BatchAnchor:
    """A party's Merkle root over many document digests, as signed (EIP-712). The number of
    documents is not signed (the chain could not check it): the bundle's metadata says it."""

    root: bytes
    party: bytes
    hash_algorithm: bytes
    metadata_hash: bytes
    deadline: int


# --------------------------------------------------------------------- chain state


@dataclass(frozen=True)
class ActEntry:
    """One entry of a record's act history (`INotaryLedger.ActEntry`): an act, or (intent | 0x80)
    the void of one. The ledger stores a hash chain over them."""

    party: bytes
    intent: int
    signer: str
    time: int


@dataclass(frozen=True)
class SignerKey:
    """One key's authorisation window for a party; `revoked_at` 0 means never revoked."""

    party: str
    key: str
    valid_from: int
    valid_until: int
    revoked_at: int
    added_at: int

    def authorised_at(self, time: int) -> bool:
        """The registry's rule, applied off chain."""
        if self.added_at == 0 or not (self.valid_from <= time < self.valid_until):
            return False
        return self.revoked_at == 0 or time < self.revoked_at


@dataclass(frozen=True)
class Party:
    """A registered state or organisation."""

    code: str
    name: str
    controller: str
    suspended: bool
    registered_at: int


@dataclass(frozen=True)
class Attestation:
    """A recorded act on a record and its health as re-checked against the registry now."""

    party: str
    intent: Intent
    signer: str
    time: int
    valid: bool
    reason: str = ""
    transaction: str | None = None
    block_number: int | None = None
    #: Voided on chain (its key was not authorised at its time): it no longer counts.
    voided: bool = False
    #: The payload's deadline and signature, as the ActRecorded event carries them.
    deadline: int | None = None
    signature: bytes | None = None


@dataclass(frozen=True)
class Record:
    """A notarised record as stored on chain, with its recorded acts."""

    record_id: bytes
    digest: bytes
    hash_algorithm: str
    kind: str
    submitter: str
    parties: tuple[str, ...]
    quorum: int
    supersedes: bytes
    superseded_by: bytes
    metadata_hash: bytes
    ratification_required: bool
    status: Status
    created_at: int
    updated_at: int
    signatures: int
    ratifications: int
    annulments: int
    withdrawals: int
    attestations: tuple[Attestation, ...] = field(default=())
    #: The terms as notarised (bytes32 values), checked against the stored terms hash.
    terms: Terms | None = None
    #: The stored party sets (bit i is parties[i]): signed, withdrawn, annulled, ratified.
    masks: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: Whether the record has executed (an amendment: and superseded its target).
    executed: bool = False

    @property
    def record_id_hex(self) -> str:
        return "0x" + self.record_id.hex()

    @property
    def digest_hex(self) -> str:
        return self.digest.hex()


def code_text(value: bytes) -> str:
    """Render a bytes32 code for people."""
    return bytes32_to_text(value)


def record_id(digest: bytes, party: bytes) -> bytes:
    """A record's id: keccak256(abi.encode(digest, party)), as `NotaryLedger.recordId`."""
    from notary.eip712 import keccak256

    return keccak256(digest + party)


def anchor_id(root: bytes, party: bytes) -> bytes:
    """A batch's id: keccak256(abi.encode(root, party)), as `NotaryLedger.anchorId`."""
    from notary.eip712 import keccak256

    return keccak256(root + party)
