"""`notary audit export|verify`: the full trail for auditors, and its independent re-check."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from notary.cli import exit_codes
from notary.cli.index import DbOption, IndexOptions, event_reader, make_indexer, open_db
from notary.cli.output import console, print_json

_print = functools.partial(console.print, soft_wrap=True, highlight=False)

app = typer.Typer(help="Export the audit trail and verify exports against the chain.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The export file; its manifest goes beside it.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, jsonl or pdf.")] = "csv",
    party: Annotated[str | None, typer.Option(help="Only events of this party.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only events of records of this kind.")] = None,
    digest: Annotated[str | None, typer.Option(help="Only events of this document digest (or batch root).")] = None,
    since: Annotated[str | None, typer.Option(help="Only events at or after (ISO 8601, UNIX seconds, -7d).")] = None,
    until: Annotated[str | None, typer.Option(help="Only events before.")] = None,
    from_block: Annotated[int | None, typer.Option("--from-block", min=0)] = None,
    to_block: Annotated[int | None, typer.Option("--to-block", min=0, help="Default: the index's checkpoint.")] = None,
    no_sync: Annotated[bool, typer.Option("--no-sync", help="Do not bring the index up to date first.")] = False,
    db: DbOption = None,
    as_json: Json = False,
) -> None:
    """Write the events of the index as CSV, JSON Lines or a PDF report, with a manifest."""
    from notary.audit import export as do_export
    from notary.audit.manifest import manifest_path
    from notary.index import EventFilter, IndexReader

    flt = EventFilter.from_text(
        party=party,
        kind=kind,
        digest=digest,
        since=since,
        until=until,
        from_block=from_block,
        to_block=to_block,
    )
    if not no_sync:
        make_indexer(IndexOptions(db=db)).run_once()
    reader = event_reader() if to_block is not None else None
    manifest = do_export(
        IndexReader(open_db(db)),
        output,
        fmt.lower(),
        flt,
        block_hash=(lambda n: reader.block(n).hash) if reader else None,
    )
    if as_json:
        print_json({"export": str(output), "manifest": str(manifest_path(output)), **manifest.__dict__})
        return
    _print(
        f"wrote {manifest.row_count} rows (blocks {manifest.from_block}..{manifest.to_block}) to {output}\n"
        f"manifest {manifest_path(output)}: Merkle root {manifest.merkle_root}"
    )


@app.command("verify")
def verify(
    export_file: Annotated[Path, typer.Argument(metavar="EXPORT", help="A CSV or JSON Lines export.")],
    previous: Annotated[
        Path | None, typer.Option("--previous", help="An older export this one must extend unchanged.")
    ] = None,
    range_size: Annotated[int, typer.Option("--range", min=1, help="Blocks per log query.")] = 1000,
    as_json: Json = False,
) -> None:
    """Re-check an export against the chain alone; exit 0 only if it holds."""
    from rich.markup import escape

    from notary.audit import verify_export

    report = verify_export(export_file, event_reader(), previous, range_size)
    if as_json:
        print_json(report.to_json())
    else:
        for problem in report.problems:
            _print(f"[red]✗[/] {escape(problem)}")
        for note in report.notes:
            _print(f"[yellow]note:[/] {escape(note)}")
        n = len(report.problems)
        verdict = "[bold green]HOLDS[/]" if report.ok else f"[bold red]DOES NOT HOLD[/] ({n} problem{'s' * (n != 1)})"
        _print(f"{export_file}: {report.rows} rows; {verdict}")
    if not report.ok:
        raise typer.Exit(exit_codes.VERIFICATION_FAILED)
