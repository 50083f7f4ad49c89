"""Rendering for people (rich) and machines (--json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from notary.models import Status
from notary.views import record_dict

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from notary.models import Record

__all__ = ["article", "console", "err_console", "plural", "print_json", "record_dict", "record_table"]


class _LazyConsole:
    """A rich Console made at its first use: `notary --help` and `--json` runs never import rich's renderer."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def _get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    # Dunder methods are looked up on the type, not through __getattr__: rich's Live and Progress
    # enter the console as a context manager.
    def __enter__(self) -> Console:
        return self._get().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._get().__exit__(*exc)  # type: ignore[arg-type]


console: Console = _LazyConsole()  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 confirmation", "2 confirmations", "0 problems" (`nouns` for an irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def article(word: str) -> str:
    """ "a signature", "an annulment": the indefinite article for `word`."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


def record_table(record: Record, head: int | None = None) -> RenderableType:
    """A record for people: its fields, where signing and ratification stand and what can be done
    next, and every act (with confirmations when `head`, the latest block, is given).

    Uses the terminal's width; hashes and addresses wrap rather than being cut. Below 110
    columns each act takes two lines instead of a table row."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    data = record_dict(record, head)
    fields = Table.grid(padding=(0, 1))  # "superseded by" and a record id fit 80 columns
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    fields.add_row("status", _status_text(record))
    fields.add_row("digest", data["digest"])
    kind = f"{escape(data['kind'])} ({data['hashAlgorithm']} digest), notarised by {data['submitter']}"
    fields.add_row("kind", f"{kind} at {data['createdAt']}")
    fields.add_row("parties", f"{', '.join(data['parties'])}; quorum {data['quorum']}")
    for name, text in progress(record):
        fields.add_row(name, escape(text))
    if data["supersedes"]:
        fields.add_row("supersedes", data["supersedes"])
    if data["supersededBy"]:
        fields.add_row("superseded by", data["supersededBy"])
    title = Text(f"Record {data['recordId']}", style="bold")
    return Group(title, fields, Text(""), _acts(data["attestations"], head is not None))


def _acts(acts: list[dict[str, Any]], confirmations: bool) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if not acts:
        return "[bold]acts[/]  none"

    def health(a: dict[str, Any]) -> str:
        return f"[{'green' if a['health'] == 'valid' else 'red'}]{escape(a['health'])}[/]"

    def confirmed(a: dict[str, Any]) -> str:
        return plural(a["confirmations"], "confirmation") if confirmations else ""

    if console.width >= 110:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Acts", title_justify="left")
        for name in ("party", "act", "time (UTC)"):
            table.add_column(name, no_wrap=True)
        table.add_column("signer", overflow="fold")
        table.add_column("health", overflow="fold")
        if confirmations:
            table.add_column("confirmations", justify="right", no_wrap=True)
        for a in acts:
            act = a["intent"] + (f"\n[dim]{escape(a['reason'])}[/]" if a["reason"] else "")
            row = [a["party"], act, a["time"], a["signer"], health(a)]
            table.add_row(*row, *([str(a["confirmations"])] if confirmations else []))
        return table
    grid = Table.grid(padding=(0, 2), pad_edge=False)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for a in acts:  # narrow terminal: two lines per act
        first = f"{a['intent']} at {a['time']}, {health(a)}" + (f", {confirmed(a)}" if confirmations else "")
        grid.add_row(a["party"], first)
        reason = f"; [dim]reason:[/] {escape(a['reason'])}" if a["reason"] else ""
        grid.add_row("", f"[dim]by[/] {a['signer']}{reason}")
    return Group(Text("Acts", style="bold"), grid)


_STATUS_STYLE = {"executed": "green", "in-force": "bold green", "open": "yellow"}


def _status_text(record: Record) -> str:
    label = record.status.label
    return f"[{_STATUS_STYLE.get(label, 'red')}]{label}[/]"


def _parties(record: Record, mask: int) -> list[str]:
    return [p for i, p in enumerate(record.parties) if mask >> i & 1]


def progress(record: Record) -> list[tuple[str, str]]:
    """Where the record stands, as (label, text) rows: signatures, ratification, and what can be
    done next. Nobody is said to be awaited on a record they can no longer sign."""
    signed_mask, withdrawn_mask, annulled_mask, ratified_mask = record.masks
    signed = _parties(record, signed_mask)
    bound = _parties(record, signed_mask & ~withdrawn_mask)
    unsigned = [p for p in record.parties if p not in signed]
    status = record.status
    rows: list[tuple[str, str]] = []
    count = f"{len(signed)} of {record.quorum} needed" + (f" ({', '.join(signed)})" if signed else "")
    if status is Status.OPEN:
        rows.append(("signatures", f"{count}; waiting for {', '.join(unsigned) or 'nobody'}"))
    elif status in (Status.EXECUTED, Status.IN_FORCE):
        late = f"; {', '.join(unsigned)} may still sign (accession)" if unsigned else ""
        rows.append(("signatures", f"{count}: quorum met{late}"))
    else:
        rows.append(("signatures", count))
    waiting: list[str] = []
    if record.ratification_required and status in (Status.EXECUTED, Status.IN_FORCE):
        ratified = [p for p in _parties(record, ratified_mask) if p in bound]
        waiting = [p for p in bound if p not in ratified]
        text = f"{len(ratified)} of {record.quorum} needed" + (f" ({', '.join(ratified)})" if ratified else "")
        if status is Status.EXECUTED:
            text += f"; awaiting ratification by {', '.join(waiting) or 'nobody bound'}"
        else:
            text += ": in force"
        rows.append(("ratification", text))
    withdrawn = _parties(record, withdrawn_mask & signed_mask)
    if withdrawn:
        rows.append(("withdrawn", ", ".join(withdrawn)))
    annulled = [p for p in _parties(record, annulled_mask) if p in bound]
    if annulled and status is not Status.ANNULLED:
        rows.append(("annulment", f"{len(annulled)} of {record.quorum} needed ({', '.join(annulled)})"))
    if (step := _next_step(record, unsigned, waiting)) is not None:
        rows.append(("next", step))
    return rows


def _next_step(record: Record, unsigned: list[str], unratified: list[str]) -> str | None:
    rid, submitter = record.record_id_hex, record.submitter
    status = record.status
    if status is Status.CANCELLED:
        return (
            f"cancelled by {submitter}: nobody can sign it any more; {submitter} may notarise a corrected text, "
            "or another party may notarise this document"
        )
    if status is Status.VOID:
        return (
            f"void: {submitter}'s notarisation was signed with a key not authorised at that time; "
            f"{submitter} may notarise this document again with a valid key"
        )
    if status is Status.SUPERSEDED:
        return f"superseded: sign or verify the amendment instead (`notary status 0x{record.superseded_by.hex()}`)"
    if status in (Status.ANNULLED, Status.TERMINATED):
        return f"{status.label}: nobody can sign it any more"
    if status is Status.OPEN and unsigned:
        return f"{', '.join(unsigned)}: `notary sign {rid} --as PARTY --key KEY`"
    if status is Status.EXECUTED and unratified:
        return f"{', '.join(unratified)}: `notary sign {rid} --intent ratification --as PARTY --key KEY`"
    return None
