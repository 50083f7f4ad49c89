"""The process behind `notary node start`: runs anvil and saves its state as generations.

Run as ``python -m notary.chain.node_supervisor --data-dir D --url U --interval S
--keep K -- ANVIL ARGV…``. It

1. starts anvil as its child, in its own process group, with a parent-death signal
   (Linux), so anvil never runs on unsaved when its supervisor is killed;
2. every `interval` seconds asks anvil for its state (`anvil_dumpState`) and, if it
   changed, writes it as a new generation (`node_state.StateStore`: temporary file,
   fsync, rename, fsync of the folder);
3. on SIGTERM, SIGINT or SIGHUP writes a final generation, then stops anvil and exits 0;
4. if anvil exits on its own, says so in the log and exits with anvil's code.

It prints to its standard output, which `LocalNode` points at `anvil.log`.
Nothing here imports web3.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gzip
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from notary.chain.node_state import StateStore, dump_block, latest_generation, mark_clean_stop
from notary.errors import ChainError

__all__ = ["main"]

_PR_SET_PDEATHSIG = 1


def _log(message: str) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    print(f"notary-node {stamp}: {message}", flush=True)


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A preexec function: the child gets SIGKILL when `parent` dies (Linux prctl)."""
    libc = None
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl  # noqa: B018 - fail here, in the parent, if there is no prctl

    def arm() -> None:
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os.kill(os.getpid(), signal.SIGKILL)

    return arm


class _Saver:
    """Dumps anvil's state and writes it as a generation when it changed."""

    def __init__(self, url: str, store: StateStore, timeout: float, interval: float) -> None:
        self.url = url
        self.store = store
        self.timeout = timeout
        self.interval = interval
        self._slowest_said = 0.0
        self._last_digest: bytes | None = None
        self.failing = False
        self.last_block: int | None = None  # the block of the newest generation on disk
        newest = latest_generation(store.data_dir)
        if newest is not None and not newest.legacy:  # what anvil loaded: no need to write it again
            with contextlib.suppress(OSError):
                self._last_digest = hashlib.sha256(newest.path.read_bytes()).digest()
                self.last_block = newest.block

    def _dump(self, attempts: int = 8) -> tuple[bytes, int]:
        """anvil's state and its block; a dump caught in the middle of mining a block is retried."""
        from notary.chain.node import json_rpc

        for attempt in range(attempts):
            reply = json_rpc(self.url, "anvil_dumpState", timeout=self.timeout)
            raw = gzip.decompress(bytes.fromhex(str(reply).removeprefix("0x")))
            try:
                return raw, dump_block(raw)
            except ValueError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

    def save(self) -> int | None:
        """Save once; return the block written, or None if nothing changed or the dump failed."""
        started = time.monotonic()
        try:
            raw, block = self._dump()
        except (ChainError, ValueError, OSError, EOFError) as exc:
            if not self.failing:
                _log(f"cannot read anvil's state ({exc}); the previous generation stays the newest")
            self.failing = True
            return None
        digest = hashlib.sha256(raw).digest()
        if digest == self._last_digest:
            return None
        try:
            self.store.write(raw, block)
        except OSError as exc:
            if not self.failing:
                _log(f"cannot write the state to {self.store.data_dir} ({exc}); older generations are kept")
            self.failing = True
            return None
        if self.failing:
            _log(f"saving again (block {block})")
        self.failing = False
        self._last_digest, self.last_block = digest, block
        took = time.monotonic() - started
        if took > self.interval and took > 1.2 * self._slowest_said:
            _log(
                f"a save took {took:.2f} s ({len(raw) / 1e6:.1f} MB at block {block}), more than the "
                f"{self.interval:g} s interval: a kill now loses up to about {self.interval + 2 * took:.1f} s of blocks"
            )
            self._slowest_said = took
        return block


def _copy_log(source: IO[bytes]) -> None:
    """Copy anvil's output to ours, without the line anvil prints for each of our dumps."""
    for line in iter(source.readline, b""):
        if line.strip() != b"anvil_dumpState":
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()


def _parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    args = list(argv)
    if "--" not in args:
        raise SystemExit("usage: node_supervisor OPTIONS -- ANVIL ARGV…")
    split = args.index("--")
    parser = argparse.ArgumentParser(prog="notary.chain.node_supervisor")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--keep", type=int, default=3)
    return parser.parse_args(args[:split]), args[split + 1 :]


def main(argv: Sequence[str] | None = None) -> int:
    options, anvil_argv = _parse(sys.argv[1:] if argv is None else argv)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)

    store = StateStore(options.data_dir, keep=options.keep)
    saver = _Saver(options.url, store, timeout=max(10.0, 5 * options.interval), interval=options.interval)
    anvil = subprocess.Popen(  # noqa: S603 - argv built by LocalNode
        anvil_argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent(os.getpid()),  # noqa: PLW1509 - no threads run yet
    )
    assert anvil.stdout is not None
    copier = threading.Thread(target=_copy_log, args=(anvil.stdout,), daemon=True)
    copier.start()
    _log(f"supervising anvil (pid {anvil.pid}); saving its state every {options.interval:g} s")
    next_save = time.monotonic() + options.interval
    while not stopping.wait(max(0.0, next_save - time.monotonic())):
        next_save = time.monotonic() + options.interval  # start to start: a slow save does not widen the gap
        if (code := anvil.poll()) is not None:
            copier.join(timeout=2)  # anvil's last words first
            _log(f"anvil exited by itself with code {code}; the newest generation holds its saved state")
            return code if code > 0 else 1
        saver.save()
    # A clean stop: one final generation while anvil still answers, then stop anvil.
    if anvil.poll() is None:
        saver.failing = False  # say why, if the final save fails
        saver.save()
        anvil.terminate()
        try:
            anvil.wait(timeout=10)
        except subprocess.TimeoutExpired:
            anvil.kill()
            anvil.wait()
        copier.join(timeout=2)
        if not saver.failing:
            mark_clean_stop(options.data_dir, saver.last_block)
            _log(f"stopped cleanly; the final state is saved (block {saver.last_block})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
