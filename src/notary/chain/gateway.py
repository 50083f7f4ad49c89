"""Typed reads and writes over the deployed registry and ledger.

Everything returned is a value type from `notary.models`; callers never see web3 objects.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from notary.chain import artifacts, tx
from notary.chain.connect import Chain
from notary.codes import bytes32_to_text
from notary.deployment import Deployment
from notary.eip712 import Domain
from notary.models import (
    Act,
    ActEntry,
    Attestation,
    BatchAnchor,
    Intent,
    Notarisation,
    Party,
    Record,
    SignerKey,
    Status,
    Terms,
)


def terms_args(t: Terms) -> tuple[Any, ...]:
    """A record's terms as the ledger's `Terms` calldata struct."""
    return (
        t.digest, t.hash_algorithm, t.kind, t.submitter, list(t.parties), t.quorum, t.supersedes,
        t.metadata_hash, t.ratification_required,
    )  # fmt: skip


#: The `superseded` argument of `notarise` for a record that supersedes nothing.
NO_TERMS = Terms(bytes(32), bytes(32), bytes(32), bytes(32), (), 0, bytes(32), bytes(32), False)


def contract_args(payload: Notarisation | Act | BatchAnchor) -> tuple[Any, ...]:
    """A signed payload as the ledger's calldata struct (field order of INotaryLedger)."""
    if isinstance(payload, Notarisation):
        return (terms_args(payload.terms), payload.deadline)
    if isinstance(payload, Act):
        return (terms_args(payload.terms), payload.party, int(payload.intent), payload.reason, payload.deadline)
    return (payload.root, payload.party, payload.hash_algorithm, payload.metadata_hash, payload.deadline)


def terms_of(values: Any) -> Terms:
    """Terms from a decoded `Terms` tuple (web3 gives a dict or a tuple)."""
    v = list(values.values()) if isinstance(values, dict) else list(values)
    return Terms(
        bytes(v[0]), bytes(v[1]), bytes(v[2]), bytes(v[3]), tuple(bytes(p) for p in v[4]), int(v[5]), bytes(v[6]),
        bytes(v[7]), bool(v[8]),
    )  # fmt: skip


def _popcount(x: int) -> int:
    return bin(x).count("1")


def open_gateway(chain: Chain, deployment: Deployment) -> LedgerGateway:
    """The gateway for `deployment`, after checking it is on this chain and its ledger exists."""
    from notary.errors import ChainIdMismatchError, ConfigError

    if deployment.chain_id != chain.chain_id:
        raise ChainIdMismatchError(
            f"the deployment manifest is for chain {deployment.chain_id}, but {chain.url} serves chain {chain.chain_id}"
        )
    if not chain.has_code(deployment.ledger.address):
        raise ConfigError(
            f"no ledger contract at {deployment.ledger.address} on {chain.url} (the node was reset?)",
            hint="deploy again with `notary deploy`, or point NOTARY_DEPLOYMENT at this chain's manifest",
        )
    return LedgerGateway(chain, deployment)


