"""`notary receipt` and `notary verify FILE --receipt R [--offline]`: portable proofs.

A receipt verifies with no chain access (`--offline`); without `--offline` it is also
confirmed against the node and what changed since is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context, exit_codes
from notary.cli._evidence import ForceOpt
from notary.cli.output import console, err_console, plural, print_json
from notary.errors import InvalidInputError

if TYPE_CHECKING:
    from notary import instruments
    from notary.chain.gateway import LedgerGateway
    from notary.receipts import Receipt
    from notary.receipts.verify import ReceiptVerdict

TextsOpt = Annotated[
    list[Path] | None,
    typer.Option("--text", metavar="FILE", help="An equally authentic text of the instrument (repeat, in order)."),
]
AnnexesOpt = Annotated[
    list[Path] | None, typer.Option("--annex", metavar="FILE", help="An annex of the instrument (repeat, in order).")
]
ReceiptOutOpt = Annotated[
    Path | None,
    typer.Option("--receipt-out", metavar="R", help="Also write a receipt of the record to R once recorded."),
]


def check_receipt_target(gw: LedgerGateway, record_id: bytes, path: Path, force: bool) -> Receipt | None:
    """Refuse `path` if it holds other evidence than this record's receipt (unless `force`);
    returns the receipt it already holds, to refresh."""
    from notary.cli import _evidence

    subject = _evidence.record_receipt(gw.domain.chain_id, gw.domain.verifying_contract, record_id)
    held = _evidence.guard(path, subject, force)
    return None if held is None else held.receipt


def write_record_receipt(
    gw: LedgerGateway,
    record_id: bytes,
    path: Path,
    *,
    metadata: dict[str, Any] | None = None,
    instrument: instruments.Instrument | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Read the record's evidence from the chain and write its receipt; returns a summary.

    An existing receipt of the same record is refreshed in place, keeping the texts and
    metadata it lists unless new ones are given; other evidence at `path` is refused unless `force`."""
    from notary import receipts
    from notary.receipts.build import record_receipt

    old = check_receipt_target(gw, record_id, path, force)
    if old is not None:
        metadata = metadata if metadata else old.metadata
        if instrument is None and old.document.texts:
            from notary import instruments as instruments_module

            items = [instruments_module.InstrumentText(t.name, t.role, t.digest) for t in old.document.texts]
            instrument = instruments_module.build(items)
    r = record_receipt(gw, record_id, metadata=metadata, instrument=instrument)
    size = receipts.write(r, path)
    assert r.record is not None
    return {
        "receipt": str(path),
        "receiptBytes": size,
        "receiptStatus": r.record.status.label,
        "receiptActs": len(r.record.attestations),
        "receiptTexts": len(r.document.texts),
    }


def _metadata_for(title: str, instrument: instruments.Instrument | None, gw: LedgerGateway, rid: bytes) -> Any:
    """The metadata to include: as given; for an untitled instrument, its texts if they match."""
    from notary.hashing import metadata_hash

    if instrument is None:
        return {"title": title.strip()} if title.strip() else None
    metadata = instrument.metadata(title)
    if title.strip():
        return metadata
    on_chain = gw.record(rid, with_attestations=False).metadata_hash
    return metadata if metadata_hash(metadata) == on_chain else None


def receipt(
    document: Annotated[
        str | None, typer.Argument(metavar="[FILE|DIGEST]", help="The document, or its SHA-256 digest.")
    ] = None,
    *,
    output: Annotated[Path, typer.Option("--output", "-o", metavar="R", help="Where to write the receipt.")],
    submitter: Annotated[
        str | None, typer.Option("--submitter", metavar="PARTY", help="Who notarised it (if several did).")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="The title given when notarising (to include it).")] = "",
    texts: TextsOpt = None,
    annexes: AnnexesOpt = None,
    from_receipt: Annotated[
        Path | None,
        typer.Option("--from-receipt", metavar="OLD", help="Refresh an earlier receipt: same document and metadata."),
    ] = None,
    force: ForceOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write a receipt: everything needed to verify the record offline, read from the chain now.

    Written over an earlier receipt of the same record, it refreshes it and keeps the texts and
    metadata that one lists; another document's receipt (or any other file) is kept unless --force."""
    from notary import instruments, ledger, receipts
    from notary.cli.documents import digest_of

    instrument: instruments.Instrument | None = None
    metadata: Any = None
    if sum(x is not None for x in (document, texts or annexes or None, from_receipt)) != 1:
        raise InvalidInputError(
            "name the document once: FILE|DIGEST, or --text/--annex files, or --from-receipt OLD",
        )
    gw = context.gateway()
    if from_receipt is not None:
        old = receipts.read(from_receipt)
        digest, metadata = old.document.digest, old.metadata
        if old.document.texts:
            items = [instruments.InstrumentText(t.name, t.role, t.digest) for t in old.document.texts]
            instrument = instruments.build(items)
        if old.record is not None:
            submitter = submitter or old.record.submitter
    elif texts or annexes:
        instrument = instruments.from_files(texts or [], annexes or [])
        digest = instrument.digest
    else:
        assert document is not None
        digest = digest_of(document, quiet=as_json)
    rid = ledger.resolve_record(gw, digest, submitter)
    if from_receipt is None:
        metadata = _metadata_for(title, instrument, gw, rid)
    summary: dict[str, Any] = {"digest": digest.hex(), "recordId": "0x" + rid.hex()}
    summary |= write_record_receipt(gw, rid, output, metadata=metadata, instrument=instrument, force=force)
    if as_json:
        print_json(summary)
        return
    console.print(
        f"[green]✓[/] receipt written to [bold]{escape(str(output))}[/] ({summary['receiptBytes']} bytes): "
        f"record {summary['receiptStatus']}, {plural(summary['receiptActs'], 'signed act')}"
        + (f", {plural(summary['receiptTexts'], 'text')}" if summary["receiptTexts"] else ""),
        highlight=False,
    )
    console.print(f"Verify it anywhere, even offline: `notary verify FILE --receipt {escape(str(output))} --offline`")


