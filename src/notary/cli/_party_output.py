"""`notary party show` for people: the party, its pending changes, its signer keys and their history.

Hashes and addresses wrap at the terminal's width rather than being cut; below 132 columns
each key (and each history entry) takes a few lines instead of a table row.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from notary.cli.keys import address_labels
from notary.cli.output import console


def label(address: str, labels: dict[str, str], sep: str = " ") -> str:
    """An address with the name of the local key that holds it, if any."""
    return f"{address}{sep}[dim]({labels[address]})[/]" if address in labels else address


_STATUS_STYLE = {
    "active": "green",
    "revocation pending": "yellow",
    "compromised": "bold red",
    "revoked": "red",
    "expired": "yellow",
}


def print_party(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    from notary.registry import duration_text

    labels = address_labels()
    head = Table(title=f"Party {data['code']}", show_header=False, title_justify="left")
    head.add_column("field", style="bold")
    head.add_column("value", overflow="fold")
    head.add_row("name", escape(data["name"]))
    head.add_row("controller", label(data["controller"], labels))
    head.add_row("status", "[red]suspended[/]" if data["status"] == "suspended" else "[green]active[/]")
    head.add_row("registered", data["registeredAt"])
    if (pc := data["pendingControl"]) is not None:
        head.add_row("pending control", _pending_text(data["code"], pc, labels))
    if (delays := data["delays"]) is not None:
        window, reset = (duration_text(delays[k]) for k in ("repudiationWindow", "controllerResetDelay"))
        head.add_row("delays", f"repudiation window {window}, controller-reset delay {reset}")
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
            label(k["key"], labels, "\n"),
            f"[{_STATUS_STYLE[k['status']]}]{k['status']}[/]" if k["status"] in _STATUS_STYLE else k["status"],
            k["validFrom"] or "-",
            k["validUntil"] or "never",
            (k["revokedAt"] or "-")
            + (f"\n[yellow]pending {k['pendingRevocation']}[/]" if k["pendingRevocation"] else ""),
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
    else:
        for row in rows:  # narrow terminal: one block per key
            block = Table.grid(padding=(0, 2))
            block.add_column(style="dim")
            block.add_column(overflow="fold")
            for col, cell in zip(columns, row, strict=True):
                block.add_row(col, cell.replace("\n", " "))
            console.print(block, "")
    if any(k["pendingRevocation"] for k in data["keys"]):
        console.print(
            "pending: a compromise back-dated beyond the repudiation window, which awaits the depositary: "
            f"`notary party confirm-revocation {data['code']} --signer KEY --key DEPOSITARY`",
            highlight=False,
            soft_wrap=True,
        )
    print_history(data["history"], labels)


def _event_text(h: dict[str, Any]) -> str:
    event = h["event"]
    if event == "SignerAdded":
        return f"added, valid from {h['validFrom'] or 'any time'} until {h['validUntil'] or 'never'}"
    if event == "SignerRevoked":
        text = f"revoked from {h['effectiveAt'] or 'the start'}"
        if h.get("compromise"):
            text += ": [bold red]compromise[/] (what it signed from then on is void)"
        return text
    if event == "BackdatedRevocationRequested":
        return f"compromise back-dated to {h['requestedAt']}, beyond the repudiation window: awaits the depositary"
    if event == "BackdatedRevocationConfirmed":
        return f"back-dated compromise confirmed by the depositary: revoked from {h['effectiveAt']}"
    return escape(event)


def print_history(history: list[dict[str, Any]], labels: dict[str, str]) -> None:
    """The key history, oldest first: each event, its key and block (the transactions are in --json)."""
    from rich.table import Table

    if not history:
        return
    console.print("[bold]Key history[/] (times in UTC, oldest first)", highlight=False, soft_wrap=True)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for h in history:
        grid.add_row(h["time"] or "-", _event_text(h))
        grid.add_row("", f"[dim]key[/] {label(h['key'], labels)} [dim]block {h['block']}[/]")
    console.print(grid)


def _pending_text(code: str, pc: dict[str, Any], labels: dict[str, str]) -> str:
    who = label(pc["controller"], labels)
    if not pc["byDepositary"]:
        return f"{who} proposed; takes over with `notary party accept-control {code} --key …`"
    if pc["due"]:
        due = pc["effectiveAt"]
        return f"reset to {who} by the depositary, due since {due}: `notary party complete-reset {code} --key K`"
    return f"reset to {who} by the depositary, effective {pc['effectiveAt']}; until then the controller above acts"
