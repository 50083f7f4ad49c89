"""`notary notarise|sign|submit|withdraw|cancel|annul` against a real anvil node."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from acts_helpers import Ledger, Run, build

from notary.chain import tx
from notary.chain.node import json_rpc
from notary.cli import exit_codes

pytestmark = pytest.mark.anvil


@pytest.fixture
def mou(tmp_path: Path) -> Path:
    path = tmp_path / "mou.txt"
    path.write_text("Memorandum of Understanding on cyber incident sharing\n")
    return path


def as_party(ledger: Ledger, party: str) -> list[str]:
    return ["--as", party, "--key", ledger.key(party)]


def notarise(run: Run, ledger: Ledger, document: Path, *extra: str, parties: str = "FRA,SGP") -> dict[str, Any]:
    code, out, err = run(
        "FRA", "notarise", str(document), *as_party(ledger, "FRA"), "--parties", parties, "--kind", "mou",
        "--title", "MoU on cyber incident sharing", "--json", *extra,
    )  # fmt: skip
    assert code == 0, err
    return dict(json.loads(out))


def cosign(run: Run, ledger: Ledger, document: Path, party: str = "SGP") -> dict[str, Any]:
    code, out, err = run(party, "sign", str(document), *as_party(ledger, party), "--json")
    assert code == 0, err
    return dict(json.loads(out))


def test_notarise_then_cosign_executes_the_record(run: Run, ledger: Ledger, mou: Path) -> None:
    """FRA notarises a file, SGP co-signs by digest: the JSON reports each step and the record executes."""
    first = notarise(run, ledger, mou)
    digest = hashlib.sha256(mou.read_bytes()).hexdigest()
    assert first["digest"] == digest and first["status"] == "open" and first["quorum"] == 2
    assert first["metadata"] == {"title": "MoU on cyber incident sharing"}
    assert first["transaction"].startswith("0x") and first["block"] > 0 and first["gasUsed"] > 0
    assert first["alreadyRecorded"] is False and first["resumed"] is None
    code, out, err = run("SGP", "sign", digest, *as_party(ledger, "SGP"), "--json")
    assert code == 0, err
    second = json.loads(out)
    assert (second["recordId"], second["intent"], second["status"]) == (first["recordId"], "signature", "executed")
    record = ledger.gw.record(bytes.fromhex(first["recordId"][2:]))
    assert [(a.party, a.transaction) for a in record.attestations] == [
        ("FRA", first["transaction"]),
        ("SGP", second["transaction"]),
    ]


def test_human_output_names_the_result(run: Run, ledger: Ledger, mou: Path) -> None:
    """Without --json, the result is a readable summary with the record id and status."""
    code, out, err = run("FRA", "notarise", str(mou), *as_party(ledger, "FRA"), "--parties", "SGP", "--kind", "mou")
    assert code == 0, err
    assert "recorded FRA's notarisation" in out and "recordId" in out and "open" in out
    code, out, err = run("FRA", "notarise", str(mou), *as_party(ledger, "FRA"), "--parties", "SGP", "--kind", "mou")
    words = " ".join(out.split())  # rich wraps long lines
    assert code == 0 and "already recorded: FRA's notarisation" in words and "nothing was sent" in words


def test_running_notarise_and_sign_again_sends_nothing(run: Run, ledger: Ledger, mou: Path) -> None:
    """A re-run reports the acts already recorded, with their original transactions; no block is added."""
    first = notarise(run, ledger, mou)
    signed = cosign(run, ledger, mou)
    height = ledger.chain.block_number()
    again = notarise(run, ledger, mou)
    resigned = cosign(run, ledger, mou)
    assert again["alreadyRecorded"] is True and resigned["alreadyRecorded"] is True
    assert (again["transaction"], again["block"]) == (first["transaction"], first["block"])
    assert (resigned["transaction"], resigned["block"]) == (signed["transaction"], signed["block"])
    assert again["gasUsed"] is None and resigned["status"] == "executed"
    assert ledger.chain.block_number() == height


def test_notarising_again_with_other_terms_is_refused(run: Run, ledger: Ledger, mou: Path) -> None:
    """The same digest and party with different parties is not 'already recorded': exit 3, nothing sent."""
    notarise(run, ledger, mou)
    height = ledger.chain.block_number()
    code, _, err = run(
        "FRA", "notarise", str(mou), *as_party(ledger, "FRA"), "--parties", "FRA,SGP,DEU", "--kind", "mou",
        "--title", "MoU on cyber incident sharing",
    )  # fmt: skip
    assert code == exit_codes.INPUT and "other terms" in err and "parties" in err
    assert ledger.chain.block_number() == height


def terms_of(run: Run, mou: Path, tmp_path: Path) -> Path:
    """The record's terms file, written on a connected machine for an air-gapped signer."""
    out = tmp_path / f"{mou.stem}.terms.json"
    code, _, err = run("FRA", "terms", str(mou), "-o", str(out))
    assert code == 0, err
    return out


