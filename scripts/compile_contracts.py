#!/usr/bin/env python3
"""Compile the project's Solidity contracts into JSON artifacts.

    python scripts/compile_contracts.py            # compile contracts/**/*.sol
    python scripts/compile_contracts.py --check    # are the artifacts up to date? (no compiler)

Every ``contracts/**/*.sol`` file is compiled in one ``solcx.compile_standard`` call and one
artifact per contract with non-empty bytecode is written to
``src/notary/artifacts/<ContractName>.json``, plus ``index.json``.

Imports are resolved here, before the compiler runs (relative imports against the importing
file, other imports against the contracts' parent folder and then the repository's
``node_modules``), so the standard JSON input is self-contained and any solc binary (native or
the npm front in ``tools/solc``) produces the same output. Source unit names are always
``contracts/<path inside the contracts dir>`` and ``@openzeppelin/...``, never absolute paths,
so the bytecode (whose metadata hash covers the source unit names) does not depend on where
the checkout lives.

``sourcesHash`` is a sha256 over: a format tag, the compiler settings, the pinned versions and
integrity hashes of ``solc`` and ``@openzeppelin/contracts`` from ``package-lock.json``, and
the sorted (relative path, bytes) pairs of every ``*.sol`` under the contracts dir. ``--check``
recomputes it (no compiler, no node_modules needed) and compares it with the artifacts.

Compiler resolution order (the version must equal the ``solc`` version in package.json):

1. ``$NOTARY_SOLC`` (an explicit path);
2. a solc installed by py-solc-x (``solcx.get_installed_solc_versions()``);
3. ``solc`` on ``PATH``;
4. the npm front ``tools/solc/solc`` (needs ``node`` and ``make node_modules``).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTRACTS_DIR = REPO_ROOT / "contracts"
DEFAULT_OUT_DIR = REPO_ROOT / "src" / "notary" / "artifacts"
NODE_MODULES = REPO_ROOT / "node_modules"
NPM_SOLC_FRONT = REPO_ROOT / "tools" / "solc" / "solc"
PACKAGE_JSON = REPO_ROOT / "package.json"
PACKAGE_LOCK = REPO_ROOT / "package-lock.json"

# Source unit names of the project's own files start with this, wherever the dir lives.
UNIT_PREFIX = "contracts/"
INDEX_NAME = "index.json"
# Bump when the artifact format or the hashing scheme changes: it is part of sourcesHash.
FORMAT_TAG = "notary-artifacts-v1"
# The npm packages whose pinned versions feed sourcesHash.
PINNED_NPM_PACKAGES = ("solc", "@openzeppelin/contracts")

SETTINGS: dict[str, Any] = {
    # Optimised for calls, not for deployment size: every act is paid for by someone.
    "optimizer": {"enabled": True, "runs": 100000},
    "evmVersion": "cancun",
    "outputSelection": {
        "*": {
            "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "metadata"],
        }
    },
}

# A Solidity import names its path in the first string literal after `import`:
#   import "p";  import "p" as X;  import * as X from "p";  import {A, B as C} from "p";
IMPORT_RE = re.compile(r"\bimport\b[^;\"']*?([\"'])([^\"']+)\1")


class PipelineError(Exception):
    """An expected failure: printed as a message, never as a traceback."""


def rel(path: Path) -> str:
    """A path for messages: relative to the cwd when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def dump_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2) + "\n"


def write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# --------------------------------------------------------------------------- pins and hash


@dataclass(frozen=True)
class Pins:
    solc: str
    packages: dict[str, dict[str, str]]  # name -> {"version": ..., "integrity": ...}


