"""`notary party …`: register parties, manage their controllers and signer keys.

The depositary's key registers, suspends and reinstates parties, schedules the reset of
a lost controller (effective after the controller-reset delay), confirms compromises
back-dated beyond the repudiation window and sets both delays. A party's controller key
proposes a new controller (who accepts), adds and revokes its signer keys. Re-running a
write whose effect is already on chain reports it and sends nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli._party_output import label as _label
from notary.cli._party_output import print_party as _print_party
from notary.cli.keys import address_labels, resolve_address
from notary.cli.output import console, print_json
from notary.codes import party_code
from notary.errors import InvalidInputError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import TxResult
    from notary.models import Party
    from notary.registry import Delays

app = typer.Typer(help="Register parties and manage their controllers and signer keys.", no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(help="Party code, e.g. FRA, SGP, UN.", show_default=False)]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option("--password-file", help="Read the key's password from this file.", dir_okay=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
_UINT64 = 2**64


def _key_option(who: str) -> Any:
    return typer.Option("--key", help=f"Name of the {who}'s key, which signs the transaction.", show_default=False)


DepositaryKey = Annotated[str, _key_option("depositary")]
ControllerKey = Annotated[str, _key_option("party controller")]


# --------------------------------------------------------------------------- helpers


def _time(ts: int) -> str | None:
    """UTC ISO text; None for 0 (unset) and for times too far to print (never)."""
    from notary.views import time_or_none

    return time_or_none(ts)


def _chain_time(text: str, now: int, what: str) -> int:
    """A time given by a person, offsets relative to chain time `now`, as a uint64."""
    from notary.timeparse import parse_time

    value = parse_time(text, now=now)
    if not 0 <= value < _UINT64:
        raise InvalidInputError(f"{what} {text!r} is out of range", hint="give a time after 1970")
    return value


def _sender(key: str, password_file: Path | None) -> LocalAccount:
    account = context.unlock(key, password_file)
    context.ensure_gas(account)
    return account


def _party_or_none(gw: LedgerGateway, raw: bytes) -> Party | None:
    from notary.errors import RegistryUnknownPartyError

    try:
        return gw.party(raw)
    except RegistryUnknownPartyError:
        return None


def _done(result: TxResult, as_json: bool, headline: str, **fields: Any) -> None:
    """Report a mined transaction."""
    tx = {"transaction": result.transaction, "block": result.block_number, "gasUsed": result.gas_used}
    _report(as_json, headline, {**fields, "changed": True, **tx})


def _unchanged(as_json: bool, headline: str, **fields: Any) -> None:
    """Report that the chain already holds the requested state; nothing was sent."""
    _report(as_json, headline, {**fields, "changed": False, "transaction": None})


def _report(as_json: bool, headline: str, data: dict[str, Any]) -> None:
    if as_json:
        from rich.text import Text

        print_json({**data, "message": Text.from_markup(headline).plain})
        return
    from rich.table import Table

    console.print(headline, highlight=False, soft_wrap=True)
    for warning in data.get("warnings", ()):
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if data.get("transaction") is None:
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(overflow="fold")
    table.add_row("transaction", data["transaction"])
    table.add_row("block", str(data["block"]))
    table.add_row("gas used", f"{data['gasUsed']:,}")
    console.print(table)


def _party_dict(p: Party) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "controller": p.controller,
        "status": "suspended" if p.suspended else "active",
        "registeredAt": _time(p.registered_at),
    }


# --------------------------------------------------------------------------- depositary


@app.command("register")
def register_party(
    code: CodeArgument,
    name: Annotated[str, typer.Option("--name", help='Display name, e.g. "French Republic".', show_default=False)],
    controller: Annotated[
        str,
        typer.Option(
            "--controller", help="The party's controller: a 0x address or a local key name.", show_default=False
        ),
    ],
    key: DepositaryKey,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a party (depositary only)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    address = resolve_address(controller, "controller")
    gw = context.gateway()
    existing = _party_or_none(gw, raw)
    fields = {"action": "register", "party": code, "name": name.strip(), "controller": address}
    if existing and existing.name == name.strip() and existing.controller == address:
        _unchanged(as_json, f"party {code} is already registered with this name and controller", **fields)
        return
    result = registry.register_party(gw, _sender(key, password_file), code, name, address)
    _done(result, as_json, f"registered party [bold]{code}[/] ({escape(name.strip())}), controller {address}", **fields)


def _set_suspended(code: str, key: str, password_file: Path | None, as_json: bool, suspend: bool) -> None:
    raw = party_code(code)
    code = code.strip().upper()
    gw = context.gateway()
    action = "suspend" if suspend else "reinstate"
    fields = {"action": action, "party": code}
    if gw.party(raw).suspended == suspend:
        _unchanged(as_json, f"party {code} is already {'suspended' if suspend else 'active'}", **fields)
        return
    sender = _sender(key, password_file)
    result = gw.suspend_party(sender, raw) if suspend else gw.reinstate_party(sender, raw)
    what = "suspended: its keys cannot act until it is reinstated" if suspend else "reinstated"
    _done(result, as_json, f"party [bold]{code}[/] {what}", **fields)


@app.command()
def suspend(
    code: CodeArgument, key: DepositaryKey, password_file: PasswordFileOption = None, as_json: JsonOption = False
) -> None:
    """Suspend a party: none of its keys may act until it is reinstated (depositary only)."""
    _set_suspended(code, key, password_file, as_json, suspend=True)


@app.command()
def reinstate(
    code: CodeArgument, key: DepositaryKey, password_file: PasswordFileOption = None, as_json: JsonOption = False
) -> None:
    """Lift a party's suspension (depositary only)."""
    _set_suspended(code, key, password_file, as_json, suspend=False)


