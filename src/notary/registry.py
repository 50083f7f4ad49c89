"""Use cases of the identity registry (protocol v2): parties, controllers and signer keys.

The rules the contract enforces, which these functions carry out and report:

- a controller hands control on in two steps: it proposes, the new controller accepts;
- the depositary's reset of a lost controller is public at once and takes effect only
  after the controller-reset delay (anyone completes it once due; the depositary may
  cancel it); until then the party's controller still controls the party;
- a controller alone back-dates a compromise at most the repudiation window: further
  back, the key is revoked from the window's edge at once and the earlier time awaits
  the depositary's confirmation;
- new delays set by the depositary take effect only after the controller-reset delay in
  force when they are set, so shortening it never speeds up a reset;
- a suspended party cannot add signer keys, but can still revoke them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.logs import DISCARD

from notary.chain.gateway import LedgerGateway
from notary.chain.tx import TxResult
from notary.codes import party_code
from notary.errors import InvalidInputError
from notary.models import Party, SignerKey

#: "valid until" when none is given: far in the future, but a uint64.
FOREVER = 2**63
#: The contract's default repudiation window and controller-reset delay (72 hours).
DEFAULT_DELAY = 72 * 3600
#: Longest delay accepted: the contract adds a delay to the block time in a uint64.
MAX_DELAY = 2**62


@dataclass(frozen=True)
class PendingControl:
    """A pending controller change: a controller's proposal or a depositary's scheduled reset."""

    new_controller: str
    #: When a depositary's reset may be completed; 0 for a controller's proposal.
    effective_at: int
    by_depositary: bool


@dataclass(frozen=True)
class Delays:
    """The registry's two delays, in seconds."""

    repudiation_window: int
    controller_reset_delay: int


@dataclass(frozen=True)
class DelaysChange:
    """What a setDelays did: the delays set, and when they come into force.

    New delays wait out the controller-reset delay in force when they are set (so shortening
    it never speeds up a reset); until `effective_at` the previous delays apply.
    """

    result: TxResult
    delays: Delays
    #: When the new delays take effect (the DelaysChanged event's effectiveAt).
    effective_at: int


@dataclass(frozen=True)
class PendingDelays:
    """Delays set by the depositary that are not in force yet."""

    delays: Delays
    effective_at: int


@dataclass(frozen=True)
class PartyView:
    """A party with every key ever added for it, as rebuilt from events, and what is pending."""

    party: Party
    keys: tuple[SignerKey, ...]
    #: Key events in chain order (SignerAdded, SignerRevoked, BackdatedRevocation*).
    history: tuple[dict[str, Any], ...]
    pending_control: PendingControl | None = None
    #: key -> the back-dated effective time awaiting the depositary.
    pending_revocations: Mapping[str, int] = field(default_factory=dict)
    delays: Delays | None = None


@dataclass(frozen=True)
class Revocation:
    """What a revokeSigner did."""

    result: TxResult
    #: The effective time asked for (0 counts as 1).
    requested_at: int
    #: The revocation time now in force.
    revoked_at: int
    #: Whether `requested_at` lay before the window's edge: only the depositary can apply it.
    beyond_window: bool
    #: The window's edge (block time minus the repudiation window) when the revocation was mined.
    window_edge: int
    #: The back-dated time awaiting the depositary's confirmation (0: none).
    awaiting_depositary: int


# --------------------------------------------------------------------------- depositary


def register_party(gw: LedgerGateway, depositary: LocalAccount, code: str, name: str, controller: str) -> TxResult:
    if not name.strip():
        raise InvalidInputError("a party needs a display name", hint='e.g. --name "French Republic"')
    return gw.register_party(depositary, party_code(code), name.strip(), controller)


def schedule_controller_reset(
    gw: LedgerGateway, depositary: LocalAccount, code: str, controller: str
) -> tuple[TxResult, PendingControl]:
    """Schedule the replacement of a lost controller; returns the tx and the reset now pending."""
    raw = party_code(code)
    result = gw.reset_controller(depositary, raw, controller)
    pending = gw.pending_control(raw)
    if pending is None:  # only if another transaction completed or cancelled it in between
        return result, PendingControl(controller, 0, True)
    return result, PendingControl(*pending)


def cancel_controller_reset(gw: LedgerGateway, depositary: LocalAccount, code: str) -> TxResult:
    return gw.cancel_controller_reset(depositary, party_code(code))