def read_pins() -> Pins:
    try:
        package = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
        lock = json.loads(PACKAGE_LOCK.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PipelineError(f"missing {rel(Path(exc.filename))}") from None
    except json.JSONDecodeError as exc:
        raise PipelineError(f"cannot parse package.json / package-lock.json: {exc}") from None
    deps = package.get("dependencies", {})
    solc = deps.get("solc")
    if not solc or not re.fullmatch(r"\d+\.\d+\.\d+", solc):
        raise PipelineError(f"package.json must pin an exact solc version in dependencies (found {solc!r})")
    packages: dict[str, dict[str, str]] = {}
    for name in PINNED_NPM_PACKAGES:
        entry = lock.get("packages", {}).get(f"node_modules/{name}")
        if entry is None:
            raise PipelineError(f"package-lock.json has no entry for {name}; run `npm install`")
        if deps.get(name) not in (None, entry.get("version")):
            raise PipelineError(
                f"package.json pins {name} {deps.get(name)} but package-lock.json has "
                f"{entry.get('version')}; run `npm install`"
            )
        packages[name] = {
            "version": str(entry.get("version", "")),
            "integrity": str(entry.get("integrity", "")),
        }
    return Pins(solc=solc, packages=packages)


def find_sources(contracts_dir: Path) -> list[Path]:
    if not contracts_dir.is_dir():
        raise PipelineError(f"contracts dir {rel(contracts_dir)} does not exist")
    files = sorted(p for p in contracts_dir.rglob("*.sol") if p.is_file())
    if not files:
        raise PipelineError(f"no *.sol files under {rel(contracts_dir)}")
    return files


def sources_hash(contracts_dir: Path, pins: Pins) -> str:
    digest = hashlib.sha256()

    def field(data: bytes) -> None:
        digest.update(b"%d:" % len(data))
        digest.update(data)

    field(FORMAT_TAG.encode())
    field(json.dumps(SETTINGS, sort_keys=True).encode())
    for name in sorted(pins.packages):
        info = pins.packages[name]
        field(f"{name}@{info['version']}#{info['integrity']}".encode())
    entries = sorted(
        (path.relative_to(contracts_dir).as_posix(), path.read_bytes()) for path in find_sources(contracts_dir)
    )
    for relpath, data in entries:
        field(relpath.encode())
        field(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- --check


def check(contracts_dir: Path, out_dir: Path) -> int:
    pins = read_pins()
    current = sources_hash(contracts_dir, pins)
    problems: list[str] = []
    index_path = out_dir / INDEX_NAME
    listed: dict[str, Any] = {}
    if not index_path.is_file():
        problems.append(f"missing {rel(index_path)}")
    else:
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            index = {}
            problems.append(f"{rel(index_path)} is not valid JSON ({exc})")
        if index:
            listed = index.get("contracts") or {}
            recorded = index.get("sourcesHash")
            if recorded != current:
                problems.append(
                    f"{rel(index_path)} was built from other sources "
                    f"(sourcesHash {str(recorded)[:12]}, current sources hash {current[:12]})"
                )
            if not listed:
                problems.append(f"{rel(index_path)} lists no contracts")
    for name in sorted(listed):
        artifact = out_dir / f"{name}.json"
        if not artifact.is_file():
            problems.append(f"missing artifact {rel(artifact)} for contract {name}")
            continue
        try:
            recorded = json.loads(artifact.read_text(encoding="utf-8")).get("sourcesHash")
        except json.JSONDecodeError:
            recorded = None
        if recorded != current:
            problems.append(f"stale artifact {rel(artifact)} for contract {name}")
    if index_path.is_file():
        for name in sorted(existing_artifacts(out_dir)):
            if name not in listed:
                problems.append(f"artifact {rel(out_dir / (name + '.json'))} is not in index.json")
    if problems:
        print(
            f"error: the contract artifacts in {rel(out_dir)} do not match the sources in {rel(contracts_dir)}:",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(
            "Recompile with `make compile` (python scripts/compile_contracts.py) and commit the artifacts.",
            file=sys.stderr,
        )
        return 1
    print(f"artifacts up to date: {len(listed)} contracts, sourcesHash {current[:12]}")
    return 0


def existing_artifacts(out_dir: Path) -> set[str]:
    """Names of the artifact files (ours: they have contractName and sourcesHash) in out_dir."""
    names: set[str] = set()
    if not out_dir.is_dir():
        return names
    for path in out_dir.glob("*.json"):
        if path.name == INDEX_NAME:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "contractName" in data and "sourcesHash" in data:
            names.add(path.stem)
    return names


# --------------------------------------------------------------------------- imports


def strip_comments(text: str) -> str:
    """Blank out // and /* */ comments, leaving string literals alone."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def import_unit_name(importer: str, path: str) -> str:
    """The source unit name solc gives `import path` written in source unit `importer`."""
    if path.startswith(("./", "../")):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), path))
    return path


def load_sources(contracts_dir: Path) -> dict[str, str]:
    """Source unit name -> content for the project files and everything they import."""
    contracts_dir = contracts_dir.resolve()
    sources: dict[str, str] = {}
    origin: dict[str, Path] = {}
    queue: list[tuple[str, Path]] = [
        (UNIT_PREFIX + p.relative_to(contracts_dir).as_posix(), p) for p in find_sources(contracts_dir)
    ]
    while queue:
        unit, path = queue.pop(0)
        if unit in sources:
            continue
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise PipelineError(f"{rel(path)} is not UTF-8") from None
        sources[unit] = content
        origin[unit] = path
        for match in IMPORT_RE.finditer(strip_comments(content)):
            target = import_unit_name(unit, match.group(2))
            if target in sources:
                continue
            queue.append((target, locate(target, contracts_dir, unit, origin)))
    return dict(sorted(sources.items()))


def locate(unit: str, contracts_dir: Path, importer: str, origin: dict[str, Path]) -> Path:
    candidates: list[Path] = []
    if unit.startswith(UNIT_PREFIX):
        candidates.append(contracts_dir / unit[len(UNIT_PREFIX) :])
    if not unit.startswith("/"):
        candidates.append(contracts_dir.parent / unit)
        candidates.append(NODE_MODULES / unit)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    hint = ""
    if unit.startswith("@") and not NODE_MODULES.is_dir():
        hint = " (node_modules is missing: run `make node_modules`)"
    raise PipelineError(
        f"{rel(origin.get(importer, Path(importer)))}: cannot resolve import {unit!r}{hint}; "
        f"looked at: {', '.join(rel(c) for c in candidates) or 'nothing (absolute path)'}"
    )


# --------------------------------------------------------------------------- compiler


@dataclass(frozen=True)
class Compiler:
    path: Path
    version: str  # e.g. "0.8.30+commit.73712a01" (no platform suffix: same for every build)
    origin: str


def _probe(path: Path) -> str | None:
    from solcx.exceptions import SolcError
    from solcx.wrapper import get_solc_version

    try:
        return str(get_solc_version(path, with_commit_hash=True))
    except (OSError, SolcError, subprocess.CalledProcessError, ValueError):
        return None


def _base(version: str) -> str:
    return version.split("+", 1)[0]


def resolve_compiler(pinned: str) -> Compiler:
    import solcx
    from packaging.version import Version

    explicit = os.environ.get("NOTARY_SOLC")
    if explicit:
        path = Path(explicit)
        if not path.is_file() or not os.access(path, os.X_OK):
            raise PipelineError(f"NOTARY_SOLC={explicit} is not an executable file")
        version = _probe(path)
        if version is None:
            raise PipelineError(f"NOTARY_SOLC={explicit} does not answer `--version` like solc")
        if _base(version) != pinned:
            raise PipelineError(f"NOTARY_SOLC={explicit} is solc {version}, but package.json pins solc {pinned}")
        return Compiler(path, version, "$NOTARY_SOLC")

    try:
        installed = solcx.get_installed_solc_versions()
    except OSError:
        installed = []
    if Version(pinned) in installed:
        path = Path(solcx.install.get_executable(version=pinned))
        version = _probe(path)
        if version is not None and _base(version) == pinned:
            return Compiler(path, version, "py-solc-x install")

    on_path = shutil.which("solc")
    if on_path:
        version = _probe(Path(on_path))
        if version is not None and _base(version) == pinned:
            return Compiler(Path(on_path), version, "solc on PATH")

    if shutil.which("node") is None:
        raise PipelineError(
            f"no solc {pinned} found: set NOTARY_SOLC, install it with py-solc-x, put it on "
            "PATH, or install node and run `make node_modules` to use the npm front tools/solc/solc"
        )
    if not (NODE_MODULES / "solc" / "package.json").is_file():
        raise PipelineError("node_modules/solc is missing: run `make node_modules`")
    version = _probe(NPM_SOLC_FRONT)
    if version is None:
        raise PipelineError(f"{rel(NPM_SOLC_FRONT)} --version failed")
    if _base(version) != pinned:
        raise PipelineError(f"node_modules has solc {version}, but package.json pins {pinned}: run `make node_modules`")
    return Compiler(NPM_SOLC_FRONT, version, "npm front (node_modules/solc via node)")


def run_solc(compiler: Compiler, sources: dict[str, str], settings: dict[str, Any], base_path: Path) -> dict[str, Any]:
    import solcx
    from solcx.exceptions import SolcError

    input_data = {
        "language": "Solidity",
        "sources": {unit: {"content": content} for unit, content in sources.items()},
        "settings": settings,
    }
    try:
        output: dict[str, Any] = solcx.compile_standard(
            input_data,
            base_path=str(base_path),
            allow_paths=[str(NODE_MODULES)],
            solc_binary=compiler.path,
        )
    except SolcError as exc:
        messages = [
            e.get("formattedMessage") or e.get("message", "")
            for e in (exc.error_dict or [])
            if e.get("severity") == "error"
        ]
        if not messages:
            messages = [exc.message, (exc.stderr_data or "").strip()]
        raise CompilationFailed("\n".join(m for m in messages if m)) from None
    for warning in output.get("errors", []):
        print(warning.get("formattedMessage", warning.get("message", "")), file=sys.stderr)
    return output


class CompilationFailed(PipelineError):
    pass


# --------------------------------------------------------------------------- compile


def compile_all(contracts_dir: Path, out_dir: Path) -> int:
    pins = read_pins()
    digest = sources_hash(contracts_dir, pins)
    sources = load_sources(contracts_dir)
    compiler = resolve_compiler(pins.solc)
    print(f"compiler: solc {compiler.version} from {compiler.origin}: {rel(compiler.path)}")
    own = sorted(u for u in sources if u.startswith(UNIT_PREFIX))
    print(f"compiling {len(own)} files ({len(sources) - len(own)} imported) from {rel(contracts_dir)}")

    settings = copy.deepcopy(SETTINGS)
    try:
        output = run_solc(compiler, sources, settings, contracts_dir.resolve().parent)
    except CompilationFailed as exc:
        if "Stack too deep" not in str(exc):
            raise
        where = re.search(r"-->\s*(\S+)", str(exc))
        print(
            f"stack too deep without viaIR ({where.group(1) if where else 'see solc'}); "
            "retrying with viaIR enabled (recorded in the artifacts' compiler settings)",
            file=sys.stderr,
        )
        settings["viaIR"] = True
        output = run_solc(compiler, sources, settings, contracts_dir.resolve().parent)

    artifacts: dict[str, dict[str, Any]] = {}
    for unit in own:
        for name, contract in sorted(output.get("contracts", {}).get(unit, {}).items()):
            bytecode = contract["evm"]["bytecode"]["object"]
            if not bytecode:
                continue  # abstract contract or interface
            if name in artifacts:
                raise PipelineError(
                    f"contract name {name} is defined in both {artifacts[name]['sourceName']} "
                    f"and {unit}; artifact names must be unique"
                )
            artifacts[name] = {
                "contractName": name,
                "sourceName": unit,
                "abi": contract["abi"],
                "bytecode": "0x" + bytecode,
                "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
                "compiler": {"version": compiler.version, "settings": settings},
                "sourcesHash": digest,
            }
    if not artifacts:
        raise PipelineError(f"no deployable contracts in {rel(contracts_dir)}")

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(existing_artifacts(out_dir) - set(artifacts)):
        (out_dir / f"{stale}.json").unlink()
        print(f"removed {rel(out_dir / (stale + '.json'))}")
    for name, artifact in sorted(artifacts.items()):
        path = out_dir / f"{name}.json"
        changed = write_if_changed(path, dump_json(artifact))
        size = (len(artifact["deployedBytecode"]) - 2) // 2
        print(f"{'wrote' if changed else 'unchanged'} {rel(path)} ({size} bytes deployed)")
    index = {
        "format": FORMAT_TAG,
        "sourcesHash": digest,
        "compiler": {"version": compiler.version, "settings": settings},
        "pins": {name: info["version"] for name, info in pins.packages.items()},
        "contracts": {
            name: {"file": f"{name}.json", "sourceName": a["sourceName"]} for name, a in sorted(artifacts.items())
        },
    }
    write_if_changed(out_dir / INDEX_NAME, dump_json(index))
    print(f"{len(artifacts)} artifacts in {rel(out_dir)}, sourcesHash {digest[:12]}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not compile: exit 1 if the artifacts are missing or stale (hash only)",
    )
    parser.add_argument("--contracts-dir", type=Path, default=DEFAULT_CONTRACTS_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    try:
        if args.check:
            return check(args.contracts_dir, args.out_dir)
        return compile_all(args.contracts_dir, args.out_dir)
    except CompilationFailed as exc:
        print(f"{exc}\nerror: compilation failed", file=sys.stderr)
        return 1
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
