"""Use cases of the notary ledger: prepare, sign and submit notarisations and acts.

Signing and submitting are separate steps so that a ministry's key can sign offline and
anyone can relay the signed payload; `notarise` and `attest` do both for convenience.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import Hash32

from notary import eip712
from notary.chain.gateway import LedgerGateway
from notary.chain.tx import DEFAULT_TIMEOUT, OnSigned, TxResult
from notary.codes import bytes32_to_text, kind_code, party_code, text_to_bytes32
from notary.errors import InvalidInputError, RecordNotFoundError, WrongDomainError
from notary.hashing import DEFAULT_ALGORITHM, metadata_hash
from notary.models import Act, BatchAnchor, Intent, Notarisation, Record, Terms, record_id

#: How long a signed payload stays submittable, by default.
DEFAULT_VALIDITY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SignedPayload:
    """A payload, the domain it was signed for, the signer's address and signature."""

    payload: Notarisation | Act | BatchAnchor
    domain: eip712.Domain
    signer: str
    signature: bytes


def prepare_notarisation(
    *,
    digest: bytes,
    party: str,
    parties: Sequence[str],
    quorum: int | None,
    kind: str,
    deadline: int,
    metadata: Mapping[str, Any] | None = None,
    supersedes: bytes | None = None,
    ratification: bool = False,
    algorithm: str = DEFAULT_ALGORITHM,
) -> Notarisation:
    """Build a notarisation; the submitting party is added to `parties` if missing."""
    me = party_code(party)
    required = [party_code(p) for p in parties]
    if me not in required:
        required.insert(0, me)
    if len(set(required)) != len(required):
        raise InvalidInputError("a party is listed twice in --parties")
    q = len(required) if quorum is None else quorum
    if not 1 <= q <= len(required):
        raise InvalidInputError(
            f"quorum {q} is impossible with {len(required)} parties",
            hint=f"choose a quorum between 1 and {len(required)}",
        )
    return Notarisation(
        digest=digest,
        hash_algorithm=text_to_bytes32(algorithm),
        kind=kind_code(kind),
        party=me,
        parties=tuple(required),
        quorum=q,
        supersedes=supersedes or bytes(32),
        metadata_hash=metadata_hash(metadata or {}),
        ratification_required=ratification,
        deadline=deadline,
    )


def amendment_parties(old: Terms, parties: Sequence[str]) -> list[str]:
    """An amendment's parties: the superseded record's, first and in their order (the ledger
    requires it), then any others listed."""
    first = [bytes32_to_text(p) for p in old.parties]
    rest = [p for p in (bytes32_to_text(party_code(x)) for x in parties) if p not in first]
    return first + rest


def prepare_act(terms: Terms, party: str, intent: Intent, deadline: int, reason: str = "") -> Act:
    """An act on the record of `terms`: the signature binds every one of those terms."""
    if intent in (Intent.WITHDRAWAL, Intent.ANNULMENT, Intent.CANCELLATION) and not reason.strip():
        raise InvalidInputError(f"a {intent.label} needs a reason", hint='add --reason "…"')
    return Act(terms=terms, party=party_code(party), intent=intent, reason=reason, deadline=deadline)


def payload_of_act(terms: Terms, party: bytes, intent: Intent, reason: str, deadline: int) -> Notarisation | Act:
    """The payload an ActRecorded event's signature is over: the submitter's signature act is its
    notarisation, every other act an `Act` on the terms."""
    if intent == Intent.SIGNATURE and party == terms.submitter:
        return Notarisation.of(terms, deadline)
    return Act(terms=terms, party=party, intent=intent, reason=reason, deadline=deadline)


def sign(payload: Notarisation | Act | BatchAnchor, domain: eip712.Domain, key: LocalAccount) -> SignedPayload:
    """Sign offline: needs the ledger's chain id and address, not a connection.

    The account signs the EIP-712 digest (the same bytes as `eip712.sign`), so a key agent's
    account (`notary.agent.signer.AgentAccount`) signs without giving out its key."""
    signature = bytes(key.unsafe_sign_hash(Hash32(eip712.signing_hash(payload, domain))).signature)
    return SignedPayload(payload, domain, key.address, signature)


def submit(
    gw: LedgerGateway,
    relayer: LocalAccount,
    signed: SignedPayload,
    *,
    on_signed: OnSigned | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> TxResult:
    """Relay a signed payload; the relayer pays gas and cannot alter what was signed.

    `on_signed` gets the signed transaction before broadcast (the send journal's hook) and
    `timeout` bounds the wait for its receipt; both go on to `notary.chain.tx.send`.
    """
    if signed.domain != gw.domain:
        raise WrongDomainError(
            f"the payload was signed for chain {signed.domain.chain_id} ledger "
            f"{signed.domain.verifying_contract}, but this is chain {gw.domain.chain_id} "
            f"ledger {gw.domain.verifying_contract}",
            hint="sign it again against this ledger's deployment manifest",
        )
    p = signed.payload
    if isinstance(p, Notarisation):
        return gw.notarise(relayer, p, signed.signer, signed.signature, on_signed=on_signed, timeout=timeout)
    if isinstance(p, Act):
        return gw.act(relayer, p, signed.signer, signed.signature, on_signed=on_signed, timeout=timeout)
    return gw.anchor(relayer, p, signed.signer, signed.signature, on_signed=on_signed, timeout=timeout)


def default_deadline(gw: LedgerGateway, seconds: int = DEFAULT_VALIDITY_SECONDS) -> int:
    return gw.now() + seconds


def resolve_record(gw: LedgerGateway, digest: bytes, submitter: str | None = None) -> bytes:
    """The id of the record of `digest`, by its submitter or, if omitted, the only one."""
    if submitter is not None:
        return record_id(digest, party_code(submitter))
    ids = gw.records_of_digest(digest)
    if not ids:
        raise RecordNotFoundError(f"digest {digest.hex()} is not notarised on this ledger")
    if len(ids) > 1:
        submitters = ", ".join(gw.record(i, with_attestations=False).submitter for i in ids)
        raise InvalidInputError(
            f"digest {digest.hex()} has {len(ids)} records (submitted by {submitters})",
            hint="say which with --submitter",
        )
    return ids[0]


def differing_terms(record: Record, payload: Notarisation) -> list[str]:
    """Which terms of an existing record differ from what `payload` asks for (empty: the same)."""
    asked = {
        "kind": bytes32_to_text(payload.kind),
        "parties": tuple(bytes32_to_text(p) for p in payload.parties),
        "quorum": payload.quorum,
        "supersedes": payload.supersedes,
        "title": payload.metadata_hash,
        "ratification": payload.ratification_required,
    }
    found = {
        "kind": record.kind,
        "parties": tuple(record.parties),
        "quorum": record.quorum,
        "supersedes": record.supersedes,
        "title": record.metadata_hash,
        "ratification": record.ratification_required,
    }
    return [k for k in asked if asked[k] != found[k]]
