"""Where the contracts keep the state that receipts rely on: storage slots and packed fields.

Taken once from solc's `storageLayout` output for the current sources; a test compiles the
contracts and compares every entry here with solc's, so a contract change cannot silently
move a slot. Solidity's rules: a mapping at slot `p` keeps the value of key `k` at
`keccak256(pad32(k) ++ pad32(p))` (a nested mapping applies this twice, outer key first);
fields packed into one slot sit at their byte `offset` counted from the least significant end.
"""

from __future__ import annotations

from notary.eip712 import keccak256 as keccak

#: Contract -> state variable -> (slot, type label as solc writes it).
VARIABLES: dict[str, dict[str, tuple[int, str]]] = {
    "IdentityRegistry": {
        "_keys": (3, "mapping(bytes32 => mapping(address => struct IIdentityRegistry.SignerKey))"),
    },
    "NotaryLedger": {
        "_terms": (2, "mapping(bytes32 => bytes32)"),
        "_states": (3, "mapping(bytes32 => struct INotaryLedger.RecordState)"),
        "_supersededBy": (4, "mapping(bytes32 => bytes32)"),
        "_history": (6, "mapping(bytes32 => bytes32)"),
        "_batches": (7, "mapping(bytes32 => struct INotaryLedger.Attestation)"),
    },
}

#: Struct -> member -> (byte offset in the struct's single slot, size in bytes).
STRUCTS: dict[str, dict[str, tuple[int, int]]] = {
    "IIdentityRegistry.SignerKey": {
        "validFrom": (0, 8), "validUntil": (8, 8), "revokedAt": (16, 8), "addedAt": (24, 8),
    },
    "INotaryLedger.RecordState": {
        "status": (0, 1), "signed": (1, 4), "withdrawn": (5, 4), "annulled": (9, 4), "ratified": (13, 4),
        "quorum": (17, 1), "partyCount": (18, 1), "ratificationRequired": (19, 1), "executed": (20, 1),
        "superseded": (21, 1), "updatedAt": (22, 8),
    },
    "INotaryLedger.Attestation": {"signer": (0, 20), "time": (20, 8)},
}  # fmt: skip


def _word(value: int | bytes) -> bytes:
    """A mapping key as Solidity hashes it: 32 bytes (bytes32 as is; address and integers left-padded)."""
    if isinstance(value, int):
        return value.to_bytes(32, "big")
    return value.rjust(32, b"\0") if len(value) < 32 else value


def mapping_slot(key: int | bytes, slot: int | bytes) -> bytes:
    """The slot holding `mapping[key]` of a mapping stored at `slot`."""
    return keccak(_word(key) + _word(slot))


def _slot(contract: str, variable: str) -> int:
    return VARIABLES[contract][variable][0]


def signer_key_slot(party: bytes, signer: str) -> bytes:
    """The registry's `_keys[party][signer]` (one slot: the SignerKey's four uint64)."""
    inner = mapping_slot(party, _slot("IdentityRegistry", "_keys"))
    return mapping_slot(bytes.fromhex(signer[2:]), inner)


def ledger_slot(variable: str, key: bytes) -> bytes:
    """The ledger's `variable[key]` for one of its bytes32-keyed mappings."""
    return mapping_slot(key, _slot("NotaryLedger", variable))


def unpack(struct: str, word: int) -> dict[str, int]:
    """The members of a single-slot struct from its storage word."""
    return {name: (word >> (8 * offset)) & ((1 << (8 * size)) - 1) for name, (offset, size) in STRUCTS[struct].items()}
