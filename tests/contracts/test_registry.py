"""IdentityRegistry: every function, event, stored state and revert path (protocol v2 rules in test_registry_v2)."""

from __future__ import annotations

import pytest
from contract_helpers import (
    ZERO_ADDRESS,
    block_time,
    code,
    events,
    new_account,
    revert_args,
)

from notary import errors
from notary.chain import tx
from notary.testing import World

FOREVER = 2**63


@pytest.fixture
def ita(world: World):
    """A freshly registered party ITA (controller funded) and its registration tx."""
    controller = new_account(world)
    result = world.gw.register_party(world.depositary, code("ITA"), "Italian Republic", controller.address)
    return controller, result


# ------------------------------------------------------------------ depositary: parties


def test_register_party_stores_party_and_emits_event(world: World, ita) -> None:
    """registerParty stores name, controller, unsuspended, registeredAt and emits PartyRegistered."""
    controller, result = ita
    now = block_time(world, result)
    assert events(world, result, world.gw.registry.events.PartyRegistered) == [
        {"code": code("ITA"), "name": "Italian Republic", "controller": controller.address, "time": now}
    ]
    party = world.gw.party(code("ITA"))
    assert (party.code, party.name, party.controller) == ("ITA", "Italian Republic", controller.address)
    assert (party.suspended, party.registered_at) == (False, now)
    assert tx.call(world.gw.registry.functions.isParty(code("ITA"))) is True
    assert tx.call(world.gw.registry.functions.isActive(code("ITA"))) is True


def test_unknown_code_is_neither_party_nor_active(world: World) -> None:
    """isParty and isActive are false for a code never registered; party() reverts."""
    assert tx.call(world.gw.registry.functions.isParty(code("ITA"))) is False
    assert tx.call(world.gw.registry.functions.isActive(code("ITA"))) is False
    with pytest.raises(errors.RegistryUnknownPartyError) as exc:
        world.gw.party(code("ITA"))
    assert revert_args(exc.value) == {"code": code("ITA")}


def test_register_party_rejects_empty_code(world: World) -> None:
    """registerParty with a zero code reverts RegistryInvalidCode(code)."""
    with pytest.raises(errors.RegistryInvalidCodeError) as exc:
        world.gw.register_party(world.depositary, bytes(32), "Nobody", world.relayer.address)
    assert revert_args(exc.value) == {"code": bytes(32)}


def test_register_party_rejects_zero_controller(world: World) -> None:
    """registerParty with a zero controller reverts RegistryZeroAddress()."""
    with pytest.raises(errors.RegistryZeroAddressError) as exc:
        world.gw.register_party(world.depositary, code("ITA"), "Italy", ZERO_ADDRESS)
    assert exc.value.args_by_name == {}
    assert tx.call(world.gw.registry.functions.isParty(code("ITA"))) is False


def test_register_party_rejects_existing_code(world: World) -> None:
    """Registering FRA again reverts RegistryPartyExists(FRA) and keeps the original controller."""
    with pytest.raises(errors.RegistryPartyExistsError) as exc:
        world.gw.register_party(world.depositary, code("FRA"), "Impostor", world.relayer.address)
    assert revert_args(exc.value) == {"code": code("FRA")}
    assert world.gw.party(code("FRA")).controller == world.controllers["FRA"].address


@pytest.mark.parametrize(
    "call",
    [
        lambda gw, s: gw.register_party(s, code("ITA"), "Italy", s.address),
        lambda gw, s: gw.suspend_party(s, code("FRA")),
        lambda gw, s: gw.reinstate_party(s, code("FRA")),
        lambda gw, s: gw.reset_controller(s, code("FRA"), s.address),
        lambda gw, s: gw.cancel_controller_reset(s, code("FRA")),
        lambda gw, s: gw.confirm_revocation(s, code("FRA"), s.address),
        lambda gw, s: gw.set_delays(s, 0, 0),
        lambda gw, s: tx.send(gw.chain, gw.registry.functions.transferOwnership(s.address), s),
    ],
    ids=[
        "registerParty",
        "suspendParty",
        "reinstateParty",
        "resetController",
        "cancelControllerReset",
        "confirmRevocation",
        "setDelays",
        "transferOwnership",
    ],
)
def test_depositary_functions_reject_other_accounts(world: World, call) -> None:
    """Depositary-only functions revert OwnableUnauthorizedAccount(caller) for a controller."""
    sender = world.controllers["FRA"]
    with pytest.raises(errors.OwnableUnauthorizedAccountError) as exc:
        call(world.gw, sender)
    assert revert_args(exc.value) == {"account": sender.address}


