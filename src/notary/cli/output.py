"""Rendering for people (rich) and machines (--json)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


def record_dict(record: Any) -> dict[str, Any]:
    """A JSON-ready view of a `notary.models.Record`."""
    from notary.models import timestamp_text

    zero = bytes(32)
    return {
        "recordId": record.record_id_hex,
        "digest": record.digest.hex(),
        "hashAlgorithm": record.hash_algorithm,
        "kind": record.kind,
        "submitter": record.submitter,
        "parties": list(record.parties),
        "quorum": record.quorum,
        "status": record.status.label,
        "ratificationRequired": record.ratification_required,
        "supersedes": None if record.supersedes == zero else "0x" + record.supersedes.hex(),
        "supersededBy": None if record.superseded_by == zero else "0x" + record.superseded_by.hex(),
        "metadataHash": record.metadata_hash.hex(),
        "createdAt": timestamp_text(record.created_at),
        "updatedAt": timestamp_text(record.updated_at),
        "attestations": [
            {
                "party": a.party,
                "intent": a.intent.label,
                "signer": a.signer,
                "time": timestamp_text(a.time),
                "health": "valid" if a.valid else "invalid (key not authorised at that time)",
                "reason": a.reason or None,
                "transaction": a.transaction,
                "block": a.block_number,
            }
            for a in record.attestations
        ],
    }


def record_table(record: Any) -> Table:
    data = record_dict(record)
    table = Table(title=f"Record {data['recordId'][:18]}…", show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    for key in ("status", "digest", "hashAlgorithm", "kind", "submitter", "quorum", "createdAt"):
        table.add_row(key, str(data[key]))
    table.add_row("parties", ", ".join(data["parties"]))
    for key in ("supersedes", "supersededBy"):
        if data[key]:
            table.add_row(key, data[key])
    acts = Table(show_header=True, box=None)
    for col in ("party", "intent", "signer", "time", "health"):
        acts.add_column(col)
    for a in data["attestations"]:
        style = "green" if a["health"] == "valid" else "red"
        acts.add_row(a["party"], a["intent"], a["signer"], a["time"], f"[{style}]{a['health']}[/]")
    table.add_row("attestations", acts)
    return table
