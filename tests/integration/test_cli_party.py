"""`notary deploy` and `notary party …` against a real anvil node, each test on its own ledger."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Cli, fast_scrypt, isolate

from notary.chain.connect import rpc
from notary.deployment import Deployment

pytestmark = pytest.mark.anvil

KEYS = ("depositary", "fra-ctl", "sgp-ctl", "fra-sig", "sgp-sig")


@pytest.fixture
def cli(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`notary --rpc-url ANVIL …` with its own config, data folder and keys (not yet deployed)."""
    isolate(monkeypatch, tmp_path)
    fast_scrypt(monkeypatch)
    run = Cli(capsys, "--rpc-url", anvil_url)
    for name in KEYS:
        run.ok("keys", "new", name)
    return run


@pytest.fixture
def deployed(cli: Cli) -> dict[str, Any]:
    """This test's own registry and ledger, deployed by the depositary key."""
    data: dict[str, Any] = cli.ok("deploy", "--key", "depositary", "--json").json()
    return data


@pytest.fixture
def fra(cli: Cli, deployed: dict[str, Any]) -> Cli:
    """FRA registered with fra-ctl as controller."""
    cli.ok("party", "register", "FRA", "--name", "French Republic", "--controller", "fra-ctl", "--key", "depositary")
    return cli


def address(cli: Cli, name: str) -> str:
    return str(cli.ok("keys", "show", name, "--json").json()["address"])


def show(cli: Cli, code: str) -> dict[str, Any]:
    data: dict[str, Any] = cli.ok("party", "show", code, "--json").json()
    return data


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------- deploy


def test_deploy_writes_the_manifest_and_guards_a_live_ledger(cli: Cli, tmp_path: Path) -> None:
    """deploy writes <data>/deployments/31337.json; a second deploy exits 3 unless --force."""
    first = cli.ok("deploy", "--key", "depositary", "--json").json()
    manifest = tmp_path / "data" / "deployments" / "31337.json"
    assert first["chainId"] == 31337 and first["manifest"] == str(manifest)
    assert first["depositary"] == address(cli, "depositary")
    saved = Deployment.load(manifest)
    assert (saved.registry.address, saved.ledger.address) == (first["registry"]["address"], first["ledger"]["address"])
    assert first["registry"]["gasUsed"] > 0 and first["ledger"]["block"] >= first["registry"]["block"] > 0
    assert first["replacedManifest"] is None

    again = cli("deploy", "--key", "depositary")
    assert again.code == 3
    assert "already deployed" in again.err and first["ledger"]["address"] in again.err and "--force" in again.err
    assert Deployment.load(manifest) == saved

    forced = cli.ok("deploy", "--key", "depositary", "--force", "--json").json()
    assert forced["ledger"]["address"] != first["ledger"]["address"]
    assert Deployment.load(manifest).ledger.address == forced["ledger"]["address"]
    assert Deployment.load(Path(forced["replacedManifest"])) == saved


def test_deploy_human_output_lists_addresses_blocks_and_gas(cli: Cli) -> None:
    """The human deploy output names the chain, both addresses and the manifest."""
    result = cli.ok("deploy", "--key", "depositary")
    assert "chain 31337" in result.out and "registry" in result.out and "ledger" in result.out
    assert "gas used" in result.out and "31337.json" in result.out


def test_stale_manifest_is_reported_and_replaced_without_force(cli: Cli, deployed: dict[str, Any]) -> None:
    """A manifest whose ledger has no code (node reset) says to deploy again; deploy then replaces it."""
    manifest = Path(deployed["manifest"])
    body = json.loads(manifest.read_text())
    body["ledger"]["address"] = "0x" + "11" * 20
    manifest.write_text(json.dumps(body))
    listing = cli("party", "list")
    assert listing.code == 3 and "no ledger contract" in listing.err and "notary deploy" in listing.err
    redeployed = cli.ok("deploy", "--key", "depositary", "--json").json()
    assert redeployed["replacedManifest"] is not None
    assert cli.ok("party", "list", "--json").json() == []


# --------------------------------------------------------------------------- register, list


def test_register_and_list_parties(cli: Cli, deployed: dict[str, Any]) -> None:
    """The depositary registers FRA (controller by key name) and SGP (by address); list shows both."""
    human = cli.ok(
        "party", "register", "FRA", "--name", "French Republic", "--controller", "fra-ctl", "--key", "depositary"
    )
    assert "registered party FRA" in human.out and "transaction" in human.out and "gas used" in human.out
    sgp_ctl = address(cli, "sgp-ctl")
    sgp = cli.ok(
        "party", "register", "sgp", "--name", "Republic of Singapore", "--controller", sgp_ctl.lower(),
        "--key", "depositary", "--json",
    ).json()  # fmt: skip
    assert sgp["changed"] is True and sgp["party"] == "SGP" and sgp["controller"] == sgp_ctl
    assert sgp["transaction"].startswith("0x") and sgp["block"] > 0 and sgp["gasUsed"] > 0

    parties = cli.ok("party", "list", "--json").json()
    assert [(p["code"], p["name"], p["controller"], p["status"]) for p in parties] == [
        ("FRA", "French Republic", address(cli, "fra-ctl"), "active"),
        ("SGP", "Republic of Singapore", sgp_ctl, "active"),
    ]
    assert all(iso(p["registeredAt"]) for p in parties)