def complete_controller_reset(gw: LedgerGateway, sender: LocalAccount, code: str) -> TxResult:
    """Apply a due controller reset (anyone may send it)."""
    return gw.complete_controller_reset(sender, party_code(code))


def confirm_revocation(gw: LedgerGateway, depositary: LocalAccount, code: str, key: str) -> TxResult:
    """Apply a controller's back-dated compromise of `key` beyond the repudiation window."""
    return gw.confirm_revocation(depositary, party_code(code), key)


def set_delays(gw: LedgerGateway, depositary: LocalAccount, repudiation_window: int, reset_delay: int) -> DelaysChange:
    """Set both delays; they take effect after the controller-reset delay in force now."""
    for what, value in (("repudiation window", repudiation_window), ("controller-reset delay", reset_delay)):
        if not 0 <= value <= MAX_DELAY:
            raise InvalidInputError(
                f"a {what} of {value} seconds is out of range", hint="give a duration such as 72h, 3d or 0"
            )
    reset_delay_in_force = gw.delays()[1]
    result = gw.set_delays(depositary, repudiation_window, reset_delay)
    logs = gw.registry.events.DelaysChanged().process_receipt({"logs": result.logs}, errors=DISCARD)
    if logs:
        effective_at = int(logs[-1]["args"]["effectiveAt"])
    else:  # no decodable event: the contract's rule, block time + the reset delay in force
        effective_at = gw.chain.block_timestamp(result.block_number) + reset_delay_in_force
    return DelaysChange(result, Delays(repudiation_window, reset_delay), effective_at)


def pending_delays(gw: LedgerGateway) -> PendingDelays | None:
    """The delays last set by the depositary if they are not in force yet (None: nothing pending).

    The registry has no view for them: they come from its latest DelaysChanged event.
    """
    logs = gw.registry.events.DelaysChanged.get_logs(from_block=gw.deployment.registry.block_number)
    if not logs:
        return None
    last = max(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))["args"]
    if gw.now() >= last["effectiveAt"]:  # the registry's rule: in force from effectiveAt on
        return None
    delays = Delays(int(last["repudiationWindow"]), int(last["controllerResetDelay"]))
    return PendingDelays(delays, int(last["effectiveAt"]))


def delay_warnings(delays: Delays) -> list[str]:
    """What weakens the trust model in `delays` (compared with the 72 h defaults)."""
    out = []
    reset = delays.controller_reset_delay
    if reset == 0:
        out.append("a controller-reset delay of 0 lets the depositary replace a party's controller at once")
    elif reset < DEFAULT_DELAY:
        out.append(
            f"a controller-reset delay of {duration_text(reset)} is shorter than the default "
            f"{duration_text(DEFAULT_DELAY)}: a party has less time to notice a reset and contest it"
        )
    if delays.repudiation_window > DEFAULT_DELAY:
        out.append(
            f"a repudiation window of {duration_text(delays.repudiation_window)} lets a controller alone "
            f"back-date a compromise further than the default {duration_text(DEFAULT_DELAY)}"
        )
    return out


# --------------------------------------------------------------------------- controllers


def transfer_control(gw: LedgerGateway, controller: LocalAccount, code: str, new_controller: str) -> TxResult:
    """Propose `new_controller` (step one); control passes only when it accepts."""
    return gw.transfer_control(controller, party_code(code), new_controller)


def accept_control(gw: LedgerGateway, new_controller: LocalAccount, code: str) -> TxResult:
    """Accept control proposed by the party's controller (step two)."""
    return gw.accept_control(new_controller, party_code(code))


def add_signer(
    gw: LedgerGateway,
    controller: LocalAccount,
    code: str,
    key: str,
    valid_from: int | None = None,
    valid_until: int | None = None,
) -> TxResult:
    """Authorise `key` for party `code`; the window defaults to [the time it is added, forever)
    (the next block's time, not the last block's, which may be long past on a quiet chain)."""
    start = gw.next_block_time() if valid_from is None else valid_from
    end = FOREVER if valid_until is None else valid_until
    return gw.add_signer(controller, party_code(code), key, start, end)


def signer_warnings(gw: LedgerGateway, code: str, key: str) -> list[str]:
    """What a person adding `key` for `code` should know (an EIP-1271 contract signer)."""
    if not gw.is_contract(key):
        return []
    return [
        f"{key} is a contract (an EIP-1271 signer): the contract alone decides what it signs for "
        f"{code.strip().upper()}, by its own rules and keys; the registry sees only its address"
    ]


