"""A stuck, underpriced transaction: the base fee rises past its fee cap before it is mined (anvil then
drops it from its pool; geth would keep it pending for ever). The submitter replaces it with the same
transaction at higher fees, same nonce, journalled before broadcast, until it is included: the act is
recorded once, by one transaction, and the replaced one never is."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from notary import ledger
from notary.chain import tx
from notary.chain.connect import rpc
from notary.chain.node import ephemeral_anvil
from notary.codes import party_code
from notary.journal import Journal, JournalKey, Outcome, recorded_act, submit_once
from notary.models import Intent, record_id
from notary.testing import World

pytestmark = pytest.mark.anvil

GWEI = 10**9


def _request(world: World, method: str, *params: Any) -> Any:
    answer = world.chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer.get("result")


def _pending(world: World) -> int:
    content = _request(world, "txpool_content")
    return sum(len(nonces) for nonces in content["pending"].values())


def test_an_underpriced_transaction_is_replaced_with_higher_fees_until_included_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tx, "REPLACE_AFTER", 0.3)
    with ephemeral_anvil() as url:
        world = World.build(rpc(url))
        journal = Journal(tmp_path, world.chain.chain_id)
        digest = hashlib.sha256(b"a treaty sent while the base fee soared").digest()
        rid = record_id(digest, party_code("FRA"))
        signed = ledger.sign(world.notarisation(digest), world.gw.domain, world.signers["FRA"])
        key = JournalKey(world.gw.domain.verifying_contract, rid, "FRA", "notarisation")
        nonce = world.chain.w3.eth.get_transaction_count(world.relayer.address)
        _request(world, "evm_setAutomine", False)

        done: list[Outcome | BaseException] = []

        def submit() -> None:
            try:
                done.append(
                    submit_once(
                        world.chain,
                        journal,
                        key,
                        recorded=lambda: recorded_act(world.gw, rid, "FRA", Intent.SIGNATURE),
                        send=lambda on_signed, timeout: ledger.submit(
                            world.gw, world.relayer, signed, on_signed=on_signed, timeout=timeout
                        ),
                        deadline=signed.payload.deadline,
                        timeout=60,
                    )
                )
            except BaseException as exc:  # noqa: BLE001 — the assertion below shows it
                done.append(exc)

        worker = threading.Thread(target=submit, daemon=True)
        worker.start()
        for _ in range(3000):  # until the transaction is in the pool (polled, no time bound asserted)
            if _pending(world) or done:
                break
            time.sleep(0.01)
        first = journal.load(key)
        assert first is not None and _pending(world) == 1, done
        # The base fee soars past the transaction's fee cap before the next block: it is not included.
        _request(world, "anvil_setNextBlockBaseFeePerGas", hex(500 * GWEI))
        _request(world, "evm_mine")
        assert tx.mined(world.chain, first.transaction) is None
        for _ in range(600):  # blocks keep coming, as on a live chain
            if done:
                break
            _request(world, "evm_mine")
            time.sleep(0.1)
        worker.join(timeout=60)

        assert len(done) == 1 and isinstance(done[0], Outcome), done
        outcome = done[0]
        assert outcome.how == "sent" and first.transaction in outcome.replaced
        assert outcome.transaction != first.transaction
        # Recorded once, by one transaction of the original nonce; the replaced one is nowhere.
        mined = world.chain.w3.eth.get_transaction(outcome.transaction)  # type: ignore[arg-type]
        assert mined["nonce"] == nonce and mined["blockNumber"] is not None
        assert all(tx.mined(world.chain, h) is None for h in outcome.replaced)
        acts = [a for a in world.gw.attestations(rid) if a.party == "FRA"]
        assert len(acts) == 1 and acts[0].transaction == outcome.transaction
        assert world.chain.w3.eth.get_transaction_count(world.relayer.address) == nonce + 1
        # The journal kept every signed version until the end, and now holds the one mined.
        final = journal.load(key)
        assert final is not None and final.transaction == outcome.transaction
        assert first.transaction in dict(final.replaced)
