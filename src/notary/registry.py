"""Use cases of the identity registry: parties, controllers and signer keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from notary.chain.gateway import LedgerGateway
from notary.chain.tx import TxResult
from notary.codes import party_code
from notary.errors import InvalidInputError
from notary.models import Party, SignerKey

#: "valid until" when none is given: far in the future, but a uint64.
FOREVER = 2**63


@dataclass(frozen=True)
class PartyView:
    """A party with every key ever added for it, as rebuilt from events."""

    party: Party
    keys: tuple[SignerKey, ...]
    history: tuple[dict[str, Any], ...]


def register_party(gw: LedgerGateway, depositary: LocalAccount, code: str, name: str, controller: str) -> TxResult:
    if not name.strip():
        raise InvalidInputError("a party needs a display name", hint='e.g. --name "French Republic"')
    return gw.register_party(depositary, party_code(code), name.strip(), controller)


def add_signer(
    gw: LedgerGateway,
    controller: LocalAccount,
    code: str,
    key: str,
    valid_from: int | None = None,
    valid_until: int | None = None,
) -> TxResult:
    """Authorise `key` for party `code`; the window defaults to [now, forever)."""
    start = gw.now() if valid_from is None else valid_from
    end = FOREVER if valid_until is None else valid_until
    return gw.add_signer(controller, party_code(code), key, start, end)


def revoke_signer(
    gw: LedgerGateway, controller: LocalAccount, code: str, key: str, effective_at: int | None = None
) -> TxResult:
    """Revoke `key` from `effective_at` (default now); a past time declares a compromise."""
    return gw.revoke_signer(controller, party_code(code), key, gw.now() if effective_at is None else effective_at)


def revocation_is_compromise(gw: LedgerGateway, effective_at: int, block_number: int) -> bool:
    """Whether a revocation mined in `block_number` reaches back into blocks mined before it.

    If the previous block's time is at or after the effective time, acts already on chain
    may have been signed with the key after its revocation took effect: the revocation
    declares a compromise. One effective after that time invalidates nothing on chain.
    (Stricter than "effective before the transaction's own block time", which would flag
    a plain revocation mined a few seconds after it was sent.)
    """
    return effective_at <= gw.chain.block_timestamp(max(block_number - 1, 0))


def show_party(gw: LedgerGateway, code: str) -> PartyView:
    raw = party_code(code)
    history = gw.key_history(raw)
    keys: dict[str, SignerKey] = {}
    for row in history:
        keys.setdefault(row["key"], gw.signer_key(raw, row["key"]))
    return PartyView(gw.party(raw), tuple(keys.values()), tuple(history))
