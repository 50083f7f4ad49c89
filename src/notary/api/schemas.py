"""Response models of the API (the OpenAPI schema is generated from these).

Field names are those of the CLI's `--json` output (`notary.views`); times are UTC ISO 8601.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Hex32 = Field(pattern=r"^0x[0-9a-f]{64}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttestationOut(_Model):
    party: str = Field(description="Party code, e.g. FRA.")
    intent: Literal["signature", "ratification", "annulment", "withdrawal", "cancellation"]
    signer: str = Field(description="Address of the key that signed the act.")
    time: str = Field(description="Block time at which the act was recorded.")
    valid: bool = Field(description="Whether the key was authorised for the party when it signed, as known now.")
    health: str = Field(description='"valid", or "invalid…" with the reason (e.g. a key declared compromised).')
    voided: bool = Field(description="Voided on chain (its key was not authorised at its time): it no longer counts.")
    reason: str | None = Field(description="Reason recorded with a withdrawal, annulment or cancellation.")
    transaction: str | None
    block: int | None
    confirmations: int = Field(description="Blocks on top of (and including) the act's block.")


class RecordLink(_Model):
    """Another record this one points to (supersession)."""

    recordId: str
    digest: str
    submitter: str
    status: str
    href: str = Field(description="This API's URL of that record.")


class SupersessionLinks(_Model):
    supersedes: RecordLink | None = Field(description="The record this amendment replaces.")
    supersededBy: RecordLink | None = Field(description="The amendment that replaced this record.")


class RecordOut(_Model):
    recordId: str
    digest: str = Field(description="Hex digest of the document (no 0x).")
    hashAlgorithm: str
    kind: str = Field(description="mou, treaty, note-verbale, …")
    submitter: str
    parties: list[str] = Field(description="Required parties.")
    quorum: int
    status: Literal["open", "executed", "in-force", "cancelled", "superseded", "annulled", "terminated", "void"]
    ratificationRequired: bool
    supersedes: str | None
    supersededBy: str | None
    metadataHash: str
    createdAt: str
    updatedAt: str
    signatures: int
    ratifications: int
    annulments: int
    withdrawals: int
    attestations: list[AttestationOut]
    links: SupersessionLinks


class ChainContext(_Model):
    chainId: int
    ledger: str = Field(description="Address of the ledger contract.")
    block: int = Field(description="Latest block when the answer was read.")
    chainTime: str


class RecordsOut(_Model):
    """Every record of a digest (one per submitting party)."""

    digest: str
    records: list[RecordOut]
    chain: ChainContext


class UploadOut(_Model):
    name: str | None = Field(description="File name as sent by the client.")
    size: int
    hashAlgorithm: Literal["sha256"] = "sha256"


class RecordVerdictOut(_Model):
    recordId: str
    status: str
    effectiveStatus: str = Field(description="The state its valid acts give (differs while a void is pending).")
    submitter: str
    ok: bool
    bound: list[str] = Field(description="Parties bound by this record now: a valid signature, not withdrawn.")
    unsigned: list[str] = Field(description="Parties the record names that never validly signed it.")
    withdrawn: list[str] = Field(description="Parties that signed and then withdrew.")
    annulledBy: list[str] = Field(description="Bound parties that signed an annulment.")
    ratifiedBy: list[str] = Field(description="Bound parties that ratified.")
    reasons: list[str] = Field(description="Why this record does not verify (empty when ok).")
    warnings: list[str] = Field(description="E.g. not yet ratified, superseded, or an act signed with a void key.")
    record: RecordOut


class PolicyOut(_Model):
    """What the verifier asked for beyond an executed record with a valid quorum."""

    signedBy: list[str]
    inForce: bool
    submitter: str | None


class BatchMemberOut(_Model):
    """The document is one of a published batch: the anchor's party is the only one bound."""

    anchorId: str
    root: str
    party: str = Field(description="The party that anchored the batch (the only one it binds).")
    title: str = Field(description="The batch's title, where its anchor's metadata gives one.")
    count: int = Field(description="Documents in the batch.")
    index: int = Field(description="The document's place in the batch's bundle.")
    name: str = Field(description="The document's name in the bundle.")
    proof: list[str] = Field(description="Sibling hashes, leaf to root (OpenZeppelin MerkleProof).")
    signer: str | None = Field(description="The key that anchored it, as the ledger holds it (None: not anchored).")
    anchoredAt: str | None
    anchorTransaction: str
    included: bool = Field(description="The ledger's verifyInclusion accepts the proof now.")
    ok: bool
    reasons: list[str]
    receipt: str = Field(description="This API's URL of the document's portable receipt.")


class InstrumentTextOut(_Model):
    """The document is a text or annex of a published multi-text instrument, verified as the instrument."""

    instrumentDigest: str
    title: str
    name: str = Field(description="The text's file name in the instrument's manifest.")
    role: Literal["text", "annex"]
    index: int = Field(description="The text's place in the manifest.")
    verified: bool = Field(description="The instrument's verdict under the same policy.")
    verdict: Literal["verified", "disputed", "not-verified", "not-notarised"]
    reasons: list[str]
    records: list[RecordVerdictOut]
    receipt: str = Field(description="This API's URL of the instrument's receipt, listing every text.")


class VerdictOut(_Model):
    """The verification of a digest: `verified` only for an executed (or in-force) record with a valid quorum
    that meets the policy, and no other record of the digest undone by its signatories (`disputed`)."""

    digest: str
    verified: bool
    verdict: Literal["verified", "disputed", "not-verified", "not-notarised"]
    disputedBy: list[str] = Field(description="Records of this digest annulled or terminated by their signatories.")
    policy: PolicyOut
    notarised: bool
    reasons: list[str]
    records: list[RecordVerdictOut]
    batches: list[BatchMemberOut] = Field(
        default_factory=list, description="Published batches holding the document (`notary batch publish`)."
    )
    instrumentTexts: list[InstrumentTextOut] = Field(
        default_factory=list, description="Published instruments listing the document among their texts."
    )
    file: UploadOut | None = None
    chain: ChainContext


