"""Journal entries: what one submission is about (`JournalKey`), its signed transaction and state
(`JournalEntry`), and their JSON form on disk."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notary.errors import NotaryError

if TYPE_CHECKING:
    from notary.chain.tx import OnSigned, TxResult

MEDIA_TYPE = "application/vnd.notary.journal-entry+json"
MAJOR_VERSION = 2
SIGNED, SENT, MINED, RECORDED = "signed", "sent", "mined", "recorded"
STATES = (SIGNED, SENT, MINED, RECORDED)
#: Blocks past the confirmation depth during which a recorded act is still watched for reorgs.
REORG_WATCH = 64
#: A temporary file older than this is an orphan even if its writer's pid is in use again.
ORPHAN_SECONDS = 600
_FIELDS_V1 = {
    "mediaType",
    "version",
    "chainId",
    "ledger",
    "record",
    "party",
    "intent",
    "transaction",
    "rawTransaction",
    "deadline",
    "createdAt",
}
_FIELDS_V2_0 = _FIELDS_V1 | {"state", "blockNumber", "blockHash"}
_FIELDS = _FIELDS_V2_0 | {"replaced"}  # transactions it replaced (same nonce, lower fees)
_HEX = re.compile(r"^0x[0-9a-f]*$")

#: Signs and sends an act with one `notary.chain.tx.send`, passing on its two arguments:
#: `on_signed` (journals the transaction before broadcast) and `timeout` (for the receipt).
Send = Callable[["OnSigned", float], "TxResult"]


class JournalError(NotaryError, RuntimeError):
    """A journal entry is unreadable, or another command is submitting the same act."""

    code = "journal"


@dataclass(frozen=True)
class JournalKey:
    """What one submission is about: an act of `party` with `intent` on `record` of `ledger`.

    `intent` is an `Intent` label, "notarisation" for the record's creation, or "anchor".
    """

    ledger: str
    record: bytes
    party: str
    intent: str

    @property
    def filename(self) -> str:
        return f"{self.ledger.lower()}.{self.record.hex()}.{self.party}.{self.intent}.json"


@dataclass(frozen=True)
class JournalEntry:
    """A signed transaction for `key`, written before broadcast."""

    key: JournalKey
    chain_id: int
    transaction: str
    raw_transaction: bytes
    deadline: int | None
    created_at: int
    state: str = SIGNED
    block_number: int | None = None
    block_hash: str | None = None
    #: Earlier transactions of this act with the same nonce, replaced by this one for their fees
    #: (hash, raw): any one of them may be the one mined, never two.
    replaced: tuple[tuple[str, bytes], ...] = ()

    @property
    def hashes(self) -> tuple[str, ...]:
        """Every transaction that may record this act: the current one first, then those it replaced."""
        return (self.transaction, *(h for h, _ in self.replaced))

    def at(self, state: str, result: TxResult | None = None) -> JournalEntry:
        """This entry in `state`, in `result`'s block (None: not in a block). If `result` is one of
        the transactions this one replaced, that one becomes the entry's transaction."""
        number = None if result is None else result.block_number
        entry = replace(
            self, state=state, block_number=number, block_hash=None if result is None else result.block_hash
        )
        if result is not None and result.transaction != self.transaction:
            entry = entry.replaced_by(result.transaction, dict(self.replaced).get(result.transaction, b""))
        return entry

    def replaced_by(self, transaction: str, raw_transaction: bytes) -> JournalEntry:
        """This entry after `transaction` (same nonce) took the place of its current one."""
        everything = {self.transaction: self.raw_transaction, **dict(self.replaced)}
        if transaction not in everything and not raw_transaction:
            raise ValueError(f"{transaction} is not a transaction of this entry")
        raw = raw_transaction or everything[transaction]
        others = tuple((h, r) for h, r in everything.items() if h != transaction)
        return replace(self, transaction=transaction, raw_transaction=raw, replaced=others)

    def describe(self) -> str:
        """The act's state in words, for messages."""
        if self.state == RECORDED:
            said = f"recorded as {self.transaction} in block {self.block_number}"
        elif self.state == MINED:
            said = f"sent as {self.transaction} and pending: mined in block {self.block_number}, not yet final"
        elif self.state == SENT:
            said = f"sent as {self.transaction} and pending"
        else:
            said = f"signed as {self.transaction} and kept in the journal; perhaps sent, perhaps not"
        if self.replaced:
            n = len(self.replaced)
            said += f" (in place of {n} earlier transaction{'s' if n > 1 else ''} of the same nonce, at lower fees)"
        return said

    def to_json(self) -> str:
        body = {
            "mediaType": MEDIA_TYPE,
            "version": MAJOR_VERSION,
            "chainId": self.chain_id,
            "ledger": self.key.ledger,
            "record": "0x" + self.key.record.hex(),
            "party": self.key.party,
            "intent": self.key.intent,
            "transaction": self.transaction,
            "rawTransaction": "0x" + self.raw_transaction.hex(),
            "deadline": self.deadline,
            "createdAt": self.created_at,
            "state": self.state,
            "blockNumber": self.block_number,
            "blockHash": self.block_hash,
            "replaced": [{"transaction": h, "rawTransaction": "0x" + r.hex()} for h, r in self.replaced],
        }
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> JournalEntry:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _corrupt(where, f"not JSON ({exc})") from None
        if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
            raise _corrupt(where, f"mediaType is not {MEDIA_TYPE}")
        version = body.get("version")
        if (version, set(body)) not in ((1, _FIELDS_V1), (MAJOR_VERSION, _FIELDS_V2_0), (MAJOR_VERSION, _FIELDS)):
            raise _corrupt(where, f"version {version!r} or its fields are not understood")
        if body.get("state", SIGNED) not in STATES:
            raise _corrupt(where, f"state {body['state']!r} is not one of {', '.join(STATES)}")
        try:
            block = body.get("blockNumber")
            return cls(
                key=JournalKey(str(body["ledger"]), _hex(body["record"]), str(body["party"]), str(body["intent"])),
                chain_id=int(body["chainId"]),
                transaction=str(body["transaction"]),
                raw_transaction=_hex(body["rawTransaction"]),
                deadline=None if body["deadline"] is None else int(body["deadline"]),
                created_at=int(body["createdAt"]),
                state=str(body.get("state", SIGNED)),
                block_number=None if block is None else int(block),
                block_hash=None if body.get("blockHash") is None else "0x" + _hex(body["blockHash"]).hex(),
                replaced=tuple((str(r["transaction"]), _hex(r["rawTransaction"])) for r in body.get("replaced", [])),
            )
        except (TypeError, ValueError, KeyError) as exc:
            raise _corrupt(where, str(exc)) from None


def _hex(value: Any) -> bytes:
    if not isinstance(value, str) or not _HEX.match(value):
        raise ValueError(f"{value!r} is not lower-case 0x-hex")
    return bytes.fromhex(value[2:])


def _corrupt(path: Path, why: str) -> JournalError:
    return JournalError(
        f"journal entry {path} is unreadable: {why}",
        hint="check the transaction it names on the chain, then delete the file and run the command again",
    )
