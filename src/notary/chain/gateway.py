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
    Attestation,
    BatchAnchor,
    Intent,
    Notarisation,
    Party,
    Record,
    SignerKey,
    Status,
)


def contract_args(payload: Notarisation | Act | BatchAnchor) -> tuple[Any, ...]:
    """A signed payload as the ledger's calldata struct (field order of INotaryLedger)."""
    if isinstance(payload, Notarisation):
        return (
            payload.digest,
            payload.hash_algorithm,
            payload.kind,
            payload.party,
            list(payload.parties),
            payload.quorum,
            payload.supersedes,
            payload.metadata_hash,
            payload.ratification_required,
            payload.deadline,
        )
    if isinstance(payload, Act):
        return (payload.record_id, payload.party, int(payload.intent), payload.reason, payload.deadline)
    return (payload.root, payload.party, payload.count, payload.hash_algorithm, payload.metadata_hash, payload.deadline)


def open_gateway(chain: Chain, deployment: Deployment) -> LedgerGateway:
    """The gateway for `deployment`, after checking it is on this chain and its ledger exists."""
    from notary.errors import ConfigError

    if deployment.chain_id != chain.chain_id:
        raise ConfigError(
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
        return tx.send(self.chain, self.registry.functions.transferControl(code, controller), sender)

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

    def is_authorised_at(self, code: bytes, key: str, time: int) -> bool:
        return bool(tx.call(self.registry.functions.isAuthorisedAt(code, to_checksum_address(key), time)))

    def key_history(self, code: bytes) -> list[dict[str, Any]]:
        """Every SignerAdded / SignerRevoked event of a party, in chain order."""
        start = self.deployment.registry.block_number
        rows: list[dict[str, Any]] = []
        for event in (self.registry.events.SignerAdded, self.registry.events.SignerRevoked):
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
        args = contract_args(n)
        fn = self.ledger.functions.notarise(args, to_checksum_address(signer), signature)
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
        args = contract_args(a)
        fn = self.ledger.functions.act(args, to_checksum_address(signer), signature)
        return tx.send(self.chain, fn, sender, timeout, on_signed)

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

    def records_of_digest(self, digest: bytes) -> list[bytes]:
        return [bytes(r) for r in tx.call(self.ledger.functions.recordsOfDigest(digest))]

    def record(self, record_id: bytes, with_attestations: bool = True) -> Record:
        r = tx.call(self.ledger.functions.record(record_id))
        parties = tuple(bytes32_to_text(p) for p in r[4])
        record = Record(
            record_id=record_id,
            digest=bytes(r[0]),
            hash_algorithm=bytes32_to_text(r[1]),
            kind=bytes32_to_text(r[2]),
            submitter=bytes32_to_text(r[3]),
            parties=parties,
            quorum=r[5],
            supersedes=bytes(r[6]),
            superseded_by=bytes(r[7]),
            metadata_hash=bytes(r[8]),
            ratification_required=r[9],
            status=Status(r[10]),
            created_at=r[11],
            updated_at=r[12],
            signatures=r[13],
            ratifications=r[14],
            annulments=r[15],
            withdrawals=r[16],
        )
        if not with_attestations:
            return record
        return Record(**{**record.__dict__, "attestations": tuple(self.attestations(record_id))})

    def attestations(self, record_id: bytes) -> list[Attestation]:
        """Every act recorded on a record, from its events, with health re-checked now."""
        logs = self.ledger.events.ActRecorded.get_logs(
            from_block=self.deployment.ledger.block_number, argument_filters={"recordId": record_id}
        )
        out: list[Attestation] = []
        for log in sorted(logs, key=lambda x: (x["blockNumber"], x["logIndex"])):
            a = log["args"]
            intent = Intent(a["intent"])
            valid = bool(tx.call(self.ledger.functions.attestationValid(record_id, a["party"], int(intent))))
            out.append(
                Attestation(
                    party=bytes32_to_text(a["party"]),
                    intent=intent,
                    signer=a["signer"],
                    time=a["time"],
                    valid=valid,
                    reason=a["reason"],
                    transaction="0x" + bytes(log["transactionHash"]).hex(),
                    block_number=log["blockNumber"],
                )
            )
        return out

    def verify_inclusion(self, anchor_id: bytes, digest: bytes, proof: list[bytes]) -> bool:
        return bool(tx.call(self.ledger.functions.verifyInclusion(anchor_id, digest, proof)))

    def batch(self, anchor_id: bytes) -> dict[str, Any]:
        root, party, count, alg, meta, signer, time = tx.call(self.ledger.functions.batch(anchor_id))
        return {
            "root": bytes(root),
            "party": bytes32_to_text(party),
            "count": count,
            "hash_algorithm": bytes32_to_text(alg),
            "metadata_hash": bytes(meta),
            "signer": signer,
            "time": time,
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

    def signed_call(self, tx_hash: str) -> tuple[Notarisation | Act | BatchAnchor, str, bytes]:
        """The signed payload, signer and signature a ledger transaction carried (from its input).

        The contract stores neither the payloads' deadlines nor the signatures: the
        transaction input is where they survive.
        """
        from notary.errors import InvalidInputError

        t = self.chain.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        if t["to"] is None or to_checksum_address(t["to"]) != to_checksum_address(self.ledger.address):
            raise InvalidInputError(f"transaction {tx_hash} does not call the ledger directly")
        fn, args = self.ledger.decode_function_input(t["input"])
        name = fn.fn_name
        s = args.get({"notarise": "n", "act": "a", "anchor": "b"}.get(name, ""))
        if s is None:
            raise InvalidInputError(f"transaction {tx_hash} calls {name}, not a signed ledger act")
        s = list(s.values()) if isinstance(s, dict) else list(s)  # web3 decodes structs as named dicts
        payload: Notarisation | Act | BatchAnchor
        if name == "notarise":
            payload = Notarisation(
                bytes(s[0]), bytes(s[1]), bytes(s[2]), bytes(s[3]), tuple(bytes(p) for p in s[4]),
                int(s[5]), bytes(s[6]), bytes(s[7]), bool(s[8]), int(s[9]),
            )  # fmt: skip
        elif name == "act":
            payload = Act(bytes(s[0]), bytes(s[1]), Intent(s[2]), str(s[3]), int(s[4]))
        else:
            payload = BatchAnchor(bytes(s[0]), bytes(s[1]), int(s[2]), bytes(s[3]), bytes(s[4]), int(s[5]))
        return payload, to_checksum_address(args["signer"]), bytes(args["signature"])

    def act_logs(self, record_id: bytes, to_block: int | str = "latest") -> list[dict[str, Any]]:
        """Every ActRecorded log of a record up to `to_block`, in chain order, with its position."""
        logs = self.ledger.events.ActRecorded.get_logs(
            from_block=self.deployment.ledger.block_number, to_block=to_block, argument_filters={"recordId": record_id}
        )
        return [_log_row(log) for log in sorted(logs, key=lambda x: (x["blockNumber"], x["logIndex"]))]

    def anchor_log(self, anchor_id: bytes) -> dict[str, Any] | None:
        """The BatchAnchored log of a batch with its position, or None."""
        logs = self.ledger.events.BatchAnchored.get_logs(
            from_block=self.deployment.ledger.block_number, argument_filters={"anchorId": anchor_id}
        )
        return _log_row(logs[0]) if logs else None


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