def test_suspend_and_reinstate_party(world: World) -> None:
    """suspendParty makes a party inactive (still a party); reinstateParty restores it, with events."""
    fn = world.gw.registry.functions
    suspended = world.gw.suspend_party(world.depositary, code("SGP"))
    assert events(world, suspended, world.gw.registry.events.PartySuspended) == [
        {"code": code("SGP"), "time": block_time(world, suspended)}
    ]
    assert world.gw.party(code("SGP")).suspended is True
    assert tx.call(fn.isParty(code("SGP"))) is True
    assert tx.call(fn.isActive(code("SGP"))) is False

    reinstated = world.gw.reinstate_party(world.depositary, code("SGP"))
    assert events(world, reinstated, world.gw.registry.events.PartyReinstated) == [
        {"code": code("SGP"), "time": block_time(world, reinstated)}
    ]
    assert world.gw.party(code("SGP")).suspended is False
    assert tx.call(fn.isActive(code("SGP"))) is True


def test_suspension_guards(world: World) -> None:
    """Reinstating an active party reverts RegistryPartyNotSuspended; suspending twice RegistryPartySuspended."""
    with pytest.raises(errors.RegistryPartyNotSuspendedError) as exc:
        world.gw.reinstate_party(world.depositary, code("SGP"))
    assert revert_args(exc.value) == {"code": code("SGP")}
    world.gw.suspend_party(world.depositary, code("SGP"))
    with pytest.raises(errors.RegistryPartySuspendedError) as exc:
        world.gw.suspend_party(world.depositary, code("SGP"))
    assert revert_args(exc.value) == {"code": code("SGP")}


@pytest.mark.parametrize(
    "call",
    [
        lambda w: w.gw.suspend_party(w.depositary, code("ITA")),
        lambda w: w.gw.reinstate_party(w.depositary, code("ITA")),
        lambda w: w.gw.reset_controller(w.depositary, code("ITA"), w.relayer.address),
        lambda w: w.gw.transfer_control(w.controllers["FRA"], code("ITA"), w.relayer.address),
        lambda w: w.gw.add_signer(w.controllers["FRA"], code("ITA"), w.relayer.address, 0, 10),
        lambda w: w.gw.revoke_signer(w.controllers["FRA"], code("ITA"), w.relayer.address, 0),
    ],
    ids=["suspend", "reinstate", "resetController", "transferControl", "addSigner", "revokeSigner"],
)
def test_functions_on_unknown_party_revert(world: World, call) -> None:
    """Every state change on an unregistered code reverts RegistryUnknownParty(code)."""
    with pytest.raises(errors.RegistryUnknownPartyError) as exc:
        call(world)
    assert revert_args(exc.value) == {"code": code("ITA")}


# ------------------------------------------------------------------ controllers


def test_reset_controller_by_depositary(world: World) -> None:
    """resetController schedules a reset; once due, completing it hands control over (byDepositary true)."""
    old, new = world.controllers["FRA"], new_account(world)
    scheduled = world.gw.reset_controller(world.depositary, code("FRA"), new.address)
    assert events(world, scheduled, world.gw.registry.events.ControllerChanged) == []
    assert world.gw.party(code("FRA")).controller == old.address
    world.chain.time_travel(block_time(world, scheduled) + world.gw.delays()[1])
    result = world.gw.complete_controller_reset(world.depositary, code("FRA"))
    assert events(world, result, world.gw.registry.events.ControllerChanged) == [
        {
            "code": code("FRA"),
            "previousController": old.address,
            "newController": new.address,
            "byDepositary": True,
            "time": block_time(world, result),
        }
    ]
    assert world.gw.party(code("FRA")).controller == new.address
    with pytest.raises(errors.RegistryNotControllerError) as exc:
        world.gw.add_signer(old, code("FRA"), new_account(world, fund=False).address, 0, FOREVER)
    assert revert_args(exc.value) == {"code": code("FRA"), "caller": old.address}
    world.gw.add_signer(new, code("FRA"), new.address, 0, FOREVER)


def test_reset_controller_rejects_zero_address(world: World) -> None:
    """resetController to the zero address reverts RegistryZeroAddress()."""
    with pytest.raises(errors.RegistryZeroAddressError):
        world.gw.reset_controller(world.depositary, code("FRA"), ZERO_ADDRESS)
    assert world.gw.party(code("FRA")).controller == world.controllers["FRA"].address
    assert world.gw.pending_control(code("FRA")) is None


