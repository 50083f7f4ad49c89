"""Sending the act commands' transactions: who pays gas, and the journal that sends each act
at most once (`notary.journal.submit_once`), with the configured `tx_timeout`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from notary.cli import context
from notary.cli.output import err_console
from notary.errors import ConfigError, InvalidInputError

if TYPE_CHECKING:
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import OnSigned, TxResult
    from notary.journal import JournalKey, OnChain, Outcome, Send
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


def submit_journalled(
    gw: LedgerGateway,
    key: JournalKey,
    recorded: Callable[[], OnChain | None],
    send: Send,
    deadline: int,
) -> Outcome:
    """`journal.submit_once` in this machine's journal, waiting `tx_timeout` for receipts.

    `send(on_signed, timeout)` passes both on to `relay` (or `ledger.submit`). On Ctrl-C,
    says where the signed transaction is kept.
    """
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
