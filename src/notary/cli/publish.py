"""`notary publish FILE...` and `notary batch publish BUNDLE`: make documents findable by digest.

Each FILE is a batch bundle (`notary batch anchor` wrote it), an instrument's manifest, or a
receipt of an instrument listing its texts. It is checked against the chain and stored in
the index, either:

- of a notary service: `--service URL` (env NOTARY_SERVICE_URL) with an API key holding
  the `publish` scope (`--api-key-file F`, env NOTARY_API_KEY); a bundle is streamed;
- or of this machine (no `--service`): the index database `notary serve` and `notary
  verify` read here (`--db` / NOTARY_INDEX_URL, default under the data directory).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli.output import console, err_console, print_json

ServiceOpt = Annotated[
    str | None,
    typer.Option(
        "--service",
        envvar="NOTARY_SERVICE_URL",
        metavar="URL",
        help="Publish to this notary service (e.g. https://notary.example.org) instead of the local index.",
    ),
]
ApiKeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--api-key-file", metavar="F", help="File holding the service's API key (publish scope; or env NOTARY_API_KEY)."
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="NOTARY_INDEX_URL",
        help="Without --service: the index database [default: $NOTARY_DATA_DIR/index/<chain id>.sqlite3].",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
#: A file above this size can only be a bundle (a manifest or receipt is at most 1 MiB).
_SMALL = 1 << 20
_TIMEOUT = 600.0


def _kind(path: Path) -> str:
    """'batch' or 'instrument', from the file's content."""
    from notary import batch
    from notary.errors import InvalidInputError

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidInputError(f"{path} does not exist") from None
    if size > _SMALL:
        return "batch"
    try:
        body = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{path} is not a bundle, manifest or receipt (not UTF-8 JSON: {exc})") from None
    return "batch" if isinstance(body, dict) and body.get("mediaType") == batch.MEDIA_TYPE else "instrument"


def _api_key(key_file: Path | None) -> str:
    from notary.errors import ConfigError

    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the API key file {key_file}: {exc.strerror}") from None
    else:
        key = os.environ.get("NOTARY_API_KEY", "").strip()
    if not key:
        raise ConfigError(
            "publishing to a service needs an API key with the publish scope",
            hint="give --api-key-file F (or set NOTARY_API_KEY)",
        )
    return key


def _problem(status: int, body: bytes, url: str) -> Exception:
    """The service's problem answer as the matching notary error."""
    from notary.errors import ConfigError, InvalidInputError, RecordNotFoundError, ServiceUnreachableError

    try:
        problem = json.loads(body)
        detail, hint = str(problem.get("detail", "")), problem.get("hint")
    except (ValueError, AttributeError):
        detail, hint = body[:200].decode("utf-8", "replace"), None
    message = f"the service refused the publication ({status}): {detail}"
    if status in (401, 403):
        return ConfigError(message, hint=hint or "check the API key and that it has the publish scope")
    if status == 404:
        return RecordNotFoundError(message, hint=hint)
    if status in (413, 415, 422):
        return InvalidInputError(message, hint=hint)
    return ServiceUnreachableError(f"the service at {url} answered {status}: {detail}", hint=hint)


def _post(url: str, path: Path, key: str, content_type: str) -> dict[str, Any]:
    from notary.errors import ServiceUnreachableError

    size = path.stat().st_size
    with path.open("rb") as body:
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": content_type, "Content-Length": str(size)},
        )
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:  # noqa: S310 (the user's URL)
                result: dict[str, Any] = json.loads(answer.read())
                return result
        except urllib.error.HTTPError as exc:
            raise _problem(exc.code, exc.read(), url) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnreachableError(
                f"cannot reach the notary service at {url}: {reason}",
                hint="check --service / NOTARY_SERVICE_URL and that the service runs",
            ) from None


