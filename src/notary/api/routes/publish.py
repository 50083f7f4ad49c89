"""`POST /v1/publish/batch` and `POST /v1/publish/instrument`: make documents findable by digest.

A batch bundle (`notary batch anchor` writes it) or an instrument's manifest (or a receipt
of the instrument) is checked against the chain (`notary.published`) and stored in the
index; from then on `GET /v1/verify/{digest}` and the page find each batch member and
each text. Needs an API key with the `publish` scope. A bundle is streamed to a temporary
file (never held in memory) up to the bundle format's limit; publishing twice is harmless.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from notary import batch
from notary.api import problems
from notary.api.auth import authenticate, presented_key
from notary.api.deps import Services, ServicesDep
from notary.api.problems import IndexUnavailableError, PayloadTooLargeError
from notary.api.schemas import PublishedOut
from notary.api.upload import read_body
from notary.published import PublishedStore, instruments, manifest_of, publish_bundle, publish_manifest

router = APIRouter(tags=["publish"])
_SECURITY: dict[str, Any] = {"security": [{"bearer": []}, {"apiKey": []}]}
_JSON: dict[str, Any] = {"schema": {"type": "object"}}


def _store(svc: Services) -> PublishedStore:
    if svc.published is None:
        raise IndexUnavailableError(
            "this service keeps no index, so it cannot store published documents",
            hint="run the service with its index (leave NOTARY_INDEX unset, or set NOTARY_INDEX_URL)",
        )
    return svc.published


def _publisher(request: Request, svc: Services) -> str:
    client = authenticate(svc.settings.api_keys, presented_key(request), "publish")
    svc.limiter.take(client.name)
    return client.name


async def _spool(request: Request, folder: Path, limit: int) -> Path:
    """Stream the body to a temporary file in `folder` (removed by the caller); 413 past `limit`."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".json", dir=folder)
    size = 0
    try:
        with os.fdopen(fd, "wb") as f:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(f"a batch bundle is at most {limit} bytes")
                f.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


@router.post(
    "/v1/publish/batch",
    response_model=PublishedOut,
    responses=problems.responses(401, 403, 404, 413, 422, 429, 503),
    openapi_extra={
        **_SECURITY,
        "requestBody": {
            "required": True,
            "description": "A batch bundle as `notary batch anchor` wrote it.",
            "content": {batch.MEDIA_TYPE: _JSON, "application/json": _JSON},
        },
    },
)
async def publish_batch(request: Request, svc: ServicesDep) -> PublishedOut:
    """Publish a batch bundle: refused unless the batch is anchored on this ledger with exactly the
    bundle's signed fields and its documents rebuild the anchored root. Then each document verifies by
    digest (`GET /v1/verify/{digest}`, `/v1/proofs/{digest}`). Needs an API key with the publish scope."""
    store = _store(svc)
    by = _publisher(request, svc)
    path = await _spool(request, svc.settings.base.resolved_data_dir / "uploads", batch.MAX_BYTES)
    try:
        done = await run_in_threadpool(publish_bundle, svc.gateway, store, path, by)
    finally:
        path.unlink(missing_ok=True)
    return PublishedOut(
        kind="batch", id=done.anchor_id, documents=done.documents, party=done.party, recordId=None,
        title=done.title, already=done.already,
    )  # fmt: skip


@router.post(
    "/v1/publish/instrument",
    response_model=PublishedOut,
    responses=problems.responses(401, 403, 404, 413, 422, 429, 503),
    openapi_extra={
        **_SECURITY,
        "requestBody": {
            "required": True,
            "description": "The instrument's manifest ({title, texts}) or a receipt of the instrument.",
            "content": {"application/json": _JSON},
        },
    },
)
async def publish_instrument(request: Request, svc: ServicesDep) -> PublishedOut:
    """Publish a multi-text instrument's manifest: refused unless a record of the instrument digest its
    texts make commits to exactly this manifest. Then each text and annex verifies by its own digest.
    Needs an API key with the publish scope."""
    store = _store(svc)
    by = _publisher(request, svc)
    manifest = manifest_of(await read_body(request, instruments.MAX_BYTES, "a manifest or receipt"))
    done = await run_in_threadpool(publish_manifest, svc.gateway, store, manifest, by)
    return PublishedOut(
        kind="instrument", id=done.digest, documents=len(done.texts), party=None, recordId=done.record_id,
        title=done.title, already=done.already,
    )  # fmt: skip
