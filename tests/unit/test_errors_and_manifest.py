"""Revert decoding into typed errors, and the strict deployment manifest format."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from notary import errors
from notary.chain.reverts import decode_revert
from notary.codes import party_code
from notary.deployment import DeployedContract, Deployment
from notary.errors import DeploymentNotFoundError, InvalidInputError


def _revert_data(signature: str, types: list[str], values: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def test_unauthorised_signer_decodes_with_readable_arguments() -> None:
    """The selector and arguments become NotaryUnauthorisedSignerError with a readable message."""
    data = _revert_data(
        "NotaryUnauthorisedSigner(bytes32,address,uint64)",
        ["bytes32", "address", "uint64"],
        [party_code("DEU"), "0x" + "ab" * 20, 1_795_773_600],
    )
    exc = decode_revert(data)
    assert isinstance(exc, errors.NotaryUnauthorisedSignerError)
    assert isinstance(exc, PermissionError)
    assert "party DEU" in exc.message and "2026-11-27T10:00:00Z" in exc.message
    assert exc.hint and "add-signer" in exc.hint
    assert exc.args_by_name["party"] == party_code("DEU")


def test_wrong_state_renders_the_status_name() -> None:
    """Status enums are rendered by name."""
    data = _revert_data("NotaryWrongState(bytes32,uint8)", ["bytes32", "uint8"], [b"\x01" * 32, 4])
    exc = decode_revert(data)
    assert isinstance(exc, errors.NotaryWrongStateError)
    assert "is cancelled" in exc.message


def test_unknown_selector_and_short_data_decode_to_none() -> None:
    """Data that matches no known error is not guessed at."""
    assert decode_revert(b"\xde\xad\xbe\xef") is None
    assert decode_revert(b"\x01") is None
    assert decode_revert(None) is None


def test_every_solidity_error_has_exactly_one_python_class() -> None:
    """Each custom error in the deployable contracts' ABIs maps to its own exception class."""
    from notary.chain.artifacts import all_error_abis

    names = {e["name"] for e in all_error_abis()}
    missing = names - set(errors.ContractRevertError.registry)
    assert not missing, f"no Python exception for {sorted(missing)}"
    classes = [errors.ContractRevertError.registry[n] for n in names]
    assert len(set(classes)) == len(classes)


def _deployment() -> Deployment:
    c = DeployedContract("0x" + "11" * 20, 3, "0x" + "22" * 32, "abc")
    return Deployment(31337, c, DeployedContract("0x" + "33" * 20, 4, "0x" + "44" * 32, "abc"), "0x" + "55" * 20)


def test_manifest_roundtrip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A saved manifest loads back equal."""
    path = tmp_path / "d.json"
    _deployment().save(path)
    assert Deployment.load(path) == _deployment()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.update(version=2), "version 2"),
        (lambda b: b.update(mediaType="x"), "mediaType"),
        (lambda b: b.update(extra=1), "unexpected"),
        (lambda b: b.pop("ledger"), "unexpected"),
    ],
)
def test_manifest_rejects_each_malformation(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    """Unknown versions, media types and fields are refused with a clear message."""
    body = json.loads(_deployment().to_json())
    mutate(body)
    with pytest.raises(InvalidInputError, match=message):
        Deployment.from_json(json.dumps(body))


def test_manifest_rejects_non_json_and_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Garbage and a missing file are typed errors with guidance."""
    with pytest.raises(InvalidInputError, match="not JSON"):
        Deployment.from_json("{nope")
    with pytest.raises(DeploymentNotFoundError) as info:
        Deployment.load(tmp_path / "none.json")
    assert "notary deploy" in (info.value.hint or "")


def test_atomic_writes_refuse_special_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Output is never renamed over a device or FIFO (as root that would replace /dev/null)."""
    import os

    from notary.files import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInputError, match="not a regular file"):
        write_atomic(fifo, b"x")
    assert not fifo.is_file()
    assert write_atomic(tmp_path / "out" / "f.json", b"abc") == 3
    assert (tmp_path / "out" / "f.json").read_bytes() == b"abc"
