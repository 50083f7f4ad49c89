"""Step 7 of offline receipt verification: the receipt's chain claims read through its state proofs.

7a. Headers: each block's header hashes to the block hash the section names, and holds its
    number; its state root is what the proofs below are read against.
7b. Coverage: every block the receipt relies on (each act's, and the observed block) has a
    proved header whose hash is the one the receipt names; the registry's and the ledger's
    accounts exist there, with the pinned code hash when the pin has one.
7c. Keys: the registry's `_keys[party][signer]` at each act's block is the receipt's
    `signerKey`, and at the observed block its `signerKeyObserved`; the act's time is its
    block's time (the ledger stamps acts with it).
7d. Record, at the observed block: the stored terms hash is the hash of the receipt's terms;
    the stored state has the receipt's status, quorum, party count and ratification rule, and
    the party sets its acts that stand give; it is superseded by the receipt's record, if any;
    the stored act-history hash is the chain over the receipt's acts and voids, in chain order
    (so no act or void is missing, added or altered). Batch: the stored signer and time are the
    anchor's.

Every slot is derived here from the receipt's claims (`notary.receipts.storage_layout`); each
mismatch, gap or malformed proof is a reason. With no reason, the only remaining trust is
that the proved blocks are canonical.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from notary import eip712
from notary.codes import party_code as _party_code
from notary.models import BatchAnchor, Intent, SignerKey, anchor_id
from notary.receipts import Evidence, Receipt, RecordPart
from notary.receipts.proofs import BlockProof, StateProofs
from notary.receipts.state_proofs import Header, NodeCache, ProofError, Witness, decode_header
from notary.receipts.storage_layout import ledger_slot, signer_key_slot, unpack
from notary.trust import Pin

#: A party code's bytes32, remembered: a receipt names its few parties many times (invalid codes still raise).
party_code = functools.lru_cache(maxsize=1024)(_party_code)
_MASKS = {
    Intent.SIGNATURE: "signed",
    Intent.WITHDRAWAL: "withdrawn",
    Intent.ANNULMENT: "annulled",
    Intent.RATIFICATION: "ratified",
}


@dataclass
class _Reader:
    """Reads contract storage through the proofs, recording every reason it finds."""

    r: Receipt
    pin: Pin | None
    reasons: list[str] = field(default_factory=list)
    blocks: dict[int, tuple[Header, Witness]] = field(default_factory=dict)
    _failed: set[object] = field(default_factory=set)
    _nodes: NodeCache = field(default_factory=NodeCache)  # shared by the blocks' witnesses
    _proved: dict[int, BlockProof] = field(default_factory=dict)

    def fail(self, key: object, reason: str) -> None:
        if key not in self._failed:
            self._failed.add(key)
            self.reasons.append(reason)

    def headers(self, p: StateProofs) -> None:
        # 7a.
        for b in p.blocks:
            try:
                h = decode_header(b.header)
            except ProofError as exc:
                self.fail(b.number, f"state proofs: block {b.number}'s header is malformed ({exc})")
                continue
            if "0x" + h.hash.hex() != b.hash:
                self.fail(b.number, f"state proofs: the header given for block {b.number} does not hash to {b.hash}")
            elif h.number != b.number:
                self.fail(b.number, f"state proofs: the header given for block {b.number} is block {h.number}'s")
            else:
                self.blocks[b.number] = (h, Witness(b.nodes, self._nodes))

    def header(self, number: int, block_hash: str) -> tuple[Header, Witness] | None:
        # 7b.
        assert self.r.proofs is not None
        if not self._proved:
            self._proved = {b.number: b for b in self.r.proofs.blocks}  # increasing and unique (the parser's rule)
        proved = self._proved.get(number)
        if proved is None:
            self.fail(number, f"state proofs: block {number}, which the receipt relies on, is not proved")
            return None
        if proved.hash != block_hash:
            self.fail(
                (number, block_hash),
                f"state proofs: block {number} is proved as {proved.hash}, but the receipt names {block_hash}",
            )
            return None
        return self.blocks.get(number)

    def read(self, number: int, block_hash: str, contract: str, slot: bytes, what: str) -> int | None:
        entry = self.header(number, block_hash)
        if entry is None:
            return None
        h, witness = entry
        address = self.r.chain.registry if contract == "registry" else self.r.chain.ledger
        try:
            account = witness.account(h.state_root, address)
            if account is None:
                self.fail((number, contract), f"state proofs: block {number}'s state has no {contract} at {address}")
                return None
            pinned = getattr(self.pin, f"{contract}_code_hash", None) if self.pin is not None else None
            if pinned is not None and "0x" + account.code_hash.hex() != pinned.lower():
                self.fail(
                    (number, contract, "code"),
                    f"state proofs: the {contract} at {address} in block {number} does not have the pinned code",
                )
                return None
            return witness.storage(account.storage_root, slot, what)
        except ProofError as exc:
            self.fail((number, slot), f"state proofs, block {number}: {exc}")
            return None


def _key_reason(e: Evidence, k: SignerKey, word: int, number: int, which: str) -> str | None:
    got = unpack("IIdentityRegistry.SignerKey", word)
    want = {"validFrom": k.valid_from, "validUntil": k.valid_until, "revokedAt": k.revoked_at, "addedAt": k.added_at}
    differ = [name for name in want if got[name] != want[name]]
    if not differ:
        return None
    shown = ", ".join(f"{name} {got[name]} (receipt: {want[name]})" for name in differ)
    return f"{e.party}'s {e.intent}: the registry held key {e.signer} at block {number} with {shown} ({which})"


def _check_act(rd: _Reader, e: Evidence, observed: int, observed_hash: str) -> None:
    # 7c.
    slot = signer_key_slot(party_code(e.party), e.signer)
    where = f"{e.party}'s key {e.signer}"
    word = rd.read(e.block_number, e.block_hash, "registry", slot, where)
    if word is not None and (reason := _key_reason(e, e.signer_key, word, e.block_number, "at the act")):
        rd.reasons.append(reason)
    entry = rd.blocks.get(e.block_number)
    if entry is not None and entry[0].timestamp != e.time:
        rd.reasons.append(
            f"{e.party}'s {e.intent}: recorded at {e.time}, but its block {e.block_number}'s time is "
            f"{entry[0].timestamp}"
        )
    word = rd.read(observed, observed_hash, "registry", slot, where)
    if word is not None and (reason := _key_reason(e, e.signer_key_observed, word, observed, "when written")):
        rd.reasons.append(reason)


def history_hash(c: RecordPart) -> bytes:
    """The ledger's act-history hash over the receipt's acts and voids, in chain order
    (`NotaryLedger._chain`: keccak256(abi.encode(previous, party, intent, signer, time)))."""
    entries: list[tuple[tuple[int, int], bytes, int, str, int]] = []
    for e in c.attestations:
        intent = Intent.__members__.get(e.intent.upper())
        if intent is None:  # an "anchor" act on a record (step 5 says so): the ledger has no such entry
            continue
        entries.append(((e.block_number, e.log_index), party_code(e.party), int(intent), e.signer, e.time))
        if e.voided is not None:
            at = (e.voided.block_number, e.voided.log_index)
            entries.append((at, party_code(e.party), int(intent) | 0x80, e.signer, e.time))
    h = bytes(32)
    for _, party, code, signer, time in sorted(entries):
        words = (code.to_bytes(32, "big"), bytes.fromhex(signer[2:]).rjust(32, b"\0"), time.to_bytes(32, "big"))
        h = eip712.keccak256(h + party + b"".join(words))
    return h


def _masks(c: RecordPart) -> dict[str, int]:
    """The party sets the acts that stand on chain (not voided) give."""
    masks = dict.fromkeys(_MASKS.values(), 0)
    for e in c.attestations:
        intent = Intent.__members__.get(e.intent.upper())
        if e.voided is None and intent in _MASKS and e.party in c.parties:
            masks[_MASKS[intent]] |= 1 << c.parties.index(e.party)
    return masks


def _check_record(rd: _Reader, c: RecordPart) -> None:
    # 7d.
    at, at_hash, rid = c.observed_block, c.observed_block_hash, c.record_id
    terms = rd.read(at, at_hash, "ledger", ledger_slot("_terms", rid), "the record's terms hash")
    if terms is not None and terms.to_bytes(32, "big") != eip712.terms_hash(c.terms):
        rd.reasons.append(f"state proofs: the ledger's terms hash of the record at block {at} is not its terms' hash")
    word = rd.read(at, at_hash, "ledger", ledger_slot("_states", rid), "the record's state")
    if word is not None:
        got = unpack("INotaryLedger.RecordState", word)
        want = {
            "status": int(c.status), "quorum": c.quorum, "partyCount": len(c.parties),
            "ratificationRequired": int(c.ratification_required), "superseded": int(c.superseded_by != bytes(32)),
            **_masks(c),
        }  # fmt: skip
        differ = [f"{name} {got[name]} (receipt: {want[name]})" for name in want if got[name] != want[name]]
        if differ:
            rd.reasons.append(f"state proofs: the ledger's state of the record at block {at} has {', '.join(differ)}")
        if got["superseded"] and want["superseded"]:
            by = rd.read(at, at_hash, "ledger", ledger_slot("_supersededBy", rid), "the superseding record")
            if by is not None and by.to_bytes(32, "big") != c.superseded_by:
                rd.reasons.append(f"state proofs: the record is superseded by 0x{by:064x}, not the receipt's record")
    history = rd.read(at, at_hash, "ledger", ledger_slot("_history", rid), "the record's act history")
    if history is not None and history.to_bytes(32, "big") != history_hash(c):
        rd.reasons.append(
            f"state proofs: the ledger's act history of the record at block {at} is not the receipt's acts and voids"
        )


def _check_batch(rd: _Reader, e: Evidence, at: int, at_hash: str) -> None:
    p = e.payload
    assert isinstance(p, BatchAnchor)
    word = rd.read(at, at_hash, "ledger", ledger_slot("_batches", anchor_id(p.root, p.party)), "the stored batch")
    if word is not None:
        got = unpack("INotaryLedger.Attestation", word)
        if (got["signer"], got["time"]) != (int(e.signer, 16), e.time):
            rd.reasons.append(
                f"state proofs: the ledger stores the batch as anchored by 0x{got['signer']:040x} at {got['time']}, "
                f"not by {e.signer} at {e.time}"
            )


def check(r: Receipt, pin: Pin | None) -> tuple[list[str], list[int]]:
    """Steps 7a-7d: the reasons the proofs refute the receipt (none: they hold) and the blocks proved."""
    p = r.proofs
    assert p is not None
    rd = _Reader(r, pin)
    rd.headers(p)
    if r.record is not None:
        c = r.record
        if p.observed_block != c.observed_block:
            rd.reasons.append(
                f"state proofs: observed at block {p.observed_block}, but the record was observed at {c.observed_block}"
            )
        for e in c.attestations:
            _check_act(rd, e, c.observed_block, c.observed_block_hash)
        _check_record(rd, c)
    elif r.batch is not None:
        observed = p.block(p.observed_block)
        at_hash = observed.hash if observed is not None else ""
        _check_act(rd, r.batch.anchor, p.observed_block, at_hash)
        _check_batch(rd, r.batch.anchor, p.observed_block, at_hash)
    return rd.reasons, sorted(b.number for b in p.blocks)
