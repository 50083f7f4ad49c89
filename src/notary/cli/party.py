"""`notary party …`: register parties, manage their controllers and signer keys.

The depositary's key registers, suspends and reinstates parties and may reset a lost
controller; a party's controller key adds and revokes its signer keys. Re-running a
write whose effect is already on chain reports it and sends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli.keys import address_labels, resolve_address
from notary.cli.output import console, print_json
from notary.codes import party_code
from notary.errors import InvalidInputError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import TxResult
    from notary.models import Party

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


@app.command("set-controller")
def set_controller(
    code: CodeArgument,
    to: Annotated[
        str, typer.Option("--to", help="The new controller: a 0x address or a local key name.", show_default=False)
    ],
    key: Annotated[
        str,
        typer.Option(
            "--key", help="The current controller's key; with --reset, the depositary's key.", show_default=False
        ),
    ],
    reset: Annotated[bool, typer.Option("--reset", help="Reset a lost controller with the depositary's key.")] = False,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hand control of a party to a new controller (or, with --reset, replace a lost one)."""
    raw = party_code(code)
    code = code.strip().upper()
    address = resolve_address(to, "new controller")
    gw = context.gateway()
    previous = gw.party(raw).controller
    fields = {"action": "reset-controller" if reset else "transfer-control", "party": code, "controller": address}
    if previous == address:
        _unchanged(as_json, f"{address} already controls party {code}", **fields)
        return
    sender = _sender(key, password_file)
    result = gw.reset_controller(sender, raw, address) if reset else gw.transfer_control(sender, raw, address)
    how = "reset by the depositary" if reset else "transferred"
    _done(result, as_json, f"control of [bold]{code}[/] {how}: {previous} → {address}", previous=previous, **fields)


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
            "--valid-from", help="Start of validity: ISO time (UTC), UNIX seconds, now, -2h, +1d.", show_default="now"
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
    fields = {"action": "add-signer", "party": code, "key": address}
    current = gw.signer_key(raw, address)
    same_start = given_start is None or given_start == current.valid_from
    if current.added_at and not current.revoked_at and same_start and current.valid_until == end:
        window = {"validFrom": _time(current.valid_from), "validUntil": _time(current.valid_until)}
        _unchanged(as_json, f"key {address} is already authorised for {code} with this window", **fields, **window)
        return
    result = registry.add_signer(gw, _sender(key, password_file), code, address, start, end)
    added = gw.signer_key(raw, address)
    window = {"validFrom": _time(added.valid_from), "validUntil": _time(added.valid_until)}
    until_text = f"until {window['validUntil']}" if window["validUntil"] else "with no end date"
    span = f"from {window['validFrom'] or 'any time'} {until_text}"
    _done(result, as_json, f"key {address} may now sign for [bold]{code}[/] {span}", **fields, **window)


@app.command("revoke-signer")
def revoke_signer(
    code: CodeArgument,
    signer: Annotated[
        str, typer.Option("--signer", help="Key to revoke: a 0x address or a local key name.", show_default=False)
    ],
    key: ControllerKey,
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            help="When the revocation takes effect: ISO time (UTC), UNIX seconds, now, -2h. "
            "A time in the past declares the key compromised from then: what it signed since becomes invalid.",
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
    fields = {"action": "revoke-signer", "party": code, "key": address, "effectiveAt": _time(at)}
    current = gw.signer_key(raw, address)
    if current.revoked_at and (current.revoked_at == at or (effective is None and current.revoked_at <= at)):
        when = _time(current.revoked_at)
        _unchanged(
            as_json, f"key {address} of {code} is already revoked from {when}", **{**fields, "effectiveAt": when}
        )
        return
    result = registry.revoke_signer(gw, _sender(key, password_file), code, address, at)
    compromise = registry.revocation_is_compromise(gw, at, result.block_number)
    if compromise:
        headline = (
            f"[bold red]compromise declared[/]: key {address} of [bold]{code}[/] is revoked from {_time(at)}, "
            "a time the chain had already reached; acts it signed from then on are invalid, earlier ones stay valid"
        )
    else:
        headline = f"key {address} of [bold]{code}[/] is revoked from {_time(at)}"
    _done(result, as_json, headline, compromise=compromise, **fields)


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
    """Show a party, its controller, and every signer key with its window and status.

    A key is active, not yet valid, expired, revocation pending, revoked, or compromised
    (revoked from a time that blocks already on chain had reached).
    """
    from notary import registry
    from notary.views import party_dict

    gw = context.gateway()
    data = party_dict(
        registry.show_party(gw, code), gw.now(), lambda at, block: registry.revocation_is_compromise(gw, at, block)
    )
    if as_json:
        print_json(data)
        return
    _print_party(data)


def _label(address: str, labels: dict[str, str], sep: str = " ") -> str:
    """An address with the name of the local key that holds it, if any."""
    return f"{address}{sep}[dim]({labels[address]})[/]" if address in labels else address


_STATUS_STYLE = {
    "active": "green",
    "revocation pending": "yellow",
    "compromised": "bold red",
    "revoked": "red",
    "expired": "yellow",
}


def _print_party(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    labels = address_labels()
    head = Table(title=f"Party {data['code']}", show_header=False, title_justify="left")
    head.add_column("field", style="bold")
    head.add_column("value", overflow="fold")
    head.add_row("name", escape(data["name"]))
    head.add_row("controller", _label(data["controller"], labels))
    head.add_row("status", "[red]suspended[/]" if data["status"] == "suspended" else "[green]active[/]")
    head.add_row("registered", data["registeredAt"])
    head.add_row("chain time", data["chainTime"])
    console.print(head)
    if not data["keys"]:
        console.print(
            f"no signer keys; the controller adds one with `notary party add-signer {data['code']}`",
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print("[bold]Signer keys[/] (times in UTC)", highlight=False, soft_wrap=True)
    rows = [
        (
            _label(k["key"], labels, "\n"),
            f"[{_STATUS_STYLE[k['status']]}]{k['status']}[/]" if k["status"] in _STATUS_STYLE else k["status"],
            k["validFrom"] or "-",
            k["validUntil"] or "never",
            k["revokedAt"] or "-",
        )
        for k in data["keys"]
    ]
    columns = ("key", "status", "valid from", "valid until", "revoked at")
    if console.width >= 132:
        table = Table(box=box.SIMPLE_HEAD)
        for col in columns:
            table.add_column(col, no_wrap=True)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    for row in rows:  # narrow terminal: one block per key
        block = Table.grid(padding=(0, 2))
        block.add_column(style="dim")
        block.add_column(overflow="fold")
        for col, cell in zip(columns, row, strict=True):
            block.add_row(col, cell.replace("\n", " "))
        console.print(block, "")
