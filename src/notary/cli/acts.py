"""`notary notarise|sign|submit|withdraw|cancel|annul`: a party's signed acts on records.

Thin commands over `notary.ledger`. Online, every act reaches the chain at most once:
the chain is checked first (an act already recorded is reported, not an error), and
the signed transaction is journalled before broadcast (`notary.journal`), so running
an interrupted command again resumes it. Offline (`--offline -o FILE`), nothing
touches the chain: the EIP-712 domain comes from the deployment manifest and the signed
payload is written for `notary submit` on any connected machine.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notary.cli import _evidence, context
from notary.cli._act_inputs import (
    check_offline,
    check_party,
    check_receipt_out,
    deadline_of,
    offline_domain,
    offline_terms,
    show_terms,
    superseded_record,
)
from notary.cli._act_output import report, write_offline
from notary.cli._act_send import check_same_terms, journal_key, relay, submit_journalled, throwaway_relayer
from notary.cli._evidence import ForceOpt
from notary.cli.documents import digest_of, record_or_digest
from notary.cli.output import article
from notary.cli.receipts import AnnexesOpt, ReceiptOutOpt, TextsOpt
from notary.codes import bytes32_to_text, party_code
from notary.errors import InvalidInputError
from notary.journal import recorded_act
from notary.models import Intent, Status, record_id

if TYPE_CHECKING:
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import OnSigned, TxResult

# `notary.cli.batch` imports these from here.
_deadline, _key, _relay, _report, _submit_once = deadline_of, journal_key, relay, report, submit_journalled

DocumentArg = Annotated[
    str,
    typer.Argument(
        metavar="FILE|DIGEST|RECORD",
        help="The document, its SHA-256 digest as 64 hex digits, or the record's id (0x and 64 hex digits).",
    ),
]
PartyOpt = Annotated[str, typer.Option("--as", metavar="PARTY", help="The party acting, e.g. FRA.")]
KeyOpt = Annotated[str, typer.Option("--key", metavar="NAME", help="The party's signing key (keystore name).")]
PasswordFileOpt = Annotated[
    Path | None,
    typer.Option("--password-file", help="Read the key's password from this file (or env NOTARY_PASSWORD)."),
]
RelayerOpt = Annotated[
    str | None,
    typer.Option("--relayer", metavar="NAME", help="Key that sends the transaction and pays gas (default: the --key)."),
]
RelayerPasswordOpt = Annotated[
    Path | None, typer.Option("--relayer-password-file", help="Password file of the --relayer key.")
]
SubmitterOpt = Annotated[
    str | None,
    typer.Option(
        "--submitter", metavar="PARTY", help="Party that notarised the record (needed offline or if ambiguous)."
    ),
]
DeadlineOpt = Annotated[
    str,
    typer.Option(
        "--deadline",
        help="How long the signature stays valid (30m, 24h, 7d) or until when (ISO 8601, UNIX seconds).",
    ),
]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why: recorded on chain with the act.")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Only sign, without touching the chain; needs -o.")]
TermsOpt = Annotated[
    Path | None,
    typer.Option(
        "--terms",
        metavar="NOTARISATION.json",
        help="Offline: the submitter's signed notarisation payload, whose terms this act binds.",
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Where --offline writes the signed payload.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("notarise")(notarise)
    app.command("sign")(sign)
    app.command("submit")(submit)
    app.command("withdraw")(withdraw)
    app.command("cancel")(cancel)
    app.command("annul")(annul)


# --------------------------------------------------------------------- commands


def notarise(
    document: Annotated[
        str | None,
        typer.Argument(metavar="[FILE|DIGEST]", help="The document, or its SHA-256 digest (or give --text/--annex)."),
    ] = None,
    *,
    party: PartyOpt,
    key: KeyOpt,
    parties: Annotated[str, typer.Option("--parties", help="Required parties, e.g. FRA,SGP (--as is added).")],
    kind: Annotated[str, typer.Option("--kind", help="Instrument kind: treaty, mou, note-verbale, …")],
    title: Annotated[str, typer.Option("--title", help="Title; only its hash goes on chain.")] = "",
    quorum: Annotated[int | None, typer.Option("--quorum", help="Signatures needed (default: all parties).")] = None,
    supersedes: Annotated[
        str | None,
        typer.Option("--supersedes", help="Amended record: a file, a digest, or a 0x-prefixed record id."),
    ] = None,
    ratification: Annotated[bool, typer.Option("--ratification", help="The parties must also ratify it.")] = False,
    submitter_of_superseded: Annotated[
        str | None, typer.Option("--submitter-of-superseded", metavar="PARTY", help="Who notarised the amended one.")
    ] = None,
    texts: TextsOpt = None,
    annexes: AnnexesOpt = None,
    deadline: DeadlineOpt = "24h",
    password_file: PasswordFileOpt = None,
    relayer: RelayerOpt = None,
    relayer_password_file: RelayerPasswordOpt = None,
    offline: OfflineOpt = False,
    output: OutputOpt = None,
    receipt_out: ReceiptOutOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Notarise a document, or an instrument of several texts: sign it as PARTY, submit it and wait.

    With --text (and --annex) files, the instrument's digest is the Merkle root of the
    texts' SHA-256 digests (texts, then annexes, in the order given), recorded as
    "merkle-sha256"; any one text then proves its membership with the receipt.
    """
    from notary import instruments, ledger
    from notary.hashing import DEFAULT_ALGORITHM

    check_offline(offline, output)
    check_receipt_out(offline, receipt_out)
    instrument = None
    if texts or annexes:
        if document is not None:
            raise InvalidInputError("give the document as FILE|DIGEST or as --text/--annex files, not both")
        instrument = instruments.from_files(texts or [], annexes or [])
        digest, algorithm = instrument.digest, instruments.ALGORITHM
        metadata: dict[str, Any] = instrument.metadata(title)
        document = f"the instrument of {len(instrument.texts)} texts"
    elif document is None:
        raise InvalidInputError("name the document", hint="give FILE|DIGEST, or the instrument's texts with --text")
    else:
        digest, algorithm = digest_of(document, quiet=as_json), DEFAULT_ALGORITHM
        metadata = {"title": title} if title.strip() else {}
    gw = None if offline else context.gateway()
    if gw is not None:
        check_party(gw, bytes32_to_text(party_code(party)))
    old = superseded_record(gw, supersedes, submitter_of_superseded, quiet=as_json)
    listed = [p for p in parties.split(",") if p.strip()]
    if old is not None and gw is not None:
        listed = ledger.amendment_parties(gw.terms(old), listed)
    payload = ledger.prepare_notarisation(
        digest=digest,
        party=party,
        parties=listed,
        quorum=quorum,
        kind=kind,
        deadline=deadline_of(deadline, gw),
        metadata=metadata,
        supersedes=old,
        ratification=ratification,
        algorithm=algorithm,
    )
    rid = record_id(digest, payload.party)
    code = bytes32_to_text(payload.party)
    if gw is None:
        assert output is not None  # check_offline
        domain = offline_domain()
        _evidence.guard(output, _evidence.payload_of(domain, payload), force)
        signed = ledger.sign(payload, domain, context.unlock(key, password_file))
        return write_offline(signed, output, as_json, digest=digest, record=rid, metadata=metadata)
    if receipt_out is not None:
        from notary.cli.receipts import check_receipt_target

        check_receipt_target(gw, rid, receipt_out, force)  # before anything is sent

    def send(on_signed: OnSigned, timeout: float) -> TxResult:
        signer = context.unlock(key, password_file)
        signed = ledger.sign(payload, gw.domain, signer)
        return relay(gw, signed, signer, relayer, relayer_password_file, on_signed, timeout)

    recorded = lambda: recorded_act(gw, rid, code, Intent.SIGNATURE)  # noqa: E731 (the submitter's signature)
    outcome = submit_journalled(gw, journal_key(gw, rid, code, "notarisation"), recorded, send, payload.deadline)
    record = gw.record(rid, with_attestations=False)
    if outcome.already_recorded:
        if record.status is Status.CANCELLED:
            _refuse_cancelled(gw, rid, code)
        check_same_terms(record, payload)
    written: dict[str, Any] = {}
    if receipt_out is not None:
        from notary.cli.receipts import write_record_receipt

        written = write_record_receipt(gw, rid, receipt_out, metadata=metadata, instrument=instrument, force=force)
    report(
        outcome,
        as_json,
        f"{code}'s notarisation of {document}",
        {
            "digest": digest.hex(),
            "hashAlgorithm": algorithm,
            "recordId": "0x" + rid.hex(),
            "party": code,
            "kind": record.kind,
            "parties": list(record.parties),
            "quorum": record.quorum,
            "metadata": metadata,
            "metadataHash": record.metadata_hash.hex(),
            "supersedes": None if not old else "0x" + old.hex(),
            "status": record.status.label,
            **({"texts": [f"{t.name} ({t.role})" for t in instrument.texts]} if instrument else {}),
            **written,
        },
    )


