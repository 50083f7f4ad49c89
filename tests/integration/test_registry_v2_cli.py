"""`notary party …` for protocol v2 against anvil: two-step control, scheduled resets, the
repudiation window and the depositary's confirmation, delays, contract-signer warnings.

Time moves only by seconds on the session's shared anvil node. New delays take effect only
after the 72 h reset delay in force, so the test that needs them in force runs on a node of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import test_cli_party as base
from cli_helpers import Cli, fast_scrypt, isolate
from test_cli_party import address, iso, show

from notary.chain.connect import rpc

pytestmark = pytest.mark.anvil

# The fixtures of test_cli_party: a funded key set, this test's own deployment, FRA registered.
cli, deployed, fra = base.cli, base.deployed, base.fra
DELAY = 72 * 3600  # the default repudiation window and controller-reset delay


@pytest.fixture
def own_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Cli, str]]:
    """As `fra`, on an anvil node of this test's own (whose clock may move by days), and its URL."""
    from notary.chain.node import ephemeral_anvil

    with ephemeral_anvil() as url:
        isolate(monkeypatch, tmp_path)
        fast_scrypt(monkeypatch)
        run = Cli(capsys, "--rpc-url", url)
        for name in base.KEYS:
            run.ok("keys", "new", name)
        run.ok("deploy", "--key", "depositary")
        run.ok(
            "party", "register", "FRA", "--name", "French Republic", "--controller", "fra-ctl", "--key", "depositary"
        )
        yield run, url


def block_time(anvil_url: str, block: int) -> int:
    return rpc(anvil_url).block_timestamp(block)


def advance(anvil_url: str, seconds: int) -> None:
    chain = rpc(anvil_url)
    chain.time_travel(chain.latest_timestamp() + seconds)


# --------------------------------------------------------------------------- controller changes


def test_set_controller_is_a_proposal_the_new_controller_accepts(fra: Cli) -> None:
    """set-controller proposes and says how to accept; show lists the proposal; accept-control completes it."""
    human = fra.ok("party", "set-controller", "FRA", "--controller", "sgp-ctl", "--key", "fra-ctl")
    assert "proposed" in human.out and "notary party accept-control FRA --key sgp-ctl" in human.out
    party = show(fra, "FRA")
    assert party["controller"] == address(fra, "fra-ctl")
    assert party["pendingControl"] == {
        "controller": address(fra, "sgp-ctl"),
        "byDepositary": False,
        "effectiveAt": None,
        "due": False,
    }
    assert "proposed" in fra.ok("party", "show", "FRA").out
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl")  # fra-ctl still controls
    again = fra.ok("party", "set-controller", "FRA", "--controller", "sgp-ctl", "--key", "fra-ctl", "--json").json()
    assert again["changed"] is False

    wrong = fra("party", "accept-control", "FRA", "--key", "sgp-sig")
    assert wrong.code == 5 and "Traceback" not in wrong.err
    accepted = fra.ok("party", "accept-control", "FRA", "--key", "sgp-ctl", "--json").json()
    assert accepted["changed"] is True and accepted["previous"] == address(fra, "fra-ctl")
    party = show(fra, "FRA")
    assert party["controller"] == address(fra, "sgp-ctl") and party["pendingControl"] is None
    assert fra.ok("party", "accept-control", "FRA", "--key", "sgp-ctl", "--json").json()["changed"] is False


def test_a_reset_is_scheduled_for_72_hours_and_can_be_cancelled(fra: Cli) -> None:
    """--reset schedules (72 h by default) and prints when; the controller keeps control; cancel-reset cancels."""
    human = fra.ok("party", "set-controller", "FRA", "--to", "sgp-ctl", "--reset", "--key", "depositary")
    assert "scheduled" in human.out and "complete-reset FRA" in human.out and "cancel-reset FRA" in human.out
    party = show(fra, "FRA")
    pending = party["pendingControl"]
    assert party["controller"] == address(fra, "fra-ctl")
    assert (pending["controller"], pending["byDepositary"], pending["due"]) == (address(fra, "sgp-ctl"), True, False)
    assert pending["effectiveAt"] in human.out
    assert iso(pending["effectiveAt"]) - iso(party["chainTime"]) == timedelta(hours=72)  # no block since
    assert "reset to" in fra.ok("party", "show", "FRA").out

    early = fra("party", "complete-reset", "FRA", "--key", "sgp-ctl")
    assert early.code == 5 and "Traceback" not in early.err
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl")  # fra-ctl still controls

    stranger = fra("party", "cancel-reset", "FRA", "--key", "fra-ctl")
    assert stranger.code == 5 and "not the depositary" in stranger.err
    cancelled = fra.ok("party", "cancel-reset", "FRA", "--key", "depositary", "--json").json()
    assert cancelled["changed"] is True and cancelled["cancelled"] == address(fra, "sgp-ctl")
    assert show(fra, "FRA")["pendingControl"] is None
    assert fra.ok("party", "cancel-reset", "FRA", "--key", "depositary", "--json").json()["changed"] is False


