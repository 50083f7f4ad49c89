"""`notary demo`: the whole flow on the in-process chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from notary.cli.output import console, print_json, record_dict, record_table


def demo(
    document: Annotated[
        Path | None, typer.Option("--file", help="Document to notarise (default: the sample MoU).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Two states notarise and co-sign a bilateral MoU on an in-process chain."""
    from notary.chain.connect import in_process
    from notary.demo import SAMPLE_MOU, run_demo

    say = (lambda _: None) if as_json else (lambda m: console.print(f"[dim]•[/] {m}"))
    result = run_demo(in_process(), document or SAMPLE_MOU, say=say)
    if as_json:
        print_json(
            {
                "document": str(result.document),
                "verified": result.verdict.ok,
                "record": record_dict(result.record),
                "gas": result.gas,
            }
        )
        return
    console.print(record_table(result.record))
    verdict = "[green]VERIFIED[/]" if result.verdict.ok else "[red]NOT VERIFIED[/]"
    console.print(f"{result.document.name}: {verdict} — record {result.record.status.label}")
    for reason in result.verdict.reasons:
        console.print(f"  [red]✗[/] {reason}")
