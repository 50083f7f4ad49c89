"""IdentityRegistry protocol v2: delayed controller resets, two-step control transfer, suspension,
the repudiation window and the depositary's confirmation, the delays, signerStatus.

Each test asserts the event with its arguments, the custom error with its arguments, and the
stored state. Time moves with `world.chain.time_travel(t)`: on eth-tester the next
transaction (and its gas estimate) then runs at block time `t`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from contract_helpers import ZERO_ADDRESS, block_time, code, events, new_account, pending_time, revert_args
from eth_utils import to_checksum_address

from notary import errors
from notary.chain import tx
from notary.testing import World

HOUR = 3600
DAY = 24 * HOUR
DELAY = 72 * HOUR  # the default repudiation window and controller-reset delay
FOREVER = 2**63
NOTHING_PENDING = (ZERO_ADDRESS, 0, False)


@contextmanager
def reverts(name: str, **expected: Any) -> Iterator[None]:
    """The block reverts with Solidity error `name` and exactly the arguments `expected`."""
    with pytest.raises(errors.ContractRevertError) as exc:
        yield
    found = exc.value.solidity_name or f"an error without its own Python class ({exc.value})"
    assert found == name, f"expected {name}, got {found}"
    assert revert_args(exc.value) == expected


def pending_control(world: World, party: str) -> tuple[str, int, bool]:
    new, effective_at, by_depositary = tx.call(world.gw.registry.functions.pendingControl(code(party)))
    return new, effective_at, by_depositary


def controller(world: World, party: str) -> str:
    return world.gw.party(code(party)).controller


def travel_to_next_tx_at(world: World, t: int) -> None:
    """Arrange for the next transaction to run at block time `t`."""
    world.chain.time_travel(t)
    assert pending_time(world) == t


def log_names(world: World, result: tx.TxResult) -> list[str]:
    """The registry events of a transaction, in log order."""
    abi_events = [e for e in world.gw.registry.abi if e["type"] == "event"]
    names = []
    for log in result.logs:
        for e in abi_events:
            try:
                getattr(world.gw.registry.events, e["name"])().process_log(log)
            except Exception:  # noqa: S112 - not this event
                continue
            names.append(e["name"])
            break
    return names


def set_delays_in_force(world: World, window: int, reset_delay: int) -> int:
    """setDelays, then move the clock until the new delays are in force; returns their effectiveAt."""
    result = world.gw.set_delays(world.depositary, window, reset_delay)
    [changed] = events(world, result, world.gw.registry.events.DelaysChanged)
    effective_at: int = changed["effectiveAt"]
    world.chain.time_travel(effective_at + 1)  # mines a block at effectiveAt: the views read it
    assert world.gw.delays() == (window, reset_delay)
    return effective_at


def fresh_key(world: World, party: str = "FRA") -> str:
    """A new key added for `party` with a window open since time 0."""
    key = new_account(world, fund=False).address
    world.gw.add_signer(world.controllers[party], code(party), key, 0, FOREVER)
    return key


# ------------------------------------------------------------------ delays


def test_default_delays_are_72_hours(world: World) -> None:
    """A new registry has a 72 h repudiation window and a 72 h controller-reset delay."""
    fn = world.gw.registry.functions
    assert (tx.call(fn.repudiationWindow()), tx.call(fn.controllerResetDelay())) == (DELAY, DELAY)
    assert world.gw.delays() == (DELAY, DELAY)


def test_set_delays_schedules_both_and_emits_event(world: World) -> None:
    """setDelays emits DelaysChanged(window, delay, time + reset delay in force, time); the old delays stay."""
    result = world.gw.set_delays(world.depositary, HOUR, 2 * HOUR)
    t = block_time(world, result)
    assert events(world, result, world.gw.registry.events.DelaysChanged) == [
        {"repudiationWindow": HOUR, "controllerResetDelay": 2 * HOUR, "effectiveAt": t + DELAY, "time": t}
    ]
    assert world.gw.delays() == (DELAY, DELAY)


def test_new_delays_are_in_force_only_from_effective_at(world: World) -> None:
    """Until effectiveAt the views return the old delays and resets use the old delay; from it, the new."""
    fn, new = world.gw.registry.functions, new_account(world)
    effective_at = block_time(world, world.gw.set_delays(world.depositary, HOUR, 2 * HOUR)) + DELAY

    travel_to_next_tx_at(world, effective_at - 1)
    assert (tx.call(fn.repudiationWindow()), tx.call(fn.controllerResetDelay())) == (DELAY, DELAY)
    world.gw.reset_controller(world.depositary, code("FRA"), new.address)  # mined at effectiveAt - 1
    assert pending_control(world, "FRA") == (new.address, effective_at - 1 + DELAY, True)
    assert world.gw.delays() == (DELAY, DELAY)

    travel_to_next_tx_at(world, effective_at)
    world.gw.reset_controller(world.depositary, code("SGP"), new.address)  # mined at effectiveAt
    assert pending_control(world, "SGP") == (new.address, effective_at + 2 * HOUR, True)
    assert (tx.call(fn.repudiationWindow()), tx.call(fn.controllerResetDelay())) == (HOUR, 2 * HOUR)
    assert world.gw.delays() == (HOUR, 2 * HOUR)


# ------------------------------------------------------------------ depositary reset of a lost controller


def test_reset_is_scheduled_not_applied(world: World) -> None:
    """resetController emits ControllerResetScheduled(code, new, time + delay, time); the controller is unchanged."""
    old, new = world.controllers["FRA"].address, new_account(world).address
    result = world.gw.reset_controller(world.depositary, code("FRA"), new)
    t = block_time(world, result)
    assert events(world, result, world.gw.registry.events.ControllerResetScheduled) == [
        {"code": code("FRA"), "newController": new, "effectiveAt": t + DELAY, "time": t}
    ]
    assert events(world, result, world.gw.registry.events.ControllerChanged) == []
    assert controller(world, "FRA") == old
    assert pending_control(world, "FRA") == (new, t + DELAY, True)
    assert world.gw.pending_control(code("FRA")) == (new, t + DELAY, True)


def test_reset_completes_exactly_when_due(world: World) -> None:
    """completeControllerReset reverts RegistryResetNotDue(code, effectiveAt, time) one second early; then works."""
    new, anyone = new_account(world), new_account(world)
    effective = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), new.address)) + DELAY
    travel_to_next_tx_at(world, effective - 1)
    with reverts("RegistryResetNotDue", code=code("FRA"), effectiveAt=effective, time=effective - 1):
        world.gw.complete_controller_reset(anyone, code("FRA"))
    assert controller(world, "FRA") == world.controllers["FRA"].address
    assert pending_control(world, "FRA") == (new.address, effective, True)

    travel_to_next_tx_at(world, effective)
    result = world.gw.complete_controller_reset(anyone, code("FRA"))
    assert block_time(world, result) == effective


def test_anyone_completes_a_due_reset(world: World) -> None:
    """Once due, a stranger's completeControllerReset emits ControllerChanged(byDepositary true): control passes."""
    old, new, stranger = world.controllers["FRA"], new_account(world), new_account(world)
    effective = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), new.address)) + DELAY
    travel_to_next_tx_at(world, effective + DAY)
    result = world.gw.complete_controller_reset(stranger, code("FRA"))
    assert events(world, result, world.gw.registry.events.ControllerChanged) == [
        {
            "code": code("FRA"),
            "previousController": old.address,
            "newController": new.address,
            "byDepositary": True,
            "time": block_time(world, result),
        }
    ]
    assert controller(world, "FRA") == new.address
    assert pending_control(world, "FRA") == NOTHING_PENDING
    assert world.gw.pending_control(code("FRA")) is None
    with reverts("RegistryNotController", code=code("FRA"), caller=old.address):
        world.gw.add_signer(old, code("FRA"), new_account(world, fund=False).address, 0, FOREVER)
    world.gw.add_signer(new, code("FRA"), new_account(world, fund=False).address, 0, FOREVER)
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=stranger.address):
        world.gw.complete_controller_reset(stranger, code("FRA"))


