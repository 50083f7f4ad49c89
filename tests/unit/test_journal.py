"""The submission journal: an interrupted submission is resumed, never sent twice (in-process chain)."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import errors, ledger
from notary.chain import tx
from notary.chain.connect import in_process
from notary.codes import bytes32_to_text
from notary.journal import Journal, JournalEntry, JournalError, JournalKey, OnChain, Outcome, Send, submit_once
from notary.ledger import SignedPayload
from notary.models import Act, Intent
from notary.testing import World

#: The receipt timeout each test submission is given (and hands on to `send`).
TIMEOUT = 5.0


class Crash(BaseException):
    """Stands for Ctrl-C or a killed process at the worst moment."""


@pytest.fixture
def world() -> World:
    return World.build(in_process())


@pytest.fixture
def journal(tmp_path: Path, world: World) -> Journal:
    return Journal(tmp_path, world.chain.chain_id)


@pytest.fixture
def rid(world: World) -> bytes:
    """An open bilateral record notarised by FRA, waiting for SGP."""
    return world.notarise(hashlib.sha256(b"memorandum").digest())


def on_chain(world: World, rid: bytes, party: str, intent: Intent = Intent.SIGNATURE) -> OnChain | None:
    for a in world.gw.attestations(rid):
        if a.party == party and a.intent is intent:
            return OnChain(a.transaction, a.block_number)
    return None


def signed_act(world: World, rid: bytes, party: str = "SGP", intent: Intent = Intent.SIGNATURE) -> SignedPayload:
    reason = "" if intent is Intent.SIGNATURE else "changed our mind"
    act = ledger.prepare_act(world.gw.terms(rid), party, intent, world.deadline(), reason)
    return ledger.sign(act, world.gw.domain, world.signers[party])


def key_of(world: World, signed: SignedPayload) -> JournalKey:
    act = signed.payload
    assert isinstance(act, Act)
    return JournalKey(world.gw.domain.verifying_contract, act.record_id, bytes32_to_text(act.party), act.intent.label)


def relay(
    world: World,
    journal: Journal,
    signed: SignedPayload,
    send: Send | Callable[[], tx.TxResult] | None = None,
) -> Outcome:
    """Submit `signed` once through the journal, as the CLI does."""
    act = signed.payload
    assert isinstance(act, Act)

    def submit(on_signed: tx.OnSigned, timeout: float) -> tx.TxResult:
        return ledger.submit(world.gw, world.relayer, signed, on_signed=on_signed, timeout=timeout)

    return submit_once(
        world.chain,
        journal,
        key_of(world, signed),
        recorded=lambda: on_chain(world, act.record_id, bytes32_to_text(act.party), act.intent),
        send=send or submit,
        deadline=act.deadline,
        timeout=TIMEOUT,
    )


def must_not_send(on_signed: tx.OnSigned, timeout: float) -> tx.TxResult:
    raise AssertionError("a second transaction was about to be sent")


@contextmanager
def crash_after_journalling(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process dies right after the entry is written, before anything is broadcast."""
    real = Journal.save

    def save_then_crash(self: Journal, entry: JournalEntry) -> None:
        real(self, entry)
        raise Crash

    with monkeypatch.context() as m, pytest.raises(Crash):
        m.setattr(Journal, "save", save_then_crash)
        yield


