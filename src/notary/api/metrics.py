"""Prometheus metrics (one registry per app) and the middleware that records requests.

Requests are labelled by route template (`/v1/records/{digest}`), never by raw path, so
digests and party codes do not explode the label space.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "notary_http_requests_total",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "notary_http_request_duration_seconds",
            "HTTP request duration by route.",
            ["method", "route"],
            registry=self.registry,
        )
        self.verifications = Counter(
            "notary_verifications_total", "Verifications by outcome.", ["outcome"], registry=self.registry
        )
        self.relays = Counter(
            "notary_relays_total",
            "Relayed signed payloads by type and outcome.",
            ["type", "outcome"],
            registry=self.registry,
        )

    def verified(self, notarised: bool, verified: bool) -> None:
        self.verifications.labels("verified" if verified else "not-verified" if notarised else "not-notarised").inc()


class MetricsMiddleware:
    """Count and time every HTTP request (pure ASGI: streaming bodies pass untouched)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)
