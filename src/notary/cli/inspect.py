"""`notary status` and `notary verify`: what the ledger says about a document."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notary.cli import context, exit_codes
from notary.cli.documents import digest_of
from notary.cli.output import console, print_json, record_dict, record_table

if TYPE_CHECKING:
    from notary.verify import Verdict

Document = Annotated[str, typer.Argument(help="The document file, or its SHA-256 digest (64 hex digits).")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def status(
    document: Annotated[
        str,
        typer.Argument(
            metavar="FILE|DIGEST|RECORD",
            help="The document file, its SHA-256 digest (64 hex digits), or a record id (0x and 64 hex digits).",
        ),
    ],
    submitter: Annotated[str | None, typer.Option(help="Only the record submitted by this party.")] = None,
    as_json: Json = False,
) -> None:
    """Show every record of a document (or one record, by its id): state, where signing and
    ratification stand and what can be done next, and each act with its health and confirmations."""
    from notary.cli.documents import record_or_digest
    from notary.errors import RecordNotFoundError

    gw = context.gateway()
    digest, named = record_or_digest(gw, document, quiet=as_json)
    if named is not None:
        ids = [named]
    elif submitter:
        from notary.ledger import resolve_record

        ids = [resolve_record(gw, digest, submitter)]
    else:
        ids = gw.records_of_digest(digest)
    if not ids:
        raise RecordNotFoundError(
            f"document {digest.hex()} is not notarised on this ledger",
            hint="notarise it with `notary notarise`; a record is named by its id as 0x and 64 hex digits",
        )
    head = gw.chain.block_number()
    records = [gw.record(i) for i in ids]
    if as_json:
        print_json({"digest": digest.hex(), "records": [record_dict(r, head) for r in records]})
        return
    for r in records:
        console.print(record_table(r, head))


def verify(
    document: Document,
    as_json: Json = False,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", metavar="R", help="Verify with this receipt (see `notary receipt`).")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="With --receipt: no chain access at all; states what remains trusted.")
    ] = False,
    trust_receipt_deployment: Annotated[
        bool,
        typer.Option(
            "--trust-receipt-deployment",
            help="With --receipt, UNSAFE: trust the deployment the receipt names, pinned or not (this once).",
        ),
    ] = False,
    signed_by: Annotated[
        str | None,
        typer.Option("--signed-by", metavar="A,B", help="Policy: these parties must be bound by a passing record."),
    ] = None,
    in_force: Annotated[bool, typer.Option("--in-force", help="Policy: only a record in force (ratified).")] = False,
    submitter: Annotated[
        str | None, typer.Option("--submitter", metavar="PARTY", help="Policy: only a record notarised by PARTY.")
    ] = None,
) -> None:
    """Exit 0 only if an executed record with valid signatures binds this document, meets the policy and
    is not disputed by another record of it (annulled or terminated by its signatories)."""
    if receipt is not None:
        from notary.cli.receipts import verify_with_receipt

        return verify_with_receipt(document, receipt, offline, as_json, trust_receipt_deployment)
    if offline:
        from notary.errors import InvalidInputError

        raise InvalidInputError("--offline verifies a receipt", hint="add --receipt R (written by `notary receipt`)")
    from notary.verify import Policy, verify_digest

    policy = Policy.of(signed_by, in_force, submitter)
    digest = digest_of(document, quiet=as_json)
    from notary.cli.publish import local_store

    verdict = verify_digest(context.gateway(), digest, policy, local_store())
    if as_json:
        print_json(verdict_json(verdict))
    else:
        print_verdict(document, verdict)
    if not verdict.ok:
        raise typer.Exit(exit_codes.VERIFICATION_FAILED)


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "digest": verdict.digest.hex(),
        "verified": verdict.ok,
        "verdict": verdict.state,
        "disputedBy": list(verdict.disputed_by),
        "policy": verdict.policy.describe(),
        "notarised": verdict.notarised,
        "reasons": list(verdict.reasons),
        "records": [
            {
                "recordId": v.record.record_id_hex,
                "status": v.record.status.label,
                "effectiveStatus": (v.effective_status or v.record.status).label,
                "submitter": v.record.submitter,
                "ok": v.ok,
                "bound": list(v.bound),
                "unsigned": list(v.unsigned),
                "withdrawn": list(v.withdrawn),
                "annulledBy": list(v.annulled_by),
                "ratifiedBy": list(v.ratified_by),
                "reasons": list(v.reasons),
                "warnings": list(v.warnings),
            }
            for v in verdict.records
        ],
        "batches": [
            {
                "anchorId": b.membership.batch.anchor_id,
                "party": b.membership.batch.party,
                "title": b.membership.batch.title,
                "name": b.membership.name,
                "index": b.membership.ordinal,
                "count": b.membership.batch.count,
                "proof": ["0x" + h.hex() for h in b.membership.proof],
                "signer": b.signer,
                "anchoredAt": b.time,
                "included": b.included,
                "ok": b.ok,
                "reasons": list(b.reasons),
            }
            for b in verdict.batches
        ],
        "instrumentTexts": [
            {
                "instrumentDigest": t.text.instrument.digest,
                "title": t.text.instrument.title,
                "name": t.text.name,
                "role": t.text.role,
                "index": t.text.ordinal,
                "verdict": verdict_json(t.instrument),
            }
            for t in verdict.texts
        ],
    }


def _print_published(verdict: Verdict) -> None:
    from rich.markup import escape

    from notary.models import timestamp_text

    for b in verdict.batches:
        m = b.membership
        mark = "[green]✓[/]" if b.ok else "[red]✗[/]"
        title = f" “{escape(m.batch.title)}”" if m.batch.title else ""
        when = f" on {timestamp_text(b.time)}" if b.time is not None else ""
        console.print(
            f"{mark} document {m.ordinal + 1} of {m.batch.count} ({escape(m.name)}) in batch "
            f"{m.batch.anchor_id[:18]}…{title}, anchored by {m.batch.party}{when}; binds {m.batch.party} only"
        )
        for reason in b.reasons:
            console.print(f"    [red]•[/] {escape(reason)}")
    for t in verdict.texts:
        mark = "[green]✓[/]" if t.ok else "[red]✗[/]"
        title = f" “{escape(t.text.instrument.title)}”" if t.text.instrument.title else ""
        console.print(
            f"{mark} {t.text.role} {escape(t.text.name)} of instrument {t.text.instrument.digest[:16]}…{title}: "
            f"{t.instrument.state.replace('-', ' ')}"
        )
        for r in t.instrument.records:
            state = (r.effective_status or r.record.status).label
            console.print(
                f"    record {r.record.record_id_hex[:18]}… by {r.record.submitter}: {state}; "
                f"binds {', '.join(r.bound) or 'nobody'}"
            )
            for reason in r.reasons:
                console.print(f"      [red]•[/] {escape(reason)}")


def print_verdict(document: str, verdict: Verdict) -> None:
    _print_published(verdict)
    for v in verdict.records:
        mark = "[green]✓[/]" if v.ok else "[red]✗[/]"
        state = (v.effective_status or v.record.status).label
        console.print(
            f"{mark} record {v.record.record_id_hex[:18]}… by {v.record.submitter}: {state}; "
            f"binds {', '.join(v.bound) or 'nobody'}"
            + (f"; named but never signed: {', '.join(v.unsigned)}" if v.unsigned else "")
            + (f"; withdrawn: {', '.join(v.withdrawn)}" if v.withdrawn else "")
        )
        for reason in v.reasons:
            console.print(f"    [red]•[/] {reason}")
        for warning in v.warnings:
            console.print(f"    [yellow]•[/] {warning}")
    headline = {
        "verified": "[bold green]VERIFIED[/]",
        "disputed": "[bold red]DISPUTED[/]",
    }.get(verdict.state, "[bold red]NOT VERIFIED[/]")
    console.print(f"{document}: {headline}")
    if verdict.disputed:
        for reason in verdict.reasons:
            if reason.startswith("disputed:"):
                console.print(f"  {reason}")
    if not verdict.notarised:
        console.print("  the document is not notarised on this ledger")
        if not verdict.batches and not verdict.texts:
            console.print(
                "  a member of a batch, or one text of a multi-text instrument, is found once its bundle or "
                "manifest is published (`notary publish`); or verify it with its receipt (--receipt R)"
            )


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("verify")(verify)