def test_cancelled_reset_never_takes_effect(world: World) -> None:
    """cancelControllerReset emits ControllerResetCancelled(code, new, time); completing later reverts."""
    new, anyone = new_account(world), new_account(world)
    t = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), new.address))
    result = world.gw.cancel_controller_reset(world.depositary, code("FRA"))
    assert events(world, result, world.gw.registry.events.ControllerResetCancelled) == [
        {"code": code("FRA"), "newController": new.address, "time": block_time(world, result)}
    ]
    assert pending_control(world, "FRA") == NOTHING_PENDING
    travel_to_next_tx_at(world, t + DELAY + 1)
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=anyone.address):
        world.gw.complete_controller_reset(anyone, code("FRA"))
    assert controller(world, "FRA") == world.controllers["FRA"].address


def test_cancel_or_complete_without_a_reset_reverts(world: World) -> None:
    """With nothing pending, cancel and complete revert RegistryNoPendingControl(code, caller)."""
    anyone = new_account(world)
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=world.depositary.address):
        world.gw.cancel_controller_reset(world.depositary, code("FRA"))
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=anyone.address):
        world.gw.complete_controller_reset(anyone, code("FRA"))


def test_a_controllers_proposal_is_no_reset(world: World) -> None:
    """A pending proposal cannot be cancelled or completed as a reset; it stays pending."""
    proposed, anyone = new_account(world), new_account(world)
    world.gw.transfer_control(world.controllers["FRA"], code("FRA"), proposed.address)
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=world.depositary.address):
        world.gw.cancel_controller_reset(world.depositary, code("FRA"))
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=anyone.address):
        world.gw.complete_controller_reset(anyone, code("FRA"))
    assert pending_control(world, "FRA") == (proposed.address, 0, False)