def test_transfer_control_by_controller(world: World) -> None:
    """transferControl then acceptControl hands control over (byDepositary false); only the new controller acts."""
    old, new = world.controllers["SGP"], new_account(world)
    started = world.gw.transfer_control(old, code("SGP"), new.address)
    assert events(world, started, world.gw.registry.events.ControllerChanged) == []
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
    assert world.gw.party(code("SGP")).controller == new.address
    with pytest.raises(errors.RegistryNotControllerError) as exc:
        world.gw.transfer_control(old, code("SGP"), old.address)
    assert revert_args(exc.value) == {"code": code("SGP"), "caller": old.address}


def test_transfer_control_rejects_non_controller_and_zero(world: World) -> None:
    """transferControl by another party's controller or the depositary reverts; so does address 0."""
    for sender in (world.controllers["FRA"], world.depositary):
        with pytest.raises(errors.RegistryNotControllerError) as exc:
            world.gw.transfer_control(sender, code("SGP"), sender.address)
        assert revert_args(exc.value) == {"code": code("SGP"), "caller": sender.address}
    with pytest.raises(errors.RegistryZeroAddressError):
        world.gw.transfer_control(world.controllers["SGP"], code("SGP"), ZERO_ADDRESS)


# ------------------------------------------------------------------ signer keys


def test_add_signer_stores_window_and_emits_event(world: World) -> None:
    """addSigner stores [validFrom, validUntil), revokedAt 0, addedAt and emits SignerAdded."""
    key = new_account(world, fund=False).address
    result = world.gw.add_signer(world.controllers["FRA"], code("FRA"), key, 100, 200)
    now = block_time(world, result)
    assert events(world, result, world.gw.registry.events.SignerAdded) == [
        {"code": code("FRA"), "key": key, "validFrom": 100, "validUntil": 200, "time": now}
    ]
    stored = world.gw.signer_key(code("FRA"), key)
    assert (stored.valid_from, stored.valid_until, stored.revoked_at, stored.added_at) == (100, 200, 0, now)
    assert (stored.party, stored.key) == ("FRA", key)


def test_signer_key_of_unknown_key_is_all_zero(world: World) -> None:
    """signerKey of a key never added is all zero and never authorised."""
    key = new_account(world, fund=False).address
    raw = tx.call(world.gw.registry.functions.signerKey(code("FRA"), key))
    assert tuple(raw) == (0, 0, 0, 0)
    assert world.gw.is_authorised_at(code("FRA"), key, world.gw.now()) is False


@pytest.mark.parametrize(
    "call",
    [
        lambda gw, s, key: gw.add_signer(s, code("FRA"), key, 0, FOREVER),
        lambda gw, s, key: gw.revoke_signer(s, code("FRA"), key, 1),
    ],
    ids=["addSigner", "revokeSigner"],
)
def test_key_management_rejects_non_controller(world: World, call) -> None:
    """addSigner/revokeSigner by SGP's controller for FRA revert RegistryNotController(FRA, caller)."""
    sender = world.controllers["SGP"]
    with pytest.raises(errors.RegistryNotControllerError) as exc:
        call(world.gw, sender, world.signers["FRA"].address)
    assert revert_args(exc.value) == {"code": code("FRA"), "caller": sender.address}
    assert world.gw.signer_key(code("FRA"), world.signers["FRA"].address).revoked_at == 0


def test_add_signer_rejects_zero_key(world: World) -> None:
    """addSigner with the zero address reverts RegistryZeroAddress()."""
    with pytest.raises(errors.RegistryZeroAddressError):
        world.gw.add_signer(world.controllers["FRA"], code("FRA"), ZERO_ADDRESS, 0, FOREVER)


@pytest.mark.parametrize("window", [(100, 100), (200, 100)], ids=["empty", "reversed"])
def test_add_signer_rejects_empty_window(world: World, window) -> None:
    """addSigner with validUntil <= validFrom reverts RegistryInvalidWindow(validFrom, validUntil)."""
    key = new_account(world, fund=False).address
    with pytest.raises(errors.RegistryInvalidWindowError) as exc:
        world.gw.add_signer(world.controllers["FRA"], code("FRA"), key, *window)
    assert revert_args(exc.value) == {"validFrom": window[0], "validUntil": window[1]}


