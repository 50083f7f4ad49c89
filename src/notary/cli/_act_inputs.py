"""Inputs of the act commands: offline/output flag checks, the deadline, the superseded record and
the EIP-712 domain for offline signing (from the deployment manifest alone)."""

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