def test_a_reset_replaces_a_pending_proposal(world: World) -> None:
    """A scheduled reset overrides the controller's proposal: the proposed address can no longer accept."""
    proposed, reset_to = new_account(world), new_account(world)
    world.gw.transfer_control(world.controllers["FRA"], code("FRA"), proposed.address)
    t = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), reset_to.address))
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=proposed.address):
        world.gw.accept_control(proposed, code("FRA"))
    assert pending_control(world, "FRA") == (reset_to.address, t + DELAY, True)
    assert controller(world, "FRA") == world.controllers["FRA"].address


def test_the_controller_cannot_propose_over_a_pending_reset(world: World) -> None:
    """While a reset is pending, transferControl reverts RegistryNoPendingControl(code, controller)."""
    ctl, reset_to = world.controllers["FRA"], new_account(world)
    t = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), reset_to.address))
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=ctl.address):
        world.gw.transfer_control(ctl, code("FRA"), new_account(world).address)
    assert pending_control(world, "FRA") == (reset_to.address, t + DELAY, True)


def test_rescheduling_a_reset_restarts_the_delay(world: World) -> None:
    """A second resetController replaces the first, with the delay counted from the second."""
    first, second, anyone = new_account(world), new_account(world), new_account(world)
    t1 = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), first.address))
    world.chain.time_travel(t1 + DAY)
    result = world.gw.reset_controller(world.depositary, code("FRA"), second.address)
    t2 = block_time(world, result)
    assert events(world, result, world.gw.registry.events.ControllerResetScheduled) == [
        {"code": code("FRA"), "newController": second.address, "effectiveAt": t2 + DELAY, "time": t2}
    ]
    travel_to_next_tx_at(world, t1 + DELAY)
    with reverts("RegistryResetNotDue", code=code("FRA"), effectiveAt=t2 + DELAY, time=t1 + DELAY):
        world.gw.complete_controller_reset(anyone, code("FRA"))
    travel_to_next_tx_at(world, t2 + DELAY)
    world.gw.complete_controller_reset(anyone, code("FRA"))
    assert controller(world, "FRA") == second.address