def test_add_signer_rejects_existing_key_even_after_revocation(world: World) -> None:
    """A key has one window per party: re-adding it reverts RegistrySignerExists, revoked or not."""
    key = world.signers["FRA"].address
    controller = world.controllers["FRA"]
    with pytest.raises(errors.RegistrySignerExistsError) as exc:
        world.gw.add_signer(controller, code("FRA"), key, 0, FOREVER)
    assert revert_args(exc.value) == {"code": code("FRA"), "key": key}
    world.gw.revoke_signer(controller, code("FRA"), key, world.gw.now())
    with pytest.raises(errors.RegistrySignerExistsError):
        world.gw.add_signer(controller, code("FRA"), key, 0, FOREVER)


def test_same_key_may_serve_two_parties(world: World) -> None:
    """Windows are per party: FRA's key added for SGP is authorised for both independently."""
    key = world.signers["FRA"].address
    world.gw.add_signer(world.controllers["SGP"], code("SGP"), key, 10, 20)
    assert world.gw.is_authorised_at(code("SGP"), key, 15) is True
    assert world.gw.is_authorised_at(code("SGP"), key, 25) is False
    assert world.gw.is_authorised_at(code("FRA"), key, 25) is True


def test_revoke_signer_stores_time_and_emits_event(world: World) -> None:
    """revokeSigner stores revokedAt and emits SignerRevoked(code, key, effectiveAt, time)."""
    key = world.signers["FRA"].address
    effective = world.gw.now() + 500
    result = world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, effective)
    assert events(world, result, world.gw.registry.events.SignerRevoked) == [
        {"code": code("FRA"), "key": key, "effectiveAt": effective, "time": block_time(world, result)}
    ]
    assert world.gw.signer_key(code("FRA"), key).revoked_at == effective
    assert world.gw.is_authorised_at(code("FRA"), key, effective - 1) is True
    assert world.gw.is_authorised_at(code("FRA"), key, effective) is False


def test_revoke_at_time_zero_is_stored_as_one(world: World) -> None:
    """A revocation effective at 0 is requested, confirmed and stored as 1 (0 would read as never revoked)."""
    key = world.signers["FRA"].address
    result = world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, 0)
    [requested] = events(world, result, world.gw.registry.events.BackdatedRevocationRequested)
    assert requested["requestedAt"] == 1
    assert world.gw.pending_revocation(code("FRA"), key) == 1
    confirmed = world.gw.confirm_revocation(world.depositary, code("FRA"), key)
    assert events(world, confirmed, world.gw.registry.events.SignerRevoked)[0]["effectiveAt"] == 1
    assert world.gw.signer_key(code("FRA"), key).revoked_at == 1
    assert world.gw.is_authorised_at(code("FRA"), key, 0) is True
    assert world.gw.is_authorised_at(code("FRA"), key, 1) is False


def test_revoke_unknown_signer_reverts(world: World) -> None:
    """Revoking a key never added for the party reverts RegistryUnknownSigner(code, key)."""
    key = world.signers["SGP"].address
    with pytest.raises(errors.RegistryUnknownSignerError) as exc:
        world.gw.revoke_signer(world.controllers["FRA"], code("FRA"), key, 1)
    assert revert_args(exc.value) == {"code": code("FRA"), "key": key}


@pytest.mark.parametrize("delta", [0, 1], ids=["same", "later"])
def test_revocation_may_only_move_earlier(world: World, delta: int) -> None:
    """A second revocation not earlier than the first reverts RegistryRevocationNotEarlier."""
    key, controller = world.signers["FRA"].address, world.controllers["FRA"]
    first = world.gw.now() + 100
    world.gw.revoke_signer(controller, code("FRA"), key, first)
    with pytest.raises(errors.RegistryRevocationNotEarlierError) as exc:
        world.gw.revoke_signer(controller, code("FRA"), key, first + delta)
    assert revert_args(exc.value) == {
        "code": code("FRA"),
        "key": key,
        "existing": first,
        "requested": first + delta,
    }
    assert world.gw.signer_key(code("FRA"), key).revoked_at == first


