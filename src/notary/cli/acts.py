"""`notary notarise|sign|submit|withdraw|cancel|annul`: a party's signed acts on records.

Thin commands over `notary.ledger`. Online, every act reaches the chain at most once:
the chain is checked first (an act already recorded is reported, not an error), and
the signed transaction is journalled before broadcast (`notary.journal`), so running
an interrupted command again resumes it. Offline (`--offline -o FILE`), nothing
touches the chain: the EIP-712 domain comes from the deployment manifest and the signed
payload is written for `notary submit` on any connected machine.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli.output import console, err_console, print_json
from notary.cli.receipts import AnnexesOpt, ReceiptOutOpt, TextsOpt
from notary.codes import bytes32_to_text, party_code
from notary.errors import ConfigError, InvalidInputError
from notary.hashing import parse_digest, sha256_file
from notary.models import Intent, record_id

if TYPE_CHECKING:
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import TxResult
    from notary.eip712 import Domain
    from notary.journal import JournalKey, OnChain, Outcome
    from notary.ledger import SignedPayload
    from notary.models import Act, BatchAnchor, Notarisation

#: Files larger than this get a progress bar while they are hashed.
PROGRESS_THRESHOLD = 8 * 1024 * 1024
_HEX64 = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_DURATION = re.compile(r"^\d+[smhdw]$")

DocumentArg = Annotated[
    str, typer.Argument(metavar="FILE|DIGEST", help="The document, or its SHA-256 digest as 64 hex digits.")
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
    as_json: JsonOpt = False,
) -> None:
    """Notarise a document, or an instrument of several texts: sign it as PARTY, submit it and wait.

    With --text (and --annex) files, the instrument's digest is the Merkle root of the
    texts' SHA-256 digests (texts, then annexes, in the order given), recorded as
    "merkle-sha256"; any one text then proves its membership with the receipt.
    """
    from notary import instruments, ledger
    from notary.hashing import DEFAULT_ALGORITHM

    _check_offline(offline, output)
    _check_receipt_out(offline, receipt_out)
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
        digest, algorithm = _digest_of(document, quiet=as_json), DEFAULT_ALGORITHM
        metadata = {"title": title} if title.strip() else {}
    gw = None if offline else context.gateway()
    old = _superseded(gw, supersedes, submitter_of_superseded, quiet=as_json)
    payload = ledger.prepare_notarisation(
        digest=digest,
        party=party,
        parties=[p for p in parties.split(",") if p.strip()],
        quorum=quorum,
        kind=kind,
        deadline=_deadline(deadline, gw),
        metadata=metadata,
        supersedes=old,
        ratification=ratification,
        algorithm=algorithm,
    )
    rid = record_id(digest, payload.party)
    code = bytes32_to_text(payload.party)
    if gw is None:
        signed = ledger.sign(payload, _offline_domain(), context.unlock(key, password_file))
        return _write_offline(signed, output, as_json, digest=digest, record=rid, metadata=metadata)

    def send() -> TxResult:
        signer = context.unlock(key, password_file)
        return _relay(gw, ledger.sign(payload, gw.domain, signer), signer, relayer, relayer_password_file)

    recorded = lambda: _act_on_chain(gw, rid, code, Intent.SIGNATURE)  # noqa: E731 (the submitter's signature)
    outcome = _submit_once(gw, _key(gw, rid, code, "notarisation"), recorded, send, payload.deadline)
    record = gw.record(rid, with_attestations=False)
    if outcome.already_recorded:
        _check_same_terms(record, payload)
    written: dict[str, Any] = {}
    if receipt_out is not None:
        from notary.cli.receipts import write_record_receipt

        written = write_record_receipt(gw, rid, receipt_out, metadata=metadata, instrument=instrument)
    _report(
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


def sign(
    document: DocumentArg,
    party: PartyOpt,
    key: KeyOpt,
    intent: Annotated[str, typer.Option("--intent", help="signature or ratification.")] = "signature",
    submitter: SubmitterOpt = None,
    deadline: DeadlineOpt = "24h",
    password_file: PasswordFileOpt = None,
    relayer: RelayerOpt = None,
    relayer_password_file: RelayerPasswordOpt = None,
    offline: OfflineOpt = False,
    output: OutputOpt = None,
    receipt_out: ReceiptOutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Co-sign (or ratify) a notarised record as PARTY."""
    chosen = Intent.parse(intent)
    if chosen not in (Intent.SIGNATURE, Intent.RATIFICATION):
        raise InvalidInputError(
            f"`notary sign` records a signature or a ratification, not a {chosen.label}",
            hint="use `notary withdraw`, `notary annul` or `notary cancel`",
        )
    _act(
        chosen,
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
        as_json=as_json,
        receipt_out=receipt_out,
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
            as_json=as_json,
        )

    command.__doc__ = summary
    return command