def test_offline_signature_is_relayed_from_another_machine(run: Run, ledger: Ledger, mou: Path, tmp_path: Path) -> None:
    """SGP signs with no node reachable; DEU's machine, without SGP's key, relays the file."""
    notarised = notarise(run, ledger, mou)
    act = tmp_path / "act.json"
    offline = ["--rpc-url", "http://127.0.0.1:1", "--deployment", str(ledger.manifest),
               "--keystore-dir", str(ledger.machines["SGP"])]  # fmt: skip
    code, out, err = run(
        "SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--submitter", "FRA", "--offline", "-o", str(act),
        "--terms", str(terms_of(run, mou, tmp_path)), "--json", flags=offline,
    )  # fmt: skip
    assert code == 0, err
    written = json.loads(out)
    assert written["recordId"] == notarised["recordId"] and written["party"] == "SGP"
    assert json.loads(act.read_text())["mediaType"] == "application/vnd.notary.signed-payload+json"
    code, out, err = run("DEU", "submit", str(act), "--relayer", ledger.key("DEU"), "--json")
    assert code == 0, err
    relayed = json.loads(out)
    assert (relayed["intent"], relayed["status"], relayed["alreadyRecorded"]) == ("signature", "executed", False)
    code, out, _ = run("DEU", "submit", str(act), "--json")  # dev chain: a throwaway account may relay
    assert code == 0 and json.loads(out)["alreadyRecorded"] is True


