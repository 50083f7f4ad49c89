"""The keys an agent holds: unlocked accounts by name, each with its expiry. Memory only."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notary.agent.errors import AgentKeyMissingError, AgentRefusedError
from notary.agent.ttl import check_ttl
from notary.models import timestamp_text

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # as the keystore names keys


@dataclass(frozen=True)
class HeldKey:
    name: str
    account: LocalAccount
    expires_at: float

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "address": self.account.address, "expiresAt": int(self.expires_at)}


class KeyRing:
    """Unlocked keys by name; a key past its expiry is forgotten at the next look."""

    def __init__(self, default_ttl: int, clock: Callable[[], float] = time.time) -> None:
        self.default_ttl = check_ttl(default_ttl)
        self.clock = clock
        self._keys: dict[str, HeldKey] = {}
        self._expired: dict[str, float] = {}  # name -> when it expired (no key material)

    def add(self, name: object, private_key: bytes, ttl: int | None) -> HeldKey:
        from eth_account import Account

        if not isinstance(name, str) or not _NAME.match(name):
            raise AgentRefusedError(f"key name {name!r} is not valid", hint="use letters, digits, '.', '_' or '-'")
        seconds = self.default_ttl if ttl is None else check_ttl(ttl)
        try:
            account = Account.from_key(private_key)
        except (ValueError, TypeError):
            raise AgentRefusedError("the key handed to the agent is not a valid secp256k1 private key") from None
        held = HeldKey(name, account, self.clock() + seconds)
        self._keys[name] = held
        self._expired.pop(name, None)
        return held

    def get(self, name: object) -> HeldKey:
        self.purge()
        held = self._keys.get(name) if isinstance(name, str) else None
        if held is not None:
            return held
        expired = self._expired.get(name) if isinstance(name, str) else None
        if expired is not None:
            raise AgentKeyMissingError(
                f"the agent's hold on key {name!r} expired at {timestamp_text(int(expired))}",
                hint=f"add it again: notary agent add {name}",
            )
        held_names = ", ".join(sorted(self._keys)) or "none"
        raise AgentKeyMissingError(
            f"the agent does not hold key {name!r} (it holds: {held_names})",
            hint=f"add it: notary agent add {name}" if isinstance(name, str) else None,
        )

    def remove(self, name: object) -> HeldKey:
        held = self.get(name)
        del self._keys[held.name]
        return held

    def held(self) -> list[HeldKey]:
        self.purge()
        return sorted(self._keys.values(), key=lambda k: k.name)

    def purge(self) -> list[str]:
        """Forget every key whose time has run out; their names."""
        now = self.clock()
        gone = [name for name, held in self._keys.items() if held.expires_at <= now]
        for name in gone:
            self._expired[name] = self._keys.pop(name).expires_at
        return gone

    def clear(self) -> int:
        count = len(self._keys)
        self._keys.clear()
        return count

    def next_expiry(self) -> float | None:
        return min((k.expires_at for k in self._keys.values()), default=None)

    def __len__(self) -> int:
        return len(self._keys)
