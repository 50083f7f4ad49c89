"""`create_app(settings, gateway=None)`: the FastAPI application, wired once.

Settings are checked first (unsafe configurations refuse to start), then the ledger is
reached (unless a gateway is given, as tests do), then the relayer's key is loaded if the
relay is enabled and the batch bundles are read if a folder is named. The background
indexer starts with the app (its lifespan) and stops with it. FastAPI's Swagger and ReDoc
pages are off (they load scripts from a CDN); the schema is at `/openapi.json` and the verifier page at `/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notary import __version__
from notary.api import problems
from notary.api.auth import RateLimiter
from notary.api.deps import Services
from notary.api.indexing import IndexService
from notary.api.metrics import Metrics, MetricsMiddleware
from notary.api.proofs import ProofIndex
from notary.api.relayer import Relayer, load_relayer
from notary.api.routes import audit, health, parties, proofs, records, relay, verify
from notary.api.settings import ApiSettings
from notary.api.signed_payload_schema import SIGNED_PAYLOAD_SCHEMA
from notary.chain.gateway import LedgerGateway
from notary.journal import Journal

STATIC = Path(str(files("notary.api") / "static"))
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
]


def connect_gateway(settings: ApiSettings) -> LedgerGateway:
    """Reach the node and the deployment named by the settings, checking the contracts are there."""
    from notary.chain.connect import connect
    from notary.chain.gateway import open_gateway
    from notary.deployment import Deployment

    chain = connect(settings.base.rpc_url)
    return open_gateway(chain, Deployment.load(settings.base.deployment_path(chain.chain_id)))


class SecurityHeaders:
    """Add conservative headers to every response (the page loads nothing from elsewhere)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, add if scope["type"] == "http" else send)


def create_app(settings: ApiSettings, gateway: LedgerGateway | None = None) -> FastAPI:
    settings.check()
    gw = gateway or connect_gateway(settings)
    relayer = None
    if settings.relay_enabled:
        journal = Journal(settings.base.resolved_data_dir, gw.chain.chain_id)
        relayer = Relayer(gw, load_relayer(settings.relayer, gw), journal, settings.base.tx_timeout)
    index = IndexService.from_settings(settings, gw)
    bundles = ProofIndex.load(settings.bundle_dir, gw) if settings.bundle_dir is not None else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if index is not None:
            index.start()
        try:
            yield
        finally:
            if index is not None:
                index.stop()

    app = FastAPI(
        title="notary verification API",
        version=__version__,
        description="Verify notarised diplomatic documents; relay acts signed by ministry keys.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    metrics = Metrics()
    limiter = RateLimiter(settings.rate_limit)
    app.state.services = Services(settings, gw, metrics, limiter, relayer, index, bundles)
    problems.install(app)
    for module in (verify, records, proofs, parties, relay, audit, health):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeaders)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus the shared Problem and SignedPayload schemas and the API-key schemes."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = problems.Problem.model_json_schema()
        components["schemas"]["SignedPayload"] = SIGNED_PAYLOAD_SCHEMA
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <API key>"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
        app.openapi_schema = schema
    return app.openapi_schema
