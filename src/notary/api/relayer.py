"""Relay signed payloads on chain, paying gas with the service's own key, exactly once.

The service never holds a ministry key: it submits what a ministry signed, and the
contract checks the signature. Idempotency, in order:

1. The idempotency key is the payload's EIP-712 signing hash. A payload relayed before
   (by this process) gets the first answer again, body for body.
2. Otherwise `notary.journal.submit_once` runs, as for the CLI's `notary submit`:
   a transaction journalled by an interrupted earlier attempt is finished, not re-sent;
   an act already on chain (relayed by anyone) is reported with its transaction; else
   one transaction is signed, journalled and sent. The answer comes once the act is at
   the confirmation depth. If the node's answer is lost, the request fails with a problem
   that says the transaction is kept and pending; the same request again finishes it
   (one transaction, whatever the retries). Each submission also sweeps the journal:
   what a node restart or a reorg dropped is re-broadcast, and logged.
3. A notarisation whose record exists with other terms is a conflict (409), not a success.

One lock serialises submissions, so two requests never race for the relayer's nonce.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import eip712, ledger
from notary.api.schemas import RelayOut
from notary.api.settings import RelayerSource
from notary.chain.gateway import LedgerGateway
from notary.codes import bytes32_to_text
from notary.errors import ConfigError, NotaryDuplicateRecordError, NotaryUnknownAnchorError, WrongDomainError
from notary.journal import Journal, JournalKey, OnChain, recorded_act, submit_once
from notary.models import Act, Intent, Notarisation, Record, anchor_id, record_id

DEV_CHAIN_IDS = frozenset({31337})
REMEMBERED = 10_000
log = logging.getLogger("notary.api.relay")


def load_relayer(source: RelayerSource, gw: LedgerGateway) -> LocalAccount:
    """The paying account; a raw private key is accepted on development chains only."""
    dev = gw.chain.chain_id in DEV_CHAIN_IDS or gw.chain.is_in_process
    if source.private_key is not None:
        if not dev:
            raise ConfigError(
                f"NOTARY_RELAYER_PRIVATE_KEY is for development chains; chain {gw.chain.chain_id} is not one",
                hint="use NOTARY_RELAYER_KEYSTORE and NOTARY_RELAYER_PASSWORD_FILE",
            )
        try:
            account: LocalAccount = Account.from_key(source.private_key)
        except (ValueError, TypeError):
            raise ConfigError("NOTARY_RELAYER_PRIVATE_KEY is not a valid private key") from None
    else:
        assert source.keystore is not None and source.password_file is not None  # ApiSettings.check
        try:
            password = source.password_file.read_text().rstrip("\r\n")
            account = Account.from_key(Account.decrypt(json.loads(source.keystore.read_text()), password))
        except OSError as exc:
            raise ConfigError(f"cannot read the relayer keystore or password file: {exc.strerror}") from None
        except ValueError:
            raise ConfigError(f"cannot decrypt the relayer keystore {source.keystore} (wrong password?)") from None
    if dev and gw.chain.balance(account.address) == 0:
        gw.chain.fund(account.address)
    return account


@dataclass(frozen=True)
class _Target:
    """What a payload does on chain: its journal key, how to find it there, the reply's fields."""

    key: JournalKey
    recorded: Callable[[], OnChain | None]
    fields: dict[str, Any]


