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

Requests are not sent one by one: each waits in a queue, and one submitter thread takes
whatever has gathered (up to `notary.journal.pipeline.WINDOW`) and relays it with the
pipelined submitter (`notary.journal.submit_many`: many transactions in flight, every
guarantee of `submit_once`). One thread owns the relayer's nonces, so two requests never
race for them; concurrent requests share the node's round trips instead of queueing
behind each other's receipts.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import eip712, ledger
from notary.api.schemas import RelayOut
from notary.api.settings import RelayerSource
from notary.chain.gateway import LedgerGateway
from notary.errors import (
    ConfigError,
    NotaryError,
    WrongDomainError,
)
from notary.journal import Item, Journal, Outcome, submit_many
from notary.journal.pipeline import WINDOW

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
    """What a payload does on chain (its journal item: key, contract call, how to find it there) and
    the reply's fields."""

    item: Item
    fields: dict[str, Any]


@dataclass
class _Request:
    """A relay request waiting for the submitter thread: its answer, or the error it ended with."""

    signed: ledger.SignedPayload
    signing_hash: str
    done: threading.Event = field(default_factory=threading.Event)
    answer: RelayOut | None = None
    replayed: bool = False
    error: BaseException | None = None


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
        self._queue: list[_Request] = []
        self._ready = threading.Condition()
        self._worker: threading.Thread | None = None

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
        request = _Request(signed, key)
        with self._ready:
            self._queue.append(request)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="notary-relay-submitter", daemon=True)
                self._worker.start()
            self._ready.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.answer is not None
        if not request.replayed:
            answer = request.answer
            log.info(
                "relayed %s %s for %s: %s %s", answer.primaryType, key, answer.party, answer.outcome, answer.transaction
            )
        return request.answer, request.replayed

    def _run(self) -> None:
        """The submitter thread: relay what has gathered in the queue, a window at a time."""
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                batch, self._queue = self._queue[:WINDOW], self._queue[WINDOW:]
            try:
                self._relay_all(batch)
            except BaseException as exc:  # noqa: BLE001 — handed to the waiting requests, never lost
                for request in batch:
                    if not request.done.is_set():
                        request.error = exc
                        request.done.set()

    def _relay_all(self, batch: list[_Request]) -> None:
        # 1. replays, and the same payload twice in one batch (answered once, for both)
        todo: list[tuple[_Request, _Target, Item]] = []
        first: dict[str, _Request] = {}
        copies: list[tuple[_Request, _Request]] = []
        for request in batch:
            if request.signing_hash in self._done:
                self._done.move_to_end(request.signing_hash)
                request.answer, request.replayed = self._done[request.signing_hash], True
                request.done.set()
            elif request.signing_hash in first:
                copies.append((request, first[request.signing_hash]))
            else:
                first[request.signing_hash] = request
                try:
                    target = self._target(request.signed)
                    todo.append((request, target, target.item))
                except NotaryError as exc:
                    request.error = exc
                    request.done.set()
        # 2. and 3.
        if todo:
            result = submit_many(
                self.gw.chain,
                self.journal,
                self.account,
                [item for _, _, item in todo],
                timeout=self.timeout,
                confirmations=self.confirmations,
            )
            for note in result.notes:
                level = logging.WARNING if note.what in ("reorged", "lost") else logging.INFO
                log.log(level, "journal: %s", note.text)
            for (request, target, _), outcome in zip(todo, result.outcomes, strict=True):
                try:
                    if isinstance(outcome, NotaryError):
                        raise outcome
                    request.answer = self._answer(request, target, outcome)
                except NotaryError as exc:
                    request.error = exc
                request.done.set()
        for request, original in copies:
            original.done.wait()
            request.answer, request.error = original.answer, original.error
            request.replayed = original.answer is not None
            request.done.set()

    def _answer(self, request: _Request, target: _Target, outcome: Outcome) -> RelayOut:
        fields = {**target.fields, **self._record_fields(target.fields.get("recordId"))}
        answer = RelayOut(
            signingHash=request.signing_hash,
            signer=request.signed.signer,
            outcome="already-recorded" if outcome.already_recorded else "submitted",
            transaction=outcome.transaction,
            block=outcome.block_number,
            **fields,
        )
        self._done[request.signing_hash] = answer
        while len(self._done) > REMEMBERED:
            self._done.popitem(last=False)
        return answer

    def _target(self, signed: ledger.SignedPayload) -> _Target:
        from notary.relaying import item_of

        item = item_of(self.gw, signed)  # a notarisation with other terms than on chain: a conflict (409)
        p, key = signed.payload, item.key
        fields: dict[str, Any] = {"primaryType": type(p).__name__, "party": key.party, "intent": key.intent}
        if key.intent == "anchor":
            fields["anchorId"] = "0x" + key.record.hex()
        else:
            fields["recordId"] = "0x" + key.record.hex()
        return _Target(item, fields)

    def _record_fields(self, rid_hex: str | None) -> dict[str, Any]:
        if rid_hex is None:
            return {}
        digest = self.gw.record(bytes.fromhex(rid_hex[2:]), with_attestations=False).digest.hex()
        return {"digest": digest, "record": f"/v1/records/{digest}"}
