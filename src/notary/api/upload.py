"""Hash an uploaded file as it streams in, within a size limit; nothing is stored.

`POST /v1/verify` takes `multipart/form-data` (the file in the field `file`, as
`curl -F file=@doc.pdf` sends it) or a raw `application/octet-stream` body. The body is
hashed chunk by chunk as it arrives; past the limit, reading stops and the answer is 413.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from notary.api.problems import PayloadTooLargeError, UnsupportedMediaTypeError
from notary.errors import InvalidInputError

FIELD = "file"
#: Room for multipart boundaries, part headers and small extra fields beyond the file itself.
FORM_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class Upload:
    digest: bytes
    size: int
    filename: str | None


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the file is larger than this service's limit of {limit} bytes",
        hint="verify by digest instead: GET /v1/verify/{sha256 hex}, e.g. from sha256sum",
    )


@dataclass
class _FormReader:
    """Callbacks for python-multipart: hash the part named `file`, ignore the others."""

    limit: int
    sha: hashlib._Hash = field(default_factory=hashlib.sha256)
    size: int = 0
    filename: str | None = None
    found: int = 0
    _in_file: bool = False
    _field: bytes = b""
    _value: bytes = b""
    _headers: dict[bytes, bytes] = field(default_factory=dict)

    def on_part_begin(self) -> None:
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._in_file = params.get(b"name") == FIELD.encode()
        if self._in_file:
            self.found += 1
            name = params.get(b"filename")
            self.filename = name.decode("utf-8", "replace") if name is not None else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file:
            return
        self.size += end - start
        if self.size > self.limit:
            raise _too_large(self.limit)
        self.sha.update(data[start:end])

    def on_part_end(self) -> None:
        self._in_file = False


async def hash_upload(request: Request, limit: int) -> Upload:
    """SHA-256 of the uploaded file, read once as it streams in."""
    ctype, params = parse_options_header(request.headers.get("content-type"))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise _too_large(limit)  # refuse before reading anything
    if ctype == b"application/octet-stream":
        return await _raw(request, limit)
    if ctype != b"multipart/form-data":
        raise UnsupportedMediaTypeError(
            f"POST /v1/verify reads multipart/form-data or application/octet-stream, not {ctype.decode() or 'nothing'}",
            hint="e.g. curl -F file=@document.pdf …/v1/verify",
        )
    boundary = params.get(b"boundary")
    if not boundary:
        raise InvalidInputError("the multipart body has no boundary parameter")
    reader = _FormReader(limit)
    callbacks = {name: getattr(reader, name) for name in dir(reader) if name.startswith("on_")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit + FORM_OVERHEAD:
                raise _too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise InvalidInputError(f"the multipart body is malformed: {exc}") from None
    if reader.found != 1:
        raise InvalidInputError(
            f"the form must hold exactly one file in the field {FIELD!r} (found {reader.found})",
            hint="e.g. curl -F file=@document.pdf …/v1/verify",
        )
    return Upload(reader.sha.digest(), reader.size, reader.filename)


async def _raw(request: Request, limit: int) -> Upload:
    sha, size = hashlib.sha256(), 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        sha.update(chunk)
    return Upload(sha.digest(), size, None)


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """A small JSON body read whole, refused with 413 as soon as it passes `limit` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"{what} is at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
