"""`notary status` and `notary verify`: what the ledger says about a document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from notary.cli import context, exit_codes
from notary.cli.documents import digest_of
from notary.cli.output import console, print_json, record_dict, record_table

Document = Annotated[str, typer.Argument(help="The document file, or its SHA-256 digest (64 hex digits).")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def status(
    document: Document,
    submitter: Annotated[str | None, typer.Option(help="Only the record submitted by this party.")] = None,
    as_json: Json = False,
) -> None:
    """Show every record of a document: state, parties, signatures and their health."""
    from notary.errors import RecordNotFoundError
    from notary.ledger import resolve_record

    digest = digest_of(document, quiet=as_json)
    gw = context.gateway()
    ids = [resolve_record(gw, digest, submitter)] if submitter else gw.records_of_digest(digest)
    if not ids:
        raise RecordNotFoundError(
            f"document {digest.hex()} is not notarised on this ledger",
            hint="notarise it with `notary notarise`",
        )
    head = gw.chain.block_number()
    records = [gw.record(i) for i in ids]
    if as_json:
        print_json({"digest": digest.hex(), "records": [record_dict(r, head) for r in records]})
        return
    for r in records:
        console.print(record_table(r))


def verify(
    document: Document,
    as_json: Json = False,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", metavar="R", help="Verify with this receipt (see `notary receipt`).")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="With --receipt: no chain access at all; states what remains trusted.")
    ] = False,
) -> None:
    """Exit 0 only if the document is notarised by an executed record with valid signatures."""
    from notary.verify import verify_digest

    if receipt is not None:
        from notary.cli.receipts import verify_with_receipt

        return verify_with_receipt(document, receipt, offline, as_json)
    if offline:
        from notary.errors import InvalidInputError

        raise InvalidInputError("--offline verifies a receipt", hint="add --receipt R (written by `notary receipt`)")

    digest = digest_of(document, quiet=as_json)
    verdict = verify_digest(context.gateway(), digest)
    if as_json:
        print_json(
            {
                "digest": digest.hex(),
                "verified": verdict.ok,
                "notarised": verdict.notarised,
                "reasons": list(verdict.reasons),
                "records": [
                    {
                        "recordId": v.record.record_id_hex,
                        "status": v.record.status.label,
                        "submitter": v.record.submitter,
                        "ok": v.ok,
                        "reasons": list(v.reasons),
                        "warnings": list(v.warnings),
                    }
                    for v in verdict.records
                ],
            }
        )
    else:
        for v in verdict.records:
            mark = "[green]✓[/]" if v.ok else "[red]✗[/]"
            signers = ", ".join(
                f"{a.party} ({a.intent.label})" for a in v.record.attestations if a.valid and a.intent.value <= 1
            )
            console.print(
                f"{mark} record {v.record.record_id_hex[:18]}… by {v.record.submitter}: "
                f"{v.record.status.label}; signed by {signers or 'nobody'}"
            )
            for reason in v.reasons:
                console.print(f"    [red]•[/] {reason}")
            for warning in v.warnings:
                console.print(f"    [yellow]•[/] {warning}")
        headline = "[bold green]VERIFIED[/]" if verdict.ok else "[bold red]NOT VERIFIED[/]"
        console.print(f"{document}: {headline}")
        if not verdict.notarised:
            console.print("  the document is not notarised on this ledger")
    if not verdict.ok:
        raise typer.Exit(exit_codes.VERIFICATION_FAILED)


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("verify")(verify)
