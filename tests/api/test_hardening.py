"""The API under hostile input: oversized integers, non-UTF-8 JSON, floods without an API key."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from api_helpers import READ_KEY, RELAY_KEY, act, auth, signed_json
from fastapi.testclient import TestClient

from notary import signed_payload
from notary.api import ApiSettings, create_app
from notary.api.settings import DEFAULT_PUBLIC_RATE_LIMIT, RateLimit
from notary.api.settings import ApiSettings as Settings
from notary.errors import ConfigError
from notary.testing import World

PROBLEM = "application/problem+json"
BIG = "7" * 5000


def _payload(world: World) -> dict[str, object]:
    rid = world.notarise(b"\x55" * 32)
    return json.loads(signed_json(world, act(world, rid, "SGP"), "SGP"))  # type: ignore[no-any-return]


def test_a_5000_digit_chain_id_in_a_signed_payload_is_a_422_problem(world: World, relay_client: TestClient) -> None:
    """Once an HTTP 500 (Python's int-string limit): now a format problem naming the number."""
    body = json.dumps(_payload(world)).replace(f'"chainId": {world.gw.chain.chain_id}', f'"chainId": {BIG}')
    assert BIG in body
    r = relay_client.post("/v1/relay", content=body, headers=auth())
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "invalid-input" and "5000-digit" in r.json()["detail"]


@pytest.mark.parametrize("where", ["typedData", "top"])
def test_huge_integers_anywhere_in_the_body_are_422(relay_client: TestClient, where: str) -> None:
    body = '{"typedData": {"x": ' + BIG + "}}" if where == "typedData" else "[" + BIG + "]"
    r = relay_client.post("/v1/relay", content=body, headers=auth())
    assert r.status_code == 422 and r.json()["code"] == "invalid-input"


@pytest.mark.parametrize(
    "query",
    [f"from_block={BIG}", f"to_block={2**63}", f"since={BIG}", f"until=-{BIG}h", "since=%C2%B2", "party=%C5%BFRA"],
)
def test_huge_or_unicode_numbers_in_queries_are_422(
    world: World, settings: Callable[..., ApiSettings], query: str
) -> None:
    """Block numbers past uint63, 5,000-digit times and Unicode digits ("²") are refused by the
    declared parameter schema (422 invalid-request), never by a 500."""
    import hashlib

    from notary.api.settings import ApiKey

    keys = (ApiKey("auditor", hashlib.sha256(b"audit-key").digest(), frozenset({"audit"})),)
    client = TestClient(create_app(settings(api_keys=keys), gateway=world.gw))
    r = client.get(f"/v1/audit/export/manifest?{query}", headers={"X-API-Key": "audit-key"})
    assert r.status_code == 422 and r.json()["code"] == "invalid-request", r.text


def test_a_policy_with_unicode_or_huge_party_codes_is_422(client: TestClient) -> None:
    digest = "ab" * 32
    for query in (f"signed_by=FRA,{BIG}", "submitter=%C5%BFRA", "signed_by=" + ",".join(["FRA"] * 33)):
        r = client.get(f"/v1/verify/{digest}?{query}")
        assert r.status_code == 422 and r.json()["code"] == "invalid-request", query


# --------------------------------------------------------------------- UTF-8 only


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_json_body_is_refused_with_415(world: World, relay_client: TestClient, encoding: str) -> None:
    """The same valid payload in UTF-16/32 (json.loads would have guessed and accepted it): 415."""
    body = json.dumps(_payload(world)).encode(encoding)
    r = relay_client.post("/v1/relay", content=body, headers=auth())
    assert r.status_code == 415 and r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "unsupported-media-type" and "UTF-8" in r.json()["detail"]


def test_a_declared_charset_other_than_utf8_is_refused_with_415(world: World, relay_client: TestClient) -> None:
    headers = auth() | {"Content-Type": f"{signed_payload.MEDIA_TYPE}; charset=iso-8859-1"}
    r = relay_client.post("/v1/relay", content=json.dumps(_payload(world)), headers=headers)
    assert r.status_code == 415 and "iso-8859-1" in r.json()["detail"]


def test_invalid_utf8_inside_a_body_is_a_422_problem(world: World, relay_client: TestClient) -> None:
    body = json.dumps(_payload(world)).encode().replace(b'"reason": ""', b'"reason": "\xff\xfe"')
    r = relay_client.post("/v1/relay", content=body, headers=auth())
    assert r.status_code == 422 and "not UTF-8" in r.json()["detail"]


def test_the_same_payload_in_utf8_still_relays(world: World, relay_client: TestClient) -> None:
    """The guard reads the first chunk and hands it on: a UTF-8 body relays as before."""
    body = json.dumps(_payload(world)).encode()
    r = relay_client.post(
        "/v1/relay", content=body, headers=auth() | {"Content-Type": "application/json; charset=UTF-8"}
    )
    assert r.status_code == 200 and r.json()["outcome"] == "submitted", r.text


# --------------------------------------------------------------------- the public rate limit


def test_unauthenticated_traffic_is_limited_with_429_and_retry_after(
    world: World, relay_settings: Callable[..., ApiSettings]
) -> None:
    """3 requests per minute without a key: the 4th is 429 with Retry-After, as a problem."""
    client = TestClient(create_app(relay_settings(public_rate_limit=RateLimit(3, 60.0)), gateway=world.gw))
    statuses = [client.get("/v1/parties/FRA").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = client.get(f"/v1/verify/{'ab' * 32}")
    assert r.status_code == 429 and r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "rate-limited" and int(r.headers["retry-after"]) >= 1
    assert r.headers["x-content-type-options"] == "nosniff"  # the security headers wrap the 429 too


def test_the_public_bucket_is_shared_and_spares_keys_and_probes(
    world: World, relay_settings: Callable[..., ApiSettings]
) -> None:
    """A wrong key counts as unauthenticated; a valid key (any scope) and /healthz, /readyz are not limited."""
    client = TestClient(create_app(relay_settings(public_rate_limit=RateLimit(1, 3600.0)), gateway=world.gw))
    assert client.get("/v1/parties/FRA").status_code == 200
    assert client.get("/v1/parties/FRA", headers={"X-API-Key": "not-a-key"}).status_code == 429
    assert client.get("/v1/parties/FRA", headers={"Authorization": "Bearer nope"}).status_code == 429
    for key in (RELAY_KEY, READ_KEY):
        assert client.get("/v1/parties/FRA", headers={"X-API-Key": key}).status_code == 200
    assert [client.get(p).status_code for p in ("/healthz", "/readyz", "/healthz")] == [200, 200, 200]


def test_the_public_limit_can_be_turned_off(world: World, relay_settings: Callable[..., ApiSettings]) -> None:
    client = TestClient(create_app(relay_settings(public_rate_limit=None), gateway=world.gw))
    assert {client.get("/healthz").status_code for _ in range(3)} | {
        client.get("/v1/parties/FRA").status_code for _ in range(60)
    } == {200}


def test_the_429_is_documented_on_every_limited_operation(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            has = "429" in operation["responses"]
            assert has is (path not in ("/healthz", "/readyz", "/metrics")), (method, path)
    relay = schema["paths"]["/v1/relay"]["post"]["responses"]
    assert "415" in relay and relay["415"]["content"][PROBLEM]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DEFAULT_PUBLIC_RATE_LIMIT),
        ("off", None),
        ("600/min", RateLimit(600, 60.0)),
        ("5/s", RateLimit(5, 1.0)),
    ],
)
def test_notary_public_rate_limit_parses(text: str, expected: RateLimit | None) -> None:
    s = Settings.from_env({"NOTARY_PUBLIC_RATE_LIMIT": text}, base=ApiSettings().base)
    assert s.public_rate_limit == expected