# --------------------------------------------------------------------- verify --receipt


_MARKS = {"ok": "[green]✓[/]", "failed": "[red]✗[/]", "warning": "[yellow]![/]", "not proved": "[yellow]–[/]"}


def _age(seconds: int) -> str:
    if seconds < 3600:
        return f"{max(seconds, 0) // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def _print_summary(r: Receipt) -> None:
    """What the receipt says, for people: the record's state, parties and dates, and its age."""
    import time as clock

    from notary.models import timestamp_text

    if r.record is not None:
        c = r.record
        acts = c.attestations
        console.print(
            f"record {c.record_id.hex()[:16]}… ({escape(c.kind)}, notarised by {c.submitter}): "
            f"{c.status.label} when the receipt was written; quorum {c.quorum} of {len(c.parties)} "
            f"({', '.join(c.parties)})",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        for e in acts:
            void = " (voided)" if e.voided is not None else ""
            console.print(
                f"  {e.party} {e.intent} on {timestamp_text(e.time)} by key {e.signer[:10]}…{void}",
                highlight=False, soft_wrap=True,
            )  # fmt: skip
        latest = max(e.time for e in acts) if acts else 0
        where = f"block {c.observed_block}"
    elif r.batch is not None:
        e = r.batch.anchor
        console.print(
            f"batch {r.batch.anchor_id.hex()[:16]}… anchored by {r.batch.party} on {timestamp_text(e.time)} "
            f"by key {e.signer[:10]}…",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        latest, where = e.time, f"block {e.block_number}"
    else:  # pragma: no cover - the parser requires one
        return
    age = int(clock.time()) - latest
    console.print(
        f"  the receipt shows the ledger as of {where}; its latest act is {_age(age)} old "
        "(verify online for what changed since)",
        highlight=False, soft_wrap=True,
    )  # fmt: skip


def _print_verdict(document: str, v: ReceiptVerdict, r: Receipt | None = None) -> None:
    if r is not None:
        _print_summary(r)
    if v.matched:
        console.print(f"[green]✓[/] the file is {escape(v.matched)}", highlight=False, soft_wrap=True)
    if v.steps:
        console.print("steps:", highlight=False)
        for number, what, outcome in v.steps:
            mark = _MARKS.get(outcome, outcome)
            console.print(f"  {mark} {number}. {escape(what)}", highlight=False, soft_wrap=True)
    for reason in v.reasons:
        console.print(f"  [red]✗[/] {escape(reason)}", highlight=False, soft_wrap=True)
    for warning in v.warnings:
        console.print(f"  [yellow]![/] {escape(warning)}", highlight=False, soft_wrap=True)
    for change in v.changes:
        console.print(f"  [cyan]Δ[/] {escape(change)}", highlight=False, soft_wrap=True)
    headline = "[bold green]VERIFIED[/]" if v.ok else "[bold red]NOT VERIFIED[/]"
    console.print(f"{escape(document)}: {headline} ({v.mode})", highlight=False, soft_wrap=True)
    trusted = v.deployment.describe() if v.deployment is not None else "none (not pinned)"
    console.print(f"[dim]deployment: {escape(trusted)}[/]", highlight=False, soft_wrap=True)
    console.print(f"[dim]trust: {escape(v.trust)}[/]", highlight=False)


def verify_with_receipt(
    document: str, receipt_path: Path, offline: bool, as_json: bool, unsafe_trust_receipt: bool = False
) -> None:
    """Verify `document` with a receipt against the pinned deployments; exit 1 unless it verifies.

    `unsafe_trust_receipt` (`--trust-receipt-deployment`) trusts the deployment the receipt names.
    """
    from notary import receipts, trust
    from notary.cli.documents import digest_of
    from notary.cli.trust import anchors_for
    from notary.receipts.verify import verify_offline

    r: Receipt = receipts.read(receipt_path)
    digest = digest_of(document, quiet=as_json)
    c = r.chain
    if unsafe_trust_receipt:
        anchors = trust.unsafe_receipt_deployment(c.chain_id, c.ledger, c.registry)
    else:
        anchors = anchors_for(c.chain_id)
    if offline:
        v = verify_offline(r, digest, anchors)
    else:
        from notary.receipts.online import verify_online

        v = verify_online(context.chain(), r, digest, anchors)
    if as_json:
        print_json({"document": document, "digest": digest.hex(), "receipt": str(receipt_path), **v.to_json()})
    else:
        _print_verdict(document, v, r)
    if not v.ok:
        raise typer.Exit(exit_codes.VERIFICATION_FAILED)


def note_texts_missing(as_json: bool) -> None:
    if not as_json:
        err_console.print(
            "[yellow]note:[/] this receipt lists no texts; write one that does with "
            "`notary receipt --text … --annex … -o R` or `--from-receipt` an earlier one",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("receipt")(receipt)
