"""Relaying many signed payloads at once, each exactly once: the library face of the pipelined
submitter (`notary.journal.submit_many`).

    from notary import relaying
    done = relaying.submit_many(gw, relayer, signed_payloads, Journal(data_dir, gw.chain.chain_id))
    for signed, outcome in zip(signed_payloads, done.outcomes): ...

Each payload's journal key is the act it records (ledger, record or batch, party, intent), as
for `notary submit` and the service's relay, so that a payload relayed by any of them is
never relayed twice. A notarisation whose record exists with other terms fails with
`NotaryDuplicateRecordError` (the others go on).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from notary.chain.tx import DEFAULT_TIMEOUT
from notary.codes import bytes32_to_text
from notary.errors import NotaryDuplicateRecordError, NotaryUnknownAnchorError, WrongDomainError
from notary.journal import Item, Journal, JournalKey, OnChain, Submitted, recorded_act
from notary.journal import submit_many as submit_items
from notary.models import Act, Intent, Notarisation, anchor_id, record_id

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from notary.chain.gateway import LedgerGateway
    from notary.ledger import SignedPayload


def item_of(gw: LedgerGateway, signed: SignedPayload) -> Item:
    """The journal item of a signed payload: its key, its contract call, how to find it on chain."""
    if signed.domain != gw.domain:
        raise WrongDomainError(
            f"the payload was signed for chain {signed.domain.chain_id} ledger {signed.domain.verifying_contract}, "
            f"but this is chain {gw.domain.chain_id} ledger {gw.domain.verifying_contract}",
            hint="sign it again against this ledger's deployment manifest",
        )
    p = signed.payload
    party = bytes32_to_text(p.party)
    ledger_address = gw.domain.verifying_contract
    recorded: Callable[[], OnChain | None]
    if isinstance(p, Notarisation | Act):
        rid = record_id(p.digest, p.party) if isinstance(p, Notarisation) else p.record_id
        intent = Intent.SIGNATURE if isinstance(p, Notarisation) else p.intent
        label = "notarisation" if isinstance(p, Notarisation) else intent.label

        def recorded() -> OnChain | None:
            from notary.ledger import differing_terms

            found = recorded_act(gw, rid, party, intent)
            if found is not None and isinstance(p, Notarisation):
                record = gw.record(rid, with_attestations=False)
                if differing_terms(record, p):
                    raise NotaryDuplicateRecordError({"recordId": rid}, {"recordId": record.record_id_hex})
            return found

        key = JournalKey(ledger_address, rid, party, label)
    else:
        aid = anchor_id(p.root, p.party)

        def recorded() -> OnChain | None:
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

        key = JournalKey(ledger_address, aid, party, "anchor")
    call = gw.write_call(p, signed.signer, signed.signature)
    return Item(key, call, recorded, p.deadline)


def submit_many(
    gw: LedgerGateway,
    relayer: LocalAccount,
    signed: Sequence[SignedPayload],
    journal: Journal,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    confirmations: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Submitted:
    """Relay every payload of `signed` once, many transactions in flight; see the module docstring."""
    items = [item_of(gw, s) for s in signed]
    return submit_items(gw.chain, journal, relayer, items, timeout=timeout, confirmations=confirmations,
                        progress=progress)  # fmt: skip