class LedgerGateway:
    """The registry and ledger contracts of one deployment on one chain."""

    def __init__(self, chain: Chain, deployment: Deployment) -> None:
        self.chain = chain
        self.deployment = deployment
        w3 = chain.w3
        self.registry = w3.eth.contract(
            address=to_checksum_address(deployment.registry.address), abi=artifacts.load("IdentityRegistry").abi
        )
        self.ledger = w3.eth.contract(
            address=to_checksum_address(deployment.ledger.address), abi=artifacts.load("NotaryLedger").abi
        )

    @property
    def domain(self) -> Domain:
        return Domain(self.chain.chain_id, self.deployment.ledger.address)

    def now(self) -> int:
        """The chain's latest block time: the clock the contracts judge deadlines by."""
        return self.chain.latest_timestamp()

    def next_block_time(self) -> int:
        """When a transaction sent now most likely takes effect: the node's pending block time
        (anvil and geth: their clock now; eth-tester: the latest + 1), never before the latest
        block's (anvil mines several blocks in one second with the same time)."""
        from web3.exceptions import Web3Exception

        latest = self.now()
        try:
            pending = int(self.chain.w3.eth.get_block("pending")["timestamp"])
        except (Web3Exception, ValueError, KeyError, TypeError):  # a node without a pending block
            pending = 0
        return max(pending, latest)

    # ------------------------------------------------------------------ registry writes

    def register_party(self, sender: LocalAccount, code: bytes, name: str, controller: str) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.registerParty(code, name, controller), sender)

    def suspend_party(self, sender: LocalAccount, code: bytes) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.suspendParty(code), sender)

    def reinstate_party(self, sender: LocalAccount, code: bytes) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.reinstateParty(code), sender)

    def reset_controller(self, sender: LocalAccount, code: bytes, controller: str) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.resetController(code, controller), sender)

    def transfer_control(self, sender: LocalAccount, code: bytes, controller: str) -> tx.TxResult:
        """Propose `controller` (step one of two; the new controller accepts)."""
        return tx.send(self.chain, self.registry.functions.transferControl(code, controller), sender)

    def accept_control(self, sender: LocalAccount, code: bytes) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.acceptControl(code), sender)

    def cancel_controller_reset(self, sender: LocalAccount, code: bytes) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.cancelControllerReset(code), sender)

    def complete_controller_reset(self, sender: LocalAccount, code: bytes) -> tx.TxResult:
        return tx.send(self.chain, self.registry.functions.completeControllerReset(code), sender)

    def confirm_revocation(self, sender: LocalAccount, code: bytes, key: str) -> tx.TxResult:
        fn = self.registry.functions.confirmRevocation(code, to_checksum_address(key))
        return tx.send(self.chain, fn, sender)

    def set_delays(self, sender: LocalAccount, repudiation_window: int, controller_reset_delay: int) -> tx.TxResult:
        fn = self.registry.functions.setDelays(repudiation_window, controller_reset_delay)
        return tx.send(self.chain, fn, sender)

    def add_signer(self, sender: LocalAccount, code: bytes, key: str, valid_from: int, valid_until: int) -> tx.TxResult:
        fn = self.registry.functions.addSigner(code, to_checksum_address(key), valid_from, valid_until)
        return tx.send(self.chain, fn, sender)

    def revoke_signer(self, sender: LocalAccount, code: bytes, key: str, effective_at: int) -> tx.TxResult:
        fn = self.registry.functions.revokeSigner(code, to_checksum_address(key), effective_at)
        return tx.send(self.chain, fn, sender)

    # ------------------------------------------------------------------ registry reads

    def party(self, code: bytes) -> Party:
        name, controller, suspended, registered_at = tx.call(self.registry.functions.party(code))
        return Party(bytes32_to_text(code), name, controller, suspended, registered_at)

    def signer_key(self, code: bytes, key: str) -> SignerKey:
        vf, vu, revoked, added = tx.call(self.registry.functions.signerKey(code, to_checksum_address(key)))
        return SignerKey(bytes32_to_text(code), to_checksum_address(key), vf, vu, revoked, added)

    def pending_control(self, code: bytes) -> tuple[str, int, bool] | None:
        """(new controller, effective time, by depositary) of a pending controller change, or None."""
        new, effective_at, by_depositary = tx.call(self.registry.functions.pendingControl(code))
        if int(new, 16) == 0:
            return None
        return to_checksum_address(new), int(effective_at), bool(by_depositary)

    def pending_revocation(self, code: bytes, key: str) -> int:
        """The back-dated effective time awaiting the depositary's confirmation (0: none)."""
        return int(tx.call(self.registry.functions.pendingRevocation(code, to_checksum_address(key))))

    def delays(self) -> tuple[int, int]:
        """(repudiation window, controller-reset delay) in seconds."""
        return (
            int(tx.call(self.registry.functions.repudiationWindow())),
            int(tx.call(self.registry.functions.controllerResetDelay())),
        )

    def is_authorised_at(self, code: bytes, key: str, time: int) -> bool:
        return bool(tx.call(self.registry.functions.isAuthorisedAt(code, to_checksum_address(key), time)))

    def key_history(self, code: bytes) -> list[dict[str, Any]]:
        """Every SignerAdded / SignerRevoked event of a party, in chain order."""
        start = self.deployment.registry.block_number
        rows: list[dict[str, Any]] = []
        events = (
            self.registry.events.SignerAdded,
            self.registry.events.SignerRevoked,
            self.registry.events.BackdatedRevocationRequested,
            self.registry.events.BackdatedRevocationConfirmed,
        )
        for event in events:
            for log in event.get_logs(from_block=start, argument_filters={"code": code}):
                rows.append(_event_row(log))
        return sorted(rows, key=lambda r: (r["block_number"], r["log_index"]))

    def parties(self) -> list[Party]:
        """Every registered party, from PartyRegistered events."""
        logs = self.registry.events.PartyRegistered.get_logs(from_block=self.deployment.registry.block_number)
        return [self.party(log["args"]["code"]) for log in logs]

    # ------------------------------------------------------------------ ledger writes

    # Each takes `on_signed` and `timeout` on to `tx.send` (the send journal hooks in there).

    def notarise(
        self,
        sender: LocalAccount,
        n: Notarisation,
        signer: str,
        signature: bytes,
        *,
        on_signed: tx.OnSigned | None = None,
        timeout: float = tx.DEFAULT_TIMEOUT,
    ) -> tx.TxResult:
        old = self.terms(n.supersedes) if n.supersedes != bytes(32) else NO_TERMS
        fn = self.ledger.functions.notarise(contract_args(n), terms_args(old), to_checksum_address(signer), signature)
        return tx.send(self.chain, fn, sender, timeout, on_signed)

    def act(
        self,
        sender: LocalAccount,
        a: Act,
        signer: str,
        signature: bytes,
        *,
        on_signed: tx.OnSigned | None = None,
        timeout: float = tx.DEFAULT_TIMEOUT,
    ) -> tx.TxResult:
        fn = self.ledger.functions.act(contract_args(a), to_checksum_address(signer), signature)
        return tx.send(self.chain, fn, sender, timeout, on_signed)

    def write_call(self, payload: Notarisation | Act | BatchAnchor, signer: str, signature: bytes) -> Any:
        """The contract call that records a signed payload (unsent: for `notary.journal.submit_many`)."""
        who = to_checksum_address(signer)
        if isinstance(payload, Notarisation):
            old = self.terms(payload.supersedes) if payload.supersedes != bytes(32) else NO_TERMS
            return self.ledger.functions.notarise(contract_args(payload), terms_args(old), who, signature)
        if isinstance(payload, Act):
            return self.ledger.functions.act(contract_args(payload), who, signature)
        return self.ledger.functions.anchor(contract_args(payload), who, signature)

    def void_act(self, sender: LocalAccount, terms: Terms, party: bytes, intent: Intent) -> tx.TxResult:
        """Void an act whose key was not authorised at its time (anyone may send it); the record's
        act history, which the contract checks against its stored hash chain, comes from events."""
        history = [(e.party, e.intent, e.signer, e.time) for e in self.act_history(terms.record_id)]
        fn = self.ledger.functions.voidAct(terms_args(terms), history, party, int(intent))
        return tx.send(self.chain, fn, sender)

    def refresh(self, sender: LocalAccount, terms: Terms) -> tx.TxResult:
        """Re-derive a record's state (e.g. an amendment whose target became executable again)."""
        return tx.send(self.chain, self.ledger.functions.refresh(terms_args(terms)), sender)

    def anchor(
        self,
        sender: LocalAccount,
        b: BatchAnchor,
        signer: str,
        signature: bytes,
        *,
        on_signed: tx.OnSigned | None = None,
        timeout: float = tx.DEFAULT_TIMEOUT,
    ) -> tx.TxResult:
        args = contract_args(b)
        fn = self.ledger.functions.anchor(args, to_checksum_address(signer), signature)
        return tx.send(self.chain, fn, sender, timeout, on_signed)

    # ------------------------------------------------------------------ ledger reads

    def _logs(self, event: Any, to_block: int | str = "latest", **filters: Any) -> list[Any]:
        logs = event.get_logs(
            from_block=self.deployment.ledger.block_number, to_block=to_block, argument_filters=filters
        )
        return sorted(logs, key=lambda x: (x["blockNumber"], x["logIndex"]))

    def records_of_digest(self, digest: bytes) -> list[bytes]:
        """Every record id of `digest`, in creation order (from RecordNotarised events)."""
        ids: list[bytes] = []
        for log in self._logs(self.ledger.events.RecordNotarised, digest=digest):
            rid = bytes(log["args"]["recordId"])
            if rid not in ids:
                ids.append(rid)
        return ids

    def _notarised_log(self, record_id: bytes, terms_hash: bytes | None = None) -> Any:
        """The latest RecordNotarised log of a record (matching `terms_hash` when given)."""
        return _latest_notarised(
            record_id, self._logs(self.ledger.events.RecordNotarised, recordId=record_id), terms_hash
        )

    def _record_logs(self, record_id: bytes) -> dict[str, Any]:
        """A record's RecordNotarised, ActRecorded and ActVoided logs, decoded, each list in chain
        order, from one eth_getLogs (all three events index the record id first); "blockTimestamp"
        maps (block number, log index) to the log's block time where the node gives it with the log."""
        events = (
            self.ledger.events.RecordNotarised(),
            self.ledger.events.ActRecorded(),
            self.ledger.events.ActVoided(),
        )
        by_topic = {bytes.fromhex(e.topic[2:]): e for e in events}
        raw = self.chain.w3.eth.get_logs(
            {
                "address": self.ledger.address,
                "fromBlock": self.deployment.ledger.block_number,
                "toBlock": "latest",
                "topics": [["0x" + t.hex() for t in by_topic], "0x" + record_id.hex()],
            }
        )
        out: dict[str, Any] = {"RecordNotarised": [], "ActRecorded": [], "ActVoided": [], "blockTimestamp": {}}
        for entry in raw:
            event = by_topic.get(bytes(entry["topics"][0])) if entry["topics"] else None
            if event is None:
                continue
            log = event.process_log(entry)
            out[log["event"]].append(log)
            when: Any = entry.get("blockTimestamp")  # anvil, reth and recent geth give it; eth-tester does not
            if when is not None:
                out["blockTimestamp"][(log["blockNumber"], log["logIndex"])] = (
                    int(when, 16) if isinstance(when, str) else int(when)
                )
        for name in ("RecordNotarised", "ActRecorded", "ActVoided"):
            out[name].sort(key=lambda x: (x["blockNumber"], x["logIndex"]))
        return out

    def terms(self, record_id: bytes) -> Terms:
        """A record's terms, from its RecordNotarised event, checked against the stored terms hash."""
        from notary import eip712

        stored = bytes(tx.call(self.ledger.functions.record(record_id))[0])
        a = self._notarised_log(record_id, stored)["args"]
        t = Terms(
            bytes(a["digest"]), bytes(a["hashAlgorithm"]), bytes(a["kind"]), bytes(a["party"]),
            tuple(bytes(p) for p in a["parties"]), int(a["quorum"]), bytes(a["supersedes"]),
            bytes(a["metadataHash"]), bool(a["ratificationRequired"]),
        )  # fmt: skip
        if eip712.terms_hash(t) != stored:
            from notary.errors import ChainError

            raise ChainError(f"the terms in the events of record 0x{record_id.hex()} do not match its stored hash")
        return t

    def record(self, record_id: bytes, with_attestations: bool = True) -> Record:
        """A record as the chain holds it now: one eth_call for its state, one eth_getLogs for its
        events (and one eth_call per act, to re-check its key's authorisation)."""
        terms_hash, state, _history, superseded_by = tx.call(self.ledger.functions.record(record_id))
        st = list(state.values()) if isinstance(state, dict) else list(state)
        status, signed, withdrawn, annulled, ratified, _quorum, _count, _ratif, executed, _superseded, updated = st
        logs = self._record_logs(record_id)
        log = _latest_notarised(record_id, logs["RecordNotarised"], bytes(terms_hash))
        a = log["args"]
        t = Terms(
            bytes(a["digest"]), bytes(a["hashAlgorithm"]), bytes(a["kind"]), bytes(a["party"]),
            tuple(bytes(p) for p in a["parties"]), int(a["quorum"]), bytes(a["supersedes"]),
            bytes(a["metadataHash"]), bool(a["ratificationRequired"]),
        )  # fmt: skip
        bound = signed & ~withdrawn
        acts = self._attestations(log, logs) if with_attestations else []
        submitter = bytes32_to_text(t.submitter)
        created = next((x.time for x in acts if x.intent == Intent.SIGNATURE and x.party == submitter), 0)
        if not created:
            at = logs["blockTimestamp"].get((log["blockNumber"], log["logIndex"]))
            created = at if at is not None else self.chain.block_timestamp(int(log["blockNumber"]))
        return Record(
            record_id=record_id,
            digest=t.digest,
            hash_algorithm=bytes32_to_text(t.hash_algorithm),
            kind=bytes32_to_text(t.kind),
            submitter=bytes32_to_text(t.submitter),
            parties=tuple(bytes32_to_text(p) for p in t.parties),
            quorum=t.quorum,
            supersedes=t.supersedes,
            superseded_by=bytes(superseded_by),
            metadata_hash=t.metadata_hash,
            ratification_required=t.ratification_required,
            status=Status(status),
            created_at=created,
            updated_at=int(updated),
            signatures=_popcount(signed),
            ratifications=_popcount(ratified & bound),
            annulments=_popcount(annulled & bound),
            withdrawals=_popcount(withdrawn & signed),
            attestations=tuple(acts),
            terms=t,
            masks=(int(signed), int(withdrawn), int(annulled), int(ratified)),
            executed=bool(executed),
        )

    def attestations(self, record_id: bytes, since: Any = None) -> list[Attestation]:
        """Every act recorded on a record's current notarisation, from its events, with health
        re-checked now (`valid`) and whether it was voided on chain."""
        if since is None:
            terms_hash = bytes(tx.call(self.ledger.functions.record(record_id))[0])  # reverts for an unknown record
            logs = self._record_logs(record_id)
            since = _latest_notarised(record_id, logs["RecordNotarised"], terms_hash)
        else:
            logs = self._record_logs(record_id)
        return self._attestations(since, logs)

    def _attestations(self, since: Any, record_logs: dict[str, Any]) -> list[Attestation]:
        """The acts of `record_logs` (`_record_logs`) after the notarisation log `since`."""
        start = (int(since["blockNumber"]), int(since["logIndex"]))
        logs = [x for x in record_logs["ActRecorded"] if (x["blockNumber"], x["logIndex"]) > start]
        voids = [x for x in record_logs["ActVoided"] if (x["blockNumber"], x["logIndex"]) > start]
        voided = {
            (bytes(v["args"]["party"]), int(v["args"]["intent"]), int(v["args"]["actTime"]), v["args"]["signer"])
            for v in voids
        }
        out: list[Attestation] = []
        for log in logs:
            a = log["args"]
            intent = Intent(a["intent"])
            party = bytes(a["party"])
            is_void = (party, int(intent), int(a["time"]), a["signer"]) in voided
            valid = not is_void and self.is_authorised_at(party, a["signer"], int(a["time"]))
            out.append(
                Attestation(
                    party=bytes32_to_text(party),
                    intent=intent,
                    signer=a["signer"],
                    time=a["time"],
                    valid=valid,
                    reason=a["reason"],
                    transaction="0x" + bytes(log["transactionHash"]).hex(),
                    block_number=log["blockNumber"],
                    voided=is_void,
                    deadline=int(a["deadline"]),
                    signature=bytes(a["signature"]),
                )
            )
        return out

    def act_history(self, record_id: bytes) -> list[ActEntry]:
        """The entries the ledger's history hash chain covers, rebuilt from events (`INotaryLedger.ActEntry`)."""
        terms_hash = bytes(tx.call(self.ledger.functions.record(record_id))[0])
        record_logs = self._record_logs(record_id)
        since = _latest_notarised(record_id, record_logs["RecordNotarised"], terms_hash)
        start = (int(since["blockNumber"]), int(since["logIndex"]))
        logs = [*record_logs["ActRecorded"], *record_logs["ActVoided"]]
        entries = []
        for x in sorted(logs, key=lambda x: (x["blockNumber"], x["logIndex"])):
            if (x["blockNumber"], x["logIndex"]) <= start:
                continue
            a = x["args"]
            if x["event"] == "ActVoided":
                entries.append(ActEntry(bytes(a["party"]), int(a["intent"]) | 0x80, a["signer"], int(a["actTime"])))
            else:
                entries.append(ActEntry(bytes(a["party"]), int(a["intent"]), a["signer"], int(a["time"])))
        return entries

    def anchor_of(self, anchor_id: bytes) -> tuple[bytes, bytes]:
        """(root, party) of a batch, from its BatchAnchored event."""
        log = self.anchor_log(anchor_id)
        if log is None:
            tx.call(self.ledger.functions.batch(anchor_id))  # raises NotaryUnknownAnchor
            raise AssertionError("unreachable")
        return bytes(log["root"]), bytes(log["party"])

    def verify_inclusion(self, anchor_id: bytes, digest: bytes, proof: list[bytes]) -> bool:
        root, party = self.anchor_of(anchor_id)
        return bool(tx.call(self.ledger.functions.verifyInclusion(root, party, digest, proof)))

    def batch(self, anchor_id: bytes) -> dict[str, Any]:
        """A batch: its signed fields from the latest BatchAnchored event, its stored signer and
        time, and whether its key was authorised when it anchored, as known now."""
        signer, time = tx.call(self.ledger.functions.batch(anchor_id))
        log = self.anchor_log(anchor_id)
        assert log is not None
        return {
            "root": bytes(log["root"]),
            "party": bytes32_to_text(log["party"]),
            "hash_algorithm": bytes32_to_text(log["hashAlgorithm"]),
            "metadata_hash": bytes(log["metadataHash"]),
            "signer": signer,
            "time": time,
            "valid": bool(tx.call(self.ledger.functions.batchValid(bytes(log["root"]), bytes(log["party"])))),
        }

    def contract_signing_hash(self, payload: Notarisation | Act | BatchAnchor) -> bytes:
        """The EIP-712 digest as the contract computes it (used to pin the Python side)."""
        view = {Notarisation: "hashNotarisation", Act: "hashAct", BatchAnchor: "hashBatchAnchor"}[type(payload)]
        return bytes(tx.call(self.ledger.functions[view](contract_args(payload))))

    # ------------------------------------------------------------------ evidence for receipts (reads only)

    def signer_key_at(self, code: bytes, key: str, block: int) -> SignerKey:
        """A party's key entry as the registry held it at `block` (eth_call at that block)."""
        fn = self.registry.functions.signerKey(code, to_checksum_address(key))
        vf, vu, revoked, added = tx.call(fn, block=block)
        return SignerKey(bytes32_to_text(code), to_checksum_address(key), vf, vu, revoked, added)

    def block_hash(self, number: int) -> str | None:
        """The 0x-hash of canonical block `number`, or None if the chain is not that long."""
        from web3.exceptions import BlockNotFound

        try:
            return "0x" + bytes(self.chain.w3.eth.get_block(number)["hash"]).hex()
        except BlockNotFound:
            return None

    def block_time(self, number: int) -> int:
        return int(self.chain.w3.eth.get_block(number)["timestamp"])

    def block_fields(self, number: int) -> dict[str, Any]:
        """Block `number` as the node gives it (the header's fields among them; bytes and integers)."""
        return dict(self.chain.w3.eth.get_block(number))

    def proof_nodes(self, address: str, slots: list[bytes], block: int) -> list[bytes] | None:
        """The trie nodes `eth_getProof` gives for an account and its storage `slots` after `block`
        (the account proof, then each slot's proof); None if the node does not serve them (eth-tester
        does not implement eth_getProof; a pruned node refuses old blocks)."""
        if self.chain.is_in_process:
            return None
        # The raw request: web3's formatter writes slot 0 as "0x0", which nodes refuse as odd-length hex.
        params = [to_checksum_address(address), ["0x" + s.hex() for s in slots], hex(block)]
        answer = self.chain.w3.provider.make_request("eth_getProof", params)  # type: ignore[arg-type]
        p = answer.get("result")
        if not isinstance(p, dict):
            return None
        nodes = [bytes.fromhex(n[2:]) for n in p["accountProof"]]
        for sp in p["storageProof"]:
            nodes.extend(bytes.fromhex(n[2:]) for n in sp["proof"])
        return nodes

    def is_contract(self, address: str, block: int | str = "latest") -> bool:
        """Whether `address` holds code (an EIP-1271 contract signer) at `block`."""
        return bool(self.chain.w3.eth.get_code(to_checksum_address(address), block_identifier=block))  # type: ignore[arg-type]

    def transaction_location(self, tx_hash: str) -> tuple[int, str] | None:
        """(block number, block hash) of a mined, successful transaction; None if it is not on chain."""
        from web3.exceptions import TransactionNotFound

        try:
            r = self.chain.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        if r["status"] != 1:
            return None
        return int(r["blockNumber"]), "0x" + bytes(r["blockHash"]).hex()

    def act_logs(self, record_id: bytes, to_block: int | str = "latest") -> list[dict[str, Any]]:
        """Every ActRecorded log of a record up to `to_block`, in chain order, with its position
        (each carries the signed payload's deadline and signature)."""
        return [_log_row(log) for log in self._logs(self.ledger.events.ActRecorded, to_block, recordId=record_id)]

    def void_logs(self, record_id: bytes, to_block: int | str = "latest") -> list[dict[str, Any]]:
        """Every ActVoided log of a record up to `to_block`, in chain order."""
        return [_log_row(log) for log in self._logs(self.ledger.events.ActVoided, to_block, recordId=record_id)]

    def notarised_logs(self, record_id: bytes, to_block: int | str = "latest") -> list[dict[str, Any]]:
        """Every RecordNotarised log of a record (more than one after a void), in chain order."""
        return [_log_row(log) for log in self._logs(self.ledger.events.RecordNotarised, to_block, recordId=record_id)]

    def anchor_log(self, anchor_id: bytes) -> dict[str, Any] | None:
        """The BatchAnchored log of a batch with its position, or None."""
        logs = self._logs(self.ledger.events.BatchAnchored, anchorId=anchor_id)
        return _log_row(logs[-1]) if logs else None


