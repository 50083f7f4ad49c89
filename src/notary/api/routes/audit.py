"""`GET /v1/audit/export` and its manifest: the audit trail as CSV, JSON Lines or PDF (API key, audit scope)."""

from __future__ import annotations

import shutil
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from notary.api import exports, problems
from notary.api.auth import authenticate, presented_key
from notary.api.deps import (
    DIGEST_PATTERN,
    KIND_PATTERN,
    MAX_BLOCK,
    PARTY_PATTERN,
    TIME_PATTERN,
    Services,
    ServicesDep,
)
from notary.api.schemas import ExportManifestOut
from notary.audit.manifest import MEDIA_TYPE as MANIFEST_TYPE
from notary.index import EventFilter

router = APIRouter(tags=["audit"])
_SECURITY: dict[str, Any] = {"security": [{"bearer": []}, {"apiKey": []}]}
_ERRORS = (401, 403, 409, 422, 429, 503)
Format = Literal["csv", "jsonl", "pdf"]


def export_filter(
    party: Annotated[str | None, Query(description="Only events of this party.", pattern=PARTY_PATTERN)] = None,
    kind: Annotated[str | None, Query(description="Only events of records of this kind.", pattern=KIND_PATTERN)] = None,
    digest: Annotated[str | None, Query(pattern=DIGEST_PATTERN, description="Only this digest (or root).")] = None,
    since: Annotated[
        str | None, Query(pattern=TIME_PATTERN, description="At or after (ISO 8601 or UNIX seconds).")
    ] = None,
    until: Annotated[str | None, Query(pattern=TIME_PATTERN, description="Before (ISO 8601 or UNIX seconds).")] = None,
    from_block: Annotated[
        int | None, Query(ge=0, le=MAX_BLOCK, description="Default: the deployment's first block.")
    ] = None,
    to_block: Annotated[int | None, Query(ge=0, le=MAX_BLOCK, description="Default: the index's checkpoint.")] = None,
) -> EventFilter:
    return EventFilter.from_text(
        party=party,
        kind=kind,
        digest=digest,
        since=since,
        until=until,
        from_block=from_block,
        to_block=to_block,
    )


def auditor(request: Request, svc: ServicesDep) -> Services:
    client = authenticate(svc.settings.api_keys, presented_key(request), "audit")
    svc.limiter.take(client.name)
    return svc


AuditorDep = Annotated[Services, Depends(auditor)]
FilterDep = Annotated[EventFilter, Depends(export_filter)]
FormatQuery = Annotated[Format, Query(alias="format", description="csv, jsonl or pdf (a report for people).")]
_FILES = {t: {"schema": {"type": "string", "format": "binary"}} for t in exports.MEDIA_TYPES.values()}
_EXPORT_OK = {"description": "The export; its manifest in the Notary-Export-* and Link headers", "content": _FILES}
_MANIFEST_OK = {
    "description": "The manifest",
    "content": {MANIFEST_TYPE: {"schema": ExportManifestOut.model_json_schema()}},
}


@router.get(
    "/v1/audit/export",
    response_class=FileResponse,
    responses=problems.responses(*_ERRORS, ok=_EXPORT_OK),
    openapi_extra=_SECURITY,
)
async def audit_export(request: Request, svc: AuditorDep, flt: FilterDep, fmt: FormatQuery = "csv") -> FileResponse:
    """Every indexed event matching the filters, in chain order, with each row's off-chain re-check.
    CSV and JSON Lines are deterministic (the same range and filters give the same bytes); the PDF report
    states when it was generated, in UTC. Needs an API key with the audit scope."""
    path, manifest = await run_in_threadpool(exports.run, svc, fmt, flt)
    return FileResponse(
        path,
        media_type=exports.MEDIA_TYPES[fmt],
        filename=exports.file_name(manifest),
        headers=exports.headers(manifest, dict(request.query_params)),
        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True),
    )


@router.get(
    "/v1/audit/export/manifest",
    response_class=Response,
    responses=problems.responses(*_ERRORS, ok=_MANIFEST_OK),
    openapi_extra=_SECURITY,
)
async def audit_export_manifest(svc: AuditorDep, flt: FilterDep, fmt: FormatQuery = "csv") -> Response:
    """The manifest of the export with the same query, byte for byte as `notary audit export` writes
    it beside the export (save it as `<export>.manifest.json` for `notary audit verify`)."""
    body = await run_in_threadpool(exports.manifest_bytes, svc, fmt, flt)
    return Response(body, media_type=MANIFEST_TYPE)