class SignIntent(enum.StrEnum):
    """What `notary sign` records (the other acts have their own commands)."""

    SIGNATURE = "signature"
    RATIFICATION = "ratification"


def sign(
    document: DocumentArg,
    party: PartyOpt,
    key: KeyOpt,
    intent: Annotated[
        SignIntent,
        typer.Option("--intent", case_sensitive=False, help="A signature, or the ratification of a signed record."),
    ] = SignIntent.SIGNATURE,
    submitter: SubmitterOpt = None,
    deadline: DeadlineOpt = "24h",
    password_file: PasswordFileOpt = None,
    relayer: RelayerOpt = None,
    relayer_password_file: RelayerPasswordOpt = None,
    offline: OfflineOpt = False,
    output: OutputOpt = None,
    terms: TermsOpt = None,
    receipt_out: ReceiptOutOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Co-sign (or ratify) a notarised record as PARTY: the signature binds the record's full terms.

    Withdrawal, annulment and cancellation have their own commands (`notary withdraw|annul|cancel`)."""
    _act(
        Intent.parse(intent.value),
        document,
        party,
        key,
        reason="",
        submitter=submitter,
        deadline=deadline,
        password_file=password_file,
        relayer=relayer,
        relayer_password_file=relayer_password_file,
        offline=offline,
        output=output,
        terms_file=terms,
        as_json=as_json,
        receipt_out=receipt_out,
        force=force,
    )


def _reasoned(intent: Intent, summary: str) -> Callable[..., None]:
    """A command for an act that needs a reason: withdraw, cancel, annul."""

    def command(
        document: DocumentArg,
        party: PartyOpt,
        key: KeyOpt,
        reason: ReasonOpt = None,
        submitter: SubmitterOpt = None,
        deadline: DeadlineOpt = "24h",
        password_file: PasswordFileOpt = None,
        relayer: RelayerOpt = None,
        relayer_password_file: RelayerPasswordOpt = None,
        offline: OfflineOpt = False,
        output: OutputOpt = None,
        terms: TermsOpt = None,
        force: ForceOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        _act(
            intent,
            document,
            party,
            key,
            reason=reason,
            submitter=submitter,
            deadline=deadline,
            password_file=password_file,
            relayer=relayer,
            relayer_password_file=relayer_password_file,
            offline=offline,
            output=output,
            terms_file=terms,
            as_json=as_json,
            force=force,
        )

    command.__doc__ = summary
    return command


withdraw = _reasoned(Intent.WITHDRAWAL, "Withdraw PARTY from an executed record, with a reason recorded on chain.")
cancel = _reasoned(Intent.CANCELLATION, "Cancel a record PARTY notarised, before any other party has signed it.")
annul = _reasoned(Intent.ANNULMENT, "Sign the annulment of an executed record; a quorum of annulments annuls it.")


def submit(
    payload_files: Annotated[
        list[Path],
        typer.Argument(
            metavar="PAYLOAD.json...",
            help="Files written by --offline; several are relayed together, many transactions in flight.",
        ),
    ],
    relayer: Annotated[
        str | None,
        typer.Option(
            "--relayer",
            metavar="NAME",
            help="Key that sends it and pays gas (on a development chain, default: a throwaway funded account).",
        ),
    ] = None,
    password_file: Annotated[Path | None, typer.Option("--password-file", help="The relayer key's password.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Relay payloads signed offline: the relayer pays gas and cannot alter what was signed."""
    from notary import ledger, signed_payload
    from notary.errors import WrongDomainError
    from notary.models import Act, Notarisation

    if len(payload_files) > 1:
        from notary.cli._submit_many import submit_many

        raise typer.Exit(submit_many(payload_files, relayer, password_file, as_json))
    payload_file = payload_files[0]
    signed = signed_payload.read(payload_file)
    gw = context.gateway()
    if signed.domain != gw.domain:  # before looking anything up on this ledger
        raise WrongDomainError(
            f"{payload_file} was signed for chain {signed.domain.chain_id} ledger "
            f"{signed.domain.verifying_contract}, but this is chain {gw.domain.chain_id} "
            f"ledger {gw.domain.verifying_contract}",
            hint="submit it to the ledger it was signed for, or sign it again against this deployment",
        )
    from notary.relaying import item_of

    # The act's journal key and how to find it on chain, as for the relay and `submit P1 P2 …`: a
    # notarisation whose record exists with other terms is a conflict, not "already recorded".
    item, p = item_of(gw, signed), signed.payload
    rid, code, label = item.key.record, item.key.party, item.key.intent
    fields: dict[str, Any] = {"primaryType": type(p).__name__, "party": code, "signer": signed.signer}
    if isinstance(p, Notarisation | Act):
        fields |= {"recordId": "0x" + rid.hex(), "intent": label}
    else:
        fields |= {"anchorId": "0x" + rid.hex(), "root": p.root.hex()}

    def send(on_signed: OnSigned, timeout: float) -> TxResult:
        account = throwaway_relayer(gw) if relayer is None else context.unlock(relayer, password_file)
        context.ensure_gas(account)
        return ledger.submit(gw, account, signed, on_signed=on_signed, timeout=timeout)

    outcome = submit_journalled(gw, item.key, item.recorded, send, p.deadline)
    if "recordId" in fields:
        fields["status"] = gw.record(rid, with_attestations=False).status.label
    report(outcome, as_json, f"{code}'s {label} from {payload_file}", fields)


def _refuse_cancelled(gw: LedgerGateway, rid: bytes, code: str) -> None:
    """Notarising a digest again whose record its submitter cancelled: say so, and what can be done."""
    from notary.models import timestamp_text

    record = gw.record(rid)
    cancel = next((a for a in reversed(record.attestations) if a.intent is Intent.CANCELLATION and a.valid), None)
    when = f" on {timestamp_text(cancel.time)}" if cancel else ""
    why = f" (reason: {cancel.reason})" if cancel and cancel.reason else ""
    raise InvalidInputError(
        f"{code} notarised this document as record 0x{rid.hex()} and cancelled it{when}{why}; a cancelled record "
        f"keeps its id, so {code} cannot notarise the same digest again; nothing was sent",
        hint="notarise the corrected text (another file has another digest), or let another party notarise this one "
        f"(--as PARTY); `notary status 0x{rid.hex()}` shows the cancelled record",
    )


# --------------------------------------------------------------------- the shared act flow


def _act(
    intent: Intent,
    document: str,
    party: str,
    key: str,
    *,
    reason: str | None,
    submitter: str | None,
    deadline: str,
    password_file: Path | None,
    relayer: str | None,
    relayer_password_file: Path | None,
    offline: bool,
    output: Path | None,
    as_json: bool,
    receipt_out: Path | None = None,
    terms_file: Path | None = None,
    force: bool = False,
) -> None:
    """Sign `intent` on the record of `document` as `party`; submit it, or write it offline.

    The act binds the record's full terms: online they come from the chain, offline from the
    submitter's signed notarisation payload (`--terms`); they are shown before signing."""
    from notary import ledger

    if intent in (Intent.WITHDRAWAL, Intent.ANNULMENT, Intent.CANCELLATION) and not (reason or "").strip():
        raise InvalidInputError(f"{article(intent.label)} needs a reason, recorded on chain", hint='add --reason "…"')
    check_offline(offline, output)
    check_receipt_out(offline, receipt_out)
    code = bytes32_to_text(party_code(party))
    gw = None if offline else context.gateway()
    if gw is None:
        digest = digest_of(document, quiet=as_json)
        terms = offline_terms(terms_file, digest, submitter)
        rid = terms.record_id
    else:
        check_party(gw, code)
        digest, named = record_or_digest(gw, document, quiet=as_json)
        rid = named if named is not None else ledger.resolve_record(gw, digest, submitter)
        terms = gw.terms(rid)
        if submitter is not None and party_code(submitter) != terms.submitter:
            raise InvalidInputError(
                f"record 0x{rid.hex()} was notarised by {bytes32_to_text(terms.submitter)}, not {submitter}",
                hint="drop --submitter when naming the record by its id",
            )
        if receipt_out is not None:
            from notary.cli.receipts import check_receipt_target

            check_receipt_target(gw, rid, receipt_out, force)  # before anything is sent
    show_terms(terms, code, intent, quiet=as_json)
    act = ledger.prepare_act(terms, code, intent, deadline_of(deadline, gw), reason or "")
    if gw is None:
        assert output is not None  # check_offline
        domain = offline_domain()
        _evidence.guard(output, _evidence.payload_of(domain, act), force)
        signed = ledger.sign(act, domain, context.unlock(key, password_file))
        return write_offline(signed, output, as_json, digest=digest, record=rid)

    def send(on_signed: OnSigned, timeout: float) -> TxResult:
        signer = context.unlock(key, password_file)
        signed = ledger.sign(act, gw.domain, signer)
        return relay(gw, signed, signer, relayer, relayer_password_file, on_signed, timeout)

    recorded = lambda: recorded_act(gw, rid, code, intent)  # noqa: E731
    outcome = submit_journalled(gw, journal_key(gw, rid, code, intent.label), recorded, send, act.deadline)
    status = gw.record(rid, with_attestations=False).status.label
    fields = {"digest": digest.hex(), "recordId": "0x" + rid.hex(), "party": code, "intent": intent.label}
    if reason:
        fields["reason"] = reason
    if receipt_out is not None:
        from notary.cli.receipts import note_texts_missing, write_record_receipt

        fields |= write_record_receipt(gw, rid, receipt_out, force=force)
        if fields["receiptTexts"] == 0 and bytes32_to_text(terms.hash_algorithm) == "merkle-sha256":
            note_texts_missing(as_json)
    report(outcome, as_json, f"{code}'s {intent.label} on {document}", {**fields, "status": status})
