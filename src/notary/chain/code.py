"""What a node holds at a deployment's addresses: runtime code, its hash, the ledger's registry.

The runtime code of `NotaryLedger` embeds immutables set at deployment (the registry's
address, the EIP-712 domain's chain id, address and cached separator), so it differs from
the artifact's `deployedBytecode` exactly there: solc leaves each immutable as a zero
`PUSH32` operand in the artifact. `matches_artifact` compares the code with those operands
masked; the code hash pinned by `notary trust add` covers every byte, immutables included.
"""

from __future__ import annotations

from eth_utils import keccak, to_checksum_address

from notary.chain import artifacts, tx
from notary.chain.connect import Chain
from notary.trust import Observed

_PUSH32 = 0x7F
_WORD = bytes(32)


def runtime_code(chain: Chain, address: str) -> bytes:
    return bytes(chain.w3.eth.get_code(to_checksum_address(address)))


def code_hash(code: bytes) -> str:
    return "0x" + keccak(code).hex()


def _immutable_slots(art: bytes) -> set[int]:
    """The byte positions of zero PUSH32 operands in an artifact: where solc puts immutables."""
    slots: set[int] = set()
    at = art.find(bytes([_PUSH32]) + _WORD)
    while at != -1:
        slots.update(range(at + 1, at + 33))
        at = art.find(bytes([_PUSH32]) + _WORD, at + 1)
    return slots


def matches_artifact(code: bytes, name: str) -> bool:
    """Whether `code` is contract `name`'s compiled runtime code, immutables masked (metadata included)."""
    art = bytes.fromhex(artifacts.load(name).deployed_bytecode.removeprefix("0x"))
    if len(code) != len(art) or not art:
        return False
    slots = _immutable_slots(art)
    return all(a == b or i in slots for i, (a, b) in enumerate(zip(art, code, strict=True)))


def ledger_registry(chain: Chain, ledger: str) -> str | None:
    """The registry the ledger at `ledger` was built with, or None if it does not answer like a ledger."""
    contract = chain.w3.eth.contract(address=to_checksum_address(ledger), abi=artifacts.load("NotaryLedger").abi)
    try:
        return to_checksum_address(tx.call(contract.functions.registry()))
    except Exception:  # no code, another contract, a revert: not a ledger
        return None


def observe(chain: Chain, ledger: str, registry: str) -> Observed:
    """Read both contracts of a deployment from the node (`notary.trust.judge` weighs what was seen)."""
    led, reg = runtime_code(chain, ledger), runtime_code(chain, registry)
    return Observed(
        ledger_code_hash=code_hash(led) if led else None,
        registry_code_hash=code_hash(reg) if reg else None,
        registry_of_ledger=ledger_registry(chain, ledger) if led else None,
        ledger_is_known=matches_artifact(led, "NotaryLedger"),
        registry_is_known=matches_artifact(reg, "IdentityRegistry"),
    )
