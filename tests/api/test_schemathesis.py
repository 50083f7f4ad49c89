"""Schemathesis against the service's own /openapi.json: no server error, no schema mismatch.

Every operation is driven with schema-valid and schema-invalid requests (Schemathesis
generates them from the OpenAPI document): a 5xx, a response that breaks its documented
schema, status or media type, a schema-invalid request accepted, or a schema-valid request
refused as malformed (400/422) each fail the test. The one refusal of a schema-valid request
a schema cannot foresee is semantic, and is allowed only in its own words:

- the ledger's own rejection of a relayed act (a Solidity error code: a random signature does
  not recover to an authorised key, a deadline has passed): the signature and the chain's state
  are not in any schema;
- an audit block range that is empty (`from_block` after `to_block`, or before the deployment);
- a calendar date that does not exist (2026-02-30), which a regular expression cannot rule out.

Quick tier: a bounded number of examples per operation; `pytest -m deep` runs many more.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from notary.api import ApiSettings, create_app
from notary.api.settings import ApiKey, IndexSettings
from notary.testing import World

KEY = "schemathesis-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}
SEMANTIC_422 = re.compile(r"^(Notary|Registry)[A-Za-z]+$")


@pytest.fixture
def api_schema(world: World, relay_settings: Callable[..., ApiSettings]) -> Any:
    """The app with the relay, an index brought up to the head, a key with every scope, no public limit."""
    keys = (ApiKey("fuzzer", hashlib.sha256(KEY.encode()).digest(), frozenset({"relay", "audit"})),)
    app = create_app(
        relay_settings(api_keys=keys, public_rate_limit=None, index=IndexSettings(poll_interval=3600.0)),
        gateway=world.gw,
    )
    index = app.state.services.index
    assert index is not None
    index.open().run_once()
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _impossible_date(query: dict[str, Any]) -> bool:
    for name in ("since", "until"):
        value = str(query.get(name, ""))
        if re.match(r"^[0-9]{4}-", value):
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return True
    return False


@schemathesis.check
def schema_valid_requests_are_not_refused_as_malformed(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis's positive-data check, minus the semantic refusals the module docstring names."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in (400, 422):
        return None
    body = response.json()
    code, detail = body.get("code", ""), body.get("detail", "")
    if case.operation.path == "/v1/relay" and SEMANTIC_422.match(code):
        return None
    audit = case.operation.path.startswith("/v1/audit/") and code == "invalid-input"
    if audit and (detail.startswith("the block range") or _impossible_date(case.query or {})):
        return None
    raise AssertionError(f"schema-valid request refused: {response.status_code} {code}: {detail}")


def _run(case: Any) -> None:
    case.call_and_validate(
        headers=HEADERS,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_are_not_refused_as_malformed],
    )


def _fuzz(api_schema: Any, mode: GenerationMode, examples: int) -> list[str]:
    """Drive every operation with `examples` generated requests; the labels of the operations run."""
    ran = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(operation.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            _run(case)

        try:
            check()
        except Unsatisfiable:  # no parameters or body: no schema-invalid request exists (e.g. /healthz)
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        ran.append(operation.label)
    return ran


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_matches_its_openapi_schema(api_schema: Any, mode: GenerationMode) -> None:
    """No 5xx, responses as documented, schema-invalid requests refused, schema-valid ones not refused
    as malformed, on every operation the schema lists."""
    ran = _fuzz(api_schema, mode, 30)
    assert {"POST /v1/relay", "GET /v1/verify/{digest}", "GET /v1/audit/export"} <= set(ran)


@pytest.mark.deep
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_deep_the_api_matches_its_openapi_schema(api_schema: Any, mode: GenerationMode) -> None:
    _fuzz(api_schema, mode, 500)