def test_a_delay_change_does_not_move_a_scheduled_reset(world: World) -> None:
    """A shorter delay coming into force leaves a scheduled reset's time; later resets use the new delay."""
    new, anyone = new_account(world), new_account(world)
    effective_at = block_time(world, world.gw.set_delays(world.depositary, DELAY, 60)) + DELAY
    travel_to_next_tx_at(world, effective_at - 1)
    t = block_time(world, world.gw.reset_controller(world.depositary, code("FRA"), new.address))
    assert pending_control(world, "FRA") == (new.address, t + DELAY, True)

    travel_to_next_tx_at(world, effective_at + 60)  # the 60 s delay is in force, and has passed
    assert world.gw.delays() == (DELAY, 60)
    assert pending_control(world, "FRA") == (new.address, t + DELAY, True)
    with reverts("RegistryResetNotDue", code=code("FRA"), effectiveAt=t + DELAY, time=effective_at + 60):
        world.gw.complete_controller_reset(anyone, code("FRA"))
    result = world.gw.reset_controller(world.depositary, code("SGP"), new.address)
    assert pending_control(world, "SGP") == (new.address, block_time(world, result) + 60, True)


# ------------------------------------------------------------------ two-step transfer by the controller


def test_transfer_control_only_proposes(world: World) -> None:
    """transferControl emits ControlTransferStarted(code, controller, new, time); the controller keeps control."""
    old, new = world.controllers["SGP"], new_account(world)
    result = world.gw.transfer_control(old, code("SGP"), new.address)
    assert events(world, result, world.gw.registry.events.ControlTransferStarted) == [
        {
            "code": code("SGP"),
            "controller": old.address,
            "newController": new.address,
            "time": block_time(world, result),
        }
    ]
    assert events(world, result, world.gw.registry.events.ControllerChanged) == []
    assert controller(world, "SGP") == old.address
    assert pending_control(world, "SGP") == (new.address, 0, False)
    assert world.gw.pending_control(code("SGP")) == (new.address, 0, False)
    world.gw.add_signer(old, code("SGP"), new_account(world, fund=False).address, 0, FOREVER)
    with reverts("RegistryNotController", code=code("SGP"), caller=new.address):
        world.gw.add_signer(new, code("SGP"), new.address, 0, FOREVER)


def test_accept_control_completes_the_transfer(world: World) -> None:
    """acceptControl by the proposed controller emits ControllerChanged(byDepositary false); the old one is out."""
    old, new = world.controllers["SGP"], new_account(world)
    world.gw.transfer_control(old, code("SGP"), new.address)
    result = world.gw.accept_control(new, code("SGP"))
    assert events(world, result, world.gw.registry.events.ControllerChanged) == [
        {
            "code": code("SGP"),
            "previousController": old.address,
            "newController": new.address,
            "byDepositary": False,
            "time": block_time(world, result),
        }
    ]
    assert controller(world, "SGP") == new.address
    assert pending_control(world, "SGP") == NOTHING_PENDING
    with reverts("RegistryNotController", code=code("SGP"), caller=old.address):
        world.gw.transfer_control(old, code("SGP"), old.address)
    with reverts("RegistryNoPendingControl", code=code("SGP"), caller=new.address):
        world.gw.accept_control(new, code("SGP"))


def test_only_the_proposed_controller_may_accept(world: World) -> None:
    """acceptControl by the controller, the depositary or a stranger reverts RegistryNoPendingControl(code, caller)."""
    ctl, proposed = world.controllers["SGP"], new_account(world)
    stranger = new_account(world)
    with reverts("RegistryNoPendingControl", code=code("SGP"), caller=stranger.address):
        world.gw.accept_control(stranger, code("SGP"))  # nothing proposed yet
    world.gw.transfer_control(ctl, code("SGP"), proposed.address)
    for sender in (ctl, world.depositary, stranger, world.controllers["FRA"]):
        with reverts("RegistryNoPendingControl", code=code("SGP"), caller=sender.address):
            world.gw.accept_control(sender, code("SGP"))
    assert controller(world, "SGP") == ctl.address
    assert pending_control(world, "SGP") == (proposed.address, 0, False)


