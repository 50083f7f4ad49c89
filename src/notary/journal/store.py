"""The journal folder of one chain: durable atomic writes, one lock file per act, orphan cleaning."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from notary.journal.entry import ORPHAN_SECONDS, JournalEntry, JournalError, JournalKey


class Journal:
    """The journal folder of one chain: `<data_dir>/journal/<chain id>/`."""

    def __init__(self, data_dir: Path, chain_id: int) -> None:
        self.chain_id = chain_id
        self.folder = data_dir / "journal" / str(chain_id)

    def path(self, key: JournalKey) -> Path:
        return self.folder / key.filename

    def load(self, key: JournalKey) -> JournalEntry | None:
        path = self.path(key)
        try:
            return JournalEntry.from_json(path.read_text(), path)
        except FileNotFoundError:
            return None

    def save(self, entry: JournalEntry) -> None:
        """Write atomically and durably: temporary file, fsync, rename, fsync the folder."""
        self.save_all([entry])

    def save_all(self, entries: list[JournalEntry], durable: bool = True) -> None:
        """Write entries atomically (temporary file, rename: a kill leaves the old state or the new
        one), and, if `durable`, each file's data and then the folder synced once for all: what a
        broadcast needs first. A state learnt after broadcast (mined, recorded) may be written
        not durable: a power loss then leaves the earlier state, and the next sweep learns it
        again from the chain."""
        if not entries:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            path = self.path(entry.key)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(entry.to_json())
                    f.flush()
                    if durable:
                        os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
        if durable:
            _fsync_dir(self.folder)

    def clear(self, key: JournalKey) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()
            _fsync_dir(self.folder)

    def entries(self) -> list[JournalEntry]:
        """Every entry of this chain: acts not yet final, and recorded ones still watched."""
        if not self.folder.is_dir():
            return []
        return [JournalEntry.from_json(p.read_text(), p) for p in sorted(self.folder.glob("*.json"))]

    def remove_orphans(self) -> list[Path]:
        """Delete temporary files whose writer died between write and rename (their
        transaction was never broadcast: the broadcast follows the rename)."""
        removed: list[Path] = []
        if not self.folder.is_dir():
            return removed
        for tmp in self.folder.glob(".*.tmp"):
            try:
                pid = int(tmp.name.rsplit(".", 2)[-2])
                old = time.time() - tmp.stat().st_mtime > ORPHAN_SECONDS
            except (ValueError, IndexError, OSError):
                pid, old = 0, True
            if pid != os.getpid() and (old or not _alive(pid)):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                    removed.append(tmp)
        return removed

    @contextlib.contextmanager
    def locked(self, key: JournalKey) -> Iterator[None]:
        """Hold the key's lock file; a second command on the same act fails instead of waiting."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no cross-process lock
            yield
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(key).with_suffix(".lock")
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise JournalError(
                    f"another notary command is submitting this act right now (lock {path})",
                    hint="wait for it to finish, then run the command again to see the result",
                ) from None
            try:  # the holder before us may have removed the file: lock the current one
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            os.close(fd)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
