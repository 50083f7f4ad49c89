"""`notary submit P1.json P2.json …`: relay many payloads signed offline, many transactions in flight
(`notary.relaying.submit_many`), each exactly once.

Every file is read and checked first (a bad file stops everything before anything is sent,
naming the file); the relayer's key is unlocked once. Each payload then gets its own outcome
(recorded, already recorded, or why not), one line each or a JSON list; the exit code is 0
when every act is recorded, else that of the first failure (the others are still done).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from notary.cli import context
from notary.cli.output import console, err_console, print_json
from notary.codes import bytes32_to_text


def submit_many(payload_files: list[Path], relayer: str | None, password_file: Path | None, as_json: bool) -> int:
    from notary import relaying, signed_payload
    from notary.cli import exit_codes
    from notary.cli._act_send import confirmations, print_notes, throwaway_relayer
    from notary.errors import InvalidInputError, NotaryError
    from notary.journal import Journal, Outcome

    if len(set(payload_files)) != len(payload_files):
        raise InvalidInputError("the same payload file is listed twice", hint="list each file once")
    signed = []
    for path in payload_files:
        try:
            signed.append(signed_payload.read(path))
        except NotaryError as exc:  # name the file: there are many
            raise _named(exc, path) from None
    gw = context.gateway()
    items = []
    for path, one in zip(payload_files, signed, strict=True):
        try:
            items.append(relaying.item_of(gw, one))
        except NotaryError as exc:
            raise _named(exc, path) from None
    seen: dict[Any, Path] = {}
    for path, item in zip(payload_files, items, strict=True):
        if item.key in seen:
            raise InvalidInputError(
                f"{path} and {seen[item.key]} sign the same act ({item.key.party}'s {item.key.intent}); "
                "nothing was sent",
                hint="keep one of them",
            )
        seen[item.key] = path
    account = throwaway_relayer(gw) if relayer is None else context.unlock(relayer, password_file)
    context.ensure_gas(account)
    settings = context.settings()
    journal = Journal(settings.resolved_data_dir, gw.chain.chain_id)

    def progress(done: int, total: int) -> None:
        if not as_json and (done == total or done % 50 == 0):
            err_console.print(f"{done:,} of {total:,} acts done", highlight=False)

    from notary.journal import submit_many as submit_items

    result = submit_items(
        gw.chain,
        journal,
        account,
        items,
        timeout=settings.tx_timeout,
        confirmations=confirmations(gw.chain),
        progress=progress,
    )
    print_notes(result.notes)
    rows: list[dict[str, Any]] = []
    for path, one, item, outcome in zip(payload_files, signed, items, result.outcomes, strict=True):
        p = one.payload
        row: dict[str, Any] = {
            "file": str(path),
            "party": bytes32_to_text(p.party),
            "intent": item.key.intent,
            ("anchorId" if item.key.intent == "anchor" else "recordId"): "0x" + item.key.record.hex(),
        }
        if isinstance(outcome, Outcome):
            row |= {
                "outcome": "already-recorded" if outcome.already_recorded else "recorded",
                "transaction": outcome.transaction,
                "block": outcome.block_number,
            }
            if outcome.replaced:
                row["replaced"] = list(outcome.replaced)
        else:
            row |= {"outcome": "failed", "error": outcome.message, "hint": outcome.hint}
        rows.append(row)
    failures = [o for o in result.outcomes if isinstance(o, NotaryError)]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            mark = {"recorded": "[green]✓[/] recorded", "already-recorded": "[yellow]already recorded[/]"}.get(
                row["outcome"], "[bold red]✗ failed[/]"
            )
            detail = escape(str(row.get("transaction") or row.get("error", "")))
            console.print(
                f"{mark}: {escape(row['party'])}'s {escape(row['intent'])} from {escape(row['file'])}: {detail}",
                highlight=False,
                soft_wrap=True,
            )
        recorded = sum(1 for r in rows if r["outcome"] == "recorded")
        already = sum(1 for r in rows if r["outcome"] == "already-recorded")
        console.print(
            f"{recorded:,} recorded, {already:,} already recorded, {len(failures):,} failed, of {len(rows):,} payloads",
            highlight=False,
        )
        if failures:
            err_console.print("[yellow]hint:[/] fix what each failure says, then run the same command again: "
                              "what is recorded is not sent twice", highlight=False)  # fmt: skip
    return exit_codes.for_error(failures[0]) if failures else exit_codes.OK


def _named(exc: Exception, path: Path) -> Exception:
    """`exc` (a NotaryError) with the file it is about in front of its message."""
    from notary.errors import InvalidInputError, NotaryError

    assert isinstance(exc, NotaryError)
    message = f"{path}: {exc.message}; nothing was sent"
    try:
        return type(exc)(message, hint=exc.hint)
    except TypeError:  # an error with its own constructor (contract reverts)
        return InvalidInputError(message, hint=exc.hint)
