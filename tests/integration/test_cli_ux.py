"""A ministry's everyday CLI experience (issue 13): no overwritten evidence, no dead end, readable output.

Against a real anvil (the session's node, a fresh deployment per test; the test that moves
the clock starts its own node), with `notary` run in process or as the installed script.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from acts_helpers import PASSWORD, Ledger, Run, build

from notary import registry
from notary.cli import exit_codes
from notary.cli.app import main
from notary.keystore import Keystore

pytestmark = pytest.mark.anvil

NOTARY = shutil.which("notary", path=str(Path(sys.executable).parent)) or "notary"


def as_party(ledger: Ledger, party: str) -> list[str]:
    return ["--as", party, "--key", ledger.key(party)]


def document(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def notarise(run: Run, ledger: Ledger, doc: Path, *extra: str, parties: str = "FRA,SGP") -> dict[str, Any]:
    code, out, err = run(
        "FRA", "notarise", str(doc), *as_party(ledger, "FRA"), "--parties", parties, "--kind", "mou", "--json", *extra
    )
    assert code == 0, err
    return dict(json.loads(out))


def ok(run: Run, machine: str, *args: str) -> dict[str, Any]:
    code, out, err = run(machine, *args, "--json")
    assert code == 0, err
    return dict(json.loads(out))


def words(text: str) -> str:
    """Text with rich's wrapping undone."""
    return " ".join(text.split())


