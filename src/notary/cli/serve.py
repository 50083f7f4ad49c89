"""`notary serve`: the verification API and the verifier page, with uvicorn."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Annotated

import typer

from notary.cli import context
from notary.errors import ConfigError

if TYPE_CHECKING:
    from notary.api import ApiSettings


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            envvar="NOTARY_WORKERS",
            min=1,
            max=64,
            help="Worker processes answering requests (all cores: one per core); one indexer follows the chain.",
        ),
    ] = 1,
) -> None:
    """Serve the verification API and the verifier page at http://HOST:PORT/.

    Settings come from NOTARY_* variables (see the README): the node and deployment as for
    every command, plus NOTARY_UPLOAD_LIMIT, NOTARY_RELAY_ENABLED, NOTARY_API_KEYS,
    NOTARY_RELAY_RATE_LIMIT and the relayer's key. Unsafe settings refuse to start.
    The event indexer runs in the background (NOTARY_INDEX=false turns it off; NOTARY_INDEX_URL
    and the other NOTARY_INDEX_* as for `notary index`); NOTARY_BUNDLE_DIR names batch
    bundles published to the index at start-up.
    """
    check_port(host, port)  # before start-up work, and instead of uvicorn's errno
    import uvicorn

    from notary.api import ApiSettings, allocator, create_app

    allocator.tune()  # uploads: reuse freed buffers (see notary.api.allocator)

    settings = ApiSettings.from_env(base=context.settings())
    from notary.api.protocol import HTTP_PROTOCOL

    options = {"host": host, "port": port, "log_level": log_level, "server_header": False, "proxy_headers": False}
    options["http"] = HTTP_PROTOCOL  # httptools, with TCP_NODELAY on every connection (see notary.api.protocol)
    if workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return
    _serve_workers(settings, workers, options)


def _serve_workers(settings: ApiSettings, workers: int, options: dict[str, object]) -> None:
    """N uvicorn workers (`notary.api.factory`) sharing the index, which this process alone follows."""
    import os

    import uvicorn

    from notary.api.app import connect_gateway
    from notary.api.indexing import IndexService
    from notary.api.proofs import load_bundle_dir

    if settings.relay_enabled:
        raise ConfigError(
            "the relay pays gas from one key, whose nonces one process must order: it runs with --workers 1",
            hint="serve the relay from one process, and verification replicas with --workers N (see the README)",
        )
    if not settings.index.enabled:
        raise ConfigError(
            "--workers N shares one index between the workers; NOTARY_INDEX=false leaves them nothing to share",
            hint="leave NOTARY_INDEX unset (or point NOTARY_INDEX_URL at PostgreSQL), or serve with --workers 1",
        )
    settings.check()
    gw = connect_gateway(settings)
    index = IndexService.from_settings(settings, gw)
    assert index is not None
    if settings.bundle_dir is not None:  # published once, here, before the workers start
        load_bundle_dir(settings.bundle_dir, gw, index.published())
    base = settings.base
    exported = {
        "NOTARY_RPC_URL": base.rpc_url,
        "NOTARY_DEPLOYMENT": str(base.deployment_path(gw.chain.chain_id)),
        "NOTARY_DATA_DIR": str(base.resolved_data_dir),
        "NOTARY_INDEX_URL": index.url,
        "NOTARY_INDEX_FOLLOW": "false",
    }
    os.environ.update(exported)
    os.environ.pop("NOTARY_BUNDLE_DIR", None)
    index.start()
    try:
        uvicorn.run("notary.api.factory:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    finally:
        index.stop()


def _bindable(host: str, port: int) -> OSError | None:
    """Whether a server could listen on host:port now (as uvicorn binds: SO_REUSEADDR)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return OSError(errno.EADDRNOTAVAIL, exc.strerror)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            return exc
    return None


def check_port(host: str, port: int) -> None:
    """Refuse, in one line with a hint, an address `notary serve` cannot listen on."""
    problem = _bindable(host, port)
    if problem is None:
        return
    if problem.errno == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + 20, 65536)) if _bindable(host, p) is None), None)
        raise ConfigError(
            f"port {port} on {host} is already in use (another `notary serve`, or another program)",
            hint=f"serve on another port with --port {free or 'PORT'}, or stop what listens on {port}",
        )
    if problem.errno == errno.EACCES:
        raise ConfigError(
            f"not allowed to listen on port {port} on {host} (ports below 1024 need privileges)",
            hint="choose a port from 1024 up with --port, e.g. --port 8000",
        )
    raise ConfigError(
        f"cannot listen on {host}:{port}: {problem.strerror}",
        hint="check --host (an address of this machine, e.g. 127.0.0.1 or 0.0.0.0) and --port",
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
