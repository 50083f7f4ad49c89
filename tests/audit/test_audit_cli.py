"""`notary index` and `notary audit export|verify` end to end against anvil."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from index_helpers import populate

from notary.chain.connect import rpc
from notary.cli import exit_codes
from notary.cli.app import main
from notary.testing import World

pytestmark = pytest.mark.anvil


@pytest.fixture
def anvil_url() -> Iterator[str]:
    """A node of this test's own: the story moves its clock by days (past the repudiation window),
    which would expire the wall-clock deadlines that other tests sign offline on the shared node."""
    from notary.chain.node import ephemeral_anvil

    with ephemeral_anvil() as url:
        yield url


def test_index_export_and_verify_from_the_command_line(
    anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Index, query, export in three formats, verify an honest export (exit 0) and a tampered one (exit 1)."""
    for name in ("NOTARY_RPC_URL", "NOTARY_DEPLOYMENT", "NOTARY_INDEX_URL", "NOTARY_INDEX_CONFIRMATIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NOTARY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NOTARY_CONFIG_DIR", str(tmp_path / "config"))
    world = World.build(rpc(anvil_url))
    populate(world)
    world.gw.deployment.save(tmp_path / "deployment.json")
    base = ["--rpc-url", anvil_url, "--deployment", str(tmp_path / "deployment.json")]

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main([*base, *args])
        return code, capsys.readouterr().out

    code, out = run("index", "--range", "5", "--json")
    assert code == 0 and json.loads(out)["events"] > 20
    assert (tmp_path / "data" / "index" / f"{world.chain.chain_id}.sqlite3").is_file()
    code, out = run("index", "records", "--party", "DEU", "--json")
    treaty, renotarised = json.loads(out)
    assert code == 0 and (treaty["status"], renotarised["status"]) == ("terminated", "executed")
    assert (renotarised["kind"], renotarised["notarisations"]) == ("joint-declaration", 2)
    code, out = run("index", "records", "--kind", "mou")
    assert code == 0 and "SGP (signature, voided)" in out and "superseded by 0x" in out
    code, out = run("index", "keys", "SGP", "--json")
    history = [h["event"] for h in json.loads(out)["history"]]
    assert history == ["SignerAdded", "SignerRevoked", "SignerAdded", "BackdatedRevocationRequested"]
    code, out = run("index", "keys", "SGP")
    # Two keys added in the same second are listed in address order: find each by what happened to it.
    listed = json.loads(run("index", "keys", "SGP", "--json")[1])["keys"]
    (first,) = [k for k in listed if k["revoked_at"]]
    (second,) = [k for k in listed if not k["revoked_at"]]
    # Human times, "never" for an open end, no Python reprs, and the compromised key says so.
    assert code == 0 and "awaits the depositary" in out
    assert re.search(rf"{first['key']}\s+compromised: from the start until never; revoked from 20\d\d-", out), out
    assert re.search(rf"{second['key']}\s+authorised: from the start until never", out), out
    assert "(back-dated: declared compromised)" in out
    assert not re.search(r"\b\d{10,}\b", out) and "{'" not in out, out
    code, out = run("index", "status", "--json")
    assert json.loads(out)["lag"] == 0 and json.loads(out)["schema"] == "0003"
    for fmt in ("csv", "jsonl", "pdf"):
        code, out = run("audit", "export", "--format", fmt, "-o", str(tmp_path / f"trail.{fmt}"))
        assert code == 0 and (tmp_path / f"trail.{fmt}.manifest.json").is_file()
    code, out = run("audit", "verify", str(tmp_path / "trail.csv"))
    assert code == exit_codes.OK, out
    assert "HOLDS" in out
    lines = (tmp_path / "trail.jsonl").read_text().splitlines()
    del lines[4]
    (tmp_path / "trail.jsonl").write_text("\n".join(lines) + "\n")
    code, out = run("audit", "verify", str(tmp_path / "trail.jsonl"), "--previous", str(tmp_path / "trail.csv"))
    assert code == exit_codes.VERIFICATION_FAILED
    assert "it would be row 5" in out and "previous row 5 (" in out and "is not in this export" in out
    assert "consistent" not in out and "problems)" in out
    # A rewritten row in the newer export: the changed field is named, and nothing claims consistency.
    export_rows = (tmp_path / "trail.csv").read_text().splitlines()
    signed = next(i for i, line in enumerate(export_rows) if ",ActRecorded," in line or line.startswith("ActRecorded,"))
    export_rows[signed] = export_rows[signed].replace(",signature,", ",ratification,", 1)
    (tmp_path / "new.csv").write_text("\n".join(export_rows) + "\n")
    (tmp_path / "new.csv.manifest.json").write_text((tmp_path / "trail.csv.manifest.json").read_text())
    code, out = run("audit", "verify", str(tmp_path / "new.csv"), "--previous", str(tmp_path / "trail.csv"))
    assert code == exit_codes.VERIFICATION_FAILED
    assert f"row {signed}: rewritten since the previous export" in out
    assert "intent was 'signature', now 'ratification'" in out and "consistent" not in out
    # An honest export and its notes: the voided acts with UTC times, consistent with itself.
    code, out = run("audit", "verify", str(tmp_path / "trail.csv"), "--previous", str(tmp_path / "trail.csv"))
    assert code == exit_codes.OK and "consistent: the first" in out and "HOLDS" in out
    assert "SGP's signature" in out and not re.search(r"note:.*\b\d{10}\b", out), out