def script(ledger: Ledger, machine: str, *args: str, columns: int) -> subprocess.CompletedProcess[str]:
    """The installed `notary` in a terminal `columns` wide, as on `machine`."""
    env = {**os.environ, "COLUMNS": str(columns), "NOTARY_PASSWORD": PASSWORD}
    return subprocess.run(
        [NOTARY, *ledger.flags(machine), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


# --------------------------------------------------------------------- prompts and help


def test_end_of_input_at_the_password_prompt_says_no_password_given(tmp_path: Path) -> None:
    """stdin closed at the hidden prompt: exit 3 "no password given" with a hint, not "aborted" (130)."""
    env = {k: v for k, v in os.environ.items() if k != "NOTARY_PASSWORD"}
    done = subprocess.run(
        [NOTARY, "--keystore-dir", str(tmp_path / "keys"), "keys", "new", "k"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        start_new_session=True,  # no controlling terminal: getpass reads the closed stdin
    )  # fmt: skip
    assert done.returncode == exit_codes.INPUT, done.stderr
    assert "no password given" in done.stderr and "--password-file" in done.stderr
    assert "aborted" not in done.stderr and "interrupted" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "keys").exists() or not list((tmp_path / "keys").iterdir())


def test_help_shows_no_type_after_flags_and_sign_lists_only_its_intents(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--json`, `--offline`, `--help` take no value, so no `<bool>`; `sign --intent` offers only what sign takes."""
    monkeypatch.setenv("COLUMNS", "200")
    for command in (["sign"], ["notarise"], ["status"], ["party", "show"], ["batch", "anchor"]):
        assert main([*command, "--help"]) == 0
        out = capsys.readouterr().out
        assert "--json" in out and "<bool>" not in out, command
    main(["sign", "--help"])
    out = capsys.readouterr().out
    [intent] = [line for line in out.splitlines() if "--intent" in line]
    assert "signature|ratification" in intent and "annulment" not in intent and "withdrawal" not in intent
    assert main(["sign", "x", "--as", "SGP", "--key", "k", "--intent", "annulment"]) == exit_codes.USAGE
    err = capsys.readouterr().err
    assert "'signature', 'ratification'" in err and "withdrawal" not in err and "cancellation" not in err


# --------------------------------------------------------------------- evidence is never overwritten silently


def test_receipt_out_refreshes_the_same_record_and_keeps_its_texts(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """The README's multi-text flow: SGP's `sign … --receipt-out R` refreshes FRA's receipt, texts kept;
    another document's receipt is refused before anything is sent, and replaced only with --force."""
    en, fr = document(tmp_path, "en.txt", "Treaty, English text\n"), document(tmp_path, "fr.txt", "Traité\n")
    receipt = tmp_path / "treaty.receipt.json"
    code, out, err = run(
        "FRA", "notarise", "--text", str(en), "--text", str(fr), *as_party(ledger, "FRA"), "--parties", "SGP",
        "--kind", "treaty", "--title", "Treaty", "--receipt-out", str(receipt),
    )  # fmt: skip
    assert code == 0, err
    assert "{'" not in out and "texts: en.txt (text), fr.txt (text)" in words(out)  # no Python repr
    digest = json.loads(receipt.read_text())["document"]["digest"].removeprefix("0x")
    signed = ok(run, "SGP", "sign", digest, *as_party(ledger, "SGP"), "--receipt-out", str(receipt))
    assert (signed["receiptTexts"], signed["receiptActs"], signed["receiptStatus"]) == (2, 2, "executed")
    held = json.loads(receipt.read_text())
    assert [t["name"] for t in held["document"]["texts"]] == ["en.txt", "fr.txt"]
    assert held["metadata"]["title"] == "Treaty"
    code, out, err = run("FRA", "verify", str(fr), "--receipt", str(receipt), "--offline")
    assert code == 0, out + err

    before, height = receipt.read_bytes(), ledger.chain.block_number()
    other = document(tmp_path, "mou.txt", "Another agreement\n")
    code, _, err = run(
        "FRA", "notarise", str(other), *as_party(ledger, "FRA"), "--parties", "SGP", "--kind", "mou",
        "--receipt-out", str(receipt),
    )  # fmt: skip
    assert code == exit_codes.INPUT and "already holds the receipt of record" in words(err) and "--force" in err
    assert receipt.read_bytes() == before and ledger.chain.block_number() == height  # nothing sent or written
    forced = notarise(run, ledger, other, "--receipt-out", str(receipt), "--force", parties="SGP")
    assert json.loads(receipt.read_text())["record"]["recordId"] == forced["recordId"]


def test_offline_payloads_and_terms_are_not_overwritten_by_other_evidence(
    run: Run, ledger: Ledger, tmp_path: Path
) -> None:
    """A signed payload is refreshed by the same party's same act only; terms by the same record's terms;
    a file that is no evidence (the document itself) and an altered receipt are refused too."""
    mou = document(tmp_path, "mou.txt", "Memorandum\n")
    notarised = notarise(run, ledger, mou, parties="FRA,SGP,DEU")
    terms, act = tmp_path / "mou.terms.json", tmp_path / "sgp-act.json"
    ok(run, "FRA", "terms", str(mou), "-o", str(terms))
    ok(run, "FRA", "terms", notarised["recordId"], "-o", str(terms))  # same record (named by its id): refreshed
    offline = ["--offline", "--terms", str(terms), "--submitter", "FRA"]
    ok(run, "SGP", "sign", str(mou), *as_party(ledger, "SGP"), *offline, "-o", str(act))
    ok(run, "SGP", "sign", str(mou), *as_party(ledger, "SGP"), *offline, "-o", str(act))  # re-signed in place
    sgp_act = act.read_bytes()
    code, _, err = run("DEU", "sign", str(mou), *as_party(ledger, "DEU"), *offline, "-o", str(act))
    assert code == exit_codes.INPUT and "already holds SGP's signed signature" in words(err)
    code, _, err = run("FRA", "terms", str(mou), "-o", str(act))
    assert code == exit_codes.INPUT and "already holds SGP's signed signature" in words(err)
    code, _, err = run("DEU", "sign", str(mou), *as_party(ledger, "DEU"), *offline, "-o", str(mou))
    assert code == exit_codes.INPUT and "is not a receipt, signed payload, terms file or bundle" in words(err)
    assert act.read_bytes() == sgp_act and mou.read_text() == "Memorandum\n"

    receipt = tmp_path / "mou.receipt.json"
    ok(run, "FRA", "receipt", str(mou), "-o", str(receipt))
    receipt.write_bytes(receipt.read_bytes() + b"\n")  # an editor added a newline
    code, _, err = run("FRA", "receipt", str(mou), "-o", str(receipt))
    assert code == exit_codes.INPUT and "holds a receipt that does not read" in words(err)
    ok(run, "FRA", "receipt", str(mou), "-o", str(receipt), "--force")
    assert not receipt.read_bytes().endswith(b"\n")


# --------------------------------------------------------------------- dead ends


def test_records_are_named_by_id_where_status_points(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """The id that "superseded by record 0x…" shows works for `status` and `sign`."""
    mou = document(tmp_path, "mou.txt", "MoU, first version\n")
    notarise(run, ledger, mou)
    ok(run, "SGP", "sign", str(mou), *as_party(ledger, "SGP"))
    amended = document(tmp_path, "mou-v2.txt", "MoU, amended\n")
    new = notarise(run, ledger, amended, "--supersedes", str(mou))
    signed = ok(run, "SGP", "sign", new["recordId"], *as_party(ledger, "SGP"))  # by record id
    assert signed["recordId"] == new["recordId"] and signed["digest"] == new["digest"]
    code, out, err = run("FRA", "status", str(mou))
    assert code == 0, err
    assert f"superseded by {new['recordId']}" in out and f"notary status {new['recordId']}" in words(out)
    shown = ok(run, "FRA", "status", new["recordId"])
    assert shown["digest"] == new["digest"] and [r["recordId"] for r in shown["records"]] == [new["recordId"]]
    assert shown["records"][0]["status"] == "executed"
    code, _, err = run("FRA", "status", "0x" + "ab" * 32)  # no such record, nor such digest
    assert code == exit_codes.VERIFICATION_FAILED and "not notarised" in err


def test_a_cancelled_record_says_what_can_be_done(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """Re-notarising a cancelled digest is refused (not "already recorded"); status and verify do not
    wait for SGP on a record nobody can sign, and say what can be done instead."""
    mou = document(tmp_path, "mou.txt", "Draft with an error\n")
    notarised = notarise(run, ledger, mou)
    ok(run, "FRA", "cancel", str(mou), *as_party(ledger, "FRA"), "--reason", "drafting error")
    height = ledger.chain.block_number()
    code, out, err = run("FRA", "notarise", str(mou), *as_party(ledger, "FRA"), "--parties", "FRA,SGP", "--kind", "mou")
    said = words(err)
    assert code == exit_codes.INPUT and "already recorded" not in out
    assert "cancelled it" in said and "drafting error" in said and "nothing was sent" in said
    assert "notarise the corrected text" in said and f"notary status {notarised['recordId']}" in said
    assert ledger.chain.block_number() == height
    code, out, err = run("FRA", "status", str(mou))
    assert code == 0, err
    assert "waiting for" not in out and "nobody can sign it any more" in words(out)
    code, out, _ = run("FRA", "verify", str(mou))
    assert code == exit_codes.VERIFICATION_FAILED
    assert "waiting for SGP" not in words(out) and "SGP can no longer sign" in words(out)


def test_an_unregistered_or_suspended_party_is_named_before_anything_is_signed(
    run: Run, ledger: Ledger, tmp_path: Path
) -> None:
    """Exit 3 (not 5, "contract rejected"), saying which of the two, before the key is unlocked or a block mined."""
    mou = document(tmp_path, "mou.txt", "MoU\n")
    notarise(run, ledger, mou)
    height = ledger.chain.block_number()
    code, _, err = run("SGP", "sign", str(mou), "--as", "XYZ", "--key", ledger.key("SGP"))
    assert code == exit_codes.INPUT and "party XYZ is not registered" in err and "suspended" not in err
    depositary = ledger.gw.registry.functions.owner().call()
    ledger.chain.w3.provider.make_request("anvil_impersonateAccount", [depositary])  # type: ignore[arg-type]
    suspend = ledger.gw.registry.functions.suspendParty(registry.party_code("SGP"))
    ledger.chain.w3.eth.wait_for_transaction_receipt(suspend.transact({"from": depositary}))
    height = ledger.chain.block_number()
    code, _, err = run("SGP", "sign", str(mou), *as_party(ledger, "SGP"))
    assert code == exit_codes.INPUT and "party SGP" in err and "is suspended" in err and "reinstate" in err
    code, _, err = run(
        "SGP", "notarise", str(mou), *as_party(ledger, "SGP"), "--parties", "FRA", "--kind", "mou"
    )  # fmt: skip
    assert code == exit_codes.INPUT and "is suspended" in err
    assert ledger.chain.block_number() == height


# --------------------------------------------------------------------- output


def test_status_shows_confirmations_and_ratification_progress(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """Each act's confirmations (JSON and text, singular for one) and who is yet to ratify."""
    treaty = document(tmp_path, "treaty.txt", "Treaty\n")
    notarised = notarise(run, ledger, treaty, "--ratification")
    ok(run, "SGP", "sign", str(treaty), *as_party(ledger, "SGP"))
    ok(run, "SGP", "sign", str(treaty), *as_party(ledger, "SGP"), "--intent", "ratification")
    shown = ok(run, "FRA", "status", str(treaty))
    acts = shown["records"][0]["attestations"]
    assert [a["confirmations"] for a in acts] == [3, 2, 1]
    code, out, err = run("FRA", "status", str(treaty))
    assert code == 0, err
    said = words(out)
    assert "1 confirmation" in said and "1 confirmations" not in said and "3 confirmations" in said
    assert "ratification 1 of 2 needed (SGP); awaiting ratification by FRA" in said
    assert f"notary sign {notarised['recordId']} --intent ratification" in said


@pytest.mark.parametrize("columns", [80, 160])
def test_tables_use_the_terminal_width_and_wrap_instead_of_cutting(
    ledger: Ledger, run: Run, tmp_path: Path, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No line longer than the terminal, no hash or address cut with "…" in status, sign or party show."""
    monkeypatch.setenv("COLUMNS", str(columns))  # rich reads it at each render
    mou = document(tmp_path, "mou.txt", "MoU\n")
    notarised = notarise(run, ledger, mou)
    signer = ledger.gw.record(bytes.fromhex(notarised["recordId"][2:])).attestations[0].signer
    printed = {}
    for machine, *args in (
        ("SGP", "sign", str(mou), *as_party(ledger, "SGP")),
        ("FRA", "status", str(mou)),
        ("FRA", "party", "show", "SGP"),
    ):
        code, out, err = run(machine, *args)
        assert code == 0, err
        assert max(len(line) for line in out.splitlines()) <= columns and "…" not in out, args
        printed[args[0]] = "".join(out.split())  # wrapped values joined again
    assert ("time(UTC)" in printed["status"]) == (columns >= 110)  # the acts as a table only when it fits
    for command in ("sign", "status"):
        assert notarised["recordId"] in printed[command] and notarised["digest"] in printed[command]
    assert signer in printed["status"] and ledger.gw.party(registry.party_code("SGP")).controller in printed["party"]


def test_party_show_lists_the_key_history(run: Run, ledger: Ledger) -> None:
    """The history the API has (additions, revocations, compromises), in the human output too."""
    key = Keystore(ledger.machines["FRA"]).create("fra-second", PASSWORD).address
    controller = ledger.controllers["FRA"]
    registry.add_signer(ledger.gw, controller, "FRA", key)
    registry.revoke_signer(ledger.gw, controller, "FRA", key, ledger.gw.now() - 60)  # a compromise
    code, out, err = run("FRA", "party", "show", "FRA")
    assert code == 0, err
    said = words(out)
    assert "Key history" in out and said.count("added, valid from") == 2
    assert "revoked from" in said and "compromise" in said and "(fra-second)" in said


def test_a_signer_is_valid_from_when_it_is_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a quiet chain the last block may be an hour old: the default validFrom is the time the key
    is added, not that block's time (own node: the test moves its clock)."""
    from cli_helpers import fast_scrypt, isolate

    from notary.chain.node import ephemeral_anvil

    with ephemeral_anvil() as url:
        ledger = build(url, tmp_path)
        isolate(monkeypatch, tmp_path, password=PASSWORD)
        fast_scrypt(monkeypatch)
        store = Keystore(ledger.machines["FRA"])
        store.create("fra-controller", PASSWORD, ledger.controllers["FRA"].key)
        new = store.create("fra-new", PASSWORD).address
        quiet_since = ledger.gw.now()
        ledger.chain.w3.provider.make_request("evm_increaseTime", [3600])  # type: ignore[arg-type]
        code = main([*ledger.flags("FRA"), "party", "add-signer", "FRA", "--signer", "fra-new", "--key",
                     "fra-controller", "--json"])  # fmt: skip
        assert code == 0
        key = ledger.gw.signer_key(registry.party_code("FRA"), new)
        assert quiet_since + 3600 <= key.valid_from <= key.added_at
        library = Keystore(ledger.machines["FRA"]).create("fra-lib", PASSWORD).address
        ledger.chain.w3.provider.make_request("evm_increaseTime", [3600])  # type: ignore[arg-type]
        before = ledger.gw.now()
        registry.add_signer(ledger.gw, ledger.controllers["FRA"], "FRA", library)  # the library's default too
        key = ledger.gw.signer_key(registry.party_code("FRA"), library)
        assert before + 3600 <= key.valid_from <= key.added_at


def test_serve_on_a_busy_port_is_one_error_with_a_port_hint(capsys: pytest.CaptureFixture[str]) -> None:
    """Another program listens on the port: exit 3, the port named and --port suggested, no errno or traceback."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == exit_codes.INPUT, err
    assert f"port {port} on 127.0.0.1 is already in use" in err and "--port " in err
    assert "Errno" not in err and "Traceback" not in err and err.count("\n") == 2
