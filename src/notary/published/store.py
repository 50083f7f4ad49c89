"""Published batches and instrument manifests in the index database (SQLAlchemy Core).

Written only by `notary.published.batches` / `.instruments` after their checks; read by
digest. A batch is written in bounded chunks inside its own transactions, marked
`complete` last: readers never see a half-written batch, and a publication interrupted by
a crash is discarded and redone by the next attempt.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from notary.index.schema import (
    NODE_CHUNK,
    batch_documents,
    batch_nodes,
    instrument_texts,
    published_batches,
    published_instruments,
)
from notary.merkle import proof_positions

#: Rows per INSERT statement when writing a batch.
ROWS_PER_INSERT = 5000


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class StoredBatch:
    id: int
    anchor_id: str
    root: str
    party: str
    count: int
    title: str
    chain: dict[str, Any]
    metadata: dict[str, Any] | None
    anchor: dict[str, Any]
    proofs: dict[str, Any] | None
    published_at: int
    published_by: str


@dataclass(frozen=True)
class Membership:
    """One batch holding a document: where in the bundle, its name and its Merkle proof."""

    batch: StoredBatch
    ordinal: int
    name: str
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class StoredInstrument:
    digest: str
    title: str
    metadata: dict[str, Any]
    published_at: int
    published_by: str


@dataclass(frozen=True)
class TextOf:
    """One instrument listing a document as one of its texts or annexes."""

    instrument: StoredInstrument
    ordinal: int
    name: str
    role: str


def _batch(row: Any) -> StoredBatch:
    return StoredBatch(
        row.id, row.anchor_id, row.root, row.party, row.count, row.title, json.loads(row.chain),
        json.loads(row.metadata), json.loads(row.anchor), json.loads(row.proofs), row.published_at, row.published_by,
    )  # fmt: skip


class PublishedStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ batches: writing

    def batch(self, anchor_id: str) -> StoredBatch | None:
        """The complete published batch `anchor_id` (0x-hex), if any."""
        q = select(published_batches).where(
            published_batches.c.anchor_id == anchor_id, published_batches.c.complete.is_(True)
        )
        with self.engine.connect() as c:
            row = c.execute(q).first()
        return _batch(row) if row is not None else None

    def begin_batch(self, values: dict[str, Any]) -> int:
        """Start writing a batch (an unfinished earlier attempt is discarded first); its row id."""
        with self.engine.begin() as c:
            old = c.execute(
                select(published_batches.c.id).where(published_batches.c.anchor_id == values["anchor_id"])
            ).scalar()
            if old is not None:
                self._discard(c, old)
            row = {**values, "complete": False, "published_at": int(time.time())}
            key = c.execute(insert(published_batches).values(**row)).inserted_primary_key
            assert key is not None
            return int(key[0])

    def add_nodes(self, batch: int, nodes: list[bytes]) -> None:
        """The tree's node array, in chunks of NODE_CHUNK hashes."""
        rows: list[dict[str, Any]] = []
        with self.engine.begin() as c:
            for chunk, start in enumerate(range(0, len(nodes), NODE_CHUNK)):
                rows.append({"batch": batch, "chunk": chunk, "hashes": b"".join(nodes[start : start + NODE_CHUNK])})
                if len(rows) >= ROWS_PER_INSERT // 10:
                    c.execute(insert(batch_nodes), rows)
                    rows = []
            if rows:
                c.execute(insert(batch_nodes), rows)

    def add_documents(self, batch: int, rows: Iterable[tuple[int, str, int, str]]) -> None:
        """(ordinal, digest hex, node index, name) rows, written in bounded statements (the driver's
        executemany: a million rows through SQLAlchemy's per-row dictionaries would cost seconds more)."""
        t = batch_documents
        sql = f"INSERT INTO {t.name} (batch, ordinal, digest, node, name) VALUES (?, ?, ?, ?, ?)"
        buffer: list[tuple[int, int, str, int, str]] = []
        with self.engine.begin() as c:
            if c.dialect.paramstyle != "qmark":
                sql = sql.replace("?", "%s")
            for ordinal, digest, node, name in rows:
                buffer.append((batch, ordinal, digest, node, name))
                if len(buffer) >= ROWS_PER_INSERT:
                    c.exec_driver_sql(sql, buffer)
                    buffer = []
            if buffer:
                c.exec_driver_sql(sql, buffer)

    def complete(self, batch: int) -> None:
        with self.engine.begin() as c:
            c.execute(update(published_batches).where(published_batches.c.id == batch).values(complete=True))

    def discard(self, batch: int) -> None:
        with self.engine.begin() as c:
            self._discard(c, batch)

    @staticmethod
    def _discard(c: Any, batch: int) -> None:
        c.execute(delete(batch_documents).where(batch_documents.c.batch == batch))
        c.execute(delete(batch_nodes).where(batch_nodes.c.batch == batch))
        c.execute(delete(published_batches).where(published_batches.c.id == batch))

    # ------------------------------------------------------------------ batches: reading

    def memberships(self, digest: bytes) -> list[Membership]:
        """Every complete batch holding `digest`, oldest publication first, each with its proof."""
        q = (
            select(published_batches, batch_documents.c.ordinal, batch_documents.c.node, batch_documents.c.name)
            .join(batch_documents, batch_documents.c.batch == published_batches.c.id)
            .where(batch_documents.c.digest == digest.hex(), published_batches.c.complete.is_(True))
            .order_by(published_batches.c.id, batch_documents.c.ordinal)
        )
        with self.engine.connect() as c:
            rows = c.execute(q).all()
            return [Membership(_batch(r), r.ordinal, r.name, self._proof(c, r.id, r.node)) for r in rows]

    @staticmethod
    def _proof(c: Any, batch: int, node: int) -> tuple[bytes, ...]:
        positions = proof_positions(node)
        chunks = sorted({p // NODE_CHUNK for p in positions})
        q = select(batch_nodes.c.chunk, batch_nodes.c.hashes).where(
            batch_nodes.c.batch == batch, batch_nodes.c.chunk.in_(chunks)
        )
        data = {row.chunk: bytes(row.hashes) for row in c.execute(q)}
        out = []
        for p in positions:
            at = (p % NODE_CHUNK) * 32
            out.append(data[p // NODE_CHUNK][at : at + 32])
        return tuple(out)

    def batches(self) -> Iterator[StoredBatch]:
        q = select(published_batches).where(published_batches.c.complete.is_(True)).order_by(published_batches.c.id)
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        return (_batch(r) for r in rows)

    # ------------------------------------------------------------------ instruments

    def instrument(self, digest: bytes) -> StoredInstrument | None:
        q = select(published_instruments).where(published_instruments.c.digest == digest.hex())
        with self.engine.connect() as c:
            r = c.execute(q).first()
        if r is None:
            return None
        return StoredInstrument(r.digest, r.title, json.loads(r.metadata), r.published_at, r.published_by)

    def add_instrument(
        self,
        digest: bytes,
        metadata: dict[str, Any],
        metadata_hash: bytes,
        texts: list[tuple[str, str, bytes]],
        by: str,
    ) -> None:
        """An instrument's manifest and its texts, in one transaction."""
        title = metadata.get("title")
        with self.engine.begin() as c:
            c.execute(
                insert(published_instruments).values(
                    digest=digest.hex(),
                    title=title if isinstance(title, str) else "",
                    metadata=canonical(metadata),
                    metadata_hash="0x" + metadata_hash.hex(),
                    published_at=int(time.time()),
                    published_by=by,
                )
            )
            rows = [
                {"instrument": digest.hex(), "ordinal": i, "digest": d.hex(), "name": name, "role": role}
                for i, (name, role, d) in enumerate(texts)
            ]
            c.execute(insert(instrument_texts), rows)

    def texts_of(self, digest: bytes) -> list[TextOf]:
        """Every published instrument listing `digest` among its texts or annexes."""
        q = (
            select(published_instruments, instrument_texts.c.ordinal, instrument_texts.c.name, instrument_texts.c.role)
            .join(instrument_texts, instrument_texts.c.instrument == published_instruments.c.digest)
            .where(instrument_texts.c.digest == digest.hex())
            .order_by(published_instruments.c.published_at, instrument_texts.c.ordinal)
        )
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        return [
            TextOf(
                StoredInstrument(r.digest, r.title, json.loads(r.metadata), r.published_at, r.published_by),
                r.ordinal,
                r.name,
                r.role,
            )  # fmt: skip
            for r in rows
        ]