class KeyOut(_Model):
    key: str
    status: Literal["active", "not yet valid", "expired", "revocation pending", "revoked", "compromised"]
    validFrom: str | None
    validUntil: str | None = Field(description="None: never expires.")
    revokedAt: str | None
    addedAt: str | None
    pendingRevocation: str | None = Field(
        description="An earlier compromise time the controller asked for beyond the repudiation window, "
        "awaiting the depositary's confirmation (the key is revoked from `revokedAt` meanwhile)."
    )


class KeyEventOut(_Model):
    event: Literal["SignerAdded", "SignerRevoked", "BackdatedRevocationRequested", "BackdatedRevocationConfirmed"]
    key: str
    time: str | None
    transaction: str
    block: int
    validFrom: str | None = None
    validUntil: str | None = None
    effectiveAt: str | None = None
    requestedAt: str | None = Field(
        default=None, description="BackdatedRevocationRequested: the time awaiting the depositary."
    )
    compromise: bool | None = Field(default=None, description="The revocation reaches back into mined blocks.")


class PendingControlOut(_Model):
    """A pending controller change: the controller's proposal, or the depositary's scheduled reset."""

    controller: str = Field(description="The proposed or scheduled new controller.")
    byDepositary: bool = Field(description="A depositary's reset of a lost controller (else a proposal).")
    effectiveAt: str | None = Field(description="When a reset may be completed; null for a proposal.")
    due: bool = Field(description="The reset may be completed now.")


class DelaysOut(_Model):
    repudiationWindow: int = Field(description="Seconds a controller alone may back-date a compromise.")
    controllerResetDelay: int = Field(description="Seconds a depositary's controller reset waits.")


class PartyOut(_Model):
    code: str
    name: str
    controller: str
    status: Literal["active", "suspended"]
    registeredAt: str | None
    chainTime: str | None
    pendingControl: PendingControlOut | None
    delays: DelaysOut | None
    keys: list[KeyOut]
    history: list[KeyEventOut]


class RelayOut(_Model):
    """A relayed signed payload; replaying the same payload returns this same body."""

    signingHash: str = Field(description="EIP-712 hash of the payload: the idempotency key.")
    primaryType: Literal["Notarisation", "Act", "BatchAnchor"]
    party: str
    intent: str = Field(description="notarisation, anchor, or the act's intent.")
    signer: str
    outcome: Literal["submitted", "already-recorded"] = Field(
        description="submitted: this service sent the transaction; already-recorded: the act was on chain already."
    )
    transaction: str | None
    block: int | None
    recordId: str | None = None
    anchorId: str | None = None
    digest: str | None = None
    record: str | None = Field(default=None, description="This API's URL of the record.")


class HealthOut(_Model):
    status: Literal["ok"] = "ok"


class ReadyOut(_Model):
    status: Literal["ready", "unready"]
    checks: dict[str, str] = Field(description='Each check and its result: "ok" or what failed.')
    chainId: int | None
    block: int | None
    ledger: str
    indexerLag: int | None = Field(description="Blocks the indexer is behind the chain; null without an indexer.")


class InclusionOut(_Model):
    """One batch holding the document: its Merkle proof, and the ledger's `verifyInclusion` now."""

    anchorId: str
    root: str = Field(description="The batch's Merkle root, as anchored.")
    party: str = Field(description="The party that anchored the batch.")
    count: int = Field(description="Documents in the batch.")
    index: int = Field(description="The document's leaf index in the batch.")
    name: str = Field(description="The document's name in the batch's bundle.")
    proof: list[str] = Field(description="Sibling hashes, leaf to root (OpenZeppelin MerkleProof, sorted pairs).")
    anchorTransaction: str
    anchorBlock: int
    anchoredAt: str
    bundle: str = Field(description="The bundle file the proof comes from.")
    anchorOnChain: bool = Field(description="The ledger knows the batch's anchor.")
    verifiedOnChain: bool = Field(description="The ledger's verifyInclusion accepts the proof now.")
    receipt: str = Field(description="This API's URL of the document's portable receipt.")


class ProofsOut(_Model):
    """Inclusion proofs of a batch-anchored digest (one per batch holding it)."""

    digest: str
    verified: bool = Field(description="At least one proof verifies on chain.")
    inclusions: list[InclusionOut]
    chain: ChainContext


class ExportManifestOut(BaseModel):
    """The manifest of an audit export (`<export>.manifest.json`, as `notary audit export` writes it)."""

    model_config = ConfigDict(extra="allow")

    mediaType: Literal["application/vnd.notary.audit-export+json"]
    version: int
    format: Literal["csv", "jsonl", "pdf"]
    chain_id: int
    registry: str
    ledger: str
    from_block: int
    to_block: int
    head_block_hash: str
    filters: dict[str, str | int]
    row_count: int
    merkle_root: str
    file_sha256: str
    columns: list[str]
    tree: str


class PublishedOut(_Model):
    """What a publication stored: a batch's documents, or an instrument's texts, now found by digest."""

    kind: Literal["batch", "instrument"]
    id: str = Field(description="The batch's anchor id, or the instrument digest.")
    documents: int = Field(description="Documents now found by digest (a batch's members, or texts and annexes).")
    party: str | None = Field(description="The anchoring party (batches).")
    recordId: str | None = Field(description="The instrument's record committing to the manifest (instruments).")
    title: str
    already: bool = Field(description="It was published before: nothing changed.")
