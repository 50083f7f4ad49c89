"""The local node's chain state on disk: rotated generations, written atomically.

anvil's own `--state` file is rewritten in place, so a kill during the rewrite can leave
it empty and lose the whole ledger. Instead the node's supervisor asks anvil for its state
(`anvil_dumpState`) and keeps it as *generations*:

    <data_dir>/state-00000012-block-57.json

Each is anvil's own state JSON (what `anvil --load-state` reads), written to a temporary
`… .json.tmp` in the same folder, fsynced, renamed over, and the folder fsynced, so a
generation is either complete or absent. Only the newest `keep` are kept. The name carries
the sequence number (the order of writes) and the block the state reached, so even a
generation damaged later (disk fault, a hand edit) or a temporary cut short by a kill still
says which blocks it held.

At start, `recover` removes leftover temporaries, loads the newest generation that parses
and has anvil's shape, and reports what was lost: blocks after the loaded one that a
damaged generation or an interrupted write had reached. Files from before generations
(`state.json`, and `state.json.bak` from a clean stop) are read as the oldest candidates.
Nothing here talks to the node.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notary.errors import NodeError

__all__ = [
    "Generation",
    "StateRecovery",
    "StateStore",
    "clear_clean_stop",
    "dump_block",
    "generations",
    "latest_generation",
    "mark_clean_stop",
    "recover",
    "state_block",
    "stopped_cleanly",
]

_NAME = re.compile(r"^state-(\d{8})-block-(\d+)\.json$")
_TEMP = re.compile(r"^state-(\d{8})-block-(\d+)\.json\.tmp$")
_LEGACY = ("state.json", "state.json.bak")  # anvil's own file, and the copy from a clean stop
DAMAGED_SUFFIX = ".damaged"
_CLEAN_STOP = "clean-stop"  # written after the final save of a clean stop, removed at start


@dataclass(frozen=True)
class Generation:
    """One saved state file: its write order, the block its name claims, its path."""

    seq: int
    block: int | None  # None for a legacy file, whose name says nothing
    path: Path

    @property
    def legacy(self) -> bool:
        return self.seq < 0


def _generation_name(seq: int, block: int) -> str:
    return f"state-{seq:08d}-block-{block}.json"


def state_block(raw: bytes) -> int:
    """The block number an anvil state dump reached; raise ValueError unless it has anvil's shape."""
    try:
        state: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at byte {exc.pos} of {len(raw)})") from exc
    if not isinstance(state, dict):
        raise ValueError(f"a JSON {type(state).__name__}, not an anvil state object")
    missing = [key for key in ("block", "accounts", "blocks") if key not in state]
    if missing:
        raise ValueError(f"not an anvil state: no {', '.join(missing)}")
    block, accounts, blocks = state["block"], state["accounts"], state["blocks"]
    if not isinstance(block, dict) or not isinstance(accounts, dict) or not isinstance(blocks, list):
        raise ValueError("not an anvil state: block, accounts or blocks has the wrong type")
    number: Any = state.get("best_block_number", block.get("number"))
    try:
        best = int(number, 16) if isinstance(number, str) else int(number)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not an anvil state: block number {number!r}") from exc
    _check_env(best, block.get("number"))
    if blocks and not any(_header_number(entry) == best for entry in blocks):
        raise ValueError(f"inconsistent: its best block {best} is not among its blocks")
    return best


def _check_env(best: int, env_number: Any) -> None:
    """The block environment must be at the best block: a dump taken while anvil mines can have it
    one behind, and anvil loading that mines the best block's number a second time."""
    try:
        env = int(env_number, 16) if isinstance(env_number, str) else int(env_number)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not an anvil state: block environment number {env_number!r}") from exc
    if env != best:
        raise ValueError(f"inconsistent: its block environment is at block {env}, its best block is {best}")


def _header_number(entry: Any) -> int | None:
    try:
        return int(entry["header"]["number"], 16)
    except (TypeError, KeyError, ValueError):
        return None