withdraw = _reasoned(Intent.WITHDRAWAL, "Withdraw PARTY from an executed record, with a reason recorded on chain.")
cancel = _reasoned(Intent.CANCELLATION, "Cancel a record PARTY notarised, before any other party has signed it.")
annul = _reasoned(Intent.ANNULMENT, "Sign the annulment of an executed record; a quorum of annulments annuls it.")


def submit(
    payload_file: Annotated[Path, typer.Argument(metavar="PAYLOAD.json", help="A file written by --offline.")],
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
    """Relay a payload signed offline: the relayer pays gas and cannot alter what was signed."""
    from notary import ledger, signed_payload
    from notary.errors import NotaryUnknownAnchorError, WrongDomainError
    from notary.journal import OnChain
    from notary.models import Act, Notarisation, anchor_id

    signed = signed_payload.read(payload_file)
    gw = context.gateway()
    if signed.domain != gw.domain:  # before looking anything up on this ledger
        raise WrongDomainError(
            f"{payload_file} was signed for chain {signed.domain.chain_id} ledger "
            f"{signed.domain.verifying_contract}, but this is chain {gw.domain.chain_id} "
            f"ledger {gw.domain.verifying_contract}",
            hint="submit it to the ledger it was signed for, or sign it again against this deployment",
        )
    p = signed.payload
    code = bytes32_to_text(p.party)
    fields: dict[str, Any] = {"primaryType": type(p).__name__, "party": code, "signer": signed.signer}
    if isinstance(p, Notarisation | Act):
        rid = record_id(p.digest, p.party) if isinstance(p, Notarisation) else p.record_id
        intent = Intent.SIGNATURE if isinstance(p, Notarisation) else p.intent
        label = "notarisation" if isinstance(p, Notarisation) else intent.label

        def recorded() -> OnChain | None:
            return _act_on_chain(gw, rid, code, intent)

        fields |= {"recordId": "0x" + rid.hex(), "intent": label}
    else:
        rid, label = anchor_id(p.root, p.party), "anchor"

        def recorded() -> OnChain | None:
            try:
                gw.batch(rid)
            except NotaryUnknownAnchorError:
                return None
            return OnChain(None, None)

        fields |= {"anchorId": "0x" + rid.hex(), "root": p.root.hex(), "count": p.count}

    def send() -> TxResult:
        account = _throwaway_relayer(gw) if relayer is None else context.unlock(relayer, password_file)
        context.ensure_gas(account)
        return ledger.submit(gw, account, signed)

    outcome = _submit_once(gw, _key(gw, rid, code, label), recorded, send, p.deadline)
    if "recordId" in fields:
        fields["status"] = gw.record(rid, with_attestations=False).status.label
    _report(outcome, as_json, f"{code}'s {label} from {payload_file}", fields)


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
) -> None:
    """Sign `intent` on the record of `document` as `party`; submit it, or write it offline."""
    from notary import ledger

    if intent in (Intent.WITHDRAWAL, Intent.ANNULMENT, Intent.CANCELLATION) and not (reason or "").strip():
        raise InvalidInputError(f"a {intent.label} needs a reason, recorded on chain", hint='add --reason "…"')
    _check_offline(offline, output)
    _check_receipt_out(offline, receipt_out)
    code = bytes32_to_text(party_code(party))
    digest = _digest_of(document, quiet=as_json)
    gw = None if offline else context.gateway()
    if gw is None:
        if submitter is None:
            raise InvalidInputError(
                "offline, the record is named by its digest and its submitter", hint="add --submitter PARTY"
            )
        rid = record_id(digest, party_code(submitter))
    else:
        rid = ledger.resolve_record(gw, digest, submitter)
    act = ledger.prepare_act(rid, code, intent, _deadline(deadline, gw), reason or "")
    if gw is None:
        signed = ledger.sign(act, _offline_domain(), context.unlock(key, password_file))
        return _write_offline(signed, output, as_json, digest=digest, record=rid)

    def send() -> TxResult:
        signer = context.unlock(key, password_file)
        return _relay(gw, ledger.sign(act, gw.domain, signer), signer, relayer, relayer_password_file)

    outcome = _submit_once(
        gw, _key(gw, rid, code, intent.label), lambda: _act_on_chain(gw, rid, code, intent), send, act.deadline
    )
    status = gw.record(rid, with_attestations=False).status.label
    fields = {"digest": digest.hex(), "recordId": "0x" + rid.hex(), "party": code, "intent": intent.label}
    if reason:
        fields["reason"] = reason
    if receipt_out is not None:
        from notary.cli.receipts import note_texts_missing, write_record_receipt

        fields |= write_record_receipt(gw, rid, receipt_out)
        if gw.record(rid, with_attestations=False).hash_algorithm == "merkle-sha256":
            note_texts_missing(as_json)
    _report(outcome, as_json, f"{code}'s {intent.label} on {document}", {**fields, "status": status})


