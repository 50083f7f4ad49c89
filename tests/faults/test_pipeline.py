"""The pipelined submitter (`notary.relaying.submit_many`): many transactions in flight, and every
guarantee of a single submission kept. Each act is recorded once by one transaction (the relayer's
nonce counts them: a duplicate, even a reverted one, would show), an act the contract refuses is not
sent and does not hold up the others, a killed run is finished by the next one, and RPC faults end
as outcomes, never as a lost or doubled act."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from rpc_proxy import FAULTS, FaultProxy

from notary import errors, ledger, relaying, signed_payload
from notary.chain import tx
from notary.chain.connect import rpc
from notary.chain.pipeline import Pipeline
from notary.codes import party_code
from notary.journal import RECORDED, Journal, Outcome
from notary.ledger import SignedPayload
from notary.models import record_id
from notary.testing import World

pytestmark = pytest.mark.anvil


@pytest.fixture
def world(anvil_url: str) -> World:
    return World.build(rpc(anvil_url))


def payloads(world: World, count: int, tag: str, deadline: int | None = None) -> list[SignedPayload]:
    deadline = deadline if deadline is not None else world.deadline()
    return [
        ledger.sign(
            world.notarisation(hashlib.sha256(f"{tag} {i}".encode()).digest(), parties=("FRA",), deadline=deadline),
            world.gw.domain,
            world.signers["FRA"],
        )
        for i in range(count)
    ]


def fra_acts(world: World, signed: SignedPayload) -> int:
    rid = record_id(signed.payload.digest, party_code("FRA"))  # type: ignore[union-attr]
    if not world.gw.records_of_digest(signed.payload.digest):  # type: ignore[union-attr]
        return 0
    return len([a for a in world.gw.attestations(rid) if a.party == "FRA"])


def sent_by(world: World, address: str) -> int:
    return int(world.chain.w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]


def test_many_acts_in_flight_each_recorded_once_and_a_refused_one_holds_nothing_up(
    world: World, tmp_path: Path
) -> None:
    journal = Journal(tmp_path, world.chain.chain_id)
    signed = payloads(world, 130, "pipelined")  # three windows: 64, 64, 2
    for earlier in signed[10:15]:  # relayed before by someone else
        ledger.submit(world.gw, world.relayer, earlier)
    expired = payloads(world, 1, "expired", deadline=world.gw.now() - 1)[0]
    signed.insert(70, expired)
    before = sent_by(world, world.relayer.address)

    done = relaying.submit_many(world.gw, world.relayer, signed, journal, timeout=120)

    assert len(done.outcomes) == len(signed)
    failed = done.failed
    assert [i for i, _ in failed] == [70] and isinstance(failed[0][1], errors.NotaryError)
    assert "expired" in failed[0][1].message.lower() or "deadline" in failed[0][1].message.lower()
    hows = [o.how for o in done.outcomes if isinstance(o, Outcome)]
    assert hows.count("already-recorded") == 5 and hows.count("sent") == 125
    assert sent_by(world, world.relayer.address) == before + 125  # one transaction per new act, nothing else
    assert all(fra_acts(world, s) == 1 for s in signed if s is not expired) and fra_acts(world, expired) == 0
    assert {e.state for e in journal.entries()} == {RECORDED} and len(journal.entries()) == 125
    for s, o in zip(signed, done.outcomes, strict=True):  # each outcome names the transaction of its own act
        if isinstance(o, Outcome):
            rid = record_id(s.payload.digest, party_code("FRA"))  # type: ignore[union-attr]
            assert [a.transaction for a in world.gw.attestations(rid)] == [o.transaction]

    again = relaying.submit_many(world.gw, world.relayer, signed, journal, timeout=120)
    assert [o.how for o in again.outcomes if isinstance(o, Outcome)] == ["already-recorded"] * 130
    assert sent_by(world, world.relayer.address) == before + 125  # the re-run sent nothing


def test_a_nonce_left_empty_by_a_refused_broadcast_is_filled(world: World) -> None:
    """A transaction the node refused leaves a hole; those after it would wait for ever."""
    pipe = Pipeline(world.chain, world.relayer)
    fees = pipe.fees()
    calls = [world.gw.write_call(s.payload, s.signer, s.signature) for s in payloads(world, 2, "hole")]
    gases = pipe.estimate(calls)
    first, second = (pipe.sign(fn, gas, fees) for fn, gas in zip(calls, gases, strict=True))  # type: ignore[arg-type]
    assert pipe.broadcast([second]) == [None]  # as if `first` had been refused: `second` waits behind it
    assert tx.where(world.chain, second.hash) != "mined"
    pipe.fill(first.nonce, fees)
    assert tx.wait(world.chain, bytes.fromhex(second.hash[2:]), timeout=60).transaction == second.hash


RUNNER = """
import json, sys
from pathlib import Path
from eth_account import Account
from notary import relaying, signed_payload
from notary.chain.connect import rpc
from notary.chain.gateway import open_gateway
from notary.deployment import Deployment
from notary.journal import Journal
url, manifest, key, folder, data = sys.argv[1:6]
chain = rpc(url)
gw = open_gateway(chain, Deployment.load(Path(manifest)))
signed = [signed_payload.read(p) for p in sorted(Path(folder).glob("*.json"))]
done = relaying.submit_many(gw, Account.from_key(key), signed, Journal(Path(data), chain.chain_id), timeout=120,
                            progress=lambda n, total: print(n, flush=True))
