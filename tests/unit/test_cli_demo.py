"""The `notary` command: demo, version, help and the error handler."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from notary.cli.app import main
from notary.index import IndexReader, open_index

STORY = ("registration", "mou", "receipt", "treaty", "amendment", "compromise", "batch", "audit")


def test_demo_json_tells_the_whole_story(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`notary demo --json`: the MoU executed when co-signed (offline, relayed) and verified; then, in order,
    its receipt verifies offline, the treaty enters into force, the amendment supersedes the MoU, a forged
    withdrawal terminates the treaty until it is voided, 1,000 certificates are anchored with a proof that
    verifies offline, and the audit export holds with the voided act as a note."""
    assert main(["demo", "--json", "--out", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    # The shape machines already read.
    assert out["verified"] is True
    assert out["record"]["status"] == "executed"
    assert [(a["party"], a["health"]) for a in out["record"]["attestations"]] == [
        ("FRA", "valid"),
        ("SGP", "valid"),
    ]
    assert out["gas"]["notarise"] > 0
    # The story, in order.
    steps = {s["step"]: s for s in out["steps"]}
    assert [s["step"] for s in out["steps"]] == list(STORY)
    assert steps["mou"]["status"] == "executed" and steps["mou"]["relayedTransaction"].startswith("0x")
    assert steps["receipt"]["verified"] is True and steps["receipt"]["reasons"] == []
    assert (steps["treaty"]["afterSignatures"], steps["treaty"]["status"]) == ("executed", "in-force")
    assert (steps["amendment"]["status"], steps["amendment"]["mou"]) == ("executed", "superseded")
    compromise = steps["compromise"]
    assert (compromise["afterForgery"], compromise["status"]) == ("terminated", "in-force")
    assert compromise["voided"] == [{"party": "SGP", "intent": "withdrawal", "signer": compromise["key"]}]
    batch = steps["batch"]
    assert batch["documents"] == 1000 and batch["verified"] is True and batch["proofLength"] == 10
    audit = steps["audit"]
    assert audit["holds"] is True and audit["problems"] == [] and audit["rows"] > 20
    assert [n for n in audit["notes"] if "SGP's withdrawal" in n and "voided at 20" in n]
    # The records as the story leaves them, and the files it wrote.
    records = out["records"]
    assert (records["mou"]["status"], records["treaty"]["status"], records["amendment"]["status"]) == (
        "superseded",
        "in-force",
        "executed",
    )
    forged = [a for a in records["treaty"]["attestations"] if a["intent"] == "withdrawal"]
    assert len(forged) == 1 and forged[0]["health"].startswith("invalid (voided on chain): signed by a key declared")
    for name in ("deployment", "terms", "signedAct", "receipt", "bundle", "certificateReceipt", "export", "report"):
        assert Path(out["outputs"][name]).is_file(), name
    assert Path(out["outputs"]["report"]).read_bytes().startswith(b"%PDF")


def test_demo_human_output_tells_the_story_in_the_terminal_width(tmp_path: Path) -> None:
    """The installed `notary demo` prints each step with its outcome, the records with whole ids (an
    80-column terminal wraps them, never cuts them), and where to look next."""
    notary = shutil.which("notary", path=str(Path(sys.executable).parent)) or "notary"
    env = {**os.environ, "COLUMNS": "80", "NOTARY_CONFIG_DIR": str(tmp_path / "config")}
    done = subprocess.run(
        [notary, "demo", "--out", str(tmp_path / "demo")], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    flat = " ".join(out.split())
    for n, words in enumerate(
        ("registered", "co-signed offline", "receipt verifies offline", "in-force", "superseded", "voided", "1,000")
    ):
        assert re.search(rf"✓ {n + 1}\. [^✓]*{re.escape(words)}", flat), (words, out)
    assert "✓ 8. audit export" in flat and "HOLDS" in flat
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 80
    # The records table's id column, read down: every record id of the index, whole.
    id_column = "".join(line.split("│")[2].strip() for line in out.splitlines() if line.count("│") == 6)
    engine = open_index(f"sqlite:///{tmp_path / 'demo' / 'index.sqlite3'}")
    ids = [r["record_id"] for r in IndexReader(engine).records()]
    engine.dispose()
    assert len(ids) == 3 and all(i in id_column for i in ids), (ids, id_column)
    assert "Where to look next" in out and "notary serve" in flat and "--offline" in flat


def test_missing_file_is_a_clear_error_without_traceback(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A missing document exits 3 with a one-line error, no traceback."""
    code = main(["demo", "--file", str(tmp_path / "nope.pdf")])
    err = capsys.readouterr().err
    assert code == 3
    assert "does not exist" in err and "Traceback" not in err


def test_help_starts_without_importing_web3() -> None:
    """`notary --help` does not import web3 (fast start-up)."""
    code = "import sys; from notary.cli.app import main; main(['--help']); print('web3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