def revoke_signer(
    gw: LedgerGateway, controller: LocalAccount, code: str, key: str, effective_at: int | None = None
) -> TxResult:
    """Revoke `key` from `effective_at` (default now); a past time declares a compromise."""
    return gw.revoke_signer(controller, party_code(code), key, gw.now() if effective_at is None else effective_at)


def declare_revocation(
    gw: LedgerGateway, controller: LocalAccount, code: str, key: str, effective_at: int | None = None
) -> Revocation:
    """`revoke_signer`, reporting whether the time lay beyond the repudiation window.

    Beyond it, the registry revokes the key from the window's edge at once and records the
    earlier time for the depositary to confirm (`confirm_revocation`).
    """
    raw = party_code(code)
    at = gw.now() if effective_at is None else effective_at
    window = gw.delays()[0]
    result = gw.revoke_signer(controller, raw, key, at)
    block_time = gw.chain.block_timestamp(result.block_number)
    edge = block_time - window if block_time > window else 1
    requested = max(at, 1)
    stored = gw.signer_key(raw, key)
    pending = gw.pending_revocation(raw, key)
    return Revocation(result, requested, stored.revoked_at, requested < edge, edge, pending)


def revocation_is_compromise(gw: LedgerGateway, effective_at: int, block_number: int) -> bool:
    """Whether a revocation mined in `block_number` reaches back into blocks mined before it.

    If the previous block's time is at or after the effective time, acts already on chain
    may have been signed with the key after its revocation took effect: the revocation
    declares a compromise. One effective after that time invalidates nothing on chain.
    (Stricter than "effective before the transaction's own block time", which would flag
    a plain revocation mined a few seconds after it was sent.)
    """
    return effective_at <= gw.chain.block_timestamp(max(block_number - 1, 0))


# --------------------------------------------------------------------------- reads


def show_party(gw: LedgerGateway, code: str) -> PartyView:
    raw = party_code(code)
    party = gw.party(raw)
    history = gw.key_history(raw)
    keys: dict[str, SignerKey] = {}
    for row in history:
        keys.setdefault(row["key"], gw.signer_key(raw, row["key"]))
    pending = {key: at for key in keys if (at := gw.pending_revocation(raw, key))}
    control = gw.pending_control(raw)
    return PartyView(
        party,
        tuple(keys.values()),
        tuple(history),
        PendingControl(*control) if control else None,
        pending,
        Delays(*gw.delays()),
    )


_KEY_EVENTS = ("SignerAdded", "SignerRevoked")


def party_document(view: PartyView, now: int, is_compromise: Callable[[int, int], bool]) -> dict[str, Any]:
    """The JSON of `notary party show --json` and `GET /v1/parties/{code}`.

    `notary.views.party_dict` (keys, statuses, SignerAdded/SignerRevoked history) plus
    protocol v2: the pending controller change, the delays, each key's back-dated
    revocation awaiting the depositary, and the BackdatedRevocation* events in the history.
    """
    from notary.views import party_dict, time_or_none

    plain = replace(view, history=tuple(r for r in view.history if r["event"] in _KEY_EVENTS))
    data = party_dict(plain, now, is_compromise)
    shaped = iter(data["history"])
    history = []
    for row in view.history:
        if row["event"] in _KEY_EVENTS:
            history.append(next(shaped))
            continue
        entry: dict[str, Any] = {
            "event": row["event"],
            "key": row["key"],
            "time": time_or_none(row["time"]),
            "transaction": row["transaction"],
            "block": row["block_number"],
        }
        if row["event"] == "BackdatedRevocationRequested":
            entry["requestedAt"] = time_or_none(row["requestedAt"])
        else:
            entry["effectiveAt"] = time_or_none(row["effectiveAt"])
        history.append(entry)
    for key in data["keys"]:
        key["pendingRevocation"] = time_or_none(view.pending_revocations.get(key["key"], 0))
    pc = view.pending_control
    data["pendingControl"] = (
        None
        if pc is None
        else {
            "controller": pc.new_controller,
            "byDepositary": pc.by_depositary,
            "effectiveAt": time_or_none(pc.effective_at) if pc.by_depositary else None,
            "due": pc.by_depositary and now >= pc.effective_at,
        }
    )
    delays = view.delays
    data["delays"] = (
        None
        if delays is None
        else {"repudiationWindow": delays.repudiation_window, "controllerResetDelay": delays.controller_reset_delay}
    )
    data["history"] = history
    return data


def duration_text(seconds: int) -> str:
    """72h, 90m, 45s: the largest whole unit up to hours (as `--reset-delay` reads it)."""
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
