"""Receipts' canonical JSON, written in C where RFC 8785 allows it, is exactly the `rfc8785` package's.

`notary.receipts.canonical` writes plain JSON (no floats, safe integers, keys of the Basic
Multilingual Plane) with the C encoder and anything else with `rfc8785`; `loads` checks a file
section by section and keeps each sealed section's digest for the seal check. These tests hold
each shortcut equal to the full computation it replaces, on random values and files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from notary import receipts
from notary.receipts.verify import verify_offline
from notary.trust import Anchors, Pin

GOLDEN = Path(__file__).resolve().parents[1] / "receipts" / "golden"
BILATERAL = (GOLDEN / "valid-bilateral-record.receipt.json").read_bytes()
MOU = hashlib.sha256((GOLDEN / "mou.txt").read_bytes()).digest()

every_character = st.characters(exclude_categories=())  # lone surrogates, controls, beyond the BMP
texts = st.text(every_character, max_size=8) | st.text(st.sampled_from('a"\\\x00\x1f\x7f\u2028\ue000\U0001f600'))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.sampled_from([2**53 - 1, 2**53, -(2**53) + 1, -(2**53), 0])
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4))


def reference(value: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)
    except ValueError as exc:  # CanonicalizationError and its kinds
        return type(exc)


def fast(value: Any, plain: bool | None = None) -> bytes | type[Exception]:
    try:
        return receipts.canonical(value, plain)
    except ValueError as exc:
        return type(exc)


@settings(max_examples=800)
@given(value=values)
def test_canonical_is_rfc8785(value: Any) -> None:
    """For any JSON value (floats, large integers, surrogates, keys beyond the BMP included) the bytes, or
    the error, are rfc8785's."""
    assert fast(value) == reference(value)


@settings(max_examples=300)
@given(value=values, keys=st.lists(texts, min_size=2, max_size=6, unique=True))
def test_key_order_is_utf16_order(value: Any, keys: list[str]) -> None:
    """Objects' keys come out in RFC 8785's UTF-16 order, also when some lie beyond the BMP."""
    obj = dict.fromkeys(keys, value)
    assert fast(obj) == reference(obj)


def _reseal_free_loads(raw: bytes) -> bool:
    """Whether `loads` accepts the bytes as canonical (other format errors do not concern this test)."""
    try:
        receipts.loads(raw)
    except receipts.ReceiptNotCanonicalError:
        return False
    except receipts.ReceiptFormatError:
        pass
    return True


def _old_rule(raw: bytes) -> bool:
    """The rule as it was: rfc8785 of the parsed value is the file's bytes."""
    try:
        return bool(rfc8785.dumps(json.loads(raw)) == raw)
    except ValueError:
        return False


@settings(max_examples=300, deadline=None)
@given(value=values, style=st.sampled_from(["rfc8785", "python-sorted", "ascii", "spaced", "unsorted"]))
def test_loads_accepts_exactly_the_canonical_files(value: Any, style: str) -> None:
    """A golden receipt with any value in its metadata, written canonically or in another JSON style, is
    accepted as canonical exactly when rfc8785 of its parsed value is its bytes."""
    body = json.loads(BILATERAL)
    body["metadata"] = {"x": value}
    styles: dict[str, Callable[[], str]] = {
        "python-sorted": lambda: json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        "ascii": lambda: json.dumps(body, sort_keys=True, separators=(",", ":")),
        "spaced": lambda: json.dumps(body, sort_keys=True, ensure_ascii=False),
        "unsorted": lambda: json.dumps(body, separators=(",", ":"), ensure_ascii=False),
    }
    try:
        data = rfc8785.dumps(body) if style == "rfc8785" else styles[style]().encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return  # no such file can be written
    assert _reseal_free_loads(data) == _old_rule(data)


def test_seal_check_reuses_the_bytes_read_only_for_that_receipt() -> None:
    """A loaded receipt's sealed digests are those its sections re-encode to; a receipt changed after
    loading (its metadata edited in place, or a section replaced) is checked from its values."""
    pin = Anchors((Pin(131277322940537, "0xa5C24295FEeDf8Fc37DbC9Bc8eE8beb29cf8b5F5",
                       "0x8aF0c5b17b4bCfD9a7a043B1f1011a26f60669Dd"),))  # fmt: skip
    r = receipts.loads(BILATERAL)
    from_values = receipts.seal_of(receipts.sections(r))
    assert receipts.sealed_digests(r) == {name: from_values[name] for name, _ in r.seal}
    assert verify_offline(r, MOU, pin).ok

    assert r.metadata is not None
    r.metadata["title"] = "another title"
    assert any("metadata section does not match its seal" in x for x in verify_offline(r, MOU, pin).reasons)

    other = replace(receipts.loads(BILATERAL), document=replace(r.document, hash_algorithm="sha3-256"))
    assert any("document section does not match its seal" in x for x in verify_offline(other, MOU, pin).reasons)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("valid-*.receipt.json")))
def test_golden_sections_digest_as_before(name: str) -> None:
    """For every valid golden receipt the digests kept while reading equal rfc8785 of each section."""
    raw = (GOLDEN / name).read_bytes()
    body = json.loads(raw)
    r = receipts.loads(raw)
    expected = {n: "0x" + hashlib.sha256(rfc8785.dumps(body[n])).hexdigest() for n, _ in r.seal}
    assert receipts.sealed_digests(r) == expected == dict(r.seal)
