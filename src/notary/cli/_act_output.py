"""Output of the act commands: the outcome of a submission, or the payload written offline,
as a table for people or as JSON (`--json`) for machines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from notary.cli.output import console, print_json
from notary.codes import bytes32_to_text

if TYPE_CHECKING:
    from notary.journal import Outcome
    from notary.ledger import SignedPayload
    from notary.models import Act, BatchAnchor, Notarisation


def write_offline(
    signed: SignedPayload, output: Path | None, as_json: bool, *, digest: bytes, record: bytes, **extra: Any
) -> None:
    """Write the payload signed offline to `output` and say what it holds and how to relay it."""
    from notary import signed_payload
    from notary.models import Act, timestamp_text

    assert output is not None  # check_offline
    p: Notarisation | Act | BatchAnchor = signed.payload
    signed_payload.write(signed, output)
    fields: dict[str, Any] = {
        "file": str(output),
        "primaryType": type(p).__name__,
        "party": bytes32_to_text(p.party),
        "intent": p.intent.label if isinstance(p, Act) else "notarisation",
        "digest": digest.hex(),
        "recordId": "0x" + record.hex(),
        "signer": signed.signer,
        "deadline": timestamp_text(p.deadline),
        "chainId": signed.domain.chain_id,
        "ledger": signed.domain.verifying_contract,
        **extra,
    }
    if as_json:
        print_json(fields)
        return
    console.print(f"[green]✓[/] signed offline; nothing was sent. Payload written to [bold]{escape(str(output))}[/]")
    _print_fields(fields)
    console.print(f"Relay it from a connected machine with `notary submit {escape(str(output))} --relayer NAME`.")


def report(outcome: Outcome, as_json: bool, headline: str, fields: dict[str, Any]) -> None:
    """Say how a submission ended: sent, resumed, or already recorded (nothing sent)."""
    fields = {
        **fields,
        "transaction": outcome.transaction,
        "block": outcome.block_number,
        "gasUsed": outcome.gas_used,
        "alreadyRecorded": outcome.already_recorded,
        "resumed": outcome.resumed,
    }
    if outcome.replaced:  # underpriced: the same nonce signed again with higher fees, so one was mined
        fields["replaced"] = list(outcome.replaced)
    if as_json:
        print_json(fields)
        return
    headline = escape(headline)
    if outcome.already_recorded:
        console.print(f"[yellow]already recorded[/]: {headline}; nothing was sent", highlight=False)
    elif outcome.resumed:
        how = {"mined": "was mined", "pending": "was pending, now mined", "rebroadcast": "was re-broadcast"}
        note = how[outcome.resumed]
        console.print(f"[green]✓[/] recorded {headline} (resumed an interrupted run: it {note})", highlight=False)
    else:
        console.print(f"[green]✓[/] recorded {headline}", highlight=False)
    if outcome.replaced:
        console.print(
            f"[yellow]note[/]: {len(outcome.replaced)} underpriced or dropped transaction(s) were replaced with "
            "higher fees (same nonce: only one transaction recorded the act)",
            highlight=False,
        )
    _print_fields({k: v for k, v in fields.items() if k not in ("alreadyRecorded", "resumed") and v is not None})


def human(value: Any) -> str:
    """A field's value for people: lists joined, a metadata object as its title and texts
    (`name (role)`), never a Python repr; the full values are in --json."""
    if isinstance(value, list):
        return ", ".join(human(v) for v in value) or "—"
    if isinstance(value, dict):
        if "name" in value and "role" in value:
            return f"{value['name']} ({value['role']})"
        return "; ".join(f"{k}: {human(v)}" for k, v in value.items()) or "—"
    return str(value)


def _print_fields(fields: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table.grid(padding=(0, 1))  # a record id (66 characters) fits 80 columns beside its label
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")  # hashes wrap at the terminal's width, never cut
    for name, value in fields.items():
        table.add_row(name, escape(human(value)))
    console.print(table)
