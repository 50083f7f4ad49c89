"""`notary index [--follow]`, `notary index status|records|keys`: the event index.

The database is `--db` / NOTARY_INDEX_URL, else an SQLite file under the data directory.
The confirmation depth defaults to 0 on development chains (anvil, in-process) and 12
elsewhere; the range size to 1,000 blocks (lower it for nodes that cap log queries).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notary.cli import context
from notary.cli.output import console, print_json

_print = functools.partial(console.print, soft_wrap=True, highlight=False)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from notary.chain.events import EventReader
    from notary.index import Indexer

PRODUCTION_CONFIRMATIONS = 12

app = typer.Typer(help="Follow both contracts' events into the index database, and query it.")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="NOTARY_INDEX_URL",
        help="Index database URL: sqlite:///FILE or postgresql://user:pass@host/db "
        "[default: $NOTARY_DATA_DIR/index/<chain id>.sqlite3].",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@dataclass
class IndexOptions:
    db: str | None = None
    range_size: int = 1000
    confirmations: int | None = None


_options = IndexOptions()


def index_url(db: str | None) -> str:
    from notary.index import default_url

    return db or default_url(context.settings().resolved_data_dir, context.chain().chain_id)


def open_db(db: str | None) -> Engine:
    from notary.index import open_index

    return open_index(index_url(db))


def event_reader() -> EventReader:
    from notary.chain.events import EventReader

    gw = context.gateway()
    return EventReader(gw.chain, gw.deployment)


def make_indexer(options: IndexOptions | None = None) -> Indexer:
    from notary.index import Indexer

    opts = options or _options
    reader = event_reader()
    confirmations = opts.confirmations
    if confirmations is None:
        dev = reader.chain.is_in_process or reader.chain.chain_id in context.DEV_CHAIN_IDS
        confirmations = 0 if dev else PRODUCTION_CONFIRMATIONS
    return Indexer(reader, open_db(opts.db), range_size=opts.range_size, confirmations=confirmations)


@app.callback(invoke_without_command=True)
def index(
    ctx: typer.Context,
    follow: Annotated[bool, typer.Option("--follow", help="Keep indexing new blocks until interrupted.")] = False,
    db: DbOption = None,
    range_size: Annotated[
        int, typer.Option("--range", envvar="NOTARY_INDEX_RANGE", min=1, help="Blocks per log query.")
    ] = 1000,
    confirmations: Annotated[
        int | None,
        typer.Option(
            "--confirmations",
            envvar="NOTARY_INDEX_CONFIRMATIONS",
            min=0,
            help="Blocks a block needs on top of it to count as final [default: 0 on dev chains, else 12].",
        ),
    ] = None,
    poll: Annotated[float, typer.Option("--poll", min=0.1, help="Seconds between passes with --follow.")] = 2.0,
    as_json: Json = False,
) -> None:
    """Index every final block not indexed yet (bounded ranges, checkpoint, reorg rollback)."""
    global _options
    _options = IndexOptions(db, range_size, confirmations)
    if ctx.invoked_subcommand is not None:
        return
    indexer = make_indexer()

    def show(report: Any) -> None:
        if as_json:
            print_json(report.to_json())
        elif report.ranges or report.reorgs or not follow:
            rate = report.events / report.seconds if report.seconds else 0.0
            reorg = (
                f"; {report.reorgs} reorganisation(s), {report.rolled_back} events rolled back" if report.reorgs else ""
            )
            _print(
                f"indexed to block {report.last_block} (head {report.head}, final {report.final}): "
                f"{report.events} events in {report.ranges} ranges, "
                f"{report.seconds:.2f} s ({rate:,.0f} events/s){reorg}"
            )

    if not follow:
        show(indexer.run_once())
        return

    def warn(exc: Exception) -> None:
        _print(f"[yellow]warning:[/] {exc}; retrying")

    import contextlib
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a service manager's stop: finish the range, exit
    with contextlib.suppress(KeyboardInterrupt):
        indexer.follow(stop, poll_interval=poll, on_report=show, on_error=warn)
    _print("stopped")


@app.command("status")
def status(as_json: Json = False) -> None:
    """Where the index stands: its database, schema revision, checkpoint and lag behind the chain head."""
    from notary.index import IndexReader
    from notary.index.db import current_revision

    engine = open_db(_options.db)
    state = IndexReader(engine).state()
    head = context.chain().block_number()
    data = {
        "database": engine.url.render_as_string(hide_password=True),
        "schema": current_revision(engine),
        "head": head,
        "last_block": state.last_block if state else None,
        "last_block_hash": state.last_block_hash if state else None,
        "lag": head - state.last_block if state else None,
        "events": IndexReader(engine).count(),
    }
    if as_json:
        print_json(data)
        return
    for k, v in data.items():
        _print(f"[bold]{k}[/]: {v}")


@app.command("records")
def records(
    digest: Annotated[str | None, typer.Option(help="Document digest (hex).")] = None,
    party: Annotated[str | None, typer.Option(help="Submitter or required party.")] = None,
    kind: Annotated[str | None, typer.Option(help="Instrument kind, e.g. mou.")] = None,
    state: Annotated[str | None, typer.Option("--state", help="open, executed, in-force, …")] = None,
    since: Annotated[str | None, typer.Option(help="Created at or after (ISO 8601, UNIX seconds, -2d).")] = None,
    until: Annotated[str | None, typer.Option(help="Created before.")] = None,
    as_json: Json = False,
) -> None:
    """Records from the index with their state, by digest, party, kind and time."""
    from notary.index import IndexReader
    from notary.models import timestamp_text
    from notary.timeparse import parse_time

    reader = IndexReader(open_db(_options.db))
    rows = reader.records(
        digest=digest,
        party=party.upper() if party else None,
        kind=kind,
        status=state,
        since=parse_time(since) if since else None,
        until=parse_time(until) if until else None,
    )
    for row in rows:
        row["attestations"] = reader.attestations(row["record_id"])
    if as_json:
        print_json(rows)
        return
    for row in rows:
        signed = ", ".join(
            f"{a['party']} ({a['intent']}{', voided' if a['voided'] else ''})" for a in row["attestations"]
        )
        again = f" (notarised {row['notarisations']} times)" if row["notarisations"] > 1 else ""
        superseded = f"; superseded by {row['superseded_by'][:18]}…" if row["superseded_by"] else ""
        _print(
            f"{row['record_id'][:18]}… {row['kind']:<12} {row['status']:<10} by {row['submitter']:<5} "
            f"{timestamp_text(row['created_at'])}{again} digest {row['digest'][:16]}…; "
            f"acts: {signed or 'none'}{superseded}"
        )
    if not rows:
        _print("no records match")


@app.command("keys")
def keys(party: Annotated[str, typer.Argument(help="Party code, e.g. FRA.")], as_json: Json = False) -> None:
    """A party's signer keys: current windows, back-dated revocations awaiting the depositary, full history."""
    from notary.index import IndexReader

    reader = IndexReader(open_db(_options.db))
    code = party.upper()
    current, history = reader.keys(code), reader.key_history(code)
    if as_json:
        print_json({"party": code, "keys": current, "history": history})
        return
    from notary.audit.wording import when, window

    backdated = {  # key → effective time of a revocation that took effect before it was declared
        h["signer"].lower(): int(h["detail"]["effectiveAt"])
        for h in history
        if h["event"] in ("SignerRevoked", "BackdatedRevocationConfirmed")
        and int(h["detail"]["effectiveAt"]) < int(h["time"])
    }
    _print(f"[bold]{code}[/]: {len(current)} signer key{'s' if len(current) != 1 else ''}")
    for k in current:
        if k["key"].lower() in backdated or k["pending_revocation"]:
            label = "[bold red]compromised[/]"
        elif k["revoked_at"]:
            label = "[yellow]revoked[/]"
        else:
            label = "[green]authorised[/]"
        facts = [window(k["valid_from"], k["valid_until"])]
        if k["revoked_at"]:
            declared = " (declared compromised)" if k["key"].lower() in backdated else ""
            facts.append(f"revoked from {when(k['revoked_at'])}{declared}")
        if k["pending_revocation"]:
            facts.append(
                f"a back-dated revocation from {when(k['pending_revocation'])} awaits the depositary's confirmation"
            )
        _print(f"  {k['key']}  {label}: " + "; ".join(facts))
    if history:
        _print("[bold]key history[/]")
    for h in history:
        _print(f"  {when(int(h['time']))}  block {h['block_number']}  {_key_event(h)}")
    if not current:
        _print(f"no signer keys for {code} in the index")


def _key_event(h: dict[str, Any]) -> str:
    """One key event in words."""
    from notary.audit.wording import when, window

    d, key = h["detail"], h["signer"]
    if h["event"] == "SignerAdded":
        return f"key {key} added, valid {window(int(d['validFrom']), int(d['validUntil']))}"
    if h["event"] == "SignerRevoked":
        back = int(d["effectiveAt"]) < int(h["time"])
        return f"key {key} revoked from {when(int(d['effectiveAt']))}" + (
            " (back-dated: declared compromised)" if back else ""
        )
    if h["event"] == "BackdatedRevocationRequested":
        return f"key {key}: revocation back-dated to {when(int(d['requestedAt']))} requested (awaits the depositary)"
    if h["event"] == "BackdatedRevocationConfirmed":
        return f"key {key}: the depositary confirmed its revocation from {when(int(d['effectiveAt']))}"
    return f"{h['event']} {key}"