def _latest_notarised(record_id: bytes, logs: list[Any], terms_hash: bytes | None = None) -> Any:
    """The latest of a record's RecordNotarised `logs` (matching `terms_hash` when given)."""
    if terms_hash is not None:
        logs = [x for x in logs if bytes(x["args"]["termsHash"]) == terms_hash]
    if not logs:
        from notary.errors import RecordNotFoundError

        raise RecordNotFoundError(f"record 0x{record_id.hex()} is not notarised on this ledger")
    return logs[-1]


def _log_row(log: Any) -> dict[str, Any]:
    """A decoded log's arguments plus where it is: transaction, block number and hash, log index."""
    return {
        **dict(log["args"]),
        "transaction": "0x" + bytes(log["transactionHash"]).hex(),
        "blockNumber": int(log["blockNumber"]),
        "blockHash": "0x" + bytes(log["blockHash"]).hex(),
        "logIndex": int(log["logIndex"]),
    }


def _event_row(log: Any) -> dict[str, Any]:
    args = dict(log["args"])
    for k, v in list(args.items()):
        if isinstance(v, bytes) and k in ("code", "party"):
            args[k] = bytes32_to_text(v)
    return {
        "event": log["event"],
        "block_number": log["blockNumber"],
        "log_index": log["logIndex"],
        "transaction": "0x" + bytes(log["transactionHash"]).hex(),
        **args,
    }