def _relay(
    gw: LedgerGateway, signed: SignedPayload, signer: Any, relayer: str | None, relayer_password_file: Path | None
) -> TxResult:
    """Submit `signed`, paid by the signing key itself unless another relayer is named."""
    from notary import ledger

    account = signer if relayer is None else context.unlock(relayer, relayer_password_file)
    context.ensure_gas(account)
    return ledger.submit(gw, account, signed)


def _throwaway_relayer(gw: LedgerGateway) -> Any:
    """On a development chain, a fresh account (funded by `ensure_gas`) may relay; elsewhere, name one."""
    from eth_account import Account

    if gw.chain.chain_id not in context.DEV_CHAIN_IDS and not gw.chain.is_in_process:
        raise ConfigError(
            f"chain {gw.chain.chain_id} is not a development chain: someone must pay gas to relay",
            hint="name the paying key with --relayer NAME",
        )
    return Account.create()


def _key(gw: LedgerGateway, rid: bytes, party: str, intent: str) -> JournalKey:
    from notary.journal import JournalKey

    return JournalKey(gw.domain.verifying_contract, rid, party, intent)


def _submit_once(
    gw: LedgerGateway,
    key: JournalKey,
    recorded: Callable[[], OnChain | None],
    send: Callable[[], TxResult],
    deadline: int,
) -> Outcome:
    from notary.journal import Journal, submit_once

    s = context.settings()
    journal = Journal(s.resolved_data_dir, gw.chain.chain_id)
    try:
        return submit_once(
            gw.chain, journal, key, recorded=recorded, send=send, deadline=deadline, timeout=s.tx_timeout
        )
    except KeyboardInterrupt:
        if journal.path(key).exists():
            err_console.print(
                f"the signed transaction is kept in {escape(str(journal.path(key)))}; run the same command "
                "again to finish it without sending a duplicate",
                highlight=False,
            )
        raise


def _act_on_chain(gw: LedgerGateway, rid: bytes, party: str, intent: Intent) -> OnChain | None:
    """Where `party`'s act `intent` on record `rid` was recorded, if it was."""
    from notary.journal import OnChain

    for a in gw.attestations(rid):
        if a.party == party and a.intent is intent:
            return OnChain(a.transaction, a.block_number)
    return None


def _check_same_terms(record: Any, payload: Notarisation) -> None:
    """An existing record of this digest by this party must be the one asked for."""
    asked = {
        "kind": bytes32_to_text(payload.kind),
        "parties": ",".join(bytes32_to_text(p) for p in payload.parties),
        "quorum": payload.quorum,
        "supersedes": payload.supersedes.hex(),
        "title": payload.metadata_hash.hex(),
        "ratification": payload.ratification_required,
    }
    found = {
        "kind": record.kind,
        "parties": ",".join(record.parties),
        "quorum": record.quorum,
        "supersedes": record.supersedes.hex(),
        "title": record.metadata_hash.hex(),
        "ratification": record.ratification_required,
    }
    differ = [k for k in asked if asked[k] != found[k]]
    if differ:
        raise InvalidInputError(
            f"{record.submitter} already notarised this digest as record {record.record_id_hex} with other "
            f"terms ({', '.join(differ)} differ); nothing was sent",
            hint="see it with `notary status`; to change an agreement, notarise the new text with --supersedes",
        )


# --------------------------------------------------------------------- inputs


def _check_offline(offline: bool, output: Path | None) -> None:
    if offline and output is None:
        raise InvalidInputError("--offline writes the signed payload to a file", hint="add -o FILE, e.g. -o act.json")
    if output is not None and not offline:
        raise InvalidInputError("-o is only for offline signing", hint="add --offline, or drop -o to submit now")


