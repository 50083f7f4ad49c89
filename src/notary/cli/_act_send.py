"""Sending the act commands' transactions: who pays gas, and the journal that sends each act
at most once (`notary.journal.submit_once`), with the configured `tx_timeout` and
confirmation depth. It also remembers how far the running command got with its act, so
that an interruption or a late error can say what state the act is in (`act_state`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from notary.cli import context
from notary.cli.output import err_console
from notary.errors import ConfigError, InvalidInputError

if TYPE_CHECKING:
    from notary.chain.connect import Chain
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import OnSigned, TxResult
    from notary.journal import Journal, JournalKey, Note, OnChain, Outcome, Send
    from notary.ledger import SignedPayload
    from notary.models import Notarisation, Record


def relay(
    gw: LedgerGateway,
    signed: SignedPayload,
    signer: Any,
    relayer: str | None,
    relayer_password_file: Path | None,
    on_signed: OnSigned | None = None,
    timeout: float | None = None,
) -> TxResult:
    """Submit `signed`, paid by the signing key itself unless another relayer is named.

    `on_signed` and `timeout` go on to `ledger.submit`; without a timeout, the configured one.
    """
    from notary import ledger

    account = signer if relayer is None else context.unlock(relayer, relayer_password_file)
    context.ensure_gas(account)
    wait = context.settings().tx_timeout if timeout is None else timeout
    return ledger.submit(gw, account, signed, on_signed=on_signed, timeout=wait)


def throwaway_relayer(gw: LedgerGateway) -> Any:
    """On a development chain, a fresh account (funded by `ensure_gas`) may relay; elsewhere, name one."""
    from eth_account import Account

    if gw.chain.chain_id not in context.DEV_CHAIN_IDS and not gw.chain.is_in_process:
        raise ConfigError(
            f"chain {gw.chain.chain_id} is not a development chain: someone must pay gas to relay",
            hint="name the paying key with --relayer NAME",
        )
    return Account.create()


def journal_key(gw: LedgerGateway, rid: bytes, party: str, intent: str) -> JournalKey:
    from notary.journal import JournalKey

    return JournalKey(gw.domain.verifying_contract, rid, party, intent)


#: Blocks on top of an act's block before it counts as recorded, unless configured.
PRODUCTION_CONFIRMATIONS = 12
#: Commands that submit an act (first word after the root options), for `act_state`.
ACT_COMMANDS = frozenset({"notarise", "sign", "submit", "withdraw", "cancel", "annul", "batch"})
_ROOT_VALUE_OPTIONS = frozenset({"--rpc-url", "--deployment", "--keystore-dir", "--data-dir"})


def confirmations(chain: Chain) -> int:
    """The configured confirmation depth, else 0 on development chains and 12 elsewhere."""
    configured = context.settings().confirmations
    if configured is not None:
        return configured
    dev = chain.chain_id in context.DEV_CHAIN_IDS or chain.is_in_process
    return 0 if dev else PRODUCTION_CONFIRMATIONS


@dataclass
class _Progress:
    """How far the running command got with its act."""

    journal: Journal | None = None
    key: JournalKey | None = None
    outcome: Outcome | None = None


_progress = _Progress()


def reset_progress() -> None:
    global _progress
    _progress = _Progress()


def act_state(argv: Sequence[str] = ()) -> str | None:
    """The state of the act the running command submits, in words: "not sent", "sent as 0x… and
    pending", "recorded as 0x… in block N"…; None if `argv` is not an act command. Before the
    command reached its submission it does not know the act's journal entry yet: "not sent by
    this run" (`notary pending` shows what earlier runs left)."""
    from notary.journal import state_of

    p = _progress
    if p.outcome is not None:
        where = f" as {p.outcome.transaction}" if p.outcome.transaction else ""
        block = f" in block {p.outcome.block_number}" if p.outcome.block_number is not None else ""
        return f"recorded{where}{block}"
    if p.journal is not None and p.key is not None:
        return state_of(p.journal, p.key)
    return "not sent by this run" if _command_of(argv) in ACT_COMMANDS else None


def _command_of(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _ROOT_VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def submit_journalled(
    gw: LedgerGateway,
    key: JournalKey,
    recorded: Callable[[], OnChain | None],
    send: Send,
    deadline: int,
) -> Outcome:
    """`journal.submit_once` in this machine's journal, waiting `tx_timeout` for receipts and the
    confirmation depth; says on stderr what it found about other kept acts (reorgs, re-broadcasts).

    `send(on_signed, timeout)` passes both on to `relay` (or `ledger.submit`).
    """
    from notary.journal import Journal, submit_once

    s = context.settings()
    journal = Journal(s.resolved_data_dir, gw.chain.chain_id)
    _progress.journal, _progress.key = journal, key
    outcome = submit_once(
        gw.chain,
        journal,
        key,
        recorded=recorded,
        send=send,
        deadline=deadline,
        timeout=s.tx_timeout,
        confirmations=confirmations(gw.chain),
    )
    _progress.outcome = outcome
    print_notes(outcome.notes)
    return outcome


def print_notes(notes: Sequence[Note]) -> None:
    """What a sweep of the journal did, one line each; reorgs of acknowledged acts stand out."""
    for note in notes:
        if note.what == "orphan":
            continue
        style = "bold red" if note.what in ("reorged", "lost") else "yellow"
        err_console.print(f"[{style}]journal:[/] {escape(note.text)}", highlight=False, soft_wrap=True)


def check_same_terms(record: Record, payload: Notarisation) -> None:
    """An existing record of this digest by this party must be the one asked for."""
    from notary.ledger import differing_terms

    differ = differing_terms(record, payload)
    if differ:
        raise InvalidInputError(
            f"{record.submitter} already notarised this digest as record {record.record_id_hex} with other "
            f"terms ({', '.join(differ)} differ); nothing was sent",
            hint="see it with `notary status`; to change an agreement, notarise the new text with --supersedes",
        )