_BEST_BLOCK = re.compile(rb'"best_block_number":\s*(\d+)\s*[,}]')
_ENV_NUMBER = re.compile(rb'\s*\{\s*"block":\s*\{\s*"number":\s*"(0x[0-9a-fA-F]+)"')


def dump_block(raw: bytes) -> int:
    """The block number of a fresh anvil dump, found without parsing the whole of it.

    anvil's dump is a JSON object with a top-level `best_block_number`; a full parse costs
    more than the dump itself on a long chain, and `recover` parses fully at start anyway.
    Falls back to `state_block` when the field is not found.

    A dump taken while anvil mines can be torn inside anvil: its block environment one
    block behind the best block, or the best block missing from `blocks` (seen under load;
    anvil then refuses to load it, or mines that block number twice). Both raise ValueError.
    """
    stripped = raw.strip()
    if not (stripped.startswith(b"{") and stripped.endswith(b"}")):
        raise ValueError("not an anvil state object")
    match = _BEST_BLOCK.search(raw)
    if not match:
        return state_block(raw)
    best = int(match[1])
    env = _ENV_NUMBER.match(raw)
    _check_env(best, env[1].decode() if env else None)
    blocks_at = raw.find(b'"blocks":', match.end() - 1)
    if blocks_at < 0 or raw.find(b'"number":"0x%x"' % best, blocks_at) < 0:
        raise ValueError(f"inconsistent: its best block {best} is not among its blocks")
    return best


def generations(data_dir: Path) -> list[Generation]:
    """Every state file in `data_dir`, newest first (generations, then the legacy files)."""
    found: list[Generation] = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(data_dir):
            if match := _NAME.match(entry.name):
                found.append(Generation(int(match[1]), int(match[2]), Path(entry.path)))
    found.sort(key=lambda g: g.seq, reverse=True)
    for rank, name in enumerate(_LEGACY, start=1):
        if (data_dir / name).is_file():
            found.append(Generation(-rank, None, data_dir / name))
    return found


def latest_generation(data_dir: Path) -> Generation | None:
    """The newest generation by name (not validated), or None."""
    return next(iter(generations(data_dir)), None)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _max_seq(data_dir: Path) -> int:
    top = -1
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(data_dir):
            name = entry.name.removesuffix(DAMAGED_SUFFIX)
            if match := _NAME.match(name) or _TEMP.match(name):
                top = max(top, int(match[1]))
    return top