def test_a_new_proposal_replaces_the_previous_one(world: World) -> None:
    """A second transferControl re-proposes: the first address can no longer accept."""
    ctl, first, second = world.controllers["SGP"], new_account(world), new_account(world)
    world.gw.transfer_control(ctl, code("SGP"), first.address)
    result = world.gw.transfer_control(ctl, code("SGP"), second.address)
    assert [e["newController"] for e in events(world, result, world.gw.registry.events.ControlTransferStarted)] == [
        second.address
    ]
    with reverts("RegistryNoPendingControl", code=code("SGP"), caller=first.address):
        world.gw.accept_control(first, code("SGP"))
    world.gw.accept_control(second, code("SGP"))
    assert controller(world, "SGP") == second.address


# ------------------------------------------------------------------ suspension


def test_a_suspended_party_cannot_add_signers_but_can_revoke(world: World) -> None:
    """addSigner reverts RegistryPartySuspended(code) while suspended; revokeSigner still works."""
    ctl, key = world.controllers["SGP"], new_account(world, fund=False).address
    world.gw.suspend_party(world.depositary, code("SGP"))
    with reverts("RegistryPartySuspended", code=code("SGP")):
        world.gw.add_signer(ctl, code("SGP"), key, 0, FOREVER)
    assert world.gw.signer_key(code("SGP"), key).added_at == 0

    signer = world.signers["SGP"].address
    effective = world.gw.now() - HOUR
    result = world.gw.revoke_signer(ctl, code("SGP"), signer, effective)
    assert events(world, result, world.gw.registry.events.SignerRevoked) == [
        {"code": code("SGP"), "key": signer, "effectiveAt": effective, "time": block_time(world, result)}
    ]
    assert world.gw.signer_key(code("SGP"), signer).revoked_at == effective

    world.gw.reinstate_party(world.depositary, code("SGP"))
    world.gw.add_signer(ctl, code("SGP"), key, 0, FOREVER)
    assert world.gw.signer_key(code("SGP"), key).added_at > 0


# ------------------------------------------------------------------ the repudiation window


def test_a_revocation_at_the_window_edge_needs_no_depositary(world: World) -> None:
    """Back-dating exactly the window emits only SignerRevoked(effectiveAt = time - window); nothing is pending."""
    key = world.signers["FRA"].address
    t = pending_time(world)
    result = world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, t - DELAY)
    assert block_time(world, result) == t
    assert events(world, result, world.gw.registry.events.SignerRevoked) == [
        {"code": code("FRA"), "key": key, "effectiveAt": t - DELAY, "time": t}
    ]
    assert events(world, result, world.gw.registry.events.BackdatedRevocationRequested) == []
    assert world.gw.signer_key(code("FRA"), key).revoked_at == t - DELAY
    assert world.gw.pending_revocation(code("FRA"), key) == 0


def test_a_revocation_beyond_the_window_applies_from_its_edge(world: World) -> None:
    """One second further back: BackdatedRevocationRequested(requested) then SignerRevoked at the window's edge."""
    key = world.signers["FRA"].address
    t = pending_time(world)
    edge, requested = t - DELAY, t - DELAY - 1
    result = world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, requested)
    assert log_names(world, result) == ["BackdatedRevocationRequested", "SignerRevoked"]
    assert events(world, result, world.gw.registry.events.BackdatedRevocationRequested) == [
        {"code": code("FRA"), "key": key, "requestedAt": requested, "time": t}
    ]
    assert events(world, result, world.gw.registry.events.SignerRevoked) == [
        {"code": code("FRA"), "key": key, "effectiveAt": edge, "time": t}
    ]
    assert world.gw.signer_key(code("FRA"), key).revoked_at == edge
    assert world.gw.pending_revocation(code("FRA"), key) == requested
    assert tx.call(world.gw.registry.functions.pendingRevocation(code("FRA"), key)) == requested
    assert world.gw.is_authorised_at(code("FRA"), key, requested) is True
    assert world.gw.is_authorised_at(code("FRA"), key, edge - 1) is True
    assert world.gw.is_authorised_at(code("FRA"), key, edge) is False