@contextmanager
def crash_while_waiting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process dies (or the connection drops) after broadcast, before the receipt."""

    def crash(*_: object, **__: object) -> tx.TxResult:
        raise Crash

    with monkeypatch.context() as m, pytest.raises(Crash):
        m.setattr(tx, "wait", crash)
        m.setattr(tx.Replacing, "wait", crash)  # a new send's wait (which also replaces underpriced ones)
        yield


def interrupted(
    world: World, journal: Journal, signed: SignedPayload, crash: AbstractContextManager[None]
) -> JournalEntry:
    """Relay `signed` and die at `crash`: the one journal entry it leaves behind."""
    with crash:
        relay(world, journal, signed)
    (entry,) = journal.entries()
    return entry


def relay_elsewhere(world: World, signed: SignedPayload) -> tx.TxResult:
    """Another machine, with its own funded relayer and no journal, relays `signed`."""
    other: LocalAccount = Account.create()
    world.chain.fund(other.address)
    return ledger.submit(world.gw, other, signed)


def unfinished(journal: Journal) -> list[JournalEntry]:
    """Entries not yet final (recorded ones stay, watched for reorgs, until `REORG_WATCH` blocks later)."""
    return [e for e in journal.entries() if e.state != "recorded"]


def nonce(world: World, account: LocalAccount) -> int:
    return int(world.chain.w3.eth.get_transaction_count(account.address, "pending"))


def mined_nonce(world: World, account: LocalAccount) -> int:
    """How many transactions of `account` are mined (one per nonce: a duplicate would show)."""
    return int(world.chain.w3.eth.get_transaction_count(account.address, "latest"))


# --------------------------------------------------------------------- the file


def test_entry_round_trips_and_is_written_privately(world: World, journal: Journal) -> None:
    """An entry reads back as written, mode 0600, no temporary file left; clear removes it."""
    key = JournalKey(world.gw.domain.verifying_contract, b"\x01" * 32, "SGP", "signature")
    entry = JournalEntry(key, journal.chain_id, "0x" + "ab" * 32, b"\x02\xf8raw", 1_900_000_000, 1_800_000_000)
    journal.save(entry)
    assert journal.load(key) == entry
    assert journal.entries() == [entry]
    assert stat.S_IMODE(journal.path(key).stat().st_mode) == 0o600
    assert [p.name for p in journal.folder.iterdir()] == [key.filename]
    journal.clear(key)
    assert journal.load(key) is None and journal.entries() == []


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda b: b.update(version=3), "version"),
        (lambda b: b.update(state="lost"), "state"),
        (lambda b: b.update(extra=1), "fields"),
        (lambda b: b.update(rawTransaction="zz"), "0x-hex"),
        (lambda b: b.update(mediaType="text/plain"), "mediaType"),
    ],
)
def test_an_unreadable_entry_is_a_clear_error(world: World, journal: Journal, mutate, why: str) -> None:  # type: ignore[no-untyped-def]
    """A damaged entry (version, fields, hex, media type) stops the command and names the file."""
    key = JournalKey(world.gw.domain.verifying_contract, b"\x01" * 32, "SGP", "signature")
    journal.save(JournalEntry(key, journal.chain_id, "0x" + "ab" * 32, b"\x02", None, 0))
    body = json.loads(journal.path(key).read_text())
    mutate(body)
    journal.path(key).write_text(json.dumps(body))
    with pytest.raises(JournalError, match=why) as info:
        journal.load(key)
    assert str(journal.path(key)) in info.value.message and info.value.hint


def test_a_second_command_on_the_same_act_is_refused_while_the_first_runs(world: World, journal: Journal) -> None:
    """The per-act lock makes a concurrent submission fail instead of sending a duplicate."""
    key = JournalKey(world.gw.domain.verifying_contract, b"\x01" * 32, "SGP", "signature")
    other = JournalKey(world.gw.domain.verifying_contract, b"\x01" * 32, "SGP", "ratification")
    with journal.locked(key):
        with pytest.raises(JournalError, match="another notary command"), journal.locked(key):
            pass
        with journal.locked(other):  # another act is independent
            pass
    with journal.locked(key):  # released
        pass


# --------------------------------------------------------------------- the chain layer hook


def test_send_hands_over_the_signed_transaction_before_broadcast(world: World, rid: bytes) -> None:
    """`tx.send(on_signed=…)` gets the raw transaction whose hash is the one then mined."""
    seen: list[tuple[bytes, str]] = []
    result = ledger.submit(world.gw, world.relayer, signed_act(world, rid), on_signed=lambda r, h: seen.append((r, h)))
    assert [h for _, h in seen] == [result.transaction]
    sender, used_nonce = tx.raw_sender_and_nonce(seen[0][0])
    assert sender == world.relayer.address and used_nonce == nonce(world, world.relayer) - 1


def test_a_failing_hook_sends_nothing(world: World, rid: bytes) -> None:
    """If the journal cannot be written, the transaction is not broadcast."""
    before = nonce(world, world.relayer)

    def refuse(raw: bytes, h: str) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        ledger.submit(world.gw, world.relayer, signed_act(world, rid), on_signed=refuse)
    assert nonce(world, world.relayer) == before and on_chain(world, rid, "SGP") is None


def test_submit_once_hands_its_hook_and_timeout_to_send(world: World, journal: Journal, rid: bytes) -> None:
    """`send(on_signed, timeout)` gets the journal's hook and the caller's timeout, and journals through them."""
    signed = signed_act(world, rid)
    handed: list[float] = []
    journalled: list[list[JournalEntry]] = []

    def send(on_signed: tx.OnSigned, timeout: float) -> tx.TxResult:
        handed.append(timeout)

        def hook(raw: bytes, h: str) -> None:
            on_signed(raw, h)
            journalled.append(journal.entries())

        return ledger.submit(world.gw, world.relayer, signed, on_signed=hook, timeout=timeout)

    outcome = relay(world, journal, signed, send=send)
    assert handed == [TIMEOUT] and outcome.how == "sent"
    assert [[e.transaction for e in entries] for entries in journalled] == [[outcome.transaction]]
    assert unfinished(journal) == []


# --------------------------------------------------------------------- resuming


def test_a_clean_submission_keeps_only_a_recorded_entry(world: World, journal: Journal, rid: bytes) -> None:
    """Sent, mined, final at depth 0: the entry says recorded (watched for reorgs); running it again
    reports the act already recorded and sends nothing."""
    signed = signed_act(world, rid)
    first = relay(world, journal, signed)
    assert first.how == "sent" and first.gas_used and unfinished(journal) == []
    (kept,) = journal.entries()
    assert (kept.state, kept.transaction, kept.block_number) == ("recorded", first.transaction, first.block_number)
    again = relay(world, journal, signed, send=must_not_send)
    assert again.already_recorded and again.transaction == first.transaction
    assert again.block_number == first.block_number


def test_crash_before_broadcast_is_resumed_by_rebroadcasting_the_same_transaction(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Journalled but never sent: the re-run broadcasts the stored bytes (same hash), no new signature."""
    signed = signed_act(world, rid)
    entry = interrupted(world, journal, signed, crash_after_journalling(monkeypatch))
    assert on_chain(world, rid, "SGP") is None
    outcome = relay(world, journal, signed, send=must_not_send)
    assert (outcome.how, outcome.transaction) == ("rebroadcast", entry.transaction)
    found = on_chain(world, rid, "SGP")
    assert found is not None and found.transaction == entry.transaction
    assert unfinished(journal) == []