NewControllerOption = Annotated[
    str,
    typer.Option(
        "--controller", "--to", help="The new controller: a 0x address or a local key name.", show_default=False
    ),
]


@app.command("set-controller")
def set_controller(
    code: CodeArgument,
    to: NewControllerOption,
    key: Annotated[
        str,
        typer.Option(
            "--key", help="The current controller's key; with --reset, the depositary's key.", show_default=False
        ),
    ],
    reset: Annotated[
        bool, typer.Option("--reset", help="Schedule the reset of a lost controller with the depositary's key.")
    ] = False,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose a new controller, who takes over with `accept-control`; with --reset, the depositary
    schedules the replacement of a lost controller, effective after the controller-reset delay."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    address = resolve_address(to, "new controller")
    gw = context.gateway()
    previous = gw.party(raw).controller
    pending = gw.pending_control(raw)
    fields = {
        "action": "reset-controller" if reset else "transfer-control",
        "party": code,
        "controller": address,
        "previous": previous,
    }
    if previous == address:
        _unchanged(as_json, f"{address} already controls party {code}", **fields)
        return
    if not reset:
        accept = f"notary party accept-control {code} --key {address_labels().get(address, 'NEWKEY')}"
        if pending is not None and pending == (address, 0, False):
            headline = f"{address} is already proposed for {code}; it takes over with `{escape(accept)}`"
            _unchanged(as_json, headline, next=accept, **fields)
            return
        result = registry.transfer_control(gw, _sender(key, password_file), code, address)
        headline = (
            f"proposed {address} as controller of [bold]{code}[/]; {previous} keeps control until the new "
            f"controller runs `{escape(accept)}`"
        )
        _done(result, as_json, headline, next=accept, **fields)
        return
    complete = f"notary party complete-reset {code} --key KEY"
    if pending is not None and pending[0] == address and pending[2]:
        when = _time(pending[1])
        _unchanged(as_json, f"the reset of {code} to {address} is already scheduled, effective {when}", **fields)
        return
    result, scheduled = registry.schedule_controller_reset(gw, _sender(key, password_file), code, address)
    when = _time(scheduled.effective_at)
    headline = (
        f"reset of [bold]{code}[/]'s controller to {address} scheduled, effective {when}: then anyone may "
        f"complete it with `{complete}`; until then {previous} still controls {code}, and the depositary "
        f"may cancel it with `notary party cancel-reset {code} --key DEPOSITARY`"
    )
    _done(result, as_json, headline, effectiveAt=when, next=complete, **fields)


@app.command("accept-control")
def accept_control(
    code: CodeArgument,
    key: Annotated[str, _key_option("proposed controller")],
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take over a party whose controller proposed your key (step two of `set-controller`)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    me = context.keystore().info(key).address
    gw = context.gateway()
    previous = gw.party(raw).controller
    fields = {"action": "accept-control", "party": code, "controller": me, "previous": previous}
    if previous == me:
        _unchanged(as_json, f"{me} already controls party {code}", **fields)
        return
    result = registry.accept_control(gw, _sender(key, password_file), code)
    _done(result, as_json, f"{me} now controls party [bold]{code}[/] (was {previous})", **fields)


def _pending_reset(gw: LedgerGateway, raw: bytes, code: str, as_json: bool, action: str) -> tuple[str, str] | None:
    """(current controller, reset target) of a pending depositary reset; else report that none is pending."""
    controller = gw.party(raw).controller
    pending = gw.pending_control(raw)
    if pending is None or not pending[2]:
        headline = f"no controller reset of {code} is pending; its controller is {controller}"
        _unchanged(as_json, headline, action=action, party=code, controller=controller)
        return None
    return controller, pending[0]


@app.command("complete-reset")
def complete_reset(
    code: CodeArgument,
    key: Annotated[
        str,
        typer.Option("--key", help="Name of any local key: it signs and pays for the transaction.", show_default=False),
    ],
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply the depositary's controller reset once its delay has passed (any key may send it)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    gw = context.gateway()
    if (found := _pending_reset(gw, raw, code, as_json, "complete-reset")) is None:
        return
    previous, new = found
    result = registry.complete_controller_reset(gw, _sender(key, password_file), code)
    headline = f"control of [bold]{code}[/] reset by the depositary: {previous} → {new}"
    _done(result, as_json, headline, action="complete-reset", party=code, controller=new, previous=previous)


@app.command("cancel-reset")
def cancel_reset(
    code: CodeArgument, key: DepositaryKey, password_file: PasswordFileOption = None, as_json: JsonOption = False
) -> None:
    """Cancel a scheduled controller reset (depositary only)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    gw = context.gateway()
    if (found := _pending_reset(gw, raw, code, as_json, "cancel-reset")) is None:
        return
    controller, new = found
    result = registry.cancel_controller_reset(gw, _sender(key, password_file), code)
    headline = f"cancelled the reset of [bold]{code}[/]'s controller to {new}; {controller} keeps control"
    _done(result, as_json, headline, action="cancel-reset", party=code, controller=controller, cancelled=new)


def _duration(text: str | None, current: int, what: str) -> int:
    """Seconds from 72h, 3d, 90m, 0 or plain seconds; `current` when not given."""
    if text is None:
        return current
    from notary.timeparse import parse_time

    value = text.strip()
    if not re.fullmatch(r"\d+[smhdw]?", value):
        raise InvalidInputError(f"{what} {text!r} is not a duration", hint="e.g. 72h, 3d, 90m, or seconds")
    return parse_time(value if value.isdigit() else "+" + value, now=0)


@app.command("set-delays")
def set_delays(
    key: DepositaryKey,
    window: Annotated[
        str | None,
        typer.Option(
            "--repudiation-window",
            help="How far back a controller alone may declare a compromise: 72h, 3d, 90m, seconds.",
            show_default="unchanged",
        ),
    ] = None,
    reset_delay: Annotated[
        str | None,
        typer.Option(
            "--reset-delay",
            help="How long a depositary's controller reset waits before it takes effect.",
            show_default="unchanged",
        ),
    ] = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set the repudiation window and the controller-reset delay (depositary only). They take effect
    after the controller-reset delay in force now; resets already scheduled keep their time."""
    from notary import registry

    if window is None and reset_delay is None:
        raise InvalidInputError("nothing to set", hint="give --repudiation-window, --reset-delay or both")
    gw = context.gateway()
    current = registry.Delays(*gw.delays())
    pending = registry.pending_delays(gw)
    base = current if pending is None else pending.delays  # what an option not given leaves as it is
    new = registry.Delays(
        _duration(window, base.repudiation_window, "--repudiation-window"),
        _duration(reset_delay, base.controller_reset_delay, "--reset-delay"),
    )
    text = _delays_text(new)
    fields = {
        "action": "set-delays",
        "repudiationWindow": new.repudiation_window,
        "controllerResetDelay": new.controller_reset_delay,
        "warnings": registry.delay_warnings(new),
    }
    if pending is None and new == current:
        _unchanged(as_json, f"the registry already has {text}", **fields, effectiveAt=None)
        return
    if pending is not None and new == pending.delays:
        when = _time(pending.effective_at)
        headline = f"the registry already has {text} scheduled, effective {when}; until then {_delays_text(current)}"
        _unchanged(as_json, headline, **fields, effectiveAt=when)
        return
    change = registry.set_delays(gw, _sender(key, password_file), new.repudiation_window, new.controller_reset_delay)
    when = _time(change.effective_at)
    headline = (
        f"the registry will have {text} from {when} (after the controller-reset delay now in force, "
        f"{registry.duration_text(current.controller_reset_delay)}); until then {_delays_text(current)}"
    )
    if pending is not None:
        headline += f"; this replaces {_delays_text(pending.delays)} scheduled for {_time(pending.effective_at)}"
    _done(change.result, as_json, headline, **fields, effectiveAt=when)


def _delays_text(delays: Delays) -> str:
    """Both delays as a person reads them: "repudiation window 72h, controller-reset delay 72h"."""
    from notary.registry import duration_text

    return (
        f"repudiation window {duration_text(delays.repudiation_window)}, "
        f"controller-reset delay {duration_text(delays.controller_reset_delay)}"
    )


# --------------------------------------------------------------------------- controller


@app.command("add-signer")
def add_signer(
    code: CodeArgument,
    signer: Annotated[
        str, typer.Option("--signer", help="Key to authorise: a 0x address or a local key name.", show_default=False)
    ],
    key: ControllerKey,
    valid_from: Annotated[
        str | None,
        typer.Option(
            "--valid-from",
            help="Start of validity: ISO time (UTC), UNIX seconds, now, -2h, +1d.",
            show_default="when it is added",
        ),
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option("--valid-until", help="End of validity (exclusive), same forms.", show_default="never"),
    ] = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Authorise a signer key for a party within a validity window (controller only)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    address = resolve_address(signer, "signer")
    gw = context.gateway()
    now = gw.now()
    given_start = None if valid_from is None else _chain_time(valid_from, now, "--valid-from")
    start = now if given_start is None else given_start
    end = registry.FOREVER if valid_until is None else _chain_time(valid_until, now, "--valid-until")
    if end <= start:
        raise InvalidInputError(
            f"--valid-until {_time(end)} is not after --valid-from {_time(start)}",
            hint="the window [valid-from, valid-until) must not be empty",
        )
    fields = {
        "action": "add-signer",
        "party": code,
        "key": address,
        "warnings": registry.signer_warnings(gw, code, address),
    }
    current = gw.signer_key(raw, address)
    same_start = given_start is None or given_start == current.valid_from
    if current.added_at and not current.revoked_at and same_start and current.valid_until == end:
        window = {"validFrom": _time(current.valid_from), "validUntil": _time(current.valid_until)}
        _unchanged(as_json, f"key {address} is already authorised for {code} with this window", **fields, **window)
        return
    sender = _sender(key, password_file)  # unlocking takes a moment: the default start is taken after it
    start = gw.next_block_time() if given_start is None else given_start  # by default: when it is added
    if valid_until is not None:  # "+30d": thirty days of validity from its start
        end = _chain_time(valid_until, start if given_start is None else now, "--valid-until")
    result = registry.add_signer(gw, sender, code, address, start, end)
    added = gw.signer_key(raw, address)
    window = {"validFrom": _time(added.valid_from), "validUntil": _time(added.valid_until)}
    until_text = f"until {window['validUntil']}" if window["validUntil"] else "with no end date"
    span = f"from {window['validFrom'] or 'any time'} {until_text}"
    _done(result, as_json, f"key {address} may now sign for [bold]{code}[/] {span}", **fields, **window)


SignerOption = Annotated[
    str, typer.Option("--signer", help="The signer key: a 0x address or a local key name.", show_default=False)
]


@app.command("revoke-signer")
def revoke_signer(
    code: CodeArgument,
    signer: SignerOption,
    key: ControllerKey,
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            help="When the revocation takes effect: ISO time (UTC), UNIX seconds, now, -2h. "
            "A time in the past declares the key compromised from then: what it signed since becomes invalid. "
            "Further back than the repudiation window (default 72h), the key is revoked from the window's edge "
            "at once and the earlier time awaits the depositary's `confirm-revocation`.",
            show_default="the next block",
        ),
    ] = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a signer key; an effective time in the past declares a compromise (controller only)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    address = resolve_address(signer, "signer")
    gw = context.gateway()
    now = gw.now()
    # By default the next block: acts already on chain stay valid, nothing later counts.
    at = now + 1 if effective is None else _chain_time(effective, now, "--effective")
    requested = max(at, 1)
    fields = {"action": "revoke-signer", "party": code, "key": address, "requestedAt": _time(requested)}
    current = gw.signer_key(raw, address)
    revoked, pending = current.revoked_at, gw.pending_revocation(raw, address)
    beyond = requested < now - gw.delays()[0]
    confirm = f"notary party confirm-revocation {code} --signer {address} --key DEPOSITARY"
    if revoked and (revoked == requested or (effective is None and revoked <= at)):
        headline = f"key {address} of {code} is already revoked from {_time(revoked)}"
        _unchanged(as_json, headline, **fields, effectiveAt=_time(revoked), awaitingDepositary=_time(pending))
        return
    if beyond and pending and pending <= requested:
        headline = (
            f"key {address} of {code} is revoked from {_time(revoked)}; the earlier time {_time(pending)} "
            f"already awaits the depositary: `{confirm}`"
        )
        _unchanged(as_json, headline, **fields, effectiveAt=_time(revoked), awaitingDepositary=_time(pending))
        return
    if beyond and revoked and revoked <= requested:
        raise InvalidInputError(
            f"key {address} of {code} is already revoked from {_time(revoked)}, before {_time(requested)}: "
            "a revocation may only move earlier"
        )
    outcome = registry.declare_revocation(gw, _sender(key, password_file), code, address, at)
    fields.update(effectiveAt=_time(outcome.revoked_at), awaitingDepositary=_time(outcome.awaiting_depositary))
    compromise = registry.revocation_is_compromise(gw, outcome.revoked_at, outcome.result.block_number)
    if outcome.beyond_window:
        window = registry.duration_text(gw.delays()[0])
        where = (
            f"the edge of the {window} repudiation window"
            if outcome.revoked_at == outcome.window_edge
            else f"declared earlier; a controller alone may back-date at most the {window} repudiation window"
        )
        headline = (
            f"[bold red]compromise declared[/]: key {address} of [bold]{code}[/] is revoked from "
            f"{_time(outcome.revoked_at)} now ({where}); the earlier time you asked for, {_time(requested)}, "
            f"awaits the depositary: `{confirm}`"
        )
        _done(outcome.result, as_json, headline, compromise=compromise, next=confirm, **fields)
        return
    if compromise:
        headline = (
            f"[bold red]compromise declared[/]: key {address} of [bold]{code}[/] is revoked from {_time(at)}, "
            "a time the chain had already reached; acts it signed from then on are invalid, earlier ones stay valid"
        )
    else:
        headline = f"key {address} of [bold]{code}[/] is revoked from {_time(at)}"
    _done(outcome.result, as_json, headline, compromise=compromise, **fields)


@app.command("confirm-revocation")
def confirm_revocation(
    code: CodeArgument,
    signer: SignerOption,
    key: DepositaryKey,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm a compromise a controller back-dated beyond the repudiation window (depositary only)."""
    from notary import registry

    raw = party_code(code)
    code = code.strip().upper()
    address = resolve_address(signer, "signer")
    gw = context.gateway()
    pending, revoked = gw.pending_revocation(raw, address), gw.signer_key(raw, address).revoked_at
    fields = {"action": "confirm-revocation", "party": code, "key": address, "requestedAt": _time(pending)}
    if not pending and revoked:
        headline = f"no back-dated revocation of key {address} of {code} awaits confirmation; it is revoked from "
        _unchanged(as_json, headline + str(_time(revoked)), **fields, effectiveAt=_time(revoked))
        return
    result = registry.confirm_revocation(gw, _sender(key, password_file), code, address)
    after = gw.signer_key(raw, address).revoked_at
    if after == pending:
        headline = (
            f"[bold red]compromise confirmed[/]: key {address} of [bold]{code}[/] is revoked from {_time(after)}; "
            "acts it signed from then on are invalid, earlier ones stay valid"
        )
    else:
        headline = f"confirmed; key {address} of [bold]{code}[/] was already revoked from {_time(after)}, earlier"
    _done(result, as_json, headline, **fields, effectiveAt=_time(after))


# --------------------------------------------------------------------------- reads


@app.command("list")
def list_parties(as_json: JsonOption = False) -> None:
    """List the registered parties."""
    rows = [_party_dict(p) for p in context.gateway().parties()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(
            "no parties yet; the depositary registers them with `notary party register`",
            highlight=False,
            soft_wrap=True,
        )
        return
    from rich import box
    from rich.table import Table

    labels = address_labels()
    wide = console.width >= 120
    table = Table(title="Parties", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("code", no_wrap=True, style="bold")
    table.add_column("status", no_wrap=True)
    table.add_column("controller", no_wrap=True)
    table.add_column("name", overflow="fold")
    if wide:
        table.add_column("registered (UTC)", no_wrap=True)
    for r in rows:
        status = "[red]suspended[/]" if r["status"] == "suspended" else "[green]active[/]"
        cells = [r["code"], status, _label(r["controller"], labels, "\n"), escape(r["name"])]
        table.add_row(*cells, *([r["registeredAt"]] if wide else []))
    console.print(table)


@app.command()
def show(code: CodeArgument, as_json: JsonOption = False) -> None:
    """Show a party, its controller, pending changes, and every signer key with its window and status.

    A key is active, not yet valid, expired, revocation pending, revoked, or compromised
    (revoked from a time that blocks already on chain had reached); a compromise back-dated
    beyond the repudiation window shows the earlier time awaiting the depositary.
    """
    from notary import registry

    gw = context.gateway()
    data = registry.party_document(
        registry.show_party(gw, code), gw.now(), lambda at, block: registry.revocation_is_compromise(gw, at, block)
    )
    if as_json:
        print_json(data)
        return
    _print_party(data)