def test_a_due_reset_is_completed_by_anyone(own_node: tuple[Cli, str]) -> None:
    """A 60 s reset delay is in force 72 h after set-delays; then complete-reset fails early (5) and
    succeeds once due, from any key."""
    fra, url = own_node
    delays = fra.ok("party", "set-delays", "--reset-delay", "60s", "--key", "depositary", "--json").json()
    effective_at = int(iso(delays["effectiveAt"]).timestamp())
    assert effective_at == block_time(url, delays["block"]) + DELAY
    assert show(fra, "FRA")["delays"] == {"repudiationWindow": DELAY, "controllerResetDelay": DELAY}
    rpc(url).time_travel(effective_at)  # mines a block at effectiveAt
    assert show(fra, "FRA")["delays"] == {"repudiationWindow": DELAY, "controllerResetDelay": 60}

    reset = fra.ok("party", "set-controller", "FRA", "--to", "sgp-ctl", "--reset", "--key", "depositary", "--json")
    body = reset.json()
    assert iso(body["effectiveAt"]).timestamp() == block_time(url, body["block"]) + 60
    assert body["next"] == "notary party complete-reset FRA --key KEY"
    early = fra("party", "complete-reset", "FRA", "--key", "sgp-sig")
    assert early.code == 5 and "Traceback" not in early.err
    advance(url, 61)
    assert show(fra, "FRA")["pendingControl"]["due"] is True
    done = fra.ok("party", "complete-reset", "FRA", "--key", "sgp-sig", "--json").json()
    assert done["changed"] is True and done["controller"] == address(fra, "sgp-ctl")
    assert done["previous"] == address(fra, "fra-ctl")
    party = show(fra, "FRA")
    assert party["controller"] == address(fra, "sgp-ctl") and party["pendingControl"] is None
    again = fra.ok("party", "complete-reset", "FRA", "--key", "sgp-sig")
    assert "no controller reset of FRA is pending" in again.out


# --------------------------------------------------------------------------- revocations beyond the window


def test_revocation_beyond_the_window_awaits_the_depositary(fra: Cli) -> None:
    """-5d is applied from the window's edge now; the earlier time awaits `confirm-revocation` by the depositary."""
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--valid-from", "-30d")
    sig = address(fra, "fra-sig")
    human = fra.ok("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", "-5d")
    assert "compromise declared" in human.out and "edge of the 72h repudiation window" in human.out
    assert f"notary party confirm-revocation FRA --signer {sig} --key DEPOSITARY" in human.out

    party = show(fra, "FRA")
    [key] = party["keys"]
    requested = key["pendingRevocation"]
    assert key["status"] == "compromised" and requested is not None
    # Both times are read against the chain's clock a block or so apart: allow a few seconds.
    gap = iso(key["revokedAt"]) - iso(requested) - (timedelta(days=5) - timedelta(hours=72))
    assert abs(gap) <= timedelta(seconds=5)
    assert [h["event"] for h in party["history"]] == ["SignerAdded", "BackdatedRevocationRequested", "SignerRevoked"]
    assert party["history"][1]["requestedAt"] == requested
    assert party["history"][2]["effectiveAt"] == key["revokedAt"] and party["history"][2]["compromise"] is True
    assert "awaits the depositary" in fra.ok("party", "show", "FRA").out

    again = fra.ok(
        "party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", requested, "--json"
    ).json()
    assert again["changed"] is False and again["awaitingDepositary"] == requested

    stranger = fra("party", "confirm-revocation", "FRA", "--signer", "fra-sig", "--key", "fra-ctl")
    assert stranger.code == 5 and "not the depositary" in stranger.err
    confirmed = fra.ok("party", "confirm-revocation", "FRA", "--signer", sig, "--key", "depositary")
    assert "compromise confirmed" in confirmed.out

    party = show(fra, "FRA")
    [key] = party["keys"]
    assert (key["revokedAt"], key["pendingRevocation"]) == (requested, None)
    assert [h["event"] for h in party["history"][-2:]] == ["BackdatedRevocationConfirmed", "SignerRevoked"]
    assert party["history"][-2]["effectiveAt"] == requested
    repeat = fra.ok("party", "confirm-revocation", "FRA", "--signer", sig, "--key", "depositary", "--json").json()
    assert repeat["changed"] is False and repeat["effectiveAt"] == requested