def test_compromise_moves_revocation_into_the_past(world: World) -> None:
    """A past effective time (compromise) unauthorises the key from then on and not before."""
    key, controller = world.signers["FRA"].address, world.controllers["FRA"]
    now = world.gw.now()
    world.gw.revoke_signer(controller, code("FRA"), key, now + 1000)
    assert world.gw.is_authorised_at(code("FRA"), key, now) is True
    compromised_at = now - 50
    world.gw.revoke_signer(controller, code("FRA"), key, compromised_at)
    assert world.gw.signer_key(code("FRA"), key).revoked_at == compromised_at
    assert world.gw.is_authorised_at(code("FRA"), key, compromised_at - 1) is True
    assert world.gw.is_authorised_at(code("FRA"), key, compromised_at) is False
    assert world.gw.is_authorised_at(code("FRA"), key, now) is False


def test_is_authorised_at_window_boundaries(world: World) -> None:
    """isAuthorisedAt is true on [validFrom, validUntil) and false just outside it."""
    key = new_account(world, fund=False).address
    world.gw.add_signer(world.controllers["DEU"], code("DEU"), key, 1000, 2000)
    checks = {999: False, 1000: True, 1999: True, 2000: False}
    assert {t: world.gw.is_authorised_at(code("DEU"), key, t) for t in checks} == checks
    assert world.gw.is_authorised_at(code("FRA"), key, 1500) is False


def test_key_history_rebuilt_from_events(world: World) -> None:
    """gw.key_history lists a party's SignerAdded/SignerRevoked events in chain order, no other party's."""
    controller = world.controllers["FRA"]
    k1, k2 = new_account(world, fund=False).address, new_account(world, fund=False).address
    world.gw.add_signer(world.controllers["SGP"], code("SGP"), k1, 0, 10)
    a1 = world.gw.add_signer(controller, code("FRA"), k1, 5, 50)
    a2 = world.gw.add_signer(controller, code("FRA"), k2, 7, 70)
    revoked_at = world.gw.now() - 20  # within the repudiation window: no depositary involved
    r1 = world.gw.revoke_signer(controller, code("FRA"), k1, revoked_at)
    history = world.gw.key_history(code("FRA"))
    assert [(h["event"], h["key"]) for h in history] == [
        ("SignerAdded", world.signers["FRA"].address),
        ("SignerAdded", k1),
        ("SignerAdded", k2),
        ("SignerRevoked", k1),
    ]
    assert all(h["code"] == "FRA" for h in history)
    assert (history[1]["validFrom"], history[1]["validUntil"], history[1]["time"]) == (
        5,
        50,
        block_time(world, a1),
    )
    assert history[2]["transaction"] == a2.transaction
    assert (history[3]["effectiveAt"], history[3]["block_number"]) == (revoked_at, r1.block_number)


# ------------------------------------------------------------------ depositary handover and version


def test_depositary_transfer_is_two_step(world: World) -> None:
    """Ownable2Step: the new depositary has no power until it accepts; then the old one has none."""
    fn, old, new = world.gw.registry.functions, world.depositary, new_account(world)
    started = tx.send(world.chain, fn.transferOwnership(new.address), old)
    assert events(world, started, world.gw.registry.events.OwnershipTransferStarted) == [
        {"previousOwner": old.address, "newOwner": new.address}
    ]
    assert (tx.call(fn.owner()), tx.call(fn.pendingOwner())) == (old.address, new.address)
    with pytest.raises(errors.OwnableUnauthorizedAccountError) as exc:
        world.gw.suspend_party(new, code("SGP"))
    assert revert_args(exc.value) == {"account": new.address}

    stranger = new_account(world)
    with pytest.raises(errors.OwnableUnauthorizedAccountError) as exc:
        tx.send(world.chain, fn.acceptOwnership(), stranger)
    assert revert_args(exc.value) == {"account": stranger.address}

    accepted = tx.send(world.chain, fn.acceptOwnership(), new)
    assert events(world, accepted, world.gw.registry.events.OwnershipTransferred) == [
        {"previousOwner": old.address, "newOwner": new.address}
    ]
    assert (tx.call(fn.owner()), tx.call(fn.pendingOwner())) == (new.address, ZERO_ADDRESS)
    world.gw.suspend_party(new, code("SGP"))
    with pytest.raises(errors.OwnableUnauthorizedAccountError) as exc:
        world.gw.reinstate_party(old, code("SGP"))
    assert revert_args(exc.value) == {"account": old.address}


def test_versions(world: World) -> None:
    """The registry and the ledger report protocol version 2.0.0."""
    assert tx.call(world.gw.registry.functions.version()) == "2.0.0"
    assert tx.call(world.gw.ledger.functions.version()) == "2.0.0"
    assert tx.call(world.gw.ledger.functions.registry()) == world.gw.registry.address
