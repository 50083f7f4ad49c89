"""Rendering for people (rich) and machines (--json)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from notary.views import record_dict

__all__ = ["console", "err_console", "print_json", "record_dict", "record_table"]

console = Console()
err_console = Console(stderr=True)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


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