def test_offline_notarisation_is_relayed(run: Run, ledger: Ledger, mou: Path, tmp_path: Path) -> None:
    """`notarise --offline` writes a Notarisation payload that `submit` turns into an open record."""
    payload = tmp_path / "notarisation.json"
    code, out, err = run(
        "FRA", "notarise", str(mou), *as_party(ledger, "FRA"), "--parties", "SGP", "--kind", "treaty",
        "--title", "Treaty", "--ratification", "--offline", "-o", str(payload), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["intent"] == "notarisation"
    code, out, err = run("SGP", "submit", str(payload), "--json")  # relayed by a throwaway dev-chain account
    assert code == 0, err
    relayed = json.loads(out)
    assert relayed["primaryType"] == "Notarisation" and relayed["status"] == "open"
    record = ledger.gw.record(bytes.fromhex(relayed["recordId"][2:]), with_attestations=False)
    assert record.kind == "treaty" and record.ratification_required


def test_offline_sign_refuses_to_sign_blind(run: Run, ledger: Ledger, mou: Path, tmp_path: Path) -> None:
    """Offline, the terms cannot be read from the chain: without --terms it is a usage error (exit 3),
    and terms of another document or submitter are refused before anything is signed."""
    act = tmp_path / "a.json"
    code, _, err = run("SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--offline", "-o", str(act))
    assert code == exit_codes.INPUT and "--terms" in err and "notary terms" in err
    notarise(run, ledger, mou)
    terms = terms_of(run, mou, tmp_path)
    other = tmp_path / "other.md"
    other.write_text("another text\n")
    code, _, err = run(
        "SGP", "sign", str(other), *as_party(ledger, "SGP"), "--offline", "-o", str(act), "--terms", str(terms)
    )
    assert code == exit_codes.INPUT and "not of this document" in err
    code, _, err = run(
        "SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--submitter", "DEU", "--offline", "-o", str(act),
        "--terms", str(terms),
    )  # fmt: skip
    assert code == exit_codes.INPUT and "--submitter DEU" in err
    assert not act.exists()


def test_a_tampered_payload_is_rejected_by_the_contract(run: Run, ledger: Ledger, mou: Path, tmp_path: Path) -> None:
    """A relayer who alters the reason gets NotaryInvalidSignature from the contract: exit 5."""
    notarise(run, ledger, mou)
    cosign(run, ledger, mou)
    act = tmp_path / "withdrawal.json"
    code, _, err = run(
        "SGP", "withdraw", str(mou), *as_party(ledger, "SGP"), "--reason", "domestic law changed",
        "--submitter", "FRA", "--offline", "-o", str(act), "--terms", str(terms_of(run, mou, tmp_path)),
    )  # fmt: skip
    assert code == 0, err
    body = json.loads(act.read_text())
    body["typedData"]["message"]["reason"] = "we never meant it"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(body))
    code, _, err = run("DEU", "submit", str(forged), "--relayer", ledger.key("DEU"))
    assert code == exit_codes.REJECTED and "signature is not" in err and "Traceback" not in err
    code, out, err = run("DEU", "submit", str(act), "--relayer", ledger.key("DEU"), "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "terminated"


def test_a_payload_of_an_unknown_version_is_refused(run: Run, ledger: Ledger, mou: Path, tmp_path: Path) -> None:
    """Another version of the payload format is not read: exit 3, naming the version."""
    notarise(run, ledger, mou)
    act = tmp_path / "act.json"
    code, _, err = run(
        "SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--submitter", "FRA", "--offline", "-o", str(act),
        "--terms", str(terms_of(run, mou, tmp_path)),
    )  # fmt: skip
    assert code == 0, err
    version = json.loads(act.read_text())["version"]
    act.write_text(act.read_text().replace(f'"version": {version}', '"version": 99'))
    code, _, err = run("DEU", "submit", str(act), "--relayer", ledger.key("DEU"))
    assert code == exit_codes.INPUT and "version 99" in err


def test_a_payload_for_another_ledger_is_refused(
    run: Run, ledger: Ledger, mou: Path, tmp_path: Path, anvil_url: str
) -> None:
    """A payload signed for another deployment is a WrongDomainError (exit 3), nothing is sent."""
    other = build(anvil_url, tmp_path / "other")
    notarise(run, ledger, mou)
    terms = terms_of(run, mou, tmp_path)
    act = tmp_path / "act.json"
    code, _, err = run(
        "SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--submitter", "FRA", "--offline", "-o", str(act),
        "--terms", str(terms), flags=other.flags("SGP"),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run("DEU", "submit", str(act), "--relayer", ledger.key("DEU"))
    assert code == exit_codes.INPUT and "was signed for chain" in err


def test_withdraw_needs_a_reason(run: Run, ledger: Ledger, mou: Path) -> None:
    """A withdrawal without --reason exits 3 before anything is signed."""
    code, _, err = run("SGP", "withdraw", str(mou), *as_party(ledger, "SGP"))
    assert code == exit_codes.INPUT and "needs a reason" in err and "--reason" in err


def test_cancel_after_a_cosignature_is_rejected(run: Run, ledger: Ledger, mou: Path) -> None:
    """Once SGP has signed, FRA cannot cancel: exit 5 naming NotaryAlreadyCosigned's meaning."""
    notarise(run, ledger, mou, parties="FRA,SGP,DEU")
    cosign(run, ledger, mou)
    code, _, err = run("FRA", "cancel", str(mou), *as_party(ledger, "FRA"), "--reason", "superseded draft")
    assert code == exit_codes.REJECTED
    assert "cannot be cancelled: another party has signed it" in err and "withdraw" in err


def test_cancel_before_a_cosignature_cancels(run: Run, ledger: Ledger, mou: Path) -> None:
    """The submitter alone may cancel an open record, with its reason."""
    notarise(run, ledger, mou)
    code, out, err = run("FRA", "cancel", str(mou), *as_party(ledger, "FRA"), "--reason", "wrong file", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "cancelled" and json.loads(out)["reason"] == "wrong file"


def test_a_key_not_authorised_for_the_party_is_rejected(run: Run, ledger: Ledger, mou: Path) -> None:
    """Signing for FRA with a key FRA never authorised: exit 5 and the hint to add a signer."""
    intern = ledger.stranger("FRA")
    code, _, err = run("FRA", "notarise", str(mou), "--as", "FRA", "--key", intern, "--parties", "SGP", "--kind", "mou")
    assert code == exit_codes.REJECTED
    assert "is not authorised for party FRA" in err and "notary party add-signer" in err


def test_neither_file_nor_digest_is_a_clear_error(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """A missing file that is not a digest either exits 3 without a traceback."""
    code, _, err = run("SGP", "sign", str(tmp_path / "missing.pdf"), *as_party(ledger, "SGP"))
    assert code == exit_codes.INPUT and "neither a file nor a digest" in err and "Traceback" not in err


def test_an_interrupted_signature_is_resumed_not_resent(
    run: Run, ledger: Ledger, mou: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after broadcast leaves a journal entry; the re-run reports that transaction, sends none."""
    notarise(run, ledger, mou)

    def interrupted(*_: object, **__: object) -> tx.TxResult:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(tx, "wait", interrupted)
        m.setattr(tx.Replacing, "wait", interrupted)  # a new send waits there
        code, _, err = run("SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--json")
    assert code == exit_codes.INTERRUPTED and "run the same command again" in " ".join(err.split())
    (entry,) = (ledger.root / "data-SGP" / "journal" / "31337").glob("*.json")
    stored = json.loads(entry.read_text())["transaction"]
    resumed = cosign(run, ledger, mou)
    assert (resumed["transaction"], resumed["resumed"], resumed["status"]) == (stored, "mined", "executed")
    assert json.loads(entry.read_text())["state"] == "recorded"  # kept, watched for reorgs, until REORG_WATCH blocks on


def test_a_transaction_the_node_lost_is_rebroadcast(
    run: Run, ledger: Ledger, mou: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The node dropped the pending transaction: the re-run sends the same bytes (same hash) again."""
    notarise(run, ledger, mou)

    def interrupted(*_: object, **__: object) -> tx.TxResult:
        raise KeyboardInterrupt

    json_rpc(ledger.url, "evm_setAutomine", [False])  # build() funded the keys: nothing else needs mining
    try:
        with monkeypatch.context() as m:
            m.setattr(tx, "wait", interrupted)
            m.setattr(tx.Replacing, "wait", interrupted)  # a new send waits there
            code, _, _ = run("SGP", "sign", str(mou), *as_party(ledger, "SGP"))
        assert code == exit_codes.INTERRUPTED
        json_rpc(ledger.url, "anvil_dropAllTransactions")
    finally:
        json_rpc(ledger.url, "evm_setAutomine", [True])
    (entry,) = (ledger.root / "data-SGP" / "journal" / "31337").glob("*.json")
    stored = json.loads(entry.read_text())["transaction"]
    resumed = cosign(run, ledger, mou)
    assert (resumed["transaction"], resumed["resumed"], resumed["status"]) == (stored, "rebroadcast", "executed")


def test_a_large_file_is_hashed_streamed_and_json_stays_clean(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """A file above the progress threshold is hashed correctly; --json output is only JSON."""
    big = tmp_path / "annexes.bin"
    with big.open("wb") as f:
        for i in range(9):
            f.write(bytes([i]) * (1 << 20))
    result = notarise(run, ledger, big)
    assert result["digest"] == hashlib.sha256(big.read_bytes()).hexdigest()


def test_offline_finds_the_only_manifest_in_the_data_folder(
    run: Run, ledger: Ledger, mou: Path, tmp_path: Path
) -> None:
    """Without --deployment, offline signing uses the single manifest under <data-dir>/deployments."""
    data = tmp_path / "air-gapped"
    (data / "deployments").mkdir(parents=True)
    (data / "deployments" / "31337.json").write_text(ledger.manifest.read_text())
    flags = ["--data-dir", str(data), "--keystore-dir", str(ledger.machines["SGP"])]
    act = tmp_path / "act.json"
    notarise(run, ledger, mou)
    terms = terms_of(run, mou, tmp_path)
    code, out, err = run(
        "SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--submitter", "FRA", "--offline", "-o", str(act),
        "--terms", str(terms), "--json", flags=flags,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["ledger"] == ledger.gw.domain.verifying_contract
    (data / "deployments" / "1.json").write_text(ledger.manifest.read_text())
    code, _, err = run("SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--submitter", "FRA", "--offline",
                       "-o", str(act), "--terms", str(terms), flags=flags)  # fmt: skip
    assert code == exit_codes.INPUT and "--deployment" in err
