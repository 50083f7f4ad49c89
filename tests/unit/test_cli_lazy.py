"""The `notary` command table: every command listed by `--help` from `COMMANDS`, loaded only when it runs.

`notary --help` shows each command's one-line help from the table without importing the command's
module, so the table must say exactly what the command's own help says: checked here for every
command, along with what `--help`, `status --help` and an offline verification import.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from notary.cli.app import COMMANDS, load_command, main

GOLDEN = Path(__file__).resolve().parents[1] / "receipts" / "golden"
#: What a fast command must not load (issue 12): the chain stack, the EVM, the database layer, pydantic.
HEAVY = ("web3", "eth_account", "eth_tester", "eth", "sqlalchemy", "pydantic", "requests", "py_ecc")
#: The deployment the golden receipts name (tests/receipts/golden).
GOLDEN_CHAIN = (
    131277322940537,
    "0xa5C24295FEeDf8Fc37DbC9Bc8eE8beb29cf8b5F5",
    "0x8aF0c5b17b4bCfD9a7a043B1f1011a26f60669Dd",
)

_REPORT = """
import sys
from notary.cli.app import main
code = main(sys.argv[1:])
print("\\n" + __import__("json").dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def first_paragraph(help_text: str) -> str:
    """What a group's `--help` lists for a command: the first paragraph of its help (typer's rich help)."""
    return inspect.cleandoc(help_text).split("\n\n")[0].strip()


def run_fresh(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, set[str]]:
    """`notary ARGV` in a fresh interpreter: (exit code, output, modules it loaded)."""
    done = subprocess.run([sys.executable, "-c", _REPORT, *argv], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    output, _, report = done.stdout.rpartition("\n{")
    body = json.loads("{" + report)
    return int(body["code"]), output, set(body["modules"])


def heavy(modules: set[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_table_s_one_line_help_is_the_command_s_own(name: str) -> None:
    """For each command, the table's help is the first paragraph of the loaded command's help, and its name."""
    command = load_command(name)
    assert command.name == name
    assert COMMANDS[name][1] == first_paragraph(command.short_help or command.help or ""), name


def test_a_group_loads_with_all_its_subcommands() -> None:
    """`batch` keeps `batch publish` (added from the publish module) next to its own commands."""
    batch = load_command("batch")
    assert {"anchor", "prove", "publish"} <= set(batch.list_commands(None))  # type: ignore[attr-defined]


def test_help_lists_every_command_and_imports_none_of_them() -> None:
    """`notary --help` names every command of the table and loads no command module, nor the chain stack."""
    code, out, modules = run_fresh("--help")
    assert code == 0
    listed = {line.split()[1] for line in out.splitlines() if line.startswith("│ ") and len(line.split()) > 2}
    assert set(COMMANDS) <= listed
    targets = {target.partition(":")[0] for target, _ in COMMANDS.values()}
    assert not targets & modules, sorted(targets & modules)
    assert not heavy(modules), heavy(modules)


def test_status_help_loads_only_its_own_module_and_no_client_library() -> None:
    """`notary status --help` imports notary.cli.inspect, not the other command modules, web3 or pydantic."""
    code, out, modules = run_fresh("status", "--help")
    assert code == 0 and "status [OPTIONS] {FILE|DIGEST|RECORD}" in out
    assert "notary.cli.inspect" in modules
    assert not {"notary.cli.acts", "notary.cli.party", "notary.cli.index", "notary.cli.serve"} & modules
    assert not heavy(modules), heavy(modules)


def test_offline_verification_loads_no_client_library(tmp_path: Path) -> None:
    """`notary verify FILE --receipt R --offline` verifies a golden receipt against a pinned manifest and loads
    neither web3, eth-account, eth-tester, SQLAlchemy nor pydantic."""
    chain_id, ledger, registry = GOLDEN_CHAIN
    contract = {"block_number": 1, "transaction": "0x" + "00" * 32, "artifact_hash": "00" * 32}
    manifest = tmp_path / "deployment.json"
    manifest.write_text(
        json.dumps(
            {
                "mediaType": "application/vnd.notary.deployment+json",
                "version": 1,
                "chain_id": chain_id,
                "ledger": {"address": ledger, **contract},
                "registry": {"address": registry, **contract},
                "depositary": "0x" + "11" * 20,
            }
        )
    )
    env = {"PATH": "/usr/bin:/bin", "NOTARY_CONFIG_DIR": str(tmp_path / "config"), "HOME": str(tmp_path)}
    receipt, doc = GOLDEN / "valid-bilateral-record.receipt.json", GOLDEN / "mou.txt"
    argv = ("--deployment", str(manifest), "verify", str(doc), "--receipt", str(receipt), "--offline", "--json")
    code, out, modules = run_fresh(*argv, env=env)
    assert code == 0 and json.loads(out)["verified"] is True, out
    assert "coincurve" in {m.split(".")[0] for m in modules}  # the signatures were recovered in that process
    assert not heavy(modules), heavy(modules)


def test_a_command_runs_after_help_in_one_process(capsys: pytest.CaptureFixture[str]) -> None:
    """Listing the commands (stand-ins with their one-line help) does not replace the real ones: `keys --help`
    after `--help` in the same process shows the real group with its subcommands."""
    assert main(["--help"]) == 0
    assert main(["keys", "--help"]) == 0
    out = capsys.readouterr().out
    assert "keys [OPTIONS] COMMAND" in out and "│ import " in out


def test_command_lists_show_each_description_as_one_flowing_paragraph() -> None:
    """A docstring's line breaks do not break a command list's lines mid-sentence (`notary --help` and a
    group's `--help`)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    notary = str(Path(sys.executable).with_name("notary"))
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    root = subprocess.run([notary, "--help"], capture_output=True, text=True, env=env, check=True).stdout
    assert "a treaty in force, an amendment, a key compromise undone" in root
    party = subprocess.run([notary, "party", "--help"], capture_output=True, text=True, env=env, check=True).stdout
    assert "(depositary only). They take effect after the controller-reset delay in force now" in party
