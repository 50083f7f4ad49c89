"""A Hypothesis state machine drives random v2 sequences on the in-process chain against a small,
independent Python model of the rules (written from INotaryLedger's NatSpec, not from
notary.lifecycle): registering keys, revoking them (back-dated within the repudiation window,
and beyond it with the depositary's confirmation), notarising (amendments and re-notarising a
void record included), every act, voids and refreshes, with the clock moving on.

After every step: each record's status, executed flag, supersession, party sets (and so its
counters), time of the latest status change and act-history hash equal the model's; every OPEN
record still has an honest way forward (a signature, or its submitter's cancellation for an
amendment) and every VOID record can be notarised again, both checked by eth_call. Every refusal
is predicted: the same custom error with the same arguments. At the end of each run: the history
the gateway rebuilds from events is the model's, and notary.lifecycle.effective (the off-chain
verdict) agrees with the model on plain records.

About 35 s here (25 runs of up to 25 steps). NOTARY_DEEP=1 runs 300 runs of up to 60 steps (the
deep tier, about 20 min); NOTARY_MACHINE_STATS=<file> writes how often each rule applied or was
refused, and why, to <file> at exit.
"""

from __future__ import annotations

import atexit
import copy
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from contract_helpers import FOREVER, WINDOW, ZERO32, code, digest, history_hash, pending_time, reverts
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from notary import eip712, lifecycle
from notary.chain import tx
from notary.chain.connect import in_process
from notary.chain.gateway import NO_TERMS, contract_args, terms_args
from notary.chain.reverts import translate
from notary.models import Act, ActEntry, Intent, Notarisation, Record, Status, Terms
from notary.testing import World

DEEP = os.environ.get("NOTARY_DEEP") == "1"
PROFILE = settings(
    max_examples=300 if DEEP else 25,
    stateful_step_count=60 if DEEP else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

PARTIES = ("FRA", "SGP", "DEU")
LABELS = 2  # digests per submitter: ids collide often enough to re-notarise void records
SHA256 = b"sha256".ljust(32, b"\0")
KIND = b"treaty".ljust(32, b"\0")
LIVE_STATES = (Status.EXECUTED, Status.IN_FORCE)
PROBE_DEADLINE = 2**63  # far off, so a probe's payload (and its cached signature) stays the same


class Refused(Exception):
    """The model's prediction that the contract reverts with `name(args)`."""

    def __init__(self, name: str, **args: Any) -> None:
        super().__init__(name, args)
        self.name, self.args_ = name, args


# ------------------------------------------------------------------ the model


@dataclass
class Key:
    """One signer key of a party, as the registry holds it (valid from 0, never expiring)."""

    account: LocalAccount
    revoked_at: int = 0
    pending: int = 0

    def authorised(self, t: int) -> bool:
        return self.revoked_at == 0 or t < self.revoked_at


@dataclass
class Rec:
    """One record's current notarisation, in party names."""

    rid: bytes
    terms: Terms
    parties: tuple[str, ...]
    submitter: str
    quorum: int
    supersedes: bytes | None
    ratification: bool
    signed: set[str] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)
    annulled: set[str] = field(default_factory=set)
    ratified: set[str] = field(default_factory=set)
    cancelled: bool = False
    void: bool = False
    executed: bool = False
    superseded_by: bytes | None = None
    #: An amendment's: the terms of the record it supersedes, as they were when it was notarised.
    superseded_terms: Terms | None = None
    #: When its status last changed (the stored `updatedAt`).
    changed_at: int = 0
    history: list[ActEntry] = field(default_factory=list)

    @property
    def bound(self) -> set[str]:
        return self.signed - self.withdrawn

    @property
    def status(self) -> Status:
        if self.void:
            return Status.VOID
        if self.cancelled:
            return Status.CANCELLED
        if not self.executed:
            return Status.OPEN
        if len(self.bound) < self.quorum:
            return Status.TERMINATED
        if len(self.annulled & self.bound) >= self.quorum:
            return Status.ANNULLED
        if self.superseded_by is not None:
            return Status.SUPERSEDED
        if self.ratification and len(self.ratified & self.bound) >= self.quorum:
            return Status.IN_FORCE
        return Status.EXECUTED

    def live(self, party: str, intent: Intent) -> bool:
        """Whether `party` has a standing (recorded, not voided) act with `intent`."""
        if intent == Intent.CANCELLATION:
            return self.cancelled and party == self.submitter
        return party in self._set(intent)

    def _set(self, intent: Intent) -> set[str]:
        return {
            Intent.SIGNATURE: self.signed,
            Intent.RATIFICATION: self.ratified,
            Intent.ANNULMENT: self.annulled,
            Intent.WITHDRAWAL: self.withdrawn,
        }[intent]

    def latest(self, party: str, intent: Intent) -> ActEntry:
        """The party's latest recorded act with `intent` (the one a void targets)."""
        return [e for e in self.history if e.party == code(party) and e.intent == int(intent)][-1]

    def mask(self, names: set[str]) -> int:
        return sum(1 << i for i, p in enumerate(self.parties) if p in names)