def _publish_remote(service: str, path: Path, kind: str, key: str) -> dict[str, Any]:
    from notary import batch

    base = service.rstrip("/")
    if kind == "batch":
        return _post(f"{base}/v1/publish/batch", path, key, batch.MEDIA_TYPE)
    return _post(f"{base}/v1/publish/instrument", path, key, "application/json")


def _publish_local(db: str | None, path: Path, kind: str, quiet: bool) -> dict[str, Any]:
    from notary.cli.index import open_db
    from notary.published import PublishedStore, publish_bundle, publish_manifest, read_manifest

    gw = context.gateway()
    store = PublishedStore(open_db(db))
    if kind == "instrument":
        i = publish_manifest(gw, store, read_manifest(path))
        return {
            "kind": "instrument", "id": i.digest, "documents": len(i.texts), "party": None, "recordId": i.record_id,
            "title": i.title, "already": i.already,
        }  # fmt: skip
    if quiet:
        b = publish_bundle(gw, store, path)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("storing", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                      transient=True) as progress:  # fmt: skip
            task = progress.add_task("documents", total=None)
            b = publish_bundle(gw, store, path, progress=lambda n: progress.advance(task, n))
    return {
        "kind": "batch", "id": b.anchor_id, "documents": b.documents, "party": b.party, "recordId": None,
        "title": b.title, "already": b.already,
    }  # fmt: skip


def _show(path: Path, done: dict[str, Any], where: str) -> None:
    what = "batch" if done["kind"] == "batch" else "instrument"
    title = f" “{escape(done['title'])}”" if done.get("title") else ""
    if done["already"]:
        console.print(f"{escape(str(path))}: {what} {done['id'][:18]}…{title} was already published {where}")
        return
    n = done["documents"]
    docs = f"{n} document{'s' if n != 1 else ''}" if what == "batch" else f"{n} texts and annexes"
    by = f" anchored by {done['party']}" if done.get("party") else f" (record {done['recordId'][:18]}…)"
    console.print(
        f"[green]✓[/] {escape(str(path))}: published {what} {done['id'][:18]}…{title}{by} {where}: "
        f"{docs} now verify by digest"
    )


def publish(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Batch bundles, manifests or receipts.")],
    service: ServiceOpt = None,
    api_key_file: ApiKeyFileOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish batch bundles and instrument manifests so that each document (a batch member, a text, an
    annex) verifies by its own digest: `notary verify`, `GET /v1/verify/{digest}` and the verifier page."""
    key = _api_key(api_key_file) if service else ""
    where = f"to {service}" if service else "to the local index"
    results = []
    for path in files:
        kind = _kind(path)
        done = _publish_remote(service, path, kind, key) if service else _publish_local(db, path, kind, as_json)
        results.append({"file": str(path), **done})
        if not as_json:
            _show(path, done, where)
    if as_json:
        print_json(results if len(results) != 1 else results[0])


def publish_batch(
    bundle: Annotated[Path, typer.Argument(metavar="BUNDLE", help="The bundle `notary batch anchor` wrote.")],
    service: ServiceOpt = None,
    api_key_file: ApiKeyFileOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish a batch bundle: each document then verifies by its digest (checked against the anchor first)."""
    from notary.errors import InvalidInputError

    if _kind(bundle) != "batch":
        raise InvalidInputError(f"{bundle} is not a batch bundle", hint="for an instrument, use `notary publish`")
    publish([bundle], service, api_key_file, db, as_json)


def register(app: typer.Typer, batch_app: typer.Typer) -> None:
    app.command("publish")(publish)
    batch_app.command("publish")(publish_batch)


def local_store() -> Any:
    """The documents published to this machine's index (None when there is no index database yet)."""
    from notary.cli.index import index_url
    from notary.errors import NotaryError
    from notary.index import open_index
    from notary.published import PublishedStore

    url = index_url(None)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).is_file():
        return None
    try:
        return PublishedStore(open_index(url))
    except NotaryError as exc:
        err_console.print(
            f"[yellow]warning:[/] the index is unavailable, so published batches and instruments are not "
            f"searched: {escape(exc.message)}"
        )
        return None