class Relayer:
    def __init__(
        self,
        gw: LedgerGateway,
        account: LocalAccount,
        journal: Journal,
        timeout: float,
        confirmations: int | None = None,
    ) -> None:
        from notary.api.indexing import confirmations_for

        self.gw, self.account, self.journal, self.timeout = gw, account, journal, timeout
        #: Blocks on top before an act counts as recorded: as configured, else 0 on dev chains, 12 elsewhere.
        self.confirmations = confirmations_for(gw, confirmations)
        self._done: OrderedDict[str, RelayOut] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return str(self.account.address)

    def relay(self, signed: ledger.SignedPayload) -> tuple[RelayOut, bool]:
        """Submit `signed` once; returns the answer and whether it is a replay of an earlier one."""
        theirs, ours = signed.domain, self.gw.domain
        if theirs != ours:
            raise WrongDomainError(
                f"the payload was signed for chain {theirs.chain_id} ledger {theirs.verifying_contract}, "
                f"but this service relays to chain {ours.chain_id} ledger {ours.verifying_contract}",
                hint="sign it again against this ledger's deployment manifest",
            )
        key = "0x" + eip712.signing_hash(signed.payload, signed.domain).hex()
        with self._lock:
            # 1.
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key], True
            # 2. and 3.
            target = self._target(signed)
            outcome = submit_once(
                self.gw.chain,
                self.journal,
                target.key,
                recorded=target.recorded,
                send=lambda on_signed, timeout: ledger.submit(
                    self.gw, self.account, signed, on_signed=on_signed, timeout=timeout
                ),
                deadline=signed.payload.deadline,
                timeout=self.timeout,
                confirmations=self.confirmations,
            )
            for note in outcome.notes:
                level = logging.WARNING if note.what in ("reorged", "lost") else logging.INFO
                log.log(level, "journal: %s", note.text)
            fields = {**target.fields, **self._record_fields(target.fields.get("recordId"))}
            answer = RelayOut(
                signingHash=key,
                signer=signed.signer,
                outcome="already-recorded" if outcome.already_recorded else "submitted",
                transaction=outcome.transaction,
                block=outcome.block_number,
                **fields,
            )
            self._done[key] = answer
            while len(self._done) > REMEMBERED:
                self._done.popitem(last=False)
        log.info(
            "relayed %s %s for %s: %s %s", answer.primaryType, key, answer.party, answer.outcome, answer.transaction
        )
        return answer, False

    def _target(self, signed: ledger.SignedPayload) -> _Target:
        p, gw = signed.payload, self.gw
        party = bytes32_to_text(p.party)
        ledger_address = gw.domain.verifying_contract
        if isinstance(p, Notarisation | Act):
            rid = record_id(p.digest, p.party) if isinstance(p, Notarisation) else p.record_id
            intent = Intent.SIGNATURE if isinstance(p, Notarisation) else p.intent
            label = "notarisation" if isinstance(p, Notarisation) else intent.label

            def recorded() -> OnChain | None:
                found = recorded_act(gw, rid, party, intent)
                if found is not None and isinstance(p, Notarisation):
                    _check_same_terms(gw.record(rid, with_attestations=False), p)
                return found

            fields = {"primaryType": type(p).__name__, "party": party, "intent": label, "recordId": "0x" + rid.hex()}
            return _Target(JournalKey(ledger_address, rid, party, label), recorded, fields)
        aid = anchor_id(p.root, p.party)

        def anchored() -> OnChain | None:
            try:
                gw.batch(aid)
            except NotaryUnknownAnchorError:
                return None
            logs = gw.ledger.events.BatchAnchored.get_logs(
                from_block=gw.deployment.ledger.block_number, argument_filters={"anchorId": aid}
            )
            if not logs:
                return OnChain(None, None)
            return OnChain("0x" + bytes(logs[0]["transactionHash"]).hex(), int(logs[0]["blockNumber"]))

        fields = {"primaryType": "BatchAnchor", "party": party, "intent": "anchor", "anchorId": "0x" + aid.hex()}
        return _Target(JournalKey(ledger_address, aid, party, "anchor"), anchored, fields)

    def _record_fields(self, rid_hex: str | None) -> dict[str, Any]:
        if rid_hex is None:
            return {}
        digest = self.gw.record(bytes.fromhex(rid_hex[2:]), with_attestations=False).digest.hex()
        return {"digest": digest, "record": f"/v1/records/{digest}"}


def _check_same_terms(record: Record, p: Notarisation) -> None:
    """The party's existing record of this digest must be the one this payload asks for."""
    if ledger.differing_terms(record, p):
        raise NotaryDuplicateRecordError({"recordId": record.record_id}, {"recordId": record.record_id_hex})
