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
from python_multipart.multipart import parse_options_header
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notary import __version__
from notary.api import problems
from notary.api.auth import EXEMPT, PublicRateLimit, RateLimiter
from notary.api.deps import Services
from notary.api.indexing import IndexService
from notary.api.metrics import Metrics, MetricsMiddleware
from notary.api.proofs import load_bundle_dir
from notary.api.relayer import Relayer, load_relayer
from notary.api.routes import audit, health, parties, proofs, publish, records, relay, verify
from notary.api.settings import ApiSettings
from notary.api.signed_payload_schema import signed_payload_schema
from notary.chain.gateway import LedgerGateway
from notary.chain.head import HeadReader
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


class Utf8Json:
    """Refuse a JSON request body in UTF-16 or UTF-32 (or a declared charset other than UTF-8)
    with a 415 problem before any route reads it: JSON exchanged between systems is UTF-8 (RFC 8259
    §8.1), and Python's json.loads would otherwise guess the encoding from the bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        ctype, params = parse_options_header(request.headers.get("content-type"))
        if ctype != b"application/json" and not ctype.endswith(b"+json"):
            await self.app(scope, receive, send)
            return
        charset = params.get(b"charset", b"utf-8").lower()
        first = await receive()
        head = first.get("body", b"")[:4]
        if charset not in (b"utf-8", b"utf8") or head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
            found = charset.decode("latin-1") if charset not in (b"utf-8", b"utf8") else "UTF-16 or UTF-32"
            response = problems.problem(
                415,
                "unsupported-media-type",
                "Unsupported request media type",
                f"a JSON body must be UTF-8, not {found}",
                request=request,
                hint="send the file's bytes as written (notary writes UTF-8), with Content-Type: "
                f"{ctype.decode('latin-1')}",
            )
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)


def create_app(settings: ApiSettings, gateway: LedgerGateway | None = None) -> FastAPI:
    settings.check()
    gw = gateway or connect_gateway(settings)
    relayer = None
    if settings.relay_enabled:
        journal = Journal(settings.base.resolved_data_dir, gw.chain.chain_id)
        relayer = Relayer(
            gw, load_relayer(settings.relayer, gw), journal, settings.base.tx_timeout, settings.base.confirmations
        )
    index = IndexService.from_settings(settings, gw)
    published = index.published() if index is not None else None
    if published is not None and settings.bundle_dir is not None:
        load_bundle_dir(settings.bundle_dir, gw, published)

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
    public = RateLimiter(settings.public_rate_limit) if settings.public_rate_limit is not None else None
    app.state.services = Services(settings, gw, metrics, limiter, relayer, index, published, HeadReader(gw))
    problems.install(app)
    for module in (verify, records, proofs, publish, parties, relay, audit, health):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Utf8Json)
    app.add_middleware(PublicRateLimit, limiter=public, keys=settings.api_keys)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeaders)
    app.openapi = lambda: _openapi(app, gw)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI, gw: LedgerGateway) -> dict[str, Any]:
    """FastAPI's schema, plus the shared Problem and SignedPayload schemas (for this deployment's
    EIP-712 domain), the API-key schemes, and the problems the middleware may answer with."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = problems.Problem.model_json_schema()
        components["schemas"]["SignedPayload"] = signed_payload_schema(gw.domain)
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <API key>"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
        _middleware_problems(schema)
        app.openapi_schema = schema
    return app.openapi_schema


def _middleware_problems(schema: dict[str, Any]) -> None:
    """Every operation may be rate-limited (429, `PublicRateLimit`) unless exempt; one that takes
    JSON may be refused a body that is not UTF-8 (415, `Utf8Json`)."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            json_body = any(t == "application/json" or t.endswith("+json") for t in content)
            wanted = ([] if path in EXEMPT else [429]) + ([415] if json_body else [])
            missing = [s for s in wanted if str(s) not in operation.get("responses", {})]
            if missing:
                operation.setdefault("responses", {}).update(
                    {str(k): v for k, v in problems.responses(*missing).items()}
                )