class Model:
    """The v2 rules over party names: a record's state is what its standing acts give."""

    def __init__(self, keys: dict[str, list[Key]]) -> None:
        self.keys = keys
        self.records: dict[bytes, Rec] = {}

    def authorised(self, party: str, account: LocalAccount, t: int) -> bool:
        return any(k.account.address == account.address and k.authorised(t) for k in self.keys[party])

    def key_of(self, party: str, address: str) -> Key | None:
        return next((k for k in self.keys[party] if k.account.address == address), None)

    def authorised_at(self, party: str, address: str, t: int) -> bool:
        key = self.key_of(party, address)
        return key is not None and key.authorised(t)

    @staticmethod
    def consented(old: Rec, amendment: Rec) -> bool:
        """Every party bound by the superseded record has signed the amendment."""
        return old.bound <= amendment.signed

    def settle(self, rec: Rec) -> None:
        """Execution follows the standing signatures; an amendment executes (and supersedes its
        target) with its quorum and the consent of every party bound by the target while the
        target is executed or in force with the terms the amendment was notarised against, and
        stops once quorum or consent fails."""
        if not rec.cancelled and not rec.void:
            quorate = len(rec.signed) >= rec.quorum
            if rec.supersedes is None:
                rec.executed = quorate
            else:
                old = self.records[rec.supersedes]
                if rec.executed:
                    if not quorate or not self.consented(old, rec):
                        rec.executed = False
                        self.unsupersede(old, rec)
                elif (
                    quorate
                    and old.status in LIVE_STATES
                    and old.terms == rec.superseded_terms
                    and self.consented(old, rec)
                ):
                    rec.executed = True
                    old.superseded_by = rec.rid
        if rec.superseded_by is not None:
            amendment = self.records[rec.superseded_by]
            if amendment.executed and not self.consented(rec, amendment):
                amendment.executed = False
                rec.superseded_by = None

    @staticmethod
    def unsupersede(old: Rec, amendment: Rec) -> None:
        if old.superseded_by == amendment.rid:
            old.superseded_by = None

    # -------------------------------------------------------------- writes (raise Refused, else apply)

    def notarise(self, terms: Terms, account: LocalAccount, now: int) -> Rec:
        rid, submitter = terms.record_id, _name(terms.submitter)
        if not self.authorised(submitter, account, now):
            raise Refused("NotaryUnauthorisedSigner", party=terms.submitter, signer=account.address, time=now)
        prior = self.records.get(rid)
        if prior is not None and not prior.void:
            raise Refused("NotaryDuplicateRecord", recordId=rid)
        parties = tuple(_name(p) for p in terms.parties)
        if terms.supersedes != ZERO32:
            old = self.records[terms.supersedes]
            if old.status not in LIVE_STATES:
                raise Refused("NotaryWrongState", recordId=old.rid, status=int(old.status))
            if parties[: len(old.parties)] != old.parties:
                raise Refused("NotaryAmendmentParties", recordId=rid, supersedes=old.rid)
            if submitter not in old.parties:
                raise Refused("NotaryPartyNotRequired", recordId=old.rid, party=terms.submitter)
        rec = Rec(
            rid, terms, parties, submitter, terms.quorum, terms.supersedes if terms.supersedes != ZERO32 else None,
            terms.ratification_required,
        )  # fmt: skip
        rec.changed_at = now
        if rec.supersedes is not None:
            rec.superseded_terms = self.records[rec.supersedes].terms
        rec.signed.add(submitter)
        rec.history.append(ActEntry(terms.submitter, int(Intent.SIGNATURE), account.address, now))
        self.records[rid] = rec
        self.settle(rec)
        return rec

    def act(self, rec: Rec, party: str, intent: Intent, account: LocalAccount, now: int) -> None:
        rid = rec.rid
        if rec.void:
            raise Refused("NotaryWrongState", recordId=rid, status=int(Status.VOID))
        if not self.authorised(party, account, now):
            raise Refused("NotaryUnauthorisedSigner", party=code(party), signer=account.address, time=now)
        if party not in rec.parties:
            raise Refused("NotaryPartyNotRequired", recordId=rid, party=code(party))
        if rec.live(party, intent):
            raise Refused("NotaryAlreadyAttested", recordId=rid, party=code(party), intent=int(intent))
        status = rec.status
        if intent == Intent.SIGNATURE:
            if status not in (Status.OPEN, *LIVE_STATES):
                raise Refused("NotaryWrongState", recordId=rid, status=int(status))
            rec.signed.add(party)
        elif intent == Intent.CANCELLATION:
            if status != Status.OPEN:
                raise Refused("NotaryWrongState", recordId=rid, status=int(status))
            if party != rec.submitter:
                raise Refused("NotaryNotSubmitter", recordId=rid, party=code(party))
            if rec.supersedes is None and rec.signed != {rec.submitter}:
                raise Refused("NotaryAlreadyCosigned", recordId=rid)
            rec.cancelled = True
        else:
            if intent == Intent.RATIFICATION and not rec.ratification:
                raise Refused("NotaryInvalidIntent", intent=int(intent))
            if status not in LIVE_STATES:
                raise Refused("NotaryWrongState", recordId=rid, status=int(status))
            if party not in rec.bound:
                raise Refused("NotaryNotSignatory", recordId=rid, party=code(party))
            rec._set(intent).add(party)
        rec.history.append(ActEntry(code(party), int(intent), account.address, now))
        self.settle(rec)

    def void(self, rec: Rec, party: str, intent: Intent, now: int) -> None:
        rid = rec.rid
        if rec.void:
            raise Refused("NotaryWrongState", recordId=rid, status=int(Status.VOID))
        if party not in rec.parties:
            raise Refused("NotaryPartyNotRequired", recordId=rid, party=code(party))
        if not rec.live(party, intent):
            raise Refused("NotaryNoSuchAct", recordId=rid, party=code(party), intent=int(intent))
        target = rec.latest(party, intent)
        if self.authorised_at(party, target.signer, target.time):
            raise Refused("NotaryActValid", recordId=rid, party=code(party), intent=int(intent))
        if intent == Intent.SIGNATURE:
            # The party's later acts presuppose its signature: they fall with it.
            for j in Intent:
                if rec.live(party, j):
                    e = rec.latest(party, j)
                    rec.history.append(ActEntry(e.party, e.intent | 0x80, e.signer, e.time))
            for s in (rec.signed, rec.withdrawn, rec.annulled, rec.ratified):
                s.discard(party)
            if party == rec.submitter:
                # A void record never was: it supersedes nothing, and nothing supersedes it.
                if rec.executed and rec.supersedes is not None:
                    self.unsupersede(self.records[rec.supersedes], rec)
                if rec.superseded_by is not None:
                    self.records[rec.superseded_by].executed = False
                    rec.superseded_by = None
                rec.executed = False
                rec.void = True
        else:
            rec.history.append(ActEntry(target.party, target.intent | 0x80, target.signer, target.time))
            if intent == Intent.CANCELLATION:
                rec.cancelled = False
            else:
                rec._set(intent).discard(party)
        self.settle(rec)

    def refresh(self, rec: Rec) -> None:
        if rec.void:
            raise Refused("NotaryWrongState", recordId=rec.rid, status=int(Status.VOID))
        self.settle(rec)

    def revoke(self, party: str, key: Key, effective_at: int, now: int) -> None:
        """A controller alone reaches back at most the repudiation window; further back is applied
        at the window's edge now and requested of the depositary."""
        effective = max(effective_at, 1)
        earliest = now - WINDOW if now > WINDOW else 1
        if effective < earliest:
            if key.pending == 0 or effective < key.pending:
                key.pending = effective
            if key.revoked_at == 0 or earliest < key.revoked_at:
                key.revoked_at = earliest
            return
        if key.revoked_at != 0 and effective >= key.revoked_at:
            raise Refused(
                "RegistryRevocationNotEarlier",
                code=code(party), key=key.account.address, existing=key.revoked_at, requested=effective,
            )  # fmt: skip
        key.revoked_at = effective

    def confirm(self, party: str, key: Key) -> None:
        if key.pending == 0:
            raise Refused("RegistryNoPendingRevocation", code=code(party), key=key.account.address)
        requested, key.pending = key.pending, 0
        if key.revoked_at == 0 or requested < key.revoked_at:
            key.revoked_at = requested