def test_the_depositary_confirms_a_backdated_revocation(world: World) -> None:
    """confirmRevocation emits BackdatedRevocationConfirmed then SignerRevoked at the requested time."""
    key, requested = world.signers["FRA"].address, world.gw.now() - 10 * DAY
    world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, requested)
    result = world.gw.confirm_revocation(world.depositary, code("FRA"), key)
    t = block_time(world, result)
    assert log_names(world, result) == ["BackdatedRevocationConfirmed", "SignerRevoked"]
    assert events(world, result, world.gw.registry.events.BackdatedRevocationConfirmed) == [
        {"code": code("FRA"), "key": key, "effectiveAt": requested, "time": t}
    ]
    assert events(world, result, world.gw.registry.events.SignerRevoked) == [
        {"code": code("FRA"), "key": key, "effectiveAt": requested, "time": t}
    ]
    assert world.gw.signer_key(code("FRA"), key).revoked_at == requested
    assert world.gw.pending_revocation(code("FRA"), key) == 0
    assert world.gw.is_authorised_at(code("FRA"), key, requested - 1) is True
    assert world.gw.is_authorised_at(code("FRA"), key, requested) is False
    with reverts("RegistryNoPendingRevocation", code=code("FRA"), key=key):
        world.gw.confirm_revocation(world.depositary, code("FRA"), key)


def test_confirm_without_a_request_reverts(world: World) -> None:
    """confirmRevocation of a key with nothing pending (or never added) reverts RegistryNoPendingRevocation."""
    key, effective = world.signers["FRA"].address, world.gw.now() - HOUR
    world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, effective)
    unknown = new_account(world, fund=False).address
    for k in (key, unknown):
        with reverts("RegistryNoPendingRevocation", code=code("FRA"), key=k):
            world.gw.confirm_revocation(world.depositary, code("FRA"), k)
    assert world.gw.signer_key(code("FRA"), key).revoked_at == effective
    assert world.gw.signer_key(code("FRA"), unknown).added_at == 0


def test_a_controller_alone_cannot_repudiate_old_acts(world: World) -> None:
    """Until the depositary confirms, a key stays authorised for what it signed before the window's edge."""
    key = fresh_key(world)
    signed_at = world.gw.now()  # an act signed "today"
    world.chain.time_travel(signed_at + 30 * DAY)
    world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, signed_at - DAY)
    status = world.gw.registry.functions.signerStatus
    assert tuple(tx.call(status(code("FRA"), key, signed_at))) == (True, True)
    world.gw.confirm_revocation(world.depositary, code("FRA"), key)
    assert tuple(tx.call(status(code("FRA"), key, signed_at))) == (True, False)


def test_an_earlier_request_replaces_the_pending_one_a_later_one_changes_nothing(world: World) -> None:
    """A further-back request replaces the pending time; a less far one emits nothing and changes nothing."""
    key, ctl = world.signers["FRA"].address, world.controllers["FRA"]
    now = world.gw.now()
    first = world.gw.revoke_signer(ctl, code("FRA"), key, now - 10 * DAY)
    edge = events(world, first, world.gw.registry.events.SignerRevoked)[0]["effectiveAt"]

    earlier = world.gw.revoke_signer(ctl, code("FRA"), key, now - 20 * DAY)
    assert events(world, earlier, world.gw.registry.events.BackdatedRevocationRequested) == [
        {"code": code("FRA"), "key": key, "requestedAt": now - 20 * DAY, "time": block_time(world, earlier)}
    ]
    assert events(world, earlier, world.gw.registry.events.SignerRevoked) == []  # the edge moved later
    assert world.gw.pending_revocation(code("FRA"), key) == now - 20 * DAY

    later = world.gw.revoke_signer(ctl, code("FRA"), key, now - 15 * DAY)
    assert log_names(world, later) == []
    assert world.gw.pending_revocation(code("FRA"), key) == now - 20 * DAY
    assert world.gw.signer_key(code("FRA"), key).revoked_at == edge


