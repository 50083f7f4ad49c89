"""`/healthz` (the process answers), `/readyz` (the chain and the deployment answer), `/metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from notary.api.deps import Services, ServicesDep
from notary.api.indexing import IndexService
from notary.api.schemas import HealthOut, ReadyOut

router = APIRouter(tags=["operations"])
_TEXT = {"type": "string"}


@router.get("/healthz", response_model=HealthOut)
async def healthz() -> HealthOut:
    """Liveness: the process serves requests (touches nothing else)."""
    return HealthOut()


def _readiness(svc: Services) -> ReadyOut:
    gw, checks = svc.gateway, {"chain": "not checked"}
    block = None
    try:
        block = gw.chain.block_number()
        checks["chain"] = "ok"
        contracts = (gw.deployment.registry.address, gw.deployment.ledger.address)
        has_code = all(gw.chain.has_code(a) for a in contracts)
        checks["deployment"] = "ok" if has_code else "no contract code at the manifest's addresses"
        if svc.relayer is not None:
            funded = gw.chain.balance(svc.relayer.address) > 0
            checks["relayer"] = "ok" if funded else f"relayer {svc.relayer.address} has no funds for gas"
    except Exception as exc:  # any failure to reach the node means "not ready"
        checks["chain"] = f"unreachable ({type(exc).__name__})"
    lag = None
    if svc.index is not None and block is not None:
        lag = svc.index.lag(block)
        checks["indexer"] = _indexer_check(svc.index)
    ready = all(v == "ok" for v in checks.values())
    return ReadyOut(
        status="ready" if ready else "unready",
        checks=checks,
        chainId=gw.chain.chain_id,
        block=block,
        ledger=gw.deployment.ledger.address,
        indexerLag=lag,
    )


def _indexer_check(index: IndexService) -> str:
    """ok while the background indexer runs and its last pass succeeded (a lag alone is not a failure:
    reads then go to the chain)."""
    if not index.running:
        return "not running" + (f" ({index.last_error})" if index.last_error else "")
    return f"failing ({index.last_error})" if index.last_error else "ok"


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut, "description": "Not ready"}})
async def readyz(svc: ServicesDep) -> JSONResponse:
    """Readiness: the node answers, the deployment's contracts are there, the relayer (if any) has gas
    and the background indexer (if any) runs. `indexerLag`: blocks between the head and the index's
    checkpoint (null without an indexer)."""
    ready = await run_in_threadpool(_readiness, svc)
    return JSONResponse(ready.model_dump(), status_code=200 if ready.status == "ready" else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": _TEXT}}}},
)
async def metrics(svc: ServicesDep) -> Response:
    """Prometheus metrics: requests by route and status, latencies, verifications, relays."""
    return Response(generate_latest(svc.metrics.registry), media_type=CONTENT_TYPE_LATEST)
