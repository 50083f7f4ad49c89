"""`notary serve`: the verification API and the verifier page, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from notary.cli import context


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the verification API and the verifier page at http://HOST:PORT/.

    Settings come from NOTARY_* variables (see the README): the node and deployment as for
    every command, plus NOTARY_UPLOAD_LIMIT, NOTARY_RELAY_ENABLED, NOTARY_API_KEYS,
    NOTARY_RELAY_RATE_LIMIT and the relayer's key. Unsafe settings refuse to start.
    The event indexer runs in the background (NOTARY_INDEX=false turns it off; NOTARY_INDEX_URL
    and the other NOTARY_INDEX_* as for `notary index`); NOTARY_BUNDLE_DIR names batch
    bundles whose inclusion proofs are served.
    """
    import uvicorn

    from notary.api import ApiSettings, create_app

    app = create_app(ApiSettings.from_env(base=context.settings()))
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