def test_a_confirmation_never_moves_a_revocation_later(world: World) -> None:
    """If the key was meanwhile revoked from an even earlier time, confirming emits no SignerRevoked."""
    key, ctl = world.signers["FRA"].address, world.controllers["FRA"]
    now = world.gw.now()
    world.gw.revoke_signer(ctl, code("FRA"), key, now - 10 * DAY)  # pending, revoked from the edge
    set_delays_in_force(world, 30 * DAY, DELAY)  # DELAY later
    world.gw.revoke_signer(ctl, code("FRA"), key, now - 20 * DAY)  # now within the wider window
    assert world.gw.signer_key(code("FRA"), key).revoked_at == now - 20 * DAY
    result = world.gw.confirm_revocation(world.depositary, code("FRA"), key)
    assert events(world, result, world.gw.registry.events.BackdatedRevocationConfirmed) == [
        {"code": code("FRA"), "key": key, "effectiveAt": now - 10 * DAY, "time": block_time(world, result)}
    ]
    assert events(world, result, world.gw.registry.events.SignerRevoked) == []
    assert world.gw.signer_key(code("FRA"), key).revoked_at == now - 20 * DAY
    assert world.gw.pending_revocation(code("FRA"), key) == 0


def test_the_window_set_by_the_depositary_bounds_backdating(world: World) -> None:
    """With a 1 h window, 1 h back is applied directly and 1 h + 1 s back awaits the depositary."""
    set_delays_in_force(world, HOUR, DELAY)
    inside, outside, ctl = fresh_key(world), fresh_key(world), world.controllers["FRA"]
    t = pending_time(world)
    world.gw.revoke_signer(ctl, code("FRA"), inside, t - HOUR)
    assert (world.gw.signer_key(code("FRA"), inside).revoked_at, world.gw.pending_revocation(code("FRA"), inside)) == (
        t - HOUR,
        0,
    )
    t = pending_time(world)
    world.gw.revoke_signer(ctl, code("FRA"), outside, t - HOUR - 1)
    assert world.gw.signer_key(code("FRA"), outside).revoked_at == t - HOUR
    assert world.gw.pending_revocation(code("FRA"), outside) == t - HOUR - 1


def test_key_history_includes_backdated_requests_and_confirmations(world: World) -> None:
    """gw.key_history lists BackdatedRevocationRequested/Confirmed with requestedAt/effectiveAt in chain order."""
    key = world.signers["FRA"].address
    requested = world.gw.now() - 10 * DAY
    revoked = world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, requested)
    confirmed = world.gw.confirm_revocation(world.depositary, code("FRA"), key)
    history = world.gw.key_history(code("FRA"))
    assert [h["event"] for h in history] == [
        "SignerAdded",
        "BackdatedRevocationRequested",
        "SignerRevoked",
        "BackdatedRevocationConfirmed",
        "SignerRevoked",
    ]
    assert (history[1]["requestedAt"], history[1]["transaction"]) == (requested, revoked.transaction)
    assert history[2]["effectiveAt"] == block_time(world, revoked) - DELAY
    assert (history[3]["effectiveAt"], history[3]["transaction"]) == (requested, confirmed.transaction)
    assert history[4]["effectiveAt"] == requested


# ------------------------------------------------------------------ signerStatus


def test_signer_status_answers_activity_and_authorisation(world: World) -> None:
    """signerStatus(code, key, time) is (isActive(code), isAuthorisedAt(code, key, time))."""
    status = world.gw.registry.functions.signerStatus
    fra, sgp = world.signers["FRA"].address, world.signers["SGP"].address
    now = world.gw.now()
    assert tuple(tx.call(status(code("FRA"), fra, now))) == (True, True)
    assert tuple(tx.call(status(code("FRA"), sgp, now))) == (True, False)
    world.gw.suspend_party(world.depositary, code("SGP"))
    assert tuple(tx.call(status(code("SGP"), sgp, now))) == (False, True)
    world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), fra, now)
    assert tuple(tx.call(status(code("FRA"), fra, now))) == (True, False)
    assert tuple(tx.call(status(code("FRA"), fra, now - 1))) == (True, True)
    assert tuple(tx.call(status(code("ITA"), fra, now))) == (False, False)