def test_revocation_json_beyond_the_window(fra: Cli) -> None:
    """--json of a revocation beyond the window: effectiveAt is the edge, awaitingDepositary the time asked for."""
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--valid-from", "-30d")
    body = fra.ok(
        "party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", "-4d", "--json"
    ).json()
    assert body["compromise"] is True and body["awaitingDepositary"] == body["requestedAt"]
    # "-4d" is read against the chain's clock before sending; the edge is the block's time - 72 h.
    assert abs(iso(body["effectiveAt"]) - iso(body["requestedAt"]) - timedelta(days=1)) <= timedelta(seconds=5)
    assert "confirm-revocation FRA" in body["next"]
    later = fra("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", "-3d")
    assert later.code == 0  # -3d is still beyond the window and later than -4d: nothing to do
    earlier_than_pending = fra.ok(
        "party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--effective", "-6d", "--json"
    ).json()
    assert earlier_than_pending["changed"] is True
    gap = iso(body["requestedAt"]) - iso(earlier_than_pending["awaitingDepositary"])
    assert abs(gap - timedelta(days=2)) <= timedelta(seconds=5)


# --------------------------------------------------------------------------- delays, suspension, contract signers


def test_set_delays_reads_durations_and_warns(fra: Cli, anvil_url: str) -> None:
    """set-delays takes 24h / 96h / 5d / 0, effective 72 h later (the reset delay in force) as it says;
    weaker-than-default values warn; bad input exits 3, others' keys 5."""
    body = fra.ok(
        "party", "set-delays", "--repudiation-window", "24h", "--reset-delay", "96h", "--key", "depositary", "--json"
    ).json()
    assert (body["repudiationWindow"], body["controllerResetDelay"], body["warnings"]) == (86400, 345600, [])
    assert iso(body["effectiveAt"]).timestamp() == block_time(anvil_url, body["block"]) + DELAY
    assert body["effectiveAt"] in body["message"] and "until then repudiation window 72h" in body["message"]
    # Not in force yet: show reports the delays in force.
    assert show(fra, "FRA")["delays"] == {"repudiationWindow": DELAY, "controllerResetDelay": DELAY}
    assert "repudiation window 72h, controller-reset delay 72h" in fra.ok("party", "show", "FRA").out
    same = fra.ok("party", "set-delays", "--repudiation-window", "86400", "--key", "depositary", "--json").json()
    assert (same["changed"], same["effectiveAt"]) == (False, body["effectiveAt"])  # already scheduled

    wide = fra.ok("party", "set-delays", "--repudiation-window", "5d", "--key", "depositary", "--json").json()
    assert wide["repudiationWindow"] == 5 * 86400 and wide["controllerResetDelay"] == 345600  # the pending 96h
    assert any("further than the default 72h" in w for w in wide["warnings"])
    assert iso(wide["effectiveAt"]).timestamp() == block_time(anvil_url, wide["block"]) + DELAY  # counted anew
    assert (
        f"replaces repudiation window 24h, controller-reset delay 96h scheduled for {body['effectiveAt']}"
        in (wide["message"])
    )
    instant = fra.ok("party", "set-delays", "--reset-delay", "0", "--key", "depositary")
    assert "warning:" in instant.out and "at once" in instant.out
    assert (
        "controller-reset delay 0s from " in instant.out
        and "(after the controller-reset delay now in force, 72h)" in (instant.out)
    )

    for bad in (("--reset-delay", "soon"), ("--reset-delay", "-1h"), ()):
        result = fra("party", "set-delays", *bad, "--key", "depositary")
        assert result.code == 3, (bad, result.err)
    stranger = fra("party", "set-delays", "--reset-delay", "72h", "--key", "fra-ctl")
    assert stranger.code == 5 and "not the depositary" in stranger.err


def test_a_suspended_party_cannot_add_but_can_revoke(fra: Cli) -> None:
    """While FRA is suspended add-signer exits 5; revoke-signer still works."""
    fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl")
    fra.ok("party", "suspend", "FRA", "--key", "depositary")
    refused = fra("party", "add-signer", "FRA", "--signer", "sgp-sig", "--key", "fra-ctl")
    assert refused.code == 5 and "party FRA is suspended" in refused.err
    fra.ok("party", "revoke-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl")
    assert [k["key"] for k in show(fra, "FRA")["keys"]] == [address(fra, "fra-sig")]


def test_adding_a_contract_signer_warns(fra: Cli, deployed: dict[str, Any]) -> None:
    """add-signer of an address with code warns that the contract alone decides; an EOA gets no warning."""
    contract = deployed["registry"]["address"]
    human = fra.ok("party", "add-signer", "FRA", "--signer", contract, "--key", "fra-ctl")
    assert "warning:" in human.out and "contract alone decides" in human.out
    body = fra.ok("party", "add-signer", "FRA", "--signer", deployed["ledger"]["address"], "--key", "fra-ctl", "--json")
    [warning] = body.json()["warnings"]
    assert "EIP-1271" in warning and "alone decides what it signs for FRA" in warning
    plain = fra.ok("party", "add-signer", "FRA", "--signer", "fra-sig", "--key", "fra-ctl", "--json").json()
    assert plain["warnings"] == []
