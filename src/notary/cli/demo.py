"""`notary demo`: the whole product, in order, on the in-process chain (see `notary.demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notary.cli.output import console, print_json, record_dict

if TYPE_CHECKING:
    from rich.table import Table

    from notary.demo import DemoResult


def _next_steps(result: DemoResult) -> list[tuple[str, str]]:
    """What to try after the demo, with the paths it wrote (the in-process chain is gone: these work offline)."""
    o = result.outputs
    pinned = f"notary --deployment {o['deployment']} verify"
    return [
        ("what the demo wrote", f"ls {result.out}"),
        ("the MoU's receipt, offline", f"{pinned} {result.document} --receipt {o['receipt']} --offline"),
        ("one certificate's proof", f"{pinned} {o['certificate']} --receipt {o['certificateReceipt']} --offline"),
        ("the auditor's report", f"{o['report']} (page 1: the compromise; then every event)"),
        ("a ledger that persists", "notary node start, then the README's walk-through from `notary deploy`"),
        ("the API and verifier page", "notary serve, then open http://127.0.0.1:8000/ and drop a file on it"),
    ]


def demo(
    document: Annotated[
        Path | None, typer.Option("--file", help="Document to notarise as the MoU (default: the sample MoU).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the files the demo writes [default: a new temporary one].")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """The whole product on an in-process chain: an MoU signed offline, a receipt, a treaty in force, an
    amendment, a key compromise undone, 1,000 certificates in one batch, an audit export verified."""
    from notary.chain.connect import in_process
    from notary.demo import SAMPLE_MOU, run_demo

    say = (lambda _: None) if as_json else (lambda m: console.print(f"[dim]•[/] {m}", highlight=False))
    result = run_demo(in_process(), document or SAMPLE_MOU, say=say, out=out)
    if as_json:
        print_json(_json(result))
        return
    _human(result)


def _json(result: DemoResult) -> dict[str, Any]:
    return {
        "document": str(result.document),
        "verified": result.verdict.ok,
        "record": record_dict(result.record),
        "gas": result.gas,
        "steps": [{"step": s.name, "summary": s.title, **s.facts} for s in result.steps],
        "records": {name: record_dict(r, keys=result.keys) for name, r in result.records.items()},
        "outputs": {name: str(p) for name, p in result.outputs.items()},
        "out": str(result.out),
    }


def _table(*columns: str, title: str = "") -> Table:
    from rich.table import Table

    table = Table(title=title or None, title_justify="left", expand=False)
    for col in columns:
        table.add_column(col, overflow="fold")  # hashes wrap, never cut
    return table


def _human(result: DemoResult) -> None:
    from rich.markup import escape

    console.print()
    console.print("[bold]The story, step by step[/]")
    for n, step in enumerate(result.steps, start=1):
        ok = all(step.facts.get(k, True) for k in ("verified", "holds"))
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        console.print(f" {mark} {n}. {step.title}", highlight=False)
    records = _table("record", "id", "kind", "state", "acts (party, intent, health)", title="Records")
    for name, r in result.records.items():
        acts = "\n".join(
            f"{a['party']} {a['intent']}: {a['health']}" for a in record_dict(r, keys=result.keys)["attestations"]
        )
        records.add_row(name, "0x" + r.record_id.hex(), r.kind, r.status.label, acts)
    console.print(records)
    gas = _table("operation", "gas", title="Gas per transaction")
    for label, used in result.gas.items():
        gas.add_row(label, f"{used:,}")
    console.print(gas)
    audit = next((s for s in result.steps if s.name == "audit"), None)
    if audit is not None:
        for note in audit.facts["notes"]:
            console.print(f"[yellow]audit note:[/] {note}", highlight=False)
    verdict = "[green]VERIFIED[/]" if result.verdict.ok else "[red]NOT VERIFIED[/]"
    console.print(f"{result.document.name}: {verdict} when co-signed — record {result.record.status.label}")
    for reason in result.verdict.reasons:
        console.print(f"  [red]✗[/] {reason}")
    console.print("\n[bold]Where to look next[/]")
    for what, how in _next_steps(result):
        console.print(f"  {what}: [cyan]{escape(how)}[/]", highlight=False)