def _name(value: bytes) -> str:
    return value.rstrip(b"\0").decode()


# ------------------------------------------------------------------ the machine

_WORLD: World | None = None
#: How often each rule applied or was refused, by error (NOTARY_MACHINE_STATS=file writes it at exit).
STATS: Counter[str] = Counter()
if os.environ.get("NOTARY_MACHINE_STATS"):
    atexit.register(
        lambda: Path(os.environ["NOTARY_MACHINE_STATS"]).write_text(json.dumps(dict(sorted(STATS.items())), indent=1))
    )


def _world() -> World:
    """One world for every example (its own chain); each example runs from a snapshot."""
    global _WORLD
    if _WORLD is None:
        _WORLD = World.build(in_process())
    return _WORLD


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = _world()
        self.snapshot = self.world.chain.tester.take_snapshot()
        self.model = Model({p: [Key(self.world.signers[p])] for p in PARTIES})
        self.signatures: dict[tuple[Any, str], bytes] = {}
        self.probed: dict[bytes, tuple[Any, ...]] = {}

    def teardown(self) -> None:
        try:
            for rec in self.model.records.values():
                # The history the gateway rebuilds from events is the model's, entry for entry.
                assert self.world.gw.act_history(rec.rid) == rec.history
                r = self.world.gw.record(rec.rid)
                assert (r.signatures, r.ratifications, r.annulments, r.withdrawals) == (
                    len(rec.signed), len(rec.ratified & rec.bound), len(rec.annulled & rec.bound),
                    len(rec.withdrawn & rec.signed),
                )  # fmt: skip
                self.check_off_chain_verdict(rec, r)
        finally:
            self.world.chain.tester.revert_to_snapshot(self.snapshot)

    def check_off_chain_verdict(self, rec: Rec, record: Record) -> None:
        """notary.lifecycle.effective (the off-chain verdict: the state once every act whose key was
        not authorised at its time is void, voidAct sent or not) equals the model's state after
        voiding those acts, for a plain record that nothing supersedes (the cross-record part of
        amendments is the caller's, by its contract)."""
        if rec.supersedes is not None or rec.superseded_by is not None:
            return
        sim = Model(self.model.keys)
        sim.records = copy.deepcopy(self.model.records)
        target = sim.records[rec.rid]
        voided = 0
        while not target.void:
            standing = [
                (p, j) for p in target.parties for j in Intent
                if target.live(p, j) and not sim.authorised_at(p, target.latest(p, j).signer, target.latest(p, j).time)
            ]  # fmt: skip
            if not standing:
                break
            sim.void(target, *standing[0], now=0)
            voided += 1
        if target.superseded_by is not None:
            return
        STATS[f"verdict: {'some' if voided else 'no'} standing invalid acts"] += 1
        verdict = lifecycle.effective(record)
        if target.void:
            # A void record never was: which other acts were voided before it became void (so its
            # party sets) depends on the order of the voids, on chain too.
            assert verdict.status is Status.VOID, (record.record_id.hex(), verdict, target)
            return
        masks = tuple(target.mask(x) for x in (target.signed, target.withdrawn, target.annulled, target.ratified))
        assert (verdict.status, (verdict.signed, verdict.withdrawn, verdict.annulled, verdict.ratified)) == (
            target.status,
            masks,
        ), (record.record_id.hex(), verdict, target)
        assert verdict.executed == target.executed

    # -------------------------------------------------------------- helpers

    @property
    def gw(self):  # type: ignore[no-untyped-def]
        return self.world.gw

    def honest(self, party: str) -> LocalAccount:
        return self.model.keys[party][-1].account

    def pick_key(self, party: str, pick: int) -> LocalAccount:
        """0-1 (and 4-5): the party's current key; 2: its previous key (maybe revoked); 3: another party's."""
        keys = self.model.keys[party]
        if pick == 2:
            return keys[-2].account if len(keys) > 1 else keys[-1].account
        if pick == 3:
            return self.honest(PARTIES[(PARTIES.index(party) + 1) % len(PARTIES)])
        return keys[-1].account

    def pick_record(self, pick: int) -> Rec | None:
        rids = sorted(self.model.records)
        return self.model.records[rids[pick % len(rids)]] if rids else None

    def expect(self, predict: Any, fn: Any, sender: LocalAccount) -> bool:
        """Run the model's `predict()`. If it refuses, the chain (eth_call at the next block's time)
        must refuse with the same error and arguments; else the call must pass and is sent (with a
        fixed gas limit: py-evm's gas estimation would run it ten times). Returns whether it applied."""
        rule = sys._getframe(1).f_code.co_name
        before = {rid: r.status for rid, r in self.model.records.items()}
        now = pending_time(self.world)
        try:
            predict()
            for rid, r in self.model.records.items():
                if rid in before and r.status != before[rid]:
                    r.changed_at = now
        except Refused as refused:
            with reverts(refused.name, **refused.args_):
                _call(fn, sender)
            STATS[f"{rule}: {refused.name}"] += 1
            return False
        _call(fn, sender)
        w3 = self.world.chain.w3
        built = fn.build_transaction(
            {"from": sender.address, "gas": 2_000_000, "nonce": w3.eth.get_transaction_count(sender.address)}
        )
        sent = w3.eth.send_raw_transaction(sender.sign_transaction(built).raw_transaction)
        assert w3.eth.wait_for_transaction_receipt(sent)["status"] == 1
        STATS[f"{rule}: ok"] += 1
        return True

    def ensure_honest_key(self, party: str) -> None:
        """The controller of a party whose current key is revoked authorises a new one."""
        if self.model.keys[party][-1].revoked_at != 0:
            key: LocalAccount = Account.create()
            self.gw.add_signer(self.world.controllers[party], code(party), key.address, 0, FOREVER)
            self.model.keys[party].append(Key(key))

    # -------------------------------------------------------------- rules

    @initialize(
        submitter=st.sampled_from(PARTIES),
        count=st.sampled_from([3, 2]),
        quorum=st.sampled_from([2, 3, 1]),
        ratification=st.booleans(),
    )
    def first_record(self, submitter, count, quorum, ratification) -> None:
        """Every run starts with a record of two or three parties, notarised with the submitter's current key."""
        others = [p for p in PARTIES if p != submitter][: count - 1]
        self.notarise(0, submitter, others, 0, quorum, ratification, None, 0)

    @rule(
        label=st.integers(0, LABELS - 1),
        submitter=st.sampled_from(PARTIES),
        others=st.lists(st.sampled_from(PARTIES), unique=True, min_size=1, max_size=2),
        position=st.integers(0, 2),
        quorum=st.sampled_from([2, 3, 1]),
        ratification=st.booleans(),
        amend=st.none() | st.integers(0, 10),
        key_pick=st.integers(0, 5),
    )
    def notarise(self, label, submitter, others, position, quorum, ratification, amend, key_pick) -> None:
        old = self.pick_record(amend) if amend is not None else None
        if old is not None:
            parties = list(old.parties)
            parties += [p for p in dict.fromkeys([*others, submitter]) if p not in parties]
        else:
            parties = [p for p in others if p != submitter] or [PARTIES[(PARTIES.index(submitter) + 1) % 3]]
            parties.insert(position % (len(parties) + 1), submitter)
        doc = digest(f"document {label}")
        terms = Terms(
            doc, SHA256, KIND, code(submitter), tuple(code(p) for p in parties), min(quorum, len(parties)),
            old.rid if old is not None else ZERO32, ZERO32, ratification,
        )  # fmt: skip
        account, now = self.pick_key(submitter, key_pick), pending_time(self.world)
        n = Notarisation.of(terms, now + 3600)
        superseded = old.terms if old is not None else NO_TERMS
        signature = eip712.sign(n, self.gw.domain, account.key)
        fn = self.gw.ledger.functions.notarise(contract_args(n), terms_args(superseded), account.address, signature)
        self.expect(lambda: self.model.notarise(terms, account, now), fn, self.world.relayer)

    @rule(pick=st.integers(0, 30))
    def sign(self, pick) -> None:
        """An honest signature by a required party that has not signed a live or open record
        (towards the quorum, or an accession)."""
        rids = sorted(self.model.records)
        candidates = [
            (i, p) for i, rid in enumerate(rids) for p in self.model.records[rid].parties
            if p not in self.model.records[rid].signed and self.model.records[rid].status in (Status.OPEN, *LIVE_STATES)
        ]  # fmt: skip
        if candidates:
            i, party = candidates[pick % len(candidates)]
            self.act(i, party, Intent.SIGNATURE, 0)

    @rule(
        pick=st.integers(0, 10),
        who=st.integers(0, 2),
        intent=st.sampled_from(Intent),
        key_pick=st.integers(0, 3),
        anyone=st.booleans(),
    )
    def any_act(self, pick, who, intent, key_pick, anyone) -> None:
        """A bound party's act (or the submitter's cancellation), or with `anyone` any party's act
        with any of its keys (or another party's)."""
        rec = self.pick_record(pick)
        assert rec is not None
        if anyone:
            party = PARTIES[who]
        elif intent == Intent.CANCELLATION:
            party = rec.submitter
        else:
            candidates = sorted(rec.bound if intent != Intent.SIGNATURE else set(rec.parties) - rec.signed)
            party = candidates[who % len(candidates)] if candidates else PARTIES[who]
        self.act(pick, party, intent, key_pick)

    def act(self, pick, party, intent, key_pick) -> None:
        rec = self.pick_record(pick)
        assert rec is not None
        account, now = self.pick_key(party, key_pick), pending_time(self.world)
        a = Act(rec.terms, code(party), intent, "reason", now + 3600)
        signature = eip712.sign(a, self.gw.domain, account.key)
        fn = self.gw.ledger.functions.act(contract_args(a), account.address, signature)
        self.expect(lambda: self.model.act(rec, party, intent, account, now), fn, self.world.relayer)

    @rule(act_pick=st.integers(0, 30), voids=st.sampled_from([1, 2, 3, 0]), start=st.integers(0, 20))
    def compromise(self, act_pick, voids, start) -> None:
        """The recovery flow: a party's controller declares the key of one of its acts compromised
        from that act's time (the depositary confirming when that lies beyond the window), then
        anyone voids some of the acts that made void."""
        made = [
            e for r in self.model.records.values() for e in r.history
            if e.intent < 0x80 and self.model.authorised_at(_name(e.party), e.signer, e.time)
        ]  # fmt: skip
        if not made:
            return
        entry = made[act_pick % len(made)]
        party = _name(entry.party)
        key = self.model.key_of(party, entry.signer)
        assert key is not None
        now = pending_time(self.world)
        fn = self.gw.registry.functions.revokeSigner(code(party), entry.signer, entry.time)
        self.expect(lambda: self.model.revoke(party, key, entry.time, now), fn, self.world.controllers[party])
        if key.pending:
            self.confirm(party, key)
        self.ensure_honest_key(party)
        for i in range(voids):
            targets = self.voidable()
            if not targets:
                break
            self.void(*targets[(start + i) % len(targets)])

    def voidable(self) -> list[tuple[int, str, Intent]]:
        """(record pick, party, intent) of every standing act whose key was not authorised at its time."""
        rids = sorted(self.model.records)
        out = []
        for i, rid in enumerate(rids):
            rec = self.model.records[rid]
            for party in rec.parties:
                for intent in Intent:
                    if not rec.void and rec.live(party, intent):
                        e = rec.latest(party, intent)
                        if not self.model.authorised_at(party, e.signer, e.time):
                            out.append((i, party, intent))
        return out

    @rule(pick=st.integers(0, 30), party=st.sampled_from(PARTIES), intent=st.sampled_from(Intent), anyone=st.booleans())
    def void_any(self, pick, party, intent, anyone) -> None:
        """Anyone tries to void a standing act (voidable or not), or with `anyone` any act at all."""
        if anyone:
            self.void(pick, party, intent)
            return
        rids = sorted(self.model.records)
        standing = [
            (i, p, j) for i, rid in enumerate(rids) for p in self.model.records[rid].parties for j in Intent
            if not self.model.records[rid].void and self.model.records[rid].live(p, j)
        ]  # fmt: skip
        if standing:
            self.void(*standing[pick % len(standing)])

    def void(self, pick: int, party: str, intent: Intent) -> None:
        rec = self.pick_record(pick)
        assert rec is not None
        now = pending_time(self.world)
        # The history as the model knows it (teardown checks the gateway rebuilds the same from events).
        history = [(e.party, e.intent, e.signer, e.time) for e in rec.history]
        fn = self.gw.ledger.functions.voidAct(terms_args(rec.terms), history, code(party), int(intent))
        self.expect(lambda: self.model.void(rec, party, intent, now), fn, self.world.relayer)

    def refresh(self, pick: int) -> None:
        """Anyone re-derives a record's state."""
        rec = self.pick_record(pick)
        assert rec is not None
        fn = self.gw.ledger.functions.refresh(terms_args(rec.terms))
        self.expect(lambda: self.model.refresh(rec), fn, self.world.relayer)

    @rule(
        party=st.sampled_from(PARTIES),
        key_pick=st.integers(0, 5),
        when=st.sampled_from(["act", "after act", "now", "one"]),
        act_pick=st.integers(0, 10),
        confirm=st.none() | st.integers(0, 5),
    )
    def revoke(self, party, key_pick, when, act_pick, confirm) -> None:
        """A controller declares a compromise (or revokes) a key, maybe back-dated to one of its acts;
        with `confirm`, the depositary then confirms a back-dated revocation of one of the party's keys."""
        keys = self.model.keys[party]
        key = keys[key_pick % len(keys)]
        now = pending_time(self.world)
        times = sorted(
            e.time for r in self.model.records.values() for e in r.history
            if e.signer == key.account.address and e.intent < 0x80
        )  # fmt: skip
        if when == "one":
            effective = 1
        elif when == "now" or not times:
            effective = now
        else:
            effective = times[act_pick % len(times)] + (1 if when == "after act" else 0)
        controller = self.world.controllers[party]
        fn = self.gw.registry.functions.revokeSigner(code(party), key.account.address, effective)
        self.expect(lambda: self.model.revoke(party, key, effective, now), fn, controller)
        stored = self.gw.signer_key(code(party), key.account.address)
        assert (stored.revoked_at, self.gw.pending_revocation(code(party), key.account.address)) == (
            key.revoked_at,
            key.pending,
        )
        self.ensure_honest_key(party)
        if confirm is not None:
            # A key with a pending back-dated revocation if there is one (else the depositary is refused).
            pending = [k for k in keys if k.pending] or keys
            self.confirm(party, pending[confirm % len(pending)])

    def confirm(self, party: str, key: Key) -> None:
        """The depositary confirms a back-dated compromise (or finds none pending)."""
        fn = self.gw.registry.functions.confirmRevocation(code(party), key.account.address)
        self.expect(lambda: self.model.confirm(party, key), fn, self.world.depositary)
        assert self.gw.signer_key(code(party), key.account.address).revoked_at == key.revoked_at
        self.ensure_honest_key(party)

    @rule(seconds=st.sampled_from([60, 3600, 80 * 3600]), refresh=st.none() | st.integers(0, 10))
    def travel(self, seconds, refresh) -> None:
        """The clock moves on (past the repudiation window with 80 h); then maybe anyone refreshes a record."""
        self.world.chain.time_travel(self.gw.now() + seconds)
        if refresh is not None:
            self.refresh(refresh)

    # -------------------------------------------------------------- invariants

    @invariant()
    def chain_matches_model(self) -> None:
        """Status, execution, supersession, party sets (so the counters), the time of the latest
        status change and the history hash."""
        for rec in self.model.records.values():
            terms_hash, state, history, superseded_by = tx.call(self.gw.ledger.functions.record(rec.rid))
            v = list(state.values()) if isinstance(state, dict) else list(state)
            status, signed, withdrawn, annulled, ratified, _q, _n, _r, executed, superseded, updated = v
            assert Status(status) is rec.status, (rec.rid.hex(), Status(status), rec.status)
            assert (signed, withdrawn, annulled, ratified) == tuple(
                rec.mask(s) for s in (rec.signed, rec.withdrawn, rec.annulled, rec.ratified)
            )
            assert (_popcount(signed), _popcount(ratified & signed & ~withdrawn)) == (
                len(rec.signed),
                len(rec.ratified & rec.bound),
            )
            assert (executed, superseded) == (rec.executed, rec.superseded_by is not None)
            assert updated == rec.changed_at, (rec.rid.hex(), updated, rec.changed_at)
            if rec.superseded_by is not None:
                assert bytes(superseded_by) == rec.superseded_by
            assert bytes(terms_hash) == eip712.terms_hash(rec.terms)
            assert bytes(history) == history_hash(rec.history)

    @invariant()
    def nothing_stuck(self) -> None:
        """An OPEN record can always be moved on by an honest party; a VOID one notarised again.
        (Probed again only when the record's model state or the honest keys changed.)"""
        for rec in self.model.records.values():
            old = self.model.records.get(rec.supersedes) if rec.supersedes is not None else None
            fingerprint = (
                rec.status, frozenset(rec.signed), len(rec.history), rec.superseded_by,
                old.status if old is not None else None, tuple(self.honest(p).address for p in PARTIES),
            )  # fmt: skip
            if self.probed.get(rec.rid) == fingerprint:
                continue
            self.probed[rec.rid] = fingerprint
            if rec.status is Status.OPEN:
                if rec.supersedes is not None:
                    self.probe_act(rec, rec.submitter, Intent.CANCELLATION)
                else:
                    unsigned = [p for p in rec.parties if p not in rec.signed]
                    assert unsigned, "an open plain record has a party left to sign"
                    self.probe_act(rec, unsigned[0], Intent.SIGNATURE)
                    if rec.signed == {rec.submitter}:
                        self.probe_act(rec, rec.submitter, Intent.CANCELLATION)
            elif rec.status is Status.VOID:
                t = Terms(
                    rec.terms.digest,
                    SHA256,
                    KIND,
                    rec.terms.submitter,
                    (rec.terms.submitter,),
                    1,
                    ZERO32,
                    ZERO32,
                    False,
                )
                n = Notarisation.of(t, PROBE_DEADLINE)
                account = self.honest(rec.submitter)
                signature = self.signed(n, account)
                fn = self.gw.ledger.functions.notarise(
                    contract_args(n), terms_args(NO_TERMS), account.address, signature
                )
                tx.call(fn, block="pending")

    def probe_act(self, rec: Rec, party: str, intent: Intent) -> None:
        """eth_call of an honest act: it must not revert."""
        account = self.honest(party)
        a = Act(rec.terms, code(party), intent, "honest", PROBE_DEADLINE)
        tx.call(
            self.gw.ledger.functions.act(contract_args(a), account.address, self.signed(a, account)), block="pending"
        )

    def signed(self, payload: Act | Notarisation, account: LocalAccount) -> bytes:
        """A probe's signature (cached: typed-data signing is slow, probes repeat)."""
        key = (payload, account.address)
        if key not in self.signatures:
            self.signatures[key] = eip712.sign(payload, self.gw.domain, account.key)
        return self.signatures[key]


def _call(fn: Any, sender: LocalAccount) -> None:
    """eth_call from `sender` at the next block (its time is the next transaction's), typed reverts."""
    try:
        fn.call({"from": sender.address}, block_identifier="pending")
    except tx.reverts() as exc:
        typed = translate(exc)
        if typed is None:
            raise
        raise typed from None


def _popcount(x: int) -> int:
    return bin(x).count("1")


LedgerMachine.TestCase.settings = PROFILE
#: Random v2 sequences against the model (25 examples of up to 25 steps; NOTARY_DEEP=1 for more).
TestLedgerMachine = pytest.mark.slow(LedgerMachine.TestCase)
