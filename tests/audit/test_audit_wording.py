"""Human wording of audit facts, the PDF's first-pass summary and its chart buckets (no chain needed)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notary.audit import chart
from notary.audit.rows import KeyWindows
from notary.audit.summary import NO_PARTY, SLOT, summarise
from notary.audit.wording import NEVER, check_text, detail_text, when, window
from notary.models import timestamp_text
from notary.registry import FOREVER

T = 1_796_127_693  # 2026-12-01T12:21:33Z


def test_when_says_never_and_the_start_instead_of_sentinels() -> None:
    """0 is "the start", the registry's 2**63 "valid until" is "never", anything else UTC text."""
    assert (when(0), when(FOREVER), when(NEVER)) == ("the start", "never", "never")
    assert when(T) == "2026-12-01T12:21:33Z"
    assert window(0, FOREVER) == "from the start until never"
    assert window(T, T + 60) == "from 2026-12-01T12:21:33Z until 2026-12-01T12:22:33Z"


def test_check_text_turns_every_check_vocabulary_time_into_utc() -> None:
    """Each time `rows.check` writes (revocation, signing, voiding, expiry, window) reads as UTC text."""
    windows = KeyWindows()
    windows.add({"event": "SignerAdded", "party": "SGP", "signer": "0xAb", "detail": {"validFrom": 0, "validUntil": T}})
    outside = windows.judge("SGP", "0xab", T + 5)
    assert outside == f"invalid: signed at {T + 5}, outside the key's window [0, {T})"
    assert check_text(outside) == (
        "invalid: signed at 2026-12-01T12:21:38Z, outside the key's window (from the start until 2026-12-01T12:21:33Z)"
    )
    voided = f"voided at {T + 10}: the key was revoked (declared compromised) from {T}, before it signed at {T}"
    assert check_text(voided) == (
        "voided at 2026-12-01T12:21:43Z: the key was revoked (declared compromised) from 2026-12-01T12:21:33Z; "
        "it signed at 2026-12-01T12:21:33Z"
    )
    recovered = "invalid: the signature recovers to 0x1234567890123456789012345678901234567890, not the recorded signer"
    assert check_text(recovered) == recovered  # hex is not a time
    assert check_text("valid") == "valid" and check_text("n/a") == "n/a"


@given(st.integers(min_value=0, max_value=NEVER - 1))
def test_check_text_leaves_no_unix_seconds(ts: int) -> None:
    """Whatever the time, the human check holds its UTC text instead of the number."""
    text = check_text(f"invalid: the signed payload expired at {ts}, before it was recorded at {ts}")
    assert text == (
        f"invalid: the signed payload expired at {timestamp_text(ts)}, before it was recorded at {timestamp_text(ts)}"
    )


def test_detail_text_is_key_value_pairs_with_times_and_no_signature() -> None:
    """No JSON braces or Python reprs; times in UTC; zero hashes read "none"; the signature is left out."""
    detail = {"deadline": T, "signature": "0x" + "ab" * 65, "time": T, "supersedes": "0x" + "00" * 32}
    assert detail_text(json.dumps(detail)) == "deadline: 2026-12-01T12:21:33Z; supersedes: none"
    assert detail_text({"parties": ["FRA", "SGP"], "ratificationRequired": True}) == (
        "parties: FRA, SGP; ratificationRequired: yes"
    )


def _row(event: str, party: str, time: int, check: str = "n/a", detail: str = "{}") -> dict[str, object]:
    return {
        "event": event,
        "party": party,
        "time": timestamp_text(time),
        "check": check,
        "record": "0x01",
        "detail": detail,
        "intent": "signature" if event == "ActRecorded" else "",
        "block_number": 1,
        "signer": "0xab",
        "digest": "",
    }


def test_summary_counts_health_flags_compromises_and_labels_party_less_events() -> None:
    """Voided and invalid acts are counted and listed; events with no party get the labelled row."""
    s = summarise(
        [
            _row("ActRecorded", "FRA", T, "valid"),
            _row("ActRecorded", "SGP", T + 1, f"voided at {T + 9}: the key was revoked"),
            _row("BatchAnchored", "FRA", T + 2, "invalid: the signature recovers to nothing, not the recorded signer"),
            _row("StatusChanged", "", T + 3, detail='{"current":"executed"}'),
        ]
    )
    assert s.health == {"valid": 1, "voided": 1, "invalid": 1, "unchecked": 0}
    assert (s.acts, s.compromised) == (3, 2)
    assert [r["party"] for r in s.flagged] == ["SGP", "FRA"]
    assert s.by_party == {"FRA": 2, "SGP": 1, NO_PARTY: 1}
    assert s.by_state == {"executed": 1}


@pytest.mark.parametrize(
    ("span", "bucket"),
    [
        (0, 10),
        (100, 10),
        (400, 60),
        (2 * 3600, 600),
        (10 * 3600, 3600),
        (40 * 86400, 7 * 86400),
        (9 * 365 * 86400, 365 * 86400),
    ],
)
def test_chart_buckets_fit_the_span(span: int, bucket: int) -> None:
    """At most MAX_BARS bars of a readable size; every act is counted once."""
    acts = {("FRA", T // SLOT): 3, ("SGP", (T + span) // SLOT): 2}
    data = chart.series(acts, SLOT)
    assert data is not None
    assert data.bucket_seconds == bucket and len(data.labels) <= chart.MAX_BARS
    assert sum(map(sum, data.counts)) == 5 and data.parties == ("FRA", "SGP")


def test_chart_stacks_the_least_active_parties_as_others() -> None:
    """Past MAX_SERIES parties, the most active keep a colour each and the rest are "others"."""
    acts = {(f"P{i:02d}", T // SLOT): i + 1 for i in range(10)}
    data = chart.series(acts, SLOT)
    assert data is not None and len(data.parties) == chart.MAX_SERIES and data.parties[-1] == "others"
    assert data.parties[0] == "P09" and sum(map(sum, data.counts)) == sum(range(1, 11))
    assert chart.series({}, SLOT) is None
