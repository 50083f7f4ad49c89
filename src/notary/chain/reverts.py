"""Decode custom-error reverts into the typed exceptions of `notary.errors`.

web3.py surfaces a custom-error revert as raw selector bytes; this module matches the
selector against every error in the contracts' ABIs and renders the arguments for people.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from notary import errors
from notary.chain.artifacts import all_error_abis
from notary.codes import bytes32_to_text
from notary.models import Intent, Status, timestamp_text

_TIME_ARGS = {"time", "deadline", "validFrom", "validUntil", "existing", "requested"}
_CODE_ARGS = {"code", "party"}


@cache
def _selectors() -> dict[bytes, tuple[str, list[str], list[str]]]:
    table: dict[bytes, tuple[str, list[str], list[str]]] = {}
    for item in all_error_abis():
        types = [i["type"] for i in item["inputs"]]
        names = [i["name"] for i in item["inputs"]]
        signature = f"{item['name']}({','.join(types)})"
        table[function_signature_to_4byte_selector(signature)] = (item["name"], types, names)
    return table


def _render(name: str, value: Any) -> str:
    if name in _CODE_ARGS and isinstance(value, bytes):
        return bytes32_to_text(value)
    if name == "status":
        return Status(value).label
    if name == "intent":
        return Intent(value).label if value in Intent._value2member_map_ else str(value)
    if name in _TIME_ARGS and isinstance(value, int):
        return f"{timestamp_text(value)}" if value < 2**40 else str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return str(value)


def decode_revert(data: bytes | str | None) -> errors.NotaryError | None:
    """The typed error for revert `data` (selector + ABI args), or None if unknown."""
    if data is None:
        return None
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else data
    if len(raw) < 4:
        return None
    entry = _selectors().get(raw[:4])
    if entry is None:
        return None
    name, types, names = entry
    values = decode(types, raw[4:]) if types else ()
    args = dict(zip(names, values, strict=True))
    rendered = {k: _render(k, v) for k, v in args.items()}
    cls = errors.ContractRevertError.registry.get(name)
    if cls is None:
        return errors.ContractRevertError(args, rendered)
    return cls(args, rendered)


def _bytes_literal(text: str) -> bytes | None:
    """The bytes of a `b'…'` literal inside an eth-tester message (its eth_call path)."""
    import ast

    start = min((i for i in (text.find("b'"), text.find('b"')) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        value = ast.literal_eval(text[start:])
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, bytes) else None


def translate(exc: BaseException) -> errors.NotaryError | None:
    """Turn a web3 revert exception into a typed notary error, if it carries one."""
    data = getattr(exc, "data", None)
    if data is None:
        # eth-tester raises TransactionFailed("execution reverted: …") from the raw bytes.
        link: BaseException | None = exc
        while link is not None and data is None:
            if link.args and isinstance(link.args[0], bytes):
                data = link.args[0]
            elif link.args and isinstance(link.args[0], str):
                data = _bytes_literal(link.args[0])
            link = link.__cause__ or link.__context__
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, (str, bytes)):
        return decode_revert(data)
    return None
