"""`notary void` and `notary terms`: make the chain stop counting acts signed with keys that were not authorised.

After a party declares a key compromised (`notary party revoke-signer --effective …`), what
that key signed from then on is void. The ledger applies a void when anyone asks, so the
record's state on chain becomes what its remaining valid acts give: a forged withdrawal
un-terminates, a forged cancellation re-opens, a forged signature stops counting.
`notary terms` writes a record's terms for a signer on an air-gapped machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from notary.cli import _evidence, context
from notary.cli.documents import record_or_digest
from notary.cli.output import console, print_json
from notary.codes import party_code


def register(app: typer.Typer) -> None:
    app.command("void")(void)
    app.command("terms")(terms)


def void(
    document: Annotated[
        str, typer.Argument(metavar="FILE|DIGEST|RECORD", help="The document, its SHA-256 digest, or a record id.")
    ],
    key: Annotated[str, typer.Option("--key", metavar="NAME", help="Any key: it sends the transactions, pays gas.")],
    submitter: Annotated[
        str | None, typer.Option("--submitter", metavar="PARTY", help="Party that notarised the record (if several).")
    ] = None,
    password_file: Annotated[Path | None, typer.Option("--password-file", help="The key's password file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Void every act on the record whose key was not authorised when it signed (anyone may do it)."""
    from notary import ledger, lifecycle

    gw = context.gateway()
    digest, named = record_or_digest(gw, document, quiet=as_json)
    rid = named or ledger.resolve_record(gw, digest, submitter)
    record = gw.record(rid)
    before = record.status
    pending = lifecycle.standing_invalid(record)
    sender = context.unlock(key, password_file) if pending else None
    voided: list[dict[str, Any]] = []
    terms = gw.terms(rid)
    # The submitter's signature first would void the whole record; others first keep each void meaningful.
    for a in sorted(pending, key=lambda a: a.party == record.submitter):
        assert sender is not None
        if gw.record(rid, with_attestations=False).status.label == "void":
            break
        result = gw.void_act(sender, terms, party_code(a.party), a.intent)
        voided.append(
            {"party": a.party, "intent": a.intent.label, "signer": a.signer, "transaction": result.transaction}
        )
    after = gw.record(rid, with_attestations=False).status
    data = {"recordId": "0x" + rid.hex(), "voided": voided, "before": before.label, "status": after.label}
    if as_json:
        print_json(data)
        return
    if not voided:
        console.print(f"nothing to void: every act on record 0x{rid.hex()} was signed with an authorised key")
        return
    for v in voided:
        console.print(f"voided {v['party']}'s {v['intent']} by {v['signer']} (tx {v['transaction']})")
    console.print(f"record 0x{rid.hex()}: {before.label} -> {after.label}")


def terms(
    document: Annotated[
        str, typer.Argument(metavar="FILE|DIGEST|RECORD", help="The document, its SHA-256 digest, or a record id.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the terms file.")],
    submitter: Annotated[
        str | None, typer.Option("--submitter", metavar="PARTY", help="Party that notarised the record (if several).")
    ] = None,
    force: _evidence.ForceOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write a record's terms for an air-gapped signer (`notary sign … --offline --terms FILE`)."""
    from notary import ledger, terms_file

    gw = context.gateway()
    digest, named = record_or_digest(gw, document, quiet=as_json)
    rid = named or ledger.resolve_record(gw, digest, submitter)
    _evidence.guard(output, _evidence.terms(rid), force)
    t = gw.terms(rid)
    terms_file.write(t, output)
    data = {"file": str(output), "recordId": "0x" + rid.hex(), "digest": t.digest.hex()}
    if as_json:
        print_json(data)
    else:
        console.print(f"wrote the terms of record 0x{rid.hex()} to {output}")