@pytest.mark.parametrize("text", ["fast", "0/s", "1" * 5000 + "/s", "²/s", "5/fortnight"])
def test_a_malformed_public_rate_limit_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="NOTARY_PUBLIC_RATE_LIMIT"):
        Settings.from_env({"NOTARY_PUBLIC_RATE_LIMIT": text}, base=ApiSettings().base)


@pytest.mark.parametrize("name", ["NOTARY_INDEX_RANGE", "NOTARY_INDEX_CONFIRMATIONS"])
@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_integer_settings_are_bounded_before_conversion(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value}, base=ApiSettings().base)


# --------------------------------------------------------------------- the schema is the parser's


@pytest.mark.parametrize("n", [0, 9, 10, 2**63, 2**64 - 2, 2**64 - 1, 2**64, 2**64 + 9, 10**20, 99999999999999999999])
def test_the_uint64_pattern_admits_exactly_what_the_parser_reads(n: int) -> None:
    """Deep schemathesis found 57223621623039402313 (> 2**64 - 1) admitted by `[1-9][0-9]{0,19}`."""
    import re

    from notary.api.signed_payload_schema import _UINT64

    admitted = re.fullmatch(_UINT64["pattern"], str(n)) is not None
    assert admitted is (n < 2**64)
    try:
        signed_payload._uint64(str(n), "deadline")
        parsed = True
    except signed_payload.SignedPayloadFormatError:
        parsed = False
    assert parsed is admitted


@pytest.mark.parametrize(("code", "ok"), [("FRA", True), ("UN", True), ("A-" + "B" * 14, True), ("fra", False),
                                          ("F", False), ("1AB", False), ("A" * 17, False)])  # fmt: skip
def test_the_party_code_pattern_admits_exactly_what_the_parser_reads(code: str, ok: bool) -> None:
    import re

    from notary.api.signed_payload_schema import _code_bytes32

    value = "0x" + code.encode().ljust(32, b"\0")[:32].hex() if len(code) <= 32 else "0x"
    assert (re.fullmatch(_code_bytes32("party code")["pattern"], value) is not None) is ok
    try:
        signed_payload._code(bytes.fromhex(value[2:]), "party", "party")
        parsed = True
    except signed_payload.SignedPayloadFormatError:
        parsed = False
    assert parsed is ok