print(json.dumps([type(o).__name__ for o in done.outcomes]))
"""


def test_a_killed_pipelined_run_is_finished_by_the_next_without_a_duplicate(world: World, tmp_path: Path) -> None:
    killed_runs(world, tmp_path, 150, kills=3, seed=11)


@pytest.mark.deep
def test_a_thousand_pipelined_acts_through_twelve_kills(world: World, tmp_path: Path) -> None:
    killed_runs(world, tmp_path, 1000, kills=12, seed=12)


def killed_runs(world: World, tmp_path: Path, count: int, kills: int, seed: int) -> None:
    """`count` acts relayed by a subprocess SIGKILLed `kills` times at random, then run to the end: each act
    once, and exactly one transaction per act."""
    folder, data = tmp_path / "payloads", tmp_path / "data"
    folder.mkdir()
    signed = payloads(world, count, f"killed {seed}")
    for i, s in enumerate(signed):
        signed_payload.write(s, folder / f"{i:04d}.json")
    manifest = tmp_path / "deployment.json"
    world.gw.deployment.save(manifest)
    relayer = Account.create()
    world.chain.fund(relayer.address)
    argv = [sys.executable, "-c", RUNNER, world.chain.url, str(manifest), relayer.key.hex(), str(folder), str(data)]
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done_kills = 0
    for _ in range(kills):  # killed at random points: while finishing earlier runs' acts, or in a window
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        target = rng.randint(1, count // 2)
        assert proc.stdout is not None
        for line in proc.stdout:  # one line per act done by this run (progress), then the outcomes
            if line.strip().isdigit() and int(line) >= target:
                break
        time.sleep(rng.uniform(0, 0.2))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            done_kills += 1
        proc.communicate(timeout=60)
    assert done_kills >= 2  # the runs were interrupted (else this test proves nothing)
    assert (
        any(e.state != RECORDED for e in Journal(data, world.chain.chain_id).entries())
        or sent_by(world, relayer.address) < count
    )
    final = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout.splitlines()[-1]) == ["Outcome"] * count
    assert all(fra_acts(world, s) == 1 for s in signed)
    # One transaction per act, whatever the kills: no second transaction, not even a reverted one.
    assert sent_by(world, relayer.address) == count, done_kills


def test_pipelined_submission_through_a_faulty_node_loses_and_doubles_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tx, "REPLACE_AFTER", 0.5)  # look at unanswered transactions soon
    monkeypatch.setattr("notary.chain.connect.BACKOFF_SECONDS", 0.01)
    journal = Journal(tmp_path, world.chain.chain_id)
    signed = payloads(world, 100, "faulty")
    relayer = Account.create()
    world.chain.fund(relayer.address)
    proxy = FaultProxy(world.chain.url, rate=0.2, seed=5, faults=[f for f in FAULTS if f != "wrong-chain"])
    outcomes: list[Any] = []
    with proxy.running() as url:
        faulty = rpc(url)
        from notary.chain.gateway import LedgerGateway

        gw = LedgerGateway(faulty, world.gw.deployment)
        for _ in range(12):  # run again, as an operator would, until every act is recorded
            try:
                done = relaying.submit_many(gw, relayer, signed, journal, timeout=60)
            except errors.NotaryError as exc:  # a clean error (e.g. the nonce could not be read): run again
                outcomes.append(exc)
                continue
            outcomes.append(done)
            if not done.failed:
                break
    assert proxy.total() > 0
    assert isinstance(outcomes[-1], relaying.Submitted) and not outcomes[-1].failed, outcomes[-1]
    assert all(fra_acts(world, s) == 1 for s in signed)
    assert sent_by(world, relayer.address) == 100  # 0 duplicated transactions


def test_concurrent_relay_requests_share_the_node_round_trips(world: World, tmp_path: Path) -> None:
    """POST /v1/relay under concurrent load: requests gather into the pipelined submitter's windows (fewer
    broadcast round trips than payloads), every act once, a payload sent several times answered once."""
    import hashlib as _hashlib
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from notary import config
    from notary.api import ApiSettings, create_app
    from notary.api.settings import ApiKey, IndexSettings, RateLimit, RelayerSource
    from notary.chain.gateway import LedgerGateway

    key = "relay-key-for-pipeline-tests"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": signed_payload.MEDIA_TYPE}
    relayer = Account.create()
    world.chain.fund(relayer.address)
    signed = payloads(world, 40, "concurrent relays")
    bodies = [signed_payload.to_json(s) for s in signed] + [signed_payload.to_json(signed[0])] * 3
    proxy = FaultProxy(world.chain.url)  # no faults: it counts what the node is asked
    with proxy.running() as url:
        settings = ApiSettings(
            base=config.Settings(data_dir=tmp_path / "data"),
            relay_enabled=True,
            api_keys=(ApiKey("ops", _hashlib.sha256(key.encode()).digest()),),
            relayer=RelayerSource(private_key=relayer.key.hex()),
            rate_limit=RateLimit(1000, 1.0),
            index=IndexSettings(enabled=False),
        )
        client = TestClient(create_app(settings, gateway=LedgerGateway(rpc(url), world.gw.deployment)))
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda body: client.post("/v1/relay", content=body, headers=headers), bodies))
    assert [a.status_code for a in answers] == [200] * len(bodies), answers[0].text
    assert len({a.json()["transaction"] for a in answers}) == 40
    assert {a.json()["transaction"] for a in answers[40:]} == {answers[0].json()["transaction"]}
    assert all(fra_acts(world, s) == 1 for s in signed)
    assert sent_by(world, relayer.address) == 40
    assert proxy.forwarded["eth_sendRawTransaction"] < 40  # broadcast in batches, not one request each


def test_two_submitters_racing_for_one_relayers_nonces_double_nothing(world: World, tmp_path: Path) -> None:
    """The README's limit: two processes relaying with the same key at once may race for a nonce. The loser's
    act is refused (a typed error) or waits behind a filled nonce, never recorded twice; running it again
    records it."""
    import threading

    journal = Journal(tmp_path / "a", world.chain.chain_id)
    other = Journal(tmp_path / "b", world.chain.chain_id)
    relayer = Account.create()
    world.chain.fund(relayer.address)
    mine, theirs = payloads(world, 120, "race mine"), payloads(world, 15, "race theirs")
    their_errors: list[errors.NotaryError] = []

    def compete() -> None:
        from notary.journal import recorded_act, submit_once
        from notary.models import Intent

        for s in theirs:
            rid = record_id(s.payload.digest, party_code("FRA"))  # type: ignore[union-attr]
            key = relaying.item_of(world.gw, s).key
            try:
                submit_once(
                    world.chain, other, key,
                    recorded=lambda rid=rid: recorded_act(world.gw, rid, "FRA", Intent.SIGNATURE),
                    send=lambda on_signed, t, s=s: ledger.submit(world.gw, relayer, s, on_signed=on_signed, timeout=t),
                    deadline=s.payload.deadline, timeout=60,
                )  # fmt: skip
            except errors.NotaryError as exc:
                their_errors.append(exc)

    rival = threading.Thread(target=compete)
    rival.start()
    done = relaying.submit_many(world.gw, relayer, mine, journal, timeout=60)
    rival.join(timeout=120)
    # (Seen here: 15 of the pipelined acts lost the race, refused as "nonce too low"; none recorded twice.)
    assert all(isinstance(o, Outcome | errors.NotaryError) for o in done.outcomes)
    assert all(fra_acts(world, s) <= 1 for s in [*mine, *theirs])  # never twice, race or not
    # What lost a race is recorded by running it again.
    relaying.submit_many(world.gw, relayer, mine, journal, timeout=60)
    relaying.submit_many(world.gw, relayer, theirs, other, timeout=60)
    assert all(fra_acts(world, s) == 1 for s in [*mine, *theirs])