# ------------------------------------------------------------------ trust-model scenarios


def test_the_depositary_cannot_instantly_take_over_a_party(world: World) -> None:
    """A reset is public at once but takes effect only after the delay; until then the controller controls."""
    ctl, takeover, anyone = world.controllers["FRA"], new_account(world), new_account(world)
    # 1. The reset is an event at once ...
    scheduled = world.gw.reset_controller(world.depositary, code("FRA"), takeover.address)
    t = block_time(world, scheduled)
    assert events(world, scheduled, world.gw.registry.events.ControllerResetScheduled) == [
        {"code": code("FRA"), "newController": takeover.address, "effectiveAt": t + DELAY, "time": t}
    ]
    # 2. ... but gives the depositary's choice no power: it cannot manage FRA's keys.
    with reverts("RegistryNotController", code=code("FRA"), caller=takeover.address):
        world.gw.add_signer(takeover, code("FRA"), takeover.address, 0, FOREVER)
    # 3. The party's controller still controls through the delay: adds, revokes a key.
    travel_to_next_tx_at(world, t + DELAY - 10)
    key = new_account(world, fund=False).address
    world.gw.add_signer(ctl, code("FRA"), key, 0, FOREVER)
    world.gw.revoke_signer(ctl, code("FRA"), key, world.gw.now())
    assert controller(world, "FRA") == ctl.address
    # 4. Not even the depositary can complete it early.
    time = pending_time(world)
    assert time < t + DELAY
    with reverts("RegistryResetNotDue", code=code("FRA"), effectiveAt=t + DELAY, time=time):
        world.gw.complete_controller_reset(world.depositary, code("FRA"))
    assert controller(world, "FRA") == ctl.address
    # 5. After the delay, anyone completes it.
    travel_to_next_tx_at(world, t + DELAY)
    done = world.gw.complete_controller_reset(anyone, code("FRA"))
    [changed] = events(world, done, world.gw.registry.events.ControllerChanged)
    assert (changed["newController"], changed["byDepositary"]) == (takeover.address, True)
    assert controller(world, "FRA") == takeover.address


def test_a_typo_in_transfer_control_loses_nothing(world: World) -> None:
    """The wrong address never accepts; the controller keeps control and proposes again."""
    ctl, intended = world.controllers["FRA"], new_account(world)
    last = intended.address[-1].lower()
    typo = to_checksum_address(intended.address[:-1] + ("0" if last != "0" else "1"))
    world.gw.transfer_control(ctl, code("FRA"), typo)
    world.chain.time_travel(world.gw.now() + 30 * DAY)  # nobody holds the typo's key: nothing ever happens
    assert controller(world, "FRA") == ctl.address
    world.gw.add_signer(ctl, code("FRA"), new_account(world, fund=False).address, 0, FOREVER)
    with reverts("RegistryNoPendingControl", code=code("FRA"), caller=intended.address):
        world.gw.accept_control(intended, code("FRA"))
    world.gw.transfer_control(ctl, code("FRA"), intended.address)
    world.gw.accept_control(intended, code("FRA"))
    assert controller(world, "FRA") == intended.address
    assert pending_control(world, "FRA") == NOTHING_PENDING


def test_shortening_the_reset_delay_gives_no_instant_takeover(world: World) -> None:
    """The depositary cannot get round the reset delay by first setting it to zero."""
    takeover = new_account(world)
    world.gw.set_delays(world.depositary, DELAY, 0)
    world.gw.reset_controller(world.depositary, code("FRA"), takeover.address)
    with pytest.raises(errors.ContractRevertError):
        world.gw.complete_controller_reset(world.depositary, code("FRA"))
    assert controller(world, "FRA") == world.controllers["FRA"].address