def _check_receipt_out(offline: bool, receipt_out: Path | None) -> None:
    if offline and receipt_out is not None:
        raise InvalidInputError(
            "--receipt-out needs the chain: offline, nothing is recorded yet",
            hint="after `notary submit`, write it with `notary receipt FILE -o R`",
        )


def _digest_of(document: str, quiet: bool) -> bytes:
    """The digest of a file (streamed, with a progress bar if large), or a digest given as hex."""
    path = Path(document)
    if path.is_file():
        size = path.stat().st_size
        if quiet or size <= PROGRESS_THRESHOLD:
            return sha256_file(path)
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

        columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
        with Progress("hashing", *columns, console=err_console, transient=True) as progress:
            task = progress.add_task(path.name, total=size)
            return sha256_file(path, lambda n: progress.advance(task, n))
    if _HEX64.match(document.strip()):
        return parse_digest(document)
    if path.exists():
        return sha256_file(path)  # a directory or unreadable: its own clear error
    raise InvalidInputError(
        f"{document!r} is neither a file nor a digest",
        hint="give the document's path, or its SHA-256 as 64 hexadecimal digits (e.g. from sha256sum)",
    )


def _superseded(gw: LedgerGateway | None, value: str | None, submitter: str | None, quiet: bool) -> bytes | None:
    """The record id an amendment supersedes: given directly (0x…), or by file/digest and submitter."""
    from notary import ledger
    from notary.errors import NotaryUnknownRecordError

    if value is None:
        return None
    text = value.strip()
    if text.startswith("0x") and _HEX64.match(text) and not Path(text).is_file():
        rid = bytes.fromhex(text[2:])
        if gw is None:
            return rid  # offline, 0x-prefixed means a record id
        try:
            gw.record(rid, with_attestations=False)
            return rid
        except NotaryUnknownRecordError:
            pass  # online, it may be a digest written with 0x
    digest = _digest_of(text, quiet)
    if gw is None:
        if submitter is None:
            raise InvalidInputError(
                "offline, the superseded record is named by its id, or by its digest and submitter",
                hint="give --supersedes 0xRECORDID, or add --submitter-of-superseded PARTY",
            )
        return record_id(digest, party_code(submitter))
    return ledger.resolve_record(gw, digest, submitter)


def _deadline(text: str, gw: LedgerGateway | None) -> int:
    """The payload's deadline: a duration from now (chain time online, this clock offline) or a time."""
    from notary.timeparse import parse_time

    now = gw.now() if gw is not None else int(time.time())
    value = text.strip()
    deadline = parse_time("+" + value if _DURATION.match(value) else value, now=now)
    if deadline <= now:
        raise InvalidInputError(f"deadline {text!r} is not in the future", hint="e.g. --deadline 24h or 7d")
    return deadline


def _offline_domain() -> Domain:
    """The ledger's EIP-712 domain from the deployment manifest alone (no connection)."""
    from notary.deployment import Deployment
    from notary.eip712 import Domain

    s = context.settings()
    path = s.deployment
    if path is None:
        folder = s.resolved_data_dir / "deployments"
        found = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if len(found) != 1:
            raise ConfigError(
                f"offline signing needs the ledger's deployment manifest; {len(found)} found in {folder}",
                hint="pass --deployment FILE (or set NOTARY_DEPLOYMENT) with the manifest of the ledger",
            )
        path = found[0]
    dep = Deployment.load(path)
    return Domain(dep.chain_id, dep.ledger.address)


# --------------------------------------------------------------------- output


def _write_offline(
    signed: SignedPayload, output: Path | None, as_json: bool, *, digest: bytes, record: bytes, **extra: Any
) -> None:
    from notary import signed_payload
    from notary.models import Act, timestamp_text

    assert output is not None  # _check_offline
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


def _report(outcome: Outcome, as_json: bool, headline: str, fields: dict[str, Any]) -> None:
    fields = {
        **fields,
        "transaction": outcome.transaction,
        "block": outcome.block_number,
        "gasUsed": outcome.gas_used,
        "alreadyRecorded": outcome.already_recorded,
        "resumed": outcome.resumed,
    }
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
    _print_fields({k: v for k, v in fields.items() if k not in ("alreadyRecorded", "resumed") and v is not None})


def _print_fields(fields: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in fields.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        table.add_row(name, escape(str(value)))
    console.print(table)
