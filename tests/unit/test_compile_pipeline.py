"""The contract build pipeline: the npm solc front and scripts/compile_contracts.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "compile_contracts.py"
SOLC_FRONT = REPO_ROOT / "tools" / "solc" / "solc"
CONTRACTS_DIR = REPO_ROOT / "contracts"
ARTIFACTS_DIR = REPO_ROOT / "src" / "notary" / "artifacts"
PINNED_SOLC = json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["solc"]

TINY_CONTRACT = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

interface IRecoverer {
    function recover(bytes32 digest, bytes calldata signature) external pure returns (address);
}

contract Recoverer is IRecoverer {
    function recover(bytes32 digest, bytes calldata signature) external pure returns (address) {
        return ECDSA.recover(MessageHashUtils.toEthSignedMessageHash(digest), signature);
    }
}
"""


def _npm_front_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed, so the npm solc front tools/solc/solc cannot run"
    if not (REPO_ROOT / "node_modules" / "solc" / "package.json").is_file():
        return "node_modules/solc is missing (run `make node_modules`)"
    return None


needs_npm_front = pytest.mark.skipif(_npm_front_missing() is not None, reason=_npm_front_missing() or "")


def run_script(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def front_env() -> dict[str, str]:
    """Force the npm front even where a native solc of the pinned version exists."""
    return {"NOTARY_SOLC": str(SOLC_FRONT)}


@pytest.fixture(scope="module")
def compiled_tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny contract importing OpenZeppelin, compiled once through the npm front."""
    if reason := _npm_front_missing():
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("tiny")
    contracts, out = root / "contracts", root / "artifacts"
    contracts.mkdir()
    (contracts / "Recoverer.sol").write_text(TINY_CONTRACT)
    result = run_script("--contracts-dir", contracts, "--out-dir", out, env=front_env(), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tools/solc/solc" in result.stdout
    return contracts, out


# --------------------------------------------------------------------------- the solc front


@needs_npm_front
def test_solc_front_answers_version_like_native_solc() -> None:
    out = subprocess.run([str(SOLC_FRONT), "--version"], capture_output=True, text=True, check=True, timeout=60).stdout
    lines = out.splitlines()
    assert lines[0] == "solc, the solidity compiler commandline interface"
    assert re.fullmatch(rf"Version: {re.escape(PINNED_SOLC)}\+commit\.[0-9a-f]{{8}}\.\S+", lines[1])

    from solcx.wrapper import get_solc_version

    assert str(get_solc_version(SOLC_FRONT)) == PINNED_SOLC


@needs_npm_front
def test_solc_front_rejects_unknown_options_like_native_solc() -> None:
    result = subprocess.run([str(SOLC_FRONT), "--combined-json", "abi"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("unrecognised option '--combined-json'")


@needs_npm_front
def test_solc_front_import_callback_finds_openzeppelin(tmp_path: Path) -> None:
    """solcx.compile_standard with only the project file: the front reads the imports."""
    import solcx

    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"contracts/Recoverer.sol": {"content": TINY_CONTRACT}},
            "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
        },
        base_path=str(tmp_path),
        allow_paths=[str(tmp_path)],
        solc_binary=SOLC_FRONT,
    )
    assert "@openzeppelin/contracts/utils/cryptography/ECDSA.sol" in output["sources"]
    assert output["contracts"]["contracts/Recoverer.sol"]["Recoverer"]["evm"]["bytecode"]["object"]


# --------------------------------------------------------------------------- compile


def test_compile_tiny_contract_through_npm_front(compiled_tiny: tuple[Path, Path]) -> None:
    _, out = compiled_tiny
    # Only deployable contracts: the interface has no bytecode, OpenZeppelin is not ours.
    assert sorted(p.name for p in out.glob("*.json")) == ["Recoverer.json", "index.json"]
    artifact = json.loads((out / "Recoverer.json").read_text())
    assert set(artifact) == {
        "contractName",
        "sourceName",
        "abi",
        "bytecode",
        "deployedBytecode",
        "compiler",
        "sourcesHash",
    }
    assert artifact["contractName"] == "Recoverer"
    assert artifact["sourceName"] == "contracts/Recoverer.sol"
    functions = [item["name"] for item in artifact["abi"] if item["type"] == "function"]
    assert functions == ["recover"]
    assert re.fullmatch(r"0x(?:[0-9a-f]{2})+", artifact["bytecode"])
    assert re.fullmatch(r"0x(?:[0-9a-f]{2})+", artifact["deployedBytecode"])
    assert artifact["compiler"]["version"].startswith(PINNED_SOLC + "+commit.")
    assert artifact["compiler"]["settings"]["evmVersion"] == "cancun"
    assert artifact["compiler"]["settings"]["optimizer"] == {"enabled": True, "runs": 100000}
    index = json.loads((out / "index.json").read_text())
    assert index["sourcesHash"] == artifact["sourcesHash"]
    assert list(index["contracts"]) == ["Recoverer"]
    # Deterministic formatting: sorted keys, indent 2, trailing newline.
    text = (out / "Recoverer.json").read_text()
    assert text == json.dumps(artifact, sort_keys=True, indent=2) + "\n"


def test_recompiling_unchanged_sources_is_byte_identical(compiled_tiny: tuple[Path, Path], tmp_path: Path) -> None:
    contracts, out = compiled_tiny
    again = tmp_path / "again"
    result = run_script("--contracts-dir", contracts, "--out-dir", again, env=front_env())
    assert result.returncode == 0, result.stderr
    for name in ("Recoverer.json", "index.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


@needs_npm_front
def test_compile_error_prints_solc_message_without_traceback(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "Broken.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
        "contract Broken { function f() external { notDeclared(); } }\n"
    )
    result = run_script("--contracts-dir", contracts, "--out-dir", tmp_path / "out", env=front_env())
    assert result.returncode == 1
    assert "DeclarationError: Undeclared identifier." in result.stderr
    assert "contracts/Broken.sol:3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unresolvable_import_is_reported_without_compiler(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "A.sol").write_text('pragma solidity ^0.8.20;\nimport "./Missing.sol";\n')
    result = run_script("--contracts-dir", contracts, "--out-dir", tmp_path / "out")
    assert result.returncode == 1
    assert "cannot resolve import 'contracts/Missing.sol'" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- --check


def test_check_passes_on_committed_artifacts() -> None:
    if not any(CONTRACTS_DIR.rglob("*.sol")):
        pytest.skip("contracts/ has no Solidity sources yet")
    result = run_script("--check")
    assert result.returncode == 0, result.stderr
    assert "artifacts up to date" in result.stdout


def test_check_passes_on_fresh_artifacts(compiled_tiny: tuple[Path, Path]) -> None:
    contracts, out = compiled_tiny
    result = run_script("--check", "--contracts-dir", contracts, "--out-dir", out)
    assert result.returncode == 0, result.stderr


def test_check_fails_when_artifacts_come_from_other_sources(compiled_tiny: tuple[Path, Path], tmp_path: Path) -> None:
    contracts, out = tmp_path / "contracts", tmp_path / "artifacts"
    shutil.copytree(compiled_tiny[0], contracts)
    shutil.copytree(compiled_tiny[1], out)
    source = contracts / "Recoverer.sol"
    source.write_text(source.read_text() + "\n// changed\n")

    result = run_script("--check", "--contracts-dir", contracts, "--out-dir", out, cwd=tmp_path)

    assert result.returncode == 1
    assert "was built from other sources" in result.stderr
    assert "stale artifact artifacts/Recoverer.json for contract Recoverer" in result.stderr
    assert "make compile" in result.stderr


def test_check_fails_when_an_artifact_is_missing(compiled_tiny: tuple[Path, Path], tmp_path: Path) -> None:
    contracts, out = tmp_path / "contracts", tmp_path / "artifacts"
    shutil.copytree(compiled_tiny[0], contracts)
    shutil.copytree(compiled_tiny[1], out)
    (out / "Recoverer.json").unlink()

    result = run_script("--check", "--contracts-dir", contracts, "--out-dir", out, cwd=tmp_path)

    assert result.returncode == 1
    assert "missing artifact artifacts/Recoverer.json for contract Recoverer" in result.stderr


def test_check_fails_without_artifacts_and_needs_no_compiler(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "A.sol").write_text("pragma solidity ^0.8.20;\ncontract A {}\n")
    # No node and no solc reachable: --check must not try to run a compiler.
    env = {"PATH": str(Path(sys.executable).parent), "NOTARY_SOLC": "/nonexistent/solc"}

    result = run_script(
        "--check",
        "--contracts-dir",
        contracts,
        "--out-dir",
        tmp_path / "out",
        env=env,
        cwd=tmp_path,
    )

    assert result.returncode == 1
    assert "missing out/index.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_covers_the_real_sources_when_copied(tmp_path: Path) -> None:
    """The committed artifacts go stale as soon as any real contract source changes."""
    if not any(CONTRACTS_DIR.rglob("*.sol")):
        pytest.skip("contracts/ has no Solidity sources yet")
    contracts, out = tmp_path / "contracts", tmp_path / "artifacts"
    shutil.copytree(CONTRACTS_DIR, contracts)
    shutil.copytree(ARTIFACTS_DIR, out)
    assert run_script("--check", "--contracts-dir", contracts, "--out-dir", out).returncode == 0

    victim = sorted(contracts.rglob("*.sol"))[0]
    victim.write_text(victim.read_text() + "\n// changed\n")
    result = run_script("--check", "--contracts-dir", contracts, "--out-dir", out)
    assert result.returncode == 1
    assert "stale artifact" in result.stderr