def test_registering_again_reports_the_party_instead_of_failing(fra: Cli) -> None:
    """Re-running the same register sends nothing and exits 0; a different controller is rejected (5)."""
    again = fra.ok(
        "party", "register", "FRA", "--name", "French Republic", "--controller", "fra-ctl",
        "--key", "depositary", "--json",
    ).json()  # fmt: skip
    assert again["changed"] is False and again["transaction"] is None
    other = fra(
        "party", "register", "FRA", "--name", "French Republic", "--controller", "sgp-ctl", "--key", "depositary"
    )
    assert other.code == 5 and "party FRA is already registered" in other.err


def test_non_depositary_cannot_register(cli: Cli, deployed: dict[str, Any]) -> None:
    """A register signed by another key exits 5 with 'not the depositary'; nothing is registered."""
    result = cli("party", "register", "DEU", "--name", "Germany", "--controller", "fra-ctl", "--key", "fra-ctl")
    assert result.code == 5
    assert "not the depositary" in result.err and address(cli, "fra-ctl") in result.err
    assert "Traceback" not in result.err
    assert cli.ok("party", "list", "--json").json() == []


def test_wrong_password_sends_nothing(cli: Cli, deployed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong depositary password exits 3 with 'wrong password' before any transaction."""
    monkeypatch.setenv("NOTARY_PASSWORD", "not the password")
    result = cli(
        "party", "register", "FRA", "--name", "French Republic", "--controller", "fra-ctl", "--key", "depositary"
    )
    assert result.code == 3 and "wrong password for key 'depositary'" in result.err
    assert cli.ok("party", "list", "--json").json() == []


def test_unknown_party_is_named_in_the_error(cli: Cli, deployed: dict[str, Any]) -> None:
    """`party show DEU` for an unregistered party exits 5 and names DEU."""
    result = cli("party", "show", "DEU")
    assert result.code == 5
    assert "party DEU is not registered" in result.err and "notary party register" in result.err


# --------------------------------------------------------------------------- signer keys


def test_add_signer_and_show_the_key_window(fra: Cli) -> None:
    """add-signer with --valid-until +30d; show --json lists the key, its window and 'active'."""
    added = fra.ok(
        "party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--valid-until", "+30d", "--json"
    )
    body = added.json()
    assert body["changed"] is True and body["gasUsed"] > 0
    party = show(fra, "FRA")
    assert party["controller"] == address(fra, "fra-ctl") and party["status"] == "active"
    [key] = party["keys"]
    assert key["key"] == address(fra, "fra-sig") and key["status"] == "active" and key["revokedAt"] is None
    assert (key["validFrom"], key["validUntil"]) == (body["validFrom"], body["validUntil"])
    assert iso(key["validUntil"]) - iso(key["validFrom"]) == timedelta(days=30)
    assert [h["event"] for h in party["history"]] == ["SignerAdded"]
    assert party["history"][0]["transaction"] == body["transaction"]

    again = fra.ok(
        "party",
        "add-signer",
        "FRA",
        "--signer",
        "fra-sig",
        "--key",
        "fra-ctl",
        "--valid-until",
        key["validUntil"],
        "--json",
    )
    assert again.json()["changed"] is False

    human = fra.ok("party", "show", "FRA")
    assert "French Republic" in human.out and "active" in human.out and "fra-sig" in human.out


def test_key_statuses_follow_the_window(fra: Cli) -> None:
    """A window starting tomorrow shows 'not yet valid'; one that ended yesterday shows 'expired'."""
    later, past = "0x" + "0a" * 20, "0x" + "0b" * 20
    fra.ok("party", "add-signer", "FRA", "--signer", later, "--key", "fra-ctl", "--valid-from", "+1d")
    fra.ok(
        "party",
        "add-signer",
        "FRA",
        "--signer",
        past,
        "--key",
        "fra-ctl",
        "--valid-from",
        "-30d",
        "--valid-until",
        "-1d",
    )
    statuses = {k["key"].lower(): k["status"] for k in show(fra, "FRA")["keys"]}
    assert statuses == {later: "not yet valid", past: "expired"}


def test_empty_window_is_refused_before_sending(fra: Cli) -> None:
    """--valid-until before --valid-from exits 3 with both times; nothing is sent."""
    result = fra("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--valid-until", "-1h")
    assert result.code == 3 and "is not after" in result.err
    assert show(fra, "FRA")["keys"] == []


def test_revocation_in_the_past_declares_a_compromise(fra: Cli) -> None:
    """revoke-signer --effective -1h says so, and show reports the key compromised."""
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--valid-from", "-1d")
    human = fra.ok("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", "-1h")
    assert "compromise declared" in human.out
    party = show(fra, "FRA")
    [key] = party["keys"]
    assert key["status"] == "compromised" and key["revokedAt"] is not None
    revoked = party["history"][-1]
    assert revoked["event"] == "SignerRevoked" and revoked["compromise"] is True
    assert revoked["effectiveAt"] == key["revokedAt"]
    assert iso(revoked["time"]) - iso(revoked["effectiveAt"]) >= timedelta(hours=1)
    assert "compromised" in fra.ok("party", "show", "FRA").out

    same = fra.ok(
        "party",
        "revoke-signer",
        "FRA",
        "--signer",
        "fra-sig",
        "--key",
        "fra-ctl",
        "--effective",
        key["revokedAt"],
        "--json",
    )
    assert same.json()["changed"] is False
    later = fra("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", "+1h")
    assert later.code == 5 and "may only move earlier" in later.err


def test_revocation_now_is_not_a_compromise(fra: Cli, anvil_url: str) -> None:
    """A revocation without --effective starts from the next block: 'revoked', not 'compromised'."""
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl")
    result = fra.ok("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--json").json()
    assert result["compromise"] is False and "compromise" not in result["message"]
    chain = rpc(anvil_url)
    chain.time_travel(chain.latest_timestamp() + 5)
    [key] = show(fra, "FRA")["keys"]
    assert key["status"] == "revoked" and key["revokedAt"] == result["effectiveAt"]
    again = fra.ok("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--json").json()
    assert again["changed"] is False


def test_only_the_controller_manages_keys(fra: Cli) -> None:
    """add-signer signed by another key exits 5 with 'not the controller of party FRA'."""
    result = fra("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "sgp-ctl")
    assert result.code == 5 and "is not the controller of party FRA" in result.err


# --------------------------------------------------------------------------- controller, suspension


def test_set_controller_transfers_and_the_depositary_resets(fra: Cli) -> None:
    """The controller proposes sgp-ctl, who accepts; the depositary (only) schedules a reset back to fra-ctl."""
    moved = fra.ok("party", "set-controller", "FRA", "--to", "sgp-ctl", "--key", "fra-ctl", "--json").json()
    assert moved["action"] == "transfer-control" and moved["previous"] == address(fra, "fra-ctl")
    assert moved["next"] == "notary party accept-control FRA --key sgp-ctl"
    assert show(fra, "FRA")["controller"] == address(fra, "fra-ctl")  # step one only proposes
    fra.ok("party", "accept-control", "FRA", "--key", "sgp-ctl")
    assert show(fra, "FRA")["controller"] == address(fra, "sgp-ctl")
    assert fra("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl").code == 5

    stranger = fra("party", "set-controller", "FRA", "--to", "fra-ctl", "--reset", "--key", "sgp-ctl")
    assert stranger.code == 5 and "not the depositary" in stranger.err
    reset = fra.ok(
        "party", "set-controller", "FRA", "--to", "fra-ctl", "--reset", "--key", "depositary", "--json"
    ).json()
    assert reset["action"] == "reset-controller" and reset["changed"] is True and reset["effectiveAt"]
    party = show(fra, "FRA")
    assert party["controller"] == address(fra, "sgp-ctl")  # scheduled, not applied
    assert party["pendingControl"]["controller"] == address(fra, "fra-ctl")
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "sgp-ctl")


def test_suspend_and_reinstate(fra: Cli) -> None:
    """The depositary suspends FRA (shown as suspended, repeat is a no-op) and reinstates it."""
    assert "suspended" in fra.ok("party", "suspend", "FRA", "--key", "depositary").out
    assert show(fra, "FRA")["status"] == "suspended"
    assert fra.ok("party", "list", "--json").json()[0]["status"] == "suspended"
    assert fra.ok("party", "suspend", "FRA", "--key", "depositary", "--json").json()["changed"] is False
    stranger = fra("party", "reinstate", "FRA", "--key", "fra-ctl")
    assert stranger.code == 5 and "not the depositary" in stranger.err
    reinstated = fra.ok("party", "reinstate", "FRA", "--key", "depositary", "--json").json()
    assert reinstated["changed"] is True and reinstated["action"] == "reinstate"
    assert show(fra, "FRA")["status"] == "active"


# --------------------------------------------------------------------------- environment errors


def test_unreachable_rpc_points_to_node_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """With no node at the URL, party and deploy commands exit 4 and suggest `notary node start`."""
    isolate(monkeypatch, tmp_path)
    cli = Cli(capsys, "--rpc-url", "http://127.0.0.1:9")
    for argv in (("party", "list"), ("deploy", "--key", "depositary")):
        result = cli(*argv)
        assert result.code == 4, result.err
        assert "http://127.0.0.1:9 not reachable" in result.err and "notary node start" in result.err
        assert "Traceback" not in result.err


def test_missing_manifest_points_to_deploy(cli: Cli) -> None:
    """Before any deploy, party commands exit 3 with a hint to run `notary deploy`."""
    for argv in (("party", "list"), ("party", "show", "FRA")):
        result = cli(*argv)
        assert result.code == 3 and "no deployment manifest" in result.err and "notary deploy" in result.err