def test_crash_after_broadcast_reports_the_mined_transaction(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent but the receipt never read: the re-run finds it mined and sends nothing."""
    signed = signed_act(world, rid)
    entry = interrupted(world, journal, signed, crash_while_waiting(monkeypatch))
    before = nonce(world, world.relayer)
    outcome = relay(world, journal, signed, send=must_not_send)
    assert (outcome.how, outcome.transaction) == ("mined", entry.transaction)
    assert nonce(world, world.relayer) == before and unfinished(journal) == []
    assert [a.party for a in world.gw.attestations(rid)] == ["FRA", "SGP"]


def test_a_pending_transaction_is_awaited_not_resent(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent and still in the node's pool: the re-run waits for that very transaction."""
    signed = signed_act(world, rid)
    tester = world.chain.tester
    tester.disable_auto_mine_transactions()
    entry = interrupted(world, journal, signed, crash_while_waiting(monkeypatch))
    real_wait = tx.wait

    def mine_then_wait(chain, tx_hash, timeout=tx.DEFAULT_TIMEOUT):  # type: ignore[no-untyped-def]
        tester.mine_blocks()
        return real_wait(chain, tx_hash, timeout)

    monkeypatch.setattr(tx, "wait", mine_then_wait)
    outcome = relay(world, journal, signed, send=must_not_send)
    assert (outcome.how, outcome.transaction) == ("pending", entry.transaction)
    assert mined_nonce(world, world.relayer) == tx.raw_sender_and_nonce(entry.raw_transaction)[1] + 1
    assert unfinished(journal) == []


def test_a_pending_transaction_that_times_out_stays_in_the_journal(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeout keeps the entry, so the next run still finds that transaction and sends no other."""
    world.chain.tester.disable_auto_mine_transactions()
    real_wait = tx.wait
    monkeypatch.setattr(tx, "wait", lambda chain, h, timeout=0: real_wait(chain, h, 0.3))
    signed = signed_act(world, rid)
    for _ in range(2):  # the first run sends; the second finds it pending
        with pytest.raises(errors.TransactionTimeoutError, match="run the same command again"):
            relay(world, journal, signed)
        assert len(journal.entries()) == 1
    (entry,) = journal.entries()
    world.chain.tester.mine_blocks()
    monkeypatch.undo()
    assert relay(world, journal, signed, send=must_not_send).how == "mined"
    assert mined_nonce(world, world.relayer) == tx.raw_sender_and_nonce(entry.raw_transaction)[1] + 1


def test_an_act_relayed_elsewhere_meanwhile_is_not_rebroadcast(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another machine recorded the act while ours was interrupted: report it, send nothing."""
    signed = signed_act(world, rid)
    with crash_after_journalling(monkeypatch):
        relay(world, journal, signed)
    theirs = relay_elsewhere(world, signed)
    before = nonce(world, world.relayer)
    outcome = relay(world, journal, signed, send=must_not_send)
    assert outcome.already_recorded and outcome.transaction == theirs.transaction
    assert nonce(world, world.relayer) == before and unfinished(journal) == []


def test_a_journalled_transaction_whose_nonce_was_reused_is_dropped(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored transaction can never be mined (its nonce went to another): a new one is sent, once."""
    signed = signed_act(world, rid)
    entry = interrupted(world, journal, signed, crash_after_journalling(monkeypatch))
    world.act(world.notarise(hashlib.sha256(b"other").digest()), "SGP")  # the relayer's next nonce is used
    outcome = relay(world, journal, signed)
    assert outcome.how == "sent" and outcome.transaction != entry.transaction
    assert [a.party for a in world.gw.attestations(rid)] == ["FRA", "SGP"]
    assert unfinished(journal) == []


def test_an_expired_journalled_payload_is_not_rebroadcast(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the payload's deadline the stored transaction would revert: it is dropped, a fresh act is sent."""
    signed = signed_act(world, rid)
    entry = interrupted(world, journal, signed, crash_after_journalling(monkeypatch))
    world.chain.time_travel(signed.payload.deadline + 10)  # type: ignore[union-attr]
    fresh = signed_act(world, rid)
    outcome = relay(world, journal, fresh)
    assert outcome.how == "sent" and outcome.transaction != entry.transaction
    found = on_chain(world, rid, "SGP")
    assert found is not None and found.transaction == outcome.transaction


def test_a_resumed_transaction_that_reverts_is_dropped_and_the_error_decoded(
    world: World, journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journalled cancellation overtaken by a co-signature reverts; the fresh attempt names the error."""
    rid = world.notarise(hashlib.sha256(b"trilateral").digest(), parties=("FRA", "SGP", "DEU"))
    cancel = signed_act(world, rid, "FRA", Intent.CANCELLATION)
    with crash_after_journalling(monkeypatch):
        relay(world, journal, cancel)
    relay_elsewhere(world, signed_act(world, rid))  # SGP co-signs meanwhile
    (entry,) = journal.entries()
    with pytest.raises(errors.NotaryAlreadyCosignedError):
        relay(world, journal, cancel)
    assert unfinished(journal) == []
    receipt = world.chain.w3.eth.get_transaction_receipt(entry.transaction)  # type: ignore[arg-type]
    assert receipt["status"] == 0  # the stored one was re-broadcast and reverted; the fresh one never sent
    assert mined_nonce(world, world.relayer) == tx.raw_sender_and_nonce(entry.raw_transaction)[1] + 1


def test_a_lost_connection_keeps_the_entry_and_says_so(
    world: World, journal: Journal, rid: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network error after journalling is a ChainUnreachableError naming the kept entry."""
    signed = signed_act(world, rid)

    def unreachable(*_: object, **__: object) -> tx.TxResult:
        raise ConnectionError("connection reset by peer")

    monkeypatch.setattr(tx, "wait", unreachable)
    monkeypatch.setattr(tx.Replacing, "wait", unreachable)
    with pytest.raises(errors.ChainUnreachableError, match="kept in") as info:
        relay(world, journal, signed)
    assert info.value.hint and "again" in info.value.hint
    assert len(journal.entries()) == 1
    monkeypatch.undo()
    assert relay(world, journal, signed, send=must_not_send).how == "mined"
