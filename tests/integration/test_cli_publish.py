"""`notary publish` / `notary batch publish` on anvil: a batch member and each text verify by digest,
through the local index and through a real `notary serve` (uvicorn) over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from acts_helpers import Ledger, Run

from notary.testing import serving

pytestmark = pytest.mark.anvil
PUBLISH_KEY = "consulate-publish-key"


def _json(run: Run, machine: str, *args: str) -> tuple[int, Any, str]:
    code, out, err = run(machine, *args, "--json")
    return code, (json.loads(out) if out.strip() else None), err


def _as(ledger: Ledger, party: str) -> list[str]:
    return ["--as", party, "--key", ledger.key(party)]


def _certificates(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    for i in range(n):
        (folder / f"cert-{i:03d}.txt").write_text(f"Consular certificate {i} of {folder.name}\n")
    return sorted(folder.iterdir())


def _instrument(run: Run, ledger: Ledger, tmp_path: Path) -> tuple[Path, Path, Path]:
    """FRA notarises an English and a French text with an annex; SGP signs; FRA writes the receipt."""
    en, fr, annex = (tmp_path / n for n in ("treaty-en.txt", "treaty-fr.txt", "map.png"))
    en.write_text("Treaty, English text\n")
    fr.write_text("Traité, texte français\n")
    annex.write_bytes(bytes(range(256)))
    texts = ["--text", str(en), "--text", str(fr), "--annex", str(annex)]
    code, first, err = _json(
        run, "FRA", "notarise", *texts, *_as(ledger, "FRA"), "--parties", "FRA,SGP", "--kind", "treaty",
        "--title", "Treaty of friendship",
    )  # fmt: skip
    assert code == 0, err
    assert _json(run, "SGP", "sign", first["digest"], *_as(ledger, "SGP"))[0] == 0
    receipt = tmp_path / "treaty.receipt.json"
    code, _, err = _json(run, "FRA", "receipt", *texts, "--title", "Treaty of friendship", "-o", str(receipt))
    assert code == 0, err
    return fr, annex, receipt


def test_publish_to_the_local_index_then_verify_by_digest(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    certs = _certificates(tmp_path / "march", 40)
    bundle = tmp_path / "march.json"
    code, _, err = _json(run, "FRA", "batch", "anchor", str(tmp_path / "march"), *_as(ledger, "FRA"),
                         "-o", str(bundle), "--title", "Certificates of March")  # fmt: skip
    assert code == 0, err
    member = certs[17]
    code, out, _ = run("FRA", "verify", str(member))
    assert code == 1 and "not notarised" in out and "notary publish" in out  # the hint
    code, done, err = _json(run, "FRA", "batch", "publish", str(bundle))
    assert code == 0, err
    assert done["kind"] == "batch" and done["documents"] == 40 and done["party"] == "FRA" and not done["already"]
    code, out, _ = run("FRA", "batch", "publish", str(bundle))
    assert code == 0 and "already published" in out
    code, verdict, _ = _json(run, "FRA", "verify", str(member))
    assert code == 0 and verdict["verdict"] == "verified"
    (b,) = verdict["batches"]
    assert b["name"] == "cert-017.txt" and b["party"] == "FRA" and b["ok"] and b["title"] == "Certificates of March"
    code, out, _ = run("FRA", "verify", str(member))
    assert code == 0 and "document 18 of 40 (cert-017.txt)" in out and "binds FRA only" in out
    code, verdict, _ = _json(run, "FRA", "verify", str(member), "--signed-by", "FRA,SGP")
    assert code == 1 and any("binds only FRA" in r for r in verdict["reasons"])
    stranger = tmp_path / "forged.txt"
    stranger.write_text("Consular certificate 17 of march (forged)\n")
    assert run("FRA", "verify", str(stranger))[0] == 1
    # The instrument: the French text and the annex verify by themselves once the receipt is published.
    fr, annex, receipt = _instrument(run, ledger, tmp_path)
    assert run("FRA", "verify", str(fr))[0] == 1
    code, done, err = _json(run, "FRA", "publish", str(receipt))
    assert code == 0 and done["kind"] == "instrument" and done["documents"] == 3, err
    code, verdict, _ = _json(run, "FRA", "verify", str(fr))
    assert code == 0 and verdict["instrumentTexts"][0]["name"] == "treaty-fr.txt"
    assert verdict["instrumentTexts"][0]["verdict"]["records"][0]["bound"] == ["FRA", "SGP"]
    code, out, _ = run("FRA", "verify", str(annex))
    assert code == 0 and "annex map.png of instrument" in out and "“Treaty of friendship”" in out


def test_publishing_errors_are_one_line_with_an_exit_code(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"texts": [{"name": "a"}]}')
    code, _, err = run("FRA", "publish", str(bad))
    assert code == 3 and "error:" in err and "Traceback" not in err
    code, _, err = run("FRA", "publish", str(tmp_path / "missing.json"))
    assert code == 3 and "does not exist" in err
    code, _, err = run("FRA", "batch", "publish", str(bad))
    assert code == 3 and "not a batch bundle" in err
    code, _, err = run("FRA", "publish", str(bad), "--service", "http://127.0.0.1:9")
    assert code == 3 and "API key" in err
    key = tmp_path / "key"
    key.write_text(PUBLISH_KEY)
    code, _, err = run("FRA", "publish", str(bad), "--service", "http://127.0.0.1:9", "--api-key-file", str(key))
    assert code == 4 and "cannot reach the notary service" in err


@pytest.fixture
def service(ledger: Ledger, tmp_path: Path) -> Iterator[str]:
    """`notary serve` over the ledger, with a publish-scoped API key."""
    env = {
        **os.environ,
        "NOTARY_CONFIG_DIR": str(tmp_path / "service-config"),
        "NOTARY_DATA_DIR": str(tmp_path / "service-data"),
        "NOTARY_RPC_URL": ledger.url,
        "NOTARY_DEPLOYMENT": str(ledger.manifest),
        "NOTARY_API_KEYS": f"consulate:{hashlib.sha256(PUBLISH_KEY.encode()).hexdigest()}:publish",
        "NOTARY_INDEX_POLL": "0.2",
    }
    with serving(env, tmp_path / "serve.log") as (base, _):
        yield base


def _verify(base: str, path: Path) -> dict[str, Any]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with urllib.request.urlopen(f"{base}/v1/verify/{digest}", timeout=30) as r:
        return dict(json.loads(r.read()))


def test_publish_to_the_service_then_its_api_finds_them(run: Run, ledger: Ledger, tmp_path: Path, service: str) -> None:
    certs = _certificates(tmp_path / "april", 25)
    bundle = tmp_path / "april.json"
    assert _json(run, "FRA", "batch", "anchor", str(tmp_path / "april"), *_as(ledger, "FRA"), "-o", str(bundle))[0] == 0
    assert _verify(service, certs[3])["verdict"] == "not-notarised"
    key = tmp_path / "api-key"
    key.write_text(PUBLISH_KEY + "\n")
    wrong = tmp_path / "wrong-key"
    wrong.write_text("not the key")
    code, _, err = run("FRA", "batch", "publish", str(bundle), "--service", service, "--api-key-file", str(wrong))
    assert code == 3 and "(401)" in err
    code, done, err = _json(run, "FRA", "batch", "publish", str(bundle), "--service", service, "--api-key-file",
                            str(key))  # fmt: skip
    assert code == 0 and done["documents"] == 25 and not done["already"], err
    v = _verify(service, certs[3])
    assert v["verified"] and v["batches"][0]["name"] == "cert-003.txt" and v["batches"][0]["included"]
    fr, _, receipt = _instrument(run, ledger, tmp_path)
    code, done, err = _json(run, "SGP", "publish", str(receipt), "--service", service, "--api-key-file", str(key))
    assert code == 0 and done["kind"] == "instrument", err
    v = _verify(service, fr)
    assert v["verified"] and v["instrumentTexts"][0]["name"] == "treaty-fr.txt"
    # A forged bundle is refused by the service with its reason, exit 3.
    body = json.loads(bundle.read_text())
    body["documents"][0][1] = "0x" + hashlib.sha256(b"forged").hexdigest()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(body))
    code, _, err = run("FRA", "batch", "publish", str(forged), "--service", service, "--api-key-file", str(key))
    assert code == 3 and "do not rebuild the anchored root" in err
