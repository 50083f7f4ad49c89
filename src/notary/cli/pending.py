"""`notary pending`: the acts this machine sent that are not final yet, from the send journal.

It first sweeps the journal as every submission does (`notary.journal.sweep`): acts the
node lost (a restart, a reorg) are re-broadcast as the same signed bytes, acts that
reached the confirmation depth become recorded, and a reorg that dropped an act already
reported as recorded is said loudly. `--all` also lists recorded acts still watched for
reorgs (`notary.journal.REORG_WATCH` blocks past the depth).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli._act_send import confirmations, print_notes
from notary.cli.output import console, plural, print_json


def pending(
    show_all: Annotated[bool, typer.Option("--all", help="Also list recorded acts still watched for reorgs.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the acts sent from this machine that are not final yet (and re-send any the node lost)."""
    from notary.journal import RECORDED, REORG_WATCH, Journal, sweep

    chain = context.chain()
    depth = confirmations(chain)
    journal = Journal(context.settings().resolved_data_dir, chain.chain_id)
    print_notes(sweep(chain, journal, depth))
    head = chain.block_number()
    entries = journal.entries()
    rows = [_row(e, head, depth) for e in entries if show_all or e.state != RECORDED]
    if as_json:
        print_json({"confirmations": depth, "head": head, "acts": rows})
        return
    watched = sum(1 for e in entries if e.state == RECORDED)
    if not rows:
        extra = f" ({plural(watched, 'recorded act')} still watched for reorgs; see --all)" if watched else ""
        console.print(f"no act is pending: every act sent from this machine is final{extra}", highlight=False)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("act", "state", "transaction", "block", "confirmations"):
        table.add_column(column, overflow="fold")
    for r in rows:
        deep = "—" if r["confirmations"] is None else f"{r['confirmations']} of {depth}"
        table.add_row(
            escape(f"{r['party']} {r['intent']} {r['id'][:18]}…"),
            r["state"],
            r["transaction"],
            "—" if r["block"] is None else str(r["block"]),
            deep,
        )
    console.print(table)
    console.print(
        f"An act is recorded at {plural(depth, 'confirmation')}; recorded acts are watched for "
        f"{REORG_WATCH} more blocks. Run this again (or any command that submits) to re-send what the node lost.",
        highlight=False,
    )


def _row(entry: Any, head: int, depth: int) -> dict[str, Any]:
    deep = None if entry.block_number is None else max(0, head - entry.block_number)
    return {
        "party": entry.key.party,
        "intent": entry.key.intent,
        "id": "0x" + entry.key.record.hex(),
        "ledger": entry.key.ledger,
        "state": entry.state,
        "description": entry.describe(),
        "transaction": entry.transaction,
        "block": entry.block_number,
        "confirmations": deep,
        "final": entry.state == "recorded",
    }


def register(app: typer.Typer) -> None:
    app.command("pending")(pending)