class StateStore:
    """Writes generations into `data_dir`, keeping the newest `keep`."""

    def __init__(self, data_dir: Path, keep: int = 3) -> None:
        if keep < 2:
            raise ValueError("keep at least two generations, so a damaged newest one has a fallback")
        self.data_dir = Path(data_dir)
        self.keep = keep
        self._next_seq = _max_seq(self.data_dir) + 1

    def write(self, raw: bytes, block: int) -> Generation:
        """Write one state dump as the newest generation (atomic, durable), then prune old ones."""
        seq, self._next_seq = self._next_seq, self._next_seq + 1
        final = self.data_dir / _generation_name(seq, block)
        temp = final.with_name(final.name + ".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        os.close(fd)
        os.replace(temp, final)
        _fsync_dir(self.data_dir)
        self._prune()
        return Generation(seq, block, final)

    def _prune(self) -> None:
        current = [g for g in generations(self.data_dir) if not g.legacy]
        for old in current[self.keep :]:
            old.path.unlink(missing_ok=True)


def mark_clean_stop(data_dir: Path, block: int | None) -> None:
    """Record that the node stopped cleanly, its final state saved (block `block`)."""
    path = Path(data_dir) / _CLEAN_STOP
    path.write_text(json.dumps({"block": block}) + "\n")
    _fsync_dir(path.parent)


def stopped_cleanly(data_dir: Path) -> bool:
    """True if the last run stopped cleanly (its final state saved)."""
    return (Path(data_dir) / _CLEAN_STOP).is_file()


def clear_clean_stop(data_dir: Path) -> None:
    """Remove the mark: the node is starting again."""
    (Path(data_dir) / _CLEAN_STOP).unlink(missing_ok=True)


@dataclass(frozen=True)
class StateRecovery:
    """What `recover` found: the generation to load and what could not be kept."""

    loaded: Generation | None
    loaded_block: int | None
    damaged: tuple[tuple[Generation, str], ...] = ()
    interrupted: tuple[int, ...] = ()  # blocks that writes cut short had reached
    notes: tuple[str, ...] = field(default=())

    @property
    def lost_after(self) -> int | None:
        """Highest block some damaged or interrupted save had reached beyond the loaded one."""
        claimed = [g.block for g, _ in self.damaged if g.block is not None] + list(self.interrupted)
        base = self.loaded_block if self.loaded_block is not None else -1
        beyond = [b for b in claimed if b > base]
        return max(beyond) if beyond else None

    def messages(self) -> list[str]:
        """Plain sentences for the operator: what was loaded, what was damaged, what was lost."""
        out = list(self.notes)
        for generation, reason in self.damaged:
            out.append(f"{generation.path.name} is damaged ({reason}); not loaded")
        if self.loaded is None:
            out.append("no saved state: the node starts an empty chain")
        else:
            out.append(f"loaded {self.loaded.path.name} (block {self.loaded_block})")
        top = self.lost_after
        if top is not None:
            first = 0 if self.loaded_block is None else self.loaded_block + 1
            span = f"block {top}" if first == top else f"blocks {first}-{top}"
            out.append(f"LOST: {span} (saved after the state that was loaded, then damaged or cut short)")
        return out


def recover(data_dir: Path) -> StateRecovery:
    """Clean leftovers and choose the newest intact state in `data_dir`.

    1. Remove temporaries left by writes a kill cut short, noting the block each reached.
    2. Try generations newest first (then `state.json`, `state.json.bak`): a candidate is
       intact if it parses as anvil's state and holds the block its name claims.
    3. Move damaged generations newer than the loaded one aside (`*.damaged`), so they are
       reported once and kept for inspection; legacy files are left where they are.
    4. If state files exist but none is intact, raise NodeError: an empty chain is never
       started in place of a ledger.
    """
    data_dir = Path(data_dir)
    interrupted: list[int] = []
    notes: list[str] = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(data_dir):  # step 1
            if match := _TEMP.match(entry.name):
                Path(entry.path).unlink(missing_ok=True)
                interrupted.append(int(match[2]))
                notes.append(f"removed {entry.name}, a save of block {match[2]} that was cut short")
    damaged: list[tuple[Generation, str]] = []
    loaded: Generation | None = None
    loaded_block: int | None = None
    candidates = generations(data_dir)
    for candidate in candidates:  # step 2
        try:
            block = state_block(candidate.path.read_bytes())
        except OSError as exc:
            damaged.append((candidate, f"unreadable: {exc.strerror}"))
            continue
        except ValueError as exc:
            damaged.append((candidate, str(exc)))
            continue
        if candidate.block is not None and block != candidate.block:
            damaged.append((candidate, f"its name says block {candidate.block}, it holds block {block}"))
            continue
        loaded, loaded_block = candidate, block
        break
    if loaded is None and candidates:  # step 4
        listing = "; ".join(f"{g.path.name}: {why}" for g, why in damaged)
        raise NodeError(
            f"every saved state in {data_dir} is damaged, so the node was not started ({listing})",
            hint="restore a state file from a backup into that folder; to start an empty chain "
            "instead, move the damaged files out of it",
        )
    for generation, _ in damaged:  # step 3
        if not generation.legacy:
            with contextlib.suppress(OSError):
                generation.path.rename(generation.path.with_name(generation.path.name + DAMAGED_SUFFIX))
    if damaged or interrupted:
        with contextlib.suppress(OSError):
            _fsync_dir(data_dir)
    return StateRecovery(loaded, loaded_block, tuple(damaged), tuple(interrupted), tuple(notes))
