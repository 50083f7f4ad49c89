"""Inputs of the act commands: offline/output flag checks, the acting party, the deadline, the
superseded record and the EIP-712 domain for offline signing (from the deployment manifest alone)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from notary.cli import context
from notary.cli.documents import HEX64, digest_of
from notary.codes import party_code
from notary.errors import ConfigError, InvalidInputError
from notary.models import record_id

if TYPE_CHECKING:
    from notary.chain.gateway import LedgerGateway
    from notary.eip712 import Domain
    from notary.models import Intent, Terms

_DURATION = re.compile(r"^\d+[smhdw]$")


def check_offline(offline: bool, output: Path | None) -> None:
    if offline and output is None:
        raise InvalidInputError("--offline writes the signed payload to a file", hint="add -o FILE, e.g. -o act.json")
    if output is not None and not offline:
        raise InvalidInputError("-o is only for offline signing", hint="add --offline, or drop -o to submit now")


def check_receipt_out(offline: bool, receipt_out: Path | None) -> None:
    if offline and receipt_out is not None:
        raise InvalidInputError(
            "--receipt-out needs the chain: offline, nothing is recorded yet",
            hint="after `notary submit`, write it with `notary receipt FILE -o R`",
        )


def check_party(gw: LedgerGateway, code: str) -> None:
    """An unregistered or suspended party cannot act: say which, before anything is signed."""
    from notary.errors import RegistryUnknownPartyError

    try:
        party = gw.party(party_code(code))
    except RegistryUnknownPartyError:
        party = None
    if party is None or not party.registered_at:
        raise InvalidInputError(
            f"party {code} is not registered on this ledger's identity registry",
            hint="check the code (`notary party list`); the depositary registers a party with `notary party register`",
        )
    if party.suspended:
        raise InvalidInputError(
            f"party {code} ({party.name}) is suspended by the depositary: it cannot act until reinstated",
            hint=f"the depositary reinstates it with `notary party reinstate {code} --key DEPOSITARY`",
        )


def superseded_record(gw: LedgerGateway | None, value: str | None, submitter: str | None, quiet: bool) -> bytes | None:
    """The record id an amendment supersedes: given directly (0x…), or by file/digest and submitter."""
    from notary import ledger
    from notary.errors import NotaryUnknownRecordError

    if value is None:
        return None
    text = value.strip()
    if text.startswith("0x") and HEX64.match(text) and not Path(text).is_file():
        rid = bytes.fromhex(text[2:])
        if gw is None:
            return rid  # offline, 0x-prefixed means a record id
        try:
            gw.record(rid, with_attestations=False)
            return rid
        except NotaryUnknownRecordError:
            pass  # online, it may be a digest written with 0x
    digest = digest_of(text, quiet)
    if gw is None:
        if submitter is None:
            raise InvalidInputError(
                "offline, the superseded record is named by its id, or by its digest and submitter",
                hint="give --supersedes 0xRECORDID, or add --submitter-of-superseded PARTY",
            )
        return record_id(digest, party_code(submitter))
    return ledger.resolve_record(gw, digest, submitter)


def deadline_of(text: str, gw: LedgerGateway | None) -> int:
    """The payload's deadline: a duration from now (chain time online, this clock offline) or a time."""
    from notary.timeparse import parse_time

    now = gw.now() if gw is not None else int(time.time())
    value = text.strip()
    deadline = parse_time("+" + value if _DURATION.match(value) else value, now=now)
    if deadline <= now:
        raise InvalidInputError(f"deadline {text!r} is not in the future", hint="e.g. --deadline 24h or 7d")
    return deadline


def offline_domain() -> Domain:
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


def offline_terms(path: Path | None, digest: bytes, submitter: str | None) -> Terms:
    """The terms an offline act binds: from the submitter's signed notarisation payload.

    Refuses to sign blind: without the terms there is nothing to show the signer, and a
    signature over a bare record id could be reused for terms it never saw (protocol v1)."""
    from notary import signed_payload, terms_file
    from notary.models import Notarisation

    if path is None:
        raise InvalidInputError(
            "offline, an act binds the record's full terms, and this machine cannot read them from the chain",
            hint="on a connected machine run `notary terms FILE -o TERMS.json` and pass --terms TERMS.json "
            "(or the submitter's `notarise --offline` payload), or sign online",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the terms file {path}: {exc.strerror}") from None
    if terms_file.is_terms_file(raw):
        terms = terms_file.from_json(raw)
    else:
        payload = signed_payload.from_json(raw).payload
        if not isinstance(payload, Notarisation):
            raise InvalidInputError(f"{path} is not a signed notarisation, so it holds no terms to sign")
        terms = payload.terms
    if terms.digest != digest:
        raise InvalidInputError(
            f"{path} holds the terms of digest {terms.digest.hex()}, not of this document's {digest.hex()}",
            hint="give the terms of this document's record",
        )
    if submitter is not None and party_code(submitter) != terms.submitter:
        raise InvalidInputError(f"{path} holds a record notarised by another party than --submitter {submitter}")
    return terms


def show_terms(terms: Terms, party: str, intent: Intent, quiet: bool) -> None:
    """Print what the signer is about to agree to (on stderr, so --json output stays clean)."""
    import sys

    from notary.cli.output import article
    from notary.codes import bytes32_to_text

    if quiet:
        return
    parties = ", ".join(bytes32_to_text(p) for p in terms.parties)
    lines = [
        f"{party} signs {article(intent.label)} binding these terms:",
        f"  document   {terms.digest.hex()} ({bytes32_to_text(terms.hash_algorithm)})",
        f"  kind       {bytes32_to_text(terms.kind)}, notarised by {bytes32_to_text(terms.submitter)}",
        f"  parties    {parties}; quorum {terms.quorum}"
        + ("; ratification required" if terms.ratification_required else ""),
        f"  metadata   {terms.metadata_hash.hex()}",
    ]
    if terms.supersedes != bytes(32):
        lines.append(f"  supersedes 0x{terms.supersedes.hex()}")
    print("\n".join(lines), file=sys.stderr)
